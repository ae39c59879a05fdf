/*
 * analyzer/export.c: `drmscope export DB [--run R] --format chrome-json|csv
 * -o OUT`, a capture or a replay run in formats other tools read.
 *
 * chrome-json: the Trace Event Format's JSON object form ({"traceEvents":
 * [...]}) that Perfetto's UI and chrome://tracing open. Times are "ts" in
 * microseconds with the nanoseconds as three decimals, on the capture's
 * (or the run's) monotonic clock. What goes where:
 *  - each ioctl: an "X" (complete) event on its process (pid) and thread
 *    (tid), named after the ioctl, args {id, ret, errno} (and the mismatch
 *    of a replayed call);
 *  - jobs: a synthetic process "GPU" (pid GPU_PID) with one thread (track)
 *    per queue, tid = the queue's row id: run -> done as an "X" event
 *    "job SEQNO" (cat "job"), and submit -> run as an async "b"/"e" pair
 *    "wait SEQNO" (cat "job_wait": waits of consecutive jobs overlap, which
 *    slices on one thread may not); a flow ("s"/"f", cat "submit") leads
 *    from the submit ioctl to the job;
 *  - firmware messages: instant events ("i", thread scope) on the GPU
 *    process, one track per ring (tid FW_TID + ring), args {seq, function,
 *    payload}; a flow (cat "fw") leads from a command to its reply, matched
 *    as report does (docs/schema.md, fw_message);
 *  - kernel events: instant events "system:name" on a process "kernel"
 *    (pid KERNEL_PID), one track "kernel", args {cpu, pid, fields};
 *  - "M" metadata events name the processes and threads.
 * Events are written as SQLite returns them; viewers sort by time.
 *
 * csv: one RFC 4180 file per table, OUT/TABLE.csv (CRLF line ends, a
 * header row, NULL as an empty field, BLOBs as lowercase hex), into the
 * directory OUT, created if it does not exist. With --run, the tables run,
 * run_call and run_job hold only that run's rows.
 *
 * The database is opened read-only and defensively; each statement is
 * prepared once and finalized.
 */
#include "builtin.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include <drmscope/db.h>

#include "analyzer.h"

#define GPU_PID		1000000001	/* the synthetic "GPU" process */
#define KERNEL_PID	1000000002	/* the synthetic "kernel" process */
#define FW_TID		1000000		/* + ring: firmware tracks in "GPU" */
#define KERNEL_TID	1
#define FW_FLOW_ID	((int64_t)1 << 40)	/* fw flow ids: apart from job flows */

enum export_format {
	EXPORT_CHROME,
	EXPORT_CSV,
};

struct exporter {
	struct am_source src;
	int64_t run_id;			/* 0: the capture */
	FILE *f;
	bool first;			/* no event written yet */
	uint64_t events;
	char err[1024];
};

static int xfail(struct exporter *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int xfail(struct exporter *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int sql_fail(struct exporter *x)
{
	return xfail(x, "%s: %s", x->src.path, sqlite3_errmsg(ds_db_sqlite(x->src.db)));
}

static int prepare(struct exporter *x, const char *sql, sqlite3_stmt **st)
{
	*st = NULL;
	if (sqlite3_prepare_v2(ds_db_sqlite(x->src.db), sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	return sql_fail(x);
}

/* The statement's ?1 is the run id, when it has one. */
static void bind_run(struct exporter *x, sqlite3_stmt *st)
{
	if (x->run_id && sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, x->run_id);
}

/* ---------------------------------------------------------------------- */
/* Chrome JSON                                                             */
/* ---------------------------------------------------------------------- */

/* Nanoseconds as microseconds with three decimals, exactly. */
static void put_us(FILE *f, int64_t ns)
{
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

	fprintf(f, "%s%" PRIu64 ".%03" PRIu64, ns < 0 ? "-" : "", a / 1000, a % 1000);
}

static void put_str(FILE *f, const unsigned char *s)
{
	if (s)
		out_json_string(f, s, strlen((const char *)s));
	else
		fputs("null", f);
}

/* Start an event: the separator, then "{". */
static void ev_begin(struct exporter *x)
{
	fputs(x->first ? "\n{" : ",\n{", x->f);
	x->first = false;
	x->events++;
}

static void meta(struct exporter *x, const char *what, int64_t pid, int64_t tid,
		 const char *name)
{
	ev_begin(x);
	fprintf(x->f, "\"name\":\"%s\",\"ph\":\"M\",\"pid\":%" PRId64, what, pid);
	if (tid >= 0)
		fprintf(x->f, ",\"tid\":%" PRId64, tid);
	fputs(",\"args\":{\"name\":", x->f);
	put_str(x->f, (const unsigned char *)name);
	fputs("}}", x->f);
}

static int chrome_names(struct exporter *x)
{
	sqlite3_stmt *st;
	char name[320];
	int rc;

	if (prepare(x, "SELECT pid, comm FROM process", &st))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(name, sizeof(name), "%s",
			 sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "?");
		meta(x, "process_name", sqlite3_column_int64(st, 0), -1, name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(x);
	if (prepare(x, "SELECT tid, pid, name FROM thread WHERE pid IS NOT NULL", &st))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(name, sizeof(name), "%s",
			 sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "?");
		meta(x, "thread_name", sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 0),
		     name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(x);
	meta(x, "process_name", GPU_PID, -1, "GPU");
	meta(x, "process_name", KERNEL_PID, -1, "kernel");
	meta(x, "thread_name", KERNEL_PID, KERNEL_TID, "kernel");
	if (prepare(x, "SELECT id, handle FROM queue ORDER BY id", &st))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(name, sizeof(name), "queue %" PRId64 " (handle %" PRId64 ")",
			 (int64_t)sqlite3_column_int64(st, 0), (int64_t)sqlite3_column_int64(st, 1));
		meta(x, "thread_name", GPU_PID, sqlite3_column_int64(st, 0), name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(x);
	meta(x, "thread_name", GPU_PID, FW_TID, "firmware ring 0 (commands)");
	meta(x, "thread_name", GPU_PID, FW_TID + 1, "firmware ring 1 (messages)");
	return 0;
}

static int chrome_ioctls(struct exporter *x)
{
	static const char capture_sql[] =
		"SELECT name, pid, tid, begin_ns, end_ns, ret, errno, id, NULL FROM ioctl"
		" WHERE begin_ns IS NOT NULL";
	static const char run_sql[] =
		"SELECT i.name, i.pid, i.tid, rc.begin_ns, rc.end_ns, rc.ret, rc.errno, rc.ioctl_id,"
		" rc.mismatch FROM run_call rc LEFT JOIN ioctl i ON i.id = rc.ioctl_id"
		" WHERE rc.run_id = ?1 AND rc.begin_ns IS NOT NULL";
	sqlite3_stmt *st;
	FILE *f = x->f;
	int64_t begin;
	int rc;

	if (prepare(x, x->run_id ? run_sql : capture_sql, &st))
		return -1;
	bind_run(x, st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		begin = sqlite3_column_int64(st, 3);
		ev_begin(x);
		fputs("\"name\":", f);
		put_str(f, sqlite3_column_text(st, 0) ? sqlite3_column_text(st, 0) :
			(const unsigned char *)"?");
		fprintf(f, ",\"cat\":\"ioctl\",\"ph\":\"X\",\"pid\":%" PRId64 ",\"tid\":%" PRId64
			",\"ts\":", (int64_t)sqlite3_column_int64(st, 1),
			(int64_t)sqlite3_column_int64(st, 2));
		put_us(f, begin);
		if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			fputs(",\"dur\":", f);
			put_us(f, sqlite3_column_int64(st, 4) - begin);
			fprintf(f, ",\"args\":{\"id\":%" PRId64 ",\"ret\":%" PRId64 ",\"errno\":%" PRId64,
				(int64_t)sqlite3_column_int64(st, 7), (int64_t)sqlite3_column_int64(st, 5),
				(int64_t)sqlite3_column_int64(st, 6));
		} else {
			fprintf(f, ",\"dur\":0,\"args\":{\"id\":%" PRId64 ",\"unfinished\":true",
				(int64_t)sqlite3_column_int64(st, 7));
		}
		if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
			fputs(",\"mismatch\":", f);
			put_str(f, sqlite3_column_text(st, 8));
		}
		fputs("}}", f);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_fail(x);
}

static int chrome_jobs(struct exporter *x)
{
	static const char capture_sql[] =
		"SELECT j.id, j.queue_id, j.seqno, j.submit_ns, j.run_ns, j.done_ns, j.result,"
		" j.result_hash, i.pid, i.tid, j.submit_ioctl_id"
		" FROM job j LEFT JOIN ioctl i ON i.id = j.submit_ioctl_id"
		" WHERE j.queue_id IS NOT NULL";
	static const char run_sql[] =
		"SELECT rj.id, rj.queue_id, rj.seqno, rj.submit_ns, rj.run_ns, rj.done_ns, rj.result,"
		" rj.result_hash, i.pid, i.tid, j.submit_ioctl_id"
		" FROM run_job rj LEFT JOIN job j ON j.id = rj.job_id"
		" LEFT JOIN ioctl i ON i.id = j.submit_ioctl_id"
		" WHERE rj.run_id = ?1 AND rj.queue_id IS NOT NULL";
	int64_t id, q, seqno, submit, run, done;
	sqlite3_stmt *st;
	FILE *f = x->f;
	bool has_submit, has_run, has_done;
	int rc;

	if (prepare(x, x->run_id ? run_sql : capture_sql, &st))
		return -1;
	bind_run(x, st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		q = sqlite3_column_int64(st, 1);
		seqno = sqlite3_column_int64(st, 2);
		submit = sqlite3_column_int64(st, 3);
		run = sqlite3_column_int64(st, 4);
		done = sqlite3_column_int64(st, 5);
		has_submit = sqlite3_column_type(st, 3) != SQLITE_NULL;
		has_run = sqlite3_column_type(st, 4) != SQLITE_NULL;
		has_done = sqlite3_column_type(st, 5) != SQLITE_NULL;
		if (has_submit && has_run) {
			ev_begin(x);
			fprintf(f, "\"name\":\"wait %" PRId64 "\",\"cat\":\"job_wait\",\"ph\":\"b\","
				"\"id\":\"j%" PRId64 "\",\"pid\":%d,\"tid\":%" PRId64 ",\"ts\":",
				seqno, id, GPU_PID, q);
			put_us(f, submit);
			fprintf(f, ",\"args\":{\"queue\":%" PRId64 ",\"seqno\":%" PRId64 "}}", q, seqno);
			ev_begin(x);
			fprintf(f, "\"name\":\"wait %" PRId64 "\",\"cat\":\"job_wait\",\"ph\":\"e\","
				"\"id\":\"j%" PRId64 "\",\"pid\":%d,\"tid\":%" PRId64 ",\"ts\":",
				seqno, id, GPU_PID, q);
			put_us(f, run);
			fputs("}", f);
		}
		if (!has_run || !has_done)
			continue;
		ev_begin(x);
		fprintf(f, "\"name\":\"job %" PRId64 "\",\"cat\":\"job\",\"ph\":\"X\",\"pid\":%d,"
			"\"tid\":%" PRId64 ",\"ts\":", seqno, GPU_PID, q);
		put_us(f, run);
		fputs(",\"dur\":", f);
		put_us(f, done - run);
		fprintf(f, ",\"args\":{\"queue\":%" PRId64 ",\"seqno\":%" PRId64 ",\"result\":%" PRId64
			",\"hash\":", q, seqno, (int64_t)sqlite3_column_int64(st, 6));
		put_str(f, sqlite3_column_text(st, 7));
		fprintf(f, ",\"submit_ioctl_id\":%" PRId64 "}}", (int64_t)sqlite3_column_int64(st, 10));
		/* A flow from the submitting call to the job. */
		if (has_submit && sqlite3_column_type(st, 8) != SQLITE_NULL) {
			ev_begin(x);
			fprintf(f, "\"name\":\"submit\",\"cat\":\"submit\",\"ph\":\"s\",\"id\":%" PRId64
				",\"pid\":%" PRId64 ",\"tid\":%" PRId64 ",\"ts\":", id,
				(int64_t)sqlite3_column_int64(st, 8), (int64_t)sqlite3_column_int64(st, 9));
			put_us(f, submit);
			fputs("}", f);
			ev_begin(x);
			fprintf(f, "\"name\":\"submit\",\"cat\":\"submit\",\"ph\":\"f\",\"bp\":\"e\","
				"\"id\":%" PRId64 ",\"pid\":%d,\"tid\":%" PRId64 ",\"ts\":", id, GPU_PID, q);
			put_us(f, run);
			fputs("}", f);
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_fail(x);
}

/* A flow from a firmware command to its reply. */
static int fw_flow(void *ctx, const struct am_fw_pair *p)
{
	struct exporter *x = ctx;
	FILE *f = x->f;

	ev_begin(x);
	fprintf(f, "\"name\":\"reply\",\"cat\":\"fw\",\"ph\":\"s\",\"id\":%" PRId64
		",\"pid\":%d,\"tid\":%d,\"ts\":", FW_FLOW_ID + p->send_id, GPU_PID, FW_TID);
	put_us(f, p->send_ns);
	fputs("}", f);
	ev_begin(x);
	fprintf(f, "\"name\":\"reply\",\"cat\":\"fw\",\"ph\":\"f\",\"bp\":\"e\",\"id\":%" PRId64
		",\"pid\":%d,\"tid\":%d,\"ts\":", FW_FLOW_ID + p->send_id, GPU_PID, FW_TID + 1);
	put_us(f, p->reply_ns);
	fputs("}", f);
	return 0;
}

static int chrome_fw(struct exporter *x)
{
	static const char fmt[] =
		"SELECT id, coalesce(function_name, printf('0x%%02x', function)), direction = 'send',"
		" ns, seq, ring, payload, json_valid(payload) FROM fw_message"
		" WHERE ns IS NOT NULL AND %s";
	static const struct am_fw_ops flow_ops = { NULL, fw_flow };
	const char *filter = am_run_filter(&x->src);
	struct am_fw_matcher m;
	sqlite3_stmt *st;
	char sql[512];
	FILE *f = x->f;
	int rc;

	snprintf(sql, sizeof(sql), fmt, filter);
	if (prepare(x, sql, &st))
		return -1;
	bind_run(x, st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ev_begin(x);
		fputs("\"name\":", f);
		put_str(f, sqlite3_column_text(st, 1));
		fprintf(f, ",\"cat\":\"fw\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,\"tid\":%" PRId64
			",\"ts\":", GPU_PID, FW_TID + (int64_t)sqlite3_column_int64(st, 5));
		put_us(f, sqlite3_column_int64(st, 3));
		fprintf(f, ",\"args\":{\"id\":%" PRId64 ",\"seq\":%" PRId64 ",\"direction\":\"%s\","
			"\"payload\":", (int64_t)sqlite3_column_int64(st, 0),
			(int64_t)sqlite3_column_int64(st, 4),
			sqlite3_column_int(st, 2) ? "send" : "receive");
		if (sqlite3_column_int(st, 7))
			fputs((const char *)sqlite3_column_text(st, 6), f);
		else
			put_str(f, sqlite3_column_text(st, 6));
		fputs("}}", f);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(x);

	if (am_fw_matcher_init(&m, &x->src, x->err, sizeof(x->err)))
		return -1;
	rc = am_fw_match(&m, x->run_id, &flow_ops, x, x->err, sizeof(x->err));
	am_fw_matcher_fini(&m);
	return rc;
}

static int chrome_kernel(struct exporter *x)
{
	static const char fmt[] =
		"SELECT ns, cpu, pid, system || ':' || name, fields, json_valid(fields)"
		" FROM kernel_event WHERE %s";
	const char *filter = am_run_filter(&x->src);
	sqlite3_stmt *st;
	char sql[256];
	FILE *f = x->f;
	int rc;

	snprintf(sql, sizeof(sql), fmt, filter);
	if (prepare(x, sql, &st))
		return -1;
	bind_run(x, st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ev_begin(x);
		fputs("\"name\":", f);
		put_str(f, sqlite3_column_text(st, 3));
		fprintf(f, ",\"cat\":\"kernel\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,\"tid\":%d,\"ts\":",
			KERNEL_PID, KERNEL_TID);
		put_us(f, sqlite3_column_int64(st, 0));
		fprintf(f, ",\"args\":{\"cpu\":%" PRId64 ",\"pid\":%" PRId64 ",\"fields\":",
			(int64_t)sqlite3_column_int64(st, 1), (int64_t)sqlite3_column_int64(st, 2));
		if (sqlite3_column_int(st, 5))
			fputs((const char *)sqlite3_column_text(st, 4), f);
		else
			put_str(f, sqlite3_column_text(st, 4));
		fputs("}}", f);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_fail(x);
}

static int export_chrome(struct exporter *x, const char *out)
{
	int rc;

	x->f = out_open(out, x->err, sizeof(x->err));
	if (!x->f)
		return -1;
	x->first = true;
	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"drmscope export\",\"source\":", x->f);
	put_str(x->f, (const unsigned char *)x->src.path);
	fprintf(x->f, ",\"run_id\":%" PRId64 "},\n\"traceEvents\":[", x->run_id);
	rc = chrome_names(x) || chrome_ioctls(x) || chrome_jobs(x) || chrome_fw(x) ||
	     chrome_kernel(x);
	fputs("\n]}\n", x->f);
	if (out_close(x->f, out, rc ? x->err + strlen(x->err) : x->err,
		      rc ? sizeof(x->err) - strlen(x->err) : sizeof(x->err)) || rc)
		return -1;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* CSV                                                                     */
/* ---------------------------------------------------------------------- */

/*
 * Every table a drmscope database may have. The calls are exported as the
 * ioctl view shows them (names, not name ids), and ioctl_name as well.
 */
static const char *const csv_tables[] = {
	"capture", "device", "driver", "process", "thread", "fd", "ioctl", "ioctl_name",
	"ioctl_payload", "gem_object", "vm", "vm_bind_op", "queue", "job", "fw_message",
	"kernel_event", "blob", "buffer_snapshot", "run", "run_call", "run_job",
};

static void csv_value(FILE *f, sqlite3_stmt *st, int i)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	int n, k;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		break;
	case SQLITE_BLOB:
		p = sqlite3_column_blob(st, i);
		n = sqlite3_column_bytes(st, i);
		for (k = 0; k < n; k++) {
			putc(hex[p[k] >> 4], f);
			putc(hex[p[k] & 15], f);
		}
		break;
	default:
		out_csv_field(f, (const char *)sqlite3_column_text(st, i),
			      (size_t)sqlite3_column_bytes(st, i));
		break;
	}
}

static int csv_table(struct exporter *x, const char *dir, const char *table, uint64_t *rows)
{
	char path[4096], sql[160], err[512];
	const char *filter = "";
	sqlite3_stmt *st;
	FILE *f;
	int rc, i, n;

	if (x->run_id && !strcmp(table, "run"))
		filter = " WHERE id = ?1";
	else if (x->run_id && (!strcmp(table, "run_call") || !strcmp(table, "run_job")))
		filter = " WHERE run_id = ?1";
	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"%s", table, filter);
	if (prepare(x, sql, &st))
		return -1;
	bind_run(x, st);
	snprintf(path, sizeof(path), "%s/%s.csv", dir, table);
	f = out_open(path, x->err, sizeof(x->err));
	if (!f) {
		sqlite3_finalize(st);
		return -1;
	}
	n = sqlite3_column_count(st);
	for (i = 0; i < n; i++) {
		if (i)
			putc(',', f);
		out_csv_field(f, sqlite3_column_name(st, i), strlen(sqlite3_column_name(st, i)));
	}
	fputs("\r\n", f);
	*rows = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			if (i)
				putc(',', f);
			csv_value(f, st, i);
		}
		fputs("\r\n", f);
		(*rows)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sql_fail(x);
		out_close(f, path, err, sizeof(err));
		return -1;
	}
	return out_close(f, path, x->err, sizeof(x->err));
}

static int export_csv(struct exporter *x, const char *dir)
{
	struct stat sb;
	uint64_t rows, total = 0;
	size_t i;
	int files = 0, has;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return xfail(x, "%s: %s", dir, strerror(errno));
	if (stat(dir, &sb) || !S_ISDIR(sb.st_mode))
		return xfail(x, "%s: not a directory (--format csv writes one file per table there)",
			     dir);
	for (i = 0; i < sizeof(csv_tables) / sizeof(csv_tables[0]); i++) {
		has = ds_db_has_table(x->src.db, csv_tables[i]);
		if (has < 0)
			return xfail(x, "%s", ds_db_errmsg(x->src.db));
		if (!has)
			continue;
		if (csv_table(x, dir, csv_tables[i], &rows))
			return -1;
		files++;
		total += rows;
	}
	fprintf(stderr, "drmscope export: wrote %d tables (%" PRIu64 " rows) to %s/\n", files, total,
		dir);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The command                                                             */
/* ---------------------------------------------------------------------- */

int cmd_export(int argc, char **argv)
{
	static const struct option options[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct exporter x = { 0 };
	unsigned int flags = DS_DB_OPEN_NO_CHECK;
	const char *run = NULL, *out = NULL, *format = NULL;
	enum export_format fmt = EXPORT_CHROME;
	int c, rc, status = DRMSCOPE_EXIT_USAGE;

	if (drmscope_wants_help(argc, argv))
		return DRMSCOPE_EXIT_OK;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:f:o:", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			run = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'c':
			flags = 0;
			break;
		case ':':
			return drmscope_usage_error("export", "option '%s' needs a value",
						    argv[optind - 1]);
		default:
			return drmscope_usage_error("export", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!format)
		return drmscope_usage_error("export", "--format chrome-json or --format csv is needed");
	if (!strcmp(format, "chrome-json") || !strcmp(format, "chrome") ||
	    !strcmp(format, "perfetto"))
		fmt = EXPORT_CHROME;
	else if (!strcmp(format, "csv"))
		fmt = EXPORT_CSV;
	else
		return drmscope_usage_error("export", "unknown format '%s' (chrome-json or csv)", format);
	if (!out)
		return drmscope_usage_error("export", "-o OUT is needed (%s)",
					    fmt == EXPORT_CSV ? "a directory" : "a file, or - for stdout");
	if (argc - optind != 1)
		return drmscope_usage_error("export", "expected one database");

	if (am_source_open(&x.src, argv[optind], run, flags, x.err, sizeof(x.err))) {
		fprintf(stderr, "drmscope export: %s\n", x.err);
		goto out;
	}
	x.run_id = x.src.is_run ? x.src.runs[0].id : 0;
	if (x.src.n_runs > 1)
		fprintf(stderr, "drmscope export: %zu runs are labelled '%s'; exporting run %" PRId64
			" (give its id for another)\n", x.src.n_runs, run, x.run_id);
	rc = fmt == EXPORT_CSV ? export_csv(&x, out) : export_chrome(&x, out);
	if (rc) {
		fprintf(stderr, "drmscope export: %s\n", x.err);
		goto out;
	}
	if (fmt == EXPORT_CHROME && strcmp(out, "-"))
		fprintf(stderr, "drmscope export: wrote %" PRIu64 " events to %s\n", x.events, out);
	status = DRMSCOPE_EXIT_OK;
out:
	am_source_close(&x.src);
	return status;
}
