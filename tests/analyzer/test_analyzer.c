/*
 * tests/analyzer/test_analyzer.c: `drmscope report`, `compare` and `export`
 * end to end, on real SQLite files written by bench/gen_synthetic (through
 * the ds_db_* writer) and by hand.
 *
 * usage (by ctest): test_analyzer PATH/TO/drmscope PATH/TO/gen_synthetic
 *
 * Covered:
 *  - compare: two replays of the same build (A/A) exit 0 with no metric
 *    worse, for one database and for eight seeds; jobs 20% slower exit 1
 *    with the job-duration metrics worse and intervals above 0 (and exit 0
 *    under --threshold 30%); one job with another result hash exits 1 and
 *    names the job (queue, seqno, submit ioctl); a mismatched call and an
 *    errno change are listed; --metric filters; usage and input errors
 *    exit 2;
 *  - report: percentiles, counts, GEM peak and firmware round trips against
 *    reference values computed here in plain SQL; pooled runs; a run by id;
 *    a schema version 2 file;
 *  - the firmware reply-matching rule on a hand-made database (replies out
 *    of order, orphans, messages without the key, a device matched by seq
 *    and ring, numbers repeated on another ring);
 *  - export: the Chrome JSON parses (SQLite's json functions) and holds the
 *    expected events; CSV files per table, RFC 4180 quoting, --run filter;
 *  - HTML: one file, nothing fetched from the network, the charts present.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
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

#include <cmocka.h>
#include <sqlite3.h>

#include <drmscope/db.h>

static const char *drmscope;
static const char *gen;
/* Paths in the temporary directory; longer ones are built from them. */
#define SHORT		1200

static char tmpdir[512];
static char gdb[SHORT];			/* the main synthetic database */

#define N_IOCTLS	"8000"

struct result {
	int status;
	char *out;
	char *err;
};

static const char *tpath(char *buf, const char *name)
{
	snprintf(buf, SHORT, "%s/%s", tmpdir, name);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = calloc(1, n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, n, f), (size_t)n);
	fclose(f);
	return s;
}

/* Run @prog with the NULL-terminated arguments; capture its output. */
static void vrun(struct result *r, const char *prog, va_list ap)
{
	char out[PATH_MAX], err[PATH_MAX];
	const char *argv[64];
	int n = 0, st, fd;
	pid_t pid;

	argv[n++] = prog;
	while (n < 63 && (argv[n] = va_arg(ap, const char *)))
		n++;
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
		execv(prog, (char **)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->out = slurp(out);
	r->err = slurp(err);
}

static void run(struct result *r, ...)
{
	va_list ap;

	va_start(ap, r);
	vrun(r, drmscope, ap);
	va_end(ap);
}

static void generate(const char *path, ...)
{
	struct result r;
	va_list ap;

	unlink(path);
	va_start(ap, path);
	vrun(&r, gen, ap);
	va_end(ap);
	if (r.status)
		fail_msg("gen_synthetic failed (%d): %s", r.status, r.err);
	free(r.out);
	free(r.err);
}

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

static void expect_status(const struct result *r, int status)
{
	if (r->status != status)
		fail_msg("exit %d, want %d\nstdout:\n%.4000s\nstderr:\n%s", r->status, status,
			 r->out, r->err);
}

static void expect_in(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not found in:\n%.6000s", needle, hay);
}

static void expect_not_in(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("'%s' found in:\n%.6000s", needle, hay);
}

/* ---------------------------------------------------------------------- */
/* JSON through SQLite's json functions                                     */
/* ---------------------------------------------------------------------- */

static sqlite3 *mem;

/* One value of SQL run with ?1 bound to @json, as a double (NaN for NULL). */
static double jq(const char *json, const char *fmt, ...)
{
	sqlite3_stmt *st;
	char sql[2048];
	va_list ap;
	double v;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(mem, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(mem));
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: %s", sql, sqlite3_errmsg(mem));
	v = sqlite3_column_type(st, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The same, as text, into a static buffer ("NULL" for NULL). */
static const char *jqs(const char *json, const char *fmt, ...)
{
	static char out[1024];
	sqlite3_stmt *st;
	char sql[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(mem, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(mem));
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row", sql);
	snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0) ?
		 (const char *)sqlite3_column_text(st, 0) : "NULL");
	sqlite3_finalize(st);
	return out;
}

/* A value from a database file. */
static double dbq(const char *path, const char *fmt, ...)
{
	sqlite3_stmt *st;
	char sql[2048];
	sqlite3 *s;
	va_list ap;
	double v;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(s));
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row", sql);
	v = sqlite3_column_type(st, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(s);
	return v;
}

static void raw_exec(const char *path, const char *sql)
{
	char *msg = NULL;
	sqlite3 *s;

	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	if (sqlite3_exec(s, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(s);
}

/* ---------------------------------------------------------------------- */
/* Setup                                                                   */
/* ---------------------------------------------------------------------- */

static void rm_rf(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!lstat(path, &sb) && S_ISDIR(sb.st_mode))
			rm_rf(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/*
 * Runs 1-3 "base", 4-6 "same" (same build, other seeds), 7-9 "slow" (jobs
 * 20% longer), 10-12 "badhash" (job 500 gets another hash in run 10),
 * 13-15 "err" (ioctl 1001 fails with EINVAL in run 13, a mismatch).
 */
static int group_setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/drmscope-test-analyzer-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	if (sqlite3_open(":memory:", &mem) != SQLITE_OK)
		return -1;
	tpath(gdb, "g.db");
	generate(gdb, "-n", N_IOCTLS, "-s", "7", "-r", "base", "-r", "base", "-r", "base",
		 "-r", "same", "-r", "same", "-r", "same", "-r", "slow,slow=20", "-r",
		 "slow,slow=20", "-r", "slow,slow=20", "-r", "badhash,badhash=500", "-r", "badhash",
		 "-r", "badhash", "-r", "err,errno=1001", "-r", "err", "-r", "err", "--lost", "3",
		 gdb, NULL);
	return 0;
}

static int group_teardown(void **state)
{
	sqlite3_close(mem);
	rm_rf(tmpdir);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* compare                                                                 */
/* ---------------------------------------------------------------------- */

static void spec(char *buf, const char *label)
{
	snprintf(buf, PATH_MAX, "%s:%s", gdb, label);
}

static void test_aa_no_change(void **state)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct result r;

	spec(a, "base");
	spec(b, "same");
	run(&r, "compare", a, b, NULL);
	expect_status(&r, 0);
	if (strncmp(r.out, "OK: no regression", 17))
		fail_msg("headline: %.200s", r.out);
	expect_not_in(r.out, "worse ");
	expect_in(r.out, "Result differences: 0");
	result_free(&r);

	run(&r, "compare", "-f", "json", a, b, NULL);
	expect_status(&r, 0);
	assert_int_equal(jq(r.out, "SELECT json_valid(?1)"), 1);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.summary.worse')"), 0);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.exit_status')"), 0);
	assert_string_equal(jqs(r.out, "SELECT json_extract(?1, '$.verdict')"), "ok");
	/* 3 runs a side: samples are pooled. */
	assert_int_equal(jq(r.out, "SELECT json_array_length(?1, '$.a.runs')"), 3);
	assert_int_equal(jq(r.out, "SELECT count(*) FROM json_each(?1, '$.metrics')"
			    " WHERE json_extract(value, '$.verdict') = 'worse'"), 0);
	/* A metric's sample sizes are all the runs' jobs of that queue. */
	assert_int_equal(jq(r.out, "SELECT json_extract(value, '$.n1') FROM json_each(?1, '$.metrics')"
			    " WHERE json_extract(value, '$.key') = 'queue/1/job_duration'"),
			 3 * dbq(gdb, "SELECT count(*) FROM job WHERE queue_id = 1"));
	result_free(&r);
}

/* A/A on other seeds: two labels of the same build must never be worse. */
static void test_aa_seeds(void **state)
{
	char path[SHORT], seed[16], a[PATH_MAX], b[PATH_MAX];
	struct result r;
	int s;

	tpath(path, "aa.db");
	for (s = 1; s <= 8; s++) {
		snprintf(seed, sizeof(seed), "%d", 100 + s);
		generate(path, "-n", "3000", "-s", seed, "--no-payload", "-r", "a", "-r", "a", "-r", "a",
			 "-r", "b", "-r", "b", "-r", "b", path, NULL);
		snprintf(a, sizeof(a), "%s:a", path);
		snprintf(b, sizeof(b), "%s:b", path);
		run(&r, "compare", "-f", "json", a, b, NULL);
		if (r.status != 0)
			fail_msg("seed %s: exit %d: %s", seed, r.status,
				 jqs(r.out, "SELECT json_extract(?1, '$.headline')"));
		assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.summary.worse')"), 0);
		result_free(&r);
	}
	unlink(path);
}

static void test_slow_jobs_worse(void **state)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct result r;
	int q;

	spec(a, "base");
	spec(b, "slow");
	run(&r, "compare", a, b, NULL);
	expect_status(&r, 1);
	expect_in(r.out, "REGRESSION: ");
	expect_in(r.out, "metrics worse");
	expect_in(r.out, "queue/1/job_duration");
	result_free(&r);

	run(&r, "compare", "--format", "json", a, b, NULL);
	expect_status(&r, 1);
	for (q = 1; q <= 2; q++) {
		const char *m = "(SELECT value FROM json_each(?1, '$.metrics')"
				" WHERE json_extract(value, '$.key') = 'queue/%d/job_duration')";
		char sql[512];

		snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.verdict')", m);
		assert_string_equal(jqs(r.out, sql, q), "worse");
		/* The interval excludes 0, and the shift is about +20%. */
		snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.ci_ns[0]')", m);
		assert_true(jq(r.out, sql, q) > 0);
		snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.ci_pct[0]')", m);
		assert_true(jq(r.out, sql, q) > 10);
		snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.shift_pct')", m);
		assert_true(jq(r.out, sql, q) > 15 && jq(r.out, sql, q) < 25);
		snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.p')", m);
		assert_true(jq(r.out, sql, q) < 0.01);
	}
	/* Worst first: the first metric is a worse one. */
	assert_string_equal(jqs(r.out, "SELECT json_extract(?1, '$.metrics[0].verdict')"), "worse");
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.summary.result_differences')"), 0);
	result_free(&r);

	/* Only the job metrics. */
	run(&r, "compare", "-f", "json", "--metric", "queue/*/job_duration", a, b, NULL);
	expect_status(&r, 1);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.summary.metrics')"), 2);
	result_free(&r);

	/* A 20% change is below a 30% threshold. */
	run(&r, "compare", "--threshold", "30%", a, b, NULL);
	expect_status(&r, 0);
	result_free(&r);
	/* And the ioctls alone did not get slower except the waits. */
	run(&r, "compare", "-f", "json", "-m", "ioctl/*SUBMIT*", a, b, NULL);
	expect_status(&r, 0);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.summary.metrics')"), 1);
	result_free(&r);
}

static void test_bad_hash_named(void **state)
{
	char a[PATH_MAX], b[PATH_MAX], want[256];
	int64_t q, seqno, submit;
	struct result r;

	q = (int64_t)dbq(gdb, "SELECT queue_id FROM job WHERE id = 500");
	seqno = (int64_t)dbq(gdb, "SELECT seqno FROM job WHERE id = 500");
	submit = (int64_t)dbq(gdb, "SELECT submit_ioctl_id FROM job WHERE id = 500");
	spec(a, "base");
	spec(b, "badhash");
	run(&r, "compare", a, b, NULL);
	expect_status(&r, 1);
	if (strncmp(r.out, "REGRESSION: 1 result difference\n", 32))
		fail_msg("headline: %.200s", r.out);
	snprintf(want, sizeof(want), "queue %lld (handle %lld) seqno %lld (job 500), submitted by"
		 " ioctl %lld DRM_IOCTL_SIMGPU_SUBMIT", (long long)q, (long long)q,
		 (long long)seqno, (long long)submit);
	expect_in(r.out, want);
	expect_in(r.out, "(run 10)");
	/* Result differences come before the metrics. */
	assert_true(strstr(r.out, "Result differences") < strstr(r.out, "Metrics"));
	result_free(&r);

	run(&r, "compare", "-f", "json", a, b, NULL);
	expect_status(&r, 1);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.result_differences.job_results.count')"), 1);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.result_differences.job_results.items[0].seqno')"),
			 seqno);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.result_differences.job_results.items[0].queue_id')"),
			 q);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.result_differences.job_results.items[0].submit_ioctl_id')"),
			 submit);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.result_differences.job_results.items[0].b[0].run_id')"),
			 10);
	assert_string_equal(jqs(r.out, "SELECT json_extract(?1, '$.result_differences.job_results.items[0].submit_ioctl')"),
			    "DRM_IOCTL_SIMGPU_SUBMIT");
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.summary.worse')"), 0);
	result_free(&r);

	/* The run alone against the capture says the same. */
	snprintf(b, sizeof(b), "%s:10", gdb);
	run(&r, "compare", gdb, b, NULL);
	expect_status(&r, 1);
	expect_in(r.out, want);
	result_free(&r);
}

static void test_mismatch_and_errno(void **state)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct result r;

	spec(a, "base");
	spec(b, "err");
	run(&r, "compare", "-f", "json", a, b, NULL);
	expect_status(&r, 1);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.result_differences.mismatched_calls.count')"), 1);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.result_differences.mismatched_calls.items[0].ioctl_id')"),
			 1001);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.result_differences.mismatched_calls.items[0].runs[0]')"),
			 13);
	/* The errno change of a mismatched call is not counted twice. */
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.result_differences.errno_changes.count')"), 0);
	result_free(&r);

	/* The other way round, against the capture: the call now succeeds. */
	snprintf(a, sizeof(a), "%s:13", gdb);
	run(&r, "compare", "-f", "json", a, gdb, NULL);
	expect_status(&r, 1);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.result_differences.mismatched_calls.count')"), 0);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.result_differences.errno_changes.count')"), 1);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.result_differences.errno_changes.items[0].ioctl_id')"),
			 1001);
	assert_string_equal(jqs(r.out, "SELECT json_extract(?1, '$.result_differences.errno_changes.items[0].a')"),
			    "[22]");
	assert_string_equal(jqs(r.out, "SELECT json_extract(?1, '$.result_differences.errno_changes.items[0].b')"),
			    "[0]");
	result_free(&r);

	/* A source against itself: nothing at all. */
	run(&r, "compare", a, a, NULL);
	expect_status(&r, 0);
	result_free(&r);
}

static void test_compare_markdown(void **state)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct result r;

	spec(a, "base");
	spec(b, "slow");
	run(&r, "compare", "-f", "markdown", a, b, NULL);
	expect_status(&r, 1);
	expect_in(r.out, "# drmscope compare\n\n## REGRESSION: ");
	expect_in(r.out, "| METRIC | VERDICT | CHANGE |");
	expect_in(r.out, "| queue/");
	result_free(&r);
}

static void test_usage_errors(void **state)
{
	char a[PATH_MAX], bad[PATH_MAX];
	struct result r;

	spec(a, "base");
	spec(bad, "nosuchlabel");
	run(&r, "compare", a, bad, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "no run with id or label 'nosuchlabel'");
	expect_in(r.err, "1 'base'");
	result_free(&r);
	run(&r, "compare", a, tpath(bad, "missing.db"), NULL);
	expect_status(&r, 2);
	expect_in(r.err, "no such file");
	result_free(&r);
	run(&r, "compare", a, NULL);
	expect_status(&r, 2);
	result_free(&r);
	run(&r, "compare", "--threshold", "lots", a, a, NULL);
	expect_status(&r, 2);
	result_free(&r);
	run(&r, "compare", "--alpha", "2", a, a, NULL);
	expect_status(&r, 2);
	result_free(&r);
	run(&r, "compare", "-f", "pdf", a, a, NULL);
	expect_status(&r, 2);
	result_free(&r);
	run(&r, "report", "--run", "99", gdb, NULL);
	expect_status(&r, 2);
	result_free(&r);
	run(&r, "report", tpath(bad, "stdout"), NULL);	/* not a database */
	expect_status(&r, 2);
	result_free(&r);
	run(&r, "export", gdb, "-f", "chrome-json", NULL);
	expect_status(&r, 2);
	expect_in(r.err, "-o OUT is needed");
	result_free(&r);
	run(&r, "export", gdb, "-f", "svg", "-o", "x", NULL);
	expect_status(&r, 2);
	result_free(&r);
}

/* ---------------------------------------------------------------------- */
/* report                                                                  */
/* ---------------------------------------------------------------------- */

/* Type-7 quantile of the sorted durations of ioctl @name, in SQL. */
static double ref_quantile(const char *name, double q)
{
	double n = dbq(gdb, "SELECT count(*) FROM ioctl WHERE name = '%s' AND end_ns IS NOT NULL",
		       name);
	double h = (n - 1) * q, lo, hi;
	int64_t j = (int64_t)floor(h);

	lo = dbq(gdb, "SELECT end_ns - begin_ns AS d FROM ioctl WHERE name = '%s'"
		 " AND end_ns IS NOT NULL ORDER BY d LIMIT 1 OFFSET %lld", name, (long long)j);
	hi = j + 1 < n ? dbq(gdb, "SELECT end_ns - begin_ns AS d FROM ioctl WHERE name = '%s'"
			     " AND end_ns IS NOT NULL ORDER BY d LIMIT 1 OFFSET %lld", name,
			     (long long)j + 1) : lo;
	return lo + (h - (double)j) * (hi - lo);
}

static void test_report_reference(void **state)
{
	static const char *const names[] = {
		"DRM_IOCTL_SYNCOBJ_WAIT", "DRM_IOCTL_SIMGPU_SUBMIT", "DRM_IOCTL_GEM_CLOSE",
	};
	const char *e = "(SELECT value FROM json_each(?1, '$.ioctls')"
			" WHERE json_extract(value, '$.name') = '%s')";
	struct result r;
	char sql[1024];
	double peak;
	size_t i;

	run(&r, "report", "-f", "json", gdb, NULL);
	expect_status(&r, 0);
	assert_int_equal(jq(r.out, "SELECT json_valid(?1)"), 1);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.totals.calls')"),
			 dbq(gdb, "SELECT count(*) FROM ioctl"));
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.totals.errors')"),
			 dbq(gdb, "SELECT count(*) FROM ioctl WHERE ret < 0"));
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.totals.jobs')"),
			 dbq(gdb, "SELECT count(*) FROM job"));
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.totals.lost_events')"), 3);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.totals.gpu_faults')"),
			 dbq(gdb, "SELECT count(*) FROM kernel_event WHERE run_id IS NULL"
			     " AND name = 'simgpu_gpu_fault'"));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.latency_ns.p50')", e);
		assert_float_equal(jq(r.out, sql, names[i]), ref_quantile(names[i], 0.5), 1e-6);
		snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.latency_ns.p90')", e);
		assert_float_equal(jq(r.out, sql, names[i]), ref_quantile(names[i], 0.9), 1e-6);
		snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.latency_ns.p99')", e);
		assert_float_equal(jq(r.out, sql, names[i]), ref_quantile(names[i], 0.99), 1e-6);
		snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.latency_ns.max')", e);
		assert_float_equal(jq(r.out, sql, names[i]),
				   dbq(gdb, "SELECT max(end_ns - begin_ns) FROM ioctl WHERE name = '%s'",
				       names[i]), 1e-6);
	}
	snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.errnos[0].name')", e);
	assert_string_equal(jqs(r.out, sql, "DRM_IOCTL_SYNCOBJ_WAIT"), "ETIME");
	/* Jobs: the duration is run -> done. */
	assert_float_equal(jq(r.out, "SELECT json_extract(value, '$.job_duration_ns.max')"
			      " FROM json_each(?1, '$.queues') WHERE json_extract(value, '$.id') = 2"),
			   dbq(gdb, "SELECT max(done_ns - run_ns) FROM job WHERE queue_id = 2"), 1e-6);
	/* GEM peak: the largest live total at any creation, the slow way. */
	peak = dbq(gdb, "SELECT max((SELECT sum(g.size) FROM gem_object g WHERE g.created_ns <= o.created_ns"
		   " AND (g.freed_ns IS NULL OR g.freed_ns > o.created_ns))) FROM gem_object o");
	assert_float_equal(jq(r.out, "SELECT json_extract(?1, '$.gem.peak_bytes')"), peak, 0.5);
	/* Firmware: every JOB_SUBMIT is answered by the ACK carrying its seq. */
	assert_int_equal(jq(r.out, "SELECT json_extract(value, '$.round_trips') FROM json_each(?1, '$.firmware')"
			    " WHERE json_extract(value, '$.function') = 'JOB_SUBMIT'"),
			 dbq(gdb, "SELECT count(*) FROM fw_message WHERE run_id IS NULL"
			     " AND function_name = 'JOB_SUBMIT'"));
	assert_float_equal(jq(r.out, "SELECT json_extract(value, '$.round_trip_ns.max')"
			      " FROM json_each(?1, '$.firmware') WHERE json_extract(value, '$.function') = 'VM_MAP'"),
			   dbq(gdb, "SELECT max(r.ns - s.ns) FROM fw_message s JOIN fw_message r"
			       " ON json_extract(r.payload, '$.seq') = s.seq AND r.direction = 'receive'"
			       " AND r.run_id IS NULL WHERE s.run_id IS NULL AND s.function_name = 'VM_MAP'"),
			   1e-6);
	/* The slowest call is the longest one. */
	assert_float_equal(jq(r.out, "SELECT json_extract(?1, '$.slowest_calls[0].duration_ns')"),
			   dbq(gdb, "SELECT max(end_ns - begin_ns) FROM ioctl"), 1e-6);
	result_free(&r);

	run(&r, "report", gdb, NULL);
	expect_status(&r, 0);
	expect_in(r.out, "drmscope report: ");
	expect_in(r.out, "3 lost events (WARNING");
	expect_in(r.out, "ETIME x");
	expect_in(r.out, "GPU faults: ");
	result_free(&r);
}

static void test_report_runs(void **state)
{
	struct result r;

	run(&r, "report", "--run", "base", "-f", "json", gdb, NULL);
	expect_status(&r, 0);
	assert_string_equal(jqs(r.out, "SELECT json_extract(?1, '$.source.kind')"), "runs");
	assert_int_equal(jq(r.out, "SELECT json_array_length(?1, '$.source.runs')"), 3);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.totals.calls')"),
			 dbq(gdb, "SELECT count(*) FROM run_call WHERE run_id <= 3"));
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.totals.mismatched_calls')"), 0);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.totals.gpu_faults')"),
			 dbq(gdb, "SELECT count(*) FROM kernel_event WHERE run_id <= 3"));
	result_free(&r);

	run(&r, "report", "--run", "13", "-f", "json", gdb, NULL);
	expect_status(&r, 0);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.totals.mismatched_calls')"), 1);
	assert_int_equal(jq(r.out, "SELECT json_extract(?1, '$.mismatches.first[0].ioctl_id')"), 1001);
	result_free(&r);

	run(&r, "report", "--run", "10", gdb, NULL);
	expect_status(&r, 0);
	expect_in(r.out, "1 jobs whose result differs from the capture");
	result_free(&r);
}

/*
 * A file of an older schema is not read (the analyzer queries ioctl_call
 * and ioctl_name): every command says how to upgrade it. (Upgrading, and
 * reporting on the result, is tests/db/test_db_cli.c's.)
 */
static void test_report_old_schema(void **state)
{
	char path[PATH_MAX], spec[PATH_MAX + 8];
	struct result r;

	tpath(path, "v4.db");
	generate(path, "-n", "2000", "-r", "x", path, NULL);
	raw_exec(path, "PRAGMA user_version = 4");
	snprintf(spec, sizeof(spec), "%s:x", path);
	run(&r, "report", "-f", "json", path, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "schema version 4 is older than this drmscope reads");
	expect_in(r.err, "`drmscope upgrade ");
	assert_string_equal(r.out, "");
	result_free(&r);
	run(&r, "compare", path, spec, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "`drmscope upgrade ");
	result_free(&r);
	run(&r, "export", "-f", "chrome-json", "-o", "/dev/null", path, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "`drmscope upgrade ");
	result_free(&r);
	unlink(path);
}

/* ---------------------------------------------------------------------- */
/* The firmware reply-matching rule                                        */
/* ---------------------------------------------------------------------- */

/* Device 1 sends on ring 0 and replies on ring 1 (simgpu); others use ring 0. */
static void fw(struct ds_db *db, int64_t dev, enum ds_db_fw_dir dir, int64_t seq,
	       const char *fn, int64_t ns, const char *payload)
{
	assert_true(ds_db_insert_fw_message(db, &(struct ds_db_fw_message){
		.device_id = dev, .ring = dev == 1 && dir == DS_DB_FW_RECEIVE ? 1 : 0, .seq = seq,
		.function_name = fn, .ns = ns, .dir = dir, .payload_json = payload }) > 0);
}

static void test_fw_matching_rule(void **state)
{
	const char *f = "(SELECT value FROM json_each(?1, '$.firmware')"
			" WHERE json_extract(value, '$.function') = '%s')";
	char path[PATH_MAX], out[PATH_MAX], sql[512];
	struct ds_db *db;
	struct result r;
	char *json;

	tpath(path, "fw.db");
	unlink(path);
	assert_int_equal(ds_db_create(path, &db), DS_DB_OK);
	assert_int_equal(ds_db_set_capture(db, &(struct ds_db_capture){ .host = "h" }), 0);
	/* Device 1 answers with ACKs that carry the command's seq. */
	fw(db, 1, DS_DB_FW_RECEIVE, 1, "ACK", 50, "{\"seq\":1}");	/* before its command: orphan */
	fw(db, 1, DS_DB_FW_SEND, 1, "VM_MAP", 100, "{}");
	fw(db, 1, DS_DB_FW_SEND, 2, "JOB_SUBMIT", 110, "{}");
	fw(db, 1, DS_DB_FW_RECEIVE, 2, "ACK", 150, "{\"seq\":2}");	/* out of order */
	fw(db, 1, DS_DB_FW_RECEIVE, 3, "ACK", 160, "{\"seq\":1}");
	fw(db, 1, DS_DB_FW_RECEIVE, 4, "JOB_DONE", 170, "{\"seqno\":1}");	/* no key */
	fw(db, 1, DS_DB_FW_RECEIVE, 5, "ACK", 180, "{\"seq\":99}");	/* answers nothing */
	fw(db, 1, DS_DB_FW_SEND, 3, "VM_MAP", 200, "{}");		/* unanswered */
	fw(db, 1, DS_DB_FW_RECEIVE, 6, "ACK", 190, "{\"seq\":3}");	/* too early */
	/* Device 2 (virtio-gpu style): a response has its command's seq. */
	fw(db, 2, DS_DB_FW_SEND, 7, "CMD_SUBMIT_3D", 300, NULL);
	fw(db, 2, DS_DB_FW_RECEIVE, 7, "RESP_OK_NODATA", 330, "not json");
	fw(db, 2, DS_DB_FW_SEND, 8, "CMD_SUBMIT_3D", 400, NULL);
	fw(db, 2, DS_DB_FW_RECEIVE, 8, "RESP_OK_NODATA", 425, NULL);
	/* Device 3: numbers repeat on another ring, which answers nothing. */
	fw(db, 3, DS_DB_FW_SEND, 1, "PING", 500, "{}");
	assert_true(ds_db_insert_fw_message(db, &(struct ds_db_fw_message){
		.device_id = 3, .ring = 1, .seq = 1, .function_name = "EVENT", .ns = 510,
		.dir = DS_DB_FW_RECEIVE, .payload_json = "{\"x\":1}" }) > 0);
	assert_int_equal(ds_db_finish_import(db), DS_DB_OK);
	assert_int_equal(ds_db_close(db), DS_DB_OK);

	run(&r, "report", "-f", "json", path, NULL);
	expect_status(&r, 0);
	snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.round_trips')", f);
	assert_int_equal(jq(r.out, sql, "VM_MAP"), 1);
	assert_int_equal(jq(r.out, sql, "JOB_SUBMIT"), 1);
	assert_int_equal(jq(r.out, sql, "CMD_SUBMIT_3D"), 2);
	snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.unanswered')", f);
	assert_int_equal(jq(r.out, sql, "VM_MAP"), 1);
	assert_int_equal(jq(r.out, sql, "PING"), 1);
	snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.round_trip_ns.max')", f);
	assert_int_equal(jq(r.out, sql, "VM_MAP"), 60);
	assert_int_equal(jq(r.out, sql, "JOB_SUBMIT"), 40);
	assert_int_equal(jq(r.out, sql, "CMD_SUBMIT_3D"), 30);
	snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.round_trip_ns.min')", f);
	assert_int_equal(jq(r.out, sql, "CMD_SUBMIT_3D"), 25);
	snprintf(sql, sizeof(sql), "SELECT json_extract(%s, '$.received')", f);
	assert_int_equal(jq(r.out, sql, "ACK"), 5);
	result_free(&r);

	/* The export draws the same pairs as flows. */
	tpath(out, "fw.json");
	run(&r, "export", "-f", "chrome-json", "-o", out, path, NULL);
	expect_status(&r, 0);
	json = slurp(out);
	assert_int_equal(jq(json, "SELECT count(*) FROM json_each(?1, '$.traceEvents')"
			    " WHERE json_extract(value, '$.cat') = 'fw' AND json_extract(value, '$.ph') = 's'"),
			 4);
	assert_int_equal(jq(json, "SELECT count(*) FROM json_each(?1, '$.traceEvents')"
			    " WHERE json_extract(value, '$.cat') = 'fw' AND json_extract(value, '$.ph') = 'i'"),
			 15);
	free(json);
	result_free(&r);
}

/* ---------------------------------------------------------------------- */
/* export                                                                  */
/* ---------------------------------------------------------------------- */

static double count_events(const char *json, const char *where)
{
	return jq(json, "SELECT count(*) FROM json_each(?1, '$.traceEvents') WHERE %s", where);
}

static void test_export_chrome(void **state)
{
	char out[PATH_MAX], want[128];
	struct result r;
	double begin;
	char *json;

	tpath(out, "trace.json");
	run(&r, "export", gdb, "--format", "chrome-json", "-o", out, NULL);
	expect_status(&r, 0);
	expect_in(r.err, "events to");
	result_free(&r);
	json = slurp(out);
	assert_int_equal(jq(json, "SELECT json_valid(?1)"), 1);
	assert_int_equal(count_events(json, "json_extract(value, '$.ph') = 'X'"
				      " AND json_extract(value, '$.cat') = 'ioctl'"),
			 dbq(gdb, "SELECT count(*) FROM ioctl"));
	assert_int_equal(count_events(json, "json_extract(value, '$.ph') = 'X'"
				      " AND json_extract(value, '$.cat') = 'job'"),
			 dbq(gdb, "SELECT count(*) FROM job WHERE done_ns IS NOT NULL"));
	assert_int_equal(count_events(json, "json_extract(value, '$.ph') = 'b'"),
			 count_events(json, "json_extract(value, '$.ph') = 'e'"));
	assert_int_equal(count_events(json, "json_extract(value, '$.cat') = 'kernel'"),
			 dbq(gdb, "SELECT count(*) FROM kernel_event WHERE run_id IS NULL"));
	assert_int_equal(count_events(json, "json_extract(value, '$.cat') = 'fw'"
				      " AND json_extract(value, '$.ph') = 'i'"),
			 dbq(gdb, "SELECT count(*) FROM fw_message WHERE run_id IS NULL"));
	assert_int_equal(count_events(json, "json_extract(value, '$.ph') = 'M'"
				      " AND json_extract(value, '$.args.name') = 'GPU'"), 1);
	assert_int_equal(count_events(json, "json_extract(value, '$.ph') = 'M'"
				      " AND json_extract(value, '$.args.name') = 'kernel'"), 2);
	assert_int_equal(count_events(json, "json_extract(value, '$.ph') = 'M'"
				      " AND json_extract(value, '$.name') = 'thread_name'"
				      " AND json_extract(value, '$.args.name') LIKE 'queue %'"), 2);
	/* Submit flows pair up. */
	assert_int_equal(count_events(json, "json_extract(value, '$.cat') = 'submit'"
				      " AND json_extract(value, '$.ph') = 's'"),
			 count_events(json, "json_extract(value, '$.cat') = 'submit'"
				      " AND json_extract(value, '$.ph') = 'f'"));
	/* ts is in microseconds with the nanoseconds kept. */
	begin = dbq(gdb, "SELECT begin_ns FROM ioctl WHERE id = 1");
	snprintf(want, sizeof(want), "\"ts\":%lld.%03lld,", (long long)begin / 1000,
		 (long long)begin % 1000);
	expect_in(json, want);
	assert_int_equal(jq(json, "SELECT json_extract(value, '$.args.errno') FROM json_each(?1, '$.traceEvents')"
			    " WHERE json_extract(value, '$.args.id') = %lld AND json_extract(value, '$.cat') = 'ioctl'",
			    (long long)dbq(gdb, "SELECT min(id) FROM ioctl WHERE ret < 0")), 62);
	free(json);

	/* A run: its calls, with the mismatch in the args. */
	run(&r, "export", gdb, "--run", "13", "-f", "chrome-json", "-o", out, NULL);
	expect_status(&r, 0);
	result_free(&r);
	json = slurp(out);
	assert_int_equal(jq(json, "SELECT json_valid(?1)"), 1);
	assert_int_equal(count_events(json, "json_extract(value, '$.cat') = 'ioctl'"),
			 dbq(gdb, "SELECT count(*) FROM run_call WHERE run_id = 13"));
	assert_int_equal(count_events(json, "json_extract(value, '$.args.mismatch') IS NOT NULL"), 1);
	assert_int_equal(count_events(json, "json_extract(value, '$.cat') = 'kernel'"),
			 dbq(gdb, "SELECT count(*) FROM kernel_event WHERE run_id = 13"));
	free(json);

	/* To stdout. */
	run(&r, "export", gdb, "-f", "chrome-json", "-o", "-", NULL);
	expect_status(&r, 0);
	assert_int_equal(jq(r.out, "SELECT json_valid(?1)"), 1);
	result_free(&r);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_export_csv(void **state)
{
	char dir[SHORT], path[PATH_MAX];
	struct result r;
	char *csv;

	tpath(dir, "csv");
	run(&r, "export", gdb, "-f", "csv", "-o", dir, NULL);
	expect_status(&r, 0);
	expect_in(r.err, "wrote 21 tables");
	result_free(&r);
	/* The calls as the view ioctl shows them: names, and the bytes in hex. */
	snprintf(path, sizeof(path), "%s/ioctl.csv", dir);
	csv = slurp(path);
	expect_in(csv, "id,tid,pid,fd,fd_id,device_id,request,name,driver,begin_ns,"
		  "end_ns,ret,errno,in_bytes,out_bytes\r\n1,");
	expect_in(csv, ",DRM_IOCTL_VERSION,drm,");
	expect_in(csv, ",01020300000000000000000000000000,04050600000000000000000000000000\r\n");
	assert_int_equal(strncmp(csv, "id,", 3), 0);
	assert_int_equal(count_lines(csv), dbq(gdb, "SELECT count(*) FROM ioctl") + 1);
	free(csv);
	snprintf(path, sizeof(path), "%s/ioctl_name.csv", dir);
	csv = slurp(path);
	expect_in(csv, "id,name,driver\r\n1,DRM_IOCTL_VERSION,drm\r\n");
	assert_int_equal(count_lines(csv), dbq(gdb, "SELECT count(*) FROM ioctl_name") + 1);
	free(csv);
	/* JSON payloads hold commas and quotes: quoted, quotes doubled. */
	snprintf(path, sizeof(path), "%s/fw_message.csv", dir);
	csv = slurp(path);
	expect_in(csv, ",\"{\"\"seq\"\":1,\"\"status\"\":0}\",");
	free(csv);
	/* The arrays (none in a synthetic capture). */
	snprintf(path, sizeof(path), "%s/ioctl_payload.csv", dir);
	csv = slurp(path);
	assert_string_equal(csv, "id,ioctl_id,direction,idx,field,bytes\r\n");
	free(csv);

	/* --run: the run tables hold that run only. */
	run(&r, "export", gdb, "-f", "csv", "--run", "badhash", "-o", dir, NULL);
	expect_status(&r, 0);
	result_free(&r);
	snprintf(path, sizeof(path), "%s/run_call.csv", dir);
	csv = slurp(path);
	assert_int_equal(count_lines(csv), dbq(gdb, "SELECT count(*) FROM run_call WHERE run_id = 10") + 1);
	free(csv);
	snprintf(path, sizeof(path), "%s/run.csv", dir);
	csv = slurp(path);
	assert_int_equal(count_lines(csv), 2);
	free(csv);

	/* A file where the directory should be. */
	run(&r, "export", gdb, "-f", "csv", "-o", path, NULL);
	expect_status(&r, 2);
	expect_in(r.err, "not a directory");
	result_free(&r);
}

/* ---------------------------------------------------------------------- */
/* HTML                                                                    */
/* ---------------------------------------------------------------------- */

static int count_str(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

/* One self-contained page: nothing it would fetch, every chart drawn. */
static void check_page(const char *path, int min_charts)
{
	char *html = slurp(path), want[64];
	int charts = count_str(html, "<svg class=\"chart\"");

	assert_int_equal(strncmp(html, "<!DOCTYPE html>", 15), 0);
	assert_non_null(strstr(html, "</html>\n"));
	expect_not_in(html, "http://");
	expect_not_in(html, "https://");
	expect_not_in(html, " src=");
	expect_not_in(html, "<link");
	expect_not_in(html, "@import");
	expect_not_in(html, "url(");
	if (charts < min_charts)
		fail_msg("%s: %d charts, want at least %d", path, charts, min_charts);
	snprintf(want, sizeof(want), "data-charts=\"%d\"", charts);
	expect_in(html, want);
	assert_int_equal(count_str(html, "<svg"), count_str(html, "</svg>"));
	free(html);
}

static void test_html_self_contained(void **state)
{
	char a[PATH_MAX], b[PATH_MAX], out[PATH_MAX];
	struct result r;
	char *html;

	tpath(out, "report.html");
	run(&r, "report", gdb, "-f", "html", "-o", out, NULL);
	expect_status(&r, 0);
	result_free(&r);
	/* Box plots, histograms, the job timeline, firmware round trips. */
	check_page(out, 6);
	html = slurp(out);
	expect_in(html, "Jobs per queue over time");
	expect_in(html, "Firmware round trips");
	expect_in(html, "<table class=\"data\">");
	free(html);

	spec(a, "base");
	spec(b, "slow");
	tpath(out, "compare.html");
	run(&r, "compare", a, b, "-f", "html", "-o", out, NULL);
	expect_status(&r, 1);
	expect_in(r.err, "REGRESSION");
	result_free(&r);
	check_page(out, 10);
	html = slurp(out);
	expect_in(html, "<div class=\"banner bad\">REGRESSION: ");
	expect_in(html, "Change of each metric");
	expect_in(html, "A above, B below");
	expect_in(html, "<td class=\"worse\">worse</td>");
	free(html);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aa_no_change),
		cmocka_unit_test(test_aa_seeds),
		cmocka_unit_test(test_slow_jobs_worse),
		cmocka_unit_test(test_bad_hash_named),
		cmocka_unit_test(test_mismatch_and_errno),
		cmocka_unit_test(test_compare_markdown),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_report_reference),
		cmocka_unit_test(test_report_runs),
		cmocka_unit_test(test_report_old_schema),
		cmocka_unit_test(test_fw_matching_rule),
		cmocka_unit_test(test_export_chrome),
		cmocka_unit_test(test_export_csv),
		cmocka_unit_test(test_html_self_contained),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: test_analyzer PATH/TO/drmscope PATH/TO/gen_synthetic\n");
		return 2;
	}
	drmscope = argv[1];
	gen = argv[2];
	return cmocka_run_group_tests_name("analyzer", tests, group_setup, group_teardown);
}
