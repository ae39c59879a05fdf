/*
 * tracer/shim_track.c: what the shim remembers to capture buffer contents.
 *
 * To snapshot "the buffers a submission reads" the shim must know where the
 * program can see them. It learns, per traced file:
 *
 *  - mmap offsets: an ioctl whose struct has a GEM handle in and an mmap
 *    offset out (MODE_MAP_DUMB, SIMGPU_BO_MMAP_OFFSET, VIRTGPU_MAP);
 *  - CPU mappings: mmap() of the file at such an offset -> (handle, addr,
 *    length), forgotten at munmap() or when the handle is closed;
 *  - framebuffers: ADDFB/ADDFB2 -> the fb's GEM handles, RMFB/CLOSEFB;
 *    which property ids are called "FB_ID" (GETPROPERTY), for ATOMIC;
 *  - simgpu: queue -> VM (QUEUE_CREATE), the VM's bindings (VM_BIND map
 *    and unmap ops, applied when the call succeeds).
 *
 * Before a call marked DS_UAPI_I_SUBMIT it hashes (and stores once) the
 * CPU-mapped buffers it reads: simgpu SUBMIT -> every BO bound in the
 * queue's VM; other drivers -> every GEM handle in the argument or its
 * handle arrays (virtio-gpu EXECBUFFER's bo_handles, TRANSFER_TO_HOST).
 * Before a KMS commit (SETCRTC, SETPLANE, PAGE_FLIP, DIRTYFB, ATOMIC's
 * FB_ID properties) it snapshots the framebuffers' buffers.
 *
 * Results (after-sync snapshots), for drivers without a job result hash
 * (DS_UAPI_D_JOB_HASH) or all of them (DRMSCOPE_BUFFERS=results): per
 * file, the handles the submissions since the last sync point read (the
 * set above) and the syncobjs they signal (arrays flagged
 * DS_UAPI_A_SIGNALS). After a sync call (DS_UAPI_I_SYNC) succeeded: a call
 * naming GEM handles (VIRTGPU_WAIT) snapshots those of them in the set; a
 * syncobj wait snapshots the whole set, but only once every syncobj the
 * submissions signal has signalled (asked with a zero-timeout wait, which
 * changes nothing), so a picture never shows work half done. The handles
 * snapshotted leave the set. Nothing of this runs without a sync call.
 *
 * One mutex guards all of it; it is taken only by calls that need it, and
 * is held across fork (atfork handlers), so children inherit a consistent
 * copy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <uapi/drm/simgpu_drm.h>

#include "drmscope_tp.h"
#include "shim.h"

/* ------------------------------------------------------ a small hash map */

/* u64 -> u64, open addressing with linear probing; key 0 is "empty". */
struct u64map {
	uint64_t *keys;
	uint64_t *vals;
	size_t cap;		/* power of two, or 0 */
	size_t n;
};

static size_t map_hash(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static bool map_get(const struct u64map *m, uint64_t key, uint64_t *val)
{
	size_t i;

	if (!m->cap || !key)
		return false;
	for (i = map_hash(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key) {
			if (val)
				*val = m->vals[i];
			return true;
		}
	}
	return false;
}

static int map_grow(struct u64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16, i;
	uint64_t *keys = calloc(cap, sizeof(*keys));
	uint64_t *vals = calloc(cap, sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->keys[i])
			continue;
		for (j = map_hash(m->keys[i], cap); keys[j]; j = (j + 1) & (cap - 1))
			;
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

static int map_put(struct u64map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if (!key)
		return -EINVAL;
	if ((m->n + 1) * 2 > m->cap && map_grow(m))
		return -ENOMEM;
	for (i = map_hash(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return 0;
		}
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

static void map_del(struct u64map *m, uint64_t key)
{
	size_t i, j;

	if (!m->cap || !key)
		return;
	for (i = map_hash(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			break;
	if (!m->keys[i])
		return;
	/* Backward-shift deletion keeps probe chains intact. */
	m->keys[i] = 0;
	m->n--;
	for (j = (i + 1) & (m->cap - 1); m->keys[j]; j = (j + 1) & (m->cap - 1)) {
		size_t home = map_hash(m->keys[j], m->cap);

		/* Move j into the hole at i unless its home lies in (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			m->keys[j] = 0;
			i = j;
		}
	}
}

/* Empty @m, keeping its memory. */
static void map_clear(struct u64map *m)
{
	if (m->cap)
		memset(m->keys, 0, m->cap * sizeof(*m->keys));
	m->n = 0;
}

static void map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---------------------------------------------------------------- state */

/* A CPU mapping of a traced file. */
struct bo_map {
	struct ds_file *f;
	uint32_t handle;	/* 0: offset not known to be a BO */
	uint64_t offset;
	uintptr_t addr;
	size_t len;
};

struct fb {
	uint32_t handles[4];
};

struct binding {
	uint64_t va, range, bo_offset;
	uint32_t handle;
};

struct vm {
	struct binding *b;
	size_t n, cap;
};

#define MAX_SIGS 1024		/* syncobjs remembered per file between syncs */

struct ds_track {
	struct u64map pending;	/* GEM handles submitted since the last sync */
	/* The syncobjs those submissions signal, and the timeline points (0:
	 * binary), laid out as DRM_IOCTL_SYNCOBJ_(TIMELINE_)WAIT takes them. */
	uint32_t *sig_handles;
	uint64_t *sig_points;
	size_t nsigs, capsigs;
	/* A pending submission signals nothing the shim can ask (a sync_file
	 * fd, or no out-sync at all): only a wait that names buffers then
	 * says their work is done. */
	bool blind;
	struct u64map off2h;	/* mmap offset -> GEM handle */
	struct u64map fbs;	/* fb id -> struct fb * */
	struct u64map q2vm;	/* simgpu queue id -> VM id */
	struct u64map vms;	/* simgpu VM id -> struct vm * */
	uint32_t fb_props[8];	/* property ids named FB_ID */
	unsigned nfb_props;
};

static pthread_mutex_t track_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bo_map *maps;
static size_t nmaps, capmaps;
static atomic_size_t nmaps_pub;		/* nmaps, readable without the lock */

void track_init(void)
{
}

void track_atfork_prepare(void)
{
	pthread_mutex_lock(&track_lock);
}

void track_atfork_parent(void)
{
	pthread_mutex_unlock(&track_lock);
}

void track_atfork_child(void)
{
	pthread_mutex_unlock(&track_lock);
}

static struct ds_track *get_track(struct ds_file *f)
{
	if (!f->track)
		f->track = calloc(1, sizeof(*f->track));
	return f->track;
}

/* ------------------------------------------------------------- mappings */

static struct bo_map *find_map(struct ds_file *f, uint32_t handle)
{
	size_t i;

	for (i = nmaps; handle && i-- > 0;)
		if (maps[i].f == f && maps[i].handle == handle)
			return &maps[i];
	return NULL;
}

static void remove_map(size_t i)
{
	maps[i] = maps[--nmaps];
	atomic_store_explicit(&nmaps_pub, nmaps, memory_order_relaxed);
}

uint32_t track_mmap(struct ds_file *f, uint64_t offset, uint64_t len,
		    void *addr)
{
	uint64_t handle = 0;

	pthread_mutex_lock(&track_lock);
	if (f->track)
		map_get(&f->track->off2h, offset, &handle);
	if (nmaps == capmaps) {
		size_t cap = capmaps ? capmaps * 2 : 64;
		struct bo_map *m = realloc(maps, cap * sizeof(*m));

		if (!m)
			goto out;
		maps = m;
		capmaps = cap;
	}
	maps[nmaps++] = (struct bo_map){
		.f = f, .handle = (uint32_t)handle, .offset = offset,
		.addr = (uintptr_t)addr, .len = (size_t)len,
	};
	atomic_store_explicit(&nmaps_pub, nmaps, memory_order_relaxed);
out:
	pthread_mutex_unlock(&track_lock);
	return (uint32_t)handle;
}

bool track_has_mappings(void)
{
	return atomic_load_explicit(&nmaps_pub, memory_order_relaxed) != 0;
}

bool track_munmap(void *addr, size_t len)
{
	uintptr_t lo = (uintptr_t)addr, hi = lo + len;
	bool hit = false;
	size_t i;

	pthread_mutex_lock(&track_lock);
	for (i = nmaps; i-- > 0;) {
		if (maps[i].addr < hi && lo < maps[i].addr + maps[i].len) {
			/* Partly unmapped counts as gone: no more snapshots. */
			remove_map(i);
			hit = true;
		}
	}
	pthread_mutex_unlock(&track_lock);
	return hit;
}

/* -------------------------------------------- what a request needs here */

#define TW_AFTER	SHIM_IO_AFTER
#define TW_SIMGPU	SHIM_IO_SIMGPU
#define TW_VALID	(1u << 7)

/* Does @s (or a struct it embeds) hold a pointer whose array goes @dir? */
static bool struct_has_ptr(const struct ds_uapi_struct *s, unsigned dir,
			   unsigned depth)
{
	uint32_t i;

	for (i = 0; s && depth < 8 && i < s->nfields; i++) {
		const struct ds_uapi_field *f = &s->fields[i];

		if (f->kind == DS_UAPI_PTR && f->array && (f->array->dir & dir))
			return true;
		if (f->kind == DS_UAPI_STRUCT &&
		    struct_has_ptr(f->sub, dir, depth + 1))
			return true;
	}
	return false;
}

static bool struct_has(const struct ds_uapi_struct *s, unsigned kind,
		       unsigned flags)
{
	uint32_t i;

	for (i = 0; s && i < s->nfields; i++)
		if (s->fields[i].kind == kind &&
		    (s->fields[i].flags & flags) == flags)
			return true;
	return false;
}

static unsigned compute_wants(const struct ds_uapi_ioctl *io)
{
	const struct ds_uapi_driver *drv = ds_uapi_driver_of(io);
	unsigned w = 0;

	/*
	 * One event after the call is enough for a call that cannot block
	 * and reads no memory behind pointers: nothing of it can be missing
	 * from the trace but the call itself, if the program dies inside it.
	 */
	if (!(io->flags & (DS_UAPI_I_SUBMIT | DS_UAPI_I_KMS_COMMIT |
			   DS_UAPI_I_SYNC | DS_UAPI_I_BLOCKS)) &&
	    (!io->arg || (!struct_has_ptr(io->arg, DS_UAPI_IN, 0) &&
			  !struct_has_ptr(io->arg, DS_UAPI_OUT, 0))))
		w |= SHIM_IO_ONE_EVENT;
	if (!io->arg || !drv)
		return w;
	if (!strcmp(drv->name, "simgpu")) {
		w |= TW_SIMGPU;
		if (io->request == DRM_IOCTL_SIMGPU_QUEUE_CREATE ||
		    io->request == DRM_IOCTL_SIMGPU_QUEUE_DESTROY ||
		    io->request == DRM_IOCTL_SIMGPU_VM_BIND)
			w |= TW_AFTER;
	} else if (drv->first == 0) {
		switch (io->request) {
		case DRM_IOCTL_MODE_ADDFB:
		case DRM_IOCTL_MODE_ADDFB2:
		case DRM_IOCTL_MODE_RMFB:
#ifdef DRM_IOCTL_MODE_CLOSEFB
		case DRM_IOCTL_MODE_CLOSEFB:
#endif
		case DRM_IOCTL_MODE_GETPROPERTY:
			w |= TW_AFTER;
			break;
		}
	}
	if (struct_has(io->arg, DS_UAPI_MMAP_OFFSET, 0) ||
	    struct_has(io->arg, DS_UAPI_GEM_HANDLE, DS_UAPI_F_DESTROY))
		w |= TW_AFTER;
	if (struct_has_ptr(io->arg, DS_UAPI_IN, 0))
		w |= SHIM_IO_PTR_IN;
	if (struct_has_ptr(io->arg, DS_UAPI_OUT, 0))
		w |= SHIM_IO_PTR_OUT;
	return w;
}

/* Cached per description entry: a direct-mapped, lock-free cache. */
unsigned shim_io_flags(const struct ds_uapi_ioctl *io)
{
	static _Atomic uint64_t cache[512];
	const uint64_t mask = (1ull << 48) - 1;
	uintptr_t p = (uintptr_t)io;
	_Atomic uint64_t *e = &cache[(p / sizeof(*io)) & 511];
	uint64_t v = atomic_load_explicit(e, memory_order_relaxed);
	unsigned w;

	if (v && (v & mask) == (p & mask))
		return (unsigned)(v >> 56);
	w = compute_wants(io) | TW_VALID;
	atomic_store_explicit(e, (p & mask) | ((uint64_t)w << 56),
			      memory_order_relaxed);
	return w;
}

bool track_wants_after(const struct ds_uapi_ioctl *io)
{
	return shim_io_flags(io) & TW_AFTER;
}

/* ------------------------------------------------------------ snapshots */

static void snapshot_range(struct shim_call *c, uint32_t handle,
			   const struct bo_map *m, uint8_t phase)
{
	struct ds_tp_snapshot s = {
		.fd = c->fd, .seq = c->seq, .handle = handle,
		.offset = 0, .size = m->len, .phase = phase,
	};
	int stored = 0, err;

	err = blob_put((const void *)m->addr, m->len, &s.hash_hi, &s.hash_lo,
		       &stored);
	s.stored = (uint8_t)stored;
	lttng_ust_tracepoint(drmscope, buffer_snapshot, &s);
	if (err)
		lttng_ust_tracepoint(drmscope, lost, "blob", 1);
}

/* Snapshot the CPU mapping of @handle once per call. Lock held. */
static void snapshot_handle(struct shim_call *c, uint32_t handle)
{
	const struct bo_map *m;
	unsigned i;

	if (!handle)
		return;
	for (i = 0; i < c->nsnapped; i++)
		if (c->snapped[i] == handle)
			return;
	if (c->nsnapped < sizeof(c->snapped) / sizeof(c->snapped[0]))
		c->snapped[c->nsnapped++] = handle;
	/* Its results are snapshotted at the next sync point. */
	if (c->results && get_track(c->f))
		map_put(&c->f->track->pending, handle, 1);
	m = find_map(c->f, handle);
	if (m)
		snapshot_range(c, handle, m, 0);
}

static void snapshot_fb(struct shim_call *c, uint64_t fb_id)
{
	uint64_t v;
	const struct fb *fb;
	unsigned i;

	if (!c->f->track || !map_get(&c->f->track->fbs, fb_id, &v))
		return;
	fb = (const struct fb *)(uintptr_t)v;
	for (i = 0; i < 4; i++)
		snapshot_handle(c, fb->handles[i]);
}

static void snapshot_simgpu_vm(struct shim_call *c)
{
	const struct drm_simgpu_submit *s = (const void *)c->in;
	uint64_t vm_id, v;
	const struct vm *vm;
	size_t i;

	if (c->in_len < sizeof(*s) || !c->f->track ||
	    !map_get(&c->f->track->q2vm, s->queue_id, &vm_id) ||
	    !map_get(&c->f->track->vms, vm_id, &v))
		return;
	vm = (const struct vm *)(uintptr_t)v;
	for (i = 0; i < vm->n; i++)
		snapshot_handle(c, vm->b[i].handle);
}

void track_before(struct shim_call *c)
{
	const struct ds_uapi_struct *s = c->io->arg;
	bool submit = c->io->flags & DS_UAPI_I_SUBMIT;
	bool commit = c->io->flags & DS_UAPI_I_KMS_COMMIT;
	uint32_t i;

	if (!s || !(submit || commit))
		return;
	pthread_mutex_lock(&track_lock);
	if (submit && (shim_io_flags(c->io) & TW_SIMGPU) &&
	    c->request == DRM_IOCTL_SIMGPU_SUBMIT)
		snapshot_simgpu_vm(c);
	if (submit && c->results && !c->sigs_added && get_track(c->f))
		c->f->track->blind = true;
	for (i = 0; i < s->nfields; i++) {
		const struct ds_uapi_field *fl = &s->fields[i];
		unsigned k;
		uint64_t v;

		if (!(fl->dir & DS_UAPI_IN))
			continue;
		for (k = 0; k < fl->nelem; k++) {
			if (ds_uapi_field_get(fl, c->in, c->in_len, k, &v))
				break;
			if (submit && fl->kind == DS_UAPI_GEM_HANDLE)
				snapshot_handle(c, (uint32_t)v);
			else if (commit && fl->kind == DS_UAPI_KMS_FB &&
				 v && v != 0xffffffffu)
				snapshot_fb(c, v);
		}
	}
	pthread_mutex_unlock(&track_lock);
}

/* Remember syncobj @handle (at @point) as signalled by pending work. */
static void add_sig(struct ds_track *t, uint32_t handle, uint64_t point)
{
	size_t i;

	for (i = 0; i < t->nsigs; i++) {
		if (t->sig_handles[i] == handle) {
			if (point > t->sig_points[i])
				t->sig_points[i] = point;
			return;
		}
	}
	if (t->nsigs == t->capsigs) {
		size_t cap = t->capsigs ? t->capsigs * 2 : 16;
		uint32_t *h;
		uint64_t *p;

		if (cap > MAX_SIGS)
			return;		/* forgotten: the check is then partial */
		h = realloc(t->sig_handles, cap * sizeof(*h));
		if (h)
			t->sig_handles = h;
		p = realloc(t->sig_points, cap * sizeof(*p));
		if (p)
			t->sig_points = p;
		if (!h || !p)
			return;
		t->capsigs = cap;
	}
	t->sig_handles[t->nsigs] = handle;
	t->sig_points[t->nsigs++] = point;
}

/* A submission's out-sync array: the syncobjs (and points) it signals. */
static void collect_sigs(struct shim_call *c, const struct ds_uapi_span *sp)
{
	const struct ds_uapi_array *a = sp->array;
	const uint8_t *p = sp->data;
	struct ds_track *t;
	uint64_t i;

	pthread_mutex_lock(&track_lock);
	t = get_track(c->f);
	for (i = 0; t && i < sp->count; i++, p += sp->stride) {
		uint64_t handle = 0, point = 0, v;
		uint32_t k;

		if (!a->elem) {
			if (a->elem_kind == DS_UAPI_SYNCOBJ && sp->stride >= 4)
				memcpy(&handle, p, 4);
		}
		for (k = 0; a->elem && k < a->elem->nfields; k++) {
			const struct ds_uapi_field *fl = &a->elem->fields[k];

			if (ds_uapi_field_get(fl, p, sp->stride, 0, &v))
				continue;
			if (fl->kind == DS_UAPI_SYNCOBJ)
				handle = v;
			else if (fl->kind == DS_UAPI_VALUE && strstr(fl->name, "point"))
				point = v;
		}
		if (handle && handle <= UINT32_MAX) {
			add_sig(t, (uint32_t)handle, point);
			c->sigs_added++;
		}
	}
	pthread_mutex_unlock(&track_lock);
}

void track_span(struct shim_call *c, const struct ds_uapi_span *sp)
{
	const struct ds_uapi_array *a = sp->array;
	uint64_t i;

	if (sp->data && c->results && (a->flags & DS_UAPI_A_SIGNALS))
		collect_sigs(c, sp);
	if (!sp->data || sp->depth)
		return;
	if ((c->io->flags & DS_UAPI_I_SUBMIT) && !a->elem &&
	    a->elem_kind == DS_UAPI_GEM_HANDLE && a->elem_size == 4) {
		const uint32_t *h = sp->data;

		pthread_mutex_lock(&track_lock);
		for (i = 0; i < sp->count; i++)
			snapshot_handle(c, h[i]);
		pthread_mutex_unlock(&track_lock);
	} else if ((c->io->flags & DS_UAPI_I_KMS_COMMIT) &&
		   a->count_mode == DS_UAPI_COUNT_SUM) {
		/* DRM_IOCTL_MODE_ATOMIC: props first, then their values. */
		if (a->elem_kind == DS_UAPI_KMS_PROPERTY) {
			const uint32_t *p = sp->data;
			uint64_t n = sp->count;

			if (n > sizeof(c->atomic_props) / sizeof(c->atomic_props[0]))
				n = sizeof(c->atomic_props) / sizeof(c->atomic_props[0]);
			memcpy(c->atomic_props, p, n * sizeof(*p));
			c->natomic_props = (unsigned)n;
		} else if (a->elem_kind == DS_UAPI_KMS_PROP_VALUE && c->f->track) {
			const uint64_t *v = sp->data;
			struct ds_track *t;

			pthread_mutex_lock(&track_lock);
			t = c->f->track;
			for (i = 0; t && i < sp->count && i < c->natomic_props; i++) {
				unsigned k;

				for (k = 0; k < t->nfb_props; k++)
					if (c->atomic_props[i] == t->fb_props[k] && v[i])
						snapshot_fb(c, v[i]);
			}
			pthread_mutex_unlock(&track_lock);
		}
	}
}

/* ---------------------------------------------------------- sync points */

bool track_wants_results(struct ds_file *f)
{
	const struct ds_uapi_driver *drv =
		atomic_load_explicit(&f->drv, memory_order_acquire);

	return shim_config.results_all || !drv || !(drv->flags & DS_UAPI_D_JOB_HASH);
}

/*
 * Has all the work behind @t's pending set completed? Asks the kernel with
 * a zero-timeout wait on every syncobj it signals (read-only). An error
 * other than "not yet" (a syncobj destroyed or reset since) says yes: the
 * wait the program made is then the best sync point there is.
 */
static bool pending_done(int fd, const struct ds_track *t)
{
	bool timeline = false;
	size_t i;
	int ret;

	if (!t->nsigs)
		return true;
	for (i = 0; i < t->nsigs; i++)
		timeline |= t->sig_points[i] != 0;
	if (timeline) {
		struct drm_syncobj_timeline_wait w = {
			.handles = (uintptr_t)t->sig_handles,
			.points = (uintptr_t)t->sig_points,
			.timeout_nsec = 0, .count_handles = (uint32_t)t->nsigs,
			.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
		};

		ret = real_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
	} else {
		struct drm_syncobj_wait w = {
			.handles = (uintptr_t)t->sig_handles, .timeout_nsec = 0,
			.count_handles = (uint32_t)t->nsigs,
			.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
		};

		ret = real_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
	}
	return ret >= 0 || (errno != ETIME && errno != EINTR && errno != EAGAIN);
}

/* Snapshot @handle's mapping after the call, and take it out of the set. */
static void snapshot_result(struct shim_call *c, struct ds_track *t, uint32_t handle)
{
	const struct bo_map *m = find_map(c->f, handle);

	if (m)
		snapshot_range(c, handle, m, 1);
	map_del(&t->pending, handle);
}

void track_sync(struct shim_call *c)
{
	const struct ds_uapi_struct *s = c->io->arg;
	struct ds_track *t;
	bool named = false;
	uint32_t i;
	size_t k;

	pthread_mutex_lock(&track_lock);
	t = c->f->track;
	if (!t)
		goto out;
	if (!t->pending.n) {
		t->blind = false;	/* nothing pending: a new set begins */
		goto out;
	}
	/* A wait on named buffers (VIRTGPU_WAIT): those buffers only. */
	for (i = 0; s && i < s->nfields; i++) {
		const struct ds_uapi_field *fl = &s->fields[i];
		uint64_t v;

		if (fl->kind != DS_UAPI_GEM_HANDLE || !(fl->dir & DS_UAPI_IN) ||
		    ds_uapi_field_get(fl, c->in, c->in_len, 0, &v))
			continue;
		named = true;
		if (v && map_get(&t->pending, v, NULL))
			snapshot_result(c, t, (uint32_t)v);
	}
	if (!t->pending.n)
		t->blind = false;
	if (named || t->blind || !pending_done(c->fd, t))
		goto out;
	for (k = 0; k < t->pending.cap; k++) {
		const struct bo_map *m;
		uint32_t h = (uint32_t)t->pending.keys[k];

		if (h && (m = find_map(c->f, h)))
			snapshot_range(c, h, m, 1);
	}
	/* A new set begins. */
	map_clear(&t->pending);
	t->nsigs = 0;
	t->blind = false;
out:
	pthread_mutex_unlock(&track_lock);
}

/* ------------------------------------------------------- after the call */

static void forget_handle(struct ds_track *t, struct ds_file *f, uint32_t handle)
{
	size_t i;

	for (i = 0; t && i < t->off2h.cap; i++) {
		if (t->off2h.keys[i] && t->off2h.vals[i] == handle) {
			map_del(&t->off2h, t->off2h.keys[i]);
			i = (size_t)-1;	/* entries moved: rescan */
		}
	}
	if (t)
		map_del(&t->pending, handle);
	/* The mapping stays valid, but the handle number may be reused. */
	for (i = 0; i < nmaps; i++)
		if (maps[i].f == f && maps[i].handle == handle)
			maps[i].handle = 0;
}

static void vm_remove_range(struct vm *vm, uint64_t va, uint64_t range)
{
	uint64_t end = va + range;
	size_t i;

	for (i = 0; i < vm->n;) {
		struct binding *b = &vm->b[i];
		uint64_t bend = b->va + b->range;

		if (bend <= va || b->va >= end) {
			i++;
			continue;
		}
		if (b->va < va && bend > end) {
			/* Split in two: keep the head here, add the tail. */
			struct binding tail = *b;

			tail.bo_offset += end - b->va;
			tail.va = end;
			tail.range = bend - end;
			b->range = va - b->va;
			if (vm->n == vm->cap) {
				size_t cap = vm->cap ? vm->cap * 2 : 16;
				struct binding *nb = realloc(vm->b, cap * sizeof(*nb));

				if (!nb)
					return;
				vm->b = nb;
				vm->cap = cap;
			}
			vm->b[vm->n++] = tail;
			return;
		}
		if (b->va < va) {		/* keep the head */
			b->range = va - b->va;
			i++;
		} else if (bend > end) {	/* keep the tail */
			b->bo_offset += end - b->va;
			b->range = bend - end;
			b->va = end;
			i++;
		} else {			/* fully covered */
			vm->b[i] = vm->b[--vm->n];
		}
	}
}

static void vm_add(struct vm *vm, const struct drm_simgpu_vm_bind_op *op)
{
	if (vm->n == vm->cap) {
		size_t cap = vm->cap ? vm->cap * 2 : 16;
		struct binding *nb = realloc(vm->b, cap * sizeof(*nb));

		if (!nb)
			return;
		vm->b = nb;
		vm->cap = cap;
	}
	vm->b[vm->n++] = (struct binding){
		.va = op->va, .range = op->range, .bo_offset = op->bo_offset,
		.handle = op->bo_handle,
	};
}

/* simgpu VM_BIND succeeded: apply its ops (re-read from the program). */
static void apply_vm_bind(struct ds_track *t, const struct drm_simgpu_vm_bind *b)
{
	struct drm_simgpu_vm_bind_op op;
	struct vm *vm;
	uint64_t v;
	uint32_t i, stride = b->ops.stride;

	if (!map_get(&t->vms, b->vm_id, &v)) {
		vm = calloc(1, sizeof(*vm));
		if (!vm || map_put(&t->vms, b->vm_id, (uintptr_t)vm)) {
			free(vm);
			return;
		}
	} else {
		vm = (struct vm *)(uintptr_t)v;
	}
	if (stride < sizeof(op) || stride > 4096)
		return;
	for (i = 0; i < b->ops.count && i < (1u << 16); i++) {
		if (shim_safe_read(&op, b->ops.array + (uint64_t)i * stride,
				   sizeof(op)))
			return;
		vm_remove_range(vm, op.va, op.range);
		if (op.op == DRM_SIMGPU_VM_BIND_OP_MAP)
			vm_add(vm, &op);
	}
}

static void add_fb(struct ds_track *t, uint32_t fb_id, const uint32_t *handles,
		   unsigned n)
{
	struct fb *fb = calloc(1, sizeof(*fb));
	uint64_t old;

	if (!fb)
		return;
	memcpy(fb->handles, handles, n * sizeof(*handles));
	if (map_get(&t->fbs, fb_id, &old))
		free((void *)(uintptr_t)old);
	if (map_put(&t->fbs, fb_id, (uintptr_t)fb))
		free(fb);
}

static void del_fb(struct ds_track *t, uint32_t fb_id)
{
	uint64_t old;

	if (map_get(&t->fbs, fb_id, &old)) {
		free((void *)(uintptr_t)old);
		map_del(&t->fbs, fb_id);
	}
}

/* Driver-independent rules, from the field kinds. */
static void after_generic(struct shim_call *c, struct ds_track *t)
{
	const struct ds_uapi_struct *s = c->io->arg;
	uint64_t handle = 0, offset = 0, v;
	bool have_h = false, have_off = false;
	uint32_t i;

	for (i = 0; i < s->nfields; i++) {
		const struct ds_uapi_field *fl = &s->fields[i];

		if (fl->kind == DS_UAPI_GEM_HANDLE && fl->nelem == 1 &&
		    !ds_uapi_field_get(fl, c->out, c->out_len, 0, &v)) {
			if (fl->flags & DS_UAPI_F_DESTROY)
				forget_handle(t, c->f, (uint32_t)v);
			else if (fl->dir == DS_UAPI_IN) {
				handle = v;
				have_h = true;
			}
		} else if (fl->kind == DS_UAPI_MMAP_OFFSET &&
			   !ds_uapi_field_get(fl, c->out, c->out_len, 0, &v)) {
			offset = v;
			have_off = true;
		}
	}
	if (have_h && have_off && handle && offset)
		map_put(&t->off2h, offset, handle);
}

void track_after(struct shim_call *c)
{
	const struct ds_uapi_struct *s = c->io->arg;
	struct ds_track *t;

	if (!s || !c->out || c->out_len < s->size)
		return;
	pthread_mutex_lock(&track_lock);
	t = get_track(c->f);
	if (!t)
		goto out;
	after_generic(c, t);

	switch (c->request) {
	case DRM_IOCTL_MODE_ADDFB: {
		const struct drm_mode_fb_cmd *fb = (const void *)c->out;

		add_fb(t, fb->fb_id, &fb->handle, 1);
		break;
	}
	case DRM_IOCTL_MODE_ADDFB2: {
		const struct drm_mode_fb_cmd2 *fb = (const void *)c->out;

		add_fb(t, fb->fb_id, fb->handles, 4);
		break;
	}
	case DRM_IOCTL_MODE_RMFB:
		del_fb(t, *(const uint32_t *)(const void *)c->out);
		break;
#ifdef DRM_IOCTL_MODE_CLOSEFB
	case DRM_IOCTL_MODE_CLOSEFB:
		del_fb(t, ((const struct drm_mode_closefb *)(const void *)c->out)->fb_id);
		break;
#endif
	case DRM_IOCTL_MODE_GETPROPERTY: {
		const struct drm_mode_get_property *p = (const void *)c->out;
		unsigned k;

		if (strncmp(p->name, "FB_ID", sizeof(p->name)))
			break;
		for (k = 0; k < t->nfb_props; k++)
			if (t->fb_props[k] == p->prop_id)
				break;
		if (k == t->nfb_props && k < sizeof(t->fb_props) / sizeof(t->fb_props[0]))
			t->fb_props[t->nfb_props++] = p->prop_id;
		break;
	}
	default:
		if (!(shim_io_flags(c->io) & TW_SIMGPU))
			break;
		if (c->request == DRM_IOCTL_SIMGPU_QUEUE_CREATE) {
			const struct drm_simgpu_queue_create *q = (const void *)c->out;

			map_put(&t->q2vm, q->id, q->vm_id);
		} else if (c->request == DRM_IOCTL_SIMGPU_QUEUE_DESTROY) {
			map_del(&t->q2vm, ((const struct drm_simgpu_queue_destroy *)
					   (const void *)c->out)->id);
		} else if (c->request == DRM_IOCTL_SIMGPU_VM_BIND) {
			apply_vm_bind(t, (const void *)c->out);
		}
		break;
	}
out:
	pthread_mutex_unlock(&track_lock);
}

void track_file_closed(struct ds_file *f)
{
	struct ds_track *t;
	size_t i;

	pthread_mutex_lock(&track_lock);
	t = f->track;
	f->track = NULL;
	/* Mappings outlive the fd (mmap holds the file); keep them for munmap. */
	if (t) {
		for (i = 0; i < t->fbs.cap; i++)
			if (t->fbs.keys[i])
				free((void *)(uintptr_t)t->fbs.vals[i]);
		for (i = 0; i < t->vms.cap; i++) {
			if (t->vms.keys[i]) {
				struct vm *vm = (void *)(uintptr_t)t->vms.vals[i];

				free(vm->b);
				free(vm);
			}
		}
		map_free(&t->pending);
		free(t->sig_handles);
		free(t->sig_points);
		map_free(&t->off2h);
		map_free(&t->fbs);
		map_free(&t->q2vm);
		map_free(&t->vms);
		free(t);
	}
	pthread_mutex_unlock(&track_lock);
}
