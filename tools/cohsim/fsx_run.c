/*
 * fsx_run.c - a run of `cohsim fsx` (docs/fsx.md): its scenario, its
 * tasks' loops and the final check.
 *
 * Interface: fsx_scenario() and fsx_outcome() (fsx.h). fsx_scenario()
 * gives a scenario with one user task per --tasks; each owns the files f
 * with f % tasks == its number, maps its buffers, and the files are opened
 * three times (buffered, O_DIRECT, O_SYNC). The tasks take operation
 * numbers from one counter until --ops are done (fsx_one_op(), fsx.c);
 * the last one to finish writes everything back, drops the page cache and
 * reads every file whole, direct and buffered.
 *
 * Invariants: setup resets fsx_st whole but for the config, so each
 * execution starts alike; the first finding of an oracle stops every task
 * (fsx_st.stop) and its operation is the outcome's finding_op; no task
 * starts operations before every task has faulted its buffers in.
 */
#include "fsx_impl.h"

struct fsx_state fsx_st;

const struct fsx_outcome *fsx_outcome(void)
{
	return &fsx_st.out;
}

/* After every operation: the first finding of an oracle ends the run. */
static void note_findings(uint64_t no)
{
	if (!fsx_st.out.finding_op && coh_check_count(coh_sched_check(coh_sched_current())) > 0) {
		fsx_st.out.finding_op = no;
		fsx_st.stop = true;
	}
}

/* Everything written back, the clean page cache dropped, every file read
 * whole: direct (the disk) and buffered (the cache, read again). */
static void final_check(struct task *t)
{
	uint64_t no = fsx_st.cfg.ops;
	for (unsigned f = 0; f < fsx_st.cfg.files && !fsx_st.stop; f++) {
		struct fsx_logged *e = fsx_log_op(++no, t->id);
		fsx_log_add(e, "final fsync f%u", f);
		fsx_check_result(no, f, "final fsync", vfs_fsync(fsx_st.bfile[f], 0), 0, false);
		note_findings(no);
	}
	if (fsx_st.stop)
		return;
	struct fsx_logged *e = fsx_log_op(++no, t->id);
	fsx_log_add(e, "final drop caches: %lu pages", drop_pagecache_sb(fsx_st.sb));
	note_findings(no);
	for (unsigned f = 0; f < fsx_st.cfg.files && !fsx_st.stop; f++) {
		int64_t size = fsx_st.good[f].size;
		for (int direct = 1; direct >= 0 && !fsx_st.stop; direct--) {
			e = fsx_log_op(++no, t->id);
			size_t len = direct ? (size_t)((size + 511) & ~511ll) : FSX_FILE_MAX;
			fsx_log_add(e, "final %s f%u 0x0+0x%zx", direct ? "dread" : "read", f, len);
			loff_t pos = 0;
			unsigned long buf = direct ? UDREAD : UREAD;
			ssize_t r = len ? vfs_read(direct ? fsx_st.dfile[f] : fsx_st.bfile[f], buf,
			                           len, &pos)
			                : 0;
			fsx_log_add(e, " = %zd", r);
			const char *how = direct ? "final direct read" : "final read";
			if (fsx_check_result(no, f, how, r, size, false) && r > 0) {
				user_memcpy_from(t->got, buf, (size_t)r);
				fsx_expect(NULL, f, 0, (size_t)r, t->want, t->alt, t->has_alt);
				fsx_compare(no, f, how, 0, (size_t)r, t->got, t->want, t->alt,
				            t->has_alt);
			}
			note_findings(no);
		}
	}
	fsx_st.out.final_checked = !fsx_st.stop;
}

/* The pages direct reads land in, faulted in before any operation: their
 * frames are fresh (zero), so the dirty zeroes of the fault match memory
 * when a later mapping for the device invalidates them (see UDREAD). */
static void prefault(struct task *t)
{
	for (unsigned long a = UDREAD; a < USLOT(0, true); a += PAGE)
		user_write32(a, 0);
	for (unsigned long a = USLOT(0, false); a < UBUF + UBUF_LEN; a += PAGE)
		user_write32(a, 0);
	if (++fsx_st.prefaulted == fsx_st.cfg.tasks)
		coh_complete_all(&fsx_st.ready);
	else
		coh_wait_for_completion(&fsx_st.ready);
	(void)t;
}

static void fsx_task(void *arg)
{
	struct task *t = arg;
	uint64_t no = 0;
	prefault(t);
	if (io_setup(FSX_AIO_SLOTS, &t->ctx)) {
		fsx_check_result(0, 0, "io_setup", -1, 0, false);
		return;
	}
	while (!fsx_st.stop && fsx_st.next_op < fsx_st.cfg.ops) {
		no = ++fsx_st.next_op;
		fsx_st.out.ops_done = no;
		fsx_one_op(t, no);
		note_findings(no);
	}
	if (!fsx_st.stop && fsx_busy_slots(t)) {
		fsx_reap_all(t, no);
		note_findings(no);
	}
	if (++fsx_st.finished == fsx_st.cfg.tasks && !fsx_st.stop)
		final_check(t);
}

/* ---- the scenario ---- */

static int setup(coh_sched *s, void *state)
{
	(void)state;
	struct fsx_config cfg = fsx_st.cfg;
	memset(&fsx_st, 0, sizeof(fsx_st));
	fsx_st.cfg = cfg;
	coh_init_completion(&fsx_st.ready, "fsx ready");
	struct disk_config dc;
	disk_config_init(&dc, "sda");
	struct gendisk *disk = alloc_disk_sim(&dc);
	static const char *const names[FSX_MAX_FILES] = {"f0", "f1", "f2", "f3",
	                                                 "f4", "f5", "f6", "f7"};
	struct simplefs_file_spec spec[FSX_MAX_FILES];
	for (unsigned f = 0; f < cfg.files; f++)
		spec[f] = (struct simplefs_file_spec){names[f], FSX_FILE_PAGES, 0};
	fsx_st.sb = disk ? simplefs_mkfs_mount(disk, spec, cfg.files) : NULL;
	if (!fsx_st.sb)
		return COH_EINVAL;
	/* a journal may hold a page's buffers: its release may fail */
	fsx_st.sb->s_release_may_fail = cfg.journal;
	for (unsigned f = 0; f < cfg.files; f++) {
		fsx_st.bfile[f] = filp_open(fsx_st.sb, names[f], O_RDWR);
		fsx_st.dfile[f] = filp_open(fsx_st.sb, names[f], O_RDWR | O_DIRECT);
		fsx_st.sfile[f] = filp_open(fsx_st.sb, names[f], O_RDWR | O_SYNC);
		if (!fsx_st.bfile[f] || !fsx_st.dfile[f] || !fsx_st.sfile[f])
			return COH_ENOMEM;
	}
	unsigned ncpus = fsx_scenario(&cfg)->ncpus;
	for (unsigned i = 0; i < cfg.tasks; i++) {
		struct task *t = &fsx_st.tasks[i];
		t->id = i;
		t->rng = cfg.seed ^ (0x5851f42d4c957f2dull * (i + 1));
		if (!(t->mm = mm_alloc()) ||
		    IS_ERR_VALUE(do_mmap(t->mm, UBUF, UBUF_LEN, PROT_READ | PROT_WRITE,
		                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)))
			return COH_ENOMEM;
		for (unsigned f = i; f < cfg.files; f += cfg.tasks)
			t->files[t->nfiles++] = f;
		static const char *const tname[FSX_MAX_TASKS] = {"fsx0", "fsx1", "fsx2", "fsx3",
		                                                 "fsx4", "fsx5", "fsx6", "fsx7"};
		if (!user_task_create(s, tname[i], i % ncpus, t->mm, fsx_task, t))
			return COH_EINVAL;
	}
	return COH_OK;
}

static void finish(coh_sched *s, void *state)
{
	(void)state;
	coh_stats st;
	coh_machine_stats(coh_sched_machine(s), &st);
	fsx_st.out.accesses = 0;
	for (unsigned c = 0; c < st.ncpus; c++)
		fsx_st.out.accesses += st.cpu[c].loads + st.cpu[c].stores;
}

static coh_scenario scenario = {
    .name = "fsx",
    .description = "random file operations checked against a good copy (cohsim fsx)",
    .models = "the page cache, simplefs, direct I/O and AIO (2.6.20-2.6.35)",
    .default_arch = "cortex-a9",
    .mem_size = 16u << 20,
    .kernel_version = KERNEL_VERSION(2, 6, 35),
    .fixes = {{"gup-flush-anon-page", "get_user_pages flushes the user alias (6020dff09252)"},
              {"flush-dcache-anon", "ARM flush_dcache_page of anonymous pages"},
              {"kmap-lock-irqsafe", "kmap_lock taken IRQ-safe where kmap_high_get is used"},
              {"perform-write-flush", "flush a writably mapped page before write(2) copies into "
                                      "it (931e80e4b326; in the code from 2.6.33)"},
              {"dio-invalidate-before-write", "seed 3: invalidate before ->direct_IO "
                                              "(65b8291c4000)"},
              {"dio-invalidate-after-sync-write", "the second invalidation of sync writes "
                                                  "(bdb76ef5a4bc)"},
              {"dio-invalidate-in-complete", "dio_complete invalidates the written range "
                                             "(332391a)"},
              {"dio-complete-no-irq-invalidate", "never from hardirq (ffe51f0142a9)"}},
    .variants = {{"fixed",
                  {"gup-flush-anon-page", "flush-dcache-anon", "kmap-lock-irqsafe",
                   "perform-write-flush", "dio-invalidate-before-write",
                   "dio-invalidate-after-sync-write", "dio-invalidate-in-complete",
                   "dio-complete-no-irq-invalidate", NULL}},
                 {"buggy", {NULL}}},
    .setup = setup,
    .finish = finish,
    .strategy = COH_STRATEGY_PCT,
    .budget = 1,
};

const coh_scenario *fsx_scenario(const struct fsx_config *cfg)
{
	fsx_st.cfg = *cfg;
	scenario.ncpus = cfg->tasks < 2 ? 2 : cfg->tasks > 4 ? 4 : cfg->tasks;
	return &scenario;
}
