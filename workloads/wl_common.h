/*
 * workloads/wl_common.h: what the simgpu workload programs share on top of
 * libsimgpu: error reporting that exits (the library never does), a
 * "context" (device + VM + VA heap, as a Mesa screen/device has), BOs that
 * are created, mapped and bound in one call, and fence waits that fail on a
 * job error.
 *
 * Every failure prints "<prog>: error: <what>" on stderr and exits with 1;
 * a wrong GPU result prints "<prog>: wrong result: ..." and exits with 1.
 */
#ifndef WL_COMMON_H
#define WL_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "libsimgpu.h"

/* Fence waits give up after this long (TCG VMs are slow). */
#define WL_WAIT_NS	(120ull * 1000000000ull)

extern const char *wl_prog;
extern int wl_verbose;

/* Set the program name used in messages. */
void wl_init(const char *argv0);

/* Print "<prog>: error: ..." and exit(1). */
__attribute__((noreturn, format(printf, 1, 2)))
void wl_die(const char *fmt, ...);

/* If @ret < 0: print "<prog>: error: <msg>: <strerror(-ret)>" and exit(1). */
__attribute__((format(printf, 2, 3)))
void wl_check(int ret, const char *fmt, ...);

/* Print "<prog>: wrong result: ..." and exit(1). */
__attribute__((noreturn, format(printf, 1, 2)))
void wl_wrong(const char *fmt, ...);

/* Print when -v was given. */
__attribute__((format(printf, 1, 2)))
void wl_info(const char *fmt, ...);

/* Parse an unsigned number option (decimal or 0x); exits on garbage. */
uint64_t wl_parse_u64(const char *arg, const char *opt, uint64_t min,
		      uint64_t max);

/* Compare @n bytes; on a difference print where and exit as wl_wrong(). */
void wl_expect_mem(const char *what, const void *got, const void *want,
		   size_t n);

/**
 * struct wl_ctx - An opened device with one VM and a VA heap.
 */
struct wl_ctx {
	struct simgpu_dev dev;
	uint32_t vm;
	struct simgpu_va_heap heap;
};

/* Open the device (@device NULL: find it), create a VM and a VA heap. */
void wl_ctx_open(struct wl_ctx *ctx, const char *device);
/* Destroy the VM and close the device. */
void wl_ctx_close(struct wl_ctx *ctx);

/*
 * Create a BO of @size bytes, CPU-map it unless @flags has NO_MMAP, and,
 * if @bind, allocate a VA for it and bind it synchronously (bo->va).
 */
void wl_bo_new(struct wl_ctx *ctx, struct simgpu_bo *bo, uint64_t size,
	       uint32_t flags, bool bind, const char *what);
/* Unbind (if bound) and destroy a BO from wl_bo_new(). */
void wl_bo_free(struct wl_ctx *ctx, struct simgpu_bo *bo);

/* Create a syncobj (exits on failure). */
uint32_t wl_syncobj(struct wl_ctx *ctx, bool signaled);

/*
 * Wait for the binary syncobj of a job and check that it did not fail;
 * @what names the job in the message.
 */
void wl_wait_ok(struct wl_ctx *ctx, uint32_t syncobj, const char *what);

/* Wait for a timeline point (exits on a timeout or error). */
void wl_wait_point(struct wl_ctx *ctx, uint32_t syncobj, uint64_t point,
		   uint32_t flags, const char *what);

/* Sleep until the CLOCK_MONOTONIC time @ns. */
void wl_sleep_until(uint64_t ns);

/* Print the device line: path, GPU id, firmware version and ABI. */
void wl_print_device(const struct wl_ctx *ctx);

#endif /* WL_COMMON_H */
