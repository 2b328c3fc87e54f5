/*
 * cmd_trace.c - `cohsim trace FILE`: replays an address trace (valgrind
 * lackey or Dinero din, trace.h) through the simulated caches, with the
 * oracle on (docs/trace.md).
 *
 * The machine: --arch A, or --d1 SIZE,WAYS,LINE[,R] (a PIPT write-back,
 * write-allocate L1 of that geometry, 4 KiB pages), or x86; --cpus N CPUs;
 * 1 GiB of simulated memory (MEM_SIZE).
 *
 * Addresses are user VAs. A page is mapped when the trace first touches it,
 * to a frame of its own whose colour (the PA bits above the page offset
 * that a physically indexed cache uses) is the VA's: so a PIPT cache sets
 * and matches lines exactly as it would with PA = VA. --map VA:PA:LEN[:ATTR]
 * (or a file of such lines) maps ranges first, to make aliases.
 *
 * A store writes the access's number (its bytes repeated), so that the
 * oracle can tell versions apart: a load that returns an older one is a
 * stale read, exactly as in a scenario. Memory use: the reader's line
 * buffer, the machine, and the oracle's shadow of the pages written; never
 * the trace's length.
 *
 * --cachegrind-compat counts as cachegrind does (docs/trace.md lists each
 * difference): M is one read, an access longer than a line is cut to one
 * line, and an access that straddles two lines is one access and at most
 * one miss.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "trace.h"

#define MEM_SIZE (1ull << 30)
#define PAGE 4096u
#define PAGE_SHIFT 12
#define MAPPED_CACHE 1024 /* pages remembered as mapped, direct-mapped */

struct tracer {
	const struct cli_opts *o;
	coh_arch arch; /* for --d1 */
	char arch_name[64];
	coh_machine *m;
	coh_check *chk;
	unsigned ncolours;
	uint64_t nframes;
	uint8_t *reserved;    /* per frame: taken by --map or already given out */
	uint64_t *next_frame; /* per colour: the next frame to try */
	uint64_t mapped[MAPPED_CACHE];
	uint64_t pages; /* mapped on demand */
	unsigned cpu, line;
	uint8_t *buf; /* for accesses of other sizes than 1, 2, 4, 8 */
	/* what the trace held */
	uint64_t n, loads, stores, modifies, ifetches, ifetch_skipped, flushes;
	/* --cachegrind-compat: line misses beyond the first of a straddling access */
	uint64_t cg_extra_rmiss, cg_extra_wmiss;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *repl_name(enum coh_repl r)
{
	return r == COH_REPL_LRU ? "lru" : r == COH_REPL_RANDOM ? "random" : "rr";
}

/* ---- the machine ---- */

static const coh_arch *pick_arch(struct tracer *t)
{
	const struct cli_opts *o = t->o;
	if (!(o->given & OPT_D1))
		return o->arch ? o->arch : coh_arch_find("x86");
	coh_arch *a = &t->arch;
	memset(a, 0, sizeof(*a));
	snprintf(t->arch_name, sizeof(t->arch_name), "d1:%u,%u,%u,%s", o->d1.size, o->d1.ways,
	         o->d1.line, repl_name(o->d1.repl));
	a->name = t->arch_name;
	a->kind = "PIPT";
	a->stands_for = "the --d1 geometry";
	a->page_size = PAGE;
	a->l1.size = o->d1.size;
	a->l1.ways = o->d1.ways;
	a->l1.line_size = o->d1.line;
	a->l1.index = COH_FROM_PHYS;
	a->l1.tag = COH_FROM_PHYS;
	a->l1.write_allocate = true;
	a->l1.dirty_segments = 1;
	a->l1.repl = o->d1.repl;
	a->dma_coherent = true;
	a->maint_broadcast = true;
	return a;
}

/* Maps [va, va+len) to pa; "cohsim trace: --map ...: why" on failure. */
static int map_range(struct tracer *t, const char *what, uint64_t va, uint64_t pa, uint64_t len,
                     enum coh_attr attr)
{
	if (!len || (va | pa | len) & (PAGE - 1)) {
		fprintf(stderr, "%s: VA, PA and LEN must be multiples of %u, LEN > 0\n", what,
		        PAGE);
		return EXIT_USAGE;
	}
	if (pa >= MEM_SIZE || len > MEM_SIZE - pa || va + len - 1 < va) {
		fprintf(stderr, "%s: PA range outside the simulated memory (%llu MiB)\n", what,
		        (unsigned long long)(MEM_SIZE >> 20));
		return EXIT_USAGE;
	}
	int r = coh_map(t->m, COH_KERNEL_AS, va, pa, (size_t)len, attr);
	if (r) {
		fprintf(stderr, "%s: %s\n", what, coh_strerror(r));
		return EXIT_USAGE;
	}
	for (uint64_t f = pa >> PAGE_SHIFT; f < (pa + len) >> PAGE_SHIFT; f++)
		t->reserved[f] = 1;
	return 0;
}

/* "VA:PA:LEN[:wb|wt|uc]"; false if s is not of that form. */
static bool parse_map_spec(const char *s, uint64_t *va, uint64_t *pa, uint64_t *len,
                           enum coh_attr *attr)
{
	char *end;
	uint64_t v[3];
	const char *p = s;
	for (int i = 0; i < 3; i++) {
		if (*p < '0' || *p > '9')
			return false;
		v[i] = strtoull(p, &end, 0);
		if (end == p || (i < 2 && *end != ':'))
			return false;
		p = i < 2 ? end + 1 : end;
	}
	*attr = COH_ATTR_WB;
	if (*p == ':') {
		p++;
		if (!strcmp(p, "wt"))
			*attr = COH_ATTR_WT;
		else if (!strcmp(p, "uc"))
			*attr = COH_ATTR_UNCACHED;
		else if (strcmp(p, "wb") != 0)
			return false;
	} else if (*p) {
		return false;
	}
	*va = v[0];
	*pa = v[1];
	*len = v[2];
	return true;
}

/* A --map value: one mapping, or a file with one per line. */
static int add_map(struct tracer *t, const char *arg)
{
	uint64_t va, pa, len;
	enum coh_attr attr;
	char what[300];
	if (parse_map_spec(arg, &va, &pa, &len, &attr)) {
		snprintf(what, sizeof(what), "cohsim trace: --map '%s'", arg);
		return map_range(t, what, va, pa, len, attr);
	}
	FILE *f = fopen(arg, "r");
	if (!f) {
		fprintf(stderr,
		        "cohsim trace: --map '%s': neither VA:PA:LEN[:wb|wt|uc] nor a readable "
		        "map file\n",
		        arg);
		return EXIT_USAGE;
	}
	char line[512];
	unsigned no = 0;
	int rc = 0;
	while (!rc && fgets(line, sizeof(line), f)) {
		no++;
		snprintf(what, sizeof(what), "%s:%u", arg, no);
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "%s: line too long\n", what);
			rc = EXIT_USAGE;
			break;
		}
		char *p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || *p == '\r' || *p == 0)
			continue;
		p[strcspn(p, " \t\r\n#")] = 0; /* the spec, without blanks or a comment */
		if (!parse_map_spec(p, &va, &pa, &len, &attr)) {
			fprintf(stderr, "%s: expected VA:PA:LEN[:wb|wt|uc]\n", what);
			rc = EXIT_USAGE;
		} else {
			rc = map_range(t, what, va, pa, len, attr);
		}
	}
	fclose(f);
	return rc;
}

static int open_machine(struct tracer *t)
{
	const coh_arch *a = pick_arch(t);
	coh_machine_config cfg;
	coh_machine_config_init(&cfg, a);
	cfg.ncpus = t->o->cpus;
	cfg.mem_size = MEM_SIZE;
	cfg.page_size = PAGE;
	int r = coh_machine_create(&cfg, &t->m);
	if (r) {
		fprintf(stderr, "cohsim trace: cannot create the machine: %s\n", coh_strerror(r));
		return r == COH_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
	}
	coh_check_config cc;
	coh_check_config_init(&cc);
	if (coh_check_create(t->m, &cc, &t->chk))
		return EXIT_INTERNAL;
	unsigned way = a->l1.size / a->l1.ways;
	t->ncolours = way > PAGE ? way / PAGE : 1;
	t->nframes = MEM_SIZE / PAGE;
	t->line = a->l1.line_size;
	t->reserved = calloc(t->nframes, 1);
	t->next_frame = calloc(t->ncolours, sizeof(*t->next_frame));
	t->buf = malloc(65536);
	if (!t->reserved || !t->next_frame || !t->buf)
		return EXIT_INTERNAL;
	for (unsigned c = 0; c < t->ncolours; c++)
		t->next_frame[c] = c;
	for (int i = 0; i < t->o->nmaps; i++) {
		int rc = add_map(t, t->o->maps[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static void close_machine(struct tracer *t)
{
	if (t->chk)
		coh_check_destroy(t->chk);
	if (t->m)
		coh_machine_destroy(t->m);
	free(t->reserved);
	free(t->next_frame);
	free(t->buf);
}

/* Maps vpn's page to a free frame of its colour if it is not mapped yet. */
static int ensure_page(struct tracer *t, const struct trace_reader *rd, uint64_t vpn)
{
	uint64_t *slot = &t->mapped[vpn & (MAPPED_CACHE - 1)];
	if (*slot == vpn + 1)
		return 0;
	coh_addr_t pa;
	enum coh_attr attr;
	if (coh_translate(t->m, 0, vpn << PAGE_SHIFT, &pa, &attr) == COH_OK) {
		*slot = vpn + 1;
		return 0;
	}
	unsigned colour = (unsigned)(vpn % t->ncolours);
	uint64_t f = t->next_frame[colour];
	while (f < t->nframes && t->reserved[f])
		f += t->ncolours;
	if (f >= t->nframes) {
		fprintf(stderr,
		        "%s:%" PRIu64 ": the trace touches more pages than the simulated memory "
		        "holds (%llu MiB)\n",
		        rd->path, rd->lineno, (unsigned long long)(MEM_SIZE >> 20));
		return EXIT_USAGE;
	}
	t->reserved[f] = 1;
	t->next_frame[colour] = f + t->ncolours;
	int r = coh_map(t->m, COH_KERNEL_AS, vpn << PAGE_SHIFT, f << PAGE_SHIFT, PAGE, COH_ATTR_WB);
	if (r) {
		fprintf(stderr, "cohsim trace: mapping page 0x%" PRIx64 ": %s\n", vpn << PAGE_SHIFT,
		        coh_strerror(r));
		return EXIT_INTERNAL;
	}
	t->pages++;
	*slot = vpn + 1;
	return 0;
}

/* ---- replaying one access ---- */

static int do_load(struct tracer *t, uint64_t va, unsigned size)
{
	if (size == 1 || size == 2 || size == 4 || size == 8) {
		uint64_t v;
		return coh_load(t->m, t->cpu, va, size, &v);
	}
	return coh_read(t->m, t->cpu, va, t->buf, size);
}

static int do_store(struct tracer *t, uint64_t va, unsigned size)
{
	uint64_t v = t->n; /* the access's number: a new version */
	if (size == 1 || size == 2 || size == 4 || size == 8)
		return coh_store(t->m, t->cpu, va, size, v);
	for (unsigned i = 0; i < size; i++)
		t->buf[i] = (uint8_t)(v >> (8 * (i & 7)));
	return coh_write(t->m, t->cpu, va, t->buf, size);
}

/* Line misses of this CPU so far: reads (write = false) or writes. */
static uint64_t misses(const struct tracer *t, bool write)
{
	coh_stats st;
	coh_machine_stats(t->m, &st);
	return write ? st.cpu[t->cpu].write_misses : st.cpu[t->cpu].read_misses;
}

/* One load or store; under --cachegrind-compat an access that straddles
 * two lines counts at most one miss, as in cachegrind. */
static int access1(struct tracer *t, uint64_t va, unsigned size, bool write)
{
	bool two = t->o->compat && (va & (t->line - 1)) + size > t->line;
	uint64_t before = two ? misses(t, write) : 0;
	int r = write ? do_store(t, va, size) : do_load(t, va, size);
	if (two) {
		uint64_t d = misses(t, write) - before;
		if (d > 1)
			*(write ? &t->cg_extra_wmiss : &t->cg_extra_rmiss) += d - 1;
	}
	return r;
}

static int replay(struct tracer *t, struct trace_reader *rd, const struct trace_access *a)
{
	switch (a->kind) {
	case TRACE_CPU:
		if (a->cpu >= t->o->cpus) {
			fprintf(stderr, "%s:%" PRIu64 ": cpu %u, but the machine has %u (--cpus)\n",
			        rd->path, rd->lineno, a->cpu, t->o->cpus);
			return EXIT_USAGE;
		}
		t->cpu = a->cpu;
		return 0;
	case TRACE_FLUSH:
		t->flushes++;
		coh_cache_flush_all(t->m, t->cpu);
		return 0;
	case TRACE_IFETCH:
		t->ifetches++;
		if (!t->o->icache) {
			t->ifetch_skipped++;
			return 0;
		}
		break;
	default:
		break;
	}
	unsigned size = a->size;
	/* cachegrind cuts an access (fxsave's 512 bytes, say) to its smallest
	 * line size, so that it never spans more than two lines */
	if (t->o->compat && size > t->line)
		size = t->line;
	for (uint64_t p = a->addr >> PAGE_SHIFT; p <= (a->addr + size - 1) >> PAGE_SHIFT; p++) {
		int rc = ensure_page(t, rd, p);
		if (rc)
			return rc;
	}
	t->n++;
	int r = 0;
	switch (a->kind) {
	case TRACE_LOAD:
	case TRACE_IFETCH:
		t->loads++;
		r = access1(t, a->addr, size, false);
		break;
	case TRACE_STORE:
		t->stores++;
		r = access1(t, a->addr, size, true);
		break;
	case TRACE_MODIFY:
		t->modifies++;
		r = access1(t, a->addr, size, false);
		if (!r && !t->o->compat)
			r = access1(t, a->addr, size, true);
		break;
	default:
		break;
	}
	if (r) {
		fprintf(stderr, "%s:%" PRIu64 ": the access failed: %s\n", rd->path, rd->lineno,
		        coh_strerror(r));
		return EXIT_INTERNAL;
	}
	return 0;
}

/* ---- the report ---- */

static void progress(const struct tracer *t, const struct trace_reader *rd, double t0, bool final)
{
	double el = now_s() - t0;
	fprintf(stderr, "\rtrace: %" PRIu64 " lines, %" PRIu64 " accesses, %.1f MB, %.2f M acc/s",
	        rd->lineno, t->n, (double)rd->bytes / 1e6, el > 0 ? (double)t->n / el / 1e6 : 0.0);
	fputs(final ? "\n" : "   ", stderr);
	fflush(stderr);
}

static void print_text(FILE *out, const struct tracer *t, const struct trace_reader *rd,
                       const struct cli_result *r, const coh_stats *st)
{
	const coh_cache_geometry *g = &coh_machine_arch(t->m)->l1;
	for (size_t i = 0; !t->o->quiet && i < r->nfindings; i++)
		fputs(r->findings[i].text, out);
	fprintf(out,
	        "trace: %" PRIu64 " loads, %" PRIu64 " stores, %" PRIu64 " modifies, %" PRIu64
	        " instruction fetches (%s), %" PRIu64 " flushes; %" PRIu64 " pages\n",
	        t->loads - (t->o->icache ? t->ifetches : 0), t->stores, t->modifies, t->ifetches,
	        t->o->icache ? "as loads" : "skipped", t->flushes, t->pages);
	fprintf(out, "cache: %s, %u B, %u-way, %u B lines, %s, %s\n", coh_machine_arch(t->m)->kind,
	        g->size, g->ways, g->line_size, repl_name(g->repl),
	        g->write_through    ? "write-through"
	        : g->write_allocate ? "write-back, write-allocate"
	                            : "write-back, no write-allocate");
	if (t->o->stats)
		cli_stats_print_text(out, st);
	if (t->o->compat)
		fprintf(out,
		        "cachegrind: Dr %" PRIu64 " D1mr %" PRIu64 " Dw %" PRIu64 " D1mw %" PRIu64
		        "\n",
		        st->cpu[0].loads, st->cpu[0].read_misses - t->cg_extra_rmiss,
		        st->cpu[0].stores, st->cpu[0].write_misses - t->cg_extra_wmiss);
	char kinds[256];
	cli_result_kinds(r, kinds, sizeof(kinds));
	fprintf(out, "cohsim: %s (%s) on %s: %" PRIu64 " accesses; ", r->scenario,
	        trace_format_name(rd->format), r->arch, t->n);
	if (r->nfindings)
		fprintf(out, "%zu finding%s (%s)\n", r->nfindings, r->nfindings == 1 ? "" : "s",
		        kinds);
	else
		fprintf(out, "no finding\n");
}

static void print_json(FILE *out, const struct tracer *t, const struct trace_reader *rd,
                       const struct cli_result *r, const coh_stats *st)
{
	const coh_cache_geometry *g = &coh_machine_arch(t->m)->l1;
	fputs("{\"trace\":", out);
	coh_json_string(out, r->scenario);
	fprintf(out, ",\"format\":\"%s\",\"arch\":", trace_format_name(rd->format));
	coh_json_string(out, r->arch);
	fprintf(out,
	        ",\"cache\":{\"size\":%u,\"ways\":%u,\"line\":%u,\"repl\":\"%s\"},"
	        "\"accesses\":%" PRIu64 ",\"loads\":%" PRIu64 ",\"stores\":%" PRIu64
	        ",\"modifies\":%" PRIu64 ",\"ifetches\":%" PRIu64 ",\"flushes\":%" PRIu64
	        ",\"pages\":%" PRIu64 ",",
	        g->size, g->ways, g->line_size, repl_name(g->repl), t->n,
	        t->loads - (t->o->icache ? t->ifetches : 0), t->stores, t->modifies, t->ifetches,
	        t->flushes, t->pages);
	if (t->o->stats) {
		cli_stats_print_json(out, st);
		fputc(',', out);
	}
	if (t->o->compat)
		fprintf(out,
		        "\"cachegrind\":{\"Dr\":%" PRIu64 ",\"D1mr\":%" PRIu64 ",\"Dw\":%" PRIu64
		        ",\"D1mw\":%" PRIu64 "},",
		        st->cpu[0].loads, st->cpu[0].read_misses - t->cg_extra_rmiss,
		        st->cpu[0].stores, st->cpu[0].write_misses - t->cg_extra_wmiss);
	fprintf(out, "\"elapsed_s\":%.6f,\"findings\":[", r->elapsed_s);
	for (size_t i = 0; i < r->nfindings; i++)
		fprintf(out, "%s\n  %s", i ? "," : "", r->findings[i].json);
	fprintf(out, "%s]}\n", r->nfindings ? "\n" : "");
}

static int emit(const struct tracer *t, const struct trace_reader *rd, struct cli_result *r)
{
	coh_stats st;
	coh_machine_stats(t->m, &st);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return EXIT_INTERNAL;
	if (t->o->json)
		print_json(out, t, rd, r, &st);
	else
		print_text(out, t, rd, r, &st);
	int rc = fclose(out) ? EXIT_INTERNAL : cli_flush_stdout(buf, len);
	free(buf);
	return rc ? rc : r->nfindings ? EXIT_FINDINGS : EXIT_CLEAN;
}

/* --cachegrind-compat needs a cache that cachegrind could be: LRU,
 * write-allocate, write-back, plainly indexed, one CPU, VA = PA. */
static int check_compat(const struct cli_opts *o)
{
	const coh_arch *a = o->arch ? o->arch : coh_arch_find("x86");
	const char *why = NULL;
	if (o->given & OPT_D1)
		why = o->d1.repl != COH_REPL_LRU ? "its replacement is LRU" : NULL;
	else if (a->l1.repl != COH_REPL_LRU || !a->l1.write_allocate || a->l1.write_through ||
	         a->l1.hash_top_bit)
		why = "its D1 is LRU, write-allocate, write-back, plainly indexed (use --d1)";
	if (!why && o->cpus != 1)
		why = "it simulates one CPU (no --cpus)";
	if (!why && o->nmaps)
		why = "it sees no aliases (no --map)";
	if (!why && o->icache)
		why = "its I1 is a cache of its own (no --icache)";
	if (why) {
		fprintf(stderr, "cohsim trace: --cachegrind-compat: %s\n", why);
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_trace(const struct cli_opts *o)
{
	if (o->nargs != 1) {
		fprintf(stderr,
		        "cohsim trace: %s (usage: cohsim trace FILE [options]; - is stdin)\n",
		        o->nargs ? "one FILE only" : "missing FILE");
		return EXIT_USAGE;
	}
	if ((o->given & OPT_ARCH) && (o->given & OPT_D1)) {
		fprintf(stderr, "cohsim trace: --arch and --d1 both name the cache; give one\n");
		return EXIT_USAGE;
	}
	if (o->compat && check_compat(o))
		return EXIT_USAGE;
	double t0 = now_s();
	struct tracer t;
	memset(&t, 0, sizeof(t));
	t.o = o;
	struct trace_reader rd;
	enum trace_format fmt = !o->format                  ? TRACE_AUTO
	                        : !strcmp(o->format, "din") ? TRACE_DIN
	                                                    : TRACE_LACKEY;
	if (trace_open(&rd, o->args[0], fmt))
		return EXIT_USAGE;
	int rc = open_machine(&t);
	bool show = !o->quiet && isatty(STDERR_FILENO);
	double last = t0;
	uint64_t records = 0;
	struct trace_access a;
	while (!rc) {
		int got = trace_next(&rd, &a);
		if (got <= 0) {
			rc = got < 0 ? EXIT_USAGE : 0;
			break;
		}
		rc = replay(&t, &rd, &a);
		if (show && (++records & 0xffff) == 0 && now_s() - last > 0.25) {
			progress(&t, &rd, t0, false);
			last = now_s();
		}
	}
	if (show && records > 0xffff)
		progress(&t, &rd, t0, true);
	if (!rc) {
		struct cli_result r;
		memset(&r, 0, sizeof(r));
		r.scenario = o->args[0];
		r.arch = coh_machine_arch(t.m)->name;
		r.strategy = "trace";
		r.seed = 1;
		r.schedules = 1;
		r.complete = true;
		if (cli_result_add_check(&r, t.chk))
			rc = EXIT_INTERNAL;
		r.elapsed_s = now_s() - t0;
		if (!rc) {
			rc = emit(&t, &rd, &r);
			if (!o->quiet)
				fprintf(stderr,
				        "cohsim trace: %" PRIu64
				        " accesses in %.3f s (%.2f M acc/s)\n",
				        t.n, r.elapsed_s,
				        r.elapsed_s > 0 ? (double)t.n / r.elapsed_s / 1e6 : 0.0);
		}
		cli_result_free(&r);
	}
	trace_close(&rd);
	close_machine(&t);
	return rc;
}
