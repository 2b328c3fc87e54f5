/*
 * fsx_aio.c - the AIO requests of `cohsim fsx` (docs/fsx.md): a task's
 * slots of requests in flight, aread/awrite submitted by io_submit, and
 * reaping by io_getevents with each event checked.
 *
 * Interface (fsx_impl.h): fsx_do_aio() and fsx_reap() (operations),
 * fsx_reap_all(), fsx_busy_slots(), and fsx_may_write()/fsx_may_read(),
 * which every other operation asks first.
 *
 * Invariants: a slot is busy from a successful io_submit until its event
 * is reaped; an AIO write changes the good copy only when reaped and never
 * changes the file's size; while requests are in flight no operation
 * changes the file's size or writes a page they cover, and with --journal
 * none reads a page under an AIO write.
 */
#include "fsx_impl.h"

static bool pages_overlap(int64_t a, size_t alen, int64_t b, size_t blen)
{
	int64_t a0 = a / PAGE, a1 = (a + (int64_t)alen + PAGE - 1) / PAGE;
	int64_t b0 = b / PAGE, b1 = (b + (int64_t)blen + PAGE - 1) / PAGE;
	return a0 < b1 && b0 < a1;
}

/* May file f be written at [off, off + len) (or have its size changed,
 * resize) with the task's AIO requests in flight? */
bool fsx_may_write(const struct task *t, unsigned f, int64_t off, size_t len, bool resize)
{
	for (unsigned i = 0; i < FSX_AIO_SLOTS; i++) {
		const struct slot *s = &t->slots[i];
		if (!s->busy || s->file != f)
			continue;
		if (resize || pages_overlap(off, len, s->off, s->len))
			return false;
	}
	return true;
}

/* With --journal a page under an AIO write may stay cached and stale when
 * its release fails at dio_complete (Linux warns and lives with it): no
 * read touches those pages meanwhile. */
bool fsx_may_read(const struct task *t, unsigned f, int64_t off, size_t len)
{
	for (unsigned i = 0; fsx_st.cfg.journal && i < FSX_AIO_SLOTS; i++) {
		const struct slot *s = &t->slots[i];
		if (s->busy && s->write && s->file == f && pages_overlap(off, len, s->off, s->len))
			return false;
	}
	return true;
}

unsigned fsx_busy_slots(const struct task *t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < FSX_AIO_SLOTS; i++)
		n += t->slots[i].busy;
	return n;
}

/* io_getevents of at least min events; each checked and its slot freed. */
void fsx_reap(struct task *t, uint64_t no, long min)
{
	struct fsx_logged *e = fsx_log_op(no, t->id);
	fsx_log_add(e, "reap");
	long n = io_getevents(t->ctx, min, FSX_AIO_SLOTS, t->ev);
	if (n < min) {
		fsx_log_add(e, ": io_getevents returned %ld", n);
		fsx_check_result(no, 0, "io_getevents", n, min, false);
		return;
	}
	for (long k = 0; k < n; k++) {
		unsigned i = (unsigned)t->ev[k].data;
		struct slot *s = i < FSX_AIO_SLOTS ? &t->slots[i] : NULL;
		if (!s || !s->busy) {
			fsx_log_add(e, " unknown event %u", i);
			fsx_check_result(no, 0, "io_getevents (an event of no request)",
			                 (long long)i, -1, false);
			return;
		}
		long long res = t->ev[k].res;
		fsx_log_add(e, " #%llu=%lld", (unsigned long long)s->no, res);
		s->busy = false;
		if (!fsx_check_result(s->no, s->file, s->write ? "aio write" : "aio read", res,
		                      s->res, s->eio_ok))
			return;
		if (s->write && res == (long long)s->len)
			fsx_apply_write(s->file, s->off, s->data, s->len, s->no);
		if (!s->write && res > 0) {
			user_memcpy_from(t->got, s->buf, (size_t)res);
			if (!fsx_compare(s->no, s->file, "aio read", s->off, (size_t)res, t->got,
			                 s->data, s->alt, s->has_alt))
				return;
		}
	}
}

void fsx_reap_all(struct task *t, uint64_t no)
{
	unsigned n = fsx_busy_slots(t);
	if (n)
		fsx_reap(t, no, (long)n);
}

void fsx_do_aio(struct task *t, uint64_t no, unsigned f, bool write, struct fsx_logged *e)
{
	unsigned i = 0;
	while (i < FSX_AIO_SLOTS && t->slots[i].busy)
		i++;
	if (i == FSX_AIO_SLOTS) {
		fsx_reap(t, no, 1);
		fsx_log_add(e, "; ");
		for (i = 0; i < FSX_AIO_SLOTS && t->slots[i].busy;)
			i++;
		if (i == FSX_AIO_SLOTS || fsx_st.stop)
			return;
	}
	struct slot *s = &t->slots[i];
	int64_t off;
	size_t len;
	unsigned long buf;
	fsx_pick_direct(t, &off, &len, &buf, USLOT(i, write));
	int64_t size = fsx_st.good[f].size;
	if (write) {
		/* no AIO write changes the size (docs/fsx.md) */
		if (off >= size) {
			fsx_log_add(e, "awrite f%u: skipped (at or past the end)", f);
			return;
		}
		if (off + (int64_t)len > size)
			len = (size_t)(size - off);
		if (!fsx_may_write(t, f, off, len, false)) {
			fsx_log_add(e, "awrite f%u: skipped (pages under another request)", f);
			return;
		}
	} else if (!fsx_may_read(t, f, off, len)) {
		fsx_log_add(e, "aread f%u: skipped (pages under an AIO write)", f);
		return;
	}
	const char *bad = fsx_misaligned(off, len, buf);
	s->write = write;
	s->file = f;
	s->off = off;
	s->len = len;
	s->buf = buf;
	s->no = no;
	s->eio_ok = write && fsx_st.cfg.journal;
	if (write) {
		s->res = bad ? -EINVAL : (long long)len;
		fsx_fill(s->data, len, no);
		fsx_put_bytes(buf, s->data, len);
	} else {
		s->res = off >= size ? 0 : bad ? -EINVAL : fsx_min64((int64_t)len, size - off);
		fsx_expect(t, f, off, len, s->data, s->alt, s->has_alt);
	}
	fsx_log_add(e, "%s f%u 0x%llx+0x%zx", write ? "awrite" : "aread", f,
	            (unsigned long long)off, len);
	if (bad)
		fsx_log_add(e, " (misaligned %s)", bad);
	memset(&s->cb, 0, sizeof(s->cb));
	s->cb.aio_data = i;
	s->cb.aio_lio_opcode = write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
	s->cb.aio_filp = fsx_st.dfile[f];
	s->cb.aio_buf = buf;
	s->cb.aio_nbytes = len;
	s->cb.aio_offset = off;
	struct iocb *cbs[1] = {&s->cb};
	long r = io_submit(t->ctx, 1, cbs);
	fsx_log_add(e, ": submitted %ld", r);
	if (!fsx_check_result(no, f, "io_submit", r, 1, false))
		return;
	s->busy = true;
	/* half the time a buffered read of the same range follows at once,
	 * racing the write's bios (either value may be read) */
	if (write && !bad && fsx_below(t, 2) && fsx_may_read(t, f, off, len)) {
		fsx_log_add(e, "; then ");
		fsx_read_range(t, no, f, false, off, len, UREAD + fsx_below(t, 64), e);
	}
}