/*
 * cohsim/simnet.h - a reference NIC for driver scenarios: TX and RX
 * descriptor rings in memory the driver gives it, doorbell registers, DMA
 * and an interrupt (kernel/io/simnet.c; docs/drivers.md).
 *
 * Included by linux.h. Copy it, or drive it from a scenario as a real
 * driver would: ioremap its window, program the rings, post descriptors,
 * ring the doorbells, handle its IRQ.
 *
 * Registers (32-bit, at the offsets below in its MMIO window):
 *   CTRL        bit 0 enables the device (nothing is fetched while off);
 *               bit 1 (SIMNET_CTRL_POLL) selects OWN-bit mode: the
 *               device ignores the tails and polls each descriptor's
 *               OWN flag, as DesignWare-style NICs do. An arriving packet
 *               takes the RX descriptor at RX_HEAD if it is owned; TX
 *               fetching runs at a TX_TAIL write (a poll demand) and
 *               again after each completed batch, while the next
 *               descriptor is owned. The poll of the flags is not judged
 *               by the oracle (not owned yet is no error); the descriptor
 *               the device then acts on is read again, judged.
 *   IRQ_STATUS  SIMNET_IRQ_TX / SIMNET_IRQ_RX; write 1s to clear
 *   IRQ_MASK    which of them raise the IRQ line
 *   TX_RING, RX_RING    the device address of a ring of descriptors
 *   TX_COUNT, RX_COUNT  its number of entries (1..256)
 *   TX_TAIL     doorbell: the driver filled descriptors up to (not
 *               including) this index. The device fetches each new
 *               descriptor by DMA at once, as it sees the write; one it
 *               does not own (no SIMNET_DESC_OWN) stops the fetch. Each
 *               fetched packet is sent later (a completion timer): the
 *               buffer is read by DMA, the descriptor's flags become
 *               SIMNET_DESC_DONE, TX_HEAD advances, SIMNET_IRQ_TX.
 *   TX_HEAD     (read-only) the next descriptor the device will complete
 *   RX_TAIL     doorbell: buffers are posted up to this index
 *   RX_HEAD     (read-only) the next descriptor the device will fill
 * Descriptors are 16 bytes, little-endian: u32 buffer address (a DMA
 * address), u32 length, u32 flags, u32 reserved. A packet that arrives
 * (simnet_receive) goes into the RX descriptor at RX_HEAD if one is posted
 * and owned by the device: the buffer is written by DMA (at most the
 * descriptor's length), then the length and SIMNET_DESC_DONE, RX_HEAD
 * advances, SIMNET_IRQ_RX. Otherwise the packet is dropped.
 *
 * Ownership: NICs belong to the execution (at most SIMNET_MAX), made by
 * simnet_create() from setup() after kernel_init().
 */
#ifndef COHSIM_SIMNET_H
#define COHSIM_SIMNET_H

#ifdef __cplusplus
extern "C" {
#endif

#define SIMNET_CTRL 0x00
#define SIMNET_IRQ_STATUS 0x04
#define SIMNET_IRQ_MASK 0x08
#define SIMNET_TX_RING 0x10
#define SIMNET_TX_COUNT 0x14
#define SIMNET_TX_TAIL 0x18
#define SIMNET_TX_HEAD 0x1c
#define SIMNET_RX_RING 0x20
#define SIMNET_RX_COUNT 0x24
#define SIMNET_RX_TAIL 0x28
#define SIMNET_RX_HEAD 0x2c
#define SIMNET_MMIO_SIZE 0x40

#define SIMNET_CTRL_ENABLE 0x1u
#define SIMNET_CTRL_POLL 0x2u
#define SIMNET_IRQ_TX 0x1u
#define SIMNET_IRQ_RX 0x2u

#define SIMNET_DESC_SIZE 16
#define SIMNET_DESC_ADDR 0
#define SIMNET_DESC_LEN 4
#define SIMNET_DESC_FLAGS 8
#define SIMNET_DESC_OWN 0x1u  /* the device owns the descriptor */
#define SIMNET_DESC_DONE 0x2u /* the device finished it */

#define SIMNET_MAX 4
#define SIMNET_MAX_PACKET 256

struct simnet;
/* A NIC with its registers at the returned device's mmio_base and the IRQ
 * line irq. NULL when SIMNET_MAX exist or the arguments are bad. */
COH_API struct simnet *simnet_create(const char *name, unsigned irq);
/* Its device: sd->dev for the DMA API, sd->mmio_base for ioremap. */
COH_API struct sim_device *simnet_device(struct simnet *n);
/* A packet of len bytes (at most SIMNET_MAX_PACKET) arrives from the wire
 * later, at a point the explorer chooses. From a task or setup. 0, or
 * COH_EBUSY when SIMNET_MAX packets are already on their way. */
COH_API int simnet_receive(struct simnet *n, const void *data, size_t len);
/* The bytes the NIC has sent so far, for tests (at most max). */
COH_API size_t simnet_sent(const struct simnet *n, void *buf, size_t max);
COH_API unsigned simnet_rx_dropped(const struct simnet *n);

#ifdef __cplusplus
}
#endif
#endif
