/*
 * tests/simgpu/uapi.c: simgpu-uapi, the IGT-style test of the simgpu uapi
 * (include/uapi/drm/simgpu_drm.h) against the loaded driver. VM test: it
 * needs the simgpu module, so ctest runs it inside scripts/vm-run.
 *
 * One subtest per error path of every ioctl (unknown flags, non-zero
 * padding, bad handles and IDs, overflowing and misaligned ranges, zero and
 * too-large counts, bad strides, bad user pointers, unknown query types...),
 * each asserting the errno the header documents AND that the failing call
 * changed nothing: no handle or ID was consumed, a mapping is still what it
 * was (checked by a GPU job that reads it), no job ran, no sequence number
 * was used. Then the command stream's errors, reported on job fences.
 *
 * Each subtest runs in its own forked process with a fresh DRM file (the
 * fixture: one VM, one queue, a command BO, a result BO and a data BO bound
 * at fixed VAs), so one failure or crash cannot affect the next.
 *
 *   simgpu-uapi [--list] [--run GLOB]... [--device PATH]
 *
 * Prints one line per subtest and "N passed, M failed"; exits 1 if any
 * subtest failed, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "libsimgpu.h"

/* ------------------------------------------------------------ runner */

static const char *cur_test;
static const char *device_path;

__attribute__((noreturn, format(printf, 3, 4)))
static void fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: %s: ", file, line, cur_test);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

#define FAIL(...) fail_at(__FILE__, __LINE__, __VA_ARGS__)

static const char *ename(int err)
{
	const char *n;

	if (err == 0)
		return "0";
	n = strerrorname_np(err < 0 ? -err : err);
	return n ? n : "?";
}

/* Name of a fence status: 1 signalled, 0 pending, or a negative errno. */
static const char *fence_name(int status)
{
	if (status == 1)
		return "signalled, no error";
	if (status == 0)
		return "not signalled";
	return ename(status);
}

/* @expr must return -@err (a negative errno). */
#define ERR(expr, err) do {						\
	int __r = (expr);						\
	if (__r != -(err))						\
		FAIL("%s returned %d (%s), expected -%s",		\
		     #expr, __r, ename(__r), ename(err));		\
} while (0)

/* @expr must return 0. */
#define OK(expr) ERR(expr, 0)

__attribute__((noreturn, format(printf, 4, 5)))
static void check_failed(const char *file, int line, const char *cond,
			 const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: %s: check failed: %s:", file, line,
		cur_test, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* CHECK(cond) or CHECK(cond, "fmt", args...). */
#define CHECK(cond, ...) do {						\
	if (!(cond))							\
		check_failed(__FILE__, __LINE__, #cond, " " __VA_ARGS__); \
} while (0)

#define EQ64(got, want) do {						\
	uint64_t __g = (got), __w = (want);				\
	if (__g != __w)							\
		FAIL("%s is 0x%" PRIx64 ", expected 0x%" PRIx64,	\
		     #got, __g, __w);					\
} while (0)

/* ------------------------------------------------------------ fixture */

#define CMD_SIZE	(64 * 1024)
#define DATA_PAGES	16

struct fx {
	struct simgpu_dev dev;
	int fd;
	struct drm_simgpu_dev_info *info;
	uint64_t page;
	uint32_t vm;
	uint32_t queue;
	uint32_t done;			/* binary syncobj of fx_run() jobs */
	struct simgpu_bo cmd, res, data, other;
	uint64_t va_cmd, va_res, va_data, va_free;
	void *bad_ptr;			/* an unmapped user address */
	struct simgpu_cmdbuf cb;
};

/* Word @i of a data BO: names the BO and the offset. */
static uint64_t marker(char bo, uint64_t off)
{
	return ((uint64_t)bo << 56) | off;
}

static void fill_markers(struct simgpu_bo *bo, char name)
{
	uint64_t off;

	for (off = 0; off < bo->size; off += 8) {
		uint64_t v = marker(name, off);

		memcpy((uint8_t *)bo->map + off, &v, 8);
	}
}

static void new_bo(struct fx *fx, struct simgpu_bo *bo, uint64_t size)
{
	OK(simgpu_bo_create(&fx->dev, size, 0, 0, bo));
	OK(simgpu_bo_map(&fx->dev, bo));
}

static void fx_setup(struct fx *fx)
{
	int ret;

	memset(fx, 0, sizeof(*fx));
	ret = simgpu_open(&fx->dev, device_path);
	if (ret)
		FAIL("cannot open the simgpu device: %s (is simgpu loaded?)",
		     strerror(-ret));
	fx->fd = fx->dev.fd;
	fx->info = &fx->dev.info;
	fx->page = fx->info->va_page_size;
	OK(simgpu_vm_create(&fx->dev, &fx->vm));
	OK(simgpu_queue_create(&fx->dev, fx->vm,
			       DRM_SIMGPU_QUEUE_PRIORITY_MEDIUM, &fx->queue));
	OK(simgpu_syncobj_create(&fx->dev, false, &fx->done));

	fx->va_cmd = fx->info->va_start + 0x100000;
	fx->va_res = fx->info->va_start + 0x200000;
	fx->va_data = fx->info->va_start + 0x300000;
	fx->va_free = fx->info->va_start + 0x1000000;
	new_bo(fx, &fx->cmd, CMD_SIZE);
	new_bo(fx, &fx->res, fx->page);
	new_bo(fx, &fx->data, DATA_PAGES * fx->page);
	new_bo(fx, &fx->other, DATA_PAGES * fx->page);
	fill_markers(&fx->data, 'A');
	fill_markers(&fx->other, 'B');
	OK(simgpu_vm_map(&fx->dev, fx->vm, fx->cmd.handle, 0, fx->va_cmd,
			 fx->cmd.size, 0));
	OK(simgpu_vm_map(&fx->dev, fx->vm, fx->res.handle, 0, fx->va_res,
			 fx->res.size, 0));
	OK(simgpu_vm_map(&fx->dev, fx->vm, fx->data.handle, 0, fx->va_data,
			 fx->data.size, 0));

	fx->bad_ptr = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	if (fx->bad_ptr == MAP_FAILED)
		FAIL("mmap: %m");
	munmap(fx->bad_ptr, 4096);
	simgpu_cb_init(&fx->cb, fx->cmd.map, fx->va_cmd, CMD_SIZE);
}

/* A fresh command buffer at the start of the command BO. */
static struct simgpu_cmdbuf *fx_cb(struct fx *fx)
{
	simgpu_cb_reset(&fx->cb);
	return &fx->cb;
}

/* Submit the command buffer as one job on @queue, wait, return its status. */
static int fx_run_on(struct fx *fx, uint32_t queue)
{
	struct drm_simgpu_sync out = simgpu_sync(fx->done, 0);
	struct drm_simgpu_job job;
	int status = 0;

	if (fx->cb.error)
		FAIL("command buffer overflow");
	simgpu_job_init(&job, fx->cb.va, simgpu_cb_size(&fx->cb), NULL, 0,
			&out, 1);
	OK(simgpu_submit(&fx->dev, queue, &job, 1, NULL));
	OK(simgpu_syncobj_wait_status(&fx->dev, fx->done, 60000000000ull,
				      &status));
	return status;
}

static int fx_run(struct fx *fx)
{
	return fx_run_on(fx, fx->queue);
}

/* Read 8 bytes at @va with a GPU job. Returns the fence status (1: ok). */
static int gpu_read64(struct fx *fx, uint64_t va, uint64_t *val)
{
	int status;

	memset(fx->res.map, 0xee, 8);
	simgpu_cb_copy(fx_cb(fx), va, fx->va_res, 8);
	status = fx_run(fx);
	memcpy(val, fx->res.map, 8);
	return status;
}

/* The GPU sees @want at @va. */
#define EXPECT_GPU(fx, va, want) do {					\
	uint64_t __v = 0;						\
	int __s = gpu_read64(fx, va, &__v);				\
	if (__s != 1)							\
		FAIL("GPU read of VA 0x%" PRIx64 " failed (fence %d: %s)", \
		     (uint64_t)(va), __s, fence_name(__s));		\
	if (__v != (uint64_t)(want))					\
		FAIL("GPU read of VA 0x%" PRIx64 " gave 0x%" PRIx64	\
		     ", expected 0x%" PRIx64, (uint64_t)(va), __v,	\
		     (uint64_t)(want));					\
} while (0)

/* @va is not mapped for the GPU (a read faults). */
#define EXPECT_UNMAPPED(fx, va) do {					\
	uint64_t __v = 0;						\
	int __s = gpu_read64(fx, va, &__v);				\
	if (__s != -EFAULT)						\
		FAIL("GPU read of VA 0x%" PRIx64 ": fence status %d (%s),"\
		     " expected -EFAULT (unmapped)", (uint64_t)(va),	\
		     __s, fence_name(__s));				\
} while (0)

/* The fixture's data mapping is intact. */
static void expect_data_mapping(struct fx *fx)
{
	EXPECT_GPU(fx, fx->va_data, marker('A', 0));
	EXPECT_GPU(fx, fx->va_data + 5 * fx->page + 8,
		   marker('A', 5 * fx->page + 8));
	EXPECT_GPU(fx, fx->va_data + (DATA_PAGES - 1) * fx->page,
		   marker('A', (DATA_PAGES - 1) * fx->page));
}

/* The GEM handle the next BO_CREATE returns (lowest free). */
static uint32_t next_bo_handle(struct fx *fx)
{
	struct simgpu_bo bo;

	OK(simgpu_bo_create(&fx->dev, 4096, 0, 0, &bo));
	OK(simgpu_gem_close(fx->fd, bo.handle));
	return bo.handle;
}

static uint32_t next_vm_id(struct fx *fx)
{
	uint32_t id;

	OK(simgpu_vm_create(&fx->dev, &id));
	OK(simgpu_vm_destroy(&fx->dev, id));
	return id;
}

static uint32_t next_queue_id(struct fx *fx)
{
	uint32_t id;

	OK(simgpu_queue_create(&fx->dev, fx->vm, 0, &id));
	OK(simgpu_queue_destroy(&fx->dev, id));
	return id;
}

/* ioctl on the fixture's fd; 0 or -errno. */
static int ioc(struct fx *fx, unsigned long req, void *arg)
{
	return simgpu_ioctl(fx->fd, req, arg);
}

/* ------------------------------------------------------------ DEV_QUERY */

static void t_dev_query_size(struct fx *fx)
{
	struct drm_simgpu_dev_query q = { .type = DRM_SIMGPU_DEV_QUERY_DEV_INFO };

	OK(ioc(fx, DRM_IOCTL_SIMGPU_DEV_QUERY, &q));
	EQ64(q.size, sizeof(struct drm_simgpu_dev_info));
}

static void t_dev_query_info(struct fx *fx)
{
	const struct drm_simgpu_dev_info *i = fx->info;
	unsigned int op;

	EQ64(i->gpu_id, DRM_SIMGPU_GPU_ID);
	CHECK(i->fw_abi_version == 1 || i->fw_abi_version == 2);
	CHECK(i->fw_abi_supported & (1u << i->fw_abi_version));
	CHECK(i->fw_abi_supported & (1u << DRM_SIMGPU_FW_ABI_V1));
	CHECK(i->fw_abi_supported & (1u << DRM_SIMGPU_FW_ABI_V2));
	EQ64(i->va_page_size, 4096);
	CHECK(i->va_start < i->va_end);
	CHECK(i->va_start % i->va_page_size == 0);
	CHECK(i->va_end % i->va_page_size == 0);
	CHECK(i->max_bo_size >= i->va_page_size);
	CHECK(i->max_vms >= 2 && i->max_queues >= 2);
	CHECK(i->max_jobs_per_submit >= 1 && i->max_bind_ops >= 1);
	CHECK(i->max_syncs >= 1 && i->max_cmd_size >= 8);
	CHECK(i->max_delay_ns > 0 && i->job_timeout_ms > 0);
	EQ64(i->queue_priorities, 3);
	for (op = DRM_SIMGPU_CMD_NOP; op <= DRM_SIMGPU_CMD_DELAY; op++)
		CHECK(i->cmd_mask & (1ull << op), "opcode %u", op);
	CHECK(!(i->cmd_mask & 1), "opcode 0 must be invalid");
}

static void t_dev_query_bad_type(struct fx *fx)
{
	static const uint32_t types[] = { 1, 2, 0x80000000u, 0xffffffffu };
	struct drm_simgpu_dev_info info;
	unsigned int t;

	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		struct drm_simgpu_dev_query q = {
			.type = types[t],
			.size = sizeof(info),
			.pointer = (uintptr_t)&info,
		};

		memset(&info, 0xaa, sizeof(info));
		ERR(ioc(fx, DRM_IOCTL_SIMGPU_DEV_QUERY, &q), EINVAL);
		CHECK(((uint8_t *)&info)[0] == 0xaa &&
		      ((uint8_t *)&info)[sizeof(info) - 1] == 0xaa,
		      "a failed query wrote its buffer");
		/* Also without a pointer. */
		q.pointer = 0;
		q.size = 0;
		ERR(ioc(fx, DRM_IOCTL_SIMGPU_DEV_QUERY, &q), EINVAL);
	}
}

static void t_dev_query_efault(struct fx *fx)
{
	struct drm_simgpu_dev_query q = {
		.type = DRM_SIMGPU_DEV_QUERY_DEV_INFO,
		.size = sizeof(struct drm_simgpu_dev_info),
		.pointer = (uintptr_t)fx->bad_ptr,
	};

	ERR(ioc(fx, DRM_IOCTL_SIMGPU_DEV_QUERY, &q), EFAULT);
	q.pointer = 8;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_DEV_QUERY, &q), EFAULT);
	q.pointer = 0xffff888000000000ull;	/* kernel address */
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_DEV_QUERY, &q), EFAULT);
}

/* The buffer's tail lies on a page that is not mapped. */
static void t_dev_query_efault_partial(struct fx *fx)
{
	uint8_t *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_simgpu_dev_query q = {
		.type = DRM_SIMGPU_DEV_QUERY_DEV_INFO,
		.size = sizeof(struct drm_simgpu_dev_info),
	};

	CHECK(p != MAP_FAILED);
	CHECK(mprotect(p + 4096, 4096, PROT_NONE) == 0);
	q.pointer = (uintptr_t)(p + 4096 - 16);
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_DEV_QUERY, &q), EFAULT);
	/* A larger-than-known size whose zeroed tail is unmapped. */
	q.pointer = (uintptr_t)(p + 4096 - sizeof(struct drm_simgpu_dev_info));
	q.size = sizeof(struct drm_simgpu_dev_info) + 64;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_DEV_QUERY, &q), EFAULT);
	munmap(p, 8192);
}

static void t_dev_query_short(struct fx *fx)
{
	uint8_t buf[sizeof(struct drm_simgpu_dev_info)];
	struct drm_simgpu_dev_query q = {
		.type = DRM_SIMGPU_DEV_QUERY_DEV_INFO,
		.size = 8,
		.pointer = (uintptr_t)buf,
	};
	uint32_t id;

	memset(buf, 0xaa, sizeof(buf));
	OK(ioc(fx, DRM_IOCTL_SIMGPU_DEV_QUERY, &q));
	memcpy(&id, buf, 4);
	EQ64(id, DRM_SIMGPU_GPU_ID);
	CHECK(buf[8] == 0xaa && buf[sizeof(buf) - 1] == 0xaa,
	      "bytes past the size were written");
	/* size 0 with a pointer writes nothing. */
	memset(buf, 0xaa, sizeof(buf));
	q.size = 0;
	OK(ioc(fx, DRM_IOCTL_SIMGPU_DEV_QUERY, &q));
	CHECK(buf[0] == 0xaa);
}

static void t_dev_query_long(struct fx *fx)
{
	uint8_t buf[sizeof(struct drm_simgpu_dev_info) + 64];
	struct drm_simgpu_dev_query q = {
		.type = DRM_SIMGPU_DEV_QUERY_DEV_INFO,
		.size = sizeof(buf),
		.pointer = (uintptr_t)buf,
	};
	size_t i;

	memset(buf, 0xaa, sizeof(buf));
	OK(ioc(fx, DRM_IOCTL_SIMGPU_DEV_QUERY, &q));
	CHECK(memcmp(buf, fx->info, sizeof(*fx->info)) == 0);
	for (i = sizeof(*fx->info); i < sizeof(buf); i++)
		CHECK(buf[i] == 0, "byte %zu past the known size not zeroed", i);
}

/* ------------------------------------------------------------ BO_CREATE */

static void t_bo_create_bad_flags(struct fx *fx)
{
	static const uint32_t flags[] = { 1u << 1, 1u << 7, 1u << 31,
					  0xffffffffu };
	uint32_t next = next_bo_handle(fx);
	unsigned int i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct drm_simgpu_bo_create a = { .size = 4096,
						  .flags = flags[i] };

		ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_CREATE, &a), EINVAL);
		EQ64(a.handle, 0);
	}
	EQ64(next_bo_handle(fx), next);
}

static void t_bo_create_pad(struct fx *fx)
{
	struct drm_simgpu_bo_create a = { .size = 4096, .pad = 1 };
	uint32_t next = next_bo_handle(fx);

	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_CREATE, &a), EINVAL);
	a.pad = 0x80000000u;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_CREATE, &a), EINVAL);
	EQ64(next_bo_handle(fx), next);
}

static void t_bo_create_zero_size(struct fx *fx)
{
	struct drm_simgpu_bo_create a = { .size = 0 };
	uint32_t next = next_bo_handle(fx);

	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_CREATE, &a), EINVAL);
	EQ64(next_bo_handle(fx), next);
}

static void t_bo_create_too_big(struct fx *fx)
{
	struct drm_simgpu_bo_create a = { .size = fx->info->max_bo_size + 1 };
	uint32_t next = next_bo_handle(fx);

	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_CREATE, &a), E2BIG);
	a.size = fx->info->max_bo_size + fx->page;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_CREATE, &a), E2BIG);
	a.size = UINT64_MAX;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_CREATE, &a), E2BIG);
	a.size = UINT64_MAX - 4095;	/* rounding up would wrap */
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_CREATE, &a), E2BIG);
	EQ64(next_bo_handle(fx), next);
}

static void t_bo_create_max_size(struct fx *fx)
{
	struct simgpu_bo bo;

	/* Pages are allocated on first use: this costs nothing. */
	OK(simgpu_bo_create(&fx->dev, fx->info->max_bo_size, 0, 0, &bo));
	EQ64(bo.size, fx->info->max_bo_size);
	OK(simgpu_gem_close(fx->fd, bo.handle));
}

static void t_bo_create_round_up(struct fx *fx)
{
	struct simgpu_bo bo;

	OK(simgpu_bo_create(&fx->dev, 1, 0, 0, &bo));
	EQ64(bo.size, fx->page);
	CHECK(bo.handle != 0);
	OK(simgpu_bo_map(&fx->dev, &bo));
	CHECK(((uint8_t *)bo.map)[0] == 0 &&
	      ((uint8_t *)bo.map)[fx->page - 1] == 0, "new BO not zeroed");
	OK(simgpu_bo_destroy(&fx->dev, &bo));
	OK(simgpu_bo_create(&fx->dev, fx->page + 1, 0, 0, &bo));
	EQ64(bo.size, 2 * fx->page);
	OK(simgpu_gem_close(fx->fd, bo.handle));
}

static void t_bo_create_bad_vm(struct fx *fx)
{
	struct drm_simgpu_bo_create a = { .size = 4096 };
	uint32_t next = next_bo_handle(fx), vm;

	a.exclusive_vm_id = 0xdead;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_CREATE, &a), ENOENT);
	a.exclusive_vm_id = fx->vm + 1;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_CREATE, &a), ENOENT);
	OK(simgpu_vm_create(&fx->dev, &vm));
	OK(simgpu_vm_destroy(&fx->dev, vm));
	a.exclusive_vm_id = vm;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_CREATE, &a), ENOENT);
	EQ64(next_bo_handle(fx), next);
}

/* Another file's VM ID means nothing in this file. */
static void t_bo_create_other_file_vm(struct fx *fx)
{
	struct simgpu_dev other;
	struct drm_simgpu_bo_create a = { .size = 4096 };
	uint32_t vm, i;

	OK(simgpu_open(&other, fx->dev.path));
	for (i = 0; i < 3; i++)
		OK(simgpu_vm_create(&other, &vm));
	a.exclusive_vm_id = vm;		/* fx has only VM 1 */
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_CREATE, &a), ENOENT);
	simgpu_close(&other);
}

/* A BO exclusive to a VM shares its resv: it cannot be exported. */
static void t_bo_create_exclusive_no_export(struct fx *fx)
{
	struct drm_prime_handle a = { .flags = DRM_CLOEXEC, .fd = -1 };
	struct simgpu_bo bo;
	int ret;

	OK(simgpu_bo_create(&fx->dev, 4096, 0, fx->vm, &bo));
	a.handle = bo.handle;
	ret = ioc(fx, DRM_IOCTL_PRIME_HANDLE_TO_FD, &a);
	CHECK(ret < 0, "PRIME export of a VM-exclusive BO succeeded (fd %d)",
	      a.fd);
	/* An ordinary BO exports. */
	a.handle = fx->other.handle;
	a.fd = -1;
	OK(ioc(fx, DRM_IOCTL_PRIME_HANDLE_TO_FD, &a));
	CHECK(a.fd >= 0);
	close(a.fd);
	/* And the exclusive BO works in its VM. */
	OK(simgpu_vm_map(&fx->dev, fx->vm, bo.handle, 0, fx->va_free, 4096, 0));
	simgpu_cb_write64(fx_cb(fx), fx->va_free + 8, 0xe8c1);
	CHECK(fx_run(fx) == 1);
	EXPECT_GPU(fx, fx->va_free + 8, 0xe8c1);
}

/* ------------------------------------------------------------ BO_MMAP_OFFSET */

static void t_bo_mmap_pad(struct fx *fx)
{
	struct drm_simgpu_bo_mmap_offset a = { .handle = fx->data.handle,
					       .pad = 1 };

	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &a), EINVAL);
	EQ64(a.offset, 0);
}

static void t_bo_mmap_bad_handle(struct fx *fx)
{
	struct drm_simgpu_bo_mmap_offset a = { .handle = 0 };
	struct simgpu_bo bo;

	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &a), ENOENT);
	a.handle = 0xdeadbeef;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &a), ENOENT);
	OK(simgpu_bo_create(&fx->dev, 4096, 0, 0, &bo));
	OK(simgpu_gem_close(fx->fd, bo.handle));
	a.handle = bo.handle;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &a), ENOENT);
}

static void t_bo_mmap_no_mmap(struct fx *fx)
{
	struct drm_simgpu_bo_mmap_offset a = { 0 };
	struct simgpu_bo bo;

	OK(simgpu_bo_create(&fx->dev, 4096, DRM_SIMGPU_BO_NO_MMAP, 0, &bo));
	a.handle = bo.handle;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &a), EPERM);
	/* The GPU can still use it. */
	OK(simgpu_vm_map(&fx->dev, fx->vm, bo.handle, 0, fx->va_free, 4096, 0));
	simgpu_cb_write64(fx_cb(fx), fx->va_free, 0x1234);
	CHECK(fx_run(fx) == 1);
	EXPECT_GPU(fx, fx->va_free, 0x1234);
}

static void t_bo_mmap_ok(struct fx *fx)
{
	struct drm_simgpu_bo_mmap_offset a = { .handle = fx->data.handle };
	struct drm_simgpu_bo_mmap_offset b = { .handle = fx->data.handle };
	uint64_t v;
	void *p;

	OK(ioc(fx, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &a));
	OK(ioc(fx, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &b));
	CHECK(a.offset && a.offset % 4096 == 0);
	EQ64(a.offset, b.offset);
	p = mmap(NULL, fx->data.size, PROT_READ, MAP_SHARED, fx->fd, a.offset);
	CHECK(p != MAP_FAILED);
	memcpy(&v, (uint8_t *)p + 3 * fx->page, 8);
	EQ64(v, marker('A', 3 * fx->page));
	munmap(p, fx->data.size);
}

/* ------------------------------------------------------------ VM_CREATE/DESTROY */

static void t_vm_create_bad_flags(struct fx *fx)
{
	static const uint32_t flags[] = { 1, 2, 1u << 31, 0xffffffffu };
	uint32_t next = next_vm_id(fx);
	unsigned int i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct drm_simgpu_vm_create a = { .flags = flags[i] };

		ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_CREATE, &a), EINVAL);
		EQ64(a.id, 0);
	}
	EQ64(next_vm_id(fx), next);
}

static void t_vm_create_max(struct fx *fx)
{
	uint32_t ids[256], n = 1, i, extra;	/* the fixture has one */

	CHECK(fx->info->max_vms < 256);
	while (n < fx->info->max_vms) {
		OK(simgpu_vm_create(&fx->dev, &ids[n]));
		CHECK(ids[n] != 0);
		n++;
	}
	ERR(simgpu_vm_create(&fx->dev, &extra), ENOSPC);
	ERR(simgpu_vm_create(&fx->dev, &extra), ENOSPC);
	/* The existing VMs still work. */
	expect_data_mapping(fx);
	OK(simgpu_vm_destroy(&fx->dev, ids[n - 1]));
	OK(simgpu_vm_create(&fx->dev, &extra));
	EQ64(extra, ids[n - 1]);
	ids[n - 1] = extra;
	for (i = 1; i < n; i++)
		OK(simgpu_vm_destroy(&fx->dev, ids[i]));
}

static void t_vm_destroy_pad(struct fx *fx)
{
	struct drm_simgpu_vm_destroy a = { .id = fx->vm, .pad = 1 };
	uint32_t q;

	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_DESTROY, &a), EINVAL);
	/* The VM is still there. */
	OK(simgpu_queue_create(&fx->dev, fx->vm, 0, &q));
	OK(simgpu_vm_unmap(&fx->dev, fx->vm, fx->va_free, fx->page));
	expect_data_mapping(fx);
}

static void t_vm_destroy_bad_id(struct fx *fx)
{
	struct drm_simgpu_vm_destroy a = { .id = 0 };

	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_DESTROY, &a), ENOENT);
	a.id = fx->vm + 1;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_DESTROY, &a), ENOENT);
	a.id = 0xffffffffu;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_DESTROY, &a), ENOENT);
	expect_data_mapping(fx);
}

static void t_vm_destroy_twice(struct fx *fx)
{
	uint32_t vm;

	OK(simgpu_vm_create(&fx->dev, &vm));
	OK(simgpu_vm_destroy(&fx->dev, vm));
	ERR(simgpu_vm_destroy(&fx->dev, vm), ENOENT);
	ERR(simgpu_vm_map(&fx->dev, vm, fx->data.handle, 0, fx->va_free,
			  fx->page, 0), ENOENT);
	ERR(simgpu_queue_create(&fx->dev, vm, 0, &vm), ENOENT);
}

/* A destroyed VM's ID is gone, but its queues keep working in it. */
static void t_vm_destroy_with_queue(struct fx *fx)
{
	ERR(simgpu_vm_destroy(&fx->dev, fx->vm), 0);
	ERR(simgpu_vm_map(&fx->dev, fx->vm, fx->data.handle, 0, fx->va_free,
			  fx->page, 0), ENOENT);
	expect_data_mapping(fx);
	simgpu_cb_write64(fx_cb(fx), fx->va_res + 16, 77);
	CHECK(fx_run(fx) == 1);
	EXPECT_GPU(fx, fx->va_res + 16, 77);
}

/* ------------------------------------------------------------ VM_BIND */

/* A VM_BIND with one op, flags and syncs given by the caller. */
static int bind1(struct fx *fx, uint32_t vm, uint32_t flags,
		 const struct drm_simgpu_vm_bind_op *op)
{
	return simgpu_vm_bind(&fx->dev, vm, flags, op, 1, NULL, 0, NULL, 0);
}

/* A MAP op of the "other" BO at the free VA, which must not take effect. */
static void bad_map_op(struct fx *fx, struct drm_simgpu_vm_bind_op *op)
{
	simgpu_bind_op_map(op, fx->other.handle, 0, fx->va_free, fx->page, 0);
}

/* After a failed bind: nothing changed. */
static void expect_bind_unchanged(struct fx *fx)
{
	EXPECT_UNMAPPED(fx, fx->va_free);
	expect_data_mapping(fx);
}

static void t_bind_bad_flags(struct fx *fx)
{
	static const uint32_t flags[] = { 1u << 1, 1u << 31, 0xfffffffeu };
	struct drm_simgpu_vm_bind_op op;
	unsigned int i;

	bad_map_op(fx, &op);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		ERR(bind1(fx, fx->vm, flags[i], &op), EINVAL);
	expect_bind_unchanged(fx);
}

static void t_bind_syncs_without_async(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync s = simgpu_sync(fx->done, 0);
	uint32_t sig;

	OK(simgpu_syncobj_create(&fx->dev, true, &sig));
	bad_map_op(fx, &op);
	s.handle = sig;
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, 0, &op, 1, &s, 1, NULL, 0),
	    EINVAL);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, 0, &op, 1, NULL, 0, &s, 1),
	    EINVAL);
	expect_bind_unchanged(fx);
}

static void t_bind_bad_vm(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;

	bad_map_op(fx, &op);
	ERR(bind1(fx, 0, 0, &op), ENOENT);
	ERR(bind1(fx, fx->vm + 1, 0, &op), ENOENT);
	ERR(bind1(fx, 0xffffffffu, DRM_SIMGPU_VM_BIND_ASYNC, &op), ENOENT);
	expect_bind_unchanged(fx);
}

static void t_bind_op_bad_type(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;

	bad_map_op(fx, &op);
	op.op = 2;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	op.op = 0xffffffffu;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	expect_bind_unchanged(fx);
}

static void t_bind_op_bad_flags(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;

	bad_map_op(fx, &op);
	op.flags = 1u << 1;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	op.flags = 0xffffffffu;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	/* READONLY is a MAP flag only. */
	simgpu_bind_op_unmap(&op, fx->va_data, fx->page);
	op.flags = DRM_SIMGPU_VM_BIND_OP_MAP_READONLY;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	expect_bind_unchanged(fx);
}

static void t_bind_op_pad(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;

	bad_map_op(fx, &op);
	op.pad = 1;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	simgpu_bind_op_unmap(&op, fx->va_data, fx->page);
	op.pad = 0x80000000u;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	expect_bind_unchanged(fx);
}

static void t_bind_unmap_bo_fields(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;

	simgpu_bind_op_unmap(&op, fx->va_data, fx->page);
	op.bo_handle = fx->data.handle;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	simgpu_bind_op_unmap(&op, fx->va_data, fx->page);
	op.bo_offset = fx->page;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	expect_bind_unchanged(fx);
}

static void t_bind_zero_range(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;

	bad_map_op(fx, &op);
	op.range = 0;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	simgpu_bind_op_unmap(&op, fx->va_data, 0);
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	expect_bind_unchanged(fx);
}

static void t_bind_misaligned(struct fx *fx)
{
	static const uint64_t bad[] = { 1, 8, 2048, 4095 };
	struct drm_simgpu_vm_bind_op op;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bad_map_op(fx, &op);
		op.va += bad[i];
		ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
		bad_map_op(fx, &op);
		op.range += bad[i];
		ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
		bad_map_op(fx, &op);
		op.bo_offset += bad[i];
		ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
		simgpu_bind_op_unmap(&op, fx->va_data + bad[i], fx->page);
		ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
		simgpu_bind_op_unmap(&op, fx->va_data, fx->page + bad[i]);
		ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	}
	expect_bind_unchanged(fx);
}

static void t_bind_va_overflow(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;

	bad_map_op(fx, &op);
	op.va = 0xfffffffffffff000ull;
	op.range = 2 * fx->page;
	ERR(bind1(fx, fx->vm, 0, &op), EOVERFLOW);
	simgpu_bind_op_unmap(&op, fx->va_data, 0xfffffffffffff000ull);
	ERR(bind1(fx, fx->vm, 0, &op), EOVERFLOW);
	expect_bind_unchanged(fx);
}

static void t_bind_bo_offset_overflow(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;

	bad_map_op(fx, &op);
	op.bo_offset = 0xfffffffffffff000ull;
	op.range = 2 * fx->page;
	ERR(bind1(fx, fx->vm, 0, &op), EOVERFLOW);
	expect_bind_unchanged(fx);
}

static void t_bind_outside_va_space(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;

	if (fx->info->va_start >= fx->page) {
		bad_map_op(fx, &op);
		op.va = fx->info->va_start - fx->page;
		ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
		op.range = 2 * fx->page;	/* straddles va_start */
		ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
		op.va = 0;
		op.range = fx->page;
		ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	}
	bad_map_op(fx, &op);
	op.va = fx->info->va_end - fx->page;
	op.range = 2 * fx->page;		/* straddles va_end */
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	op.va = fx->info->va_end;
	op.range = fx->page;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	simgpu_bind_op_unmap(&op, fx->info->va_end, fx->page);
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	expect_bind_unchanged(fx);
}

static void t_bind_beyond_bo(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;

	bad_map_op(fx, &op);
	op.range = fx->other.size + fx->page;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	bad_map_op(fx, &op);
	op.bo_offset = fx->other.size;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	bad_map_op(fx, &op);
	op.bo_offset = fx->other.size - fx->page;
	op.range = 2 * fx->page;
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	expect_bind_unchanged(fx);
	/* The last page exactly is fine. */
	op.range = fx->page;
	OK(bind1(fx, fx->vm, 0, &op));
	EXPECT_GPU(fx, fx->va_free, marker('B', fx->other.size - fx->page));
}

static void t_bind_bad_bo_handle(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;
	struct simgpu_bo bo;

	bad_map_op(fx, &op);
	op.bo_handle = 0;
	ERR(bind1(fx, fx->vm, 0, &op), ENOENT);
	op.bo_handle = 0xdeadbeef;
	ERR(bind1(fx, fx->vm, 0, &op), ENOENT);
	OK(simgpu_bo_create(&fx->dev, 4096, 0, 0, &bo));
	OK(simgpu_gem_close(fx->fd, bo.handle));
	op.bo_handle = bo.handle;
	ERR(bind1(fx, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op), ENOENT);
	expect_bind_unchanged(fx);
}

static void t_bind_exclusive_other_vm(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;
	struct simgpu_bo bo;
	uint32_t vm2;

	OK(simgpu_vm_create(&fx->dev, &vm2));
	OK(simgpu_bo_create(&fx->dev, 4096, 0, vm2, &bo));
	simgpu_bind_op_map(&op, bo.handle, 0, fx->va_free, fx->page, 0);
	ERR(bind1(fx, fx->vm, 0, &op), EINVAL);
	expect_bind_unchanged(fx);
	/* Its own VM takes it. */
	OK(bind1(fx, vm2, 0, &op));
}

static void t_bind_stride_small(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_vm_bind a = { .vm_id = fx->vm };

	bad_map_op(fx, &op);
	a.ops.count = 1;
	a.ops.array = (uintptr_t)&op;
	a.ops.stride = 0;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_BIND, &a), EINVAL);
	a.ops.stride = 8;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_BIND, &a), EINVAL);
	a.ops.stride = sizeof(op) - 8;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_BIND, &a), EINVAL);
	expect_bind_unchanged(fx);
}

static void t_bind_stride_unaligned(struct fx *fx)
{
	uint8_t buf[2 * sizeof(struct drm_simgpu_vm_bind_op)] = { 0 };
	struct drm_simgpu_vm_bind a = { .vm_id = fx->vm };

	bad_map_op(fx, (struct drm_simgpu_vm_bind_op *)buf);
	a.ops.count = 1;
	a.ops.array = (uintptr_t)buf;
	a.ops.stride = sizeof(struct drm_simgpu_vm_bind_op) + 4;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_BIND, &a), EINVAL);
	a.ops.stride = sizeof(struct drm_simgpu_vm_bind_op) + 1;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_BIND, &a), EINVAL);
	expect_bind_unchanged(fx);
}

/* Elements larger than the driver knows: zero tail ok, non-zero E2BIG. */
static void t_bind_stride_large(struct fx *fx)
{
	uint8_t buf[2][sizeof(struct drm_simgpu_vm_bind_op) + 8];
	struct drm_simgpu_vm_bind a = { .vm_id = fx->vm };

	memset(buf, 0, sizeof(buf));
	simgpu_bind_op_map((struct drm_simgpu_vm_bind_op *)buf[0],
			   fx->other.handle, 0, fx->va_free, fx->page, 0);
	simgpu_bind_op_map((struct drm_simgpu_vm_bind_op *)buf[1],
			   fx->other.handle, fx->page, fx->va_free + fx->page,
			   fx->page, 0);
	a.ops.count = 2;
	a.ops.array = (uintptr_t)buf;
	a.ops.stride = sizeof(buf[0]);
	buf[1][sizeof(buf[1]) - 1] = 1;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_BIND, &a), E2BIG);
	expect_bind_unchanged(fx);
	EXPECT_UNMAPPED(fx, fx->va_free + fx->page);
	buf[1][sizeof(buf[1]) - 1] = 0;
	OK(ioc(fx, DRM_IOCTL_SIMGPU_VM_BIND, &a));
	EXPECT_GPU(fx, fx->va_free, marker('B', 0));
	EXPECT_GPU(fx, fx->va_free + fx->page, marker('B', fx->page));
}

static void t_bind_too_many_ops(struct fx *fx)
{
	uint32_t n = fx->info->max_bind_ops + 1, i;
	struct drm_simgpu_vm_bind_op *ops = calloc(n, sizeof(*ops));

	CHECK(ops != NULL);
	for (i = 0; i < n; i++)
		simgpu_bind_op_map(&ops[i], fx->other.handle, 0,
				   fx->va_free + i * fx->page, fx->page, 0);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, 0, ops, n, NULL, 0, NULL, 0),
	    E2BIG);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, 0, ops, 0xffffffffu, NULL, 0,
			   NULL, 0), E2BIG);
	expect_bind_unchanged(fx);
	/* The maximum itself is accepted. */
	OK(simgpu_vm_bind(&fx->dev, fx->vm, 0, ops, n - 1, NULL, 0, NULL, 0));
	EXPECT_GPU(fx, fx->va_free + (n - 2) * fx->page, marker('B', 0));
	free(ops);
}

static void t_bind_zero_ops(struct fx *fx)
{
	uint32_t out;

	OK(simgpu_vm_bind(&fx->dev, fx->vm, 0, NULL, 0, NULL, 0, NULL, 0));
	/* Asynchronously too, and the out-syncobj still signals. */
	OK(simgpu_syncobj_create(&fx->dev, false, &out));
	{
		struct drm_simgpu_sync s = simgpu_sync(out, 0);

		OK(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC,
				  NULL, 0, NULL, 0, &s, 1));
	}
	OK(simgpu_syncobj_wait(&fx->dev, &out, 1, 60000000000ull, true));
	expect_bind_unchanged(fx);
}

static void t_bind_efault(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync s;
	uint32_t sig;

	ERR(simgpu_vm_bind(&fx->dev, fx->vm, 0, fx->bad_ptr, 1, NULL, 0, NULL,
			   0), EFAULT);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, 0, (void *)8, 1, NULL, 0, NULL,
			   0), EFAULT);
	bad_map_op(fx, &op);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			   fx->bad_ptr, 1, NULL, 0), EFAULT);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			   NULL, 0, fx->bad_ptr, 1), EFAULT);
	/* The second op is on an unmapped page. */
	{
		uint8_t *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct drm_simgpu_vm_bind_op *o;

		CHECK(p != MAP_FAILED);
		CHECK(mprotect(p + 4096, 4096, PROT_NONE) == 0);
		o = (void *)(p + 4096 - sizeof(*o));
		bad_map_op(fx, o);
		ERR(simgpu_vm_bind(&fx->dev, fx->vm, 0, o, 2, NULL, 0, NULL,
				   0), EFAULT);
		munmap(p, 8192);
	}
	OK(simgpu_syncobj_create(&fx->dev, true, &sig));
	s = simgpu_sync(sig, 0);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			   &s, 1, fx->bad_ptr, 1), EFAULT);
	expect_bind_unchanged(fx);
}

static void t_bind_bad_syncobj(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync s = simgpu_sync(0xdead, 0);
	struct drm_simgpu_sync z = simgpu_sync(0, 0);

	bad_map_op(fx, &op);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			   &s, 1, NULL, 0), ENOENT);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			   NULL, 0, &s, 1), ENOENT);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			   NULL, 0, &z, 1), ENOENT);
	expect_bind_unchanged(fx);
}

static void t_bind_sync_flags(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync s;
	uint32_t sig;

	OK(simgpu_syncobj_create(&fx->dev, true, &sig));
	bad_map_op(fx, &op);
	s = simgpu_sync(sig, 0);
	s.flags = 1;
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			   &s, 1, NULL, 0), EINVAL);
	s.flags = 0x80000000u;
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			   NULL, 0, &s, 1), EINVAL);
	expect_bind_unchanged(fx);
}

static void t_bind_too_many_syncs(struct fx *fx)
{
	uint32_t n = fx->info->max_syncs + 1, i, sig;
	struct drm_simgpu_sync *s = calloc(n, sizeof(*s));
	struct drm_simgpu_vm_bind_op op;

	CHECK(s != NULL);
	OK(simgpu_syncobj_create(&fx->dev, true, &sig));
	for (i = 0; i < n; i++)
		s[i] = simgpu_sync(sig, 0);
	bad_map_op(fx, &op);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			   s, n, NULL, 0), E2BIG);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			   NULL, 0, s, n), E2BIG);
	expect_bind_unchanged(fx);
	free(s);
}

static void t_bind_sync_stride(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_vm_bind a = { .vm_id = fx->vm,
					.flags = DRM_SIMGPU_VM_BIND_ASYNC };
	uint64_t s[3] = { 0 };
	uint32_t sig;

	OK(simgpu_syncobj_create(&fx->dev, true, &sig));
	bad_map_op(fx, &op);
	a.ops = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(1, &op);
	s[0] = sig;
	a.in_syncs.count = 1;
	a.in_syncs.array = (uintptr_t)s;
	a.in_syncs.stride = 8;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_BIND, &a), EINVAL);
	a.in_syncs.stride = 20;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_BIND, &a), EINVAL);
	a.in_syncs.stride = 24;
	s[2] = 1;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_VM_BIND, &a), E2BIG);
	expect_bind_unchanged(fx);
}

static void t_bind_in_sync_no_fence(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync s;
	uint32_t empty;

	OK(simgpu_syncobj_create(&fx->dev, false, &empty));
	bad_map_op(fx, &op);
	s = simgpu_sync(empty, 0);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			   &s, 1, NULL, 0), EINVAL);
	/* A timeline point that was never submitted. */
	s = simgpu_sync(empty, 5);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			   &s, 1, NULL, 0), EINVAL);
	expect_bind_unchanged(fx);
}

/* A late failure (bad BO of op 2) leaves op 1's unmap undone. */
static void t_bind_atomic_late_failure(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op ops[2];

	simgpu_bind_op_unmap(&ops[0], fx->va_data, fx->data.size);
	bad_map_op(fx, &ops[1]);
	ops[1].bo_handle = 0xdead;
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, 0, ops, 2, NULL, 0, NULL, 0),
	    ENOENT);
	expect_bind_unchanged(fx);
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, ops, 2,
			   NULL, 0, NULL, 0), ENOENT);
	expect_bind_unchanged(fx);
	/* And an invalid last op after a valid map. */
	bad_map_op(fx, &ops[0]);
	simgpu_bind_op_unmap(&ops[1], fx->va_data, fx->page);
	ops[1].pad = 1;
	ERR(simgpu_vm_bind(&fx->dev, fx->vm, 0, ops, 2, NULL, 0, NULL, 0),
	    EINVAL);
	expect_bind_unchanged(fx);
}

static void t_bind_async(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync in, out, jin, jout;
	struct drm_simgpu_job job;
	uint32_t sig, bound;
	int status;

	OK(simgpu_syncobj_create(&fx->dev, true, &sig));
	OK(simgpu_syncobj_create(&fx->dev, false, &bound));
	in = simgpu_sync(sig, 0);
	out = simgpu_sync(bound, 0);
	bad_map_op(fx, &op);
	OK(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			  &in, 1, &out, 1));
	/* A job that waits for the bind sees the new mapping. */
	simgpu_cb_copy(fx_cb(fx), fx->va_free + 16, fx->va_res, 8);
	jin = simgpu_sync(bound, 0);
	jout = simgpu_sync(fx->done, 0);
	simgpu_job_init(&job, fx->cb.va, simgpu_cb_size(&fx->cb), &jin, 1,
			&jout, 1);
	OK(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL));
	OK(simgpu_syncobj_wait_status(&fx->dev, fx->done, 60000000000ull,
				      &status));
	EQ64(status, 1);
	EQ64(*(uint64_t *)fx->res.map, marker('B', 16));
	OK(simgpu_syncobj_status(&fx->dev, bound, &status));
	EQ64(status, 1);
}

/*
 * The fence in a syncobj names its driver and timeline, through a sync_file,
 * after the queue or VM that made it is gone: simgpu hands out its own
 * fences, never drm_sched fences, whose names live in the freed scheduler.
 */
static void expect_simgpu_fence(struct fx *fx, uint32_t syncobj)
{
	struct sync_fence_info fi;
	struct sync_file_info info;
	int sync_fd;

	OK(-drmSyncobjExportSyncFile(fx->fd, syncobj, &sync_fd));
	memset(&fi, 0, sizeof(fi));
	memset(&info, 0, sizeof(info));
	info.num_fences = 1;
	info.sync_fence_info = (uintptr_t)&fi;
	if (ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info))
		FAIL("SYNC_IOC_FILE_INFO: %m");
	close(sync_fd);
	EQ64(info.num_fences, 1);
	EQ64(info.status, 1);
	CHECK(!strcmp(fi.driver_name, "simgpu"),
	      "the out-syncobj holds a fence of driver \"%.32s\" (timeline \"%.32s\")",
	      fi.driver_name, fi.obj_name);
	EQ64(fi.status, 1);
}

static void t_fence_outlives_queue_and_vm(struct fx *fx)
{
	struct drm_simgpu_vm_bind_op op;
	struct drm_simgpu_sync out;
	uint32_t bound;
	int status;

	OK(simgpu_syncobj_create(&fx->dev, false, &bound));
	out = simgpu_sync(bound, 0);
	bad_map_op(fx, &op);
	OK(simgpu_vm_bind(&fx->dev, fx->vm, DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
			  NULL, 0, &out, 1));
	OK(simgpu_syncobj_wait_status(&fx->dev, bound, 60000000000ull,
				      &status));
	EQ64(status, 1);
	simgpu_cb_nop(fx_cb(fx), 1);
	CHECK(fx_run(fx) == 1);

	OK(simgpu_queue_destroy(&fx->dev, fx->queue));
	OK(simgpu_vm_destroy(&fx->dev, fx->vm));
	/* Queue and VM are freed by work items: give them time to run. */
	usleep(200000);
	expect_simgpu_fence(fx, fx->done);
	expect_simgpu_fence(fx, bound);
}

static void t_bind_readonly(struct fx *fx)
{
	OK(simgpu_vm_map(&fx->dev, fx->vm, fx->other.handle, 0, fx->va_free,
			 fx->page, DRM_SIMGPU_VM_BIND_OP_MAP_READONLY));
	EXPECT_GPU(fx, fx->va_free + 8, marker('B', 8));
	simgpu_cb_write64(fx_cb(fx), fx->va_free + 8, 1);
	ERR(fx_run(fx), EFAULT);
	CHECK(((uint64_t *)fx->other.map)[1] == marker('B', 8),
	      "a write to a read-only mapping landed");
}

static void t_bind_partial_unmap(struct fx *fx)
{
	uint64_t p = fx->page;

	OK(simgpu_vm_map(&fx->dev, fx->vm, fx->other.handle, 2 * p,
			 fx->va_free, 4 * p, 0));
	OK(simgpu_vm_unmap(&fx->dev, fx->vm, fx->va_free + p, 2 * p));
	EXPECT_GPU(fx, fx->va_free, marker('B', 2 * p));
	EXPECT_UNMAPPED(fx, fx->va_free + p);
	EXPECT_UNMAPPED(fx, fx->va_free + 2 * p + 8);
	EXPECT_GPU(fx, fx->va_free + 3 * p + 8, marker('B', 5 * p + 8));
	/* Remap part of the hole with the other BO. */
	OK(simgpu_vm_map(&fx->dev, fx->vm, fx->data.handle, 7 * p,
			 fx->va_free + 2 * p, p, 0));
	EXPECT_GPU(fx, fx->va_free + 2 * p, marker('A', 7 * p));
	EXPECT_UNMAPPED(fx, fx->va_free + p);
	/* Unmapping an empty range is fine. */
	OK(simgpu_vm_unmap(&fx->dev, fx->vm, fx->va_free + 64 * p, 8 * p));
	OK(simgpu_vm_unmap(&fx->dev, fx->vm, fx->va_free + p, p));
	EXPECT_GPU(fx, fx->va_free, marker('B', 2 * p));
}

static void t_bind_remap(struct fx *fx)
{
	OK(simgpu_vm_map(&fx->dev, fx->vm, fx->other.handle, 0,
			 fx->va_data + fx->page, fx->page, 0));
	EXPECT_GPU(fx, fx->va_data + fx->page, marker('B', 0));
	EXPECT_GPU(fx, fx->va_data, marker('A', 0));
	EXPECT_GPU(fx, fx->va_data + 2 * fx->page, marker('A', 2 * fx->page));
}

/* ------------------------------------------------------------ QUEUE_CREATE/DESTROY */

static void t_queue_create_bad_flags(struct fx *fx)
{
	static const uint32_t flags[] = { 1, 1u << 31, 0xffffffffu };
	uint32_t next = next_queue_id(fx);
	unsigned int i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct drm_simgpu_queue_create a = { .vm_id = fx->vm,
						     .flags = flags[i] };

		ERR(ioc(fx, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &a), EINVAL);
		EQ64(a.id, 0);
	}
	EQ64(next_queue_id(fx), next);
}

static void t_queue_create_bad_priority(struct fx *fx)
{
	static const uint32_t prio[] = { 3, 4, 0x80000000u, 0xffffffffu };
	uint32_t next = next_queue_id(fx);
	unsigned int i;

	for (i = 0; i < sizeof(prio) / sizeof(prio[0]); i++) {
		struct drm_simgpu_queue_create a = { .vm_id = fx->vm,
						     .priority = prio[i] };

		ERR(ioc(fx, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &a), EINVAL);
	}
	EQ64(next_queue_id(fx), next);
}

static void t_queue_create_bad_vm(struct fx *fx)
{
	uint32_t next = next_queue_id(fx), q, vm;

	ERR(simgpu_queue_create(&fx->dev, 0, 0, &q), ENOENT);
	ERR(simgpu_queue_create(&fx->dev, fx->vm + 1, 0, &q), ENOENT);
	ERR(simgpu_queue_create(&fx->dev, 0xffffffffu, 0, &q), ENOENT);
	OK(simgpu_vm_create(&fx->dev, &vm));
	OK(simgpu_vm_destroy(&fx->dev, vm));
	ERR(simgpu_queue_create(&fx->dev, vm, 0, &q), ENOENT);
	EQ64(next_queue_id(fx), next);
}

/* Raw capset(2): drop CAP_SYS_NICE from the effective set. */
static int drop_cap_sys_nice(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_SYS_NICE / 32].effective &= ~(1u << (CAP_SYS_NICE % 32));
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

static void t_queue_create_high_priority(struct fx *fx)
{
	uint32_t next, q;

	/* As root (the VM), high priority is allowed. */
	OK(simgpu_queue_create(&fx->dev, fx->vm,
			       DRM_SIMGPU_QUEUE_PRIORITY_HIGH, &q));
	OK(simgpu_queue_destroy(&fx->dev, q));
	next = next_queue_id(fx);
	OK(drop_cap_sys_nice());
	ERR(simgpu_queue_create(&fx->dev, fx->vm,
				DRM_SIMGPU_QUEUE_PRIORITY_HIGH, &q), EPERM);
	EQ64(next_queue_id(fx), next);
	OK(simgpu_queue_create(&fx->dev, fx->vm,
			       DRM_SIMGPU_QUEUE_PRIORITY_MEDIUM, &q));
}

static void t_queue_create_max(struct fx *fx)
{
	uint32_t n = 1, q, i, ids[256];		/* the fixture has one */

	CHECK(fx->info->max_queues < 256);
	while (n < fx->info->max_queues) {
		OK(simgpu_queue_create(&fx->dev, fx->vm, n % 2, &ids[n]));
		CHECK(ids[n] != 0);
		n++;
	}
	ERR(simgpu_queue_create(&fx->dev, fx->vm, 0, &q), ENOSPC);
	/* The last queue created works, and a freed slot can be reused. */
	simgpu_cb_write64(fx_cb(fx), fx->va_res + 8, 99);
	CHECK(fx_run_on(fx, ids[n - 1]) == 1);
	OK(simgpu_queue_destroy(&fx->dev, ids[3]));
	OK(simgpu_queue_create(&fx->dev, fx->vm, 0, &q));
	EQ64(q, ids[3]);
	for (i = 1; i < n; i++)
		OK(simgpu_queue_destroy(&fx->dev, ids[i]));
}

static void t_queue_destroy_pad(struct fx *fx)
{
	struct drm_simgpu_queue_destroy a = { .id = fx->queue, .pad = 1 };

	ERR(ioc(fx, DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &a), EINVAL);
	simgpu_cb_write64(fx_cb(fx), fx->va_res + 8, 5);
	CHECK(fx_run(fx) == 1, "the queue no longer works");
}

static void t_queue_destroy_bad_id(struct fx *fx)
{
	ERR(simgpu_queue_destroy(&fx->dev, 0), ENOENT);
	ERR(simgpu_queue_destroy(&fx->dev, fx->queue + 1), ENOENT);
	ERR(simgpu_queue_destroy(&fx->dev, 0xffffffffu), ENOENT);
	/* A VM ID is not a queue ID. */
	ERR(simgpu_queue_destroy(&fx->dev, fx->vm + 7), ENOENT);
	simgpu_cb_write64(fx_cb(fx), fx->va_res + 8, 5);
	CHECK(fx_run(fx) == 1);
}

static void t_queue_destroy_twice(struct fx *fx)
{
	struct drm_simgpu_job job;

	OK(simgpu_queue_destroy(&fx->dev, fx->queue));
	ERR(simgpu_queue_destroy(&fx->dev, fx->queue), ENOENT);
	simgpu_cb_nop(fx_cb(fx), 1);
	simgpu_job_init(&job, fx->cb.va, 8, NULL, 0, NULL, 0);
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), ENOENT);
}

/* Jobs not done when their queue goes are cancelled. */
static void t_queue_destroy_pending(struct fx *fx)
{
	struct drm_simgpu_sync out[2];
	struct drm_simgpu_job jobs[2];
	uint32_t s[2];
	int st, i;

	for (i = 0; i < 2; i++) {
		OK(simgpu_syncobj_create(&fx->dev, false, &s[i]));
		out[i] = simgpu_sync(s[i], 0);
	}
	simgpu_cb_delay(fx_cb(fx), 500000000);
	simgpu_cb_write64(&fx->cb, fx->va_res + 8, 0x5ad);
	simgpu_job_init(&jobs[0], fx->cb.va, simgpu_cb_size(&fx->cb), NULL, 0,
			&out[0], 1);
	simgpu_job_init(&jobs[1], fx->cb.va, simgpu_cb_size(&fx->cb), NULL, 0,
			&out[1], 1);
	memset(fx->res.map, 0, 16);
	OK(simgpu_submit(&fx->dev, fx->queue, jobs, 2, NULL));
	usleep(50000);
	OK(simgpu_queue_destroy(&fx->dev, fx->queue));
	for (i = 0; i < 2; i++) {
		OK(simgpu_syncobj_wait_status(&fx->dev, s[i], 60000000000ull,
					      &st));
		CHECK(st == -ECANCELED || st == -ESRCH,
		      "job %d of a destroyed queue: fence status %d (%s)", i,
		      st, fence_name(st));
	}
	EQ64(((uint64_t *)fx->res.map)[1], 0);
}

/* ------------------------------------------------------------ SUBMIT */

/* A one-job SUBMIT whose job writes @val at va_res + 8 (to see if it ran). */
static void marker_job(struct fx *fx, struct drm_simgpu_job *job, uint64_t val)
{
	simgpu_cb_write64(fx_cb(fx), fx->va_res + 8, val);
	simgpu_job_init(job, fx->cb.va, simgpu_cb_size(&fx->cb), NULL, 0,
			NULL, 0);
}

/* After a failed submit: nothing ran, no sequence number was used. */
static void expect_submit_unchanged(struct fx *fx, uint64_t next_seqno)
{
	struct drm_simgpu_sync out = simgpu_sync(fx->done, 0);
	struct drm_simgpu_job job;
	struct simgpu_cmdbuf cb;
	uint64_t seqno;
	int st;

	/* Away from the marker job's commands, which must stay intact. */
	simgpu_cb_init(&cb, (uint8_t *)fx->cmd.map + CMD_SIZE / 2,
		       fx->va_cmd + CMD_SIZE / 2, CMD_SIZE / 2);
	simgpu_cb_copy(&cb, fx->va_res + 8, fx->va_res + 16, 8);
	simgpu_job_init(&job, cb.va, simgpu_cb_size(&cb), NULL, 0, &out, 1);
	OK(simgpu_submit(&fx->dev, fx->queue, &job, 1, &seqno));
	OK(simgpu_syncobj_wait_status(&fx->dev, fx->done, 60000000000ull, &st));
	EQ64(st, 1);
	EQ64(seqno, next_seqno);
	EQ64(((uint64_t *)fx->res.map)[1], 0);	/* the marker job never ran */
}

/* Submit one trivial job and return its seqno. */
static uint64_t submit_nop(struct fx *fx)
{
	struct drm_simgpu_sync out = simgpu_sync(fx->done, 0);
	struct drm_simgpu_job job;
	uint64_t seqno;

	simgpu_cb_nop(fx_cb(fx), 1);
	simgpu_job_init(&job, fx->cb.va, 8, NULL, 0, &out, 1);
	OK(simgpu_submit(&fx->dev, fx->queue, &job, 1, &seqno));
	OK(simgpu_syncobj_wait(&fx->dev, &fx->done, 1, 60000000000ull, true));
	memset(fx->res.map, 0, 32);
	return seqno;
}

static void t_submit_seqno(struct fx *fx)
{
	struct drm_simgpu_job jobs[3];
	uint64_t s;
	uint32_t q2;

	EQ64(submit_nop(fx), 1);
	marker_job(fx, &jobs[0], 1);
	jobs[1] = jobs[2] = jobs[0];
	OK(simgpu_submit(&fx->dev, fx->queue, jobs, 3, &s));
	EQ64(s, 2);
	EQ64(submit_nop(fx), 5);
	/* Per queue. */
	OK(simgpu_queue_create(&fx->dev, fx->vm, 0, &q2));
	OK(simgpu_submit(&fx->dev, q2, jobs, 1, &s));
	EQ64(s, 1);
}

static void t_submit_bad_flags(struct fx *fx)
{
	struct drm_simgpu_job job;
	struct drm_simgpu_submit a = { .queue_id = fx->queue };
	uint64_t next = submit_nop(fx) + 1;

	marker_job(fx, &job, 1);
	a.jobs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(1, &job);
	a.flags = 1;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_SUBMIT, &a), EINVAL);
	a.flags = 0xffffffffu;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_SUBMIT, &a), EINVAL);
	EQ64(a.seqno, 0);
	expect_submit_unchanged(fx, next);
}

static void t_submit_job_flags(struct fx *fx)
{
	struct drm_simgpu_job job;
	uint64_t next = submit_nop(fx) + 1;

	marker_job(fx, &job, 1);
	job.flags = 1;
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	job.flags = 0x80000000u;
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	expect_submit_unchanged(fx, next);
}

static void t_submit_bad_queue(struct fx *fx)
{
	struct drm_simgpu_job job;
	uint64_t next = submit_nop(fx) + 1;

	marker_job(fx, &job, 1);
	ERR(simgpu_submit(&fx->dev, 0, &job, 1, NULL), ENOENT);
	ERR(simgpu_submit(&fx->dev, fx->queue + 1, &job, 1, NULL), ENOENT);
	ERR(simgpu_submit(&fx->dev, 0xffffffffu, &job, 1, NULL), ENOENT);
	expect_submit_unchanged(fx, next);
}

static void t_submit_bad_cmd(struct fx *fx)
{
	struct drm_simgpu_job job;
	uint64_t next = submit_nop(fx) + 1;

	marker_job(fx, &job, 1);
	job.cmd_va = fx->va_cmd + 4;		/* misaligned */
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	job.cmd_va = fx->va_cmd + 1;
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	job.cmd_va = 0;				/* zero */
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	marker_job(fx, &job, 1);
	job.cmd_size = 0;			/* zero */
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	job.cmd_size = 12;			/* not a multiple of 8 */
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	job.cmd_size = 25;
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	job.cmd_size = fx->info->max_cmd_size + 8;	/* too large */
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	job.cmd_size = 0xfffffff8u;
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	expect_submit_unchanged(fx, next);
}

/*
 * A command buffer whose end wraps around the address space. The header
 * does not list this case; -EINVAL (a bad cmd_va) and -EOVERFLOW (as
 * VM_BIND reports a wrapping range) are both accepted.
 */
static void t_submit_cmd_wrap(struct fx *fx)
{
	struct drm_simgpu_job job;
	uint64_t next = submit_nop(fx) + 1;
	int ret;

	marker_job(fx, &job, 1);
	job.cmd_va = 0xfffffffffffffff8ull;
	job.cmd_size = 16;
	ret = simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL);
	CHECK(ret == -EINVAL || ret == -EOVERFLOW,
	      "wrapping cmd buffer: SUBMIT returned %d (%s)", ret, ename(ret));
	expect_submit_unchanged(fx, next);
}

static void t_submit_too_many_jobs(struct fx *fx)
{
	uint32_t n = fx->info->max_jobs_per_submit + 1, i;
	struct drm_simgpu_job *jobs = calloc(n, sizeof(*jobs));
	uint64_t next = submit_nop(fx) + 1;

	CHECK(jobs != NULL);
	marker_job(fx, &jobs[0], 1);
	for (i = 1; i < n; i++)
		jobs[i] = jobs[0];
	ERR(simgpu_submit(&fx->dev, fx->queue, jobs, n, NULL), E2BIG);
	ERR(simgpu_submit(&fx->dev, fx->queue, jobs, 0xffffffffu, NULL), E2BIG);
	expect_submit_unchanged(fx, next);
	free(jobs);
}

/* Zero jobs: accepted ("count may be zero"), nothing queued. */
static void t_submit_zero_jobs(struct fx *fx)
{
	uint64_t next = submit_nop(fx) + 1;

	OK(simgpu_submit(&fx->dev, fx->queue, NULL, 0, NULL));
	OK(simgpu_submit(&fx->dev, fx->queue, fx->bad_ptr, 0, NULL));
	expect_submit_unchanged(fx, next);
}

static void t_submit_stride(struct fx *fx)
{
	uint8_t buf[2][sizeof(struct drm_simgpu_job) + 8];
	struct drm_simgpu_submit a = { .queue_id = fx->queue };
	uint64_t next = submit_nop(fx) + 1;

	memset(buf, 0, sizeof(buf));
	marker_job(fx, (struct drm_simgpu_job *)buf[0], 1);
	memcpy(buf[1], buf[0], sizeof(buf[0]));
	a.jobs.count = 1;
	a.jobs.array = (uintptr_t)buf;
	a.jobs.stride = 8;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_SUBMIT, &a), EINVAL);
	a.jobs.stride = sizeof(struct drm_simgpu_job) - 8;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_SUBMIT, &a), EINVAL);
	a.jobs.stride = sizeof(struct drm_simgpu_job) + 4;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_SUBMIT, &a), EINVAL);
	a.jobs.count = 2;
	a.jobs.stride = sizeof(buf[0]);
	buf[1][sizeof(buf[1]) - 3] = 1;
	ERR(ioc(fx, DRM_IOCTL_SIMGPU_SUBMIT, &a), E2BIG);
	expect_submit_unchanged(fx, next);
	/* A larger element with a zero tail is accepted. */
	buf[1][sizeof(buf[1]) - 3] = 0;
	OK(ioc(fx, DRM_IOCTL_SIMGPU_SUBMIT, &a));
	EQ64(a.seqno, next + 1);
}

static void t_submit_efault(struct fx *fx)
{
	struct drm_simgpu_job job;
	uint64_t next = submit_nop(fx) + 1;

	ERR(simgpu_submit(&fx->dev, fx->queue, fx->bad_ptr, 1, NULL), EFAULT);
	ERR(simgpu_submit(&fx->dev, fx->queue, (void *)16, 1, NULL), EFAULT);
	marker_job(fx, &job, 1);
	job.in_syncs.count = 1;
	job.in_syncs.array = (uintptr_t)fx->bad_ptr;
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EFAULT);
	marker_job(fx, &job, 1);
	job.out_syncs.count = 1;
	job.out_syncs.array = (uintptr_t)fx->bad_ptr;
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EFAULT);
	expect_submit_unchanged(fx, next);
}

static void t_submit_bad_syncobj(struct fx *fx)
{
	struct drm_simgpu_sync s = simgpu_sync(0xdead, 0);
	struct drm_simgpu_job job;
	uint64_t next = submit_nop(fx) + 1;

	marker_job(fx, &job, 1);
	job.in_syncs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(1, &s);
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), ENOENT);
	marker_job(fx, &job, 1);
	job.out_syncs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(1, &s);
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), ENOENT);
	s.handle = 0;
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), ENOENT);
	expect_submit_unchanged(fx, next);
}

static void t_submit_sync_flags(struct fx *fx)
{
	struct drm_simgpu_sync s = simgpu_sync(fx->done, 0);
	struct drm_simgpu_job job;
	uint64_t next = submit_nop(fx) + 1;

	s.flags = 1;
	marker_job(fx, &job, 1);
	job.in_syncs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(1, &s);
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	marker_job(fx, &job, 1);
	job.out_syncs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(1, &s);
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	expect_submit_unchanged(fx, next);
}

static void t_submit_too_many_syncs(struct fx *fx)
{
	uint32_t n = fx->info->max_syncs + 1, i;
	struct drm_simgpu_sync *s = calloc(n, sizeof(*s));
	struct drm_simgpu_job job;
	uint64_t next = submit_nop(fx) + 1;

	CHECK(s != NULL);
	for (i = 0; i < n; i++)
		s[i] = simgpu_sync(fx->done, 0);
	marker_job(fx, &job, 1);
	job.in_syncs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(n, s);
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), E2BIG);
	marker_job(fx, &job, 1);
	job.out_syncs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(n, s);
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), E2BIG);
	expect_submit_unchanged(fx, next);
	free(s);
}

static void t_submit_sync_stride(struct fx *fx)
{
	uint64_t s[3] = { fx->done, 0, 0 };
	struct drm_simgpu_job job;
	uint64_t next = submit_nop(fx) + 1;

	marker_job(fx, &job, 1);
	job.in_syncs.count = 1;
	job.in_syncs.array = (uintptr_t)s;
	job.in_syncs.stride = 8;
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	job.in_syncs.stride = 12;
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	job.in_syncs.stride = 24;
	s[2] = 0xff;
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), E2BIG);
	expect_submit_unchanged(fx, next);
}

static void t_submit_in_sync_no_fence(struct fx *fx)
{
	struct drm_simgpu_sync s;
	struct drm_simgpu_job job;
	uint64_t next = submit_nop(fx) + 1;
	uint32_t empty;

	OK(simgpu_syncobj_create(&fx->dev, false, &empty));
	s = simgpu_sync(empty, 0);
	marker_job(fx, &job, 1);
	job.in_syncs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(1, &s);
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	s = simgpu_sync(empty, 3);
	ERR(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL), EINVAL);
	expect_submit_unchanged(fx, next);
}

/* Job 1 valid, job 2 invalid: nothing is queued. */
static void t_submit_atomic(struct fx *fx)
{
	struct drm_simgpu_job jobs[2];
	struct drm_simgpu_sync bad = simgpu_sync(0xdead, 0);
	uint64_t next = submit_nop(fx) + 1;

	marker_job(fx, &jobs[0], 1);
	jobs[1] = jobs[0];
	jobs[1].cmd_size = 0;
	ERR(simgpu_submit(&fx->dev, fx->queue, jobs, 2, NULL), EINVAL);
	jobs[1] = jobs[0];
	jobs[1].out_syncs =
		(struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(1, &bad);
	ERR(simgpu_submit(&fx->dev, fx->queue, jobs, 2, NULL), ENOENT);
	expect_submit_unchanged(fx, next);
}

/* ------------------------------------------------------------ command stream */

/* Run raw command words; return the fence status. */
static int run_words(struct fx *fx, const uint64_t *w, uint32_t n)
{
	simgpu_cb_raw(fx_cb(fx), w, n);
	return fx_run(fx);
}

#define HDR(op, fl, len) DRM_SIMGPU_CMD_HEADER(op, fl, len)

static void t_cmd_ok(struct fx *fx)
{
	uint64_t h;

	simgpu_cb_nop(fx_cb(fx), 5);
	simgpu_cb_fill(&fx->cb, fx->va_res, 64, 0x01020304);
	simgpu_cb_write32(&fx->cb, fx->va_res + 4, 0xaabbccdd);
	simgpu_cb_checksum(&fx->cb, fx->va_res, 16, fx->va_res + 64);
	simgpu_cb_delay(&fx->cb, 1000);
	EQ64(fx_run(fx), 1);
	EQ64(((uint32_t *)fx->res.map)[0], 0x01020304);
	EQ64(((uint32_t *)fx->res.map)[1], 0xaabbccdd);
	h = simgpu_hash(DRM_SIMGPU_HASH_INIT, fx->res.map, 16);
	EQ64(((uint64_t *)fx->res.map)[8], h);
}

static void t_cmd_bad_opcode(struct fx *fx)
{
	static const unsigned int ops[] = { 0, 7, 8, 0x7f, 0xff };
	unsigned int i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		uint64_t w[2] = { HDR(ops[i], 0, 2), 0 };

		ERR(run_words(fx, w, 2), EINVAL);
	}
	/* A zeroed buffer never executes. */
	{
		uint64_t w[4] = { 0 };

		ERR(run_words(fx, w, 4), EINVAL);
	}
}

static void t_cmd_reserved_bits(struct fx *fx)
{
	uint64_t w[3] = { HDR(DRM_SIMGPU_CMD_NOP, 0, 1) | (1ull << 32), 0, 0 };

	ERR(run_words(fx, w, 1), EINVAL);
	w[0] = HDR(DRM_SIMGPU_CMD_NOP, 0, 1) | (1ull << 63);
	ERR(run_words(fx, w, 1), EINVAL);
}

static void t_cmd_bad_length(struct fx *fx)
{
	uint64_t w[6] = { 0 };

	/* WRITE_IMM takes 3 words. */
	w[0] = HDR(DRM_SIMGPU_CMD_WRITE_IMM, 0, 2);
	w[1] = fx->va_res;
	ERR(run_words(fx, w, 2), EINVAL);
	w[0] = HDR(DRM_SIMGPU_CMD_WRITE_IMM, 0, 4);
	ERR(run_words(fx, w, 4), EINVAL);
	/* Length 0. */
	w[0] = HDR(DRM_SIMGPU_CMD_NOP, 0, 0);
	ERR(run_words(fx, w, 2), EINVAL);
	/* Longer than the buffer. */
	w[0] = HDR(DRM_SIMGPU_CMD_NOP, 0, 3);
	ERR(run_words(fx, w, 2), EINVAL);
	w[0] = HDR(DRM_SIMGPU_CMD_FILL, 0, 4);
	w[1] = fx->va_res;
	w[2] = 8;
	ERR(run_words(fx, w, 3), EINVAL);
	/* DELAY takes 2. */
	w[0] = HDR(DRM_SIMGPU_CMD_DELAY, 0, 3);
	ERR(run_words(fx, w, 3), EINVAL);
}

static void t_cmd_bad_flags(struct fx *fx)
{
	uint64_t w[4] = { HDR(DRM_SIMGPU_CMD_FILL, 1, 4), fx->va_res, 8, 0 };

	ERR(run_words(fx, w, 4), EINVAL);
	w[0] = HDR(DRM_SIMGPU_CMD_NOP, 1, 1);
	ERR(run_words(fx, w, 1), EINVAL);
	w[0] = HDR(DRM_SIMGPU_CMD_WRITE_IMM, 2, 3);
	ERR(run_words(fx, w, 3), EINVAL);
	w[0] = HDR(DRM_SIMGPU_CMD_DELAY, 0x80, 2);
	w[1] = 1;
	ERR(run_words(fx, w, 2), EINVAL);
}

static void t_cmd_bad_args(struct fx *fx)
{
	uint64_t r = fx->va_res;
	uint64_t w[4];

	/* WRITE_IMM alignment. */
	w[0] = HDR(DRM_SIMGPU_CMD_WRITE_IMM, 0, 3); w[1] = r + 2; w[2] = 1;
	ERR(run_words(fx, w, 3), EINVAL);
	w[0] = HDR(DRM_SIMGPU_CMD_WRITE_IMM, DRM_SIMGPU_CMD_WRITE_IMM_64, 3);
	w[1] = r + 4;
	ERR(run_words(fx, w, 3), EINVAL);
	/* FILL: va and size multiples of 4, size not zero. */
	w[0] = HDR(DRM_SIMGPU_CMD_FILL, 0, 4); w[1] = r + 1; w[2] = 8; w[3] = 0;
	ERR(run_words(fx, w, 4), EINVAL);
	w[1] = r; w[2] = 6;
	ERR(run_words(fx, w, 4), EINVAL);
	w[2] = 0;
	ERR(run_words(fx, w, 4), EINVAL);
	/* COPY: size not zero, no overlap. */
	w[0] = HDR(DRM_SIMGPU_CMD_COPY, 0, 4); w[1] = r; w[2] = r + 64; w[3] = 0;
	ERR(run_words(fx, w, 4), EINVAL);
	w[2] = r + 8; w[3] = 16;
	ERR(run_words(fx, w, 4), EINVAL);
	/* CHECKSUM: 8-byte aligned destination. */
	w[0] = HDR(DRM_SIMGPU_CMD_CHECKSUM, 0, 4); w[1] = r; w[2] = 8;
	w[3] = r + 68;
	ERR(run_words(fx, w, 4), EINVAL);
	/* DELAY: at most max_delay_ns. */
	w[0] = HDR(DRM_SIMGPU_CMD_DELAY, 0, 2);
	w[1] = (uint64_t)fx->info->max_delay_ns + 1;
	ERR(run_words(fx, w, 2), EINVAL);
	w[1] = UINT64_MAX;
	ERR(run_words(fx, w, 2), EINVAL);
}

/* A fault stops the job; earlier writes stay, later ones never happen. */
static void t_cmd_fault_unmapped(struct fx *fx)
{
	memset(fx->res.map, 0, 32);
	simgpu_cb_write64(fx_cb(fx), fx->va_res, 0x1111);
	simgpu_cb_write64(&fx->cb, fx->va_free + 8, 0x2222);
	simgpu_cb_write64(&fx->cb, fx->va_res + 8, 0x3333);
	ERR(fx_run(fx), EFAULT);
	EQ64(((uint64_t *)fx->res.map)[0], 0x1111);
	EQ64(((uint64_t *)fx->res.map)[1], 0);
	/* Reads fault too: copy and checksum sources. */
	simgpu_cb_copy(fx_cb(fx), fx->va_free, fx->va_res, 8);
	ERR(fx_run(fx), EFAULT);
	simgpu_cb_checksum(fx_cb(fx), fx->va_free, 8, fx->va_res);
	ERR(fx_run(fx), EFAULT);
	/* A range that runs off the end of a mapping. */
	simgpu_cb_fill(fx_cb(fx), fx->va_data + fx->data.size - 8, 16, 0);
	ERR(fx_run(fx), EFAULT);
}

static void t_cmd_fault_cmdbuf(struct fx *fx)
{
	struct drm_simgpu_sync out = simgpu_sync(fx->done, 0);
	struct drm_simgpu_job job;
	int st;

	simgpu_job_init(&job, fx->va_free, 64, NULL, 0, &out, 1);
	OK(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL));
	OK(simgpu_syncobj_wait_status(&fx->dev, fx->done, 60000000000ull, &st));
	ERR(st, EFAULT);
	/* A command buffer running off the end of its mapping. */
	simgpu_cb_nop(fx_cb(fx), 1);
	simgpu_job_init(&job, fx->va_cmd + CMD_SIZE - 8, 16, NULL, 0, &out, 1);
	memcpy((uint8_t *)fx->cmd.map + CMD_SIZE - 8, fx->cmd.map, 8);
	OK(simgpu_submit(&fx->dev, fx->queue, &job, 1, NULL));
	OK(simgpu_syncobj_wait_status(&fx->dev, fx->done, 60000000000ull, &st));
	ERR(st, EFAULT);
}

/* A failed job does not stop the queue. */
static void t_cmd_queue_survives(struct fx *fx)
{
	uint64_t w[2] = { HDR(0x42, 0, 2), 0 };

	ERR(run_words(fx, w, 2), EINVAL);
	simgpu_cb_write64(fx_cb(fx), fx->va_free, 1);
	ERR(fx_run(fx), EFAULT);
	simgpu_cb_write64(fx_cb(fx), fx->va_res + 24, 0xabc);
	EQ64(fx_run(fx), 1);
	EQ64(((uint64_t *)fx->res.map)[3], 0xabc);
	expect_data_mapping(fx);
}

/* ------------------------------------------------------------ table */

struct subtest {
	const char *name;
	void (*fn)(struct fx *fx);
};

#define T(name, fn) { name, fn }
static const struct subtest subtests[] = {
	T("dev-query-size", t_dev_query_size),
	T("dev-query-info", t_dev_query_info),
	T("dev-query-bad-type", t_dev_query_bad_type),
	T("dev-query-efault", t_dev_query_efault),
	T("dev-query-efault-partial", t_dev_query_efault_partial),
	T("dev-query-short-size", t_dev_query_short),
	T("dev-query-long-size", t_dev_query_long),
	T("bo-create-bad-flags", t_bo_create_bad_flags),
	T("bo-create-pad", t_bo_create_pad),
	T("bo-create-zero-size", t_bo_create_zero_size),
	T("bo-create-too-big", t_bo_create_too_big),
	T("bo-create-max-size", t_bo_create_max_size),
	T("bo-create-round-up", t_bo_create_round_up),
	T("bo-create-bad-vm", t_bo_create_bad_vm),
	T("bo-create-other-file-vm", t_bo_create_other_file_vm),
	T("bo-create-exclusive-no-export", t_bo_create_exclusive_no_export),
	T("bo-mmap-offset-pad", t_bo_mmap_pad),
	T("bo-mmap-offset-bad-handle", t_bo_mmap_bad_handle),
	T("bo-mmap-offset-no-mmap", t_bo_mmap_no_mmap),
	T("bo-mmap-offset-ok", t_bo_mmap_ok),
	T("vm-create-bad-flags", t_vm_create_bad_flags),
	T("vm-create-max", t_vm_create_max),
	T("vm-destroy-pad", t_vm_destroy_pad),
	T("vm-destroy-bad-id", t_vm_destroy_bad_id),
	T("vm-destroy-twice", t_vm_destroy_twice),
	T("vm-destroy-with-queue", t_vm_destroy_with_queue),
	T("vm-bind-bad-flags", t_bind_bad_flags),
	T("vm-bind-syncs-without-async", t_bind_syncs_without_async),
	T("vm-bind-bad-vm", t_bind_bad_vm),
	T("vm-bind-op-bad-type", t_bind_op_bad_type),
	T("vm-bind-op-bad-flags", t_bind_op_bad_flags),
	T("vm-bind-op-pad", t_bind_op_pad),
	T("vm-bind-unmap-bo-fields", t_bind_unmap_bo_fields),
	T("vm-bind-zero-range", t_bind_zero_range),
	T("vm-bind-misaligned", t_bind_misaligned),
	T("vm-bind-va-overflow", t_bind_va_overflow),
	T("vm-bind-bo-offset-overflow", t_bind_bo_offset_overflow),
	T("vm-bind-outside-va-space", t_bind_outside_va_space),
	T("vm-bind-beyond-bo", t_bind_beyond_bo),
	T("vm-bind-bad-bo-handle", t_bind_bad_bo_handle),
	T("vm-bind-exclusive-other-vm", t_bind_exclusive_other_vm),
	T("vm-bind-stride-small", t_bind_stride_small),
	T("vm-bind-stride-unaligned", t_bind_stride_unaligned),
	T("vm-bind-stride-large", t_bind_stride_large),
	T("vm-bind-too-many-ops", t_bind_too_many_ops),
	T("vm-bind-zero-ops", t_bind_zero_ops),
	T("vm-bind-efault", t_bind_efault),
	T("vm-bind-bad-syncobj", t_bind_bad_syncobj),
	T("vm-bind-sync-flags", t_bind_sync_flags),
	T("vm-bind-too-many-syncs", t_bind_too_many_syncs),
	T("vm-bind-sync-stride", t_bind_sync_stride),
	T("vm-bind-in-sync-no-fence", t_bind_in_sync_no_fence),
	T("vm-bind-atomic-late-failure", t_bind_atomic_late_failure),
	T("vm-bind-async", t_bind_async),
	T("fence-outlives-queue-and-vm", t_fence_outlives_queue_and_vm),
	T("vm-bind-readonly", t_bind_readonly),
	T("vm-bind-partial-unmap", t_bind_partial_unmap),
	T("vm-bind-remap", t_bind_remap),
	T("queue-create-bad-flags", t_queue_create_bad_flags),
	T("queue-create-bad-priority", t_queue_create_bad_priority),
	T("queue-create-bad-vm", t_queue_create_bad_vm),
	T("queue-create-high-priority", t_queue_create_high_priority),
	T("queue-create-max", t_queue_create_max),
	T("queue-destroy-pad", t_queue_destroy_pad),
	T("queue-destroy-bad-id", t_queue_destroy_bad_id),
	T("queue-destroy-twice", t_queue_destroy_twice),
	T("queue-destroy-pending", t_queue_destroy_pending),
	T("submit-seqno", t_submit_seqno),
	T("submit-bad-flags", t_submit_bad_flags),
	T("submit-job-flags", t_submit_job_flags),
	T("submit-bad-queue", t_submit_bad_queue),
	T("submit-bad-cmd", t_submit_bad_cmd),
	T("submit-cmd-wrap", t_submit_cmd_wrap),
	T("submit-too-many-jobs", t_submit_too_many_jobs),
	T("submit-zero-jobs", t_submit_zero_jobs),
	T("submit-stride", t_submit_stride),
	T("submit-efault", t_submit_efault),
	T("submit-bad-syncobj", t_submit_bad_syncobj),
	T("submit-sync-flags", t_submit_sync_flags),
	T("submit-too-many-syncs", t_submit_too_many_syncs),
	T("submit-sync-stride", t_submit_sync_stride),
	T("submit-in-sync-no-fence", t_submit_in_sync_no_fence),
	T("submit-atomic", t_submit_atomic),
	T("cmd-ok", t_cmd_ok),
	T("cmd-bad-opcode", t_cmd_bad_opcode),
	T("cmd-reserved-bits", t_cmd_reserved_bits),
	T("cmd-bad-length", t_cmd_bad_length),
	T("cmd-bad-flags", t_cmd_bad_flags),
	T("cmd-bad-args", t_cmd_bad_args),
	T("cmd-fault-unmapped", t_cmd_fault_unmapped),
	T("cmd-fault-cmdbuf", t_cmd_fault_cmdbuf),
	T("cmd-queue-survives-errors", t_cmd_queue_survives),
};
#define NSUBTESTS (sizeof(subtests) / sizeof(subtests[0]))

/* Run one subtest in a child; 0 passed, 1 failed. */
static int run_subtest(const struct subtest *t)
{
	uint64_t t0 = simgpu_now_ns();
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		struct fx fx;

		cur_test = t->name;
		alarm(120);
		fx_setup(&fx);
		t->fn(&fx);
		simgpu_close(&fx.dev);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("[  OK  ] %s (%.0f ms)\n", t->name,
		       (simgpu_now_ns() - t0) / 1e6);
		return 0;
	}
	if (WIFSIGNALED(status))
		printf("[ FAIL ] %s (killed by signal %d%s)\n", t->name,
		       WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? ": timeout" : "");
	else
		printf("[ FAIL ] %s\n", t->name);
	return 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: simgpu-uapi [OPTIONS]\n"
"Test every error path of the simgpu ioctls (one subtest each).\n"
"\n"
"  -l, --list           list the subtests\n"
"  -r, --run GLOB       run only subtests matching GLOB (repeatable)\n"
"  -d, --device PATH    render node (default: find simgpu)\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 all passed, 1 a subtest failed, 2 bad usage.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "run", required_argument, NULL, 'r' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *globs[64];
	unsigned int nglobs = 0, passed = 0, failed = 0, i, g;
	bool list = false;
	char path[64];
	int c, ret;

	while ((c = getopt_long(argc, argv, "lr:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list = true;
			break;
		case 'r':
			if (nglobs == sizeof(globs) / sizeof(globs[0])) {
				fprintf(stderr, "simgpu-uapi: too many --run\n");
				return 2;
			}
			globs[nglobs++] = optarg;
			break;
		case 'd':
			device_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (list) {
		for (i = 0; i < NSUBTESTS; i++)
			printf("%s\n", subtests[i].name);
		return 0;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!device_path) {
		ret = simgpu_find_node(path, sizeof(path));
		if (ret) {
			fprintf(stderr, "simgpu-uapi: no simgpu render node: %s"
				" (is the simgpu module loaded?)\n",
				strerror(-ret));
			return 1;
		}
		device_path = path;
	}
	printf("simgpu-uapi: testing %s\n", device_path);

	for (i = 0; i < NSUBTESTS; i++) {
		bool run = nglobs == 0;

		for (g = 0; g < nglobs && !run; g++)
			run = fnmatch(globs[g], subtests[i].name, 0) == 0;
		if (!run)
			continue;
		if (run_subtest(&subtests[i]))
			failed++;
		else
			passed++;
	}
	printf("%u passed, %u failed\n", passed, failed);
	if (!passed && !failed) {
		fprintf(stderr, "simgpu-uapi: no subtest matched\n");
		return 2;
	}
	return failed ? 1 : 0;
}
