/*
 * run.c - the litmus runner: one parsed operation at a time, on a machine
 * with a checker attached.
 *
 * Interface: coh_litmus_machine_config() turns the test's directives into a
 * machine config; coh_litmus_exec() runs one operation (what a scheduler's
 * task calls for each op of its thread); coh_litmus_run() is the sequential
 * run: setup ops, then each thread to its end, in file order (a thread
 * that waits for a signal not sent yet lets the next one run).
 *
 * Every op first sets the machine's site to its line, so each event and
 * each finding names the litmus line that caused it. Findings are not
 * errors: after a stale read or a bad access the run goes on.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "litmus/litmus_impl.h"

int coh_litmus_machine_config(const coh_litmus *lt, const coh_arch *arch, coh_machine_config *cfg,
                              coh_litmus_error *err)
{
	if (!arch)
		arch = lt->arch;
	coh_machine_config_init(cfg, arch);
	cfg->ncpus = lt->ncpus;
	/* neither mem-size nor ram: undeclared, any PA below 2^40 */
	cfg->mem_size = lt->mem_size;
	cfg->nram = lt->nram;
	memcpy(cfg->ram, lt->ram, sizeof(cfg->ram));
	cfg->page_size = lt->page_size;
	cfg->seed = lt->seed;
	unsigned page = lt->page_size ? lt->page_size : arch->page_size;
	if (page < arch->l1.line_size) {
		coh__litmus_error(err, lt->name, 0, "page size %u is smaller than the %s line (%u)",
		                  page, arch->name, arch->l1.line_size);
		return COH_EINVAL;
	}
	if (cfg->mem_size % page) {
		coh__litmus_error(err, lt->name, 0, "mem-size 0x%zx is not a multiple of %s pages",
		                  cfg->mem_size, arch->name);
		return COH_EINVAL;
	}
	for (unsigned i = 0; i < lt->nram; i++) {
		if (lt->ram[i].base % page || lt->ram[i].size % page) {
			coh__litmus_error(err, lt->name, 0,
			                  "ram bank [0x%" PRIx64 ", +0x%" PRIx64
			                  ") is not aligned to the %s page size 0x%x",
			                  lt->ram[i].base, lt->ram[i].size, arch->name, page);
			return COH_EINVAL;
		}
	}
	/* another arch may have another page size: maps must still be aligned */
	for (size_t t = 0; t <= lt->nthreads; t++) {
		const struct coh__op_list *l = t == 0 ? &lt->setup : &lt->thread_ops[t - 1];
		for (size_t i = 0; i < l->n; i++) {
			const coh_litmus_op *op = &l->ops[i];
			if ((op->code == COH_LOP_MAP || op->code == COH_LOP_UNMAP) &&
			    (op->va % page || op->pa % page || op->len % page)) {
				coh__litmus_error(err, lt->name, op->line,
				                  "%s is not aligned to the %s page size 0x%x",
				                  coh_litmus_opcode_name(op->code), arch->name,
				                  page);
				return COH_EINVAL;
			}
		}
	}
	return COH_OK;
}

static void bytes_of(uint8_t *b, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void expect_failed(coh_machine *m, coh_check *chk, const coh_litmus_op *op, uint64_t got)
{
	if (!chk)
		return;
	coh_finding *f = coh_check_report(chk, COH_F_EXPECT_FAILED, op->cpu,
	                                  "load of u%u at VA 0x%" PRIx64 " returned 0x%" PRIx64
	                                  ", the test expects 0x%" PRIx64,
	                                  op->size * 8, op->va, got, op->value);
	if (!f)
		return;
	enum coh_attr attr;
	f->va = op->va;
	f->has_addr = coh_translate(m, (unsigned)op->cpu, op->va, &f->pa, &attr) == COH_OK;
	f->len = op->size;
	bytes_of(f->expected, op->value, op->size);
	bytes_of(f->seen, got, op->size);
}

int coh__litmus_exec(const coh_litmus *lt, coh_machine *m, coh_check *chk, const coh_litmus_op *op,
                     coh_litmus_error *err, uint8_t *scratch)
{
	unsigned cpu = op->cpu < 0 ? 0 : (unsigned)op->cpu;
	uint64_t val = 0;
	uint8_t *buf = NULL;
	int st = COH_OK;

	coh_machine_set_site(m, NULL, op->line);
	switch (op->code) {
	case COH_LOP_MAP:
		st = coh_map(m, COH_KERNEL_AS, op->va, op->pa, op->len, op->attr);
		break;
	case COH_LOP_UNMAP:
		st = coh_unmap(m, COH_KERNEL_AS, op->va, op->len);
		break;
	case COH_LOP_STORE:
		st = coh_store(m, cpu, op->va, op->size, op->value);
		break;
	case COH_LOP_LOAD: {
		size_t before = chk ? coh_check_count(chk) : 0;
		st = coh_load(m, cpu, op->va, op->size, &val);
		/* a stale read already explains a wrong value: one finding, not two */
		if (st == COH_OK && op->expect && val != op->value &&
		    (!chk || coh_check_count(chk) == before))
			expect_failed(m, chk, op, val);
		break;
	}
	case COH_LOP_CLEAN:
		st = coh_cache_clean(m, cpu, op->va, op->len);
		break;
	case COH_LOP_INVAL:
		st = coh_cache_inval(m, cpu, op->va, op->len);
		break;
	case COH_LOP_FLUSH:
		st = coh_cache_flush(m, cpu, op->va, op->len);
		break;
	case COH_LOP_FLUSH_ALL:
		st = coh_cache_flush_all(m, cpu);
		break;
	case COH_LOP_EVICT:
		st = coh_cache_evict(m, cpu, op->va);
		break;
	case COH_LOP_PREFETCH:
		st = coh_cache_prefetch(m, cpu, op->va);
		break;
	case COH_LOP_DMA_READ:
	case COH_LOP_DMA_WRITE:
		buf = scratch ? scratch : malloc(op->len ? op->len : 1);
		if (!buf) {
			st = COH_ENOMEM;
			break;
		}
		if (op->code == COH_LOP_DMA_READ) {
			st = coh_dma_read(m, op->pa, buf, op->len);
		} else {
			memset(buf, (int)op->value, op->len);
			st = coh_dma_write(m, op->pa, buf, op->len);
		}
		if (!scratch)
			free(buf);
		break;
	case COH_LOP_SIGNAL: /* scheduled by the caller (program.c, coh_litmus_run) */
	case COH_LOP_WAIT:
		break;
	case COH_LOP_COUNT:
		st = COH_EINVAL;
		break;
	}
	/* an unmapped VA is a bad-access finding the oracle already made */
	if (st == COH_EFAULT && op->code != COH_LOP_MAP && op->code != COH_LOP_DMA_READ &&
	    op->code != COH_LOP_DMA_WRITE)
		st = COH_OK;
	if (st)
		coh__litmus_error(err, lt->name, op->line, "%s failed: %s",
		                  coh_litmus_opcode_name(op->code), coh_strerror(st));
	return st;
}

int coh_litmus_exec(const coh_litmus *lt, coh_machine *m, coh_check *chk, const coh_litmus_op *op,
                    coh_litmus_error *err)
{
	return coh__litmus_exec(lt, m, chk, op, err, NULL);
}

static int run_list(const coh_litmus *lt, coh_machine *m, coh_check *chk, const coh_litmus_op *ops,
                    size_t n, coh_litmus_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int st = coh_litmus_exec(lt, m, chk, &ops[i], err);
		if (st)
			return st;
	}
	return COH_OK;
}

/* Runs thread t from pc[t] until it ends or waits for a name with no
 * signal left (done counts the signals not yet taken). */
static int run_thread(const coh_litmus *lt, coh_machine *m, coh_check *chk, size_t t, size_t *pc,
                      unsigned *done, coh_litmus_error *err)
{
	const struct coh__op_list *l = &lt->thread_ops[t];
	coh_machine_set_actor(m, lt->threads[t].name);
	for (; pc[t] < l->n; pc[t]++) {
		const coh_litmus_op *op = &l->ops[pc[t]];
		if (op->code == COH_LOP_WAIT && !done[op->sync])
			return COH_OK;
		if (op->code == COH_LOP_WAIT)
			done[op->sync]--;
		else if (op->code == COH_LOP_SIGNAL)
			done[op->sync]++;
		int st = coh_litmus_exec(lt, m, chk, op, err);
		if (st)
			return st;
	}
	return COH_OK;
}

int coh_litmus_run(const coh_litmus *lt, coh_machine *m, coh_check *chk, coh_litmus_error *err)
{
	coh_machine_set_actor(m, NULL);
	int st = run_list(lt, m, chk, lt->setup.ops, lt->setup.n, err);
	size_t pc[COH__LITMUS_MAX_THREADS] = {0};
	unsigned done[COH__LITMUS_MAX_SYNC] = {0};
	/* each thread in file order, until it ends or waits for another */
	for (int t; !st && (t = coh__litmus_sync_next(lt, pc, done)) >= 0;)
		st = run_thread(lt, m, chk, (size_t)t, pc, done, err);
	for (size_t t = 0; !st && t < lt->nthreads; t++) {
		if (pc[t] < lt->thread_ops[t].n) {
			const coh_litmus_op *op = &lt->thread_ops[t].ops[pc[t]];
			coh__litmus_error(err, lt->name, op->line,
			                  "thread '%s' waits for '%s' forever: every unfinished "
			                  "thread waits (a deadlock)",
			                  lt->threads[t].name, lt->sync_names[op->sync]);
			st = COH_EINVAL;
		}
	}
	coh_machine_set_actor(m, NULL);
	return st;
}
