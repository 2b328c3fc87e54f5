/*
 * sg_miter.c - the scatterlist mapping iterator of lib/scatterlist.c
 * (2.6.30-39): sg_miter_start, sg_miter_next, sg_miter_stop.
 *
 * Interface: dma-mapping.h. A piece is at most one page and is mapped with
 * kmap_atomic (SG_MITER_ATOMIC: the caller is atomic, usually with IRQs
 * off, as a PIO driver's interrupt handler) or kmap. The piece mapped is
 * the iterator's until sg_miter_stop or the next sg_miter_next.
 *
 * A driver that fills pages through the iterator (a PIO read) leaves the
 * data in the lines of the kernel alias; sg_miter_stop's
 * flush_kernel_dcache_page for SG_MITER_TO_SG writes them back, so that a
 * user alias of the page reads it. That flush came with "lib/scatterlist:
 * add a flags to signalize mapping direction" (S. A. Siewior, 2.6.30; the
 * commit's hash is not confirmed here): before it, sg_copy_buffer flushed
 * its own pages and drivers iterating themselves (sdhci's PIO) flushed
 * nothing. Every modelled release has it: `sg-miter-flush`, declared and
 * off, is the iterator before it.
 */
#include <string.h>

#include "cohsim/fs.h"
#include "kernel/kernel_impl.h"

/* sg_miter_start (lib/scatterlist.c 2.6.30) */
void sg_miter_start(struct sg_mapping_iter *miter, struct scatterlist *sgl, unsigned int nents,
                    unsigned int flags)
{
	memset(miter, 0, sizeof(*miter));
	miter->__sg = sgl;
	miter->__nents = nents;
	miter->__offset = 0;
	miter->__flags = flags;
}

/* sg_miter_next (lib/scatterlist.c 2.6.30) */
bool sg_miter_next(struct sg_mapping_iter *miter)
{
	size_t psize = coh_machine_page_size(coh__kernel.m);
	sg_miter_stop(miter);
	/* get to the next sg if necessary; __offset is adjusted by stop */
	while (miter->__offset == miter->__sg->length) {
		if (--miter->__nents) {
			miter->__sg = sg_next(miter->__sg);
			miter->__offset = 0;
		} else {
			return false;
		}
	}
	/* map the next page */
	size_t off = miter->__sg->offset + miter->__offset;
	miter->page = pfn_to_page(page_to_pfn(miter->__sg->page) + off / psize);
	off %= psize;
	size_t left = miter->__sg->length - miter->__offset;
	miter->length = left < psize - off ? left : psize - off;
	miter->consumed = miter->length;
	simptr base =
	    (miter->__flags & SG_MITER_ATOMIC) ? kmap_atomic(miter->page) : kmap(miter->page);
	miter->addr = simptr_add(base, (long)off);
	return true;
}

/* sg_miter_stop (lib/scatterlist.c 2.6.30): with SG_MITER_TO_SG, the
 * kernel alias is flushed before the unmap (`sg-miter-flush`). */
void sg_miter_stop(struct sg_mapping_iter *miter)
{
	/* drop resources from the last iteration */
	if (simptr_is_null(miter->addr))
		return;
	size_t psize = coh_machine_page_size(coh__kernel.m);
	miter->__offset += (unsigned)miter->consumed;
	if ((miter->__flags & SG_MITER_TO_SG) && coh_fix_old("sg-miter-flush"))
		flush_kernel_dcache_page(miter->page);
	if (miter->__flags & SG_MITER_ATOMIC)
		kunmap_atomic((simptr){miter->addr.addr & ~(coh_addr_t)(psize - 1)});
	else
		kunmap(miter->page);
	miter->page = NULL;
	miter->addr = (simptr){0};
	miter->length = 0;
	miter->consumed = 0;
}
