/*
 * device.c - the device side: DMA straight to and from declared RAM,
 * snooping the caches only when the arch's DMA is coherent. A poll
 * (coh_dma_poll) is a read the oracle does not judge.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine_impl.h"

/* the signature is coh__for_each_copy's, arg cannot be const */
// cppcheck-suppress constParameter
static void dma_snoop(coh_machine *m, struct coh__cache *c, struct coh__line *l, void *arg)
{
	bool drop = arg != NULL;
	coh__line_writeback(m, c, l);
	if (drop)
		coh__line_invalidate(c, l);
}

static void dma_snoop_range(coh_machine *m, coh_addr_t pa, size_t len, bool drop)
{
	unsigned line = m->arch->l1.line_size;
	static int drop_tag;
	for (coh_addr_t a = pa & ~(coh_addr_t)(line - 1); a < pa + len; a += line)
		coh__for_each_copy(m, a, -1, dma_snoop, drop ? &drop_tag : NULL);
}

/* coh_dma_read and coh_dma_poll: judged by the oracle or not */
static int dma_read(coh_machine *m, coh_addr_t pa, void *buf, size_t len, bool judged)
{
	if (!coh__ram_contains(m, pa, len))
		return COH_EFAULT;
	coh__begin_op(m, COH_EV_DMA_READ, -1, 0, pa, len, 0);
	m->dma_reads++;
	m->dma_read_bytes += len;
	if (m->arch->dma_coherent)
		dma_snoop_range(m, pa, len, false);
	coh__mem_read(m, pa, buf, len);
	if (judged && m->obs.dma_read && len) {
		m->dma_checks++;
		m->obs.dma_read(m->obs.ctx, pa, buf, (unsigned)len);
	}
	return COH_OK;
}

int coh_dma_read(coh_machine *m, coh_addr_t pa, void *buf, size_t len)
{
	return dma_read(m, pa, buf, len, true);
}

int coh_dma_poll(coh_machine *m, coh_addr_t pa, void *buf, size_t len)
{
	return dma_read(m, pa, buf, len, false);
}

int coh_dma_write(coh_machine *m, coh_addr_t pa, const void *buf, size_t len)
{
	if (!coh__ram_contains(m, pa, len))
		return COH_EFAULT;
	coh__begin_op(m, COH_EV_DMA_WRITE, -1, 0, pa, len, len ? ((const uint8_t *)buf)[0] : 0);
	m->dma_writes++;
	m->dma_write_bytes += len;
	if (m->arch->dma_coherent)
		dma_snoop_range(m, pa, len, true);
	if (m->obs.store && len)
		m->obs.store(m->obs.ctx, -1, pa, buf, (unsigned)len, m->op_ev, NULL);
	if (m->rord_hook && len) /* the bytes it replaces, for early loads */
		coh__rord_dma_write(m, pa, len);
	coh__mem_write(m, pa, buf, len);
	return COH_OK;
}
