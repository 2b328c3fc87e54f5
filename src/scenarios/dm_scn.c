/*
 * dm_scn.c - helpers the dm-cache scenarios share (see dm_scn.h). Each
 * runs in a task; nothing here checks data.
 */
#include <errno.h>
#include <string.h>

#include "scenarios/dm_scn.h"

struct sync_bio {
	coh_completion done;
	int error;
};

static void sync_end_io(struct bio *bio, int error)
{
	struct sync_bio *w = bio->bi_private;
	w->error = error;
	bio_put(bio);
	coh_complete(&w->done);
}

/* submit_bio_wait (block/bio.c, v3.10) */
int dm_scn_io(struct mapped_device *md, struct block_device *bdev, unsigned long rw,
              struct page *page, unsigned bytes, sector_t sector)
{
	struct sync_bio w;
	memset(&w, 0, sizeof(w));
	coh_init_completion(&w.done, "submit_bio_wait");
	struct bio *bio = bio_alloc(GFP_NOIO, 1);
	if (!bio)
		return -ENOMEM;
	bio->bi_sector = sector;
	bio->bi_end_io = sync_end_io;
	bio->bi_private = &w;
	if (page)
		bio_add_page(bio, page, bytes, 0);
	if (md) {
		dm_submit_bio(md, rw, bio);
	} else {
		bio->bi_bdev = bdev;
		submit_bio(rw, bio);
	}
	coh_wait_for_completion(&w.done);
	return w.error;
}

int dm_scn_write(struct mapped_device *md, sector_t sector, int fill)
{
	struct page *page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	sim_memset(page_address(page), fill, DM_SCN_BYTES);
	int r = dm_scn_io(md, NULL, WRITE, page, DM_SCN_BYTES, sector);
	__free_page(page);
	return r;
}

/* dmsetup create: dev_create, table_load, do_resume */
int dm_scn_create(const char *name, const char *table, struct mapped_device **out, char *err,
                  size_t errlen)
{
	int r = dm_dev_create(name, out);
	if (r)
		return r;
	r = dm_table_load(*out, table, err, errlen);
	if (!r)
		r = dm_do_resume(*out);
	if (r) {
		dm_dev_remove(*out);
		*out = NULL;
	}
	return r;
}

static int add_disk(const char *name, sector_t capacity, unsigned irq, bool burst,
                    struct gendisk **out)
{
	struct disk_config dc;
	disk_config_init(&dc, name);
	dc.capacity = capacity;
	dc.irq = irq;
	dc.burst = burst;
	*out = alloc_disk_sim(&dc);
	return *out ? COH_OK : disk_last_error();
}

int dm_scn_add_cache_disks(sector_t od_capacity, struct gendisk **md, struct gendisk **cd,
                           struct gendisk **od)
{
	/* the metadata disk serves a task's back-to-back bios in one burst: a
	 * commit's blocks complete in the order bufio wrote them (docs/dm.md) */
	int r = add_disk("md", DM_SCN_MD_SECTORS, 1, true, md);
	if (!r)
		r = add_disk("cd", DM_SCN_CD_SECTORS, 2, false, cd);
	if (!r)
		r = add_disk("od", od_capacity, 3, false, od);
	return r;
}
