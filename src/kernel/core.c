/*
 * core.c - the kernel of one execution: kernel_init(), fix switches, BUG().
 *
 * kernel_init() maps lowmem linearly at PAGE_OFFSET (as the kernel's linear
 * map), then initialises each subsystem. Fix switches are looked up by name
 * in the NULL-terminated list the scenario passed in its kernel_config.
 */
#include <string.h>

#include "kernel/kernel_impl.h"

struct coh__kernel coh__kernel;

void kernel_config_init(struct kernel_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->last_pkmap = 4;
}

int kernel_init(coh_sched *s, const struct kernel_config *cfg)
{
	struct coh__kernel *k = &coh__kernel;
	struct page *pages = k->pages;
	unsigned long npages = k->npages;
	memset(k, 0, sizeof(*k));
	k->s = s;
	k->m = coh_sched_machine(s);
	k->chk = coh_sched_check(s);
	kernel_config_init(&k->cfg);
	if (cfg)
		k->cfg = *cfg;
	if (k->cfg.last_pkmap == 0 || k->cfg.last_pkmap > 512)
		return COH_EINVAL;
	k->page_shift = k->m->page_shift;
	k->pages = pages;
	k->npages = npages;
	coh_addr_t lowmem = coh_machine_highmem_start(k->m);
	int r = coh_map(k->m, COH_KERNEL_AS, PAGE_OFFSET, 0, lowmem, COH_ATTR_WB);
	if (!r)
		r = coh__page_alloc_init();
	if (!r)
		r = coh__highmem_init();
	if (!r)
		r = coh__vmalloc_init();
	if (!r)
		r = coh__dma_debug_init();
	if (!r)
		r = coh__dma_coherent_init();
	if (!r)
		r = coh__dma_pool_init();
	if (!r)
		r = coh__block_init();
	if (!r)
		r = coh__dm_io_init();
	return r;
}

bool coh_fix(const char *name)
{
	const char *const *f = coh__kernel.cfg.fixes;
	for (; f && *f; f++)
		if (strcmp(*f, name) == 0)
			return true;
	return false;
}

coh_machine *kernel_machine(void)
{
	return coh__kernel.m;
}

coh_check *kernel_check(void)
{
	return coh__kernel.chk;
}

void coh__bug(const char *what, const char *file, unsigned line)
{
	coh_sched *s = coh_sched_current();
	if (what)
		coh_check_report(coh__kernel.chk, COH_F_BUG, (int)coh__cpu(),
		                 "kernel BUG at %s:%u: BUG_ON(%s)", file, line, what);
	else
		coh_check_report(coh__kernel.chk, COH_F_BUG, (int)coh__cpu(), "kernel BUG at %s:%u",
		                 file, line);
	/* the execution ends at the next scheduling point */
	if (s) {
		coh_sched_abort(s);
		coh_preempt_point();
	}
}
