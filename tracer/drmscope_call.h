/*
 * tracer/drmscope_call.h: the layout of the drmscope:ioctl_call event, which
 * the shim writes and the importer reads (the importer does not include
 * the LTTng-UST provider header).
 */
#ifndef DRMSCOPE_CALL_H
#define DRMSCOPE_CALL_H

/*
 * ioctl_call: a whole call in one event, for calls that neither block nor
 * carry pointers (see shim_ioctl.c). It is the shim's hot path, and every
 * field of an LTTng-UST event costs a call into the ring buffer, so the
 * event has one field, "call", a sequence of 64-bit words:
 *
 *   [0]  fd (low 32 bits) | request (high 32 bits)
 *   [1]  CLOCK_MONOTONIC ns before the call (the event's own time is after)
 *   [2]  result: the return value, or -errno (low 32 bits, signed)
 *        | the argument's size in bytes (high 32 bits)
 *   [3]  the argument's bytes before the call, zero-padded to whole
 *   ...  words, then, if the kernel copied it back, its bytes after
 *
 * DS_TP_CALL_HEAD is the number of header words.
 */
#define DS_TP_CALL_HEAD	3

#endif /* DRMSCOPE_CALL_H */
