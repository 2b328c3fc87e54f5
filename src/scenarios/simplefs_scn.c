/*
 * simplefs_scn.c - the common setup of the simplefs page-cache scenarios
 * (simplefs_scn.h): one disk, one one-page file opened O_RDWR, one mm.
 * Everything it makes lives for the execution (the kernel model owns it).
 */
#include "scenarios/simplefs_scn.h"

int simplefs_scn_setup(struct simplefs_scn *st)
{
	struct disk_config dc;
	disk_config_init(&dc, "sda");
	st->disk = alloc_disk_sim(&dc);
	if (!st->disk)
		return COH_EINVAL;
	struct simplefs_file_spec spec = {"data", 1, 4096};
	struct super_block *sb = simplefs_mkfs_mount(st->disk, &spec, 1);
	if (!sb)
		return COH_EINVAL;
	st->filp = filp_open(sb, "data", O_RDWR);
	st->mm = mm_alloc();
	if (!st->filp || !st->mm)
		return COH_ENOMEM;
	return 0;
}
