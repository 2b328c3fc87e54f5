/*
 * cohsim/io.h - barriers, MMIO register windows, interrupts and simulated
 * devices: what a driver needs beside the DMA API.
 *
 * Included by linux.h; scenario code does not include it directly.
 *
 * Barriers (kernel/io/barrier.c) follow each profile's kernel: on ARMv6
 * and ARMv7 (armv6, cortex-a9) mb() and wmb() are a dsb, rmb(), dma_wmb()
 * and dma_rmb() a dmb, smp_*() a dmb on an SMP machine and only a compiler
 * barrier on one CPU. Each drains the running CPU's write buffer (machine.h:
 * coherent memory there is bufferable). Elsewhere no memory type is
 * buffered and the barriers have nothing to do. Loads are never reordered
 * in the model: a missing rmb()/dma_rmb() is not found.
 *
 * MMIO: a simulated device (struct sim_device, below) owns a window of
 * physical register space; ioremap() gives the driver an iomem cookie for
 * it. readl_relaxed/writel_relaxed are one register access each: an event
 * at the caller's line, a preemption point, then the device's callback runs
 * at once, atomically, as the device. writel() is wmb() then
 * writel_relaxed(); readl() is readl_relaxed() then rmb() (arch/arm/
 * include/asm/io.h, 2.6.3x, CONFIG_ARM_DMA_MEM_BUFFERABLE). A register
 * write does not wait for the write buffer: without the barrier a doorbell
 * can reach the device before the descriptor it announces.
 *
 * Ownership: devices live in the execution's kernel; sim_device_register()
 * from a program's setup(), after kernel_init(). The sim_device struct is
 * the caller's (usually inside its own device state) and must live for the
 * execution.
 */
#ifndef COHSIM_IO_H
#define COHSIM_IO_H

#ifdef __cplusplus
extern "C" {
#endif

/* ---- barriers (arch/arm/include/asm/system.h, 2.6.3x) ---- */

enum coh_barrier_op {
	COH_MB,
	COH_RMB,
	COH_WMB,
	COH_DMA_RMB,
	COH_DMA_WMB,
	COH_SMP_MB,
	COH_SMP_RMB,
	COH_SMP_WMB,
};
COH_API void coh__barrier(enum coh_barrier_op op, const char *file, unsigned line);
#define mb() coh__barrier(COH_MB, __FILE__, __LINE__)
#define rmb() coh__barrier(COH_RMB, __FILE__, __LINE__)
#define wmb() coh__barrier(COH_WMB, __FILE__, __LINE__)
/* dma_rmb/dma_wmb appeared in v3.19 (a dmb on ARM); drivers of 2.6.3x
 * used rmb()/wmb(). Both are given. */
#define dma_rmb() coh__barrier(COH_DMA_RMB, __FILE__, __LINE__)
#define dma_wmb() coh__barrier(COH_DMA_WMB, __FILE__, __LINE__)
#define smp_mb() coh__barrier(COH_SMP_MB, __FILE__, __LINE__)
#define smp_rmb() coh__barrier(COH_SMP_RMB, __FILE__, __LINE__)
#define smp_wmb() coh__barrier(COH_SMP_WMB, __FILE__, __LINE__)

/* ---- MMIO (kernel/io/io.c) ---- */

/* A `void __iomem *`: an address in the ioremap area, not a host pointer. */
typedef struct iomem {
	coh_addr_t addr;
} iomem;
#define IOMEM_NULL ((iomem){0})
static inline iomem iomem_add(iomem p, unsigned long off)
{
	return (iomem){p.addr + off};
}
static inline bool iomem_is_null(iomem p)
{
	return p.addr == 0;
}

/* Maps [phys, phys+size) of a registered device's register window.
 * IOMEM_NULL if no device's window holds it. */
COH_API iomem ioremap(phys_addr_t phys, size_t size);
COH_API void iounmap(iomem addr);

/* An access outside every ioremap'd window is an api-misuse finding; a
 * read of one returns all ones, as a bus error would. */
COH_API u32 coh__mmio_read(iomem addr, unsigned size, bool relaxed, const char *file,
                           unsigned line);
COH_API void coh__mmio_write(iomem addr, unsigned size, u32 v, bool relaxed, const char *file,
                             unsigned line);
#define readb_relaxed(a) ((u8)coh__mmio_read((a), 1, true, __FILE__, __LINE__))
#define readw_relaxed(a) ((u16)coh__mmio_read((a), 2, true, __FILE__, __LINE__))
#define readl_relaxed(a) coh__mmio_read((a), 4, true, __FILE__, __LINE__)
#define readb(a) ((u8)coh__mmio_read((a), 1, false, __FILE__, __LINE__))
#define readw(a) ((u16)coh__mmio_read((a), 2, false, __FILE__, __LINE__))
#define readl(a) coh__mmio_read((a), 4, false, __FILE__, __LINE__)
#define writeb_relaxed(v, a) coh__mmio_write((a), 1, (u8)(v), true, __FILE__, __LINE__)
#define writew_relaxed(v, a) coh__mmio_write((a), 2, (u16)(v), true, __FILE__, __LINE__)
#define writel_relaxed(v, a) coh__mmio_write((a), 4, (u32)(v), true, __FILE__, __LINE__)
#define writeb(v, a) coh__mmio_write((a), 1, (u8)(v), false, __FILE__, __LINE__)
#define writew(v, a) coh__mmio_write((a), 2, (u16)(v), false, __FILE__, __LINE__)
#define writel(v, a) coh__mmio_write((a), 4, (u32)(v), false, __FILE__, __LINE__)
#define ioread8(a) readb(a)
#define ioread16(a) readw(a)
#define ioread32(a) readl(a)
#define iowrite8(v, a) writeb(v, a)
#define iowrite16(v, a) writew(v, a)
#define iowrite32(v, a) writel(v, a)

/* ---- interrupts (kernel/io/io.c) ---- */

typedef int irqreturn_t;
#define IRQ_NONE 0
#define IRQ_HANDLED 1
typedef irqreturn_t (*irq_handler_t)(int irq, void *dev_id);
/* From setup(): handler(irq, dev_id) runs in hardirq context on CPU 0 when
 * the line is raised. 0, or a negative COH_ status. */
COH_API int request_irq(unsigned irq, irq_handler_t handler, unsigned long flags, const char *name,
                        void *dev_id);

/* ---- simulated devices (kernel/io/simdev.c) ---- */

struct sim_device;
/* Register callbacks: off is the byte offset in the window, size 1, 2 or
 * 4. They run as the device, atomically; their DMA goes through
 * dma_dev_read/dma_dev_write so reports name the device's lines. */
struct sim_device_ops {
	u32 (*read)(struct sim_device *sd, unsigned off, unsigned size);
	void (*write)(struct sim_device *sd, unsigned off, unsigned size, u32 v);
};

struct sim_device {
	struct device dev; /* for the DMA API: dev.name is the device's name */
	const struct sim_device_ops *ops;
	phys_addr_t mmio_base; /* set by sim_device_register */
	size_t mmio_size;
	unsigned irq;
	void *priv; /* the device model's own state */
};

/* Gives sd a register window of mmio_size bytes (a multiple of 4, at most a
 * page) in the execution's MMIO space, and the IRQ line irq. From setup(),
 * after kernel_init(). 0, or COH_EINVAL / COH_ENOMEM (too many devices). */
COH_API int sim_device_register(struct sim_device *sd, const char *name, size_t mmio_size,
                                unsigned irq, const struct sim_device_ops *ops, void *priv);
/* The device asserts its IRQ line (delivered to CPU 0 at a point the
 * explorer chooses). */
COH_API void sim_device_raise_irq(struct sim_device *sd);
/* A completion timer: fn(arg) runs later, as the device, at a point the
 * explorer chooses among the pending completions (the latency is a choice). */
COH_API void sim_device_later(struct sim_device *sd, coh_task_fn fn, void *arg, const char *what);

#ifdef __cplusplus
}
#endif
#endif
