/*
 * memory.c - physical memory: RAM banks, and a sparse table of page frames.
 *
 * Interface: any PA below 2^40 (COH_PA_LIMIT) has a frame. The frame table
 * is a three-level radix tree (top, mid and leaf tables of 512 frames),
 * built as addresses are first touched; a frame's bytes are allocated on
 * its first write and read as zero before that (the shared zero page). So
 * a test may use a board's real RAM address and pays for what it touches,
 * not for the highest address.
 *
 * Each frame also has a slot per shadow of the layers above
 * (COH__SHADOW_*): the oracle's latest values and the lifetime shadow. They
 * own what they hang there; the machine only keeps the slot. A cache line
 * keeps a pointer to its frame (struct coh__frame never moves), so fills,
 * write-backs and the oracle's hooks on a line need no table walk.
 *
 * Invariants: coh__mem_write() and coh__frame_write() are the only ways the
 * machine changes memory; each frame written since the last reset is in
 * the touched list once, and coh__mem_reset() clears just those. Declared
 * RAM (the config's banks, or [0, mem_size)) only limits which PAs may be
 * mapped or reached by DMA (coh__ram_contains); undeclared memory is all of
 * [0, 2^40).
 */
#include <stdlib.h>
#include <string.h>

#include "machine/machine_impl.h"

#define LEVEL_BITS 9
#define LEVEL_SIZE (1u << LEVEL_BITS)

int coh__ram_init(coh_machine *m, const coh_machine_config *cfg)
{
	m->nram = 0;
	if (cfg->nram > COH_MAX_RAM_BANKS)
		return COH_EINVAL;
	if (cfg->nram == 0) {
		m->ram[0].base = 0;
		m->ram[0].size = cfg->mem_size ? cfg->mem_size : COH_PA_LIMIT;
		if (m->ram[0].size > COH_PA_LIMIT || m->ram[0].size % m->page_size)
			return COH_EINVAL;
		m->nram = 1;
		m->mem_size = m->ram[0].size;
		return COH_OK;
	}
	m->mem_size = 0;
	for (unsigned i = 0; i < cfg->nram; i++) {
		const struct coh_ram_bank *b = &cfg->ram[i];
		if (b->size == 0 || b->base % m->page_size || b->size % m->page_size ||
		    b->base >= COH_PA_LIMIT || b->size > COH_PA_LIMIT - b->base)
			return COH_EINVAL;
		for (unsigned k = 0; k < i; k++) {
			const struct coh_ram_bank *o = &cfg->ram[k];
			if (b->base < o->base + o->size && o->base < b->base + b->size)
				return COH_EINVAL;
		}
		m->ram[i] = *b;
		if (b->base + b->size > m->mem_size)
			m->mem_size = (size_t)(b->base + b->size);
	}
	m->nram = cfg->nram;
	return COH_OK;
}

bool coh__ram_contains(const coh_machine *m, coh_addr_t pa, uint64_t len)
{
	for (unsigned i = 0; i < m->nram; i++) {
		const struct coh_ram_bank *b = &m->ram[i];
		if (pa >= b->base && pa - b->base <= b->size && len <= b->base + b->size - pa)
			return true;
	}
	return false;
}

int coh__mem_init(coh_machine *m)
{
	unsigned fbits = COH__PA_BITS - m->page_shift;
	m->ft.top_shift = 2 * LEVEL_BITS;
	m->ft.ntop = fbits > m->ft.top_shift ? (size_t)1 << (fbits - m->ft.top_shift) : 1;
	m->ft.top = calloc(m->ft.ntop, sizeof(*m->ft.top));
	m->ft.zero = calloc(1, m->page_size);
	if (!m->ft.top || !m->ft.zero)
		return COH_ENOMEM;
	return COH_OK;
}

void coh__mem_free(coh_machine *m)
{
	for (size_t t = 0; m->ft.top && t < m->ft.ntop; t++) {
		struct coh__frame **mid = m->ft.top[t];
		for (unsigned i = 0; mid && i < LEVEL_SIZE; i++) {
			struct coh__frame *leaf = mid[i];
			for (unsigned k = 0; leaf && k < LEVEL_SIZE; k++)
				free(leaf[k].data);
			free(leaf);
		}
		free(mid);
	}
	free(m->ft.top);
	free(m->ft.zero);
	free(m->ft.touched);
	memset(&m->ft, 0, sizeof(m->ft));
}

void coh__mem_reset(coh_machine *m)
{
	for (size_t i = 0; i < m->ft.ntouched; i++) {
		struct coh__frame *f = m->ft.touched[i];
		memset(f->data, 0, m->page_size);
		f->touched = false;
	}
	m->ft.ntouched = 0;
}

size_t coh__mem_touched(const coh_machine *m)
{
	return m->ft.ntouched;
}

struct coh__frame *coh__frame_get(const coh_machine *m, coh_addr_t pa)
{
	if (pa >= COH_PA_LIMIT)
		return NULL;
	uint64_t fno = pa >> m->page_shift;
	struct coh__frame **mid = m->ft.top[fno >> m->ft.top_shift];
	if (!mid)
		return NULL;
	struct coh__frame *leaf = mid[(fno >> LEVEL_BITS) & (LEVEL_SIZE - 1)];
	return leaf ? &leaf[fno & (LEVEL_SIZE - 1)] : NULL;
}

struct coh__frame *coh__frame_make(coh_machine *m, coh_addr_t pa)
{
	if (pa >= COH_PA_LIMIT)
		return NULL;
	uint64_t fno = pa >> m->page_shift;
	struct coh__frame ***mid = &m->ft.top[fno >> m->ft.top_shift];
	if (!*mid && !(*mid = calloc(LEVEL_SIZE, sizeof(**mid))))
		return NULL;
	struct coh__frame **leaf = &(*mid)[(fno >> LEVEL_BITS) & (LEVEL_SIZE - 1)];
	if (!*leaf && !(*leaf = calloc(LEVEL_SIZE, sizeof(**leaf))))
		return NULL;
	return &(*leaf)[fno & (LEVEL_SIZE - 1)];
}

void coh__frame_write(coh_machine *m, struct coh__frame *f, size_t off, const uint8_t *buf,
                      size_t len)
{
	if (!f->data && !(f->data = calloc(1, m->page_size)))
		return; /* out of host memory: the write is lost */
	if (!f->touched) {
		if (m->ft.ntouched == m->ft.cap) {
			size_t cap = m->ft.cap ? m->ft.cap * 2 : 64;
			struct coh__frame **t = realloc(m->ft.touched, cap * sizeof(*t));
			if (!t)
				return;
			m->ft.touched = t;
			m->ft.cap = cap;
		}
		m->ft.touched[m->ft.ntouched++] = f;
		f->touched = true;
	}
	coh__copy(f->data + off, buf, len);
}

void coh__mem_write(coh_machine *m, coh_addr_t pa, const uint8_t *buf, size_t len)
{
	while (len) {
		size_t off = pa & (m->page_size - 1);
		size_t n = m->page_size - off < len ? m->page_size - off : len;
		struct coh__frame *f = coh__frame_find(m, pa);
		if (f)
			coh__frame_write(m, f, off, buf, n);
		pa += n;
		buf += n;
		len -= n;
	}
}

void coh__mem_read(const coh_machine *m, coh_addr_t pa, uint8_t *buf, size_t len)
{
	while (len) {
		size_t off = pa & (m->page_size - 1);
		size_t n = m->page_size - off < len ? m->page_size - off : len;
		memcpy(buf, coh__mem_at(m, pa), n);
		pa += n;
		buf += n;
		len -= n;
	}
}

const uint8_t *coh__mem_at(const coh_machine *m, coh_addr_t pa)
{
	return coh__frame_bytes(m, coh__frame_get(m, pa), pa);
}

int coh_mem_peek(const coh_machine *m, coh_addr_t pa, void *buf, size_t len)
{
	if (!coh__ram_contains(m, pa, len))
		return COH_EFAULT;
	coh__mem_read(m, pa, buf, len);
	return COH_OK;
}

int coh_mem_poke(coh_machine *m, coh_addr_t pa, const void *buf, size_t len)
{
	if (!coh__ram_contains(m, pa, len))
		return COH_EFAULT;
	coh__mem_write(m, pa, buf, len);
	return COH_OK;
}
