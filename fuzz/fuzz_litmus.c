/*
 * fuzz_litmus.c - libFuzzer harness: arbitrary bytes as a litmus file
 * (docs/litmus.md), and, when they parse, the test run by the explorer.
 *
 * The bytes go through coh_litmus_parse_string() (NUL-terminated copy) and,
 * when they hold a NUL byte, through coh_litmus_parse_file() as well (a
 * memfd), which is the only way to reach the reader's "NUL byte" check.
 * A test that parses must give a message-free success; one that does not
 * must say "NAME:LINE: ..." with a non-empty message.
 *
 * A parsed test runs like `cohsim litmus`: coh_litmus_machine_config() (on
 * its own arch, and on a second arch picked from the input, which checks
 * the page alignment of every map against another page size), then
 * coh_explore() of coh_litmus_program with a small budget: dfs with at most
 * 4 schedules, or random with 20 (the strategy is picked from the input).
 * Each of the first two findings must replay from its schedule to the
 * byte-identical report.
 * Tests asking for more than FUZZ_MAX_MEM bytes of memory are parsed but
 * not run: a 1 GiB machine is valid input, only too slow to fuzz.
 *
 * Built by fuzz/build.sh with libFuzzer, and by CMake (fuzz/CMakeLists.txt)
 * with fuzz/replay_main.c, which feeds files through the same entry point
 * (the regression test of fuzz/corpus and fuzz/regress).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cohsim/arch.h"
#include "cohsim/litmus.h"
#include "cohsim/sched.h"

#define FUZZ_MAX_MEM ((size_t)16 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int st, const coh_litmus_error *err)
{
	/* a failure always says what is wrong */
	if (st && !err->message[0])
		abort();
}

/* The finding's schedule replays to the byte-identical report (the replay
 * contract of DESIGN.md): among the replay's findings is the same text. */
static void replay(const coh_machine_config *mcfg, const coh_litmus_program *prog,
                   const coh_explore_finding *f)
{
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_REPLAY;
	cfg.schedule = f->schedule;
	cfg.seed = mcfg->seed;
	cfg.progress = false;
	cfg.keep_going = true;
	coh_explore_result res;
	int st = coh_explore(&cfg, mcfg, coh_litmus_program_get(prog), &res);
	if (st == COH_ENOMEM) {
		coh_explore_result_free(&res);
		return;
	}
	bool same = false;
	for (size_t i = 0; !st && i < res.nfindings && !same; i++)
		same = strcmp(res.findings[i].report, f->report) == 0;
	if (!same) {
		fprintf(stderr, "fuzz_litmus: schedule %s does not replay its report:\n%s\n",
		        f->schedule, f->report);
		abort();
	}
	coh_explore_result_free(&res);
}

static void run(const coh_litmus *lt, const coh_arch *arch, unsigned pick)
{
	coh_machine_config mcfg;
	coh_litmus_error err;
	memset(&err, 0, sizeof(err));
	int st = coh_litmus_machine_config(lt, arch, &mcfg, &err);
	check_error(st, &err);
	if (st || mcfg.mem_size > FUZZ_MAX_MEM)
		return;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.seed = mcfg.seed;
	cfg.progress = false;
	cfg.keep_going = pick & 1;
	if (pick & 2) {
		cfg.strategy = COH_STRATEGY_RANDOM;
		cfg.budget = 20;
	} else {
		cfg.strategy = COH_STRATEGY_DFS;
		cfg.budget = 4;
		cfg.preemptions = 1;
	}
	coh_litmus_program *prog;
	if (coh_litmus_program_create(lt, &prog))
		return;
	coh_explore_result res;
	st = coh_explore(&cfg, &mcfg, coh_litmus_program_get(prog), &res);
	/* an error is the setup's, and then it says which line */
	if (st && st != COH_ENOMEM && !coh_litmus_program_error(prog))
		abort();
	for (size_t i = 0; i < res.nfindings; i++) {
		if (!res.findings[i].schedule || !res.findings[i].report || !res.findings[i].json)
			abort();
		if (i < 2)
			replay(&mcfg, prog, &res.findings[i]);
	}
	coh_explore_result_free(&res);
	coh_litmus_program_free(prog);
}

static void parse_file_too(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.litmus", 0);
	if (fd < 0)
		return;
	if (write(fd, data, size) == (ssize_t)size) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		coh_litmus *lt = NULL;
		coh_litmus_error err;
		int st = coh_litmus_parse_file(path, &lt, &err);
		check_error(st, &err);
		coh_litmus_free(lt);
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (memchr(data, 0, size))
		parse_file_too(data, size);

	coh_litmus *lt = NULL;
	coh_litmus_error err;
	int st = coh_litmus_parse_string("fuzz.litmus", text, &lt, &err);
	check_error(st, &err);
	if (st == 0) {
		unsigned h = 0;
		for (size_t i = 0; i < size; i++)
			h = h * 31 + data[i];
		run(lt, NULL, h);
		run(lt, coh_arch_at((h >> 2) % coh_arch_count()), h >> 8);
		coh_litmus_free(lt);
	}
	free(text);
	return 0;
}
