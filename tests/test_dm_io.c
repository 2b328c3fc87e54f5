/*
 * test_dm_io.c - dm-io: per-region error bits, asynchronous notification
 * exactly once in completion context, synchronous I/O that returns only
 * when every region is done, a read of one region only, each memory type,
 * and a mirror write to two file-backed disks that leaves byte-identical
 * files. The dm-io-vmap scenario: test_dm_io_vmap.c.
 *
 * Tasks record what they saw in the program's ctx, finish() folds it into
 * per-run counters (it must not assert: it runs inside the explorer), and
 * the asserts run on the host afterwards.
 */
#include "dm_io_rig.h"

/* Does disk i hold the pattern at sector 0 (len bytes)? */
static bool on_disk(struct dmt *t, unsigned i, size_t len)
{
	u8 buf[PAGE];
	if (disk_backend_read(t->disk[i], 0, buf, len))
		return false;
	for (size_t b = 0; b < len; b++)
		if (buf[b] != pattern_byte((unsigned)b))
			return false;
	return true;
}

static simptr pattern_page(struct page **out)
{
	u8 buf[PAGE];
	for (unsigned b = 0; b < PAGE; b++)
		buf[b] = pattern_byte(b);
	*out = alloc_page(GFP_KERNEL);
	simptr va = page_address(*out);
	sim_memcpy_to(va, buf, PAGE);
	return va;
}

/* One page of kernel memory to sector 0 of every disk (a mirror write). */
static void mirror_task(void *arg)
{
	struct dmt *t = arg;
	struct page *page;
	t->submitter = coh_current();
	simptr va = pattern_page(&page);
	struct dm_io_region where[NDISK];
	for (unsigned i = 0; i < t->ndisks; i++)
		where[i] = (struct dm_io_region){disk_bdev(t->disk[i]), 0, PAGE >> SECTOR_SHIFT};
	struct dm_io_request req = {
	    .bi_rw = t->rw,
	    .mem = {.type = DM_IO_KMEM, .ptr.addr = va},
	    .notify = {t->async ? notify : NULL, t},
	};
	t->ret = dm_io(&req, t->ndisks, where, t->async ? NULL : &t->bits);
	if (t->async)
		coh_wait_for_completion(&t->done);
	bool all = true;
	for (unsigned i = 0; i < t->ndisks; i++)
		all &= on_disk(t, i, PAGE);
	t->all_on_disk_at_return = all;
	__free_page(page);
}

static int mirror_setup(void *ctx, coh_sched *s)
{
	struct dmt *t = ctx;
	int r = disks_setup(t, s);
	return r ? r : coh_task_create(s, "mirror", 0, mirror_task, t) ? 0 : COH_EINVAL;
}

/* error_bits must name exactly the regions whose disk did not get the data */
static void mirror_finish(void *ctx, coh_sched *s)
{
	struct dmt *t = ctx;
	(void)s;
	t->runs++;
	unsigned long want = 0;
	for (unsigned i = 0; i < t->ndisks; i++)
		if (!on_disk(t, i, PAGE))
			want |= 1ul << i;
	bool ok = t->bits == want;
	/* notify runs where the last reference is dropped: the last bio's
	 * completion (hardirq), or dispatch_io() itself when every bio was
	 * already done by then */
	if (t->async)
		ok &= t->ret == 0 && t->notify_calls == 1 &&
		      (t->notify_in_irq || t->notifier == t->submitter);
	else
		ok &= t->ret == (want ? -EIO : 0);
	if (!want)
		ok &= t->all_on_disk_at_return;
	t->runs_bad += !ok;
	if (ok && want < 32)
		t->seen_bits |= 1u << want;
}

static void dm_io_error_bits_name_each_failed_region(void **state)
{
	(void)state;
	struct dmt t = {.arch = "xscale", .ndisks = NDISK, .rw = WRITE};
	coh_explore_result res;
	assert_int_equal(explore(&t, mirror_setup, mirror_finish, 1u << COH_FAULT_IO, -1, &res), 0);
	assert_int_equal(res.nfindings, 0);
	assert_int_equal(t.runs, 400);
	assert_int_equal(t.runs_bad, 0);
	assert_int_equal(t.seen_bits, 0xff); /* all 8 combinations of 3 regions */
	coh_explore_result_free(&res);
}

static void dm_io_async_notifies_exactly_once_in_completion_context(void **state)
{
	(void)state;
	struct dmt t = {.arch = "arm926", .ndisks = NDISK, .rw = WRITE, .async = true};
	coh_explore_result res;
	assert_int_equal(explore(&t, mirror_setup, mirror_finish, 1u << COH_FAULT_IO, -1, &res), 0);
	assert_int_equal(res.nfindings, 0);
	assert_int_equal(t.runs, 400);
	assert_int_equal(t.runs_bad, 0);
	assert_int_equal(t.seen_bits, 0xff);
	coh_explore_result_free(&res);
	/* every interleaving within one preemption, without faults */
	t = (struct dmt){.arch = "arm926", .ndisks = 2, .rw = WRITE, .async = true};
	assert_int_equal(explore(&t, mirror_setup, mirror_finish, 0, 1, &res), 0);
	assert_int_equal(res.nfindings, 0);
	assert_true(res.complete);
	assert_true(t.runs > 100);
	assert_int_equal(t.runs_bad, 0);
	assert_int_equal(t.seen_bits, 1);
	coh_explore_result_free(&res);
}

static void dm_io_sync_returns_after_every_region(void **state)
{
	(void)state;
	/* three regions, every completion order (free choices while the
	 * caller sleeps); then two regions within one preemption */
	const char *arches[] = {"xscale", "parisc", "cortex-a9", "x86"};
	for (unsigned a = 0; a < 5; a++) {
		struct dmt t = {.arch = arches[a % 4], .ndisks = a < 4 ? 3 : 2, .rw = WRITE};
		coh_explore_result res;
		assert_int_equal(explore(&t, mirror_setup, mirror_finish, 0, a < 4 ? 0 : 1, &res),
		                 0);
		assert_int_equal(res.nfindings, 0);
		assert_true(res.complete);
		assert_true(t.runs > 50);
		assert_int_equal(t.runs_bad, 0);
		assert_int_equal(t.seen_bits, 1); /* error_bits 0 every time */
		coh_explore_result_free(&res);
	}
}

/* ---- a read takes one region ---- */

static void multi_read_task(void *arg)
{
	struct dmt *t = arg;
	struct page *page = alloc_page(GFP_KERNEL);
	struct dm_io_region where[2] = {{disk_bdev(t->disk[0]), 0, 8},
	                                {disk_bdev(t->disk[1]), 0, 8}};
	struct dm_io_request req = {
	    .bi_rw = READ,
	    .mem = {.type = DM_IO_KMEM, .ptr.addr = page_address(page)},
	};
	t->ret = dm_io(&req, 2, where, NULL);
	req.notify = (struct dm_io_notify){notify, t};
	int r2 = dm_io(&req, 2, where, NULL);
	t->all_on_disk_at_return = r2 == -EIO && t->notify_calls == 1 && t->bits == 1;
	__free_page(page);
}

static int multi_read_setup(void *ctx, coh_sched *s)
{
	struct dmt *t = ctx;
	int r = disks_setup(t, s);
	return r ? r : coh_task_create(s, "multiread", 0, multi_read_task, t) ? 0 : COH_EINVAL;
}

static void dm_io_read_of_several_regions_is_refused(void **state)
{
	(void)state;
	struct dmt t = {.arch = "x86", .ndisks = 2, .rw = WRITE};
	coh_explore_result res;
	assert_int_equal(explore(&t, multi_read_setup, NULL, 0, 0, &res), 0);
	assert_int_equal(t.ret, -EIO);
	assert_true(t.all_on_disk_at_return);
	coh_explore_result_free(&res);
}

/* ---- every memory type ---- */

struct memtypes {
	struct gendisk *disk;
	u8 got[4][2 * PAGE];
	int ret[5];
	u8 readback[1024];
};

static void fill(simptr va, unsigned from, unsigned len, u8 salt)
{
	u8 buf[PAGE];
	for (unsigned b = 0; b < len; b++)
		buf[b] = (u8)(pattern_byte(from + b) ^ salt);
	sim_memcpy_to(va, buf, len);
}

static void memtypes_task(void *arg)
{
	struct memtypes *mt = arg;
	struct block_device *bdev = disk_bdev(mt->disk);
	struct page *p[2] = {alloc_page(GFP_KERNEL), alloc_page(GFP_KERNEL)};
	/* DM_IO_PAGE_LIST from offset 1024 of the first page: 4 KiB */
	fill(simptr_add(page_address(p[0]), 1024), 0, PAGE - 1024, 0x10);
	fill(page_address(p[1]), PAGE - 1024, 1024, 0x10);
	struct page_list pl[2] = {{&pl[1], p[0]}, {NULL, p[1]}};
	struct dm_io_region where = {bdev, 0, PAGE >> SECTOR_SHIFT};
	struct dm_io_request req = {.bi_rw = WRITE,
	                            .mem = {.type = DM_IO_PAGE_LIST, .offset = 1024, .ptr.pl = pl}};
	mt->ret[0] = dm_io(&req, 1, &where, NULL);
	/* DM_IO_BVEC: two half pages */
	fill(page_address(p[0]), 0, 2048, 0x20);
	fill(simptr_add(page_address(p[1]), 2048), 2048, 2048, 0x20);
	struct bio_vec bv[2] = {{p[0], 2048, 0}, {p[1], 2048, 2048}};
	where.sector = 16;
	req.mem = (struct dm_io_memory){.type = DM_IO_BVEC, .ptr.bvec = bv};
	mt->ret[1] = dm_io(&req, 1, &where, NULL);
	/* DM_IO_KMEM: a lowmem buffer at an offset */
	fill(simptr_add(page_address(p[0]), 512), 0, 2048, 0x30);
	where = (struct dm_io_region){bdev, 32, 2048 >> SECTOR_SHIFT};
	req.mem = (struct dm_io_memory){.type = DM_IO_KMEM,
	                                .ptr.addr = simptr_add(page_address(p[0]), 512)};
	mt->ret[2] = dm_io(&req, 1, &where, NULL);
	/* DM_IO_VMA: a two-page vmalloc area */
	simptr vma = vmalloc(2 * PAGE);
	fill(vma, 0, PAGE, 0x40);
	fill(simptr_add(vma, PAGE), PAGE, PAGE, 0x40);
	where = (struct dm_io_region){bdev, 48, (2 * PAGE) >> SECTOR_SHIFT};
	req.mem = (struct dm_io_memory){.type = DM_IO_VMA, .ptr.vma = vma};
	mt->ret[3] = dm_io(&req, 1, &where, NULL);
	/* and a page-list read of the bvec data back */
	where = (struct dm_io_region){bdev, 16, 1024 >> SECTOR_SHIFT};
	req.bi_rw = READ;
	req.mem = (struct dm_io_memory){.type = DM_IO_PAGE_LIST, .ptr.pl = &pl[1]};
	mt->ret[4] = dm_io(&req, 1, &where, NULL);
	sim_memcpy_from(mt->readback, page_address(p[1]), sizeof(mt->readback));
	vfree(vma);
	__free_page(p[0]);
	__free_page(p[1]);
}

static int memtypes_setup(void *ctx, coh_sched *s)
{
	struct memtypes *mt = ctx;
	static const char *const fixes[] = {DM_IO_VMAP_FLUSH_FIX, NULL};
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.fixes = fixes;
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	struct disk_config dc;
	disk_config_init(&dc, "sdb");
	dc.capacity = 128;
	mt->disk = alloc_disk_sim(&dc);
	if (!mt->disk)
		return disk_last_error();
	memset(mt->ret, 0x55, sizeof(mt->ret));
	return coh_task_create(s, "memtypes", 0, memtypes_task, mt) ? 0 : COH_EINVAL;
}

static void memtypes_finish(void *ctx, coh_sched *s)
{
	struct memtypes *mt = ctx;
	(void)s;
	static const sector_t at[4] = {0, 16, 32, 48};
	static const size_t len[4] = {PAGE, PAGE, 2048, 2 * PAGE};
	for (unsigned k = 0; k < 4; k++)
		if (disk_backend_read(mt->disk, at[k], mt->got[k], len[k]))
			memset(mt->got[k], 0, sizeof(mt->got[k]));
}

static void dm_io_moves_every_memory_type(void **state)
{
	(void)state;
	const char *arches[] = {"xscale", "parisc", "cortex-a9"};
	for (unsigned a = 0; a < 3; a++) {
		struct memtypes *mt = calloc(1, sizeof(*mt));
		assert_non_null(mt);
		struct dmt t = {.arch = arches[a]};
		coh_explore_result res;
		coh_machine_config mc;
		coh_machine_config_init(&mc, coh_arch_find(t.arch));
		mc.mem_size = 1u << 20;
		mc.lowmem_size = mc.mem_size / 2;
		coh_explore_config cfg;
		coh_explore_config_init(&cfg);
		cfg.strategy = COH_STRATEGY_REPLAY;
		cfg.schedule = "v1:";
		cfg.progress = false;
		coh_program prog = {.ctx = mt, .setup = memtypes_setup, .finish = memtypes_finish};
		assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), 0);
		if (res.nfindings)
			fprintf(stderr, "%s\n", res.findings[0].report);
		assert_int_equal(res.nfindings, 0);
		for (unsigned k = 0; k < 5; k++)
			assert_int_equal(mt->ret[k], 0);
		static const u8 salt[4] = {0x10, 0x20, 0x30, 0x40};
		static const size_t len[4] = {PAGE, PAGE, 2048, 2 * PAGE};
		for (unsigned k = 0; k < 4; k++)
			for (size_t b = 0; b < len[k]; b++)
				assert_int_equal(mt->got[k][b],
				                 pattern_byte((unsigned)b) ^ salt[k]);
		for (unsigned b = 0; b < sizeof(mt->readback); b++)
			assert_int_equal(mt->readback[b], pattern_byte(b) ^ 0x20);
		coh_explore_result_free(&res);
		free(mt);
	}
}

/* ---- a mirror write to two file-backed disks ---- */

static u8 *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	u8 *buf = malloc(1u << 16);
	*len = buf ? fread(buf, 1, 1u << 16, f) : 0;
	fclose(f);
	return buf;
}

static void dm_io_mirror_to_two_seeded_disks_leaves_the_files_alone(void **state)
{
	(void)state;
	char p0[] = "/tmp/cohsim-mirror0-XXXXXX", p1[] = "/tmp/cohsim-mirror1-XXXXXX";
	int fd0 = mkstemp(p0), fd1 = mkstemp(p1);
	assert_true(fd0 >= 0 && fd1 >= 0);
	u8 seed[64 * 512];
	memset(seed, 0xab, sizeof(seed));
	assert_int_equal(write(fd0, seed, sizeof(seed)), (ssize_t)sizeof(seed));
	assert_int_equal(write(fd1, seed, 512), 512); /* shorter: zeroes after it */
	close(fd0);
	close(fd1);
	assert_int_equal(coh_disk_attach_file("m0", p0), 0);
	assert_int_equal(coh_disk_attach_file("m1", p1), 0);
	struct dmt t = {.arch = "xscale", .ndisks = 2, .rw = WRITE | REQ_FLUSH | REQ_FUA};
	coh_explore_result res;
	/* every interleaving without preemptions: each one writes both disks,
	 * and mirror_finish checks the data is on both */
	assert_int_equal(explore(&t, mirror_setup, mirror_finish, 0, 0, &res), 0);
	assert_int_equal(res.nfindings, 0);
	assert_true(res.complete);
	assert_true(t.runs > 1);
	assert_int_equal(t.runs_bad, 0);
	coh_explore_result_free(&res);

	/* the files are the seeds still, and each execution started from them */
	size_t n0 = 0, n1 = 0;
	u8 *f0 = slurp(p0, &n0), *f1 = slurp(p1, &n1);
	assert_non_null(f0);
	assert_non_null(f1);
	assert_int_equal(n0, sizeof(seed));
	assert_int_equal(n1, 512);
	assert_memory_equal(f0, seed, n0);
	assert_memory_equal(f1, seed, n1);
	free(f0);
	free(f1);
	unlink(p0);
	unlink(p1);
	coh_disk_detach_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dm_io_error_bits_name_each_failed_region),
	    cmocka_unit_test(dm_io_async_notifies_exactly_once_in_completion_context),
	    cmocka_unit_test(dm_io_sync_returns_after_every_region),
	    cmocka_unit_test(dm_io_read_of_several_regions_is_refused),
	    cmocka_unit_test(dm_io_moves_every_memory_type),
	    cmocka_unit_test(dm_io_mirror_to_two_seeded_disks_leaves_the_files_alone),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
