/*
 * fsx_mmap.c - the mmap operations of `cohsim fsx` (docs/fsx.md): mapread
 * and mapwrite, each through a MAP_SHARED window of the file mapped and
 * unmapped around it, as fsx does; a mapwrite is followed by
 * msync(MS_SYNC), msync(MS_ASYNC) or nothing.
 *
 * Interface: fsx_do_mapread(), fsx_do_mapwrite() (fsx_impl.h), called by
 * fsx_one_op().
 *
 * Invariants: loads and stores stay inside the file's size (a byte past
 * i_size would fault); the window is unmapped before the operation ends,
 * so a task's mm maps the file only during one; a mapwrite applies its
 * bytes to the good copy when it stores them.
 */
#include "fsx_impl.h"

/* [off, off + len) inside the file's size, for a mapping's loads and
 * stores (a byte past i_size faults: SIGBUS). False if the file is empty. */
static bool pick_mapped(struct task *t, unsigned f, int64_t *off, size_t *len)
{
	int64_t size = fsx_st.good[f].size;
	if (size == 0)
		return false;
	*off = fsx_below(t, (uint64_t)size);
	*len = 1 + fsx_below(t, (uint64_t)fsx_min64(FSX_MAX_LEN, size - *off));
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

void fsx_do_mapread(struct task *t, uint64_t no, unsigned f, struct fsx_logged *e)
{
	int64_t off;
	size_t len;
	if (!pick_mapped(t, f, &off, &len)) {
		fsx_log_add(e, "mapread f%u: empty file", f);
		return;
	}
	if (!fsx_may_read(t, f, off, len)) {
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

void fsx_do_mapwrite(struct task *t, uint64_t no, unsigned f, struct fsx_logged *e)
{
	int64_t off;
	size_t len;
	if (!pick_mapped(t, f, &off, &len)) {
		fsx_log_add(e, "mapwrite f%u: empty file", f);
		return;
	}
	if (!fsx_may_write(t, f, off, len, false)) {
		fsx_reap_all(t, no);
		fsx_log_add(e, "(reaped first) ");
		if (fsx_st.stop)
			return;
	}
	fsx_log_add(e, "mapwrite f%u 0x%llx+0x%zx", f, (unsigned long long)off, len);
	unsigned long addr = map_window(no, f, off, len);
	if (!addr)
		return;
	fsx_fill(t->data, len, no);
	fsx_put_bytes(addr, t->data, len);
	fsx_apply_write(f, off, t->data, len, no);
	/* as fsx: msync(MS_SYNC) or (MS_ASYNC) or nothing, then munmap */
	unsigned how = fsx_below(t, 3);
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
