/*
 * uaccess.c - the kernel's and the user's accesses to user memory:
 * copy_to_user, copy_from_user, get_user, put_user (arch/arm/lib/uaccess,
 * with do_page_fault's fixup), and a user task's own loads and stores.
 *
 * Interface: coh__copy_to_user, coh__copy_from_user, coh__get_user,
 * coh__put_user, coh__user_read/write/memset/memcpy_from (mm.h macros).
 * Each access is split at page boundaries; before each piece the model
 * PTE is checked and a fault taken (coh__fault_in), then the access goes
 * through the running CPU, whose address space is current's mm since the
 * last switch_mm. A kernel access that cannot be faulted in stops with
 * -EFAULT; a user one is a SIGSEGV: a bad-access finding, and the
 * execution ends (the task would be killed).
 */
#include <string.h>

#include "kernel/mm/mm_impl.h"

static struct mm_struct *current_mm(void)
{
	struct task_struct *t = current;
	return t ? t->mm : NULL;
}

static size_t piece(unsigned long uaddr, size_t n)
{
	size_t left = coh__page_size() - (uaddr & (coh__page_size() - 1));
	return n < left ? n : left;
}

static void site(const char *file, unsigned line)
{
	coh_machine_set_site(coh__kernel.m, file, line);
}

/* A user task touches [uaddr, uaddr+n): fault in each page, then do op. */
static void user_access(unsigned long uaddr, void *buf, size_t n, bool write, const char *file,
                        unsigned line)
{
	struct mm_struct *mm = current_mm();
	u8 *b = buf;
	while (n) {
		size_t len = piece(uaddr, n);
		site(file, line);
		if (mm && coh__fault_in(mm, uaddr, write)) {
			/* do_page_fault -> __do_user_fault: SIGSEGV */
			coh_check_report(coh__kernel.chk, COH_F_BAD_ACCESS, (int)coh__cpu(),
			                 "SIGSEGV: user %s at 0x%lx, which no VMA of the task's mm "
			                 "allows (%s:%u)",
			                 write ? "write" : "read", uaddr, file, line);
			coh_sched_abort(coh__kernel.s);
			coh_preempt_point();
			return;
		}
		if (write)
			coh_write(coh__kernel.m, coh__cpu(), uaddr, b, len);
		else
			coh_read(coh__kernel.m, coh__cpu(), uaddr, b, len);
		uaddr += len;
		b += len;
		n -= len;
	}
}

u64 coh__user_read(unsigned long uaddr, unsigned size, const char *file, unsigned line)
{
	u8 b[8] = {0};
	user_access(uaddr, b, size, false, file, line);
	u64 v = 0;
	for (unsigned i = size; i-- > 0;)
		v = (v << 8) | b[i];
	return v;
}

void coh__user_write(unsigned long uaddr, unsigned size, u64 v, const char *file, unsigned line)
{
	u8 b[8];
	for (unsigned i = 0; i < size; i++)
		b[i] = (u8)(v >> (8 * i));
	user_access(uaddr, b, size, true, file, line);
}

void coh__user_memset(unsigned long uaddr, int c, size_t n, const char *file, unsigned line)
{
	u8 b[256];
	memset(b, c, sizeof(b));
	while (n) {
		size_t len = n < sizeof(b) ? n : sizeof(b);
		user_access(uaddr, b, len, true, file, line);
		uaddr += len;
		n -= len;
	}
}

void coh__user_memcpy_from(void *dst, unsigned long uaddr, size_t n, const char *file,
                           unsigned line)
{
	user_access(uaddr, dst, n, false, file, line);
}

/* __copy_to_user / __copy_from_user with the exception fixup: bytes not
 * copied. kbuf moves between simulated kernel memory and the host. */
static unsigned long kernel_access(unsigned long uaddr, simptr kaddr, unsigned long n, bool to_user,
                                   bool nofault, const char *file, unsigned line)
{
	struct mm_struct *mm = current_mm();
	u8 buf[256];
	while (n) {
		size_t len = piece(uaddr, n);
		if (len > sizeof(buf))
			len = sizeof(buf);
		if (nofault) { /* pagefault_disable(): the fixup, not the fault */
			struct coh_pte *pte = mm ? coh_pte_lookup(mm, uaddr) : NULL;
			if (!pte || (to_user && !pte->write))
				return n;
		} else if (coh__fault_in(mm, uaddr, to_user))
			return n;
		site(file, line);
		if (to_user) {
			coh_read(coh__kernel.m, coh__cpu(), kaddr.addr, buf, len);
			site(file, line);
			coh_write(coh__kernel.m, coh__cpu(), uaddr, buf, len);
		} else {
			coh_read(coh__kernel.m, coh__cpu(), uaddr, buf, len);
			site(file, line);
			coh_write(coh__kernel.m, coh__cpu(), kaddr.addr, buf, len);
		}
		uaddr += len;
		kaddr.addr += len;
		n -= len;
	}
	return 0;
}

unsigned long coh__copy_to_user(unsigned long to, simptr from, unsigned long n, const char *file,
                                unsigned line)
{
	return kernel_access(to, from, n, true, false, file, line);
}

/* __copy_to_user_inatomic (arch/arm/include/asm/uaccess.h 2.6.3x): the
 * copy with page faults disabled. */
unsigned long coh__copy_to_user_inatomic(unsigned long to, simptr from, unsigned long n,
                                         const char *file, unsigned line)
{
	return kernel_access(to, from, n, true, true, file, line);
}

unsigned long coh__copy_from_user(simptr to, unsigned long from, unsigned long n, const char *file,
                                  unsigned line)
{
	return kernel_access(from, to, n, false, false, file, line);
}

/* __copy_from_user_inatomic (arch/arm/include/asm/uaccess.h 2.6.3x; the
 * _nocache form of iov_iter_copy_from_user_atomic is the same copy off
 * x86): the copy with page faults disabled. */
unsigned long coh__copy_from_user_inatomic(simptr to, unsigned long from, unsigned long n,
                                           const char *file, unsigned line)
{
	return kernel_access(from, to, n, false, true, file, line);
}

int coh__get_user(void *x, size_t size, unsigned long uaddr, const char *file, unsigned line)
{
	u8 b[8] = {0};
	if (size > 8 || piece(uaddr, size) != size || coh__fault_in(current_mm(), uaddr, false)) {
		memset(x, 0, size);
		return -EFAULT;
	}
	site(file, line);
	coh_read(coh__kernel.m, coh__cpu(), uaddr, b, size);
	memcpy(x, b, size); /* little-endian host and machine */
	return 0;
}

int coh__put_user(u64 x, size_t size, unsigned long uaddr, const char *file, unsigned line)
{
	u8 b[8];
	if (size > 8 || piece(uaddr, size) != size || coh__fault_in(current_mm(), uaddr, true))
		return -EFAULT;
	for (size_t i = 0; i < size; i++)
		b[i] = (u8)(x >> (8 * i));
	site(file, line);
	coh_write(coh__kernel.m, coh__cpu(), uaddr, b, size);
	return 0;
}
