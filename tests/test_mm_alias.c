/*
 * test_mm_alias.c - user mappings against the caches: switch_mm on every
 * profile (flushing only VIVT), and flush_dcache_page / flush_anon_page
 * against a user alias on all 8 profiles (a user alias written then the
 * kernel alias read, and the reverse), judged by the oracle.
 */
#include "mm_rig.h"

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
	    cmocka_unit_test(switch_mm_flushes_only_vivt),
	    cmocka_unit_test(flush_dcache_page_against_user_aliases),
	    cmocka_unit_test(flush_anon_page_on_every_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
