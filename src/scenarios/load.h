/* load.h - the scenarios loaded from shared objects (load.c), for registry.c. */
#ifndef COHSIM_SCENARIOS_LOAD_H
#define COHSIM_SCENARIOS_LOAD_H

#include <stddef.h>

#include "cohsim/scenario.h"

size_t coh__loaded_count(void);
const coh_scenario *coh__loaded_at(size_t i); /* NULL past the end */

#endif
