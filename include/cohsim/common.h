/*
 * cohsim/common.h - what every public header shares: the export macro.
 */
#ifndef COHSIM_COMMON_H
#define COHSIM_COMMON_H

#define COH_API __attribute__((visibility("default")))

#endif
