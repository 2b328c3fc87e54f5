#include "cohsim/scenario.h"

struct my_state {
	struct device dev;
	struct page *page;
};

static void driver(void *arg)
{
	struct my_state *st = arg;
	simptr buf = page_address(st->page);
	sim_write32(buf, 0x1234); /* the CPU fills the buffer */
	/* the historical driver handed the device the physical address; the
	 * fix maps the buffer, which cleans the CPU's dirty lines */
	dma_addr_t dma = coh_fix("my-fix")
	                     ? dma_map_page(&st->dev, st->page, 0, 4096, DMA_TO_DEVICE)
	                     : page_to_phys(st->page);
	u8 got[4];
	coh_dma_read(kernel_machine(), dma, got, 4); /* the device reads it */
	if (coh_fix("my-fix"))
		dma_unmap_page(&st->dev, dma, 4096, DMA_TO_DEVICE);
}

static int my_setup(coh_sched *s, void *state)
{
	struct my_state *st = state;
	st->dev.name = "dev";
	st->page = alloc_page(GFP_KERNEL);
	if (!st->page || !coh_task_create(s, "driver", 0, driver, st))
		return COH_ENOMEM;
	return 0;
}

const coh_scenario coh_scenario_my = {
    .name = "my-scenario",
    .description = "one line",
    .models = "the patch or post it models",
    .default_arch = "xscale",
    .ncpus = 1,
    .fixes = {{"my-fix", "what the fix does"}, {NULL, NULL}},
    .variants = {{"buggy", {NULL}}, {"fixed", {"my-fix", NULL}}, {NULL, {NULL}}},
    .state_size = sizeof(struct my_state),
    .setup = my_setup,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 2,
    .demo = {{.variant = "buggy",
              .arch = "xscale",
              .expect = "stale-dma",
              .strategy = COH_STRATEGY_DFS,
              .preemptions = 2},
             {.variant = "fixed",
              .arch = "xscale",
              .expect = "clean",
              .strategy = COH_STRATEGY_DFS,
              .preemptions = 2,
              .must_complete = true}},
};

/* what `--load my_scenario.so` finds: one object may carry several */
COH_SCENARIOS(&coh_scenario_my);
