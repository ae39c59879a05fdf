/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * simgpu firmware interface: shared-memory layout, rings and the two message
 * ABI versions spoken between the host driver and the firmware.
 *
 * The host and the firmware share one memory region (the "shared memory").
 * At offset 0 lies &struct simgpu_fw_shared. It is followed by two rings:
 * the command ring (host to firmware) and the message ring (firmware to
 * host). Each ring is a control block (&struct simgpu_fw_ring_ctrl) followed
 * by a power-of-two sized byte buffer; messages are written back to back and
 * wrap around the end of the buffer. Every message starts with a header
 * whose layout depends on the ABI version (&struct simgpu_fw_hdr_v1,
 * &struct simgpu_fw_hdr_v2), followed by a function-specific payload. All
 * fields are little-endian; every message is a multiple of 8 bytes long.
 *
 * The firmware picks its ABI version when it boots and publishes it in
 * &simgpu_fw_shared.abi_version; the host reads it and encodes/decodes
 * messages accordingly. docs/simgpu.md describes every layout.
 */
#ifndef _SIMGPU_FW_ABI_H_
#define _SIMGPU_FW_ABI_H_

#include <linux/build_bug.h>
#include <linux/types.h>

#define SIMGPU_FW_MAGIC		0x57464753	/* "SGFW" */
#define SIMGPU_FW_VERSION	0x00010300	/* firmware build 1.3.0 */

/* Values of simgpu_fw_shared::state. */
enum simgpu_fw_state {
	SIMGPU_FW_STATE_OFF = 0,
	SIMGPU_FW_STATE_BOOTING = 1,
	SIMGPU_FW_STATE_READY = 2,
	SIMGPU_FW_STATE_HALTED = 3,
};

/**
 * struct simgpu_fw_shared - Interface block at offset 0 of shared memory.
 * @magic: SIMGPU_FW_MAGIC, written by the host.
 * @abi_version: Message ABI version, written by the firmware at boot.
 * @fw_version: Firmware build version, written by the firmware at boot.
 * @state: &enum simgpu_fw_state, written by the firmware.
 * @cmd_ring_offset: Offset of the command ring control block (host).
 * @cmd_ring_size: Size of the command ring data buffer (host).
 * @msg_ring_offset: Offset of the message ring control block (host).
 * @msg_ring_size: Size of the message ring data buffer (host).
 */
struct simgpu_fw_shared {
	__le32 magic;
	__le32 abi_version;
	__le32 fw_version;
	__le32 state;
	__le32 cmd_ring_offset;
	__le32 cmd_ring_size;
	__le32 msg_ring_offset;
	__le32 msg_ring_size;
};

/**
 * struct simgpu_fw_ring_ctrl - Ring control block.
 * @head: Free-running count of bytes consumed (written by the consumer).
 * @tail: Free-running count of bytes produced (written by the producer).
 * @producer_waiting: Set by a producer that waits for space; the consumer
 *	clears it and notifies the producer after consuming.
 * @pad: Keeps the block one cache line long.
 *
 * The data buffer follows the control block.
 */
struct simgpu_fw_ring_ctrl {
	u32 head;
	u32 pad0[15];
	u32 tail;
	u32 producer_waiting;
	u32 pad[14];
};

/* Functions. 0x01-0x7f: host to firmware; 0x81-0xff: firmware to host. */
enum simgpu_fw_func {
	SIMGPU_FW_PING = 0x01,
	SIMGPU_FW_VM_CREATE = 0x02,
	SIMGPU_FW_VM_DESTROY = 0x03,
	SIMGPU_FW_VM_MAP = 0x04,
	SIMGPU_FW_VM_UNMAP = 0x05,
	SIMGPU_FW_VM_FLUSH = 0x06,
	SIMGPU_FW_QUEUE_CREATE = 0x07,
	SIMGPU_FW_QUEUE_DESTROY = 0x08,
	SIMGPU_FW_JOB_SUBMIT = 0x09,

	SIMGPU_FW_ACK = 0x81,
	SIMGPU_FW_JOB_DONE = 0x82,
	SIMGPU_FW_GPU_FAULT = 0x83,
	SIMGPU_FW_JOB_STARTED = 0x84,	/* ABI v2 only */
};

/* VM_MAP flags. */
#define SIMGPU_FW_MAP_READONLY		(1u << 0)

/* Job watchdog when JOB_SUBMIT carries no timeout (always, in ABI v1). */
#define SIMGPU_FW_DEFAULT_TIMEOUT_MS	10000

/* Pages per VM_MAP message. */
#define SIMGPU_FW_MAP_MAX_PAGES		64

/* GPU_FAULT types and access kinds. */
enum simgpu_fw_fault_type {
	SIMGPU_FW_FAULT_TRANSLATION = 1,	/* unmapped VA */
	SIMGPU_FW_FAULT_PERMISSION = 2,		/* write to read-only page */
	SIMGPU_FW_FAULT_INVALID_CMD = 3,	/* bad command encoding */
};

enum simgpu_fw_fault_access {
	SIMGPU_FW_ACCESS_READ = 1,
	SIMGPU_FW_ACCESS_WRITE = 2,
	SIMGPU_FW_ACCESS_EXEC = 3,	/* command fetch */
};

/* ------------------------------------------------------------------ v1 */

/**
 * struct simgpu_fw_hdr_v1 - ABI v1 message header (8 bytes).
 * @seq: Sender's sequence number (32 bits, wraps).
 * @function: &enum simgpu_fw_func.
 * @length: Payload length in bytes (multiple of 8).
 */
struct simgpu_fw_hdr_v1 {
	__le32 seq;
	__le16 function;
	__le16 length;
};

struct simgpu_fw_ping_v1 {
	__le32 cookie;
	__le32 pad;
};

struct simgpu_fw_vm_create_v1 {
	__le32 vm;
	__le32 pad;
};

/* VM_DESTROY and VM_FLUSH (v1 and v2), QUEUE_DESTROY (v1 and v2). */
struct simgpu_fw_id_msg {
	__le32 id;
	__le32 pad;
};

/* Followed by npages __le32 page frame numbers, padded to 8 bytes. */
struct simgpu_fw_vm_map_v1 {
	__le32 vm;
	__le16 npages;
	__le16 flags;
	__le64 va;
};

struct simgpu_fw_vm_unmap_v1 {
	__le32 vm;
	__le32 npages;
	__le64 va;
};

struct simgpu_fw_queue_create_v1 {
	__le32 queue;
	__le32 vm;
	__le32 priority;
	__le32 pad;
};

struct simgpu_fw_job_submit_v1 {
	__le32 queue;
	__le32 seqno;
	__le64 cmd_va;
	__le32 cmd_size;
	__le32 pad;
};

struct simgpu_fw_ack_v1 {
	__le32 seq;
	__le32 status;
	__le64 data;
};

struct simgpu_fw_job_done_v1 {
	__le32 queue;
	__le32 seqno;
	__le32 status;
	__le32 cmds;
	__le64 hash;
};

struct simgpu_fw_gpu_fault_v1 {
	__le32 queue;
	__le32 seqno;
	__le32 vm;
	__le16 type;
	__le16 access;
	__le64 va;
};

/* ------------------------------------------------------------------ v2 */

/**
 * struct simgpu_fw_hdr_v2 - ABI v2 message header (24 bytes).
 * @function: &enum simgpu_fw_func.
 * @flags: Reserved, zero.
 * @length: Payload length in bytes (multiple of 8).
 * @seq: Sender's sequence number (64 bits).
 * @timestamp: Sender's CLOCK_MONOTONIC time in ns when the message was sent.
 */
struct simgpu_fw_hdr_v2 {
	__le16 function;
	__le16 flags;
	__le32 length;
	__le64 seq;
	__le64 timestamp;
};

struct simgpu_fw_ping_v2 {
	__le64 cookie;
};

struct simgpu_fw_vm_create_v2 {
	__le64 va_start;
	__le64 va_end;
	__le32 vm;
	__le32 flags;
};

/* Followed by npages __le64 page frame numbers. */
struct simgpu_fw_vm_map_v2 {
	__le64 va;
	__le32 vm;
	__le32 flags;
	__le32 npages;
	__le32 pad;
};

struct simgpu_fw_vm_unmap_v2 {
	__le64 va;
	__le64 npages;
	__le32 vm;
	__le32 flags;
};

struct simgpu_fw_queue_create_v2 {
	__le32 vm;
	__le32 queue;
	__le32 priority;
	__le32 flags;
};

struct simgpu_fw_job_submit_v2 {
	__le64 cmd_va;
	__le64 seqno;
	__le32 queue;
	__le32 cmd_size;
	__le32 flags;
	__le32 timeout_ms;
};

struct simgpu_fw_ack_v2 {
	__le64 seq;
	__le64 data;
	__le32 status;
	__le32 pad;
};

struct simgpu_fw_job_done_v2 {
	__le64 seqno;
	__le64 hash;
	__le64 start_ns;
	__le64 end_ns;
	__le32 queue;
	__le32 status;
	__le32 cmds;
	__le32 pad;
};

struct simgpu_fw_gpu_fault_v2 {
	__le64 va;
	__le64 seqno;
	__le32 vm;
	__le32 queue;
	__le32 type;
	__le32 access;
};

struct simgpu_fw_job_started_v2 {
	__le64 seqno;
	__le64 start_ns;
	__le32 queue;
	__le32 pad;
};

/* Largest message: v2 header + VM_MAP + 64 page frame numbers. */
#define SIMGPU_FW_MSG_MAX \
	(sizeof(struct simgpu_fw_hdr_v2) + sizeof(struct simgpu_fw_vm_map_v2) + \
	 SIMGPU_FW_MAP_MAX_PAGES * sizeof(__le64))

/* ------------------------------------------------- decoded representation */

/**
 * struct simgpu_fw_msg - A message in version-independent form.
 *
 * Both sides build and parse messages through this structure with
 * simgpu_fw_encode() and simgpu_fw_decode(). Fields a version does not
 * carry decode as zero (and are dropped when encoding). Sequence numbers
 * and job seqnos are truncated to 32 bits by ABI v1.
 */
struct simgpu_fw_msg {
	u32 function;
	u32 length;	/* payload bytes on the wire (decode output) */
	u64 seq;
	u64 timestamp;	/* v2 only */
	union {
		struct { u64 cookie; } ping;
		struct { u32 vm; u32 flags; u64 va_start; u64 va_end; } vm_create;
		struct { u32 id; } id;	/* VM_DESTROY, VM_FLUSH, QUEUE_DESTROY */
		struct {
			u32 vm;
			u32 flags;
			u64 va;
			u32 npages;
			u64 pfn[SIMGPU_FW_MAP_MAX_PAGES];
		} vm_map;
		struct { u32 vm; u32 flags; u64 va; u64 npages; } vm_unmap;
		struct { u32 queue; u32 vm; u32 priority; u32 flags; } queue_create;
		struct {
			u32 queue;
			u32 cmd_size;
			u64 seqno;
			u64 cmd_va;
			u32 flags;
			u32 timeout_ms;
		} job_submit;
		struct { u64 seq; u64 data; s32 status; } ack;
		struct {
			u32 queue;
			s32 status;
			u64 seqno;
			u64 hash;
			u64 start_ns;
			u64 end_ns;
			u32 cmds;
		} job_done;
		struct {
			u32 queue;
			u32 vm;
			u64 seqno;
			u64 va;
			u32 type;
			u32 access;
		} fault;
		struct { u32 queue; u64 seqno; u64 start_ns; } job_started;
	};
};

/* Header size of an ABI version (0 if the version is unknown). */
static inline u32 simgpu_fw_hdr_size(u32 abi)
{
	switch (abi) {
	case 1: return sizeof(struct simgpu_fw_hdr_v1);
	case 2: return sizeof(struct simgpu_fw_hdr_v2);
	default: return 0;
	}
}

u32 simgpu_fw_encode(u32 abi, const struct simgpu_fw_msg *msg, void *buf);
int simgpu_fw_decode_hdr(u32 abi, const void *buf, struct simgpu_fw_msg *msg);
int simgpu_fw_decode(u32 abi, const void *buf, u32 len,
		     struct simgpu_fw_msg *msg);
const char *simgpu_fw_func_name(u32 function);

/* ------------------------------------------------------------------ rings */

/**
 * struct simgpu_fw_ring - One side's view of a ring.
 * @ctrl: Control block in shared memory.
 * @data: Data buffer in shared memory.
 * @size: Size of @data, a power of two.
 */
struct simgpu_fw_ring {
	struct simgpu_fw_ring_ctrl *ctrl;
	u8 *data;
	u32 size;
};

u32 simgpu_fw_ring_space(const struct simgpu_fw_ring *ring);
u32 simgpu_fw_ring_used(const struct simgpu_fw_ring *ring);
void simgpu_fw_ring_write(struct simgpu_fw_ring *ring, const void *buf,
			  u32 len);
void simgpu_fw_ring_peek(const struct simgpu_fw_ring *ring, void *buf,
			 u32 len);
void simgpu_fw_ring_consume(struct simgpu_fw_ring *ring, u32 len);

static_assert(sizeof(struct simgpu_fw_hdr_v1) == 8);
static_assert(sizeof(struct simgpu_fw_hdr_v2) == 24);
static_assert(sizeof(struct simgpu_fw_ring_ctrl) == 128);

#endif /* _SIMGPU_FW_ABI_H_ */
