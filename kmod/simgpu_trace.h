/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * simgpu tracepoints (system "simgpu").
 *
 * Every event names the device by its index ("dev"), never by a kernel
 * pointer, and prints key=value pairs. Objects are named by stable numbers:
 * "bo" is the device-wide BO id (gem_create links it to the per-file GEM
 * handle), "vm" and "queue" are device-wide firmware IDs (vm_create and the
 * job events link them to the per-file IDs user space sees), "seqno" is the
 * per-queue job sequence number returned by DRM_IOCTL_SIMGPU_SUBMIT.
 */
#if !defined(_SIMGPU_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _SIMGPU_TRACE_H_

#include <linux/sched.h>
#include <linux/tracepoint.h>
#include <linux/types.h>

#undef TRACE_SYSTEM
#define TRACE_SYSTEM simgpu
#define TRACE_INCLUDE_FILE simgpu_trace

/**
 * simgpu_ioctl_enter - A simgpu ioctl starts.
 * @dev: Device index.
 * @nr: ioctl ID (enum drm_simgpu_ioctl_id).
 * @name: ioctl name.
 *
 * Fired before the handler (and before any injected failure) runs. The
 * calling process is @pid (thread group) / @tid.
 */
TRACE_EVENT(simgpu_ioctl_enter,
	TP_PROTO(unsigned int dev, unsigned int nr, const char *name),
	TP_ARGS(dev, nr, name),
	TP_STRUCT__entry(
		__field(unsigned int, dev)
		__field(pid_t, pid)
		__field(pid_t, tid)
		__field(unsigned int, nr)
		__string(name, name)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->pid = current->tgid;
		__entry->tid = current->pid;
		__entry->nr = nr;
		__assign_str(name);
	),
	TP_printk("dev=%u pid=%d tid=%d nr=%u name=%s",
		  __entry->dev, __entry->pid, __entry->tid, __entry->nr,
		  __get_str(name))
);

/**
 * simgpu_ioctl_exit - A simgpu ioctl returns.
 * @dev: Device index.
 * @nr: ioctl ID.
 * @name: ioctl name.
 * @ret: Return value (0 or a negative errno).
 * @duration_ns: Time spent in the driver.
 */
TRACE_EVENT(simgpu_ioctl_exit,
	TP_PROTO(unsigned int dev, unsigned int nr, const char *name, int ret,
		 u64 duration_ns),
	TP_ARGS(dev, nr, name, ret, duration_ns),
	TP_STRUCT__entry(
		__field(unsigned int, dev)
		__field(pid_t, pid)
		__field(pid_t, tid)
		__field(unsigned int, nr)
		__field(int, ret)
		__field(u64, duration_ns)
		__string(name, name)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->pid = current->tgid;
		__entry->tid = current->pid;
		__entry->nr = nr;
		__entry->ret = ret;
		__entry->duration_ns = duration_ns;
		__assign_str(name);
	),
	TP_printk("dev=%u pid=%d tid=%d nr=%u name=%s ret=%d duration_ns=%llu",
		  __entry->dev, __entry->pid, __entry->tid, __entry->nr,
		  __get_str(name), __entry->ret, __entry->duration_ns)
);

DECLARE_EVENT_CLASS(simgpu_gem,
	TP_PROTO(unsigned int dev, u64 bo, u32 handle, u64 size, u32 flags),
	TP_ARGS(dev, bo, handle, size, flags),
	TP_STRUCT__entry(
		__field(unsigned int, dev)
		__field(u64, bo)
		__field(u32, handle)
		__field(u32, flags)
		__field(u64, size)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->bo = bo;
		__entry->handle = handle;
		__entry->flags = flags;
		__entry->size = size;
	),
	TP_printk("dev=%u bo=%llu handle=%u size=%llu flags=0x%x",
		  __entry->dev, __entry->bo, __entry->handle, __entry->size,
		  __entry->flags)
);

/**
 * simgpu_gem_create - BO_CREATE made a BO.
 * @dev: Device index.
 * @bo: Device-wide BO id.
 * @handle: GEM handle in the caller's file.
 * @size: Size in bytes (page aligned).
 * @flags: drm_simgpu_bo_flags.
 */
DEFINE_EVENT(simgpu_gem, simgpu_gem_create,
	TP_PROTO(unsigned int dev, u64 bo, u32 handle, u64 size, u32 flags),
	TP_ARGS(dev, bo, handle, size, flags)
);

/**
 * simgpu_gem_free - A BO is freed (its last reference went away).
 * @dev: Device index.
 * @bo: Device-wide BO id.
 * @handle: Always 0 (the BO has no handle any more).
 * @size: Size in bytes.
 * @flags: drm_simgpu_bo_flags.
 */
DEFINE_EVENT(simgpu_gem, simgpu_gem_free,
	TP_PROTO(unsigned int dev, u64 bo, u32 handle, u64 size, u32 flags),
	TP_ARGS(dev, bo, handle, size, flags)
);

/**
 * simgpu_gem_mmap - BO_MMAP_OFFSET returned a fake mmap offset for a BO.
 * @dev: Device index.
 * @bo: Device-wide BO id.
 * @handle: GEM handle.
 * @size: Size in bytes.
 * @offset: The fake offset to pass to mmap().
 */
TRACE_EVENT(simgpu_gem_mmap,
	TP_PROTO(unsigned int dev, u64 bo, u32 handle, u64 size, u64 offset),
	TP_ARGS(dev, bo, handle, size, offset),
	TP_STRUCT__entry(
		__field(unsigned int, dev)
		__field(u32, handle)
		__field(u64, bo)
		__field(u64, size)
		__field(u64, offset)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->handle = handle;
		__entry->bo = bo;
		__entry->size = size;
		__entry->offset = offset;
	),
	TP_printk("dev=%u bo=%llu handle=%u size=%llu offset=0x%llx",
		  __entry->dev, __entry->bo, __entry->handle, __entry->size,
		  __entry->offset)
);

DECLARE_EVENT_CLASS(simgpu_vm,
	TP_PROTO(unsigned int dev, u32 vm, u32 handle),
	TP_ARGS(dev, vm, handle),
	TP_STRUCT__entry(
		__field(unsigned int, dev)
		__field(u32, vm)
		__field(u32, handle)
		__field(pid_t, pid)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->vm = vm;
		__entry->handle = handle;
		__entry->pid = current->tgid;
	),
	TP_printk("dev=%u vm=%u handle=%u pid=%d",
		  __entry->dev, __entry->vm, __entry->handle, __entry->pid)
);

/**
 * simgpu_vm_create - VM_CREATE made a VM (and its firmware context).
 * @dev: Device index.
 * @vm: Device-wide VM (firmware context) ID.
 * @handle: VM ID in the caller's file.
 */
DEFINE_EVENT(simgpu_vm, simgpu_vm_create,
	TP_PROTO(unsigned int dev, u32 vm, u32 handle),
	TP_ARGS(dev, vm, handle)
);

/**
 * simgpu_vm_destroy - A VM is torn down: its last user went away, its
 * mappings are removed and its firmware context destroyed. @pid is the
 * process running the teardown (often a kernel worker).
 * @dev: Device index.
 * @vm: Device-wide VM ID.
 * @handle: The VM ID the file used.
 */
DEFINE_EVENT(simgpu_vm, simgpu_vm_destroy,
	TP_PROTO(unsigned int dev, u32 vm, u32 handle),
	TP_ARGS(dev, vm, handle)
);

/**
 * simgpu_vm_bind_op - A VM_BIND operation is applied to the VM.
 * @dev: Device index.
 * @vm: Device-wide VM ID.
 * @seq: Per-VM bind sequence number (one per VM_BIND call).
 * @pid: Process that issued the VM_BIND.
 * @op: 0 = map, 1 = unmap (enum drm_simgpu_vm_bind_op_type).
 * @flags: Operation flags (enum drm_simgpu_vm_bind_op_flags).
 * @va: GPU virtual address.
 * @range: Size in bytes.
 * @bo: Device-wide BO id (0 for unmap).
 * @bo_offset: Offset in the BO.
 * @async: Whether the VM_BIND was asynchronous.
 *
 * Fired when the operation is applied: during the ioctl for a synchronous
 * bind, when the bind queue runs it for an asynchronous one.
 */
TRACE_EVENT(simgpu_vm_bind_op,
	TP_PROTO(unsigned int dev, u32 vm, u64 seq, pid_t pid, u32 op,
		 u32 flags, u64 va, u64 range, u64 bo, u64 bo_offset,
		 bool async),
	TP_ARGS(dev, vm, seq, pid, op, flags, va, range, bo, bo_offset, async),
	TP_STRUCT__entry(
		__field(unsigned int, dev)
		__field(u32, vm)
		__field(u64, seq)
		__field(pid_t, pid)
		__field(u32, op)
		__field(u32, flags)
		__field(bool, async)
		__field(u64, va)
		__field(u64, range)
		__field(u64, bo)
		__field(u64, bo_offset)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->vm = vm;
		__entry->seq = seq;
		__entry->pid = pid;
		__entry->op = op;
		__entry->flags = flags;
		__entry->async = async;
		__entry->va = va;
		__entry->range = range;
		__entry->bo = bo;
		__entry->bo_offset = bo_offset;
	),
	TP_printk("dev=%u vm=%u seq=%llu pid=%d op=%s flags=0x%x va=0x%llx range=0x%llx bo=%llu bo_offset=0x%llx async=%d",
		  __entry->dev, __entry->vm, __entry->seq, __entry->pid,
		  __entry->op == 0 ? "map" : "unmap", __entry->flags,
		  __entry->va, __entry->range, __entry->bo, __entry->bo_offset,
		  __entry->async)
);

/**
 * simgpu_vm_bind_done - The firmware acknowledged the page-table update of
 * a VM_BIND call (or it failed).
 * @dev: Device index.
 * @vm: Device-wide VM ID.
 * @seq: Per-VM bind sequence number.
 * @result: 0 or a negative errno.
 */
TRACE_EVENT(simgpu_vm_bind_done,
	TP_PROTO(unsigned int dev, u32 vm, u64 seq, int result),
	TP_ARGS(dev, vm, seq, result),
	TP_STRUCT__entry(
		__field(unsigned int, dev)
		__field(u32, vm)
		__field(u64, seq)
		__field(int, result)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->vm = vm;
		__entry->seq = seq;
		__entry->result = result;
	),
	TP_printk("dev=%u vm=%u seq=%llu result=%d",
		  __entry->dev, __entry->vm, __entry->seq, __entry->result)
);

DECLARE_EVENT_CLASS(simgpu_fw_msg,
	TP_PROTO(unsigned int dev, unsigned int ring, u32 abi, u64 seq,
		 u32 function, const char *name, u32 length,
		 const void *payload),
	TP_ARGS(dev, ring, abi, seq, function, name, length, payload),
	TP_STRUCT__entry(
		__field(unsigned int, dev)
		__field(unsigned int, ring)
		__field(u32, abi)
		__field(u32, function)
		__field(u64, seq)
		__field(u32, length)
		__string(name, name)
		__array(u64, p, 6)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->ring = ring;
		__entry->abi = abi;
		__entry->function = function;
		__entry->seq = seq;
		__entry->length = length;
		__assign_str(name);
		memset(__entry->p, 0, sizeof(__entry->p));
		memcpy(__entry->p, payload,
		       min_t(u32, length, sizeof(__entry->p)));
	),
	TP_printk("dev=%u ring=%s abi=%u seq=%llu function=0x%02x name=%s length=%u p0=0x%016llx p1=0x%016llx p2=0x%016llx p3=0x%016llx p4=0x%016llx p5=0x%016llx",
		  __entry->dev, __entry->ring ? "msg" : "cmd", __entry->abi,
		  __entry->seq, __entry->function, __get_str(name),
		  __entry->length, __entry->p[0], __entry->p[1],
		  __entry->p[2], __entry->p[3], __entry->p[4], __entry->p[5])
);

/**
 * simgpu_fw_msg_send - The host wrote a message to the command ring.
 * @dev: Device index.
 * @ring: 0 (command ring, host to firmware).
 * @abi: Firmware ABI version the message is encoded in.
 * @seq: Message sequence number (header).
 * @function: Function code (see docs/simgpu.md).
 * @name: Function name.
 * @length: Payload length in bytes (header excluded).
 * @payload: The payload; p0..p5 are its first 48 bytes as little-endian
 *	64-bit words (zero past @length): every message whole, but for the
 *	page frames of a VM_MAP after the first few.
 */
DEFINE_EVENT(simgpu_fw_msg, simgpu_fw_msg_send,
	TP_PROTO(unsigned int dev, unsigned int ring, u32 abi, u64 seq,
		 u32 function, const char *name, u32 length,
		 const void *payload),
	TP_ARGS(dev, ring, abi, seq, function, name, length, payload)
);

/**
 * simgpu_fw_msg_recv - The host read a message from the message ring.
 * @dev: Device index.
 * @ring: 1 (message ring, firmware to host).
 * @abi: Firmware ABI version.
 * @seq: Message sequence number (header).
 * @function: Function code.
 * @name: Function name.
 * @length: Payload length in bytes.
 * @payload: The payload (p0..p5, as for simgpu_fw_msg_send).
 */
DEFINE_EVENT(simgpu_fw_msg, simgpu_fw_msg_recv,
	TP_PROTO(unsigned int dev, unsigned int ring, u32 abi, u64 seq,
		 u32 function, const char *name, u32 length,
		 const void *payload),
	TP_ARGS(dev, ring, abi, seq, function, name, length, payload)
);

/**
 * simgpu_job_submit - SUBMIT queued a job.
 * @dev: Device index.
 * @queue: Device-wide queue ID.
 * @handle: Queue ID in the caller's file.
 * @seqno: Job sequence number in its queue.
 * @cmd_va: Command buffer GPU VA.
 * @cmd_size: Command buffer size in bytes.
 * @in_syncs: Number of syncobjs the job waits on.
 * @out_syncs: Number of syncobjs the job signals.
 */
TRACE_EVENT(simgpu_job_submit,
	TP_PROTO(unsigned int dev, u32 queue, u32 handle, u64 seqno,
		 u64 cmd_va, u32 cmd_size, u32 in_syncs, u32 out_syncs),
	TP_ARGS(dev, queue, handle, seqno, cmd_va, cmd_size, in_syncs,
		out_syncs),
	TP_STRUCT__entry(
		__field(unsigned int, dev)
		__field(pid_t, pid)
		__field(u32, queue)
		__field(u32, handle)
		__field(u64, seqno)
		__field(u64, cmd_va)
		__field(u32, cmd_size)
		__field(u32, in_syncs)
		__field(u32, out_syncs)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->pid = current->tgid;
		__entry->queue = queue;
		__entry->handle = handle;
		__entry->seqno = seqno;
		__entry->cmd_va = cmd_va;
		__entry->cmd_size = cmd_size;
		__entry->in_syncs = in_syncs;
		__entry->out_syncs = out_syncs;
	),
	TP_printk("dev=%u pid=%d queue=%u handle=%u seqno=%llu cmd_va=0x%llx cmd_size=%u in_syncs=%u out_syncs=%u",
		  __entry->dev, __entry->pid, __entry->queue, __entry->handle,
		  __entry->seqno, __entry->cmd_va, __entry->cmd_size,
		  __entry->in_syncs, __entry->out_syncs)
);

DECLARE_EVENT_CLASS(simgpu_job_event,
	TP_PROTO(unsigned int dev, u32 queue, u64 seqno, u64 wait_ns),
	TP_ARGS(dev, queue, seqno, wait_ns),
	TP_STRUCT__entry(
		__field(unsigned int, dev)
		__field(u32, queue)
		__field(u64, seqno)
		__field(u64, wait_ns)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->queue = queue;
		__entry->seqno = seqno;
		__entry->wait_ns = wait_ns;
	),
	TP_printk("dev=%u queue=%u seqno=%llu wait_ns=%llu",
		  __entry->dev, __entry->queue, __entry->seqno,
		  __entry->wait_ns)
);

/**
 * simgpu_job_run - The scheduler hands a job to the firmware (its
 * dependencies have signalled); JOB_SUBMIT is sent.
 * @dev: Device index.
 * @queue: Device-wide queue ID.
 * @seqno: Job sequence number.
 * @wait_ns: Time since the job was submitted.
 */
DEFINE_EVENT(simgpu_job_event, simgpu_job_run,
	TP_PROTO(unsigned int dev, u32 queue, u64 seqno, u64 wait_ns),
	TP_ARGS(dev, queue, seqno, wait_ns)
);

/**
 * simgpu_job_start - The firmware reports that it started executing a job
 * (JOB_STARTED; firmware ABI v2 only).
 * @dev: Device index.
 * @queue: Device-wide queue ID.
 * @seqno: Job sequence number.
 * @wait_ns: Time since the job was handed to the firmware.
 */
DEFINE_EVENT(simgpu_job_event, simgpu_job_start,
	TP_PROTO(unsigned int dev, u32 queue, u64 seqno, u64 wait_ns),
	TP_ARGS(dev, queue, seqno, wait_ns)
);

/**
 * simgpu_job_done - The firmware reported a job done (JOB_DONE); its fence
 * is signalled.
 * @dev: Device index.
 * @queue: Device-wide queue ID.
 * @seqno: Job sequence number.
 * @result: 0, or the fence error (-EFAULT GPU fault, -EINVAL invalid
 *	command, -ETIMEDOUT watchdog, -ECANCELED queue destroyed).
 * @hash: FNV-1a hash of the memory the job wrote (uapi "GPU command
 *	stream"): compare it between runs.
 * @cmds: Number of commands executed.
 * @exec_ns: Execution time: as measured by the firmware (ABI v2), or from
 *	JOB_SUBMIT to JOB_DONE as seen by the host (ABI v1).
 * @total_ns: Time from SUBMIT to JOB_DONE.
 */
TRACE_EVENT(simgpu_job_done,
	TP_PROTO(unsigned int dev, u32 queue, u64 seqno, int result, u64 hash,
		 u32 cmds, u64 exec_ns, u64 total_ns),
	TP_ARGS(dev, queue, seqno, result, hash, cmds, exec_ns, total_ns),
	TP_STRUCT__entry(
		__field(unsigned int, dev)
		__field(u32, queue)
		__field(u64, seqno)
		__field(int, result)
		__field(u32, cmds)
		__field(u64, hash)
		__field(u64, exec_ns)
		__field(u64, total_ns)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->queue = queue;
		__entry->seqno = seqno;
		__entry->result = result;
		__entry->cmds = cmds;
		__entry->hash = hash;
		__entry->exec_ns = exec_ns;
		__entry->total_ns = total_ns;
	),
	TP_printk("dev=%u queue=%u seqno=%llu result=%d hash=0x%016llx cmds=%u exec_ns=%llu total_ns=%llu",
		  __entry->dev, __entry->queue, __entry->seqno,
		  __entry->result, __entry->hash, __entry->cmds,
		  __entry->exec_ns, __entry->total_ns)
);

/**
 * simgpu_gpu_fault - The firmware reported a GPU fault (GPU_FAULT).
 * @dev: Device index.
 * @vm: Device-wide VM ID.
 * @queue: Device-wide queue ID.
 * @seqno: Sequence number of the faulting job.
 * @va: Faulting GPU virtual address.
 * @type: 1 translation (unmapped), 2 permission (read-only), 3 invalid
 *	command.
 * @access: 1 read, 2 write, 3 command fetch.
 */
TRACE_EVENT(simgpu_gpu_fault,
	TP_PROTO(unsigned int dev, u32 vm, u32 queue, u64 seqno, u64 va,
		 u32 type, u32 access),
	TP_ARGS(dev, vm, queue, seqno, va, type, access),
	TP_STRUCT__entry(
		__field(unsigned int, dev)
		__field(u32, vm)
		__field(u32, queue)
		__field(u32, type)
		__field(u32, access)
		__field(u64, seqno)
		__field(u64, va)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->vm = vm;
		__entry->queue = queue;
		__entry->type = type;
		__entry->access = access;
		__entry->seqno = seqno;
		__entry->va = va;
	),
	TP_printk("dev=%u vm=%u queue=%u seqno=%llu va=0x%llx type=%s access=%s",
		  __entry->dev, __entry->vm, __entry->queue, __entry->seqno,
		  __entry->va,
		  __print_symbolic(__entry->type, { 1, "translation" },
				   { 2, "permission" }, { 3, "invalid_cmd" }),
		  __print_symbolic(__entry->access, { 1, "read" },
				   { 2, "write" }, { 3, "exec" }))
);

#endif /* _SIMGPU_TRACE_H_ */

/* This part must be outside protection. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#include <trace/define_trace.h>
