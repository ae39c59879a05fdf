/*
 * drmscope/fwabi.h: descriptions of firmware message ABIs, so that the
 * messages a driver's tracepoints show (simgpu_fw_msg_send/_recv) can be
 * decoded into named fields for each ABI version (library drmscope_fwabi).
 *
 * simgpu's two versions differ in header and payload layout (docs/simgpu.md);
 * the same function code means the same operation in both.
 */
#ifndef DRMSCOPE_FWABI_H
#define DRMSCOPE_FWABI_H

#include <stddef.h>
#include <stdint.h>

/* The name of simgpu firmware function @function ("JOB_SUBMIT"), or NULL. */
const char *ds_fwabi_simgpu_name(unsigned function);

/*
 * Decode the first @len bytes of a simgpu message payload of @function in
 * ABI version @abi into a JSON object written to @json (NUL-terminated,
 * at most @cap bytes): {"vm":1,"va":"0x10000",...}. Fields that lie past
 * @len are left out and "truncated":true is added. Returns the number of
 * fields decoded, or -1 for an unknown ABI version or function (then @json
 * holds {} ) or when @cap is too small.
 */
int ds_fwabi_simgpu_decode(unsigned abi, unsigned function, const void *payload,
			   size_t len, char *json, size_t cap);

#endif
