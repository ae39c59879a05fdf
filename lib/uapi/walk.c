/*
 * lib/uapi/walk.c: follow the user pointers of an ioctl argument.
 *
 * The walker reads each array a pointer field leads to (through the
 * caller's read function), hands it to the caller's visitor, and goes down
 * into arrays of structs that hold pointers themselves (simgpu SUBMIT: jobs
 * -> their syncobj arrays). The same code runs in the shim on live memory
 * and in the replay engine on captured bytes, which may be hostile: every
 * count is capped, every multiplication is done in 64 bits against the
 * byte budget, strides are bounded, nesting is bounded, and the scratch
 * memory is a caller-provided stack, so a walk allocates nothing.
 */
#include <errno.h>
#include <string.h>

#include "uapi_internal.h"

#define DEFAULT_MAX_COUNT	(1u << 20)
#define DEFAULT_MAX_STRIDE	4096u
#define DEFAULT_MAX_DEPTH	4u
#define DEFAULT_MAX_SPANS	4096u

struct walk {
	const struct ds_uapi_walk_ops *ops;
	unsigned phase;
	uint8_t *scratch;
	size_t cap;
	size_t used;		/* scratch in use: a stack */
	uint64_t budget;	/* bytes left for all arrays */
	uint32_t max_count;
	uint32_t max_stride;
	uint32_t max_depth;
	uint32_t max_spans;
	unsigned nspans;
	bool stop;
	int ret;		/* the visitor's non-zero result */
};

int ds_uapi_array_extent(const struct ds_uapi_field *f, const void *arg,
			 size_t len, uint64_t *addr, uint64_t *count,
			 uint32_t *stride)
{
	const struct ds_uapi_array *a;
	uint64_t v;

	if (!f || f->kind != DS_UAPI_PTR || !f->array)
		return -1;
	a = f->array;
	if (ds_uapi_field_get(f, arg, len, 0, addr))
		return -1;

	switch (a->count_mode) {
	case DS_UAPI_COUNT_FIELD:
	case DS_UAPI_COUNT_BYTES:
		if (ds_uapi_ref_get(a->count, arg, len, count))
			return -1;
		break;
	case DS_UAPI_COUNT_FIXED:
		*count = a->fixed_count;
		break;
	default:
		return -1;
	}

	if (a->count_mode == DS_UAPI_COUNT_BYTES) {
		*stride = 1;
	} else if (a->stride.size) {
		if (ds_uapi_ref_get(a->stride, arg, len, &v))
			return -1;
		*stride = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	} else {
		*stride = a->elem_size;
	}
	return 0;
}

static bool struct_has_ptr(const struct ds_uapi_struct *s, unsigned depth)
{
	uint32_t i;

	if (!s || depth > 8)
		return false;
	for (i = 0; i < s->nfields; i++) {
		const struct ds_uapi_field *f = &s->fields[i];

		if (f->kind == DS_UAPI_PTR)
			return true;
		if (f->kind == DS_UAPI_STRUCT && struct_has_ptr(f->sub, depth + 1))
			return true;
	}
	return false;
}

/* Room for @n more bytes in the scratch stack. */
static size_t scratch_room(const struct walk *w)
{
	return w->cap - w->used;
}

/*
 * DS_UAPI_COUNT_SUM: the count is the sum of the u32 array at the pointer
 * @a->sum_ptr, whose own length is the field @a->count. Returns 0 with
 * *@truncated set if only part of it could be read, or a negative errno.
 */
static int sum_count(struct walk *w, const struct ds_uapi_array *a,
		     const void *arg, size_t len, uint64_t *count,
		     bool *truncated)
{
	uint64_t addr, n, sum = 0, i;
	uint32_t *v;
	int err;

	if (ds_uapi_ref_get(a->sum_ptr, arg, len, &addr) ||
	    ds_uapi_ref_get(a->count, arg, len, &n))
		return -EINVAL;
	*count = 0;
	if (!addr || !n)
		return 0;
	if (n > w->max_count) {
		n = w->max_count;
		*truncated = true;
	}
	if (n > scratch_room(w) / sizeof(uint32_t)) {
		n = scratch_room(w) / sizeof(uint32_t);
		*truncated = true;
	}
	if (!n)
		return 0;
	v = (uint32_t *)(void *)(w->scratch + w->used);
	err = w->ops->read(w->ops->ctx, addr, v, n * sizeof(uint32_t));
	if (err)
		return err < 0 ? err : -EFAULT;
	for (i = 0; i < n; i++)
		sum += v[i];	/* at most 2^20 * 2^32: no overflow */
	*count = sum;
	return 0;
}

static void walk_struct(struct walk *w, const struct ds_uapi_struct *s,
			const uint8_t *arg, size_t len, const uint8_t *arg_in,
			size_t in_len, unsigned depth);

/* Go down into the elements of an array that was just read. */
static void walk_elements(struct walk *w, const struct ds_uapi_span *sp,
			  unsigned depth)
{
	const struct ds_uapi_array *a = sp->array;
	const uint8_t *data = sp->data;
	uint64_t i;

	if (!a->elem || !data || depth + 1 >= w->max_depth ||
	    !struct_has_ptr(a->elem, 0))
		return;
	if (a->count_mode == DS_UAPI_COUNT_BYTES) {
		/* @elem lays out the whole buffer. */
		walk_struct(w, a->elem, data, sp->size, NULL, 0, depth + 1);
		return;
	}
	for (i = 0; i < sp->count && !w->stop; i++)
		walk_struct(w, a->elem, data + i * sp->stride, sp->stride,
			    NULL, 0, depth + 1);
}

static void walk_ptr(struct walk *w, const struct ds_uapi_struct *s,
		     const struct ds_uapi_field *f, const uint8_t *arg,
		     size_t len, const uint8_t *arg_in, size_t in_len,
		     unsigned depth)
{
	const struct ds_uapi_array *a = f->array;
	struct ds_uapi_span sp = {
		.parent = s,
		.field = f,
		.array = a,
		.depth = depth,
	};
	uint64_t count = 0, bytes;
	uint32_t stride = 0;
	size_t mark = w->used;
	int err;

	if (!(a->dir & w->phase))
		return;

	if (a->count_mode == DS_UAPI_COUNT_SUM) {
		if (ds_uapi_field_get(f, arg, len, 0, &sp.addr))
			return;
		stride = a->elem_size;
		err = sum_count(w, a, arg, len, &count, &sp.truncated);
		if (err) {
			if (!sp.addr)
				return;
			/* The counts are unreadable: report the array as such. */
			sp.read_err = err;
			count = 0;
			goto visit;
		}
	} else {
		if (ds_uapi_array_extent(f, arg, len, &sp.addr, &count, &stride))
			return;
		if (arg_in) {
			uint64_t addr_in, count_in;
			uint32_t stride_in;

			/* The kernel wrote at most what user space made room for. */
			if (!ds_uapi_array_extent(f, arg_in, in_len, &addr_in,
						  &count_in, &stride_in) &&
			    count_in < count)
				count = count_in;
		}
	}
	if (!sp.addr || !count)
		return;

	sp.count_req = count;
	sp.stride = stride;
	sp.elem_size = a->elem ? a->elem->size : a->elem_size;
	if (a->count_mode == DS_UAPI_COUNT_BYTES)
		sp.elem_size = 1;
	if (!stride || stride > w->max_stride) {
		/* A stride of 0 or an absurd one: the kernel would refuse it. */
		sp.truncated = true;
		sp.read_err = -EINVAL;
		goto visit;
	}

	if (a->count_mode != DS_UAPI_COUNT_BYTES && count > w->max_count)
		count = w->max_count;
	if (count > w->budget / stride)
		count = w->budget / stride;
	/* Spans start 8-byte aligned in the scratch memory. */
	w->used = (w->used + 7) & ~(size_t)7;
	if (w->used > w->cap)
		w->used = w->cap;
	if (count > scratch_room(w) / stride)
		count = scratch_room(w) / stride;
	if (count < sp.count_req)
		sp.truncated = true;
	bytes = count * stride;
	sp.count = count;
	sp.size = bytes;
	if (bytes) {
		uint8_t *dst = w->scratch + w->used;

		err = w->ops->read(w->ops->ctx, sp.addr, dst, bytes);
		if (err) {
			sp.read_err = err < 0 ? err : -EFAULT;
		} else {
			sp.data = dst;
			w->used += bytes;
			w->budget -= bytes;
		}
	}

visit:
	if (w->nspans >= w->max_spans) {
		w->stop = true;
		w->used = mark;
		return;
	}
	sp.index = w->nspans++;
	if (w->ops->visit) {
		err = w->ops->visit(w->ops->ctx, &sp);
		if (err) {
			w->stop = true;
			w->ret = err;
			w->used = mark;
			return;
		}
	}
	walk_elements(w, &sp, depth);
	w->used = mark;
}

static void walk_struct(struct walk *w, const struct ds_uapi_struct *s,
			const uint8_t *arg, size_t len, const uint8_t *arg_in,
			size_t in_len, unsigned depth)
{
	uint32_t i;

	for (i = 0; i < s->nfields && !w->stop; i++) {
		const struct ds_uapi_field *f = &s->fields[i];

		if (f->kind == DS_UAPI_PTR && f->array) {
			walk_ptr(w, s, f, arg, len, arg_in, in_len, depth);
		} else if (f->kind == DS_UAPI_STRUCT && f->sub &&
			   f->offset < len) {
			/* An embedded struct: same depth (descriptions are acyclic). */
			size_t sub_len = len - f->offset;
			size_t sub_in = 0;

			if (sub_len > f->size)
				sub_len = f->size;
			if (arg_in && f->offset < in_len) {
				sub_in = in_len - f->offset;
				if (sub_in > f->size)
					sub_in = f->size;
			}
			walk_struct(w, f->sub, arg + f->offset, sub_len,
				    sub_in ? arg_in + f->offset : NULL, sub_in,
				    depth);
		}
	}
}

int ds_uapi_walk(const struct ds_uapi_struct *s, const void *arg, size_t len,
		 const void *arg_in, size_t in_len, unsigned phase,
		 const struct ds_uapi_walk_ops *ops)
{
	struct walk w = {
		.ops = ops,
		.phase = phase & DS_UAPI_INOUT,
	};

	if (!s || !arg || !ops || !ops->read)
		return 0;
	w.scratch = ops->scratch;
	w.cap = ops->scratch ? ops->scratch_len : 0;
	w.budget = ops->max_bytes ? ops->max_bytes : w.cap;
	w.max_count = ops->max_count ? ops->max_count : DEFAULT_MAX_COUNT;
	w.max_stride = ops->max_stride ? ops->max_stride : DEFAULT_MAX_STRIDE;
	w.max_depth = ops->max_depth ? ops->max_depth : DEFAULT_MAX_DEPTH;
	w.max_spans = ops->max_spans ? ops->max_spans : DEFAULT_MAX_SPANS;

	walk_struct(&w, s, arg, len, arg_in, arg_in ? in_len : 0, 0);
	return w.ret ? w.ret : (int)w.nspans;
}
