/*
 * replay/validate.c: the capture is untrusted input; check all of it before
 * the first ioctl.
 *
 * For every call: the request must have a uapi description (a request with
 * none is skipped with a warning, because nothing says which of its bytes are
 * pointers; --raw-unknown replays those that pass no struct or whose struct
 * the user vouches for), the recorded struct must have the size the request
 * number encodes, every array must have exactly the bytes its count and
 * stride say, the array rows must be the ones the uapi walker finds, in its
 * order (args.c builds the plan, rp_plan_walk_check() runs the real walker
 * over it). Then, in replay order, object lifetimes are simulated: a handle,
 * id or fd that a call which succeeded in the capture passes in must have
 * been returned by an earlier call of the capture (else it is "dangling"),
 * and every buffer snapshot must name a live GEM handle (a result snapshot,
 * taken after its call, one still alive after it). Last, every snapshot's
 * blob is loaded and checked against its size and hash.
 *
 * Errors name the call (its ioctl id and name) and what is wrong. Nothing is
 * handed to the kernel until this returns 0.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <drmscope/db.h>

#include "replay_internal.h"

struct vstate {
	FILE *out;
	const struct rp_options *opt;
	size_t errors;
};

static void report(struct vstate *v, const char *msg)
{
	if (v->errors < (v->opt->max_shown ? v->opt->max_shown : 20))
		fprintf(v->out, "drmscope replay: %s\n", msg);
	v->errors++;
}

static bool none(const struct rp_slot *s, uint64_t v)
{
	if (s->cls == RP_C_FD) {
		int64_t x = s->size >= 8 ? (int64_t)v : (int64_t)(int32_t)(uint32_t)v;

		return x < 0 || (v == 0 && s->optional);
	}
	return v == 0;
}

/* Every snapshot of @c (@what, taken @when) must be of a live GEM handle. */
static void check_snaps_alive(struct vstate *v, const struct rp_objmap *live,
			      const struct rp_call *c, const struct rp_snap *snaps,
			      size_t n, const char *what, const char *when)
{
	struct rp_err e = { 0 };
	size_t k;

	for (k = 0; k < n; k++) {
		const struct rp_snap *s = &snaps[k];

		if (s->file >= 0 && rp_map_get(live, RP_C_GEM, (uint32_t)s->file,
					       s->handle, NULL))
			continue;
		e.set = false;
		rp_errf(&e, "malformed capture: call %" PRId64 " (%s): %s %" PRId64
			" is of GEM handle %" PRIu32 ", which is not alive %s",
			c->id, c->name, what, s->id, s->handle, when);
		report(v, e.msg);
	}
}

static void check_lifetimes(struct vstate *v, struct rp_capture *cap)
{
	struct rp_objmap live;
	struct rp_err e = { 0 };
	size_t i;

	if (rp_map_init(&live, 1024)) {
		report(v, "out of memory");
		return;
	}
	for (i = 0; i < cap->ncalls; i++) {
		const struct rp_call *c = &cap->calls[cap->order[i]];
		const struct rp_plan *p = c->plan;
		bool ok = c->returned && c->ret >= 0;
		uint32_t k;

		if (!p || c->skip == RP_SKIP_UNKNOWN || c->skip == RP_SKIP_LEGACY)
			continue;
		for (k = 0; k < p->nslots; k++) {
			const struct rp_slot *s = &p->slots[k];

			if (!(s->ops & RP_SLOT_IN) || !s->cls || none(s, s->cap_in))
				continue;
			if (rp_map_get(&live, s->cls, s->ns, s->cap_in, NULL))
				continue;
			if (!ok || (s->ops & RP_SLOT_OUT))
				continue;	/* replayed with an invalid id, as it failed */
			e.set = false;
			rp_errf(&e, "malformed capture: call %" PRId64 " (%s): %s %s %" PRIu64
				"%s was not created earlier in the capture (dangling)",
				c->id, c->name, s->name, rp_class_name(s->cls), s->cap_in,
				s->node >= 0 ? " (in an array)" : "");
			report(v, e.msg);
		}
		check_snaps_alive(v, &live, c, &cap->snaps[c->snap_first], c->nsnap,
				  "buffer_snapshot", "there");
		if (ok) {
			for (k = 0; k < p->nslots; k++) {
				const struct rp_slot *s = &p->slots[k];

				if ((s->ops & RP_SLOT_OUT) && s->has_out && s->cls &&
				    !none(s, s->cap_out))
					if (rp_map_put(&live, s->cls, s->ns, s->cap_out, 1))
						report(v, "out of memory");
			}
			for (k = 0; k < p->nslots; k++) {
				const struct rp_slot *s = &p->slots[k];

				if (s->ops & RP_SLOT_DESTROY)
					rp_map_del(&live, s->cls, s->ns, s->cap_in);
			}
		}
		/* Results are read after the call: their handles must live on. */
		check_snaps_alive(v, &live, c, &cap->results[c->res_first], c->nres,
				  "result buffer_snapshot", "after it");
	}
	rp_map_free(&live);
}

size_t rp_validate(struct ds_db *db, struct rp_capture *cap,
		   const struct rp_options *opt, FILE *out)
{
	struct vstate v = { .out = out, .opt = opt };
	size_t i, unknown = 0;
	struct rp_err e = { 0 };

	for (i = 0; i < cap->ncalls; i++) {
		struct rp_call *c = &cap->calls[i];

		if (c->skip == RP_SKIP_RANGE)
			continue;
		if (!c->desc) {
			/* No description: nothing says where its pointers are. */
			if (!opt->raw_unknown && ds_uapi_ioc_size(c->request)) {
				c->skip = RP_SKIP_UNKNOWN;
				if (opt->verbose && unknown < 20)
					fprintf(out, "drmscope replay: call %" PRId64 " (%s, request 0x%08"
						PRIx32 "): no uapi description, not replayed\n",
						c->id, c->name, c->request);
				unknown++;
				continue;
			}
		} else if (c->desc->flags & DS_UAPI_I_LEGACY) {
			c->skip = RP_SKIP_LEGACY;
			if (opt->verbose && unknown < 20)
				fprintf(out, "drmscope replay: call %" PRId64 " (%s): a legacy DRI1"
					" ioctl, not replayed\n", c->id, c->name);
			unknown++;
			continue;
		}
		e.set = false;
		if (rp_plan_build(cap, c, &e) || rp_plan_walk_check(c, &e)) {
			report(&v, e.msg);
			continue;
		}
	}
	cap->skipped_unknown = unknown;
	if (unknown)
		fprintf(out, "drmscope replay: warning: %zu call%s with no uapi description (or"
			" legacy DRI1) will not be replayed%s\n", unknown, unknown == 1 ? "" : "s",
			opt->raw_unknown ? "" : " (see --raw-unknown)");
	if (!v.errors)
		check_lifetimes(&v, cap);
	if (!v.errors) {
		e.set = false;
		if (rp_load_blobs(db, cap, !opt->no_buffer_check, &e))
			report(&v, e.msg);
	}
	if (v.errors > (opt->max_shown ? opt->max_shown : 20))
		fprintf(out, "drmscope replay: ... and %zu more errors\n",
			v.errors - (opt->max_shown ? opt->max_shown : 20));
	return v.errors;
}
