/*
 * lib/db/schema.c: the SQL of the drmscope trace database and its
 * migrations.
 *
 * The schema is built by a list of steps, one per version. A new file runs
 * every step from version 0; a file written by an older drmscope runs the
 * steps it lacks. So a fresh database and a migrated one are made by the
 * same SQL. A step, once released, is never edited: a change is a new step
 * (and a new DS_DB_SCHEMA_VERSION, in include/drmscope/schema.h).
 *
 * Views are derived data: each migration drops drmscope's views and creates
 * the current ones. Indexes are left out of the steps because the bulk
 * insert is three times faster without them: ds_db_finish_import() creates
 * them afterwards (IF NOT EXISTS, so it may run again), and so does a
 * migration of a file that had them, since a step may rebuild a table.
 *
 * Tables are STRICT (typed). CHECK constraints compare with OR chains, not
 * IN lists: SQLite builds an ephemeral table for each IN (...) it checks,
 * which cut the insert rate of ioctl_payload from about 1M to 300k rows/s.
 * Foreign keys are declared for readers and
 * tools; they are not enforced (PRAGMA foreign_keys stays off) so inserts
 * stay fast and may arrive in any order. Every table and column is
 * documented in docs/schema.md; a unit test checks that the two agree.
 */
#include "db_internal.h"

#include <stdio.h>

/* Version 1: the capture. */
static const char schema_v1[] =
	"CREATE TABLE capture ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" host TEXT,"
	" kernel_release TEXT,"
	" machine TEXT,"
	" command_line TEXT,"
	" source TEXT,"
	" drmscope_version TEXT,"
	" clock TEXT NOT NULL DEFAULT 'monotonic',"
	" start_ns INTEGER,"
	" end_ns INTEGER,"
	" start_unix_ns INTEGER,"
	" lost_events INTEGER NOT NULL DEFAULT 0"
	") STRICT;"

	"CREATE TABLE device ("
	" id INTEGER PRIMARY KEY,"
	" path TEXT,"
	" major INTEGER,"
	" minor INTEGER,"
	" driver TEXT"
	") STRICT;"

	"CREATE TABLE driver ("
	" device_id INTEGER PRIMARY KEY REFERENCES device(id),"
	" name TEXT,"
	" major INTEGER,"
	" minor INTEGER,"
	" patchlevel INTEGER,"
	" date TEXT,"
	" description TEXT,"
	" ioctl_id INTEGER REFERENCES ioctl(id)"
	") STRICT;"

	"CREATE TABLE process ("
	" pid INTEGER PRIMARY KEY,"
	" ppid INTEGER,"
	" comm TEXT,"
	" exe TEXT,"
	" argv TEXT,"
	" start_ns INTEGER,"
	" end_ns INTEGER,"
	" exit_code INTEGER,"
	" exit_signal INTEGER"
	") STRICT;"

	"CREATE TABLE thread ("
	" tid INTEGER PRIMARY KEY,"
	" pid INTEGER REFERENCES process(pid),"
	" name TEXT,"
	" start_ns INTEGER,"
	" end_ns INTEGER"
	") STRICT;"

	"CREATE TABLE fd ("
	" id INTEGER PRIMARY KEY,"
	" pid INTEGER REFERENCES process(pid),"
	" fd INTEGER NOT NULL,"
	" device_id INTEGER REFERENCES device(id),"
	" opened_ns INTEGER,"
	" closed_ns INTEGER,"
	" how TEXT NOT NULL CHECK (how = 'open' OR how = 'dup' OR how = 'fork'"
	"  OR how = 'inherited'),"
	" parent_fd_id INTEGER REFERENCES fd(id),"
	" flags INTEGER"
	") STRICT;"

	"CREATE TABLE ioctl ("
	" id INTEGER PRIMARY KEY,"
	" tid INTEGER REFERENCES thread(tid),"
	" pid INTEGER REFERENCES process(pid),"
	" fd INTEGER,"
	" fd_id INTEGER REFERENCES fd(id),"
	" device_id INTEGER REFERENCES device(id),"
	" request INTEGER NOT NULL,"
	" name TEXT NOT NULL,"
	" driver TEXT,"
	" begin_ns INTEGER,"
	" end_ns INTEGER,"
	" ret INTEGER,"
	" errno INTEGER,"
	" in_payload INTEGER REFERENCES ioctl_payload(id),"
	" out_payload INTEGER REFERENCES ioctl_payload(id)"
	") STRICT;"

	"CREATE TABLE ioctl_payload ("
	" id INTEGER PRIMARY KEY,"
	" ioctl_id INTEGER NOT NULL REFERENCES ioctl(id),"
	" direction TEXT NOT NULL"
	"  CHECK (direction = 'in' OR direction = 'out' OR direction = 'array_in'"
	"  OR direction = 'array_out'),"
	" idx INTEGER NOT NULL DEFAULT 0,"
	" field TEXT,"
	" bytes BLOB NOT NULL"
	") STRICT;"

	"CREATE TABLE gem_object ("
	" id INTEGER PRIMARY KEY,"
	" device_id INTEGER REFERENCES device(id),"
	" fd_id INTEGER REFERENCES fd(id),"
	" handle INTEGER NOT NULL,"
	" size INTEGER,"
	" flags INTEGER,"
	" created_ns INTEGER,"
	" freed_ns INTEGER,"
	" create_ioctl_id INTEGER REFERENCES ioctl(id),"
	" mmap_offset INTEGER"
	") STRICT;"

	"CREATE TABLE vm ("
	" id INTEGER PRIMARY KEY,"
	" device_id INTEGER REFERENCES device(id),"
	" fd_id INTEGER REFERENCES fd(id),"
	" handle INTEGER,"
	" created_ns INTEGER,"
	" destroyed_ns INTEGER,"
	" create_ioctl_id INTEGER REFERENCES ioctl(id)"
	") STRICT;"

	"CREATE TABLE vm_bind_op ("
	" id INTEGER PRIMARY KEY,"
	" ioctl_id INTEGER REFERENCES ioctl(id),"
	" vm_id INTEGER REFERENCES vm(id),"
	" op TEXT NOT NULL CHECK (op = 'map' OR op = 'unmap'),"
	" va INTEGER NOT NULL,"
	" range INTEGER NOT NULL,"
	" bo_handle INTEGER,"
	" gem_id INTEGER REFERENCES gem_object(id),"
	" bo_offset INTEGER,"
	" flags INTEGER,"
	" ns INTEGER"
	") STRICT;"

	"CREATE TABLE queue ("
	" id INTEGER PRIMARY KEY,"
	" vm_id INTEGER REFERENCES vm(id),"
	" device_id INTEGER REFERENCES device(id),"
	" fd_id INTEGER REFERENCES fd(id),"
	" handle INTEGER,"
	" priority INTEGER,"
	" created_ns INTEGER,"
	" destroyed_ns INTEGER,"
	" create_ioctl_id INTEGER REFERENCES ioctl(id)"
	") STRICT;"

	"CREATE TABLE job ("
	" id INTEGER PRIMARY KEY,"
	" queue_id INTEGER REFERENCES queue(id),"
	" seqno INTEGER,"
	" submit_ioctl_id INTEGER REFERENCES ioctl(id),"
	" submit_ns INTEGER,"
	" run_ns INTEGER,"
	" done_ns INTEGER,"
	" result INTEGER,"
	" result_hash TEXT"
	") STRICT;"

	"CREATE TABLE fw_message ("
	" id INTEGER PRIMARY KEY,"
	" device_id INTEGER REFERENCES device(id),"
	" ring INTEGER,"
	" seq INTEGER,"
	" function INTEGER,"
	" function_name TEXT,"
	" length INTEGER,"
	" abi_version INTEGER,"
	" ns INTEGER,"
	" direction TEXT NOT NULL CHECK (direction = 'send' OR direction = 'receive'),"
	" payload TEXT,"
	" raw BLOB"
	") STRICT;"

	"CREATE TABLE kernel_event ("
	" id INTEGER PRIMARY KEY,"
	" ns INTEGER NOT NULL,"
	" cpu INTEGER,"
	" pid INTEGER,"
	" system TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" fields TEXT"
	") STRICT;"

	"CREATE TABLE blob ("
	" id INTEGER PRIMARY KEY,"
	" hash TEXT NOT NULL UNIQUE,"
	" raw_size INTEGER NOT NULL,"
	" encoding TEXT NOT NULL CHECK (encoding = 'zstd' OR encoding = 'raw'),"
	" data BLOB NOT NULL"
	") STRICT;"

	"CREATE TABLE buffer_snapshot ("
	" id INTEGER PRIMARY KEY,"
	" ioctl_id INTEGER REFERENCES ioctl(id),"
	" ns INTEGER,"
	" device_id INTEGER REFERENCES device(id),"
	" gem_id INTEGER REFERENCES gem_object(id),"
	" handle INTEGER,"
	" offset INTEGER,"
	" size INTEGER,"
	" blob_hash TEXT NOT NULL REFERENCES blob(hash)"
	") STRICT;";

/* Version 2: replay runs (issue 5). */
static const char schema_v2[] =
	"CREATE TABLE run ("
	" id INTEGER PRIMARY KEY,"
	" label TEXT,"
	" host TEXT,"
	" driver_name TEXT,"
	" driver_version TEXT,"
	" kernel_release TEXT,"
	" module_params TEXT,"
	" options TEXT,"
	" start_unix_ns INTEGER,"
	" end_unix_ns INTEGER"
	") STRICT;"

	"CREATE TABLE run_call ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES run(id),"
	" ioctl_id INTEGER REFERENCES ioctl(id),"
	" begin_ns INTEGER,"
	" end_ns INTEGER,"
	" ret INTEGER,"
	" errno INTEGER,"
	" mismatch TEXT"
	") STRICT;"

	"CREATE TABLE run_job ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES run(id),"
	" queue_id INTEGER REFERENCES queue(id),"
	" job_id INTEGER REFERENCES job(id),"
	" seqno INTEGER,"
	" submit_ns INTEGER,"
	" run_ns INTEGER,"
	" done_ns INTEGER,"
	" result INTEGER,"
	" result_hash TEXT"
	") STRICT;";

/*
 * Version 3: fw_message and kernel_event rows recorded during a replay run
 * (the replay engine traces the kernel too). NULL run_id: the capture's.
 */
static const char schema_v3[] =
	"ALTER TABLE fw_message ADD COLUMN run_id INTEGER REFERENCES run(id);"
	"ALTER TABLE kernel_event ADD COLUMN run_id INTEGER REFERENCES run(id);";

/*
 * Version 4: buffer_snapshot.phase. 'before': contents a call reads, taken
 * before it (restored by replays); 'after': contents after a sync call
 * returned, the results of the work it waited for (compared by replays).
 */
static const char schema_v4[] =
	"ALTER TABLE buffer_snapshot ADD COLUMN phase TEXT NOT NULL DEFAULT 'before'"
	" CHECK (phase = 'before' OR phase = 'after');";

/*
 * Version 5: a compact ioctl table (issue 4). A call is one row of
 * ioctl_call: its name and driver are an id into ioctl_name (each distinct
 * pair stored once) and its argument struct before and after the call are
 * the in_bytes and out_bytes columns, no longer two ioctl_payload rows.
 * ioctl_payload keeps the arrays. ioctl becomes a view (schema_views) with
 * the columns readers used, so their queries stay as they were.
 *
 * The table is rebuilt rather than altered (the old one has indexed
 * columns to drop and a column order to keep): the rows are copied into
 * ioctl_call_v5 with their ids, the old table is renamed ioctl_call so
 * that SQLite rewrites every REFERENCES ioctl(id) of the other tables
 * (legacy_alter_table is off, see migrate_steps()), and is dropped with
 * its indexes; the copy then takes the name. ioctl_payload is rebuilt the
 * same way without its 'in' and 'out' rows, keeping the ids of the rest.
 * A payload moves into a column only if the call referenced it and it is
 * the call's: drmscope never wrote another kind.
 */
static const char schema_v5[] =
	"CREATE TABLE ioctl_name ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" driver TEXT,"
	" UNIQUE (name, driver)"
	") STRICT;"

	"INSERT INTO ioctl_name (name, driver)"
	" SELECT name, driver FROM ioctl GROUP BY name, driver ORDER BY min(id);"

	"CREATE TABLE ioctl_call_v5 ("
	" id INTEGER PRIMARY KEY,"
	" tid INTEGER REFERENCES thread(tid),"
	" pid INTEGER REFERENCES process(pid),"
	" fd INTEGER,"
	" fd_id INTEGER REFERENCES fd(id),"
	" device_id INTEGER REFERENCES device(id),"
	" request INTEGER NOT NULL,"
	" name_id INTEGER NOT NULL REFERENCES ioctl_name(id),"
	" begin_ns INTEGER,"
	" end_ns INTEGER,"
	" ret INTEGER,"
	" errno INTEGER,"
	" in_bytes BLOB,"
	" out_bytes BLOB"
	") STRICT;"

	"INSERT INTO ioctl_call_v5 (id, tid, pid, fd, fd_id, device_id, request, name_id,"
	" begin_ns, end_ns, ret, errno, in_bytes, out_bytes)"
	" SELECT i.id, i.tid, i.pid, i.fd, i.fd_id, i.device_id, i.request, n.id,"
	" i.begin_ns, i.end_ns, i.ret, i.errno, pi.bytes, po.bytes"
	" FROM ioctl i"
	" JOIN ioctl_name n ON n.name = i.name AND n.driver IS i.driver"
	" LEFT JOIN ioctl_payload pi ON pi.id = i.in_payload AND pi.ioctl_id = i.id"
	"  AND pi.direction = 'in'"
	" LEFT JOIN ioctl_payload po ON po.id = i.out_payload AND po.ioctl_id = i.id"
	"  AND po.direction = 'out'"
	" ORDER BY i.id;"

	"ALTER TABLE ioctl RENAME TO ioctl_call;"
	"DROP TABLE ioctl_call;"
	"ALTER TABLE ioctl_call_v5 RENAME TO ioctl_call;"

	"CREATE TABLE ioctl_payload_v5 ("
	" id INTEGER PRIMARY KEY,"
	" ioctl_id INTEGER NOT NULL REFERENCES ioctl_call(id),"
	" direction TEXT NOT NULL"
	"  CHECK (direction = 'array_in' OR direction = 'array_out'),"
	" idx INTEGER NOT NULL DEFAULT 0,"
	" field TEXT,"
	" bytes BLOB NOT NULL"
	") STRICT;"

	"INSERT INTO ioctl_payload_v5 (id, ioctl_id, direction, idx, field, bytes)"
	" SELECT id, ioctl_id, direction, idx, field, bytes FROM ioctl_payload"
	" WHERE direction = 'array_in' OR direction = 'array_out' ORDER BY id;"

	"DROP TABLE ioctl_payload;"
	"ALTER TABLE ioctl_payload_v5 RENAME TO ioctl_payload;";

struct schema_step {
	int version;		/* user_version once the step has run */
	const char *sql;
};

static const struct schema_step schema_steps[] = {
	{ 1, schema_v1 },
	{ 2, schema_v2 },
	{ 3, schema_v3 },
	{ 4, schema_v4 },
	{ 5, schema_v5 },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(ARRAY_SIZE(schema_steps) == DS_DB_SCHEMA_VERSION,
	       "one schema step per version");

/*
 * The views of the current schema, for the questions people ask. Every
 * view drmscope ever made is named here (retired ones with a NULL body),
 * so that a migration drops them all before creating the current ones.
 */
struct schema_view {
	const char *name;
	const char *body;	/* SELECT ..., or NULL for a retired view */
};

static const struct schema_view schema_views[] = {
	/*
	 * The calls with their names, as the table of versions 1 to 4 had
	 * them (minus in_payload and out_payload). A LEFT JOIN on the primary
	 * key: a query that reads no name or driver skips ioctl_name, and
	 * one that filters on name still starts from its unique index.
	 */
	{ "ioctl",
	  "SELECT c.id, c.tid, c.pid, c.fd, c.fd_id, c.device_id, c.request,"
	  " n.name, n.driver, c.begin_ns, c.end_ns, c.ret, c.errno,"
	  " c.in_bytes, c.out_bytes"
	  " FROM ioctl_call c LEFT JOIN ioctl_name n ON n.id = c.name_id" },
	{ "ioctl_detail",
	  "SELECT i.id, i.pid, i.tid, p.comm, i.fd, i.device_id,"
	  " d.path AS device_path, i.request,"
	  " printf('0x%08x', i.request) AS request_hex, i.name, i.driver,"
	  " i.begin_ns, i.end_ns, i.end_ns - i.begin_ns AS duration_ns,"
	  " i.ret, i.errno"
	  " FROM ioctl i"
	  " LEFT JOIN process p ON p.pid = i.pid"
	  " LEFT JOIN device d ON d.id = i.device_id" },
	/* Grouped on the name id, named afterwards: no join per call. */
	{ "ioctl_summary",
	  "SELECT n.name, n.driver, s.count, s.errors, s.unfinished, s.total_ns,"
	  " s.avg_ns, s.min_ns, s.max_ns"
	  " FROM (SELECT name_id, count(*) AS count,"
	  "  count(CASE WHEN ret < 0 THEN 1 END) AS errors,"
	  "  count(*) - count(end_ns) AS unfinished,"
	  "  sum(end_ns - begin_ns) AS total_ns,"
	  "  CAST(avg(end_ns - begin_ns) AS INTEGER) AS avg_ns,"
	  "  min(end_ns - begin_ns) AS min_ns,"
	  "  max(end_ns - begin_ns) AS max_ns"
	  "  FROM ioctl_call GROUP BY name_id) s"
	  " LEFT JOIN ioctl_name n ON n.id = s.name_id"
	  " ORDER BY n.name, n.driver" },
	{ "ioctl_errors",
	  "SELECT name, errno, count(*) AS count"
	  " FROM ioctl WHERE ret < 0 GROUP BY name, errno" },
	{ "gem_lifetime",
	  "SELECT id, device_id, fd_id, handle, size, created_ns, freed_ns,"
	  " freed_ns - created_ns AS lifetime_ns"
	  " FROM gem_object" },
	{ "job_timing",
	  "SELECT j.id, j.queue_id, q.handle AS queue_handle, j.seqno,"
	  " j.submit_ioctl_id, j.submit_ns,"
	  " j.run_ns - j.submit_ns AS wait_ns,"
	  " j.done_ns - j.run_ns AS exec_ns,"
	  " j.done_ns - j.submit_ns AS total_ns,"
	  " j.result, j.result_hash"
	  " FROM job j LEFT JOIN queue q ON q.id = j.queue_id" },
	{ "queue_summary",
	  "SELECT j.queue_id, count(*) AS jobs,"
	  " count(CASE WHEN j.result <> 0 THEN 1 END) AS failed,"
	  " count(*) - count(j.done_ns) AS unfinished,"
	  " CAST(avg(j.run_ns - j.submit_ns) AS INTEGER) AS avg_wait_ns,"
	  " CAST(avg(j.done_ns - j.run_ns) AS INTEGER) AS avg_exec_ns,"
	  " max(j.done_ns - j.run_ns) AS max_exec_ns"
	  " FROM job j GROUP BY j.queue_id" },
	{ "fw_summary",
	  "SELECT function_name, function, abi_version, direction,"
	  " count(*) AS count, sum(length) AS bytes"
	  " FROM fw_message"
	  " GROUP BY function_name, function, abi_version, direction" },
	{ "kernel_event_summary",
	  "SELECT system, name, count(*) AS count,"
	  " min(ns) AS first_ns, max(ns) AS last_ns"
	  " FROM kernel_event GROUP BY system, name" },
	{ "run_call_detail",
	  "SELECT rc.run_id, rc.ioctl_id, i.name,"
	  " i.end_ns - i.begin_ns AS captured_ns,"
	  " rc.end_ns - rc.begin_ns AS replay_ns,"
	  " i.ret AS captured_ret, rc.ret,"
	  " i.errno AS captured_errno, rc.errno, rc.mismatch"
	  " FROM run_call rc LEFT JOIN ioctl i ON i.id = rc.ioctl_id" },
	{ "run_summary",
	  "SELECT r.id, r.label, r.driver_name, r.driver_version,"
	  " r.kernel_release, r.start_unix_ns,"
	  " (SELECT count(*) FROM run_call c WHERE c.run_id = r.id) AS calls,"
	  " (SELECT count(*) FROM run_call c WHERE c.run_id = r.id"
	  "   AND c.mismatch IS NOT NULL) AS mismatches,"
	  " (SELECT count(*) FROM run_call c WHERE c.run_id = r.id"
	  "   AND c.ret < 0) AS errors,"
	  " (SELECT count(*) FROM run_job j WHERE j.run_id = r.id) AS jobs"
	  " FROM run r" },
};

/*
 * Created by ds_db_finish_import(), after the bulk insert. ioctl_call has
 * one index, on (pid, begin_ns): sorting each index is most of an import's
 * last phase (issue 4 wants an import at half babeltrace2's rate), and
 * this one serves the usual questions. A capture has few processes, so
 * SQLite reads a time range through it with a skip-scan (one seek per
 * pid, which ANALYZE's statistics allow); a pid's latest call of a name
 * before a time (how the importer finds a job's submit) walks back from
 * that time. A name alone is a scan of the narrow ioctl_call rows (about
 * 50 ns a call).
 */
static const char *const schema_indexes[] = {
	"ioctl_call_by_pid ON ioctl_call(pid, begin_ns)",
	"ioctl_payload_by_ioctl ON ioctl_payload(ioctl_id, direction, idx)",
	"fd_by_pid ON fd(pid, fd)",
	"gem_by_handle ON gem_object(device_id, handle)",
	"vm_bind_op_by_ioctl ON vm_bind_op(ioctl_id)",
	"vm_bind_op_by_vm ON vm_bind_op(vm_id, va)",
	"job_by_queue ON job(queue_id, seqno)",
	"job_by_submit ON job(submit_ioctl_id)",
	"fw_message_by_time ON fw_message(ns)",
	"fw_message_by_function ON fw_message(function_name)",
	"kernel_event_by_time ON kernel_event(ns)",
	"kernel_event_by_name ON kernel_event(system, name)",
	"buffer_snapshot_by_ioctl ON buffer_snapshot(ioctl_id)",
	"run_call_by_run ON run_call(run_id, ioctl_id)",
	"run_job_by_run ON run_job(run_id, queue_id, seqno)",
};

/*
 * Drop every view drmscope made. A name is dropped only if it is a view:
 * ioctl was a table up to version 4.
 */
static int drop_views(struct ds_db *db)
{
	char sql[128];
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(schema_views); i++) {
		rc = dsdb_schema_has(db, ST_HAS_VIEW, schema_views[i].name);
		if (rc <= 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		snprintf(sql, sizeof(sql), "DROP VIEW %s", schema_views[i].name);
		rc = dsdb_exec(db, sql, "dropping a view");
		if (rc)
			return rc;
	}
	return DS_DB_OK;
}

static int create_views(struct ds_db *db)
{
	char sql[2048];
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(schema_views); i++) {
		if (!schema_views[i].body)
			continue;
		snprintf(sql, sizeof(sql), "CREATE VIEW %s AS %s",
			 schema_views[i].name, schema_views[i].body);
		rc = dsdb_exec(db, sql, schema_views[i].name);
		if (rc)
			return rc;
	}
	return DS_DB_OK;
}

/*
 * Run the steps after version @from and stamp the file, in one transaction.
 * A step that rebuilds a table drops its indexes: a file that had them all
 * (an import that was finished) gets them back, and fresh statistics.
 */
static int migrate_steps(struct ds_db *db, int from)
{
	char sql[96];
	int indexed = 0;
	size_t i;
	int rc;

	/* RENAME TABLE must rewrite the REFERENCES of other tables (v5). */
	rc = dsdb_exec(db, "PRAGMA legacy_alter_table = OFF", "migrating the schema");
	if (rc)
		return rc;
	if (from > 0) {
		indexed = ds_db_has_indexes(db);
		if (indexed < 0)
			return indexed;
	}
	rc = drop_views(db);
	for (i = 0; !rc && i < ARRAY_SIZE(schema_steps); i++) {
		if (schema_steps[i].version <= from)
			continue;
		rc = dsdb_exec(db, schema_steps[i].sql, "migrating the schema");
	}
	if (!rc)
		rc = create_views(db);
	if (!rc && indexed)
		rc = dsdb_create_indexes(db);
	if (!rc) {
		snprintf(sql, sizeof(sql),
			 "PRAGMA application_id = %d; PRAGMA user_version = %d",
			 DS_DB_APPLICATION_ID, DS_DB_SCHEMA_VERSION);
		rc = dsdb_exec(db, sql, "stamping the schema version");
	}
	return rc;
}

/*
 * Bring a database at schema version @from (0: empty) to the current one.
 * All or nothing: on failure the file is left as it was.
 */
int dsdb_migrate(struct ds_db *db, int from)
{
	int rc;

	if (from == DS_DB_SCHEMA_VERSION)
		return DS_DB_OK;
	if (from < 0 || from > DS_DB_SCHEMA_VERSION)
		return dsdb_error(db, DS_DB_INVALID, "%s: cannot migrate from schema version %d",
				  db->path, from);
	rc = ds_db_commit(db);
	if (rc)
		return rc;
	rc = dsdb_exec(db, "BEGIN IMMEDIATE", "starting the migration");
	if (rc)
		return rc;
	rc = migrate_steps(db, from);
	if (rc) {
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	rc = dsdb_exec(db, "COMMIT", "committing the migration");
	if (rc)
		return rc;
	db->version = DS_DB_SCHEMA_VERSION;
	return DS_DB_OK;
}

/* The indexes (IF NOT EXISTS: it may run again), then ANALYZE. */
int dsdb_create_indexes(struct ds_db *db)
{
	char sql[160];
	size_t i;
	int rc = DS_DB_OK;

	for (i = 0; !rc && i < ARRAY_SIZE(schema_indexes); i++) {
		snprintf(sql, sizeof(sql), "CREATE INDEX IF NOT EXISTS %s", schema_indexes[i]);
		rc = dsdb_exec(db, sql, "creating an index");
	}
	/*
	 * Statistics from a sample of each index (1000 rows) instead of
	 * every row: the query planner needs only their rough shape, and a
	 * full ANALYZE was a fifth of the index phase of an import.
	 */
	if (!rc)
		rc = dsdb_exec(db, "PRAGMA analysis_limit = 1000; ANALYZE", "ANALYZE");
	return rc;
}

int ds_db_has_indexes(struct ds_db *db)
{
	char name[64], table[64];
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(schema_indexes); i++) {
		if (sscanf(schema_indexes[i], "%63s ON %63[a-z_]", name, table) != 2)
			return dsdb_error(db, DS_DB_ERROR, "bad index definition");
		rc = ds_db_has_table(db, table);
		if (rc <= 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		rc = dsdb_schema_has(db, ST_HAS_INDEX, name);
		if (rc <= 0)
			return rc;
	}
	return 1;
}
