/*
 * cohsim/kstack.h - kernel stacks: every process task has THREAD_SIZE
 * bytes of simulated lowmem for a stack, and driver code can place a local
 * buffer on it, as `u8 buf[64];` in a kernel function does.
 *
 *     DECLARE_BUF_ONSTACK(cmd, 64);   // u8 cmd[64]; on this task's stack
 *     sim_write32(cmd, SIMBLK_OP_READ);
 *     dma_map_single(dev, cmd, 64, DMA_TO_DEVICE);   // api-misuse: a stack buffer
 *
 * The buffer is popped when the enclosing block exits (a cleanup
 * variable: every return path pops), or with the task. Its memory is
 * cacheable lowmem like any other: only the DMA-API-debug check of
 * mapping it (dma-debug's check_for_stack) tells it apart.
 *
 * Included by linux.h; scenario code does not include it directly.
 */
#ifndef COHSIM_KSTACK_H
#define COHSIM_KSTACK_H

#ifdef __cplusplus
extern "C" {
#endif

/* THREAD_SIZE of ARM, x86-32, MIPS-32 and SH in 2.6.3x (PA-RISC's is
 * 16 KiB: not modelled). The stack is THREAD_SIZE-aligned lowmem taken
 * from the page allocator when the task is created and freed when it ends;
 * IRQ and softirq handlers use a per-CPU stack of the same size. */
#define THREAD_SIZE 8192

/* object_is_on_stack() (include/linux/sched.h, 2.6.3x): is obj on the
 * running task's kernel stack? False on the host stack. */
COH_API bool object_is_on_stack(simptr obj);

/* One buffer on a kernel stack (DECLARE_BUF_ONSTACK's hidden variable). */
struct onstack_buf {
	simptr buf;      /* simptr_at(0) if there was no stack to place it on */
	coh_addr_t sp;   /* the stack pointer before the push */
	int stack;       /* which stack (-1: none) */
	uint32_t serial; /* that stack's life, so a stale pop does nothing */
};
COH_API struct onstack_buf coh__onstack_push(size_t size, const char *file, unsigned line);
COH_API void coh__onstack_pop(struct onstack_buf *b);

/* Declares `simptr name`: size bytes (8-byte aligned) on the running
 * context's kernel stack, popped at the end of the enclosing block. More
 * than THREAD_SIZE in all is a BUG (a stack overflow); outside a task
 * (setup) it is an api-misuse finding and name is simptr_at(0). */
#define DECLARE_BUF_ONSTACK(name, size)                                                            \
	struct onstack_buf coh__onstack_##name __attribute__((cleanup(coh__onstack_pop))) =        \
	    coh__onstack_push((size), __FILE__, __LINE__);                                         \
	simptr name = coh__onstack_##name.buf

#ifdef __cplusplus
}
#endif
#endif
