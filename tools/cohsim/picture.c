/*
 * picture.c - what `--report FILE.html` and `--trace FILE.json` need
 * beyond the run itself: one execution captured as a timeline, and files
 * written whole or not at all.
 *
 * Interface: after a run, a command calls cli_timeline_capture() with the
 * schedule to picture (its first finding's, or the default "v1:") and a
 * function that replays it; the replay runs in process with the timeline's
 * watcher, once, whatever --jobs says, and leaves stdout alone. The
 * timeline hangs off the result until cli_result_free().
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "timeline.h"

bool cli_wants_timeline(const struct cli_opts *o)
{
	return o->report || o->trace;
}

int cli_timeline_capture(struct cli_result *r, const char *schedule, const char *replay,
                         bool of_finding, cli_replay_fn fn, void *arg)
{
	struct cli_timeline *tl = cli_timeline_new();
	if (!tl || cli_timeline_set_replay(tl, schedule, replay, of_finding)) {
		cli_timeline_free(tl);
		fprintf(stderr, "cohsim: out of memory for the timeline\n");
		return EXIT_INTERNAL;
	}
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_REPLAY;
	cfg.schedule = schedule;
	cfg.progress = false;
	cfg.watch = &tl->watcher;
	coh_explore_result res;
	int st = fn(arg, &cfg, &res);
	coh_explore_result_free(&res);
	if (st || cli_timeline_finish(tl)) {
		fprintf(stderr, "cohsim: cannot replay '%s' for the timeline: %s\n", schedule,
		        st ? coh_strerror(st) : "no execution captured");
		cli_timeline_free(tl);
		return EXIT_INTERNAL;
	}
	cli_timeline_free(r->timeline);
	r->timeline = tl;
	return 0;
}

int cli_write_whole(const char *path, const char *opt, void (*write)(FILE *out, const void *arg),
                    const void *arg)
{
	char *dirbuf = strdup(path);
	char *tmp = NULL;
	if (!dirbuf || asprintf(&tmp, "%s/.cohsim-XXXXXX", dirname(dirbuf)) < 0) {
		free(dirbuf);
		return EXIT_INTERNAL;
	}
	free(dirbuf);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "cohsim: --%s %s: cannot create a file there: %s\n", opt, path,
		        strerror(errno));
		free(tmp);
		return EXIT_USAGE;
	}
	mode_t mask = umask(0); /* mkstemp made it 0600: give it the usual mode */
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return EXIT_INTERNAL;
	}
	FILE *out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return EXIT_INTERNAL;
	}
	write(out, arg);
	bool ok = !ferror(out);
	ok = (fflush(out) == 0) && ok;
	ok = (fsync(fd) == 0) && ok;
	ok = (fclose(out) == 0) && ok;
	if (!ok) {
		fprintf(stderr, "cohsim: --%s %s: write failed: %s\n", opt, path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return EXIT_INTERNAL;
	}
	if (rename(tmp, path) != 0) {
		/* a directory or a file we may not replace: the user's path is wrong */
		int e = errno;
		fprintf(stderr, "cohsim: --%s %s: cannot put the file there: %s\n", opt, path,
		        strerror(e));
		unlink(tmp);
		free(tmp);
		return e == EISDIR || e == ENOTDIR || e == EACCES || e == EPERM || e == EROFS ||
		               e == EBUSY
		           ? EXIT_USAGE
		           : EXIT_INTERNAL;
	}
	free(tmp);
	return 0;
}
