/*
 * analyzer/html.h: the self-contained HTML pages of `drmscope report` and
 * `drmscope compare`: one file, no network (inline CSS, a few lines of
 * inline JavaScript to sort tables, and SVG charts drawn here in C).
 *
 * Charts: latency histograms (one sample, or A and B overlaid), box plots
 * of many samples side by side, a timeline of jobs per queue, and a forest
 * plot of relative changes with their confidence intervals. Every chart is
 * an <svg class="chart"> inside a <figure>; the page's <body> carries
 * data-charts="N", the number drawn, so a headless browser test can check
 * that they are all there. Samples are sorted arrays (struct am_values).
 */
#ifndef DRMSCOPE_ANALYZER_HTML_H
#define DRMSCOPE_ANALYZER_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "metrics.h"

/* Colours of A (the baseline) and B (the candidate). */
#define HTML_COLOR_A	"#4e79a7"
#define HTML_COLOR_B	"#f28e2b"

/*
 * Start a page and its <main>: a dark header with @title and @subtitle
 * (escaped). @kind: "report" or "compare". The charts are counted as they
 * are drawn; html_end() writes the count and closes the page.
 */
void html_begin(FILE *f, const char *kind, const char *title, const char *subtitle);
void html_end(FILE *f);

/* A labelled number: <div class="tile">. @alert colours it red when set. */
void html_tile(FILE *f, const char *label, const char *value, int alert);

/* One sample of a chart. */
struct html_series {
	const char *label;
	const struct am_values *v;	/* sorted */
};

/* A histogram of one or two samples on a shared (log when wide) axis. */
void html_hist(FILE *f, const char *title, const struct html_series *s, int nseries);

/* One row of a box-plot chart: one or two samples. */
struct html_box {
	const char *label;
	const struct am_values *a;	/* sorted, may be empty */
	const struct am_values *b;	/* sorted, NULL for one sample */
};

/* Box plots (p25-p75 box, median, p5-p95 whiskers, p99 tick) on one axis. */
void html_boxes(FILE *f, const char *title, const struct html_box *rows, size_t n,
		const char *label_a, const char *label_b);

/* One timeline: the jobs of a source and the queues to draw lanes for. */
struct html_timeline {
	const char *label;
	const struct am_tjob *jobs;
	size_t n;
};

/* Jobs per queue: submit -> run (pale) and run -> done (solid) per lane. */
void html_timeline(FILE *f, const char *title, const struct html_timeline *t, int nt);

/* One row of a forest plot. @verdict: enum ds_stats_verdict. */
struct html_ci {
	const char *label;
	double shift_pct;
	double lo_pct;
	double hi_pct;
	int verdict;
};

/* Relative changes with their intervals, zero and +-@threshold_pct marked. */
void html_forest(FILE *f, const char *title, const struct html_ci *rows, size_t n,
		 double threshold_pct);

#endif
