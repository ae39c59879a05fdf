/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * simgpu: a simulated, firmware-driven GPU for drmscope.
 *
 * Copyright (C) 2025 The drmscope authors.
 */
#ifndef _SIMGPU_DRM_H_
#define _SIMGPU_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: Introduction
 *
 * simgpu is a render-only DRM driver for a simulated GPU whose firmware runs
 * as a kernel thread. User space allocates buffer objects (BOs), binds them
 * at GPU virtual addresses of its choice in a VM, writes command buffers
 * (see "GPU command stream") into BOs, and submits jobs that point at those
 * command buffers to queues. Completion is observed through DRM syncobjs
 * (DRM_IOCTL_SYNCOBJ_WAIT, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, ...).
 *
 * Rules for the data passed to the simgpu ioctls (and for changing them):
 *
 * - Structures are 64-bit (8-byte) aligned and sized. Fields are naturally
 *   aligned; holes are filled with explicit ``pad`` fields.
 * - Every padding field and every reserved bit is checked by the driver and
 *   must be zero, otherwise the ioctl fails with -EINVAL.
 * - Flags can be added, never removed or given a new meaning. An unknown
 *   flag is rejected with -EINVAL.
 * - New fields can be appended to the structures passed directly to an
 *   ioctl, or replace a padding field. A new field whose value is zero must
 *   keep the behaviour the driver had before the field existed. The DRM core
 *   zero-extends a short (old) structure and truncates a long (new) one
 *   according to the size encoded in the ioctl number.
 * - Structures reached through a pointer (array elements) carry their size in
 *   &drm_simgpu_obj_array.stride, so they can grow too: a stride smaller than
 *   the first version of the element, larger than 4096 or not a multiple of
 *   8 is rejected with -EINVAL; bytes beyond the size the driver knows must
 *   be zero, otherwise the ioctl fails with -E2BIG.
 * - The query output (&drm_simgpu_dev_query) is written up to the size
 *   user space passes in &drm_simgpu_dev_query.size; anything beyond what
 *   the driver knows is zeroed.
 * - User pointers are passed as __u64.
 * - No unions.
 * - Ioctl numbers are append-only (see &enum drm_simgpu_ioctl_id).
 * - Every ioctl validates all of its input before it changes anything: a
 *   failing ioctl has no effect (the errno of each ioctl is listed with its
 *   structure).
 * - Each change to the interface bumps the driver's minor version (reported
 *   by DRM_IOCTL_VERSION), so user space never has to probe by trial and
 *   error.
 *
 * Objects: GEM handles name BOs (per file, as usual in DRM). VMs and queues
 * are named by per-file IDs returned by their create ioctls; ID 0 is never
 * used. All GPU virtual addresses, BO offsets and ranges are in bytes and
 * must be multiples of &drm_simgpu_dev_info.va_page_size.
 */

/**
 * DOC: IOCTL IDs
 *
 * enum drm_simgpu_ioctl_id - IOCTL IDs
 *
 * Place new ioctls at the end; don't re-order, replace or remove entries.
 *
 * These IDs are not meant to be used directly. Use the DRM_IOCTL_SIMGPU_xxx
 * definitions instead.
 */
enum drm_simgpu_ioctl_id {
	/** @DRM_SIMGPU_DEV_QUERY: Query device information. */
	DRM_SIMGPU_DEV_QUERY = 0,

	/** @DRM_SIMGPU_BO_CREATE: Create a buffer object. */
	DRM_SIMGPU_BO_CREATE,

	/**
	 * @DRM_SIMGPU_BO_MMAP_OFFSET: Get the fake offset to pass to mmap()
	 * to map a buffer object on the CPU.
	 */
	DRM_SIMGPU_BO_MMAP_OFFSET,

	/** @DRM_SIMGPU_VM_CREATE: Create a GPU virtual address space. */
	DRM_SIMGPU_VM_CREATE,

	/** @DRM_SIMGPU_VM_DESTROY: Destroy a VM. */
	DRM_SIMGPU_VM_DESTROY,

	/** @DRM_SIMGPU_VM_BIND: Map/unmap BO ranges in a VM. */
	DRM_SIMGPU_VM_BIND,

	/** @DRM_SIMGPU_QUEUE_CREATE: Create a job queue on a VM. */
	DRM_SIMGPU_QUEUE_CREATE,

	/** @DRM_SIMGPU_QUEUE_DESTROY: Destroy a job queue. */
	DRM_SIMGPU_QUEUE_DESTROY,

	/** @DRM_SIMGPU_SUBMIT: Submit one or more jobs to a queue. */
	DRM_SIMGPU_SUBMIT,

	/** @DRM_SIMGPU_IOCTL_COUNT: Number of ioctls; not an ioctl. */
	DRM_SIMGPU_IOCTL_COUNT,
};

/**
 * DRM_IOCTL_SIMGPU() - Build a simgpu IOCTL number
 * @__access: Access type. Must be R, W or RW.
 * @__id: One of the DRM_SIMGPU_xxx ids.
 * @__type: Suffix of the type being passed to the IOCTL.
 *
 * Don't use this macro directly, use the DRM_IOCTL_SIMGPU_xxx values instead.
 *
 * Return: An IOCTL number to be passed to ioctl() from userspace.
 */
#define DRM_IOCTL_SIMGPU(__access, __id, __type) \
	DRM_IO ## __access(DRM_COMMAND_BASE + DRM_SIMGPU_ ## __id, \
			   struct drm_simgpu_ ## __type)

#define DRM_IOCTL_SIMGPU_DEV_QUERY \
	DRM_IOCTL_SIMGPU(WR, DEV_QUERY, dev_query)
#define DRM_IOCTL_SIMGPU_BO_CREATE \
	DRM_IOCTL_SIMGPU(WR, BO_CREATE, bo_create)
#define DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET \
	DRM_IOCTL_SIMGPU(WR, BO_MMAP_OFFSET, bo_mmap_offset)
#define DRM_IOCTL_SIMGPU_VM_CREATE \
	DRM_IOCTL_SIMGPU(WR, VM_CREATE, vm_create)
#define DRM_IOCTL_SIMGPU_VM_DESTROY \
	DRM_IOCTL_SIMGPU(WR, VM_DESTROY, vm_destroy)
#define DRM_IOCTL_SIMGPU_VM_BIND \
	DRM_IOCTL_SIMGPU(WR, VM_BIND, vm_bind)
#define DRM_IOCTL_SIMGPU_QUEUE_CREATE \
	DRM_IOCTL_SIMGPU(WR, QUEUE_CREATE, queue_create)
#define DRM_IOCTL_SIMGPU_QUEUE_DESTROY \
	DRM_IOCTL_SIMGPU(WR, QUEUE_DESTROY, queue_destroy)
#define DRM_IOCTL_SIMGPU_SUBMIT \
	DRM_IOCTL_SIMGPU(WR, SUBMIT, submit)

/**
 * DOC: Arrays and synchronization objects
 *
 * Arrays passed to the driver are described by &struct drm_simgpu_obj_array:
 * a user pointer, an element count and the size of one element as user space
 * knows it (the stride), so that elements can grow in later versions.
 *
 * Jobs and asynchronous VM_BIND operations wait on "in" syncobjs and signal
 * "out" syncobjs (&struct drm_simgpu_sync). A timeline point of zero names a
 * binary syncobj; a non-zero point names a point on a timeline syncobj. An
 * "in" syncobj must already carry a fence (or the point must have been
 * submitted): WAIT_FOR_SUBMIT semantics are not supported.
 */

/**
 * struct drm_simgpu_obj_array - Object array.
 *
 * Use DRM_SIMGPU_OBJ_ARRAY() to fill it, so that the stride matches the
 * element type the program was compiled with.
 */
struct drm_simgpu_obj_array {
	/**
	 * @stride: Size of one element in bytes, as known by user space.
	 * Must be at least the size of the first version of the element, at
	 * most 4096, and a multiple of 8. Ignored when @count is zero.
	 */
	__u32 stride;

	/** @count: Number of elements in the array. May be zero. */
	__u32 count;

	/**
	 * @array: User pointer to @count elements of @stride bytes. Ignored
	 * (may be zero) when @count is zero.
	 */
	__u64 array;
};

/**
 * DRM_SIMGPU_OBJ_ARRAY() - Initialize a &struct drm_simgpu_obj_array.
 * @cnt: Number of elements in the array.
 * @ptr: Pointer to the first element.
 */
#define DRM_SIMGPU_OBJ_ARRAY(cnt, ptr) \
	{ .stride = sizeof((ptr)[0]), .count = (cnt), \
	  .array = (__u64)(uintptr_t)(ptr) }

/**
 * struct drm_simgpu_sync - A syncobj to wait on or to signal.
 */
struct drm_simgpu_sync {
	/** @handle: Syncobj handle (from DRM_IOCTL_SYNCOBJ_CREATE). */
	__u32 handle;

	/** @flags: Must be zero (reserved for future use). */
	__u32 flags;

	/**
	 * @timeline_point: Point on a timeline syncobj, or 0 for a binary
	 * syncobj.
	 */
	__u64 timeline_point;
};

/*
 * ---------------------------------------------------------------------------
 * DRM_IOCTL_SIMGPU_DEV_QUERY
 * ---------------------------------------------------------------------------
 */

/**
 * enum drm_simgpu_dev_query_type - Query type
 */
enum drm_simgpu_dev_query_type {
	/** @DRM_SIMGPU_DEV_QUERY_DEV_INFO: Query &struct drm_simgpu_dev_info. */
	DRM_SIMGPU_DEV_QUERY_DEV_INFO = 0,
};

/** DRM_SIMGPU_GPU_ID - Value of &drm_simgpu_dev_info.gpu_id. */
#define DRM_SIMGPU_GPU_ID	0x51a60001

/**
 * DRM_SIMGPU_FW_ABI_V1 - First firmware message ABI (8-byte message header,
 * 32-bit sequence numbers, no timestamps).
 */
#define DRM_SIMGPU_FW_ABI_V1	1
/**
 * DRM_SIMGPU_FW_ABI_V2 - Second firmware message ABI (24-byte message header
 * with 64-bit sequence numbers and a timestamp, widened and reordered
 * payloads, job timing reported by the firmware).
 */
#define DRM_SIMGPU_FW_ABI_V2	2

/**
 * struct drm_simgpu_dev_info - Device information
 *
 * Returned by the DRM_SIMGPU_DEV_QUERY_DEV_INFO query. The "max_*" limits
 * are the values above which the corresponding ioctl fails.
 */
struct drm_simgpu_dev_info {
	/** @gpu_id: Always DRM_SIMGPU_GPU_ID. */
	__u32 gpu_id;

	/**
	 * @fw_abi_version: Firmware message ABI version in use
	 * (DRM_SIMGPU_FW_ABI_V1 or DRM_SIMGPU_FW_ABI_V2), as announced by
	 * the firmware at boot. Informational: the uapi is the same for
	 * every firmware ABI.
	 */
	__u32 fw_abi_version;

	/**
	 * @fw_abi_supported: Bit mask of the firmware ABI versions the
	 * kernel driver speaks: bit N set means version N is supported.
	 */
	__u32 fw_abi_supported;

	/**
	 * @fw_version: Firmware build version, (major << 16) | (minor << 8)
	 * | patch.
	 */
	__u32 fw_version;

	/** @va_start: First GPU virtual address user space may bind. */
	__u64 va_start;

	/** @va_end: End (exclusive) of the bindable GPU VA range. */
	__u64 va_end;

	/** @max_bo_size: Largest BO size accepted by BO_CREATE, in bytes. */
	__u64 max_bo_size;

	/**
	 * @va_page_size: GPU page size in bytes (4096). VAs, BO offsets,
	 * bind ranges and BO sizes are multiples of it.
	 */
	__u32 va_page_size;

	/** @max_vms: Maximum number of VMs per DRM file. */
	__u32 max_vms;

	/** @max_queues: Maximum number of queues per DRM file. */
	__u32 max_queues;

	/** @max_jobs_per_submit: Maximum &drm_simgpu_submit.jobs count. */
	__u32 max_jobs_per_submit;

	/** @max_bind_ops: Maximum &drm_simgpu_vm_bind.ops count. */
	__u32 max_bind_ops;

	/**
	 * @max_syncs: Maximum number of in syncobjs, and of out syncobjs,
	 * per job and per VM_BIND call.
	 */
	__u32 max_syncs;

	/** @max_cmd_size: Maximum command buffer size of a job, in bytes. */
	__u32 max_cmd_size;

	/**
	 * @max_delay_ns: Longest delay a single DRM_SIMGPU_CMD_DELAY command
	 * may ask for, in nanoseconds.
	 */
	__u32 max_delay_ns;

	/**
	 * @cmd_mask: Bit mask of the supported command opcodes: bit N set
	 * means &enum drm_simgpu_cmd_opcode value N is supported.
	 */
	__u64 cmd_mask;

	/**
	 * @job_timeout_ms: A job that runs longer than this (counted from
	 * the moment the firmware starts it) is stopped by the firmware's
	 * watchdog and its fence carries -ETIMEDOUT. Firmware ABI v1 always
	 * uses 10000.
	 */
	__u32 job_timeout_ms;

	/** @queue_priorities: Number of queue priorities (3). */
	__u32 queue_priorities;
};

/**
 * struct drm_simgpu_dev_query - Arguments passed to DRM_IOCTL_SIMGPU_DEV_QUERY
 *
 * Errors: -EINVAL (unknown @type), -EFAULT (bad @pointer).
 */
struct drm_simgpu_dev_query {
	/** @type: The query type (see &enum drm_simgpu_dev_query_type). */
	__u32 type;

	/**
	 * @size: Size of the buffer at @pointer. If @pointer is zero, the
	 * driver writes the size of the object it knows for this query
	 * here and returns 0. Otherwise it writes min(@size, its size)
	 * bytes and zeroes the remaining bytes of the user buffer.
	 */
	__u32 size;

	/** @pointer: User pointer to the query object, or zero. */
	__u64 pointer;
};

/*
 * ---------------------------------------------------------------------------
 * DRM_IOCTL_SIMGPU_BO_CREATE / DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET
 * ---------------------------------------------------------------------------
 */

/**
 * enum drm_simgpu_bo_flags - Buffer object flags, passed at creation time.
 */
enum drm_simgpu_bo_flags {
	/**
	 * @DRM_SIMGPU_BO_NO_MMAP: The buffer object will never be CPU-mapped
	 * in user space: BO_MMAP_OFFSET fails with -EPERM.
	 */
	DRM_SIMGPU_BO_NO_MMAP = (1 << 0),
};

/**
 * struct drm_simgpu_bo_create - Arguments passed to DRM_IOCTL_SIMGPU_BO_CREATE
 *
 * The BO is backed by shmem pages, zero-filled, allocated on first use (CPU
 * mmap fault or first VM bind).
 *
 * Errors: -EINVAL (unknown @flags, non-zero @pad, @size zero),
 * -E2BIG (@size above &drm_simgpu_dev_info.max_bo_size),
 * -ENOENT (@exclusive_vm_id names no VM of this file), -ENOMEM.
 */
struct drm_simgpu_bo_create {
	/**
	 * @size: Requested size in bytes (input); rounded up to a multiple of
	 * &drm_simgpu_dev_info.va_page_size (output).
	 */
	__u64 size;

	/** @flags: Combination of &enum drm_simgpu_bo_flags. */
	__u32 flags;

	/** @handle: Returned GEM handle. */
	__u32 handle;

	/**
	 * @exclusive_vm_id: If non-zero, the BO can only be bound in this VM
	 * (binding it elsewhere fails with -EINVAL) and shares the VM's
	 * reservation object, which makes submission cheaper. Such a BO
	 * cannot be exported (PRIME).
	 */
	__u32 exclusive_vm_id;

	/** @pad: Must be zero. */
	__u32 pad;
};

/**
 * struct drm_simgpu_bo_mmap_offset - Arguments passed to
 * DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET
 *
 * Errors: -EINVAL (non-zero @pad), -ENOENT (bad @handle),
 * -EPERM (BO created with DRM_SIMGPU_BO_NO_MMAP), -ENOMEM.
 */
struct drm_simgpu_bo_mmap_offset {
	/** @handle: GEM handle of the BO. */
	__u32 handle;

	/** @pad: Must be zero. */
	__u32 pad;

	/** @offset: Returned fake offset to pass to mmap() on the DRM fd. */
	__u64 offset;
};

/*
 * ---------------------------------------------------------------------------
 * DRM_IOCTL_SIMGPU_VM_CREATE / DRM_IOCTL_SIMGPU_VM_DESTROY
 * ---------------------------------------------------------------------------
 */

/**
 * struct drm_simgpu_vm_create - Arguments passed to DRM_IOCTL_SIMGPU_VM_CREATE
 *
 * Creates a GPU virtual address space spanning
 * [&drm_simgpu_dev_info.va_start, &drm_simgpu_dev_info.va_end) and the
 * matching firmware context.
 *
 * Errors: -EINVAL (non-zero @flags), -ENOSPC (this file already has
 * &drm_simgpu_dev_info.max_vms VMs), -ENOMEM, -EIO (the firmware refused or
 * did not answer).
 */
struct drm_simgpu_vm_create {
	/** @flags: Must be zero. */
	__u32 flags;

	/** @id: Returned VM ID (never 0). */
	__u32 id;
};

/**
 * struct drm_simgpu_vm_destroy - Arguments passed to
 * DRM_IOCTL_SIMGPU_VM_DESTROY
 *
 * Removes the VM ID. The VM itself lives on until the last queue using it
 * is destroyed and its last job is done; its mappings are then removed.
 *
 * Errors: -EINVAL (non-zero @pad), -ENOENT (bad @id).
 */
struct drm_simgpu_vm_destroy {
	/** @id: ID of the VM to destroy. */
	__u32 id;

	/** @pad: Must be zero. */
	__u32 pad;
};

/*
 * ---------------------------------------------------------------------------
 * DRM_IOCTL_SIMGPU_VM_BIND
 * ---------------------------------------------------------------------------
 */

/**
 * enum drm_simgpu_vm_bind_op_type - VM bind operation
 */
enum drm_simgpu_vm_bind_op_type {
	/**
	 * @DRM_SIMGPU_VM_BIND_OP_MAP: Map [@bo_offset, @bo_offset + @range)
	 * of a BO at [@va, @va + @range). Whatever was mapped in that VA
	 * range before is unmapped first (mappings that straddle the range
	 * are split).
	 */
	DRM_SIMGPU_VM_BIND_OP_MAP = 0,

	/**
	 * @DRM_SIMGPU_VM_BIND_OP_UNMAP: Unmap whatever is mapped in
	 * [@va, @va + @range) (mappings that straddle the range are split).
	 * Unmapping an empty range is not an error. @bo_handle and
	 * @bo_offset must be zero.
	 */
	DRM_SIMGPU_VM_BIND_OP_UNMAP = 1,
};

/**
 * enum drm_simgpu_vm_bind_op_flags - VM bind operation flags
 */
enum drm_simgpu_vm_bind_op_flags {
	/**
	 * @DRM_SIMGPU_VM_BIND_OP_MAP_READONLY: GPU writes to the mapping
	 * raise a permission fault. Only valid with
	 * DRM_SIMGPU_VM_BIND_OP_MAP.
	 */
	DRM_SIMGPU_VM_BIND_OP_MAP_READONLY = (1 << 0),
};

/**
 * struct drm_simgpu_vm_bind_op - One VM bind operation
 */
struct drm_simgpu_vm_bind_op {
	/** @op: One of &enum drm_simgpu_vm_bind_op_type. */
	__u32 op;

	/** @flags: Combination of &enum drm_simgpu_vm_bind_op_flags. */
	__u32 flags;

	/** @bo_handle: GEM handle of the BO to map (MAP), zero (UNMAP). */
	__u32 bo_handle;

	/** @pad: Must be zero. */
	__u32 pad;

	/**
	 * @bo_offset: Offset in the BO of the first mapped byte (MAP), zero
	 * (UNMAP). Page aligned; @bo_offset + @range must not exceed the BO
	 * size.
	 */
	__u64 bo_offset;

	/**
	 * @va: GPU virtual address of the first byte. Page aligned, inside
	 * [&drm_simgpu_dev_info.va_start, &drm_simgpu_dev_info.va_end).
	 */
	__u64 va;

	/** @range: Size in bytes. Page aligned, non-zero. */
	__u64 range;
};

/**
 * enum drm_simgpu_vm_bind_flags - VM_BIND flags
 */
enum drm_simgpu_vm_bind_flags {
	/**
	 * @DRM_SIMGPU_VM_BIND_ASYNC: Queue the operations on the VM's bind
	 * queue: they run, in submission order, once every in-syncobj has
	 * signalled, and the out-syncobjs signal when the firmware has
	 * applied the page-table update. Without this flag the operations
	 * are applied before the ioctl returns and both syncobj arrays must
	 * be empty.
	 */
	DRM_SIMGPU_VM_BIND_ASYNC = (1 << 0),
};

/**
 * struct drm_simgpu_vm_bind - Arguments passed to DRM_IOCTL_SIMGPU_VM_BIND
 *
 * The operations are applied in array order, as one unit: either the ioctl
 * fails with nothing changed, or all operations are (or, with
 * DRM_SIMGPU_VM_BIND_ASYNC, will be) applied. An empty @ops array is valid:
 * an asynchronous bind without operations signals its out-syncobjs once its
 * in-syncobjs have signalled and the earlier binds of the VM are done.
 *
 * Asynchronous binds of a VM run in submission order. A synchronous bind is
 * applied at once, even while asynchronous binds submitted earlier wait for
 * their in-syncobjs: order them with syncobjs when it matters. Jobs do not
 * wait for binds implicitly either: make a job wait on the out-syncobj of
 * the bind it depends on.
 *
 * Errors: -EINVAL (unknown @flags or op flags, unknown op type, non-zero
 * pad or reserved field, misaligned or zero-sized range, range outside the
 * VA space or beyond the BO, MAP of a BO exclusive to another VM, syncobjs
 * without DRM_SIMGPU_VM_BIND_ASYNC, stride too small or not a multiple of
 * 8, in-syncobj without a fence), -EOVERFLOW (@va + @range or
 * @bo_offset + @range wraps around), -E2BIG (too many ops or syncs, or
 * non-zero bytes past the known element size), -ENOENT (bad VM ID, BO
 * handle or syncobj handle), -EFAULT (bad user pointer), -ENOMEM,
 * -EINTR (a signal arrived while pinning the BOs; nothing changed, retry),
 * -EIO (the firmware failed to apply a synchronous update; the mappings
 * are then in an unknown state).
 */
struct drm_simgpu_vm_bind {
	/** @vm_id: ID of the VM. */
	__u32 vm_id;

	/** @flags: Combination of &enum drm_simgpu_vm_bind_flags. */
	__u32 flags;

	/** @ops: Array of &struct drm_simgpu_vm_bind_op. */
	struct drm_simgpu_obj_array ops;

	/** @in_syncs: Array of &struct drm_simgpu_sync to wait on. */
	struct drm_simgpu_obj_array in_syncs;

	/** @out_syncs: Array of &struct drm_simgpu_sync to signal. */
	struct drm_simgpu_obj_array out_syncs;
};

/*
 * ---------------------------------------------------------------------------
 * DRM_IOCTL_SIMGPU_QUEUE_CREATE / DRM_IOCTL_SIMGPU_QUEUE_DESTROY
 * ---------------------------------------------------------------------------
 */

/**
 * enum drm_simgpu_queue_priority - Queue priority
 *
 * The firmware scheduler always picks a runnable job from the highest
 * priority queue; queues of equal priority are served round-robin.
 */
enum drm_simgpu_queue_priority {
	/** @DRM_SIMGPU_QUEUE_PRIORITY_LOW: Low priority. */
	DRM_SIMGPU_QUEUE_PRIORITY_LOW = 0,

	/** @DRM_SIMGPU_QUEUE_PRIORITY_MEDIUM: Medium (normal) priority. */
	DRM_SIMGPU_QUEUE_PRIORITY_MEDIUM = 1,

	/**
	 * @DRM_SIMGPU_QUEUE_PRIORITY_HIGH: High priority; requires
	 * CAP_SYS_NICE.
	 */
	DRM_SIMGPU_QUEUE_PRIORITY_HIGH = 2,
};

/**
 * struct drm_simgpu_queue_create - Arguments passed to
 * DRM_IOCTL_SIMGPU_QUEUE_CREATE
 *
 * Errors: -EINVAL (non-zero @flags, unknown @priority), -ENOENT (bad
 * @vm_id), -EPERM (high priority without CAP_SYS_NICE), -ENOSPC (this file
 * already has &drm_simgpu_dev_info.max_queues queues), -ENOMEM,
 * -EIO (the firmware refused or did not answer).
 */
struct drm_simgpu_queue_create {
	/** @vm_id: ID of the VM the queue's jobs run in. */
	__u32 vm_id;

	/** @priority: One of &enum drm_simgpu_queue_priority. */
	__u32 priority;

	/** @flags: Must be zero. */
	__u32 flags;

	/** @id: Returned queue ID (never 0). */
	__u32 id;
};

/**
 * struct drm_simgpu_queue_destroy - Arguments passed to
 * DRM_IOCTL_SIMGPU_QUEUE_DESTROY
 *
 * Jobs of the queue that have not completed are cancelled: their fences
 * signal with -ECANCELED (or -ESRCH if they never reached the firmware).
 *
 * Errors: -EINVAL (non-zero @pad), -ENOENT (bad @id).
 */
struct drm_simgpu_queue_destroy {
	/** @id: ID of the queue to destroy. */
	__u32 id;

	/** @pad: Must be zero. */
	__u32 pad;
};

/*
 * ---------------------------------------------------------------------------
 * DRM_IOCTL_SIMGPU_SUBMIT
 * ---------------------------------------------------------------------------
 */

/**
 * struct drm_simgpu_job - One job of a DRM_IOCTL_SIMGPU_SUBMIT call
 *
 * The firmware reads the command buffer at @cmd_va through the queue's VM
 * and executes it (see "GPU command stream").
 */
struct drm_simgpu_job {
	/** @cmd_va: GPU VA of the command buffer; 8-byte aligned. */
	__u64 cmd_va;

	/**
	 * @cmd_size: Command buffer size in bytes; a non-zero multiple of
	 * 8, at most &drm_simgpu_dev_info.max_cmd_size.
	 */
	__u32 cmd_size;

	/** @flags: Must be zero. */
	__u32 flags;

	/** @in_syncs: Array of &struct drm_simgpu_sync to wait on. */
	struct drm_simgpu_obj_array in_syncs;

	/**
	 * @out_syncs: Array of &struct drm_simgpu_sync signalled when the
	 * job is done (with the job's error, if any).
	 */
	struct drm_simgpu_obj_array out_syncs;
};

/**
 * struct drm_simgpu_submit - Arguments passed to DRM_IOCTL_SIMGPU_SUBMIT
 *
 * The jobs are queued in array order, as one unit: either the ioctl fails
 * and no job is queued, or all of them are. Jobs of one queue run one after
 * the other, in order. A job's fence carries an error when the job fails:
 * -EFAULT (GPU page fault: unmapped VA, or write to a read-only mapping),
 * -EINVAL (invalid command in the command buffer), -ETIMEDOUT (job ran
 * longer than &drm_simgpu_dev_info.job_timeout_ms), -ECANCELED (queue
 * destroyed). A failed job does not stop the queue.
 *
 * Errors: -EINVAL (unknown @flags or job flags, misaligned or zero
 * @cmd_size, misaligned @cmd_va, @cmd_size too large, command buffer not
 * inside [&drm_simgpu_dev_info.va_start, &drm_simgpu_dev_info.va_end), bad
 * stride, non-zero sync flags, in-syncobj without a fence), -EOVERFLOW
 * (@cmd_va + @cmd_size wraps around),
 * -E2BIG (too many jobs or syncs, or non-zero bytes past the known element
 * size), -ENOENT (bad queue ID or syncobj handle), -EFAULT (bad user
 * pointer), -ENOMEM, -EINTR (a signal arrived while locking the VM's BOs;
 * nothing was queued, retry).
 */
struct drm_simgpu_submit {
	/** @queue_id: ID of the queue. */
	__u32 queue_id;

	/** @flags: Must be zero. */
	__u32 flags;

	/** @jobs: Array of &struct drm_simgpu_job. */
	struct drm_simgpu_obj_array jobs;

	/**
	 * @seqno: Returned sequence number of the first job; the following
	 * jobs have the following numbers. Sequence numbers count from 1 per
	 * queue; they appear in the simgpu job tracepoints. Unchanged when
	 * @jobs is empty.
	 */
	__u64 seqno;
};

/**
 * DOC: GPU command stream
 *
 * A command buffer is a sequence of commands made of little-endian 64-bit
 * words. Word 0 of a command is its header:
 *
 * - bits 7:0 opcode (&enum drm_simgpu_cmd_opcode),
 * - bits 15:8 flags (per opcode; unknown flags are invalid),
 * - bits 31:16 length of the command in 64-bit words, header included,
 * - bits 63:32 must be zero.
 *
 * Use DRM_SIMGPU_CMD_HEADER() to build it. A command whose header is
 * invalid (unknown opcode, wrong length, reserved bits set) or whose
 * arguments are invalid stops the job with -EINVAL. All addresses are GPU
 * VAs of the queue's VM; the firmware accesses them page by page through
 * its page tables. An access to an unmapped page (or a write to a read-only
 * one) is a GPU fault: the job stops with -EFAULT, and writes done before
 * the faulting access stay done. Results are deterministic.
 *
 * Job result hash: the firmware reports, for every job, a 64-bit FNV-1a
 * hash (offset basis 0xcbf29ce484222325, prime 0x100000001b3) over the
 * memory the job wrote: for each write command, in command order, it hashes
 * the destination VA (8 bytes, little-endian), the length of the write in
 * bytes (8 bytes, little-endian) and then the bytes written. The hash
 * appears in the job_done tracepoint and in the firmware's JOB_DONE message.
 * A job that writes nothing reports the offset basis.
 *
 * The kernel driver's tracepoints (tracefs system "simgpu") and the
 * firmware message ABI are described in docs/simgpu.md.
 */

/**
 * enum drm_simgpu_cmd_opcode - GPU command opcodes
 *
 * Opcode 0 is invalid, so that a zeroed buffer never executes.
 */
enum drm_simgpu_cmd_opcode {
	/**
	 * @DRM_SIMGPU_CMD_NOP: Do nothing. Any length >= 1; the words after
	 * the header are ignored.
	 */
	DRM_SIMGPU_CMD_NOP = 1,

	/**
	 * @DRM_SIMGPU_CMD_WRITE_IMM: Write an immediate value. Length 3:
	 * { header, va, value }. Flag DRM_SIMGPU_CMD_WRITE_IMM_64 writes all
	 * 64 bits of value at an 8-byte aligned va; otherwise the low 32 bits
	 * are written at a 4-byte aligned va.
	 */
	DRM_SIMGPU_CMD_WRITE_IMM = 2,

	/**
	 * @DRM_SIMGPU_CMD_FILL: Fill memory with a 32-bit pattern. Length 4:
	 * { header, va, size, pattern }. va and size are multiples of 4,
	 * size is not zero; the low 32 bits of pattern are stored at every
	 * 4-byte word of [va, va + size).
	 */
	DRM_SIMGPU_CMD_FILL = 3,

	/**
	 * @DRM_SIMGPU_CMD_COPY: Copy bytes. Length 4: { header, src, dst,
	 * size }. Any alignment; size is not zero; the ranges must not
	 * overlap.
	 */
	DRM_SIMGPU_CMD_COPY = 4,

	/**
	 * @DRM_SIMGPU_CMD_CHECKSUM: Hash a range. Length 4: { header, src,
	 * size, dst }. Writes the 64-bit FNV-1a hash (see above) of the
	 * size bytes at src (size may be zero) to the 8-byte aligned dst.
	 */
	DRM_SIMGPU_CMD_CHECKSUM = 5,

	/**
	 * @DRM_SIMGPU_CMD_DELAY: Keep the job busy for a while. Length 2:
	 * { header, ns }, ns at most &drm_simgpu_dev_info.max_delay_ns. The
	 * firmware runs other queues' jobs meanwhile.
	 */
	DRM_SIMGPU_CMD_DELAY = 6,
};

/** DRM_SIMGPU_CMD_WRITE_IMM_64 - WRITE_IMM flag: write 64 bits. */
#define DRM_SIMGPU_CMD_WRITE_IMM_64	(1 << 0)

/**
 * DRM_SIMGPU_CMD_HEADER() - Build a command header word.
 * @opcode: One of &enum drm_simgpu_cmd_opcode.
 * @flags: Opcode flags (8 bits).
 * @len: Command length in 64-bit words, header included.
 */
#define DRM_SIMGPU_CMD_HEADER(opcode, flags, len) \
	((__u64)(opcode) | ((__u64)(flags) << 8) | ((__u64)(len) << 16))

/** DRM_SIMGPU_CMD_OPCODE() - Opcode of a command header word. */
#define DRM_SIMGPU_CMD_OPCODE(hdr)	((__u32)(hdr) & 0xff)
/** DRM_SIMGPU_CMD_FLAGS() - Flags of a command header word. */
#define DRM_SIMGPU_CMD_FLAGS(hdr)	(((__u32)(hdr) >> 8) & 0xff)
/** DRM_SIMGPU_CMD_LEN() - Length, in 64-bit words, of a command. */
#define DRM_SIMGPU_CMD_LEN(hdr)		(((__u32)(hdr) >> 16) & 0xffff)

/** DRM_SIMGPU_HASH_INIT - FNV-1a 64-bit offset basis. */
#define DRM_SIMGPU_HASH_INIT	0xcbf29ce484222325ull
/** DRM_SIMGPU_HASH_PRIME - FNV-1a 64-bit prime. */
#define DRM_SIMGPU_HASH_PRIME	0x100000001b3ull

#if defined(__cplusplus)
}
#endif

#endif /* _SIMGPU_DRM_H_ */
