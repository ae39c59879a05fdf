/*
 * tests/db/test_db_cli.c: runs the built `drmscope` binary (its path is
 * argv[1], passed by ctest) on databases made with the writer, and checks
 * `drmscope info` and `drmscope query`: their output, their exit status,
 * the exact csv/json/table formats (quoting, escaping, alignment), that
 * query refuses to write, clear one-line errors for missing, foreign,
 * non-SQLite and truncated files, and an older schema: read by info and
 * query, refused by report with a pointer to `drmscope upgrade`, migrated
 * by it.
 */
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
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <drmscope/db.h>

#define DS_STR_(x)	#x
#define DS_STR(x)	DS_STR_(x)

static const char *drmscope;
static char tmpdir[1024];
static char sample[PATH_MAX];

struct result {
	int status;		/* exit status, or -1 if it did not exit */
	char *out;
	char *err;
};

static const char *tpath(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", tmpdir, name);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = calloc(1, n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, n, f), (size_t)n);
	fclose(f);
	return s;
}

/* Run drmscope with the NULL-terminated arguments after the binary. */
static void run(struct result *r, ...)
{
	char out[PATH_MAX], err[PATH_MAX];
	const char *argv[16];
	va_list ap;
	int n = 0, st, fd;
	pid_t pid;

	argv[n++] = drmscope;
	va_start(ap, r);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	tpath(out, "stdout");
	tpath(err, "stderr");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		execv(drmscope, (char **)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->out = slurp(out);
	r->err = slurp(err);
}

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

static void expect_status(struct result *r, int status)
{
	if (r->status != status)
		fail_msg("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r->status, status,
			 r->out, r->err);
}

static void expect_in(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

static void expect_output(struct result *r, const char *want)
{
	expect_status(r, 0);
	if (strcmp(r->out, want))
		fail_msg("output:\n[%s]\nwant:\n[%s]\nstderr: %s", r->out, want, r->err);
	assert_string_equal(r->err, "");
}

/* A capture like a short simgpu workload's, finished as the importer would. */
static void make_sample(const char *path)
{
	static const struct {
		const char *name;
		int pid, ret, err;
	} calls[] = {
		{ "DRM_IOCTL_VERSION", 100, 0, 0 },
		{ "DRM_IOCTL_VERSION", 100, 0, 0 },
		{ "SIMGPU_GEM_CREATE", 100, 0, 0 },
		{ "SIMGPU_GEM_CREATE", 101, 0, 0 },
		{ "SIMGPU_GEM_CREATE", 101, 0, 0 },
		{ "SIMGPU_SUBMIT", 100, 0, 0 },
		{ "SIMGPU_SUBMIT", 100, -1, 22 },
		{ "SIMGPU_SUBMIT", 101, 0, 0 },
		{ "SIMGPU_SUBMIT", 101, 0, 0 },
	};
	struct ds_db *db;
	int64_t dev, run;
	size_t i;

	assert_int_equal(ds_db_create(path, &db), DS_DB_OK);
	assert_int_equal(ds_db_set_capture(db, &(struct ds_db_capture){
		.host = "testhost", .kernel_release = "6.12.0-test", .machine = "x86_64",
		.command_line = "simgpu-workload --jobs 3", .source = "record",
		.start_ns = 1000, .end_ns = 2000001000, .start_unix_ns = 1700000000000000000LL,
	}), DS_DB_OK);
	dev = ds_db_insert_device(db, &(struct ds_db_device){
		.path = "/dev/dri/renderD128", .major = 226, .minor = 128, .driver = "simgpu" });
	assert_true(ds_db_put_driver(db, &(struct ds_db_driver){
		.device_id = dev, .name = "simgpu", .major = 1, .date = "20250101",
		.desc = "simulated GPU" }) > 0);
	assert_true(ds_db_put_process(db, &(struct ds_db_process){
		.pid = 100, .ppid = 1, .comm = "simgpu-workload", .exe = "/usr/bin/simgpu-workload",
		.start_ns = 1000, .exited = true, .exit_code = 0 }) > 0);
	assert_true(ds_db_put_process(db, &(struct ds_db_process){
		.pid = 101, .ppid = 100, .comm = "child\033[31m", .start_ns = 2000,
		.exited = true, .exit_signal = 9 }) > 0);
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		assert_int_equal(ds_db_insert_ioctl(db, &(struct ds_db_ioctl){
			.pid = calls[i].pid, .tid = calls[i].pid, .fd = 3, .device_id = dev,
			.request = 0xc0106400 + (uint32_t)i, .name = calls[i].name, .driver = "simgpu",
			.begin_ns = 10000 + 1000 * (int64_t)i, .end_ns = 10500 + 1000 * (int64_t)i,
			.ret = calls[i].ret, .err = calls[i].err }), (int64_t)i + 1);
	{
		static const char content[] = "result of a job";
		char hash[DS_DB_HASH_HEX_LEN + 1];

		assert_int_equal(ds_db_put_blob(db, content, sizeof(content), hash), 1);
		for (i = 0; i < 3; i++)
			assert_true(ds_db_insert_snapshot(db, &(struct ds_db_snapshot){
				.ioctl_id = 1, .device_id = dev, .handle = 1,
				.size = sizeof(content), .blob_hash = hash, .after = i > 0 }) > 0);
	}
	run = ds_db_insert_run(db, &(struct ds_db_run){
		.label = "baseline", .driver_name = "simgpu", .driver_version = "1.0.0",
		.kernel_release = "6.12.0-test", .start_unix_ns = 1700000100000000000LL });
	assert_true(ds_db_insert_run_call(db, &(struct ds_db_run_call){
		.run_id = run, .ioctl_id = 1, .begin_ns = 1, .end_ns = 2 }) > 0);
	assert_int_equal(ds_db_finish_import(db), DS_DB_OK);
	assert_int_equal(ds_db_close(db), DS_DB_OK);
}

static int group_setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/drmscope-test-cli-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	tpath(sample, "sample.db");
	make_sample(sample);
	return 0;
}

static int group_teardown(void **state)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir = opendir(tmpdir);

	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			unlink(tpath(path, de->d_name));
	closedir(dir);
	return rmdir(tmpdir);
}

/* ---------------------------------------------------------------------- */
/* drmscope info                                                           */
/* ---------------------------------------------------------------------- */

static void test_info_summary(void **state)
{
	struct result r;

	run(&r, "info", sample, NULL);
	expect_status(&r, 0);
	assert_string_equal(r.err, "");
	expect_in(r.out, "drmscope database, schema version " DS_STR(DS_DB_SCHEMA_VERSION));
	expect_in(r.out, "testhost");
	expect_in(r.out, "6.12.0-test (x86_64)");
	expect_in(r.out, "simgpu-workload --jobs 3");
	expect_in(r.out, "2023-11-14 22:13:20 UTC");
	expect_in(r.out, "lost events    0");
	expect_in(r.out, "duration       2.000 s");
	expect_in(r.out, "processes: 2");
	expect_in(r.out, "sig 9");
	expect_in(r.out, "devices: 1");
	expect_in(r.out, "/dev/dri/renderD128");
	expect_in(r.out, "simulated GPU");
	expect_in(r.out, "1.0.0");
	expect_in(r.out, "ioctl_call                9");
	expect_in(r.out, "ioctl_name                3");
	expect_in(r.out, "buffer_snapshot           3  (2 of them results at sync points)");
	expect_in(r.out, "SIMGPU_SUBMIT");
	expect_in(r.out, "baseline");
	expect_in(r.out, "indexes: built");
	/* The escape sequence in a comm is not passed to the terminal. */
	assert_null(strchr(r.out, '\033'));
	/* Most frequent first. */
	assert_true(strstr(r.out, "SIMGPU_SUBMIT") < strstr(r.out, "SIMGPU_GEM_CREATE"));
	result_free(&r);

	run(&r, "info", "--top", "1", "--no-check", sample, NULL);
	expect_status(&r, 0);
	expect_in(r.out, "SIMGPU_SUBMIT");
	assert_null(strstr(r.out, "SIMGPU_GEM_CREATE"));
	result_free(&r);
}

static void test_info_bad_files(void **state)
{
	char path[PATH_MAX], cut[PATH_MAX];
	struct result r;
	sqlite3 *s;
	FILE *f;

	run(&r, "info", tpath(path, "missing.db"), NULL);
	expect_status(&r, 2);
	expect_in(r.err, "no such file");
	assert_string_equal(r.out, "");
	result_free(&r);

	f = fopen(tpath(path, "notes.txt"), "w");
	fputs("not a database\n", f);
	fclose(f);
	run(&r, "info", path, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "not an SQLite database");
	result_free(&r);

	assert_int_equal(sqlite3_open(tpath(path, "other.db"), &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
	run(&r, "info", path, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "not a drmscope one");
	result_free(&r);

	run(&r, "query", path, "SELECT 1", NULL);
	expect_status(&r, 2);
	expect_in(r.err, "not a drmscope one");
	result_free(&r);

	/* A page of junk in a copy: found by --check, and by info's check. */
	{
		char *data = slurp(sample);
		struct stat sb;

		assert_int_equal(stat(sample, &sb), 0);
		memset(data + 4096, 0xa5, 4096);
		f = fopen(tpath(cut, "junk.db"), "wb");
		fwrite(data, 1, sb.st_size, f);
		fclose(f);
		free(data);
	}
	run(&r, "query", "--check", cut, "SELECT 1", NULL);
	expect_status(&r, 2);
	expect_in(r.err, "corrupt");
	result_free(&r);
	run(&r, "info", cut, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "corrupt");
	result_free(&r);

	/* A truncated copy of the sample. */
	{
		char *data = slurp(sample);
		struct stat sb;

		assert_int_equal(stat(sample, &sb), 0);
		f = fopen(tpath(cut, "cut.db"), "wb");
		fwrite(data, 1, sb.st_size / 2, f);
		fclose(f);
		free(data);
	}
	run(&r, "info", cut, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "truncated");
	result_free(&r);
}

static void test_info_usage(void **state)
{
	struct result r;

	run(&r, "info", NULL);
	expect_status(&r, 2);
	expect_in(r.err, "expected one database");
	result_free(&r);
	run(&r, "info", "--top", "0", sample, NULL);
	expect_status(&r, 2);
	result_free(&r);
	run(&r, "info", "--bogus", sample, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "unknown option '--bogus'");
	result_free(&r);
	run(&r, "info", "--help", NULL);
	expect_status(&r, 0);
	expect_in(r.out, "usage: drmscope info");
	result_free(&r);
}

/* ---------------------------------------------------------------------- */
/* drmscope query                                                          */
/* ---------------------------------------------------------------------- */

static void test_query_table(void **state)
{
	struct result r;

	run(&r, "query", sample, "SELECT name, count, errors FROM ioctl_summary ORDER BY name",
	    NULL);
	expect_output(&r,
		      "name               count  errors\n"
		      "-----------------  -----  ------\n"
		      "DRM_IOCTL_VERSION      2       0\n"
		      "SIMGPU_GEM_CREATE      3       0\n"
		      "SIMGPU_SUBMIT          4       1\n"
		      "(3 rows)\n");
	result_free(&r);

	/* Control characters are escaped, NULL and BLOBs shown as such. */
	run(&r, "query", sample, "SELECT 'a' || char(27) || '[31m' || char(10) AS s, NULL AS z,"
	    " x'0001' AS b, zeroblob(20) AS big", NULL);
	expect_output(&r,
		      "s            z     b        big\n"
		      "-----------  ----  -------  -------------------------------------------------\n"
		      "a\\x1b[31m\\n  NULL  x'0001'  x'00000000000000000000000000000000...' (20 bytes)\n"
		      "(1 row)\n");
	result_free(&r);

	run(&r, "query", sample, "SELECT id FROM ioctl WHERE 0", NULL);
	expect_output(&r, "id\n--\n(0 rows)\n");
	result_free(&r);
}

static void test_query_csv(void **state)
{
	struct result r;

	run(&r, "query", "--format", "csv", sample,
	    "SELECT 1 AS n, 'a,b' AS s, 'say \"hi\"' AS q, 'two' || char(10) || 'lines' AS nl,"
	    " NULL AS z, x'00ff' AS b, 1.5 AS r, 'plain' AS \"p,q\"", NULL);
	expect_output(&r,
		      "n,s,q,nl,z,b,r,\"p,q\"\r\n"
		      "1,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,00ff,1.5,plain\r\n");
	result_free(&r);

	/* Options may follow the operands. */
	run(&r, "query", sample, "SELECT name FROM ioctl WHERE id <= 2 ORDER BY id", "-f", "csv",
	    NULL);
	expect_output(&r, "name\r\nDRM_IOCTL_VERSION\r\nDRM_IOCTL_VERSION\r\n");
	result_free(&r);
}

static void test_query_json(void **state)
{
	struct result r;

	run(&r, "query", sample, "--format=json",
	    "SELECT 1 AS n, 'a\"b\\c' AS s, 'tab' || char(9) || 'nl' || char(10) AS c,"
	    " char(1) AS ctl, 'caf\xc3\xa9' AS u, CAST(x'ff41' AS TEXT) AS bad, NULL AS z,"
	    " x'00ff' AS b, 2.5 AS r, -9223372036854775808 AS min", NULL);
	expect_output(&r,
		      "[\n"
		      "  {\"n\": 1, \"s\": \"a\\\"b\\\\c\", \"c\": \"tab\\tnl\\n\", \"ctl\": \"\\u0001\","
		      " \"u\": \"caf\xc3\xa9\", \"bad\": \"\\ufffdA\", \"z\": null, \"b\": \"00ff\","
		      " \"r\": 2.5, \"min\": -9223372036854775808}\n"
		      "]\n");
	result_free(&r);

	run(&r, "query", "-f", "json", sample, "SELECT id, name FROM ioctl ORDER BY id LIMIT 2",
	    NULL);
	expect_output(&r,
		      "[\n"
		      "  {\"id\": 1, \"name\": \"DRM_IOCTL_VERSION\"},\n"
		      "  {\"id\": 2, \"name\": \"DRM_IOCTL_VERSION\"}\n"
		      "]\n");
	result_free(&r);

	run(&r, "query", "-f", "json", sample, "SELECT 1 WHERE 0", NULL);
	expect_output(&r, "[]\n");
	result_free(&r);
}

static void test_query_refuses_writes(void **state)
{
	static const struct {
		const char *sql;
		const char *msg;
	} bad[] = {
		{ "INSERT INTO device (path) VALUES ('x')", "refusing a statement that writes" },
		{ "DELETE FROM ioctl_call", "refusing a statement that writes" },
		{ "DROP TABLE ioctl_call", "refusing a statement that writes" },
		{ "DROP VIEW ioctl", "refusing a statement that writes" },
		{ "UPDATE ioctl_call SET ret = 1", "refusing a statement that writes" },
		{ "UPDATE ioctl_name SET name = 'x'", "refusing a statement that writes" },
		{ "CREATE TABLE x (y)", "refusing a statement that writes" },
		{ "VACUUM INTO '/tmp/drmscope-test-copy.db'", "refusing a statement that writes" },
		{ "PRAGMA query_only = 0", "PRAGMA query_only = 0 is not allowed" },
		{ "PRAGMA user_version = 7", "not allowed" },
		{ "PRAGMA journal_mode = WAL", "not allowed" },
		{ "ATTACH ':memory:' AS m", "ATTACH and DETACH are not allowed" },
		{ "BEGIN", "transactions are not allowed" },
		{ "REINDEX", "not allowed" },
		{ "SELECT 1; DROP TABLE ioctl_call", "one SQL statement" },
		{ "", "no SQL statement" },
		{ "-- only a comment", "no SQL statement" },
	};
	struct result r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run(&r, "query", sample, "--", bad[i].sql, NULL);
		if (r.status != 2 || !strstr(r.err, bad[i].msg))
			fail_msg("query \"%s\": exit %d, stderr '%s', want 2 and '%s'",
				 bad[i].sql, r.status, r.err, bad[i].msg);
		result_free(&r);
	}
	/* Nothing changed. */
	run(&r, "query", "-f", "csv", sample,
	    "SELECT (SELECT count(*) FROM ioctl) || ' ' || (SELECT count(*) FROM device)"
	    " || ' ' || (SELECT count(*) FROM sqlite_schema) AS x", NULL);
	expect_status(&r, 0);
	expect_in(r.out, "x\r\n9 1 ");
	result_free(&r);

	/* Reading PRAGMAs and trailing comments are fine. */
	run(&r, "query", "-f", "csv", sample, "PRAGMA table_info(ioctl_payload); -- columns", NULL);
	expect_status(&r, 0);
	expect_in(r.out, "ioctl_id");
	result_free(&r);
	run(&r, "query", "-f", "csv", sample, "PRAGMA user_version", NULL);
	expect_output(&r, "user_version\r\n" DS_STR(DS_DB_SCHEMA_VERSION) "\r\n");
	result_free(&r);
}

/* ---------------------------------------------------------------------- */
/* An older schema, and drmscope upgrade                                   */
/* ---------------------------------------------------------------------- */

static void copy_file(const char *from, const char *to)
{
	char *data = slurp(from);
	struct stat sb;
	FILE *f;

	assert_int_equal(stat(from, &sb), 0);
	f = fopen(to, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, sb.st_size, f), (size_t)sb.st_size);
	assert_int_equal(fclose(f), 0);
	free(data);
}

/*
 * A real schema 3 capture: info and query read it as it is; report (and
 * every reader of the current layout) names `drmscope upgrade`, which
 * migrates it once.
 */
static void test_old_schema_and_upgrade(void **state)
{
	char path[PATH_MAX];
	struct result r;

	copy_file(DRMSCOPE_SOURCE_DIR "/tests/db/data/simgpu-basic-v3.db",
		  tpath(path, "old.db"));
	run(&r, "info", path, NULL);
	expect_status(&r, 0);
	expect_in(r.out, "schema version 3");
	expect_in(r.out, "`drmscope upgrade` migrates the file");
	expect_in(r.out, "ioctl                    66");
	expect_in(r.out, "DRM_IOCTL_SIMGPU_SUBMIT");
	result_free(&r);
	run(&r, "query", "-f", "csv", path, "SELECT count(in_payload) FROM ioctl", NULL);
	expect_output(&r, "count(in_payload)\r\n66\r\n");
	result_free(&r);
	run(&r, "report", "-o", "/dev/null", path, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "schema version 3 is older than this drmscope reads");
	expect_in(r.err, "`drmscope upgrade ");
	result_free(&r);

	run(&r, "upgrade", path, NULL);
	expect_status(&r, 0);
	expect_in(r.out, "schema version 3 -> " DS_STR(DS_DB_SCHEMA_VERSION));
	assert_string_equal(r.err, "");
	result_free(&r);
	run(&r, "upgrade", path, NULL);
	expect_status(&r, 0);
	expect_in(r.out, "already; nothing to do");
	result_free(&r);

	run(&r, "info", path, NULL);
	expect_status(&r, 0);
	expect_in(r.out, "schema version " DS_STR(DS_DB_SCHEMA_VERSION));
	assert_null(strstr(r.out, "upgrade"));
	expect_in(r.out, "ioctl_call               66");
	expect_in(r.out, "indexes: built");
	result_free(&r);
	run(&r, "query", "-f", "csv", path, "SELECT count(in_bytes) FROM ioctl", NULL);
	expect_output(&r, "count(in_bytes)\r\n66\r\n");
	result_free(&r);
	run(&r, "report", "-o", "/dev/null", path, NULL);
	expect_status(&r, 0);
	result_free(&r);

	run(&r, "upgrade", tpath(path, "missing.db"), NULL);
	expect_status(&r, 2);
	expect_in(r.err, "no such file");
	result_free(&r);
	run(&r, "upgrade", NULL);
	expect_status(&r, 2);
	expect_in(r.err, "expected one database");
	result_free(&r);
	run(&r, "upgrade", "--vacuum-harder", path, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "unknown option");
	result_free(&r);
}

static void test_query_errors(void **state)
{
	struct result r;

	run(&r, "query", sample, "SELEC 1", NULL);
	expect_status(&r, 2);
	expect_in(r.err, "near \"SELEC\": syntax error");
	assert_string_equal(r.out, "");
	result_free(&r);

	run(&r, "query", sample, "SELECT * FROM no_such_table", NULL);
	expect_status(&r, 2);
	expect_in(r.err, "no such table: no_such_table");
	result_free(&r);

	/* A runtime error, after the statement compiled. */
	run(&r, "query", sample, "SELECT abs(-9223372036854775808)", NULL);
	expect_status(&r, 2);
	expect_in(r.err, "integer overflow");
	result_free(&r);

	run(&r, "query", "--format", "xml", sample, "SELECT 1", NULL);
	expect_status(&r, 2);
	expect_in(r.err, "unknown format 'xml'");
	result_free(&r);

	run(&r, "query", sample, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "expected a database and one SQL statement");
	result_free(&r);

	run(&r, "query", "--help", NULL);
	expect_status(&r, 0);
	expect_in(r.out, "hex");
	result_free(&r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_summary),
		cmocka_unit_test(test_info_bad_files),
		cmocka_unit_test(test_info_usage),
		cmocka_unit_test(test_query_table),
		cmocka_unit_test(test_query_csv),
		cmocka_unit_test(test_query_json),
		cmocka_unit_test(test_query_refuses_writes),
		cmocka_unit_test(test_query_errors),
		cmocka_unit_test(test_old_schema_and_upgrade),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-DRMSCOPE\n", argv[0]);
		return 2;
	}
	drmscope = argv[1];
	return cmocka_run_group_tests_name("db_cli", tests, group_setup, group_teardown);
}
