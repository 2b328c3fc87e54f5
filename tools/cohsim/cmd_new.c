/*
 * cmd_new.c - `cohsim new NAME`: writes a starter scenario project in the
 * directory NAME: NAME.c (a driver with a buggy and a fixed variant, both
 * faithful to a classic missing-DMA-mapping bug, with demo rows), a
 * Makefile (pkg-config) and a CMakeLists.txt (find_package(cohsim)). It
 * builds as it is, and `cohsim run --load ./NAME.so NAME` finds its bug.
 *
 * NAME: lower-case letters, digits and '-', starting with a letter; the C
 * names use '_' for '-'. An existing NAME is left alone (exit 2). Files are
 * written whole or not at all (cli_write_whole).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* @NAME@ and @CNAME@ are replaced. */
static const char scenario_c[] =
    "/*\n"
    " * @NAME@ - a cohsim scenario (written by `cohsim new @NAME@`).\n"
    " *\n"
    " * The driver fills a buffer and lets the device read it. The buggy variant\n"
    " * hands the device the physical address, so the CPU's dirty lines never\n"
    " * reach memory; the fixed one maps the buffer for DMA, which cleans them.\n"
    " * Put your own driver's steps here: the kernel's names are in\n"
    " * cohsim/linux.h, simulated pointers are simptr (docs/scenarios.md).\n"
    " */\n"
    "#include \"cohsim/scenario.h\"\n"
    "\n"
    "struct @CNAME@_state {\n"
    "\tstruct device dev;\n"
    "\tstruct page *page;\n"
    "};\n"
    "\n"
    "static void @CNAME@_driver(void *arg)\n"
    "{\n"
    "\tstruct @CNAME@_state *st = arg;\n"
    "\tsimptr buf = page_address(st->page);\n"
    "\tsim_write32(buf, 0x1234); /* the CPU fills the buffer */\n"
    "\tdma_addr_t dma = coh_fix(\"@NAME@-map\")\n"
    "\t                     ? dma_map_page(&st->dev, st->page, 0, 4096, DMA_TO_DEVICE)\n"
    "\t                     : page_to_phys(st->page);\n"
    "\tu8 got[4];\n"
    "\tcoh_dma_read(kernel_machine(), dma, got, 4); /* the device reads it */\n"
    "\tif (coh_fix(\"@NAME@-map\"))\n"
    "\t\tdma_unmap_page(&st->dev, dma, 4096, DMA_TO_DEVICE);\n"
    "}\n"
    "\n"
    "static int @CNAME@_setup(coh_sched *s, void *state)\n"
    "{\n"
    "\tstruct @CNAME@_state *st = state;\n"
    "\tst->dev.name = \"dev\";\n"
    "\tst->page = alloc_page(GFP_KERNEL);\n"
    "\tif (!st->page || !coh_task_create(s, \"driver\", 0, @CNAME@_driver, st))\n"
    "\t\treturn COH_ENOMEM;\n"
    "\treturn 0;\n"
    "}\n"
    "\n"
    "static const coh_scenario @CNAME@ = {\n"
    "    .name = \"@NAME@\",\n"
    "    .description = \"the device reads a buffer the CPU filled\",\n"
    "    .models = \"a driver that forgot dma_map_page\",\n"
    "    .default_arch = \"xscale\",\n"
    "    .ncpus = 1,\n"
    "    .fixes = {{\"@NAME@-map\", \"map the buffer for DMA\"}, {NULL, NULL}},\n"
    "    .variants = {{\"buggy\", {NULL}}, {\"fixed\", {\"@NAME@-map\", NULL}}, {NULL, {NULL}}},\n"
    "    .state_size = sizeof(struct @CNAME@_state),\n"
    "    .setup = @CNAME@_setup,\n"
    "    .strategy = COH_STRATEGY_DFS,\n"
    "    .preemptions = 2,\n"
    "    .demo = {{.variant = \"buggy\", .arch = \"xscale\", .expect = \"stale-dma\",\n"
    "              .strategy = COH_STRATEGY_DFS, .preemptions = 2},\n"
    "             {.variant = \"fixed\", .arch = \"xscale\", .expect = \"clean\",\n"
    "              .strategy = COH_STRATEGY_DFS, .preemptions = 2, .must_complete = true}},\n"
    "};\n"
    "\n"
    "/* what `cohsim --load` finds; list several to ship several */\n"
    "COH_SCENARIOS(&@CNAME@);\n";

static const char makefile[] =
    "# Builds @NAME@.so against an installed cohsim (pkg-config cohsim).\n"
    "#   make && cohsim run --load ./@NAME@.so @NAME@\n"
    "PKG_CONFIG ?= pkg-config\n"
    "CFLAGS ?= -O2 -g -Wall -Wextra\n"
    "\n"
    "@NAME@.so: @NAME@.c\n"
    "\t$(CC) $(CFLAGS) -shared -fPIC -o $@ $< $$($(PKG_CONFIG) --cflags --libs cohsim)\n"
    "\n"
    "run: @NAME@.so\n"
    "\tcohsim run --load ./@NAME@.so @NAME@\n"
    "\n"
    "clean:\n"
    "\trm -f @NAME@.so\n"
    "\n"
    ".PHONY: run clean\n";

static const char cmakelists[] =
    "# Builds @NAME@.so against an installed cohsim (find_package).\n"
    "#   cmake -B build && cmake --build build\n"
    "#   cohsim run --load build/@NAME@.so @NAME@\n"
    "cmake_minimum_required(VERSION 3.20)\n"
    "project(@CNAME@ LANGUAGES C)\n"
    "find_package(cohsim REQUIRED)\n"
    "add_library(@CNAME@ MODULE @NAME@.c)\n"
    "target_link_libraries(@CNAME@ PRIVATE cohsim::cohsim)\n"
    "set_target_properties(@CNAME@ PROPERTIES PREFIX \"\" OUTPUT_NAME @NAME@)\n";

struct subst {
	const char *text, *name, *cname;
};

static void expand(FILE *out, const void *arg)
{
	const struct subst *s = arg;
	for (const char *p = s->text; *p;) {
		if (!strncmp(p, "@NAME@", 6)) {
			fputs(s->name, out);
			p += 6;
		} else if (!strncmp(p, "@CNAME@", 7)) {
			fputs(s->cname, out);
			p += 7;
		} else {
			fputc(*p++, out);
		}
	}
}

static bool good_name(const char *n)
{
	if (!(*n >= 'a' && *n <= 'z') || strlen(n) > 64)
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= '0' && *n <= '9') || *n == '-'))
			return false;
	return true;
}

int cmd_new(const struct cli_opts *o)
{
	if (o->nargs != 1) {
		fprintf(stderr, "cohsim new: expected one NAME (usage: cohsim new NAME)\n");
		return EXIT_USAGE;
	}
	const char *name = o->args[0];
	if (!good_name(name)) {
		fprintf(stderr,
		        "cohsim new: '%s': a name is lower-case letters, digits and '-', starting "
		        "with a letter (at most 64)\n",
		        name);
		return EXIT_USAGE;
	}
	char cname[80];
	snprintf(cname, sizeof(cname), "%s", name);
	for (char *c = cname; *c; c++)
		if (*c == '-')
			*c = '_';
	if (mkdir(name, 0777) != 0) {
		fprintf(stderr, "cohsim new: cannot create the directory %s: %s\n", name,
		        strerror(errno));
		return EXIT_USAGE;
	}
	static const struct {
		const char *suffix; /* file name: NAME + suffix, or the name itself */
		const char *fixed;
		const char *text;
	} files[] = {{".c", NULL, scenario_c},
	             {NULL, "Makefile", makefile},
	             {NULL, "CMakeLists.txt", cmakelists}};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[256];
		if (files[i].suffix)
			snprintf(path, sizeof(path), "%s/%s%s", name, name, files[i].suffix);
		else
			snprintf(path, sizeof(path), "%s/%s", name, files[i].fixed);
		struct subst s = {files[i].text, name, cname};
		int rc = cli_write_whole(path, "new", expand, &s);
		if (rc)
			return rc;
	}
	printf("cohsim new: wrote %s/%s.c, %s/Makefile and %s/CMakeLists.txt\n"
	       "  build:  make -C %s   (or: cmake -S %s -B %s/build && cmake --build %s/build)\n"
	       "  run:    cohsim run --load ./%s/%s.so %s\n",
	       name, name, name, name, name, name, name, name, name, name, name);
	return EXIT_CLEAN;
}
