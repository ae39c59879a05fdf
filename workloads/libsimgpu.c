/*
 * workloads/libsimgpu.c: libsimgpu, the user-mode driver the simgpu
 * workloads and VM tests are written on (see libsimgpu.h).
 *
 * It talks to the kernel the way a Mesa winsys does: one render node found
 * by driver name (drmGetVersion()), the simgpu ioctls through drmIoctl(),
 * BOs mapped with the fake offset from BO_MMAP_OFFSET, and libdrm's
 * drmSyncobj*() for every syncobj and wait.
 * Errors are returned as negative errnos; nothing here prints or exits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include "libsimgpu.h"

/* ------------------------------------------------------------ device */

int simgpu_ioctl(int fd, unsigned long request, void *arg)
{
	if (drmIoctl(fd, request, arg) == 0)
		return 0;
	return errno ? -errno : -EIO;
}

int simgpu_query_dev_info(int fd, struct drm_simgpu_dev_info *info)
{
	struct drm_simgpu_dev_query q = {
		.type = DRM_SIMGPU_DEV_QUERY_DEV_INFO,
		.size = sizeof(*info),
		.pointer = (uintptr_t)info,
	};

	memset(info, 0, sizeof(*info));
	return simgpu_ioctl(fd, DRM_IOCTL_SIMGPU_DEV_QUERY, &q);
}

/* Whether @fd is a simgpu DRM device. */
static bool is_simgpu(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	bool ret;

	if (!v)
		return false;
	ret = v->name && strcmp(v->name, "simgpu") == 0;
	drmFreeVersion(v);
	return ret;
}

int simgpu_find_node(char *path, size_t len)
{
	const char *env = getenv("SIMGPU_DEVICE");
	struct dirent **names;
	int n, i, ret = -ENODEV;

	if (env && *env) {
		if (strlen(env) >= len)
			return -ENAMETOOLONG;
		strcpy(path, env);
		return 0;
	}

	/* Sorted, so the lowest matching minor wins, as a user would expect. */
	n = scandir("/dev/dri", &names, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	for (i = 0; i < n; i++) {
		char p[sizeof(names[i]->d_name) + 16];
		int fd;

		if (ret == 0 || strncmp(names[i]->d_name, "renderD", 7))
			continue;
		snprintf(p, sizeof(p), "/dev/dri/%s", names[i]->d_name);
		fd = open(p, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_simgpu(fd)) {
			if (strlen(p) >= len)
				ret = -ENAMETOOLONG;
			else {
				strcpy(path, p);
				ret = 0;
			}
		}
		close(fd);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

int simgpu_open(struct simgpu_dev *dev, const char *path)
{
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	if (path) {
		if (strlen(path) >= sizeof(dev->path))
			return -ENAMETOOLONG;
		strcpy(dev->path, path);
	} else {
		ret = simgpu_find_node(dev->path, sizeof(dev->path));
		if (ret)
			return ret;
	}

	dev->fd = open(dev->path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0)
		return -errno;
	if (!is_simgpu(dev->fd)) {
		ret = -ENODEV;
		goto err_close;
	}
	ret = simgpu_query_dev_info(dev->fd, &dev->info);
	if (ret)
		goto err_close;
	if (dev->info.gpu_id != DRM_SIMGPU_GPU_ID || !dev->info.va_page_size) {
		ret = -ENODEV;
		goto err_close;
	}
	return 0;

err_close:
	close(dev->fd);
	dev->fd = -1;
	return ret;
}

void simgpu_close(struct simgpu_dev *dev)
{
	if (dev->fd >= 0)
		close(dev->fd);
	dev->fd = -1;
}

/* ------------------------------------------------------------ buffer objects */

int simgpu_bo_create(struct simgpu_dev *dev, uint64_t size, uint32_t flags,
		     uint32_t exclusive_vm, struct simgpu_bo *bo)
{
	struct drm_simgpu_bo_create args = {
		.size = size,
		.flags = flags,
		.exclusive_vm_id = exclusive_vm,
	};
	int ret;

	memset(bo, 0, sizeof(*bo));
	ret = simgpu_ioctl(dev->fd, DRM_IOCTL_SIMGPU_BO_CREATE, &args);
	if (ret)
		return ret;
	bo->handle = args.handle;
	bo->flags = flags;
	bo->size = args.size;
	return 0;
}

int simgpu_bo_map(struct simgpu_dev *dev, struct simgpu_bo *bo)
{
	struct drm_simgpu_bo_mmap_offset args = { .handle = bo->handle };
	void *p;
	int ret;

	if (bo->map)
		return 0;
	ret = simgpu_ioctl(dev->fd, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &args);
	if (ret)
		return ret;
	p = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd,
		 args.offset);
	if (p == MAP_FAILED)
		return -errno;
	bo->map = p;
	return 0;
}

int simgpu_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close args = { .handle = handle };

	return simgpu_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &args);
}

int simgpu_bo_destroy(struct simgpu_dev *dev, struct simgpu_bo *bo)
{
	int ret = 0;

	if (bo->map && munmap(bo->map, bo->size))
		ret = -errno;
	bo->map = NULL;
	if (bo->handle) {
		int r = simgpu_gem_close(dev->fd, bo->handle);

		if (!ret)
			ret = r;
	}
	bo->handle = 0;
	return ret;
}

/* ------------------------------------------------------------ VMs */

int simgpu_vm_create(struct simgpu_dev *dev, uint32_t *vm_id)
{
	struct drm_simgpu_vm_create args = { 0 };
	int ret;

	ret = simgpu_ioctl(dev->fd, DRM_IOCTL_SIMGPU_VM_CREATE, &args);
	if (ret)
		return ret;
	*vm_id = args.id;
	return 0;
}

int simgpu_vm_destroy(struct simgpu_dev *dev, uint32_t vm_id)
{
	struct drm_simgpu_vm_destroy args = { .id = vm_id };

	return simgpu_ioctl(dev->fd, DRM_IOCTL_SIMGPU_VM_DESTROY, &args);
}

int simgpu_vm_bind(struct simgpu_dev *dev, uint32_t vm_id, uint32_t flags,
		   const struct drm_simgpu_vm_bind_op *ops, uint32_t nops,
		   const struct drm_simgpu_sync *in, uint32_t nin,
		   const struct drm_simgpu_sync *out, uint32_t nout)
{
	struct drm_simgpu_vm_bind args = {
		.vm_id = vm_id,
		.flags = flags,
		.ops = DRM_SIMGPU_OBJ_ARRAY(nops, ops),
		.in_syncs = DRM_SIMGPU_OBJ_ARRAY(nin, in),
		.out_syncs = DRM_SIMGPU_OBJ_ARRAY(nout, out),
	};

	return simgpu_ioctl(dev->fd, DRM_IOCTL_SIMGPU_VM_BIND, &args);
}

void simgpu_bind_op_map(struct drm_simgpu_vm_bind_op *op, uint32_t bo_handle,
			uint64_t bo_offset, uint64_t va, uint64_t range,
			uint32_t op_flags)
{
	memset(op, 0, sizeof(*op));
	op->op = DRM_SIMGPU_VM_BIND_OP_MAP;
	op->flags = op_flags;
	op->bo_handle = bo_handle;
	op->bo_offset = bo_offset;
	op->va = va;
	op->range = range;
}

void simgpu_bind_op_unmap(struct drm_simgpu_vm_bind_op *op, uint64_t va,
			  uint64_t range)
{
	memset(op, 0, sizeof(*op));
	op->op = DRM_SIMGPU_VM_BIND_OP_UNMAP;
	op->va = va;
	op->range = range;
}

int simgpu_vm_map(struct simgpu_dev *dev, uint32_t vm_id, uint32_t bo_handle,
		  uint64_t bo_offset, uint64_t va, uint64_t range,
		  uint32_t op_flags)
{
	struct drm_simgpu_vm_bind_op op;

	simgpu_bind_op_map(&op, bo_handle, bo_offset, va, range, op_flags);
	return simgpu_vm_bind(dev, vm_id, 0, &op, 1, NULL, 0, NULL, 0);
}

int simgpu_vm_unmap(struct simgpu_dev *dev, uint32_t vm_id, uint64_t va,
		    uint64_t range)
{
	struct drm_simgpu_vm_bind_op op;

	simgpu_bind_op_unmap(&op, va, range);
	return simgpu_vm_bind(dev, vm_id, 0, &op, 1, NULL, 0, NULL, 0);
}

void simgpu_va_heap_init(struct simgpu_va_heap *heap, uint64_t start,
			 uint64_t end, uint64_t page_size)
{
	heap->page_size = page_size ? page_size : 4096;
	heap->next = (start + heap->page_size - 1) & ~(heap->page_size - 1);
	heap->end = end;
}

uint64_t simgpu_va_alloc(struct simgpu_va_heap *heap, uint64_t size,
			 uint64_t align)
{
	uint64_t va;

	if (align < heap->page_size)
		align = heap->page_size;
	if (align & (align - 1))
		return 0;
	size = (size + heap->page_size - 1) & ~(heap->page_size - 1);
	va = (heap->next + align - 1) & ~(align - 1);
	if (!size || va < heap->next || va + size < va || va + size > heap->end)
		return 0;
	heap->next = va + size;
	return va;
}

/* ------------------------------------------------------------ queues and jobs */

int simgpu_queue_create(struct simgpu_dev *dev, uint32_t vm_id,
			uint32_t priority, uint32_t *queue_id)
{
	struct drm_simgpu_queue_create args = {
		.vm_id = vm_id,
		.priority = priority,
	};
	int ret;

	ret = simgpu_ioctl(dev->fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &args);
	if (ret)
		return ret;
	*queue_id = args.id;
	return 0;
}

int simgpu_queue_destroy(struct simgpu_dev *dev, uint32_t queue_id)
{
	struct drm_simgpu_queue_destroy args = { .id = queue_id };

	return simgpu_ioctl(dev->fd, DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &args);
}

void simgpu_job_init(struct drm_simgpu_job *job, uint64_t cmd_va,
		     uint32_t cmd_size,
		     const struct drm_simgpu_sync *in, uint32_t nin,
		     const struct drm_simgpu_sync *out, uint32_t nout)
{
	struct drm_simgpu_obj_array ain = DRM_SIMGPU_OBJ_ARRAY(nin, in);
	struct drm_simgpu_obj_array aout = DRM_SIMGPU_OBJ_ARRAY(nout, out);

	memset(job, 0, sizeof(*job));
	job->cmd_va = cmd_va;
	job->cmd_size = cmd_size;
	job->in_syncs = ain;
	job->out_syncs = aout;
}

int simgpu_submit(struct simgpu_dev *dev, uint32_t queue_id,
		  const struct drm_simgpu_job *jobs, uint32_t njobs,
		  uint64_t *seqno)
{
	struct drm_simgpu_submit args = {
		.queue_id = queue_id,
		.jobs = DRM_SIMGPU_OBJ_ARRAY(njobs, jobs),
	};
	int ret;

	ret = simgpu_ioctl(dev->fd, DRM_IOCTL_SIMGPU_SUBMIT, &args);
	if (ret)
		return ret;
	if (seqno)
		*seqno = args.seqno;
	return 0;
}

/* ------------------------------------------------------------ syncobjs */

/*
 * libdrm's drmSyncobj*() return -1 or -errno depending on the function;
 * after a failure errno always holds the ioctl's error.
 */
static int drm_ret(int ret)
{
	if (ret == 0)
		return 0;
	return errno ? -errno : (ret < 0 ? ret : -EIO);
}

int simgpu_syncobj_create(struct simgpu_dev *dev, bool signaled,
			  uint32_t *handle)
{
	errno = 0;
	return drm_ret(drmSyncobjCreate(dev->fd,
					signaled ? DRM_SYNCOBJ_CREATE_SIGNALED : 0,
					handle));
}

int simgpu_syncobj_destroy(struct simgpu_dev *dev, uint32_t handle)
{
	errno = 0;
	return drm_ret(drmSyncobjDestroy(dev->fd, handle));
}

int simgpu_syncobj_reset(struct simgpu_dev *dev, uint32_t handle)
{
	errno = 0;
	return drm_ret(drmSyncobjReset(dev->fd, &handle, 1));
}

/* Absolute CLOCK_MONOTONIC deadline @timeout_ns from now, saturating. */
static int64_t deadline(uint64_t timeout_ns)
{
	uint64_t now = simgpu_now_ns();

	if (timeout_ns > (uint64_t)INT64_MAX - now)
		return INT64_MAX;
	return (int64_t)(now + timeout_ns);
}

int simgpu_syncobj_wait(struct simgpu_dev *dev, const uint32_t *handles,
			uint32_t count, uint64_t timeout_ns, bool all)
{
	errno = 0;
	/* libdrm does not write the handles; its prototype lacks const. */
	return drm_ret(drmSyncobjWait(dev->fd, (uint32_t *)handles, count,
				      deadline(timeout_ns),
				      all ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL : 0,
				      NULL));
}

int simgpu_syncobj_timeline_wait(struct simgpu_dev *dev, uint32_t handle,
				 uint64_t point, uint64_t timeout_ns,
				 uint32_t flags)
{
	errno = 0;
	return drm_ret(drmSyncobjTimelineWait(dev->fd, &handle, &point, 1,
					      deadline(timeout_ns),
					      flags | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
					      NULL));
}

int simgpu_syncobj_status(struct simgpu_dev *dev, uint32_t handle,
			  int *status)
{
	struct sync_file_info info;
	int fd = -1, ret;

	errno = 0;
	ret = drm_ret(drmSyncobjExportSyncFile(dev->fd, handle, &fd));
	if (ret)
		return ret;
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info))
		ret = -errno;
	else
		*status = info.status;
	close(fd);
	return ret;
}

int simgpu_syncobj_wait_status(struct simgpu_dev *dev, uint32_t handle,
			       uint64_t timeout_ns, int *status)
{
	int ret;

	ret = simgpu_syncobj_wait(dev, &handle, 1, timeout_ns, true);
	if (ret)
		return ret;
	return simgpu_syncobj_status(dev, handle, status);
}

/* ------------------------------------------------------------ command buffers */

void simgpu_cb_init(struct simgpu_cmdbuf *cb, void *cpu, uint64_t va,
		    size_t bytes)
{
	cb->words = cpu;
	cb->va = va;
	cb->cap = bytes / 8;
	cb->len = 0;
	cb->error = 0;
}

void simgpu_cb_reset(struct simgpu_cmdbuf *cb)
{
	cb->len = 0;
	cb->error = 0;
}

uint32_t simgpu_cb_size(const struct simgpu_cmdbuf *cb)
{
	return cb->len * 8;
}

uint64_t simgpu_cb_next_va(const struct simgpu_cmdbuf *cb)
{
	return cb->va + (uint64_t)cb->len * 8;
}

/* Reserve @n words; NULL (and cb->error set) when they do not fit. */
static uint64_t *cb_reserve(struct simgpu_cmdbuf *cb, uint32_t n)
{
	uint64_t *p;

	if (cb->error)
		return NULL;
	if (n > cb->cap - cb->len) {
		cb->error = -ENOSPC;
		return NULL;
	}
	p = cb->words + cb->len;
	cb->len += n;
	return p;
}

/* The GPU reads little-endian words. */
static inline uint64_t le64(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

static void cb_emit(struct simgpu_cmdbuf *cb, unsigned int opcode,
		    unsigned int flags, const uint64_t *args, uint32_t nargs)
{
	uint64_t *p = cb_reserve(cb, nargs + 1);
	uint32_t i;

	if (!p)
		return;
	p[0] = le64(DRM_SIMGPU_CMD_HEADER(opcode, flags, nargs + 1));
	for (i = 0; i < nargs; i++)
		p[i + 1] = le64(args[i]);
}

void simgpu_cb_raw(struct simgpu_cmdbuf *cb, const uint64_t *w, uint32_t n)
{
	uint64_t *p = cb_reserve(cb, n);
	uint32_t i;

	if (!p)
		return;
	for (i = 0; i < n; i++)
		p[i] = le64(w[i]);
}

void simgpu_cb_nop(struct simgpu_cmdbuf *cb, uint32_t len)
{
	uint64_t *p;
	uint32_t i;

	if (!len || len > 0xffff) {
		if (!cb->error)
			cb->error = -EINVAL;
		return;
	}
	p = cb_reserve(cb, len);
	if (!p)
		return;
	p[0] = le64(DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_NOP, 0, len));
	for (i = 1; i < len; i++)
		p[i] = 0;
}

void simgpu_cb_write32(struct simgpu_cmdbuf *cb, uint64_t va, uint32_t value)
{
	uint64_t a[2] = { va, value };

	cb_emit(cb, DRM_SIMGPU_CMD_WRITE_IMM, 0, a, 2);
}

void simgpu_cb_write64(struct simgpu_cmdbuf *cb, uint64_t va, uint64_t value)
{
	uint64_t a[2] = { va, value };

	cb_emit(cb, DRM_SIMGPU_CMD_WRITE_IMM, DRM_SIMGPU_CMD_WRITE_IMM_64, a, 2);
}

void simgpu_cb_fill(struct simgpu_cmdbuf *cb, uint64_t va, uint64_t size,
		    uint32_t pattern)
{
	uint64_t a[3] = { va, size, pattern };

	cb_emit(cb, DRM_SIMGPU_CMD_FILL, 0, a, 3);
}

void simgpu_cb_copy(struct simgpu_cmdbuf *cb, uint64_t src, uint64_t dst,
		    uint64_t size)
{
	uint64_t a[3] = { src, dst, size };

	cb_emit(cb, DRM_SIMGPU_CMD_COPY, 0, a, 3);
}

void simgpu_cb_checksum(struct simgpu_cmdbuf *cb, uint64_t src,
			uint64_t size, uint64_t dst)
{
	uint64_t a[3] = { src, size, dst };

	cb_emit(cb, DRM_SIMGPU_CMD_CHECKSUM, 0, a, 3);
}

void simgpu_cb_delay(struct simgpu_cmdbuf *cb, uint64_t ns)
{
	uint64_t a[1] = { ns };

	cb_emit(cb, DRM_SIMGPU_CMD_DELAY, 0, a, 1);
}

/* ------------------------------------------------------------ reference model */

uint64_t simgpu_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= DRM_SIMGPU_HASH_PRIME;
	}
	return h;
}

uint64_t simgpu_hash_write(uint64_t h, uint64_t va, const void *p, size_t n)
{
	uint64_t w[2] = { le64(va), le64(n) };

	h = simgpu_hash(h, w, sizeof(w));
	return simgpu_hash(h, p, n);
}

/* ------------------------------------------------------------ misc */

uint64_t simgpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

const char *simgpu_cmd_name(unsigned int opcode)
{
	static const char *const names[] = {
		[DRM_SIMGPU_CMD_NOP] = "NOP",
		[DRM_SIMGPU_CMD_WRITE_IMM] = "WRITE_IMM",
		[DRM_SIMGPU_CMD_FILL] = "FILL",
		[DRM_SIMGPU_CMD_COPY] = "COPY",
		[DRM_SIMGPU_CMD_CHECKSUM] = "CHECKSUM",
		[DRM_SIMGPU_CMD_DELAY] = "DELAY",
	};

	if (opcode < sizeof(names) / sizeof(names[0]) && names[opcode])
		return names[opcode];
	return "?";
}
