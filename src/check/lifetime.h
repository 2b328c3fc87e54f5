/*
 * lifetime.h - the lifetime shadow of slab objects (lifetime.c), as KASAN
 * keeps it: the slab allocator (src/kernel/mm/slab.c) tells it what it
 * allocates and frees; the oracle's hooks ask it about every access.
 * Internal to the library; never installed.
 */
#ifndef COHSIM_CHECK_LIFETIME_H
#define COHSIM_CHECK_LIFETIME_H

#include "check/check_impl.h"

/* The state of one byte of slab memory. */
enum coh__life_state {
	COH__LIFE_OK = 0,      /* part of a live object, or not slab memory */
	COH__LIFE_REDZONE = 1, /* a red zone or a slot never allocated: out-of-bounds */
	COH__LIFE_FREED = 2,   /* a freed object, or a freed slab page: use-after-free */
};

/* Records a note event `what` at the caller's file:line (the site of an
 * allocation or free) and copies it to *out. `what` must outlive the run. */
void coh__life_site(coh_check *c, int cpu, const char *what, const char *file, unsigned line,
                    coh_event *out);
/* A new slab of `slot`-byte slots, [va, va+len) at pa (page-aligned, whole
 * pages): every byte becomes red zone until an object is allocated in it.
 * `cache` names the cache and must outlive the run. Arms the checks. */
int coh__life_slab(coh_check *c, coh_addr_t va, coh_addr_t pa, size_t len, unsigned slot,
                   const char *cache);
/* Marks [pa, pa+len) of a slab as st (FREED: pages given back). */
void coh__life_poison(coh_check *c, coh_addr_t pa, size_t len, enum coh__life_state st);
/* The pages at [pa, pa+len) are handed out again by the page allocator:
 * they are no longer slab memory and are not checked. */
void coh__life_forget(coh_check *c, coh_addr_t pa, size_t len);
/* An object of size bytes is allocated at the start of the slot at pa. */
void coh__life_alloc(coh_check *c, coh_addr_t pa, unsigned size, const coh_event *site);
/* The live object at pa is freed: COH_OK, or COH_EINVAL (nothing done) if
 * pa is not the start of a live object (the caller reports a bad free). */
int coh__life_free(coh_check *c, coh_addr_t pa, const coh_event *site);
/* Is pa the start of a freed object (a double free if freed again)? */
bool coh__life_freed(const coh_check *c, coh_addr_t pa);
/* A bad free of the pointer va (at pa), by the site's note: a double-free
 * finding if twice, else an api-misuse one (not the start of an object,
 * or not slab memory at all). */
void coh__life_bad_free(coh_check *c, coh_addr_t pa, coh_addr_t va, const coh_event *site,
                        bool twice);
/* The check of one access of len bytes at pa (within one page or line), by
 * cpu (-1: the device); va when has_va. Reports once per object and kind. */
void coh__life_access(coh_check *c, int cpu, coh_addr_t va, bool has_va, coh_addr_t pa,
                      unsigned len, bool write);
/* The load/store/DMA-read hooks of a checker whose oracle is off. */
void coh__life_hooks(struct coh__observer *obs);
/* coh_check_reset / coh_check_destroy. */
void coh__life_reset(coh_check *c);
void coh__life_free_all(coh_check *c);

#endif
