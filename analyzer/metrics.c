/*
 * analyzer/metrics.c: reads the samples and counts of report and compare
 * from a trace database (see metrics.h for what comes from where).
 *
 * Workload: captures of up to tens of millions of ioctls and millions of
 * jobs. Each table is read with one full scan (ioctl_call once, not once
 * per name, and without joining ioctl_name: each name is read once, by
 * id), statements are prepared once per source and reset between runs,
 * and each row costs sqlite3_step(), a few column reads, an array look-up
 * of its name id and an append to an array of doubles. Arrays are sorted
 * afterwards with the stats library's radix sort. Every query is
 * read-only; the database was opened with ds_db_open_read(), so it has
 * the current schema.
 */
#include "metrics.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include <drmscope/db.h>

#define TEXT(st, i)	((const char *)sqlite3_column_text(st, i))
#define INT(st, i)	((int64_t)sqlite3_column_int64(st, i))
#define IS_NULL(st, i)	(sqlite3_column_type(st, i) == SQLITE_NULL)

static int fail(struct am_data *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct am_data *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	return -1;
}

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ---------------------------------------------------------------------- */
/* Sources                                                                 */
/* ---------------------------------------------------------------------- */

static int source_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int source_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int add_run(struct am_source *src, sqlite3_stmt *st)
{
	struct am_run *runs, *r;

	runs = realloc(src->runs, (src->n_runs + 1) * sizeof(*runs));
	if (!runs)
		return -1;
	src->runs = runs;
	r = &runs[src->n_runs++];
	memset(r, 0, sizeof(*r));
	r->id = INT(st, 0);
	r->label = xstrdup(TEXT(st, 1));
	r->host = xstrdup(TEXT(st, 2));
	r->driver = xstrdup(TEXT(st, 3));
	r->driver_version = xstrdup(TEXT(st, 4));
	r->kernel_release = xstrdup(TEXT(st, 5));
	r->module_params = xstrdup(TEXT(st, 6));
	r->start_unix_ns = INT(st, 7);
	r->end_unix_ns = INT(st, 8);
	return 0;
}

/* "1 'base', 2 'base', 3 'slow'" for an error message. */
static void list_runs(sqlite3 *sql, char *buf, size_t size)
{
	sqlite3_stmt *st = NULL;
	size_t len = 0;
	int n = 0;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(sql, "SELECT id, label FROM run ORDER BY id LIMIT 11", -1, &st,
			       NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW && len + 1 < size) {
		if (n++ == 10) {
			snprintf(buf + len, size - len, ", ...");
			break;
		}
		len += snprintf(buf + len, size - len, "%s%" PRId64 " '%.40s'", n > 1 ? ", " : "",
				INT(st, 0), TEXT(st, 1) ? TEXT(st, 1) : "");
		if (len >= size)
			len = size - 1;
	}
	sqlite3_finalize(st);
	if (!n)
		snprintf(buf, size, "none");
}

/* Select the runs @run names: an id first, else every run with that label. */
static int select_runs(struct am_source *src, const char *run, char *err, size_t errlen)
{
	static const char by_id[] =
		"SELECT id, label, host, driver_name, driver_version, kernel_release,"
		" module_params, start_unix_ns, end_unix_ns FROM run WHERE id = ?1";
	static const char by_label[] =
		"SELECT id, label, host, driver_name, driver_version, kernel_release,"
		" module_params, start_unix_ns, end_unix_ns FROM run WHERE label = ?1 ORDER BY id";
	sqlite3 *sql = ds_db_sqlite(src->db);
	sqlite3_stmt *st = NULL;
	char runs[512];
	int rc, pass;

	rc = ds_db_has_table(src->db, "run");
	if (rc <= 0)
		return source_fail(err, errlen, "%s: no replay runs in this database (schema version %d)",
				   src->path, src->version);
	for (pass = all_digits(run) ? 0 : 1; pass < 2 && !src->n_runs; pass++) {
		if (sqlite3_prepare_v2(sql, pass ? by_label : by_id, -1, &st, NULL) != SQLITE_OK)
			goto sql_error;
		if (pass)
			sqlite3_bind_text(st, 1, run, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, 1, strtoll(run, NULL, 10));
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if (add_run(src, st))
				return source_fail(err, errlen, "out of memory");
		if (rc != SQLITE_DONE)
			goto sql_error;
		sqlite3_finalize(st);
		st = NULL;
	}
	if (!src->n_runs) {
		list_runs(sql, runs, sizeof(runs));
		return source_fail(err, errlen, "%s: no run with id or label '%s' (runs: %s)",
				   src->path, run, runs);
	}
	src->is_run = true;
	return 0;
sql_error:
	source_fail(err, errlen, "%s: %s", src->path, sqlite3_errmsg(sql));
	sqlite3_finalize(st);
	return -1;
}

int am_source_open(struct am_source *src, const char *path, const char *run,
		   unsigned int flags, char *err, size_t errlen)
{
	int rc;

	if (!src->spec)
		src->spec = strdup(path);
	src->path = strdup(path);
	src->run_arg = run ? strdup(run) : NULL;
	if (!src->spec || !src->path || (run && !src->run_arg))
		return source_fail(err, errlen, "out of memory");
	if (ds_db_open_read(path, flags, &src->db))
		return source_fail(err, errlen, "%s", ds_db_errmsg(src->db));
	src->version = ds_db_schema_version(src->db);
	if (run) {
		rc = select_runs(src, run, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

int am_source_parse(struct am_source *src, const char *spec, unsigned int flags,
		    char *err, size_t errlen)
{
	const char *colon = strrchr(spec, ':');
	struct stat sb;
	char *path;
	int rc;

	src->spec = strdup(spec);
	if (!src->spec)
		return source_fail(err, errlen, "out of memory");
	if (!stat(spec, &sb) || !colon || colon == spec)
		return am_source_open(src, spec, NULL, flags, err, errlen);
	path = strndup(spec, colon - spec);
	if (!path)
		return source_fail(err, errlen, "out of memory");
	if (stat(path, &sb) || !colon[1]) {
		source_fail(err, errlen, "%s: no such file%s", stat(path, &sb) ? spec : path,
			    colon[1] ? "" : " (nothing after ':')");
		free(path);
		return -1;
	}
	rc = am_source_open(src, path, colon + 1, flags, err, errlen);
	free(path);
	return rc;
}

void am_source_close(struct am_source *src)
{
	size_t i;

	for (i = 0; i < src->n_runs; i++) {
		free(src->runs[i].label);
		free(src->runs[i].host);
		free(src->runs[i].driver);
		free(src->runs[i].driver_version);
		free(src->runs[i].kernel_release);
		free(src->runs[i].module_params);
	}
	free(src->runs);
	ds_db_close(src->db);
	free(src->spec);
	free(src->path);
	free(src->run_arg);
	memset(src, 0, sizeof(*src));
}

void am_source_describe(const struct am_source *src, char *buf, size_t size)
{
	size_t len, i;
	bool same_label = true;

	if (!src->is_run) {
		snprintf(buf, size, "%s (capture)", src->path);
		return;
	}
	len = snprintf(buf, size, "%s run%s ", src->path, src->n_runs > 1 ? "s" : "");
	for (i = 0; i < src->n_runs && len < size; i++) {
		len += snprintf(buf + len, size - len, "%s%" PRId64, i ? ", " : "", src->runs[i].id);
		if (i && (!src->runs[i].label || !src->runs[0].label ||
			  strcmp(src->runs[i].label, src->runs[0].label)))
			same_label = false;
	}
	if (len < size && same_label && src->runs[0].label)
		snprintf(buf + len, size - len, " '%s'", src->runs[0].label);
}

/* ---------------------------------------------------------------------- */
/* Arrays and look-ups                                                     */
/* ---------------------------------------------------------------------- */

static inline int push(struct am_values *a, double x)
{
	double *v;
	size_t cap;

	if (a->n == a->cap) {
		cap = a->cap ? a->cap * 2 : 256;
		v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return -1;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

/* Sort @a and summarise it into @s (left zero when empty). */
static int finish_values(struct am_data *d, struct am_values *a, struct ds_stats_summary *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if (!a->n)
		return 0;
	rc = ds_stats_sort(a->v, a->n);
	if (!rc)
		rc = ds_stats_summarize_sorted(a->v, a->n, s);
	if (rc)
		return fail(d, "computing percentiles: %s", strerror(-rc));
	return 0;
}

/* Names to entries: open addressing on FNV-1a, grown at half full. */
struct name_map {
	size_t *slot;		/* index + 1, 0: empty */
	size_t cap;
	size_t used;
};

static uint64_t hash_name(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static void map_free(struct name_map *m)
{
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

/*
 * The index of @name (@n bytes) in the entries at @base, whose names @at
 * gives, or -1; then *@slotp is the empty slot where it would go (NULL when
 * the table has none yet).
 */
static ssize_t map_find(const struct name_map *m, const char *name, size_t n,
			char *const *(*at)(const void *, size_t), const void *base, size_t **slotp)
{
	size_t i, mask = m->cap - 1;
	const char *s;

	*slotp = NULL;
	if (!m->cap)
		return -1;
	for (i = hash_name(name, n) & mask;; i = (i + 1) & mask) {
		if (!m->slot[i]) {
			*slotp = &m->slot[i];
			return -1;
		}
		s = *at(base, m->slot[i] - 1);
		if (!strncmp(s, name, n) && !s[n])
			return (ssize_t)m->slot[i] - 1;
	}
}

static int map_grow(struct name_map *m, char *const *(*at)(const void *, size_t),
		    const void *base, size_t count)
{
	size_t cap = m->cap ? m->cap * 2 : 64, i, j, mask = cap - 1;
	size_t *slot = calloc(cap, sizeof(*slot));
	const char *s;

	if (!slot)
		return -1;
	for (i = 0; i < count; i++) {
		s = *at(base, i);
		for (j = hash_name(s, strlen(s)) & mask; slot[j]; j = (j + 1) & mask)
			;
		slot[j] = i + 1;
	}
	free(m->slot);
	m->slot = slot;
	m->cap = cap;
	m->used = count;
	return 0;
}

static char *const *ioctl_name_at(const void *base, size_t i)
{
	return &((const struct am_ioctl *)base)[i].name;
}

static char *const *fw_name_at(const void *base, size_t i)
{
	return &((const struct am_fw *)base)[i].name;
}

/* The ioctl entry for @name (of @n bytes), created if new. */
static struct am_ioctl *ioctl_entry(struct am_data *d, struct name_map *m, const char *name,
				    size_t n)
{
	struct am_ioctl *e;
	size_t *slot;
	ssize_t i;

	i = map_find(m, name, n, ioctl_name_at, d->ioctls, &slot);
	if (i >= 0)
		return &d->ioctls[i];
	if ((d->n_ioctls + 1) * 2 > m->cap) {
		if (map_grow(m, ioctl_name_at, d->ioctls, d->n_ioctls))
			return NULL;
		map_find(m, name, n, ioctl_name_at, d->ioctls, &slot);
	}
	e = realloc(d->ioctls, (d->n_ioctls + 1) * sizeof(*e));
	if (!e)
		return NULL;
	d->ioctls = e;
	e = &d->ioctls[d->n_ioctls];
	memset(e, 0, sizeof(*e));
	e->name = strndup(name, n);
	if (!e->name)
		return NULL;
	e->name_len = n;
	*slot = ++d->n_ioctls;
	m->used++;
	return e;
}

static struct am_fw *fw_entry(struct am_data *d, struct name_map *m, const char *name)
{
	size_t n = strlen(name), *slot;
	struct am_fw *e;
	ssize_t i;

	i = map_find(m, name, n, fw_name_at, d->fw, &slot);
	if (i >= 0)
		return &d->fw[i];
	if ((d->n_fw + 1) * 2 > m->cap) {
		if (map_grow(m, fw_name_at, d->fw, d->n_fw))
			return NULL;
		map_find(m, name, n, fw_name_at, d->fw, &slot);
	}
	e = realloc(d->fw, (d->n_fw + 1) * sizeof(*e));
	if (!e)
		return NULL;
	d->fw = e;
	e = &d->fw[d->n_fw];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	if (!e->name)
		return NULL;
	*slot = ++d->n_fw;
	m->used++;
	return e;
}

static struct am_queue *queue_entry(struct am_data *d, int64_t id)
{
	struct am_queue *q;
	size_t i;

	for (i = 0; i < d->n_queues; i++)
		if (d->queues[i].id == id)
			return &d->queues[i];
	q = realloc(d->queues, (d->n_queues + 1) * sizeof(*q));
	if (!q)
		return NULL;
	d->queues = q;
	q = &d->queues[d->n_queues++];
	memset(q, 0, sizeof(*q));
	q->id = id;
	q->handle = -1;
	return q;
}

static int count_errno(struct am_ioctl *e, int err)
{
	struct am_errno *v;
	size_t i;

	for (i = 0; i < e->n_errnos; i++) {
		if (e->errnos[i].err == err) {
			e->errnos[i].count++;
			return 0;
		}
	}
	v = realloc(e->errnos, (e->n_errnos + 1) * sizeof(*v));
	if (!v)
		return -1;
	e->errnos = v;
	v[e->n_errnos].err = err;
	v[e->n_errnos++].count = 1;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Statements                                                              */
/* ---------------------------------------------------------------------- */

static int prepare(struct am_data *d, const struct am_source *src, const char *sql,
		   sqlite3_stmt **st)
{
	*st = NULL;
	if (sqlite3_prepare_v2(ds_db_sqlite(src->db), sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	return fail(d, "%s: %s", src->path, sqlite3_errmsg(ds_db_sqlite(src->db)));
}

static int step_error(struct am_data *d, const struct am_source *src)
{
	return fail(d, "%s: %s", src->path, sqlite3_errmsg(ds_db_sqlite(src->db)));
}

static int oom(struct am_data *d)
{
	return fail(d, "out of memory");
}

/*
 * The filter selecting the rows of fw_message/kernel_event that belong to
 * the source (the file has the current schema: ds_db_open_read() refuses
 * older ones).
 */
const char *am_run_filter(const struct am_source *src)
{
	return src->is_run ? "run_id = ?1" : "run_id IS NULL";
}

/* The run ids to loop over: one pass with 0 for the capture. */
static size_t passes(const struct am_source *src)
{
	return src->is_run ? src->n_runs : 1;
}

static int64_t pass_run(const struct am_source *src, size_t i)
{
	return src->is_run ? src->runs[i].id : 0;
}

/* ---------------------------------------------------------------------- */
/* Loading                                                                 */
/* ---------------------------------------------------------------------- */

static int load_capture(const struct am_source *src, struct am_data *d)
{
	static const char sql[] =
		"SELECT host, kernel_release, machine, command_line, source, start_ns, end_ns,"
		" start_unix_ns, lost_events FROM capture WHERE id = 1";
	sqlite3_stmt *st;
	int rc;

	if (prepare(d, src, sql, &st))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		d->host = xstrdup(TEXT(st, 0));
		d->kernel_release = xstrdup(TEXT(st, 1));
		d->machine = xstrdup(TEXT(st, 2));
		d->command_line = xstrdup(TEXT(st, 3));
		d->capture_source = xstrdup(TEXT(st, 4));
		d->start_ns = INT(st, 5);
		d->end_ns = INT(st, 6);
		d->start_unix_ns = INT(st, 7);
		d->lost_events = INT(st, 8);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return step_error(d, src);
	return 0;
}

/* Keep the AM_TOP longest calls, longest first (pid and tid come later). */
static void consider_slow(struct am_data *d, const char *name, int64_t run_id, int64_t ioctl_id,
			  int64_t begin, int64_t dur)
{
	struct am_call *c;
	size_t i;

	if (d->n_slowest == AM_TOP && dur <= d->slowest[AM_TOP - 1].dur_ns)
		return;
	i = d->n_slowest < AM_TOP ? d->n_slowest++ : AM_TOP - 1;
	while (i > 0 && d->slowest[i - 1].dur_ns < dur) {
		d->slowest[i] = d->slowest[i - 1];
		i--;
	}
	c = &d->slowest[i];
	memset(c, 0, sizeof(*c));
	c->run_id = run_id;
	c->ioctl_id = ioctl_id;
	c->begin_ns = begin;
	c->dur_ns = dur;
	snprintf(c->name, sizeof(c->name), "%s", name);
}

/* The process and thread of the slowest calls, from the captured calls. */
static int slowest_threads(const struct am_source *src, struct am_data *d)
{
	sqlite3_stmt *st;
	size_t i;
	int rc = SQLITE_DONE;

	if (prepare(d, src, "SELECT pid, tid FROM ioctl_call WHERE id = ?1", &st))
		return -1;
	for (i = 0; i < d->n_slowest; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, d->slowest[i].ioctl_id);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			d->slowest[i].pid = (int)INT(st, 0);
			d->slowest[i].tid = (int)INT(st, 1);
		} else if (rc != SQLITE_DONE) {
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : step_error(d, src);
}

/*
 * A direct-mapped cache from an ioctl_name id to the entry of its name.
 * Ids are small and dense (one per distinct name and driver), so a capture
 * with fewer names than slots never misses twice; a miss reads the name by
 * its primary key. Entries are per name: the calls of a name two drivers'
 * tables share are pooled, as they always were.
 */
#define NAME_CACHE	4096

struct name_cache {
	int64_t name_id[NAME_CACHE];
	ssize_t entry[NAME_CACHE];	/* index in d->ioctls, -1: empty */
	sqlite3_stmt *name_st;		/* the name of an id */
};

static int name_cache_init(const struct am_source *src, struct am_data *d,
			   struct name_cache **cp)
{
	struct name_cache *c = malloc(sizeof(*c));
	size_t i;

	*cp = c;
	if (!c)
		return oom(d);
	for (i = 0; i < NAME_CACHE; i++)
		c->entry[i] = -1;
	return prepare(d, src, "SELECT name FROM ioctl_name WHERE id = ?1", &c->name_st);
}

static void name_cache_free(struct name_cache *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->name_st);
	free(c);
}

/* The entry of @name_id (0: none, or not in ioctl_name: "?"); NULL on error. */
static struct am_ioctl *cached_entry(const struct am_source *src, struct am_data *d,
				     struct name_map *map, struct name_cache *c, int64_t name_id)
{
	size_t h = (size_t)name_id & (NAME_CACHE - 1);
	const char *name = "?";
	struct am_ioctl *e;
	int rc;

	if (c->entry[h] >= 0 && c->name_id[h] == name_id)
		return &d->ioctls[c->entry[h]];
	sqlite3_reset(c->name_st);
	sqlite3_bind_int64(c->name_st, 1, name_id);
	rc = sqlite3_step(c->name_st);
	if (rc == SQLITE_ROW && TEXT(c->name_st, 0))
		name = TEXT(c->name_st, 0);
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		step_error(d, src);
		return NULL;
	}
	e = ioctl_entry(d, map, name, strlen(name));
	if (!e) {
		oom(d);
		return NULL;
	}
	c->name_id[h] = name_id;
	c->entry[h] = e - d->ioctls;
	return e;
}

/*
 * The calls: one scan of ioctl_call (capture) or of each run's run_call.
 * Columns: begin, end, ret, errno, ioctl id, name id, mismatch. Nothing
 * else is read per row: it is the largest table. Names are read once per
 * name id, not joined per call.
 */
static int load_calls(const struct am_source *src, struct am_data *d)
{
	static const char capture_sql[] =
		"SELECT begin_ns, end_ns, ret, errno, id, name_id, 0 FROM ioctl_call";
	static const char run_sql[] =
		"SELECT rc.begin_ns, rc.end_ns, rc.ret, rc.errno, rc.ioctl_id, i.name_id,"
		" rc.mismatch IS NOT NULL"
		" FROM run_call rc LEFT JOIN ioctl_call i ON i.id = rc.ioctl_id"
		" WHERE rc.run_id = ?1";
	struct name_map map = { 0 };
	struct name_cache *cache;
	struct am_ioctl *e;
	sqlite3_stmt *st = NULL;
	int64_t begin, end, dur, run_id, t0, t1;
	size_t p;
	int rc = SQLITE_DONE;

	if (name_cache_init(src, d, &cache) ||
	    prepare(d, src, src->is_run ? run_sql : capture_sql, &st))
		goto fail;
	for (p = 0; p < passes(src) && rc == SQLITE_DONE; p++) {
		run_id = pass_run(src, p);
		t0 = INT64_MAX;
		t1 = INT64_MIN;
		sqlite3_reset(st);
		if (src->is_run)
			sqlite3_bind_int64(st, 1, run_id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			e = cached_entry(src, d, &map, cache, INT(st, 5));
			if (!e)
				goto fail;
			e->calls++;
			d->calls++;
			if (INT(st, 6)) {
				e->mismatches++;
				d->mismatches++;
			}
			begin = INT(st, 0);
			if (begin < t0)
				t0 = begin;
			end = INT(st, 1);	/* 0: NULL, it never returned */
			if (!end) {
				e->unfinished++;
				d->unfinished++;
				continue;
			}
			if (end > t1)
				t1 = end;
			dur = end - begin;
			if (push(&e->lat, (double)dur))
				goto nomem;
			if (INT(st, 2) < 0) {
				e->errors++;
				d->errors++;
				if (count_errno(e, (int)INT(st, 3)))
					goto nomem;
			}
			if (d->n_slowest < AM_TOP || dur > d->slowest[AM_TOP - 1].dur_ns)
				consider_slow(d, e->name, run_id, INT(st, 4), begin, dur);
		}
		if (t1 >= t0)
			d->span_ns += t1 - t0;
		if (!p) {
			d->t_min = t0 == INT64_MAX ? 0 : t0;
			d->t_max = t1 == INT64_MIN ? 0 : t1;
		}
	}
	if (rc != SQLITE_DONE)
		step_error(d, src);
	sqlite3_finalize(st);
	map_free(&map);
	name_cache_free(cache);
	if (rc != SQLITE_DONE)
		return -1;
	return slowest_threads(src, d);
nomem:
	oom(d);
fail:
	sqlite3_finalize(st);
	map_free(&map);
	name_cache_free(cache);
	return -1;
}

static int load_mismatches(const struct am_source *src, struct am_data *d)
{
	static const char sql[] =
		"SELECT rc.ioctl_id, i.name, rc.mismatch"
		" FROM run_call rc LEFT JOIN ioctl i ON i.id = rc.ioctl_id"
		" WHERE rc.run_id = ?1 AND rc.mismatch IS NOT NULL ORDER BY rc.ioctl_id LIMIT ?2";
	struct am_mismatch *m;
	sqlite3_stmt *st;
	size_t p;
	int rc = SQLITE_DONE;

	if (!src->is_run || !d->mismatches)
		return 0;
	if (prepare(d, src, sql, &st))
		return -1;
	for (p = 0; p < src->n_runs && rc == SQLITE_DONE; p++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, src->runs[p].id);
		sqlite3_bind_int(st, 2, AM_LIST_MAX);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			m = realloc(d->mm, (d->n_mm + 1) * sizeof(*m));
			if (!m) {
				sqlite3_finalize(st);
				return oom(d);
			}
			d->mm = m;
			m = &d->mm[d->n_mm++];
			m->run_id = src->runs[p].id;
			m->ioctl_id = INT(st, 0);
			snprintf(m->name, sizeof(m->name), "%s", TEXT(st, 1) ? TEXT(st, 1) : "?");
			m->what = xstrdup(TEXT(st, 2));
		}
	}
	if (rc != SQLITE_DONE)
		step_error(d, src);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int load_queue_handles(const struct am_source *src, struct am_data *d)
{
	sqlite3_stmt *st;
	struct am_queue *q;
	int rc;

	if (prepare(d, src, "SELECT id, handle FROM queue ORDER BY id", &st))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		q = queue_entry(d, INT(st, 0));
		if (!q) {
			sqlite3_finalize(st);
			return oom(d);
		}
		q->handle = IS_NULL(st, 1) ? -1 : INT(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : step_error(d, src);
}

/* Jobs: job (capture) or run_job per run. */
static int load_jobs(const struct am_source *src, struct am_data *d)
{
	static const char capture_sql[] =
		"SELECT queue_id, submit_ns, run_ns, done_ns, result FROM job";
	static const char run_sql[] =
		"SELECT queue_id, submit_ns, run_ns, done_ns, result FROM run_job"
		" WHERE run_id = ?1";
	static const char differ_sql[] =
		"SELECT count(*) FROM run_job rj JOIN job j ON j.id = rj.job_id"
		" WHERE rj.run_id = ?1 AND (rj.result_hash IS NOT j.result_hash"
		" OR rj.result IS NOT j.result)";
	struct am_queue *q = NULL;
	sqlite3_stmt *st, *diff = NULL;
	int64_t qid, submit, run, done;
	bool has_submit, has_run, has_done;
	size_t p;
	int rc = SQLITE_DONE;

	if (load_queue_handles(src, d))
		return -1;
	if (prepare(d, src, src->is_run ? run_sql : capture_sql, &st))
		return -1;
	if (src->is_run && prepare(d, src, differ_sql, &diff)) {
		sqlite3_finalize(st);
		return -1;
	}
	for (p = 0; p < passes(src) && rc == SQLITE_DONE; p++) {
		sqlite3_reset(st);
		if (src->is_run)
			sqlite3_bind_int64(st, 1, src->runs[p].id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			qid = INT(st, 0);
			if (!q || q->id != qid) {
				q = queue_entry(d, qid);
				if (!q)
					goto nomem;
			}
			q->jobs++;
			d->jobs++;
			/* Times of 0 are NULL, unknown (lib/db's convention). */
			submit = INT(st, 1);
			run = INT(st, 2);
			done = INT(st, 3);
			has_submit = submit != 0;
			has_run = run != 0;
			has_done = done != 0;
			if (has_run && has_submit && push(&q->wait, (double)(run - submit)))
				goto nomem;
			if (has_run && has_done && push(&q->exec, (double)(done - run)))
				goto nomem;
			if (has_done && has_submit && push(&q->total, (double)(done - submit)))
				goto nomem;
			if (!has_done) {
				q->unfinished++;
			} else if (INT(st, 4)) {
				q->failed++;
				d->failed_jobs++;
			}
		}
		if (rc == SQLITE_DONE && diff) {
			sqlite3_reset(diff);
			sqlite3_bind_int64(diff, 1, src->runs[p].id);
			rc = sqlite3_step(diff);
			if (rc == SQLITE_ROW) {
				d->job_results_differ += (uint64_t)INT(diff, 0);
				rc = SQLITE_DONE;
			}
		}
	}
	if (rc != SQLITE_DONE)
		step_error(d, src);
	sqlite3_finalize(st);
	sqlite3_finalize(diff);
	return rc == SQLITE_DONE ? 0 : -1;
nomem:
	sqlite3_finalize(st);
	sqlite3_finalize(diff);
	return oom(d);
}

/* The first jobs, in submission (row) order, of the capture or first run. */
static int load_timeline(const struct am_source *src, struct am_data *d)
{
	static const char capture_sql[] =
		"SELECT queue_id, seqno, submit_ns, run_ns, done_ns, result FROM job"
		" WHERE queue_id IS NOT NULL ORDER BY id LIMIT ?1";
	static const char run_sql[] =
		"SELECT queue_id, seqno, submit_ns, run_ns, done_ns, result FROM run_job"
		" WHERE run_id = ?2 AND queue_id IS NOT NULL ORDER BY id LIMIT ?1";
	struct am_tjob *tj;
	sqlite3_stmt *st;
	int rc;

	d->timeline = calloc(AM_TIMELINE_MAX, sizeof(*d->timeline));
	if (!d->timeline)
		return oom(d);
	if (prepare(d, src, src->is_run ? run_sql : capture_sql, &st))
		return -1;
	sqlite3_bind_int(st, 1, AM_TIMELINE_MAX);
	if (src->is_run)
		sqlite3_bind_int64(st, 2, src->runs[0].id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && d->n_timeline < AM_TIMELINE_MAX) {
		tj = &d->timeline[d->n_timeline++];
		tj->queue_id = INT(st, 0);
		tj->seqno = INT(st, 1);
		tj->submit_ns = INT(st, 2);
		tj->run_ns = INT(st, 3);
		tj->done_ns = INT(st, 4);
		tj->result = (int)INT(st, 5);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : step_error(d, src);
}

/* ---------------------------------------------------------------------- */
/* Firmware messages and round trips                                       */
/* ---------------------------------------------------------------------- */

struct fw_ctx {
	struct am_data *d;
	struct name_map *map;
	ssize_t *of_fn;			/* the matcher's name number -> d->fw index */
	size_t n_of_fn;
};

static struct am_fw *fw_of(struct fw_ctx *c, int fn, const char *name)
{
	struct am_fw *f;
	ssize_t *v;

	if ((size_t)fn < c->n_of_fn && c->of_fn[fn] >= 0)
		return &c->d->fw[c->of_fn[fn]];
	f = fw_entry(c->d, c->map, name);
	if (!f)
		return NULL;
	if ((size_t)fn >= c->n_of_fn) {
		v = realloc(c->of_fn, (fn + 16) * sizeof(*v));
		if (!v)
			return NULL;
		while (c->n_of_fn < (size_t)fn + 16)
			v[c->n_of_fn++] = -1;
		c->of_fn = v;
	}
	c->of_fn[fn] = f - c->d->fw;
	return f;
}

static int count_message(void *ctx, const struct am_fw_msg *m)
{
	struct fw_ctx *c = ctx;
	struct am_fw *f = fw_of(c, m->fn, m->function);

	if (!f)
		return -1;
	if (m->send)
		f->sent++;
	else
		f->received++;
	c->d->fw_messages++;
	return 0;
}

static int add_round_trip(void *ctx, const struct am_fw_pair *p)
{
	struct fw_ctx *c = ctx;
	struct am_fw *f = fw_of(c, p->fn, p->function);

	if (!f)
		return -1;
	return push(&f->rtt, (double)(p->reply_ns - p->send_ns));
}

/* Firmware messages: counts per function and direction, and round trips. */
static int load_fw(const struct am_source *src, struct am_data *d)
{
	static const struct am_fw_ops ops = { count_message, add_round_trip };
	struct am_fw_matcher m = { 0 };
	struct name_map map = { 0 };
	struct fw_ctx ctx = { d, &map, NULL, 0 };
	size_t p;
	int rc;

	rc = am_fw_matcher_init(&m, src, d->err, sizeof(d->err));
	for (p = 0; !rc && p < passes(src); p++)
		rc = am_fw_match(&m, pass_run(src, p), &ops, &ctx, d->err, sizeof(d->err));
	am_fw_matcher_fini(&m);
	map_free(&map);
	free(ctx.of_fn);
	for (p = 0; !rc && p < d->n_fw; p++)
		d->fw[p].unanswered = d->fw[p].sent - d->fw[p].rtt.n;
	return rc;
}

/* A JSON field of a fault as text: integers as hex for addresses. */
static void fault_field(sqlite3_stmt *st, int col, bool hex, char *buf, size_t size)
{
	if (IS_NULL(st, col))
		snprintf(buf, size, "-");
	else if (sqlite3_column_type(st, col) == SQLITE_INTEGER && hex)
		snprintf(buf, size, "0x%" PRIx64, (uint64_t)INT(st, col));
	else
		snprintf(buf, size, "%s", TEXT(st, col));
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static int load_faults(const struct am_source *src, struct am_data *d)
{
	static const char fmt[] =
		"SELECT ns, q, s, va, type, access FROM ("
		" SELECT ns, CASE WHEN json_valid(fields) THEN json_extract(fields, '$.queue') END AS q,"
		" CASE WHEN json_valid(fields) THEN json_extract(fields, '$.seqno') END AS s,"
		" CASE WHEN json_valid(fields) THEN json_extract(fields, '$.va') END AS va,"
		" CASE WHEN json_valid(fields) THEN json_extract(fields, '$.type') END AS type,"
		" CASE WHEN json_valid(fields) THEN json_extract(fields, '$.access') END AS access"
		" FROM kernel_event WHERE system = 'simgpu' AND name = 'simgpu_gpu_fault' AND %s"
		" ORDER BY ns)";
	const char *filter = am_run_filter(src);
	struct am_fault *f;
	sqlite3_stmt *st;
	char sql[1024];
	size_t p;
	int rc = SQLITE_DONE;

	snprintf(sql, sizeof(sql), fmt, filter);
	if (prepare(d, src, sql, &st))
		return -1;
	for (p = 0; p < passes(src) && rc == SQLITE_DONE; p++) {
		sqlite3_reset(st);
		if (src->is_run)
			sqlite3_bind_int64(st, 1, src->runs[p].id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			d->faults++;
			if (d->n_fault_list == AM_LIST_MAX)
				continue;
			f = &d->fault_list[d->n_fault_list++];
			f->run_id = pass_run(src, p);
			f->ns = INT(st, 0);
			f->queue = IS_NULL(st, 1) ? -1 : INT(st, 1);
			f->seqno = IS_NULL(st, 2) ? -1 : INT(st, 2);
			fault_field(st, 3, true, f->va, sizeof(f->va));
			fault_field(st, 4, false, f->type, sizeof(f->type));
			fault_field(st, 5, false, f->access, sizeof(f->access));
		}
	}
	if (rc != SQLITE_DONE)
		step_error(d, src);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* VM-bind traffic, in row order, and the peak of mapped bytes. */
static int load_binds(const struct am_source *src, struct am_data *d)
{
	sqlite3_stmt *st;
	int64_t mapped = 0, range;
	int rc;

	if (prepare(d, src, "SELECT op = 'map', range FROM vm_bind_op ORDER BY id", &st))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		range = INT(st, 1);
		if (INT(st, 0)) {
			d->bind_maps++;
			d->bytes_mapped += range;
			mapped += range;
			if (mapped > d->peak_mapped)
				d->peak_mapped = mapped;
		} else {
			d->bind_unmaps++;
			d->bytes_unmapped += range;
			mapped -= range;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : step_error(d, src);
}

/* A change of the live GEM bytes at a moment. */
struct mem_event {
	int64_t t;
	int64_t delta;
};

static int cmp_mem_event(const void *x, const void *y)
{
	const struct mem_event *a = x, *b = y;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->delta < b->delta ? -1 : a->delta > b->delta;	/* frees first */
}

static int push_event(struct mem_event **v, size_t *n, size_t *cap, int64_t t, int64_t delta)
{
	struct mem_event *p;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		p = realloc(*v, *cap * sizeof(*p));
		if (!p)
			return -1;
		*v = p;
	}
	(*v)[(*n)++] = (struct mem_event){ t, delta };
	return 0;
}

/* Sort @v unless it is sorted already (creations come in time order). */
static void sort_events(struct mem_event *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (cmp_mem_event(&v[i - 1], &v[i]) > 0)
			break;
	if (i < n)
		qsort(v, n, sizeof(*v), cmp_mem_event);
}

/*
 * GEM objects: count, sizes, lifetimes, and the peak of live bytes: the
 * creations and the frees are merged in time order (a free before a
 * creation at the same nanosecond) and summed.
 */
static int load_gem(const struct am_source *src, struct am_data *d)
{
	struct mem_event *mk = NULL, *fr = NULL;
	size_t nmk = 0, cmk = 0, nfr = 0, cfr = 0, i = 0, j = 0;
	int64_t live = 0;
	sqlite3_stmt *st;
	int rc;

	if (prepare(d, src, "SELECT created_ns, freed_ns, size FROM gem_object", &st))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d->gem_objects++;
		d->gem_bytes += INT(st, 2);
		if (IS_NULL(st, 1))
			d->gem_never_freed++;
		if (IS_NULL(st, 0))
			continue;
		if (push_event(&mk, &nmk, &cmk, INT(st, 0), INT(st, 2)))
			goto nomem;
		if (!IS_NULL(st, 1) && (push(&d->gem_life, (double)(INT(st, 1) - INT(st, 0))) ||
					push_event(&fr, &nfr, &cfr, INT(st, 1), -INT(st, 2))))
			goto nomem;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(mk);
		free(fr);
		return step_error(d, src);
	}
	sort_events(mk, nmk);
	sort_events(fr, nfr);
	while (i < nmk || j < nfr) {
		if (j == nfr || (i < nmk && cmp_mem_event(&mk[i], &fr[j]) < 0))
			live += mk[i++].delta;
		else
			live += fr[j++].delta;
		if (live > d->gem_peak_bytes)
			d->gem_peak_bytes = live;
	}
	free(mk);
	free(fr);
	return 0;
nomem:
	sqlite3_finalize(st);
	free(mk);
	free(fr);
	return oom(d);
}

static int cmp_ioctl(const void *a, const void *b)
{
	return strcmp(((const struct am_ioctl *)a)->name, ((const struct am_ioctl *)b)->name);
}

static int cmp_fw(const void *a, const void *b)
{
	return strcmp(((const struct am_fw *)a)->name, ((const struct am_fw *)b)->name);
}

static int cmp_queue(const void *a, const void *b)
{
	int64_t x = ((const struct am_queue *)a)->id, y = ((const struct am_queue *)b)->id;

	return x < y ? -1 : x > y;
}

static int cmp_errno(const void *a, const void *b)
{
	const struct am_errno *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->err - y->err;
}

/* Sort every sample, summarise it, and put the entries in key order. */
static int finish(struct am_data *d)
{
	size_t i;

	for (i = 0; i < d->n_ioctls; i++) {
		if (finish_values(d, &d->ioctls[i].lat, &d->ioctls[i].s))
			return -1;
		if (d->ioctls[i].n_errnos > 1)
			qsort(d->ioctls[i].errnos, d->ioctls[i].n_errnos, sizeof(struct am_errno),
			      cmp_errno);
	}
	for (i = 0; i < d->n_queues; i++)
		if (finish_values(d, &d->queues[i].exec, &d->queues[i].s_exec) ||
		    finish_values(d, &d->queues[i].wait, &d->queues[i].s_wait) ||
		    finish_values(d, &d->queues[i].total, &d->queues[i].s_total))
			return -1;
	for (i = 0; i < d->n_fw; i++)
		if (finish_values(d, &d->fw[i].rtt, &d->fw[i].s))
			return -1;
	if (finish_values(d, &d->gem_life, &d->s_gem_life))
		return -1;
	/* qsort() and bsearch() want a valid pointer even for no entries. */
	if (d->n_ioctls > 1)
		qsort(d->ioctls, d->n_ioctls, sizeof(*d->ioctls), cmp_ioctl);
	if (d->n_fw > 1)
		qsort(d->fw, d->n_fw, sizeof(*d->fw), cmp_fw);
	if (d->n_queues > 1)
		qsort(d->queues, d->n_queues, sizeof(*d->queues), cmp_queue);
	return 0;
}

/*
 * The firmware messages are read on a second connection in a thread of
 * their own while the calls are read: the two largest tables at once.
 */
struct fw_worker {
	struct am_source src;		/* the source, with its own connection */
	struct am_data d;		/* only the firmware fields are used */
	int rc;
};

static void *fw_worker_main(void *arg)
{
	struct fw_worker *w = arg;

	w->rc = load_fw(&w->src, &w->d);
	return NULL;
}

/* Start the worker; false if it cannot be (then load_fw() runs inline). */
static bool fw_worker_start(struct fw_worker *w, const struct am_source *src, pthread_t *tid)
{
	memset(w, 0, sizeof(*w));
	w->src = *src;
	w->src.db = NULL;
	if (ds_db_open_read(src->path, DS_DB_OPEN_NO_CHECK, &w->src.db)) {
		ds_db_close(w->src.db);
		return false;
	}
	if (pthread_create(tid, NULL, fw_worker_main, w)) {
		ds_db_close(w->src.db);
		return false;
	}
	return true;
}

static int fw_worker_join(struct fw_worker *w, pthread_t tid, struct am_data *d)
{
	pthread_join(tid, NULL);
	ds_db_close(w->src.db);
	if (w->rc && !d->err[0])
		memcpy(d->err, w->d.err, sizeof(d->err));
	d->fw = w->d.fw;
	d->n_fw = w->d.n_fw;
	d->fw_messages = w->d.fw_messages;
	w->d.fw = NULL;
	w->d.n_fw = 0;
	return w->rc ? -1 : 0;
}

int am_load(const struct am_source *src, struct am_data *d)
{
	struct fw_worker w;
	bool threaded;
	pthread_t tid;
	int rc;

	memset(d, 0, sizeof(*d));
	threaded = fw_worker_start(&w, src, &tid);
	rc = load_capture(src, d) || load_calls(src, d) || load_mismatches(src, d) ||
	     load_jobs(src, d) || load_timeline(src, d) || load_faults(src, d) ||
	     load_binds(src, d) || load_gem(src, d);
	if (threaded)
		rc = fw_worker_join(&w, tid, d) || rc;
	else if (!rc)
		rc = load_fw(src, d);
	return rc ? -1 : finish(d);
}

void am_data_free(struct am_data *d)
{
	size_t i;

	free(d->host);
	free(d->kernel_release);
	free(d->machine);
	free(d->command_line);
	free(d->capture_source);
	for (i = 0; i < d->n_ioctls; i++) {
		free(d->ioctls[i].name);
		free(d->ioctls[i].errnos);
		free(d->ioctls[i].lat.v);
	}
	free(d->ioctls);
	for (i = 0; i < d->n_mm; i++)
		free(d->mm[i].what);
	free(d->mm);
	for (i = 0; i < d->n_queues; i++) {
		free(d->queues[i].exec.v);
		free(d->queues[i].wait.v);
		free(d->queues[i].total.v);
	}
	free(d->queues);
	free(d->timeline);
	for (i = 0; i < d->n_fw; i++) {
		free(d->fw[i].name);
		free(d->fw[i].rtt.v);
	}
	free(d->fw);
	free(d->gem_life.v);
	memset(d, 0, sizeof(*d));
}

const struct am_ioctl *am_find_ioctl(const struct am_data *d, const char *name)
{
	struct am_ioctl key = { .name = (char *)name };

	return d->n_ioctls ? bsearch(&key, d->ioctls, d->n_ioctls, sizeof(key), cmp_ioctl) : NULL;
}

const struct am_queue *am_find_queue(const struct am_data *d, int64_t id)
{
	struct am_queue key = { .id = id };

	return d->n_queues ? bsearch(&key, d->queues, d->n_queues, sizeof(key), cmp_queue) : NULL;
}

const struct am_fw *am_find_fw(const struct am_data *d, const char *name)
{
	struct am_fw key = { .name = (char *)name };

	return d->n_fw ? bsearch(&key, d->fw, d->n_fw, sizeof(key), cmp_fw) : NULL;
}
