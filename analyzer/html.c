/*
 * analyzer/html.c: page frame and SVG charts of the HTML reports (see
 * html.h). Everything is written inline: the page must open from a file,
 * offline, years later, so it references nothing outside itself (no fonts,
 * no scripts, no images, not even the SVG namespace URL, which inline SVG
 * in HTML does not need).
 *
 * Charts are drawn for people: durations on a log axis when they span more
 * than a decade, A in blue and B in orange in every chart, the same axis
 * for the samples being compared, and a tooltip (<title>) on what is drawn.
 */
#include "html.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <drmscope/stats.h>

#include "output.h"

static int charts;		/* drawn on the current page */

static const char css[] =
	":root{--a:" HTML_COLOR_A ";--b:" HTML_COLOR_B ";--bad:#d62728;--good:#2ca02c;"
	"--fg:#1d2330;--mute:#667085;--line:#e4e7ec;--bg:#f6f7f9}"
	"*{box-sizing:border-box}"
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
	"color:var(--fg);background:var(--bg)}"
	"header{background:#1d2330;color:#fff;padding:18px 32px}"
	"header h1{margin:0;font-size:20px;font-weight:600}"
	"header .sub{color:#c7cdd9;font-size:13px;margin-top:4px}"
	"main{max-width:1280px;margin:0 auto;padding:8px 32px 48px}"
	"h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}"
	"h3{font-size:14px;margin:14px 0 6px}"
	"p{margin:6px 0}"
	".banner{margin:18px 0;padding:14px 18px;border-radius:8px;font-size:18px;font-weight:600}"
	".banner.bad{background:#fde8e8;color:#9b1c1c;border:1px solid #f5b5b5}"
	".banner.good{background:#e7f6ea;color:#1e6b30;border:1px solid #b4e0bd}"
	".tiles{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}"
	".tile{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px;"
	"min-width:130px}"
	".tile .v{font-size:20px;font-weight:600}.tile .l{color:var(--mute);font-size:12px}"
	".tile.alert{border-color:#f5b5b5;background:#fff5f5}.tile.alert .v{color:var(--bad)}"
	"table{border-collapse:collapse;background:#fff;border:1px solid var(--line);"
	"border-radius:6px;margin:8px 0 14px;font-size:13px}"
	"th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;"
	"white-space:nowrap}"
	"th{background:#f0f2f5;font-weight:600;cursor:pointer;user-select:none}"
	"td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}"
	"tbody tr:nth-child(even){background:#fafbfc}tbody tr:hover{background:#eef4ff}"
	"td.worse{color:#fff;background:var(--bad);font-weight:600}"
	"td.better{color:#fff;background:var(--good);font-weight:600}"
	"td.nochange{color:var(--mute)}td.insufficient{color:#b08800}"
	"td.bad{color:var(--bad);font-weight:600}"
	".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:12px}"
	"figure{margin:8px 0;background:#fff;border:1px solid var(--line);border-radius:8px;"
	"padding:8px}"
	"figcaption{font-weight:600;font-size:13px;margin:0 0 4px 4px}"
	"svg.chart{display:block;width:100%;height:auto}"
	"svg text{font:11px system-ui,sans-serif;fill:#475467}"
	"svg .t{font-weight:600;fill:#1d2330}"
	".kv td:first-child{color:var(--mute)}"
	"footer{color:var(--mute);font-size:12px;margin-top:32px}"
	".note{color:var(--mute);font-size:12px}";

/* Sort any table by a click on its heading: numbers by value. */
static const char js[] =
	"document.querySelectorAll('table.data').forEach(function(t){"
	"t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){"
	"var b=t.tBodies[0],r=Array.prototype.slice.call(b.rows),d=th.dataset.d==='1'?-1:1;"
	"th.dataset.d=d===1?'1':'0';"
	"function v(x){var s=x.cells[i].textContent,n=parseFloat(s.replace(/[^0-9.eE+-]/g,''));"
	"var m=/ ns$/.test(s)?1:/ us$/.test(s)?1e3:/ ms$/.test(s)?1e6:/ s$/.test(s)?1e9:1;"
	"return isNaN(n)?s:n*m}"
	"r.sort(function(x,y){var p=v(x),q=v(y);return (p<q?-1:p>q?1:0)*d});"
	"r.forEach(function(x){b.appendChild(x)})})})});";

void html_begin(FILE *f, const char *kind, const char *title, const char *subtitle)
{
	charts = 0;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"drmscope ", f);
	out_html(f, kind);
	fputs("\">\n<title>", f);
	out_html(f, title);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<header><h1>", css);
	out_html(f, title);
	fputs("</h1><div class=\"sub\">", f);
	out_html(f, subtitle);
	fputs("</div></header>\n<main>\n", f);
}

void html_end(FILE *f)
{
	fprintf(f, "<footer data-charts=\"%d\">Written by drmscope. This page is self-contained:"
		" it loads nothing from anywhere.</footer>\n</main>\n"
		"<script>%s\ndocument.body.setAttribute('data-charts','%d');</script>\n"
		"</body></html>\n", charts, js, charts);
}

void html_tile(FILE *f, const char *label, const char *value, int alert)
{
	fprintf(f, "<div class=\"tile%s\"><div class=\"v\">", alert ? " alert" : "");
	out_html(f, value);
	fputs("</div><div class=\"l\">", f);
	out_html(f, label);
	fputs("</div></div>\n", f);
}

/* ---------------------------------------------------------------------- */
/* Axes                                                                    */
/* ---------------------------------------------------------------------- */

/* A value axis: linear or log10, mapping [lo, hi] to [x0, x1] pixels. */
struct axis {
	bool log;
	double lo, hi;
	double x0, x1;
};

static void axis_init(struct axis *a, double lo, double hi, double x0, double x1)
{
	if (!(lo < hi)) {
		double c = isfinite(lo) ? lo : 0;

		lo = c - (fabs(c) > 0 ? fabs(c) * 0.1 : 1);
		hi = c + (fabs(c) > 0 ? fabs(c) * 0.1 : 1);
	}
	a->log = lo > 0 && hi / lo > 20;
	if (a->log) {
		a->lo = log10(lo);
		a->hi = log10(hi);
	} else {
		a->lo = lo;
		a->hi = hi;
	}
	a->x0 = x0;
	a->x1 = x1;
}

static double axis_pos(const struct axis *a, double v)
{
	double t;

	if (a->log)
		v = v > 0 ? log10(v) : a->lo;
	t = (v - a->lo) / (a->hi - a->lo);
	if (t < 0)
		t = 0;
	if (t > 1)
		t = 1;
	return a->x0 + t * (a->x1 - a->x0);
}

static double axis_value(const struct axis *a, double t)
{
	double v = a->lo + t * (a->hi - a->lo);

	return a->log ? pow(10, v) : v;
}

/* A round tick value, short: "2 ms", "2.5 us", "150 ns". */
static const char *fmt_tick(char *buf, size_t size, double ns)
{
	double a = fabs(ns);

	if (a >= 1e9)
		snprintf(buf, size, "%.4g s", ns / 1e9);
	else if (a >= 1e6)
		snprintf(buf, size, "%.4g ms", ns / 1e6);
	else if (a >= 1e3)
		snprintf(buf, size, "%.4g us", ns / 1e3);
	else
		snprintf(buf, size, "%.4g ns", ns);
	return buf;
}

static void tick(FILE *f, const struct axis *a, double y, double v)
{
	char buf[32];
	double x = axis_pos(a, v);

	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#98a2b3\"/>",
		x, y, x, y + 4);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x, y + 16,
		fmt_tick(buf, sizeof(buf), v));
}

/*
 * Tick marks and labels under a horizontal axis at @y, at round values:
 * steps of 1, 2 or 5 times a power of ten on a linear axis, and 1, 2 and 5
 * times powers of ten on a log axis (only the powers when that is many).
 */
static void axis_draw(FILE *f, const struct axis *a, double y, int ticks)
{
	double lo = axis_value(a, 0), hi = axis_value(a, 1), raw, mag, step, v;
	static const double mult[] = { 1, 2, 5 };
	int k, d, i, n = 0;

	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#98a2b3\"/>\n",
		a->x0, y, a->x1, y);
	if (a->log) {
		/* Count the 1-2-5 values in range to pick the density. */
		for (d = (int)floor(a->lo); d <= (int)ceil(a->hi); d++)
			for (i = 0; i < 3; i++) {
				v = mult[i] * pow(10, d);
				n += v >= lo * 0.999 && v <= hi * 1.001;
			}
		for (d = (int)floor(a->lo); d <= (int)ceil(a->hi); d++)
			for (i = 0; i < (n > ticks + 2 ? 1 : 3); i++) {
				v = mult[i] * pow(10, d);
				if (v >= lo * 0.999 && v <= hi * 1.001)
					tick(f, a, y, v);
			}
		return;
	}
	raw = (hi - lo) / ticks;
	if (!(raw > 0))
		return;
	mag = pow(10, floor(log10(raw)));
	step = raw / mag < 1.5 ? mag : raw / mag < 3 ? 2 * mag : raw / mag < 7 ? 5 * mag : 10 * mag;
	for (k = (int)ceil(lo / step); k * step <= hi + step * 1e-9 && k < (int)ceil(lo / step) + 50;
	     k++)
		tick(f, a, y, k * step);
}

/* A label of at most @max characters: longer ones keep their end. */
static void label(FILE *f, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		fputs("&#8230;", f);
		s += n - (max - 1);
	}
	out_html(f, s);
}

static void chart_open(FILE *f, const char *title, int w, int h)
{
	charts++;
	fputs("<figure><figcaption>", f);
	out_html(f, title);
	fprintf(f, "</figcaption>\n<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\">"
		"<title>", w, h);
	out_html(f, title);
	fputs("</title>\n", f);
}

static void chart_close(FILE *f)
{
	fputs("</svg></figure>\n", f);
}

static double pct_of(const struct am_values *v, double q)
{
	double out = 0;

	if (v && v->n)
		ds_stats_percentile_sorted(v->v, v->n, q, &out);
	return out;
}

static void empty_note(FILE *f, int w, int h)
{
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no samples</text>\n", w / 2, h / 2);
}

/* ---------------------------------------------------------------------- */
/* Histogram                                                               */
/* ---------------------------------------------------------------------- */

#define HIST_W		560
#define HIST_H		230
#define HIST_BINS	40

void html_hist(FILE *f, const char *title, const struct html_series *s, int nseries)
{
	static const char *const colors[] = { HTML_COLOR_A, HTML_COLOR_B };
	double frac[2][HIST_BINS] = { { 0 } }, ymax = 0, lo = INFINITY, hi = -INFINITY;
	const double l = 54, r = HIST_W - 12, top = 34, bottom = HIST_H - 40;
	double bw, x, y, med;
	struct axis ax;
	char buf[32];
	size_t i;
	int k, b;

	chart_open(f, title, HIST_W, HIST_H);
	for (k = 0; k < nseries && k < 2; k++) {
		if (!s[k].v || !s[k].v->n)
			continue;
		/* The outer half percent would squash the rest: clamp it. */
		lo = fmin(lo, pct_of(s[k].v, 0.005));
		hi = fmax(hi, pct_of(s[k].v, 0.995));
	}
	if (!isfinite(lo)) {
		empty_note(f, HIST_W, HIST_H);
		chart_close(f);
		return;
	}
	axis_init(&ax, lo, hi, l, r);
	bw = (r - l) / HIST_BINS;
	for (k = 0; k < nseries && k < 2; k++) {
		const struct am_values *v = s[k].v;

		if (!v || !v->n)
			continue;
		for (i = 0; i < v->n; i++) {
			b = (int)((axis_pos(&ax, v->v[i]) - l) / bw);
			if (b >= HIST_BINS)
				b = HIST_BINS - 1;
			if (b < 0)
				b = 0;
			frac[k][b] += 1.0 / (double)v->n;
		}
		for (b = 0; b < HIST_BINS; b++)
			ymax = fmax(ymax, frac[k][b]);
	}
	/* Horizontal grid and the share axis. */
	for (b = 0; b <= 4; b++) {
		y = bottom - (bottom - top) * b / 4.0;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eef0f3\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.0f%%</text>\n",
			l, y, r, y, l - 4, y + 4, 100.0 * ymax * b / 4.0);
	}
	for (k = 0; k < nseries && k < 2; k++) {
		if (!s[k].v || !s[k].v->n)
			continue;
		fprintf(f, "<g fill=\"%s\" fill-opacity=\"%s\">", colors[k], nseries > 1 ? "0.5" : "0.8");
		for (b = 0; b < HIST_BINS; b++) {
			double h = ymax > 0 ? (bottom - top) * frac[k][b] / ymax : 0;

			if (h <= 0)
				continue;
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
				"<title>%.1f%% of %s</title></rect>",
				l + b * bw, bottom - h, bw - 0.5, h, 100 * frac[k][b],
				k ? "B" : "A");
		}
		fputs("</g>\n", f);
		med = pct_of(s[k].v, 0.5);
		x = axis_pos(&ax, med);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
			" stroke-width=\"2\" stroke-dasharray=\"4 3\"><title>median %s</title></line>\n",
			x, top - 4, x, bottom, colors[k], out_fmt_ns(buf, sizeof(buf), med));
	}
	axis_draw(f, &ax, bottom, 5);
	/* Legend. */
	for (k = 0; k < nseries && k < 2; k++) {
		x = l + 4 + k * 250;
		fprintf(f, "<rect x=\"%.1f\" y=\"8\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"18\">", x, colors[k], x + 16);
		out_html(f, s[k].label);
		fprintf(f, " (n=%zu, median %s)</text>\n", s[k].v ? s[k].v->n : 0,
			out_fmt_ns(buf, sizeof(buf), pct_of(s[k].v, 0.5)));
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\">%s scale</text>\n", r,
		HIST_H - 4, ax.log ? "log" : "linear");
	chart_close(f);
}

/* ---------------------------------------------------------------------- */
/* Box plots                                                               */
/* ---------------------------------------------------------------------- */

#define BOX_W		1000
#define BOX_LABEL	320

static void one_box(FILE *f, const struct axis *ax, const struct am_values *v, double y,
		    double h, const char *color, const char *who)
{
	double p5, p25, p50, p75, p95, p99;
	char b1[32], b2[32], b3[32];

	if (!v || !v->n)
		return;
	p5 = pct_of(v, 0.05);
	p25 = pct_of(v, 0.25);
	p50 = pct_of(v, 0.5);
	p75 = pct_of(v, 0.75);
	p95 = pct_of(v, 0.95);
	p99 = pct_of(v, 0.99);
	fprintf(f, "<g><title>%s: n=%zu median %s, p25-p75 %s", who, v->n,
		out_fmt_ns(b1, sizeof(b1), p50), out_fmt_ns(b2, sizeof(b2), p25));
	fprintf(f, " - %s, p99 %s</title>", out_fmt_ns(b1, sizeof(b1), p75),
		out_fmt_ns(b3, sizeof(b3), p99));
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
		axis_pos(ax, p5), y + h / 2, axis_pos(ax, p95), y + h / 2, color);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\""
		" fill-opacity=\"0.35\" stroke=\"%s\"/>",
		axis_pos(ax, p25), y, fmax(axis_pos(ax, p75) - axis_pos(ax, p25), 1.5), h, color,
		color);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
		" stroke-width=\"2.5\"/>", axis_pos(ax, p50), y - 1, axis_pos(ax, p50), y + h + 1,
		color);
	fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\"/></g>\n",
		axis_pos(ax, p99), y + h / 2, color);
}

void html_boxes(FILE *f, const char *title, const struct html_box *rows, size_t n,
		const char *label_a, const char *label_b)
{
	double lo = INFINITY, hi = -INFINITY, y, row_h;
	const double top = 30;
	bool two = false;
	struct axis ax;
	char buf[32];
	size_t i;
	int h;

	for (i = 0; i < n; i++) {
		if (rows[i].b)
			two = true;
		if (rows[i].a && rows[i].a->n) {
			lo = fmin(lo, pct_of(rows[i].a, 0.05));
			hi = fmax(hi, pct_of(rows[i].a, 0.99));
		}
		if (rows[i].b && rows[i].b->n) {
			lo = fmin(lo, pct_of(rows[i].b, 0.05));
			hi = fmax(hi, pct_of(rows[i].b, 0.99));
		}
	}
	row_h = two ? 30 : 20;
	h = (int)(top + row_h * (double)n + 34);
	chart_open(f, title, BOX_W, h);
	if (!isfinite(lo) || !n) {
		empty_note(f, BOX_W, h);
		chart_close(f);
		return;
	}
	axis_init(&ax, lo, hi, BOX_LABEL, BOX_W - 90);
	for (i = 0; i < n; i++) {
		y = top + row_h * (double)i;
		if (i % 2)
			fprintf(f, "<rect x=\"0\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#f7f8fa\"/>",
				y, BOX_W, row_h);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\"><title>", BOX_LABEL - 8,
			y + row_h / 2 + 4);
		out_html(f, rows[i].label);
		fputs("</title>", f);
		label(f, rows[i].label, 48);
		fputs("</text>", f);
		one_box(f, &ax, rows[i].a, y + 3, two ? 10 : 13, HTML_COLOR_A, label_a);
		if (rows[i].b)
			one_box(f, &ax, rows[i].b, y + 16, 10, HTML_COLOR_B, label_b);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\">%s</text>\n", BOX_W - 84, y + row_h / 2 + 4,
			out_fmt_ns(buf, sizeof(buf), pct_of(rows[i].b ? rows[i].b : rows[i].a, 0.5)));
	}
	axis_draw(f, &ax, top + row_h * (double)n + 4, 8);
	fprintf(f, "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"12\" fill=\"%s\"/>"
		"<text x=\"%d\" y=\"18\">", BOX_LABEL, HTML_COLOR_A, BOX_LABEL + 16);
	out_html(f, label_a);
	fputs("</text>", f);
	if (two) {
		fprintf(f, "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"18\">", BOX_LABEL + 260, HTML_COLOR_B, BOX_LABEL + 276);
		out_html(f, label_b);
		fputs("</text>", f);
	}
	fprintf(f, "<text x=\"%d\" y=\"18\" text-anchor=\"end\">box p25-p75, line median,"
		" whiskers p5-p95, dot p99; %s scale</text>\n", BOX_W - 10, ax.log ? "log" : "linear");
	chart_close(f);
}

/* ---------------------------------------------------------------------- */
/* Timeline                                                                */
/* ---------------------------------------------------------------------- */

#define TL_W		1200
#define TL_LABEL	110
#define TL_LANE		22

/* The distinct queues of @t, in order of id, into @ids (at most @max). */
static size_t lanes(const struct html_timeline *t, int64_t *ids, size_t max)
{
	size_t n = 0, i, j;
	int64_t q;

	for (i = 0; i < t->n; i++) {
		q = t->jobs[i].queue_id;
		for (j = 0; j < n && ids[j] != q; j++)
			;
		if (j < n || n == max)
			continue;
		for (j = n++; j > 0 && ids[j - 1] > q; j--)
			ids[j] = ids[j - 1];
		ids[j] = q;
	}
	return n;
}

static void span_of(const struct html_timeline *t, int64_t *t0, int64_t *t1)
{
	const struct am_tjob *j;
	size_t i;

	*t0 = INT64_MAX;
	*t1 = INT64_MIN;
	for (i = 0; i < t->n; i++) {
		j = &t->jobs[i];
		if (j->submit_ns && j->submit_ns < *t0)
			*t0 = j->submit_ns;
		if (j->done_ns > *t1)
			*t1 = j->done_ns;
		if (j->run_ns > *t1)
			*t1 = j->run_ns;
	}
}

void html_timeline(FILE *f, const char *title, const struct html_timeline *t, int nt)
{
	int64_t ids[2][32], t0[2], t1[2], span = 1;
	size_t nl[2] = { 0, 0 }, i, l;
	const double x0 = TL_LABEL, x1 = TL_W - 12;
	double y = 6, xs, xr, xd, scale;
	const struct am_tjob *j;
	struct axis ax;
	char buf[32];
	int k, h = 40;

	for (k = 0; k < nt && k < 2; k++) {
		nl[k] = lanes(&t[k], ids[k], 32);
		span_of(&t[k], &t0[k], &t1[k]);
		if (t1[k] > t0[k] && t1[k] - t0[k] > span)
			span = t1[k] - t0[k];
		h += 22 + TL_LANE * (int)nl[k];
	}
	chart_open(f, title, TL_W, h);
	scale = (x1 - x0) / (double)span;
	for (k = 0; k < nt && k < 2; k++) {
		fprintf(f, "<text class=\"t\" x=\"4\" y=\"%.1f\">", y + 12);
		out_html(f, t[k].label);
		fprintf(f, " (%s%zu jobs)</text>\n", t[k].n == AM_TIMELINE_MAX ? "the first " : "",
			t[k].n);
		y += 20;
		for (l = 0; l < nl[k]; l++) {
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
				"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">queue %lld</text>\n",
				x0, y + l * TL_LANE, x1 - x0, TL_LANE - 2, l % 2 ? "#f7f8fa" : "#f0f2f5",
				TL_LABEL - 8, y + l * TL_LANE + 14, (long long)ids[k][l]);
		}
		for (i = 0; i < t[k].n; i++) {
			j = &t[k].jobs[i];
			for (l = 0; l < nl[k] && ids[k][l] != j->queue_id; l++)
				;
			if (l == nl[k] || !j->submit_ns)
				continue;
			xs = x0 + (double)(j->submit_ns - t0[k]) * scale;
			if (j->run_ns) {
				xr = x0 + (double)(j->run_ns - t0[k]) * scale;
				fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"5\""
					" fill=\"%s\" fill-opacity=\"0.35\"/>", xs, y + l * TL_LANE + 2,
					fmax(xr - xs, 0.5), k ? HTML_COLOR_B : HTML_COLOR_A);
				if (j->done_ns) {
					xd = x0 + (double)(j->done_ns - t0[k]) * scale;
					fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"11\""
						" fill=\"%s\"><title>queue %lld seqno %lld: waited %s",
						xr, y + l * TL_LANE + 8, fmax(xd - xr, 0.6),
						j->result ? "#d62728" : k ? HTML_COLOR_B : HTML_COLOR_A,
						(long long)j->queue_id, (long long)j->seqno,
						out_fmt_ns(buf, sizeof(buf), (double)(j->run_ns - j->submit_ns)));
					fprintf(f, ", ran %s%s</title></rect>",
						out_fmt_ns(buf, sizeof(buf), (double)(j->done_ns - j->run_ns)),
						j->result ? " (failed)" : "");
				}
			}
			if (i % 64 == 63)
				putc('\n', f);
		}
		y += TL_LANE * (double)nl[k] + 2;
		putc('\n', f);
	}
	axis_init(&ax, 0, (double)span, x0, x1);
	ax.log = false;
	ax.lo = 0;
	ax.hi = (double)span;
	axis_draw(f, &ax, y, 10);
	fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\">time from the first submit;"
		" pale: submit to run; solid: run to done; red: failed</text>\n", x1, h - 4);
	chart_close(f);
}

/* ---------------------------------------------------------------------- */
/* Forest plot                                                             */
/* ---------------------------------------------------------------------- */

#define FOREST_W	1000
#define FOREST_LABEL	330
#define FOREST_ROW	20

static const char *verdict_color(int verdict)
{
	switch (verdict) {
	case DS_STATS_WORSE:
		return "#d62728";
	case DS_STATS_BETTER:
		return "#2ca02c";
	case DS_STATS_INSUFFICIENT_DATA:
		return "#b08800";
	default:
		return "#7f8794";
	}
}

void html_forest(FILE *f, const char *title, const struct html_ci *rows, size_t n,
		 double threshold_pct)
{
	double m = fmax(threshold_pct * 2, 10), x0 = FOREST_LABEL, x1 = FOREST_W - 90, y, lo, hi;
	const double top = 24;
	char b1[32], b2[32], b3[32];
	size_t i;
	int h, k;

	/*
	 * The axis spans the shifts, and the intervals of the metrics with a
	 * verdict; the wide intervals of tiny samples run off its ends.
	 */
	for (i = 0; i < n; i++) {
		if (isfinite(rows[i].shift_pct))
			m = fmax(m, 1.3 * fabs(rows[i].shift_pct));
		if (rows[i].verdict != DS_STATS_WORSE && rows[i].verdict != DS_STATS_BETTER)
			continue;
		if (isfinite(rows[i].lo_pct))
			m = fmax(m, fabs(rows[i].lo_pct));
		if (isfinite(rows[i].hi_pct))
			m = fmax(m, fabs(rows[i].hi_pct));
	}
	if (m > 200)
		m = 200;
	m *= 1.05;
	h = (int)(top + FOREST_ROW * (double)n + 30);
	chart_open(f, title, FOREST_W, h);
#define FX(v) (x0 + ((fmax(fmin((v), m), -m) + m) / (2 * m)) * (x1 - x0))
	for (k = -1; k <= 1; k += 2)
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\""
			" fill-opacity=\"0.06\"/>", k < 0 ? x0 : FX(threshold_pct), top,
			k < 0 ? FX(-threshold_pct) - x0 : x1 - FX(threshold_pct),
			FOREST_ROW * (double)n, k < 0 ? "#2ca02c" : "#d62728");
	for (i = 0; i < n; i++) {
		y = top + FOREST_ROW * (double)i;
		if (i % 2)
			fprintf(f, "<rect x=\"0\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"#f7f8fa\""
				" fill-opacity=\"0.7\"/>", y, x0, FOREST_ROW);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", x0 - 8, y + 14);
		label(f, rows[i].label, 52);
		fputs("</text>", f);
		if (!isfinite(rows[i].shift_pct) && !isfinite(rows[i].lo_pct))
			continue;
		lo = isfinite(rows[i].lo_pct) ? rows[i].lo_pct : -m;
		hi = isfinite(rows[i].hi_pct) ? rows[i].hi_pct : m;
		fprintf(f, "<g><title>");
		out_html(f, rows[i].label);
		fprintf(f, ": %s, interval %s to %s</title>",
			out_fmt_pct(b1, sizeof(b1), rows[i].shift_pct),
			out_fmt_pct(b2, sizeof(b2), rows[i].lo_pct),
			out_fmt_pct(b3, sizeof(b3), rows[i].hi_pct));
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
			" stroke-width=\"3\" stroke-linecap=\"round\"/>", FX(lo), y + 10, FX(hi), y + 10,
			verdict_color(rows[i].verdict));
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"#fff\" stroke=\"%s\""
			" stroke-width=\"2\"/></g>", FX(rows[i].shift_pct), y + 10,
			verdict_color(rows[i].verdict));
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x1 + 8, y + 14,
			out_fmt_pct(b1, sizeof(b1), rows[i].shift_pct));
	}
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#1d2330\"/>",
		FX(0), top - 4, FX(0), top + FOREST_ROW * (double)n);
	for (k = -1; k <= 1; k += 2)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#98a2b3\""
			" stroke-dasharray=\"3 3\"/>", FX(k * threshold_pct), top - 4,
			FX(k * threshold_pct), top + FOREST_ROW * (double)n);
	y = top + FOREST_ROW * (double)n + 16;
	for (k = -2; k <= 2; k++)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
			FX(m / 1.05 * k / 2), y, out_fmt_pct(b1, sizeof(b1), m / 1.05 * k / 2));
	fprintf(f, "<text x=\"%.1f\" y=\"14\" text-anchor=\"middle\">faster</text>"
		"<text x=\"%.1f\" y=\"14\" text-anchor=\"middle\">slower</text>\n",
		(x0 + FX(0)) / 2, (FX(0) + x1) / 2);
#undef FX
	chart_close(f);
}
