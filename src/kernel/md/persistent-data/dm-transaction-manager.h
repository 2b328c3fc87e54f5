/*
 * dm-transaction-manager.h - persistent-data's transaction manager
 * (drivers/md/persistent-data/dm-transaction-manager.h, v3.9-v4.0).
 *
 * A transaction changes blocks only through shadows: the first change of a
 * block in a transaction copies it to a new block (dm_tm_shadow_block) and
 * drops a reference to the original, so every block the last commit
 * reaches stays as it was until the next commit; later changes in the same
 * transaction write the shadow in place. dm_tm_pre_commit commits the
 * space map and writes every dirty block; dm_tm_commit then unlocks the
 * superblock (the one block written in place) and writes it.
 */
#ifndef COHSIM_KERNEL_MD_PD_DM_TRANSACTION_MANAGER_H
#define COHSIM_KERNEL_MD_PD_DM_TRANSACTION_MANAGER_H

#include "kernel/md/persistent-data/dm-space-map.h"

struct dm_transaction_manager;

int dm_tm_create_with_sm(struct dm_block_manager *bm, dm_block_t sb_location,
                         struct dm_transaction_manager **tm, struct dm_space_map **sm);
int dm_tm_open_with_sm(struct dm_block_manager *bm, dm_block_t sb_location, const void *sm_root,
                       size_t root_len, struct dm_transaction_manager **tm,
                       struct dm_space_map **sm);
void dm_tm_destroy(struct dm_transaction_manager *tm);
void coh__dm_tm_reset(void);

int dm_tm_pre_commit(struct dm_transaction_manager *tm);
int dm_tm_commit(struct dm_transaction_manager *tm, struct dm_block *root);

int dm_tm_new_block(struct dm_transaction_manager *tm, const struct dm_block_validator *v,
                    struct dm_block **result);
int dm_tm_shadow_block(struct dm_transaction_manager *tm, dm_block_t orig,
                       const struct dm_block_validator *v, struct dm_block **result,
                       int *inc_children);
int dm_tm_read_lock(struct dm_transaction_manager *tm, dm_block_t b,
                    const struct dm_block_validator *v, struct dm_block **result);
int dm_tm_unlock(struct dm_transaction_manager *tm, struct dm_block *b);
void dm_tm_inc(struct dm_transaction_manager *tm, dm_block_t b);
void dm_tm_dec(struct dm_transaction_manager *tm, dm_block_t b);

struct dm_block_manager *dm_tm_get_bm(struct dm_transaction_manager *tm);
struct dm_space_map *dm_tm_get_sm(struct dm_transaction_manager *tm);
/* Was b shadowed (or made) in this transaction? */
bool dm_tm_is_shadow(struct dm_transaction_manager *tm, dm_block_t b);
/* The model's synthetic switch "dm-cache-superblock-last" (off): the
 * pre-commit writes nothing, so the superblock goes out with the rest
 * under one flush. Linux always writes them before the superblock. */
void dm_tm_set_pre_commit_flush(struct dm_transaction_manager *tm, bool flush);

#endif
