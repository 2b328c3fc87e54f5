/*
 * fsx.c - the workload of `cohsim fsx` (docs/fsx.md): random operations
 * on files of simplefs, each result checked against a good copy of the
 * file kept on the host, as fsx of fstests and LTP does.
 *
 * Interface: fsx.h (fsx_impl.h with fsx_good.c, the log and the good
 * copy). fsx_scenario() gives a scenario with one user task per
 * --tasks; each owns the files f with f % tasks == its number, maps each
 * of them MAP_SHARED, and opens it three times (buffered, O_DIRECT, O_SYNC). The
 * tasks take operation numbers from one counter until --ops are done; the
 * last one to finish writes everything back, drops the page cache and
 * reads every file whole, direct and buffered.
 *
 * Invariants (the good copy's rules, docs/fsx.md):
 *   - a file changes only through its owner, so each file's good copy is
 *     exact between operations; drop-caches is global but changes no data;
 *   - good[f].data past good[f].size is zero (truncate zeroes what it cuts);
 *   - an AIO write changes the good copy when it is reaped; a read that
 *     overlaps it meanwhile may see the old or the new bytes;
 *   - while a file has AIO requests in flight, no operation changes its
 *     size and none writes a page they cover (Linux does not promise
 *     anything there); with --journal no read touches those pages either.
 * Every random choice comes from a generator seeded by --seed and the task,
 * so a run is a function of its arguments and of the explorer's schedule.
 */
#include <stdarg.h>
#include <string.h>

#include "fsx_impl.h"

#define PAGE 4096
/* Each task's buffers, in 156 KiB of anonymous memory (an mm has at most
 * COH_MM_PTES pages mapped: the file is mapped only for an mmap operation,
 * as fsx does). A direct read's buffer is never one the CPU wrote: mapping
 * it for the device invalidates its lines, and the oracle counts a dirty
 * line dropped there as a lost write (docs/fsx.md), so those pages are
 * faulted in once, before any operation (prefault()). */
#define UBUF 0x40000000ul
#define UBUF_LEN 0x27000ul
#define UREAD UBUF               /* buffered reads land here (32 KiB + 64) */
#define UWRITE (UBUF + 0x9000ul) /* the source of buffered and direct writes */
#define UDREAD (UBUF + 0xc000ul) /* direct reads land here (32 KiB + 4 KiB) */
#define USLOT(i, w) (UBUF + ((w) ? 0x15000ul : 0x1e000ul) + (unsigned long)(i)*0x3000ul)
#define UMAP 0x50000000ul /* the window an mmap operation maps */

const char *const fsx_kind_name[OP_NKINDS] = {"read",     "write",  "mapread", "mapwrite", "msync",
                                              "truncate", "fsync",  "drop",    "dread",    "dwrite",
                                              "aread",    "awrite", "reap",    "swrite"};
const unsigned fsx_kind_weight[OP_NKINDS] = {14, 15, 8, 11, 0, 5, 3, 4, 8, 10, 6, 10, 6, 0};

struct fsx_state fsx_st;

const struct fsx_outcome *fsx_outcome(void)
{
	return &fsx_st.out;
}

const char *fsx_op_name(unsigned i)
{
	return i < OP_NKINDS ? fsx_kind_name[i] : NULL;
}

/* ---- random numbers: splitmix64 ---- */

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(struct task *t, uint64_t n)
{
	return n ? (unsigned)(mix(&t->rng) % n) : 0;
}

/* The bytes operation no writes: its own generator, so that a byte tells
 * which operation wrote it only through the good copy's writer[]. */
static void fill(uint8_t *p, size_t n, uint64_t no)
{
	uint64_t s = fsx_st.cfg.seed * 0x100000001b3ull ^ no;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = mix(&s);
		for (size_t k = 0; k < 8 && i + k < n; k++)
			p[i + k] = (uint8_t)(v >> (8 * k));
	}
}

/* ---- user memory ---- */

/* The task's stores of p[0..n) at uaddr (its own loads and stores, through
 * the caches; words where aligned). */
static void put_bytes(unsigned long uaddr, const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i < n && ((uaddr + i) & 3); i++)
		user_write8(uaddr + i, p[i]);
	for (; i + 4 <= n; i += 4)
		user_write32(uaddr + i, (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
		                            (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24);
	for (; i < n; i++)
		user_write8(uaddr + i, p[i]);
}

/* ---- AIO requests in flight ---- */

static bool pages_overlap(int64_t a, size_t alen, int64_t b, size_t blen)
{
	int64_t a0 = a / PAGE, a1 = (a + (int64_t)alen + PAGE - 1) / PAGE;
	int64_t b0 = b / PAGE, b1 = (b + (int64_t)blen + PAGE - 1) / PAGE;
	return a0 < b1 && b0 < a1;
}

/* May file f be written at [off, off + len) (or have its size changed,
 * resize) with the task's AIO requests in flight? */
static bool may_write(const struct task *t, unsigned f, int64_t off, size_t len, bool resize)
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
static bool may_read(const struct task *t, unsigned f, int64_t off, size_t len)
{
	for (unsigned i = 0; fsx_st.cfg.journal && i < FSX_AIO_SLOTS; i++) {
		const struct slot *s = &t->slots[i];
		if (s->busy && s->write && s->file == f && pages_overlap(off, len, s->off, s->len))
			return false;
	}
	return true;
}

static unsigned busy_slots(const struct task *t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < FSX_AIO_SLOTS; i++)
		n += t->slots[i].busy;
	return n;
}

/* io_getevents of at least min events; each checked and its slot freed. */
static void reap(struct task *t, uint64_t no, long min)
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

static void reap_all(struct task *t, uint64_t no)
{
	unsigned n = busy_slots(t);
	if (n)
		reap(t, no, (long)n);
}

/* ---- the operations ---- */

/* [off, off + len) of a read: anywhere up to a little past the end. */
static void pick_read(struct task *t, unsigned f, int64_t *off, size_t *len)
{
	int64_t span = fsx_st.good[f].size + 512;
	if (span > FSX_FILE_MAX)
		span = FSX_FILE_MAX;
	*off = below(t, (uint64_t)span);
	*len = 1 + below(t, FSX_MAX_LEN);
	if (*off + (int64_t)*len > FSX_FILE_MAX)
		*len = (size_t)(FSX_FILE_MAX - *off);
}

static void pick_write(struct task *t, int64_t *off, size_t *len)
{
	*off = below(t, FSX_FILE_MAX);
	*len = 1 + below(t, FSX_MAX_LEN);
	if (*off + (int64_t)*len > FSX_FILE_MAX)
		*len = (size_t)(FSX_FILE_MAX - *off);
}

/* A direct transfer: sector-aligned, or (one in eight) misaligned in its
 * offset, its length or its buffer (misaligned() tells which). */
static void pick_direct(struct task *t, int64_t *off, size_t *len, unsigned long *buf,
                        unsigned long base)
{
	*off = 512 * (int64_t)below(t, FSX_FILE_MAX / 512);
	*len = 512 * (1 + below(t, FSX_MAX_LEN / 512));
	*buf = base + 512ul * below(t, 8);
	if (below(t, 8) == 0) {
		switch (below(t, 3)) {
		case 0:
			*off += 1 + below(t, 511);
			break;
		case 1:
			*len = *len > 512 ? *len - 1 - below(t, 511) : 1 + below(t, 511);
			break;
		default:
			*buf += 1 + below(t, 511);
		}
	}
	if (*off + (int64_t)*len > FSX_FILE_MAX)
		*len = (size_t)(FSX_FILE_MAX - *off);
}

/* What of a direct transfer is not sector-aligned (NULL: nothing). */
static const char *misaligned(int64_t off, size_t len, unsigned long buf)
{
	return (off % 512) ? "offset" : (len % 512) ? "length" : (buf % 512) ? "buffer" : NULL;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* read(2) of [off, off + len) of file f into buf, checked. */
static void read_range(struct task *t, uint64_t no, unsigned f, bool direct, int64_t off,
                       size_t len, unsigned long buf, struct fsx_logged *e)
{
	const char *bad = direct ? misaligned(off, len, buf) : NULL;
	int64_t size = fsx_st.good[f].size;
	long long want = off >= size ? 0 : bad ? -EINVAL : min64((int64_t)len, size - off);
	fsx_expect(t, f, off, len, t->want, t->alt, t->has_alt);
	fsx_log_add(e, "%s f%u 0x%llx+0x%zx", direct ? "dread" : "read", f, (unsigned long long)off,
	            len);
	if (bad)
		fsx_log_add(e, " (misaligned %s)", bad);
	loff_t pos = off;
	ssize_t r = vfs_read(direct ? fsx_st.dfile[f] : fsx_st.bfile[f], buf, len, &pos);
	fsx_log_add(e, " = %zd", r);
	const char *how = direct ? "direct read" : "read";
	if (!fsx_check_result(no, f, how, r, want, false) || r <= 0)
		return;
	user_memcpy_from(t->got, buf, (size_t)r);
	fsx_compare(no, f, how, off, (size_t)r, t->got, t->want, t->alt, t->has_alt);
}

static void do_read(struct task *t, uint64_t no, unsigned f, bool direct, struct fsx_logged *e)
{
	int64_t off;
	size_t len;
	unsigned long buf = UREAD + below(t, 64);
	if (direct)
		pick_direct(t, &off, &len, &buf, UDREAD);
	else
		pick_read(t, f, &off, &len);
	if (!may_read(t, f, off, len)) {
		fsx_log_add(e, "%s f%u: skipped (pages under an AIO write)",
		            direct ? "dread" : "read", f);
		return;
	}
	read_range(t, no, f, direct, off, len, buf, e);
}

/* One buffered write in eight goes through the file opened O_SYNC. The
 * choice hashes the operation's number (not the task's generator), so the
 * operations a seed draws are the same as without O_SYNC. */
static bool osync_write(uint64_t no)
{
	uint64_t s = fsx_st.cfg.seed * 0x2545f4914f6cdd1dull ^ no;
	return (mix(&s) & 7) == 0;
}

/* When an O_SYNC write(2) returns, its bytes are on the disk: the medium
 * under [off, off + len) of file f, read on the host, must hold them. */
static void check_on_disk(struct task *t, uint64_t no, unsigned f, int64_t off, size_t len)
{
	struct inode *inode = fsx_st.bfile[f]->f_inode;
	uint8_t blk[PAGE];
	for (int64_t pg = off / PAGE; pg * PAGE < off + (int64_t)len; pg++) {
		struct buffer_head bh;
		memset(&bh, 0, sizeof(bh));
		int64_t from = pg * PAGE > off ? pg * PAGE : off;
		int64_t to = min64((pg + 1) * PAGE, off + (int64_t)len);
		if (simplefs_get_block(inode, (sector_t)pg, &bh, 0) || !buffer_mapped(&bh) ||
		    disk_backend_read(fsx_st.sb->s_disk, (sector_t)bh.b_blocknr * (PAGE / 512), blk,
		                      PAGE)) {
			fsx_check_result(no, f, "O_SYNC write: a block of it on the disk", 0, 1,
			                 false);
			return;
		}
		memcpy(t->got + (from - off), blk + (from - pg * PAGE), (size_t)(to - from));
	}
	memset(t->has_alt, 0, len);
	fsx_compare(no, f, "O_SYNC write (the disk)", off, len, t->got, t->data, t->alt,
	            t->has_alt);
}

static void do_write(struct task *t, uint64_t no, unsigned f, bool direct, struct fsx_logged *e)
{
	int64_t off;
	size_t len;
	unsigned long buf = UWRITE + below(t, 64);
	if (direct)
		pick_direct(t, &off, &len, &buf, UWRITE);
	else
		pick_write(t, &off, &len);
	const char *bad = direct ? misaligned(off, len, buf) : NULL;
	bool resize = off + (int64_t)len > fsx_st.good[f].size;
	if (!may_write(t, f, off, len, resize)) {
		reap_all(t, no);
		fsx_log_add(e, "(reaped first) ");
		if (fsx_st.stop)
			return;
	}
	bool sync = !direct && osync_write(no);
	fill(t->data, len, no);
	put_bytes(buf, t->data, len);
	fsx_log_add(e, "%s f%u 0x%llx+0x%zx",
	            direct ? "dwrite"
	            : sync ? "swrite"
	                   : "write",
	            f, (unsigned long long)off, len);
	if (bad)
		fsx_log_add(e, " (misaligned %s)", bad);
	if (sync)
		fsx_st.out.op_counts[OP_SWRITE]++;
	loff_t pos = off;
	struct file *file = direct ? fsx_st.dfile[f] : sync ? fsx_st.sfile[f] : fsx_st.bfile[f];
	ssize_t r = vfs_write(file, buf, len, &pos);
	fsx_log_add(e, " = %zd", r);
	if (!fsx_check_result(no, f,
	                      direct ? "direct write"
	                      : sync ? "O_SYNC write"
	                             : "write",
	                      r, bad ? -EINVAL : (long long)len, direct && fsx_st.cfg.journal))
		return;
	if (r == (ssize_t)len) {
		fsx_apply_write(f, off, t->data, len, no);
		if (sync)
			check_on_disk(t, no, f, off, len);
	}
}

/* [off, off + len) inside the file's size, for a mapping's loads and
 * stores (a byte past i_size faults: SIGBUS). False if the file is empty. */
static bool pick_mapped(struct task *t, unsigned f, int64_t *off, size_t *len)
{
	int64_t size = fsx_st.good[f].size;
	if (size == 0)
		return false;
	*off = below(t, (uint64_t)size);
	*len = 1 + below(t, (uint64_t)min64(FSX_MAX_LEN, size - *off));
	return true;
}

/* The window of an mmap operation: the pages of [off, off + len), mapped
 * MAP_SHARED at UMAP (fsx maps and unmaps around each one). */
static unsigned long window_len(int64_t off, size_t len)
{
	int64_t first = off & ~(int64_t)(PAGE - 1);
	return (unsigned long)((off + (int64_t)len - first + PAGE - 1) & ~(int64_t)(PAGE - 1));
}

static unsigned long map_window(uint64_t no, unsigned f, int64_t off, size_t len)
{
	int64_t first = off & ~(int64_t)(PAGE - 1);
	unsigned long a = do_mmap_pgoff(current->mm, fsx_st.bfile[f], UMAP, window_len(off, len),
	                                PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
	                                (unsigned long)(first / PAGE));
	if (IS_ERR_VALUE(a)) {
		fsx_check_result(no, f, "mmap", (long long)(long)a, (long long)UMAP, false);
		return 0;
	}
	return UMAP + (unsigned long)(off - first);
}

static void unmap_window(uint64_t no, unsigned f, int64_t off, size_t len)
{
	fsx_check_result(no, f, "munmap", do_munmap(current->mm, UMAP, window_len(off, len)), 0,
	                 false);
}

static void do_mapread(struct task *t, uint64_t no, unsigned f, struct fsx_logged *e)
{
	int64_t off;
	size_t len;
	if (!pick_mapped(t, f, &off, &len)) {
		fsx_log_add(e, "mapread f%u: empty file", f);
		return;
	}
	if (!may_read(t, f, off, len)) {
		fsx_log_add(e, "mapread f%u: skipped (pages under an AIO write)", f);
		return;
	}
	fsx_log_add(e, "mapread f%u 0x%llx+0x%zx", f, (unsigned long long)off, len);
	unsigned long addr = map_window(no, f, off, len);
	if (!addr)
		return;
	fsx_expect(t, f, off, len, t->want, t->alt, t->has_alt);
	user_memcpy_from(t->got, addr, len);
	unmap_window(no, f, off, len);
	fsx_compare(no, f, "mmap load", off, len, t->got, t->want, t->alt, t->has_alt);
}

static void do_mapwrite(struct task *t, uint64_t no, unsigned f, struct fsx_logged *e)
{
	int64_t off;
	size_t len;
	if (!pick_mapped(t, f, &off, &len)) {
		fsx_log_add(e, "mapwrite f%u: empty file", f);
		return;
	}
	if (!may_write(t, f, off, len, false)) {
		reap_all(t, no);
		fsx_log_add(e, "(reaped first) ");
		if (fsx_st.stop)
			return;
	}
	fsx_log_add(e, "mapwrite f%u 0x%llx+0x%zx", f, (unsigned long long)off, len);
	unsigned long addr = map_window(no, f, off, len);
	if (!addr)
		return;
	fill(t->data, len, no);
	put_bytes(addr, t->data, len);
	fsx_apply_write(f, off, t->data, len, no);
	/* as fsx: msync(MS_SYNC) or (MS_ASYNC) or nothing, then munmap */
	unsigned how = below(t, 3);
	if (how < 2) {
		int flags = how ? MS_ASYNC : MS_SYNC;
		fsx_log_add(e, ", msync %s", how ? "MS_ASYNC" : "MS_SYNC");
		fsx_st.out.op_counts[OP_MSYNC]++;
		int r = sys_msync(t->mm, UMAP, window_len(off, len), flags);
		if (!fsx_check_result(no, f, "msync", r, 0, false))
			return;
	}
	unmap_window(no, f, off, len);
}

static void do_truncate(struct task *t, uint64_t no, unsigned f, struct fsx_logged *e)
{
	int64_t size = below(t, FSX_FILE_MAX + 1);
	if (below(t, 4) == 0)
		size &= ~(int64_t)(PAGE - 1);
	if (!may_write(t, f, 0, 0, true)) {
		reap_all(t, no);
		fsx_log_add(e, "(reaped first) ");
		if (fsx_st.stop)
			return;
	}
	fsx_log_add(e, "truncate f%u 0x%llx -> 0x%llx", f, (unsigned long long)fsx_st.good[f].size,
	            (unsigned long long)size);
	int r = vmtruncate(fsx_st.bfile[f]->f_inode, size);
	if (r)
		fsx_log_add(e, " = %d", r);
	if (!fsx_check_result(no, f, "truncate", r, 0, false))
		return;
	struct good *g = &fsx_st.good[f];
	if (size < g->size) {
		memset(g->data + size, 0, (size_t)(g->size - size));
		for (int64_t b = size; b < g->size; b++)
			g->writer[b] = (uint32_t)no;
	}
	g->size = size;
}

static void do_aio(struct task *t, uint64_t no, unsigned f, bool write, struct fsx_logged *e)
{
	unsigned i = 0;
	while (i < FSX_AIO_SLOTS && t->slots[i].busy)
		i++;
	if (i == FSX_AIO_SLOTS) {
		reap(t, no, 1);
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
	pick_direct(t, &off, &len, &buf, USLOT(i, write));
	int64_t size = fsx_st.good[f].size;
	if (write) {
		/* no AIO write changes the size (docs/fsx.md) */
		if (off >= size) {
			fsx_log_add(e, "awrite f%u: skipped (at or past the end)", f);
			return;
		}
		if (off + (int64_t)len > size)
			len = (size_t)(size - off);
		if (!may_write(t, f, off, len, false)) {
			fsx_log_add(e, "awrite f%u: skipped (pages under another request)", f);
			return;
		}
	} else if (!may_read(t, f, off, len)) {
		fsx_log_add(e, "aread f%u: skipped (pages under an AIO write)", f);
		return;
	}
	const char *bad = misaligned(off, len, buf);
	s->write = write;
	s->file = f;
	s->off = off;
	s->len = len;
	s->buf = buf;
	s->no = no;
	s->eio_ok = write && fsx_st.cfg.journal;
	if (write) {
		s->res = bad ? -EINVAL : (long long)len;
		fill(s->data, len, no);
		put_bytes(buf, s->data, len);
	} else {
		s->res = off >= size ? 0 : bad ? -EINVAL : min64((int64_t)len, size - off);
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
	if (write && !bad && below(t, 2) && may_read(t, f, off, len)) {
		fsx_log_add(e, "; then ");
		read_range(t, no, f, false, off, len, UREAD + below(t, 64), e);
	}
}

static void one_op(struct task *t, uint64_t no)
{
	unsigned f = t->files[below(t, t->nfiles)];
	unsigned w = below(t, 100), k = 0;
	while (k + 1 < OP_NKINDS && w >= fsx_kind_weight[k])
		w -= fsx_kind_weight[k++];
	struct fsx_logged *e = fsx_log_op(no, t->id);
	if (k == OP_MSYNC)
		k = OP_MAPWRITE; /* msync comes after a mapwrite, as in fsx */
	fsx_st.out.op_counts[k]++;
	switch (k) {
	case OP_READ:
	case OP_DREAD:
		do_read(t, no, f, k == OP_DREAD, e);
		break;
	case OP_WRITE:
	case OP_DWRITE:
		do_write(t, no, f, k == OP_DWRITE, e);
		break;
	case OP_MAPREAD:
		do_mapread(t, no, f, e);
		break;
	case OP_MAPWRITE:
	case OP_MSYNC:
		do_mapwrite(t, no, f, e);
		break;
	case OP_TRUNCATE:
		do_truncate(t, no, f, e);
		break;
	case OP_FSYNC: {
		fsx_log_add(e, "fsync f%u", f);
		int r = vfs_fsync(fsx_st.bfile[f], 0);
		fsx_check_result(no, f, "fsync", r, 0, false);
		break;
	}
	case OP_DROP:
		fsx_log_add(e, "drop caches: %lu pages", drop_pagecache_sb(fsx_st.sb));
		break;
	case OP_AREAD:
	case OP_AWRITE:
		do_aio(t, no, f, k == OP_AWRITE, e);
		break;
	default:
		if (busy_slots(t))
			reap(t, no, 1);
		else
			fsx_log_add(e, "reap: nothing in flight");
		break;
	}
}

/* After every operation: the first finding of an oracle ends the run. */
static void note_findings(uint64_t no)
{
	if (!fsx_st.out.finding_op && coh_check_count(coh_sched_check(coh_sched_current())) > 0) {
		fsx_st.out.finding_op = no;
		fsx_st.stop = true;
	}
}

/* Everything written back, the clean page cache dropped, every file read
 * whole: direct (the disk) and buffered (the cache, read again). */
static void final_check(struct task *t)
{
	uint64_t no = fsx_st.cfg.ops;
	for (unsigned f = 0; f < fsx_st.cfg.files && !fsx_st.stop; f++) {
		struct fsx_logged *e = fsx_log_op(++no, t->id);
		fsx_log_add(e, "final fsync f%u", f);
		fsx_check_result(no, f, "final fsync", vfs_fsync(fsx_st.bfile[f], 0), 0, false);
		note_findings(no);
	}
	if (fsx_st.stop)
		return;
	struct fsx_logged *e = fsx_log_op(++no, t->id);
	fsx_log_add(e, "final drop caches: %lu pages", drop_pagecache_sb(fsx_st.sb));
	note_findings(no);
	for (unsigned f = 0; f < fsx_st.cfg.files && !fsx_st.stop; f++) {
		int64_t size = fsx_st.good[f].size;
		for (int direct = 1; direct >= 0 && !fsx_st.stop; direct--) {
			e = fsx_log_op(++no, t->id);
			size_t len = direct ? (size_t)((size + 511) & ~511ll) : FSX_FILE_MAX;
			fsx_log_add(e, "final %s f%u 0x0+0x%zx", direct ? "dread" : "read", f, len);
			loff_t pos = 0;
			unsigned long buf = direct ? UDREAD : UREAD;
			ssize_t r = len ? vfs_read(direct ? fsx_st.dfile[f] : fsx_st.bfile[f], buf,
			                           len, &pos)
			                : 0;
			fsx_log_add(e, " = %zd", r);
			const char *how = direct ? "final direct read" : "final read";
			if (fsx_check_result(no, f, how, r, size, false) && r > 0) {
				user_memcpy_from(t->got, buf, (size_t)r);
				fsx_expect(NULL, f, 0, (size_t)r, t->want, t->alt, t->has_alt);
				fsx_compare(no, f, how, 0, (size_t)r, t->got, t->want, t->alt,
				            t->has_alt);
			}
			note_findings(no);
		}
	}
	fsx_st.out.final_checked = !fsx_st.stop;
}

/* The pages direct reads land in, faulted in before any operation: their
 * frames are fresh (zero), so the dirty zeroes of the fault match memory
 * when a later mapping for the device invalidates them (see UDREAD). */
static void prefault(struct task *t)
{
	for (unsigned long a = UDREAD; a < USLOT(0, true); a += PAGE)
		user_write32(a, 0);
	for (unsigned long a = USLOT(0, false); a < UBUF + UBUF_LEN; a += PAGE)
		user_write32(a, 0);
	if (++fsx_st.prefaulted == fsx_st.cfg.tasks)
		coh_complete_all(&fsx_st.ready);
	else
		coh_wait_for_completion(&fsx_st.ready);
	(void)t;
}

static void fsx_task(void *arg)
{
	struct task *t = arg;
	uint64_t no = 0;
	prefault(t);
	if (io_setup(FSX_AIO_SLOTS, &t->ctx)) {
		fsx_check_result(0, 0, "io_setup", -1, 0, false);
		return;
	}
	while (!fsx_st.stop && fsx_st.next_op < fsx_st.cfg.ops) {
		no = ++fsx_st.next_op;
		fsx_st.out.ops_done = no;
		one_op(t, no);
		note_findings(no);
	}
	if (!fsx_st.stop && busy_slots(t)) {
		reap_all(t, no);
		note_findings(no);
	}
	if (++fsx_st.finished == fsx_st.cfg.tasks && !fsx_st.stop)
		final_check(t);
}

/* ---- the scenario ---- */

static int setup(coh_sched *s, void *state)
{
	(void)state;
	struct fsx_config cfg = fsx_st.cfg;
	memset(&fsx_st, 0, sizeof(fsx_st));
	fsx_st.cfg = cfg;
	coh_init_completion(&fsx_st.ready, "fsx ready");
	struct disk_config dc;
	disk_config_init(&dc, "sda");
	struct gendisk *disk = alloc_disk_sim(&dc);
	static const char *const names[FSX_MAX_FILES] = {"f0", "f1", "f2", "f3",
	                                                 "f4", "f5", "f6", "f7"};
	struct simplefs_file_spec spec[FSX_MAX_FILES];
	for (unsigned f = 0; f < cfg.files; f++)
		spec[f] = (struct simplefs_file_spec){names[f], FSX_FILE_PAGES, 0};
	fsx_st.sb = disk ? simplefs_mkfs_mount(disk, spec, cfg.files) : NULL;
	if (!fsx_st.sb)
		return COH_EINVAL;
	/* a journal may hold a page's buffers: its release may fail */
	fsx_st.sb->s_release_may_fail = cfg.journal;
	for (unsigned f = 0; f < cfg.files; f++) {
		fsx_st.bfile[f] = filp_open(fsx_st.sb, names[f], O_RDWR);
		fsx_st.dfile[f] = filp_open(fsx_st.sb, names[f], O_RDWR | O_DIRECT);
		fsx_st.sfile[f] = filp_open(fsx_st.sb, names[f], O_RDWR | O_SYNC);
		if (!fsx_st.bfile[f] || !fsx_st.dfile[f] || !fsx_st.sfile[f])
			return COH_ENOMEM;
	}
	unsigned ncpus = fsx_scenario(&cfg)->ncpus;
	for (unsigned i = 0; i < cfg.tasks; i++) {
		struct task *t = &fsx_st.tasks[i];
		t->id = i;
		t->rng = cfg.seed ^ (0x5851f42d4c957f2dull * (i + 1));
		if (!(t->mm = mm_alloc()) ||
		    IS_ERR_VALUE(do_mmap(t->mm, UBUF, UBUF_LEN, PROT_READ | PROT_WRITE,
		                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)))
			return COH_ENOMEM;
		for (unsigned f = i; f < cfg.files; f += cfg.tasks)
			t->files[t->nfiles++] = f;
		static const char *const tname[FSX_MAX_TASKS] = {"fsx0", "fsx1", "fsx2", "fsx3",
		                                                 "fsx4", "fsx5", "fsx6", "fsx7"};
		if (!user_task_create(s, tname[i], i % ncpus, t->mm, fsx_task, t))
			return COH_EINVAL;
	}
	return COH_OK;
}

static void finish(coh_sched *s, void *state)
{
	(void)state;
	coh_stats st;
	coh_machine_stats(coh_sched_machine(s), &st);
	fsx_st.out.accesses = 0;
	for (unsigned c = 0; c < st.ncpus; c++)
		fsx_st.out.accesses += st.cpu[c].loads + st.cpu[c].stores;
}

static coh_scenario scenario = {
    .name = "fsx",
    .description = "random file operations checked against a good copy (cohsim fsx)",
    .models = "the page cache, simplefs, direct I/O and AIO (2.6.20-2.6.35)",
    .default_arch = "cortex-a9",
    .mem_size = 16u << 20,
    .kernel_version = KERNEL_VERSION(2, 6, 35),
    .fixes = {{"gup-flush-anon-page", "get_user_pages flushes the user alias (6020dff09252)"},
              {"flush-dcache-anon", "ARM flush_dcache_page of anonymous pages"},
              {"kmap-lock-irqsafe", "kmap_lock taken IRQ-safe where kmap_high_get is used"},
              {"perform-write-flush", "flush a writably mapped page before write(2) copies into "
                                      "it (931e80e4b326; in the code from 2.6.33)"},
              {"dio-invalidate-before-write", "seed 3: invalidate before ->direct_IO "
                                              "(65b8291c4000)"},
              {"dio-invalidate-after-sync-write", "the second invalidation of sync writes "
                                                  "(bdb76ef5a4bc)"},
              {"dio-invalidate-in-complete", "dio_complete invalidates the written range "
                                             "(332391a)"},
              {"dio-complete-no-irq-invalidate", "never from hardirq (ffe51f0142a9)"}},
    .variants = {{"fixed",
                  {"gup-flush-anon-page", "flush-dcache-anon", "kmap-lock-irqsafe",
                   "perform-write-flush", "dio-invalidate-before-write",
                   "dio-invalidate-after-sync-write", "dio-invalidate-in-complete",
                   "dio-complete-no-irq-invalidate", NULL}},
                 {"buggy", {NULL}}},
    .setup = setup,
    .finish = finish,
    .strategy = COH_STRATEGY_PCT,
    .budget = 1,
};

const coh_scenario *fsx_scenario(const struct fsx_config *cfg)
{
	fsx_st.cfg = *cfg;
	scenario.ncpus = cfg->tasks < 2 ? 2 : cfg->tasks > 4 ? 4 : cfg->tasks;
	return &scenario;
}
