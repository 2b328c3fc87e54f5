/*
 * dm-cache-format.h - the on-disk layout of dm-cache's metadata
 * (struct cache_disk_superblock and the mapping values of
 * drivers/md/dm-cache-metadata.c, v3.9-v4.0), shared by the metadata code
 * and the checker's recovery ledger, which reads the medium as
 * thin-provisioning-tools' cache_check would.
 */
#ifndef COHSIM_KERNEL_MD_DM_CACHE_FORMAT_H
#define COHSIM_KERNEL_MD_DM_CACHE_FORMAT_H

#define CACHE_SUPERBLOCK_MAGIC 06142003
#define CACHE_SUPERBLOCK_LOCATION 0
#define CACHE_VERSION 1
#define SUPERBLOCK_CSUM_XOR 9031977
#define CLEAN_SHUTDOWN 1u /* superblock flag bit 0 */
#define M_VALID 1ull
#define M_DIRTY 2ull

/* struct cache_disk_superblock (__packed): byte offsets */
#define SB_CSUM 0
#define SB_FLAGS 4
#define SB_BLOCKNR 8
#define SB_UUID 16
#define SB_MAGIC 32
#define SB_VERSION 40
#define SB_POLICY_NAME 44
#define SB_POLICY_HINT_SIZE 60
#define SB_SM_ROOT 64 /* metadata_space_map_root[128] */
#define SPACE_MAP_ROOT_SIZE 128
#define SB_MAPPING_ROOT 192
#define SB_HINT_ROOT 200
#define SB_DISCARD_ROOT 208
#define SB_DISCARD_BLOCK_SIZE 216
#define SB_DISCARD_NR_BLOCKS 224
#define SB_DATA_BLOCK_SIZE 232
#define SB_METADATA_BLOCK_SIZE 236
#define SB_CACHE_BLOCKS 240
#define SB_COMPAT_FLAGS 244
#define SB_COMPAT_RO_FLAGS 248
#define SB_INCOMPAT_FLAGS 252
#define SB_SIZE 284 /* ... read/write hits and misses, policy_version[3] */

#endif
