/*
 * replay/restore.c: buffer contents, put back before the submission that
 * needs them.
 *
 * A capture stores what a submission (or a KMS commit) could read as
 * buffer_snapshot rows: a GEM handle in the capture's handle space, a range,
 * and a content-addressed blob. Before replaying such a call, each range is
 * written into the replayed BO through a CPU mapping at the replayed mmap
 * offset: the one the replay got when it replayed the capture's own
 * mmap-offset call, or, if the capture never asked, one obtained here with
 * the driver's mmap-offset ioctl (found in the uapi tables: the call whose
 * struct is a GEM handle in and an mmap offset out, e.g.
 * DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, DRM_IOCTL_VIRTGPU_MAP, or
 * DRM_IOCTL_MODE_MAP_DUMB). Mappings are kept until the handle is closed.
 * GPU virtual addresses are not touched: VM_BIND drivers let user space
 * choose them, so the replayed command buffers are the captured ones.
 *
 * Each BO remembers the ranges it was given, with their hashes and the
 * time the capture took them: a range whose contents are already there is
 * not copied again (the capture stores unchanged buffers once, so most
 * are), and a snapshot older than the one already restored into the same
 * range is not applied (with several threads, a submission may carry a
 * picture of another thread's buffer taken just before that thread's own,
 * newer one, while it was still writing it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "replay_internal.h"

void rp_restore_copy(void *dst, const void *src, size_t size)
{
	memcpy(dst, src, size);
}

static int bo_index(const struct rp_run *run, uint32_t file, uint32_t handle)
{
	size_t i;

	/* Most-recent first: restores touch the BOs created last. */
	for (i = run->nbos; i-- > 0;)
		if (run->bos[i].used && run->bos[i].file == file && run->bos[i].handle == handle)
			return (int)i;
	return -1;
}

struct rp_bomap *rp_bo_get(struct rp_run *run, uint32_t file, uint32_t handle, bool create)
{
	int i = bo_index(run, file, handle);
	size_t k;

	if (i >= 0)
		return &run->bos[i];
	if (!create)
		return NULL;
	for (k = 0; k < run->nbos; k++)
		if (!run->bos[k].used)
			break;
	if (k == run->nbos) {
		if (run->nbos == run->capbos) {
			size_t n = run->capbos ? run->capbos * 2 : 64;
			struct rp_bomap *b = realloc(run->bos, n * sizeof(*b));

			if (!b)
				return NULL;
			run->bos = b;
			run->capbos = n;
		}
		run->nbos++;
	}
	memset(&run->bos[k], 0, sizeof(run->bos[k]));
	run->bos[k].used = true;
	run->bos[k].file = file;
	run->bos[k].handle = handle;
	return &run->bos[k];
}

static void bo_unmap(struct rp_bomap *bo)
{
	if (bo->map)
		munmap(bo->map, bo->map_len);
	bo->map = NULL;
	bo->map_len = 0;
}

void rp_bo_forget(struct rp_run *run, uint32_t file, uint32_t handle)
{
	int i = bo_index(run, file, handle);

	if (i < 0)
		return;
	bo_unmap(&run->bos[i]);
	run->bos[i].used = false;
	while (run->nbos && !run->bos[run->nbos - 1].used)
		run->nbos--;
}

void rp_bos_release(struct rp_run *run)
{
	size_t i;

	for (i = 0; i < run->nbos; i++)
		bo_unmap(&run->bos[i]);
	free(run->bos);
	run->bos = NULL;
	run->nbos = run->capbos = 0;
}

/* The ioctl that turns a GEM handle into an mmap offset, from the tables. */
static const struct ds_uapi_ioctl *mmap_ioctl_of(const struct ds_uapi_driver *d)
{
	uint16_t i;

	if (!d)
		return NULL;
	for (i = 0; i < d->n; i++) {
		const struct ds_uapi_ioctl *io = &d->tab[i];
		const struct ds_uapi_struct *s = io->arg;
		bool handle = false, offset = false, other = false;
		uint32_t k;

		if (!io->name || !s || ds_uapi_ioc_size(io->request) != s->size)
			continue;
		for (k = 0; k < s->nfields; k++) {
			const struct ds_uapi_field *f = &s->fields[k];

			if (f->kind == DS_UAPI_GEM_HANDLE && f->dir == DS_UAPI_IN)
				handle = true;
			else if (f->kind == DS_UAPI_MMAP_OFFSET && f->dir == DS_UAPI_OUT)
				offset = true;
			else if (f->kind != DS_UAPI_PAD)
				other = true;
		}
		if (handle && offset && !other)
			return io;
	}
	return NULL;
}

static int get_mmap_offset(int fd, const struct ds_uapi_driver *drv, uint32_t handle,
			   uint64_t *offset)
{
	const struct ds_uapi_ioctl *io = mmap_ioctl_of(drv);
	uint8_t arg[256];
	uint32_t k;

	if (!io)
		io = mmap_ioctl_of(ds_uapi_find_driver("kms"));
	if (!io || io->arg->size > sizeof(arg))
		return -ENOTSUP;
	memset(arg, 0, sizeof(arg));
	for (k = 0; k < io->arg->nfields; k++) {
		const struct ds_uapi_field *f = &io->arg->fields[k];

		if (f->kind == DS_UAPI_GEM_HANDLE && f->size == 4)
			memcpy(arg + f->offset, &handle, 4);
	}
	while (ioctl(fd, io->request, arg) < 0) {
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
	}
	for (k = 0; k < io->arg->nfields; k++) {
		const struct ds_uapi_field *f = &io->arg->fields[k];

		if (f->kind == DS_UAPI_MMAP_OFFSET)
			return ds_uapi_field_get(f, arg, io->arg->size, 0, offset) ? -EINVAL : 0;
	}
	return -EINVAL;
}

static int restore_one(struct rp_run *run, const struct rp_snap *s, char *msg, size_t len)
{
	const struct rp_rfile *rf = &run->files[s->file];
	const struct rp_device *dev = &run->cap->devices[rf->device];
	struct rp_bomap *bo;
	uint64_t handle, end = s->offset + s->size;
	long page = sysconf(_SC_PAGESIZE);
	unsigned k;
	int rc;

	if (!rp_map_get(&run->map, RP_C_GEM, (uint32_t)s->file, s->handle, &handle)) {
		snprintf(msg, len, "buffer_snapshot %" PRId64 ": GEM handle %" PRIu32
			 " has no replayed object", s->id, s->handle);
		return -1;
	}
	bo = rp_bo_get(run, (uint32_t)s->file, (uint32_t)handle, true);
	if (!bo) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	/*
	 * Skip what is already there (the same contents restored last into
	 * this range) and what is older than what is there: another thread's
	 * submission may carry a picture of this BO taken just before the one
	 * already restored, while its owner was still writing it.
	 */
	for (k = 0; k < bo->nranges; k++) {
		const struct rp_range *g = &bo->ranges[k];

		if (g->off == s->offset && g->size == s->size &&
		    (!strcmp(g->hash, s->hash) || (s->ns && g->ns > s->ns)))
			return 0;
	}
	if (bo->size && end > bo->size) {
		snprintf(msg, len, "buffer_snapshot %" PRId64 ": range %" PRIu64 "+%" PRIu64
			 " lies beyond the replayed BO's %" PRIu64 " bytes", s->id, s->offset,
			 s->size, bo->size);
		return -1;
	}
	if (!bo->map || bo->map_len < end) {
		size_t want = bo->size ? bo->size : (size_t)((end + page - 1) & ~(uint64_t)(page - 1));
		void *m;

		if (!bo->mmap_offset) {
			rc = get_mmap_offset(rf->fd, dev->drv, (uint32_t)handle, &bo->mmap_offset);
			if (rc) {
				snprintf(msg, len, "buffer_snapshot %" PRId64 ": no mmap offset for GEM"
					 " handle %" PRIu64 ": %s", s->id, handle, strerror(-rc));
				return -1;
			}
		}
		bo_unmap(bo);
		/*
		 * A restore that writes most of the BO has the kernel fill the
		 * pages in one go rather than one fault per page.
		 */
		m = mmap(NULL, want, PROT_READ | PROT_WRITE,
			 MAP_SHARED | (s->size * 2 >= want ? MAP_POPULATE : 0), rf->fd,
			 (off_t)bo->mmap_offset);
		if (m == MAP_FAILED) {
			snprintf(msg, len, "buffer_snapshot %" PRId64 ": mmap of GEM handle %" PRIu64
				 " (%zu bytes at offset 0x%" PRIx64 "): %s", s->id, handle, want,
				 bo->mmap_offset, strerror(errno));
			return -1;
		}
		bo->map = m;
		bo->map_len = want;
	}
	rp_restore_copy((uint8_t *)bo->map + s->offset, s->data, (size_t)s->size);
	run->restored_bytes += s->size;
	/* Forget the ranges this one overwrote, remember it. */
	for (k = 0; k < bo->nranges;) {
		const struct rp_range *g = &bo->ranges[k];

		if (g->off < end && s->offset < g->off + g->size)
			bo->ranges[k] = bo->ranges[--bo->nranges];
		else
			k++;
	}
	if (bo->nranges == sizeof(bo->ranges) / sizeof(bo->ranges[0]))
		bo->ranges[0] = bo->ranges[--bo->nranges];
	k = bo->nranges++;
	bo->ranges[k].off = s->offset;
	bo->ranges[k].size = s->size;
	bo->ranges[k].ns = s->ns;
	memcpy(bo->ranges[k].hash, s->hash, sizeof(bo->ranges[k].hash));
	return 0;
}

int rp_restore(struct rp_run *run, const struct rp_call *c, char *msg, size_t len)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; i < c->nsnap; i++) {
		const struct rp_snap *s = &run->cap->snaps[c->snap_first + i];

		if (s->file < 0 || !s->data)
			continue;
		if (restore_one(run, s, msg, len) && !rc) {
			rc = -1;
			/* keep the first message */
			msg = NULL;
			len = 0;
		}
	}
	return rc;
}
