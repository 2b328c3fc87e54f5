/*
 * highmem.c - persistent kmaps of highmem pages (mm/highmem.c, 2.6.31).
 *
 * Interface: kmap/kunmap, kmap_high/kunmap_high, kmap_high_get,
 * kmap_flush_unused, page_address (linux.h). Highmem pages get a VA in the
 * pkmap area: LAST_PKMAP slots at PKMAP_ADDR(nr), LAST_PKMAP from
 * kernel_config.last_pkmap (small in scenarios, so the ring wraps).
 *
 * pkmap slot lifecycle (pkmap_count[nr]; every transition under kmap_lock):
 *   0 free              --map_new_virtual-->       1, mapped, page_address set
 *   1 mapped, unused    --kmap_high/_get-->        2
 *   n>1 (n-1 users)     --kmap_high/_get-->        n+1
 *   n>1                 --kunmap_high-->           n-1 (at 1: wake pkmap_map_wait)
 *   1                   --flush_all_zero_pkmaps--> 0 (flush_cache_kmaps, unmap,
 *                                                     page_address cleared)
 * A count never goes from 1 to 0 except in flush_all_zero_pkmaps, which
 * runs when last_pkmap_nr wraps to 0: a kunmapped page keeps its mapping
 * (and its cache lines) until then. That is what dma_map_page relies on,
 * and why its unpinned page_address() can be recycled under it (seed 2).
 *
 * Locking: kmap_lock guards pkmap_count, last_pkmap_nr, the pkmap PTEs and
 * set_page_address. lock_kmap()/lock_kmap_any() take it IRQ-safe only when
 * the arch needs kmap_high_get (ARCH_NEEDS_KMAP_HIGH_GET) and the
 * `kmap-lock-irqsafe` fix is on; else plain spin_lock (the pre-fix code, on
 * which kmap_high_get from an IRQ deadlocks). The page_address hash has a
 * spinlock per bucket, taken irqsave, inside kmap_lock.
 */
#include <string.h>

#include "kernel/arch/cacheflush.h"

#define MAX_PKMAP 512   /* the largest LAST_PKMAP kernel_init accepts */
#define PA_HASH_ORDER 3 /* 8 buckets, keyed by pfn (the kernel hashes the pointer) */

struct page_address_map {
	struct page *page;
	simptr virtual;
	struct page_address_map *next;
};

struct page_address_slot {
	struct page_address_map *lh; /* the maps of pages that hash here */
	spinlock_t lock;
};

static struct {
	unsigned last_pkmap;
	int pkmap_count[MAX_PKMAP];
	struct page *pkmap_page[MAX_PKMAP]; /* stands for pte_page(pkmap_page_table[nr]) */
	unsigned last_pkmap_nr;
	spinlock_t kmap_lock;
	wait_queue_head_t pkmap_map_wait;
	struct page_address_slot htable[1u << PA_HASH_ORDER];
	struct page_address_map maps[MAX_PKMAP];
	struct page_address_map *pool;
} hm;

#define LAST_PKMAP (hm.last_pkmap)
#define LAST_PKMAP_MASK (hm.last_pkmap - 1)

int coh__highmem_init(void)
{
	unsigned n = coh__kernel.cfg.last_pkmap;
	if (n == 0 || n > MAX_PKMAP || (n & (n - 1)))
		return COH_EINVAL; /* LAST_PKMAP_MASK needs a power of two */
	coh__highmem_clear();
	hm.last_pkmap = n;
	coh_spin_lock_init(&hm.kmap_lock, "kmap_lock");
	coh_init_waitqueue_head(&hm.pkmap_map_wait, "pkmap_map_wait");
	for (unsigned i = 0; i < (1u << PA_HASH_ORDER); i++)
		coh_spin_lock_init(&hm.htable[i].lock, "page_address_htable.lock");
	for (unsigned i = 0; i < n; i++) {
		hm.maps[i].next = hm.pool;
		hm.pool = &hm.maps[i];
	}
	return COH_OK;
}

/*
 * ARCH_NEEDS_KMAP_HIGH_GET: the profile's own flag (the ARM VIVT profiles),
 * or any profile on which the model's DMA path uses kmap_high_get (the
 * `kmap-high-get` switch: the model then behaves as if the arch defined
 * it). Where it holds, the `kmap-lock-irqsafe` fix takes kmap_lock with
 * IRQs off; elsewhere the plain spin_lock is right, as in the kernel.
 */
static bool kmap_irqsafe(void)
{
	bool needs_get =
	    coh_machine_arch(coh__kernel.m)->needs_kmap_high_get || coh_fix("kmap-high-get");
	return needs_get && coh_fix("kmap-lock-irqsafe");
}

static void lock_kmap(void)
{
	COH_FRAME();
	if (kmap_irqsafe())
		spin_lock_irq(&hm.kmap_lock);
	else
		spin_lock(&hm.kmap_lock);
}

static void unlock_kmap(void)
{
	COH_FRAME();
	if (kmap_irqsafe())
		spin_unlock_irq(&hm.kmap_lock);
	else
		spin_unlock(&hm.kmap_lock);
}

#define lock_kmap_any(flags)                                                                       \
	do {                                                                                       \
		if (kmap_irqsafe())                                                                \
			spin_lock_irqsave(&hm.kmap_lock, flags);                                   \
		else                                                                               \
			spin_lock(&hm.kmap_lock);                                                  \
	} while (0)
#define unlock_kmap_any(flags)                                                                     \
	do {                                                                                       \
		if (kmap_irqsafe())                                                                \
			spin_unlock_irqrestore(&hm.kmap_lock, flags);                              \
		else                                                                               \
			spin_unlock(&hm.kmap_lock);                                                \
	} while (0)

/* ---- page_address through its hash ---- */

static struct page_address_slot *page_slot(const struct page *page)
{
	return &hm.htable[page->pfn & ((1u << PA_HASH_ORDER) - 1)];
}

simptr page_address(const struct page *page)
{
	COH_FRAME();
	if (!PageHighMem(page))
		return phys_to_virt(page_to_phys(page));
	struct page_address_slot *pas = page_slot(page);
	simptr ret = SIMPTR_NULL;
	unsigned long flags;
	spin_lock_irqsave(&pas->lock, flags);
	for (struct page_address_map *pam = pas->lh; pam; pam = pam->next) {
		if (pam->page == page) {
			ret = pam->virtual;
			break;
		}
	}
	spin_unlock_irqrestore(&pas->lock, flags);
	return ret;
}

/* Caller holds kmap_lock. */
static void set_page_address(struct page *page, simptr virtual)
{
	COH_FRAME();
	struct page_address_slot *pas = page_slot(page);
	unsigned long flags;
	BUG_ON(!PageHighMem(page));
	if (!simptr_is_null(virtual)) {
		BUG_ON(!hm.pool);
		struct page_address_map *pam = hm.pool;
		hm.pool = pam->next;
		pam->page = page;
		pam->virtual = virtual;
		spin_lock_irqsave(&pas->lock, flags);
		pam->next = pas->lh;
		pas->lh = pam;
		spin_unlock_irqrestore(&pas->lock, flags);
		return;
	}
	spin_lock_irqsave(&pas->lock, flags);
	for (struct page_address_map **pp = &pas->lh; *pp; pp = &(*pp)->next) {
		struct page_address_map *pam = *pp;
		if (pam->page == page) {
			*pp = pam->next;
			pam->next = hm.pool;
			hm.pool = pam;
			break;
		}
	}
	spin_unlock_irqrestore(&pas->lock, flags);
}

/* ---- the pkmap ring ---- */

/* Tears down every slot nobody uses (count 1). Caller holds kmap_lock. */
static void flush_all_zero_pkmaps(void)
{
	COH_FRAME();
	coh_machine *m = coh__kernel.m;
	flush_cache_kmaps();
	for (unsigned i = 0; i < LAST_PKMAP; i++) {
		/* 0: nothing to do; > 1: still in use; 1: free but mapped */
		if (hm.pkmap_count[i] != 1)
			continue;
		hm.pkmap_count[i] = 0;
		struct page *page = hm.pkmap_page[i];
		if (!page) { /* pte_none(pkmap_page_table[i]) */
			BUG();
			continue;
		}
		KSITE();
		coh_unmap(m, COH_KERNEL_AS, PKMAP_ADDR(i), coh_machine_page_size(m));
		hm.pkmap_page[i] = NULL;
		set_page_address(page, SIMPTR_NULL);
	}
	/* flush_tlb_kernel_range: coh_unmap already drops the TLB entries */
}

void kmap_flush_unused(void)
{
	COH_FRAME();
	lock_kmap();
	flush_all_zero_pkmaps();
	unlock_kmap();
}

/* Finds a free slot for page and maps it there; may sleep on
 * pkmap_map_wait with kmap_lock dropped. Caller holds kmap_lock. */
static simptr map_new_virtual(struct page *page)
{
	COH_FRAME();
	coh_machine *m = coh__kernel.m;
	unsigned count;
start:
	count = LAST_PKMAP;
	for (;;) {
		hm.last_pkmap_nr = (hm.last_pkmap_nr + 1) & LAST_PKMAP_MASK;
		if (!hm.last_pkmap_nr) {
			flush_all_zero_pkmaps();
			count = LAST_PKMAP;
		}
		if (!hm.pkmap_count[hm.last_pkmap_nr])
			break; /* found a usable entry */
		if (--count)
			continue;
		/* every slot is in use: sleep until somebody kunmaps */
		coh_wait_entry wait = {0};
		coh_prepare_to_wait(&hm.pkmap_map_wait, &wait, COH_TASK_UNINTERRUPTIBLE);
		unlock_kmap();
		schedule();
		coh_finish_wait(&hm.pkmap_map_wait, &wait);
		lock_kmap();
		/* somebody else might have mapped it while we slept */
		simptr va = page_address(page);
		if (!simptr_is_null(va))
			return va;
		goto start;
	}
	unsigned nr = hm.last_pkmap_nr;
	coh_addr_t vaddr = PKMAP_ADDR(nr);
	KSITE();
	int r = coh_map(m, COH_KERNEL_AS, vaddr, page_to_phys(page), coh_machine_page_size(m),
	                COH_ATTR_WB);
	BUG_ON(r != COH_OK);
	hm.pkmap_page[nr] = page;
	hm.pkmap_count[nr] = 1;
	set_page_address(page, simptr_at(vaddr));
	return simptr_at(vaddr);
}

simptr kmap_high(struct page *page)
{
	COH_FRAME();
	/* for highmem pages, "virtual" can't be trusted until we hold the lock */
	lock_kmap();
	simptr vaddr = page_address(page);
	if (simptr_is_null(vaddr))
		vaddr = map_new_virtual(page);
	unsigned nr = PKMAP_NR(vaddr.addr);
	hm.pkmap_count[nr]++;
	BUG_ON(hm.pkmap_count[nr] < 2);
	unlock_kmap();
	return vaddr;
}

simptr kmap_high_get(struct page *page)
{
	COH_FRAME();
	unsigned long flags = 0;
	lock_kmap_any(flags);
	simptr vaddr = page_address(page);
	if (!simptr_is_null(vaddr)) {
		unsigned nr = PKMAP_NR(vaddr.addr);
		BUG_ON(hm.pkmap_count[nr] < 1);
		hm.pkmap_count[nr]++;
	}
	unlock_kmap_any(flags);
	return vaddr;
}

void kunmap_high(struct page *page)
{
	COH_FRAME();
	unsigned long flags = 0;
	bool need_wakeup = false;
	lock_kmap_any(flags);
	simptr vaddr = page_address(page);
	BUG_ON(simptr_is_null(vaddr));
	unsigned nr = PKMAP_NR(vaddr.addr);
	/* a count must never go down to zero without a TLB flush */
	switch (--hm.pkmap_count[nr]) {
	case 0:
		BUG();
		break;
	case 1:
		/* the common case has no waiters: skip the wake_up call */
		need_wakeup = hm.pkmap_map_wait.head != NULL; /* waitqueue_active */
		break;
	default:
		break;
	}
	unlock_kmap_any(flags);
	/* do the wake-up, if needed, race-free outside of the spin lock */
	if (need_wakeup)
		wake_up(&hm.pkmap_map_wait);
}

simptr kmap(struct page *page)
{
	COH_FRAME();
	coh_might_sleep();
	if (!PageHighMem(page))
		return page_address(page);
	return kmap_high(page);
}

void kunmap(struct page *page)
{
	COH_FRAME();
	BUG_ON(coh_in_interrupt());
	if (!PageHighMem(page))
		return;
	kunmap_high(page);
}

unsigned kmap_pkmap_count(unsigned nr)
{
	return nr < LAST_PKMAP ? (unsigned)hm.pkmap_count[nr] : 0;
}

unsigned kmap_last_pkmap(void)
{
	return LAST_PKMAP;
}

/* Zeroes hm for kernel_init: of the pkmap entries, only those below the
 * last execution's LAST_PKMAP can be non-zero (every index is < LAST_PKMAP). */
void coh__highmem_clear(void)
{
	unsigned used = hm.last_pkmap;
	memset(hm.pkmap_count, 0, used * sizeof(hm.pkmap_count[0]));
	memset(hm.pkmap_page, 0, used * sizeof(hm.pkmap_page[0]));
	memset(hm.maps, 0, used * sizeof(hm.maps[0]));
	hm.last_pkmap = hm.last_pkmap_nr = 0;
	memset(&hm.kmap_lock, 0, sizeof(hm.kmap_lock));
	memset(&hm.pkmap_map_wait, 0, sizeof(hm.pkmap_map_wait));
	memset(hm.htable, 0, sizeof(hm.htable));
	hm.pool = NULL;
}
