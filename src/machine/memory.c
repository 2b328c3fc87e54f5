/*
 * memory.c - physical memory: one byte array in page frames.
 *
 * Interface: coh__mem_write() is the only way the machine changes memory, so
 * that coh__mem_reset() clears just the frames written since the last reset.
 * Frames below cfg.lowmem_size are lowmem, the rest highmem.
 *
 * The array is an anonymous mapping, not calloc'd: the host gives a page
 * only when it is first touched, so a large simulated memory (`cohsim
 * trace` has 1 GiB) costs what is used, also under ASan, which would
 * otherwise poison the shadow of the whole array up front.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "machine/machine_impl.h"

int coh__mem_init(coh_machine *m)
{
	m->nframes = m->mem_size >> m->page_shift;
	void *p = mmap(NULL, m->mem_size, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	m->mem = p == MAP_FAILED ? NULL : p;
	m->touched = calloc(m->nframes, 1);
	if (!m->mem || !m->touched)
		return COH_ENOMEM;
	return COH_OK;
}

void coh__mem_free(coh_machine *m)
{
	if (m->mem)
		munmap(m->mem, m->mem_size);
	free(m->touched);
	m->mem = NULL;
	m->touched = NULL;
}

void coh__mem_reset(coh_machine *m)
{
	for (size_t f = 0; f < m->nframes; f++) {
		if (m->touched[f]) {
			memset(m->mem + (f << m->page_shift), 0, m->page_size);
			m->touched[f] = 0;
		}
	}
}

void coh__mem_write(coh_machine *m, coh_addr_t pa, const uint8_t *buf, size_t len)
{
	if (len == 0)
		return;
	coh__copy(m->mem + pa, buf, len);
	for (size_t f = pa >> m->page_shift; f <= (pa + len - 1) >> m->page_shift; f++)
		m->touched[f] = 1;
}

int coh_mem_peek(const coh_machine *m, coh_addr_t pa, void *buf, size_t len)
{
	if (pa > m->mem_size || len > m->mem_size - pa)
		return COH_EFAULT;
	memcpy(buf, m->mem + pa, len);
	return COH_OK;
}

int coh_mem_poke(coh_machine *m, coh_addr_t pa, const void *buf, size_t len)
{
	if (pa > m->mem_size || len > m->mem_size - pa)
		return COH_EFAULT;
	coh__mem_write(m, pa, buf, len);
	return COH_OK;
}
