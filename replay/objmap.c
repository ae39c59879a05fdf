/*
 * replay/objmap.c: captured -> replayed ids.
 *
 * Every object a capture names (a GEM handle, a flink name, a dma-buf or
 * sync_file fd, a syncobj, a simgpu VM or queue, a KMS object, a virtio-gpu
 * host resource) is named differently by the replay's kernel. The map is one
 * open-addressing hash table keyed by (class, namespace, captured value):
 * the namespace is the replayed DRM file for per-file ids (GEM handles,
 * syncobjs, VMs, queues), the device for per-device ids (flink names, KMS
 * objects) and the captured process for fds. Which fields hold which class
 * comes from the uapi descriptions only (rp_class_of_kind()), so a new
 * driver needs a table in lib/uapi, not code here.
 *
 * The plan of each call (args.c) lists its slots; rp_slots_in() rewrites
 * the IN slots before the ioctl and rp_slots_out() records what the kernel
 * returned. A lookup is a few nanoseconds and allocates nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>

#include "replay_internal.h"

void rp_errf(struct rp_err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e || e->set)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->set = true;
}

static const char *const class_names[RP_C_COUNT] = {
	[RP_C_NONE] = "value",
	[RP_C_GEM] = "GEM handle",
	[RP_C_SYNCOBJ] = "syncobj",
	[RP_C_VM] = "VM id",
	[RP_C_QUEUE] = "queue id",
	[RP_C_GEM_NAME] = "flink name",
	[RP_C_KMS] = "KMS object id",
	[RP_C_LESSEE] = "KMS lessee id",
	[RP_C_HOST_RES] = "host resource id",
	[RP_C_FD] = "file descriptor",
};

const char *rp_class_name(unsigned cls)
{
	return cls < RP_C_COUNT ? class_names[cls] : "?";
}

enum rp_class rp_class_of_kind(unsigned kind)
{
	switch (kind) {
	case DS_UAPI_GEM_HANDLE:
		return RP_C_GEM;
	case DS_UAPI_GEM_NAME:
		return RP_C_GEM_NAME;
	case DS_UAPI_SYNCOBJ:
		return RP_C_SYNCOBJ;
	case DS_UAPI_DMABUF_FD:
	case DS_UAPI_SYNC_FILE_FD:
	case DS_UAPI_FD:
		return RP_C_FD;
	case DS_UAPI_KMS_CRTC:
	case DS_UAPI_KMS_CONNECTOR:
	case DS_UAPI_KMS_ENCODER:
	case DS_UAPI_KMS_PLANE:
	case DS_UAPI_KMS_FB:
	case DS_UAPI_KMS_PROPERTY:
	case DS_UAPI_KMS_BLOB:
	case DS_UAPI_KMS_OBJECT:
		return RP_C_KMS;
	case DS_UAPI_KMS_LESSEE:
		return RP_C_LESSEE;
	case DS_UAPI_VM_ID:
		return RP_C_VM;
	case DS_UAPI_QUEUE_ID:
		return RP_C_QUEUE;
	case DS_UAPI_HOST_RES:
		return RP_C_HOST_RES;
	default:
		return RP_C_NONE;
	}
}

/* ------------------------------------------------------------ the table */

static uint64_t map_key(unsigned cls, uint32_t ns)
{
	return ((uint64_t)cls << 40) | ns | ((uint64_t)1 << 63);
}

static uint64_t mix(uint64_t key, uint64_t cap)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull ^ cap;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

int rp_map_init(struct rp_objmap *m, size_t hint)
{
	size_t cap = 64;

	while (cap < hint * 2 && cap < ((size_t)1 << 40))
		cap *= 2;
	m->tab = calloc(cap, sizeof(*m->tab));
	if (!m->tab)
		return -1;
	m->cap = cap;
	m->used = 0;
	m->filled = 0;
	return 0;
}

void rp_map_free(struct rp_objmap *m)
{
	free(m->tab);
	memset(m, 0, sizeof(*m));
}

void rp_map_clear(struct rp_objmap *m)
{
	if (m->tab)
		memset(m->tab, 0, m->cap * sizeof(*m->tab));
	m->used = 0;
	m->filled = 0;
}

static struct rp_map_entry *find(const struct rp_objmap *m, uint64_t key,
				 uint64_t cap)
{
	size_t mask = m->cap - 1, i;

	if (!m->tab)
		return NULL;
	for (i = mix(key, cap) & mask;; i = (i + 1) & mask) {
		struct rp_map_entry *e = &m->tab[i];

		if (e->state == 0)
			return NULL;
		if (e->state == 1 && e->key == key && e->cap == cap)
			return e;
	}
}

static int grow(struct rp_objmap *m)
{
	struct rp_objmap n;
	size_t i;

	if (rp_map_init(&n, m->used * 2 + 32))
		return -1;
	for (i = 0; i < m->cap; i++) {
		struct rp_map_entry *e = &m->tab[i];
		size_t j, mask = n.cap - 1;

		if (e->state != 1)
			continue;
		for (j = mix(e->key, e->cap) & mask; n.tab[j].state; j = (j + 1) & mask)
			;
		n.tab[j] = *e;
		n.used++;
		n.filled++;
	}
	free(m->tab);
	*m = n;
	return 0;
}

int rp_map_put(struct rp_objmap *m, unsigned cls, uint32_t ns, uint64_t cap,
	       uint64_t val)
{
	uint64_t key = map_key(cls, ns);
	struct rp_map_entry *e = find(m, key, cap);
	size_t mask, i;

	if (e) {
		e->val = val;
		return 0;
	}
	if (!m->tab || (m->filled + 1) * 4 > m->cap * 3) {
		if (grow(m))
			return -1;
	}
	mask = m->cap - 1;
	for (i = mix(key, cap) & mask; m->tab[i].state == 1; i = (i + 1) & mask)
		;
	if (m->tab[i].state == 0)
		m->filled++;
	m->tab[i] = (struct rp_map_entry){ .key = key, .cap = cap, .val = val, .state = 1 };
	m->used++;
	return 0;
}

bool rp_map_get(const struct rp_objmap *m, unsigned cls, uint32_t ns,
		uint64_t cap, uint64_t *val)
{
	const struct rp_map_entry *e = find(m, map_key(cls, ns), cap);

	if (!e)
		return false;
	if (val)
		*val = e->val;
	return true;
}

bool rp_map_del(struct rp_objmap *m, unsigned cls, uint32_t ns, uint64_t cap)
{
	struct rp_map_entry *e = find(m, map_key(cls, ns), cap);

	if (!e)
		return false;
	e->state = 2;
	m->used--;
	return true;
}

void rp_map_each(const struct rp_objmap *m, unsigned cls,
		 void (*fn)(void *ctx, uint32_t ns, uint64_t cap, uint64_t val),
		 void *ctx)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		const struct rp_map_entry *e = &m->tab[i];

		if (e->state == 1 && ((e->key >> 40) & 0xff) == cls)
			fn(ctx, (uint32_t)e->key, e->cap, e->val);
	}
}

/* ------------------------------------------------------------ slots */

static uint64_t load_val(const uint8_t *p, unsigned size)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (size) {
	case 1: memcpy(&v8, p, 1); return v8;
	case 2: memcpy(&v16, p, 2); return v16;
	case 4: memcpy(&v32, p, 4); return v32;
	default: memcpy(&v64, p, 8); return v64;
	}
}

static void store_val(uint8_t *p, unsigned size, uint64_t v)
{
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (size) {
	case 1: memcpy(p, &v8, 1); break;
	case 2: memcpy(p, &v16, 2); break;
	case 4: memcpy(p, &v32, 4); break;
	default: memcpy(p, &v, 8); break;
	}
}

/* Sign-extend a @size-byte value. */
static int64_t sext(uint64_t v, unsigned size)
{
	if (size >= 8)
		return (int64_t)v;
	if (v & ((uint64_t)1 << (size * 8 - 1)))
		v |= ~(uint64_t)0 << (size * 8);
	return (int64_t)v;
}

/* Is @v "no object" for this slot (passed through unchanged)? */
static bool is_none(const struct rp_slot *s, uint64_t v)
{
	if (s->cls == RP_C_FD)
		return sext(v, s->size) < 0 || (v == 0 && s->optional);
	return v == 0;
}

/* An id the replayed kernel will not know: all ones (or -1 for an fd). */
static uint64_t invalid_value(const struct rp_slot *s)
{
	return s->size >= 8 ? ~(uint64_t)0 : (((uint64_t)1 << (s->size * 8)) - 1);
}

static int64_t rebase_deadline(int64_t captured, int64_t cap_begin, int64_t now)
{
	int64_t left;

	/* 0 and negative: "poll" or "none"; small values: a relative timeout. */
	if (captured <= 0 || cap_begin <= 0 || captured < cap_begin - 1000000000ll)
		return captured;
	left = captured - cap_begin;
	if (left < 0)
		left = 0;
	if (left > INT64_MAX - now)
		return INT64_MAX;
	return now + left;
}

void rp_slots_in(struct rp_run *run, const struct rp_call *c, char *note,
		 size_t notelen)
{
	const struct rp_plan *p = c->plan;
	int64_t now = 0;
	uint32_t i;

	for (i = 0; i < p->nslots; i++) {
		const struct rp_slot *s = &p->slots[i];
		uint64_t v;

		if (s->ops & RP_SLOT_TIMEOUT) {
			if (!now)
				now = rp_now_ns();
			store_val(s->loc, s->size,
				  (uint64_t)rebase_deadline(sext(s->cap_in, s->size),
							    c->begin_ns, now));
			continue;
		}
		if (s->ops & RP_SLOT_FENCE_PTR) {
			static int32_t fence_fd_sink;

			fence_fd_sink = -1;
			if (s->cap_in)
				store_val(s->loc, s->size, (uint64_t)(uintptr_t)&fence_fd_sink);
			continue;
		}
		if (!(s->ops & RP_SLOT_IN))
			continue;
		if (is_none(s, s->cap_in)) {
			store_val(s->loc, s->size, s->cap_in);
			continue;
		}
		if (rp_map_get(&run->map, s->cls, s->ns, s->cap_in, &v)) {
			store_val(s->loc, s->size, v);
			/* As programs do: unmap a BO before closing its handle. */
			if ((s->ops & RP_SLOT_DESTROY) && s->cls == RP_C_GEM)
				rp_bo_forget(run, s->ns, (uint32_t)v);
			continue;
		}
		/* The object's creation failed (or was skipped) in this replay. */
		store_val(s->loc, s->size, invalid_value(s));
		if (note && !note[0])
			snprintf(note, notelen, "%s %llu (field %s) has no replayed object",
				 rp_class_name(s->cls), (unsigned long long)s->cap_in, s->name);
	}
}

/* The name of replayed KMS property @id (DRM_IOCTL_MODE_GETPROPERTY, cached). */
static const char *kms_prop_name(struct rp_run *run, int fd, uint32_t device, uint32_t id)
{
	struct drm_mode_get_property gp = { .prop_id = id };
	struct rp_kname *k;
	size_t i;
	int rc;

	for (i = 0; i < run->nknames; i++)
		if (run->knames[i].device == device && run->knames[i].id == id)
			return run->knames[i].name;
	do {
		rc = ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, &gp);
	} while (rc < 0 && (errno == EINTR || errno == EAGAIN));
	if (rc < 0)
		return NULL;
	if (run->nknames == run->capknames) {
		size_t n = run->capknames ? run->capknames * 2 : 64;
		struct rp_kname *nk = realloc(run->knames, n * sizeof(*nk));

		if (!nk)
			return NULL;
		run->knames = nk;
		run->capknames = n;
	}
	k = &run->knames[run->nknames++];
	k->device = device;
	k->id = id;
	memcpy(k->name, gp.name, sizeof(k->name) - 1 < sizeof(gp.name) ?
	       sizeof(k->name) - 1 : sizeof(gp.name));
	k->name[sizeof(k->name) - 1] = 0;
	return k->name;
}

/*
 * Properties are matched by name: the replayed id at the captured id's
 * position in the same list is taken if it has the captured name (what the
 * capture's GETPROPERTY said), else the one of that list that has it.
 */
static uint64_t kms_prop_by_name(struct rp_run *run, const struct rp_call *c,
				 const struct rp_slot *s, uint64_t val)
{
	const struct rp_rfile *f = &run->files[c->file];
	const struct rp_kprop *want = rp_kprop_find(run->cap, f->device, (uint32_t)s->cap_out);
	const struct rp_node *n = &c->plan->nodes[s->node];
	const char *name;
	uint64_t i;

	if (!want)
		return val;
	name = kms_prop_name(run, f->fd, (uint32_t)f->device, (uint32_t)val);
	if (!name || !strcmp(name, want->name))
		return val;
	for (i = 0; i < n->count && n->stride == 4; i++) {
		uint32_t id;

		memcpy(&id, n->buf + i * 4, 4);
		name = id ? kms_prop_name(run, f->fd, (uint32_t)f->device, id) : NULL;
		if (name && !strcmp(name, want->name))
			return id;
	}
	return val;
}

void rp_slots_out(struct rp_run *run, const struct rp_call *c)
{
	const struct rp_plan *p = c->plan;
	uint32_t i;

	for (i = 0; i < p->nslots; i++) {
		const struct rp_slot *s = &p->slots[i];
		uint64_t v = load_val(s->loc, s->size);

		if ((s->ops & RP_SLOT_OUT) && s->has_out && !is_none(s, s->cap_out) &&
		    !is_none(s, v)) {
			if (s->cls == RP_C_KMS && s->node >= 0 &&
			    p->nodes[s->node].array->elem_kind == DS_UAPI_KMS_PROPERTY)
				v = kms_prop_by_name(run, c, s, v);
			if (rp_map_put(&run->map, s->cls, s->ns, s->cap_out, v) < 0)
				snprintf(run->err, sizeof(run->err), "out of memory");
		}
		if (s->ops & RP_SLOT_DESTROY)
			rp_map_del(&run->map, s->cls, s->ns, s->cap_in);
		if ((s->ops & (RP_SLOT_MMAP | RP_SLOT_BOSIZE)) && s->peer >= 0 && v) {
			const struct rp_slot *h = &p->slots[s->peer];
			uint32_t handle = (uint32_t)load_val(h->loc, h->size);
			struct rp_bomap *bo = handle ? rp_bo_get(run, s->ns, handle, true) : NULL;

			if (bo && (s->ops & RP_SLOT_MMAP))
				bo->mmap_offset = v;
			else if (bo)
				bo->size = v;
		}
		if ((s->ops & RP_SLOT_FENCE_PTR) && s->cap_in) {
			int32_t fd;

			memcpy(&fd, (const void *)(uintptr_t)load_val(s->loc, s->size), 4);
			if (fd >= 0)
				close(fd);
		}
	}
}
