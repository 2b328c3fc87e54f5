/*
 * arch.c - the built-in arch profiles, with the cache geometry of the real
 * hardware each one stands for.
 *
 * Interface: coh_arch_count/coh_arch_at iterate in a fixed order (that of
 * `cohsim arch list`); coh_arch_find looks a profile up by name.
 */
#include <string.h>

#include "cohsim/arch.h"

#define KiB 1024u

static const coh_arch profiles[] = {
    {
        .name = "xscale",
        .kind = "VIVT",
        .stands_for = "Intel XScale, ARMv5",
        .page_size = 4 * KiB,
        /* 32 KiB, 32-way, 32-byte lines: 32 sets, set = VA[9:5], tag = VA[31:10] */
        .l1 = {.size = 32 * KiB,
               .ways = 32,
               .line_size = 32,
               .index = COH_FROM_VIRT,
               .tag = COH_FROM_VIRT,
               .write_allocate = true,
               .dirty_segments = 2,
               .repl = COH_REPL_ROUND_ROBIN},
        .needs_kmap_high_get = true,
        .family = COH_ARCH_ARM,
        .arm_arch = 5,
        .highmem = true,
    },
    {
        .name = "arm926",
        .kind = "VIVT",
        .stands_for = "ARM926EJ-S",
        .page_size = 4 * KiB,
        .l1 = {.size = 16 * KiB,
               .ways = 4,
               .line_size = 32,
               .index = COH_FROM_VIRT,
               .tag = COH_FROM_VIRT,
               .write_allocate = false,
               .dirty_segments = 2,
               .repl = COH_REPL_ROUND_ROBIN},
        .needs_kmap_high_get = true,
        .family = COH_ARCH_ARM,
        .arm_arch = 5,
        .highmem = true,
    },
    {
        .name = "armv6",
        .kind = "VIPT aliasing",
        .stands_for = "ARM1136/1176",
        .page_size = 4 * KiB,
        /* 8 KiB per way: VA[12] is the colour with 4 KiB pages */
        .l1 = {.size = 32 * KiB,
               .ways = 4,
               .line_size = 32,
               .index = COH_FROM_VIRT,
               .tag = COH_FROM_PHYS,
               .write_allocate = true,
               .dirty_segments = 2,
               .repl = COH_REPL_RANDOM},
        .needs_kmap_high_get = true,
        /* ARMv6 may fill lines speculatively: 2.6.34's "ARM: dma-mapping:
         * fix for speculative prefetching" invalidates on unmap for it. Its
         * aliasing cache rules highmem out: "HIGHMEM is not yet supported
         * with VIPT aliasing cache, ignoring high memory" (arch/arm/mm/mmu.c) */
        .speculative_fill = true,
        .family = COH_ARCH_ARM,
        .arm_arch = 6,
    },
    {
        .name = "mips-r4k",
        .kind = "VIPT aliasing",
        .stands_for = "MIPS R4x00",
        .page_size = 4 * KiB,
        /* direct-mapped, index VA[13:5]: VA[13:12] alias */
        .l1 = {.size = 16 * KiB,
               .ways = 1,
               .line_size = 32,
               .index = COH_FROM_VIRT,
               .tag = COH_FROM_PHYS,
               .write_allocate = true,
               .dirty_segments = 1,
               .repl = COH_REPL_ROUND_ROBIN},
        /* no highmem with an aliasing D-cache: "This processor doesn't
         * support highmem" (arch/mips/mm/init.c) */
        .family = COH_ARCH_MIPS,
    },
    {
        .name = "sh4",
        .kind = "VIPT aliasing",
        .stands_for = "SH-4",
        .page_size = 4 * KiB,
        /* operand cache: direct-mapped, index VA[13:5], physical tag */
        .l1 = {.size = 16 * KiB,
               .ways = 1,
               .line_size = 32,
               .index = COH_FROM_VIRT,
               .tag = COH_FROM_PHYS,
               .write_allocate = true,
               .dirty_segments = 1,
               .repl = COH_REPL_ROUND_ROBIN},
        .family = COH_ARCH_SH,
    },
    {
        .name = "parisc",
        .kind = "VIPT hashed",
        .stands_for = "PA-RISC",
        .page_size = 4 * KiB,
        /* VA bits up to 21 hashed into the index: aliases share lines only
         * when congruent modulo 4 MiB (SHM_COLOUR) */
        .l1 = {.size = 64 * KiB,
               .ways = 1,
               .line_size = 64,
               .index = COH_FROM_VIRT,
               .tag = COH_FROM_PHYS,
               .hash_top_bit = 21,
               .write_allocate = true,
               .dirty_segments = 1,
               .repl = COH_REPL_ROUND_ROBIN},
        /* the non-coherent PA7100LC/PA7300LC (pcxl) DMA: flushes by range */
        .family = COH_ARCH_PARISC,
    },
    {
        .name = "cortex-a9",
        .kind = "PIPT",
        .stands_for = "ARMv7 SoCs (Cortex-A9), non-coherent DMA",
        .page_size = 4 * KiB,
        .l1 = {.size = 32 * KiB,
               .ways = 4,
               .line_size = 32,
               .index = COH_FROM_PHYS,
               .tag = COH_FROM_PHYS,
               .write_allocate = true,
               .dirty_segments = 1,
               .repl = COH_REPL_RANDOM},
        .maint_broadcast = true,
        .speculative_fill = true,
        .needs_kmap_high_get = true,
        .family = COH_ARCH_ARM,
        .arm_arch = 7,
        .highmem = true,
    },
    {
        .name = "x86",
        .kind = "PIPT",
        .stands_for = "x86-64, coherent DMA: where these bugs never show",
        .page_size = 4 * KiB,
        .l1 = {.size = 32 * KiB,
               .ways = 8,
               .line_size = 64,
               .index = COH_FROM_PHYS,
               .tag = COH_FROM_PHYS,
               .write_allocate = true,
               .dirty_segments = 1,
               .repl = COH_REPL_LRU},
        .dma_coherent = true,
        .maint_broadcast = true,
        .speculative_fill = true,
        .family = COH_ARCH_X86,
    },
};

size_t coh_arch_count(void)
{
	return sizeof(profiles) / sizeof(profiles[0]);
}

const coh_arch *coh_arch_at(size_t i)
{
	return i < coh_arch_count() ? &profiles[i] : NULL;
}

const coh_arch *coh_arch_find(const char *name)
{
	for (size_t i = 0; name && i < coh_arch_count(); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

const char *coh_arch_family_name(enum coh_arch_family f)
{
	static const char *const names[] = {"ARM", "MIPS", "SH", "PA-RISC", "x86"};
	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "?";
}

unsigned coh_arch_colours(const coh_arch *a)
{
	const coh_cache_geometry *g = &a->l1;
	if (g->index == COH_FROM_PHYS)
		return 1;
	if (g->hash_top_bit)
		return (unsigned)((2ull << g->hash_top_bit) / a->page_size);
	unsigned way_size = g->size / g->ways;
	return way_size > a->page_size ? way_size / a->page_size : 1;
}
