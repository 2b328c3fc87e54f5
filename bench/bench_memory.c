/*
 * bench_memory.c - what the simulated memory costs the host, and how many
 * host instructions one simulated access takes. Both are counts, not
 * timings, so they hold on a loaded machine:
 *   - host memory per touched simulated byte: the growth of the resident
 *     set while every byte of a 32 MiB range is stored to (u32 stores
 *     through the cache, then a flush), oracle on and off, against a host
 *     array touched the same way in the same run (1 byte per byte);
 *   - the same range at the PXA's RAM address (0xa0000000) with memory left
 *     undeclared: the cost follows what is touched, not the address;
 *   - callgrind instructions per simulated access (oracle on), stream and
 *     random, from `bench_cache --sim-only` run twice under callgrind with
 *     N and 3N accesses, so that start-up cancels out.
 *
 *   bench_memory [--no-callgrind] [--arch NAME]
 */
#include <inttypes.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cohsim/check.h"
#include "cohsim/machine.h"

#define TOUCH (32u << 20) /* bytes stored to */
#define BASE_VA 0x40000000ull
#define CG_N 100000u /* accesses of the shorter callgrind run */

/* Resident bytes of this process (/proc/self/statm), or 0. */
static uint64_t resident(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long size = 0, res = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void die(const char *what, int r)
{
	fprintf(stderr, "bench_memory: %s: %s\n", what, coh_strerror(r));
	exit(1);
}

/* Host bytes per touched simulated byte for one machine. */
static double per_byte(const coh_arch *arch, bool oracle, coh_addr_t pa, bool declared)
{
	coh_machine_config cfg;
	coh_machine_config_init(&cfg, arch);
	cfg.oracle = oracle;
	cfg.mem_size = declared ? (size_t)(pa + TOUCH) : 0;
	coh_machine *m;
	coh_check *c = NULL;
	int r = coh_machine_create(&cfg, &m);
	if (r)
		return -1; /* a library without undeclared memory */
	if ((r = coh_map(m, COH_KERNEL_AS, BASE_VA, pa, TOUCH, COH_ATTR_WB)))
		die("coh_map", r);
	if (oracle && (r = coh_check_create(m, NULL, &c)))
		die("coh_check_create", r);
	uint64_t before = resident();
	for (uint64_t off = 0; off < TOUCH; off += 4)
		if ((r = coh_store(m, 0, BASE_VA + off, 4, off)))
			die("coh_store", r);
	coh_cache_flush_all(m, 0);
	uint64_t after = resident();
	coh_check_destroy(c);
	coh_machine_destroy(m);
	return (double)(after - before) / TOUCH;
}

static double native_per_byte(void)
{
	uint64_t before = resident();
	volatile uint32_t *a = malloc(TOUCH);
	if (!a)
		return 0;
	for (uint64_t i = 0; i < TOUCH / 4; i++)
		a[i] = (uint32_t)i;
	uint64_t after = resident();
	free((void *)(uintptr_t)a);
	return (double)(after - before) / TOUCH;
}

/* Instructions of `bench_cache --sim-only ARCH PATTERN on N` under
 * callgrind, or 0 when it cannot run. */
static uint64_t callgrind_ir(const char *bench_cache, const char *arch, const char *pattern,
                             unsigned n)
{
	char out[64], opt[96], count[32];
	snprintf(out, sizeof(out), "/tmp/bench_memory.cg.%d", (int)getpid());
	snprintf(opt, sizeof(opt), "--callgrind-out-file=%s", out);
	snprintf(count, sizeof(count), "%u", n);
	fflush(stdout); /* the child must not print it again */
	pid_t pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(127);
		execlp("valgrind", "valgrind", "--tool=callgrind", opt, bench_cache, "--sim-only",
		       arch, pattern, "on", count, (char *)NULL);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 0;
	FILE *f = fopen(out, "r");
	uint64_t ir = 0;
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "summary:", 8) == 0 || strncmp(line, "totals:", 7) == 0)
			ir = strtoull(strchr(line, ':') + 1, NULL, 10);
	if (f)
		fclose(f);
	unlink(out);
	return ir;
}

int main(int argc, char **argv)
{
	bool callgrind = true;
	const char *arch_name = "cortex-a9";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-callgrind") == 0) {
			callgrind = false;
		} else if (strcmp(argv[i], "--arch") == 0 && i + 1 < argc) {
			arch_name = argv[++i];
		} else {
			fprintf(stderr, "usage: bench_memory [--no-callgrind] [--arch NAME]\n");
			return 2;
		}
	}
	const coh_arch *arch = coh_arch_find(arch_name);
	if (!arch) {
		fprintf(stderr, "bench_memory: unknown arch '%s'\n", arch_name);
		return 2;
	}
	printf("host memory per touched simulated byte (%s, %u MiB stored to, u32 stores, "
	       "resident-set growth):\n",
	       arch->name, TOUCH >> 20);
	double nat = native_per_byte();
	printf("  host array (the baseline):            %.2f bytes/byte\n", nat);
	double on = per_byte(arch, true, 0, true);
	double off = per_byte(arch, false, 0, true);
	double pxa = per_byte(arch, true, 0xa0000000ull, false);
	printf("  oracle on:   %.2f bytes/byte = %.2fx the host array (goal <= 3 bytes)\n", on,
	       on / nat);
	printf("  oracle off:  %.2f bytes/byte = %.2fx the host array\n", off, off / nat);
	if (pxa < 0)
		printf("  oracle on, undeclared memory at PA 0xa0000000: not supported\n\n");
	else
		printf("  oracle on, undeclared memory at PA 0xa0000000: %.2f bytes/byte = %.2fx "
		       "the host array\n\n",
		       pxa, pxa / nat);

	if (!callgrind) {
		printf("callgrind: skipped (--no-callgrind)\n");
		return 0;
	}
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0)
		return 1;
	self[sl] = '\0';
	char bench_cache[4200];
	snprintf(bench_cache, sizeof(bench_cache), "%s/bench_cache", dirname(self));
	printf("callgrind instructions per simulated access (%s, oracle on; runs of %u and %u "
	       "accesses, the difference):\n",
	       arch->name, CG_N, 3 * CG_N);
	const char *pats[] = {"stream", "random"};
	const unsigned goal[] = {150, 300};
	for (int p = 0; p < 2; p++) {
		uint64_t a = callgrind_ir(bench_cache, arch->name, pats[p], CG_N);
		uint64_t b = callgrind_ir(bench_cache, arch->name, pats[p], 3 * CG_N);
		if (!a || b <= a) {
			printf("  %s: skipped (valgrind or %s could not run)\n", pats[p],
			       bench_cache);
			continue;
		}
		double per = (double)(b - a) / (2.0 * CG_N);
		printf("  %-6s %7.1f Ir/access = %.2fx the goal of %u\n", pats[p], per,
		       per / goal[p], goal[p]);
	}
	return 0;
}
