/*
 * test_simdev.c - MMIO windows and simulated devices (kernel/io/io.c,
 * simdev.c) and the reference NIC (simnet.c): register accesses reach the
 * device's callbacks with the caller's line on the event, bad accesses are
 * api-misuse, IRQs reach request_irq's handler, and the NIC moves TX and
 * RX packets by DMA at its own lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

enum mode { REGS, BAD_ACCESS, NIC_TX, NIC_RX };

static enum mode mode;
static struct sim_device regdev;
static struct simnet *nic;
static u32 reg[8], last_off, last_val, irqs, got[4];
static unsigned mmio_line, dev_line_ok;
static char sent[64];
static size_t nsent;

static u32 regdev_read(struct sim_device *sd, unsigned off, unsigned size)
{
	(void)sd;
	(void)size;
	return reg[off / 4] + 0x100;
}

static void regdev_write(struct sim_device *sd, unsigned off, unsigned size, u32 v)
{
	(void)size;
	last_off = off;
	last_val = v;
	reg[off / 4] = v;
	if (off == 0x1c)
		sim_device_raise_irq(sd);
}

static const struct sim_device_ops regdev_ops = {regdev_read, regdev_write};

static coh_completion nic_done;

/* The NIC's IRQ: counts it and wakes the task (the status stays set). */
static irqreturn_t nic_handler(int irq, void *dev_id)
{
	(void)irq;
	(void)dev_id;
	irqs++;
	coh_complete(&nic_done);
	return IRQ_HANDLED;
}

static irqreturn_t handler(int irq, void *dev_id)
{
	(void)irq;
	(void)dev_id;
	irqs++;
	return IRQ_HANDLED;
}

/* The last event of kind, from the trace tail. */
static bool last_event(enum coh_event_kind kind, coh_event *out)
{
	coh_event ev[64];
	size_t n = coh_machine_trace_tail(kernel_machine(), ev, 64);
	for (size_t i = n; i-- > 0;)
		if (ev[i].kind == kind) {
			*out = ev[i];
			return true;
		}
	return false;
}

static void drv(void *arg)
{
	(void)arg;
	coh_event e;
	switch (mode) {
	case REGS: {
		iomem r = ioremap(regdev.mmio_base, 32);
		assert_false(iomem_is_null(r));
		mmio_line = __LINE__ + 1;
		writel_relaxed(0xabcd, iomem_add(r, 8));
		assert_true(last_event(COH_EV_MMIO_WRITE, &e));
		assert_int_equal(e.line, mmio_line);
		assert_int_equal(e.pa, regdev.mmio_base + 8);
		got[0] = readl(iomem_add(r, 8));
		assert_true(last_event(COH_EV_MMIO_READ, &e));
		assert_int_equal(e.value, 0xabcd + 0x100); /* the event shows what was read */
		writel(1, iomem_add(r, 0x1c));             /* raises the IRQ */
		iounmap(r);
		break;
	}
	case BAD_ACCESS:
		got[0] = readl((iomem){0xF7000000ull});
		break;
	case NIC_TX:
	case NIC_RX: {
		struct sim_device *sd = simnet_device(nic);
		iomem r = ioremap(sd->mmio_base, SIMNET_MMIO_SIZE);
		dma_addr_t rh, bh;
		simptr ring = dma_alloc_coherent(&sd->dev, 4 * SIMNET_DESC_SIZE, &rh, GFP_KERNEL);
		simptr buf = dma_alloc_coherent(&sd->dev, 64, &bh, GFP_KERNEL);
		u32 base = mode == NIC_TX ? SIMNET_TX_RING : SIMNET_RX_RING;
		writel((u32)rh, iomem_add(r, base));
		writel(4, iomem_add(r, base + 4));
		writel(SIMNET_IRQ_TX | SIMNET_IRQ_RX, iomem_add(r, SIMNET_IRQ_MASK));
		writel(SIMNET_CTRL_ENABLE, iomem_add(r, SIMNET_CTRL));
		if (mode == NIC_TX)
			sim_memcpy_to(buf, "on the wire", 12);
		sim_write32(simptr_add(ring, SIMNET_DESC_ADDR), (u32)bh);
		sim_write32(simptr_add(ring, SIMNET_DESC_LEN), mode == NIC_TX ? 12 : 64);
		sim_write32(simptr_add(ring, SIMNET_DESC_FLAGS), SIMNET_DESC_OWN);
		writel(1, iomem_add(r, base + 8)); /* the tail: the doorbell */
		if (mode == NIC_TX) {
			assert_true(last_event(COH_EV_DMA_READ, &e)); /* the fetch */
			dev_line_ok = e.actor && strcmp(e.actor, "device") == 0 && e.file &&
			              strstr(e.file, "simnet.c") != NULL;
		} else {
			simnet_receive(nic, "a packet", 9);
		}
		coh_wait_for_completion(&nic_done);
		got[3] = sim_read32(simptr_add(ring, SIMNET_DESC_FLAGS));
		got[0] = readl(iomem_add(r, base + 12)); /* the head */
		got[1] = sim_read32(simptr_add(ring, SIMNET_DESC_LEN));
		got[2] = readl(iomem_add(r, SIMNET_IRQ_STATUS));
		if (mode == NIC_RX) {
			sim_memcpy_from(sent, buf, 9);
			simnet_receive(nic, "dropped", 8); /* no buffer posted */
		}
		break;
	}
	}
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kernel_init(s, NULL);
	if (r)
		return r;
	if (mode == NIC_TX || mode == NIC_RX) {
		nic = simnet_create("nic", 3);
		if (!nic)
			return COH_ENOMEM;
		coh_init_completion(&nic_done, "nic_done");
		r = request_irq(3, nic_handler, 0, "nic", NULL);
	} else {
		r = sim_device_register(&regdev, "regdev", 32, 4, &regdev_ops, NULL);
		if (!r)
			r = request_irq(4, handler, 0, "regdev", NULL);
	}
	if (!r && !coh_task_create(s, "drv", 0, drv, NULL))
		r = COH_EINVAL;
	return r;
}

static void run(enum mode md, coh_explore_result *r)
{
	mode = md;
	irqs = 0;
	memset(got, 0, sizeof(got));
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("cortex-a9"));
	mc.mem_size = 1u << 20;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_REPLAY;
	c.schedule = "v1:";
	c.progress = false;
	c.keep_going = true;
	coh_program p = {.name = "simdev", .setup = setup};
	assert_int_equal(coh_explore(&c, &mc, &p, r), 0);
	if (md != NIC_TX)
		return;
	nsent = simnet_sent(nic, sent, sizeof(sent));
}

static void register_accesses_reach_the_device(void **state)
{
	(void)state;
	coh_explore_result r;
	run(REGS, &r);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(last_off, 0x1c);
	assert_int_equal(last_val, 1);
	assert_int_equal(got[0], 0xabcd + 0x100);
	assert_int_equal(irqs, 1); /* request_irq's handler ran */
	coh_explore_result_free(&r);
}

static void mmio_outside_a_window_is_misuse(void **state)
{
	(void)state;
	coh_explore_result r;
	run(BAD_ACCESS, &r);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_API_MISUSE);
	assert_non_null(strstr(r.findings[0].report, "outside every ioremap'd window"));
	assert_int_equal(got[0], 0xffffffffu);
	coh_explore_result_free(&r);
}

static void simnet_sends_a_packet_by_dma(void **state)
{
	(void)state;
	coh_explore_result r;
	run(NIC_TX, &r);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(nsent, 12);
	assert_string_equal(sent, "on the wire");
	assert_int_equal(got[0], 1);             /* TX_HEAD advanced */
	assert_int_equal(got[2], SIMNET_IRQ_TX); /* not acknowledged */
	assert_int_equal(got[3], SIMNET_DESC_DONE);
	assert_int_equal(irqs, 1);
	assert_true(dev_line_ok); /* the fetch is the device's, at simnet.c */
	coh_explore_result_free(&r);
}

static void simnet_receives_into_a_posted_buffer(void **state)
{
	(void)state;
	coh_explore_result r;
	run(NIC_RX, &r);
	assert_int_equal(r.nfindings, 0);
	assert_string_equal(sent, "a packet");
	assert_int_equal(got[0], 1); /* RX_HEAD */
	assert_int_equal(got[1], 9); /* the received length */
	assert_int_equal(got[2], SIMNET_IRQ_RX);
	assert_int_equal(got[3], SIMNET_DESC_DONE);
	assert_int_equal(simnet_rx_dropped(nic), 1);
	coh_explore_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(register_accesses_reach_the_device),
	    cmocka_unit_test(mmio_outside_a_window_is_misuse),
	    cmocka_unit_test(simnet_sends_a_packet_by_dma),
	    cmocka_unit_test(simnet_receives_into_a_posted_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
