/*
 * stats.c - the machine's statistics (coh_machine_stats) as text and as
 * JSON, for `--stats` on trace, litmus, run and replay.
 *
 * JSON: "stats" is a list with one object per CPU, in CPU order; the
 * device's figures are "device_stats". Every figure is a count, so the
 * output is deterministic.
 */
#include <inttypes.h>

#include "cli.h"

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

void cli_stats_print_text(FILE *out, const coh_stats *st)
{
	for (unsigned c = 0; c < st->ncpus; c++) {
		const coh_cpu_stats *s = &st->cpu[c];
		fprintf(out, "stats cpu%u: %" PRIu64 " loads, %" PRIu64 " stores\n", c, s->loads,
		        s->stores);
		fprintf(out,
		        "  read:  %" PRIu64 " hits, %" PRIu64 " misses (%.2f%%)\n"
		        "  write: %" PRIu64 " hits, %" PRIu64 " misses (%.2f%%)\n",
		        s->read_hits, s->read_misses,
		        pct(s->read_misses, s->read_hits + s->read_misses), s->write_hits,
		        s->write_misses, pct(s->write_misses, s->write_hits + s->write_misses));
		fprintf(out,
		        "  lines: %" PRIu64 " fills, %" PRIu64 " write-backs, %" PRIu64
		        " evictions; uncached: %" PRIu64 " reads, %" PRIu64 " writes\n",
		        s->fills, s->writebacks, s->evictions, s->uncached_reads,
		        s->uncached_writes);
		fprintf(out, "  ops:  ");
		for (unsigned k = 0; k < COH_OP_KIND_COUNT; k++)
			fprintf(out, " %s %" PRIu64 "%s", coh_op_kind_name((enum coh_op_kind)k),
			        s->ops[k], k + 1 < COH_OP_KIND_COUNT ? "," : "\n");
		fprintf(out, "  oracle: %" PRIu64 " checks\n", s->oracle_checks);
	}
	fprintf(out,
	        "stats device: %" PRIu64 " DMA reads (%" PRIu64 " bytes to the device), %" PRIu64
	        " DMA writes (%" PRIu64 " bytes to memory); oracle: %" PRIu64 " checks\n",
	        st->dma_reads, st->dma_read_bytes, st->dma_writes, st->dma_write_bytes,
	        st->dma_oracle_checks);
}

void cli_stats_print_json(FILE *out, const coh_stats *st)
{
	fputs("\"stats\":[", out);
	for (unsigned c = 0; c < st->ncpus; c++) {
		const coh_cpu_stats *s = &st->cpu[c];
		fprintf(out,
		        "%s{\"cpu\":%u,\"loads\":%" PRIu64 ",\"stores\":%" PRIu64
		        ",\"read_hits\":%" PRIu64 ",\"read_misses\":%" PRIu64
		        ",\"write_hits\":%" PRIu64 ",\"write_misses\":%" PRIu64
		        ",\"fills\":%" PRIu64 ",\"writebacks\":%" PRIu64 ",\"evictions\":%" PRIu64
		        ",\"uncached_reads\":%" PRIu64 ",\"uncached_writes\":%" PRIu64 ",\"ops\":{",
		        c ? "," : "", c, s->loads, s->stores, s->read_hits, s->read_misses,
		        s->write_hits, s->write_misses, s->fills, s->writebacks, s->evictions,
		        s->uncached_reads, s->uncached_writes);
		for (unsigned k = 0; k < COH_OP_KIND_COUNT; k++)
			fprintf(out, "%s\"%s\":%" PRIu64, k ? "," : "",
			        coh_op_kind_name((enum coh_op_kind)k), s->ops[k]);
		fprintf(out, "},\"oracle_checks\":%" PRIu64 "}", s->oracle_checks);
	}
	fprintf(out,
	        "],\"device_stats\":{\"dma_reads\":%" PRIu64 ",\"dma_writes\":%" PRIu64
	        ",\"dma_read_bytes\":%" PRIu64 ",\"dma_write_bytes\":%" PRIu64
	        ",\"oracle_checks\":%" PRIu64 "}",
	        st->dma_reads, st->dma_writes, st->dma_read_bytes, st->dma_write_bytes,
	        st->dma_oracle_checks);
}
