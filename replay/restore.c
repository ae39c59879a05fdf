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
 * DRM_IOCTL_MODE_MAP_DUMB). Mappings are kept until the handle is closed;
 * bufcheck.c reads replayed results through the same mappings
 * (rp_snap_map()).
 * GPU virtual addresses are not touched: VM_BIND drivers let user space
 * choose them, so the replayed command buffers are the captured ones.
 *
 * A restore re-creates what changed in the capture, it does not rewind
 * memory: before the run (rp_restore_prepare(), in replay order), each
 * snapshot is compared with the picture last applied to the same BO range;
 * the first picture of a range is written whole, a later one only in the
 * 64-byte blocks that changed (values the capture had later, never older
 * ones, so results the replayed GPU already wrote are not clobbered by a
 * picture taken before the GPU wrote them), an identical one not at all,
 * and one older than the picture applied (with several threads, a
 * submission may carry a picture of another thread's buffer taken before
 * that thread's own, newer one) is skipped.
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

/* The replayed BO behind snapshot @s (its bomap entry made if needed). */
static struct rp_bomap *snap_bo(struct rp_run *run, const struct rp_snap *s, uint64_t *handle,
				char *msg, size_t len)
{
	struct rp_bomap *bo;

	if (!rp_map_get(&run->map, RP_C_GEM, (uint32_t)s->file, s->handle, handle)) {
		snprintf(msg, len, "buffer_snapshot %" PRId64 ": GEM handle %" PRIu32
			 " has no replayed object", s->id, s->handle);
		return NULL;
	}
	bo = rp_bo_get(run, (uint32_t)s->file, (uint32_t)*handle, true);
	if (!bo)
		snprintf(msg, len, "out of memory");
	return bo;
}

/* Make @bo's CPU mapping cover @s's range. */
static int snap_map(struct rp_run *run, const struct rp_snap *s, struct rp_bomap *bo,
		    uint64_t handle, char *msg, size_t len)
{
	const struct rp_rfile *rf = &run->files[s->file];
	const struct rp_device *dev = &run->cap->devices[rf->device];
	uint64_t end = s->offset + s->size;
	long page = sysconf(_SC_PAGESIZE);
	size_t want;
	void *m;
	int rc;

	if (bo->size && end > bo->size) {
		snprintf(msg, len, "buffer_snapshot %" PRId64 ": range %" PRIu64 "+%" PRIu64
			 " lies beyond the replayed BO's %" PRIu64 " bytes", s->id, s->offset,
			 s->size, bo->size);
		return -1;
	}
	if (bo->map && bo->map_len >= end)
		return 0;
	want = bo->size ? bo->size : (size_t)((end + page - 1) & ~(uint64_t)(page - 1));
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
	 * A range that is most of the BO has the kernel fill the pages in one
	 * go rather than one fault per page.
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
	return 0;
}

const uint8_t *rp_snap_map(struct rp_run *run, const struct rp_snap *s, uint32_t *handle,
			   char *msg, size_t len)
{
	struct rp_bomap *bo;
	uint64_t h;

	bo = snap_bo(run, s, &h, msg, len);
	if (!bo || snap_map(run, s, bo, h, msg, len))
		return NULL;
	*handle = (uint32_t)h;
	return (const uint8_t *)bo->map + s->offset;
}

static int restore_one(struct rp_run *run, const struct rp_snap *s, char *msg, size_t len)
{
	struct rp_bomap *bo;
	uint64_t handle;

	bo = snap_bo(run, s, &handle, msg, len);
	if (!bo)
		return -1;
	if (s->mode == RP_RESTORE_SKIP)
		return 0;
	if (snap_map(run, s, bo, handle, msg, len))
		return -1;
	if (s->mode == RP_RESTORE_DELTA) {
		uint32_t r;

		for (r = 0; r < s->nruns; r++) {
			rp_restore_copy((uint8_t *)bo->map + s->offset + s->runs[r].off,
					s->data + s->runs[r].off, (size_t)s->runs[r].len);
			run->restored_bytes += s->runs[r].len;
		}
	} else {
		rp_restore_copy((uint8_t *)bo->map + s->offset, s->data, (size_t)s->size);
		run->restored_bytes += s->size;
	}
	return 0;
}

/* ------------------------------------------------------------ deltas */

#define DELTA_BLOCK 64

struct tracker {
	uint32_t file, handle;
	uint64_t off, size;
	const struct rp_snap *last;	/* the picture last applied */
};

static int cmp_ns(const struct rp_snap *a, const struct rp_snap *b)
{
	return a->ns && b->ns && b->ns > a->ns;
}

/* The blocks of @s that differ from @prev (same range), as runs. */
static int delta(struct rp_capture *cap, struct rp_snap *s, const struct rp_snap *prev)
{
	struct rp_run_span *runs = NULL, *nr;
	size_t n = 0, capn = 0;
	uint64_t o, changed = 0;

	for (o = 0; o < s->size; o += DELTA_BLOCK) {
		uint64_t len = s->size - o < DELTA_BLOCK ? s->size - o : DELTA_BLOCK;

		if (!memcmp(s->data + o, prev->data + o, (size_t)len))
			continue;
		changed += len;
		if (n && runs[n - 1].off + runs[n - 1].len == o) {
			runs[n - 1].len += len;
			continue;
		}
		if (n == capn) {
			capn = capn ? capn * 2 : 16;
			nr = realloc(runs, capn * sizeof(*runs));
			if (!nr) {
				free(runs);
				return -1;
			}
			runs = nr;
		}
		runs[n++] = (struct rp_run_span){ .off = o, .len = len };
	}
	if (!n) {
		s->mode = RP_RESTORE_SKIP;
	} else if (changed * 4 >= s->size * 3 || n > 4096) {
		s->mode = RP_RESTORE_FULL;	/* most of it: one copy */
	} else {
		s->mode = RP_RESTORE_DELTA;
		s->runs = rp_memdup(&cap->arena, runs, n * sizeof(*runs));
		s->nruns = (uint32_t)n;
		if (!s->runs) {
			free(runs);
			return -1;
		}
	}
	free(runs);
	return 0;
}

int rp_restore_prepare(struct rp_capture *cap)
{
	struct tracker *t = NULL;
	size_t nt = 0, capt = 0, i, k;
	int rc = -1;

	for (i = 0; i < cap->ncalls; i++) {
		const struct rp_call *c = &cap->calls[cap->order[i]];
		const struct rp_plan *p = c->plan;
		uint32_t j;

		if (c->skip || !p)
			continue;
		for (j = 0; j < c->nsnap; j++) {
			struct rp_snap *s = &cap->snaps[c->snap_first + j];
			struct tracker *tr = NULL;

			s->mode = RP_RESTORE_FULL;
			if (s->file < 0 || !s->data)
				continue;
			for (k = 0; k < nt; k++)
				if (t[k].file == (uint32_t)s->file && t[k].handle == s->handle &&
				    t[k].off == s->offset && t[k].size == s->size) {
					tr = &t[k];
					break;
				}
			if (!tr) {
				/* Another range of the same BO: its picture is stale now. */
				for (k = 0; k < nt;) {
					if (t[k].file == (uint32_t)s->file && t[k].handle == s->handle &&
					    t[k].off < s->offset + s->size && s->offset < t[k].off + t[k].size)
						t[k] = t[--nt];
					else
						k++;
				}
				if (nt == capt) {
					size_t nc = capt ? capt * 2 : 64;
					struct tracker *ntk = realloc(t, nc * sizeof(*ntk));

					if (!ntk)
						goto out;
					t = ntk;
					capt = nc;
				}
				t[nt++] = (struct tracker){ .file = (uint32_t)s->file, .handle = s->handle,
							    .off = s->offset, .size = s->size, .last = s };
				continue;	/* full */
			}
			/* An older picture than the one applied: keep the newer. */
			if (cmp_ns(s, tr->last)) {
				s->mode = RP_RESTORE_SKIP;
				continue;
			}
			if (!strcmp(s->hash, tr->last->hash)) {
				s->mode = RP_RESTORE_SKIP;
			} else if (delta(cap, s, tr->last)) {
				goto out;
			}
			tr->last = s;
		}
		/* A handle made or closed by this call starts a new object. */
		for (j = 0; c->returned && c->ret >= 0 && j < p->nslots; j++) {
			const struct rp_slot *sl = &p->slots[j];
			uint64_t h = (sl->ops & RP_SLOT_DESTROY) ? sl->cap_in :
				     (sl->ops & RP_SLOT_OUT) && sl->has_out ? sl->cap_out : 0;

			if (sl->cls != RP_C_GEM || !h)
				continue;
			for (k = 0; k < nt;) {
				if (t[k].file == sl->ns && t[k].handle == h)
					t[k] = t[--nt];
				else
					k++;
			}
		}
	}
	rc = 0;
out:
	free(t);
	return rc;
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
