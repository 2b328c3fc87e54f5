/*
 * cohsim/simblk.h - a reference block controller for driver scenarios: a
 * submission queue of commands and a completion queue in memory the driver
 * gives it (coherent memory, as NVMe and AHCI-style controllers have), a
 * doorbell, an IRQ, data moved by DMA to and from the driver's buffers
 * (kernel/io/simblk.c; docs/drivers.md).
 *
 * Included by linux.h. Drive it as a real driver would: ioremap its
 * window, give it the queues, post commands, ring the doorbell, take the
 * completions in the IRQ handler (src/scenarios/simblk_drv.c is a small
 * driver to copy).
 *
 * Registers (32-bit, at the offsets below in its MMIO window):
 *   CTRL        bit 0 enables the device (nothing is fetched while off)
 *   IRQ_STATUS  SIMBLK_IRQ_CQ; write 1s to clear
 *   IRQ_MASK    which status bits raise the IRQ line
 *   CAPACITY    (read-only) the disk's size in 512-byte sectors
 *   SQ_BASE, CQ_BASE  device addresses of the submission queue (entries of
 *               SIMBLK_SQE_SIZE) and the completion queue (SIMBLK_CQE_SIZE)
 *   QDEPTH      entries of each queue (2..SIMBLK_MAX_DEPTH); writing it
 *               resets the indices, and the completion phase to 1
 *   SQ_TAIL     doorbell: commands are posted up to (not including) this
 *               index. The device fetches each new command by DMA at once
 *               and starts it; every command completes later, each at a
 *               point the explorer chooses (so outstanding commands
 *               complete in any order)
 *   SQ_HEAD     (read-only) the next command the device will fetch
 *   CQ_HEAD     doorbell: the driver consumed completions up to here
 *   CQ_TAIL     (read-only) the next completion slot the device writes
 * A command (16 bytes, little-endian): u32 opcode (SIMBLK_OP_READ: disk to
 * memory, SIMBLK_OP_WRITE: memory to disk), u32 first sector, u32 DMA
 * address of the data buffer, u32 sectors (1..SIMBLK_MAX_SECTORS). Its id
 * is its index in the submission queue.
 * A completion: the data is moved by DMA (a READ writes the buffer, a
 * WRITE reads it), then a completion entry (8 bytes: u32 command id, u32
 * status word = status << 1 | phase) is written by DMA at CQ_TAIL, and
 * SIMBLK_IRQ_CQ is raised. The phase bit is 1 on the first pass through
 * the queue and flips each time CQ_TAIL wraps (NVMe's phase tag): an entry
 * is new when its phase is the driver's current one. Status 0 is success,
 * SIMBLK_ST_EIO an I/O error (an injected fault: nothing is moved),
 * SIMBLK_ST_EINVAL a bad command. A completion that finds the queue full
 * waits until CQ_HEAD moves.
 *
 * Ownership: controllers belong to the execution (at most SIMBLK_MAX),
 * made by simblk_create() from setup() after kernel_init(); the disk's
 * contents start zeroed in every execution.
 */
#ifndef COHSIM_SIMBLK_H
#define COHSIM_SIMBLK_H

#ifdef __cplusplus
extern "C" {
#endif

#define SIMBLK_CTRL 0x00
#define SIMBLK_IRQ_STATUS 0x04
#define SIMBLK_IRQ_MASK 0x08
#define SIMBLK_CAPACITY 0x0c
#define SIMBLK_SQ_BASE 0x10
#define SIMBLK_CQ_BASE 0x14
#define SIMBLK_QDEPTH 0x18
#define SIMBLK_SQ_TAIL 0x1c
#define SIMBLK_SQ_HEAD 0x20
#define SIMBLK_CQ_HEAD 0x24
#define SIMBLK_CQ_TAIL 0x28
#define SIMBLK_MMIO_SIZE 0x40

#define SIMBLK_CTRL_ENABLE 0x1u
#define SIMBLK_IRQ_CQ 0x1u

#define SIMBLK_SQE_SIZE 16
#define SIMBLK_SQE_OPCODE 0
#define SIMBLK_SQE_LBA 4
#define SIMBLK_SQE_ADDR 8
#define SIMBLK_SQE_NSECT 12
#define SIMBLK_OP_READ 1u
#define SIMBLK_OP_WRITE 2u

#define SIMBLK_CQE_SIZE 8
#define SIMBLK_CQE_CID 0
#define SIMBLK_CQE_STATUS 4
#define SIMBLK_CQE_PHASE 0x1u
#define SIMBLK_ST_EIO 1u
#define SIMBLK_ST_EINVAL 2u

#define SIMBLK_MAX 2
#define SIMBLK_MAX_DEPTH 16
#define SIMBLK_MAX_SECTORS 8
#define SIMBLK_SECTORS 64 /* capacity: 32 KiB */
#define SIMBLK_SECTOR_SIZE 512

struct simblk;
/* A controller with its registers at the returned device's mmio_base and
 * the IRQ line irq. NULL when SIMBLK_MAX exist or the arguments are bad. */
COH_API struct simblk *simblk_create(const char *name, unsigned irq);
/* Its device: sd->dev for the DMA API, sd->mmio_base for ioremap. */
COH_API struct sim_device *simblk_device(struct simblk *b);
/* Host-side access to the disk's contents, for setup and tests (no DMA, no
 * event): len bytes at byte offset off. COH_EINVAL past the end. */
COH_API int simblk_disk_read(const struct simblk *b, size_t off, void *buf, size_t len);
COH_API int simblk_disk_write(struct simblk *b, size_t off, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
