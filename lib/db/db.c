/*
 * lib/db/db.c: the database handle: opening for a bulk import or for an
 * update, closing, errors, the statement cache and the transactions that
 * batch inserts.
 *
 * Workload assumed: one writer per file (the importer, later one replay at
 * a time) inserting millions of small rows. Each statement is prepared once
 * per handle, on first use, and finalized by ds_db_close(). The writer keeps
 * one transaction open and commits it every db->batch rows; a commit per
 * row would cost a journal write per row.
 */
#include "db_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_BATCH_ROWS	262144u

/* The SQL of every cached statement, indexed by enum dsdb_stmt. */
static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_HAS_TABLE] =
		"SELECT 1 FROM sqlite_schema WHERE name = ?1 AND type IN ('table', 'view')",
	[ST_HAS_INDEX] = "SELECT 1 FROM sqlite_schema WHERE name = ?1 AND type = 'index'",
	[ST_HAS_VIEW] = "SELECT 1 FROM sqlite_schema WHERE name = ?1 AND type = 'view'",
	[ST_CAPTURE_SET] =
		"INSERT OR REPLACE INTO capture (id, host, kernel_release, machine,"
		" command_line, source, drmscope_version, start_ns, end_ns,"
		" start_unix_ns, lost_events)"
		" VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_CAPTURE_LOST] =
		"INSERT INTO capture (id, lost_events) VALUES (1, ?1)"
		" ON CONFLICT (id) DO UPDATE SET lost_events = lost_events + ?1",
	[ST_DRIVER_PUT] =
		"INSERT OR REPLACE INTO driver (device_id, name, major, minor,"
		" patchlevel, date, description, ioctl_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_PROCESS_PUT] =
		"INSERT INTO process (pid, ppid, comm, exe, argv, start_ns, end_ns,"
		" exit_code, exit_signal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (pid) DO UPDATE SET"
		" ppid = coalesce(excluded.ppid, ppid),"
		" comm = coalesce(excluded.comm, comm),"
		" exe = coalesce(excluded.exe, exe),"
		" argv = coalesce(excluded.argv, argv),"
		" start_ns = coalesce(excluded.start_ns, start_ns),"
		" end_ns = coalesce(excluded.end_ns, end_ns),"
		" exit_code = coalesce(excluded.exit_code, exit_code),"
		" exit_signal = coalesce(excluded.exit_signal, exit_signal)",
	[ST_THREAD_PUT] =
		"INSERT INTO thread (tid, pid, name, start_ns, end_ns)"
		" VALUES (?, ?, ?, ?, ?)"
		" ON CONFLICT (tid) DO UPDATE SET"
		" pid = coalesce(excluded.pid, pid),"
		" name = coalesce(excluded.name, name),"
		" start_ns = coalesce(excluded.start_ns, start_ns),"
		" end_ns = coalesce(excluded.end_ns, end_ns)",
	[ST_DEVICE_INSERT] =
		"INSERT INTO device (path, major, minor, driver) VALUES (?, ?, ?, ?)",
	[ST_FD_INSERT] =
		"INSERT INTO fd (pid, fd, device_id, opened_ns, closed_ns, how,"
		" parent_fd_id, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_NAME_ALL] = "SELECT id, name, driver FROM ioctl_name",
	[ST_NAME_INSERT] = "INSERT INTO ioctl_name (name, driver) VALUES (?, ?)",
	[ST_IOCTL_INSERT] =
		"INSERT INTO ioctl_call (id, tid, pid, fd, fd_id, device_id, request,"
		" name_id, begin_ns, end_ns, ret, errno, in_bytes, out_bytes)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_PAYLOAD_INSERT] =
		"INSERT INTO ioctl_payload (ioctl_id, direction, idx, field, bytes)"
		" VALUES (?, ?, ?, ?, ?)",
	[ST_GEM_INSERT] =
		"INSERT INTO gem_object (device_id, fd_id, handle, size, flags,"
		" created_ns, freed_ns, create_ioctl_id, mmap_offset)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_GEM_MMAP] = "UPDATE gem_object SET mmap_offset = ?2 WHERE id = ?1",
	[ST_VM_INSERT] =
		"INSERT INTO vm (device_id, fd_id, handle, created_ns, destroyed_ns,"
		" create_ioctl_id) VALUES (?, ?, ?, ?, ?, ?)",
	[ST_BIND_INSERT] =
		"INSERT INTO vm_bind_op (ioctl_id, vm_id, op, va, range, bo_handle,"
		" gem_id, bo_offset, flags, ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_QUEUE_INSERT] =
		"INSERT INTO queue (vm_id, device_id, fd_id, handle, priority,"
		" created_ns, destroyed_ns, create_ioctl_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_JOB_INSERT] =
		"INSERT INTO job (queue_id, seqno, submit_ioctl_id, submit_ns, run_ns,"
		" done_ns, result, result_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_JOB_RAN] = "UPDATE job SET run_ns = ?2 WHERE id = ?1",
	[ST_JOB_DONE] =
		"UPDATE job SET done_ns = ?2, result = ?3,"
		" result_hash = coalesce(?4, result_hash) WHERE id = ?1",
	[ST_FW_INSERT] =
		"INSERT INTO fw_message (device_id, ring, seq, function, function_name,"
		" length, abi_version, ns, direction, payload, raw, run_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_KEVENT_INSERT] =
		"INSERT INTO kernel_event (ns, cpu, pid, system, name, fields, run_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)",
	[ST_SNAPSHOT_INSERT] =
		"INSERT INTO buffer_snapshot (ioctl_id, ns, device_id, gem_id, handle,"
		" offset, size, blob_hash, phase) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_END_FD] = "UPDATE fd SET closed_ns = ?2 WHERE id = ?1",
	[ST_END_GEM] = "UPDATE gem_object SET freed_ns = ?2 WHERE id = ?1",
	[ST_END_VM] = "UPDATE vm SET destroyed_ns = ?2 WHERE id = ?1",
	[ST_END_QUEUE] = "UPDATE queue SET destroyed_ns = ?2 WHERE id = ?1",
	[ST_END_RUN] = "UPDATE run SET end_unix_ns = ?2 WHERE id = ?1",
	[ST_RUN_INSERT] =
		"INSERT INTO run (label, host, driver_name, driver_version,"
		" kernel_release, module_params, options, start_unix_ns, end_unix_ns)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_RUN_CALL_INSERT] =
		"INSERT INTO run_call (run_id, ioctl_id, begin_ns, end_ns, ret, errno,"
		" mismatch) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[ST_RUN_JOB_INSERT] =
		"INSERT INTO run_job (run_id, queue_id, job_id, seqno, submit_ns,"
		" run_ns, done_ns, result, result_hash)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_BLOB_EXISTS] = "SELECT 1 FROM blob WHERE hash = ?",
	[ST_BLOB_INSERT] =
		"INSERT INTO blob (hash, raw_size, encoding, data) VALUES (?, ?, ?, ?)",
	[ST_BLOB_GET] = "SELECT raw_size, encoding, data FROM blob WHERE hash = ?",
};

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * Set the handle's message. Messages quote names from the file, which may
 * come from anyone, so control characters are replaced: printing
 * ds_db_errmsg() cannot drive a terminal.
 */
int dsdb_error(struct ds_db *db, int status, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
	va_end(ap);
	for (p = db->errmsg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return status;
}

static int status_of_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return DS_DB_NOMEM;
	case SQLITE_CORRUPT:
		return DS_DB_CORRUPT;
	case SQLITE_NOTADB:
		return DS_DB_NOT_SQLITE;
	case SQLITE_READONLY:
		return DS_DB_READONLY;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		return DS_DB_IO;
	default:
		return DS_DB_ERROR;
	}
}

/* Report SQLite's last error on the handle, prefixed by @what. */
int dsdb_sqlite_error(struct ds_db *db, const char *what)
{
	int rc = db->sql ? sqlite3_extended_errcode(db->sql) : SQLITE_NOMEM;
	const char *msg = db->sql ? sqlite3_errmsg(db->sql) : "out of memory";
	int status = status_of_sqlite(rc);

	if (status == DS_DB_CORRUPT || status == DS_DB_NOT_SQLITE)
		return dsdb_error(db, status, "%s: damaged, or not a database: %s (%s)",
				  db->path, msg, what);
	return dsdb_error(db, status, "%s: %s: %s", db->path, what, msg);
}

const char *ds_db_errmsg(const struct ds_db *db)
{
	if (!db)
		return "out of memory";
	return db->errmsg[0] ? db->errmsg : "no error";
}

/* ---------------------------------------------------------------------- */
/* Statements                                                              */
/* ---------------------------------------------------------------------- */

/* The cached statement @id, prepared on first use. */
int dsdb_stmt(struct ds_db *db, enum dsdb_stmt id, sqlite3_stmt **stp)
{
	int rc;

	if (!db->stmt[id]) {
		rc = sqlite3_prepare_v3(db->sql, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					&db->stmt[id], NULL);
		if (rc != SQLITE_OK)
			return dsdb_sqlite_error(db, "preparing a statement");
	}
	*stp = db->stmt[id];
	return DS_DB_OK;
}

/* Run SQL that is used once per handle (schema, pragmas). */
int dsdb_exec(struct ds_db *db, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(db->sql, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return DS_DB_OK;
	rc = dsdb_error(db, status_of_sqlite(sqlite3_extended_errcode(db->sql)), "%s: %s: %s",
			db->path, what, msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc;
}

/* Read an integer PRAGMA such as user_version. */
int dsdb_pragma_int(struct ds_db *db, const char *pragma, int64_t *value)
{
	sqlite3_stmt *st = NULL;
	char sql[64];
	int rc;

	snprintf(sql, sizeof(sql), "PRAGMA %s", pragma);
	rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*value = sqlite3_column_int64(st, 0);
		rc = DS_DB_OK;
	} else {
		rc = dsdb_sqlite_error(db, pragma);
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Transactions                                                            */
/* ---------------------------------------------------------------------- */

static int run_simple(struct ds_db *db, enum dsdb_stmt id, const char *what)
{
	sqlite3_stmt *st;
	int rc;

	rc = dsdb_stmt(db, id, &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return dsdb_sqlite_error(db, what);
	return DS_DB_OK;
}

/* The open transaction is gone: so are the rows the name map knew of. */
static void rolled_back(struct ds_db *db)
{
	db->in_txn = false;
	dsdb_names_free(db);
}

int ds_db_begin(struct ds_db *db)
{
	int rc;

	if (db->in_txn)
		return DS_DB_OK;
	rc = run_simple(db, ST_BEGIN, "BEGIN");
	if (rc)
		return rc;
	db->in_txn = true;
	db->txn_rows = 0;
	return DS_DB_OK;
}

int ds_db_commit(struct ds_db *db)
{
	int rc;

	if (!db->in_txn)
		return DS_DB_OK;
	rc = run_simple(db, ST_COMMIT, "COMMIT");
	if (rc) {
		/* Leave nothing half done: the batch is lost, the file is not. */
		if (!sqlite3_get_autocommit(db->sql))
			run_simple(db, ST_ROLLBACK, "ROLLBACK");
		rolled_back(db);
		return rc;
	}
	db->in_txn = false;
	return DS_DB_OK;
}

void ds_db_set_batch(struct ds_db *db, unsigned int rows)
{
	db->batch = rows ? rows : DEFAULT_BATCH_ROWS;
}

/* Count a written row; commit when the batch is full. */
int dsdb_txn_row(struct ds_db *db)
{
	if (++db->txn_rows < db->batch)
		return DS_DB_OK;
	return ds_db_commit(db);
}

/* ---------------------------------------------------------------------- */
/* Binding rows                                                            */
/* ---------------------------------------------------------------------- */

/* Get statement @id ready for a row: a writable handle, a transaction. */
int dsdb_write_begin(struct ds_db *db, enum dsdb_stmt id, struct dsdb_bind *b)
{
	int rc;

	if (db->readonly)
		return dsdb_error(db, DS_DB_READONLY, "%s: opened read-only", db->path);
	rc = ds_db_begin(db);
	if (rc)
		return rc;
	rc = dsdb_stmt(db, id, &b->st);
	if (rc)
		return rc;
	b->rc = SQLITE_OK;
	b->n = 0;
	return DS_DB_OK;
}

void dsdb_bind_i64(struct dsdb_bind *b, int64_t v)
{
	b->n++;
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_int64(b->st, b->n, v);
}

void dsdb_bind_opt(struct dsdb_bind *b, int64_t v)
{
	if (v)
		dsdb_bind_i64(b, v);
	else
		dsdb_bind_null(b);
}

void dsdb_bind_null(struct dsdb_bind *b)
{
	b->n++;
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_null(b->st, b->n);
}

void dsdb_bind_text(struct dsdb_bind *b, const char *s)
{
	b->n++;
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_text(b->st, b->n, s, -1, SQLITE_STATIC);
}

/* A NULL pointer binds SQL NULL; a non-NULL one of size 0 an empty blob. */
void dsdb_bind_blob(struct dsdb_bind *b, const void *p, size_t n)
{
	b->n++;
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_blob64(b->st, b->n, p, n, SQLITE_STATIC);
}

/* Step a bound statement that returns no row. */
static int step_done(struct ds_db *db, struct dsdb_bind *b, const char *what)
{
	int rc;

	if (b->rc != SQLITE_OK) {
		sqlite3_reset(b->st);
		return dsdb_error(db, status_of_sqlite(b->rc), "%s: %s row: %s", db->path, what,
				  sqlite3_errstr(b->rc));
	}
	if (b->n != sqlite3_bind_parameter_count(b->st)) {
		sqlite3_reset(b->st);
		return dsdb_error(db, DS_DB_ERROR, "%s: %s row: %d values for %d columns",
				  db->path, what, b->n, sqlite3_bind_parameter_count(b->st));
	}
	rc = sqlite3_step(b->st);
	if (rc != SQLITE_DONE) {
		rc = dsdb_sqlite_error(db, what);
		sqlite3_reset(b->st);
		return rc;
	}
	sqlite3_reset(b->st);
	return DS_DB_OK;
}

/* Step an INSERT; return the new row id or a negative status. */
int64_t dsdb_write_end(struct ds_db *db, struct dsdb_bind *b, const char *what)
{
	int64_t id;
	int rc;

	rc = step_done(db, b, what);
	if (rc)
		return rc;
	id = sqlite3_last_insert_rowid(db->sql);
	rc = dsdb_txn_row(db);
	return rc ? rc : id;
}

/* Step an UPDATE of row @id; DS_DB_NOTFOUND if there is no such row. */
int dsdb_update_end(struct ds_db *db, struct dsdb_bind *b, const char *what, int64_t id)
{
	int rc;

	rc = step_done(db, b, what);
	if (rc)
		return rc;
	if (sqlite3_changes(db->sql) != 1)
		return dsdb_error(db, DS_DB_NOTFOUND, "%s: no %s row with id %lld", db->path,
				  what, (long long)id);
	return dsdb_txn_row(db);
}

/* ---------------------------------------------------------------------- */
/* Opening and closing                                                     */
/* ---------------------------------------------------------------------- */

struct ds_db *dsdb_alloc(const char *path, bool readonly)
{
	struct ds_db *db = calloc(1, sizeof(*db));

	if (!db)
		return NULL;
	db->path = strdup(path ? path : "");
	if (!db->path) {
		free(db);
		return NULL;
	}
	db->readonly = readonly;
	db->batch = DEFAULT_BATCH_ROWS;
	return db;
}

/*
 * The name to give sqlite3_open_v2(): a path that looks like a URI is
 * prefixed with "./" so it is always taken as a file name.
 */
/*
 * SQLite keeps memory statistics by default, behind a global mutex taken
 * on every allocation; drmscope never reads them. (Only possible before
 * SQLite initialises: if something else got there first, nothing changes.)
 */
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int dsdb_open_sqlite(struct ds_db *db, int flags)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	char *name = NULL;
	size_t len;
	int rc;

	pthread_once(&once, configure_sqlite);

	if (!strncmp(db->path, "file:", 5)) {
		len = strlen(db->path) + 3;
		name = malloc(len);
		if (!name)
			return dsdb_error(db, DS_DB_NOMEM, "out of memory");
		snprintf(name, len, "./%s", db->path);
	}
	rc = sqlite3_open_v2(name ? name : db->path, &db->sql,
			     flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
			     NULL);
	free(name);
	if (rc != SQLITE_OK)
		return dsdb_sqlite_error(db, "cannot open");
	sqlite3_extended_result_codes(db->sql, 1);
	/* Wait a little for another process's lock (a reader, a replay). */
	sqlite3_busy_timeout(db->sql, 5000);
	return DS_DB_OK;
}

int ds_db_close(struct ds_db *db)
{
	int rc = DS_DB_OK;
	int i;

	if (!db)
		return DS_DB_OK;
	if (db->sql && !db->readonly)
		rc = ds_db_commit(db);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(db->stmt[i]);
	if (db->sql && sqlite3_close(db->sql) != SQLITE_OK && !rc)
		rc = DS_DB_ERROR;
	dsdb_blob_free(db);
	dsdb_names_free(db);
	free(db->path);
	free(db);
	return rc;
}

/* Refuse to replace a file with something in it; an empty one is fine. */
static int check_new_file(struct ds_db *db)
{
	struct stat sb;

	if (stat(db->path, &sb) < 0) {
		if (errno == ENOENT)
			return DS_DB_OK;
		return dsdb_error(db, DS_DB_IO, "%s: %s", db->path, strerror(errno));
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size != 0)
		return dsdb_error(db, DS_DB_EXISTS, "%s: already exists; not overwriting it",
				  db->path);
	return DS_DB_OK;
}

int ds_db_create(const char *path, struct ds_db **dbp)
{
	struct ds_db *db;
	int rc;

	*dbp = db = dsdb_alloc(path, false);
	if (!db)
		return DS_DB_NOMEM;
	rc = check_new_file(db);
	if (rc)
		return rc;
	rc = dsdb_open_sqlite(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if (rc)
		return rc;
	/*
	 * A bulk import: nothing to protect yet, so no durability. The
	 * rollback journal stays in memory (ROLLBACK still works), nobody
	 * else may open the file until we close it.
	 */
	rc = dsdb_exec(db,
		       "PRAGMA journal_mode = MEMORY;"
		       "PRAGMA synchronous = OFF;"
		       "PRAGMA locking_mode = EXCLUSIVE;"
		       "PRAGMA cache_size = -65536;"
		       "PRAGMA temp_store = MEMORY;"
		       "PRAGMA foreign_keys = OFF",
		       "setting up for the import");
	if (rc)
		return rc;
	return dsdb_migrate(db, 0);
}

int ds_db_open_write(const char *path, struct ds_db **dbp)
{
	struct ds_db *db;
	int rc;

	*dbp = db = dsdb_alloc(path, false);
	if (!db)
		return DS_DB_NOMEM;
	rc = dsdb_check_file(db);
	if (rc)
		return rc;
	rc = dsdb_open_sqlite(db, SQLITE_OPEN_READWRITE);
	if (rc)
		return rc;
	rc = dsdb_exec(db,
		       "PRAGMA synchronous = NORMAL;"
		       "PRAGMA cache_size = -65536;"
		       "PRAGMA foreign_keys = OFF",
		       "setting up");
	if (rc)
		return rc;
	rc = dsdb_check_identity(db, true);
	if (rc)
		return rc;
	return dsdb_migrate(db, db->version);
}

int ds_db_finish_import(struct ds_db *db)
{
	int rc;

	if (db->readonly)
		return dsdb_error(db, DS_DB_READONLY, "%s: opened read-only", db->path);
	rc = ds_db_commit(db);
	if (rc)
		return rc;
	rc = ds_db_begin(db);
	if (rc)
		return rc;
	rc = dsdb_create_indexes(db);
	if (rc) {
		run_simple(db, ST_ROLLBACK, "ROLLBACK");
		rolled_back(db);
		return rc;
	}
	return ds_db_commit(db);
}

/* ---------------------------------------------------------------------- */
/* Queries about the handle                                                */
/* ---------------------------------------------------------------------- */

int ds_db_schema_version(const struct ds_db *db)
{
	return db->version;
}

const char *ds_db_path(const struct ds_db *db)
{
	return db->path;
}

struct sqlite3 *ds_db_sqlite(struct ds_db *db)
{
	return db->sql;
}

int dsdb_schema_has(struct ds_db *db, enum dsdb_stmt type, const char *name)
{
	sqlite3_stmt *st;
	int rc;

	rc = dsdb_stmt(db, type, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return dsdb_sqlite_error(db, "reading the schema");
}

int ds_db_has_table(struct ds_db *db, const char *name)
{
	return dsdb_schema_has(db, ST_HAS_TABLE, name);
}
