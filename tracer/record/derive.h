/*
 * derive.h: typed rows (jobs, VM-bind ops, firmware messages) from the
 * kernel_event rows of a capture, linked to the ioctls that caused them.
 */
#ifndef DRMSCOPE_DERIVE_H
#define DRMSCOPE_DERIVE_H

#include <stddef.h>
#include <stdint.h>

struct ds_db;

/* Derive the rows in one transaction. Returns 0 or -1 with @err set. */
int ds_derive_kernel_rows(struct ds_db *db, char *err, size_t errlen);

/*
 * fw_message rows (simgpu decoded per firmware ABI, virtio-gpu named) from
 * the kernel_event rows of replay run @run_id, as the capture's are made.
 * Returns 0 or -1 with @err set.
 */
int ds_derive_run_fw_messages(struct ds_db *db, int64_t run_id, char *err, size_t errlen);

#endif
