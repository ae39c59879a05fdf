/*
 * workloads/libsimgpu.h: libsimgpu, a small user-mode driver for simgpu
 * on libdrm.
 *
 * This is what a Mesa driver's winsys layer does for a firmware-driven GPU,
 * reduced to the essentials: find the render node by driver name, query the
 * device, create/map/close buffer objects, create VMs and bind BOs at GPU
 * virtual addresses chosen by user space (synchronously, or asynchronously
 * behind syncobjs), create queues, build command buffers in BOs and submit
 * them with in/out syncobjs, and wait on DRM syncobjs.
 *
 * The contract is include/uapi/drm/simgpu_drm.h. Every function that can fail
 * returns 0 or a negative errno (the kernel's, when an ioctl failed); the
 * library never prints and never exits: the programs decide.
 */
#ifndef LIBSIMGPU_H
#define LIBSIMGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xf86drm.h>
#include <uapi/drm/simgpu_drm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ device */

/**
 * struct simgpu_dev - An open simgpu render node.
 * @fd: DRM file descriptor.
 * @path: Device path it was opened from.
 * @info: Device information (DRM_SIMGPU_DEV_QUERY_DEV_INFO).
 */
struct simgpu_dev {
	int fd;
	char path[64];
	struct drm_simgpu_dev_info info;
};

/*
 * Find the simgpu render node: the $SIMGPU_DEVICE path if set, else the
 * first /dev/dri/renderD* whose DRM driver name is "simgpu".
 * @path: receives the path. @len: size of @path.
 * Returns 0, -ENODEV when there is none, or another negative errno.
 */
int simgpu_find_node(char *path, size_t len);

/*
 * Open simgpu and query it.
 * @dev: filled on success.
 * @path: render node to open, or NULL to find it (simgpu_find_node()).
 * Returns 0, -ENODEV (no simgpu node, or @path is not simgpu) or -errno.
 */
int simgpu_open(struct simgpu_dev *dev, const char *path);

/* Close the device (all objects of this file go with it). */
void simgpu_close(struct simgpu_dev *dev);

/*
 * DEV_QUERY(DEV_INFO) into @info (zeroed first).
 * @fd: DRM file descriptor. Returns 0 or -errno.
 */
int simgpu_query_dev_info(int fd, struct drm_simgpu_dev_info *info);

/* ioctl() retried on EINTR/EAGAIN; returns 0 or -errno (never -1). */
int simgpu_ioctl(int fd, unsigned long request, void *arg);

/* ------------------------------------------------------------ buffer objects */

/**
 * struct simgpu_bo - A buffer object.
 * @handle: GEM handle.
 * @flags: drm_simgpu_bo_flags it was created with.
 * @size: Size in bytes (page aligned by the kernel).
 * @map: CPU mapping (simgpu_bo_map()), or NULL.
 * @va: GPU VA the owner bound it at (bookkeeping only; 0 if none).
 */
struct simgpu_bo {
	uint32_t handle;
	uint32_t flags;
	uint64_t size;
	void *map;
	uint64_t va;
};

/*
 * Create a BO.
 * @size: requested size. @flags: drm_simgpu_bo_flags.
 * @exclusive_vm: VM the BO is private to, or 0.
 * @bo: filled on success (map NULL, va 0).
 */
int simgpu_bo_create(struct simgpu_dev *dev, uint64_t size, uint32_t flags,
		     uint32_t exclusive_vm, struct simgpu_bo *bo);

/* BO_MMAP_OFFSET + mmap(); sets @bo->map. No-op if already mapped. */
int simgpu_bo_map(struct simgpu_dev *dev, struct simgpu_bo *bo);

/* munmap() the CPU mapping if any and close the GEM handle. */
int simgpu_bo_destroy(struct simgpu_dev *dev, struct simgpu_bo *bo);

/* DRM_IOCTL_GEM_CLOSE of a raw handle. */
int simgpu_gem_close(int fd, uint32_t handle);

/* ------------------------------------------------------------ VMs */

int simgpu_vm_create(struct simgpu_dev *dev, uint32_t *vm_id);
int simgpu_vm_destroy(struct simgpu_dev *dev, uint32_t vm_id);

/*
 * VM_BIND with an array of operations.
 * @flags: drm_simgpu_vm_bind_flags (DRM_SIMGPU_VM_BIND_ASYNC).
 * @in/@nin, @out/@nout: syncobjs to wait on / signal (ASYNC only).
 */
int simgpu_vm_bind(struct simgpu_dev *dev, uint32_t vm_id, uint32_t flags,
		   const struct drm_simgpu_vm_bind_op *ops, uint32_t nops,
		   const struct drm_simgpu_sync *in, uint32_t nin,
		   const struct drm_simgpu_sync *out, uint32_t nout);

/* Fill one MAP operation. @op_flags: drm_simgpu_vm_bind_op_flags. */
void simgpu_bind_op_map(struct drm_simgpu_vm_bind_op *op, uint32_t bo_handle,
			uint64_t bo_offset, uint64_t va, uint64_t range,
			uint32_t op_flags);
/* Fill one UNMAP operation. */
void simgpu_bind_op_unmap(struct drm_simgpu_vm_bind_op *op, uint64_t va,
			  uint64_t range);

/* Synchronous single MAP / UNMAP. */
int simgpu_vm_map(struct simgpu_dev *dev, uint32_t vm_id, uint32_t bo_handle,
		  uint64_t bo_offset, uint64_t va, uint64_t range,
		  uint32_t op_flags);
int simgpu_vm_unmap(struct simgpu_dev *dev, uint32_t vm_id, uint64_t va,
		    uint64_t range);

/*
 * struct simgpu_va_heap - A bump allocator for GPU VAs, like the VA heaps
 * Mesa drivers keep per VM. Freed ranges are not reused.
 */
struct simgpu_va_heap {
	uint64_t next;
	uint64_t end;
	uint64_t page_size;
};

/* Cover [@start, @end) with @page_size granularity. */
void simgpu_va_heap_init(struct simgpu_va_heap *heap, uint64_t start,
			 uint64_t end, uint64_t page_size);
/* Allocate @size bytes aligned to @align (0: page); 0 when exhausted. */
uint64_t simgpu_va_alloc(struct simgpu_va_heap *heap, uint64_t size,
			 uint64_t align);

/* ------------------------------------------------------------ queues and jobs */

/* @priority: enum drm_simgpu_queue_priority. */
int simgpu_queue_create(struct simgpu_dev *dev, uint32_t vm_id,
			uint32_t priority, uint32_t *queue_id);
int simgpu_queue_destroy(struct simgpu_dev *dev, uint32_t queue_id);

/* A drm_simgpu_sync for a binary (@point 0) or timeline syncobj. */
static inline struct drm_simgpu_sync simgpu_sync(uint32_t handle,
						 uint64_t point)
{
	struct drm_simgpu_sync s = { .handle = handle, .timeline_point = point };

	return s;
}

/* Fill a job (flags zero). The sync arrays must outlive the submit. */
void simgpu_job_init(struct drm_simgpu_job *job, uint64_t cmd_va,
		     uint32_t cmd_size,
		     const struct drm_simgpu_sync *in, uint32_t nin,
		     const struct drm_simgpu_sync *out, uint32_t nout);

/*
 * SUBMIT @njobs jobs to a queue.
 * @seqno: receives the first job's sequence number (may be NULL).
 */
int simgpu_submit(struct simgpu_dev *dev, uint32_t queue_id,
		  const struct drm_simgpu_job *jobs, uint32_t njobs,
		  uint64_t *seqno);

/* ------------------------------------------------------------ syncobjs */

int simgpu_syncobj_create(struct simgpu_dev *dev, bool signaled,
			  uint32_t *handle);
int simgpu_syncobj_destroy(struct simgpu_dev *dev, uint32_t handle);
int simgpu_syncobj_reset(struct simgpu_dev *dev, uint32_t handle);

/*
 * Wait for binary syncobjs, @timeout_ns from now (relative). @all: wait for
 * all of them (else any). Returns 0, -ETIME on timeout, or -errno.
 */
int simgpu_syncobj_wait(struct simgpu_dev *dev, const uint32_t *handles,
			uint32_t count, uint64_t timeout_ns, bool all);

/*
 * Wait for a timeline point (relative @timeout_ns). @flags:
 * DRM_SYNCOBJ_WAIT_FLAGS_* (WAIT_FOR_SUBMIT, WAIT_AVAILABLE).
 */
int simgpu_syncobj_timeline_wait(struct simgpu_dev *dev, uint32_t handle,
				 uint64_t point, uint64_t timeout_ns,
				 uint32_t flags);

/*
 * Status of the fence a binary syncobj holds, read through its sync_file
 * (DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD + SYNC_IOC_FILE_INFO).
 * @status: 1 signalled without error, 0 not signalled yet, or the fence's
 * negative error (e.g. -EFAULT after a GPU fault).
 */
int simgpu_syncobj_status(struct simgpu_dev *dev, uint32_t handle,
			  int *status);

/* Wait for one binary syncobj, then return its fence status as above. */
int simgpu_syncobj_wait_status(struct simgpu_dev *dev, uint32_t handle,
			       uint64_t timeout_ns, int *status);

/* ------------------------------------------------------------ command buffers */

/**
 * struct simgpu_cmdbuf - A command buffer being written into a BO.
 * @words: CPU address of the first word (inside a BO mapping).
 * @va: GPU VA of the first word.
 * @cap: Capacity in 64-bit words.
 * @len: Words written so far.
 * @error: 0, or -ENOSPC once a command did not fit (later ones are
 *	dropped; check it before submitting).
 */
struct simgpu_cmdbuf {
	uint64_t *words;
	uint64_t va;
	uint32_t cap;
	uint32_t len;
	int error;
};

/* Start a command buffer of @bytes at @cpu (GPU VA @va). */
void simgpu_cb_init(struct simgpu_cmdbuf *cb, void *cpu, uint64_t va,
		    size_t bytes);
/* Forget the commands written so far (the buffer is rewritten). */
void simgpu_cb_reset(struct simgpu_cmdbuf *cb);
/* Size of the commands written so far, in bytes. */
uint32_t simgpu_cb_size(const struct simgpu_cmdbuf *cb);
/* GPU VA of the next command (for jobs that start mid-buffer). */
uint64_t simgpu_cb_next_va(const struct simgpu_cmdbuf *cb);

/* Append raw words (a command the builder has no helper for). */
void simgpu_cb_raw(struct simgpu_cmdbuf *cb, const uint64_t *w, uint32_t n);
/* NOP of @len words (>= 1). */
void simgpu_cb_nop(struct simgpu_cmdbuf *cb, uint32_t len);
/* WRITE_IMM, 32-bit (4-byte aligned @va) and 64-bit (8-byte aligned). */
void simgpu_cb_write32(struct simgpu_cmdbuf *cb, uint64_t va, uint32_t value);
void simgpu_cb_write64(struct simgpu_cmdbuf *cb, uint64_t va, uint64_t value);
/* FILL [va, va + size) with a 32-bit pattern. */
void simgpu_cb_fill(struct simgpu_cmdbuf *cb, uint64_t va, uint64_t size,
		    uint32_t pattern);
/* COPY @size bytes from @src to @dst. */
void simgpu_cb_copy(struct simgpu_cmdbuf *cb, uint64_t src, uint64_t dst,
		    uint64_t size);
/* CHECKSUM of [src, src + size) written as 64 bits at @dst. */
void simgpu_cb_checksum(struct simgpu_cmdbuf *cb, uint64_t src,
			uint64_t size, uint64_t dst);
/* DELAY for @ns nanoseconds. */
void simgpu_cb_delay(struct simgpu_cmdbuf *cb, uint64_t ns);

/* ------------------------------------------------------------ reference model */

/* FNV-1a 64 of @n bytes, continuing from @h (start with DRM_SIMGPU_HASH_INIT). */
uint64_t simgpu_hash(uint64_t h, const void *p, size_t n);

/*
 * The job result hash's step for one write command: hash the destination
 * VA and length (8 bytes each, little-endian) then the bytes written.
 */
uint64_t simgpu_hash_write(uint64_t h, uint64_t va, const void *p, size_t n);

/* ------------------------------------------------------------ misc */

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t simgpu_now_ns(void);

/* Name of an opcode ("WRITE_IMM"...) or "?". */
const char *simgpu_cmd_name(unsigned int opcode);

#ifdef __cplusplus
}
#endif

#endif /* LIBSIMGPU_H */
