/*
 * dm-cache-metadata.c - dm-cache's persistent metadata, after
 * drivers/md/dm-cache-metadata.c (v3.9-v4.0) with the seed-5 patch
 * ("dm cache: share cache-metadata object across inactive and active DM
 * tables", 9b1cc9f251af) as the switch "dm-cache-shared-metadata".
 *
 * Interface: cohsim/dm-cache.h.
 *
 * persistent-data, reduced to what dm-cache's mapping array needs (the
 * block manager is the bufio client; see the note of issue 9):
 *   block 0      the superblock: magic, flags (CLEAN_SHUTDOWN), data block
 *                size, cache blocks, number of metadata blocks, the mapping
 *                root, and the space map (a reference count per block)
 *   mapping root one block: a __le64 per cblock, oblock << 16 | M_VALID |
 *                M_DIRTY (the dm-array of Linux, one leaf, no btree)
 * Shadowing: the first change of a transaction copies the root block to a
 * block free both now and at the last commit (so the committed superblock's
 * blocks are never overwritten), and drops the old one: the root moves
 * every transaction. A commit (dm_tm_pre_commit + dm_tm_commit) writes
 * every dirty block and flushes, then the superblock and flushes.
 *
 * Locking: cmd->root_lock (an rwsem) around every operation, as in Linux;
 * with the fix, table_lock (a mutex) around the global list of objects.
 * Objects come from a pool reset by kernel_init().
 */
#include <errno.h>
#include <string.h>

#include "cohsim/dm-cache.h"
#include "kernel/kernel_impl.h"

#define CACHE_SUPERBLOCK_MAGIC 06142003
#define CACHE_SUPERBLOCK_LOCATION 0
#define CACHE_MAX_CONCURRENT_LOCKS 5
#define CLEAN_SHUTDOWN 1u /* superblock flag bit 0 */
#define M_VALID 1ull
#define M_DIRTY 2ull

/* the superblock's fields (offsets into block 0) */
#define SB_MAGIC 0
#define SB_FLAGS 8
#define SB_DATA_BLOCK_SIZE 12
#define SB_CACHE_BLOCKS 16
#define SB_NR_BLOCKS 20
#define SB_MAPPING_ROOT 24
#define SB_SPACE_MAP 64 /* u8 per metadata block */

#define CMD_POOL 8

struct dm_cache_metadata {
	bool used;
	int ref_count; /* with the fix: tables sharing it (under table_lock) */
	bool listed;   /* on the global list */
	struct block_device *bdev;
	struct dm_bufio_client *bm;
	coh_rwsem root_lock;
	u64 root;
	sector_t data_block_size;
	dm_cblock_t cache_blocks;
	unsigned nr_blocks;
	bool clean_when_opened;
	bool root_shadowed; /* this transaction */
	u8 sm[DM_CACHE_MAX_METADATA_BLOCKS];
	u8 sm_committed[DM_CACHE_MAX_METADATA_BLOCKS];
	u64 core[DM_CACHE_MAX_CBLOCKS]; /* the checker's mirror of the mapping (host only) */
};

static struct dm_cache_metadata pool[CMD_POOL];
static coh_mutex table_lock; /* the fix's DEFINE_MUTEX(table_lock) */

int coh__dm_cache_metadata_init(void)
{
	memset(pool, 0, sizeof(pool));
	memset(&table_lock, 0, sizeof(table_lock));
	coh_mutex_init(&table_lock, "dm-cache-metadata table_lock");
	coh__dm_cache_ledger_init();
	return COH_OK;
}

void coh__dm_cache_metadata_reboot(void)
{
	memset(pool, 0, sizeof(pool)); /* the buffers went with dm-bufio's reboot */
	memset(&table_lock, 0, sizeof(table_lock));
	coh_mutex_init(&table_lock, "dm-cache-metadata table_lock");
}

/* ---- the block manager: dm_bm_* on the bufio client ---- */

struct dm_block {
	struct dm_buffer *b;
	simptr data;
	bool write;
};

/* dm_bm_read_lock / dm_bm_write_lock (v3.9): one bufio read; a write lock
 * marks the buffer dirty when it is unlocked. */
static int bm_lock(struct dm_cache_metadata *cmd, u64 block, bool write, struct dm_block *out)
{
	out->data = dm_bufio_read(cmd->bm, block, &out->b);
	out->write = write;
	return IS_ERR_SIMPTR(out->data) ? (int)PTR_ERR_SIMPTR(out->data) : 0;
}

/* dm_bm_write_lock_zero (v3.9): a new buffer, zeroed. */
static int bm_lock_zero(struct dm_cache_metadata *cmd, u64 block, struct dm_block *out)
{
	out->data = dm_bufio_new(cmd->bm, block, &out->b);
	out->write = true;
	if (IS_ERR_SIMPTR(out->data))
		return (int)PTR_ERR_SIMPTR(out->data);
	KSITE();
	sim_memset(out->data, 0, DM_CACHE_METADATA_BLOCK_SIZE);
	return 0;
}

/* dm_bm_unlock (v3.9) */
static void bm_unlock(struct dm_block *blk)
{
	if (blk->write)
		dm_bufio_mark_buffer_dirty(blk->b);
	dm_bufio_release(blk->b);
}

/* ---- the space map and the transaction manager ---- */

/* sm_disk_new_block (v3.9): a block free now and at the last commit. */
static int sm_new_block(struct dm_cache_metadata *cmd, u64 *out)
{
	for (unsigned b = 1; b < cmd->nr_blocks; b++)
		if (!cmd->sm[b] && !cmd->sm_committed[b]) {
			cmd->sm[b] = 1;
			*out = b;
			return 0;
		}
	return -ENOSPC;
}

/* dm_tm_shadow_block (v3.9): the root's first change in a transaction goes
 * to a copy in a new block. */
static int shadow_root(struct dm_cache_metadata *cmd)
{
	if (cmd->root_shadowed)
		return 0;
	u64 nb;
	int r = sm_new_block(cmd, &nb);
	if (r)
		return r;
	struct dm_block old, shadow;
	r = bm_lock(cmd, cmd->root, false, &old);
	if (r)
		return r;
	r = bm_lock_zero(cmd, nb, &shadow);
	if (r) {
		bm_unlock(&old);
		return r;
	}
	KSITE();
	for (dm_cblock_t i = 0; i < cmd->cache_blocks; i++)
		sim_write64(simptr_add(shadow.data, 8l * i),
		            sim_read64(simptr_add(old.data, 8l * i)));
	bm_unlock(&shadow);
	bm_unlock(&old);
	cmd->sm[cmd->root]--;
	cmd->root = nb;
	cmd->root_shadowed = true;
	return 0;
}

/* read_superblock_fields (v3.9) */
static void read_superblock_fields(struct dm_cache_metadata *cmd, simptr sb)
{
	KSITE();
	cmd->root = sim_read64(simptr_add(sb, SB_MAPPING_ROOT));
	cmd->data_block_size = sim_read32(simptr_add(sb, SB_DATA_BLOCK_SIZE));
	cmd->cache_blocks = sim_read32(simptr_add(sb, SB_CACHE_BLOCKS));
	unsigned n = sim_read32(simptr_add(sb, SB_NR_BLOCKS));
	cmd->nr_blocks = n < DM_CACHE_MAX_METADATA_BLOCKS ? n : DM_CACHE_MAX_METADATA_BLOCKS;
	for (unsigned b = 0; b < cmd->nr_blocks; b++)
		cmd->sm[b] = cmd->sm_committed[b] = sim_read8(simptr_add(sb, SB_SPACE_MAP + b));
	cmd->root_shadowed = false;
}

static void write_superblock_fields(struct dm_cache_metadata *cmd, simptr sb)
{
	KSITE();
	sim_write64(simptr_add(sb, SB_MAGIC), CACHE_SUPERBLOCK_MAGIC);
	sim_write64(simptr_add(sb, SB_MAPPING_ROOT), cmd->root);
	sim_write32(simptr_add(sb, SB_DATA_BLOCK_SIZE), cmd->data_block_size);
	sim_write32(simptr_add(sb, SB_CACHE_BLOCKS), cmd->cache_blocks);
	sim_write32(simptr_add(sb, SB_NR_BLOCKS), cmd->nr_blocks);
	for (unsigned b = 0; b < cmd->nr_blocks; b++)
		sim_write8(simptr_add(sb, SB_SPACE_MAP + b), cmd->sm[b]);
}

/* __begin_transaction (v3.9): re-reads the superblock every time. */
static int __begin_transaction(struct dm_cache_metadata *cmd)
{
	struct dm_block sb;
	int r = bm_lock(cmd, CACHE_SUPERBLOCK_LOCATION, false, &sb);
	if (r)
		return r;
	read_superblock_fields(cmd, sb.data);
	bm_unlock(&sb);
	return 0;
}

/* __begin_transaction_flags(cmd, clear_clean_shutdown) (v3.9): opening
 * writes the superblock. */
static int __begin_transaction_clear_clean(struct dm_cache_metadata *cmd)
{
	struct dm_block sb;
	int r = bm_lock(cmd, CACHE_SUPERBLOCK_LOCATION, true, &sb);
	if (r)
		return r;
	KSITE();
	simptr flags = simptr_add(sb.data, SB_FLAGS);
	sim_write32(flags, sim_read32(flags) & ~CLEAN_SHUTDOWN);
	read_superblock_fields(cmd, sb.data);
	bm_unlock(&sb);
	return dm_bufio_write_dirty_buffers(cmd->bm); /* dm_bm_flush */
}

/* __commit_transaction (v3.9): dm_tm_pre_commit writes every dirty block
 * but the superblock, then dm_tm_commit writes the superblock. */
static int __commit_transaction(struct dm_cache_metadata *cmd, bool clean_shutdown)
{
	coh__dm_cache_ledger_begin(cmd->bdev, cmd->core, cmd->cache_blocks);
	/* Without the synthetic switch the superblock goes out with the other
	 * dirty blocks, under one flush after them all. */
	bool last = coh_fix(DM_CACHE_SUPERBLOCK_LAST_FIX);
	int r = last ? dm_bufio_write_dirty_buffers(cmd->bm) : 0;
	if (r)
		return r;
	struct dm_block sb;
	r = bm_lock(cmd, CACHE_SUPERBLOCK_LOCATION, true, &sb);
	if (r)
		return r;
	KSITE();
	simptr flags = simptr_add(sb.data, SB_FLAGS);
	u32 f = sim_read32(flags);
	sim_write32(flags, clean_shutdown ? f | CLEAN_SHUTDOWN : f & ~CLEAN_SHUTDOWN);
	write_superblock_fields(cmd, sb.data);
	bm_unlock(&sb);
	r = dm_bufio_write_dirty_buffers(cmd->bm); /* dm_bm_flush_and_unlock */
	if (!r)
		coh__dm_cache_ledger_commit(cmd->bdev);
	return r;
}

/* __format_metadata (v3.9): an empty array, then the first superblock. */
static int __format_metadata(struct dm_cache_metadata *cmd)
{
	unsigned n = (unsigned)(get_capacity(cmd->bdev->bd_disk) /
	                        (DM_CACHE_METADATA_BLOCK_SIZE >> SECTOR_SHIFT));
	if (n < 3)
		return -ENOSPC;
	cmd->nr_blocks = n < DM_CACHE_MAX_METADATA_BLOCKS ? n : DM_CACHE_MAX_METADATA_BLOCKS;
	memset(cmd->sm, 0, sizeof(cmd->sm));
	memset(cmd->sm_committed, 0, sizeof(cmd->sm_committed));
	cmd->sm[CACHE_SUPERBLOCK_LOCATION] = 1;
	int r = sm_new_block(cmd, &cmd->root);
	struct dm_block root;
	if (!r)
		r = bm_lock_zero(cmd, cmd->root, &root);
	if (r)
		return r;
	bm_unlock(&root);
	cmd->cache_blocks = 0;
	r = dm_bufio_write_dirty_buffers(cmd->bm);
	struct dm_block sb;
	if (!r)
		r = bm_lock_zero(cmd, CACHE_SUPERBLOCK_LOCATION, &sb);
	if (r)
		return r;
	write_superblock_fields(cmd, sb.data);
	bm_unlock(&sb);
	coh__dm_cache_ledger_begin(cmd->bdev, cmd->core, 0);
	r = dm_bufio_write_dirty_buffers(cmd->bm);
	if (!r)
		coh__dm_cache_ledger_commit(cmd->bdev);
	memcpy(cmd->sm_committed, cmd->sm, sizeof(cmd->sm));
	cmd->clean_when_opened = true;
	return r;
}

/* The checker's side of an open (not Linux, no simulated access): the
 * mirror of the mapping the superblock points at, read from the medium;
 * after a power cut it must be the last acknowledged commit's, or the one
 * that was in flight. */
static void mirror_and_check(struct dm_cache_metadata *cmd)
{
	u8 blk[DM_CACHE_METADATA_BLOCK_SIZE];
	memset(cmd->core, 0, sizeof(cmd->core));
	dm_cblock_t n =
	    cmd->cache_blocks < DM_CACHE_MAX_CBLOCKS ? cmd->cache_blocks : DM_CACHE_MAX_CBLOCKS;
	if (cmd->root < cmd->nr_blocks &&
	    disk_backend_read(cmd->bdev->bd_disk,
	                      cmd->root * (DM_CACHE_METADATA_BLOCK_SIZE >> SECTOR_SHIFT), blk,
	                      sizeof(blk)) == 0)
		/* cppcheck-suppress knownConditionTrueFalse ; n comes from the table, not 0 */
		for (dm_cblock_t i = 0; i < n; i++) {
			u64 v = 0;
			for (unsigned k = 0; k < 8; k++) /* __le64 */
				v |= (u64)blk[8 * i + k] << (8 * k);
			cmd->core[i] = v;
		}
	coh__dm_cache_ledger_check(cmd->bdev, cmd->core, n, cmd->root);
}

/* __open_or_format_metadata + __open_metadata (v3.9). An all-zero device
 * is told by its magic word (Linux checks the whole superblock). */
static int __open_or_format_metadata(struct dm_cache_metadata *cmd, bool may_format)
{
	struct dm_block sb;
	int r = bm_lock(cmd, CACHE_SUPERBLOCK_LOCATION, false, &sb);
	if (r)
		return r;
	KSITE();
	u64 magic = sim_read64(simptr_add(sb.data, SB_MAGIC));
	u32 flags = sim_read32(simptr_add(sb.data, SB_FLAGS));
	bool check_size = coh_fix(DM_CACHE_CHECK_BLOCK_SIZE_FIX);
	u32 block_size = check_size ? sim_read32(simptr_add(sb.data, SB_DATA_BLOCK_SIZE)) : 0;
	bm_unlock(&sb);
	if (magic == 0 || magic != CACHE_SUPERBLOCK_MAGIC)
		coh__dm_cache_ledger_lost(cmd->bdev, magic
		                                         ? "a bad superblock magic"
		                                         : "an unformatted (all-zero) superblock");
	if (magic == 0)
		return may_format ? __format_metadata(cmd) : -EPERM;
	if (magic != CACHE_SUPERBLOCK_MAGIC)
		return -EILSEQ; /* sb_check */
	/* "Verify the data block size hasn't changed" (later __open_metadata) */
	if (check_size && block_size != cmd->data_block_size)
		return -EINVAL;
	cmd->clean_when_opened = flags & CLEAN_SHUTDOWN;
	return 0;
}

/* metadata_open (the patch; dm_cache_metadata_open before it) */
static int metadata_open(struct block_device *bdev, sector_t data_block_size,
                         bool may_format_device, struct dm_cache_metadata **out)
{
	struct dm_cache_metadata *cmd = NULL;
	for (unsigned i = 0; i < CMD_POOL && !cmd; i++)
		if (!pool[i].used)
			cmd = &pool[i];
	if (!cmd)
		return -ENOMEM;
	memset(cmd, 0, sizeof(*cmd));
	cmd->used = true;
	cmd->ref_count = 1;
	coh_init_rwsem(&cmd->root_lock, "dm_cache_metadata->root_lock");
	cmd->bdev = bdev;
	cmd->data_block_size = data_block_size;
	/* __create_persistent_data_objects: dm_block_manager_create */
	cmd->bm = dm_bufio_client_create(bdev, DM_CACHE_METADATA_BLOCK_SIZE,
	                                 CACHE_MAX_CONCURRENT_LOCKS, 0, NULL, NULL);
	int r = cmd->bm ? __open_or_format_metadata(cmd, may_format_device) : -ENOMEM;
	if (!r)
		r = __begin_transaction_clear_clean(cmd);
	if (!r)
		mirror_and_check(cmd);
	if (r) {
		if (cmd->bm)
			dm_bufio_client_destroy(cmd->bm);
		cmd->used = false;
		return r;
	}
	*out = cmd;
	return 0;
}

/* lookup (the patch): with table_lock held, takes a reference. */
static struct dm_cache_metadata *lookup(const struct block_device *bdev)
{
	for (unsigned i = 0; i < CMD_POOL; i++)
		if (pool[i].used && pool[i].listed && pool[i].bdev == bdev) {
			pool[i].ref_count++;
			return &pool[i];
		}
	return NULL;
}

/* lookup_or_open (the patch): look up; else open unlocked, then re-check
 * under the lock and drop ours if another open won. */
static int lookup_or_open(struct block_device *bdev, sector_t data_block_size,
                          bool may_format_device, struct dm_cache_metadata **out)
{
	coh_mutex_lock(&table_lock);
	struct dm_cache_metadata *cmd = lookup(bdev);
	coh_mutex_unlock(&table_lock);
	if (cmd) {
		*out = cmd;
		return 0;
	}
	int r = metadata_open(bdev, data_block_size, may_format_device, &cmd);
	if (r)
		return r;
	coh_mutex_lock(&table_lock);
	struct dm_cache_metadata *cmd2 = lookup(bdev);
	if (cmd2) {
		coh_mutex_unlock(&table_lock);
		dm_bufio_client_destroy(cmd->bm);
		cmd->used = false;
		*out = cmd2;
		return 0;
	}
	cmd->listed = true;
	coh_mutex_unlock(&table_lock);
	*out = cmd;
	return 0;
}

/* dm_cache_metadata_open (v3.9; with the fix, the patch's) */
int dm_cache_metadata_open(struct block_device *bdev, sector_t data_block_size,
                           bool may_format_device, size_t policy_hint_size,
                           struct dm_cache_metadata **out)
{
	(void)policy_hint_size;
	*out = NULL;
	if (!coh_fix(DM_CACHE_SHARED_METADATA_FIX))
		return metadata_open(bdev, data_block_size, may_format_device, out);
	struct dm_cache_metadata *cmd;
	int r = lookup_or_open(bdev, data_block_size, may_format_device, &cmd);
	if (r)
		return r;
	if (cmd->data_block_size != data_block_size) { /* same_params */
		dm_cache_metadata_close(cmd);
		return -EINVAL;
	}
	*out = cmd;
	return 0;
}

/* dm_cache_metadata_close (v3.9; with the fix, the patch's) */
void dm_cache_metadata_close(struct dm_cache_metadata *cmd)
{
	if (coh_fix(DM_CACHE_SHARED_METADATA_FIX)) {
		coh_mutex_lock(&table_lock);
		bool last = --cmd->ref_count == 0;
		if (last)
			cmd->listed = false;
		coh_mutex_unlock(&table_lock);
		if (!last)
			return;
	}
	dm_bufio_client_destroy(cmd->bm); /* __destroy_persistent_data_objects */
	cmd->used = false;
}

/* ---- the operations, under root_lock ---- */

static int set_entry(struct dm_cache_metadata *cmd, dm_cblock_t cblock, u64 value, u64 mask)
{
	if (cblock >= cmd->cache_blocks)
		return -EINVAL;
	int r = shadow_root(cmd);
	struct dm_block root;
	if (!r)
		r = bm_lock(cmd, cmd->root, true, &root);
	if (r)
		return r;
	KSITE();
	simptr e = simptr_add(root.data, 8l * cblock);
	sim_write64(e, (sim_read64(e) & ~mask) | value);
	bm_unlock(&root);
	cmd->core[cblock] = (cmd->core[cblock] & ~mask) | value;
	return 0;
}

/* dm_cache_insert_mapping (v3.9) */
int dm_cache_insert_mapping(struct dm_cache_metadata *cmd, dm_cblock_t cblock, dm_oblock_t oblock)
{
	coh_down_write(&cmd->root_lock);
	int r = set_entry(cmd, cblock, oblock << 16 | M_VALID, ~0ull);
	coh_up_write(&cmd->root_lock);
	return r;
}

/* dm_cache_remove_mapping (v3.9) */
int dm_cache_remove_mapping(struct dm_cache_metadata *cmd, dm_cblock_t cblock)
{
	coh_down_write(&cmd->root_lock);
	int r = set_entry(cmd, cblock, 0, ~0ull);
	coh_up_write(&cmd->root_lock);
	return r;
}

/* dm_cache_set_dirty (v3.9) */
int dm_cache_set_dirty(struct dm_cache_metadata *cmd, dm_cblock_t cblock, bool dirty)
{
	coh_down_write(&cmd->root_lock);
	int r = set_entry(cmd, cblock, dirty ? M_DIRTY : 0, M_DIRTY);
	coh_up_write(&cmd->root_lock);
	return r;
}

/* dm_cache_resize (v3.9): the new entries are unmapped. */
int dm_cache_resize(struct dm_cache_metadata *cmd, dm_cblock_t new_cache_size)
{
	if (new_cache_size > DM_CACHE_MAX_CBLOCKS)
		return -EINVAL;
	coh_down_write(&cmd->root_lock);
	int r = 0;
	if (new_cache_size != cmd->cache_blocks) {
		r = shadow_root(cmd);
		struct dm_block root;
		if (!r)
			r = bm_lock(cmd, cmd->root, true, &root);
		if (!r) {
			KSITE();
			for (dm_cblock_t i = cmd->cache_blocks; i < new_cache_size; i++) {
				sim_write64(simptr_add(root.data, 8l * i), 0);
				cmd->core[i] = 0;
			}
			bm_unlock(&root);
			cmd->cache_blocks = new_cache_size;
		}
	}
	coh_up_write(&cmd->root_lock);
	return r;
}

dm_cblock_t dm_cache_size(struct dm_cache_metadata *cmd)
{
	coh_down_read(&cmd->root_lock);
	dm_cblock_t n = cmd->cache_blocks;
	coh_up_read(&cmd->root_lock);
	return n;
}

/* dm_cache_load_mappings -> __load_mappings (v3.9) */
int dm_cache_load_mappings(struct dm_cache_metadata *cmd, load_mapping_fn fn, void *context)
{
	coh_down_read(&cmd->root_lock);
	struct dm_block root;
	int r = bm_lock(cmd, cmd->root, false, &root);
	for (dm_cblock_t i = 0; !r && i < cmd->cache_blocks; i++) {
		KSITE();
		u64 v = sim_read64(simptr_add(root.data, 8l * i));
		if (v & M_VALID)
			r = fn(context, v >> 16, i,
			       cmd->clean_when_opened ? (v & M_DIRTY) != 0 : true);
	}
	if (!IS_ERR_SIMPTR(root.data))
		bm_unlock(&root);
	coh_up_read(&cmd->root_lock);
	return r;
}

/* dm_cache_commit (v3.9) */
int dm_cache_commit(struct dm_cache_metadata *cmd, bool clean_shutdown)
{
	coh_down_write(&cmd->root_lock);
	int r = __commit_transaction(cmd, clean_shutdown);
	if (!r)
		r = __begin_transaction(cmd);
	coh_up_write(&cmd->root_lock);
	return r;
}

u64 dm_cache_metadata_root(struct dm_cache_metadata *cmd)
{
	return cmd->root;
}

unsigned dm_cache_metadata_refcount(struct dm_cache_metadata *cmd)
{
	return (unsigned)cmd->ref_count;
}

bool dm_cache_metadata_clean_when_opened(struct dm_cache_metadata *cmd)
{
	return cmd->clean_when_opened;
}

struct dm_bufio_client *dm_cache_metadata_bufio(struct dm_cache_metadata *cmd)
{
	return cmd->bm;
}
