/*
 * dm-block-manager.c - persistent-data's block manager, after
 * drivers/md/persistent-data/dm-block-manager.c (v3.9-v4.0).
 *
 * Interface: dm-block-manager.h. A block manager is one dm-bufio client;
 * a struct dm_block is the bufio buffer; each buffer's aux data holds its
 * validator and its lock (readers, or one writer).
 *
 * Invariants:
 * - a buffer is checked by a validator once after it was read (the first
 *   lock with a validator); locking it later with another validator is
 *   -EINVAL ("validator mismatch"), as in Linux;
 * - a write lock excludes every other lock of the block. Linux makes a
 *   conflicting locker wait and fails only a recursive lock (-EINVAL); in
 *   the model every user of a block manager holds its object's root_lock
 *   around its locks, so a conflict can only be a recursion: -EINVAL;
 * - an unlocked write lock marks the buffer dirty; bufio's write callback
 *   runs the validator's prepare_for_write just before the write.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_impl.h"
#include "kernel/md/persistent-data/dm-block-manager.h"

struct buffer_aux {
	const struct dm_block_validator *validator;
	int readers;
	int write_locked;
};

struct dm_block_manager {
	struct dm_bufio_client *bufio;
};

#define BM_POOL 8
static struct dm_block_manager bms[BM_POOL];

static struct dm_buffer *to_buffer(struct dm_block *b)
{
	return (struct dm_buffer *)b;
}

static struct buffer_aux *aux_of(struct dm_block *b)
{
	return dm_bufio_get_aux_data(to_buffer(b));
}

/* dm_block_location (v3.9) */
dm_block_t dm_block_location(struct dm_block *b)
{
	return dm_bufio_get_block_number(to_buffer(b));
}

/* dm_block_data (v3.9) */
simptr dm_block_data(struct dm_block *b)
{
	return dm_bufio_get_block_data(to_buffer(b));
}

/* crc32c, Castagnoli, bit by bit (lib/crc32.c's __crc32c_le, no final xor) */
static u32 crc32c(u32 crc, const u8 *p, size_t len)
{
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
	}
	return crc;
}

/* dm_bm_checksum (v3.9) */
u32 dm_bm_checksum(const void *data, size_t len, u32 init_xor)
{
	return crc32c(~(u32)0, data, len) ^ init_xor;
}

static u64 le64_at(const u8 *p)
{
	u64 v = 0;
	for (int k = 7; k >= 0; k--)
		v = v << 8 | p[k];
	return v;
}

static u32 le32_at(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/* The prepare_for_write of every validator here (sb_prepare_for_write,
 * array_block_prepare_for_write, ... v3.9): blocknr, then the checksum of
 * everything after the csum field. */
void dm_bm_prepare_csum(struct dm_block *b, size_t block_size, size_t blocknr_off, u32 xor)
{
	u8 *buf = malloc(block_size);
	if (!buf)
		return; /* host memory: the block goes out unchecksummed, and fails its check */
	simptr data = dm_block_data(b);
	u64 blocknr = dm_block_location(b);
	KSITE();
	sim_memcpy_from(buf, data, block_size);
	for (int k = 0; k < 8; k++)
		buf[blocknr_off + k] = (u8)(blocknr >> (8 * k));
	u32 csum = dm_bm_checksum(buf + 4, block_size - 4, xor);
	for (int k = 0; k < 4; k++)
		buf[k] = (u8)(csum >> (8 * k));
	sim_memcpy_to(data, buf, 4);
	sim_memcpy_to(simptr_add(data, (long)blocknr_off), buf + blocknr_off, 8);
	free(buf);
}

/* The check of every validator here (sb_check, array_block_check, ...
 * v3.9): -ENOTBLK if the block says it lives elsewhere, -EILSEQ if its
 * checksum is wrong. */
int dm_bm_check_csum(struct dm_block *b, size_t block_size, size_t blocknr_off, u32 xor,
                     const char *name)
{
	(void)name;
	u8 *buf = malloc(block_size);
	if (!buf)
		return -ENOMEM;
	KSITE();
	sim_memcpy_from(buf, dm_block_data(b), block_size);
	int r = 0;
	if (le64_at(buf + blocknr_off) != dm_block_location(b))
		r = -ENOTBLK;
	else if (le32_at(buf) != dm_bm_checksum(buf + 4, block_size - 4, xor))
		r = -EILSEQ;
	free(buf);
	return r;
}

/* dm_block_manager_alloc_callback (v3.9): aux is zeroed by the model's bufio. */

/* dm_block_manager_write_callback (v3.9) */
static void dm_block_manager_write_callback(struct dm_buffer *buf)
{
	struct buffer_aux *aux = dm_bufio_get_aux_data(buf);
	struct dm_block *b = (struct dm_block *)buf;
	if (aux->validator)
		aux->validator->prepare_for_write(
		    aux->validator, b, dm_bufio_get_block_size(dm_bufio_get_client(buf)));
}

/* dm_block_manager_create (v3.9). NULL if out of clients. */
struct dm_block_manager *dm_block_manager_create(struct block_device *bdev, unsigned block_size,
                                                 unsigned max_held_per_thread)
{
	for (unsigned i = 0; i < BM_POOL; i++)
		if (!bms[coh__pool_note(&coh__pools.bms, i)].bufio) {
			bms[i].bufio = dm_bufio_client_create(bdev, block_size, max_held_per_thread,
			                                      sizeof(struct buffer_aux), NULL,
			                                      dm_block_manager_write_callback);
			return bms[i].bufio ? &bms[i] : NULL;
		}
	return NULL;
}

/* dm_block_manager_destroy (v3.9) */
void dm_block_manager_destroy(struct dm_block_manager *bm)
{
	dm_bufio_client_destroy(bm->bufio);
	bm->bufio = NULL;
}

/* kernel_init and coh_dm_reboot: every block manager is gone. */
void coh__dm_block_manager_reset(void)
{
	coh__pool_reset(bms, sizeof(bms[0]), &coh__pools.bms);
}

/* dm_bm_block_size (v3.9) */
unsigned dm_bm_block_size(struct dm_block_manager *bm)
{
	return dm_bufio_get_block_size(bm->bufio);
}

/* dm_bm_nr_blocks (v3.9): dm_bufio_get_device_size */
dm_block_t dm_bm_nr_blocks(struct dm_block_manager *bm)
{
	return dm_bufio_get_device_size(bm->bufio);
}

struct dm_bufio_client *dm_bm_bufio(struct dm_block_manager *bm)
{
	return bm->bufio;
}

/* dm_bm_validate_buffer (v3.9) */
static int dm_bm_validate_buffer(struct dm_block_manager *bm, struct dm_block *b,
                                 struct buffer_aux *aux, const struct dm_block_validator *v)
{
	if (!aux->validator) {
		if (!v)
			return 0;
		int r = v->check(v, b, dm_bm_block_size(bm));
		if (r)
			return r; /* DMERR_LIMIT("%s validator check failed ...") */
		aux->validator = v;
		return 0;
	}
	return aux->validator != v ? -EINVAL : 0; /* "validator mismatch" */
}

static int bm_lock(struct dm_block_manager *bm, dm_block_t blk, const struct dm_block_validator *v,
                   bool write, bool zero, struct dm_block **result)
{
	struct dm_buffer *buf;
	simptr p = zero ? dm_bufio_new(bm->bufio, blk, &buf) : dm_bufio_read(bm->bufio, blk, &buf);
	if (IS_ERR_SIMPTR(p))
		return (int)PTR_ERR_SIMPTR(p);
	struct dm_block *b = (struct dm_block *)buf;
	struct buffer_aux *aux = aux_of(b);
	if (aux->write_locked || (write && aux->readers)) {
		dm_bufio_release(buf); /* report_recursive_bug */
		return -EINVAL;
	}
	if (zero) {
		KSITE();
		sim_memset(p, 0, dm_bm_block_size(bm));
		aux->validator = v;
	} else {
		int r = dm_bm_validate_buffer(bm, b, aux, v);
		if (r) {
			dm_bufio_release(buf);
			return r;
		}
	}
	if (write)
		aux->write_locked = 1;
	else
		aux->readers++;
	*result = b;
	return 0;
}

/* dm_bm_read_lock (v3.9) */
int dm_bm_read_lock(struct dm_block_manager *bm, dm_block_t b, const struct dm_block_validator *v,
                    struct dm_block **result)
{
	return bm_lock(bm, b, v, false, false, result);
}

/* dm_bm_write_lock (v3.9) */
int dm_bm_write_lock(struct dm_block_manager *bm, dm_block_t b, const struct dm_block_validator *v,
                     struct dm_block **result)
{
	return bm_lock(bm, b, v, true, false, result);
}

/* dm_bm_write_lock_zero (v3.9) */
int dm_bm_write_lock_zero(struct dm_block_manager *bm, dm_block_t b,
                          const struct dm_block_validator *v, struct dm_block **result)
{
	return bm_lock(bm, b, v, true, true, result);
}

/* dm_bm_unlock (v3.9) */
int dm_bm_unlock(struct dm_block *b)
{
	struct buffer_aux *aux = aux_of(b);
	if (aux->write_locked) {
		dm_bufio_mark_buffer_dirty(to_buffer(b));
		aux->write_locked = 0;
	} else {
		aux->readers--;
	}
	dm_bufio_release(to_buffer(b));
	return 0;
}

/* dm_bm_flush (v4.0; v3.9's dm_bm_flush_and_unlock is the same two writes
 * around the superblock's unlock, see dm_tm_commit) */
int dm_bm_flush(struct dm_block_manager *bm)
{
	return dm_bufio_write_dirty_buffers(bm->bufio);
}
