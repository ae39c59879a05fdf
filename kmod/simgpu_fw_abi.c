// SPDX-License-Identifier: GPL-2.0-only
/*
 * simgpu firmware interface: message encoding/decoding for both ABI versions
 * and the ring primitives. Used by both sides of the interface: the host
 * driver (simgpu_fw_if.c) and the firmware (simgpu_fw.c).
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/barrier.h>

#include "simgpu_fw_abi.h"

const char *simgpu_fw_func_name(u32 function)
{
	switch (function) {
	case SIMGPU_FW_PING: return "PING";
	case SIMGPU_FW_VM_CREATE: return "VM_CREATE";
	case SIMGPU_FW_VM_DESTROY: return "VM_DESTROY";
	case SIMGPU_FW_VM_MAP: return "VM_MAP";
	case SIMGPU_FW_VM_UNMAP: return "VM_UNMAP";
	case SIMGPU_FW_VM_FLUSH: return "VM_FLUSH";
	case SIMGPU_FW_QUEUE_CREATE: return "QUEUE_CREATE";
	case SIMGPU_FW_QUEUE_DESTROY: return "QUEUE_DESTROY";
	case SIMGPU_FW_JOB_SUBMIT: return "JOB_SUBMIT";
	case SIMGPU_FW_ACK: return "ACK";
	case SIMGPU_FW_JOB_DONE: return "JOB_DONE";
	case SIMGPU_FW_GPU_FAULT: return "GPU_FAULT";
	case SIMGPU_FW_JOB_STARTED: return "JOB_STARTED";
	default: return "UNKNOWN";
	}
}

/* Encode the v1 payload of @msg at @p; return its length (0: not in v1). */
static u32 encode_v1(const struct simgpu_fw_msg *msg, void *p)
{
	switch (msg->function) {
	case SIMGPU_FW_PING: {
		struct simgpu_fw_ping_v1 *m = p;

		m->cookie = cpu_to_le32(msg->ping.cookie);
		m->pad = 0;
		return sizeof(*m);
	}
	case SIMGPU_FW_VM_CREATE: {
		struct simgpu_fw_vm_create_v1 *m = p;

		m->vm = cpu_to_le32(msg->vm_create.vm);
		m->pad = 0;
		return sizeof(*m);
	}
	case SIMGPU_FW_VM_DESTROY:
	case SIMGPU_FW_VM_FLUSH:
	case SIMGPU_FW_QUEUE_DESTROY: {
		struct simgpu_fw_id_msg *m = p;

		m->id = cpu_to_le32(msg->id.id);
		m->pad = 0;
		return sizeof(*m);
	}
	case SIMGPU_FW_VM_MAP: {
		struct simgpu_fw_vm_map_v1 *m = p;
		__le32 *pfn = (__le32 *)(m + 1);
		u32 i, n = min_t(u32, msg->vm_map.npages, SIMGPU_FW_MAP_MAX_PAGES);

		m->vm = cpu_to_le32(msg->vm_map.vm);
		m->npages = cpu_to_le16(n);
		m->flags = cpu_to_le16(msg->vm_map.flags);
		m->va = cpu_to_le64(msg->vm_map.va);
		for (i = 0; i < n; i++)
			pfn[i] = cpu_to_le32(msg->vm_map.pfn[i]);
		if (n & 1)
			pfn[n++] = 0;
		return sizeof(*m) + n * sizeof(*pfn);
	}
	case SIMGPU_FW_VM_UNMAP: {
		struct simgpu_fw_vm_unmap_v1 *m = p;

		m->vm = cpu_to_le32(msg->vm_unmap.vm);
		m->npages = cpu_to_le32(msg->vm_unmap.npages);
		m->va = cpu_to_le64(msg->vm_unmap.va);
		return sizeof(*m);
	}
	case SIMGPU_FW_QUEUE_CREATE: {
		struct simgpu_fw_queue_create_v1 *m = p;

		m->queue = cpu_to_le32(msg->queue_create.queue);
		m->vm = cpu_to_le32(msg->queue_create.vm);
		m->priority = cpu_to_le32(msg->queue_create.priority);
		m->pad = 0;
		return sizeof(*m);
	}
	case SIMGPU_FW_JOB_SUBMIT: {
		struct simgpu_fw_job_submit_v1 *m = p;

		m->queue = cpu_to_le32(msg->job_submit.queue);
		m->seqno = cpu_to_le32(msg->job_submit.seqno);
		m->cmd_va = cpu_to_le64(msg->job_submit.cmd_va);
		m->cmd_size = cpu_to_le32(msg->job_submit.cmd_size);
		m->pad = 0;
		return sizeof(*m);
	}
	case SIMGPU_FW_ACK: {
		struct simgpu_fw_ack_v1 *m = p;

		m->seq = cpu_to_le32(msg->ack.seq);
		m->status = cpu_to_le32(msg->ack.status);
		m->data = cpu_to_le64(msg->ack.data);
		return sizeof(*m);
	}
	case SIMGPU_FW_JOB_DONE: {
		struct simgpu_fw_job_done_v1 *m = p;

		m->queue = cpu_to_le32(msg->job_done.queue);
		m->seqno = cpu_to_le32(msg->job_done.seqno);
		m->status = cpu_to_le32(msg->job_done.status);
		m->cmds = cpu_to_le32(msg->job_done.cmds);
		m->hash = cpu_to_le64(msg->job_done.hash);
		return sizeof(*m);
	}
	case SIMGPU_FW_GPU_FAULT: {
		struct simgpu_fw_gpu_fault_v1 *m = p;

		m->queue = cpu_to_le32(msg->fault.queue);
		m->seqno = cpu_to_le32(msg->fault.seqno);
		m->vm = cpu_to_le32(msg->fault.vm);
		m->type = cpu_to_le16(msg->fault.type);
		m->access = cpu_to_le16(msg->fault.access);
		m->va = cpu_to_le64(msg->fault.va);
		return sizeof(*m);
	}
	default:
		return 0;
	}
}

/* Encode the v2 payload of @msg at @p; return its length (0: not in v2). */
static u32 encode_v2(const struct simgpu_fw_msg *msg, void *p)
{
	switch (msg->function) {
	case SIMGPU_FW_PING: {
		struct simgpu_fw_ping_v2 *m = p;

		m->cookie = cpu_to_le64(msg->ping.cookie);
		return sizeof(*m);
	}
	case SIMGPU_FW_VM_CREATE: {
		struct simgpu_fw_vm_create_v2 *m = p;

		m->va_start = cpu_to_le64(msg->vm_create.va_start);
		m->va_end = cpu_to_le64(msg->vm_create.va_end);
		m->vm = cpu_to_le32(msg->vm_create.vm);
		m->flags = cpu_to_le32(msg->vm_create.flags);
		return sizeof(*m);
	}
	case SIMGPU_FW_VM_DESTROY:
	case SIMGPU_FW_VM_FLUSH:
	case SIMGPU_FW_QUEUE_DESTROY: {
		struct simgpu_fw_id_msg *m = p;

		m->id = cpu_to_le32(msg->id.id);
		m->pad = 0;
		return sizeof(*m);
	}
	case SIMGPU_FW_VM_MAP: {
		struct simgpu_fw_vm_map_v2 *m = p;
		__le64 *pfn = (__le64 *)(m + 1);
		u32 i, n = min_t(u32, msg->vm_map.npages, SIMGPU_FW_MAP_MAX_PAGES);

		m->va = cpu_to_le64(msg->vm_map.va);
		m->vm = cpu_to_le32(msg->vm_map.vm);
		m->flags = cpu_to_le32(msg->vm_map.flags);
		m->npages = cpu_to_le32(n);
		m->pad = 0;
		for (i = 0; i < n; i++)
			pfn[i] = cpu_to_le64(msg->vm_map.pfn[i]);
		return sizeof(*m) + n * sizeof(*pfn);
	}
	case SIMGPU_FW_VM_UNMAP: {
		struct simgpu_fw_vm_unmap_v2 *m = p;

		m->va = cpu_to_le64(msg->vm_unmap.va);
		m->npages = cpu_to_le64(msg->vm_unmap.npages);
		m->vm = cpu_to_le32(msg->vm_unmap.vm);
		m->flags = cpu_to_le32(msg->vm_unmap.flags);
		return sizeof(*m);
	}
	case SIMGPU_FW_QUEUE_CREATE: {
		struct simgpu_fw_queue_create_v2 *m = p;

		m->vm = cpu_to_le32(msg->queue_create.vm);
		m->queue = cpu_to_le32(msg->queue_create.queue);
		m->priority = cpu_to_le32(msg->queue_create.priority);
		m->flags = cpu_to_le32(msg->queue_create.flags);
		return sizeof(*m);
	}
	case SIMGPU_FW_JOB_SUBMIT: {
		struct simgpu_fw_job_submit_v2 *m = p;

		m->cmd_va = cpu_to_le64(msg->job_submit.cmd_va);
		m->seqno = cpu_to_le64(msg->job_submit.seqno);
		m->queue = cpu_to_le32(msg->job_submit.queue);
		m->cmd_size = cpu_to_le32(msg->job_submit.cmd_size);
		m->flags = cpu_to_le32(msg->job_submit.flags);
		m->timeout_ms = cpu_to_le32(msg->job_submit.timeout_ms);
		return sizeof(*m);
	}
	case SIMGPU_FW_ACK: {
		struct simgpu_fw_ack_v2 *m = p;

		m->seq = cpu_to_le64(msg->ack.seq);
		m->data = cpu_to_le64(msg->ack.data);
		m->status = cpu_to_le32(msg->ack.status);
		m->pad = 0;
		return sizeof(*m);
	}
	case SIMGPU_FW_JOB_DONE: {
		struct simgpu_fw_job_done_v2 *m = p;

		m->seqno = cpu_to_le64(msg->job_done.seqno);
		m->hash = cpu_to_le64(msg->job_done.hash);
		m->start_ns = cpu_to_le64(msg->job_done.start_ns);
		m->end_ns = cpu_to_le64(msg->job_done.end_ns);
		m->queue = cpu_to_le32(msg->job_done.queue);
		m->status = cpu_to_le32(msg->job_done.status);
		m->cmds = cpu_to_le32(msg->job_done.cmds);
		m->pad = 0;
		return sizeof(*m);
	}
	case SIMGPU_FW_GPU_FAULT: {
		struct simgpu_fw_gpu_fault_v2 *m = p;

		m->va = cpu_to_le64(msg->fault.va);
		m->seqno = cpu_to_le64(msg->fault.seqno);
		m->vm = cpu_to_le32(msg->fault.vm);
		m->queue = cpu_to_le32(msg->fault.queue);
		m->type = cpu_to_le32(msg->fault.type);
		m->access = cpu_to_le32(msg->fault.access);
		return sizeof(*m);
	}
	case SIMGPU_FW_JOB_STARTED: {
		struct simgpu_fw_job_started_v2 *m = p;

		m->seqno = cpu_to_le64(msg->job_started.seqno);
		m->start_ns = cpu_to_le64(msg->job_started.start_ns);
		m->queue = cpu_to_le32(msg->job_started.queue);
		m->pad = 0;
		return sizeof(*m);
	}
	default:
		return 0;
	}
}

/**
 * simgpu_fw_encode() - Encode a message in the wire format of an ABI.
 * @abi: ABI version (1 or 2).
 * @msg: Message to encode (@msg->seq, @msg->timestamp and the payload).
 * @buf: Output buffer of at least SIMGPU_FW_MSG_MAX bytes.
 *
 * Return: Length of the message (header included), or 0 if the function
 * does not exist in that ABI version.
 */
u32 simgpu_fw_encode(u32 abi, const struct simgpu_fw_msg *msg, void *buf)
{
	u32 len;

	if (abi == 1) {
		struct simgpu_fw_hdr_v1 *h = buf;

		len = encode_v1(msg, h + 1);
		if (!len)
			return 0;
		h->seq = cpu_to_le32(msg->seq);
		h->function = cpu_to_le16(msg->function);
		h->length = cpu_to_le16(len);
		return sizeof(*h) + len;
	}
	if (abi == 2) {
		struct simgpu_fw_hdr_v2 *h = buf;

		len = encode_v2(msg, h + 1);
		if (!len)
			return 0;
		h->function = cpu_to_le16(msg->function);
		h->flags = 0;
		h->length = cpu_to_le32(len);
		h->seq = cpu_to_le64(msg->seq);
		h->timestamp = cpu_to_le64(msg->timestamp);
		return sizeof(*h) + len;
	}
	return 0;
}

/**
 * simgpu_fw_decode_hdr() - Decode a message header.
 * @abi: ABI version.
 * @buf: simgpu_fw_hdr_size(@abi) bytes.
 * @msg: Receives function, length, seq and timestamp.
 *
 * Return: 0, or -EINVAL for an unknown ABI or a malformed length.
 */
int simgpu_fw_decode_hdr(u32 abi, const void *buf, struct simgpu_fw_msg *msg)
{
	if (abi == 1) {
		const struct simgpu_fw_hdr_v1 *h = buf;

		msg->function = le16_to_cpu(h->function);
		msg->length = le16_to_cpu(h->length);
		msg->seq = le32_to_cpu(h->seq);
		msg->timestamp = 0;
	} else if (abi == 2) {
		const struct simgpu_fw_hdr_v2 *h = buf;

		msg->function = le16_to_cpu(h->function);
		msg->length = le32_to_cpu(h->length);
		msg->seq = le64_to_cpu(h->seq);
		msg->timestamp = le64_to_cpu(h->timestamp);
	} else {
		return -EINVAL;
	}
	if (msg->length % 8 ||
	    msg->length > SIMGPU_FW_MSG_MAX - simgpu_fw_hdr_size(abi))
		return -EINVAL;
	return 0;
}

#define NEED(type) do { if (len < sizeof(type)) return -EINVAL; } while (0)

static int decode_v1(struct simgpu_fw_msg *msg, const void *p, u32 len)
{
	switch (msg->function) {
	case SIMGPU_FW_PING: {
		const struct simgpu_fw_ping_v1 *m = p;

		NEED(*m);
		msg->ping.cookie = le32_to_cpu(m->cookie);
		return 0;
	}
	case SIMGPU_FW_VM_CREATE: {
		const struct simgpu_fw_vm_create_v1 *m = p;

		NEED(*m);
		msg->vm_create.vm = le32_to_cpu(m->vm);
		return 0;
	}
	case SIMGPU_FW_VM_DESTROY:
	case SIMGPU_FW_VM_FLUSH:
	case SIMGPU_FW_QUEUE_DESTROY: {
		const struct simgpu_fw_id_msg *m = p;

		NEED(*m);
		msg->id.id = le32_to_cpu(m->id);
		return 0;
	}
	case SIMGPU_FW_VM_MAP: {
		const struct simgpu_fw_vm_map_v1 *m = p;
		const __le32 *pfn = (const __le32 *)(m + 1);
		u32 i, n;

		NEED(*m);
		n = le16_to_cpu(m->npages);
		if (n > SIMGPU_FW_MAP_MAX_PAGES ||
		    len < sizeof(*m) + n * sizeof(*pfn))
			return -EINVAL;
		msg->vm_map.vm = le32_to_cpu(m->vm);
		msg->vm_map.flags = le16_to_cpu(m->flags);
		msg->vm_map.va = le64_to_cpu(m->va);
		msg->vm_map.npages = n;
		for (i = 0; i < n; i++)
			msg->vm_map.pfn[i] = le32_to_cpu(pfn[i]);
		return 0;
	}
	case SIMGPU_FW_VM_UNMAP: {
		const struct simgpu_fw_vm_unmap_v1 *m = p;

		NEED(*m);
		msg->vm_unmap.vm = le32_to_cpu(m->vm);
		msg->vm_unmap.npages = le32_to_cpu(m->npages);
		msg->vm_unmap.va = le64_to_cpu(m->va);
		return 0;
	}
	case SIMGPU_FW_QUEUE_CREATE: {
		const struct simgpu_fw_queue_create_v1 *m = p;

		NEED(*m);
		msg->queue_create.queue = le32_to_cpu(m->queue);
		msg->queue_create.vm = le32_to_cpu(m->vm);
		msg->queue_create.priority = le32_to_cpu(m->priority);
		return 0;
	}
	case SIMGPU_FW_JOB_SUBMIT: {
		const struct simgpu_fw_job_submit_v1 *m = p;

		NEED(*m);
		msg->job_submit.queue = le32_to_cpu(m->queue);
		msg->job_submit.seqno = le32_to_cpu(m->seqno);
		msg->job_submit.cmd_va = le64_to_cpu(m->cmd_va);
		msg->job_submit.cmd_size = le32_to_cpu(m->cmd_size);
		return 0;
	}
	case SIMGPU_FW_ACK: {
		const struct simgpu_fw_ack_v1 *m = p;

		NEED(*m);
		msg->ack.seq = le32_to_cpu(m->seq);
		msg->ack.status = (s32)le32_to_cpu(m->status);
		msg->ack.data = le64_to_cpu(m->data);
		return 0;
	}
	case SIMGPU_FW_JOB_DONE: {
		const struct simgpu_fw_job_done_v1 *m = p;

		NEED(*m);
		msg->job_done.queue = le32_to_cpu(m->queue);
		msg->job_done.seqno = le32_to_cpu(m->seqno);
		msg->job_done.status = (s32)le32_to_cpu(m->status);
		msg->job_done.cmds = le32_to_cpu(m->cmds);
		msg->job_done.hash = le64_to_cpu(m->hash);
		return 0;
	}
	case SIMGPU_FW_GPU_FAULT: {
		const struct simgpu_fw_gpu_fault_v1 *m = p;

		NEED(*m);
		msg->fault.queue = le32_to_cpu(m->queue);
		msg->fault.seqno = le32_to_cpu(m->seqno);
		msg->fault.vm = le32_to_cpu(m->vm);
		msg->fault.type = le16_to_cpu(m->type);
		msg->fault.access = le16_to_cpu(m->access);
		msg->fault.va = le64_to_cpu(m->va);
		return 0;
	}
	default:
		return -EINVAL;
	}
}

static int decode_v2(struct simgpu_fw_msg *msg, const void *p, u32 len)
{
	switch (msg->function) {
	case SIMGPU_FW_PING: {
		const struct simgpu_fw_ping_v2 *m = p;

		NEED(*m);
		msg->ping.cookie = le64_to_cpu(m->cookie);
		return 0;
	}
	case SIMGPU_FW_VM_CREATE: {
		const struct simgpu_fw_vm_create_v2 *m = p;

		NEED(*m);
		msg->vm_create.va_start = le64_to_cpu(m->va_start);
		msg->vm_create.va_end = le64_to_cpu(m->va_end);
		msg->vm_create.vm = le32_to_cpu(m->vm);
		msg->vm_create.flags = le32_to_cpu(m->flags);
		return 0;
	}
	case SIMGPU_FW_VM_DESTROY:
	case SIMGPU_FW_VM_FLUSH:
	case SIMGPU_FW_QUEUE_DESTROY: {
		const struct simgpu_fw_id_msg *m = p;

		NEED(*m);
		msg->id.id = le32_to_cpu(m->id);
		return 0;
	}
	case SIMGPU_FW_VM_MAP: {
		const struct simgpu_fw_vm_map_v2 *m = p;
		const __le64 *pfn = (const __le64 *)(m + 1);
		u32 i, n;

		NEED(*m);
		n = le32_to_cpu(m->npages);
		if (n > SIMGPU_FW_MAP_MAX_PAGES ||
		    len < sizeof(*m) + n * sizeof(*pfn))
			return -EINVAL;
		msg->vm_map.va = le64_to_cpu(m->va);
		msg->vm_map.vm = le32_to_cpu(m->vm);
		msg->vm_map.flags = le32_to_cpu(m->flags);
		msg->vm_map.npages = n;
		for (i = 0; i < n; i++)
			msg->vm_map.pfn[i] = le64_to_cpu(pfn[i]);
		return 0;
	}
	case SIMGPU_FW_VM_UNMAP: {
		const struct simgpu_fw_vm_unmap_v2 *m = p;

		NEED(*m);
		msg->vm_unmap.va = le64_to_cpu(m->va);
		msg->vm_unmap.npages = le64_to_cpu(m->npages);
		msg->vm_unmap.vm = le32_to_cpu(m->vm);
		msg->vm_unmap.flags = le32_to_cpu(m->flags);
		return 0;
	}
	case SIMGPU_FW_QUEUE_CREATE: {
		const struct simgpu_fw_queue_create_v2 *m = p;

		NEED(*m);
		msg->queue_create.vm = le32_to_cpu(m->vm);
		msg->queue_create.queue = le32_to_cpu(m->queue);
		msg->queue_create.priority = le32_to_cpu(m->priority);
		msg->queue_create.flags = le32_to_cpu(m->flags);
		return 0;
	}
	case SIMGPU_FW_JOB_SUBMIT: {
		const struct simgpu_fw_job_submit_v2 *m = p;

		NEED(*m);
		msg->job_submit.cmd_va = le64_to_cpu(m->cmd_va);
		msg->job_submit.seqno = le64_to_cpu(m->seqno);
		msg->job_submit.queue = le32_to_cpu(m->queue);
		msg->job_submit.cmd_size = le32_to_cpu(m->cmd_size);
		msg->job_submit.flags = le32_to_cpu(m->flags);
		msg->job_submit.timeout_ms = le32_to_cpu(m->timeout_ms);
		return 0;
	}
	case SIMGPU_FW_ACK: {
		const struct simgpu_fw_ack_v2 *m = p;

		NEED(*m);
		msg->ack.seq = le64_to_cpu(m->seq);
		msg->ack.data = le64_to_cpu(m->data);
		msg->ack.status = (s32)le32_to_cpu(m->status);
		return 0;
	}
	case SIMGPU_FW_JOB_DONE: {
		const struct simgpu_fw_job_done_v2 *m = p;

		NEED(*m);
		msg->job_done.seqno = le64_to_cpu(m->seqno);
		msg->job_done.hash = le64_to_cpu(m->hash);
		msg->job_done.start_ns = le64_to_cpu(m->start_ns);
		msg->job_done.end_ns = le64_to_cpu(m->end_ns);
		msg->job_done.queue = le32_to_cpu(m->queue);
		msg->job_done.status = (s32)le32_to_cpu(m->status);
		msg->job_done.cmds = le32_to_cpu(m->cmds);
		return 0;
	}
	case SIMGPU_FW_GPU_FAULT: {
		const struct simgpu_fw_gpu_fault_v2 *m = p;

		NEED(*m);
		msg->fault.va = le64_to_cpu(m->va);
		msg->fault.seqno = le64_to_cpu(m->seqno);
		msg->fault.vm = le32_to_cpu(m->vm);
		msg->fault.queue = le32_to_cpu(m->queue);
		msg->fault.type = le32_to_cpu(m->type);
		msg->fault.access = le32_to_cpu(m->access);
		return 0;
	}
	case SIMGPU_FW_JOB_STARTED: {
		const struct simgpu_fw_job_started_v2 *m = p;

		NEED(*m);
		msg->job_started.seqno = le64_to_cpu(m->seqno);
		msg->job_started.start_ns = le64_to_cpu(m->start_ns);
		msg->job_started.queue = le32_to_cpu(m->queue);
		return 0;
	}
	default:
		return -EINVAL;
	}
}

/**
 * simgpu_fw_decode() - Decode a whole message.
 * @abi: ABI version.
 * @buf: The message, header included.
 * @len: Length of @buf.
 * @msg: Output.
 *
 * Return: 0, or -EINVAL for a malformed message or a function the ABI
 * version does not have.
 */
int simgpu_fw_decode(u32 abi, const void *buf, u32 len,
		     struct simgpu_fw_msg *msg)
{
	u32 hsz = simgpu_fw_hdr_size(abi);
	int ret;

	if (!hsz || len < hsz)
		return -EINVAL;
	memset(msg, 0, sizeof(*msg));
	ret = simgpu_fw_decode_hdr(abi, buf, msg);
	if (ret)
		return ret;
	if (len < hsz + msg->length)
		return -EINVAL;
	if (abi == 1)
		return decode_v1(msg, (const u8 *)buf + hsz, msg->length);
	return decode_v2(msg, (const u8 *)buf + hsz, msg->length);
}

/* ------------------------------------------------------------------ rings */

/* Bytes the producer may write. Called by the producer only. */
u32 simgpu_fw_ring_space(const struct simgpu_fw_ring *ring)
{
	u32 head = smp_load_acquire(&ring->ctrl->head);

	return ring->size - (READ_ONCE(ring->ctrl->tail) - head);
}

/* Bytes the consumer may read. Called by the consumer only. */
u32 simgpu_fw_ring_used(const struct simgpu_fw_ring *ring)
{
	u32 tail = smp_load_acquire(&ring->ctrl->tail);

	return tail - READ_ONCE(ring->ctrl->head);
}

/* Append @len bytes; the caller checked simgpu_fw_ring_space(). */
void simgpu_fw_ring_write(struct simgpu_fw_ring *ring, const void *buf,
			  u32 len)
{
	u32 tail = READ_ONCE(ring->ctrl->tail);
	u32 off = tail & (ring->size - 1);
	u32 first = min(len, ring->size - off);

	memcpy(ring->data + off, buf, first);
	memcpy(ring->data, (const u8 *)buf + first, len - first);
	/* Publish the bytes before the new tail. */
	smp_store_release(&ring->ctrl->tail, tail + len);
}

/* Copy @len bytes from the head without consuming them. */
void simgpu_fw_ring_peek(const struct simgpu_fw_ring *ring, void *buf,
			 u32 len)
{
	u32 off = READ_ONCE(ring->ctrl->head) & (ring->size - 1);
	u32 first = min(len, ring->size - off);

	memcpy(buf, ring->data + off, first);
	memcpy((u8 *)buf + first, ring->data, len - first);
}

/* Consume @len bytes. */
void simgpu_fw_ring_consume(struct simgpu_fw_ring *ring, u32 len)
{
	u32 head = READ_ONCE(ring->ctrl->head);

	/* Our reads of the data are done before the space is handed back. */
	smp_store_release(&ring->ctrl->head, head + len);
}
