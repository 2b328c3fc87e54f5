/*
 * test_mm.c - user address spaces: each fault kind, copy-on-write after
 * fork, the anon_vma rmap walk, shared anonymous memory across fork,
 * munmap/mprotect, get_user_pages and the uaccess functions. The caches
 * against user aliases (switch_mm, flush_dcache_page, flush_anon_page):
 * test_mm_alias.c.
 */
#include "mm_rig.h"

static void idle_task(void *arg)
{
	(void)arg;
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
