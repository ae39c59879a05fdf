/*
 * tracer/shim_ioctl.c: one ioctl on a traced fd.
 *
 * A described call that cannot block and has no pointers to follow (most
 * of them: GET_CAP, GEM_CLOSE, CREATE_DUMB, ...) is one event after the
 * call, ioctl_call, with its begin time and the argument's bytes before and
 * after. One event costs half of two, and this is the shim's hot path.
 * Every other call (submissions, KMS commits, waits, calls with arrays,
 * unknown requests) is recorded around the call:
 *
 *   ioctl_enter            request, the argument's bytes as 64-bit words
 *   ioctl_array(_blob)...  the arrays its pointers lead to (kernel-read ones)
 *   buffer_snapshot...     buffers a submission or KMS commit reads
 *   -- the real ioctl --
 *   ioctl_exit             return value, errno, the argument's bytes after
 *   ioctl_array(_blob)...  the arrays the kernel wrote
 *   buffer_snapshot...     after a sync call: the results of the work it
 *                          waited for (phase 1, see shim_track.c)
 *   fd_driver              after a DRM_IOCTL_VERSION that returned the name
 *
 * Events before the call mean that a call which crashes the machine (or
 * blocks until the program is killed) is still in the trace. The arrays are found by the uapi description of the
 * fd's driver (looked up in constant time). Without a description, or when
 * the argument cannot be read, the call is still recorded, raw or empty.
 *
 * When no session listens to ioctl_enter, the call costs one table look-up
 * and one branch, plus what the shim must keep learning (driver names, mmap
 * offsets, framebuffers, VM bindings) for a session that starts later.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>

#include <drm/drm.h>

#include "drmscope_tp.h"
#include "shim.h"

/* Room for the argument struct before and after the call, at the head of
 * the thread's scratch buffer (the ioctl number allows up to 16383 bytes). */
#define ARG_MAX		16384u
#define STACK_ARG	256u

static int read_user(void *ctx, uint64_t addr, void *dst, size_t len)
{
	(void)ctx;
	return shim_safe_read(dst, addr, len);
}

static void emit_array(struct shim_call *c, const struct ds_uapi_span *sp)
{
	struct ds_tp_array a = {
		.fd = c->fd,
		.seq = c->seq,
		.phase = c->phase == DS_UAPI_OUT,
		.index = (uint16_t)c->nspans++,
		.depth = (uint8_t)sp->depth,
		.field = sp->field->name,
		.addr = sp->addr,
		.count = sp->count,
		.count_req = sp->count_req,
		.stride = sp->stride,
		.size = sp->data ? sp->size : 0,
		.truncated = sp->truncated,
		.read_err = sp->read_err,
	};

	if (sp->data && sp->size > shim_config.inline_max) {
		int stored = 0;

		if (blob_put(sp->data, sp->size, &a.hash_hi, &a.hash_lo, &stored))
			lttng_ust_tracepoint(drmscope, lost, "blob", 1);
		a.stored = (uint8_t)stored;
		lttng_ust_tracepoint(drmscope, ioctl_array_blob, &a);
		return;
	}
	if (sp->data) {
		/* The walker aligns spans to 8 bytes and leaves slack after
		 * them: zero the tail of the last word. */
		uint8_t *p = (uint8_t *)sp->data;
		size_t end = (sp->size + 7) & ~(size_t)7;

		memset(p + sp->size, 0, end - sp->size);
		a.words = (const uint64_t *)(const void *)p;
		a.nwords = (uint32_t)(end / 8);
	}
	lttng_ust_tracepoint(drmscope, ioctl_array, &a);
}

static int visit(void *ctx, const struct ds_uapi_span *sp)
{
	struct shim_call *c = ctx;

	emit_array(c, sp);
	if (c->phase == DS_UAPI_IN && shim_config.buffers)
		track_span(c, sp);
	return 0;
}

static void walk_arrays(struct shim_call *c, uint8_t *scratch, size_t len)
{
	struct ds_uapi_walk_ops ops = {
		.read = read_user,
		.visit = visit,
		.ctx = c,
		.scratch = scratch,
		/* keep 8 bytes of slack for emit_array()'s zero padding */
		.scratch_len = len > 8 ? len - 8 : 0,
		.max_bytes = shim_config.array_max,
	};

	c->nspans = 0;
	if (c->phase == DS_UAPI_IN)
		ds_uapi_walk(c->io->arg, c->in, c->in_len, NULL, 0, DS_UAPI_IN,
			     &ops);
	else
		ds_uapi_walk(c->io->arg, c->out, c->out_len, c->in, c->in_len,
			     DS_UAPI_OUT, &ops);
}

/* Copy a user string of @len bytes (not NUL-terminated) into @dst. */
static void read_string(char *dst, size_t size, uint64_t addr, uint64_t len)
{
	dst[0] = '\0';
	if (!addr || !len)
		return;
	if (len > size - 1)
		len = size - 1;
	if (shim_safe_read(dst, addr, (size_t)len))
		len = 0;
	dst[len] = '\0';
}

/* DRM_IOCTL_VERSION succeeded: learn (and tell) the fd's driver. */
static void learn_version(struct shim_call *c)
{
	const struct drm_version *v = (const void *)c->out;
	char name[32], date[32], desc[96];

	if (c->out_len < sizeof(*v) || !v->name || !v->name_len)
		return;	/* libdrm's first call only asks for the lengths */
	read_string(name, sizeof(name), (uintptr_t)v->name, v->name_len);
	if (!name[0])
		return;
	read_string(date, sizeof(date), (uintptr_t)v->date, v->date_len);
	read_string(desc, sizeof(desc), (uintptr_t)v->desc, v->desc_len);
	if (!c->f->version_emitted || strcmp(c->f->driver, name)) {
		file_set_driver(c->f, name, strlen(name));
		c->f->version_emitted = true;
		lttng_ust_tracepoint(drmscope, fd_driver, c->fd, name,
				     v->version_major, v->version_minor,
				     v->version_patchlevel, date, desc);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* LTTng-UST's clock */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Read the argument struct into @buf (word-aligned, zero-padded). */
static size_t read_arg(void *arg, uint32_t size, uint8_t *buf)
{
	if (!size || !arg)
		return 0;
	if (size & 7)
		((uint64_t *)(void *)buf)[size / 8] = 0;
	if (!shim_on_stack((uintptr_t)arg, size))
		return shim_safe_read(buf, (uintptr_t)arg, size) ? 0 : size;
	if (size > 64) {
		memcpy(buf, arg, size);
	} else {
		/* most arguments: a few words, copied inline */
		const uint8_t *src = arg;
		uint32_t i;

		for (i = 0; i + 8 <= size; i += 8)
			__builtin_memcpy(buf + i, src + i, 8);
		for (; i < size; i++)
			buf[i] = src[i];
	}
	return size;
}

/*
 * The description of @req for @drv and what the shim does with it, through
 * a one-entry per-thread cache (a program makes runs of the same call).
 */
static const struct ds_uapi_ioctl *describe(const struct ds_uapi_driver *drv,
					    uint32_t req, unsigned *flags)
{
	struct shim_tls *t = &shim_tls;

	if (t->last_io && t->last_req == req && t->last_drv == drv) {
		*flags = t->last_flags;
		return t->last_io;
	}
	t->last_io = ds_uapi_lookup_nr(drv, req, NULL);
	t->last_flags = t->last_io ? shim_io_flags(t->last_io) : 0;
	t->last_drv = drv;
	t->last_req = req;
	*flags = t->last_flags;
	return t->last_io;
}

#define WORDS(bytes)	(((bytes) + 7) / 8)

/*
 * A call that one ioctl_call event records (SHIM_IO_ONE_EVENT, argument of
 * at most STACK_ARG bytes): the shim's hot path, kept short. @c holds the
 * fd, request and description.
 */
static int one_event_ioctl(struct shim_call *c, unsigned long request,
			   void *arg, uint32_t size, bool after, int saved)
{
	uint64_t words[DS_TP_CALL_HEAD + 2 * WORDS(STACK_ARG)];
	uint8_t *in = (uint8_t *)(words + DS_TP_CALL_HEAD), *out;
	size_t in_len = read_arg(arg, size, in), out_len = 0;
	uint64_t begin_ns = now_ns();
	int ret, err;

	shim_tls.guard--;
	errno = saved;
	ret = real_ioctl(c->fd, request, arg);
	err = errno;
	shim_tls.guard++;

	out = in + 8 * WORDS(in_len);
	if (in_len && ds_uapi_ioc_copies_out(c->request))
		out_len = read_arg(arg, size, out);
	words[0] = (uint32_t)c->fd | (uint64_t)c->request << 32;
	words[1] = begin_ns;
	words[2] = (uint32_t)(ret < 0 ? -err : ret) | (uint64_t)in_len << 32;
	lttng_ust_tracepoint(drmscope, ioctl_call, words,
			     (uint32_t)(DS_TP_CALL_HEAD + WORDS(in_len) + WORDS(out_len)));

	if (after && ret >= 0 && out_len) {
		c->in = in;
		c->in_len = in_len;
		c->out = out;
		c->out_len = out_len;
		track_after(c);
	}
	shim_tls.guard--;
	errno = err;
	return ret;
}

int shim_traced_ioctl(struct ds_file *f, int fd, unsigned long request,
		      void *arg)
{
	uint64_t inbuf[WORDS(STACK_ARG)], outbuf[WORDS(STACK_ARG)];
	uint32_t req = (uint32_t)request, size = ds_uapi_ioc_size(req);
	const struct ds_uapi_driver *drv;
	struct shim_call c;
	uint8_t *scratch = NULL, *in = (uint8_t *)inbuf, *out = (uint8_t *)outbuf;
	size_t scratch_len = 0;
	unsigned flags;
	bool tracing, after, version;
	int ret, err, saved = errno;

	shim_tls.guard++;
	shim_prologue();
	drv = atomic_load_explicit(&f->drv, memory_order_acquire);

	c.f = f;
	c.fd = fd;
	c.request = req;
	c.io = describe(drv, req, &flags);
	tracing = lttng_ust_tracepoint_enabled(drmscope, ioctl_enter);
	after = flags & SHIM_IO_AFTER;
	if (tracing && (flags & SHIM_IO_ONE_EVENT) && size <= STACK_ARG)
		return one_event_ioctl(&c, request, arg, size, after, saved);

	c.argp = arg;
	c.in = c.out = NULL;
	c.in_len = c.out_len = 0;
	c.nsnapped = 0;
	c.natomic_props = 0;
	c.results = false;
	c.sigs_added = 0;
	version = req == DRM_IOCTL_VERSION;

	if ((size > STACK_ARG && (tracing || after || version)) ||
	    (tracing && (flags & (SHIM_IO_PTR_IN | SHIM_IO_PTR_OUT)))) {
		scratch = shim_scratch(&scratch_len);
		if (!scratch || scratch_len <= 2 * ARG_MAX) {
			/* No memory: record the call without arrays. */
			scratch = NULL;
			flags &= ~(SHIM_IO_PTR_IN | SHIM_IO_PTR_OUT);
			if (size > STACK_ARG)
				size = 0;	/* ... and without its bytes */
		} else if (size > STACK_ARG) {
			in = scratch;
			out = scratch + ARG_MAX;
		}
	}

	if (tracing) {
		c.seq = ++shim_tls.seq;
		c.in_len = read_arg(arg, size, in);
		c.in = in;
		c.results = shim_config.buffers && c.io && (c.io->flags & DS_UAPI_I_SUBMIT) &&
			    track_wants_results(f);
		lttng_ust_tracepoint(drmscope, ioctl_enter, fd, req, c.seq,
				     (uint32_t)c.in_len, (const uint64_t *)(void *)in,
				     (uint32_t)WORDS(c.in_len));
		if (c.in_len && (flags & SHIM_IO_PTR_IN)) {
			c.phase = DS_UAPI_IN;
			walk_arrays(&c, scratch + 2 * ARG_MAX,
				    scratch_len - 2 * ARG_MAX);
		}
		if (c.in_len && shim_config.buffers && c.io &&
		    (c.io->flags & (DS_UAPI_I_SUBMIT | DS_UAPI_I_KMS_COMMIT)))
			track_before(&c);
	}

	shim_tls.guard--;
	errno = saved;
	ret = real_ioctl(fd, request, arg);
	err = errno;
	shim_tls.guard++;

	if (tracing) {
		uint32_t n = 0;

		if (c.in_len && ds_uapi_ioc_copies_out(req))
			n = (uint32_t)read_arg(arg, size, out);
		c.out = out;
		c.out_len = n;
		lttng_ust_tracepoint(drmscope, ioctl_exit, fd, req, c.seq, ret,
				     ret < 0 ? err : 0, n,
				     (const uint64_t *)(void *)out, WORDS(n));
		if (ret >= 0 && n && (flags & SHIM_IO_PTR_OUT)) {
			c.phase = DS_UAPI_OUT;
			walk_arrays(&c, scratch + 2 * ARG_MAX,
				    scratch_len - 2 * ARG_MAX);
		}
		if (ret >= 0 && c.in_len && shim_config.buffers && c.io &&
		    (c.io->flags & DS_UAPI_I_SYNC))
			track_sync(&c);
	} else if (ret >= 0 && (after || version) && size) {
		c.out_len = read_arg(arg, size, out);
		c.out = out;
	}

	if (ret >= 0 && c.out_len) {
		if (version)
			learn_version(&c);
		if (after)
			track_after(&c);
	}

	shim_tls.guard--;
	errno = err;
	return ret;
}
