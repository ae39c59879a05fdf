/*
 * replay/args.c: the memory a replayed ioctl hands the kernel.
 *
 * A capture holds, per call, the argument struct before the call (`in`) and
 * after it (`out`), and every array a pointer led to: `array_in` rows in the
 * order of the uapi walker's IN phase, `array_out` rows in the order of its
 * OUT phase (docs/replay.md, "The capture contract"). The pointers inside
 * those bytes are the recording process's addresses. For each call this file
 * builds, once, before the replay starts:
 *
 *   - a copy of the struct whose pointer fields point at the replay's own
 *     copies of the arrays (depth first: element structs that hold pointers
 *     get theirs rewritten too); arrays the kernel only writes get zeroed
 *     buffers of the size user space made room for; a pointer the capture
 *     could not read, or one with a zero count, is pointed at a PROT_NONE
 *     guard page, so no recorded address ever reaches the kernel;
 *   - the list of slots to remap (objmap.c): every field or array element
 *     whose uapi kind is an object (GEM handle, syncobj, VM, queue, KMS id,
 *     fd...), every absolute timeout, every returned mmap offset and size.
 *
 * The IN spans are numbered by a traversal that mirrors ds_uapi_walk();
 * rp_plan_walk_check() then runs the real walker over the built copies and
 * fails on any difference, so the two cannot drift apart silently. OUT
 * spans are matched with the walker itself, reading array_out rows in order.
 *
 * Every count, stride and size is checked against the recorded bytes and
 * bounded (RP_MAX_*) before any memory is reserved.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "replay_internal.h"

/* KMS property flags (drm_mode.h), kept here so the rule is visible. */
#define KPROP_BLOB		(1u << 4)
#define KPROP_EXT_MASK		0x0000ffc0u
#define KPROP_OBJECT		(1u << 6)	/* DRM_MODE_PROP_TYPE(1) */
#define FLIP_EVENT		0x01u		/* DRM_MODE_PAGE_FLIP_EVENT */

void *rp_guard_page(void)
{
	static void *guard;

	if (!guard) {
		void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		guard = p == MAP_FAILED ? (void *)(uintptr_t)0x10 : p;
	}
	return guard;
}

struct build {
	struct rp_capture *cap;
	struct rp_call *c;
	struct rp_plan *p;
	struct rp_err *err;
	struct rp_node *nodes;
	size_t nnodes, capnodes;
	struct rp_slot *slots;
	size_t nslots, capslots;
	struct rp_patch *patches;
	size_t npatches, cappatches;
	uint32_t in_idx;
	uint64_t bytes;
	uint32_t ns_file, ns_dev, ns_pid;
	bool failed;
};

static int grow(void **arr, size_t *cap, size_t n, size_t elem, size_t max)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	if (n >= max)
		return -1;
	c = *cap ? *cap * 2 : 8;
	p = realloc(*arr, c * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = c;
	return 0;
}

static void fail(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct build *b, const char *fmt, ...)
{
	char text[RP_ERRLEN - 96];
	va_list ap;

	if (b->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	rp_errf(b->err, "malformed capture: call %" PRId64 " (%s): %s", b->c->id,
		b->c->name, text);
	b->failed = true;
}

static uint64_t rd(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	if (size == 1 || size == 2 || size == 4 || size == 8)
		memcpy(&v, p, size);	/* little endian */
	return v;
}

static void wr(uint8_t *p, unsigned size, uint64_t v)
{
	if (size == 1 || size == 2 || size == 4 || size == 8)
		memcpy(p, &v, size);
}

static void patch(struct build *b, uint8_t *loc, unsigned size, uint64_t val)
{
	if (grow((void **)&b->patches, &b->cappatches, b->npatches, sizeof(*b->patches),
		 RP_MAX_NODES * 2)) {
		fail(b, "too many pointers");
		return;
	}
	b->patches[b->npatches++] = (struct rp_patch){ .loc = loc, .val = val, .size = (uint8_t)size };
	wr(loc, size, val);
}

static int add_slot(struct build *b, const struct rp_slot *s)
{
	if (grow((void **)&b->slots, &b->capslots, b->nslots, sizeof(*b->slots), 1u << 22)) {
		fail(b, "too many handles and ids");
		return -1;
	}
	b->slots[b->nslots] = *s;
	return (int)b->nslots++;
}

static uint32_t ns_of(const struct build *b, unsigned cls)
{
	switch (cls) {
	case RP_C_GEM_NAME:
	case RP_C_KMS:
	case RP_C_LESSEE:
	case RP_C_HOST_RES:
		return b->ns_dev;
	case RP_C_FD:
		return b->ns_pid;
	default:
		return b->ns_file;
	}
}

/* Slot flags for a field's direction (and destroy flag). */
static uint8_t ops_of(unsigned dir, unsigned flags)
{
	uint8_t ops = 0;

	if (dir & DS_UAPI_IN)
		ops |= RP_SLOT_IN;
	if (dir & DS_UAPI_OUT)
		ops |= RP_SLOT_OUT;
	if (flags & DS_UAPI_F_DESTROY)
		ops |= RP_SLOT_DESTROY;
	return ops;
}

/*
 * A KMS property value is an object id, a blob id, an fd or a number,
 * depending on the property, which the capture's GETPROPERTY calls named.
 */
static void prop_value_slot(struct build *b, uint8_t *loc, unsigned size,
			    uint32_t prop_id, int16_t node, uint32_t elem,
			    const char *name)
{
	const struct rp_kprop *k = rp_kprop_find(b->cap, (int)b->ns_dev, prop_id);
	struct rp_slot s = {
		.loc = loc, .size = (uint8_t)size, .name = name, .node = node,
		.elem = elem, .peer = -1, .cap_in = rd(loc, size), .ops = RP_SLOT_IN,
	};

	if (!k)
		return;
	if (!strcmp(k->name, "OUT_FENCE_PTR")) {
		s.ops = RP_SLOT_FENCE_PTR;
		add_slot(b, &s);
		return;
	}
	if (!strcmp(k->name, "IN_FENCE_FD")) {
		s.cls = RP_C_FD;
		s.is_signed = true;
	} else if ((k->flags & KPROP_BLOB) ||
		   (k->flags & KPROP_EXT_MASK) == KPROP_OBJECT) {
		s.cls = RP_C_KMS;
	} else {
		return;
	}
	s.ns = ns_of(b, s.cls);
	add_slot(b, &s);
}

static void build_struct(struct build *b, const struct ds_uapi_struct *s,
			 uint8_t *base, size_t len, unsigned depth, int node,
			 uint32_t elem, bool in_vis);

/* The sum of the u32 array a COUNT_SUM array's counts live in. */
static bool sum_of(struct build *b, const struct ds_uapi_array *a, size_t first_node,
		   uint64_t *sum)
{
	size_t i;
	uint64_t k;

	*sum = 0;
	for (i = first_node; i < b->nnodes; i++) {
		const struct rp_node *n = &b->nodes[i];

		if (n->field->offset != a->sum_ptr.offset || n->depth != b->nodes[first_node].depth)
			continue;
		for (k = 0; k < n->count; k++) {
			uint32_t v;

			memcpy(&v, n->buf + k * n->stride, 4);
			*sum += v;
		}
		return true;
	}
	return false;
}

static void build_ptr(struct build *b, const struct ds_uapi_struct *s,
		      const struct ds_uapi_field *f, uint8_t *base, size_t len,
		      unsigned depth, int parent, size_t first_node, bool in_vis)
{
	const struct ds_uapi_array *a = f->array;
	struct rp_node n = {
		.field = f, .array = a, .in_idx = -1, .out_idx = -1,
		.parent = parent, .dir = a->dir, .depth = (uint8_t)depth,
	};
	uint8_t *ploc = base + f->offset;
	unsigned psize = f->size;
	const struct rp_payload *row = NULL;
	uint64_t count = 0, i;
	uint32_t stride = 0;
	int idx;

	if ((size_t)f->offset + f->size > len || (psize != 4 && psize != 8))
		return;
	if (a->count_mode == DS_UAPI_COUNT_SUM) {
		n.addr = rd(ploc, psize);
		stride = a->elem_size;
		if (!n.addr)
			return;
		if (!sum_of(b, a, first_node, &count))
			count = 0;
	} else if (ds_uapi_array_extent(f, base, len, &n.addr, &count, &stride)) {
		return;
	}
	if (!n.addr)
		return;
	if (!count) {
		/* The kernel should not look; if it does, it faults. */
		patch(b, ploc, psize, (uint64_t)(uintptr_t)rp_guard_page());
		return;
	}
	if (!stride || (stride > RP_MAX_STRIDE && a->count_mode != DS_UAPI_COUNT_BYTES)) {
		fail(b, "array '%s': element stride %" PRIu32 " is invalid", f->name, stride);
		return;
	}
	if (a->count_mode != DS_UAPI_COUNT_BYTES && count > RP_MAX_COUNT) {
		fail(b, "array '%s': count %" PRIu64 " is more than the replay accepts (%u)",
		     f->name, count, RP_MAX_COUNT);
		return;
	}
	if (count > (RP_MAX_CALL_BYTES - b->bytes) / stride) {
		fail(b, "array '%s': %" PRIu64 " x %" PRIu32 " bytes is more than the replay"
		     " accepts for one call", f->name, count, stride);
		return;
	}
	if (b->nnodes >= RP_MAX_NODES || depth >= RP_MAX_DEPTH) {
		fail(b, "more than %u arrays, or nested deeper than %u", RP_MAX_NODES, RP_MAX_DEPTH);
		return;
	}
	n.count = count;
	n.stride = stride;
	n.size = count * stride;
	b->bytes += n.size;

	if ((a->dir & DS_UAPI_IN) && in_vis) {
		uint32_t k;

		n.in_idx = (int32_t)b->in_idx++;
		for (k = 0; k < b->c->nain; k++)
			if (b->c->ain[k].idx == n.in_idx) {
				row = &b->c->ain[k];
				break;
			}
		if (!row) {
			if (b->c->returned && b->c->ret < 0) {
				/* The recording process's pointer was bad: keep it failing. */
				patch(b, ploc, psize, (uint64_t)(uintptr_t)rp_guard_page());
				return;
			}
			fail(b, "array %d (field '%s', %" PRIu64 " bytes) is missing from the"
			     " capture", n.in_idx, f->name, n.size);
			return;
		}
		if (row->field && strcmp(row->field, f->name)) {
			fail(b, "array_in %d is for field '%s', the uapi description expects '%s'",
			     n.in_idx, row->field, f->name);
			return;
		}
		if (row->size != n.size) {
			fail(b, "array_in %d (field '%s') has %" PRIu32 " bytes; its count %" PRIu64
			     " x stride %" PRIu32 " says %" PRIu64, n.in_idx, f->name, row->size,
			     count, stride, n.size);
			return;
		}
		n.cap_in = row->bytes;
		n.buf = rp_memdup(&b->cap->arena, row->bytes, row->size);
		n.recopy = (a->dir & DS_UAPI_OUT) != 0;
	} else {
		n.buf = rp_alloc(&b->cap->arena, n.size);
	}
	if (!n.buf) {
		fail(b, "out of memory");
		return;
	}
	if (grow((void **)&b->nodes, &b->capnodes, b->nnodes, sizeof(n), RP_MAX_NODES)) {
		fail(b, "too many arrays");
		return;
	}
	idx = (int)b->nnodes;
	b->nodes[b->nnodes++] = n;
	patch(b, ploc, psize, (uint64_t)(uintptr_t)n.buf);

	/* The elements: handles to remap, nested pointers to follow. */
	if (a->elem) {
		bool vis = in_vis && (a->dir & DS_UAPI_IN);

		if (a->count_mode == DS_UAPI_COUNT_BYTES) {
			build_struct(b, a->elem, n.buf, n.size, depth + 1, idx, 0, vis);
		} else {
			for (i = 0; i < count && !b->failed; i++)
				build_struct(b, a->elem, n.buf + i * stride,
					     stride < a->elem->size ? stride : a->elem->size,
					     depth + 1, idx, (uint32_t)i, vis);
		}
	} else if (a->elem_kind == DS_UAPI_KMS_PROP_VALUE && (a->dir & DS_UAPI_IN)) {
		size_t k;

		/* Paired by index with the property id array of the same struct. */
		for (k = first_node; k < (size_t)idx; k++) {
			const struct rp_node *pn = &b->nodes[k];

			if (pn->depth == depth && pn->array->elem_kind == DS_UAPI_KMS_PROPERTY &&
			    pn->count == count && pn->stride == 4)
				break;
		}
		if (k < (size_t)idx && stride == 8)
			for (i = 0; i < count; i++) {
				uint32_t pid;

				memcpy(&pid, b->nodes[k].buf + i * 4, 4);
				prop_value_slot(b, b->nodes[idx].buf + i * 8, 8, pid,
						(int16_t)idx, (uint32_t)i, f->name);
			}
	} else {
		unsigned cls = rp_class_of_kind(a->elem_kind);
		unsigned esize = stride < 8 ? stride : 8;

		if (cls && (esize == 1 || esize == 2 || esize == 4 || esize == 8)) {
			for (i = 0; i < count; i++) {
				struct rp_slot sl = {
					.loc = b->nodes[idx].buf + i * stride,
					.size = (uint8_t)esize,
					.cls = (uint8_t)cls,
					.ns = ns_of(b, cls),
					.ops = ops_of(a->dir, 0),
					.name = f->name,
					.node = (int16_t)idx,
					.elem = (uint32_t)i,
					.peer = -1,
					.is_signed = cls == RP_C_FD,
				};

				sl.cap_in = rd(sl.loc, sl.size);
				if (add_slot(b, &sl) < 0)
					return;
			}
		}
	}
	(void)s;
}

static void build_struct(struct build *b, const struct ds_uapi_struct *s,
			 uint8_t *base, size_t len, unsigned depth, int node,
			 uint32_t elem, bool in_vis)
{
	size_t first_node = b->nnodes;
	int gem_slot = -1;
	size_t first_slot = b->nslots, k;
	uint32_t i;

	for (i = 0; i < s->nfields && !b->failed; i++) {
		const struct ds_uapi_field *f = &s->fields[i];
		size_t flen = (size_t)f->size * (f->nelem ? f->nelem : 1);
		unsigned cls, e;

		if (f->offset >= len)
			continue;
		if (f->kind == DS_UAPI_PTR) {
			if (f->array) {
				build_ptr(b, s, f, base, len, depth, node, first_node, in_vis);
			} else if ((size_t)f->offset + f->size <= len &&
				   (f->size == 4 || f->size == 8) && rd(base + f->offset, f->size)) {
				/* A pointer nothing describes: never pass the recorded address. */
				patch(b, base + f->offset, f->size, (uint64_t)(uintptr_t)rp_guard_page());
			}
			continue;
		}
		if (f->kind == DS_UAPI_STRUCT) {
			if (f->sub)
				build_struct(b, f->sub, base + f->offset,
					     len - f->offset < f->size ? len - f->offset : f->size,
					     depth, node, elem, in_vis);
			continue;
		}
		if ((size_t)f->offset + flen > len ||
		    !(f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8))
			continue;
		if (f->kind == DS_UAPI_TIMEOUT && (f->dir & DS_UAPI_IN) && f->size == 8) {
			struct rp_slot sl = {
				.loc = base + f->offset, .size = 8, .ops = RP_SLOT_TIMEOUT,
				.name = f->name, .node = (int16_t)node, .elem = elem, .peer = -1,
			};

			sl.cap_in = rd(sl.loc, 8);
			add_slot(b, &sl);
			b->c->is_wait = true;
			continue;
		}
		if ((f->kind == DS_UAPI_MMAP_OFFSET || f->kind == DS_UAPI_SIZE) &&
		    (f->dir & DS_UAPI_OUT) && f->nelem <= 1) {
			struct rp_slot sl = {
				.loc = base + f->offset, .size = (uint8_t)f->size,
				.ops = f->kind == DS_UAPI_MMAP_OFFSET ? RP_SLOT_MMAP : RP_SLOT_BOSIZE,
				.name = f->name, .node = (int16_t)node, .elem = elem, .peer = -1,
				.ns = b->ns_file,
			};

			add_slot(b, &sl);
			continue;
		}
		if (f->kind == DS_UAPI_KMS_PROP_VALUE && (f->dir & DS_UAPI_IN)) {
			uint32_t j;

			for (j = 0; j < s->nfields; j++) {
				const struct ds_uapi_field *pf = &s->fields[j];
				uint64_t pid;

				if (pf->kind == DS_UAPI_KMS_PROPERTY &&
				    !ds_uapi_field_get(pf, base, len, 0, &pid)) {
					prop_value_slot(b, base + f->offset, f->size, (uint32_t)pid,
							(int16_t)node, elem, f->name);
					break;
				}
			}
			continue;
		}
		cls = rp_class_of_kind(f->kind);
		if (!cls)
			continue;
		for (e = 0; e < (f->nelem ? f->nelem : 1u); e++) {
			struct rp_slot sl = {
				.loc = base + f->offset + (size_t)e * f->size,
				.size = (uint8_t)f->size,
				.cls = (uint8_t)cls,
				.ns = ns_of(b, cls),
				.ops = ops_of(f->dir, f->flags),
				.name = f->name,
				.node = (int16_t)node,
				.elem = elem,
				.peer = -1,
				.is_signed = (f->flags & DS_UAPI_F_SIGNED) || cls == RP_C_FD,
				.optional = (f->flags & DS_UAPI_F_OPTIONAL) != 0,
			};
			int si;

			sl.cap_in = rd(sl.loc, sl.size);
			si = add_slot(b, &sl);
			if (si >= 0 && cls == RP_C_GEM && gem_slot < 0)
				gem_slot = si;
		}
	}
	/* mmap offsets and sizes belong to this struct's GEM handle. */
	for (k = first_slot; k < b->nslots; k++) {
		struct rp_slot *sl = &b->slots[k];

		if (!(sl->ops & (RP_SLOT_MMAP | RP_SLOT_BOSIZE)) || sl->peer >= 0)
			continue;
		if (gem_slot < 0 || sl->node != (int16_t)node || sl->elem != elem ||
		    ((sl->ops & RP_SLOT_BOSIZE) && !(b->slots[gem_slot].ops & RP_SLOT_OUT))) {
			sl->ops &= (uint8_t)~(RP_SLOT_MMAP | RP_SLOT_BOSIZE);
			continue;
		}
		sl->peer = (int16_t)gem_slot;
	}
}

/* ------------------------------------------------------------ OUT spans */

struct out_ctx {
	struct build *b;
	uint32_t next;		/* next array_out row to hand out */
	const struct rp_payload *row;	/* the row of the last read */
};

static int out_read(void *ctx, uint64_t addr, void *dst, size_t len)
{
	struct out_ctx *o = ctx;
	const struct rp_payload *row;

	(void)addr;
	if (o->next >= o->b->c->naout)
		return -EFAULT;
	row = &o->b->c->aout[o->next];
	if (row->idx != (int32_t)o->next || row->size != len) {
		fail(o->b, "array_out %" PRIu32 " has %" PRIu32 " bytes where the uapi walk of"
		     " the recorded 'out' struct expects %zu", o->next, row->size, len);
		return -EINVAL;
	}
	memcpy(dst, row->bytes, len);
	o->row = row;
	o->next++;
	return 0;
}

static int out_visit(void *ctx, const struct ds_uapi_span *sp)
{
	struct out_ctx *o = ctx;
	struct build *b = o->b;
	size_t i;

	if (!sp->data || sp->truncated) {
		if (!b->failed)
			fail(b, "array_out %u (field '%s') cannot be matched: %s", sp->index,
			     sp->field->name, sp->truncated ? "over the replay's limits" :
			     "no recorded bytes");
		return -EINVAL;
	}
	if (o->row && o->row->field && strcmp(o->row->field, sp->field->name)) {
		fail(b, "array_out %u is for field '%s', the uapi description expects '%s'",
		     sp->index, o->row->field, sp->field->name);
		return -EINVAL;
	}
	/* The replay's array for the same pointer (field and recorded address). */
	for (i = 0; i < b->nnodes; i++) {
		struct rp_node *n = &b->nodes[i];

		if (n->field == sp->field && n->addr == sp->addr && n->out_idx < 0) {
			if (sp->size > n->size) {
				fail(b, "array_out %u (field '%s') has %" PRIu64 " bytes, more than"
				     " the %" PRIu64 " user space made room for", sp->index,
				     sp->field->name, sp->size, n->size);
				return -EINVAL;
			}
			n->out_idx = (int32_t)sp->index;
			n->cap_out = o->row->bytes;
			n->cap_out_size = o->row->size;
			return 0;
		}
	}
	/* A pointer the kernel wrote through that the replay did not see: ignore. */
	return 0;
}

static void match_out_spans(struct build *b)
{
	const struct rp_call *c = b->c;
	struct out_ctx o = { .b = b };
	struct ds_uapi_walk_ops ops = {
		.read = out_read, .visit = out_visit, .ctx = &o,
		.max_count = RP_MAX_COUNT, .max_stride = RP_MAX_STRIDE,
		.max_depth = RP_MAX_DEPTH, .max_spans = RP_MAX_NODES,
	};
	uint64_t total = 0;
	uint32_t i;
	void *scratch;
	int rc;

	if (!c->out || !c->desc || !c->desc->arg || !c->returned || c->ret < 0 || !c->naout)
		return;
	for (i = 0; i < c->naout; i++)
		total += c->aout[i].size;
	scratch = malloc(total + 64);
	if (!scratch) {
		fail(b, "out of memory");
		return;
	}
	ops.scratch = scratch;
	ops.scratch_len = total + 64;
	ops.max_bytes = total + 64;
	rc = ds_uapi_walk(c->desc->arg, c->out, c->out_size, c->in, c->in_size,
			  DS_UAPI_OUT, &ops);
	free(scratch);
	if (rc >= 0 && o.next != c->naout && !b->failed)
		fail(b, "%" PRIu32 " array_out rows, but the uapi walk of the recorded 'out'"
		     " struct finds %" PRIu32 " arrays", c->naout, o.next);
}

/* ------------------------------------------------------------ the plan */

int rp_plan_build(struct rp_capture *cap, struct rp_call *c, struct rp_err *err)
{
	const struct ds_uapi_struct *s = c->desc ? c->desc->arg : NULL;
	struct build b = {
		.cap = cap, .c = c, .err = err,
		.ns_file = (uint32_t)c->file,
		.ns_dev = (uint32_t)cap->files[c->file].device,
		.ns_pid = (uint32_t)c->pid,
	};
	struct rp_plan *p;
	uint32_t size = ds_uapi_ioc_size(c->request), i;
	int rc = -1;

	p = rp_alloc(&cap->arena, sizeof(*p));
	if (!p) {
		rp_errf(err, "out of memory");
		return -1;
	}
	p->queue_slot = -1;
	p->seqno_off = -1;
	p->jobs_node = -1;
	b.p = p;

	/* The struct the kernel copies: _IOC_SIZE bytes, as recorded. */
	if (c->in && c->in_size != size) {
		fail(&b, "the recorded argument struct has %" PRIu32 " bytes, the request"
		     " 0x%08" PRIx32 " passes %" PRIu32, c->in_size, c->request, size);
		goto out;
	}
	if (c->out && c->out_size != size) {
		fail(&b, "the recorded 'out' struct has %" PRIu32 " bytes, the request"
		     " 0x%08" PRIx32 " passes %" PRIu32, c->out_size, c->request, size);
		goto out;
	}
	if (!c->in && size && ds_uapi_ioc_copies_in(c->request)) {
		fail(&b, "the argument struct (%" PRIu32 " bytes) was not recorded", size);
		goto out;
	}
	if (s && !size) {
		fail(&b, "request 0x%08" PRIx32 " passes no struct, its uapi description has"
		     " one of %" PRIu32 " bytes", c->request, s->size);
		goto out;
	}
	p->arg_size = size;
	if (size) {
		p->arg = rp_alloc(&cap->arena, size);
		if (!p->arg) {
			fail(&b, "out of memory");
			goto out;
		}
		if (c->in)
			memcpy(p->arg, c->in, size);
	}
	if (s && size)
		build_struct(&b, s, p->arg, size, 0, -1, 0, true);
	if (b.failed)
		goto out;
	if (b.in_idx != c->nain) {
		uint32_t k;

		for (k = 0; k < c->nain; k++)
			if (c->ain[k].idx >= (int32_t)b.in_idx)
				break;
		fail(&b, "%" PRIu32 " array_in rows, but the uapi walk of the recorded struct"
		     " finds %" PRIu32 " arrays%s", c->nain, b.in_idx,
		     k < c->nain ? " (extra rows past the last array)" : "");
		goto out;
	}
	match_out_spans(&b);
	if (b.failed)
		goto out;

	/* Captured OUT values for the slots, from the struct and the arrays after the call. */
	for (i = 0; i < b.nslots; i++) {
		struct rp_slot *sl = &b.slots[i];
		const uint8_t *src = NULL;
		size_t off, avail;

		if (sl->node < 0) {
			off = (size_t)(sl->loc - p->arg);
			src = c->out;
			avail = c->out_size;
		} else {
			const struct rp_node *n = &b.nodes[sl->node];

			off = (size_t)(sl->loc - n->buf);
			src = n->cap_out;
			avail = n->cap_out_size;
		}
		if (src && off + sl->size <= avail && c->returned && c->ret >= 0) {
			sl->cap_out = rd(src + off, sl->size);
			sl->has_out = true;
		}
		if (sl->node < 0 && sl->cls == RP_C_QUEUE && p->queue_slot < 0)
			p->queue_slot = (int32_t)i;
	}
	if (s && c->desc && (c->desc->flags & DS_UAPI_I_SUBMIT)) {
		const struct ds_uapi_field *sf = ds_uapi_field_by_name(s, "seqno");

		if (sf && (sf->dir & DS_UAPI_OUT) && sf->size == 8 && sf->offset + 8u <= size)
			p->seqno_off = sf->offset;
		for (i = 0; i < b.nnodes; i++)
			if (b.nodes[i].parent < 0 && b.nodes[i].array->elem) {
				p->jobs_node = (int32_t)i;
				break;
			}
	}
	if (s && c->desc && (c->desc->flags & DS_UAPI_I_KMS_COMMIT)) {
		const struct ds_uapi_field *ff = ds_uapi_field_by_name(s, "flags");
		uint64_t fl;

		p->kms_commit = true;
		if (ff && !ds_uapi_field_get(ff, p->arg, size, 0, &fl) && (fl & FLIP_EVENT) &&
		    ds_uapi_field_by_name(s, "user_data"))
			p->wants_event = true;
	}

	p->nodes = rp_memdup(&cap->arena, b.nodes, b.nnodes * sizeof(*b.nodes));
	p->slots = rp_memdup(&cap->arena, b.slots, b.nslots * sizeof(*b.slots));
	p->patches = rp_memdup(&cap->arena, b.patches, b.npatches * sizeof(*b.patches));
	if ((b.nnodes && !p->nodes) || (b.nslots && !p->slots) || (b.npatches && !p->patches)) {
		rp_errf(err, "out of memory");
		goto out;
	}
	p->nnodes = (uint32_t)b.nnodes;
	p->nslots = (uint32_t)b.nslots;
	p->npatches = (uint32_t)b.npatches;
	p->n_in_spans = b.in_idx;
	c->plan = p;
	if (rp_check_prepare(cap, c)) {
		rp_errf(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(b.nodes);
	free(b.slots);
	free(b.patches);
	return rc;
}

/* ------------------------------------------------------------ walker check */

struct check_ctx {
	const struct rp_call *c;
	struct rp_err *err;
	uint32_t next;
};

/* Serve the walker from the plan's copies, looked up by recorded address. */
static int check_read(void *ctx, uint64_t addr, void *dst, size_t len)
{
	const struct check_ctx *k = ctx;
	const struct rp_plan *p = k->c->plan;
	uint32_t i;

	for (i = 0; i < p->nnodes; i++) {
		const struct rp_node *n = &p->nodes[i];

		if (n->addr == addr && n->cap_in && len <= n->size) {
			memcpy(dst, n->cap_in, len);
			return 0;
		}
	}
	return -EFAULT;
}

static int check_visit(void *ctx, const struct ds_uapi_span *sp)
{
	struct check_ctx *k = ctx;
	const struct rp_plan *p = k->c->plan;
	const struct rp_node *n = NULL;
	uint32_t i;

	for (i = 0; i < p->nnodes; i++)
		if (p->nodes[i].in_idx == (int32_t)sp->index) {
			n = &p->nodes[i];
			break;
		}
	if (!sp->data) {
		/* The capture could not read it either: the plan uses the guard page. */
		if (!n)
			return 0;
		rp_errf(k->err, "internal: call %" PRId64 " (%s): the uapi walker could not"
			" read array %u", k->c->id, k->c->name, sp->index);
		return -EINVAL;
	}
	if (!n || n->field != sp->field || n->size != sp->size || sp->truncated ||
	    n->depth != sp->depth) {
		rp_errf(k->err, "malformed capture: call %" PRId64 " (%s): array %u (field '%s',"
			" %" PRIu64 " bytes%s) does not match the replay's plan", k->c->id,
			k->c->name, sp->index, sp->field->name, sp->size,
			sp->truncated ? ", over the walker's limits" : "");
		return -EINVAL;
	}
	k->next++;
	return 0;
}

int rp_plan_walk_check(const struct rp_call *c, struct rp_err *err)
{
	const struct rp_plan *p = c->plan;
	struct check_ctx k = { .c = c, .err = err };
	struct ds_uapi_walk_ops ops = {
		.read = check_read, .visit = check_visit, .ctx = &k,
		.max_count = RP_MAX_COUNT, .max_stride = RP_MAX_STRIDE,
		.max_depth = RP_MAX_DEPTH, .max_spans = RP_MAX_NODES,
	};
	uint64_t total = 64;
	uint32_t i;
	void *scratch;
	int rc;

	if (!p || !c->desc || !c->desc->arg || !c->in || !p->n_in_spans)
		return 0;
	for (i = 0; i < p->nnodes; i++)
		total += p->nodes[i].size + 8;
	scratch = malloc(total);
	if (!scratch) {
		rp_errf(err, "out of memory");
		return -1;
	}
	ops.scratch = scratch;
	ops.scratch_len = total;
	ops.max_bytes = total;
	rc = ds_uapi_walk(c->desc->arg, c->in, c->in_size, NULL, 0, DS_UAPI_IN, &ops);
	free(scratch);
	if (rc < 0)
		return -1;
	if (k.next != p->n_in_spans) {
		rp_errf(err, "malformed capture: call %" PRId64 " (%s): the uapi walker finds %"
			PRIu32 " arrays, the replay's plan %" PRIu32, c->id, c->name, k.next,
			p->n_in_spans);
		return -1;
	}
	return 0;
}
