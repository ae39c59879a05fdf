/*
 * analyzer/report.c: `drmscope report DB [--run R] [--format F] [-o FILE]`,
 * the summary of a capture or of replay runs.
 *
 * Sections, in the order a driver developer reads them: what was traced
 * (host, kernel, command, or the run's driver and module parameters) and
 * the findings (errors, GPU faults, lost events, mismatches); per ioctl
 * name the calls, errors by errno and latency percentiles; per queue the
 * jobs and their timings (duration = run -> done on the GPU, submit ->
 * run, submit -> done); per firmware function the messages and round
 * trips; VM-bind traffic and GEM memory (the capture's tables); GPU faults;
 * the slowest calls; mismatched calls.
 *
 * R is a run id or a label; every run with that label is pooled (repeated
 * replays of one build). The data comes from analyzer/metrics.c, the text,
 * Markdown and HTML from analyzer/output.c and analyzer/html.c; the JSON
 * shape is documented in docs/report-json.md. The database is opened
 * read-only and defensively; PRAGMA quick_check only with --check (it
 * reads the whole file).
 */
#include "builtin.h"

#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <drmscope/db.h>
#include <drmscope/version.h>

#include "analyzer.h"
#include "html.h"
#include "metrics.h"
#include "output.h"

#define REPORT_FORMAT_VERSION	1
#define HTML_HIST_MAX		8	/* latency histograms drawn per page */

struct report {
	struct am_source src;
	struct am_data d;
	enum out_format format;
	char what[512];			/* the source, described */
};

static const char *ns(char *buf, size_t size, double v)
{
	return out_fmt_ns(buf, size, v);
}

/* Duration percentiles of @s into the next four cells (or dashes). */
static void cells_pcts(struct otab *t, const struct ds_stats_summary *s)
{
	char b[32];

	if (!s->n) {
		otab_cell(t, "-");
		otab_cell(t, "-");
		otab_cell(t, "-");
		otab_cell(t, "-");
		return;
	}
	otab_cell(t, ns(b, sizeof(b), s->p50));
	otab_cell(t, ns(b, sizeof(b), s->p90));
	otab_cell(t, ns(b, sizeof(b), s->p99));
	otab_cell(t, ns(b, sizeof(b), s->max));
}

static void errnos_text(const struct am_ioctl *e, char *buf, size_t size)
{
	size_t len = 0, i;
	char name[32];

	buf[0] = '\0';
	for (i = 0; i < e->n_errnos && len + 1 < size; i++) {
		if (i == 4) {
			snprintf(buf + len, size - len, ", ...");
			break;
		}
		len += snprintf(buf + len, size - len, "%s%s x%" PRIu64, i ? ", " : "",
				out_errno_name(name, sizeof(name), e->errnos[i].err),
				e->errnos[i].count);
	}
	if (!e->n_errnos)
		snprintf(buf, size, "-");
}

/* Ioctls by total time spent, most first. */
static int cmp_total(const void *a, const void *b)
{
	const struct am_ioctl *x = *(const struct am_ioctl *const *)a;
	const struct am_ioctl *y = *(const struct am_ioctl *const *)b;
	double tx = x->s.mean * (double)x->s.n, ty = y->s.mean * (double)y->s.n;

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return strcmp(x->name, y->name);
}

static const struct am_ioctl **ioctls_by_total(const struct am_data *d)
{
	const struct am_ioctl **v = calloc(d->n_ioctls + 1, sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (i = 0; i < d->n_ioctls; i++)
		v[i] = &d->ioctls[i];
	if (d->n_ioctls > 1)
		qsort(v, d->n_ioctls, sizeof(*v), cmp_total);
	return v;
}

/* ---------------------------------------------------------------------- */
/* Text, Markdown and HTML                                                 */
/* ---------------------------------------------------------------------- */

static void print_table(FILE *f, struct report *r, struct otab *t)
{
	if (otab_rows(t))
		otab_print(t, f, r->format);
	else
		doc_line(f, r->format, "(none)");
}

static void section_header(FILE *f, struct report *r)
{
	const struct am_data *d = &r->d;
	char b1[64], b2[64], b3[64];
	size_t i;

	if (r->format == OUT_TEXT)
		fprintf(f, "drmscope report: %s\n", r->what);
	else if (r->format == OUT_MARKDOWN)
		fprintf(f, "# drmscope report\n\n");
	if (r->format == OUT_MARKDOWN)
		doc_line(f, r->format, "Source: %s", r->what);
	doc_line(f, r->format, "capture: host %s, kernel %s (%s), command: %s",
		 d->host ? d->host : "-", d->kernel_release ? d->kernel_release : "-",
		 d->machine ? d->machine : "-", d->command_line ? d->command_line : "-");
	doc_line(f, r->format, "recorded %s by %s; %s of calls%s", out_fmt_unix(b1, sizeof(b1),
		 d->start_unix_ns), d->capture_source ? d->capture_source : "-",
		 ns(b2, sizeof(b2), (double)d->span_ns),
		 r->src.n_runs > 1 ? " (the runs' spans added)" : "");
	for (i = 0; i < r->src.n_runs; i++) {
		const struct am_run *run = &r->src.runs[i];

		doc_line(f, r->format, "run %" PRId64 " '%s': %s %s on %s, kernel %s, params %s, started %s",
			 run->id, run->label ? run->label : "", run->driver ? run->driver : "-",
			 run->driver_version ? run->driver_version : "-",
			 run->host ? run->host : "-", run->kernel_release ? run->kernel_release : "-",
			 run->module_params && *run->module_params ? run->module_params : "-",
			 out_fmt_unix(b3, sizeof(b3), run->start_unix_ns));
	}
	doc_line(f, r->format, "%" PRIu64 " calls (%" PRIu64 " failed, %" PRIu64 " unfinished), %"
		 PRIu64 " jobs (%" PRIu64 " failed), %" PRIu64 " firmware messages, %" PRIu64
		 " GPU faults, %" PRId64 " lost events%s", d->calls, d->errors, d->unfinished, d->jobs,
		 d->failed_jobs, d->fw_messages, d->faults, d->lost_events,
		 d->lost_events ? " (WARNING: the trace has gaps)" : "");
	if (r->src.is_run)
		doc_line(f, r->format, "%" PRIu64 " mismatched calls, %" PRIu64
			 " jobs whose result differs from the capture", d->mismatches,
			 d->job_results_differ);
}

static void html_tiles(FILE *f, struct report *r)
{
	const struct am_data *d = &r->d;
	char b[64];

	fputs("<div class=\"tiles\">", f);
	snprintf(b, sizeof(b), "%" PRIu64, d->calls);
	html_tile(f, "ioctl calls", b, 0);
	snprintf(b, sizeof(b), "%" PRIu64, d->errors);
	html_tile(f, "calls that failed", b, 0);
	snprintf(b, sizeof(b), "%" PRIu64, d->jobs);
	html_tile(f, "jobs", b, 0);
	snprintf(b, sizeof(b), "%" PRIu64, d->failed_jobs);
	html_tile(f, "jobs that failed", b, d->failed_jobs > 0);
	snprintf(b, sizeof(b), "%" PRIu64, d->faults);
	html_tile(f, "GPU faults", b, d->faults > 0);
	snprintf(b, sizeof(b), "%" PRIu64, d->fw_messages);
	html_tile(f, "firmware messages", b, 0);
	snprintf(b, sizeof(b), "%" PRId64, d->lost_events);
	html_tile(f, "lost events", b, d->lost_events > 0);
	if (r->src.is_run) {
		snprintf(b, sizeof(b), "%" PRIu64, d->mismatches);
		html_tile(f, "mismatched calls", b, d->mismatches > 0);
		snprintf(b, sizeof(b), "%" PRIu64, d->job_results_differ);
		html_tile(f, "job results differing", b, d->job_results_differ > 0);
	}
	out_fmt_ns(b, sizeof(b), (double)d->span_ns);
	html_tile(f, "span of the calls", b, 0);
	fputs("</div>\n", f);
}

static int section_ioctls(FILE *f, struct report *r)
{
	static const char *const heads[] = {
		"IOCTL", "CALLS", "ERRORS", "UNFINISHED", "P50", "P90", "P99", "MAX", "TOTAL",
		"ERRNOS", "MISMATCHES",
	};
	const struct am_ioctl **by_total = ioctls_by_total(&r->d);
	struct html_series s;
	struct html_box *boxes;
	char b[256], title[160];
	struct otab *t;
	size_t i;

	t = otab_new(r->src.is_run ? 11 : 10, heads, "lrrrrrrrrlr");
	boxes = calloc(r->d.n_ioctls + 1, sizeof(*boxes));
	if (!t || !by_total || !boxes)
		goto nomem;
	for (i = 0; i < r->d.n_ioctls; i++) {
		const struct am_ioctl *e = by_total[i];

		otab_cell(t, e->name);
		otab_cellf(t, "%" PRIu64, e->calls);
		otab_cellf(t, "%" PRIu64, e->errors);
		if (e->errors)
			otab_class(t, "bad");
		otab_cellf(t, "%" PRIu64, e->unfinished);
		cells_pcts(t, &e->s);
		otab_cell(t, ns(b, sizeof(b), e->s.mean * (double)e->s.n));
		errnos_text(e, b, sizeof(b));
		otab_cell(t, b);
		if (r->src.is_run) {
			otab_cellf(t, "%" PRIu64, e->mismatches);
			if (e->mismatches)
				otab_class(t, "bad");
		}
		boxes[i].label = e->name;
		boxes[i].a = &e->lat;
	}
	if (otab_failed(t))
		goto nomem;
	doc_heading(f, r->format, "Ioctls (by total time)");
	print_table(f, r, t);
	if (r->format == OUT_HTML && r->d.n_ioctls) {
		html_boxes(f, "Latency per ioctl", boxes, r->d.n_ioctls, "latency", NULL);
		fputs("<div class=\"grid\">\n", f);
		for (i = 0; i < r->d.n_ioctls && i < HTML_HIST_MAX; i++) {
			if (!by_total[i]->lat.n)
				continue;
			snprintf(title, sizeof(title), "%s latency", by_total[i]->name);
			s.label = by_total[i]->name;
			s.v = &by_total[i]->lat;
			html_hist(f, title, &s, 1);
		}
		fputs("</div>\n", f);
	}
	otab_free(t);
	free(by_total);
	free(boxes);
	return 0;
nomem:
	otab_free(t);
	free(by_total);
	free(boxes);
	return -1;
}

static void queue_name(const struct am_queue *q, char *buf, size_t size)
{
	if (q->handle >= 0)
		snprintf(buf, size, "queue %" PRId64 " (handle %" PRId64 ")", q->id, q->handle);
	else
		snprintf(buf, size, "queue %" PRId64, q->id);
}

static int section_queues(FILE *f, struct report *r)
{
	static const char *const heads[] = {
		"QUEUE", "HANDLE", "JOBS", "FAILED", "UNFINISHED", "DURATION P50", "P90", "P99",
		"MAX", "SUBMIT->RUN P50", "P99", "SUBMIT->DONE P50", "P99",
	};
	struct html_series s;
	struct html_timeline tl;
	char b[64], title[128];
	struct otab *t;
	size_t i;

	t = otab_new(13, heads, "rrrrrrrrrrrrr");
	if (!t)
		return -1;
	for (i = 0; i < r->d.n_queues; i++) {
		const struct am_queue *q = &r->d.queues[i];

		if (!q->jobs)
			continue;
		otab_cellf(t, "%" PRId64, q->id);
		if (q->handle >= 0)
			otab_cellf(t, "%" PRId64, q->handle);
		else
			otab_cell(t, "-");
		otab_cellf(t, "%" PRIu64, q->jobs);
		otab_cellf(t, "%" PRIu64, q->failed);
		if (q->failed)
			otab_class(t, "bad");
		otab_cellf(t, "%" PRIu64, q->unfinished);
		cells_pcts(t, &q->s_exec);
		otab_cell(t, q->s_wait.n ? ns(b, sizeof(b), q->s_wait.p50) : "-");
		otab_cell(t, q->s_wait.n ? ns(b, sizeof(b), q->s_wait.p99) : "-");
		otab_cell(t, q->s_total.n ? ns(b, sizeof(b), q->s_total.p50) : "-");
		otab_cell(t, q->s_total.n ? ns(b, sizeof(b), q->s_total.p99) : "-");
	}
	if (otab_failed(t)) {
		otab_free(t);
		return -1;
	}
	doc_heading(f, r->format, "Queues (duration: run -> done on the GPU)");
	print_table(f, r, t);
	otab_free(t);
	if (r->format != OUT_HTML || !r->d.n_timeline)
		return 0;
	tl.label = r->src.is_run ? "first run" : "capture";
	tl.jobs = r->d.timeline;
	tl.n = r->d.n_timeline;
	html_timeline(f, "Jobs per queue over time", &tl, 1);
	fputs("<div class=\"grid\">\n", f);
	for (i = 0; i < r->d.n_queues; i++) {
		if (!r->d.queues[i].exec.n)
			continue;
		queue_name(&r->d.queues[i], b, sizeof(b));
		snprintf(title, sizeof(title), "%s: job duration", b);
		s.label = b;
		s.v = &r->d.queues[i].exec;
		html_hist(f, title, &s, 1);
	}
	fputs("</div>\n", f);
	return 0;
}

static int section_fw(FILE *f, struct report *r)
{
	static const char *const heads[] = {
		"FUNCTION", "SENT", "RECEIVED", "ROUND TRIPS", "UNANSWERED", "P50", "P90", "P99", "MAX",
	};
	struct html_box *boxes;
	struct otab *t;
	size_t i, nb = 0;

	t = otab_new(9, heads, "lrrrrrrrr");
	boxes = calloc(r->d.n_fw + 1, sizeof(*boxes));
	if (!t || !boxes) {
		otab_free(t);
		free(boxes);
		return -1;
	}
	for (i = 0; i < r->d.n_fw; i++) {
		const struct am_fw *w = &r->d.fw[i];

		otab_cell(t, w->name);
		otab_cellf(t, "%" PRIu64, w->sent);
		otab_cellf(t, "%" PRIu64, w->received);
		otab_cellf(t, "%zu", w->rtt.n);
		otab_cellf(t, "%" PRIu64, w->unanswered);
		cells_pcts(t, &w->s);
		if (w->rtt.n) {
			boxes[nb].label = w->name;
			boxes[nb++].a = &w->rtt;
		}
	}
	if (!otab_failed(t)) {
		doc_heading(f, r->format, "Firmware (round trip: a command to its reply)");
		print_table(f, r, t);
		if (r->format == OUT_HTML && nb)
			html_boxes(f, "Firmware round trips", boxes, nb, "round trip", NULL);
	}
	i = otab_failed(t);
	otab_free(t);
	free(boxes);
	return i ? -1 : 0;
}

static int section_objects(FILE *f, struct report *r)
{
	static const char *const heads[] = { "WHAT", "VALUE" };
	const struct am_data *d = &r->d;
	char b1[32], b2[32], b3[32], b4[32];
	struct otab *t = otab_new(2, heads, "ll");
	int rc;

	if (!t)
		return -1;
	otab_cell(t, "VM-bind operations");
	otab_cellf(t, "%" PRIu64 " (%" PRIu64 " map, %" PRIu64 " unmap)",
		   d->bind_maps + d->bind_unmaps, d->bind_maps, d->bind_unmaps);
	otab_cell(t, "bytes mapped / unmapped");
	otab_cellf(t, "%s / %s", out_fmt_bytes(b1, sizeof(b1), d->bytes_mapped),
		   out_fmt_bytes(b2, sizeof(b2), d->bytes_unmapped));
	otab_cell(t, "peak mapped");
	otab_cell(t, out_fmt_bytes(b1, sizeof(b1), d->peak_mapped));
	otab_cell(t, "GEM objects");
	otab_cellf(t, "%" PRIu64 " (%" PRIu64 " never freed)", d->gem_objects, d->gem_never_freed);
	otab_cell(t, "GEM bytes allocated");
	otab_cell(t, out_fmt_bytes(b1, sizeof(b1), d->gem_bytes));
	otab_cell(t, "GEM peak memory");
	otab_cell(t, out_fmt_bytes(b1, sizeof(b1), d->gem_peak_bytes));
	otab_cell(t, "GEM lifetime p50 / p90 / p99 / max");
	if (d->s_gem_life.n)
		otab_cellf(t, "%s / %s / %s / %s", ns(b1, sizeof(b1), d->s_gem_life.p50),
			   ns(b2, sizeof(b2), d->s_gem_life.p90), ns(b3, sizeof(b3), d->s_gem_life.p99),
			   ns(b4, sizeof(b4), d->s_gem_life.max));
	else
		otab_cell(t, "-");
	rc = otab_failed(t) ? -1 : 0;
	if (!rc) {
		doc_heading(f, r->format, r->src.is_run ? "Memory (the capture's objects)" : "Memory");
		if (r->format == OUT_HTML)
			otab_print_html(t, f, "kv");
		else
			otab_print(t, f, r->format);
	}
	otab_free(t);
	return rc;
}

static int section_faults(FILE *f, struct report *r)
{
	static const char *const heads[] = {
		"TIME", "RUN", "QUEUE", "SEQNO", "VA", "TYPE", "ACCESS",
	};
	struct otab *t = otab_new(7, heads, "rrrrlll");
	char title[64];
	size_t i;
	int rc;

	if (!t)
		return -1;
	for (i = 0; i < r->d.n_fault_list; i++) {
		const struct am_fault *x = &r->d.fault_list[i];

		otab_cellf(t, "%" PRId64, x->ns);
		if (x->run_id)
			otab_cellf(t, "%" PRId64, x->run_id);
		else
			otab_cell(t, "-");
		if (x->queue >= 0)
			otab_cellf(t, "%" PRId64, x->queue);
		else
			otab_cell(t, "-");
		if (x->seqno >= 0)
			otab_cellf(t, "%" PRId64, x->seqno);
		else
			otab_cell(t, "-");
		otab_cell(t, x->va);
		otab_cell(t, x->type);
		otab_cell(t, x->access);
	}
	rc = otab_failed(t) ? -1 : 0;
	if (!rc) {
		snprintf(title, sizeof(title), "GPU faults: %" PRIu64, r->d.faults);
		doc_heading(f, r->format, title);
		if (r->d.faults > r->d.n_fault_list)
			doc_line(f, r->format, "the first %zu:", r->d.n_fault_list);
		if (otab_rows(t))
			otab_print(t, f, r->format);
	}
	otab_free(t);
	return rc;
}

static int section_slowest(FILE *f, struct report *r)
{
	static const char *const heads[] = {
		"DURATION", "IOCTL", "ID", "PID", "TID", "RUN", "BEGIN",
	};
	struct otab *t = otab_new(7, heads, "rlrrrrr");
	char b[32];
	size_t i;
	int rc;

	if (!t)
		return -1;
	for (i = 0; i < r->d.n_slowest; i++) {
		const struct am_call *c = &r->d.slowest[i];

		otab_cell(t, ns(b, sizeof(b), (double)c->dur_ns));
		otab_cell(t, c->name);
		otab_cellf(t, "%" PRId64, c->ioctl_id);
		otab_cellf(t, "%d", c->pid);
		otab_cellf(t, "%d", c->tid);
		if (c->run_id)
			otab_cellf(t, "%" PRId64, c->run_id);
		else
			otab_cell(t, "-");
		otab_cellf(t, "%" PRId64, c->begin_ns);
	}
	rc = otab_failed(t) ? -1 : 0;
	if (!rc) {
		doc_heading(f, r->format, "Slowest calls");
		print_table(f, r, t);
	}
	otab_free(t);
	return rc;
}

static int section_mismatches(FILE *f, struct report *r)
{
	static const char *const heads[] = { "RUN", "IOCTL ID", "IOCTL", "MISMATCH" };
	struct otab *t;
	char title[96];
	size_t i;
	int rc;

	if (!r->src.is_run)
		return 0;
	t = otab_new(4, heads, "rrll");
	if (!t)
		return -1;
	for (i = 0; i < r->d.n_mm; i++) {
		otab_cellf(t, "%" PRId64, r->d.mm[i].run_id);
		otab_cellf(t, "%" PRId64, r->d.mm[i].ioctl_id);
		otab_cell(t, r->d.mm[i].name);
		otab_cell(t, r->d.mm[i].what);
	}
	rc = otab_failed(t) ? -1 : 0;
	if (!rc) {
		snprintf(title, sizeof(title), "Mismatched calls: %" PRIu64, r->d.mismatches);
		doc_heading(f, r->format, title);
		if (r->d.mismatches > r->d.n_mm)
			doc_line(f, r->format, "the first %d of each run:", AM_LIST_MAX);
		if (otab_rows(t))
			otab_print(t, f, r->format);
	}
	otab_free(t);
	return rc;
}

static int render_doc(FILE *f, struct report *r)
{
	char sub[600];

	if (r->format == OUT_HTML) {
		snprintf(sub, sizeof(sub), "%s, drmscope %s", r->what, DRMSCOPE_VERSION);
		html_begin(f, "report", "drmscope report", sub);
	}
	section_header(f, r);
	if (r->format == OUT_HTML)
		html_tiles(f, r);
	if (section_ioctls(f, r) || section_queues(f, r) || section_fw(f, r) ||
	    section_objects(f, r) || section_faults(f, r) || section_slowest(f, r) ||
	    section_mismatches(f, r))
		return -1;
	if (r->format == OUT_HTML)
		html_end(f);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* JSON (docs/report-json.md)                                              */
/* ---------------------------------------------------------------------- */

void report_json_source(struct jw *w, const struct am_source *src, const char *what)
{
	size_t i;

	jw_obj(w);
	jw_kstr(w, "spec", src->spec);
	jw_kstr(w, "path", src->path);
	jw_kstr(w, "description", what);
	jw_kstr(w, "kind", src->is_run ? "runs" : "capture");
	jw_kint(w, "schema_version", src->version);
	jw_key(w, "runs");
	jw_arr(w);
	for (i = 0; i < src->n_runs; i++) {
		const struct am_run *r = &src->runs[i];

		jw_obj(w);
		jw_kint(w, "id", r->id);
		jw_kstr(w, "label", r->label);
		jw_kstr(w, "host", r->host);
		jw_kstr(w, "driver", r->driver);
		jw_kstr(w, "driver_version", r->driver_version);
		jw_kstr(w, "kernel_release", r->kernel_release);
		jw_kstr(w, "module_params", r->module_params);
		jw_kint(w, "start_unix_ns", r->start_unix_ns);
		jw_kint(w, "end_unix_ns", r->end_unix_ns);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void json_report(FILE *f, struct report *r)
{
	const struct am_data *d = &r->d;
	char name[32];
	struct jw w;
	size_t i, k;

	jw_init(&w, f);
	jw_obj(&w);
	jw_kstr(&w, "drmscope", "report");
	jw_kint(&w, "format_version", REPORT_FORMAT_VERSION);
	jw_kstr(&w, "drmscope_version", DRMSCOPE_VERSION);
	jw_key(&w, "source");
	report_json_source(&w, &r->src, r->what);
	jw_key(&w, "capture");
	jw_obj(&w);
	jw_kstr(&w, "host", d->host);
	jw_kstr(&w, "kernel_release", d->kernel_release);
	jw_kstr(&w, "machine", d->machine);
	jw_kstr(&w, "command_line", d->command_line);
	jw_kstr(&w, "source", d->capture_source);
	jw_kint(&w, "start_ns", d->start_ns);
	jw_kint(&w, "end_ns", d->end_ns);
	jw_kint(&w, "start_unix_ns", d->start_unix_ns);
	jw_obj_end(&w);

	jw_key(&w, "totals");
	jw_obj(&w);
	jw_kint(&w, "calls", (int64_t)d->calls);
	jw_kint(&w, "errors", (int64_t)d->errors);
	jw_kint(&w, "unfinished", (int64_t)d->unfinished);
	jw_kint(&w, "span_ns", d->span_ns);
	jw_kint(&w, "jobs", (int64_t)d->jobs);
	jw_kint(&w, "failed_jobs", (int64_t)d->failed_jobs);
	jw_kint(&w, "firmware_messages", (int64_t)d->fw_messages);
	jw_kint(&w, "gpu_faults", (int64_t)d->faults);
	jw_kint(&w, "lost_events", d->lost_events);
	jw_kint(&w, "mismatched_calls", (int64_t)d->mismatches);
	jw_kint(&w, "job_results_differing", (int64_t)d->job_results_differ);
	jw_obj_end(&w);

	jw_key(&w, "ioctls");
	jw_arr(&w);
	for (i = 0; i < d->n_ioctls; i++) {
		const struct am_ioctl *e = &d->ioctls[i];

		jw_obj(&w);
		jw_kstr(&w, "name", e->name);
		jw_kint(&w, "calls", (int64_t)e->calls);
		jw_kint(&w, "errors", (int64_t)e->errors);
		jw_kint(&w, "unfinished", (int64_t)e->unfinished);
		jw_kint(&w, "mismatches", (int64_t)e->mismatches);
		jw_key(&w, "errnos");
		jw_arr(&w);
		for (k = 0; k < e->n_errnos; k++) {
			jw_obj(&w);
			jw_kint(&w, "errno", e->errnos[k].err);
			jw_kstr(&w, "name", out_errno_name(name, sizeof(name), e->errnos[k].err));
			jw_kint(&w, "count", (int64_t)e->errnos[k].count);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
		jw_key(&w, "latency_ns");
		jw_summary(&w, &e->s);
		jw_knum(&w, "total_ns", e->s.mean * (double)e->s.n);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);

	jw_key(&w, "queues");
	jw_arr(&w);
	for (i = 0; i < d->n_queues; i++) {
		const struct am_queue *q = &d->queues[i];

		if (!q->jobs)
			continue;
		jw_obj(&w);
		jw_kint(&w, "id", q->id);
		jw_key(&w, "handle");
		if (q->handle >= 0)
			jw_int(&w, q->handle);
		else
			jw_null(&w);
		jw_kint(&w, "jobs", (int64_t)q->jobs);
		jw_kint(&w, "failed", (int64_t)q->failed);
		jw_kint(&w, "unfinished", (int64_t)q->unfinished);
		jw_key(&w, "job_duration_ns");
		jw_summary(&w, &q->s_exec);
		jw_key(&w, "submit_to_run_ns");
		jw_summary(&w, &q->s_wait);
		jw_key(&w, "submit_to_done_ns");
		jw_summary(&w, &q->s_total);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);

	jw_key(&w, "firmware");
	jw_arr(&w);
	for (i = 0; i < d->n_fw; i++) {
		const struct am_fw *x = &d->fw[i];

		jw_obj(&w);
		jw_kstr(&w, "function", x->name);
		jw_kint(&w, "sent", (int64_t)x->sent);
		jw_kint(&w, "received", (int64_t)x->received);
		jw_kint(&w, "round_trips", (int64_t)x->rtt.n);
		jw_kint(&w, "unanswered", (int64_t)x->unanswered);
		jw_key(&w, "round_trip_ns");
		jw_summary(&w, &x->s);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);

	jw_key(&w, "vm_bind");
	jw_obj(&w);
	jw_kstr(&w, "from", "capture");
	jw_kint(&w, "ops", (int64_t)(d->bind_maps + d->bind_unmaps));
	jw_kint(&w, "maps", (int64_t)d->bind_maps);
	jw_kint(&w, "unmaps", (int64_t)d->bind_unmaps);
	jw_kint(&w, "bytes_mapped", d->bytes_mapped);
	jw_kint(&w, "bytes_unmapped", d->bytes_unmapped);
	jw_kint(&w, "peak_mapped_bytes", d->peak_mapped);
	jw_obj_end(&w);

	jw_key(&w, "gem");
	jw_obj(&w);
	jw_kstr(&w, "from", "capture");
	jw_kint(&w, "objects", (int64_t)d->gem_objects);
	jw_kint(&w, "never_freed", (int64_t)d->gem_never_freed);
	jw_kint(&w, "bytes", d->gem_bytes);
	jw_kint(&w, "peak_bytes", d->gem_peak_bytes);
	jw_key(&w, "lifetime_ns");
	jw_summary(&w, &d->s_gem_life);
	jw_obj_end(&w);

	jw_key(&w, "gpu_faults");
	jw_obj(&w);
	jw_kint(&w, "count", (int64_t)d->faults);
	jw_key(&w, "first");
	jw_arr(&w);
	for (i = 0; i < d->n_fault_list; i++) {
		const struct am_fault *x = &d->fault_list[i];

		jw_obj(&w);
		jw_kint(&w, "ns", x->ns);
		jw_key(&w, "run_id");
		if (x->run_id)
			jw_int(&w, x->run_id);
		else
			jw_null(&w);
		jw_key(&w, "queue");
		if (x->queue >= 0)
			jw_int(&w, x->queue);
		else
			jw_null(&w);
		jw_key(&w, "seqno");
		if (x->seqno >= 0)
			jw_int(&w, x->seqno);
		else
			jw_null(&w);
		jw_kstr(&w, "va", x->va);
		jw_kstr(&w, "type", x->type);
		jw_kstr(&w, "access", x->access);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);

	jw_key(&w, "slowest_calls");
	jw_arr(&w);
	for (i = 0; i < d->n_slowest; i++) {
		const struct am_call *c = &d->slowest[i];

		jw_obj(&w);
		jw_kint(&w, "ioctl_id", c->ioctl_id);
		jw_kstr(&w, "name", c->name);
		jw_kint(&w, "pid", c->pid);
		jw_kint(&w, "tid", c->tid);
		jw_key(&w, "run_id");
		if (c->run_id)
			jw_int(&w, c->run_id);
		else
			jw_null(&w);
		jw_kint(&w, "begin_ns", c->begin_ns);
		jw_kint(&w, "duration_ns", c->dur_ns);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);

	jw_key(&w, "mismatches");
	jw_obj(&w);
	jw_kint(&w, "count", (int64_t)d->mismatches);
	jw_key(&w, "first");
	jw_arr(&w);
	for (i = 0; i < d->n_mm; i++) {
		jw_obj(&w);
		jw_kint(&w, "run_id", d->mm[i].run_id);
		jw_kint(&w, "ioctl_id", d->mm[i].ioctl_id);
		jw_kstr(&w, "name", d->mm[i].name);
		jw_kstr(&w, "mismatch", d->mm[i].what);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

/* ---------------------------------------------------------------------- */
/* The command                                                             */
/* ---------------------------------------------------------------------- */

int cmd_report(int argc, char **argv)
{
	static const struct option options[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct report r = { .format = OUT_TEXT };
	unsigned int flags = DS_DB_OPEN_NO_CHECK;
	const char *run = NULL, *out = NULL;
	char err[1024] = "";
	FILE *f = NULL;
	int c, status = DRMSCOPE_EXIT_USAGE;

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
			if (out_parse_format(optarg, &r.format))
				return drmscope_usage_error("report",
					"unknown format '%s' (text, json, markdown or html)", optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 'c':
			flags = 0;
			break;
		case ':':
			return drmscope_usage_error("report", "option '%s' needs a value",
						    argv[optind - 1]);
		default:
			return drmscope_usage_error("report", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return drmscope_usage_error("report", "expected one database");

	if (am_source_open(&r.src, argv[optind], run, flags, err, sizeof(err)) ||
	    am_load(&r.src, &r.d)) {
		fprintf(stderr, "drmscope report: %s\n", r.d.err[0] ? r.d.err : err);
		goto out;
	}
	am_source_describe(&r.src, r.what, sizeof(r.what));
	f = out_open(out, err, sizeof(err));
	if (!f) {
		fprintf(stderr, "drmscope report: %s\n", err);
		goto out;
	}
	if (r.format == OUT_JSON) {
		json_report(f, &r);
	} else if (render_doc(f, &r)) {
		fprintf(stderr, "drmscope report: out of memory\n");
		out_close(f, out, err, sizeof(err));
		goto out;
	}
	if (out_close(f, out, err, sizeof(err))) {
		fprintf(stderr, "drmscope report: %s\n", err);
		goto out;
	}
	if (out && r.format == OUT_HTML)
		fprintf(stderr, "drmscope report: wrote %s\n", out);
	status = DRMSCOPE_EXIT_OK;
out:
	am_data_free(&r.d);
	am_source_close(&r.src);
	return status;
}
