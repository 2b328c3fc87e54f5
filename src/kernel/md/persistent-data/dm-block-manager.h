/*
 * dm-block-manager.h - persistent-data's block manager on dm-bufio
 * (drivers/md/persistent-data/dm-block-manager.h, v3.9-v4.0).
 *
 * Blocks are locked for reading (shared) or writing (exclusive) and checked
 * by a validator the first time a buffer is locked after its read: a block
 * whose checksum or location field is wrong fails with the validator's
 * error (-EILSEQ, -ENOTBLK) and is not handed out. A write-locked block is
 * marked dirty at its unlock; every dirty block gets its checksum from its
 * validator's prepare_for_write when bufio writes it out.
 */
#ifndef COHSIM_KERNEL_MD_PD_DM_BLOCK_MANAGER_H
#define COHSIM_KERNEL_MD_PD_DM_BLOCK_MANAGER_H

#include "cohsim/dm-bufio.h"
#include "cohsim/linux.h"

typedef u64 dm_block_t;

/* struct dm_block is a struct dm_buffer, as in Linux. */
struct dm_block;

struct dm_block_validator {
	const char *name;
	void (*prepare_for_write)(const struct dm_block_validator *v, struct dm_block *b,
	                          size_t block_size);
	/* 0, or a negative errno (-EILSEQ for a bad checksum) */
	int (*check)(const struct dm_block_validator *v, struct dm_block *b, size_t block_size);
};

struct dm_block_manager;

struct dm_block_manager *dm_block_manager_create(struct block_device *bdev, unsigned block_size,
                                                 unsigned max_held_per_thread);
void dm_block_manager_destroy(struct dm_block_manager *bm);
void coh__dm_block_manager_reset(void); /* kernel_init, coh_dm_reboot */
unsigned dm_bm_block_size(struct dm_block_manager *bm);
dm_block_t dm_bm_nr_blocks(struct dm_block_manager *bm);
struct dm_bufio_client *dm_bm_bufio(struct dm_block_manager *bm);

int dm_bm_read_lock(struct dm_block_manager *bm, dm_block_t b, const struct dm_block_validator *v,
                    struct dm_block **result);
int dm_bm_write_lock(struct dm_block_manager *bm, dm_block_t b, const struct dm_block_validator *v,
                     struct dm_block **result);
int dm_bm_write_lock_zero(struct dm_block_manager *bm, dm_block_t b,
                          const struct dm_block_validator *v, struct dm_block **result);
int dm_bm_unlock(struct dm_block *b);
int dm_bm_flush(struct dm_block_manager *bm);

dm_block_t dm_block_location(struct dm_block *b);
simptr dm_block_data(struct dm_block *b);

/* crc32c over host bytes, xor init_xor (dm_bm_checksum). */
u32 dm_bm_checksum(const void *data, size_t len, u32 init_xor);

/* Validator helpers for the common layout "__le32 csum at offset 0, __le64
 * blocknr at blocknr_off": the checksum covers bytes 4..block_size. */
void dm_bm_prepare_csum(struct dm_block *b, size_t block_size, size_t blocknr_off, u32 xor);
int dm_bm_check_csum(struct dm_block *b, size_t block_size, size_t blocknr_off, u32 xor,
                     const char *name);

#endif
