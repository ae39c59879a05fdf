/*
 * workloads/wl_common.c: shared helpers of the simgpu workload programs
 * (see wl_common.h): messages that exit, the device/VM context, BOs bound
 * in one call, and fence waits that check the job's error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wl_common.h"

const char *wl_prog = "simgpu-workload";
int wl_verbose;

void wl_init(const char *argv0)
{
	const char *p = strrchr(argv0, '/');

	wl_prog = p ? p + 1 : argv0;
	/* Our messages must reach a log even if we die right after. */
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void wl_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", wl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void wl_check(int ret, const char *fmt, ...)
{
	va_list ap;

	if (ret >= 0)
		return;
	fprintf(stderr, "%s: error: ", wl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s (errno %d)\n", strerror(-ret), -ret);
	exit(1);
}

void wl_wrong(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: wrong result: ", wl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void wl_info(const char *fmt, ...)
{
	va_list ap;

	if (!wl_verbose)
		return;
	printf("%s: ", wl_prog);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

uint64_t wl_parse_u64(const char *arg, const char *opt, uint64_t min,
		      uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max)
		wl_die("%s: '%s' is not a number in [%" PRIu64 ", %" PRIu64 "]",
		       opt, arg, min, max);
	return v;
}

void wl_expect_mem(const char *what, const void *got, const void *want,
		   size_t n)
{
	const uint8_t *g = got, *w = want;
	size_t i;

	for (i = 0; i < n; i++)
		if (g[i] != w[i])
			wl_wrong("%s: byte %zu of %zu is 0x%02x, expected 0x%02x",
				 what, i, n, g[i], w[i]);
}

void wl_ctx_open(struct wl_ctx *ctx, const char *device)
{
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	ret = simgpu_open(&ctx->dev, device);
	if (ret == -ENODEV)
		wl_die("%s is not a simgpu device (is the simgpu module loaded?)",
		       device ? device : "no /dev/dri/renderD*");
	wl_check(ret, "cannot open %s", device ? device : "the simgpu device");
	wl_check(simgpu_vm_create(&ctx->dev, &ctx->vm), "VM_CREATE");
	simgpu_va_heap_init(&ctx->heap, ctx->dev.info.va_start,
			    ctx->dev.info.va_end, ctx->dev.info.va_page_size);
	/* Leave the bottom of the VA space unused, as drivers do. */
	simgpu_va_alloc(&ctx->heap, 1 << 20, 0);
}

void wl_ctx_close(struct wl_ctx *ctx)
{
	wl_check(simgpu_vm_destroy(&ctx->dev, ctx->vm), "VM_DESTROY");
	simgpu_close(&ctx->dev);
}

void wl_bo_new(struct wl_ctx *ctx, struct simgpu_bo *bo, uint64_t size,
	       uint32_t flags, bool bind, const char *what)
{
	wl_check(simgpu_bo_create(&ctx->dev, size, flags, 0, bo),
		 "BO_CREATE (%s, %" PRIu64 " bytes)", what, size);
	if (!(flags & DRM_SIMGPU_BO_NO_MMAP))
		wl_check(simgpu_bo_map(&ctx->dev, bo), "mapping the %s BO", what);
	if (!bind)
		return;
	bo->va = simgpu_va_alloc(&ctx->heap, bo->size, 0);
	if (!bo->va)
		wl_die("out of GPU VA space for the %s BO", what);
	wl_check(simgpu_vm_map(&ctx->dev, ctx->vm, bo->handle, 0, bo->va,
			       bo->size, 0),
		 "VM_BIND map of the %s BO at 0x%" PRIx64, what, bo->va);
}

void wl_bo_free(struct wl_ctx *ctx, struct simgpu_bo *bo)
{
	if (bo->va)
		wl_check(simgpu_vm_unmap(&ctx->dev, ctx->vm, bo->va, bo->size),
			 "VM_BIND unmap at 0x%" PRIx64, bo->va);
	bo->va = 0;
	wl_check(simgpu_bo_destroy(&ctx->dev, bo), "closing a BO");
}

uint32_t wl_syncobj(struct wl_ctx *ctx, bool signaled)
{
	uint32_t h = 0;

	wl_check(simgpu_syncobj_create(&ctx->dev, signaled, &h),
		 "SYNCOBJ_CREATE");
	return h;
}

void wl_wait_ok(struct wl_ctx *ctx, uint32_t syncobj, const char *what)
{
	int ret, status = 0;

	ret = simgpu_syncobj_wait_status(&ctx->dev, syncobj, WL_WAIT_NS,
					 &status);
	wl_check(ret, "waiting for %s", what);
	if (status < 0)
		wl_die("%s failed on the GPU: %s (fence error %d)", what,
		       strerror(-status), status);
	if (status != 1)
		wl_die("%s: fence not signalled after the wait (status %d)",
		       what, status);
}

void wl_wait_point(struct wl_ctx *ctx, uint32_t syncobj, uint64_t point,
		   uint32_t flags, const char *what)
{
	wl_check(simgpu_syncobj_timeline_wait(&ctx->dev, syncobj, point,
					      WL_WAIT_NS, flags),
		 "waiting for %s (timeline point %" PRIu64 ")", what, point);
}

void wl_sleep_until(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = ns / 1000000000ull,
		.tv_nsec = ns % 1000000000ull,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

void wl_print_device(const struct wl_ctx *ctx)
{
	const struct drm_simgpu_dev_info *i = &ctx->dev.info;

	printf("%s: %s: gpu_id 0x%08x, firmware %u.%u.%u, message ABI v%u\n",
	       wl_prog, ctx->dev.path, i->gpu_id, i->fw_version >> 16,
	       (i->fw_version >> 8) & 0xff, i->fw_version & 0xff,
	       i->fw_abi_version);
}
