/*
 * cmd_arch.c - `cohsim arch list`: the arch profiles with their L1 geometry.
 *
 * Columns: name, cache kind, size, ways, line size, sets, where the index
 * and the tag come from (VA or PA), the number of page colours (1: aliases
 * always share lines; "-" for virtual tags, where aliases never share), whether DMA snoops the
 * caches, and whether maintenance by VA reaches every CPU. Deterministic: profiles come in their
 * fixed order.
 */
#include <stdlib.h>

#include "cli.h"

static const char *from(enum coh_addr_from f)
{
	return f == COH_FROM_VIRT ? "VA" : "PA";
}

int cmd_arch_list(const struct cli_opts *o)
{
	if (o->nargs) {
		fprintf(stderr, "cohsim arch list: unexpected argument '%s'\n", o->args[0]);
		return EXIT_USAGE;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return EXIT_INTERNAL;
	fprintf(out, "%-10s %-14s %6s %5s %5s %5s %-9s %7s %-12s %-9s %-8s %-7s %s\n", "arch",
	        "cache", "size", "ways", "line", "sets", "index/tag", "colours", "dma", "maint",
	        "kernel", "highmem", "stands for");
	for (size_t i = 0; i < coh_arch_count(); i++) {
		const coh_arch *a = coh_arch_at(i);
		const coh_cache_geometry *g = &a->l1;
		char it[16];
		snprintf(it, sizeof(it), "%s/%s", from(g->index), from(g->tag));
		char colours[16] = "-"; /* virtual tags: aliases never share a line */
		if (g->tag == COH_FROM_PHYS)
			snprintf(colours, sizeof(colours), "%u", coh_arch_colours(a));
		char kernel[16]; /* whose arch code the kernel model runs */
		if (a->family == COH_ARCH_ARM)
			snprintf(kernel, sizeof(kernel), "ARMv%u", a->arm_arch);
		else
			snprintf(kernel, sizeof(kernel), "%s", coh_arch_family_name(a->family));
		fprintf(out, "%-10s %-14s %5uK %5u %5u %5u %-9s %7s %-12s %-9s %-8s %-7s %s\n",
		        a->name, a->kind, g->size / 1024, g->ways, g->line_size,
		        g->size / (g->ways * g->line_size), it, colours,
		        a->dma_coherent ? "coherent" : "non-coherent",
		        a->maint_broadcast ? "broadcast" : "local", kernel,
		        a->highmem ? "yes" : "no", a->stands_for);
	}
	int rc = fclose(out) ? EXIT_INTERNAL : cli_flush_stdout(buf, len);
	free(buf);
	return rc;
}
