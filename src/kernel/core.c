/*
 * core.c - the kernel of one execution: kernel_init(), fix switches, BUG().
 *
 * kernel_init() maps lowmem linearly at PAGE_OFFSET (as the kernel's linear
 * map), then initialises each subsystem. Fix switches are looked up by name
 * in the NULL-terminated list the scenario passed in its kernel_config.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/kernel_impl.h"

struct coh__kernel coh__kernel;

void kernel_config_init(struct kernel_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->last_pkmap = 4;
	cfg->slab_quarantine = -1;
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
	if (k->cfg.version == 0)
		k->cfg.version = COH_KERNEL_VERSION_DEFAULT;
	if (k->cfg.version < COH_KERNEL_VERSION_MIN || k->cfg.version > COH_KERNEL_VERSION_MAX)
		return COH_ERANGE;

	k->page_shift = k->m->page_shift;
	k->pages = pages;
	k->npages = npages;
	coh_addr_t lowmem = coh_machine_highmem_start(k->m);
	int r = coh_map(k->m, COH_KERNEL_AS, PAGE_OFFSET, 0, lowmem, COH_ATTR_WB);
	if (!r)
		r = coh__page_alloc_init();
	if (!r)
		r = coh__slab_init();
	if (!r)
		r = coh__highmem_init();
	if (!r)
		r = coh__vmalloc_init();
	if (!r)
		r = coh__dma_debug_init();
	if (!r)
		r = coh__kstack_init();
	if (!r)
		r = coh__dma_coherent_init();
	if (!r)
		r = coh__dma_pool_init();
	if (!r)
		r = coh__dmabounce_init();
	if (!r)
		r = coh__simdev_init();
	if (!r)
		r = coh__block_init();
	if (!r)
		r = coh__dm_io_init();
	if (!r)
		r = coh__mm_init();
	if (!r)
		r = coh__pagecache_init();
	if (!r)
		r = coh__dm_bufio_init();
	if (!r)
		r = coh__dm_cache_metadata_init();
	if (!r)
		r = coh__dm_init();
	if (!r)
		r = coh__aio_init();
	if (!r)
		r = coh__direct_io_init();
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

bool coh_fix_old(const char *name)
{
	const char *const *d = coh__kernel.cfg.declared;
	for (; d && *d; d++)
		if (strcmp(*d, name) == 0)
			return coh_fix(name);
	return true;
}

unsigned linux_version_code(void)
{
	return coh__kernel.cfg.version ? coh__kernel.cfg.version : COH_KERNEL_VERSION_DEFAULT;
}

int kernel_version_parse(const char *s, unsigned *out)
{
	unsigned v[3];
	int n = 0;
	if (!s || sscanf(s, "%3u.%3u.%3u%n", &v[0], &v[1], &v[2], &n) != 3 || s[n] != '\0' ||
	    v[1] > 255 || v[2] > 255)
		return COH_EINVAL;
	unsigned code = KERNEL_VERSION(v[0], v[1], v[2]);
	if (code < COH_KERNEL_VERSION_MIN || code > COH_KERNEL_VERSION_MAX)
		return COH_ERANGE;
	*out = code;
	return COH_OK;
}

const char *kernel_version_str(unsigned version, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", version >> 16, (version >> 8) & 0xff, version & 0xff);
	return buf;
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

struct coh__pools coh__pools;
