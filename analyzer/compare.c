/*
 * analyzer/compare.c: `drmscope compare A B`, the answer to "did my new
 * driver build change results or speed, where, by how much, and how sure
 * are we?".
 *
 * A is the baseline, B the candidate; each is a capture (FILE.db), one run
 * (FILE.db:ID) or every run with a label (FILE.db:LABEL), runs pooled as
 * samples. The comparison has two parts:
 *
 *  1. Result differences, listed first because a wrong result matters more
 *     than a slow one:
 *      - mismatched calls: run_call.mismatch set in B but not in A;
 *      - job results: for each captured job (its queue and captured seqno),
 *        the set of (result_hash, fence result) seen in A's runs (or the
 *        capture) against B's; a pair of B that A never produced is a
 *        difference, named by queue, seqno and the submitting ioctl, with
 *        the replay's mismatch text for that submit when there is one;
 *      - errno changes: per captured call, the errnos B returned that A
 *        never did (0 counts: a call that now succeeds), except calls
 *        already listed as mismatched.
 *     These are streamed: each side's rows come ordered by key from one
 *     statement per run (prepared once), merged k ways, nothing loaded.
 *
 *  2. Metrics: every sample report.c shows (ioctl latency per name, job
 *     duration, submit -> run and submit -> done per queue, firmware round
 *     trip per function, GEM lifetime for two captures) compared with
 *     ds_stats_compare(): Hodges-Lehmann shift and its interval at 1 - alpha,
 *     the Mann-Whitney p-value, and the verdict under --threshold/--alpha.
 *
 * Exit status: 0 nothing regressed, 1 a metric worse or a result
 * difference, 2 a usage or input error. The JSON shape is documented in
 * docs/report-json.md.
 */
#include "builtin.h"

#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <drmscope/db.h>
#include <drmscope/stats.h>
#include <drmscope/version.h>

#include "analyzer.h"
#include "html.h"

#define COMPARE_FORMAT_VERSION	1
#define MAX_GLOBS		32
#define LIST_MAX		50	/* result differences detailed per kind */
#define SET_MAX			8	/* distinct results kept per job and side */
#define HTML_HIST_MAX		24

struct metric {
	char key[192];
	char label[192];
	const char *group;		/* "ioctl", "queue", "fw", "gem" */
	const struct am_values *a;
	const struct am_values *b;
	bool compared;			/* ds_stats_compare() ran */
	struct ds_stats_comparison c;
	enum ds_stats_verdict verdict;
	double shift_pct;		/* for sorting and printing; NaN: none */
};

/* One (hash, fence result) outcome of a job. */
struct outcome {
	char hash[72];			/* "" for NULL */
	int result;
	int64_t run_id;			/* first run (0: capture) that gave it */
};

struct job_diff {
	int64_t queue_id;
	int64_t seqno;
	int64_t job_id;
	int64_t submit_ioctl_id;
	struct outcome a[SET_MAX];
	int na;
	struct outcome b[SET_MAX];
	int nb;
	char *first_difference;		/* the submit's mismatch in B, if any */
};

struct call_mismatch {
	int64_t ioctl_id;
	char name[80];
	char *what;			/* of the first B run with it */
	int64_t runs[SET_MAX];
	int nruns;
};

struct errno_diff {
	int64_t ioctl_id;
	char name[80];
	int a[SET_MAX];
	int na;
	int b[SET_MAX];
	int nb;
};

struct compare {
	struct am_source src[2];	/* A, B */
	struct am_data d[2];
	char what[2][512];
	enum out_format format;
	struct ds_stats_compare_params params;
	const char *globs[MAX_GLOBS];
	int nglobs;

	struct metric *m;
	size_t nm;
	size_t worse, better, nochange, insufficient;

	uint64_t n_mismatch;		/* calls newly mismatched in B */
	struct call_mismatch mm[LIST_MAX];
	size_t n_mm;
	int64_t *mm_ids;		/* every newly mismatched call, sorted */
	size_t n_mm_ids;

	uint64_t n_job_diff;
	struct job_diff jd[LIST_MAX];
	size_t n_jd;
	uint64_t jobs_compared;

	uint64_t n_errno_diff;
	struct errno_diff ed[LIST_MAX];
	size_t n_ed;

	char headline[256];
	bool regression;
	sqlite3_stmt *name_st[2];	/* an ioctl's name, per side */
	char err[1024];
};

static int cfail(struct compare *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int cfail(struct compare *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int sql_fail(struct compare *c, const struct am_source *s)
{
	return cfail(c, "%s: %s", s->path, sqlite3_errmsg(ds_db_sqlite(s->db)));
}

static int prepare(struct compare *c, const struct am_source *s, const char *sql,
		   sqlite3_stmt **st)
{
	*st = NULL;
	if (sqlite3_prepare_v2(ds_db_sqlite(s->db), sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	return sql_fail(c, s);
}

/* ---------------------------------------------------------------------- */
/* Metrics                                                                 */
/* ---------------------------------------------------------------------- */

static const struct am_values no_values;

static bool wanted(const struct compare *c, const char *key)
{
	int i;

	if (!c->nglobs)
		return true;
	for (i = 0; i < c->nglobs; i++)
		if (!fnmatch(c->globs[i], key, 0))
			return true;
	return false;
}

static int add_metric(struct compare *c, const char *group, const char *key, const char *label,
		      const struct am_values *a, const struct am_values *b)
{
	struct metric *m;

	if (!wanted(c, key) || (!(a && a->n) && !(b && b->n)))
		return 0;
	m = realloc(c->m, (c->nm + 1) * sizeof(*m));
	if (!m)
		return cfail(c, "out of memory");
	c->m = m;
	m = &c->m[c->nm++];
	memset(m, 0, sizeof(*m));
	snprintf(m->key, sizeof(m->key), "%s", key);
	snprintf(m->label, sizeof(m->label), "%s", label);
	m->group = group;
	m->a = a ? a : &no_values;
	m->b = b ? b : &no_values;
	return 0;
}

/* Walk two arrays sorted by name and add one metric per name. */
static int collect(struct compare *c)
{
	const struct am_data *a = &c->d[0], *b = &c->d[1];
	char key[192], label[192];
	const char *name;
	size_t i, j;
	int k;

	for (i = j = 0; i < a->n_ioctls || j < b->n_ioctls;) {
		k = i == a->n_ioctls ? 1 : j == b->n_ioctls ? -1 :
			strcmp(a->ioctls[i].name, b->ioctls[j].name);
		name = k <= 0 ? a->ioctls[i].name : b->ioctls[j].name;
		snprintf(key, sizeof(key), "ioctl/%s/latency", name);
		snprintf(label, sizeof(label), "%s latency", name);
		if (add_metric(c, "ioctl", key, label, k <= 0 ? &a->ioctls[i].lat : NULL,
			       k >= 0 ? &b->ioctls[j].lat : NULL))
			return -1;
		i += k <= 0;
		j += k >= 0;
	}
	for (i = j = 0; i < a->n_queues || j < b->n_queues;) {
		const struct am_queue *qa, *qb;
		int64_t id;

		k = i == a->n_queues ? 1 : j == b->n_queues ? -1 :
			a->queues[i].id < b->queues[j].id ? -1 : a->queues[i].id > b->queues[j].id;
		qa = k <= 0 ? &a->queues[i] : NULL;
		qb = k >= 0 ? &b->queues[j] : NULL;
		id = qa ? qa->id : qb->id;
		snprintf(key, sizeof(key), "queue/%" PRId64 "/job_duration", id);
		snprintf(label, sizeof(label), "queue %" PRId64 " job duration", id);
		if (add_metric(c, "queue", key, label, qa ? &qa->exec : NULL, qb ? &qb->exec : NULL))
			return -1;
		snprintf(key, sizeof(key), "queue/%" PRId64 "/submit_to_run", id);
		snprintf(label, sizeof(label), "queue %" PRId64 " submit to run", id);
		if (add_metric(c, "queue", key, label, qa ? &qa->wait : NULL, qb ? &qb->wait : NULL))
			return -1;
		snprintf(key, sizeof(key), "queue/%" PRId64 "/submit_to_done", id);
		snprintf(label, sizeof(label), "queue %" PRId64 " submit to done", id);
		if (add_metric(c, "queue", key, label, qa ? &qa->total : NULL,
			       qb ? &qb->total : NULL))
			return -1;
		i += k <= 0;
		j += k >= 0;
	}
	for (i = j = 0; i < a->n_fw || j < b->n_fw;) {
		k = i == a->n_fw ? 1 : j == b->n_fw ? -1 : strcmp(a->fw[i].name, b->fw[j].name);
		name = k <= 0 ? a->fw[i].name : b->fw[j].name;
		snprintf(key, sizeof(key), "fw/%s/round_trip", name);
		snprintf(label, sizeof(label), "firmware %s round trip", name);
		if (add_metric(c, "fw", key, label, k <= 0 ? &a->fw[i].rtt : NULL,
			       k >= 0 ? &b->fw[j].rtt : NULL))
			return -1;
		i += k <= 0;
		j += k >= 0;
	}
	if (!c->src[0].is_run && !c->src[1].is_run &&
	    add_metric(c, "gem", "gem/lifetime", "GEM object lifetime", &a->gem_life, &b->gem_life))
		return -1;
	return 0;
}

static int verdict_rank(enum ds_stats_verdict v)
{
	switch (v) {
	case DS_STATS_WORSE:
		return 0;
	case DS_STATS_NO_CHANGE:
		return 1;
	case DS_STATS_BETTER:
		return 2;
	default:
		return 3;
	}
}

static int cmp_metric(const void *x, const void *y)
{
	const struct metric *a = x, *b = y;
	double sa = isnan(a->shift_pct) ? -INFINITY : a->shift_pct;
	double sb = isnan(b->shift_pct) ? -INFINITY : b->shift_pct;

	if (verdict_rank(a->verdict) != verdict_rank(b->verdict))
		return verdict_rank(a->verdict) - verdict_rank(b->verdict);
	if (sa != sb)
		return sa > sb ? -1 : 1;
	return strcmp(a->key, b->key);
}

static int run_metrics(struct compare *c)
{
	struct metric *m;
	size_t i;
	int rc;

	for (i = 0; i < c->nm; i++) {
		m = &c->m[i];
		m->shift_pct = NAN;
		if (!m->a->n || !m->b->n) {
			m->verdict = DS_STATS_INSUFFICIENT_DATA;
			continue;
		}
		rc = ds_stats_compare(m->a->v, m->a->n, m->b->v, m->b->n, &c->params, &m->c);
		if (rc)
			return cfail(c, "comparing %s: %s", m->key, strerror(-rc));
		m->compared = true;
		m->verdict = m->c.verdict;
		if (m->c.tested && m->c.rel_valid)
			m->shift_pct = m->c.rel.shift_pct;
		else if (m->c.tested)
			m->shift_pct = m->c.hl.shift > 0 ? INFINITY : m->c.hl.shift < 0 ? -INFINITY : 0;
	}
	if (c->nm > 1)
		qsort(c->m, c->nm, sizeof(*c->m), cmp_metric);
	for (i = 0; i < c->nm; i++) {
		switch (c->m[i].verdict) {
		case DS_STATS_WORSE:
			c->worse++;
			break;
		case DS_STATS_BETTER:
			c->better++;
			break;
		case DS_STATS_NO_CHANGE:
			c->nochange++;
			break;
		default:
			c->insufficient++;
			break;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Result differences: mismatched calls                                    */
/* ---------------------------------------------------------------------- */

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

static int push_id(int64_t **v, size_t *n, size_t *cap, int64_t id)
{
	int64_t *p;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		p = realloc(*v, *cap * sizeof(*p));
		if (!p)
			return -1;
		*v = p;
	}
	(*v)[(*n)++] = id;
	return 0;
}

/* Sort and drop duplicates. */
static void sort_unique(int64_t *v, size_t *n)
{
	size_t i, k = 0;

	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_i64);
	for (i = 0; i < *n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	*n = k;
}

static bool has_id(const int64_t *v, size_t n, int64_t id)
{
	return n && bsearch(&id, v, n, sizeof(id), cmp_i64);
}

/* Every call mismatched in A's runs, sorted. */
static int mismatched_ids(struct compare *c, const struct am_source *s, int64_t **ids,
			  size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0, p;
	int rc = SQLITE_DONE;

	*ids = NULL;
	*n = 0;
	if (!s->is_run)
		return 0;
	if (prepare(c, s, "SELECT ioctl_id FROM run_call WHERE run_id = ?1"
		    " AND mismatch IS NOT NULL", &st))
		return -1;
	for (p = 0; p < s->n_runs && rc == SQLITE_DONE; p++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, s->runs[p].id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if (push_id(ids, n, &cap, sqlite3_column_int64(st, 0))) {
				sqlite3_finalize(st);
				return cfail(c, "out of memory");
			}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(c, s);
	sort_unique(*ids, n);
	return 0;
}

static int diff_mismatches(struct compare *c)
{
	static const char sql[] =
		"SELECT rc.ioctl_id, i.name, rc.mismatch"
		" FROM run_call rc LEFT JOIN ioctl i ON i.id = rc.ioctl_id"
		" WHERE rc.run_id = ?1 AND rc.mismatch IS NOT NULL";
	const struct am_source *b = &c->src[1];
	int64_t *a_ids = NULL, id;
	struct call_mismatch *x;
	size_t n_a = 0, cap = 0, p, i;
	sqlite3_stmt *st = NULL;
	const char *name;
	int rc = SQLITE_DONE;

	if (!b->is_run)
		return 0;
	if (mismatched_ids(c, &c->src[0], &a_ids, &n_a) || prepare(c, b, sql, &st))
		goto fail;
	for (p = 0; p < b->n_runs && rc == SQLITE_DONE; p++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, b->runs[p].id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			id = sqlite3_column_int64(st, 0);
			if (has_id(a_ids, n_a, id))
				continue;
			if (push_id(&c->mm_ids, &c->n_mm_ids, &cap, id)) {
				cfail(c, "out of memory");
				goto fail;
			}
			/* Detail: one entry per call, the runs that mismatched it. */
			for (i = 0; i < c->n_mm && c->mm[i].ioctl_id != id; i++)
				;
			if (i == c->n_mm) {
				if (c->n_mm == LIST_MAX)
					continue;
				x = &c->mm[c->n_mm++];
				x->ioctl_id = id;
				name = (const char *)sqlite3_column_text(st, 1);
				snprintf(x->name, sizeof(x->name), "%s", name ? name : "?");
				x->what = strdup((const char *)sqlite3_column_text(st, 2));
			}
			x = &c->mm[i];
			if (x->nruns < SET_MAX)
				x->runs[x->nruns++] = b->runs[p].id;
		}
	}
	if (rc != SQLITE_DONE) {
		sql_fail(c, b);
		goto fail;
	}
	sort_unique(c->mm_ids, &c->n_mm_ids);
	c->n_mismatch = c->n_mm_ids;
	sqlite3_finalize(st);
	free(a_ids);
	return 0;
fail:
	sqlite3_finalize(st);
	free(a_ids);
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Result differences: job results and errnos, by k-way merge              */
/* ---------------------------------------------------------------------- */

/* One ordered stream of rows: the capture's, or one run's. */
struct stream {
	const struct am_source *src;
	int side;			/* 0: A, 1: B */
	int64_t run_id;			/* 0: the capture */
	sqlite3_stmt *st;
	bool valid;
	int64_t k1, k2;			/* the sort key */
};

struct streams {
	struct stream *s;
	size_t n;
};

static void streams_free(struct streams *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		sqlite3_finalize(ss->s[i].st);
	free(ss->s);
	ss->s = NULL;
	ss->n = 0;
}

/* Step @s; the key is columns 0 and (if @two_keys) 1. */
static int stream_next(struct compare *c, struct stream *s, bool two_keys)
{
	int rc = sqlite3_step(s->st);

	s->valid = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(c, s->src);
	if (s->valid) {
		s->k1 = sqlite3_column_int64(s->st, 0);
		s->k2 = two_keys ? sqlite3_column_int64(s->st, 1) : 0;
	}
	return 0;
}

/* One stream per run of each side (one for a capture), all started. */
static int streams_open(struct compare *c, struct streams *ss, const char *capture_sql,
			const char *run_sql, bool two_keys)
{
	size_t side, p, n;

	ss->n = 0;
	ss->s = calloc(c->src[0].n_runs + c->src[1].n_runs + 2, sizeof(*ss->s));
	if (!ss->s)
		return cfail(c, "out of memory");
	for (side = 0; side < 2; side++) {
		const struct am_source *src = &c->src[side];

		n = src->is_run ? src->n_runs : 1;
		for (p = 0; p < n; p++) {
			struct stream *s = &ss->s[ss->n++];

			s->src = src;
			s->side = (int)side;
			s->run_id = src->is_run ? src->runs[p].id : 0;
			if (prepare(c, src, src->is_run ? run_sql : capture_sql, &s->st))
				return -1;
			if (src->is_run)
				sqlite3_bind_int64(s->st, 1, s->run_id);
			if (stream_next(c, s, two_keys))
				return -1;
		}
	}
	return 0;
}

/* The smallest key among the valid streams; false when all are done. */
static bool streams_min(const struct streams *ss, int64_t *k1, int64_t *k2)
{
	bool any = false;
	size_t i;

	for (i = 0; i < ss->n; i++) {
		const struct stream *s = &ss->s[i];

		if (!s->valid)
			continue;
		if (!any || s->k1 < *k1 || (s->k1 == *k1 && s->k2 < *k2)) {
			*k1 = s->k1;
			*k2 = s->k2;
			any = true;
		}
	}
	return any;
}

static bool same_outcome(const struct outcome *x, const struct outcome *y)
{
	return x->result == y->result && !strcmp(x->hash, y->hash);
}

static void add_outcome(struct outcome *set, int *n, const struct outcome *o)
{
	int i;

	for (i = 0; i < *n; i++)
		if (same_outcome(&set[i], o))
			return;
	if (*n < SET_MAX)
		set[(*n)++] = *o;
}

/* B's outcomes that A never produced first, so they are read first. */
static void order_outcomes(struct job_diff *jd)
{
	struct outcome tmp;
	int i, j, x, k = 0;
	bool in_a;

	for (i = 0; i < jd->nb; i++) {
		in_a = false;
		for (x = 0; x < jd->na; x++)
			if (same_outcome(&jd->b[i], &jd->a[x]))
				in_a = true;
		if (in_a)
			continue;
		tmp = jd->b[i];
		for (j = i; j > k; j--)
			jd->b[j] = jd->b[j - 1];
		jd->b[k++] = tmp;
	}
}

/* The replay's mismatch text for @ioctl_id in run @run_id, if any. */
static char *submit_mismatch(struct compare *c, sqlite3_stmt *st, int64_t run_id, int64_t ioctl_id)
{
	const unsigned char *t;
	char *s = NULL;

	if (!st || !run_id || !ioctl_id)
		return NULL;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, ioctl_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		t = sqlite3_column_text(st, 0);
		if (t)
			s = strdup((const char *)t);
	}
	return s;
}

static int diff_jobs(struct compare *c)
{
	static const char capture_sql[] =
		"SELECT queue_id, seqno, id, submit_ioctl_id, result_hash, result FROM job"
		" WHERE done_ns IS NOT NULL AND queue_id IS NOT NULL ORDER BY queue_id, seqno";
	static const char run_sql[] =
		"SELECT rj.queue_id, coalesce(j.seqno, rj.seqno) AS s, rj.job_id, j.submit_ioctl_id,"
		" rj.result_hash, rj.result"
		" FROM run_job rj LEFT JOIN job j ON j.id = rj.job_id"
		" WHERE rj.run_id = ?1 AND rj.done_ns IS NOT NULL AND rj.queue_id IS NOT NULL"
		" ORDER BY rj.queue_id, s";
	struct streams ss = { 0 };
	sqlite3_stmt *mism = NULL;
	struct job_diff jd;
	struct outcome o;
	int64_t k1 = 0, k2 = 0;
	const unsigned char *h;
	bool differs;
	size_t i;
	int j, x;

	if (streams_open(c, &ss, capture_sql, run_sql, true))
		goto fail;
	if (c->src[1].is_run &&
	    prepare(c, &c->src[1], "SELECT mismatch FROM run_call WHERE run_id = ?1"
		    " AND ioctl_id = ?2 AND mismatch IS NOT NULL", &mism))
		goto fail;
	while (streams_min(&ss, &k1, &k2)) {
		memset(&jd, 0, sizeof(jd));
		jd.queue_id = k1;
		jd.seqno = k2;
		for (i = 0; i < ss.n; i++) {
			struct stream *s = &ss.s[i];

			while (s->valid && s->k1 == k1 && s->k2 == k2) {
				memset(&o, 0, sizeof(o));
				h = sqlite3_column_text(s->st, 4);
				snprintf(o.hash, sizeof(o.hash), "%s", h ? (const char *)h : "");
				o.result = sqlite3_column_int(s->st, 5);
				o.run_id = s->run_id;
				if (s->side)
					add_outcome(jd.b, &jd.nb, &o);
				else
					add_outcome(jd.a, &jd.na, &o);
				if (!jd.job_id)
					jd.job_id = sqlite3_column_int64(s->st, 2);
				if (!jd.submit_ioctl_id)
					jd.submit_ioctl_id = sqlite3_column_int64(s->st, 3);
				if (stream_next(c, s, true))
					goto fail;
			}
		}
		if (!jd.na || !jd.nb)
			continue;
		c->jobs_compared++;
		differs = false;
		for (j = 0; j < jd.nb && !differs; j++) {
			differs = true;
			for (x = 0; x < jd.na; x++)
				if (same_outcome(&jd.b[j], &jd.a[x]))
					differs = false;
		}
		if (!differs)
			continue;
		order_outcomes(&jd);
		c->n_job_diff++;
		if (c->n_jd == LIST_MAX)
			continue;
		for (j = 0; j < jd.nb && !jd.first_difference; j++)
			jd.first_difference = submit_mismatch(c, mism, jd.b[j].run_id,
							      jd.submit_ioctl_id);
		c->jd[c->n_jd++] = jd;
	}
	sqlite3_finalize(mism);
	streams_free(&ss);
	return 0;
fail:
	sqlite3_finalize(mism);
	streams_free(&ss);
	return -1;
}

static void add_errno(int *set, int *n, int e)
{
	int i;

	for (i = 0; i < *n; i++)
		if (set[i] == e)
			return;
	if (*n < SET_MAX)
		set[(*n)++] = e;
}

/*
 * Was call @id made by this stream's source (and, for a capture, is it the
 * call named @name)? Then it succeeded, since it is not in the error stream.
 */
static int call_present(struct compare *c, sqlite3_stmt *st, const struct stream *s, int64_t id,
			const char *name, bool *present)
{
	const unsigned char *n;
	int rc;

	sqlite3_reset(st);
	if (s->run_id) {
		sqlite3_bind_int64(st, 1, s->run_id);
		sqlite3_bind_int64(st, 2, id);
	} else {
		sqlite3_bind_int64(st, 1, id);
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(c, s->src);
	*present = rc == SQLITE_ROW;
	if (*present && !s->run_id && name[0]) {
		n = sqlite3_column_text(st, 0);
		*present = n && !strcmp((const char *)n, name);
	}
	return 0;
}

static int diff_errnos(struct compare *c)
{
	static const char capture_sql[] =
		"SELECT id, name, errno FROM ioctl WHERE ret < 0 ORDER BY id";
	static const char run_sql[] =
		"SELECT rc.ioctl_id, i.name, rc.errno FROM run_call rc"
		" LEFT JOIN ioctl i ON i.id = rc.ioctl_id"
		" WHERE rc.run_id = ?1 AND rc.ret < 0 ORDER BY rc.ioctl_id";
	static const char capture_has[] =
		"SELECT name FROM ioctl WHERE id = ?1 AND end_ns IS NOT NULL";
	static const char run_has[] =
		"SELECT 1 FROM run_call WHERE run_id = ?1 AND ioctl_id = ?2";
	sqlite3_stmt *has[2][2] = { { NULL, NULL }, { NULL, NULL } };	/* [side][is_run] */
	struct streams ss = { 0 };
	struct errno_diff ed;
	bool *hit = NULL, present = false, differs, seen[2];
	int64_t k1 = 0, k2 = 0;
	const unsigned char *n;
	size_t i, side;
	int j, x, rc = -1;

	if (streams_open(c, &ss, capture_sql, run_sql, false))
		goto out;
	hit = calloc(ss.n, sizeof(*hit));
	if (!hit) {
		cfail(c, "out of memory");
		goto out;
	}
	for (side = 0; side < 2; side++)
		if (prepare(c, &c->src[side], c->src[side].is_run ? run_has : capture_has,
			    &has[side][c->src[side].is_run]))
			goto out;
	while (streams_min(&ss, &k1, &k2)) {
		memset(&ed, 0, sizeof(ed));
		ed.ioctl_id = k1;
		seen[0] = seen[1] = false;
		for (i = 0; i < ss.n; i++) {
			struct stream *s = &ss.s[i];

			hit[i] = false;
			while (s->valid && s->k1 == k1) {
				n = sqlite3_column_text(s->st, 1);
				if (n && !ed.name[0])
					snprintf(ed.name, sizeof(ed.name), "%s", (const char *)n);
				if (s->side)
					add_errno(ed.b, &ed.nb, sqlite3_column_int(s->st, 2));
				else
					add_errno(ed.a, &ed.na, sqlite3_column_int(s->st, 2));
				hit[i] = true;
				seen[s->side] = true;
				if (stream_next(c, s, false))
					goto out;
			}
		}
		/* Streams without an error for this call: did they make it at all? */
		for (i = 0; i < ss.n; i++) {
			struct stream *s = &ss.s[i];

			if (hit[i])
				continue;
			if (call_present(c, has[s->side][s->run_id != 0], s, k1, ed.name, &present))
				goto out;
			if (!present)
				continue;
			if (s->side)
				add_errno(ed.b, &ed.nb, 0);
			else
				add_errno(ed.a, &ed.na, 0);
			seen[s->side] = true;
		}
		if (!seen[0] || !seen[1] || has_id(c->mm_ids, c->n_mm_ids, k1))
			continue;
		differs = false;
		for (j = 0; j < ed.nb && !differs; j++) {
			differs = true;
			for (x = 0; x < ed.na; x++)
				if (ed.b[j] == ed.a[x])
					differs = false;
		}
		if (!differs)
			continue;
		c->n_errno_diff++;
		if (c->n_ed < LIST_MAX)
			c->ed[c->n_ed++] = ed;
	}
	rc = 0;
out:
	free(hit);
	for (side = 0; side < 2; side++) {
		sqlite3_finalize(has[side][0]);
		sqlite3_finalize(has[side][1]);
	}
	streams_free(&ss);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Output helpers                                                          */
/* ---------------------------------------------------------------------- */

static uint64_t result_differences(const struct compare *c)
{
	return c->n_mismatch + c->n_job_diff + c->n_errno_diff;
}

static void make_headline(struct compare *c)
{
	uint64_t rd = result_differences(c);
	size_t len;

	c->regression = c->worse || rd;
	if (!c->regression) {
		len = snprintf(c->headline, sizeof(c->headline),
			       "OK: no regression (%zu metrics compared", c->nm);
		if (c->better)
			len += snprintf(c->headline + len, sizeof(c->headline) - len, ", %zu better",
					c->better);
		snprintf(c->headline + len, sizeof(c->headline) - len, ", no result difference)");
		return;
	}
	len = snprintf(c->headline, sizeof(c->headline), "REGRESSION: ");
	if (c->worse)
		len += snprintf(c->headline + len, sizeof(c->headline) - len, "%zu metric%s worse%s",
				c->worse, c->worse == 1 ? "" : "s", rd ? ", " : "");
	if (rd)
		snprintf(c->headline + len, sizeof(c->headline) - len,
			 "%" PRIu64 " result difference%s", rd, rd == 1 ? "" : "s");
}

static const char *verdict_class(enum ds_stats_verdict v)
{
	switch (v) {
	case DS_STATS_WORSE:
		return "worse";
	case DS_STATS_BETTER:
		return "better";
	case DS_STATS_NO_CHANGE:
		return "nochange";
	default:
		return "insufficient";
	}
}

static const char *fmt_p(char *buf, size_t size, double p)
{
	if (p <= 0)
		snprintf(buf, size, "<1e-300");
	else if (p < 0.001)
		snprintf(buf, size, "%.1e", p);
	else
		snprintf(buf, size, "%.3f", p);
	return buf;
}

/* A signed duration: "+10.050 us". */
static const char *fmt_shift(char *buf, size_t size, double ns)
{
	char t[24];

	out_fmt_ns(t, sizeof(t), fabs(ns));
	snprintf(buf, size, "%s%s", ns > 0 ? "+" : ns < 0 ? "-" : "", t);
	return buf;
}

/* "HASH" or "HASH result -14 (EFAULT)", with "(run N)" when @runs. */
static void outcomes_text(const struct outcome *o, int n, bool runs, char *buf, size_t size)
{
	size_t len = 0;
	char e[32];
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && len + 1 < size; i++) {
		len += snprintf(buf + len, size - len, "%s%s", i ? "; " : "",
				o[i].hash[0] ? o[i].hash : "(no hash)");
		if (o[i].result && len + 1 < size)
			len += snprintf(buf + len, size - len, " result %d (%s)", o[i].result,
					out_errno_name(e, sizeof(e), -o[i].result));
		if (runs && o[i].run_id && len + 1 < size)
			len += snprintf(buf + len, size - len, " (run %" PRId64 ")", o[i].run_id);
	}
}

static void errnos_text(const int *v, int n, char *buf, size_t size)
{
	size_t len = 0;
	char e[32];
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && len + 1 < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? " or " : "",
				v[i] ? out_errno_name(e, sizeof(e), v[i]) : "success");
}

static void runs_text(const int64_t *runs, int n, char *buf, size_t size)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && len + 1 < size; i++)
		len += snprintf(buf + len, size - len, "%s%" PRId64, i ? ", " : "", runs[i]);
}

static void queue_text(const struct compare *c, int64_t id, char *buf, size_t size)
{
	const struct am_queue *q = am_find_queue(&c->d[1], id);

	if (!q)
		q = am_find_queue(&c->d[0], id);
	if (q && q->handle >= 0)
		snprintf(buf, size, "queue %" PRId64 " (handle %" PRId64 ")", id, q->handle);
	else
		snprintf(buf, size, "queue %" PRId64, id);
}

/* The name of captured ioctl @ioctl_id, from B's file or else A's. */
static void submit_name(const struct compare *c, int64_t ioctl_id, char *buf, size_t size)
{
	const unsigned char *n;
	sqlite3_stmt *st;
	int side;

	snprintf(buf, size, "?");
	for (side = 1; side >= 0; side--) {
		st = c->name_st[side];
		if (!st)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ioctl_id);
		if (sqlite3_step(st) == SQLITE_ROW && (n = sqlite3_column_text(st, 0))) {
			out_safe(buf, size, n);
			sqlite3_reset(st);
			return;
		}
		sqlite3_reset(st);
	}
}

/* ---------------------------------------------------------------------- */
/* Text, Markdown, HTML                                                    */
/* ---------------------------------------------------------------------- */

static int table_jobs(FILE *f, struct compare *c)
{
	static const char *const heads[] = {
		"QUEUE", "SEQNO", "JOB", "SUBMITTED BY", "RESULT IN A", "RESULT IN B",
		"FIRST DIFFERENCE",
	};
	struct otab *t = otab_new(7, heads, "lrrllll");
	char q[96], name[96], oa[512], ob[512];
	size_t i;
	int rc;

	if (!t)
		return -1;
	for (i = 0; i < c->n_jd; i++) {
		const struct job_diff *x = &c->jd[i];

		queue_text(c, x->queue_id, q, sizeof(q));
		submit_name(c, x->submit_ioctl_id, name, sizeof(name));
		outcomes_text(x->a, x->na, false, oa, sizeof(oa));
		outcomes_text(x->b, x->nb, c->src[1].is_run, ob, sizeof(ob));
		otab_cell(t, q);
		otab_cellf(t, "%" PRId64, x->seqno);
		otab_cellf(t, "%" PRId64, x->job_id);
		otab_cellf(t, "ioctl %" PRId64 " (%s)", x->submit_ioctl_id, name);
		otab_cell(t, oa);
		otab_cell(t, ob);
		otab_class(t, "bad");
		otab_cell(t, x->first_difference ? x->first_difference : "-");
	}
	rc = otab_failed(t) ? -1 : 0;
	if (!rc)
		otab_print(t, f, c->format);
	otab_free(t);
	return rc;
}

/* In text, a few lines per differing job read better than a wide table. */
static void text_jobs(FILE *f, struct compare *c)
{
	char q[96], name[96], oa[512], ob[512], s1[512], s2[512];
	size_t i;

	for (i = 0; i < c->n_jd; i++) {
		const struct job_diff *x = &c->jd[i];

		queue_text(c, x->queue_id, q, sizeof(q));
		submit_name(c, x->submit_ioctl_id, name, sizeof(name));
		outcomes_text(x->a, x->na, false, oa, sizeof(oa));
		outcomes_text(x->b, x->nb, c->src[1].is_run, ob, sizeof(ob));
		fprintf(f, "    %s seqno %" PRId64 " (job %" PRId64 "), submitted by ioctl %" PRId64
			" %s\n", q, x->seqno, x->job_id, x->submit_ioctl_id, name);
		fprintf(f, "      A: %s\n      B: %s\n",
			out_safe(s1, sizeof(s1), (const unsigned char *)oa),
			out_safe(s2, sizeof(s2), (const unsigned char *)ob));
		if (x->first_difference)
			fprintf(f, "      first difference: %s\n", out_safe(s1, sizeof(s1),
				(const unsigned char *)x->first_difference));
	}
}

static int table_mismatches(FILE *f, struct compare *c)
{
	static const char *const heads[] = { "IOCTL ID", "IOCTL", "MISMATCH", "B RUNS" };
	struct otab *t = otab_new(4, heads, "rlll");
	char runs[96];
	size_t i;
	int rc;

	if (!t)
		return -1;
	for (i = 0; i < c->n_mm; i++) {
		runs_text(c->mm[i].runs, c->mm[i].nruns, runs, sizeof(runs));
		otab_cellf(t, "%" PRId64, c->mm[i].ioctl_id);
		otab_cell(t, c->mm[i].name);
		otab_cell(t, c->mm[i].what);
		otab_class(t, "bad");
		otab_cell(t, runs);
	}
	rc = otab_failed(t) ? -1 : 0;
	if (!rc)
		otab_print(t, f, c->format);
	otab_free(t);
	return rc;
}

static int table_errnos(FILE *f, struct compare *c)
{
	static const char *const heads[] = { "IOCTL ID", "IOCTL", "A", "B" };
	struct otab *t = otab_new(4, heads, "rlll");
	char a[128], b[128];
	size_t i;
	int rc;

	if (!t)
		return -1;
	for (i = 0; i < c->n_ed; i++) {
		errnos_text(c->ed[i].a, c->ed[i].na, a, sizeof(a));
		errnos_text(c->ed[i].b, c->ed[i].nb, b, sizeof(b));
		otab_cellf(t, "%" PRId64, c->ed[i].ioctl_id);
		otab_cell(t, c->ed[i].name[0] ? c->ed[i].name : "?");
		otab_cell(t, a);
		otab_cell(t, b);
		otab_class(t, "bad");
	}
	rc = otab_failed(t) ? -1 : 0;
	if (!rc)
		otab_print(t, f, c->format);
	otab_free(t);
	return rc;
}

static int section_results(FILE *f, struct compare *c)
{
	char title[128];

	snprintf(title, sizeof(title), "Result differences: %" PRIu64, result_differences(c));
	doc_heading(f, c->format, title);
	if (!result_differences(c)) {
		doc_line(f, c->format, "none: %" PRIu64 " jobs compared, same results and errnos%s",
			 c->jobs_compared, c->src[1].is_run ? ", no new mismatched call" : "");
		return 0;
	}
	if (c->n_job_diff) {
		doc_line(f, c->format, "jobs whose result differs: %" PRIu64 " of %" PRIu64
			 " compared%s", c->n_job_diff, c->jobs_compared,
			 c->n_job_diff > c->n_jd ? " (the first listed)" : "");
		if (c->format == OUT_TEXT)
			text_jobs(f, c);
		else if (table_jobs(f, c))
			return -1;
	}
	if (c->n_mismatch) {
		doc_line(f, c->format, "calls mismatched in B but not in A: %" PRIu64 "%s",
			 c->n_mismatch, c->n_mismatch > c->n_mm ? " (the first listed)" : "");
		if (table_mismatches(f, c))
			return -1;
	}
	if (c->n_errno_diff) {
		doc_line(f, c->format, "calls whose errno differs: %" PRIu64 "%s", c->n_errno_diff,
			 c->n_errno_diff > c->n_ed ? " (the first listed)" : "");
		if (table_errnos(f, c))
			return -1;
	}
	return 0;
}

static int section_metrics(FILE *f, struct compare *c)
{
	static const char *const heads[] = {
		"METRIC", "VERDICT", "CHANGE", "CI LOW", "CI HIGH", "A P50", "B P50", "SHIFT", "P",
		"N1", "N2",
	};
	struct otab *t = otab_new(11, heads, "llrrrrrrrrr");
	char b1[32], b2[32], title[96];
	size_t i;
	int rc;

	if (!t)
		return -1;
	for (i = 0; i < c->nm; i++) {
		const struct metric *m = &c->m[i];
		const struct ds_stats_comparison *x = &m->c;

		otab_cell(t, m->key);
		otab_cell(t, ds_stats_verdict_name(m->verdict));
		otab_class(t, verdict_class(m->verdict));
		if (m->compared && x->tested) {
			otab_cell(t, out_fmt_pct(b1, sizeof(b1), m->shift_pct));
			otab_cell(t, x->rel_valid ? out_fmt_pct(b1, sizeof(b1), x->rel.ci_low_pct) :
				  fmt_shift(b1, sizeof(b1), x->hl.ci_low));
			otab_cell(t, x->rel_valid ? out_fmt_pct(b1, sizeof(b1), x->rel.ci_high_pct) :
				  fmt_shift(b1, sizeof(b1), x->hl.ci_high));
		} else {
			otab_cell(t, "-");
			otab_cell(t, "-");
			otab_cell(t, "-");
		}
		otab_cell(t, m->a->n ? out_fmt_ns(b1, sizeof(b1), m->compared ? x->a.p50 : 0) : "-");
		otab_cell(t, m->b->n ? out_fmt_ns(b2, sizeof(b2), m->compared ? x->b.p50 : 0) : "-");
		if (m->compared && x->tested) {
			otab_cell(t, fmt_shift(b1, sizeof(b1), x->hl.shift));
			otab_cell(t, fmt_p(b2, sizeof(b2), x->mwu.p));
		} else {
			otab_cell(t, "-");
			otab_cell(t, "-");
		}
		otab_cellf(t, "%zu", m->a->n);
		otab_cellf(t, "%zu", m->b->n);
	}
	rc = otab_failed(t) ? -1 : 0;
	if (!rc) {
		snprintf(title, sizeof(title), "Metrics, worst first (%.0f%% intervals)",
			 100 * (1 - c->params.verdict.alpha));
		doc_heading(f, c->format, title);
		if (c->nm)
			otab_print(t, f, c->format);
		else
			doc_line(f, c->format, "(no metric%s)", c->nglobs ? " matches --metric" : "");
	}
	otab_free(t);
	return rc;
}

static void header_lines(FILE *f, struct compare *c)
{
	doc_line(f, c->format, "A (baseline): %s", c->what[0]);
	doc_line(f, c->format, "B (candidate): %s", c->what[1]);
	doc_line(f, c->format, "threshold %g%%, alpha %g, %g%% intervals; %zu metrics: %zu worse,"
		 " %zu better, %zu no change, %zu insufficient data",
		 c->params.verdict.threshold_pct, c->params.verdict.alpha,
		 100 * (1 - c->params.verdict.alpha), c->nm, c->worse, c->better, c->nochange,
		 c->insufficient);
}

/* The forest plot: every metric's change and interval at a glance. */
static int html_forest_chart(FILE *f, struct compare *c)
{
	struct html_ci *rows = calloc(c->nm + 1, sizeof(*rows));
	size_t i, n = 0;

	if (!rows)
		return -1;
	for (i = 0; i < c->nm; i++) {
		const struct metric *m = &c->m[i];

		if (!m->compared || !m->c.tested)
			continue;
		rows[n].label = m->key;
		rows[n].verdict = m->verdict;
		rows[n].shift_pct = m->shift_pct;
		rows[n].lo_pct = m->c.rel_valid ? m->c.rel.ci_low_pct : m->c.hl.ci_low > 0 ? INFINITY :
			-INFINITY;
		rows[n].hi_pct = m->c.rel_valid ? m->c.rel.ci_high_pct : m->c.hl.ci_high > 0 ? INFINITY :
			-INFINITY;
		n++;
	}
	if (n)
		html_forest(f, "Change of each metric, B against A, with its confidence interval",
			    rows, n, c->params.verdict.threshold_pct);
	free(rows);
	return 0;
}

/* Distributions, timelines and box plots, after the metrics table. */
static int html_charts(FILE *f, struct compare *c)
{
	struct html_box *boxes = NULL;
	struct html_series s[2];
	struct html_timeline tl[2];
	size_t i, n, nb = 0;

	fputs("<h2>Distributions, worst first</h2>\n<div class=\"grid\">\n", f);
	for (i = 0, n = 0; i < c->nm && n < HTML_HIST_MAX; i++) {
		if (!c->m[i].a->n && !c->m[i].b->n)
			continue;
		s[0].label = "A";
		s[0].v = c->m[i].a;
		s[1].label = "B";
		s[1].v = c->m[i].b;
		html_hist(f, c->m[i].key, s, 2);
		n++;
	}
	fputs("</div>\n", f);

	tl[0].label = "A";
	tl[0].jobs = c->d[0].timeline;
	tl[0].n = c->d[0].n_timeline;
	tl[1].label = "B";
	tl[1].jobs = c->d[1].timeline;
	tl[1].n = c->d[1].n_timeline;
	if (tl[0].n || tl[1].n) {
		fputs("<h2>Jobs per queue over time (A: its first run, B: its first run)</h2>\n", f);
		html_timeline(f, "Jobs per queue, A above, B below, same time scale", tl, 2);
	}

	boxes = calloc(c->nm + 1, sizeof(*boxes));
	if (!boxes)
		return -1;
	for (i = 0; i < c->nm; i++) {
		if (strcmp(c->m[i].group, "fw"))
			continue;
		boxes[nb].label = c->m[i].label;
		boxes[nb].a = c->m[i].a;
		boxes[nb++].b = c->m[i].b;
	}
	if (nb) {
		fputs("<h2>Firmware round trips</h2>\n", f);
		html_boxes(f, "Firmware round trips, A against B", boxes, nb, "A", "B");
	}
	nb = 0;
	for (i = 0; i < c->nm; i++) {
		if (strcmp(c->m[i].group, "ioctl"))
			continue;
		boxes[nb].label = c->m[i].label;
		boxes[nb].a = c->m[i].a;
		boxes[nb++].b = c->m[i].b;
	}
	if (nb) {
		fputs("<h2>Ioctl latencies</h2>\n", f);
		html_boxes(f, "Ioctl latencies, A against B", boxes, nb, "A", "B");
	}
	free(boxes);
	return 0;
}

static int render_doc(FILE *f, struct compare *c)
{
	char sub[1200], b[64];

	if (c->format == OUT_HTML) {
		snprintf(sub, sizeof(sub), "A: %s  vs  B: %s  (drmscope %s)", c->what[0], c->what[1],
			 DRMSCOPE_VERSION);
		html_begin(f, "compare", "drmscope compare", sub);
		fprintf(f, "<div class=\"banner %s\">", c->regression ? "bad" : "good");
		out_html(f, c->headline);
		fputs("</div>\n<div class=\"tiles\">", f);
		snprintf(b, sizeof(b), "%zu", c->worse);
		html_tile(f, "metrics worse", b, c->worse > 0);
		snprintf(b, sizeof(b), "%zu", c->better);
		html_tile(f, "metrics better", b, 0);
		snprintf(b, sizeof(b), "%zu", c->nochange);
		html_tile(f, "no change", b, 0);
		snprintf(b, sizeof(b), "%" PRIu64, c->n_job_diff);
		html_tile(f, "job results differing", b, c->n_job_diff > 0);
		snprintf(b, sizeof(b), "%" PRIu64, c->n_mismatch);
		html_tile(f, "new mismatched calls", b, c->n_mismatch > 0);
		snprintf(b, sizeof(b), "%" PRIu64, c->n_errno_diff);
		html_tile(f, "errno changes", b, c->n_errno_diff > 0);
		fputs("</div>\n", f);
	} else if (c->format == OUT_MARKDOWN) {
		fprintf(f, "# drmscope compare\n\n");
		doc_heading(f, c->format, c->headline);
	} else {
		fprintf(f, "%s\n", c->headline);
	}
	header_lines(f, c);
	if (section_results(f, c))
		return -1;
	if (c->format == OUT_HTML) {
		doc_heading(f, c->format, "Changes at a glance");
		if (html_forest_chart(f, c))
			return -1;
	}
	if (section_metrics(f, c))
		return -1;
	if (c->format == OUT_HTML) {
		if (html_charts(f, c))
			return -1;
		html_end(f);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* JSON (docs/report-json.md)                                              */
/* ---------------------------------------------------------------------- */

static void json_outcomes(struct jw *w, const struct outcome *o, int n)
{
	int i;

	jw_arr(w);
	for (i = 0; i < n; i++) {
		jw_obj(w);
		jw_kstr(w, "hash", o[i].hash[0] ? o[i].hash : NULL);
		jw_kint(w, "result", o[i].result);
		jw_key(w, "run_id");
		if (o[i].run_id)
			jw_int(w, o[i].run_id);
		else
			jw_null(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void json_ints(struct jw *w, const int *v, int n)
{
	int i;

	jw_arr(w);
	for (i = 0; i < n; i++)
		jw_int(w, v[i]);
	jw_arr_end(w);
}

static void json_compare(FILE *f, struct compare *c)
{
	char name[96];
	struct jw w;
	size_t i;
	int j;

	jw_init(&w, f);
	jw_obj(&w);
	jw_kstr(&w, "drmscope", "compare");
	jw_kint(&w, "format_version", COMPARE_FORMAT_VERSION);
	jw_kstr(&w, "drmscope_version", DRMSCOPE_VERSION);
	jw_kstr(&w, "headline", c->headline);
	jw_kstr(&w, "verdict", c->regression ? "regression" : "ok");
	jw_kint(&w, "exit_status", c->regression ? 1 : 0);
	jw_key(&w, "a");
	report_json_source(&w, &c->src[0], c->what[0]);
	jw_key(&w, "b");
	report_json_source(&w, &c->src[1], c->what[1]);
	jw_key(&w, "params");
	jw_obj(&w);
	jw_knum(&w, "threshold_pct", c->params.verdict.threshold_pct);
	jw_knum(&w, "alpha", c->params.verdict.alpha);
	jw_knum(&w, "level", 1 - c->params.verdict.alpha);
	jw_kint(&w, "min_n", (int64_t)c->params.verdict.min_n);
	jw_key(&w, "metric_globs");
	jw_arr(&w);
	for (j = 0; j < c->nglobs; j++)
		jw_str(&w, c->globs[j]);
	jw_arr_end(&w);
	jw_obj_end(&w);

	jw_key(&w, "summary");
	jw_obj(&w);
	jw_kint(&w, "metrics", (int64_t)c->nm);
	jw_kint(&w, "worse", (int64_t)c->worse);
	jw_kint(&w, "better", (int64_t)c->better);
	jw_kint(&w, "no_change", (int64_t)c->nochange);
	jw_kint(&w, "insufficient_data", (int64_t)c->insufficient);
	jw_kint(&w, "result_differences", (int64_t)result_differences(c));
	jw_obj_end(&w);

	jw_key(&w, "result_differences");
	jw_obj(&w);
	jw_key(&w, "job_results");
	jw_obj(&w);
	jw_kint(&w, "count", (int64_t)c->n_job_diff);
	jw_kint(&w, "jobs_compared", (int64_t)c->jobs_compared);
	jw_key(&w, "items");
	jw_arr(&w);
	for (i = 0; i < c->n_jd; i++) {
		const struct job_diff *x = &c->jd[i];
		const struct am_queue *q = am_find_queue(&c->d[1], x->queue_id);

		jw_obj(&w);
		jw_kint(&w, "queue_id", x->queue_id);
		jw_key(&w, "queue_handle");
		if (q && q->handle >= 0)
			jw_int(&w, q->handle);
		else
			jw_null(&w);
		jw_kint(&w, "seqno", x->seqno);
		jw_kint(&w, "job_id", x->job_id);
		jw_kint(&w, "submit_ioctl_id", x->submit_ioctl_id);
		submit_name(c, x->submit_ioctl_id, name, sizeof(name));
		jw_kstr(&w, "submit_ioctl", name);
		jw_key(&w, "a");
		json_outcomes(&w, x->a, x->na);
		jw_key(&w, "b");
		json_outcomes(&w, x->b, x->nb);
		jw_kstr(&w, "first_difference", x->first_difference);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);

	jw_key(&w, "mismatched_calls");
	jw_obj(&w);
	jw_kint(&w, "count", (int64_t)c->n_mismatch);
	jw_key(&w, "items");
	jw_arr(&w);
	for (i = 0; i < c->n_mm; i++) {
		jw_obj(&w);
		jw_kint(&w, "ioctl_id", c->mm[i].ioctl_id);
		jw_kstr(&w, "name", c->mm[i].name);
		jw_kstr(&w, "mismatch", c->mm[i].what);
		jw_key(&w, "runs");
		jw_arr(&w);
		for (j = 0; j < c->mm[i].nruns; j++)
			jw_int(&w, c->mm[i].runs[j]);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);

	jw_key(&w, "errno_changes");
	jw_obj(&w);
	jw_kint(&w, "count", (int64_t)c->n_errno_diff);
	jw_key(&w, "items");
	jw_arr(&w);
	for (i = 0; i < c->n_ed; i++) {
		jw_obj(&w);
		jw_kint(&w, "ioctl_id", c->ed[i].ioctl_id);
		jw_kstr(&w, "name", c->ed[i].name[0] ? c->ed[i].name : NULL);
		jw_key(&w, "a");
		json_ints(&w, c->ed[i].a, c->ed[i].na);
		jw_key(&w, "b");
		json_ints(&w, c->ed[i].b, c->ed[i].nb);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);

	jw_key(&w, "metrics");
	jw_arr(&w);
	for (i = 0; i < c->nm; i++) {
		const struct metric *m = &c->m[i];
		const struct ds_stats_comparison *x = &m->c;
		bool t = m->compared && x->tested;

		jw_obj(&w);
		jw_kstr(&w, "key", m->key);
		jw_kstr(&w, "group", m->group);
		jw_kstr(&w, "label", m->label);
		jw_kstr(&w, "unit", "ns");
		jw_kstr(&w, "direction", "lower_is_better");
		jw_kstr(&w, "verdict", ds_stats_verdict_name(m->verdict));
		jw_kint(&w, "n1", (int64_t)m->a->n);
		jw_kint(&w, "n2", (int64_t)m->b->n);
		jw_key(&w, "a");
		jw_summary(&w, m->compared ? &x->a : NULL);
		jw_key(&w, "b");
		jw_summary(&w, m->compared ? &x->b : NULL);
		jw_kbool(&w, "tested", t);
		jw_key(&w, "shift_ns");
		t ? jw_num(&w, x->hl.shift) : jw_null(&w);
		jw_key(&w, "ci_ns");
		if (t) {
			jw_arr(&w);
			jw_num(&w, x->hl.ci_low);
			jw_num(&w, x->hl.ci_high);
			jw_arr_end(&w);
		} else {
			jw_null(&w);
		}
		jw_key(&w, "ci_level");
		t ? jw_num(&w, x->hl.level) : jw_null(&w);
		jw_key(&w, "shift_pct");
		t && x->rel_valid ? jw_num(&w, x->rel.shift_pct) : jw_null(&w);
		jw_key(&w, "ci_pct");
		if (t && x->rel_valid) {
			jw_arr(&w);
			jw_num(&w, x->rel.ci_low_pct);
			jw_num(&w, x->rel.ci_high_pct);
			jw_arr_end(&w);
		} else {
			jw_null(&w);
		}
		jw_key(&w, "p");
		t ? jw_num(&w, x->mwu.p) : jw_null(&w);
		jw_key(&w, "u");
		t ? jw_num(&w, x->mwu.u) : jw_null(&w);
		jw_key(&w, "exact");
		t ? jw_bool(&w, x->mwu.exact) : jw_null(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

/* ---------------------------------------------------------------------- */
/* The command                                                             */
/* ---------------------------------------------------------------------- */

static int parse_threshold(const char *s, double *pct)
{
	char *end;

	*pct = strtod(s, &end);
	if (end == s || (*end && strcmp(end, "%")) || !isfinite(*pct) || *pct < 0 || *pct > 1000)
		return -1;
	return 0;
}

static void compare_free(struct compare *c)
{
	size_t i;

	for (i = 0; i < c->n_jd; i++)
		free(c->jd[i].first_difference);
	for (i = 0; i < c->n_mm; i++)
		free(c->mm[i].what);
	free(c->mm_ids);
	free(c->m);
	for (i = 0; i < 2; i++) {
		sqlite3_finalize(c->name_st[i]);
		am_data_free(&c->d[i]);
		am_source_close(&c->src[i]);
	}
}

int cmd_compare(int argc, char **argv)
{
	static const struct option options[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "metric", required_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int flags = DS_DB_OPEN_NO_CHECK;
	struct compare *c;
	const char *out = NULL;
	char *end;
	FILE *f;
	int i, opt, status = DRMSCOPE_EXIT_USAGE;

	if (drmscope_wants_help(argc, argv))
		return DRMSCOPE_EXIT_OK;
	c = calloc(1, sizeof(*c));
	if (!c) {
		fprintf(stderr, "drmscope compare: out of memory\n");
		return DRMSCOPE_EXIT_USAGE;
	}
	ds_stats_compare_defaults(&c->params);
	c->format = OUT_TEXT;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":t:a:m:f:o:", options, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (parse_threshold(optarg, &c->params.verdict.threshold_pct)) {
				drmscope_usage_error("compare", "--threshold wants a percentage such as"
						     " 5%% or 2.5, not '%s'", optarg);
				goto out;
			}
			break;
		case 'a':
			c->params.verdict.alpha = strtod(optarg, &end);
			if (*end || end == optarg || !(c->params.verdict.alpha > 0) ||
			    !(c->params.verdict.alpha < 0.5)) {
				drmscope_usage_error("compare", "--alpha wants a number in (0, 0.5), not '%s'",
						     optarg);
				goto out;
			}
			break;
		case 'm':
			if (c->nglobs == MAX_GLOBS) {
				drmscope_usage_error("compare", "at most %d --metric options", MAX_GLOBS);
				goto out;
			}
			c->globs[c->nglobs++] = optarg;
			break;
		case 'f':
			if (out_parse_format(optarg, &c->format)) {
				drmscope_usage_error("compare",
					"unknown format '%s' (text, json, markdown or html)", optarg);
				goto out;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'c':
			flags = 0;
			break;
		case ':':
			drmscope_usage_error("compare", "option '%s' needs a value", argv[optind - 1]);
			goto out;
		default:
			drmscope_usage_error("compare", "unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (argc - optind != 2) {
		drmscope_usage_error("compare", "expected two sources, A and B (FILE.db, FILE.db:ID"
				     " or FILE.db:LABEL)");
		goto out;
	}
	for (i = 0; i < 2; i++) {
		if (am_source_parse(&c->src[i], argv[optind + i], flags, c->err, sizeof(c->err))) {
			fprintf(stderr, "drmscope compare: %s\n", c->err);
			goto out;
		}
		if (am_load(&c->src[i], &c->d[i])) {
			fprintf(stderr, "drmscope compare: %s\n", c->d[i].err);
			goto out;
		}
		am_source_describe(&c->src[i], c->what[i], sizeof(c->what[i]));
	}
	if (collect(c) || run_metrics(c) || diff_mismatches(c) || diff_jobs(c) || diff_errnos(c)) {
		fprintf(stderr, "drmscope compare: %s\n", c->err);
		goto out;
	}
	make_headline(c);
	for (i = 0; i < 2; i++)
		if (prepare(c, &c->src[i], "SELECT name FROM ioctl WHERE id = ?1", &c->name_st[i])) {
			fprintf(stderr, "drmscope compare: %s\n", c->err);
			goto out;
		}
	f = out_open(out, c->err, sizeof(c->err));
	if (!f) {
		fprintf(stderr, "drmscope compare: %s\n", c->err);
		goto out;
	}
	if (c->format == OUT_JSON) {
		json_compare(f, c);
	} else if (render_doc(f, c)) {
		out_close(f, out, c->err, sizeof(c->err));
		fprintf(stderr, "drmscope compare: out of memory\n");
		goto out;
	}
	if (out_close(f, out, c->err, sizeof(c->err))) {
		fprintf(stderr, "drmscope compare: %s\n", c->err);
		goto out;
	}
	if (out)
		fprintf(stderr, "drmscope compare: %s; wrote %s\n", c->headline, out);
	status = c->regression ? DRMSCOPE_EXIT_FINDING : DRMSCOPE_EXIT_OK;
out:
	compare_free(c);
	free(c);
	return status;
}
