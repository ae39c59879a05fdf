/*
 * tests/db/test_db.c: unit tests of the trace database layer (lib/db) on
 * real SQLite files in a temporary directory.
 *
 * Covered: the schema a new file gets (user_version, application_id,
 * tables, views); every writer function, read back with plain SQL; batching
 * over 100k rows; indexes after the import; blobs (stored once, compressed,
 * checked against their hash, bounded, and compared with a simple reference
 * model); the defensive reader against a missing path, a directory, a
 * non-SQLite file, a foreign SQLite file, truncated and corrupt drmscope
 * files, an older and a newer schema; migrations from version 0, 1, 2, 3
 * and 4 fixtures and from a real version 3 capture (every row kept), and
 * one that fails and must leave the file as it was; and that every table,
 * view and column is documented in docs/schema.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <drmscope/db.h>
#include <drmscope/version.h>

static char tmpdir[1024];

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */
/* ---------------------------------------------------------------------- */

static const char *tpath(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", tmpdir, name);
	return buf;
}

static int group_setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/drmscope-test-db-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	dir = opendir(tmpdir);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		tpath(path, de->d_name);
		if (unlink(path) < 0)
			rmdir(path);
	}
	closedir(dir);
	return rmdir(tmpdir);
}

/* A plain SQLite connection for checking what the writer wrote. */
static sqlite3 *raw_open(const char *path)
{
	sqlite3 *s = NULL;

	assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	return s;
}

static void raw_exec(sqlite3 *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* The first column of the first row of @sql, as an integer. */
static int64_t qi(sqlite3 *s, const char *fmt, ...)
{
	sqlite3_stmt *st;
	char sql[1024];
	va_list ap;
	int64_t v;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(s));
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row", sql);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The same as text ("NULL" for NULL), into a static buffer. */
static const char *qs(sqlite3 *s, const char *fmt, ...)
{
	static char out[1024];
	sqlite3_stmt *st;
	char sql[1024];
	const unsigned char *t;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(s));
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row", sql);
	t = sqlite3_column_text(st, 0);
	snprintf(out, sizeof(out), "%s", t ? (const char *)t : "NULL");
	sqlite3_finalize(st);
	return out;
}

static struct ds_db *create(const char *path)
{
	struct ds_db *db;
	int rc = ds_db_create(path, &db);

	if (rc)
		fail_msg("ds_db_create(%s): %d %s", path, rc, ds_db_errmsg(db));
	return db;
}

static void close_ok(struct ds_db *db)
{
	assert_int_equal(ds_db_close(db), DS_DB_OK);
}

/* Open @path for reading; expect @want, and @msg in the message if any. */
static void expect_read(const char *path, unsigned int flags, int want, const char *msg)
{
	struct ds_db *db;
	int rc = ds_db_open_read(path, flags, &db);

	if (rc != want)
		fail_msg("open_read(%s) = %d, want %d: %s", path, rc, want, ds_db_errmsg(db));
	if (msg && !strstr(ds_db_errmsg(db), msg))
		fail_msg("open_read(%s): message '%s' lacks '%s'", path, ds_db_errmsg(db), msg);
	ds_db_close(db);
}

static void expect_write(const char *path, int want, const char *msg)
{
	struct ds_db *db;
	int rc = ds_db_open_write(path, &db);

	if (rc != want)
		fail_msg("open_write(%s) = %d, want %d: %s", path, rc, want, ds_db_errmsg(db));
	if (msg && !strstr(ds_db_errmsg(db), msg))
		fail_msg("open_write(%s): message '%s' lacks '%s'", path, ds_db_errmsg(db), msg);
	ds_db_close(db);
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static off_t file_size(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* A small database with a few ioctls, made through the writer. */
static void make_small(const char *path, int ioctls)
{
	struct ds_db *db = create(path);
	struct ds_db_ioctl io = { 0 };
	uint32_t arg = 7;
	int i;

	assert_int_equal(ds_db_set_capture(db, &(struct ds_db_capture){ .host = "h" }), 0);
	for (i = 0; i < ioctls; i++) {
		io.pid = 10;
		io.tid = 10;
		io.request = 0xc0106400 + (i % 3);
		io.name = i % 3 ? "SIMGPU_SUBMIT" : "DRM_IOCTL_VERSION";
		io.begin_ns = 1000 + 10 * i;
		io.end_ns = 1005 + 10 * i;
		io.in = &arg;
		io.in_size = sizeof(arg);
		assert_true(ds_db_insert_ioctl(db, &io) > 0);
	}
	close_ok(db);
}

/* ---------------------------------------------------------------------- */
/* Schema                                                                  */
/* ---------------------------------------------------------------------- */

static const char *const all_tables[] = {
	"capture", "driver", "process", "thread", "device", "fd", "ioctl_call",
	"ioctl_name", "ioctl_payload", "gem_object", "vm", "vm_bind_op", "queue",
	"job", "fw_message", "kernel_event", "blob", "buffer_snapshot", "run",
	"run_call", "run_job", NULL,
};

static const char *const all_views[] = {
	"ioctl", "ioctl_detail", "ioctl_summary", "ioctl_errors", "gem_lifetime",
	"job_timing", "queue_summary", "fw_summary", "kernel_event_summary",
	"run_call_detail", "run_summary", NULL,
};

static void test_create_stamps_schema(void **state)
{
	char path[PATH_MAX];
	struct ds_db *db;
	sqlite3 *s;
	int i;

	close_ok(create(tpath(path, "new.db")));
	s = raw_open(path);
	assert_int_equal(qi(s, "PRAGMA user_version"), DS_DB_SCHEMA_VERSION);
	assert_int_equal(qi(s, "PRAGMA application_id"), DS_DB_APPLICATION_ID);
	assert_string_equal(qs(s, "PRAGMA journal_mode"), "delete");
	for (i = 0; all_tables[i]; i++)
		assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema"
				    " WHERE type = 'table' AND name = '%s'", all_tables[i]), 1);
	for (i = 0; all_views[i]; i++)
		assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema"
				    " WHERE type = 'view' AND name = '%s'", all_views[i]), 1);
	/* Every view compiles against the tables. */
	for (i = 0; all_views[i]; i++)
		assert_int_equal(qi(s, "SELECT count(*) FROM %s", all_views[i]), 0);
	/* No secondary index before the import is finished. */
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
			    " AND sql IS NOT NULL"), 0);
	assert_int_equal(qi(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	sqlite3_close(s);

	assert_int_equal(ds_db_open_read(path, 0, &db), DS_DB_OK);
	assert_int_equal(ds_db_schema_version(db), DS_DB_SCHEMA_VERSION);
	assert_string_equal(ds_db_path(db), path);
	assert_int_equal(ds_db_has_table(db, "ioctl"), 1);
	assert_int_equal(ds_db_has_table(db, "ioctl_summary"), 1);
	assert_int_equal(ds_db_has_table(db, "no_such_table"), 0);
	assert_int_equal(ds_db_has_indexes(db), 0);
	close_ok(db);
}

static void test_create_refuses_existing(void **state)
{
	char path[PATH_MAX];
	struct ds_db *db;

	make_small(tpath(path, "exists.db"), 1);
	assert_int_equal(ds_db_create(path, &db), DS_DB_EXISTS);
	assert_non_null(strstr(ds_db_errmsg(db), "already exists"));
	ds_db_close(db);
	/* The file is untouched. */
	expect_read(path, 0, DS_DB_OK, NULL);

	/* An empty file (from mkstemp, say) may be used. */
	write_file(tpath(path, "empty-ok.db"), "", 0);
	close_ok(create(path));
	expect_read(path, 0, DS_DB_OK, NULL);
}

/* ---------------------------------------------------------------------- */
/* Writing and reading back                                                */
/* ---------------------------------------------------------------------- */

static void test_insert_read_back(void **state)
{
	static const unsigned char in[] = { 1, 2, 3, 4 }, out[] = { 5, 6, 7, 8, 9 };
	static const unsigned char arr[] = { 0xaa, 0xbb };
	char path[PATH_MAX], hash[DS_DB_HASH_HEX_LEN + 1];
	int64_t dev, fd, io, gem, vm, q, job, run;
	struct ds_db *db = create(tpath(path, "rows.db"));
	sqlite3 *s;

	assert_int_equal(ds_db_set_capture(db, &(struct ds_db_capture){
		.host = "box", .kernel_release = "6.12.9", .machine = "x86_64",
		.command_line = "kmscube -c 60", .source = "record",
		.start_ns = 100, .end_ns = 900, .start_unix_ns = 1700000000000000000LL,
		.lost_events = 2 }), DS_DB_OK);
	assert_int_equal(ds_db_add_lost_events(db, 3), DS_DB_OK);
	dev = ds_db_insert_device(db, &(struct ds_db_device){
		.path = "/dev/dri/renderD128", .major = 226, .minor = 128, .driver = "simgpu" });
	assert_int_equal(dev, 1);
	assert_int_equal(ds_db_put_process(db, &(struct ds_db_process){
		.pid = 42, .ppid = 1, .comm = "wl", .start_ns = 110 }), 42);
	assert_int_equal(ds_db_put_thread(db, &(struct ds_db_thread){
		.tid = 43, .pid = 42, .name = "worker", .start_ns = 120 }), 43);
	fd = ds_db_insert_fd(db, &(struct ds_db_fd){
		.pid = 42, .fd = 3, .device_id = dev, .opened_ns = 130, .how = DS_DB_FD_OPEN,
		.flags = 02 });
	assert_true(fd > 0);
	io = ds_db_insert_ioctl(db, &(struct ds_db_ioctl){
		.tid = 43, .pid = 42, .fd = 3, .fd_id = fd, .device_id = dev,
		.request = 0xc0406400, .name = "DRM_IOCTL_VERSION", .driver = "drm",
		.begin_ns = 140, .end_ns = 150, .ret = 0, .err = 0,
		.in = in, .in_size = sizeof(in), .out = out, .out_size = sizeof(out) });
	assert_int_equal(io, 1);
	assert_true(ds_db_insert_payload(db, &(struct ds_db_payload){
		.ioctl_id = io, .dir = DS_DB_PAYLOAD_ARRAY_OUT, .idx = 0, .field = "name",
		.bytes = arr, .size = sizeof(arr) }) > 0);
	assert_int_equal(ds_db_put_driver(db, &(struct ds_db_driver){
		.device_id = dev, .name = "simgpu", .major = 1, .minor = 2, .patchlevel = 3,
		.date = "20250101", .desc = "simulated GPU", .ioctl_id = io }), dev);
	gem = ds_db_insert_gem(db, &(struct ds_db_gem){
		.device_id = dev, .fd_id = fd, .handle = 1, .size = 4096, .flags = 0,
		.created_ns = 160, .create_ioctl_id = io });
	assert_int_equal(ds_db_set_gem_mmap_offset(db, gem, 0x100000000ULL), DS_DB_OK);
	vm = ds_db_insert_vm(db, &(struct ds_db_vm){
		.device_id = dev, .fd_id = fd, .handle = 1, .created_ns = 170 });
	assert_true(ds_db_insert_vm_bind_op(db, &(struct ds_db_vm_bind_op){
		.ioctl_id = io, .vm_id = vm, .op = DS_DB_BIND_MAP, .va = 0xffff800000000000ULL,
		.range = 4096, .bo_handle = 1, .gem_id = gem, .ns = 175 }) > 0);
	q = ds_db_insert_queue(db, &(struct ds_db_queue){
		.vm_id = vm, .device_id = dev, .handle = 7, .priority = 1, .created_ns = 180 });
	job = ds_db_insert_job(db, &(struct ds_db_job){
		.queue_id = q, .seqno = 1, .submit_ioctl_id = io, .submit_ns = 200 });
	assert_int_equal(ds_db_job_ran(db, job, 250), DS_DB_OK);
	assert_int_equal(ds_db_job_done(db, job, 400, -5, "00112233445566778899aabbccddeeff"),
			 DS_DB_OK);
	assert_true(ds_db_insert_fw_message(db, &(struct ds_db_fw_message){
		.device_id = dev, .ring = 0, .seq = 9, .function = 3, .function_name = "RUN_JOB",
		.length = 32, .abi_version = 2, .ns = 260, .dir = DS_DB_FW_SEND,
		.payload_json = "{\"job\":1}" }) > 0);
	assert_true(ds_db_insert_kernel_event(db, &(struct ds_db_kernel_event){
		.ns = 270, .cpu = 1, .pid = 42, .system = "dma_fence",
		.name = "dma_fence_signaled", .fields_json = "{\"seqno\":1}" }) > 0);
	assert_int_equal(ds_db_put_blob(db, "contents", 8, hash), 1);
	assert_true(ds_db_insert_snapshot(db, &(struct ds_db_snapshot){
		.ioctl_id = io, .ns = 199, .device_id = dev, .gem_id = gem, .handle = 1,
		.size = 8, .blob_hash = hash }) > 0);
	assert_int_equal(ds_db_set_end(db, DS_DB_END_FD, fd, 500), DS_DB_OK);
	assert_int_equal(ds_db_set_end(db, DS_DB_END_GEM, gem, 480), DS_DB_OK);
	assert_int_equal(ds_db_set_end(db, DS_DB_END_VM, vm, 490), DS_DB_OK);
	assert_int_equal(ds_db_set_end(db, DS_DB_END_QUEUE, q, 470), DS_DB_OK);
	run = ds_db_insert_run(db, &(struct ds_db_run){
		.label = "fast", .driver_name = "simgpu", .driver_version = "1.2.3",
		.kernel_release = "6.12.9", .module_params = "slow=0", .start_unix_ns = 5 });
	assert_true(ds_db_insert_run_call(db, &(struct ds_db_run_call){
		.run_id = run, .ioctl_id = io, .begin_ns = 10, .end_ns = 30, .ret = -1, .err = 22,
		.mismatch = "ret 0 -> -1" }) > 0);
	assert_true(ds_db_insert_run_job(db, &(struct ds_db_run_job){
		.run_id = run, .queue_id = q, .job_id = job, .seqno = 1, .submit_ns = 11,
		.run_ns = 12, .done_ns = 20, .result = 0 }) > 0);
	assert_int_equal(ds_db_set_end(db, DS_DB_END_RUN, run, 6), DS_DB_OK);
	close_ok(db);

	s = raw_open(path);
	assert_string_equal(qs(s, "SELECT host || '|' || kernel_release || '|' || machine"
			       " || '|' || command_line || '|' || source || '|' || clock"
			       " FROM capture"), "box|6.12.9|x86_64|kmscube -c 60|record|monotonic");
	assert_int_equal(qi(s, "SELECT lost_events FROM capture"), 5);
	assert_int_equal(qi(s, "SELECT start_unix_ns FROM capture"), 1700000000000000000LL);
	assert_string_equal(qs(s, "SELECT drmscope_version FROM capture"), DRMSCOPE_VERSION);
	assert_string_equal(qs(s, "SELECT name || ' ' || major || '.' || minor || '.' || patchlevel"
			       " || ' ' || date || ' ' || description FROM driver WHERE device_id = 1"),
			    "simgpu 1.2.3 20250101 simulated GPU");
	assert_string_equal(qs(s, "SELECT path || ' ' || major || ':' || minor || ' ' || driver"
			       " FROM device"), "/dev/dri/renderD128 226:128 simgpu");
	assert_string_equal(qs(s, "SELECT how FROM fd"), "open");
	assert_int_equal(qi(s, "SELECT closed_ns FROM fd"), 500);
	assert_string_equal(qs(s, "SELECT name || ' ' || driver || ' ' || request || ' ' || ret"
			       " || ' ' || errno || ' ' || (end_ns - begin_ns) FROM ioctl"),
			    "DRM_IOCTL_VERSION drm 3225445376 0 0 10");
	/* The call's row holds its in/out bytes and the id of its name. */
	assert_string_equal(qs(s, "SELECT hex(in_bytes) || ' ' || hex(out_bytes) FROM ioctl"),
			    "01020304 0506070809");
	assert_string_equal(qs(s, "SELECT hex(c.in_bytes) || ' ' || n.name || ' ' || n.driver"
			       " FROM ioctl_call c JOIN ioctl_name n ON n.id = c.name_id"),
			    "01020304 DRM_IOCTL_VERSION drm");
	assert_string_equal(qs(s, "SELECT direction || ' ' || field || ' ' || hex(bytes)"
			       " FROM ioctl_payload WHERE direction = 'array_out'"), "array_out name AABB");
	/* ioctl_payload holds the arrays only. */
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl_payload WHERE ioctl_id = 1"), 1);
	assert_int_equal(qi(s, "SELECT mmap_offset FROM gem_object"), 0x100000000LL);
	assert_int_equal(qi(s, "SELECT freed_ns - created_ns FROM gem_object"), 320);
	assert_int_equal(qi(s, "SELECT destroyed_ns FROM vm"), 490);
	assert_string_equal(qs(s, "SELECT op || ' ' || printf('%%x', va) || ' ' || range"
			       " || ' ' || bo_handle FROM vm_bind_op"), "map ffff800000000000 4096 1");
	assert_int_equal(qi(s, "SELECT destroyed_ns FROM queue"), 470);
	assert_string_equal(qs(s, "SELECT wait_ns || ' ' || exec_ns || ' ' || total_ns || ' '"
			       " || result || ' ' || queue_handle FROM job_timing"),
			    "50 150 200 -5 7");
	assert_string_equal(qs(s, "SELECT function_name || ' ' || direction || ' ' || payload"
			       " FROM fw_message"), "RUN_JOB send {\"job\":1}");
	assert_int_equal(qi(s, "SELECT raw IS NULL FROM fw_message"), 1);
	assert_int_equal(qi(s, "SELECT run_id IS NULL FROM fw_message"), 1);
	assert_int_equal(qi(s, "SELECT run_id IS NULL FROM kernel_event"), 1);
	assert_string_equal(qs(s, "SELECT json_extract(fields, '$.seqno') || ' ' || system"
			       " FROM kernel_event"), "1 dma_fence");
	assert_string_equal(qs(s, "SELECT blob_hash FROM buffer_snapshot"), hash);
	assert_string_equal(qs(s, "SELECT label || ' ' || end_unix_ns || ' ' || module_params"
			       " FROM run"), "fast 6 slow=0");
	assert_string_equal(qs(s, "SELECT calls || ' ' || mismatches || ' ' || errors || ' '"
			       " || jobs FROM run_summary"), "1 1 1 1");
	assert_string_equal(qs(s, "SELECT name || ' ' || captured_ns || ' ' || replay_ns"
			       " FROM run_call_detail"), "DRM_IOCTL_VERSION 10 20");
	assert_string_equal(qs(s, "SELECT comm || ' ' || device_path || ' ' || request_hex"
			       " FROM ioctl_detail"), "wl /dev/dri/renderD128 0xc0406400");
	/* What was written is consistent with the declared foreign keys. */
	assert_int_equal(qi(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	sqlite3_close(s);
}

static void test_process_merge(void **state)
{
	char path[PATH_MAX];
	struct ds_db *db = create(tpath(path, "proc.db"));
	sqlite3 *s;

	/* fork, exec, exit: each says what it knows. */
	assert_int_equal(ds_db_put_process(db, &(struct ds_db_process){
		.pid = 7, .ppid = 1, .start_ns = 10 }), 7);
	assert_int_equal(ds_db_put_process(db, &(struct ds_db_process){
		.pid = 7, .comm = "app", .exe = "/bin/app", .argv_json = "[\"app\",\"-x\"]" }), 7);
	assert_int_equal(ds_db_put_process(db, &(struct ds_db_process){
		.pid = 7, .end_ns = 99, .exited = true, .exit_code = 3 }), 7);
	assert_int_equal(ds_db_put_process(db, &(struct ds_db_process){
		.pid = 8, .exited = true, .exit_signal = 9 }), 8);
	assert_int_equal(ds_db_put_thread(db, &(struct ds_db_thread){ .tid = 7, .pid = 7 }), 7);
	assert_int_equal(ds_db_put_thread(db, &(struct ds_db_thread){ .tid = 7, .name = "main" }), 7);
	/* Invalid rows are refused with a message. */
	assert_int_equal(ds_db_put_process(db, &(struct ds_db_process){ .pid = 0 }), DS_DB_INVALID);
	assert_int_equal(ds_db_insert_fd(db, &(struct ds_db_fd){ .how = 99 }), DS_DB_INVALID);
	assert_int_equal(ds_db_insert_ioctl(db, NULL), DS_DB_INVALID);
	assert_non_null(strstr(ds_db_errmsg(db), "invalid"));
	close_ok(db);

	s = raw_open(path);
	assert_string_equal(qs(s, "SELECT ppid || ' ' || comm || ' ' || exe || ' ' || start_ns"
			       " || ' ' || end_ns || ' ' || exit_code || ' ' || coalesce(exit_signal, '-')"
			       " FROM process WHERE pid = 7"), "1 app /bin/app 10 99 3 -");
	assert_string_equal(qs(s, "SELECT json_extract(argv, '$[1]') FROM process WHERE pid = 7"),
			    "-x");
	assert_string_equal(qs(s, "SELECT coalesce(exit_code, '-') || ' ' || exit_signal"
			       " FROM process WHERE pid = 8"), "- 9");
	assert_string_equal(qs(s, "SELECT pid || ' ' || name FROM thread"), "7 main");
	sqlite3_close(s);
}

static void test_ioctl_ids_and_unfinished(void **state)
{
	char path[PATH_MAX];
	struct ds_db *db = create(tpath(path, "ids.db"));
	struct ds_db_ioctl io = { .request = 0x6400, .begin_ns = 5, .end_ns = 6, .ret = -1,
				  .err = 22 };
	sqlite3 *s;

	assert_int_equal(ds_db_insert_ioctl(db, &io), 1);
	io.id = 10;
	assert_int_equal(ds_db_insert_ioctl(db, &io), 10);
	/* A duplicate id fails, and writes nothing under it. */
	io.in = "x";
	io.in_size = 1;
	assert_true(ds_db_insert_ioctl(db, &io) < 0);
	assert_non_null(strstr(ds_db_errmsg(db), "ioctl"));
	io.id = 0;
	io.end_ns = 0;			/* never returned: no ret, no errno */
	assert_int_equal(ds_db_insert_ioctl(db, &io), 11);
	/* In/out arguments of no bytes are recorded as empty, not as none. */
	io.in = "";
	io.in_size = 0;
	io.name = "DRM_IOCTL_GEM_CLOSE";
	io.driver = "drm";
	assert_int_equal(ds_db_insert_ioctl(db, &io), 12);
	close_ok(db);

	/* A new handle continues after the largest id, and knows the names. */
	assert_int_equal(ds_db_open_write(path, &db), DS_DB_OK);
	io.in = NULL;
	assert_int_equal(ds_db_insert_ioctl(db, &io), 13);
	io.name = NULL;
	io.driver = NULL;
	assert_int_equal(ds_db_insert_ioctl(db, &io), 14);
	close_ok(db);

	s = raw_open(path);
	assert_string_equal(qs(s, "SELECT name FROM ioctl WHERE id = 1"), "IOCTL_0x00006400");
	assert_string_equal(qs(s, "SELECT ret || ' ' || errno FROM ioctl WHERE id = 10"), "-1 22");
	assert_string_equal(qs(s, "SELECT coalesce(ret, 'null') || ' ' || coalesce(end_ns, 'null')"
			       " FROM ioctl WHERE id = 11"), "null null");
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl_payload"), 0);
	assert_string_equal(qs(s, "SELECT group_concat(id || ':' || iif(in_bytes IS NULL, 'null',"
			       " hex(in_bytes)), ' ') FROM ioctl"),
			    "1:null 10:null 11:78 12: 13:null 14:null");
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl WHERE out_bytes IS NOT NULL"), 0);
	/* Each (name, driver) once, with a NULL driver as a value of its own. */
	assert_string_equal(qs(s, "SELECT group_concat(id || ' ' || name || ' '"
			       " || coalesce(driver, 'null'), ', ') FROM ioctl_name"),
			    "1 IOCTL_0x00006400 null, 2 DRM_IOCTL_GEM_CLOSE drm");
	assert_string_equal(qs(s, "SELECT group_concat(name_id, ' ') FROM ioctl_call"),
			    "1 1 1 2 2 1");
	assert_string_equal(qs(s, "SELECT name || ' ' || count || ' ' || errors || ' ' || unfinished"
			       " FROM ioctl_summary WHERE driver IS NULL"),
			    "IOCTL_0x00006400 4 2 2");
	sqlite3_close(s);
}

/*
 * The writer's map of ioctl names against a reference model (a list of the
 * pairs in the order first seen, whose ids are 1, 2, ...): 3000 calls over
 * 600 pairs (the map grows three times), each name with a NULL driver, ""
 * and "drm", names that differ by one letter; half way, a new handle that
 * reads the map back from the file.
 */
static void test_name_map_reference_model(void **state)
{
	enum { PAIRS = 600, CALLS = 3000 };
	static const char *const drivers[3] = { NULL, "", "drm" };
	static char names[PAIRS / 3][24];
	static int model[PAIRS], pair_of_call[CALLS];
	char path[PATH_MAX];
	struct ds_db_ioctl io = { .request = 0x6400 };
	unsigned int seed = 11;
	struct ds_db *db;
	int i, k, n = 0;
	sqlite3 *s;

	for (i = 0; i < PAIRS / 3; i++)
		snprintf(names[i], sizeof(names[i]), "IOCTL_%c%d", 'A' + i % 3, i / 3);
	db = create(tpath(path, "names.db"));
	for (i = 0; i < CALLS; i++) {
		k = rand_r(&seed) % PAIRS;
		if (i == CALLS / 2) {
			close_ok(db);
			assert_int_equal(ds_db_open_write(path, &db), DS_DB_OK);
		}
		io.name = names[k / 3];
		io.driver = drivers[k % 3];
		if (!model[k])
			model[k] = ++n;
		pair_of_call[i] = k;
		assert_int_equal(ds_db_insert_ioctl(db, &io), i + 1);
	}
	close_ok(db);

	s = raw_open(path);
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl_name"), n);
	for (k = 0; k < PAIRS; k++) {
		const char *d = drivers[k % 3];

		if (model[k] && qi(s, "SELECT count(*) FROM ioctl_name WHERE id = %d"
				   " AND name = '%s' AND driver IS %s%s%s", model[k], names[k / 3],
				   d ? "'" : "", d ? d : "NULL", d ? "'" : "") != 1)
			fail_msg("pair %d (%s, %s) is not ioctl_name %d", k, names[k / 3],
				 d ? d : "NULL", model[k]);
	}
	for (i = 0; i < CALLS; i++)
		if (qi(s, "SELECT name_id FROM ioctl_call WHERE id = %d", i + 1) !=
		    model[pair_of_call[i]])
			fail_msg("call %d: name_id %lld, want %d", i + 1,
				 (long long)qi(s, "SELECT name_id FROM ioctl_call WHERE id = %d", i + 1),
				 model[pair_of_call[i]]);
	sqlite3_close(s);
}

static void test_updates_of_missing_rows(void **state)
{
	char path[PATH_MAX];
	struct ds_db *db = create(tpath(path, "upd.db"));

	assert_int_equal(ds_db_set_end(db, DS_DB_END_GEM, 99, 1), DS_DB_NOTFOUND);
	assert_non_null(strstr(ds_db_errmsg(db), "no gem_object row with id 99"));
	assert_int_equal(ds_db_job_ran(db, 5, 1), DS_DB_NOTFOUND);
	assert_int_equal(ds_db_set_gem_mmap_offset(db, 3, 4096), DS_DB_NOTFOUND);
	assert_int_equal(ds_db_set_end(db, (enum ds_db_lifetime)42, 1, 1), DS_DB_INVALID);
	assert_int_equal(ds_db_insert_run_call(db, &(struct ds_db_run_call){ .run_id = 0 }),
			 DS_DB_INVALID);
	/* The handle still works after refusals. */
	assert_true(ds_db_insert_device(db, &(struct ds_db_device){ .path = "/dev/dri/card0" }) > 0);
	close_ok(db);
}

/* Does SQLite's plan for @sql mention @index? */
static bool plan_uses(sqlite3 *s, const char *sql, const char *index)
{
	char eqp[512];
	sqlite3_stmt *st;
	bool found = false;

	snprintf(eqp, sizeof(eqp), "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(s, eqp, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (strstr((const char *)sqlite3_column_text(st, 3), index))
			found = true;
	sqlite3_finalize(st);
	return found;
}

static void test_bulk_100k_batched(void **state)
{
	static const char *const names[8] = {
		"SIMGPU_SUBMIT", "SIMGPU_BO_CREATE", "SIMGPU_VM_BIND", "GEM_CLOSE",
		"SYNCOBJ_WAIT", "SIMGPU_BO_MMAP_OFFSET", "SIMGPU_QUEUE_CREATE", "VERSION",
	};
	char path[PATH_MAX];
	struct ds_db *db = create(tpath(path, "bulk.db"));
	struct ds_db_ioctl io = { .pid = 1, .tid = 1, .fd = 3, .driver = "simgpu",
				  .request = 0xc0286442 };
	uint64_t args[5] = { 1, 2, 3, 4, 5 };
	struct timespec t0, t1;
	double secs;
	sqlite3 *s;
	int i;

	ds_db_set_batch(db, 10000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 100000; i++) {
		io.name = names[i % 8];
		io.begin_ns = 1000000 + 100 * (int64_t)i;
		io.end_ns = io.begin_ns + 40 + i % 7;
		io.ret = i % 100 ? 0 : -1;
		io.err = i % 100 ? 0 : 16;
		io.in = args;
		io.in_size = sizeof(args);
		io.out = i % 2 ? args : NULL;
		io.out_size = sizeof(args);
		args[0] = i;
		if (ds_db_insert_ioctl(db, &io) != i + 1)
			fail_msg("row %d: %s", i, ds_db_errmsg(db));
	}
	assert_int_equal(ds_db_commit(db), DS_DB_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("100000 ioctls (150000 in/out payloads) in %.3f s: %.0f ioctls/s\n",
		      secs, 100000 / secs);
	assert_int_equal(ds_db_has_indexes(db), 0);
	assert_int_equal(ds_db_finish_import(db), DS_DB_OK);
	assert_int_equal(ds_db_has_indexes(db), 1);
	assert_int_equal(ds_db_finish_import(db), DS_DB_OK);	/* again: harmless */
	close_ok(db);

	s = raw_open(path);
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl"), 100000);
	assert_int_equal(qi(s, "SELECT count(in_bytes) + count(out_bytes) FROM ioctl_call"), 150000);
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl_payload"), 0);
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl_name"), 8);
	assert_int_equal(qi(s, "SELECT sum(errors) FROM ioctl_summary"), 1000);
	assert_int_equal(qi(s, "SELECT count FROM ioctl_summary WHERE name = 'VERSION'"), 12500);
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_stat1"
			    " WHERE idx = 'ioctl_call_by_pid'"), 1);
	/* The reports' queries on the view use the indexes. */
	assert_true(plan_uses(s, "SELECT * FROM ioctl WHERE begin_ns BETWEEN 5 AND 9",
			      "ioctl_call_by_pid (ANY(pid) AND begin_ns>? AND begin_ns<?)"));
	assert_true(plan_uses(s, "SELECT id FROM ioctl WHERE pid = 1 AND begin_ns > 5",
			      "ioctl_call_by_pid"));
	assert_true(plan_uses(s, "SELECT * FROM ioctl WHERE name = 'SIMGPU_SUBMIT'",
			      "sqlite_autoindex_ioctl_name_1 (name=?)"));
	/*
	 * A time range of a name, or a pid's latest call of a name (as the
	 * importer looks up a job's submit), is read by time.
	 */
	assert_true(plan_uses(s, "SELECT id FROM ioctl WHERE name = 'SIMGPU_SUBMIT'"
			      " AND begin_ns BETWEEN 5000000 AND 5001000",
			      "ioctl_call_by_pid (ANY(pid) AND begin_ns>? AND begin_ns<?)"));
	assert_true(plan_uses(s, "SELECT id FROM ioctl WHERE pid = 1 AND tid = 1"
			      " AND name = 'SIMGPU_SUBMIT' AND begin_ns <= 5000000"
			      " ORDER BY begin_ns DESC LIMIT 1", "ioctl_call_by_pid"));
	assert_true(plan_uses(s, "SELECT * FROM ioctl WHERE id = 5",
			      "USING INTEGER PRIMARY KEY (rowid=?)"));
	assert_false(plan_uses(s, "SELECT * FROM ioctl WHERE id = 5", "SCAN"));
	/* A query that reads no name does not join ioctl_name. */
	assert_false(plan_uses(s, "SELECT id, begin_ns FROM ioctl WHERE pid = 1", "LEFT-JOIN"));
	assert_true(plan_uses(s, "SELECT name FROM ioctl WHERE pid = 1", "LEFT-JOIN"));
	assert_true(plan_uses(s, "SELECT * FROM ioctl_payload WHERE ioctl_id = 5",
			      "ioctl_payload_by_ioctl"));
	/* Row 77777's argument bytes round-trip; the row before had no out bytes. */
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl WHERE id = 77778"
			    " AND substr(in_bytes, 1, 8) = x'd12f010000000000'"
			    " AND out_bytes = in_bytes"), 1);
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl WHERE id = 77777"
			    " AND length(in_bytes) = 40 AND out_bytes IS NULL"), 1);
	sqlite3_close(s);
}

/* ---------------------------------------------------------------------- */
/* Blobs                                                                   */
/* ---------------------------------------------------------------------- */

static void fill_random(unsigned char *p, size_t n, unsigned int *seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(rand_r(seed) >> 7);
}

static void test_blob_dedup_and_compression(void **state)
{
	char path[PATH_MAX], h1[DS_DB_HASH_HEX_LEN + 1], h2[DS_DB_HASH_HEX_LEN + 1];
	char h3[DS_DB_HASH_HEX_LEN + 1], h4[DS_DB_HASH_HEX_LEN + 1];
	struct ds_db *db = create(tpath(path, "blob.db"));
	unsigned char *text = malloc(65536), *noise = malloc(4096);
	unsigned int seed = 1;
	size_t i, n;
	void *back;
	sqlite3 *s;

	for (i = 0; i < 65536; i++)
		text[i] = "GPU trace buffer "[i % 17];
	fill_random(noise, 4096, &seed);
	assert_int_equal(ds_db_put_blob(db, text, 65536, h1), 1);
	assert_int_equal(ds_db_put_blob(db, text, 65536, h2), 0);	/* stored once */
	assert_string_equal(h1, h2);
	assert_int_equal(ds_db_put_blob(db, noise, 4096, h3), 1);
	assert_int_equal(ds_db_put_blob(db, NULL, 0, h4), 1);		/* empty content */
	assert_int_equal(ds_db_put_blob(db, "", 0, h2), 0);
	assert_string_equal(h4, h2);
	/* The known XXH3-128 of nothing, as xxh128sum prints it. */
	assert_string_equal(h4, "99aa06d3014798d86001c324468d497f");
	assert_int_equal(ds_db_get_blob(db, h1, 0, &back, &n), DS_DB_OK);
	assert_int_equal(n, 65536);
	assert_memory_equal(back, text, 65536);
	free(back);
	close_ok(db);

	s = raw_open(path);
	assert_int_equal(qi(s, "SELECT count(*) FROM blob"), 3);
	assert_string_equal(qs(s, "SELECT encoding FROM blob WHERE hash = '%s'", h1), "zstd");
	assert_true(qi(s, "SELECT length(data) FROM blob WHERE hash = '%s'", h1) < 65536 / 20);
	assert_int_equal(qi(s, "SELECT raw_size FROM blob WHERE hash = '%s'", h1), 65536);
	/* Noise does not compress: kept raw, no bigger than it is. */
	assert_string_equal(qs(s, "SELECT encoding FROM blob WHERE hash = '%s'", h3), "raw");
	assert_int_equal(qi(s, "SELECT length(data) FROM blob WHERE hash = '%s'", h3), 4096);
	sqlite3_close(s);

	/* Read back through the defensive reader as well. */
	assert_int_equal(ds_db_open_read(path, 0, &db), DS_DB_OK);
	assert_int_equal(ds_db_get_blob(db, h3, 0, &back, &n), DS_DB_OK);
	assert_int_equal(n, 4096);
	assert_memory_equal(back, noise, 4096);
	free(back);
	assert_int_equal(ds_db_get_blob(db, h4, 0, &back, &n), DS_DB_OK);
	assert_int_equal(n, 0);
	free(back);
	close_ok(db);
	free(text);
	free(noise);
}

/*
 * Reference model: a list of the distinct contents put so far. Random puts
 * drawn from a small pool (so most repeat) must leave the store holding
 * exactly the model's contents, each readable back unchanged.
 */
static void test_blob_reference_model(void **state)
{
	enum { POOL = 24, PUTS = 300 };
	static unsigned char pool[POOL][3000];
	size_t size[POOL];
	bool seen[POOL] = { false };
	char hash[POOL][DS_DB_HASH_HEX_LEN + 1], h[DS_DB_HASH_HEX_LEN + 1];
	char path[PATH_MAX];
	struct ds_db *db = create(tpath(path, "model.db"));
	unsigned int seed = 42;
	int i, k, distinct = 0, rc;
	void *back;
	size_t n;

	for (k = 0; k < POOL; k++) {
		size[k] = (size_t)(rand_r(&seed) % 3000);
		if (k % 2)
			fill_random(pool[k], size[k], &seed);
		else
			memset(pool[k], k, size[k]);
	}
	for (i = 0; i < PUTS; i++) {
		k = rand_r(&seed) % POOL;
		rc = ds_db_put_blob(db, pool[k], size[k], h);
		assert_int_equal(rc, seen[k] ? 0 : 1);
		if (!seen[k]) {
			seen[k] = true;
			distinct++;
			strcpy(hash[k], h);
		}
		assert_string_equal(h, hash[k]);
	}
	assert_int_equal(ds_db_commit(db), DS_DB_OK);
	assert_int_equal(qi(ds_db_sqlite(db), "SELECT count(*) FROM blob"), distinct);
	for (k = 0; k < POOL; k++) {
		if (!seen[k])
			continue;
		assert_int_equal(ds_db_get_blob(db, hash[k], 0, &back, &n), DS_DB_OK);
		assert_int_equal(n, size[k]);
		if (n)
			assert_memory_equal(back, pool[k], n);
		free(back);
	}
	close_ok(db);
}

static void test_blob_corruption(void **state)
{
	char path[PATH_MAX], good[DS_DB_HASH_HEX_LEN + 1], other[DS_DB_HASH_HEX_LEN + 1];
	char raw[DS_DB_HASH_HEX_LEN + 1];
	unsigned char buf[8192];
	struct ds_db *db = create(tpath(path, "badblob.db"));
	unsigned int seed = 7;
	void *back = (void *)1;
	size_t n = 1;
	sqlite3 *s;

	memset(buf, 'a', sizeof(buf));
	assert_int_equal(ds_db_put_blob(db, buf, sizeof(buf), good), 1);
	memset(buf, 'b', sizeof(buf));
	assert_int_equal(ds_db_put_blob(db, buf, sizeof(buf), other), 1);
	fill_random(buf, 512, &seed);
	assert_int_equal(ds_db_put_blob(db, buf, 512, raw), 1);
	close_ok(db);

	/* Damage them behind the writer's back. */
	s = raw_open(path);
	raw_exec(s, "CREATE TABLE keep AS SELECT * FROM blob");
	sqlite3_close(s);

	/* 1: another content's (valid) zstd data under this hash. */
	s = raw_open(path);
	{
		char sql[512];

		snprintf(sql, sizeof(sql), "UPDATE blob SET data = (SELECT data FROM keep"
			 " WHERE hash = '%s') WHERE hash = '%s'", other, good);
		raw_exec(s, sql);
		/* 2: a flipped byte in raw data. */
		snprintf(sql, sizeof(sql), "UPDATE blob SET data = CAST(x'00' || substr(data, 2) AS BLOB)"
			 " WHERE hash = '%s'", raw);
		raw_exec(s, sql);
	}
	sqlite3_close(s);

	assert_int_equal(ds_db_open_read(path, 0, &db), DS_DB_OK);
	assert_int_equal(ds_db_get_blob(db, good, 0, &back, &n), DS_DB_CORRUPT);
	assert_non_null(strstr(ds_db_errmsg(db), "does not match its hash"));
	assert_null(back);
	assert_int_equal(n, 0);
	assert_int_equal(ds_db_get_blob(db, raw, 0, &back, &n), DS_DB_CORRUPT);
	assert_non_null(strstr(ds_db_errmsg(db), "does not match its hash"));
	assert_int_equal(ds_db_get_blob(db, other, 0, &back, &n), DS_DB_OK);
	free(back);
	close_ok(db);

	/* 3: garbage instead of zstd data; 4: a raw_size that lies. */
	s = raw_open(path);
	{
		char sql[512];

		snprintf(sql, sizeof(sql), "UPDATE blob SET data = x'28b52ffd0000ffff' WHERE hash = '%s'",
			 other);
		raw_exec(s, sql);
		snprintf(sql, sizeof(sql), "UPDATE blob SET data = (SELECT data FROM keep"
			 " WHERE hash = '%s'), raw_size = 4096 WHERE hash = '%s'", good, good);
		raw_exec(s, sql);
	}
	sqlite3_close(s);
	assert_int_equal(ds_db_open_read(path, 0, &db), DS_DB_OK);
	assert_int_equal(ds_db_get_blob(db, other, 0, &back, &n), DS_DB_CORRUPT);
	assert_int_equal(ds_db_get_blob(db, good, 0, &back, &n), DS_DB_CORRUPT);
	assert_non_null(strstr(ds_db_errmsg(db), "its row says 4096"));
	close_ok(db);
}

static void test_blob_bounds_and_args(void **state)
{
	char path[PATH_MAX], h[DS_DB_HASH_HEX_LEN + 1];
	static unsigned char big[100000];
	struct ds_db *db = create(tpath(path, "bounds.db"));
	void *back;
	size_t n;

	assert_int_equal(ds_db_put_blob(db, big, sizeof(big), h), 1);
	assert_int_equal(ds_db_get_blob(db, h, 1000, &back, &n), DS_DB_TOO_BIG);
	assert_null(back);
	assert_int_equal(ds_db_get_blob(db, h, sizeof(big), &back, &n), DS_DB_OK);
	free(back);
	assert_int_equal(ds_db_get_blob(db, "not-a-hash", 0, &back, &n), DS_DB_INVALID);
	assert_int_equal(ds_db_get_blob(db, "00112233445566778899AABBCCDDEEFF", 0, &back, &n),
			 DS_DB_INVALID);
	assert_int_equal(ds_db_get_blob(db, "00112233445566778899aabbccddeeff", 0, &back, &n),
			 DS_DB_NOTFOUND);
	assert_int_equal(ds_db_put_blob(db, NULL, 5, h), DS_DB_INVALID);
	close_ok(db);
}

/* ---------------------------------------------------------------------- */
/* Opening what is not a good drmscope database                            */
/* ---------------------------------------------------------------------- */

static void test_open_missing_and_not_file(void **state)
{
	char path[PATH_MAX];

	expect_read(tpath(path, "missing.db"), 0, DS_DB_IO, "no such file");
	expect_write(path, DS_DB_IO, "no such file");
	expect_read(tmpdir, 0, DS_DB_IO, "not a regular file");
	assert_string_equal(ds_db_errmsg(NULL), "out of memory");
	assert_int_equal(ds_db_close(NULL), DS_DB_OK);
}

static void test_open_not_sqlite(void **state)
{
	char path[PATH_MAX];
	unsigned char noise[4096];
	unsigned int seed = 3;

	write_file(tpath(path, "text.db"), "hello, I am a text file\n", 24);
	expect_read(path, 0, DS_DB_NOT_SQLITE, "not an SQLite database");
	expect_write(path, DS_DB_NOT_SQLITE, "not an SQLite database");
	write_file(tpath(path, "empty.db"), "", 0);
	expect_read(path, 0, DS_DB_NOT_SQLITE, "empty file");
	fill_random(noise, sizeof(noise), &seed);
	write_file(tpath(path, "noise.db"), noise, sizeof(noise));
	expect_read(path, 0, DS_DB_NOT_SQLITE, NULL);
	/* The magic, then garbage. */
	memcpy(noise, "SQLite format 3", 16);
	write_file(tpath(path, "fake.db"), noise, sizeof(noise));
	expect_read(path, 0, DS_DB_CORRUPT, NULL);
	write_file(tpath(path, "stub.db"), noise, 50);
	expect_read(path, 0, DS_DB_CORRUPT, "truncated");
}

static void test_open_foreign_sqlite(void **state)
{
	char path[PATH_MAX];
	off_t before;
	sqlite3 *s;

	s = NULL;
	assert_int_equal(sqlite3_open(tpath(path, "foreign.db"), &s), SQLITE_OK);
	raw_exec(s, "CREATE TABLE ioctl (x); INSERT INTO ioctl VALUES (1); PRAGMA user_version = 2");
	sqlite3_close(s);
	before = file_size(path);
	expect_read(path, 0, DS_DB_FOREIGN, "not a drmscope one");
	expect_write(path, DS_DB_FOREIGN, "application_id 0x00000000");
	assert_int_equal(file_size(path), before);
	s = raw_open(path);
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema"), 1);
	sqlite3_close(s);
}

static void test_open_truncated(void **state)
{
	char path[PATH_MAX], cut[PATH_MAX];
	off_t size;

	make_small(tpath(path, "whole.db"), 5000);
	size = file_size(path);
	assert_true(size > 16 * 4096);

	copy_file(path, tpath(cut, "half.db"));
	assert_int_equal(truncate(cut, size / 2 / 4096 * 4096), 0);
	expect_read(cut, 0, DS_DB_CORRUPT, "truncated");
	expect_read(cut, DS_DB_OPEN_NO_CHECK, DS_DB_CORRUPT, "truncated");
	expect_write(cut, DS_DB_CORRUPT, "truncated");

	copy_file(path, tpath(cut, "midpage.db"));
	assert_int_equal(truncate(cut, size - 100), 0);
	expect_read(cut, 0, DS_DB_CORRUPT, "whole number");

	copy_file(path, tpath(cut, "header.db"));
	assert_int_equal(truncate(cut, 60), 0);
	expect_read(cut, 0, DS_DB_CORRUPT, "truncated");
}

static void test_open_corrupt_page(void **state)
{
	char path[PATH_MAX];
	unsigned char junk[4096];
	int fd;

	make_small(tpath(path, "corrupt.db"), 5000);
	memset(junk, 0xa5, sizeof(junk));
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof(junk), 9 * 4096), (ssize_t)sizeof(junk));
	close(fd);
	expect_read(path, 0, DS_DB_CORRUPT, "corrupt");
	/* Without the check it opens; SQLite then reports what it meets. */
	expect_read(path, DS_DB_OPEN_NO_CHECK, DS_DB_OK, NULL);
}

static void test_open_other_versions(void **state)
{
	char path[PATH_MAX], newer[PATH_MAX];
	sqlite3 *s;

	make_small(tpath(path, "v.db"), 1);
	copy_file(path, tpath(newer, "newer.db"));
	s = raw_open(newer);
	raw_exec(s, "PRAGMA user_version = 99");
	sqlite3_close(s);
	expect_read(newer, 0, DS_DB_TOO_NEW, "newer than this drmscope");
	expect_write(newer, DS_DB_TOO_NEW, "schema version 99");
	s = raw_open(newer);
	assert_int_equal(qi(s, "PRAGMA user_version"), 99);		/* untouched */
	sqlite3_close(s);

	s = raw_open(path);
	raw_exec(s, "PRAGMA user_version = -3");
	sqlite3_close(s);
	expect_read(path, 0, DS_DB_CORRUPT, "invalid schema version");
}

static void test_readonly_handle_refuses_writes(void **state)
{
	char path[PATH_MAX], h[DS_DB_HASH_HEX_LEN + 1];
	struct ds_db *db;
	char *msg = NULL;

	make_small(tpath(path, "ro.db"), 3);
	assert_int_equal(ds_db_open_read(path, 0, &db), DS_DB_OK);
	assert_int_equal(ds_db_insert_device(db, &(struct ds_db_device){ .path = "x" }),
			 DS_DB_READONLY);
	assert_non_null(strstr(ds_db_errmsg(db), "read-only"));
	assert_int_equal(ds_db_put_blob(db, "x", 1, h), DS_DB_READONLY);
	assert_int_equal(ds_db_finish_import(db), DS_DB_READONLY);
	/* Even raw SQL on the handle cannot write. */
	assert_int_not_equal(sqlite3_exec(ds_db_sqlite(db), "DELETE FROM ioctl", NULL, NULL, &msg),
			     SQLITE_OK);
	sqlite3_free(msg);
	assert_int_not_equal(sqlite3_exec(ds_db_sqlite(db), "PRAGMA query_only = 0;"
					  " DELETE FROM ioctl", NULL, NULL, &msg), SQLITE_OK);
	sqlite3_free(msg);
	assert_int_equal(qi(ds_db_sqlite(db), "SELECT count(*) FROM ioctl"), 3);
	close_ok(db);
}

/* ---------------------------------------------------------------------- */
/* Migrations                                                              */
/* ---------------------------------------------------------------------- */

/* Drop every view: what each migration recreates. */
static void drop_all_views(sqlite3 *s)
{
	char sql[128];

	while (qi(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'view'")) {
		snprintf(sql, sizeof(sql), "DROP VIEW \"%s\"",
			 qs(s, "SELECT name FROM sqlite_schema WHERE type = 'view' LIMIT 1"));
		raw_exec(s, sql);
	}
}

/*
 * Today's file with its calls back in the layout of versions 1 to 4: the
 * table ioctl with names inline and in_payload, out_payload referencing
 * 'in' and 'out' rows of ioctl_payload. The first rename lets SQLite point
 * the other tables' REFERENCES back at ioctl; with legacy_alter_table on,
 * the later renames leave them so.
 */
static const char unmigrate_v5[] =
	"ALTER TABLE ioctl_call RENAME TO ioctl;"
	"PRAGMA legacy_alter_table = ON;"
	"CREATE TABLE ioctl_v4 (id INTEGER PRIMARY KEY, tid INTEGER REFERENCES thread(tid),"
	" pid INTEGER REFERENCES process(pid), fd INTEGER, fd_id INTEGER REFERENCES fd(id),"
	" device_id INTEGER REFERENCES device(id), request INTEGER NOT NULL,"
	" name TEXT NOT NULL, driver TEXT, begin_ns INTEGER, end_ns INTEGER, ret INTEGER,"
	" errno INTEGER, in_payload INTEGER REFERENCES ioctl_payload(id),"
	" out_payload INTEGER REFERENCES ioctl_payload(id)) STRICT;"
	"CREATE TABLE payload_v4 (id INTEGER PRIMARY KEY,"
	" ioctl_id INTEGER NOT NULL REFERENCES ioctl(id), direction TEXT NOT NULL"
	" CHECK (direction = 'in' OR direction = 'out' OR direction = 'array_in'"
	" OR direction = 'array_out'), idx INTEGER NOT NULL DEFAULT 0, field TEXT,"
	" bytes BLOB NOT NULL) STRICT;"
	"INSERT INTO payload_v4 SELECT * FROM ioctl_payload;"
	"INSERT INTO payload_v4 (ioctl_id, direction, bytes)"
	" SELECT id, 'in', in_bytes FROM ioctl WHERE in_bytes IS NOT NULL;"
	"INSERT INTO payload_v4 (ioctl_id, direction, bytes)"
	" SELECT id, 'out', out_bytes FROM ioctl WHERE out_bytes IS NOT NULL;"
	"INSERT INTO ioctl_v4 SELECT i.id, i.tid, i.pid, i.fd, i.fd_id, i.device_id, i.request,"
	" n.name, n.driver, i.begin_ns, i.end_ns, i.ret, i.errno,"
	" (SELECT p.id FROM payload_v4 p WHERE p.ioctl_id = i.id AND p.direction = 'in'),"
	" (SELECT p.id FROM payload_v4 p WHERE p.ioctl_id = i.id AND p.direction = 'out')"
	" FROM ioctl i JOIN ioctl_name n ON n.id = i.name_id;"
	"DROP TABLE ioctl; DROP TABLE ioctl_name; DROP TABLE ioctl_payload;"
	"ALTER TABLE ioctl_v4 RENAME TO ioctl;"
	"ALTER TABLE payload_v4 RENAME TO ioctl_payload;"
	"PRAGMA legacy_alter_table = OFF;"
	"PRAGMA user_version = 4";

/* The indexes of versions 1 to 4 on the calls, as ds_db_finish_import() made them. */
static const char indexes_v4[] =
	"CREATE INDEX ioctl_by_name ON ioctl(name);"
	"CREATE INDEX ioctl_by_time ON ioctl(begin_ns);"
	"CREATE INDEX ioctl_by_pid ON ioctl(pid, begin_ns);"
	"CREATE INDEX ioctl_payload_by_ioctl ON ioctl_payload(ioctl_id, direction, idx)";

/*
 * A version 4 file of make_small(path, 4), with every index of a finished
 * import if @indexed.
 */
static void make_v4(const char *path, bool indexed)
{
	struct ds_db *db;
	sqlite3 *s;

	make_small(path, 4);
	if (indexed) {
		assert_int_equal(ds_db_open_write(path, &db), DS_DB_OK);
		assert_int_equal(ds_db_finish_import(db), DS_DB_OK);
		close_ok(db);
	}
	s = raw_open(path);
	drop_all_views(s);
	raw_exec(s, unmigrate_v5);
	if (indexed)
		raw_exec(s, indexes_v4);
	sqlite3_close(s);
}

/*
 * A version 3 file: version 4 only added buffer_snapshot.phase, so a
 * version 4 file minus that column is version 3. It holds a blob and a
 * snapshot.
 */
static void make_v3(const char *path)
{
	sqlite3 *s;

	make_v4(path, false);
	s = raw_open(path);
	raw_exec(s, "ALTER TABLE buffer_snapshot DROP COLUMN phase;"
		 " INSERT INTO blob (hash, raw_size, encoding, data)"
		 "  VALUES ('0123456789abcdef0123456789abcdef', 1, 'raw', x'00');"
		 " INSERT INTO buffer_snapshot (id, ioctl_id, handle, offset, size, blob_hash)"
		 "  VALUES (1, 2, 1, 0, 1, '0123456789abcdef0123456789abcdef');"
		 " PRAGMA user_version = 3");
	sqlite3_close(s);
}

/*
 * A version 2 file: version 3 only added fw_message.run_id and
 * kernel_event.run_id, so a version 4 file minus those columns (and minus
 * version 4's) is version 2. It holds a run and a firmware message and a
 * kernel event of the capture.
 */
static void make_v2(const char *path)
{
	sqlite3 *s;

	make_v4(path, false);
	s = raw_open(path);
	raw_exec(s, "ALTER TABLE buffer_snapshot DROP COLUMN phase;"
		 " ALTER TABLE fw_message DROP COLUMN run_id;"
		 " ALTER TABLE kernel_event DROP COLUMN run_id;"
		 " INSERT INTO run (id, label) VALUES (1, 'old run');"
		 " INSERT INTO fw_message (id, seq, ns, direction) VALUES (1, 5, 100, 'send');"
		 " INSERT INTO kernel_event (id, ns, system, name) VALUES (1, 100, 's', 'e');"
		 " PRAGMA user_version = 2");
	sqlite3_close(s);
}

/*
 * A version 1 file, as drmscope 0.1 wrote them: version 2 only added the
 * run tables, so a version 2 file minus those tables is exactly version 1.
 */
static void make_v1(const char *path)
{
	sqlite3 *s;

	make_v4(path, false);
	s = raw_open(path);
	raw_exec(s, "ALTER TABLE buffer_snapshot DROP COLUMN phase;"
		 " ALTER TABLE fw_message DROP COLUMN run_id;"
		 " ALTER TABLE kernel_event DROP COLUMN run_id;"
		 " DROP TABLE run_job; DROP TABLE run_call; DROP TABLE run;"
		 " PRAGMA user_version = 1");
	raw_exec(s, "CREATE VIEW ioctl_summary AS SELECT name, count(*) AS count FROM ioctl"
		 " GROUP BY name");
	sqlite3_close(s);
}

static void test_migrate_from_v0(void **state)
{
	char path[PATH_MAX], sql[96];
	struct ds_db *db;
	sqlite3 *s = NULL;

	/* An empty drmscope file: the identity, no schema yet. */
	assert_int_equal(sqlite3_open(tpath(path, "v0.db"), &s), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", DS_DB_APPLICATION_ID);
	raw_exec(s, sql);
	raw_exec(s, "CREATE TABLE t (x); DROP TABLE t");
	sqlite3_close(s);
	expect_read(path, 0, DS_DB_TOO_OLD, "older than this drmscope reads");
	expect_read(path, DS_DB_OPEN_OLD_SCHEMA, DS_DB_TOO_OLD, "older than this drmscope reads");

	assert_int_equal(ds_db_open_write(path, &db), DS_DB_OK);
	assert_int_equal(ds_db_schema_version(db), DS_DB_SCHEMA_VERSION);
	assert_true(ds_db_insert_run(db, &(struct ds_db_run){ .label = "r" }) > 0);
	close_ok(db);
	expect_read(path, 0, DS_DB_OK, NULL);
}

static void test_migrate_from_v1(void **state)
{
	char path[PATH_MAX];
	struct ds_db *db;
	int64_t run;
	sqlite3 *s;

	make_v1(tpath(path, "v1.db"));
	/* Readable as it is, without migrating, by a reader that asks for it. */
	expect_read(path, 0, DS_DB_TOO_OLD, "drmscope upgrade");
	assert_int_equal(ds_db_open_read(path, DS_DB_OPEN_OLD_SCHEMA, &db), DS_DB_OK);
	assert_int_equal(ds_db_schema_version(db), 1);
	assert_int_equal(ds_db_has_table(db, "run"), 0);
	assert_int_equal(ds_db_has_indexes(db), 0);
	close_ok(db);
	s = raw_open(path);
	assert_int_equal(qi(s, "PRAGMA user_version"), 1);
	sqlite3_close(s);

	/* Opening it to add a run migrates it. */
	assert_int_equal(ds_db_open_write(path, &db), DS_DB_OK);
	assert_int_equal(ds_db_schema_version(db), DS_DB_SCHEMA_VERSION);
	run = ds_db_insert_run(db, &(struct ds_db_run){ .label = "after migration" });
	assert_true(run > 0);
	assert_true(ds_db_insert_run_call(db, &(struct ds_db_run_call){
		.run_id = run, .ioctl_id = 2, .begin_ns = 1, .end_ns = 2 }) > 0);
	close_ok(db);

	s = raw_open(path);
	assert_int_equal(qi(s, "PRAGMA user_version"), DS_DB_SCHEMA_VERSION);
	assert_int_equal(qi(s, "PRAGMA application_id"), DS_DB_APPLICATION_ID);
	assert_int_equal(qi(s, "SELECT count(*) FROM pragma_table_info('fw_message')"
			    " WHERE name = 'run_id'"), 1);
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl"), 4);	/* data kept */
	assert_int_equal(qi(s, "SELECT count(in_bytes) FROM ioctl"), 4);
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl_payload"), 0);
	/* The views are today's, the old one replaced. */
	assert_int_equal(qi(s, "SELECT errors FROM ioctl_summary WHERE name = 'SIMGPU_SUBMIT'"), 0);
	assert_string_equal(qs(s, "SELECT label || ' ' || calls FROM run_summary"),
			    "after migration 1");
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'view'"), 11);
	sqlite3_close(s);
}

static void test_migrate_from_v2(void **state)
{
	char path[PATH_MAX];
	struct ds_db *db;
	sqlite3 *s;

	make_v2(tpath(path, "v2.db"));
	/* Readable as it is: the runs are there, the run_id columns not. */
	assert_int_equal(ds_db_open_read(path, DS_DB_OPEN_OLD_SCHEMA, &db), DS_DB_OK);
	assert_int_equal(ds_db_schema_version(db), 2);
	assert_int_equal(ds_db_has_table(db, "run"), 1);
	close_ok(db);

	/* A replay adding a run migrates it; the old rows are the capture's. */
	assert_int_equal(ds_db_open_write(path, &db), DS_DB_OK);
	assert_int_equal(ds_db_schema_version(db), DS_DB_SCHEMA_VERSION);
	assert_true(ds_db_insert_fw_message(db, &(struct ds_db_fw_message){
		.seq = 6, .ns = 200, .dir = DS_DB_FW_RECEIVE, .run_id = 1 }) > 0);
	assert_true(ds_db_insert_kernel_event(db, &(struct ds_db_kernel_event){
		.ns = 200, .system = "s", .name = "e", .run_id = 1 }) > 0);
	close_ok(db);

	s = raw_open(path);
	assert_int_equal(qi(s, "PRAGMA user_version"), DS_DB_SCHEMA_VERSION);
	assert_string_equal(qs(s, "SELECT group_concat(seq || ':' || coalesce(run_id, 'capture'))"
			       " FROM (SELECT seq, run_id FROM fw_message ORDER BY id)"),
			    "5:capture,6:1");
	assert_string_equal(qs(s, "SELECT group_concat(ns || ':' || coalesce(run_id, 'capture'))"
			       " FROM (SELECT ns, run_id FROM kernel_event ORDER BY id)"),
			    "100:capture,200:1");
	assert_string_equal(qs(s, "SELECT label FROM run"), "old run");
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl"), 4);
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'view'"), 11);
	sqlite3_close(s);
}

static void test_migrate_from_v3(void **state)
{
	char path[PATH_MAX];
	struct ds_db *db;
	sqlite3 *s;

	make_v3(tpath(path, "v3.db"));
	/* Readable as it is, by a reader that asks for it. */
	assert_int_equal(ds_db_open_read(path, DS_DB_OPEN_OLD_SCHEMA, &db), DS_DB_OK);
	assert_int_equal(ds_db_schema_version(db), 3);
	close_ok(db);

	/* Migrated: the old snapshot is a 'before' one; 'after' ones can follow. */
	assert_int_equal(ds_db_open_write(path, &db), DS_DB_OK);
	assert_int_equal(ds_db_schema_version(db), DS_DB_SCHEMA_VERSION);
	assert_true(ds_db_insert_snapshot(db, &(struct ds_db_snapshot){
		.ioctl_id = 3, .handle = 1, .size = 1, .after = true,
		.blob_hash = "0123456789abcdef0123456789abcdef" }) > 0);
	assert_true(ds_db_insert_snapshot(db, &(struct ds_db_snapshot){
		.ioctl_id = 4, .handle = 1, .size = 1,
		.blob_hash = "0123456789abcdef0123456789abcdef" }) > 0);
	close_ok(db);

	s = raw_open(path);
	assert_int_equal(qi(s, "PRAGMA user_version"), DS_DB_SCHEMA_VERSION);
	assert_string_equal(qs(s, "SELECT group_concat(ioctl_id || ':' || phase)"
			       " FROM (SELECT ioctl_id, phase FROM buffer_snapshot ORDER BY id)"),
			    "2:before,3:after,4:before");
	/* Only the two phases exist. */
	assert_int_not_equal(sqlite3_exec(s, "UPDATE buffer_snapshot SET phase = 'during'",
					  NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'view'"), 11);
	sqlite3_close(s);
	expect_read(path, 0, DS_DB_OK, NULL);
}

/* The REFERENCES of every table that named the calls' table now name ioctl_call. */
static void expect_references_ioctl_call(sqlite3 *s)
{
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema m,"
			    " pragma_foreign_key_list(m.name) f"
			    " WHERE m.type = 'table' AND f.\"table\" = 'ioctl'"), 0);
	/* driver, ioctl_payload, gem_object, vm, vm_bind_op, queue, job,
	 * buffer_snapshot, run_call */
	assert_int_equal(qi(s, "SELECT count(DISTINCT m.name) FROM sqlite_schema m,"
			    " pragma_foreign_key_list(m.name) f"
			    " WHERE m.type = 'table' AND f.\"table\" = 'ioctl_call'"), 9);
	assert_int_equal(qi(s, "SELECT count(*) FROM pragma_foreign_key_list('ioctl_call')"
			    " WHERE \"table\" = 'ioctl_name' AND \"from\" = 'name_id'"), 1);
}

/*
 * Version 4 to 5: the calls move to ioctl_call with their in/out bytes,
 * the names to ioctl_name; arrays, ids and every other row stay; the
 * indexes of a finished import are rebuilt on the new tables.
 */
static void test_migrate_from_v4(void **state)
{
	char path[PATH_MAX];
	struct ds_db *db;
	sqlite3 *s;

	make_v4(tpath(path, "v4.db"), true);
	s = raw_open(path);
	/* A call of another driver with in and out bytes and an array, a run of it. */
	raw_exec(s, "INSERT INTO ioctl_payload (id, ioctl_id, direction, bytes)"
		 "  VALUES (20, 9, 'in', x'0102'), (21, 9, 'out', x'0304');"
		 " INSERT INTO ioctl_payload (id, ioctl_id, direction, idx, field, bytes)"
		 "  VALUES (30, 9, 'array_out', 1, 'name', x'aabb');"
		 " INSERT INTO ioctl (id, pid, tid, fd, request, name, driver, begin_ns, end_ns,"
		 "  ret, errno, in_payload, out_payload)"
		 "  VALUES (9, 10, 10, 3, 3225445376, 'DRM_IOCTL_VERSION', 'drm', 2000, 2100,"
		 "  0, 0, 20, 21);"
		 " INSERT INTO run (id, label) VALUES (1, 'r');"
		 " INSERT INTO run_call (run_id, ioctl_id, begin_ns, end_ns, ret, errno)"
		 "  VALUES (1, 9, 1, 2, 0, 0);"
		 " INSERT INTO device (id, path) VALUES (1, '/dev/dri/card0');"
		 " INSERT INTO driver (device_id, name, ioctl_id) VALUES (1, 'simgpu', 9)");
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'ioctl_by_name'"),
			 1);
	sqlite3_close(s);
	expect_read(path, 0, DS_DB_TOO_OLD, "`drmscope upgrade");

	assert_int_equal(ds_db_open_write(path, &db), DS_DB_OK);
	assert_int_equal(ds_db_has_indexes(db), 1);
	/* The writer knows the migrated names: no second row for them. */
	assert_int_equal(ds_db_insert_ioctl(db, &(struct ds_db_ioctl){
		.request = 0xc0406400, .name = "DRM_IOCTL_VERSION", .driver = "drm" }), 10);
	assert_int_equal(ds_db_insert_ioctl(db, &(struct ds_db_ioctl){
		.request = 0xc0106401, .name = "SIMGPU_SUBMIT" }), 11);
	close_ok(db);

	s = raw_open(path);
	assert_int_equal(qi(s, "PRAGMA user_version"), DS_DB_SCHEMA_VERSION);
	assert_string_equal(qs(s, "SELECT group_concat(id || ' ' || name || ' '"
			       " || coalesce(driver, '-'), ', ') FROM ioctl_name"),
			    "1 DRM_IOCTL_VERSION -, 2 SIMGPU_SUBMIT -, 3 DRM_IOCTL_VERSION drm");
	assert_string_equal(qs(s, "SELECT group_concat(id || ':' || name_id || ':'"
			       " || iif(in_bytes IS NULL, '-', hex(in_bytes)) || ':'"
			       " || iif(out_bytes IS NULL, '-', hex(out_bytes)), ' ') FROM ioctl_call"),
			    "1:1:07000000:- 2:2:07000000:- 3:2:07000000:- 4:1:07000000:- 9:3:0102:0304"
			    " 10:3:-:- 11:2:-:-");
	assert_string_equal(qs(s, "SELECT name || ' ' || driver || ' ' || begin_ns || ' ' || end_ns"
			       " FROM ioctl WHERE id = 9"), "DRM_IOCTL_VERSION drm 2000 2100");
	/* The array keeps its id; no 'in' or 'out' row is left, nor allowed. */
	assert_string_equal(qs(s, "SELECT group_concat(id || ' ' || ioctl_id || ' ' || direction"
			       " || ' ' || idx || ' ' || field || ' ' || hex(bytes)) FROM ioctl_payload"),
			    "30 9 array_out 1 name AABB");
	assert_int_not_equal(sqlite3_exec(s, "INSERT INTO ioctl_payload (ioctl_id, direction, bytes)"
					  " VALUES (1, 'in', x'00')", NULL, NULL, NULL), SQLITE_OK);
	assert_string_equal(qs(s, "SELECT name || ' ' || captured_ret FROM run_call_detail"),
			    "DRM_IOCTL_VERSION 0");
	assert_int_equal(qi(s, "SELECT ioctl_id FROM driver"), 9);
	expect_references_ioctl_call(s);
	/* The old indexes went with the old table; the new ones are there. */
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'ioctl_by_%%'"), 0);
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
			    " AND tbl_name = 'ioctl_call'"), 1);
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'ioctl_call'"), 1);
	/* (make_small() writes no process or thread rows) */
	assert_int_equal(qi(s, "SELECT count(*) FROM pragma_foreign_key_check"
			    " WHERE parent <> 'process' AND parent <> 'thread'"), 0);
	assert_string_equal(qs(s, "PRAGMA integrity_check"), "ok");
	sqlite3_close(s);
	expect_read(path, 0, DS_DB_OK, NULL);
}

/*
 * A real capture of an older drmscope: tests/db/data/simgpu-basic-v3.db is
 * traces/simgpu-basic.db as scripts/make-traces made it at schema version
 * 3. Migrated, every row of every table is what it was, with the calls'
 * in/out payloads moved into their rows.
 */
static void test_migrate_real_v3(void **state)
{
	static const char *const same[] = {
		"capture", "device", "driver", "process", "thread", "fd", "gem_object", "vm",
		"vm_bind_op", "queue", "job", "blob", "run", "run_call", "run_job", NULL,
	};
	char path[PATH_MAX];
	struct ds_db *db;
	int64_t calls, arrays;
	sqlite3 *s;
	int i;

	copy_file(DRMSCOPE_SOURCE_DIR "/tests/db/data/simgpu-basic-v3.db", tpath(path, "real.db"));
	expect_read(path, 0, DS_DB_TOO_OLD, "schema version 3 is older");
	assert_int_equal(ds_db_open_read(path, DS_DB_OPEN_OLD_SCHEMA, &db), DS_DB_OK);
	assert_int_equal(ds_db_schema_version(db), 3);
	assert_int_equal(ds_db_has_indexes(db), 1);
	calls = qi(ds_db_sqlite(db), "SELECT count(*) FROM ioctl");
	arrays = qi(ds_db_sqlite(db), "SELECT count(*) FROM ioctl_payload"
		    " WHERE direction LIKE 'array_%%'");
	assert_true(calls > 10 && arrays > 10);
	close_ok(db);

	assert_int_equal(ds_db_open_write(path, &db), DS_DB_OK);
	close_ok(db);
	s = raw_open(path);
	raw_exec(s, "ATTACH '" DRMSCOPE_SOURCE_DIR "/tests/db/data/simgpu-basic-v3.db' AS old");
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl"), calls);
	/* Each call as it was, its payloads now columns (every one had both). */
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl n JOIN old.ioctl o USING (id)"
			    " WHERE n.tid IS o.tid AND n.pid IS o.pid AND n.fd IS o.fd"
			    " AND n.fd_id IS o.fd_id AND n.device_id IS o.device_id"
			    " AND n.request = o.request AND n.name = o.name AND n.driver IS o.driver"
			    " AND n.begin_ns IS o.begin_ns AND n.end_ns IS o.end_ns"
			    " AND n.ret IS o.ret AND n.errno IS o.errno"
			    " AND n.in_bytes = (SELECT bytes FROM old.ioctl_payload WHERE id = o.in_payload"
			    "  AND direction = 'in')"
			    " AND n.out_bytes = (SELECT bytes FROM old.ioctl_payload"
			    "  WHERE id = o.out_payload AND direction = 'out')"), calls);
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl_name"),
			 qi(s, "SELECT count(*) FROM (SELECT DISTINCT name, driver FROM old.ioctl)"));
	/* The arrays, with their ids; nothing else. */
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl_payload"), arrays);
	assert_int_equal(qi(s, "SELECT count(*) FROM (SELECT * FROM ioctl_payload"
			    " INTERSECT SELECT * FROM old.ioctl_payload)"), arrays);
	/* Every other table: the same rows. */
	for (i = 0; same[i]; i++)
		if (qi(s, "SELECT count(*) FROM (SELECT * FROM main.%s EXCEPT SELECT * FROM old.%s)",
		       same[i], same[i]) ||
		    qi(s, "SELECT count(*) FROM main.%s", same[i]) !=
		    qi(s, "SELECT count(*) FROM old.%s", same[i]))
			fail_msg("table %s changed", same[i]);
	assert_int_equal(qi(s, "SELECT count(*) FROM (SELECT id, ns, cpu, pid, system, name, fields,"
			    " run_id FROM main.kernel_event EXCEPT SELECT * FROM old.kernel_event)"), 0);
	assert_int_equal(qi(s, "SELECT count(*) FROM (SELECT * FROM main.fw_message"
			    " EXCEPT SELECT * FROM old.fw_message)"), 0);
	assert_int_equal(qi(s, "SELECT count(*) FROM (SELECT id, ioctl_id, ns, device_id, gem_id,"
			    " handle, offset, size, blob_hash FROM main.buffer_snapshot"
			    " EXCEPT SELECT * FROM old.buffer_snapshot)"), 0);
	assert_int_equal(qi(s, "SELECT count(*) FROM buffer_snapshot WHERE phase = 'before'"),
			 qi(s, "SELECT count(*) FROM old.buffer_snapshot"));
	raw_exec(s, "DETACH old");
	expect_references_ioctl_call(s);
	assert_int_equal(qi(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	sqlite3_close(s);
	/* Sound, indexed, and what report and replay read. */
	assert_int_equal(ds_db_open_read(path, 0, &db), DS_DB_OK);
	assert_int_equal(ds_db_has_indexes(db), 1);
	close_ok(db);
}

static void test_migrate_failure_rolls_back(void **state)
{
	char path[PATH_MAX];
	sqlite3 *s;

	make_v1(tpath(path, "v1-bad.db"));
	s = raw_open(path);
	raw_exec(s, "CREATE TABLE run (something_else INTEGER)");	/* in step 2's way */
	sqlite3_close(s);
	expect_write(path, DS_DB_ERROR, "migrating the schema");
	s = raw_open(path);
	assert_int_equal(qi(s, "PRAGMA user_version"), 1);
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'run_call'"), 0);
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'ioctl_summary'"), 1);
	assert_int_equal(qi(s, "SELECT count(*) FROM ioctl"), 4);
	sqlite3_close(s);
}

/* ---------------------------------------------------------------------- */
/* Documentation                                                           */
/* ---------------------------------------------------------------------- */

static char *read_doc(void)
{
	FILE *f = fopen(DRMSCOPE_SOURCE_DIR "/docs/schema.md", "rb");
	char *doc;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	doc = calloc(1, n + 1);
	assert_int_equal(fread(doc, 1, n, f), (size_t)n);
	fclose(f);
	return doc;
}

/* Each table has a "### `name`" section listing each column as "| `col` |". */
static void test_schema_documented(void **state)
{
	char path[PATH_MAX], head[128], cell[128], version[64];
	sqlite3_stmt *tables, *cols;
	char *doc = read_doc(), *sec, *end;
	sqlite3 *s;

	snprintf(version, sizeof(version), "Schema version: %d", DS_DB_SCHEMA_VERSION);
	if (!strstr(doc, version))
		fail_msg("docs/schema.md does not say '%s'", version);
	close_ok(create(tpath(path, "doc.db")));
	s = raw_open(path);
	assert_int_equal(sqlite3_prepare_v2(s, "SELECT name, type FROM sqlite_schema"
					    " WHERE type IN ('table', 'view')"
					    " AND name NOT LIKE 'sqlite_%' ORDER BY name",
					    -1, &tables, NULL), SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);

		snprintf(head, sizeof(head), "### `%s`", name);
		sec = strstr(doc, head);
		if (!sec)
			fail_msg("docs/schema.md has no section '%s'", head);
		sec += strlen(head);
		end = strstr(sec, "\n#");
		assert_int_equal(sqlite3_prepare_v2(s, "SELECT name FROM pragma_table_info(?)",
						    -1, &cols, NULL), SQLITE_OK);
		sqlite3_bind_text(cols, 1, name, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(cols) == SQLITE_ROW) {
			char *hit;

			snprintf(cell, sizeof(cell), "| `%s` |", sqlite3_column_text(cols, 0));
			hit = strstr(sec, cell);
			if (!hit || (end && hit > end))
				fail_msg("docs/schema.md: %s.%s is not documented", name,
					 sqlite3_column_text(cols, 0));
		}
		sqlite3_finalize(cols);
	}
	sqlite3_finalize(tables);
	sqlite3_close(s);
	free(doc);
}

/* Each index of a finished import is a row "| `name` | `table(col, ...)` |" of ## Indexes. */
static void test_indexes_documented(void **state)
{
	char path[PATH_MAX], row[256];
	char *doc = read_doc(), *sec;
	struct ds_db *db;
	sqlite3_stmt *st;
	sqlite3 *s;
	int n = 0;

	db = create(tpath(path, "doc-index.db"));
	assert_int_equal(ds_db_finish_import(db), DS_DB_OK);
	close_ok(db);
	sec = strstr(doc, "\n## Indexes\n");
	assert_non_null(sec);
	s = raw_open(path);
	assert_int_equal(sqlite3_prepare_v2(s, "SELECT m.name, m.tbl_name,"
					    " (SELECT group_concat(name, ', ') FROM"
					    "  (SELECT name FROM pragma_index_info(m.name) ORDER BY seqno))"
					    " FROM sqlite_schema m WHERE m.type = 'index'"
					    " AND m.sql IS NOT NULL ORDER BY m.name", -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(row, sizeof(row), "| `%s` | `%s(%s)` |", sqlite3_column_text(st, 0),
			 sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
		if (!strstr(sec, row))
			fail_msg("docs/schema.md: no index row '%s'", row);
		n++;
	}
	sqlite3_finalize(st);
	assert_int_equal(qi(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
			    " AND sql IS NOT NULL"), n);
	sqlite3_close(s);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_stamps_schema),
		cmocka_unit_test(test_create_refuses_existing),
		cmocka_unit_test(test_insert_read_back),
		cmocka_unit_test(test_process_merge),
		cmocka_unit_test(test_ioctl_ids_and_unfinished),
		cmocka_unit_test(test_name_map_reference_model),
		cmocka_unit_test(test_updates_of_missing_rows),
		cmocka_unit_test(test_bulk_100k_batched),
		cmocka_unit_test(test_blob_dedup_and_compression),
		cmocka_unit_test(test_blob_reference_model),
		cmocka_unit_test(test_blob_corruption),
		cmocka_unit_test(test_blob_bounds_and_args),
		cmocka_unit_test(test_open_missing_and_not_file),
		cmocka_unit_test(test_open_not_sqlite),
		cmocka_unit_test(test_open_foreign_sqlite),
		cmocka_unit_test(test_open_truncated),
		cmocka_unit_test(test_open_corrupt_page),
		cmocka_unit_test(test_open_other_versions),
		cmocka_unit_test(test_readonly_handle_refuses_writes),
		cmocka_unit_test(test_migrate_from_v0),
		cmocka_unit_test(test_migrate_from_v1),
		cmocka_unit_test(test_migrate_from_v2),
		cmocka_unit_test(test_migrate_from_v3),
		cmocka_unit_test(test_migrate_from_v4),
		cmocka_unit_test(test_migrate_real_v3),
		cmocka_unit_test(test_migrate_failure_rolls_back),
		cmocka_unit_test(test_schema_documented),
		cmocka_unit_test(test_indexes_documented),
	};

	return cmocka_run_group_tests_name("db", tests, group_setup, group_teardown);
}
