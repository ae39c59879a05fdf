/*
 * lib/db/db_internal.h: what the files of the database layer share: the
 * handle, the statement cache, error helpers and the row binder. Not
 * installed; users include <drmscope/db.h>.
 */
#ifndef DRMSCOPE_DB_INTERNAL_H
#define DRMSCOPE_DB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include <drmscope/db.h>

/* Every statement a handle may run more than once, prepared on first use. */
enum dsdb_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_HAS_TABLE,
	ST_HAS_INDEX,
	ST_HAS_VIEW,
	ST_CAPTURE_SET,
	ST_CAPTURE_LOST,
	ST_DRIVER_PUT,
	ST_PROCESS_PUT,
	ST_THREAD_PUT,
	ST_DEVICE_INSERT,
	ST_FD_INSERT,
	ST_NAME_ALL,
	ST_NAME_INSERT,
	ST_IOCTL_INSERT,
	ST_PAYLOAD_INSERT,
	ST_GEM_INSERT,
	ST_GEM_MMAP,
	ST_VM_INSERT,
	ST_BIND_INSERT,
	ST_QUEUE_INSERT,
	ST_JOB_INSERT,
	ST_JOB_RAN,
	ST_JOB_DONE,
	ST_FW_INSERT,
	ST_KEVENT_INSERT,
	ST_SNAPSHOT_INSERT,
	ST_END_FD,
	ST_END_GEM,
	ST_END_VM,
	ST_END_QUEUE,
	ST_END_RUN,
	ST_RUN_INSERT,
	ST_RUN_CALL_INSERT,
	ST_RUN_JOB_INSERT,
	ST_BLOB_EXISTS,
	ST_BLOB_INSERT,
	ST_BLOB_GET,
	ST_COUNT
};

struct dsdb_names;
struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

struct ds_db {
	sqlite3 *sql;
	char *path;
	bool readonly;
	int version;			/* user_version of the open file */
	bool in_txn;			/* a transaction we opened is open */
	unsigned int batch;		/* rows per automatic transaction */
	unsigned int txn_rows;		/* rows written in the open one */
	struct dsdb_names *names;	/* ioctl_name; NULL: not read yet */
	sqlite3_stmt *stmt[ST_COUNT];
	struct ZSTD_CCtx_s *cctx;
	struct ZSTD_DCtx_s *dctx;
	void *zbuf;			/* compression scratch */
	size_t zbuf_size;
	char errmsg[512];
};

/* db.c */
struct ds_db *dsdb_alloc(const char *path, bool readonly);
int dsdb_open_sqlite(struct ds_db *db, int flags);
int dsdb_error(struct ds_db *db, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int dsdb_sqlite_error(struct ds_db *db, const char *what);
int dsdb_stmt(struct ds_db *db, enum dsdb_stmt id, sqlite3_stmt **stp);
/* 1 if the schema has an entry named @name of the kind @type asks (ST_HAS_*), 0 if not. */
int dsdb_schema_has(struct ds_db *db, enum dsdb_stmt type, const char *name);
int dsdb_exec(struct ds_db *db, const char *sql, const char *what);
int dsdb_pragma_int(struct ds_db *db, const char *pragma, int64_t *value);
int dsdb_txn_row(struct ds_db *db);

/*
 * A binder fills a statement's parameters in order and remembers the first
 * failure, so that a row's binds read as one list.
 */
struct dsdb_bind {
	sqlite3_stmt *st;
	int rc;				/* first SQLite error, or SQLITE_OK */
	int n;				/* parameters bound so far */
};

int dsdb_write_begin(struct ds_db *db, enum dsdb_stmt id, struct dsdb_bind *b);
int64_t dsdb_write_end(struct ds_db *db, struct dsdb_bind *b, const char *what);
int dsdb_update_end(struct ds_db *db, struct dsdb_bind *b, const char *what,
		    int64_t id);
void dsdb_bind_i64(struct dsdb_bind *b, int64_t v);
void dsdb_bind_opt(struct dsdb_bind *b, int64_t v);	/* 0 binds NULL */
void dsdb_bind_null(struct dsdb_bind *b);
void dsdb_bind_text(struct dsdb_bind *b, const char *s);
void dsdb_bind_blob(struct dsdb_bind *b, const void *p, size_t n);

/* reader.c */
int dsdb_check_file(struct ds_db *db);
int dsdb_check_identity(struct ds_db *db, bool for_write);

/* schema.c */
int dsdb_migrate(struct ds_db *db, int from);
int dsdb_create_indexes(struct ds_db *db);

/* names.c */
int64_t dsdb_name_id(struct ds_db *db, const char *name, const char *driver);
void dsdb_names_free(struct ds_db *db);

/* blob.c */
void dsdb_blob_free(struct ds_db *db);

#endif
