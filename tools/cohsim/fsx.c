/*
 * fsx.c - the operations of `cohsim fsx` (docs/fsx.md): random operations
 * on files of simplefs, each result checked against a good copy of the
 * file kept on the host, as fsx of fstests and LTP does.
 *
 * Interface: fsx_impl.h. fsx_one_op() draws and runs one operation of a
 * task; the helpers the other operations share (the task's generator,
 * stores to user memory, direct transfers, a checked read) are here too.
 * Around it: the AIO requests in flight (fsx_aio.c), the mmap operations
 * (fsx_mmap.c), the tasks and the scenario (fsx_run.c), the log and the good
 * copy (fsx_good.c). fsx_op_name() (fsx.h) names the kinds.
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

const char *const fsx_kind_name[OP_NKINDS] = {"read",     "write",  "mapread", "mapwrite", "msync",
                                              "truncate", "fsync",  "drop",    "dread",    "dwrite",
                                              "aread",    "awrite", "reap",    "swrite"};
const unsigned fsx_kind_weight[OP_NKINDS] = {14, 15, 8, 11, 0, 5, 3, 4, 8, 10, 6, 10, 6, 0};

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

unsigned fsx_below(struct task *t, uint64_t n)
{
	return n ? (unsigned)(mix(&t->rng) % n) : 0;
}

/* The bytes operation no writes: its own generator, so that a byte tells
 * which operation wrote it only through the good copy's writer[]. */
void fsx_fill(uint8_t *p, size_t n, uint64_t no)
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
void fsx_put_bytes(unsigned long uaddr, const uint8_t *p, size_t n)
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

/* ---- the operations ---- */

/* [off, off + len) of a read: anywhere up to a little past the end. */
static void pick_read(struct task *t, unsigned f, int64_t *off, size_t *len)
{
	int64_t span = fsx_st.good[f].size + 512;
	if (span > FSX_FILE_MAX)
		span = FSX_FILE_MAX;
	*off = fsx_below(t, (uint64_t)span);
	*len = 1 + fsx_below(t, FSX_MAX_LEN);
	if (*off + (int64_t)*len > FSX_FILE_MAX)
		*len = (size_t)(FSX_FILE_MAX - *off);
}

static void pick_write(struct task *t, int64_t *off, size_t *len)
{
	*off = fsx_below(t, FSX_FILE_MAX);
	*len = 1 + fsx_below(t, FSX_MAX_LEN);
	if (*off + (int64_t)*len > FSX_FILE_MAX)
		*len = (size_t)(FSX_FILE_MAX - *off);
}

/* A direct transfer: sector-aligned, or (one in eight) misaligned in its
 * offset, its length or its buffer (fsx_misaligned() tells which). */
void fsx_pick_direct(struct task *t, int64_t *off, size_t *len, unsigned long *buf,
                     unsigned long base)
{
	*off = 512 * (int64_t)fsx_below(t, FSX_FILE_MAX / 512);
	*len = 512 * (1 + fsx_below(t, FSX_MAX_LEN / 512));
	*buf = base + 512ul * fsx_below(t, 8);
	if (fsx_below(t, 8) == 0) {
		switch (fsx_below(t, 3)) {
		case 0:
			*off += 1 + fsx_below(t, 511);
			break;
		case 1:
			*len = *len > 512 ? *len - 1 - fsx_below(t, 511) : 1 + fsx_below(t, 511);
			break;
		default:
			*buf += 1 + fsx_below(t, 511);
		}
	}
	if (*off + (int64_t)*len > FSX_FILE_MAX)
		*len = (size_t)(FSX_FILE_MAX - *off);
}

/* What of a direct transfer is not sector-aligned (NULL: nothing). */
const char *fsx_misaligned(int64_t off, size_t len, unsigned long buf)
{
	return (off % 512) ? "offset" : (len % 512) ? "length" : (buf % 512) ? "buffer" : NULL;
}

/* read(2) of [off, off + len) of file f into buf, checked. */
void fsx_read_range(struct task *t, uint64_t no, unsigned f, bool direct, int64_t off, size_t len,
                    unsigned long buf, struct fsx_logged *e)
{
	const char *bad = direct ? fsx_misaligned(off, len, buf) : NULL;
	int64_t size = fsx_st.good[f].size;
	long long want = off >= size ? 0 : bad ? -EINVAL : fsx_min64((int64_t)len, size - off);
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
	unsigned long buf = UREAD + fsx_below(t, 64);
	if (direct)
		fsx_pick_direct(t, &off, &len, &buf, UDREAD);
	else
		pick_read(t, f, &off, &len);
	if (!fsx_may_read(t, f, off, len)) {
		fsx_log_add(e, "%s f%u: skipped (pages under an AIO write)",
		            direct ? "dread" : "read", f);
		return;
	}
	fsx_read_range(t, no, f, direct, off, len, buf, e);
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
		int64_t to = fsx_min64((pg + 1) * PAGE, off + (int64_t)len);
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
	unsigned long buf = UWRITE + fsx_below(t, 64);
	if (direct)
		fsx_pick_direct(t, &off, &len, &buf, UWRITE);
	else
		pick_write(t, &off, &len);
	const char *bad = direct ? fsx_misaligned(off, len, buf) : NULL;
	bool resize = off + (int64_t)len > fsx_st.good[f].size;
	if (!fsx_may_write(t, f, off, len, resize)) {
		fsx_reap_all(t, no);
		fsx_log_add(e, "(reaped first) ");
		if (fsx_st.stop)
			return;
	}
	bool sync = !direct && osync_write(no);
	fsx_fill(t->data, len, no);
	fsx_put_bytes(buf, t->data, len);
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

static void do_truncate(struct task *t, uint64_t no, unsigned f, struct fsx_logged *e)
{
	int64_t size = fsx_below(t, FSX_FILE_MAX + 1);
	if (fsx_below(t, 4) == 0)
		size &= ~(int64_t)(PAGE - 1);
	if (!fsx_may_write(t, f, 0, 0, true)) {
		fsx_reap_all(t, no);
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

void fsx_one_op(struct task *t, uint64_t no)
{
	unsigned f = t->files[fsx_below(t, t->nfiles)];
	unsigned w = fsx_below(t, 100), k = 0;
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
		fsx_do_mapread(t, no, f, e);
		break;
	case OP_MAPWRITE:
	case OP_MSYNC:
		fsx_do_mapwrite(t, no, f, e);
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
		fsx_do_aio(t, no, f, k == OP_AWRITE, e);
		break;
	default:
		if (fsx_busy_slots(t))
			fsx_reap(t, no, 1);
		else
			fsx_log_add(e, "reap: nothing in flight");
		break;
	}
}
