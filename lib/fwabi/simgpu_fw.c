/*
 * simgpu_fw.c: the simgpu firmware message layouts, ABI v1 and v2, as
 * tables of (name, offset, size, how to print), and a decoder that turns a
 * payload into JSON. The layouts are those of kmod/simgpu_fw_abi.h; the
 * kernel header is not usable from user space, so the offsets are written
 * here once and tests/fwabi checks them against hand-encoded messages.
 */
#include <drmscope/fwabi.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum fmt { U, S, X };	/* unsigned decimal, signed decimal, hex string */

struct fw_field {
	const char *name;
	uint8_t offset;
	uint8_t size;
	uint8_t fmt;
};

struct fw_layout {
	unsigned abi;
	unsigned function;
	struct fw_field fields[8];
};

static const char *const fw_names[256] = {
	[0x01] = "PING", [0x02] = "VM_CREATE", [0x03] = "VM_DESTROY",
	[0x04] = "VM_MAP", [0x05] = "VM_UNMAP", [0x06] = "VM_FLUSH",
	[0x07] = "QUEUE_CREATE", [0x08] = "QUEUE_DESTROY", [0x09] = "JOB_SUBMIT",
	[0x81] = "ACK", [0x82] = "JOB_DONE", [0x83] = "GPU_FAULT",
	[0x84] = "JOB_STARTED",
};

static const struct fw_layout layouts[] = {
	/* ABI v1: 32-bit sequence numbers and ids, narrow fields */
	{ 1, 0x01, { { "cookie", 0, 4, X } } },
	{ 1, 0x02, { { "vm", 0, 4, U } } },
	{ 1, 0x03, { { "vm", 0, 4, U } } },
	{ 1, 0x04, { { "vm", 0, 4, U }, { "npages", 4, 2, U }, { "flags", 6, 2, X },
		     { "va", 8, 8, X }, { "pfn0", 16, 4, X } } },
	{ 1, 0x05, { { "vm", 0, 4, U }, { "npages", 4, 4, U }, { "va", 8, 8, X } } },
	{ 1, 0x06, { { "vm", 0, 4, U } } },
	{ 1, 0x07, { { "queue", 0, 4, U }, { "vm", 4, 4, U }, { "priority", 8, 4, U } } },
	{ 1, 0x08, { { "queue", 0, 4, U } } },
	{ 1, 0x09, { { "queue", 0, 4, U }, { "seqno", 4, 4, U }, { "cmd_va", 8, 8, X },
		     { "cmd_size", 16, 4, U } } },
	{ 1, 0x81, { { "seq", 0, 4, U }, { "status", 4, 4, S }, { "data", 8, 8, X } } },
	{ 1, 0x82, { { "queue", 0, 4, U }, { "seqno", 4, 4, U }, { "status", 8, 4, S },
		     { "cmds", 12, 4, U }, { "hash", 16, 8, X } } },
	{ 1, 0x83, { { "queue", 0, 4, U }, { "seqno", 4, 4, U }, { "vm", 8, 4, U },
		     { "type", 12, 2, U }, { "access", 14, 2, U }, { "va", 16, 8, X } } },

	/* ABI v2: 64-bit fields first, flags words, timestamps */
	{ 2, 0x01, { { "cookie", 0, 8, X } } },
	{ 2, 0x02, { { "va_start", 0, 8, X }, { "va_end", 8, 8, X }, { "vm", 16, 4, U },
		     { "flags", 20, 4, X } } },
	{ 2, 0x03, { { "vm", 0, 4, U } } },
	{ 2, 0x04, { { "va", 0, 8, X }, { "vm", 8, 4, U }, { "flags", 12, 4, X },
		     { "npages", 16, 4, U }, { "pfn0", 24, 8, X } } },
	{ 2, 0x05, { { "va", 0, 8, X }, { "npages", 8, 8, U }, { "vm", 16, 4, U },
		     { "flags", 20, 4, X } } },
	{ 2, 0x06, { { "vm", 0, 4, U } } },
	{ 2, 0x07, { { "vm", 0, 4, U }, { "queue", 4, 4, U }, { "priority", 8, 4, U },
		     { "flags", 12, 4, X } } },
	{ 2, 0x08, { { "queue", 0, 4, U } } },
	{ 2, 0x09, { { "cmd_va", 0, 8, X }, { "seqno", 8, 8, U }, { "queue", 16, 4, U },
		     { "cmd_size", 20, 4, U }, { "flags", 24, 4, X }, { "timeout_ms", 28, 4, U } } },
	{ 2, 0x81, { { "seq", 0, 8, U }, { "data", 8, 8, X }, { "status", 16, 4, S } } },
	{ 2, 0x82, { { "seqno", 0, 8, U }, { "hash", 8, 8, X }, { "start_ns", 16, 8, U },
		     { "end_ns", 24, 8, U }, { "queue", 32, 4, U }, { "status", 36, 4, S },
		     { "cmds", 40, 4, U } } },
	{ 2, 0x83, { { "va", 0, 8, X }, { "seqno", 8, 8, U }, { "vm", 16, 4, U },
		     { "queue", 20, 4, U }, { "type", 24, 4, U }, { "access", 28, 4, U } } },
	{ 2, 0x84, { { "seqno", 0, 8, U }, { "start_ns", 8, 8, U }, { "queue", 16, 4, U } } },
};

const char *ds_fwabi_simgpu_name(unsigned function)
{
	return function < 256 ? fw_names[function] : NULL;
}

static uint64_t read_le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int ds_fwabi_simgpu_decode(unsigned abi, unsigned function, const void *payload,
			   size_t len, char *json, size_t cap)
{
	const struct fw_layout *l = NULL;
	const uint8_t *p = payload;
	size_t i, pos = 0;
	bool truncated = false;
	int n = 0, w;

	if (cap < 3)
		return -1;
	strcpy(json, "{}");
	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].abi == abi && layouts[i].function == function)
			l = &layouts[i];
	if (!l)
		return -1;
	json[pos++] = '{';
	for (i = 0; i < 8 && l->fields[i].name; i++) {
		const struct fw_field *f = &l->fields[i];
		uint64_t v;

		if ((size_t)f->offset + f->size > len) {
			truncated = true;
			continue;
		}
		v = read_le(p + f->offset, f->size);
		if (f->fmt == S && f->size == 4)
			w = snprintf(json + pos, cap - pos, "%s\"%s\":%d", n ? "," : "",
				     f->name, (int32_t)v);
		else if (f->fmt == X)
			w = snprintf(json + pos, cap - pos, "%s\"%s\":\"0x%llx\"", n ? "," : "",
				     f->name, (unsigned long long)v);
		else
			w = snprintf(json + pos, cap - pos, "%s\"%s\":%llu", n ? "," : "",
				     f->name, (unsigned long long)v);
		if (w < 0 || (size_t)w >= cap - pos)
			return -1;
		pos += (size_t)w;
		n++;
	}
	w = snprintf(json + pos, cap - pos, "%s}", truncated ? (n ? ",\"truncated\":true" :
							     "\"truncated\":true") : "");
	if (w < 0 || (size_t)w >= cap - pos)
		return -1;
	return n;
}
