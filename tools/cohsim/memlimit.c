/*
 * memlimit.c - --max-memory MIB: a bound on the host memory of a run.
 *
 * Interface: cli_memory_limit() before the command runs (the default bound
 * when the option is absent), cli_memory_hint() after a run that ran out
 * of host memory.
 *
 * The bound is the process's address-space limit (RLIMIT_AS), which every
 * --jobs worker inherits: past it an allocation fails, and the library
 * reports that as "out of host memory" (exit 3) instead of the host
 * swapping or killing the run. So it covers every structure, per page or
 * not, whoever allocates it. Under AddressSanitizer, whose shadow memory
 * takes terabytes of address space, the bound cannot be set: a given
 * --max-memory is then refused with a warning and not enforced.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"

#if defined(__SANITIZE_ADDRESS__)
#define NO_AS_LIMIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_AS_LIMIT 1
#endif
#endif

static uint64_t applied_mib;

int cli_memory_limit(const struct cli_opts *o)
{
	uint64_t mib = o->max_memory_mib ? o->max_memory_mib : CLI_DEFAULT_MAX_MEMORY_MIB;
#ifdef NO_AS_LIMIT
	if (o->given & OPT_MAX_MEMORY)
		fprintf(stderr, "cohsim: warning: --max-memory is not enforced in a build with "
		                "AddressSanitizer\n");
	(void)mib;
	return 0;
#else
	struct rlimit rl;
	if (getrlimit(RLIMIT_AS, &rl) != 0)
		return 0;
	rlim_t want = (rlim_t)mib << 20;
	if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
		want = rl.rlim_max; /* the host's own bound is lower */
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_AS, &rl) != 0) {
		fprintf(stderr, "cohsim: --max-memory: cannot set the limit: %s\n",
		        strerror(errno));
		return EXIT_INTERNAL;
	}
	applied_mib = (uint64_t)(want >> 20);
	return 0;
#endif
}

void cli_memory_hint(void)
{
	if (applied_mib)
		fprintf(stderr,
		        "cohsim: note: host memory is limited to %llu MiB: raise it with "
		        "--max-memory MIB\n",
		        (unsigned long long)applied_mib);
}
