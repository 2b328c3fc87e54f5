/*
 * cohsim/blockcopy.h - the block-copy oracle: the versioned-copy idea of the
 * coherence oracle, one level up, for software caches of a block device
 * (dm-bufio buffers, page-cache pages).
 *
 * A tracked device is a range of 512-byte sectors. For every sector the
 * oracle knows its latest version (a number, in global order; 0: the
 * device's initial contents) and who wrote it, and which version the
 * medium holds. A *copy* is a software cache's copy of a sector-aligned
 * range of one device; for every sector it knows the version it holds.
 *
 *   fill        the copy was read from the medium: it holds the medium's versions
 *   store       a write into the copy: a new latest version of its sectors
 *   read        a read served from the copy      -> stale-read if it holds
 *                                                   an older version than the latest
 *                                                   completed one
 *   writeback   the copy reached the medium      -> lost-write if the medium held a
 *                                                   newer version than the copy's
 *   dev_write   a write reaching the medium by another path: a new latest version
 *   dev_read    a read served by the medium      -> stale-read if older than the latest
 *
 * Findings are decided by version, not by value: block I/O moves whole
 * sectors, and a store is a new version of every sector it covers. A
 * finding names the device, the sector, the stale copy (its owner and the
 * event that filled it) and the writer of the latest version (an event of
 * the machine's trace, with its task and source line). The oracle reports
 * each stale copy once until it is filled or stored again.
 *
 * This is the check layer: it knows devices and copies by number only, not
 * the kernel's types. Ownership: the state belongs to the checker and is
 * dropped by coh_check_reset() (each execution starts with no device).
 * Nothing is tracked while the checker's oracle is off (the calls return
 * COH_OK and do nothing).
 */
#ifndef COHSIM_BLOCKCOPY_H
#define COHSIM_BLOCKCOPY_H

#include "cohsim/check.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COH_BLK_SECTOR 512u
#define COH_BLK_NAME_MAX 40

/* Registers a device of nsectors sectors named name (copied). *out: its id.
 * COH_EINVAL for zero sectors or an empty name; COH_ENOMEM. */
COH_API int coh_blk_dev_register(coh_check *c, const char *name, uint64_t nsectors, unsigned *out);
/* A copy of [sector, sector + nsectors) of dev, owned by `owner` (copied,
 * e.g. "bufio client 2 block 0"). It holds version 0 everywhere until it
 * is filled or stored. COH_EINVAL for a range beyond the device. */
COH_API int coh_blk_copy_create(coh_check *c, unsigned dev, uint64_t sector, uint64_t nsectors,
                                const char *owner, unsigned *out);
/* The copy is gone (evicted, forgotten, its client destroyed). */
COH_API void coh_blk_copy_destroy(coh_check *c, unsigned copy);

/* The device side (cpu -1): a fill completes a read of the medium, a
 * writeback a write of the copy's data to it. */
COH_API void coh_blk_copy_fill(coh_check *c, unsigned copy);
COH_API void coh_blk_copy_writeback(coh_check *c, unsigned copy);
/* The CPU side: cpu is the one doing it (-1: none). A store records a note
 * event in the machine's trace, the writer a finding names. */
COH_API void coh_blk_copy_store(coh_check *c, unsigned copy, int cpu);
COH_API void coh_blk_copy_read(coh_check *c, unsigned copy, int cpu);
COH_API void coh_blk_dev_write(coh_check *c, unsigned dev, uint64_t sector, uint64_t nsectors,
                               int cpu);
COH_API void coh_blk_dev_read(coh_check *c, unsigned dev, uint64_t sector, uint64_t nsectors,
                              int cpu);
/* The contents of the sectors were discarded (a file system freed their
 * blocks: truncate): what the medium holds is their latest version again,
 * so a later read of it is not stale. Copies of them must be gone first. */
COH_API void coh_blk_dev_discard(coh_check *c, unsigned dev, uint64_t sector, uint64_t nsectors);

/*
 * Operations: a read or a write by one system call (a direct-I/O read or
 * write), from its begin to its end, for POSIX's rule that operations
 * that overlap may see either value. A read is stale only against a
 * version whose writer completed before the read began; a write's
 * versions complete when its operation ends; a write-back is a lost
 * write only if the version it overwrites was begun after the version it
 * puts completed. Versions made without an operation (the calls above)
 * complete at once.
 *
 *   op_begin   returns the operation's id (0: not tracked), a note event
 *   op_dma     the device moved [sector, sector + n) for it: a write makes
 *              a new version on the medium, a read checks the medium
 *              against what had completed when the operation began
 *   op_end     its versions complete
 */
COH_API unsigned coh_blk_op_begin(coh_check *c, unsigned dev, bool write, int cpu, const char *who);
COH_API void coh_blk_op_dma(coh_check *c, unsigned op, uint64_t sector, uint64_t nsectors,
                            bool write);
COH_API void coh_blk_op_end(coh_check *c, unsigned op);

/* A restart after a power cut: every copy is gone (with what was stored
 * in it and never written back), no operation is in flight, and what each
 * medium holds is the latest (and the newest completed) version of its
 * sectors. */
COH_API void coh_blk_restart(coh_check *c);

/* For tests and reports: the latest version of a sector, the version the
 * medium holds, and the version a copy holds (0 for a bad id). */
COH_API uint64_t coh_blk_latest(const coh_check *c, unsigned dev, uint64_t sector);
COH_API uint64_t coh_blk_medium(const coh_check *c, unsigned dev, uint64_t sector);
COH_API uint64_t coh_blk_copy_version(const coh_check *c, unsigned copy, uint64_t sector);

#ifdef __cplusplus
}
#endif
#endif
