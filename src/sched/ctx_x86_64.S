/*
 * ctx_x86_64.S - the context switch for x86-64 (System V ABI).
 *
 * void coh__ctx_swap(void **save_sp, void *new_sp)
 *   pushes the callee-saved registers, MXCSR and the x87 control word,
 *   stores rsp in *save_sp, loads new_sp and pops the same frame from it.
 * coh__ctx_boot: the first "return address" of a fresh context; calls
 *   r12(r13) with an aligned stack. The callee never returns.
 */
#if defined(__x86_64__) && !defined(COHSIM_UCONTEXT)
	.text
	.globl coh__ctx_swap
	.hidden coh__ctx_swap
	.type coh__ctx_swap,@function
	.p2align 4
coh__ctx_swap:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	stmxcsr (%rsp)
	fnstcw 4(%rsp)
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	ldmxcsr (%rsp)
	fldcw 4(%rsp)
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size coh__ctx_swap, .-coh__ctx_swap

	.globl coh__ctx_boot
	.hidden coh__ctx_boot
	.type coh__ctx_boot,@function
	.p2align 4
coh__ctx_boot:
	movq %r13, %rdi
	callq *%r12
	ud2
	.size coh__ctx_boot, .-coh__ctx_boot
#endif
	.section .note.GNU-stack,"",%progbits
