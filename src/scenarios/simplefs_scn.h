/*
 * simplefs_scn.h - the setup that the page-cache scenarios on simplefs
 * share (msync-mkclean, perform-write-alias, shared-mmap-alias): a disk
 * "sda" holding a simplefs with one file "data" of one page, that file
 * opened read-write, and a new mm for the scenario's user task.
 */
#ifndef COHSIM_SCENARIOS_SIMPLEFS_SCN_H
#define COHSIM_SCENARIOS_SIMPLEFS_SCN_H

#include "cohsim/fs.h"
#include "cohsim/scenario.h"

struct simplefs_scn {
	struct gendisk *disk;
	struct file *filp; /* "data", O_RDWR */
	struct mm_struct *mm;
};

/* From setup(): the disk, the file system, the open file and the mm.
 * COH_EINVAL if the disk or file system cannot be made, COH_ENOMEM if
 * the file or mm cannot. The caller then adds its mappings and tasks. */
int simplefs_scn_setup(struct simplefs_scn *st);

#endif
