/*
 * import.h: turns an LTTng trace of the shim's events (CTF, read with
 * libbabeltrace2 through a sink component of our own) into rows of the
 * trace database: processes, threads, devices, fds, ioctls with their
 * payloads, GEM objects, VMs, queues, buffer snapshots (whose contents come
 * from the shim's blob files); then derives the typed kernel-side rows
 * (jobs, VM-bind ops, firmware messages) from the kernel_event rows.
 */
#ifndef DRMSCOPE_IMPORT_H
#define DRMSCOPE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

struct ds_db;

struct ds_import_stats {
	int64_t events;		/* CTF events read */
	int64_t ioctls;		/* ioctl rows written */
	int64_t lost;		/* all of the below */
	int64_t lost_discarded;	/*  events LTTng reported discarded */
	int64_t lost_blobs;	/*  contents missing from the blob files */
	int64_t lost_arrays;	/*  arrays past the per-call limit */
	int64_t lost_shim;	/*  losses the shim reported (lost events) */
	int64_t blobs;		/* distinct buffer contents stored */
};

/*
 * Import the CTF trace in @trace_dir (an LTTng output folder; NULL: none)
 * and the blob files in @blob_dir (NULL: none) into @db, then derive the
 * typed rows and build the indexes. @progress: print progress to stderr on
 * long imports. Returns 0 or a negative errno with @err set; a corrupt or
 * truncated trace is an error naming what could not be read.
 */
int ds_import(struct ds_db *db, const char *trace_dir, const char *blob_dir,
	      int progress, struct ds_import_stats *stats, char *err, size_t errlen);

#endif
