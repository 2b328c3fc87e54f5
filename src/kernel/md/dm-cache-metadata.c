/*
 * dm-cache-metadata.c - dm-cache's persistent metadata, after
 * drivers/md/dm-cache-metadata.c (v3.9-v4.0) with the seed-5 patch
 * ("dm cache: share cache-metadata object across inactive and active DM
 * tables", 9b1cc9f251af) as the switch "dm-cache-shared-metadata".
 *
 * This file: the object (pool, table_lock, open and close), the superblock,
 * format and open, and the transactions; the operations on the mapping and
 * the discard bitset are in dm-cache-metadata-ops.c. Interface:
 * cohsim/dm-cache.h; the object is shared through dm-cache-metadata.h. Built on persistent-data
 * (md/persistent-data/): a block manager (one dm-bufio client), a
 * transaction manager with the metadata space map, the mapping array
 * (dm-array of __le64: oblock << 16 | M_VALID | M_DIRTY, as in v3.9-v4.0,
 * where the dirty bits live in the mapping flags) and the discard bitset
 * (dm-bitset). No hint array: the model's policy keeps no hints, so
 * hint_root stays 0, as in Linux before a policy writes hints.
 *
 * Block 0 is the superblock (struct cache_disk_superblock, dm-cache-format.h),
 * the only block written in place. Every other change goes to shadows, so
 * the mapping root moves every transaction; a commit writes every dirty
 * block (dm_tm_pre_commit) and then the superblock (dm_tm_commit).
 *
 * Locking: cmd->root_lock (an rwsem) around every operation, as in Linux;
 * with the fix, table_lock (a mutex) around the global list of objects.
 * Objects come from a pool reset by kernel_init(). core[] is the checker's
 * host mirror of the mapping (for the commit ledger, dm-cache-recovery.c).
 */
#include <errno.h>
#include <string.h>

#include "cohsim/dm-cache.h"
#include "kernel/kernel_impl.h"
#include "kernel/md/dm-cache-metadata.h"

#define CMD_POOL 8

static struct dm_cache_metadata pool[CMD_POOL];
static coh_mutex table_lock; /* the fix's DEFINE_MUTEX(table_lock) */

static void reset(void)
{
	coh__pool_reset(pool, sizeof(pool[0]), &coh__pools.cmds);
	memset(&table_lock, 0, sizeof(table_lock));
	coh_mutex_init(&table_lock, "dm-cache-metadata table_lock");
	coh__dm_block_manager_reset();
	coh__dm_tm_reset();
	coh__dm_sm_reset();
}

int coh__dm_cache_metadata_init(void)
{
	reset();
	coh__dm_cache_ledger_init();
	return COH_OK;
}

void coh__dm_cache_metadata_reboot(void)
{
	reset(); /* the buffers went with dm-bufio's reboot */
}

/* ---- the superblock ---- */

/* sb_prepare_for_write (v3.9) */
static void sb_prepare_for_write(const struct dm_block_validator *v, struct dm_block *b,
                                 size_t block_size)
{
	(void)v;
	dm_bm_prepare_csum(b, block_size, SB_BLOCKNR, SUPERBLOCK_CSUM_XOR);
}

/* sb_check + check_metadata_version (v3.9) */
static int sb_check(const struct dm_block_validator *v, struct dm_block *b, size_t block_size)
{
	u8 sb[SB_SIZE];
	KSITE();
	sim_memcpy_from(sb, dm_block_data(b), sizeof(sb));
	if (coh__get_le(sb + SB_BLOCKNR, 8) != dm_block_location(b))
		return -ENOTBLK;
	if (coh__get_le(sb + SB_MAGIC, 8) != CACHE_SUPERBLOCK_MAGIC)
		return -EILSEQ;
	int r = dm_bm_check_csum(b, block_size, SB_BLOCKNR, SUPERBLOCK_CSUM_XOR, v->name);
	if (r)
		return r;
	return coh__get_le(sb + SB_VERSION, 4) != CACHE_VERSION ? -EINVAL : 0;
}

static const struct dm_block_validator sb_validator = {
    .name = "superblock", .prepare_for_write = sb_prepare_for_write, .check = sb_check};

/* The superblock's fields as host bytes while it is locked. */
struct sblock {
	struct dm_block *b;
	u8 d[SB_SIZE];
};

/* superblock_read_lock / superblock_lock / superblock_lock_zero (v3.9) */
static int superblock_lock_(struct dm_cache_metadata *cmd, struct sblock *sb, int mode)
{
	int r =
	    mode == 0 ? dm_bm_read_lock(cmd->bm, CACHE_SUPERBLOCK_LOCATION, &sb_validator, &sb->b)
	    : mode == 1
	        ? dm_bm_write_lock(cmd->bm, CACHE_SUPERBLOCK_LOCATION, &sb_validator, &sb->b)
	        : dm_bm_write_lock_zero(cmd->bm, CACHE_SUPERBLOCK_LOCATION, &sb_validator, &sb->b);
	if (!r) {
		KSITE();
		sim_memcpy_from(sb->d, dm_block_data(sb->b), sizeof(sb->d));
	}
	return r;
}

/* The fields changed, written back (one store of the struct). */
static void superblock_store(struct sblock *sb)
{
	KSITE();
	sim_memcpy_to(dm_block_data(sb->b), sb->d, sizeof(sb->d));
}

/* __superblock_all_zeroes (v3.9): no validator, it may be all zeroes */
static int __superblock_all_zeroes(struct dm_block_manager *bm, bool *result)
{
	struct dm_block *b;
	int r = dm_bm_read_lock(bm, CACHE_SUPERBLOCK_LOCATION, NULL, &b);
	if (r)
		return r;
	u8 d[DM_CACHE_METADATA_BLOCK_SIZE];
	KSITE();
	sim_memcpy_from(d, dm_block_data(b), sizeof(d));
	*result = true;
	for (unsigned i = 0; i < sizeof(d) && *result; i++)
		*result = !d[i];
	return dm_bm_unlock(b);
}

/* __setup_mapping_info (v3.9): __le64 values, no reference counting */
static void __setup_mapping_info(struct dm_cache_metadata *cmd)
{
	struct dm_btree_value_type vt = {.size = sizeof(u64)};
	dm_array_info_init(&cmd->info, cmd->tm, &vt);
}

/* __save_sm_root (v4.0) */
static int __save_sm_root(struct dm_cache_metadata *cmd)
{
	size_t len;
	int r = dm_sm_root_size(cmd->metadata_sm, &len);
	if (r < 0)
		return r;
	return dm_sm_copy_root(cmd->metadata_sm, cmd->metadata_space_map_root, len);
}

/* __copy_sm_root (v4.0) */
static void __copy_sm_root(struct dm_cache_metadata *cmd, u8 *d)
{
	memcpy(d + SB_SM_ROOT, cmd->metadata_space_map_root, SPACE_MAP_ROOT_SIZE);
}

/* the fields every commit writes (__commit_transaction, v3.9) */
static void write_superblock_fields(struct dm_cache_metadata *cmd, u8 *d)
{
	coh__put_le(d + SB_MAPPING_ROOT, cmd->root, 8);
	coh__put_le(d + SB_HINT_ROOT, cmd->hint_root, 8);
	coh__put_le(d + SB_DISCARD_ROOT, cmd->discard_root, 8);
	coh__put_le(d + SB_DISCARD_BLOCK_SIZE, cmd->discard_block_size, 8);
	coh__put_le(d + SB_DISCARD_NR_BLOCKS, cmd->discard_nr_blocks, 8);
	coh__put_le(d + SB_CACHE_BLOCKS, cmd->cache_blocks, 4);
	__copy_sm_root(cmd, d);
}

/* __write_initial_superblock (v4.0) */
static int __write_initial_superblock(struct dm_cache_metadata *cmd)
{
	int r = dm_tm_pre_commit(cmd->tm);
	if (!r)
		r = __save_sm_root(cmd);
	struct sblock sb;
	if (!r)
		r = superblock_lock_(cmd, &sb, 2);
	if (r)
		return r;
	memset(sb.d, 0, sizeof(sb.d));
	coh__put_le(sb.d + SB_MAGIC, CACHE_SUPERBLOCK_MAGIC, 8);
	coh__put_le(sb.d + SB_VERSION, CACHE_VERSION, 4);
	coh__put_le(sb.d + SB_METADATA_BLOCK_SIZE, DM_CACHE_METADATA_BLOCK_SIZE >> SECTOR_SHIFT, 4);
	coh__put_le(sb.d + SB_DATA_BLOCK_SIZE, cmd->data_block_size, 4);
	write_superblock_fields(cmd, sb.d);
	superblock_store(&sb);
	return dm_tm_commit(cmd->tm, sb.b);
}

static void tm_ready(struct dm_cache_metadata *cmd)
{
	/* the synthetic switch: off, dm_tm_pre_commit writes nothing */
	dm_tm_set_pre_commit_flush(cmd->tm, coh_fix(DM_CACHE_SUPERBLOCK_LAST_FIX));
	__setup_mapping_info(cmd);
	dm_disk_bitset_init(cmd->tm, &cmd->discard_info);
}

/* __format_metadata (v4.0) */
static int __format_metadata(struct dm_cache_metadata *cmd)
{
	int r =
	    dm_tm_create_with_sm(cmd->bm, CACHE_SUPERBLOCK_LOCATION, &cmd->tm, &cmd->metadata_sm);
	if (r < 0)
		return r; /* "tm_create_with_sm failed" */
	tm_ready(cmd);
	r = dm_array_empty(&cmd->info, &cmd->root);
	if (!r)
		r = dm_bitset_empty(&cmd->discard_info, &cmd->discard_root);
	if (!r) {
		cmd->hint_root = 0;
		cmd->discard_block_size = 0;
		cmd->discard_nr_blocks = 0;
		cmd->cache_blocks = 0;
		coh__dm_cache_ledger_begin(cmd->bdev, cmd->core, 0);
		r = __write_initial_superblock(cmd);
		if (!r)
			coh__dm_cache_ledger_commit(cmd->bdev);
	}
	if (r) {
		dm_tm_destroy(cmd->tm);
		dm_sm_destroy(cmd->metadata_sm);
		cmd->tm = NULL;
		return r;
	}
	cmd->clean_when_opened = true;
	return 0;
}

/* __open_metadata (v4.0; __check_incompat_features: no feature is known).
 * The data block size check is the switch dm-cache-check-block-size. */
static int __open_metadata(struct dm_cache_metadata *cmd)
{
	struct sblock sb;
	int r = superblock_lock_(cmd, &sb, 0);
	if (r < 0)
		return r; /* "couldn't read lock superblock" */
	if (coh_fix(DM_CACHE_CHECK_BLOCK_SIZE_FIX) &&
	    coh__get_le(sb.d + SB_DATA_BLOCK_SIZE, 4) != cmd->data_block_size)
		r = -EINVAL; /* "changing the data block size ... is not supported" */
	else if (coh__get_le(sb.d + SB_INCOMPAT_FLAGS, 4) ||
	         coh__get_le(sb.d + SB_COMPAT_RO_FLAGS, 4))
		r = -EINVAL;
	else
		r = dm_tm_open_with_sm(cmd->bm, CACHE_SUPERBLOCK_LOCATION, sb.d + SB_SM_ROOT,
		                       SPACE_MAP_ROOT_SIZE, &cmd->tm, &cmd->metadata_sm);
	if (!r) {
		tm_ready(cmd);
		cmd->clean_when_opened = coh__get_le(sb.d + SB_FLAGS, 4) & CLEAN_SHUTDOWN;
	}
	dm_bm_unlock(sb.b);
	return r;
}

/* __open_or_format_metadata (v3.9) */
static int __open_or_format_metadata(struct dm_cache_metadata *cmd, bool format_device)
{
	bool unformatted = false;
	int r = __superblock_all_zeroes(cmd->bm, &unformatted);
	if (r)
		return r;
	if (unformatted)
		return format_device ? __format_metadata(cmd) : -EPERM;
	return __open_metadata(cmd);
}

/* read_superblock_fields (v3.9) */
static void read_superblock_fields(struct dm_cache_metadata *cmd, const u8 *d)
{
	cmd->root = coh__get_le(d + SB_MAPPING_ROOT, 8);
	cmd->hint_root = coh__get_le(d + SB_HINT_ROOT, 8);
	cmd->discard_root = coh__get_le(d + SB_DISCARD_ROOT, 8);
	cmd->discard_block_size = coh__get_le(d + SB_DISCARD_BLOCK_SIZE, 8);
	cmd->discard_nr_blocks = coh__get_le(d + SB_DISCARD_NR_BLOCKS, 8);
	cmd->data_block_size = coh__get_le(d + SB_DATA_BLOCK_SIZE, 4);
	cmd->cache_blocks = (dm_cblock_t)coh__get_le(d + SB_CACHE_BLOCKS, 4);
	cmd->changed = false;
}

/* __begin_transaction_flags (v4.0): opening writes the superblock. */
static int __begin_transaction_flags(struct dm_cache_metadata *cmd, bool clean_shutdown)
{
	struct sblock sb;
	int r = superblock_lock_(cmd, &sb, 1);
	if (r)
		return r;
	u32 f = (u32)coh__get_le(sb.d + SB_FLAGS, 4);
	coh__put_le(sb.d + SB_FLAGS, clean_shutdown ? f | CLEAN_SHUTDOWN : f & ~CLEAN_SHUTDOWN, 4);
	read_superblock_fields(cmd, sb.d);
	superblock_store(&sb);
	dm_bm_unlock(sb.b);
	return dm_bm_flush(cmd->bm);
}

/* __begin_transaction (v3.9): re-reads the superblock every time. */
int __begin_transaction(struct dm_cache_metadata *cmd)
{
	struct sblock sb;
	int r = superblock_lock_(cmd, &sb, 0);
	if (r)
		return r;
	read_superblock_fields(cmd, sb.d);
	dm_bm_unlock(sb.b);
	return 0;
}

/* __commit_transaction (v4.0): the discard bitset's cached word, every
 * dirty block but the superblock (dm_tm_pre_commit), then the superblock
 * (dm_tm_commit). */
int __commit_transaction(struct dm_cache_metadata *cmd, bool clean_shutdown)
{
	coh__dm_cache_ledger_begin(cmd->bdev, cmd->core, cmd->cache_blocks);
	int r = dm_bitset_flush(&cmd->discard_info, cmd->discard_root, &cmd->discard_root);
	if (!r)
		r = dm_tm_pre_commit(cmd->tm);
	if (!r)
		r = __save_sm_root(cmd);
	struct sblock sb;
	if (!r)
		r = superblock_lock_(cmd, &sb, 1);
	if (r)
		return r;
	u32 f = (u32)coh__get_le(sb.d + SB_FLAGS, 4);
	coh__put_le(sb.d + SB_FLAGS, clean_shutdown ? f | CLEAN_SHUTDOWN : f & ~CLEAN_SHUTDOWN, 4);
	write_superblock_fields(cmd, sb.d);
	superblock_store(&sb);
	r = dm_tm_commit(cmd->tm, sb.b);
	if (!r)
		coh__dm_cache_ledger_commit(cmd->bdev);
	return r;
}

/* __destroy_persistent_data_objects (v3.9) */
static void __destroy_persistent_data_objects(struct dm_cache_metadata *cmd)
{
	if (cmd->tm) {
		dm_sm_destroy(cmd->metadata_sm);
		dm_tm_destroy(cmd->tm);
	}
	if (cmd->bm)
		dm_block_manager_destroy(cmd->bm);
}

/* metadata_open (the patch; dm_cache_metadata_open before it):
 * __create_persistent_data_objects, then __begin_transaction_flags that
 * clears CLEAN_SHUTDOWN. */
static int metadata_open(struct block_device *bdev, sector_t data_block_size,
                         bool may_format_device, struct dm_cache_metadata **out)
{
	struct dm_cache_metadata *cmd = NULL;
	for (unsigned i = 0; i < CMD_POOL && !cmd; i++)
		if (!pool[coh__pool_note(&coh__pools.cmds, i)].used)
			cmd = &pool[i];
	if (!cmd)
		return -ENOMEM;
	memset(cmd, 0, sizeof(*cmd));
	cmd->used = true;
	cmd->ref_count = 1;
	coh_init_rwsem(&cmd->root_lock, "dm_cache_metadata->root_lock");
	cmd->bdev = bdev;
	cmd->data_block_size = data_block_size;
	/* the checker first (host only): after a power cut the medium must
	 * hold the last acknowledged commit or the one in flight */
	coh__dm_cache_ledger_open(bdev, cmd->core);
	cmd->bm =
	    dm_block_manager_create(bdev, DM_CACHE_METADATA_BLOCK_SIZE, CACHE_MAX_CONCURRENT_LOCKS);
	int r = cmd->bm ? __open_or_format_metadata(cmd, may_format_device) : -ENOMEM;
	if (!r)
		r = __begin_transaction_flags(cmd, false);
	if (!r && cmd->cache_blocks > DM_CACHE_MAX_CBLOCKS)
		r = -EINVAL; /* the model's bound */
	if (r) {
		__destroy_persistent_data_objects(cmd);
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
		__destroy_persistent_data_objects(cmd);
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
	__destroy_persistent_data_objects(cmd);
	cmd->used = false;
}
