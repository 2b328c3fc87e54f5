/*
 * dm_durable.h - what `cohsim dm` expects each sector to read back
 * (dm_durable.c): the script's record of acknowledged, durable and
 * possibly lost writes, per device it does I/O on.
 */
#ifndef COHSIM_DM_DURABLE_H
#define COHSIM_DM_DURABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "dm_script.h"

struct dm_sector {
	uint8_t latest, durable; /* patterns */
	bool unsure;             /* after a power cut, or a failed write */
	unsigned latest_line, durable_line;
	uint8_t since[32]; /* patterns written since the durable one (a bit each) */
	uint8_t ever[32];  /* every pattern written there */
};

struct dm_durable {
	unsigned n;
	uint64_t nsect[DM_SCRIPT_DEVS + DM_SCRIPT_DISKS];
	struct dm_sector *sec[DM_SCRIPT_DEVS + DM_SCRIPT_DISKS];
};

enum dm_verdict { DM_READ_OK, DM_READ_STALE, DM_READ_LOST_DURABLE };

/* 0, or -1 when out of memory (then dm_durable_free). */
int dm_durable_init(struct dm_durable *d, const struct dm_script *s);
void dm_durable_free(struct dm_durable *d);
/* Every sector zero and durable (a new execution). */
void dm_durable_reset(struct dm_durable *d);
/* A write of pattern pat at the script's line: acknowledged (ok) or failed. */
void dm_durable_write(struct dm_durable *d, unsigned dev, uint64_t sector, uint64_t count,
                      uint8_t pat, unsigned line, bool ok, bool fua);
/* A flush of the device completed. */
void dm_durable_flush(struct dm_durable *d, unsigned dev);
/* The power was cut. */
void dm_durable_crash(struct dm_durable *d);
/* A read of one sector returned pattern seen (-1: mixed bytes). *was: the
 * sector's record before the read (valid until the next call). */
enum dm_verdict dm_durable_read(struct dm_durable *d, unsigned dev, uint64_t sector, int seen,
                                const struct dm_sector **was);

#endif
