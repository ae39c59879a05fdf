/*
 * tracer/drmscope_tp.h: the LTTng-UST tracepoint provider "drmscope".
 *
 * Multi-read header, as LTTng-UST requires: drmscope_tp.c includes it with
 * LTTNG_UST_TRACEPOINT_CREATE_PROBES to build the probes into
 * libdrmscope-ust.so; the shim includes it to call the tracepoints. Every
 * event and field is documented in docs/tracing.md; change both together.
 *
 * Events with more than a few fields take a pointer to one of the structs
 * below (LTTng-UST allows at most ten tracepoint arguments).
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER drmscope

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "drmscope_tp.h"

#ifndef DRMSCOPE_TP_TYPES_H
#define DRMSCOPE_TP_TYPES_H
#include <stdint.h>

/* ioctl_array and ioctl_array_blob: one array an ioctl's pointer leads to. */
struct ds_tp_array {
	int fd;
	uint64_t seq;
	uint8_t phase;		/* 0: before the call, 1: after it */
	uint16_t index;		/* order among the call's arrays in this phase */
	uint8_t depth;		/* 0: pointer in the argument, 1: in an element */
	const char *field;	/* name of the pointer field */
	uint64_t addr;		/* the pointer */
	uint64_t count;		/* elements captured */
	uint64_t count_req;	/* elements the argument asked for */
	uint32_t stride;	/* bytes per element */
	uint64_t size;		/* bytes captured */
	uint8_t truncated;	/* a limit cut the array */
	int32_t read_err;	/* -errno if the memory could not be read */
	const uint64_t *words;	/* ioctl_array: the bytes, zero-padded */
	uint32_t nwords;
	uint64_t hash_hi;	/* ioctl_array_blob: XXH3-128 of the bytes */
	uint64_t hash_lo;
	uint8_t stored;		/* ioctl_array_blob: 1 if in the blob file */
};

/*
 * buffer_snapshot: a buffer's contents before a submission or a KMS commit
 * (phase 0), or after a synchronisation call returned (phase 1).
 */
struct ds_tp_snapshot {
	int fd;
	uint64_t seq;
	uint32_t handle;
	uint64_t offset;
	uint64_t size;
	uint64_t hash_hi;
	uint64_t hash_lo;
	uint8_t stored;
	uint8_t phase;		/* 0: before the call, 1: after it */
};

#include "drmscope_call.h"	/* ioctl_call's layout */

/* mmap: an mmap() of a traced fd. */
struct ds_tp_mmap {
	int fd;
	uint64_t offset;
	uint64_t length;
	uint64_t addr;
	int32_t prot;
	int32_t flags;
	uint32_t handle;	/* GEM handle the offset belongs to, 0 if unknown */
	int32_t err;		/* errno when mmap() failed, else 0 */
};
#endif /* DRMSCOPE_TP_TYPES_H */

#if !defined(DRMSCOPE_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define DRMSCOPE_TP_H

#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(drmscope, process_info,
	LTTNG_UST_TP_ARGS(int, pid, int, ppid, const char *, exe,
			  const char *, argv, uint8_t, cause),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, pid, pid)
		lttng_ust_field_integer(int, ppid, ppid)
		lttng_ust_field_string(exe, exe)
		lttng_ust_field_string(argv, argv)
		lttng_ust_field_integer(uint8_t, cause, cause)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, fd_open,
	LTTNG_UST_TP_ARGS(int, fd, const char *, path, uint32_t, major,
			  uint32_t, minor, int, flags, uint8_t, inherited,
			  const char *, driver),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, fd, fd)
		lttng_ust_field_string(path, path)
		lttng_ust_field_integer(uint32_t, major, major)
		lttng_ust_field_integer(uint32_t, minor, minor)
		lttng_ust_field_integer_hex(int, flags, flags)
		lttng_ust_field_integer(uint8_t, inherited, inherited)
		lttng_ust_field_string(driver, driver)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, fd_dup,
	LTTNG_UST_TP_ARGS(int, oldfd, int, newfd),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, oldfd, oldfd)
		lttng_ust_field_integer(int, newfd, newfd)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, fd_close,
	LTTNG_UST_TP_ARGS(int, fd),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, fd, fd)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, fd_driver,
	LTTNG_UST_TP_ARGS(int, fd, const char *, name, int, major, int, minor,
			  int, patchlevel, const char *, date, const char *, desc),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, fd, fd)
		lttng_ust_field_string(name, name)
		lttng_ust_field_integer(int, major, major)
		lttng_ust_field_integer(int, minor, minor)
		lttng_ust_field_integer(int, patchlevel, patchlevel)
		lttng_ust_field_string(date, date)
		lttng_ust_field_string(desc, desc)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, ioctl_enter,
	LTTNG_UST_TP_ARGS(int, fd, uint32_t, request, uint64_t, seq,
			  uint32_t, size, const uint64_t *, words,
			  uint32_t, nwords),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, fd, fd)
		lttng_ust_field_integer_hex(uint32_t, request, request)
		lttng_ust_field_integer(uint64_t, seq, seq)
		lttng_ust_field_integer(uint32_t, size, size)
		lttng_ust_field_sequence_hex(uint64_t, args, words, uint32_t, nwords)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, ioctl_exit,
	LTTNG_UST_TP_ARGS(int, fd, uint32_t, request, uint64_t, seq, int, ret,
			  int, err, uint32_t, size, const uint64_t *, words,
			  uint32_t, nwords),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, fd, fd)
		lttng_ust_field_integer_hex(uint32_t, request, request)
		lttng_ust_field_integer(uint64_t, seq, seq)
		lttng_ust_field_integer(int, ret, ret)
		lttng_ust_field_integer(int, err, err)
		lttng_ust_field_integer(uint32_t, size, size)
		lttng_ust_field_sequence_hex(uint64_t, args, words, uint32_t, nwords)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, ioctl_call,
	LTTNG_UST_TP_ARGS(const uint64_t *, words, uint32_t, nwords),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_sequence_hex(uint64_t, call, words, uint32_t, nwords)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, ioctl_array,
	LTTNG_UST_TP_ARGS(const struct ds_tp_array *, a),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, fd, a->fd)
		lttng_ust_field_integer(uint64_t, seq, a->seq)
		lttng_ust_field_integer(uint8_t, phase, a->phase)
		lttng_ust_field_integer(uint16_t, index, a->index)
		lttng_ust_field_integer(uint8_t, depth, a->depth)
		lttng_ust_field_string(field, a->field)
		lttng_ust_field_integer_hex(uint64_t, addr, a->addr)
		lttng_ust_field_integer(uint64_t, count, a->count)
		lttng_ust_field_integer(uint64_t, count_req, a->count_req)
		lttng_ust_field_integer(uint32_t, stride, a->stride)
		lttng_ust_field_integer(uint64_t, size, a->size)
		lttng_ust_field_integer(uint8_t, truncated, a->truncated)
		lttng_ust_field_integer(int32_t, read_err, a->read_err)
		lttng_ust_field_sequence_hex(uint64_t, data, a->words, uint32_t, a->nwords)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, ioctl_array_blob,
	LTTNG_UST_TP_ARGS(const struct ds_tp_array *, a),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, fd, a->fd)
		lttng_ust_field_integer(uint64_t, seq, a->seq)
		lttng_ust_field_integer(uint8_t, phase, a->phase)
		lttng_ust_field_integer(uint16_t, index, a->index)
		lttng_ust_field_integer(uint8_t, depth, a->depth)
		lttng_ust_field_string(field, a->field)
		lttng_ust_field_integer_hex(uint64_t, addr, a->addr)
		lttng_ust_field_integer(uint64_t, count, a->count)
		lttng_ust_field_integer(uint64_t, count_req, a->count_req)
		lttng_ust_field_integer(uint32_t, stride, a->stride)
		lttng_ust_field_integer(uint64_t, size, a->size)
		lttng_ust_field_integer(uint8_t, truncated, a->truncated)
		lttng_ust_field_integer_hex(uint64_t, hash_hi, a->hash_hi)
		lttng_ust_field_integer_hex(uint64_t, hash_lo, a->hash_lo)
		lttng_ust_field_integer(uint8_t, stored, a->stored)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, buffer_snapshot,
	LTTNG_UST_TP_ARGS(const struct ds_tp_snapshot *, s),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, fd, s->fd)
		lttng_ust_field_integer(uint64_t, seq, s->seq)
		lttng_ust_field_integer(uint32_t, handle, s->handle)
		lttng_ust_field_integer_hex(uint64_t, offset, s->offset)
		lttng_ust_field_integer(uint64_t, size, s->size)
		lttng_ust_field_integer_hex(uint64_t, hash_hi, s->hash_hi)
		lttng_ust_field_integer_hex(uint64_t, hash_lo, s->hash_lo)
		lttng_ust_field_integer(uint8_t, stored, s->stored)
		lttng_ust_field_integer(uint8_t, phase, s->phase)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, mmap,
	LTTNG_UST_TP_ARGS(const struct ds_tp_mmap *, m),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, fd, m->fd)
		lttng_ust_field_integer_hex(uint64_t, offset, m->offset)
		lttng_ust_field_integer(uint64_t, length, m->length)
		lttng_ust_field_integer_hex(uint64_t, addr, m->addr)
		lttng_ust_field_integer_hex(int32_t, prot, m->prot)
		lttng_ust_field_integer_hex(int32_t, flags, m->flags)
		lttng_ust_field_integer(uint32_t, handle, m->handle)
		lttng_ust_field_integer(int32_t, err, m->err)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, munmap,
	LTTNG_UST_TP_ARGS(uint64_t, addr, uint64_t, length),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, addr, addr)
		lttng_ust_field_integer(uint64_t, length, length)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, shim_error,
	LTTNG_UST_TP_ARGS(const char *, msg, int, err),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_string(msg, msg)
		lttng_ust_field_integer(int, err, err)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(drmscope, lost,
	LTTNG_UST_TP_ARGS(const char *, what, uint64_t, count),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_string(what, what)
		lttng_ust_field_integer(uint64_t, count, count)
	)
)

#endif /* DRMSCOPE_TP_H */

#include <lttng/tracepoint-event.h>
