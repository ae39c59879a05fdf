/*
 * analyzer/query.c: `drmscope query DB "SQL" [--format table|csv|json]`.
 *
 * Runs one read-only SQL statement on a capture and prints its rows. The
 * database may come from someone else, and the SQL from a user who mistyped,
 * so writes are stopped four times over: the file is opened read-only and
 * defensively (lib/db/reader.c, with query_only on; the full-file
 * quick_check only with --check, since a query may be run many times on a
 * large file and SQLite reports the damage it meets), the statement must be
 * one that sqlite3_stmt_readonly() accepts, and an authorizer refuses
 * ATTACH/DETACH, transactions, REINDEX and every PRAGMA except those that
 * only read.
 *
 * Output formats: "table" (aligned columns for people; control characters
 * escaped so a hostile string cannot drive the terminal), "csv" (RFC 4180:
 * CRLF line ends, fields quoted when they hold a comma, quote, CR or LF)
 * and "json" (an array of objects, one per row, valid UTF-8). Table format
 * holds every row in memory to size the columns; csv and json stream.
 */
#include "builtin.h"

#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <drmscope/db.h>

#include "output.h"

enum query_format {
	FORMAT_TABLE,
	FORMAT_CSV,
	FORMAT_JSON,
};

/* Bytes of the table format's BLOB preview. */
#define BLOB_PREVIEW	16

/* ---------------------------------------------------------------------- */
/* A growable string                                                       */
/* ---------------------------------------------------------------------- */

struct buf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

static void buf_add(struct buf *b, const void *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 32;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_hex(struct buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char two[2];
	size_t i;

	for (i = 0; i < n; i++) {
		two[0] = hex[p[i] >> 4];
		two[1] = hex[p[i] & 0xf];
		buf_add(b, two, 2);
	}
}

/* ---------------------------------------------------------------------- */
/* Table format                                                            */
/* ---------------------------------------------------------------------- */

struct cell {
	char *text;		/* escaped, printable */
	size_t width;		/* in characters */
	bool right;		/* numbers are right-aligned */
};

struct table {
	int ncol;
	size_t nrow;		/* rows held, the header included */
	size_t cap;
	struct cell *cells;	/* nrow * ncol */
	size_t *width;		/* per column */
};

/* Text for a person: control bytes and bad UTF-8 become escapes. */
static void escape_display(struct buf *b, const unsigned char *s, size_t n, size_t *width)
{
	char esc[8];
	size_t i = 0, len;

	*width = 0;
	while (i < n) {
		len = out_utf8_len(s + i, n - i);
		if (len == 1 && s[i] >= 0x20 && s[i] != 0x7f) {
			buf_add(b, s + i, 1);
			*width += 1;
		} else if (len > 1) {
			buf_add(b, s + i, len);
			*width += 1;
		} else {
			if (s[i] == '\n')
				strcpy(esc, "\\n");
			else if (s[i] == '\t')
				strcpy(esc, "\\t");
			else if (s[i] == '\r')
				strcpy(esc, "\\r");
			else
				snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
			buf_str(b, esc);
			*width += strlen(esc);
			len = 1;
		}
		i += len;
	}
}

/* Format column @i of the current row for the table. */
static int table_cell(sqlite3_stmt *st, int i, struct cell *c)
{
	struct buf b = { 0 };
	const unsigned char *p;
	char tail[48];
	int n;

	c->right = false;
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		buf_str(&b, "NULL");
		c->width = 4;
		break;
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		buf_str(&b, (const char *)sqlite3_column_text(st, i));
		c->width = b.len;
		c->right = true;
		break;
	case SQLITE_BLOB:
		p = sqlite3_column_blob(st, i);
		n = sqlite3_column_bytes(st, i);
		buf_str(&b, "x'");
		buf_hex(&b, p, n < BLOB_PREVIEW ? (size_t)n : BLOB_PREVIEW);
		if (n > BLOB_PREVIEW)
			snprintf(tail, sizeof(tail), "...' (%d bytes)", n);
		else
			snprintf(tail, sizeof(tail), "'");
		buf_str(&b, tail);
		c->width = b.len;
		break;
	default:
		p = sqlite3_column_text(st, i);
		n = sqlite3_column_bytes(st, i);
		buf_add(&b, "", 0);
		escape_display(&b, p, (size_t)n, &c->width);
		break;
	}
	if (b.oom || !b.p) {
		free(b.p);
		return -1;
	}
	c->text = b.p;
	return 0;
}

static int table_grow(struct table *t)
{
	struct cell *cells;
	size_t cap;

	if (t->nrow < t->cap)
		return 0;
	cap = t->cap ? t->cap * 2 : 64;
	cells = realloc(t->cells, cap * t->ncol * sizeof(*cells));
	if (!cells)
		return -1;
	t->cells = cells;
	t->cap = cap;
	return 0;
}

static int table_add_header(struct table *t, sqlite3_stmt *st)
{
	struct cell *row = t->cells;
	const char *name;
	struct buf b;
	int i;

	for (i = 0; i < t->ncol; i++) {
		memset(&b, 0, sizeof(b));
		name = sqlite3_column_name(st, i);
		buf_add(&b, "", 0);
		escape_display(&b, (const unsigned char *)name, strlen(name), &row[i].width);
		if (b.oom) {
			free(b.p);
			while (i-- > 0)
				free(row[i].text);
			return -1;
		}
		row[i].text = b.p;
		row[i].right = false;
	}
	t->nrow = 1;
	return 0;
}

static int table_add_row(struct table *t, sqlite3_stmt *st)
{
	struct cell *row;
	int i;

	if (table_grow(t))
		return -1;
	row = t->cells + t->nrow * t->ncol;
	for (i = 0; i < t->ncol; i++) {
		if (table_cell(st, i, &row[i])) {
			while (i-- > 0)
				free(row[i].text);
			return -1;
		}
	}
	t->nrow++;
	return 0;
}

static void table_print_row(const struct table *t, const struct cell *row)
{
	size_t pad;
	int i;

	for (i = 0; i < t->ncol; i++) {
		pad = t->width[i] - row[i].width;
		if (i)
			fputs("  ", stdout);
		if (row[i].right)
			printf("%*s", (int)pad, "");
		fputs(row[i].text, stdout);
		if (!row[i].right && i + 1 < t->ncol)
			printf("%*s", (int)pad, "");
	}
	putchar('\n');
}

static void table_print(struct table *t)
{
	size_t r, w;
	int i;

	for (i = 0; i < t->ncol; i++) {
		t->width[i] = 0;
		for (r = 0; r < t->nrow; r++)
			if (t->cells[r * t->ncol + i].width > t->width[i])
				t->width[i] = t->cells[r * t->ncol + i].width;
	}
	table_print_row(t, t->cells);
	for (i = 0; i < t->ncol; i++) {
		if (i)
			fputs("  ", stdout);
		for (w = 0; w < t->width[i]; w++)
			putchar('-');
	}
	putchar('\n');
	for (r = 1; r < t->nrow; r++)
		table_print_row(t, t->cells + r * t->ncol);
	printf("(%zu row%s)\n", t->nrow - 1, t->nrow == 2 ? "" : "s");
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrow * t->ncol; i++)
		free(t->cells[i].text);
	free(t->cells);
	free(t->width);
}

/* ---------------------------------------------------------------------- */
/* CSV format (RFC 4180)                                                   */
/* ---------------------------------------------------------------------- */

static void csv_value(sqlite3_stmt *st, int i)
{
	struct buf b = { 0 };

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		break;
	case SQLITE_BLOB:
		buf_hex(&b, sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i));
		if (b.p)
			fputs(b.p, stdout);
		free(b.p);
		break;
	default:
		out_csv_field(stdout, (const char *)sqlite3_column_text(st, i), sqlite3_column_bytes(st, i));
		break;
	}
}

static void csv_row(sqlite3_stmt *st, bool header)
{
	const char *name;
	int i, n = sqlite3_column_count(st);

	for (i = 0; i < n; i++) {
		if (i)
			putchar(',');
		if (header) {
			name = sqlite3_column_name(st, i);
			out_csv_field(stdout, name, strlen(name));
		} else {
			csv_value(st, i);
		}
	}
	fputs("\r\n", stdout);
}

/* ---------------------------------------------------------------------- */
/* JSON format                                                             */
/* ---------------------------------------------------------------------- */

static void json_value(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		fputs("null", stdout);
		break;
	case SQLITE_INTEGER:
		printf("%lld", (long long)sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		if (isfinite(sqlite3_column_double(st, i)))
			fputs((const char *)sqlite3_column_text(st, i), stdout);
		else
			fputs("null", stdout);
		break;
	case SQLITE_BLOB: {
		struct buf b = { 0 };

		buf_hex(&b, sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i));
		printf("\"%s\"", b.p ? b.p : "");
		free(b.p);
		break;
	}
	default:
		out_json_string(stdout, sqlite3_column_text(st, i), sqlite3_column_bytes(st, i));
		break;
	}
}

static void json_row(sqlite3_stmt *st, size_t row)
{
	const char *name;
	int i, n = sqlite3_column_count(st);

	fputs(row ? ",\n  {" : "\n  {", stdout);
	for (i = 0; i < n; i++) {
		name = sqlite3_column_name(st, i);
		if (i)
			fputs(", ", stdout);
		out_json_string(stdout, (const unsigned char *)name, strlen(name));
		fputs(": ", stdout);
		json_value(st, i);
	}
	putchar('}');
}

/* ---------------------------------------------------------------------- */
/* Running the statement                                                   */
/* ---------------------------------------------------------------------- */

/* Messages may quote the SQL or names from the file: escape them too. */
static void print_error(const char *msg)
{
	struct buf b = { 0 };
	size_t width;

	buf_add(&b, "", 0);
	escape_display(&b, (const unsigned char *)msg, strlen(msg), &width);
	fprintf(stderr, "drmscope query: %s\n", b.p ? b.p : msg);
	free(b.p);
}

struct guard {
	char why[160];		/* set when the authorizer refused something */
};

static bool in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

/* PRAGMAs that only read; the first list takes a table or index name. */
static const char *const pragma_named[] = {
	"table_info", "table_xinfo", "table_list", "index_list", "index_info",
	"index_xinfo", "foreign_key_list", "foreign_key_check", "integrity_check",
	"quick_check", NULL,
};
static const char *const pragma_value[] = {
	"application_id", "user_version", "schema_version", "data_version",
	"page_count", "page_size", "freelist_count", "encoding", "compile_options",
	"collation_list", "function_list", "module_list", "pragma_list",
	"database_list", NULL,
};

static int authorize(void *ctx, int action, const char *a1, const char *a2,
		     const char *db, const char *trigger)
{
	struct guard *g = ctx;

	switch (action) {
	case SQLITE_PRAGMA:
		if (in_list(a1, pragma_named) || (!a2 && in_list(a1, pragma_value)))
			return SQLITE_OK;
		snprintf(g->why, sizeof(g->why), "PRAGMA %s%s%s is not allowed: only read-only PRAGMAs are",
			 a1, a2 ? " = " : "", a2 ? a2 : "");
		return SQLITE_DENY;
	case SQLITE_ATTACH:
	case SQLITE_DETACH:
		snprintf(g->why, sizeof(g->why), "ATTACH and DETACH are not allowed");
		return SQLITE_DENY;
	case SQLITE_TRANSACTION:
	case SQLITE_SAVEPOINT:
		snprintf(g->why, sizeof(g->why), "transactions are not allowed");
		return SQLITE_DENY;
	case SQLITE_REINDEX:
	case SQLITE_ANALYZE:
		snprintf(g->why, sizeof(g->why), "statements that write are not allowed");
		return SQLITE_DENY;
	default:
		return SQLITE_OK;
	}
}

/* True if @s holds only white space and SQL comments. */
static bool only_comments(sqlite3 *sql, const char *s)
{
	sqlite3_stmt *st = NULL;
	const char *tail;

	while (*s) {
		if (sqlite3_prepare_v2(sql, s, -1, &st, &tail) != SQLITE_OK)
			return false;
		if (st) {
			sqlite3_finalize(st);
			return false;
		}
		if (tail == s)
			break;
		s = tail;
	}
	return true;
}

/*
 * Prepare exactly one statement that only reads. The authorizer stays on
 * the connection (SQLite may prepare the statement again), so @g must live
 * as long as the connection.
 */
static int prepare_query(sqlite3 *sql, const char *text, struct guard *g, sqlite3_stmt **stp)
{
	const char *tail = NULL;
	int rc;

	*stp = NULL;
	g->why[0] = '\0';
	sqlite3_set_authorizer(sql, authorize, g);
	rc = sqlite3_prepare_v2(sql, text, -1, stp, &tail);
	if (rc != SQLITE_OK) {
		print_error(g->why[0] ? g->why : sqlite3_errmsg(sql));
		goto fail;
	}
	if (!*stp) {
		fprintf(stderr, "drmscope query: no SQL statement given\n");
		goto fail;
	}
	if (tail && !only_comments(sql, tail)) {
		fprintf(stderr, "drmscope query: give one SQL statement at a time\n");
		goto fail;
	}
	if (!sqlite3_stmt_readonly(*stp)) {
		fprintf(stderr, "drmscope query: refusing a statement that writes: "
			"the database is opened read-only\n");
		goto fail;
	}
	return 0;
fail:
	sqlite3_finalize(*stp);
	*stp = NULL;
	return -1;
}

static int step_error(sqlite3 *sql)
{
	print_error(sqlite3_errmsg(sql));
	return DRMSCOPE_EXIT_USAGE;
}

/* A statement without result columns: run it, print nothing. */
static int run_silent(sqlite3 *sql, sqlite3_stmt *st)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	return rc == SQLITE_DONE ? DRMSCOPE_EXIT_OK : step_error(sql);
}

static int run_table(sqlite3 *sql, sqlite3_stmt *st)
{
	struct table t = { 0 };
	int rc, status = DRMSCOPE_EXIT_OK;

	t.ncol = sqlite3_column_count(st);
	t.width = calloc(t.ncol ? t.ncol : 1, sizeof(*t.width));
	if (!t.width || table_grow(&t) || table_add_header(&t, st))
		goto oom;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (table_add_row(&t, st))
			goto oom;
	if (rc != SQLITE_DONE)
		status = step_error(sql);
	else
		table_print(&t);
	goto out;
oom:
	fprintf(stderr, "drmscope query: out of memory (try --format csv, which streams)\n");
	status = DRMSCOPE_EXIT_USAGE;
out:
	table_free(&t);
	return status;
}

static int run_stream(sqlite3 *sql, sqlite3_stmt *st, enum query_format format)
{
	size_t rows = 0;
	int rc;

	if (format == FORMAT_CSV)
		csv_row(st, true);
	else
		putchar('[');
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (format == FORMAT_CSV)
			csv_row(st, false);
		else
			json_row(st, rows);
		rows++;
	}
	if (format == FORMAT_JSON)
		fputs(rows ? "\n]\n" : "]\n", stdout);
	if (rc != SQLITE_DONE)
		return step_error(sql);
	return DRMSCOPE_EXIT_OK;
}

static int parse_format(const char *s, enum query_format *format)
{
	if (!strcmp(s, "table"))
		*format = FORMAT_TABLE;
	else if (!strcmp(s, "csv"))
		*format = FORMAT_CSV;
	else if (!strcmp(s, "json"))
		*format = FORMAT_JSON;
	else
		return -1;
	return 0;
}

int cmd_query(int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	enum query_format format = FORMAT_TABLE;
	unsigned int flags = DS_DB_OPEN_NO_CHECK;
	struct guard guard;
	struct ds_db *db = NULL;
	sqlite3_stmt *st = NULL;
	int c, status;

	if (drmscope_wants_help(argc, argv))
		return DRMSCOPE_EXIT_OK;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:", options, NULL)) != -1) {
		if (c == 'c') {
			flags = 0;
			continue;
		}
		if (c == ':')
			return drmscope_usage_error("query", "option '%s' needs a value",
						    argv[optind - 1]);
		if (c != 'f')
			return drmscope_usage_error("query", "unknown option '%s'", argv[optind - 1]);
		if (parse_format(optarg, &format))
			return drmscope_usage_error("query", "unknown format '%s' (table, csv or json)",
						    optarg);
	}
	if (argc - optind != 2)
		return drmscope_usage_error("query", "expected a database and one SQL statement");

	/* Any schema version: the SQL is the user's, for the file they have. */
	if (ds_db_open_read(argv[optind], flags | DS_DB_OPEN_OLD_SCHEMA, &db)) {
		fprintf(stderr, "drmscope query: %s\n", ds_db_errmsg(db));
		status = DRMSCOPE_EXIT_USAGE;
		goto out;
	}
	if (prepare_query(ds_db_sqlite(db), argv[optind + 1], &guard, &st)) {
		status = DRMSCOPE_EXIT_USAGE;
		goto out;
	}
	if (sqlite3_column_count(st) == 0)
		status = run_silent(ds_db_sqlite(db), st);
	else if (format == FORMAT_TABLE)
		status = run_table(ds_db_sqlite(db), st);
	else
		status = run_stream(ds_db_sqlite(db), st, format);
out:
	sqlite3_finalize(st);
	ds_db_close(db);
	return status;
}
