/*
 * mmu.c - address spaces and their page tables.
 *
 * One open-addressing hash (linear probing, backward-shift deletion) holds
 * every PTE of every address space, keyed by (asid, vpn). A lookup tries
 * the CPU's current address space, then the kernel's (asid 0). Each CPU has
 * a direct-mapped TLB (COH__TLB_SIZE entries) that map/unmap flush.
 *
 * A mapping of COH__BLOCK_MIN pages or more is one block entry instead of a
 * PTE per page (a section mapping): mapping, resetting and translating it
 * cost the same whatever its size. Unmapping part of a block splits it. A
 * lookup tries the current address space's PTEs, then its blocks, then the
 * kernel's.
 *
 * Invariants: the hash is never more than half full; key 0 marks an empty
 * slot; no two mappings (PTEs or blocks) of one address space overlap; a
 * slot with a key is in touched[] unless touched_all (reset clears only
 * those).
 */
#include <stdlib.h>

#include "machine/machine_impl.h"

#define ASID_SHIFT 52

static uint64_t pte_key(unsigned asid, uint64_t vpn)
{
	return (((uint64_t)asid << ASID_SHIFT) | vpn) + 1;
}

static size_t slot_of(const struct coh__mmu *mmu, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 20) & (mmu->nslots - 1);
}

int coh__mmu_init(struct coh__mmu *mmu)
{
	mmu->nslots = 1024;
	mmu->used = 0;
	mmu->ntouched = 0;
	mmu->touched_all = false;
	mmu->nas = 1;
	mmu->slots = calloc(mmu->nslots, sizeof(*mmu->slots));
	return mmu->slots ? COH_OK : COH_ENOMEM;
}

void coh__mmu_free(struct coh__mmu *mmu)
{
	free(mmu->slots);
	mmu->slots = NULL;
	free(mmu->blocks);
	mmu->blocks = NULL;
	mmu->nblocks = mmu->capblocks = 0;
}

void coh__mmu_reset(struct coh__mmu *mmu)
{
	if (mmu->touched_all) {
		for (size_t i = 0; i < mmu->nslots; i++)
			mmu->slots[i].key = 0;
	} else {
		for (unsigned k = 0; k < mmu->ntouched; k++)
			mmu->slots[mmu->touched[k]].key = 0;
	}
	mmu->ntouched = 0;
	mmu->touched_all = false;
	mmu->used = 0;
	mmu->nas = 1;
	mmu->nblocks = 0;
}

/* The block of asid holding vpn, or NULL. */
static const struct coh__block *block_find(const struct coh__mmu *mmu, unsigned asid, uint64_t vpn)
{
	for (size_t i = 0; i < mmu->nblocks; i++) {
		const struct coh__block *b = &mmu->blocks[i];
		if (b->asid == asid && vpn >= b->vpn && vpn - b->vpn < b->npages)
			return b;
	}
	return NULL;
}

static bool block_overlaps(const struct coh__mmu *mmu, unsigned asid, uint64_t vpn, uint64_t n)
{
	for (size_t i = 0; i < mmu->nblocks; i++) {
		const struct coh__block *b = &mmu->blocks[i];
		if (b->asid == asid && b->vpn < vpn + n && vpn < b->vpn + b->npages)
			return true;
	}
	return false;
}

static int block_add(struct coh__mmu *mmu, struct coh__block b)
{
	if (mmu->nblocks == mmu->capblocks) {
		size_t cap = mmu->capblocks ? 2 * mmu->capblocks : 8;
		struct coh__block *nb = realloc(mmu->blocks, cap * sizeof(*nb));
		if (!nb)
			return COH_ENOMEM;
		mmu->blocks = nb;
		mmu->capblocks = cap;
	}
	mmu->blocks[mmu->nblocks++] = b;
	return COH_OK;
}

static struct coh__pte *find(const struct coh__mmu *mmu, uint64_t key)
{
	for (size_t i = slot_of(mmu, key);; i = (i + 1) & (mmu->nslots - 1)) {
		if (mmu->slots[i].key == key)
			return &mmu->slots[i];
		if (mmu->slots[i].key == 0)
			return NULL;
	}
}

/* Slot i is about to get a key (see coh__mmu_reset). */
static void touch(struct coh__mmu *mmu, size_t i)
{
	if (mmu->ntouched < COH__MMU_TOUCHED)
		mmu->touched[mmu->ntouched++] = i;
	else
		mmu->touched_all = true;
}

static void put(struct coh__mmu *mmu, struct coh__pte pte)
{
	size_t i = slot_of(mmu, pte.key);
	while (mmu->slots[i].key != 0)
		i = (i + 1) & (mmu->nslots - 1);
	touch(mmu, i);
	mmu->slots[i] = pte;
	mmu->used++;
}

static int grow(struct coh__mmu *mmu)
{
	struct coh__mmu bigger = {.nslots = mmu->nslots * 2, .nas = mmu->nas};
	bigger.slots = calloc(bigger.nslots, sizeof(*bigger.slots));
	if (!bigger.slots)
		return COH_ENOMEM;
	for (size_t i = 0; i < mmu->nslots; i++)
		if (mmu->slots[i].key)
			put(&bigger, mmu->slots[i]);
	free(mmu->slots);
	mmu->slots = bigger.slots; /* the blocks stay */
	mmu->nslots = bigger.nslots;
	mmu->used = bigger.used;
	mmu->touched_all = true; /* the keys moved */
	return COH_OK;
}

static void erase(struct coh__mmu *mmu, const struct coh__pte *pte)
{
	size_t mask = mmu->nslots - 1;
	size_t hole = (size_t)(pte - mmu->slots);
	mmu->slots[hole].key = 0;
	mmu->used--;
	/* backward-shift: move later entries of the run into the hole */
	for (size_t j = (hole + 1) & mask; mmu->slots[j].key; j = (j + 1) & mask) {
		size_t home = slot_of(mmu, mmu->slots[j].key);
		/* can the entry at j move to hole? only if home is not in (hole, j] */
		bool between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (!between) {
			touch(mmu, hole);
			mmu->slots[hole] = mmu->slots[j];
			mmu->slots[j].key = 0;
			hole = j;
		}
	}
}

void coh__tlb_flush_cpu(coh_machine *m, unsigned cpu)
{
	for (unsigned i = 0; i < COH__TLB_SIZE; i++)
		m->tlb[cpu][i].key = 0;
}

/* Every CPU's TLB (a CPU past ncpus never translates: its TLB stays empty) */
static void tlb_flush(coh_machine *m)
{
	for (unsigned c = 0; c < m->ncpus; c++)
		coh__tlb_flush_cpu(m, c);
}

int coh_as_create(coh_machine *m, unsigned *asid_out)
{
	if (m->mmu.nas >= 4096)
		return COH_ERANGE;
	*asid_out = m->mmu.nas++;
	return COH_OK;
}

int coh_cpu_set_as(coh_machine *m, unsigned cpu, unsigned asid)
{
	if (cpu >= m->ncpus || asid >= m->mmu.nas)
		return COH_ERANGE;
	m->cur_as[cpu] = asid;
	coh__tlb_flush_cpu(m, cpu);
	return COH_OK;
}

static bool page_aligned(const coh_machine *m, uint64_t x)
{
	return (x & (m->page_size - 1)) == 0;
}

/* Whether any PTE of asid lies in [vpn, vpn + n): by lookups, or by a
 * walk of the table when that is shorter. */
static bool ptes_in(const struct coh__mmu *mmu, unsigned asid, uint64_t vpn, uint64_t n)
{
	if (mmu->used == 0)
		return false;
	/* a lookup per page, unless the range has more pages than the table
	 * has slots to walk */
	if (n <= mmu->used || n < mmu->nslots / 4) {
		for (uint64_t i = 0; i < n; i++)
			if (find(mmu, pte_key(asid, vpn + i)))
				return true;
		return false;
	}
	for (size_t i = 0; i < mmu->nslots; i++) {
		uint64_t key = mmu->slots[i].key;
		uint64_t pvpn = (key - 1) & ((1ull << ASID_SHIFT) - 1);
		if (key && (key - 1) >> ASID_SHIFT == asid && pvpn >= vpn && pvpn - vpn < n)
			return true;
	}
	return false;
}

/* Unmaps [vpn, vpn + n) of asid's blocks: a block cut in the middle leaves
 * its two ends as blocks. */
static int unmap_blocks(struct coh__mmu *mmu, unsigned asid, uint64_t vpn, uint64_t n)
{
	for (size_t i = 0; i < mmu->nblocks;) {
		struct coh__block b = mmu->blocks[i];
		if (b.asid != asid || b.vpn >= vpn + n || vpn >= b.vpn + b.npages) {
			i++;
			continue;
		}
		mmu->blocks[i] = mmu->blocks[--mmu->nblocks];
		if (b.vpn < vpn) {
			struct coh__block left = b;
			left.npages = vpn - b.vpn;
			if (block_add(mmu, left))
				return COH_ENOMEM;
		}
		if (vpn + n < b.vpn + b.npages) {
			struct coh__block right = b;
			right.vpn = vpn + n;
			right.pfn = b.pfn + (right.vpn - b.vpn);
			right.npages = b.vpn + b.npages - right.vpn;
			if (block_add(mmu, right))
				return COH_ENOMEM;
		}
	}
	return COH_OK;
}

int coh_map(coh_machine *m, unsigned asid, coh_addr_t va, coh_addr_t pa, size_t len,
            enum coh_attr attr)
{
	if (asid >= m->mmu.nas)
		return COH_ERANGE;
	if (!page_aligned(m, va) || !page_aligned(m, pa) || !page_aligned(m, len) || len == 0 ||
	    va + len < va || (va >> m->page_shift) + (len >> m->page_shift) >= (1ull << ASID_SHIFT))
		return COH_EINVAL;
	if (!coh__ram_contains(m, pa, len))
		return COH_EFAULT;
	size_t npages = len >> m->page_shift;
	uint64_t vpn = va >> m->page_shift;
	if (block_overlaps(&m->mmu, asid, vpn, npages) || ptes_in(&m->mmu, asid, vpn, npages))
		return COH_EEXIST;
	if (npages >= COH__BLOCK_MIN) {
		int r = block_add(
		    &m->mmu, (struct coh__block){asid, vpn, npages, pa >> m->page_shift, attr});
		if (r)
			return r;
	} else {
		while ((m->mmu.used + npages) * 2 > m->mmu.nslots)
			if (grow(&m->mmu))
				return COH_ENOMEM;
		for (size_t i = 0; i < npages; i++)
			put(&m->mmu, (struct coh__pte){pte_key(asid, vpn + i),
			                               (pa >> m->page_shift) + i, attr});
	}
	tlb_flush(m);
	coh__event(m, COH_EV_MAP, -1, va, pa, (uint32_t)len, attr);
	return COH_OK;
}

int coh_unmap(coh_machine *m, unsigned asid, coh_addr_t va, size_t len)
{
	if (asid >= m->mmu.nas)
		return COH_ERANGE;
	if (!page_aligned(m, va) || !page_aligned(m, len) || len == 0 || va + len < va)
		return COH_EINVAL;
	uint64_t vpn = va >> m->page_shift, npages = len >> m->page_shift;
	int r = unmap_blocks(&m->mmu, asid, vpn, npages);
	if (r)
		return r;
	if (m->mmu.used == 0) {
		/* no page-table entry to remove */
	} else if (npages <= m->mmu.used) {
		for (uint64_t i = 0; i < npages; i++) {
			struct coh__pte *p = find(&m->mmu, pte_key(asid, vpn + i));
			if (p)
				erase(&m->mmu, p);
		}
	} else {
		/* a range larger than the table: walk the table instead; an erase
		 * shifts later entries back, so look at the same slot again */
		for (size_t i = 0; i < m->mmu.nslots;) {
			uint64_t key = m->mmu.slots[i].key;
			uint64_t pvpn = (key - 1) & ((1ull << ASID_SHIFT) - 1);
			if (key && (key - 1) >> ASID_SHIFT == asid && pvpn >= vpn &&
			    pvpn - vpn < npages)
				erase(&m->mmu, &m->mmu.slots[i]);
			else
				i++;
		}
	}
	tlb_flush(m);
	coh__event(m, COH_EV_UNMAP, -1, va, 0, (uint32_t)len, 0);
	return COH_OK;
}

int coh__mmu_walk(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t *pa, enum coh_attr *attr)
{
	uint64_t vpn = va >> m->page_shift;
	uint64_t off = va & (m->page_size - 1);
	if (vpn >= (1ull << ASID_SHIFT))
		return COH_EFAULT;
	const struct coh__pte *p = NULL;
	const struct coh__block *b = NULL;
	if (m->cur_as[cpu] != COH_KERNEL_AS && !(p = find(&m->mmu, pte_key(m->cur_as[cpu], vpn))))
		b = block_find(&m->mmu, m->cur_as[cpu], vpn);
	if (!p && !b && !(p = find(&m->mmu, pte_key(COH_KERNEL_AS, vpn))))
		b = block_find(&m->mmu, COH_KERNEL_AS, vpn);
	if (!p && !b)
		return COH_EFAULT;
	uint64_t pfn = p ? p->pfn : b->pfn + (vpn - b->vpn);
	enum coh_attr a = p ? p->attr : b->attr;
	struct coh__tlb_entry *t = &m->tlb[cpu][vpn & (COH__TLB_SIZE - 1)];
	t->key = vpn + 1;
	t->pfn = pfn;
	t->attr = a;
	*pa = (pfn << m->page_shift) | off;
	*attr = a;
	return COH_OK;
}
