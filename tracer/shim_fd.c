/*
 * tracer/shim_fd.c: which fds are traced.
 *
 * A three-level radix table maps an fd number to its struct ds_file (NULL:
 * not traced). Readers (every ioctl, mmap of the program) do three acquire
 * loads and take no lock; writers (open, dup, close) install missing levels
 * with compare-and-swap and swap entries atomically. Levels are allocated
 * on demand, so the table has no size limit below 2^31 fds and costs 8 KiB
 * plus 8 KiB per 1024 fds in use. Levels are never freed (fds are reused).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define LEAF_BITS	10
#define MID_BITS	10
#define TOP_BITS	11
#define LEAF_SIZE	(1u << LEAF_BITS)
#define MID_SIZE	(1u << MID_BITS)
#define TOP_SIZE	(1u << TOP_BITS)

typedef _Atomic(struct ds_file *) leaf_t[LEAF_SIZE];
typedef _Atomic(leaf_t *) mid_t[MID_SIZE];

static _Atomic(mid_t *) top[TOP_SIZE];

static inline unsigned top_idx(unsigned fd) { return fd >> (LEAF_BITS + MID_BITS); }
static inline unsigned mid_idx(unsigned fd) { return (fd >> LEAF_BITS) & (MID_SIZE - 1); }
static inline unsigned leaf_idx(unsigned fd) { return fd & (LEAF_SIZE - 1); }

static _Atomic(struct ds_file *) *slot(int fd, bool create)
{
	unsigned u = (unsigned)fd;
	mid_t *mid;
	leaf_t *leaf;

	if (fd < 0 || top_idx(u) >= TOP_SIZE)
		return NULL;
	mid = atomic_load_explicit(&top[top_idx(u)], memory_order_acquire);
	if (!mid) {
		mid_t *fresh, *expected = NULL;

		if (!create)
			return NULL;
		fresh = calloc(1, sizeof(*fresh));
		if (!fresh)
			return NULL;
		if (atomic_compare_exchange_strong_explicit(&top[top_idx(u)],
				&expected, fresh, memory_order_acq_rel,
				memory_order_acquire)) {
			mid = fresh;
		} else {
			free(fresh);
			mid = expected;
		}
	}
	leaf = atomic_load_explicit(&(*mid)[mid_idx(u)], memory_order_acquire);
	if (!leaf) {
		leaf_t *fresh, *expected = NULL;

		if (!create)
			return NULL;
		fresh = calloc(1, sizeof(*fresh));
		if (!fresh)
			return NULL;
		if (atomic_compare_exchange_strong_explicit(&(*mid)[mid_idx(u)],
				&expected, fresh, memory_order_acq_rel,
				memory_order_acquire)) {
			leaf = fresh;
		} else {
			free(fresh);
			leaf = expected;
		}
	}
	return &(*leaf)[leaf_idx(u)];
}

struct ds_file *fd_get(int fd)
{
	_Atomic(struct ds_file *) *s = slot(fd, false);

	return s ? atomic_load_explicit(s, memory_order_acquire) : NULL;
}

int fd_install(int fd, struct ds_file *f, struct ds_file **old)
{
	_Atomic(struct ds_file *) *s = slot(fd, f != NULL);

	if (!s) {
		*old = NULL;
		/* Clearing an fd that never had a level is not an error. */
		return f ? -1 : 0;
	}
	*old = atomic_exchange_explicit(s, f, memory_order_acq_rel);
	return 0;
}

struct ds_file *fd_take(int fd)
{
	struct ds_file *old;

	fd_install(fd, NULL, &old);
	return old;
}

void fd_for_each(unsigned lo, unsigned hi,
		 void (*fn)(int fd, struct ds_file *f, void *ctx), void *ctx)
{
	unsigned t, m, l;

	for (t = top_idx(lo); t < TOP_SIZE && t <= top_idx(hi); t++) {
		mid_t *mid = atomic_load_explicit(&top[t], memory_order_acquire);

		if (!mid)
			continue;
		for (m = 0; m < MID_SIZE; m++) {
			leaf_t *leaf = atomic_load_explicit(&(*mid)[m],
							    memory_order_acquire);

			if (!leaf)
				continue;
			for (l = 0; l < LEAF_SIZE; l++) {
				unsigned fd = (t << (LEAF_BITS + MID_BITS)) |
					      (m << LEAF_BITS) | l;
				struct ds_file *f;

				if (fd < lo || fd > hi)
					continue;
				f = atomic_load_explicit(&(*leaf)[l],
							 memory_order_acquire);
				if (f)
					fn((int)fd, f, ctx);
			}
		}
	}
}

struct ds_file *file_new(uint32_t major, uint32_t minor)
{
	struct ds_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	atomic_init(&f->refs, 1);
	f->major = major;
	f->minor = minor;
	atomic_init(&f->drv, NULL);
	atomic_init(&f->driver_idx, -1);
	return f;
}

void file_get(struct ds_file *f)
{
	atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
}

void file_put(struct ds_file *f)
{
	if (atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) == 1)
		track_file_closed(f);
}

void file_set_driver(struct ds_file *f, const char *name, size_t len)
{
	const struct ds_uapi_driver *drv;
	unsigned i;

	if (len >= sizeof(f->driver))
		len = sizeof(f->driver) - 1;
	memcpy(f->driver, name, len);
	f->driver[len] = '\0';
	drv = ds_uapi_find_driver(f->driver);
	/* The generic tables are not drivers. */
	if (drv && drv->first == 0)
		drv = NULL;
	for (i = 0; drv && i < ds_uapi_driver_count(); i++)
		if (ds_uapi_driver_at(i) == drv)
			atomic_store_explicit(&f->driver_idx, (int)i,
					      memory_order_relaxed);
	atomic_store_explicit(&f->drv, drv, memory_order_release);
}
