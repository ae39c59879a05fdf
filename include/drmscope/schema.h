/*
 * drmscope/schema.h: identity and version of the drmscope trace database.
 *
 * A capture is one SQLite file. Two numbers in its header say what it is:
 * PRAGMA application_id is DS_DB_APPLICATION_ID for every drmscope database
 * (so any other SQLite file is recognised and refused), and PRAGMA
 * user_version is the schema version it was written with. The tables, their
 * columns and the migration policy are documented in docs/schema.md; the SQL
 * itself lives in lib/db/schema.c.
 */
#ifndef DRMSCOPE_SCHEMA_H
#define DRMSCOPE_SCHEMA_H

/* "DRMS" in ASCII, stored big-endian at offset 68 of the file header. */
#define DS_DB_APPLICATION_ID	0x44524d53

/*
 * Schema versions (append only; a released step is never edited):
 *   1  the capture: capture, driver, process, thread, device, fd, ioctl,
 *      ioctl_payload, gem_object, vm, vm_bind_op, queue, job, fw_message,
 *      kernel_event, blob, buffer_snapshot
 *   2  replay runs: run, run_call, run_job
 *   3  fw_message.run_id and kernel_event.run_id: rows a replay run recorded
 *   4  buffer_snapshot.phase: 'before' a call (restored) or 'after' a sync
 *      call (results, compared by replays)
 *   5  a compact ioctl table (issue 4): ioctl_call holds the calls, with
 *      their argument bytes in columns (in_bytes, out_bytes) and their
 *      name as an id into ioctl_name; ioctl is a view of the two;
 *      ioctl_payload keeps only the arrays
 */
#define DS_DB_SCHEMA_VERSION	5

/*
 * Oldest schema version that this build can still migrate, and open
 * read-only as it is when the caller asks (DS_DB_OPEN_OLD_SCHEMA).
 */
#define DS_DB_SCHEMA_VERSION_MIN	1

/* Blob keys: lowercase hex of the canonical (big-endian) XXH3-128 hash. */
#define DS_DB_HASH_HEX_LEN	32

#endif
