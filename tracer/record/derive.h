/*
 * derive.h: typed rows (jobs, VM-bind ops, firmware messages) from the
 * kernel_event rows of a capture, linked to the ioctls that caused them.
 */
#ifndef DRMSCOPE_DERIVE_H
#define DRMSCOPE_DERIVE_H

#include <stddef.h>

struct ds_db;

/* Derive the rows in one transaction. Returns 0 or -1 with @err set. */
int ds_derive_kernel_rows(struct ds_db *db, char *err, size_t errlen);

#endif
