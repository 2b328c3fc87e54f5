/*
 * cachegrind.c - bench_cache's cachegrind figures: whether valgrind is on
 * PATH, and one run of the bench's own native loop (/proc/self/exe
 * --native-only PATTERN N) under cachegrind with the simulated L1 as its D1.
 *
 * Interface: cachegrind.h. The child's stdout carries its loop time; its
 * stderr goes to /dev/null unless BENCH_CACHE_VERBOSE is set; cachegrind's
 * output file is /tmp/bench_cache.cg.PID, read for Dr + Dw and removed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cachegrind.h"

bool cg_on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];
	while (path && *path) {
		size_t len = strcspn(path, ":");
		if (len && len + strlen(prog) + 2 < sizeof(buf)) {
			memcpy(buf, path, len);
			buf[len] = '/';
			strcpy(buf + len + 1, prog);
			if (access(buf, X_OK) == 0)
				return true;
		}
		path += len + (path[len] == ':');
	}
	return false;
}

/* Dr + Dw from cachegrind's output file, or 0. */
static uint64_t cg_data_refs(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[1024], events[1024] = "";
	uint64_t refs = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "events:", 7) == 0) {
			snprintf(events, sizeof(events), "%s", line + 7);
		} else if (strncmp(line, "summary:", 8) == 0) {
			char *ev = strtok(events, " \n"), *save = NULL;
			char *val = strtok_r(line + 8, " \n", &save);
			for (; ev && val;
			     ev = strtok(NULL, " \n"), val = strtok_r(NULL, " \n", &save))
				if (strcmp(ev, "Dr") == 0 || strcmp(ev, "Dw") == 0)
					refs += strtoull(val, NULL, 10);
		}
	}
	fclose(f);
	return refs;
}

struct cg_result cg_run(const coh_cache_geometry *g, const char *pattern, uint64_t n)
{
	struct cg_result res = {0};
	char d1[64], i1[64], ll[64], out_opt[128], out_path[64];
	snprintf(d1, sizeof(d1), "--D1=%u,%u,%u", g->size, g->ways, g->line_size);
	snprintf(i1, sizeof(i1), "--I1=32768,8,%u", g->line_size);
	snprintf(ll, sizeof(ll), "--LL=8388608,16,%u", g->line_size);
	snprintf(out_path, sizeof(out_path), "/tmp/bench_cache.cg.%d", (int)getpid());
	snprintf(out_opt, sizeof(out_opt), "--cachegrind-out-file=%s", out_path);
	/* resolved here: in the child, /proc/self/exe would be valgrind */
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0)
		return res;
	self[sl] = '\0';
	char count[32];
	snprintf(count, sizeof(count), "%" PRIu64, n);
	int fd[2];
	if (pipe(fd))
		return res;
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return res;
	}
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		if (!getenv("BENCH_CACHE_VERBOSE")) {
			FILE *null = freopen("/dev/null", "w", stderr);
			(void)null;
		}
		execlp("valgrind", "valgrind", "--tool=cachegrind", "--cache-sim=yes", d1, i1, ll,
		       out_opt, self, "--native-only", pattern, count, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	char out[256] = "";
	size_t got = 0;
	ssize_t k;
	while (got < sizeof(out) - 1 && (k = read(fd[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)k;
	out[got] = '\0';
	close(fd[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	res.ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 && sscanf(out, "%lf", &res.loop_s) == 1 &&
	         res.loop_s > 0;
	res.drefs = (double)cg_data_refs(out_path) / (double)n;
	unlink(out_path);
	return res;
}
