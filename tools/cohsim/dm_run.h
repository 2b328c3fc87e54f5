/*
 * dm_run.h - the scenario that runs a `cohsim dm` script (dm_run.c), as
 * the command (cmd_dm.c) uses it. Not a public interface.
 */
#ifndef COHSIM_DM_RUN_H
#define COHSIM_DM_RUN_H

#include <stdio.h>

#include "cohsim/scenario.h"
#include "dm_script.h"

/* The scenario: one task running the open script's lines. */
extern coh_scenario dm_scenario;
/* Runs of script s follow (its record of what each sector must read back
 * allocated): 0, or -1 when out of memory. dm_run_close() frees it. */
int dm_run_open(const struct dm_script *s);
void dm_run_close(void);
/* The transcript of the executions that follow goes to f (NULL: none). */
void dm_run_set_transcript(FILE *f);

#endif
