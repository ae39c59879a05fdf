/*
 * replay/bufcheck.c: results in buffers, compared after the sync calls that
 * waited for them.
 *
 * For drivers without a job result hash (and for any capture recorded with
 * `--buffers=results`), the shim snapshots the buffers that the submissions
 * since the last synchronisation point read, once a sync call
 * (DRM_IOCTL_SYNCOBJ_WAIT, _TIMELINE_WAIT, DRM_IOCTL_VIRTGPU_WAIT; uapi
 * flag DS_UAPI_I_SYNC) returned and the work had completed: those are the
 * buffer_snapshot rows with phase 'after', attached to the sync call. After
 * replaying such a call successfully, each range is read from the replayed
 * BO through the same CPU mapping restores use (rp_snap_map()) and compared
 * with the captured blob: the XXH3-128 hash first, the bytes only when the
 * hashes differ, to say where. The blobs were loaded and checked before the
 * run (validate.c); nothing here runs SQL or allocates unless a buffer
 * differs.
 *
 * The shim took the picture once all the work submitted since the previous
 * sync point had completed, which a wait on one syncobj of several does not
 * promise in the replay. So the replay first waits (bounded) for every
 * syncobj those replayed submissions signal (rp_results_prepare() lists
 * them before the run, from the plans' DS_UAPI_A_SIGNALS arrays), then
 * compares.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xf86drm.h>
#include <drmscope/db.h>

#include "replay_internal.h"

#define SETTLE_TIMEOUT_NS	(10 * 1000000000ll)
#define SETTLE_CHUNK		64

/* ------------------------------------------------------------ preparing */

struct pend {
	struct rp_sigwait *w;
	size_t n, cap;
};

/* The syncobj slots of @c's arrays flagged DS_UAPI_A_SIGNALS, onto @pd. */
static int add_signals(const struct rp_call *c, struct pend *pd)
{
	const struct rp_plan *p = c->plan;
	uint32_t i, k;

	for (i = 0; i < p->nslots; i++) {
		const struct rp_slot *sl = &p->slots[i];
		const struct rp_node *n;
		const struct ds_uapi_struct *e;
		struct rp_sigwait w = { .handle = sl->loc };

		if (sl->cls != RP_C_SYNCOBJ || sl->node < 0 || sl->size != 4)
			continue;
		n = &p->nodes[sl->node];
		if (!(n->array->flags & DS_UAPI_A_SIGNALS))
			continue;
		e = n->array->elem;
		for (k = 0; e && k < e->nfields; k++) {
			const struct ds_uapi_field *f = &e->fields[k];

			if (f->kind == DS_UAPI_VALUE && f->size == 8 && strstr(f->name, "point") &&
			    (uint64_t)sl->elem * n->stride + f->offset + 8 <= n->size)
				w.point = n->buf + (size_t)sl->elem * n->stride + f->offset;
		}
		if (pd->n == pd->cap) {
			size_t cap = pd->cap ? pd->cap * 2 : 16;
			struct rp_sigwait *nw = realloc(pd->w, cap * sizeof(*nw));

			if (!nw)
				return -1;
			pd->w = nw;
			pd->cap = cap;
		}
		pd->w[pd->n++] = w;
	}
	return 0;
}

int rp_results_prepare(struct rp_capture *cap)
{
	struct pend *pd = calloc(cap->nfiles + 1, sizeof(*pd));
	size_t i;
	int rc = -1;

	if (!pd)
		return -1;
	for (i = 0; i < cap->ncalls; i++) {
		struct rp_call *c = &cap->calls[cap->order[i]];
		struct pend *f;

		if (c->skip || !c->plan || c->file < 0)
			continue;
		f = &pd[c->file];
		if (c->desc && (c->desc->flags & DS_UAPI_I_SUBMIT) && add_signals(c, f))
			goto out;
		if (!c->nres)
			continue;
		if (f->n) {
			c->settle = rp_memdup(&cap->arena, f->w, f->n * sizeof(*f->w));
			if (!c->settle)
				goto out;
			c->nsettle = (uint32_t)f->n;
		}
		f->n = 0;
	}
	rc = 0;
out:
	for (i = 0; i < cap->nfiles; i++)
		free(pd[i].w);
	free(pd);
	return rc;
}

/* ------------------------------------------------------------ the run */

/*
 * Wait until the work the results depend on is done: every syncobj listed
 * for @c, as the replay remapped it. Returns 0, or -1 with @msg set when
 * it did not complete in time. Other errors (a syncobj the replay could
 * not make) leave it to the comparison.
 */
static int settle(struct rp_run *run, const struct rp_call *c, char *msg, size_t len)
{
	uint32_t handles[SETTLE_CHUNK];
	uint64_t points[SETTLE_CHUNK];
	int fd = run->files[c->file].fd;
	int64_t deadline = rp_now_ns() + SETTLE_TIMEOUT_NS;
	uint32_t i, n;

	for (i = 0; i < c->nsettle; i += n) {
		int rc;

		for (n = 0; n < SETTLE_CHUNK && i + n < c->nsettle; n++) {
			const struct rp_sigwait *w = &c->settle[i + n];

			memcpy(&handles[n], w->handle, 4);
			points[n] = 0;
			if (w->point)
				memcpy(&points[n], w->point, 8);
		}
		do {
			rc = drmSyncobjTimelineWait(fd, handles, points, n, deadline,
						    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL);
		} while (rc < 0 && (errno == EINTR || errno == EAGAIN));
		if (rc < 0 && errno == ETIME) {
			snprintf(msg, len, "the work submitted before the call did not complete"
				 " within %lld s", SETTLE_TIMEOUT_NS / 1000000000ll);
			return -1;
		}
	}
	return 0;
}

/* Up to 8 bytes at @p (of @avail) as hex, lowest address first. */
static void hex8(char out[24], const uint8_t *p, uint64_t avail)
{
	unsigned i, n = avail < 8 ? (unsigned)avail : 8;

	out[0] = 0;
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* Where @mine and @cap differ: the first offset and how many bytes. */
static uint64_t diff_bytes(const uint8_t *mine, const uint8_t *cap, uint64_t size,
			   uint64_t *first)
{
	uint64_t i, n = 0;

	*first = size;
	for (i = 0; i < size; i++) {
		if (mine[i] == cap[i])
			continue;
		if (!n)
			*first = i;
		n++;
	}
	return n;
}

/* Compare one result snapshot; appends to *@mismatch and returns 1 if it differs. */
static unsigned check_one(struct rp_run *run, const struct rp_snap *s, char **mismatch)
{
	char msg[RP_ERRLEN], hash[DS_DB_HASH_HEX_LEN + 1], a[24], b[24];
	const uint8_t *mine;
	uint64_t first, n;
	uint32_t handle = 0;

	mine = rp_snap_map(run, s, &handle, msg, sizeof(msg));
	if (!mine) {
		rp_append(mismatch, "result buffer not read: %s", msg);
		return 1;
	}
	run->buffers_checked++;
	run->checked_bytes += s->size;
	ds_db_hash(mine, (size_t)s->size, hash);
	if (!strcmp(hash, s->hash))
		return 0;
	n = diff_bytes(mine, s->data, s->size, &first);
	if (!n)
		return 0;	/* the hash said otherwise; the bytes decide */
	hex8(a, s->data + first, s->size - first);
	hex8(b, mine + first, s->size - first);
	rp_append(mismatch, "buffer GEM handle %" PRIu32 " (gem_object %" PRId64
		  ", created by call %" PRId64 ", replayed handle %" PRIu32 "), range 0x%" PRIx64
		  "+%" PRIu64 " after the call: %" PRIu64 " byte%s differ, the first at offset"
		  " 0x%" PRIx64 ": captured %s, replayed %s (buffer_snapshot %" PRId64 ")",
		  s->handle, s->gem_id, s->gem_call, handle, s->offset, s->size, n,
		  n == 1 ? "" : "s", s->offset + first, a, b, s->id);
	return 1;
}

unsigned rp_check_results(struct rp_run *run, const struct rp_call *c, char **mismatch)
{
	char msg[RP_ERRLEN];
	unsigned bad = 0;
	uint32_t i;

	if (c->nsettle && settle(run, c, msg, sizeof(msg))) {
		rp_append(mismatch, "result buffers: %s", msg);
		run->buffer_mismatches++;
		return 1;
	}
	for (i = 0; i < c->nres; i++) {
		const struct rp_snap *s = &run->cap->results[c->res_first + i];

		if (s->file < 0 || !s->data)
			continue;
		bad += check_one(run, s, mismatch);
	}
	run->buffer_mismatches += bad;
	return bad;
}
