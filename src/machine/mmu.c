/*
 * mmu.c - address spaces and their page tables.
 *
 * One open-addressing hash (linear probing, backward-shift deletion) holds
 * every PTE of every address space, keyed by (asid, vpn). A lookup tries
 * the CPU's current address space, then the kernel's (asid 0). Each CPU has
 * a direct-mapped TLB (COH__TLB_SIZE entries) that map/unmap flush.
 *
 * Invariant: the hash is never more than half full; key 0 marks an empty slot.
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
	mmu->nas = 1;
	mmu->slots = calloc(mmu->nslots, sizeof(*mmu->slots));
	return mmu->slots ? COH_OK : COH_ENOMEM;
}

void coh__mmu_free(struct coh__mmu *mmu)
{
	free(mmu->slots);
	mmu->slots = NULL;
}

void coh__mmu_reset(struct coh__mmu *mmu)
{
	for (size_t i = 0; i < mmu->nslots; i++)
		mmu->slots[i].key = 0;
	mmu->used = 0;
	mmu->nas = 1;
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

static void put(struct coh__mmu *mmu, struct coh__pte pte)
{
	size_t i = slot_of(mmu, pte.key);
	while (mmu->slots[i].key != 0)
		i = (i + 1) & (mmu->nslots - 1);
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
	*mmu = bigger;
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

static void tlb_flush(coh_machine *m)
{
	for (unsigned c = 0; c < COH_MAX_CPUS; c++)
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
	for (size_t i = 0; i < npages; i++)
		if (find(&m->mmu, pte_key(asid, vpn + i)))
			return COH_EEXIST;
	while ((m->mmu.used + npages) * 2 > m->mmu.nslots)
		if (grow(&m->mmu))
			return COH_ENOMEM;
	for (size_t i = 0; i < npages; i++)
		put(&m->mmu,
		    (struct coh__pte){pte_key(asid, vpn + i), (pa >> m->page_shift) + i, attr});
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
	if (npages <= m->mmu.used) {
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
	if (m->cur_as[cpu] != COH_KERNEL_AS)
		p = find(&m->mmu, pte_key(m->cur_as[cpu], vpn));
	if (!p)
		p = find(&m->mmu, pte_key(COH_KERNEL_AS, vpn));
	if (!p)
		return COH_EFAULT;
	struct coh__tlb_entry *t = &m->tlb[cpu][vpn & (COH__TLB_SIZE - 1)];
	t->key = vpn + 1;
	t->pfn = p->pfn;
	t->attr = p->attr;
	*pa = (p->pfn << m->page_shift) | off;
	*attr = p->attr;
	return COH_OK;
}
