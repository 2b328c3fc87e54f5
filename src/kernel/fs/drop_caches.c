/*
 * drop_caches.c - `echo 1 > /proc/sys/vm/drop_caches` (fs/drop_caches.c,
 * 2.6.34-2.6.39): every inode of a super block gives up the clean,
 * unlocked, unmapped pages of its page cache.
 *
 * Interface: drop_pagecache_sb (cohsim/fs.h). Invariants: nothing dirty,
 * under writeback, locked or mapped leaves the cache (invalidate_mapping_pages
 * skips it), so no data is lost; inodes are visited in the order they were
 * read, as the kernel walks sb->s_inodes.
 */
#include "kernel/fs/fs_impl.h"

/* drop_pagecache_sb (fs/drop_caches.c, 2.6.34): invalidate_mapping_pages
 * of each inode of sb that has pages. Process context. */
unsigned long drop_pagecache_sb(struct super_block *sb)
{
	unsigned long dropped = 0;
	for (unsigned i = 0;; i++) {
		struct inode *inode = coh__simplefs_inode_at(sb, i);
		if (!inode)
			break;
		if (inode->i_mapping->nrpages == 0)
			continue;
		dropped += invalidate_mapping_pages(inode->i_mapping, 0, (pgoff_t)-1);
	}
	return dropped;
}
