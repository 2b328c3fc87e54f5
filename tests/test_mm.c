/*
 * test_mm.c - user address spaces: each fault kind, copy-on-write after
 * fork, the anon_vma rmap walk, munmap/mprotect, get_user_pages and the
 * uaccess functions, switch_mm on every profile, and flush_dcache_page /
 * flush_anon_page against a user alias on all 8 profiles (a user alias
 * written then the kernel alias read, and the reverse), judged by the
 * oracle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

#define UBUF (TASK_UNMAPPED_BASE + 0x2000) /* colour 2: not frame 1's */
#define PSZ 4096ul

static const char *const profiles[] = {"xscale", "arm926", "armv6",     "mips-r4k",
                                       "sh4",    "parisc", "cortex-a9", "x86"};

/* ---- a one-execution runner ---- */

static struct {
	unsigned version;
	const char *fixes[4];
	void (*body)(coh_sched *s); /* from setup: makes the tasks */
	struct mm_struct *mm, *mm2;
	long v[32]; /* what the tasks saw */
	coh_completion child_done;
} t;

static void idle_task(void *arg)
{
	(void)arg;
}

static int run_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.version = t.version;
	kc.fixes = t.fixes;
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	coh_init_completion(&t.child_done, "child_done");
	t.body(s);
	return 0;
}

/* Runs body's tasks once (the default schedule); returns the first
 * finding's kind name, or "clean". */
static const char *run(const char *arch, void (*body)(coh_sched *s))
{
	static char kind[32];
	t.body = body;
	memset(t.v, 0, sizeof(t.v));
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find(arch));
	mc.mem_size = 1u << 20;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_REPLAY;
	cfg.schedule = "v1:";
	cfg.progress = false;
	coh_program prog = {.name = "mm", .setup = run_setup};
	coh_explore_result res;
	assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), 0);
	snprintf(kind, sizeof(kind), "%s",
	         res.nfindings ? coh_finding_kind_name(res.findings[0].kind) : "clean");
	if (res.nfindings && getenv("TEST_MM_VERBOSE"))
		fprintf(stderr, "%s\n", res.findings[0].report);
	coh_explore_result_free(&res);
	return kind;
}

static void setup_version(unsigned v)
{
	memset(&t, 0, sizeof(t));
	t.version = v;
}

static struct mm_struct *new_mm_with_buf(unsigned long len, unsigned long prot, unsigned long flags)
{
	struct mm_struct *mm = mm_alloc();
	assert_non_null(mm);
	unsigned long a = do_mmap(mm, UBUF, len, prot, flags | MAP_ANONYMOUS);
	assert_int_equal(a, UBUF);
	return mm;
}

/* ---- fault kinds ---- */

static void faults_task(void *arg)
{
	(void)arg;
	struct mm_struct *mm = current->mm;
	t.v[0] = user_read32(UBUF); /* read fault */
	struct coh_pte *pte = coh_pte_lookup(mm, UBUF);
	t.v[1] = pte && pte->page == ZERO_PAGE(0);
	t.v[2] = pte && !pte->write;
	user_write32(UBUF, 0x1234); /* write-protect fault (or a plain write) */
	pte = coh_pte_lookup(mm, UBUF);
	t.v[3] = pte && pte->write && PageAnon(pte->page) && pte->page != ZERO_PAGE(0);
	t.v[4] = pte ? page_mapcount(pte->page) : -1;
	t.v[5] = pte ? (long)pte->page->index : -1;
	t.v[6] = pte ? (long)vma_address(pte->page, find_vma(mm, UBUF)) : -1;
	t.v[7] = user_read32(UBUF);
	/* a write fault on an absent page: do_anonymous_page directly */
	user_write32(UBUF + PSZ, 7);
	pte = coh_pte_lookup(mm, UBUF + PSZ);
	t.v[8] = pte && pte->write && PageAnon(pte->page);
	/* the kernel's accessors: a read-only VMA refuses put_user */
	u32 x = 0;
	t.v[9] = get_user(x, UBUF);
	t.v[10] = x;
	t.v[11] = put_user(x, UBUF + 2 * PSZ); /* PROT_READ: -EFAULT */
	t.v[12] = put_user(x, 0x1000ul);       /* no VMA */
	t.v[13] = (long)copy_to_user(UBUF + 2 * PSZ - 8, page_address(ZERO_PAGE(0)), 16);
	/* the zero page is never written: still zero */
	t.v[14] = user_read32(UBUF + 2 * PSZ);
}

static void faults_body(coh_sched *s)
{
	t.mm = new_mm_with_buf(2 * PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_int_equal(do_mmap(t.mm, UBUF + 2 * PSZ, PSZ, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS),
	                 UBUF + 2 * PSZ);
	assert_non_null(user_task_create(s, "u", 0, t.mm, faults_task, NULL));
}

static void fault_kinds_anonymous_zero_page_and_wp(void **state)
{
	(void)state;
	setup_version(KERNEL_VERSION(2, 6, 35));
	assert_string_equal(run("x86", faults_body), "clean");
	assert_int_equal(t.v[0], 0);
	assert_int_equal(t.v[1], 1); /* 2.6.32+: the zero page, read-only */
	assert_int_equal(t.v[2], 1);
	assert_int_equal(t.v[3], 1); /* do_wp_page: a new anonymous page */
	assert_int_equal(t.v[4], 1);
	assert_int_equal(t.v[5], (long)(UBUF >> 12));
	assert_int_equal(t.v[6], (long)UBUF);
	assert_int_equal(t.v[7], 0x1234);
	assert_int_equal(t.v[8], 1);
	assert_int_equal(t.v[9], 0);
	assert_int_equal(t.v[10], 0x1234);
	assert_int_equal(t.v[11], -EFAULT);
	assert_int_equal(t.v[12], -EFAULT);
	assert_int_equal(t.v[13], 8); /* the 8 bytes past the writable VMA */
	assert_int_equal(t.v[14], 0);

	/* 2.6.31 has no zero page: the read fault allocates */
	setup_version(KERNEL_VERSION(2, 6, 31));
	assert_string_equal(run("x86", faults_body), "clean");
	assert_int_equal(t.v[1], 0);
	assert_int_equal(t.v[2], 0);
	assert_int_equal(t.v[3], 1);
	assert_int_equal(t.v[7], 0x1234);
}

static void segv_task(void *arg)
{
	(void)arg;
	t.v[0] = user_read32(UBUF + 2 * PSZ); /* PROT_READ: fine */
	user_write32(UBUF + 2 * PSZ, 1);      /* SIGSEGV */
	t.v[1] = 1;                           /* never reached */
}

static void segv_body(coh_sched *s)
{
	t.mm = new_mm_with_buf(2 * PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_int_equal(do_mmap(t.mm, UBUF + 2 * PSZ, PSZ, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS),
	                 UBUF + 2 * PSZ);
	assert_non_null(user_task_create(s, "v", 0, t.mm, segv_task, NULL));
}

static void user_write_to_read_only_vma_is_sigsegv(void **state)
{
	(void)state;
	setup_version(KERNEL_VERSION(2, 6, 35));
	assert_string_equal(run("x86", segv_body), "bad-access");
	assert_int_equal(t.v[1], 0);
}

/* ---- COW after fork, and the rmap walk ---- */

static void child_task(void *arg)
{
	(void)arg;
	struct mm_struct *mm = current->mm;
	t.v[2] = user_read32(UBUF); /* the parent's data, shared */
	struct coh_pte *pte = coh_pte_lookup(mm, UBUF);
	t.v[3] = pte && !pte->write;
	t.v[4] = pte ? page_mapcount(pte->page) : -1;
	user_write32(UBUF, 0x2222); /* COW */
	struct coh_pte *np = coh_pte_lookup(mm, UBUF);
	t.v[5] = np && np->write && np->page != (struct page *)t.v[1];
	t.v[6] = page_mapcount((struct page *)t.v[1]);
	t.v[7] = user_read32(UBUF);
	t.v[8] = user_read32(UBUF + 64); /* copied with the page */
	coh_complete(&t.child_done);
}

static void parent_task(void *arg)
{
	(void)arg;
	struct mm_struct *mm = current->mm;
	(void)user_read32(UBUF); /* read-allocate caches get the line */
	user_write32(UBUF, 0x1111);
	user_write32(UBUF + 64, 0x6464);
	struct page *page = coh_pte_lookup(mm, UBUF)->page;
	t.v[1] = (long)(uintptr_t)page;
	struct task_struct *child = do_fork(0, "child", child_task, NULL);
	t.v[0] = child && child->mm != mm;
	/* rmap: the page's anon_vma lists the parent's and the child's VMA */
	struct anon_vma *av = page_anon_vma(page);
	int n = 0;
	for (struct vm_area_struct *v = av ? av->head : NULL; v; v = v->anon_vma_node)
		n++;
	t.v[9] = n;
	coh_wait_for_completion(&t.child_done);
	t.v[10] = user_read32(UBUF); /* still ours */
	/* the parent's PTE is still write-protected: do_wp_page reuses it */
	user_write32(UBUF, 0x3333);
	t.v[11] = coh_pte_lookup(mm, UBUF)->page == page;
	t.v[12] = user_read32(UBUF);
}

static void fork_body(coh_sched *s)
{
	t.mm = new_mm_with_buf(PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_non_null(user_task_create(s, "parent", 0, t.mm, parent_task, NULL));
}

static void cow_after_fork_on_every_profile(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		setup_version(KERNEL_VERSION(2, 6, 35));
		const char *k = run(profiles[i], fork_body);
		if (strcmp(k, "clean") != 0)
			fail_msg("%s: fork + COW gave %s", profiles[i], k);
		assert_int_equal(t.v[0], 1);
		assert_int_equal(t.v[2], 0x1111);
		assert_int_equal(t.v[3], 1); /* write-protected in the child */
		assert_int_equal(t.v[4], 2); /* mapped by both */
		assert_int_equal(t.v[5], 1); /* a copy of its own */
		assert_int_equal(t.v[6], 1); /* the old page: the parent's only */
		assert_int_equal(t.v[7], 0x2222);
		assert_int_equal(t.v[8], 0x6464);
		assert_int_equal(t.v[9], 2);
		assert_int_equal(t.v[10], 0x1111);
		assert_int_equal(t.v[11], 1);
		assert_int_equal(t.v[12], 0x3333);
	}
}

static void unmap_task(void *arg)
{
	(void)arg;
	user_write32(UBUF, 1);
	struct page *page = coh_pte_lookup(current->mm, UBUF)->page;
	t.v[6] = do_fork(0, "child2", idle_task, NULL) != NULL;
	get_page(page); /* ours, across the unmap */
	t.v[0] = page_mapcount(page);
	t.v[1] = try_to_unmap(page);
	t.v[2] = page_mapcount(page);
	t.v[3] = page_mapped(page);
	t.v[4] = coh_pte_lookup(current->mm, UBUF) == NULL;
	put_page(page);
	t.v[5] = page->allocated;
}

static void unmap_body(coh_sched *s)
{
	t.mm = new_mm_with_buf(PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_non_null(user_task_create(s, "u", 0, t.mm, unmap_task, NULL));
}

static void rmap_try_to_unmap_walks_the_anon_vma(void **state)
{
	(void)state;
	setup_version(KERNEL_VERSION(2, 6, 35));
	assert_string_equal(run("xscale", unmap_body), "clean");
	assert_int_equal(t.v[0], 2);
	assert_int_equal(t.v[1], 2);
	assert_int_equal(t.v[2], 0);
	assert_int_equal(t.v[3], 0);
	assert_int_equal(t.v[4], 1);
	assert_int_equal(t.v[5], 0); /* the last reference freed it */
	assert_int_equal(t.v[6], 1);
}

/* ---- shared anonymous memory across fork ---- */

static void shm_child(void *arg)
{
	(void)arg;
	t.v[1] = user_read32(UBUF);
	user_write32(UBUF, 0xc0de);
	coh_complete(&t.child_done);
}

static void shm_parent(void *arg)
{
	(void)arg;
	(void)user_read32(UBUF);
	user_write32(UBUF, 0xfeed);
	struct coh_pte *pte = coh_pte_lookup(current->mm, UBUF);
	t.v[0] = pte && pte->write && !PageAnon(pte->page);
	t.v[2] = do_fork(0, "child", shm_child, NULL) != NULL;
	t.v[3] = pte && pte->write; /* a shared mapping is not write-protected */
	coh_wait_for_completion(&t.child_done);
	t.v[4] = user_read32(UBUF);
	t.v[5] = pte ? page_mapcount(pte->page) : -1;
}

static void shm_body(coh_sched *s)
{
	t.mm = new_mm_with_buf(PSZ, PROT_READ | PROT_WRITE, MAP_SHARED);
	assert_non_null(user_task_create(s, "parent", 0, t.mm, shm_parent, NULL));
}

static void shared_anonymous_memory_is_shared_after_fork(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		setup_version(KERNEL_VERSION(2, 6, 35));
		const char *k = run(profiles[i], shm_body);
		if (strcmp(k, "clean") != 0)
			fail_msg("%s: shared memory across fork gave %s", profiles[i], k);
		assert_int_equal(t.v[0], 1);
		assert_int_equal(t.v[1], 0xfeed);
		assert_int_equal(t.v[2], 1);
		assert_int_equal(t.v[3], 1);
		assert_int_equal(t.v[4], 0xc0de);
		assert_int_equal(t.v[5], 2);
	}
}

/* ---- munmap and mprotect ---- */

static void vma_task(void *arg)
{
	(void)arg;
	struct mm_struct *mm = current->mm;
	for (unsigned i = 0; i < 3; i++)
		user_write32(UBUF + i * PSZ, i + 1);
	struct page *mid = coh_pte_lookup(mm, UBUF + PSZ)->page;
	t.v[0] = do_mprotect(mm, UBUF + PSZ, PSZ, PROT_READ);
	int n = 0;
	for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next)
		n++;
	t.v[1] = n;
	u32 x = 9;
	t.v[2] = put_user(x, UBUF + PSZ);
	t.v[3] = get_user(x, UBUF + PSZ);
	t.v[4] = x;
	t.v[5] = do_munmap(mm, UBUF + PSZ, PSZ);
	n = 0;
	for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next)
		n++;
	t.v[6] = n;
	t.v[7] = coh_pte_lookup(mm, UBUF + PSZ) == NULL && !mid->allocated;
	t.v[8] = get_user(x, UBUF + PSZ);
	t.v[9] = user_read32(UBUF + 2 * PSZ);
	/* mprotect back to writable: the private PTE stays write-protected and
	 * the next write reuses the page */
	t.v[10] = do_mprotect(mm, UBUF, PSZ, PROT_READ | PROT_WRITE);
	struct page *first = coh_pte_lookup(mm, UBUF)->page;
	user_write32(UBUF, 5);
	t.v[11] = coh_pte_lookup(mm, UBUF)->page == first;
}

static void vma_body(coh_sched *s)
{
	t.mm = new_mm_with_buf(3 * PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_non_null(user_task_create(s, "u", 0, t.mm, vma_task, NULL));
}

static void munmap_and_mprotect_split_vmas(void **state)
{
	(void)state;
	setup_version(KERNEL_VERSION(2, 6, 35));
	assert_string_equal(run("xscale", vma_body), "clean");
	assert_int_equal(t.v[0], 0);
	assert_int_equal(t.v[1], 3);
	assert_int_equal(t.v[2], -EFAULT);
	assert_int_equal(t.v[3], 0);
	assert_int_equal(t.v[4], 2);
	assert_int_equal(t.v[5], 0);
	assert_int_equal(t.v[6], 2);
	assert_int_equal(t.v[7], 1);
	assert_int_equal(t.v[8], -EFAULT);
	assert_int_equal(t.v[9], 3);
	assert_int_equal(t.v[10], 0);
	assert_int_equal(t.v[11], 1);
}

/* ---- get_user_pages ---- */

static void gup_task(void *arg)
{
	(void)arg;
	struct mm_struct *mm = current->mm;
	struct page *pages[2];
	struct vm_area_struct *vmas[2];
	t.v[0] = get_user_pages(current, mm, UBUF, 2, 1, 0, pages, vmas);
	t.v[1] = pages[0]->_refcount; /* the PTE's and ours */
	t.v[2] = PageAnon(pages[0]) && vmas[0] == find_vma(mm, UBUF);
	put_page(pages[0]);
	put_page(pages[1]);
	/* a read of an absent page pins the zero page */
	t.v[3] = get_user_pages(current, mm, UBUF + 2 * PSZ, 1, 0, 0, pages, NULL);
	t.v[4] = pages[0] == ZERO_PAGE(0);
	put_page(pages[0]);
	/* outside every VMA */
	t.v[5] = get_user_pages(current, mm, 0x1000, 1, 0, 0, pages, NULL);
	/* a write gup of a COW page breaks the COW */
	user_write32(UBUF + 3 * PSZ, 0x77);
	struct page *old = coh_pte_lookup(mm, UBUF + 3 * PSZ)->page;
	t.v[9] = (long)(uintptr_t)old;
	t.v[10] = do_fork(0, "child", idle_task, NULL) != NULL;
	t.v[6] = get_user_pages(current, mm, UBUF + 3 * PSZ, 1, 1, 0, pages, NULL);
	t.v[7] = pages[0] != old && page_mapcount(old) == 1;
	simptr k = kmap(pages[0]);
	t.v[8] = sim_read32(k);
	kunmap(pages[0]);
	put_page(pages[0]);
}

static void gup_body(coh_sched *s)
{
	t.mm = new_mm_with_buf(4 * PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_non_null(user_task_create(s, "u", 0, t.mm, gup_task, NULL));
}

static void gup_faults_in_pins_and_breaks_cow(void **state)
{
	(void)state;
	setup_version(KERNEL_VERSION(2, 6, 35));
	t.fixes[0] = "gup-flush-anon-page";
	run("x86", gup_body);
	assert_int_equal(t.v[0], 2);
	assert_int_equal(t.v[1], 2);
	assert_int_equal(t.v[2], 1);
	assert_int_equal(t.v[3], 1);
	assert_int_equal(t.v[4], 1);
	assert_int_equal(t.v[5], -EFAULT);
	assert_int_equal(t.v[6], 1);
	assert_int_equal(t.v[7], 1);
	assert_int_equal(t.v[8], 0x77);
	assert_int_equal(t.v[10], 1);
}

/* ---- switch_mm ---- */

static void mm_a(void *arg)
{
	(void)arg;
	(void)user_read32(UBUF);
	user_write32(UBUF, 0xaa);
	t.v[0] = (long)page_to_phys(coh_pte_lookup(current->mm, UBUF)->page);
}

static void mm_b(void *arg)
{
	(void)arg;
	u8 b = 0;
	coh_mem_peek(kernel_machine(), (coh_addr_t)t.v[0], &b, 1);
	t.v[1] = b == 0xaa; /* A's dirty line reached memory at the switch */
	t.v[2] = cpu_active_mm(0) == current->mm;
	t.v[3] = user_read32(UBUF); /* B's own page, at the same VA */
	user_write32(UBUF, 0xbb);
	t.v[4] = user_read32(UBUF);
}

static void kthread(void *arg)
{
	(void)arg;
	t.v[5] = current->mm == NULL && current->active_mm == t.mm2; /* lazy */
}

static void switch_body(coh_sched *s)
{
	t.mm = new_mm_with_buf(PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	t.mm2 = new_mm_with_buf(PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_non_null(user_task_create(s, "a", 0, t.mm, mm_a, NULL));
	assert_non_null(user_task_create(s, "b", 0, t.mm2, mm_b, NULL));
	assert_non_null(coh_task_create(s, "kthread", 0, kthread, NULL));
}

static void switch_mm_flushes_only_vivt(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		setup_version(KERNEL_VERSION(2, 6, 35));
		const char *k = run(profiles[i], switch_body);
		if (strcmp(k, "clean") != 0)
			fail_msg("%s: two mms at one VA gave %s", profiles[i], k);
		bool vivt =
		    strcmp(profiles[i], "xscale") == 0 || strcmp(profiles[i], "arm926") == 0;
		if (t.v[1] != vivt)
			fail_msg("%s: switch_mm %s the D-cache", profiles[i],
			         t.v[1] ? "flushed" : "kept");
		assert_int_equal(t.v[2], 1);
		assert_int_equal(t.v[3], 0);
		assert_int_equal(t.v[4], 0xbb);
		assert_int_equal(t.v[5], 1);
	}
}

/* ---- flush_dcache_page and flush_anon_page against a user alias ---- */

static int direction; /* 0: user writes, kernel reads; 1: the reverse */

static void alias_task(void *arg)
{
	(void)arg;
	struct mm_struct *mm = current->mm;
	user_write32(UBUF, 1);
	(void)user_read32(UBUF + 32); /* read-allocate caches: the lines */
	struct page *page = coh_pte_lookup(mm, UBUF)->page;
	if (direction == 0) {
		user_write32(UBUF + 32, 0x5555);
		flush_dcache_page(page);
		simptr k = kmap(page);
		t.v[0] = sim_read32(simptr_add(k, 32));
		kunmap(page);
	} else {
		simptr k = kmap(page);
		sim_write32(simptr_add(k, 32), 0x6666);
		flush_dcache_page(page);
		kunmap(page);
		t.v[0] = user_read32(UBUF + 32);
	}
}

static void alias_body(coh_sched *s)
{
	t.mm = new_mm_with_buf(PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_non_null(user_task_create(s, "u", 0, t.mm, alias_task, NULL));
}

static void flush_dcache_page_against_user_aliases(void **state)
{
	(void)state;
	/* flush_dcache_page handles only the kernel alias of an anonymous
	 * page: stale wherever the user alias is a different cache line
	 * (VIVT; aliasing VIPT with the user buffer at another colour);
	 * the seed's anon_vma walk (`flush-dcache-anon`) mends ARM only */
	static const struct {
		const char *arch;
		const char *plain[2], *seed[2];
	} rows[] = {
	    {"xscale", {"stale-read", "stale-read"}, {"clean", "clean"}},
	    {"arm926", {"stale-read", "stale-read"}, {"clean", "clean"}},
	    /* v6 clear_user_highpage leaves the page's zeroes dirty at the user
	     * colour; the seed flushes the user alias after the kernel's:
	     * those zeroes land on the kernel's data (without gup's
	     * flush_anon_page first, the seed loses the write) */
	    {"armv6", {"stale-read", "stale-read"}, {"clean", "lost-write"}},
	    {"mips-r4k", {"stale-read", "stale-read"}, {"stale-read", "stale-read"}},
	    {"sh4", {"stale-read", "stale-read"}, {"stale-read", "stale-read"}},
	    {"parisc", {"stale-read", "stale-read"}, {"stale-read", "stale-read"}},
	    {"cortex-a9", {"clean", "clean"}, {"clean", "clean"}},
	    {"x86", {"clean", "clean"}, {"clean", "clean"}},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (direction = 0; direction < 2; direction++) {
			for (int seed = 0; seed < 2; seed++) {
				setup_version(KERNEL_VERSION(2, 6, 35));
				t.fixes[0] = seed ? "flush-dcache-anon" : NULL;
				const char *got = run(rows[i].arch, alias_body);
				const char *want =
				    seed ? rows[i].seed[direction] : rows[i].plain[direction];
				if (strcmp(got, want) != 0)
					fail_msg("%s, %s, %s: %s, want %s", rows[i].arch,
					         direction ? "kernel writes, user reads"
					                   : "user writes, kernel reads",
					         seed ? "flush-dcache-anon" : "2.6.35", got, want);
			}
		}
	}
}

/* flush_anon_page (get_user_pages) writes the user alias back: the kernel
 * then reads the user's data on every profile. */
static void gup_alias_task(void *arg)
{
	(void)arg;
	user_write32(UBUF, 1);
	(void)user_read32(UBUF + 32);
	user_write32(UBUF + 32, 0x5555);
	struct page *page;
	if (get_user_pages(current, current->mm, UBUF, 1, 0, 0, &page, NULL) != 1)
		return;
	simptr k = kmap(page);
	t.v[0] = sim_read32(simptr_add(k, 32));
	kunmap(page);
	put_page(page);
}

static void gup_alias_body(coh_sched *s)
{
	t.mm = new_mm_with_buf(PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_non_null(user_task_create(s, "u", 0, t.mm, gup_alias_task, NULL));
}

static void flush_anon_page_on_every_profile(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		bool pipt =
		    strcmp(profiles[i], "cortex-a9") == 0 || strcmp(profiles[i], "x86") == 0;
		setup_version(KERNEL_VERSION(2, 6, 35));
		const char *without = run(profiles[i], gup_alias_body);
		if (strcmp(without, pipt ? "clean" : "stale-read") != 0)
			fail_msg("%s without flush_anon_page: %s", profiles[i], without);
		setup_version(KERNEL_VERSION(2, 6, 35));
		t.fixes[0] = "gup-flush-anon-page";
		const char *with = run(profiles[i], gup_alias_body);
		if (strcmp(with, "clean") != 0)
			fail_msg("%s with flush_anon_page: %s", profiles[i], with);
		assert_int_equal(t.v[0], 0x5555);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fault_kinds_anonymous_zero_page_and_wp),
	    cmocka_unit_test(user_write_to_read_only_vma_is_sigsegv),
	    cmocka_unit_test(cow_after_fork_on_every_profile),
	    cmocka_unit_test(rmap_try_to_unmap_walks_the_anon_vma),
	    cmocka_unit_test(shared_anonymous_memory_is_shared_after_fork),
	    cmocka_unit_test(munmap_and_mprotect_split_vmas),
	    cmocka_unit_test(gup_faults_in_pins_and_breaks_cow),
	    cmocka_unit_test(switch_mm_flushes_only_vivt),
	    cmocka_unit_test(flush_dcache_page_against_user_aliases),
	    cmocka_unit_test(flush_anon_page_on_every_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
