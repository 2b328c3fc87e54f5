/*
 * explore_jobs.c - the --jobs worker processes: start them, watch them,
 * collect what each reports.
 *
 * Interface: coh__jobs_run() forks n workers, each running fn(j, &out, arg)
 * and reporting `out` through its own unlinked temporary file
 * (explore_wire.c), waits for all, and decodes their results into w[0..n).
 *
 * Invariants and promises (docs/faults.md):
 *  - a worker dies with its parent (PR_SET_PDEATHSIG, SIGKILL), so killing
 *    the parent, even with SIGKILL, leaves no orphan exploring forever;
 *  - if a fork fails partway, or a worker dies or cannot report, every
 *    other worker is killed and reaped before returning;
 *  - a worker that dies (signal, or an exit other than 0) or whose result
 *    is short or corrupt is COH_EWORKER, with a sentence naming the worker
 *    and how it failed in err; nothing read from a result file is trusted
 *    before it is checked;
 *  - the result files never take descriptors 0, 1 or 2, so a caller's
 *    closed stderr cannot route messages into them.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "sched/explore_impl.h"

/* The exit status of a worker that could not write its results. */
#define WORKER_CANNOT_REPORT 75

/* An unlinked temporary file on a descriptor above 2. */
static int result_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/cohsim-worker-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(path, sizeof(path), "/tmp/cohsim-worker-XXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			return -1;
	}
	unlink(path);
	if (fd <= 2) {
		int hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		close(fd);
		fd = hi;
	} else {
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	return fd;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

/* The whole file, from offset 0; NULL when it cannot be read. */
static char *read_all(int fd, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > (1ull << 34))
		return NULL;
	size_t n = (size_t)st.st_size;
	char *buf = malloc(n ? n : 1);
	if (!buf)
		return NULL;
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(fd, buf + got, n - got, (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			free(buf);
			return NULL;
		}
		got += (size_t)k;
	}
	*len = n;
	return buf;
}

static void child(unsigned j, int fd, pid_t parent, coh__job_fn fn, void *arg)
{
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if (getppid() != parent) /* the parent died before prctl took effect */
		_exit(WORKER_CANNOT_REPORT);
	struct coh__wres mine;
	memset(&mine, 0, sizeof(mine));
	int rc = fn(j, &mine, arg);
	char *buf;
	size_t len;
	bool ok = coh__wres_encode(&mine, rc, &buf, &len) == 0 && write_all(fd, buf, len) &&
	          fsync(fd) == 0;
	_exit(ok ? 0 : WORKER_CANNOT_REPORT);
}

static void describe(char *err, size_t errlen, unsigned j, unsigned n, pid_t pid, int st)
{
	if (WIFSIGNALED(st))
		snprintf(err, errlen, "worker %u of %u (pid %d) was killed by signal %d (%s)", j, n,
		         (int)pid, WTERMSIG(st), strsignal(WTERMSIG(st)));
	else if (WIFEXITED(st) && WEXITSTATUS(st) == WORKER_CANNOT_REPORT)
		snprintf(err, errlen,
		         "worker %u of %u (pid %d) could not write its results (disk full?)", j, n,
		         (int)pid);
	else
		snprintf(err, errlen, "worker %u of %u (pid %d) exited with status %d", j, n,
		         (int)pid, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void kill_all(pid_t *pids, unsigned n)
{
	for (unsigned j = 0; j < n; j++)
		if (pids[j] > 0)
			kill(pids[j], SIGKILL);
}

int coh__jobs_run(unsigned n, struct coh__wres *w, coh__job_fn fn, void *arg,
                  void (*tick)(void *arg), char *err, size_t errlen)
{
	pid_t pids[COH__MAX_JOBS];
	int fds[COH__MAX_JOBS];
	unsigned started = 0;
	int rc = 0;
	if (n > COH__MAX_JOBS)
		return COH_EINVAL;
	pid_t self = getpid();
	fflush(stdout);
	fflush(stderr);
	for (unsigned j = 0; j < n; j++) {
		fds[j] = result_file();
		if (fds[j] < 0) {
			snprintf(err, errlen, "cannot create the result file of worker %u: %s", j,
			         strerror(errno));
			rc = COH_EWORKER;
			break;
		}
		pid_t pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, "cannot start worker %u of %u: %s", j, n,
			         strerror(errno));
			close(fds[j]);
			rc = COH_EWORKER;
			break;
		}
		if (pid == 0)
			child(j, fds[j], self, fn, arg);
		pids[j] = pid;
		started++;
	}
	if (rc)
		kill_all(pids, started);
	unsigned alive = started;
	while (alive) {
		for (unsigned j = 0; j < started; j++) {
			if (pids[j] <= 0)
				continue;
			int st;
			pid_t r = waitpid(pids[j], &st, WNOHANG);
			if (r != pids[j])
				continue;
			pids[j] = -pids[j]; /* reaped; keep the pid for messages */
			alive--;
			if (!rc && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
				describe(err, errlen, j, n, -pids[j], st);
				rc = COH_EWORKER;
				kill_all(pids, started);
			}
		}
		if (alive) {
			if (tick)
				tick(arg);
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	for (unsigned j = 0; j < started; j++) {
		if (!rc) {
			size_t len = 0;
			char *buf = read_all(fds[j], &len);
			int wrc = 0;
			if (!buf || coh__wres_decode(buf, len, &w[j], &wrc) != 0) {
				snprintf(err, errlen,
				         "worker %u of %u (pid %d) left a short or corrupt result "
				         "(%zu bytes)",
				         j, n, (int)-pids[j], len);
				rc = COH_EWORKER;
			} else if (wrc != 0) {
				rc = wrc;
			}
			free(buf);
		}
		close(fds[j]);
	}
	return rc;
}
