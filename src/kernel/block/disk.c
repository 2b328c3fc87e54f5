/*
 * disk.c - simulated disks: a backend of 512-byte sectors (host memory or a
 * host file), the device that serves bios by DMA, and its interrupt.
 *
 * Interface: alloc_disk_sim() from a scenario's setup(); disk_bdev() for
 * bios and dm-io regions; disk_backend_read/write() for host-side access;
 * coh_disk_attach_file() (one disk) or coh_disk_attach_prefix() (every
 * disk, "<prefix>.<N>") before a run gives disks a seed image.
 *
 * The device. coh__disk_start_io() (from the driver, bio.c) leaves a
 * pending I/O completion: at a point the schedule chooses, the device
 * moves the data of every bvec by DMA (memory -> backend for a WRITE,
 * backend -> memory for a READ; it sees memory only, never the CPU caches),
 * possibly fails with an injected I/O error (then it moves nothing), puts
 * the bio on the disk's done list and raises the disk's IRQ on irq_cpu.
 * Several outstanding bios complete in the order the schedule picks.
 *
 * The interrupt handler (hardirq context) takes every bio off the done
 * list and hands it to the driver's completion (coh__bio_complete), which
 * unmaps it and calls bi_end_io. The IRQ line is level-like: one delivery
 * may find several bios done, or none.
 *
 * The backend. Every disk lives in host memory. A disk with a backing
 * file starts each execution with the file's contents (zeroes after its
 * end, or everywhere if there is no such file): the file is read once per
 * process into a read-only seed, and the execution's writes go to its own
 * copy of each 4 KiB chunk, made on the chunk's first write (copy on
 * write). So every execution, every --jobs worker and every shard starts
 * from the same image, and the user's file is never written. Reading the
 * file is the only host I/O: a file that cannot be used (not a regular
 * file, larger than the disk, unreadable) is COH_EINVAL, a host read
 * error is COH_EIO, both from alloc_disk_sim(); a simulated I/O error is
 * only ever an injected fault.
 *
 * Lifetime: disks live in a static table reset by kernel_init(); backend
 * memory is kept and re-zeroed for the next execution, and its chunks
 * become the seed's again, so every execution starts alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cohsim/blockcopy.h"
#include "kernel/block/block.h"
#include "kernel/kernel_impl.h"

static struct gendisk disks[COH__MAX_DISKS];
static unsigned ndisks;
static unsigned long files_opened; /* coh_disk_files_opened() */
static int last_error;

/* Backing files, attached before the run (process-global). */
static struct {
	char *disk; /* NULL: the first disk of an execution */
	char *path;
} attached[COH__MAX_DISKS];
static unsigned nattached;
static char *attach_prefix;

/* Seed images read so far (process-global, read-only once loaded). */
static struct seed {
	char *path;
	uint8_t *data; /* NULL: no such file (zeroes) */
	size_t len;
} seeds[2 * COH__MAX_DISKS];
static unsigned nseeds;

/* The device's transfer buffer: it runs atomically, one bio at a time. */
static uint8_t xfer[1u << 16];

int coh__block_init(void)
{
	coh__wc_init();
	for (unsigned i = 0; i < ndisks; i++)
		disks[i].live = false;
	ndisks = 0;
	last_error = 0;
	coh__bio_init();
	return COH_OK;
}

void coh_disk_close_all(void)
{
	/* no host file stays open: seeds are read whole when first used */
}

int coh_disk_attach_file(const char *disk, const char *path)
{
	if (!path || !*path || nattached == COH__MAX_DISKS)
		return COH_EINVAL;
	char *d = disk ? strdup(disk) : NULL;
	char *p = strdup(path);
	if (!p || (disk && !d)) {
		free(d);
		free(p);
		return COH_ENOMEM;
	}
	attached[nattached].disk = d;
	attached[nattached].path = p;
	nattached++;
	return COH_OK;
}

int coh_disk_attach_prefix(const char *prefix)
{
	if (!prefix || !*prefix || strlen(prefix) > sizeof(disks[0].pathbuf) - 8)
		return COH_EINVAL;
	char *p = strdup(prefix);
	if (!p)
		return COH_ENOMEM;
	free(attach_prefix);
	attach_prefix = p;
	return COH_OK;
}

void coh_disk_detach_all(void)
{
	for (unsigned i = 0; i < nseeds; i++) {
		free(seeds[i].path);
		free(seeds[i].data);
	}
	nseeds = 0;
	for (unsigned i = 0; i < ndisks; i++) {
		disks[i].seed = NULL;
		disks[i].seed_len = 0;
	}
	free(attach_prefix);
	attach_prefix = NULL;
	for (unsigned i = 0; i < nattached; i++) {
		free(attached[i].disk);
		free(attached[i].path);
		attached[i].disk = attached[i].path = NULL;
	}
	nattached = 0;
}

static const char *backing_file(struct gendisk *d, unsigned index)
{
	for (unsigned i = 0; i < nattached; i++)
		if (attached[i].disk ? strcmp(attached[i].disk, d->disk_name) == 0 : index == 0)
			return attached[i].path;
	if (!attach_prefix)
		return NULL;
	snprintf(d->pathbuf, sizeof(d->pathbuf), "%s.%u", attach_prefix, index);
	return d->pathbuf;
}

void disk_config_init(struct disk_config *cfg, const char *name)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->name = name;
	cfg->capacity = 2048;
	cfg->irq = 1;
}

int disk_last_error(void)
{
	return last_error;
}

/* Reads the whole seed file at path (once per process). */
static int load_seed(const char *name, const char *path, const struct seed **out)
{
	for (unsigned i = 0; i < nseeds; i++)
		if (strcmp(seeds[i].path, path) == 0) {
			*out = &seeds[i];
			return COH_OK;
		}
	if (nseeds == sizeof(seeds) / sizeof(seeds[0]))
		return COH_EINVAL;
	struct seed sd = {strdup(path), NULL, 0};
	if (!sd.path)
		return COH_ENOMEM;
	/* O_NONBLOCK: a FIFO planted at the name must not hang the run */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	int r = COH_OK;
	if (fd < 0 && errno == ENOENT) {
		/* no file: a disk of zeroes */
	} else if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "cohsim: disk %s: cannot read backing file %s: %s\n", name, path,
		        strerror(errno));
		r = COH_EINVAL;
	} else if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "cohsim: disk %s: backing file %s is not a regular file\n", name,
		        path);
		r = COH_EINVAL;
	} else if (st.st_size > 0) {
		sd.len = (size_t)st.st_size;
		sd.data = malloc(sd.len);
		size_t got = 0;
		while (sd.data && got < sd.len) {
			ssize_t n = read(fd, sd.data + got, sd.len - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				/* the host failed us: never a simulated I/O error */
				fprintf(stderr, "cohsim: disk %s: read from %s at byte %zu: %s\n",
				        name, path, got,
				        n < 0 ? strerror(errno) : "the file shrank");
				r = COH_EIO;
				break;
			}
			got += (size_t)n;
		}
		if (!sd.data)
			r = COH_ENOMEM;
	}
	if (fd >= 0)
		close(fd);
	if (r) {
		free(sd.path);
		free(sd.data);
		return r;
	}
	seeds[nseeds] = sd;
	*out = &seeds[nseeds++];
	return COH_OK;
}

static int prepare_memory(struct gendisk *d, size_t size)
{
	if (d->mem_cap < size) {
		uint8_t *p = realloc(d->mem, size);
		if (!p)
			return COH_ENOMEM;
		memset(p + d->mem_cap, 0, size - d->mem_cap);
		d->mem = p;
		d->mem_cap = size;
	}
	coh__disk_zero(d - disks, d->mem, d->mem_dirty, d->mem_cap);
	d->mem_dirty = 0;
	return COH_OK;
}

/* The disk's memory starts as zeroes with every chunk the seed's. */
static int prepare_backend(struct gendisk *d, const char *path, size_t size)
{
	d->seed = NULL;
	d->seed_len = 0;
	d->path = path;
	if (path) {
		const struct seed *sd;
		int r = load_seed(d->disk_name, path, &sd);
		if (r)
			return r;
		if (sd->len > size) {
			fprintf(stderr,
			        "cohsim: disk %s: backing file %s holds %zu bytes, more than the "
			        "disk's %zu\n",
			        d->disk_name, path, sd->len, size);
			return COH_EINVAL;
		}
		d->seed = sd->data;
		d->seed_len = sd->data ? sd->len : 0;
	}
	if (d->seed_len) {
		size_t need = (size / DISK_CHUNK + 8) / 8;
		if (d->owned_cap < need) {
			uint8_t *o = realloc(d->owned, need);
			if (!o)
				return COH_ENOMEM;
			d->owned = o;
			d->owned_cap = need;
		}
		memset(d->owned, 0, need);
	}
	return prepare_memory(d, size);
}

static void disk_irq_handler(unsigned irq, void *arg);

struct gendisk *alloc_disk_sim(const struct disk_config *cfg)
{
	coh_sched *s = coh__kernel.s;
	last_error = COH_EINVAL;
	if (!s || !cfg || !cfg->name || cfg->capacity == 0 || cfg->irq >= COH_MAX_IRQS ||
	    cfg->pio > DISK_PIO_KMAP || cfg->irq_cpu >= coh_machine_ncpus(coh__kernel.m) ||
	    cfg->capacity > (1ull << 31))
		return NULL;
	if (ndisks == COH__MAX_DISKS)
		return NULL;
	struct gendisk *d = &disks[ndisks];
	size_t size = (size_t)cfg->capacity << SECTOR_SHIFT;
	uint8_t *mem = d->mem, *owned = d->owned;
	size_t cap = d->mem_cap, dirty = d->mem_dirty, owned_cap = d->owned_cap;
	memset(d, 0, sizeof(*d));
	d->mem = mem;
	d->mem_cap = cap;
	d->mem_dirty = dirty;
	d->owned = owned;
	d->owned_cap = owned_cap;
	d->disk_name = cfg->name;
	d->capacity = cfg->capacity;
	d->irq = cfg->irq;
	d->irq_cpu = cfg->irq_cpu;
	d->burst = cfg->burst;
	d->part0.bd_disk = d;
	d->dev.name = cfg->name;
	d->pio = cfg->pio;
	spin_lock_init(&d->queue.queue_lock);
	unsigned page_sectors = coh_machine_page_size(coh__kernel.m) >> SECTOR_SHIFT;
	d->queue.max_sectors = cfg->max_sectors ? cfg->max_sectors : BIO_MAX_PAGES * page_sectors;
	const char *path = backing_file(d, ndisks);
	int r = prepare_backend(d, path, size);
	if (r) {
		last_error = r;
		return NULL;
	}
	files_opened += path != NULL;
	r = coh_request_irq(s, d->irq, disk_irq_handler, d, d->disk_name);
	if (r) {
		last_error = r;
		return NULL;
	}
	d->live = true;
	ndisks++;
	last_error = COH_OK;
	return d;
}

struct block_device *disk_bdev(struct gendisk *disk)
{
	return &disk->part0;
}

const char *disk_name(const struct gendisk *disk)
{
	return disk->disk_name;
}

sector_t get_capacity(const struct gendisk *disk)
{
	return disk->capacity;
}

/* ---- the backend ---- */

static int check_range(const struct gendisk *d, sector_t sector, size_t len)
{
	size_t size = (size_t)d->capacity << SECTOR_SHIFT;
	if (!d->live || sector > d->capacity || len > size - ((size_t)sector << SECTOR_SHIFT))
		return COH_EINVAL;
	return COH_OK;
}

/* Copies the seed's part of chunk c into memory, once per execution. */
static void own_chunk(struct gendisk *d, size_t c)
{
	if (d->owned[c / 8] & (1u << (c % 8)))
		return;
	d->owned[c / 8] |= (uint8_t)(1u << (c % 8));
	size_t off = c * DISK_CHUNK;
	if (off < d->seed_len) {
		size_t n = d->seed_len - off < DISK_CHUNK ? d->seed_len - off : DISK_CHUNK;
		memcpy(d->mem + off, d->seed + off, n);
		if (coh__disk_mark(d - disks, off, n) > d->mem_dirty)
			d->mem_dirty = off + n;
	}
}

/* Moves bytes between buf and the disk: its memory, or the seed for the
 * chunks this execution has not written. Host memory only: cannot fail. */
static int backend_rw(struct gendisk *d, bool write, size_t off, void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		size_t c = off / DISK_CHUNK;
		size_t n = (c + 1) * DISK_CHUNK - off;
		if (n > len)
			n = len;
		bool from_seed = off < d->seed_len && !(d->owned[c / 8] & (1u << (c % 8)));
		if (write) {
			if (from_seed)
				own_chunk(d, c);
			memcpy(d->mem + off, p, n);
			if (coh__disk_mark(d - disks, off, n) > d->mem_dirty)
				d->mem_dirty = off + n;
		} else if (from_seed) {
			size_t s = d->seed_len - off < n ? d->seed_len - off : n;
			memcpy(p, d->seed + off, s);
			memset(p + s, 0, n - s);
		} else {
			memcpy(p, d->mem + off, n);
		}
		p += n;
		off += n;
		len -= n;
	}
	return COH_OK;
}

int coh__disk_backend_rw(struct gendisk *d, bool write, size_t off, void *buf, size_t len)
{
	return backend_rw(d, write, off, buf, len);
}

struct gendisk *coh__disk_at(unsigned i)
{
	return i < ndisks ? &disks[i] : NULL;
}

int disk_backend_read(struct gendisk *disk, sector_t sector, void *buf, size_t len)
{
	int r = check_range(disk, sector, len);
	return r ? r : backend_rw(disk, false, (size_t)sector << SECTOR_SHIFT, buf, len);
}

int disk_backend_write(struct gendisk *disk, sector_t sector, const void *buf, size_t len)
{
	int r = check_range(disk, sector, len);
	return r ? r
	         : backend_rw(disk, true, (size_t)sector << SECTOR_SHIFT, (void *)(uintptr_t)buf,
	                      len);
}

int coh__disk_flush(struct gendisk *disk)
{
	(void)disk; /* the backend is host memory: written data is already stable */
	return COH_OK;
}

unsigned coh__disk_blk_dev(struct gendisk *disk)
{
	if (!disk->blk_tracked && coh_blk_dev_register(coh__kernel.chk, disk->disk_name,
	                                               disk->capacity, &disk->blk_dev) == COH_OK)
		disk->blk_tracked = true;
	return disk->blk_dev;
}

struct gendisk *coh__disk_find(const char *name)
{
	for (unsigned i = 0; i < ndisks; i++)
		if (disks[i].live && strcmp(disks[i].disk_name, name) == 0)
			return &disks[i];
	return NULL;
}

/* ---- the device ---- */

/* Moves one bvec between memory (by DMA, at its bus address) and the
 * backend. */
static int transfer(struct gendisk *d, struct bio *bio, unsigned i, size_t off)
{
	COH_FRAME();
	coh_machine *m = coh__kernel.m;
	unsigned len = bio->bi_io_vec[i].bv_len;
	if (len > sizeof(xfer))
		return COH_EINVAL;
	if (bio_data_dir(bio) == WRITE) {
		KSITE();
		if (coh_dma_read(m, bio->bi_dma[i], xfer, len))
			return COH_EIO;
		int r = coh__wc_write(d, off, xfer, len, (bio->bi_rw & REQ_FUA) != 0);
		return r ? r : backend_rw(d, true, off, xfer, len);
	}
	int r = backend_rw(d, false, off, xfer, len);
	KSITE();
	if (!r && coh_dma_write(m, bio->bi_dma[i], xfer, len))
		r = COH_EIO;
	return r;
}

static void device_work(struct bio *bio)
{
	COH_FRAME();
	struct gendisk *d = bio->bi_bdev->bd_disk;
	BUG_ON(bio->bi_state != BIO_S_IN_FLIGHT);
	int error = 0;
	if (coh__wc_power_off(d, bio) || coh_inject_fault(coh__kernel.s, COH_FAULT_IO)) {
		error = -EIO;
	} else {
		if (bio->bi_rw & REQ_FLUSH)
			coh__wc_flush(d);
		if ((bio->bi_rw & REQ_FLUSH) && coh__disk_flush(d))
			error = -EIO;
		size_t off = (size_t)bio->bi_sector << SECTOR_SHIFT;
		/* a PIO controller's data moves in the driver's handler (pio.c) */
		for (unsigned i = 0; !error && !d->pio && i < bio->bi_vcnt; i++) {
			if (transfer(d, bio, i, off))
				error = -EIO;
			else if (bio->bi_blk_op)
				coh_blk_op_dma(coh__kernel.chk, bio->bi_blk_op, off >> SECTOR_SHIFT,
				               bio->bi_io_vec[i].bv_len >> SECTOR_SHIFT,
				               bio_data_dir(bio) == WRITE);
			off += bio->bi_io_vec[i].bv_len;
		}
		if (!error && (bio->bi_rw & REQ_FUA) && coh__disk_flush(d))
			error = -EIO;
	}
	bio->bi_error = error;
	bio->bi_state = BIO_S_DONE;
	bio->bi_next = NULL;
	if (d->done_tail)
		d->done_tail->bi_next = bio;
	else
		d->done_head = bio;
	d->done_tail = bio;
	coh_irq_raise(coh__kernel.s, d->irq, d->irq_cpu);
}

/* The device serves a bio, then (a burst disk) the bios its submitter
 * queued behind it, in order. */
static void device_burst(void *arg)
{
	struct bio *bio = arg;
	struct gendisk *d = bio->bi_bdev->bd_disk;
	bool lead = d->burst_lead == bio;
	device_work(bio);
	while (lead && d->burst_head) {
		struct bio *next = d->burst_head;
		d->burst_head = next->bi_next;
		if (!d->burst_head)
			d->burst_tail = NULL;
		next->bi_next = NULL;
		device_work(next);
	}
	if (lead) {
		d->burst_owner = NULL;
		d->burst_lead = NULL;
	}
}

/* A burst disk (disk_config.burst) serves what one task submits back to
 * back as one burst: a bio from the task whose earlier bio's completion is
 * still pending joins it (no completion of its own is pending, so the
 * explorer does not order the two). Bios of other tasks complete on
 * their own, in any order, as on every disk. */
void coh__disk_start_io(struct gendisk *disk, struct bio *bio)
{
	COH_FRAME();
	coh_task *self = coh_current();
	if (disk->burst && disk->burst_owner && disk->burst_owner == self) {
		bio->bi_next = NULL;
		if (disk->burst_tail)
			disk->burst_tail->bi_next = bio;
		else
			disk->burst_head = bio;
		disk->burst_tail = bio;
		return;
	}
	if (disk->burst && !disk->burst_owner && self) {
		disk->burst_owner = self;
		disk->burst_lead = bio;
	}
	coh_io_complete_later(coh__kernel.s, device_burst, bio, disk->disk_name);
}

static void disk_irq_handler(unsigned irq, void *arg)
{
	COH_FRAME();
	struct gendisk *d = arg;
	(void)irq;
	while (d->done_head) {
		struct bio *bio = d->done_head;
		d->done_head = bio->bi_next;
		if (!d->done_head)
			d->done_tail = NULL;
		bio->bi_next = NULL;
		coh__bio_complete(bio);
	}
}

unsigned long coh_disk_files_opened(void)
{
	return files_opened;
}

struct coh__disk_dirty coh__disk_dirty[COH__MAX_DISKS];
