/*
 * analyzer/info.c: `drmscope info DB`, a human summary of a capture.
 *
 * Prints what was recorded (host, kernel, command, when, lost events), the
 * processes and devices with their drivers, how many rows each table holds,
 * the most frequent ioctls, the time span and the replay runs stored. The
 * file is opened read-only and defensively, with PRAGMA quick_check unless
 * --no-check is given, so a missing, foreign, truncated or corrupt file is
 * reported in one line and exit status 2. Strings from the file are printed
 * with control characters replaced, since the file may come from anyone.
 */
#include "builtin.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include <drmscope/db.h>

#include "output.h"

#define MAX_PROCESSES	20
#define MAX_DEVICES	20
#define DEFAULT_TOP	10
#define PATH_MAX_PRINT	1024

/*
 * Every table a drmscope database may have, in the order info lists them
 * (ioctl: the table of schema versions 1 to 4, a view since).
 */
static const char *const info_tables[] = {
	"capture", "process", "thread", "device", "driver", "fd", "ioctl",
	"ioctl_call", "ioctl_name", "ioctl_payload", "gem_object", "vm",
	"vm_bind_op", "queue", "job", "fw_message", "kernel_event",
	"buffer_snapshot", "blob", "run", "run_call", "run_job",
};

struct info {
	struct ds_db *db;
	sqlite3 *sql;
	int top;
	const char *calls;		/* the table of the calls: ioctl_call, or ioctl */
};

/* ---------------------------------------------------------------------- */
/* Formatting                                                              */
/* ---------------------------------------------------------------------- */

#define TEXT(st, i)	sqlite3_column_text(st, i)
#define INT(st, i)	((int64_t)sqlite3_column_int64(st, i))
#define IS_NULL(st, i)	(sqlite3_column_type(st, i) == SQLITE_NULL)

/* ---------------------------------------------------------------------- */
/* Queries                                                                 */
/* ---------------------------------------------------------------------- */

/* SQLite's message may quote the file's contents: print it safely. */
static void print_sql_error(struct info *in)
{
	char b1[PATH_MAX_PRINT], b2[512];

	fprintf(stderr, "drmscope info: %s: %s\n",
		out_safe(b1, sizeof(b1), (const unsigned char *)ds_db_path(in->db)),
		out_safe(b2, sizeof(b2), (const unsigned char *)sqlite3_errmsg(in->sql)));
}

static int prepare(struct info *in, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(in->sql, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	print_sql_error(in);
	return -1;
}

/* Finalize after a loop of sqlite3_step() that ended with @rc. */
static int finish(struct info *in, sqlite3_stmt *st, int rc)
{
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		print_sql_error(in);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* One integer from @sql (0 when it gives NULL or no row). */
static int query_int(struct info *in, const char *sql, int64_t *v)
{
	sqlite3_stmt *st;
	int rc;

	*v = 0;
	if (prepare(in, sql, &st))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = INT(st, 0);
	return finish(in, st, rc);
}

/* ---------------------------------------------------------------------- */
/* Sections                                                                */
/* ---------------------------------------------------------------------- */

static int print_file(struct info *in)
{
	char b1[32];
	struct stat sb;
	int64_t lost;

	printf("%s: drmscope database, schema version %d",
	       ds_db_path(in->db), ds_db_schema_version(in->db));
	if (!stat(ds_db_path(in->db), &sb))
		printf(", %s", out_fmt_bytes(b1, sizeof(b1), sb.st_size));
	putchar('\n');
	if (ds_db_schema_version(in->db) < DS_DB_SCHEMA_VERSION)
		printf("  (an older schema: report, compare, export and replay need version %d;"
		       " `drmscope upgrade` migrates the file)\n", DS_DB_SCHEMA_VERSION);
	if (query_int(in, "SELECT coalesce(sum(lost_events), 0) FROM capture", &lost))
		return -1;
	if (lost)
		printf("  WARNING: %" PRId64 " events were lost while recording\n", lost);
	return 0;
}

static int print_capture(struct info *in)
{
	static const char sql[] =
		"SELECT host, kernel_release, machine, command_line, source,"
		" drmscope_version, clock, start_unix_ns, start_ns, end_ns, lost_events"
		" FROM capture WHERE id = 1";
	char b1[512], b2[64], b3[64];
	sqlite3_stmt *st;
	int rc;

	if (prepare(in, sql, &st))
		return -1;
	printf("\ncapture\n");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		printf("  (no capture row: the import did not finish?)\n");
		return finish(in, st, rc);
	}
	printf("  %-14s %s\n", "host", out_safe(b1, sizeof(b1), TEXT(st, 0)));
	printf("  %-14s %s", "kernel", out_safe(b1, sizeof(b1), TEXT(st, 1)));
	printf(" (%s)\n", out_safe(b1, sizeof(b1), TEXT(st, 2)));
	printf("  %-14s %s\n", "command", out_safe(b1, sizeof(b1), TEXT(st, 3)));
	printf("  %-14s %s\n", "source", out_safe(b1, sizeof(b1), TEXT(st, 4)));
	printf("  %-14s %s\n", "drmscope", out_safe(b1, sizeof(b1), TEXT(st, 5)));
	printf("  %-14s %s\n", "recorded at", out_fmt_unix(b2, sizeof(b2), INT(st, 7)));
	printf("  %-14s %s\n", "clock", out_safe(b1, sizeof(b1), TEXT(st, 6)));
	if (!IS_NULL(st, 8) && !IS_NULL(st, 9))
		printf("  %-14s %s (%" PRId64 " .. %" PRId64 " ns)\n", "duration",
		       out_fmt_ns(b3, sizeof(b3), INT(st, 9) - INT(st, 8)), INT(st, 8), INT(st, 9));
	printf("  %-14s %" PRId64 "\n", "lost events", INT(st, 10));
	return finish(in, st, SQLITE_DONE);
}

/* First and last event of any kind: ioctls, kernel events, fw, jobs. */
static int print_span(struct info *in)
{
	static const char fmt[] =
		"SELECT min(t0), max(t1) FROM ("
		" SELECT min(begin_ns) AS t0, max(coalesce(end_ns, begin_ns)) AS t1 FROM %s"
		" UNION ALL SELECT min(ns), max(ns) FROM kernel_event"
		" UNION ALL SELECT min(ns), max(ns) FROM fw_message"
		" UNION ALL SELECT min(submit_ns), max(coalesce(done_ns, run_ns, submit_ns)) FROM job)";
	char b1[64], sql[sizeof(fmt) + 16];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), fmt, in->calls);
	if (prepare(in, sql, &st))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && !IS_NULL(st, 0))
		printf("  %-14s %s (%" PRId64 " .. %" PRId64 " ns)\n", "events span",
		       out_fmt_ns(b1, sizeof(b1), INT(st, 1) - INT(st, 0)), INT(st, 0), INT(st, 1));
	else if (rc == SQLITE_ROW)
		printf("  %-14s none\n", "events");
	return finish(in, st, rc);
}

static void print_exit(sqlite3_stmt *st, int code_col)
{
	char b[24];

	if (!IS_NULL(st, code_col))
		snprintf(b, sizeof(b), "%" PRId64, INT(st, code_col));
	else if (!IS_NULL(st, code_col + 1))
		snprintf(b, sizeof(b), "sig %" PRId64, INT(st, code_col + 1));
	else
		snprintf(b, sizeof(b), "-");
	printf("  %-6s", b);
}

static int print_processes(struct info *in)
{
	static const char fmt[] =
		"SELECT p.pid, p.ppid, p.comm, p.exit_code, p.exit_signal,"
		" coalesce(c.n, 0), p.exe"
		" FROM process p LEFT JOIN"
		" (SELECT pid, count(*) AS n FROM %s GROUP BY pid) c ON c.pid = p.pid"
		" ORDER BY p.start_ns, p.pid";
	char b1[64], b2[512], sql[sizeof(fmt) + 16];
	sqlite3_stmt *st;
	int64_t total;
	int rc, n = 0;

	snprintf(sql, sizeof(sql), fmt, in->calls);
	if (query_int(in, "SELECT count(*) FROM process", &total) || prepare(in, sql, &st))
		return -1;
	printf("\nprocesses: %" PRId64 "\n", total);
	if (!total)
		return finish(in, st, SQLITE_DONE);
	printf("  %7s  %7s  %-16s  %-6s  %9s  %s\n", "PID", "PPID", "COMM", "EXIT", "IOCTLS", "EXE");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n++ < MAX_PROCESSES) {
		snprintf(b1, sizeof(b1), "%" PRId64, INT(st, 1));
		printf("  %7" PRId64 "  %7s  %-16s", INT(st, 0), IS_NULL(st, 1) ? "-" : b1,
		       out_safe(b2, 17, TEXT(st, 2)));
		print_exit(st, 3);
		printf("  %9" PRId64 "  %s\n", INT(st, 5), out_safe(b2, sizeof(b2), TEXT(st, 6)));
	}
	if (total > MAX_PROCESSES)
		printf("  ... and %" PRId64 " more\n", total - MAX_PROCESSES);
	return finish(in, st, rc);
}

static int print_devices(struct info *in)
{
	static const char sql[] =
		"SELECT d.id, d.path, d.major, d.minor, coalesce(r.name, d.driver),"
		" r.major || '.' || r.minor || '.' || r.patchlevel, r.date, r.description,"
		" (SELECT count(*) FROM fd f WHERE f.device_id = d.id)"
		" FROM device d LEFT JOIN driver r ON r.device_id = d.id ORDER BY d.id";
	char b1[256], b2[64], b3[64], b4[64], b5[256], dev[32];
	sqlite3_stmt *st;
	int64_t total;
	int rc, n = 0;

	if (query_int(in, "SELECT count(*) FROM device", &total) || prepare(in, sql, &st))
		return -1;
	printf("\ndevices: %" PRId64 "\n", total);
	if (!total)
		return finish(in, st, SQLITE_DONE);
	printf("  %3s  %-22s  %-8s  %-12s  %-9s  %-10s  %4s  %s\n", "ID", "PATH", "DEV",
	       "DRIVER", "VERSION", "DATE", "FDS", "DESCRIPTION");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n++ < MAX_DEVICES) {
		snprintf(dev, sizeof(dev), "%" PRId64 ":%" PRId64, INT(st, 2), INT(st, 3));
		printf("  %3" PRId64 "  %-22s  %-8s  %-12s  %-9s  %-10s  %4" PRId64 "  %s\n",
		       INT(st, 0), out_safe(b1, sizeof(b1), TEXT(st, 1)), dev,
		       out_safe(b2, 13, TEXT(st, 4)), out_safe(b3, 10, TEXT(st, 5)),
		       out_safe(b4, 11, TEXT(st, 6)), INT(st, 8), out_safe(b5, sizeof(b5), TEXT(st, 7)));
	}
	if (total > MAX_DEVICES)
		printf("  ... and %" PRId64 " more\n", total - MAX_DEVICES);
	return finish(in, st, rc);
}

static int print_blob_sizes(struct info *in)
{
	static const char sql[] =
		"SELECT coalesce(sum(raw_size), 0), coalesce(sum(length(data)), 0) FROM blob";
	char b1[32], b2[32];
	sqlite3_stmt *st;
	int rc;

	if (prepare(in, sql, &st))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && INT(st, 0))
		printf("  (%s of content stored in %s)", out_fmt_bytes(b1, sizeof(b1), INT(st, 0)),
		       out_fmt_bytes(b2, sizeof(b2), INT(st, 1)));
	return finish(in, st, rc);
}

/* Schema 4 on: how many snapshots are results taken at sync points. */
static int print_result_snapshots(struct info *in)
{
	int64_t n;

	if (ds_db_schema_version(in->db) < 4)
		return 0;
	if (query_int(in, "SELECT count(*) FROM buffer_snapshot WHERE phase = 'after'", &n))
		return -1;
	if (n)
		printf("  (%" PRId64 " of them results at sync points)", n);
	return 0;
}

static int print_counts(struct info *in)
{
	char sql[128];
	int64_t n, is_table;
	size_t i;

	printf("\nrows\n");
	for (i = 0; i < sizeof(info_tables) / sizeof(info_tables[0]); i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'",
			 info_tables[i]);
		if (query_int(in, sql, &is_table))
			return -1;
		if (!is_table)
			continue;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", info_tables[i]);
		if (query_int(in, sql, &n))
			return -1;
		printf("  %-16s %10" PRId64, info_tables[i], n);
		if (!strcmp(info_tables[i], "blob") && print_blob_sizes(in))
			return -1;
		if (!strcmp(info_tables[i], "buffer_snapshot") && n &&
		    print_result_snapshots(in))
			return -1;
		putchar('\n');
	}
	return 0;
}

static int print_top_ioctls(struct info *in)
{
	static const char sql[] =
		"SELECT name, driver, count, errors, unfinished, total_ns, avg_ns"
		" FROM ioctl_summary ORDER BY count DESC, name LIMIT ?";
	char b1[64], b2[16], b3[32], b4[32];
	sqlite3_stmt *st;
	int rc, n = 0;

	if (prepare(in, sql, &st))
		return -1;
	sqlite3_bind_int(st, 1, in->top);
	printf("\ntop ioctls by count\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!n++)
			printf("  %-40s  %-10s  %9s  %7s  %10s  %12s  %10s\n", "NAME", "DRIVER",
			       "COUNT", "ERRORS", "UNFINISHED", "TOTAL", "AVERAGE");
		printf("  %-40s  %-10s  %9" PRId64 "  %7" PRId64 "  %10" PRId64 "  %12s  %10s\n",
		       out_safe(b1, 41, TEXT(st, 0)), out_safe(b2, 11, TEXT(st, 1)), INT(st, 2),
		       INT(st, 3), INT(st, 4), out_fmt_ns(b3, sizeof(b3), INT(st, 5)),
		       out_fmt_ns(b4, sizeof(b4), INT(st, 6)));
	}
	if (!n && rc == SQLITE_DONE)
		printf("  (no ioctls)\n");
	return finish(in, st, rc);
}

static int print_runs(struct info *in)
{
	static const char sql[] =
		"SELECT id, label, driver_name, driver_version, kernel_release,"
		" start_unix_ns, calls, mismatches, errors, jobs FROM run_summary ORDER BY id";
	char b1[64], b2[32], b3[32], b4[64], b5[64];
	sqlite3_stmt *st;
	int has, rc, n = 0;

	has = ds_db_has_table(in->db, "run_summary");
	if (has <= 0) {
		printf("\nruns: none (schema version %d has no runs)\n",
		       ds_db_schema_version(in->db));
		return has < 0 ? -1 : 0;
	}
	if (prepare(in, sql, &st))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!n++)
			printf("\nruns\n  %4s  %-24s  %-12s  %-9s  %-20s  %-23s  %8s  %10s  %6s  %6s\n",
			       "ID", "LABEL", "DRIVER", "VERSION", "KERNEL", "STARTED", "CALLS",
			       "MISMATCHES", "ERRORS", "JOBS");
		printf("  %4" PRId64 "  %-24s  %-12s  %-9s  %-20s  %-23s  %8" PRId64
		       "  %10" PRId64 "  %6" PRId64 "  %6" PRId64 "\n",
		       INT(st, 0), out_safe(b1, 25, TEXT(st, 1)), out_safe(b2, 13, TEXT(st, 2)),
		       out_safe(b3, 10, TEXT(st, 3)), out_safe(b4, 21, TEXT(st, 4)),
		       out_fmt_unix(b5, sizeof(b5), INT(st, 5)), INT(st, 6), INT(st, 7), INT(st, 8),
		       INT(st, 9));
	}
	if (!n && rc == SQLITE_DONE)
		printf("\nruns: none\n");
	return finish(in, st, rc);
}

static int print_indexes(struct info *in)
{
	int has = ds_db_has_indexes(in->db);

	if (has < 0) {
		fprintf(stderr, "drmscope info: %s\n", ds_db_errmsg(in->db));
		return -1;
	}
	printf("\nindexes: %s\n", has ? "built" :
	       "missing (the import did not finish; queries will be slow)");
	return 0;
}

int cmd_info(int argc, char **argv)
{
	static const struct option options[] = {
		{ "no-check", no_argument, NULL, 'n' },
		{ "top", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct info in = { .top = DEFAULT_TOP };
	unsigned int flags = 0;
	char *end;
	int c, status = DRMSCOPE_EXIT_USAGE;

	if (drmscope_wants_help(argc, argv))
		return DRMSCOPE_EXIT_OK;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		if (c == ':') {
			return drmscope_usage_error("info", "option '%s' needs a value",
						    argv[optind - 1]);
		} else if (c == 'n') {
			flags |= DS_DB_OPEN_NO_CHECK;
		} else if (c == 't') {
			in.top = (int)strtol(optarg, &end, 10);
			if (*end || in.top < 1 || in.top > 1000)
				return drmscope_usage_error("info", "--top wants 1 to 1000, not '%s'",
							    optarg);
		} else {
			return drmscope_usage_error("info", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return drmscope_usage_error("info", "expected one database");

	if (ds_db_open_read(argv[optind], flags | DS_DB_OPEN_OLD_SCHEMA, &in.db)) {
		fprintf(stderr, "drmscope info: %s\n", ds_db_errmsg(in.db));
		goto out;
	}
	in.sql = ds_db_sqlite(in.db);
	in.calls = ds_db_schema_version(in.db) >= 5 ? "ioctl_call" : "ioctl";
	if (print_file(&in) || print_capture(&in) || print_span(&in) || print_processes(&in) ||
	    print_devices(&in) || print_counts(&in) || print_top_ioctls(&in) ||
	    print_runs(&in) || print_indexes(&in))
		goto out;
	status = DRMSCOPE_EXIT_OK;
out:
	ds_db_close(in.db);
	return status;
}
