/*
 * outfile.c - files the command line writes (--report, and any later
 * output file), written whole or not at all, and never through a planted
 * name.
 *
 * Interface: cli_outfile_check(opt, path) before the run, so that a bad
 * path fails in milliseconds; cli_outfile_write(opt, path, fn, arg) at the
 * end: fn writes the content into a FILE.
 *
 * Invariants: the content goes to a fresh temporary file made by mkstemp
 * in the target's own folder (O_CREAT|O_EXCL, a unique name: no symlink
 * or other run's file is ever opened), then renamed over the target. Only
 * a missing target or a regular file is replaced: a folder, a device, a
 * FIFO or a symlink is refused (exit 2), so /dev/null is never turned into
 * a regular file. On any failure the temporary file is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_outfile_check(const char *opt, const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			fprintf(stderr, "cohsim: %s %s: exists and is not a regular file\n", opt,
			        path);
			return EXIT_USAGE;
		}
		if (access(path, W_OK) != 0) {
			fprintf(stderr, "cohsim: %s %s: not writable: %s\n", opt, path,
			        strerror(errno));
			return EXIT_USAGE;
		}
	} else if (errno != ENOENT) {
		fprintf(stderr, "cohsim: %s %s: %s\n", opt, path, strerror(errno));
		return EXIT_USAGE;
	}
	/* the folder must take a new file: the temporary one */
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
	if (!dir)
		return EXIT_INTERNAL;
	struct stat ds;
	int rc = 0;
	if (stat(dir, &ds) != 0 || !S_ISDIR(ds.st_mode) || access(dir, W_OK | X_OK) != 0) {
		fprintf(stderr, "cohsim: %s %s: cannot create a file in folder %s: %s\n", opt, path,
		        dir, errno ? strerror(errno) : "not a folder");
		rc = EXIT_USAGE;
	}
	free(dir);
	return rc;
}

int cli_outfile_write(const char *opt, const char *path, void (*fn)(FILE *, const void *),
                      const void *arg)
{
	int rc = cli_outfile_check(opt, path);
	if (rc)
		return rc;
	size_t n = strlen(path) + sizeof(".XXXXXX");
	char *tmp = malloc(n);
	if (!tmp)
		return EXIT_INTERNAL;
	snprintf(tmp, n, "%s.XXXXXX", path);
	int fd = mkstemp(tmp); /* O_CREAT|O_EXCL, mode 0600 */
	if (fd < 0) {
		fprintf(stderr, "cohsim: %s %s: cannot create %s: %s\n", opt, path, tmp,
		        strerror(errno));
		free(tmp);
		return EXIT_USAGE;
	}
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	FILE *out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return EXIT_INTERNAL;
	}
	fn(out, arg);
	bool ok = fflush(out) == 0 && !ferror(out) && fsync(fd) == 0;
	int err = errno;
	ok = (fclose(out) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		fprintf(stderr, "cohsim: %s %s: write failed: %s\n", opt, path,
		        strerror(ok ? errno : err));
		unlink(tmp);
		free(tmp);
		return EXIT_INTERNAL;
	}
	free(tmp);
	return 0;
}
