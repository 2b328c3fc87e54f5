/*
 * fsx_good.c - the checking half of `cohsim fsx` (docs/fsx.md): the log of
 * operations kept for a report, and the good copy of every file on the
 * host, against which each read and each return value is compared.
 *
 * Interface: fsx_impl.h. Invariants: the good copy changes only through
 * fsx_apply_write (and truncate in fsx.c); only the run's first mismatch is
 * recorded, and it stops the run (fsx_st.stop).
 */
#include <errno.h>
#include <stdio.h>

#include "fsx_impl.h"

/* ---- the log ---- */

struct fsx_logged *fsx_log_op(uint64_t no, unsigned task)
{
	struct fsx_logged *e = &fsx_st.out.log[fsx_st.out.nlogged++ % FSX_LOG];
	e->no = no;
	e->task = task;
	e->text[0] = 0;
	return e;
}

void fsx_log_add(struct fsx_logged *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fsx_log_add(struct fsx_logged *e, const char *fmt, ...)
{
	size_t n = strlen(e->text);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->text + n, sizeof(e->text) - n, fmt, ap);
	va_end(ap);
}

/* ---- the good copy ---- */

/* What [off, off + n) of file f may read as now: want[], and alt[] where
 * an AIO write of the task in flight may have put other bytes. */
void fsx_expect(struct task *t, unsigned f, int64_t off, size_t n, uint8_t *want, uint8_t *alt,
                uint8_t *has_alt)
{
	memcpy(want, fsx_st.good[f].data + off, n);
	memset(has_alt, 0, n);
	for (unsigned i = 0; t && i < FSX_AIO_SLOTS; i++) {
		const struct slot *s = &t->slots[i];
		if (!s->busy || !s->write || s->file != f || s->res < 0)
			continue;
		for (int64_t b = s->off > off ? s->off : off;
		     b < s->off + (int64_t)s->len && b < off + (int64_t)n; b++) {
			alt[b - off] = s->data[b - s->off];
			has_alt[b - off] = 1;
		}
	}
}

void fsx_apply_write(unsigned f, int64_t off, const uint8_t *p, size_t n, uint64_t no)
{
	struct good *g = &fsx_st.good[f];
	memcpy(g->data + off, p, n);
	for (size_t i = 0; i < n; i++)
		g->writer[off + (int64_t)i] = (uint32_t)no;
	if (off + (int64_t)n > g->size)
		g->size = off + (int64_t)n;
}

static void fsx_report_mismatch(uint64_t no, unsigned f, const char *how)
{
	struct fsx_mismatch *m = &fsx_st.out.mismatch;
	coh_check_report(coh_sched_check(coh_sched_current()), COH_F_EXPECT_FAILED,
	                 (int)coh_this_cpu(), "fsx: operation #%llu (%s of file f%u) %s",
	                 (unsigned long long)no, how, f,
	                 m->result[0] ? m->result : "read bytes that differ from the good copy");
	fsx_st.stop = true;
}

/* Compares got[0..n) with what file f at off must read; on the first
 * mismatch of the run, reports it. True if they agree. */
bool fsx_compare(uint64_t no, unsigned f, const char *how, int64_t off, size_t n,
                 const uint8_t *got, const uint8_t *want, const uint8_t *alt,
                 const uint8_t *has_alt)
{
	size_t first = n;
	unsigned differ = 0;
	for (size_t i = 0; i < n; i++) {
		if (got[i] == want[i] || (has_alt[i] && got[i] == alt[i]))
			continue;
		if (first == n)
			first = i;
		differ++;
	}
	if (first == n)
		return true;
	struct fsx_mismatch *m = &fsx_st.out.mismatch;
	if (m->found || fsx_st.stop)
		return false;
	m->found = true;
	m->op = no;
	m->file = f;
	m->how = how;
	m->offset = off + (int64_t)first;
	m->ndiffer = differ;
	size_t from = first > FSX_SHOW ? first - FSX_SHOW : 0;
	size_t to = first + FSX_SHOW < n ? first + FSX_SHOW : n;
	m->show_from = off + (int64_t)from;
	m->show_len = (unsigned)(to - from);
	memcpy(m->want, want + from, to - from);
	memcpy(m->got, got + from, to - from);
	m->writer = fsx_st.good[f].writer[m->offset];
	m->result[0] = 0;
	fsx_report_mismatch(no, f, how);
	return false;
}

/* A return value that is not the one it must be. */
bool fsx_check_result(uint64_t no, unsigned f, const char *how, long long got, long long want,
                      bool eio_ok)
{
	/* a failed invalidation before a direct write: -EIO (2.6.20-29), or
	 * -EBUSY once invalidate_inode_pages2_range returns it (2.6.30) */
	if (got == want || (eio_ok && (got == -EIO || got == -EBUSY)))
		return true;
	struct fsx_mismatch *m = &fsx_st.out.mismatch;
	if (m->found || fsx_st.stop)
		return false;
	m->found = true;
	m->op = no;
	m->file = f;
	m->how = how;
	m->offset = -1;
	m->writer = 0;
	snprintf(m->result, sizeof(m->result), "returned %lld, expected %lld", got, want);
	fsx_report_mismatch(no, f, how);
	return false;
}
