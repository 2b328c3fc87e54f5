/*
 * ctx_aarch64.S - the context switch for AArch64 (AAPCS64).
 *
 * void coh__ctx_swap(void **save_sp, void *new_sp)
 *   saves x19-x30 and d8-d15 in a 160-byte frame (176 with padding, keeping
 *   sp 16-aligned), stores sp in *save_sp, loads new_sp, restores, returns
 *   through x30.
 * coh__ctx_boot: first x30 of a fresh context; calls x19(x20), never returns.
 */
#if defined(__aarch64__) && !defined(COHSIM_UCONTEXT)
	.text
	.globl coh__ctx_swap
	.hidden coh__ctx_swap
	.type coh__ctx_swap,%function
	.p2align 4
coh__ctx_swap:
	sub sp, sp, #176
	stp x19, x20, [sp, #0]
	stp x21, x22, [sp, #16]
	stp x23, x24, [sp, #32]
	stp x25, x26, [sp, #48]
	stp x27, x28, [sp, #64]
	stp x29, x30, [sp, #80]
	stp d8, d9, [sp, #96]
	stp d10, d11, [sp, #112]
	stp d12, d13, [sp, #128]
	stp d14, d15, [sp, #144]
	mov x2, sp
	str x2, [x0]
	mov sp, x1
	ldp x19, x20, [sp, #0]
	ldp x21, x22, [sp, #16]
	ldp x23, x24, [sp, #32]
	ldp x25, x26, [sp, #48]
	ldp x27, x28, [sp, #64]
	ldp x29, x30, [sp, #80]
	ldp d8, d9, [sp, #96]
	ldp d10, d11, [sp, #112]
	ldp d12, d13, [sp, #128]
	ldp d14, d15, [sp, #144]
	add sp, sp, #176
	ret
	.size coh__ctx_swap, .-coh__ctx_swap

	.globl coh__ctx_boot
	.hidden coh__ctx_boot
	.type coh__ctx_boot,%function
	.p2align 4
coh__ctx_boot:
	mov x0, x20
	blr x19
	brk #0
	.size coh__ctx_boot, .-coh__ctx_boot
#endif
#if defined(__linux__) && defined(__ELF__)
	.section .note.GNU-stack,"",%progbits
#endif
