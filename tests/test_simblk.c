/*
 * test_simblk.c - the reference block controller (kernel/io/simblk.c) and
 * its small driver (scenarios/simblk_drv.c): commands fetched from the
 * submission queue by DMA at the doorbell, data moved by DMA at completion,
 * completion entries with NVMe's phase bit, outstanding commands completing
 * in any order, bad commands and injected I/O errors, and the oracle on
 * the device's fetch of a command written without a barrier.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"
#include "scenarios/simblk_drv.h"

enum mode { RW, TWO_AT_ONCE, WRAP, BAD, EIO, RELAXED_DOORBELL, HELD };

static enum mode mode;
static struct simblk_drv drv;
static u32 status[4], first_cid;
static u8 disk[SIMBLK_SECTOR_SIZE], data[SIMBLK_SECTOR_SIZE];
static unsigned seen_first[2], seen_eio, seen_ok;
static unsigned posted_early, posted_at_doorbell;
static coh_completion got_irq;

/* HELD's handler: acknowledges the status, consumes nothing. */
static irqreturn_t held_irq(int irq, void *dev_id)
{
	(void)irq;
	struct simblk_drv *d = dev_id;
	writel(readl(iomem_add(d->regs, SIMBLK_IRQ_STATUS)), iomem_add(d->regs, SIMBLK_IRQ_STATUS));
	coh_complete(&got_irq);
	return IRQ_HANDLED;
}

/* Posts a READ of sector 7 into slot id by hand, then the doorbell. */
static void post_raw(struct simblk_drv *d, unsigned id, dma_addr_t r)
{
	simptr sqe = simptr_add(d->sq, (long)(id * SIMBLK_SQE_SIZE));
	sim_write32(simptr_add(sqe, SIMBLK_SQE_OPCODE), SIMBLK_OP_READ);
	sim_write32(simptr_add(sqe, SIMBLK_SQE_LBA), 7);
	sim_write32(simptr_add(sqe, SIMBLK_SQE_ADDR), (u32)r);
	sim_write32(simptr_add(sqe, SIMBLK_SQE_NSECT), 1);
	writel((id + 1) % d->depth, iomem_add(d->regs, SIMBLK_SQ_TAIL));
}

/* Depth 2: the completion queue holds one entry; the second completion
 * waits for the CQ doorbell. */
static void held(struct simblk_drv *d, dma_addr_t r)
{
	post_raw(d, 0, r);
	coh_wait_for_completion(&got_irq); /* entry 0 posted: the queue is full */
	coh_reinit_completion(&got_irq);
	post_raw(d, 1, r);
	for (int i = 0; i < 3; i++) {
		cond_resched(); /* the second command may finish here: held */
		if (readl(iomem_add(d->regs, SIMBLK_CQ_TAIL)) != 1)
			posted_early++;
	}
	writel(1, iomem_add(d->regs, SIMBLK_CQ_HEAD));
	if (readl(iomem_add(d->regs, SIMBLK_CQ_TAIL)) == 0)
		posted_at_doorbell++; /* it was held, and posted by the doorbell */
	coh_wait_for_completion(&got_irq);
	status[0] = sim_read32(simptr_add(d->cq, SIMBLK_CQE_SIZE + SIMBLK_CQE_CID));
}

static void io(void *arg)
{
	(void)arg;
	struct simblk_drv *d = &drv;
	simblk_drv_probe(d, mode == WRAP || mode == HELD ? 2 : 4);
	simptr buf = kmalloc(SIMBLK_SECTOR_SIZE, GFP_KERNEL);
	simptr rd = kmalloc(SIMBLK_SECTOR_SIZE, GFP_KERNEL);
	for (unsigned i = 0; i < SIMBLK_SECTOR_SIZE; i += 4)
		sim_write32(simptr_add(buf, (long)i), 0xab000000u | i);
	dma_addr_t w = dma_map_single(d->dev, buf, SIMBLK_SECTOR_SIZE, DMA_TO_DEVICE);
	dma_addr_t r = dma_map_single(d->dev, rd, SIMBLK_SECTOR_SIZE, DMA_FROM_DEVICE);
	switch (mode) {
	case RW:
	case EIO:
		status[0] = simblk_drv_wait(d, simblk_drv_submit(d, SIMBLK_OP_WRITE, 2, w, 1));
		status[1] = simblk_drv_wait(d, simblk_drv_submit(d, SIMBLK_OP_READ, 7, r, 1));
		break;
	case TWO_AT_ONCE: {
		unsigned a = simblk_drv_submit(d, SIMBLK_OP_WRITE, 2, w, 1);
		unsigned b = simblk_drv_submit(d, SIMBLK_OP_READ, 7, r, 1);
		status[0] = simblk_drv_wait(d, a);
		status[1] = simblk_drv_wait(d, b);
		first_cid = sim_read32(simptr_add(d->cq, SIMBLK_CQE_CID));
		break;
	}
	case WRAP: /* depth 2: the completion queue wraps twice */
		for (unsigned i = 0; i < 3; i++)
			status[i] =
			    simblk_drv_wait(d, simblk_drv_submit(d, SIMBLK_OP_READ, 7, r, 1));
		status[3] =
		    sim_read32(simptr_add(d->cq, SIMBLK_CQE_STATUS)); /* the 3rd completion */
		break;
	case BAD:
		status[0] = simblk_drv_wait(d, simblk_drv_submit(d, SIMBLK_OP_READ, 63, r, 2));
		status[1] = simblk_drv_wait(d, simblk_drv_submit(d, 9, 0, r, 1));
		break;
	case HELD:
		held(d, r);
		break;
	case RELAXED_DOORBELL: { /* the command, then the doorbell with no barrier */
		simptr sqe = d->sq;
		sim_write32(simptr_add(sqe, SIMBLK_SQE_OPCODE), SIMBLK_OP_READ);
		sim_write32(simptr_add(sqe, SIMBLK_SQE_LBA), 7);
		sim_write32(simptr_add(sqe, SIMBLK_SQE_ADDR), (u32)r);
		sim_write32(simptr_add(sqe, SIMBLK_SQE_NSECT), 1);
		coh_reinit_completion(&d->cmd[0].done);
		d->sq_tail = 1;
		writel_relaxed(1, iomem_add(d->regs, SIMBLK_SQ_TAIL));
		status[0] = simblk_drv_wait(d, 0);
		break;
	}
	}
	dma_unmap_single(d->dev, w, SIMBLK_SECTOR_SIZE, DMA_TO_DEVICE);
	dma_unmap_single(d->dev, r, SIMBLK_SECTOR_SIZE, DMA_FROM_DEVICE);
	sim_memcpy_from(data, rd, sizeof(data));
	simblk_disk_read(d->blk, 2 * SIMBLK_SECTOR_SIZE, disk, sizeof(disk));
	if (mode == TWO_AT_ONCE && first_cid < 2)
		seen_first[first_cid]++;
	if (mode == EIO && status[0] == SIMBLK_ST_EIO) {
		bool zero = true; /* the failed WRITE moved nothing */
		for (unsigned i = 0; i < sizeof(disk); i++)
			zero = zero && disk[i] == 0;
		seen_eio += zero;
	} else if (mode == EIO) {
		seen_ok++;
	}
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kernel_init(s, NULL);
	memset(&drv, 0, sizeof(drv));
	if (!r && mode == HELD) { /* the device, and a handler that consumes nothing */
		drv.blk = simblk_create("simblk", 5);
		drv.dev = drv.blk ? &simblk_device(drv.blk)->dev : NULL;
		coh_init_completion(&got_irq, "got_irq");
		r = drv.blk ? request_irq(5, held_irq, 0, "simblk", &drv) : COH_ENOMEM;
	} else if (!r) {
		r = simblk_drv_setup(&drv, 5);
	}
	u8 sector[SIMBLK_SECTOR_SIZE];
	for (unsigned i = 0; i < sizeof(sector); i++)
		sector[i] = (u8)(0x30 + i % 11);
	if (!r)
		r = simblk_disk_write(drv.blk, 7 * SIMBLK_SECTOR_SIZE, sector, sizeof(sector));
	if (!r && !coh_task_create(s, "io", 0, io, NULL))
		r = COH_EINVAL;
	return r;
}

static void run(enum mode md, enum coh_strategy strat, unsigned faults, coh_explore_result *r)
{
	mode = md;
	memset(status, 0xff, sizeof(status));
	memset(seen_first, 0, sizeof(seen_first));
	seen_eio = seen_ok = 0;
	posted_early = posted_at_doorbell = 0;
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("cortex-a9"));
	mc.mem_size = 1u << 20;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = strat;
	c.schedule = strat == COH_STRATEGY_REPLAY ? "v1:" : NULL;
	c.preemptions = 1;
	c.faults = faults;
	c.progress = false;
	c.keep_going = true;
	coh_program p = {.name = "simblk", .setup = setup};
	assert_int_equal(coh_explore(&c, &mc, &p, r), 0);
}

static void simblk_writes_and_reads_sectors_by_dma(void **state)
{
	(void)state;
	coh_explore_result r;
	run(RW, COH_STRATEGY_DFS, 0, &r);
	assert_true(r.complete);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(status[0], 0);
	assert_int_equal(status[1], 0);
	for (unsigned i = 0; i < SIMBLK_SECTOR_SIZE; i += 4) /* the written sector */
		assert_int_equal(disk[i] | disk[i + 1] << 8, i);
	for (unsigned i = 0; i < SIMBLK_SECTOR_SIZE; i++) /* the sector read */
		assert_int_equal(data[i], 0x30 + i % 11);
	coh_explore_result_free(&r);
}

static void outstanding_commands_complete_in_any_order(void **state)
{
	(void)state;
	coh_explore_result r;
	run(TWO_AT_ONCE, COH_STRATEGY_DFS, 0, &r);
	assert_true(r.complete);
	assert_int_equal(r.nfindings, 0);
	assert_true(seen_first[0] > 0); /* the WRITE's entry first */
	assert_true(seen_first[1] > 0); /* the READ's entry first */
	coh_explore_result_free(&r);
}

static void the_phase_flips_when_the_completion_queue_wraps(void **state)
{
	(void)state;
	coh_explore_result r;
	run(WRAP, COH_STRATEGY_REPLAY, 0, &r);
	assert_int_equal(r.nfindings, 0); /* a missed phase would hang: deadlock */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(status[i], 0);
	assert_int_equal(status[3] & SIMBLK_CQE_PHASE, 0); /* entry 0, second pass: 0 */
	coh_explore_result_free(&r);
}

static void a_bad_command_completes_with_einval(void **state)
{
	(void)state;
	coh_explore_result r;
	run(BAD, COH_STRATEGY_REPLAY, 0, &r);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(status[0], SIMBLK_ST_EINVAL); /* past the end */
	assert_int_equal(status[1], SIMBLK_ST_EINVAL); /* no such opcode */
	coh_explore_result_free(&r);
}

static void an_injected_io_error_moves_nothing(void **state)
{
	(void)state;
	coh_explore_result r;
	run(EIO, COH_STRATEGY_DFS, 1u << COH_FAULT_IO, &r);
	assert_true(r.complete);
	assert_true(seen_eio > 0);
	assert_true(seen_ok > 0);
	coh_explore_result_free(&r);
	run(EIO, COH_STRATEGY_REPLAY, 0, &r); /* the default: no fault */
	assert_int_equal(status[0], 0);
	coh_explore_result_free(&r);
}

static void a_command_fetched_before_it_reached_memory_is_stale_dma(void **state)
{
	(void)state;
	coh_explore_result r;
	run(RELAXED_DOORBELL, COH_STRATEGY_DFS, 0, &r);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_STALE_DMA);
	assert_non_null(strstr(r.findings[0].report, "src/kernel/io/simblk.c:"));
	assert_non_null(strstr(r.findings[0].report, "write buffer"));
	coh_explore_result_free(&r);
}

static void a_full_completion_queue_holds_completions_until_cq_head_moves(void **state)
{
	(void)state;
	coh_explore_result r;
	run(HELD, COH_STRATEGY_DFS, 0, &r);
	assert_true(r.complete);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(posted_early, 0);   /* never while the queue was full */
	assert_true(posted_at_doorbell > 0); /* some executions held it */
	assert_int_equal(status[0], 1);      /* the second entry is command 1's */
	coh_explore_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(simblk_writes_and_reads_sectors_by_dma),
	    cmocka_unit_test(outstanding_commands_complete_in_any_order),
	    cmocka_unit_test(the_phase_flips_when_the_completion_queue_wraps),
	    cmocka_unit_test(a_bad_command_completes_with_einval),
	    cmocka_unit_test(an_injected_io_error_moves_nothing),
	    cmocka_unit_test(a_command_fetched_before_it_reached_memory_is_stale_dma),
	    cmocka_unit_test(a_full_completion_queue_holds_completions_until_cq_head_moves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
