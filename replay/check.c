/*
 * replay/check.c: is the replayed call's result the captured one?
 *
 * Compared, per call: the return value; errno when either side failed; and
 * when both succeeded, every field the kernel writes (uapi direction out or
 * inout) in the argument struct and in the arrays it fills, as recorded after
 * the call. Not compared, because they legitimately differ between two runs
 * or two machines:
 *
 *   - object handles and ids (GEM handles, syncobjs, VM and queue ids, KMS
 *     ids, fds, flink names): they are remapped instead (objmap.c);
 *   - pointers, mmap offsets, GPU addresses the kernel picks, user data,
 *     timeouts, and padding;
 *   - what describes the build rather than the work: any field whose name
 *     contains "version" (DRM_IOCTL_VERSION's numbers, simgpu's
 *     fw_abi_version and fw_version), the driver date and description, the
 *     bus id (unique), client pids, uids and auth magics;
 *   - time: fields named *_ns, tval_sec/tval_usec, vblank sequence numbers,
 *     and first_signaled (which of several fences came first).
 *
 * For simgpu, each job's result hash is compared too (simgpu.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay_internal.h"

#define MAX_DIFFS 4

void rp_append(char **msg, const char *fmt, ...)
{
	char *add = NULL, *joined = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&add, fmt, ap) < 0)
		add = NULL;
	va_end(ap);
	if (!add)
		return;
	if (!*msg) {
		*msg = add;
		return;
	}
	if (asprintf(&joined, "%s; %s", *msg, add) >= 0) {
		free(*msg);
		*msg = joined;
	}
	free(add);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

bool rp_check_compares(const char *name, unsigned kind)
{
	static const char *const ignored[] = {
		"date", "desc", "date_len", "desc_len", "unique", "unique_len",
		"first_signaled", "magic", "pid", "uid", "tval_sec", "tval_usec",
		"sequence", "reply.sequence", "request.sequence", "reply.tval_sec",
		"reply.tval_usec",
	};
	const char *base;
	size_t i;

	switch (kind) {
	case DS_UAPI_VALUE:
	case DS_UAPI_FLAGS:
	case DS_UAPI_SIZE:
	case DS_UAPI_COUNT:
	case DS_UAPI_STRIDE:
	case DS_UAPI_CHARS:
		break;
	default:
		return false;
	}
	if (!name)
		return true;
	base = strrchr(name, '.');
	base = base ? base + 1 : name;
	if (strstr(name, "version") || ends_with(name, "_ns"))
		return false;
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		if (!strcmp(name, ignored[i]) || !strcmp(base, ignored[i]))
			return false;
	return true;
}

struct diffs {
	char *msg;
	unsigned n;
};

static void diff(struct diffs *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void diff(struct diffs *d, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (d->n++ >= MAX_DIFFS) {
		if (d->n == MAX_DIFFS + 1)
			rp_append(&d->msg, "...");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rp_append(&d->msg, "%s", buf);
}

static void compare_value(struct diffs *d, const char *prefix, const char *name,
			  unsigned kind, const uint8_t *mine, const uint8_t *cap,
			  unsigned size, bool is_signed)
{
	uint64_t a = 0, b = 0;

	if (!memcmp(mine, cap, size))
		return;
	memcpy(&a, mine, size);
	memcpy(&b, cap, size);
	if (kind == DS_UAPI_FLAGS)
		diff(d, "%s%s = 0x%" PRIx64 ", the capture has 0x%" PRIx64, prefix, name, a, b);
	else if (is_signed && size < 8)
		diff(d, "%s%s = %" PRId64 ", the capture has %" PRId64, prefix, name,
		     (int64_t)(a << (64 - size * 8)) >> (64 - size * 8),
		     (int64_t)(b << (64 - size * 8)) >> (64 - size * 8));
	else
		diff(d, "%s%s = %" PRIu64 ", the capture has %" PRIu64, prefix, name, a, b);
}

static void compare_chars(struct diffs *d, const char *prefix, const char *name,
			  const uint8_t *mine, const uint8_t *cap, size_t n)
{
	size_t a = strnlen((const char *)mine, n), b = strnlen((const char *)cap, n);

	if (a == b && !memcmp(mine, cap, a))
		return;
	diff(d, "%s%s = \"%.*s\", the capture has \"%.*s\"", prefix, name,
	     (int)(a > 64 ? 64 : a), (const char *)mine, (int)(b > 64 ? 64 : b),
	     (const char *)cap);
}

static void compare_struct(struct diffs *d, const struct ds_uapi_struct *s,
			   const uint8_t *mine, const uint8_t *cap, size_t len,
			   const char *prefix, unsigned depth)
{
	uint32_t i;

	if (depth > 4)
		return;
	for (i = 0; i < s->nfields; i++) {
		const struct ds_uapi_field *f = &s->fields[i];
		size_t n = f->nelem ? f->nelem : 1, e;

		if (f->offset >= len)
			continue;
		if (f->kind == DS_UAPI_STRUCT && f->sub) {
			char sub[128];

			snprintf(sub, sizeof(sub), "%s%s.", prefix, f->name);
			compare_struct(d, f->sub, mine + f->offset, cap + f->offset,
				       len - f->offset < f->size ? len - f->offset : f->size,
				       sub, depth + 1);
			continue;
		}
		if (!(f->dir & DS_UAPI_OUT) || !rp_check_compares(f->name, f->kind))
			continue;
		if ((size_t)f->offset + (size_t)f->size * n > len)
			continue;
		if (f->kind == DS_UAPI_CHARS) {
			compare_chars(d, prefix, f->name, mine + f->offset, cap + f->offset, n);
			continue;
		}
		if (!(f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8))
			continue;
		for (e = 0; e < n; e++) {
			char name[96];

			if (n > 1)
				snprintf(name, sizeof(name), "%s[%zu]", f->name, e);
			else
				snprintf(name, sizeof(name), "%s", f->name);
			compare_value(d, prefix, name, f->kind, mine + f->offset + e * f->size,
				      cap + f->offset + e * f->size, f->size,
				      f->flags & DS_UAPI_F_SIGNED);
		}
	}
}

static void compare_node(struct diffs *d, const struct rp_node *n)
{
	const struct ds_uapi_array *a = n->array;
	size_t len = n->cap_out_size, i;

	if (!n->cap_out || len > n->size)
		return;
	if (a->elem) {
		char prefix[128];

		if (a->count_mode == DS_UAPI_COUNT_BYTES) {
			snprintf(prefix, sizeof(prefix), "%s->", n->field->name);
			compare_struct(d, a->elem, n->buf, n->cap_out, len, prefix, 1);
			return;
		}
		for (i = 0; n->stride && (i + 1) * n->stride <= len && d->n <= MAX_DIFFS; i++) {
			snprintf(prefix, sizeof(prefix), "%s[%zu].", n->field->name, i);
			compare_struct(d, a->elem, n->buf + i * n->stride, n->cap_out + i * n->stride,
				       n->stride < a->elem->size ? n->stride : a->elem->size, prefix, 1);
		}
		return;
	}
	if (!rp_check_compares(n->field->name, a->elem_kind) || !memcmp(n->buf, n->cap_out, len))
		return;
	if (a->elem_kind == DS_UAPI_CHARS || a->count_mode == DS_UAPI_COUNT_BYTES) {
		if (a->elem_kind == DS_UAPI_CHARS)
			compare_chars(d, "", n->field->name, n->buf, n->cap_out, len);
		else
			for (i = 0; i < len; i++)
				if (n->buf[i] != n->cap_out[i]) {
					diff(d, "%s: byte %zu of %zu is 0x%02x, the capture has 0x%02x",
					     n->field->name, i, len, n->buf[i], n->cap_out[i]);
					break;
				}
		return;
	}
	for (i = 0; n->stride && (i + 1) * n->stride <= len; i++) {
		unsigned esz = n->stride <= 8 ? n->stride : 8;
		char name[96];

		if (!memcmp(n->buf + i * n->stride, n->cap_out + i * n->stride, n->stride))
			continue;
		snprintf(name, sizeof(name), "%s[%zu]", n->field->name, i);
		compare_value(d, "", name, a->elem_kind, n->buf + i * n->stride,
			      n->cap_out + i * n->stride, esz, false);
		if (d->n > MAX_DIFFS)
			break;
	}
}

/* ------------------------------------------------------------ fast path */

#define MAX_CMPS 4096

struct cmpset {
	struct rp_cmp *v;
	size_t n, cap;
	bool overflow;
};

static void add_range(struct cmpset *cs, const uint8_t *mine, const uint8_t *cap, size_t len)
{
	struct rp_cmp *last = cs->n ? &cs->v[cs->n - 1] : NULL;

	if (!len || cs->overflow)
		return;
	/* Adjacent fields merge into one memcmp. */
	if (last && last->mine + last->len == mine && last->cap + last->len == cap &&
	    last->len + len <= UINT32_MAX) {
		last->len += (uint32_t)len;
		return;
	}
	if (cs->n == cs->cap) {
		size_t nc = cs->cap ? cs->cap * 2 : 16;
		struct rp_cmp *nv;

		if (nc > MAX_CMPS) {
			cs->overflow = true;
			return;
		}
		nv = realloc(cs->v, nc * sizeof(*nv));
		if (!nv) {
			cs->overflow = true;
			return;
		}
		cs->v = nv;
		cs->cap = nc;
	}
	cs->v[cs->n++] = (struct rp_cmp){ .mine = mine, .cap = cap, .len = (uint32_t)len };
}

static void ranges_struct(struct cmpset *cs, const struct ds_uapi_struct *s, const uint8_t *mine,
			  const uint8_t *cap, size_t len, unsigned depth)
{
	uint32_t i;

	if (depth > 4)
		return;
	for (i = 0; i < s->nfields && !cs->overflow; i++) {
		const struct ds_uapi_field *f = &s->fields[i];
		size_t n = f->nelem ? f->nelem : 1;

		if (f->offset >= len)
			continue;
		if (f->kind == DS_UAPI_STRUCT && f->sub) {
			ranges_struct(cs, f->sub, mine + f->offset, cap + f->offset,
				      len - f->offset < f->size ? len - f->offset : f->size, depth + 1);
			continue;
		}
		if (!(f->dir & DS_UAPI_OUT) || !rp_check_compares(f->name, f->kind) ||
		    (size_t)f->offset + (size_t)f->size * n > len)
			continue;
		add_range(cs, mine + f->offset, cap + f->offset, (size_t)f->size * n);
	}
}

int rp_check_prepare(struct rp_capture *cap, struct rp_call *c)
{
	struct rp_plan *p = c->plan;
	struct cmpset cs = { 0 };
	uint32_t i;

	if (!c->out || !c->desc || !c->desc->arg || !c->returned || c->ret < 0)
		return 0;
	ranges_struct(&cs, c->desc->arg, p->arg, c->out,
		      p->arg_size < c->out_size ? p->arg_size : c->out_size, 0);
	for (i = 0; i < p->nnodes && !cs.overflow; i++) {
		const struct rp_node *n = &p->nodes[i];
		const struct ds_uapi_array *a = n->array;
		size_t len = n->cap_out_size, k;

		if (!n->cap_out || len > n->size)
			continue;
		if (a->elem && a->count_mode == DS_UAPI_COUNT_BYTES) {
			ranges_struct(&cs, a->elem, n->buf, n->cap_out, len, 1);
		} else if (a->elem) {
			for (k = 0; n->stride && (k + 1) * n->stride <= len && !cs.overflow; k++)
				ranges_struct(&cs, a->elem, n->buf + k * n->stride,
					      n->cap_out + k * n->stride,
					      n->stride < a->elem->size ? n->stride : a->elem->size, 1);
		} else if (rp_check_compares(n->field->name, a->elem_kind)) {
			add_range(&cs, n->buf, n->cap_out, len);
		}
	}
	if (cs.overflow) {
		p->cmp_all = true;
		free(cs.v);
		return 0;
	}
	if (cs.n) {
		p->cmps = rp_memdup(&cap->arena, cs.v, cs.n * sizeof(*cs.v));
		free(cs.v);
		if (!p->cmps)
			return -1;
		p->ncmps = (uint32_t)cs.n;
	}
	return 0;
}

static const char *errname(int err)
{
	const char *n = err ? strerrorname_np(err) : NULL;

	return n ? n : "?";
}

char *rp_check_call(const struct rp_run *run, const struct rp_call *c,
		    int64_t ret, int err, const char *note)
{
	struct diffs d = { 0 };
	bool cap_ok = c->ret >= 0, ok = ret >= 0;
	const struct rp_plan *p = c->plan;
	uint32_t i;

	(void)run;
	if (!c->returned)
		return NULL;	/* the capture has no result to compare with */
	if (cap_ok != ok) {
		if (ok)
			rp_append(&d.msg, "succeeded; the capture failed with %s (%s)",
				  errname(c->err), strerror(c->err));
		else
			rp_append(&d.msg, "failed with %s (%s); the capture succeeded",
				  errname(err), strerror(err));
	} else if (!ok && err != c->err) {
		rp_append(&d.msg, "failed with %s (%s); the capture failed with %s (%s)",
			  errname(err), strerror(err), errname(c->err), strerror(c->err));
	} else if (ok && ret != c->ret) {
		rp_append(&d.msg, "returned %" PRId64 ", the capture %" PRId64, ret, c->ret);
	} else if (ok && p && c->out && c->desc && c->desc->arg && !c->no_out_check) {
		bool differ = p->cmp_all;

		for (i = 0; i < p->ncmps && !differ; i++)
			differ = memcmp(p->cmps[i].mine, p->cmps[i].cap, p->cmps[i].len) != 0;
		if (!differ)
			return NULL;
		/* Something differs: say what, field by field. */
		compare_struct(&d, c->desc->arg, p->arg, c->out,
			       p->arg_size < c->out_size ? p->arg_size : c->out_size, "", 0);
		for (i = 0; i < p->nnodes && d.n <= MAX_DIFFS; i++)
			compare_node(&d, &p->nodes[i]);
	}
	if (d.msg && note && note[0])
		rp_append(&d.msg, "(%s)", note);
	return d.msg;
}
