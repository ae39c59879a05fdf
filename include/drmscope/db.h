/*
 * drmscope/db.h: the trace database layer (lib/db, library drmscope_db).
 *
 * One SQLite file per capture; replay runs are added to it later. This API
 * has two sides:
 *
 *  - a writer for the importer and the replay engine: ds_db_create() makes a
 *    new file tuned for a bulk import, ds_db_open_write() opens an existing
 *    one (migrating an older schema first). Every statement is prepared once
 *    per handle and finalized by ds_db_close(). Rows are inserted inside
 *    large transactions that the writer opens by itself and commits every
 *    ds_db_set_batch() rows; ds_db_finish_import() builds the indexes and
 *    statistics once the bulk insert is over.
 *
 *  - a defensive reader for analysis: ds_db_open_read() opens the file
 *    read-only (it may come from someone else), checks that it is a drmscope
 *    database of a version this build understands and that it is not
 *    truncated or corrupt, and hands out the sqlite3 handle for queries.
 *
 * Conventions:
 *  - Functions return DS_DB_OK (0) or a negative enum ds_db_status; insert
 *    functions return the new row's id (> 0) or a negative status. Nothing
 *    here exits or prints; ds_db_errmsg() says what went wrong.
 *  - In the row structs, a field that is a time (*_ns) or a row id (*_id) is
 *    stored as SQL NULL when it is 0 ("unknown"), and a NULL string is
 *    stored as SQL NULL. Other integers are stored as given. Unsigned 64-bit
 *    values (addresses, sizes, flags) are stored as their two's-complement
 *    signed 64-bit value.
 *  - Times are nanoseconds on CLOCK_MONOTONIC (the capture's clock), except
 *    *_unix_ns which are CLOCK_REALTIME nanoseconds since the epoch.
 *  - A handle is used by one thread at a time.
 */
#ifndef DRMSCOPE_DB_H
#define DRMSCOPE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drmscope/schema.h>

struct sqlite3;
struct ds_db;

enum ds_db_status {
	DS_DB_OK = 0,
	DS_DB_ERROR = -1,	/* an SQLite or internal error */
	DS_DB_NOMEM = -2,	/* out of memory */
	DS_DB_IO = -3,		/* the file is missing, unreadable or not a file */
	DS_DB_NOT_SQLITE = -4,	/* the file is not an SQLite database */
	DS_DB_FOREIGN = -5,	/* an SQLite database, but not drmscope's */
	DS_DB_CORRUPT = -6,	/* truncated or corrupt file, or a bad blob */
	DS_DB_TOO_NEW = -7,	/* written by a newer drmscope */
	DS_DB_TOO_OLD = -8,	/* a schema older than this build can read */
	DS_DB_EXISTS = -9,	/* ds_db_create(): the file already exists */
	DS_DB_READONLY = -10,	/* a write on a handle opened for reading */
	DS_DB_NOTFOUND = -11,	/* no such row (ds_db_get_blob()) */
	DS_DB_INVALID = -12,	/* an invalid argument */
	DS_DB_TOO_BIG = -13,	/* a blob larger than the caller's bound */
};

/* ---------------------------------------------------------------------- */
/* Opening and closing                                                     */
/* ---------------------------------------------------------------------- */

/*
 * Each open function stores a handle in *@dbp, even when it fails (unless
 * memory runs out, then *@dbp is NULL), so that ds_db_errmsg() can say why.
 * The caller owns the handle and releases it with ds_db_close() in all cases.
 */

/*
 * Create a new capture database at @path with the current schema, set up
 * for a bulk import: no durability (synchronous=OFF, in-memory rollback
 * journal, exclusive lock). A crash during the import leaves a file to
 * throw away. Fails with DS_DB_EXISTS if @path exists and is not empty.
 */
int ds_db_create(const char *path,		/* file to create */
		 struct ds_db **dbp);		/* out: the handle */

/*
 * Open an existing drmscope database for writing (for example to add a
 * replay run). An older schema is migrated first, in one transaction (a
 * file that had its indexes gets them rebuilt); a newer one fails with
 * DS_DB_TOO_NEW. Normal durability (rollback journal, synchronous=NORMAL).
 */
int ds_db_open_write(const char *path,		/* existing database */
		     struct ds_db **dbp);	/* out: the handle */

/* Flags for ds_db_open_read(). */
enum ds_db_open_flags {
	/* Skip PRAGMA quick_check (it reads every page: O(file size)). */
	DS_DB_OPEN_NO_CHECK = 1 << 0,
	/*
	 * Accept a schema older than DS_DB_SCHEMA_VERSION (down to
	 * DS_DB_SCHEMA_VERSION_MIN), as it is: for callers that read any
	 * layout (`drmscope info`, `query`); see ds_db_schema_version().
	 */
	DS_DB_OPEN_OLD_SCHEMA = 1 << 1,
};

/*
 * Open a database read-only and defensively: SQLITE_OPEN_READONLY,
 * query_only, SQLITE_DBCONFIG_DEFENSIVE, trusted_schema off. Checks the file
 * header (an SQLite file, not truncated), the application_id, the schema
 * version, and runs PRAGMA quick_check unless DS_DB_OPEN_NO_CHECK is given.
 * The version must be DS_DB_SCHEMA_VERSION: an older file fails with
 * DS_DB_TOO_OLD and a message saying how to upgrade it (ds_db_open_write()
 * migrates; `drmscope upgrade`), unless DS_DB_OPEN_OLD_SCHEMA is given.
 * A reader never migrates. A newer file fails with DS_DB_TOO_NEW.
 */
int ds_db_open_read(const char *path,		/* database to read */
		    unsigned int flags,		/* enum ds_db_open_flags */
		    struct ds_db **dbp);	/* out: the handle */

/*
 * Commit what is pending, finalize every statement and close. Returns the
 * commit's status; the handle is freed in every case. NULL is a no-op.
 */
int ds_db_close(struct ds_db *db);

/* Why the last call failed ("out of memory" for a NULL handle). */
const char *ds_db_errmsg(const struct ds_db *db);

/* The schema version of the open file (PRAGMA user_version). */
int ds_db_schema_version(const struct ds_db *db);

/* The path the handle was opened with. */
const char *ds_db_path(const struct ds_db *db);

/* The SQLite connection, for queries. It stays owned by the handle. */
struct sqlite3 *ds_db_sqlite(struct ds_db *db);

/* 1 if the open database has table or view @name, 0 if not, <0 on error. */
int ds_db_has_table(struct ds_db *db, const char *name);

/* ---------------------------------------------------------------------- */
/* Transactions and the end of an import                                   */
/* ---------------------------------------------------------------------- */

/*
 * The writer opens a transaction by itself on the first insert and commits
 * it after @rows rows (default 262144): callers need not call ds_db_begin().
 * 0 restores the default.
 */
void ds_db_set_batch(struct ds_db *db, unsigned int rows);

/* Open a transaction now if none is open. */
int ds_db_begin(struct ds_db *db);

/*
 * Commit the open transaction, if any. If the commit fails the transaction
 * is rolled back. (Roll back only this way, never with SQL on
 * ds_db_sqlite(): the handle must know the rows it wrote are gone.)
 */
int ds_db_commit(struct ds_db *db);

/*
 * End of a bulk insert: commit, create the indexes the reports use (they
 * are left out during the insert, where they would cut its rate to a
 * third), and run ANALYZE. Safe to call again after adding rows (a run).
 */
int ds_db_finish_import(struct ds_db *db);

/*
 * 1 if the indexes that ds_db_finish_import() creates are all there (for
 * the tables the file has), 0 if some are missing, <0 on error.
 */
int ds_db_has_indexes(struct ds_db *db);

/* ---------------------------------------------------------------------- */
/* Rows                                                                    */
/* ---------------------------------------------------------------------- */

/* Table capture: the one row describing the capture. */
struct ds_db_capture {
	const char *host;		/* uname nodename */
	const char *kernel_release;	/* uname release */
	const char *machine;		/* uname machine */
	const char *command_line;	/* the traced command, shell-quoted */
	const char *source;		/* "record", "import", ... */
	const char *drmscope_version;	/* NULL: this build's version */
	int64_t start_ns;		/* first moment recorded */
	int64_t end_ns;			/* last moment recorded */
	int64_t start_unix_ns;		/* wall clock at start_ns */
	int64_t lost_events;		/* events the tracers dropped */
};

/* Insert or replace the capture row. */
int ds_db_set_capture(struct ds_db *db, const struct ds_db_capture *c);

/* Add @n to capture.lost_events (creating the row if needed). */
int ds_db_add_lost_events(struct ds_db *db, int64_t n);

/* Table driver: what DRM_IOCTL_VERSION said, one row per device. */
struct ds_db_driver {
	int64_t device_id;		/* device row */
	const char *name;
	int major;
	int minor;
	int patchlevel;
	const char *date;
	const char *desc;
	int64_t ioctl_id;		/* the DRM_IOCTL_VERSION call */
};

/* Insert the device's driver row, or update it. Returns the device id. */
int64_t ds_db_put_driver(struct ds_db *db, const struct ds_db_driver *d);

/* Table process: one row per pid seen during the capture. */
struct ds_db_process {
	int pid;
	int ppid;			/* 0: unknown */
	const char *comm;		/* task name */
	const char *exe;		/* executable path (the latest exec) */
	const char *argv_json;		/* JSON array of the arguments */
	int64_t start_ns;
	int64_t end_ns;
	bool exited;			/* exit_code/exit_signal are known */
	int exit_code;			/* exit(3) status when it exited */
	int exit_signal;		/* the signal that killed it, or 0 */
};

/*
 * Insert the process, or update it: fields that are unknown (0, NULL,
 * !exited) keep their stored value, so fork, exec and exit can each say
 * what they know. Returns the pid.
 */
int64_t ds_db_put_process(struct ds_db *db, const struct ds_db_process *p);

/* Table thread: one row per tid. */
struct ds_db_thread {
	int tid;
	int pid;
	const char *name;
	int64_t start_ns;
	int64_t end_ns;
};

/* Insert the thread or update its known fields, like ds_db_put_process(). */
int64_t ds_db_put_thread(struct ds_db *db, const struct ds_db_thread *t);

/* Table device: a DRM or accel device node that was traced. */
struct ds_db_device {
	const char *path;		/* as opened, e.g. /dev/dri/renderD128 */
	unsigned int major;
	unsigned int minor;
	const char *driver;		/* kernel driver name, NULL: unknown */
};

int64_t ds_db_insert_device(struct ds_db *db, const struct ds_db_device *d);

enum ds_db_fd_how {
	DS_DB_FD_OPEN,			/* open/openat on the device */
	DS_DB_FD_DUP,			/* dup/dup2/dup3/fcntl(F_DUPFD) */
	DS_DB_FD_FORK,			/* the child's copy after fork */
	DS_DB_FD_INHERITED,		/* already open when tracing began */
};

/* Table fd: one file descriptor's life in one process. */
struct ds_db_fd {
	int pid;
	int fd;
	int64_t device_id;
	int64_t opened_ns;
	int64_t closed_ns;		/* 0: still open; see ds_db_set_end() */
	enum ds_db_fd_how how;
	int64_t parent_fd_id;		/* dup/fork: the fd row it copies */
	int flags;			/* open(2) flags */
};

int64_t ds_db_insert_fd(struct ds_db *db, const struct ds_db_fd *f);

/*
 * Table ioctl_call (read through the view ioctl): one call, from before it
 * to after it.
 */
struct ds_db_ioctl {
	int64_t id;			/* 0: the next free id */
	int tid;
	int pid;
	int fd;				/* the fd number */
	int64_t fd_id;			/* the fd row */
	int64_t device_id;
	uint32_t request;		/* the ioctl request number */
	const char *name;		/* decoded; NULL: "IOCTL_0x<request>" */
	const char *driver;		/* uapi table that decoded it, or NULL */
	int64_t begin_ns;
	int64_t end_ns;			/* 0: it never returned (ret, err NULL) */
	int64_t ret;			/* return value */
	int err;			/* errno when ret < 0, else 0 */
	const void *in;			/* argument bytes before the call */
	size_t in_size;			/*   (in == NULL: none recorded) */
	const void *out;		/* argument bytes after the call */
	size_t out_size;		/*   (out == NULL: none recorded) */
};

/*
 * Insert the call with its in/out argument bytes (columns in_bytes and
 * out_bytes of its row). Its (name, driver) pair is stored once, in
 * ioctl_name: the handle keeps the pairs it knows in memory, so a call is
 * one INSERT. Returns its id.
 */
int64_t ds_db_insert_ioctl(struct ds_db *db, const struct ds_db_ioctl *io);

enum ds_db_payload_dir {
	DS_DB_PAYLOAD_ARRAY_IN,		/* an array a pointer field led to, before */
	DS_DB_PAYLOAD_ARRAY_OUT,	/* the same array after the call */
};

/*
 * Table ioctl_payload: an array of one call, kept for replay (the argument
 * struct itself goes with the call, ds_db_insert_ioctl()).
 */
struct ds_db_payload {
	int64_t ioctl_id;
	enum ds_db_payload_dir dir;
	int idx;			/* order among the call's arrays */
	const char *field;		/* pointer field the array came from */
	const void *bytes;
	size_t size;
};

int64_t ds_db_insert_payload(struct ds_db *db, const struct ds_db_payload *p);

/* Table gem_object: a GEM handle's life. */
struct ds_db_gem {
	int64_t device_id;
	int64_t fd_id;			/* the DRM file the handle lives in */
	uint32_t handle;
	uint64_t size;
	uint64_t flags;
	int64_t created_ns;
	int64_t freed_ns;		/* 0: not freed; see ds_db_set_end() */
	int64_t create_ioctl_id;
	uint64_t mmap_offset;		/* 0: none (yet) */
};

int64_t ds_db_insert_gem(struct ds_db *db, const struct ds_db_gem *g);

/* Record a GEM object's fake mmap offset once it is known. */
int ds_db_set_gem_mmap_offset(struct ds_db *db, int64_t gem_id, uint64_t offset);

/* Table vm: a GPU virtual address space. */
struct ds_db_vm {
	int64_t device_id;
	int64_t fd_id;
	uint32_t handle;		/* the uapi VM id */
	int64_t created_ns;
	int64_t destroyed_ns;
	int64_t create_ioctl_id;
};

int64_t ds_db_insert_vm(struct ds_db *db, const struct ds_db_vm *v);

enum ds_db_bind_op {
	DS_DB_BIND_MAP,
	DS_DB_BIND_UNMAP,
};

/* Table vm_bind_op: one map or unmap operation of a VM_BIND call. */
struct ds_db_vm_bind_op {
	int64_t ioctl_id;
	int64_t vm_id;			/* vm row */
	enum ds_db_bind_op op;
	uint64_t va;
	uint64_t range;
	uint32_t bo_handle;		/* map: the GEM handle */
	int64_t gem_id;			/* map: the gem_object row */
	uint64_t bo_offset;
	uint64_t flags;
	int64_t ns;			/* when the kernel applied it */
};

int64_t ds_db_insert_vm_bind_op(struct ds_db *db, const struct ds_db_vm_bind_op *b);

/* Table queue: a submission queue (drm_sched entity). */
struct ds_db_queue {
	int64_t vm_id;
	int64_t device_id;
	int64_t fd_id;
	uint32_t handle;		/* the uapi queue id */
	int priority;
	int64_t created_ns;
	int64_t destroyed_ns;
	int64_t create_ioctl_id;
};

int64_t ds_db_insert_queue(struct ds_db *db, const struct ds_db_queue *q);

/* Table job: one submitted job. */
struct ds_db_job {
	int64_t queue_id;
	int64_t seqno;
	int64_t submit_ioctl_id;
	int64_t submit_ns;
	int64_t run_ns;			/* 0: not yet; see ds_db_job_ran() */
	int64_t done_ns;		/* 0: not yet; see ds_db_job_done() */
	int result;			/* fence error (0 or -errno) once done */
	const char *result_hash;	/* hash of what the job produced */
};

int64_t ds_db_insert_job(struct ds_db *db, const struct ds_db_job *j);
int ds_db_job_ran(struct ds_db *db, int64_t job_id, int64_t run_ns);
int ds_db_job_done(struct ds_db *db, int64_t job_id, int64_t done_ns,
		   int result, const char *result_hash);

enum ds_db_fw_dir {
	DS_DB_FW_SEND,			/* driver to firmware */
	DS_DB_FW_RECEIVE,		/* firmware to driver */
};

/* Table fw_message: one firmware message, decoded per ABI version. */
struct ds_db_fw_message {
	int64_t device_id;
	int ring;
	int64_t seq;
	int function;
	const char *function_name;
	int64_t length;
	int abi_version;
	int64_t ns;
	enum ds_db_fw_dir dir;
	const char *payload_json;	/* decoded fields as a JSON object */
	const void *raw;		/* undecoded bytes, NULL: none kept */
	size_t raw_size;
	int64_t run_id;			/* 0: the capture; else the replay run */
};

int64_t ds_db_insert_fw_message(struct ds_db *db, const struct ds_db_fw_message *m);

/* Table kernel_event: any tracefs event, fields kept as JSON. */
struct ds_db_kernel_event {
	int64_t ns;
	int cpu;
	int pid;
	const char *system;		/* e.g. "dma_fence" */
	const char *name;		/* e.g. "dma_fence_signaled" */
	const char *fields_json;	/* JSON object of the event's fields */
	int64_t run_id;			/* 0: the capture; else the replay run */
};

int64_t ds_db_insert_kernel_event(struct ds_db *db, const struct ds_db_kernel_event *e);

/* Table buffer_snapshot: a buffer's contents at some moment, as a blob. */
struct ds_db_snapshot {
	int64_t ioctl_id;		/* the submission that made it, if any */
	int64_t ns;
	int64_t device_id;
	int64_t gem_id;
	uint32_t handle;
	uint64_t offset;		/* of the range within the object */
	uint64_t size;
	const char *blob_hash;		/* from ds_db_put_blob() */
	bool after;			/* taken after the call (results), not before */
};

int64_t ds_db_insert_snapshot(struct ds_db *db, const struct ds_db_snapshot *s);

/* Lifetimes whose end is recorded later by ds_db_set_end(). */
enum ds_db_lifetime {
	DS_DB_END_FD,			/* fd.closed_ns */
	DS_DB_END_GEM,			/* gem_object.freed_ns */
	DS_DB_END_VM,			/* vm.destroyed_ns */
	DS_DB_END_QUEUE,		/* queue.destroyed_ns */
	DS_DB_END_RUN,			/* run.end_unix_ns */
};

int ds_db_set_end(struct ds_db *db, enum ds_db_lifetime what, int64_t id, int64_t ns);

/* Table run: one replay of the capture against some driver build. */
struct ds_db_run {
	const char *label;		/* e.g. "simgpu slow_jobs=1" */
	const char *host;
	const char *driver_name;
	const char *driver_version;	/* "major.minor.patchlevel" */
	const char *kernel_release;
	const char *module_params;	/* "name=value ..." */
	const char *options;		/* the replay's options */
	int64_t start_unix_ns;
	int64_t end_unix_ns;		/* 0: see ds_db_set_end() */
};

int64_t ds_db_insert_run(struct ds_db *db, const struct ds_db_run *r);

/* Table run_call: one captured ioctl as the replay issued it. */
struct ds_db_run_call {
	int64_t run_id;
	int64_t ioctl_id;		/* the captured call */
	int64_t begin_ns;
	int64_t end_ns;
	int64_t ret;
	int err;
	const char *mismatch;		/* NULL: matched the capture */
};

int64_t ds_db_insert_run_call(struct ds_db *db, const struct ds_db_run_call *c);

/* Table run_job: one job as the replay ran it. */
struct ds_db_run_job {
	int64_t run_id;
	int64_t queue_id;		/* the captured queue */
	int64_t job_id;			/* the captured job */
	int64_t seqno;
	int64_t submit_ns;
	int64_t run_ns;
	int64_t done_ns;
	int result;
	const char *result_hash;
};

int64_t ds_db_insert_run_job(struct ds_db *db, const struct ds_db_run_job *j);

/* ---------------------------------------------------------------------- */
/* Blobs: content-addressed, zstd-compressed                               */
/* ---------------------------------------------------------------------- */

/* Largest blob ds_db_get_blob() returns when the caller gives no bound. */
#define DS_DB_BLOB_MAX_DEFAULT	((size_t)1 << 30)

/* The key of @size bytes at @data: XXH3-128, 32 lowercase hex digits. */
void ds_db_hash(const void *data, size_t size,
		char hash[DS_DB_HASH_HEX_LEN + 1]);

/*
 * Store @size bytes once: hash them and, unless that hash is stored already,
 * compress and insert them. Writes the key to @hash. Returns 1 if the blob
 * was added, 0 if it was already there, or a negative status.
 */
int ds_db_put_blob(struct ds_db *db, const void *data, size_t size,
		   char hash[DS_DB_HASH_HEX_LEN + 1]);

/*
 * Read blob @hash into a new malloc'ed buffer (*@data, *@size; the caller
 * frees it). At most @max_size bytes are accepted (0: the default bound),
 * larger blobs give DS_DB_TOO_BIG. The bytes are decompressed into exactly
 * the stored raw size and their hash checked: DS_DB_CORRUPT if it differs.
 */
int ds_db_get_blob(struct ds_db *db, const char *hash, size_t max_size,
		   void **data, size_t *size);

#endif
