/*
 * directives.c - the keywords of a litmus file and what each one does.
 *
 * Interface: coh__litmus_keyword() finds a keyword in the `keywords` table,
 * which states its class (arch, machine directive, thread, CPU or system
 * operation, signal/wait), how many operands it takes, its usage line and its
 * handler; parse.c checks the class and the operand count, then calls the
 * handler with the operands. coh_litmus_opcode_name() names an operation.
 *
 * Invariants: a handler checks everything that can be checked without
 * running (numbers, ranges, alignment, overlapping maps, CPUs, sizes,
 * values) and reports the first error through coh__litmus_fail(); an
 * operation that passes is appended to the setup or to the thread being read.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "litmus/parse_impl.h"

#define MAX_MEM_SIZE ((size_t)COH_PA_LIMIT)

/* ---- tokens ---- */

static bool parse_u64(const char *s, uint64_t *out)
{
	unsigned base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	uint64_t v = 0;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static int number(struct parser *p, const char *tok, const char *what, uint64_t *out)
{
	if (!parse_u64(tok, out))
		return coh__litmus_fail(
		    p, "bad number '%s' for %s (decimal or 0x-hex, at most 64 bits)", tok, what);
	return COH_OK;
}

static bool pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

int coh__litmus_cpu_number(struct parser *p, const char *tok, unsigned *cpu)
{
	uint64_t n;
	if (strncmp(tok, "cpu", 3) != 0 || !parse_u64(tok + 3, &n) || (tok[3] == '0' && tok[4]))
		return coh__litmus_fail(p, "bad CPU '%s' (cpu0 .. cpu%u)", tok, p->lt->ncpus - 1);
	if (n >= p->lt->ncpus)
		return coh__litmus_fail(
		    p, "%s is out of range: the test has %u CPU%s (cpu0 .. cpu%u)", tok,
		    p->lt->ncpus, p->lt->ncpus == 1 ? "" : "s", p->lt->ncpus - 1);
	*cpu = (unsigned)n;
	return COH_OK;
}

static int access_size(struct parser *p, const char *tok, unsigned *size)
{
	static const char *const names[] = {"u8", "u16", "u32", "u64"};
	for (unsigned i = 0; i < 4; i++) {
		if (strcmp(tok, names[i]) == 0) {
			*size = 1u << i;
			return COH_OK;
		}
	}
	uint64_t n;
	if (parse_u64(tok, &n)) {
		if (!pow2(n))
			return coh__litmus_fail(
			    p, "size %s is not a power of two (u8, u16, u32 or u64)", tok);
		if (n > 8)
			return coh__litmus_fail(p, "size %s is too large (u8, u16, u32 or u64)",
			                        tok);
		*size = (unsigned)n;
		return COH_OK;
	}
	return coh__litmus_fail(p, "bad size '%s' (u8, u16, u32 or u64)", tok);
}

static int value_fits(struct parser *p, uint64_t v, unsigned size)
{
	if (size < 8 && v >> (8 * size))
		return coh__litmus_fail(p, "value 0x%" PRIx64 " does not fit in u%u", v, 8 * size);
	return COH_OK;
}

/* ---- the test being built ---- */

static unsigned page_size(const struct parser *p)
{
	return p->lt->page_size ? p->lt->page_size : p->lt->arch->page_size;
}

/* Declared memory: the ram banks, or [0, mem-size), or (neither given)
 * every PA below 2^40. */
static bool declared(const struct parser *p, uint64_t pa, uint64_t len)
{
	const coh_litmus *lt = p->lt;
	if (!lt->nram) {
		uint64_t end = lt->mem_size ? lt->mem_size : COH_PA_LIMIT;
		return pa <= end && len <= end - pa;
	}
	for (unsigned i = 0; i < lt->nram; i++) {
		const struct coh_ram_bank *b = &lt->ram[i];
		if (pa >= b->base && pa - b->base <= b->size && len <= b->base + b->size - pa)
			return true;
	}
	return false;
}

static struct coh__op_list *current_list(struct parser *p)
{
	return p->thread >= 0 ? &p->lt->thread_ops[p->thread] : &p->lt->setup;
}

static int append(struct parser *p, const coh_litmus_op *op)
{
	struct coh__op_list *l = current_list(p);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		coh_litmus_op *ops = realloc(l->ops, cap * sizeof(*ops));
		if (!ops)
			return COH_ENOMEM;
		l->ops = ops;
		l->cap = cap;
	}
	l->ops[l->n++] = *op;
	p->seen_op = true;
	return COH_OK;
}

/* VA ranges mapped so far (vaset.c), to refuse overlapping maps. */
static int track_map(struct parser *p, coh_addr_t va, uint64_t len)
{
	const struct coh__varange *r = coh__vaset_overlap(&p->maps, va, va + len - 1);
	if (r)
		return coh__litmus_fail(p,
		                        "map [0x%" PRIx64 ", 0x%" PRIx64
		                        ") overlaps the mapping of line %u"
		                        " [0x%" PRIx64 ", 0x%" PRIx64 ")",
		                        va, va + len, r->line, r->va, r->last + 1);
	return coh__vaset_add(&p->maps, va, va + len - 1, p->line);
}

/* Removes [va, va+len) from the tracked mappings, splitting them as needed. */
static int track_unmap(struct parser *p, coh_addr_t va, uint64_t len)
{
	return coh__vaset_remove(&p->maps, va, va + len - 1);
}

/* ---- directives ---- */

static int do_arch(struct parser *p, const struct keyword *k, int cpu, char **arg, unsigned n)
{
	(void)k, (void)cpu, (void)n;
	const coh_arch *a = coh_arch_find(arg[0]);
	if (!a) {
		char valid[256] = "";
		for (size_t i = 0; i < coh_arch_count(); i++)
			snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
			         i ? ", " : "", coh_arch_at(i)->name);
		return coh__litmus_fail(p, "unknown arch '%s' (valid: %s)", arg[0], valid);
	}
	p->lt->arch = a;
	p->arch_line = p->line;
	return COH_OK;
}

static int do_config(struct parser *p, const struct keyword *k, int cpu, char **arg, unsigned n)
{
	(void)cpu, (void)n;
	uint64_t v;
	int st = number(p, arg[0], k->name, &v);
	if (st)
		return st;
	switch ((enum cfg_directive)k->code) {
	case CFG_CPUS:
		if (v < 1 || v > COH_MAX_CPUS)
			return coh__litmus_fail(p, "cpus %s is out of range (1 .. %u)", arg[0],
			                        COH_MAX_CPUS);
		p->lt->ncpus = (unsigned)v;
		break;
	case CFG_PAGE:
		if (!pow2(v) || v < 256 || v > (1u << 16))
			return coh__litmus_fail(
			    p, "page-size %s is not a power of two between 256 and 65536", arg[0]);
		if (v < p->lt->arch->l1.line_size)
			return coh__litmus_fail(
			    p, "page-size %s is smaller than the %s line size (%u)", arg[0],
			    p->lt->arch->name, p->lt->arch->l1.line_size);
		if (p->cfg_line[CFG_MEM] && p->lt->mem_size % v)
			return coh__litmus_fail(p, "page-size %s does not divide mem-size 0x%zx",
			                        arg[0], p->lt->mem_size);
		for (unsigned i = 0; i < p->lt->nram; i++)
			if (p->lt->ram[i].base % v || p->lt->ram[i].size % v)
				return coh__litmus_fail(
				    p, "page-size %s does not divide the ram bank of line %u",
				    arg[0], p->ram_line[i]);
		p->lt->page_size = (unsigned)v;
		break;
	case CFG_MEM:
		if (p->lt->nram)
			return coh__litmus_fail(
			    p, "mem-size and ram lines exclude each other (ram at line %u)",
			    p->ram_line[0]);
		if (v < page_size(p) || v > MAX_MEM_SIZE || v % page_size(p))
			return coh__litmus_fail(
			    p,
			    "mem-size %s must be a multiple of the page size (0x%x), at most "
			    "0x%zx",
			    arg[0], page_size(p), MAX_MEM_SIZE);
		p->lt->mem_size = (size_t)v;
		break;
	case CFG_SEED:
		p->lt->seed = v;
		break;
	case CFG_RAM:
		break; /* do_ram */
	}
	return COH_OK;
}

/* ram BASE SIZE: one bank of declared memory. */
static int do_ram(struct parser *p, const struct keyword *k, int cpu, char **arg, unsigned n)
{
	(void)k, (void)cpu, (void)n;
	coh_litmus *lt = p->lt;
	uint64_t base, size;
	int st;
	if ((st = number(p, arg[0], "BASE", &base)) || (st = number(p, arg[1], "SIZE", &size)))
		return st;
	if (p->cfg_line[CFG_MEM])
		return coh__litmus_fail(
		    p, "mem-size and ram lines exclude each other (mem-size at line %u)",
		    p->cfg_line[CFG_MEM]);
	if (lt->nram == COH_MAX_RAM_BANKS)
		return coh__litmus_fail(p, "more than %u ram banks", COH_MAX_RAM_BANKS);
	if (size == 0)
		return coh__litmus_fail(p, "ram bank at 0x%" PRIx64 " is empty", base);
	if (base % page_size(p) || size % page_size(p))
		return coh__litmus_fail(p,
		                        "ram bank [0x%" PRIx64 ", +0x%" PRIx64
		                        ") is not aligned to the page size (0x%x)",
		                        base, size, page_size(p));
	if (base >= COH_PA_LIMIT || size > COH_PA_LIMIT - base)
		return coh__litmus_fail(p,
		                        "ram bank [0x%" PRIx64 ", +0x%" PRIx64
		                        ") reaches beyond the physical address space (2^40)",
		                        base, size);
	for (unsigned i = 0; i < lt->nram; i++) {
		const struct coh_ram_bank *o = &lt->ram[i];
		if (base < o->base + o->size && o->base < base + size)
			return coh__litmus_fail(p,
			                        "ram bank [0x%" PRIx64 ", +0x%" PRIx64
			                        ") overlaps the bank of line %u",
			                        base, size, p->ram_line[i]);
	}
	p->ram_line[lt->nram] = p->line;
	lt->ram[lt->nram++] = (struct coh_ram_bank){base, size};
	return COH_OK;
}

static bool valid_name(const char *s)
{
	for (const char *c = s; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && *c != '_' && *c != '-' && *c != '.')
			return false;
	return *s != 0 && strlen(s) <= 32;
}

static int do_thread(struct parser *p, const struct keyword *k, int cpu, char **arg, unsigned n)
{
	(void)cpu, (void)n;
	coh_litmus *lt = p->lt;
	if (strcmp(k->name, "end") == 0) {
		if (p->thread < 0)
			return coh__litmus_fail(p, "'end' without 'thread'");
		p->thread = -1;
		return COH_OK;
	}
	if (p->thread >= 0)
		return coh__litmus_fail(p,
		                        "'thread' inside thread '%s' of line %u (missing 'end'?)",
		                        lt->threads[p->thread].name, lt->threads[p->thread].line);
	if (!valid_name(arg[0]))
		return coh__litmus_fail(
		    p, "bad thread name '%s' (letters, digits, '_', '-', '.'; at most 32)", arg[0]);
	for (size_t i = 0; i < lt->nthreads; i++)
		if (strcmp(lt->threads[i].name, arg[0]) == 0)
			return coh__litmus_fail(p, "thread '%s' is already defined at line %u",
			                        arg[0], lt->threads[i].line);
	if (lt->nthreads == COH__LITMUS_MAX_THREADS)
		return coh__litmus_fail(p, "too many threads (at most %d)",
		                        COH__LITMUS_MAX_THREADS);
	unsigned c;
	int st = coh__litmus_cpu_number(p, arg[1], &c);
	if (st)
		return st;
	size_t i = lt->nthreads;
	lt->thread_names[i] = strdup(arg[0]);
	if (!lt->thread_names[i])
		return COH_ENOMEM;
	lt->threads[i] = (coh_litmus_thread){lt->thread_names[i], c, p->line, NULL, 0};
	lt->nthreads++;
	p->thread = (int)i;
	return COH_OK;
}

static int do_sync(struct parser *p, const struct keyword *k, int cpu, char **arg, unsigned n)
{
	(void)n;
	if (!valid_name(arg[0]))
		return coh__litmus_fail(
		    p, "bad name '%s' for %s (letters, digits, '_', '-', '.'; at most 32)", arg[0],
		    k->name);
	coh_litmus_op op = {.code = (enum coh_litmus_opcode)k->code, .line = p->line, .cpu = cpu};
	int st = coh__litmus_sync_name(p->lt, arg[0], &op.sync);
	if (st == COH_ERANGE)
		return coh__litmus_fail(p, "too many names for signal and wait (at most %d)",
		                        COH__LITMUS_MAX_SYNC);
	return st ? st : append(p, &op);
}

/* Checks that [a, a+len) does not wrap around the 64-bit space. */
static int no_wrap(struct parser *p, const char *what, uint64_t a, uint64_t len)
{
	if (len && a > UINT64_MAX - (len - 1))
		return coh__litmus_fail(p, "%s 0x%" PRIx64 " + length 0x%" PRIx64 " wraps around",
		                        what, a, len);
	return COH_OK;
}

static int in_memory(struct parser *p, uint64_t pa, uint64_t len)
{
	if (declared(p, pa, len))
		return COH_OK;
	if (p->lt->nram)
		return coh__litmus_fail(
		    p, "PA range [0x%" PRIx64 ", +0x%" PRIx64 ") is outside the declared ram banks",
		    pa, len);
	if (p->lt->mem_size)
		return coh__litmus_fail(p,
		                        "PA range [0x%" PRIx64 ", +0x%" PRIx64
		                        ") is outside memory (mem-size "
		                        "0x%zx)",
		                        pa, len, p->lt->mem_size);
	return coh__litmus_fail(p,
	                        "PA range [0x%" PRIx64 ", +0x%" PRIx64
	                        ") is beyond the physical address space (2^40)",
	                        pa, len);
}

static int page_aligned(struct parser *p, const char *what, uint64_t x)
{
	if (x % page_size(p))
		return coh__litmus_fail(p, "%s 0x%" PRIx64 " is not page-aligned (page size 0x%x)",
		                        what, x, page_size(p));
	return COH_OK;
}

static int do_op(struct parser *p, const struct keyword *k, int cpu, char **arg, unsigned n)
{
	coh_litmus_op op = {.code = (enum coh_litmus_opcode)k->code, .line = p->line, .cpu = cpu};
	uint64_t v[3] = {0};
	int st = COH_OK;

	switch (op.code) {
	case COH_LOP_MAP:
		for (unsigned i = 0; i < 3 && !st; i++)
			st = number(p, arg[i], i == 0 ? "VA" : i == 1 ? "PA" : "LEN", &v[i]);
		if (st)
			return st;
		op.va = v[0], op.pa = v[1], op.len = v[2];
		if (n == 4) {
			if (strcmp(arg[3], "uncached") == 0)
				op.attr = COH_ATTR_UNCACHED;
			else if (strcmp(arg[3], "writethrough") == 0)
				op.attr = COH_ATTR_WT;
			else if (strcmp(arg[3], "cached") == 0)
				op.attr = COH_ATTR_WB;
			else
				return coh__litmus_fail(
				    p, "bad map attribute '%s' (uncached, writethrough or cached)",
				    arg[3]);
		}
		if (op.len == 0)
			return coh__litmus_fail(p, "map length is zero");
		if ((st = page_aligned(p, "map VA", op.va)) ||
		    (st = page_aligned(p, "map PA", op.pa)) ||
		    (st = page_aligned(p, "map length", op.len)) ||
		    (st = no_wrap(p, "map VA", op.va, op.len)) ||
		    (st = in_memory(p, op.pa, op.len)))
			return st;
		if ((op.va + op.len - 1) / page_size(p) >= (1ull << 52) / 2)
			return coh__litmus_fail(
			    p, "map VA 0x%" PRIx64 " is beyond the simulated VA space", op.va);
		if ((st = track_map(p, op.va, op.len)))
			return st;
		break;
	case COH_LOP_UNMAP:
		for (unsigned i = 0; i < 2 && !st; i++)
			st = number(p, arg[i], i == 0 ? "VA" : "LEN", &v[i]);
		if (st)
			return st;
		op.va = v[0], op.len = v[1];
		if (op.len == 0)
			return coh__litmus_fail(p, "unmap length is zero");
		if ((st = page_aligned(p, "unmap VA", op.va)) ||
		    (st = page_aligned(p, "unmap length", op.len)) ||
		    (st = no_wrap(p, "unmap VA", op.va, op.len)) ||
		    (st = track_unmap(p, op.va, op.len)))
			return st;
		break;
	case COH_LOP_STORE:
	case COH_LOP_LOAD:
		if ((st = number(p, arg[0], "VA", &op.va)) ||
		    (st = access_size(p, arg[1], &op.size)) ||
		    (st = no_wrap(p, "VA", op.va, op.size)))
			return st;
		if (op.code == COH_LOP_STORE) {
			if (n != 3)
				return coh__litmus_fail(p, "usage: %s", k->usage);
			if ((st = number(p, arg[2], "VALUE", &op.value)) ||
			    (st = value_fits(p, op.value, op.size)))
				return st;
		} else if (n > 2) {
			if (strcmp(arg[2], "expect") != 0)
				return coh__litmus_fail(p, "unexpected '%s' after load (usage: %s)",
				                        arg[2], k->usage);
			if (n != 4)
				return coh__litmus_fail(p, "'expect' needs a VALUE (usage: %s)",
				                        k->usage);
			if ((st = number(p, arg[3], "expect VALUE", &op.value)) ||
			    (st = value_fits(p, op.value, op.size)))
				return st;
			op.expect = true;
		}
		break;
	case COH_LOP_CLEAN:
	case COH_LOP_INVAL:
	case COH_LOP_FLUSH:
		if ((st = number(p, arg[0], "VA", &op.va)) ||
		    (st = number(p, arg[1], "LEN", &op.len)))
			return st;
		if (op.len == 0)
			return coh__litmus_fail(p, "%s length is zero", k->name);
		if ((st = no_wrap(p, "VA", op.va, op.len)))
			return st;
		break;
	case COH_LOP_EVICT:
	case COH_LOP_PREFETCH:
		if ((st = number(p, arg[0], "VA", &op.va)))
			return st;
		break;
	case COH_LOP_FLUSH_ALL:
		break;
	case COH_LOP_DMA_READ:
	case COH_LOP_DMA_WRITE:
		if ((st = number(p, arg[0], "PA", &op.pa)) ||
		    (st = number(p, arg[1], "LEN", &op.len)))
			return st;
		if (op.len == 0)
			return coh__litmus_fail(p, "%s length is zero", k->name);
		if ((st = in_memory(p, op.pa, op.len)))
			return st;
		if (op.code == COH_LOP_DMA_WRITE && ((st = number(p, arg[2], "BYTE", &op.value)) ||
		                                     (st = value_fits(p, op.value, 1))))
			return st;
		break;
	case COH_LOP_SIGNAL: /* do_sync */
	case COH_LOP_WAIT:
	case COH_LOP_COUNT:
		break;
	}
	return append(p, &op);
}

static const struct keyword keywords[] = {
    {"arch", KW_ARCH, 0, 1, 1, "arch NAME", do_arch},
    {"cpus", KW_CONFIG, CFG_CPUS, 1, 1, "cpus N", do_config},
    {"mem-size", KW_CONFIG, CFG_MEM, 1, 1, "mem-size BYTES", do_config},
    {"page-size", KW_CONFIG, CFG_PAGE, 1, 1, "page-size BYTES", do_config},
    {"seed", KW_CONFIG, CFG_SEED, 1, 1, "seed N", do_config},
    {"ram", KW_CONFIG, CFG_RAM, 2, 2, "ram BASE SIZE", do_ram},
    {"thread", KW_THREAD, 0, 2, 2, "thread NAME cpuN", do_thread},
    {"end", KW_THREAD, 0, 0, 0, "end", do_thread},
    {"map", KW_SYS_OP, COH_LOP_MAP, 3, 4, "map VA PA LEN [uncached|writethrough|cached]", do_op},
    {"unmap", KW_SYS_OP, COH_LOP_UNMAP, 2, 2, "unmap VA LEN", do_op},
    {"store", KW_CPU_OP, COH_LOP_STORE, 3, 3, "[cpuN:] store VA SIZE VALUE", do_op},
    {"load", KW_CPU_OP, COH_LOP_LOAD, 2, 4, "[cpuN:] load VA SIZE [expect VALUE]", do_op},
    {"clean", KW_CPU_OP, COH_LOP_CLEAN, 2, 2, "[cpuN:] clean VA LEN", do_op},
    {"inval", KW_CPU_OP, COH_LOP_INVAL, 2, 2, "[cpuN:] inval VA LEN", do_op},
    {"flush", KW_CPU_OP, COH_LOP_FLUSH, 2, 2, "[cpuN:] flush VA LEN", do_op},
    {"flush-all", KW_CPU_OP, COH_LOP_FLUSH_ALL, 0, 0, "[cpuN:] flush-all", do_op},
    {"evict", KW_CPU_OP, COH_LOP_EVICT, 1, 1, "[cpuN:] evict VA", do_op},
    {"prefetch", KW_CPU_OP, COH_LOP_PREFETCH, 1, 1, "[cpuN:] prefetch VA", do_op},
    {"dma-read", KW_SYS_OP, COH_LOP_DMA_READ, 2, 2, "dma-read PA LEN", do_op},
    {"dma-write", KW_SYS_OP, COH_LOP_DMA_WRITE, 3, 3, "dma-write PA LEN BYTE", do_op},
    {"signal", KW_SYNC, COH_LOP_SIGNAL, 1, 1, "signal NAME", do_sync},
    {"wait", KW_SYNC, COH_LOP_WAIT, 1, 1, "wait NAME", do_sync},
};

const char *coh_litmus_opcode_name(enum coh_litmus_opcode op)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if ((keywords[i].cls == KW_CPU_OP || keywords[i].cls == KW_SYS_OP ||
		     keywords[i].cls == KW_SYNC) &&
		    keywords[i].code == (int)op)
			return keywords[i].name;
	return "?";
}

const struct keyword *coh__litmus_keyword(const char *name)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcmp(keywords[i].name, name) == 0)
			return &keywords[i];
	return NULL;
}
