/*
 * flush_dcache_anon.c - seed 4: the kernel writes into a user's anonymous
 * page through a kernel alias, calls flush_dcache_page, and the user reads
 * the page through its own VA (R. King, "fuse, get_user_pages,
 * flush_anon_page, aliasing caches and all that again", 2007-01-07).
 *
 * One CPU, one mm with a two-page private anonymous buffer, three tasks:
 *   reader (user task): fills the buffer (its user alias holds the lines),
 *     pins its first page with get_user_pages for a FUSE-style read, hands
 *     the request on and waits; then reads the reply through its own VA.
 *   sibling (a thread of the same mm): looks at the buffer while the
 *     request is pending, as another thread of the process may.
 *   fuse (a kernel thread: no mm of its own, so no switch_mm and no cache
 *     flush when it runs): copies the reply into the pinned page through a
 *     kmap, calls flush_dcache_page, kunmaps and releases the page.
 * flush_dcache_page of 2.6.x flushes only the kernel alias of an
 * anonymous page: on a VIVT cache the user's lines of the old contents
 * survive and the reader gets them back (stale-read). Mainline's answer,
 * flush_anon_page in get_user_pages (`gup-flush-anon-page`, 6020dff09252),
 * flushes them at gup time, but the sibling reads them back in before the
 * reply. The seed's `flush-dcache-anon` flushes the user aliases at
 * flush_dcache_page time, walking the page's anon_vma.
 *
 * `irq` variant: the reply is copied by a PIO driver's interrupt handler
 * instead (reply-from-irq). The reader pins the second page right after
 * starting the read, and get_user_pages calls flush_dcache_page, whose
 * anon_vma walk takes anon_vma->lock with plain spin_lock; if the
 * interrupt arrives then, its own flush_dcache_page spins on the lock its
 * CPU holds: what Russell King feared ("unconvinced that this is safe
 * from all contexts"). lockdep reports the IRQ-unsafe lock taken in hardirq context at the first
 * schedule; with --no-lockdep the scheduler reports the deadlock itself.
 *
 * Nothing here checks the data: findings come from the oracle and the
 * scheduler.
 */
#include <string.h>

#include "cohsim/scenario.h"

#define PIO_IRQ 6
#define REPLY_LEN 64
/* colour 2 of an aliasing VIPT cache, unlike the kernel alias of the first page (frame 1) */
#define USER_BUF (TASK_UNMAPPED_BASE + 0x2000)

struct fda_state {
	struct mm_struct *mm;
	unsigned long buf;
	struct page *page;
	coh_completion req, peeked, reply;
};

static const u8 reply_bytes[REPLY_LEN] =
    "FUSE reply: 0123456789abcdef0123456789abcdef0123456789abcdefgh";

/* The FUSE daemon's reply lands in the pinned page: fuse_copy_page. */
static void copy_reply(struct page *page, bool atomic)
{
	simptr k = atomic ? kmap_atomic(page) : kmap(page);
	sim_memcpy_to(k, reply_bytes, REPLY_LEN);
	if (atomic)
		kunmap_atomic(k);
	flush_dcache_page(page);
	if (!atomic)
		kunmap(page);
}

static void pio_done(void *arg)
{
	(void)arg;
	coh_irq_raise(coh_sched_current(), PIO_IRQ, 0);
}

/* Hardirq: the PIO driver moves the reply in and completes the read. */
static void pio_irq(unsigned irq, void *arg)
{
	struct fda_state *st = arg;
	(void)irq;
	copy_reply(st->page, true);
	put_page(st->page);
	coh_complete(&st->reply);
}

static void reader(void *arg)
{
	struct fda_state *st = arg;
	u8 got[REPLY_LEN];
	user_memset(st->buf, 0, 2 * 4096);
	(void)user_read32(st->buf); /* read-allocate caches keep the line too */
	if (get_user_pages(current, st->mm, st->buf, 1, 1, 0, &st->page, NULL) != 1)
		return;
	if (coh_fix("reply-from-irq")) {
		struct page *second;
		coh_io_complete_later(coh_sched_current(), pio_done, st, "pio");
		if (get_user_pages(current, st->mm, st->buf + 4096, 1, 1, 0, &second, NULL) == 1)
			put_page(second);
	} else {
		coh_complete(&st->req);
	}
	coh_wait_for_completion(&st->reply);
	user_memcpy_from(got, st->buf, REPLY_LEN);
}

static void sibling(void *arg)
{
	struct fda_state *st = arg;
	u8 peek[16];
	coh_wait_for_completion(&st->req);
	user_memcpy_from(peek, st->buf, sizeof(peek));
	coh_complete(&st->peeked);
}

static void fuse(void *arg)
{
	struct fda_state *st = arg;
	coh_wait_for_completion(&st->peeked);
	copy_reply(st->page, false);
	put_page(st->page);
	coh_complete(&st->reply);
}

static int fda_setup(coh_sched *s, void *state)
{
	struct fda_state *st = state;
	coh_init_completion(&st->req, "req");
	coh_init_completion(&st->peeked, "peeked");
	coh_init_completion(&st->reply, "reply");
	st->mm = mm_alloc();
	if (!st->mm)
		return COH_ENOMEM;
	st->buf = do_mmap(st->mm, USER_BUF, 2 * 4096, PROT_READ | PROT_WRITE,
	                  MAP_PRIVATE | MAP_ANONYMOUS);
	if (IS_ERR_VALUE(st->buf))
		return COH_ENOMEM;
	if (!user_task_create(s, "reader", 0, st->mm, reader, st))
		return COH_EINVAL;
	if (coh_fix("reply-from-irq"))
		return coh_request_irq(s, PIO_IRQ, pio_irq, st, "pio-irq");
	if (!user_task_create(s, "sibling", 0, st->mm, sibling, st) ||
	    !coh_task_create(s, "fuse", 0, fuse, st))
		return COH_EINVAL;
	return 0;
}

const coh_scenario coh_scenario_flush_dcache_anon = {
    .name = "flush-dcache-anon",
    .description = "the kernel writes a FUSE reply into a user's anonymous page through a "
                   "kmap; the user reads it through its own VA",
    .models = "[ARM] flush_dcache_page for anonymous pages (R. King, RFC, "
              "2007-01-07; mainline kept 6020dff09252, flush_anon_page in get_user_pages)",
    .default_arch = "xscale",
    .ncpus = 1,
    .kernel_version = KERNEL_VERSION(2, 6, 35),
    .fixes = {{"gup-flush-anon-page",
               "get_user_pages calls flush_anon_page (6020dff09252, mainline since 2.6.20)"},
              {"flush-dcache-anon",
               "flush_dcache_page walks an anonymous page's anon_vma and flushes its user "
               "aliases in current->active_mm (the seed; never merged)"},
              {"reply-from-irq",
               "not a fix: the reply is copied by a PIO interrupt handler, and the reader "
               "pins a second page meanwhile"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}},
                 {"fixed", {"gup-flush-anon-page", "flush-dcache-anon", NULL}},
                 {"merged", {"gup-flush-anon-page", NULL}},
                 {"irq", {"gup-flush-anon-page", "flush-dcache-anon", "reply-from-irq", NULL}}},
    .state_size = sizeof(struct fda_state),
    .setup = fda_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .demo = {{"buggy", "xscale", "stale-read", COH_STRATEGY_DFS, 0, 0, false},
             {"merged", "xscale", "stale-read", COH_STRATEGY_DFS, 0, 0, false},
             {"fixed", "xscale", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"irq", "xscale", "lock-inversion", COH_STRATEGY_DFS, 2, 0, false},
             {"buggy", "arm926", "stale-read", COH_STRATEGY_DFS, 0, 0, false},
             {"merged", "arm926", "stale-read", COH_STRATEGY_DFS, 0, 0, false},
             {"fixed", "arm926", "clean", COH_STRATEGY_DFS, 0, 0, true},
             /* aliasing VIPT: the user buffer's colour is not the kernel alias's */
             {"merged", "armv6", "stale-read", COH_STRATEGY_DFS, 0, 0, false},
             {"fixed", "armv6", "clean", COH_STRATEGY_DFS, 0, 0, true},
             /* the seed is ARM's: MIPS keeps the hole */
             {"fixed", "mips-r4k", "stale-read", COH_STRATEGY_DFS, 0, 0, false},
             {"buggy", "cortex-a9", "clean", COH_STRATEGY_DFS, 0, 0, true},
             {"fixed", "cortex-a9", "clean", COH_STRATEGY_DFS, 0, 0, true},
             {"buggy", "x86", "clean", COH_STRATEGY_DFS, 0, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
