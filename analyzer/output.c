/*
 * analyzer/output.c: the output helpers of the analyzer's subcommands (see
 * output.h): safe strings, human numbers, JSON, CSV, HTML escaping, and
 * tables printed as text, Markdown or HTML.
 *
 * Text from a capture is untrusted: in text and Markdown output control
 * characters become '?', in JSON they are escaped, in HTML every markup
 * character is an entity. Tables hold their cells in memory (they are
 * summaries: hundreds of rows, not millions).
 */
#define _GNU_SOURCE		/* strerrorname_np() */
#include "output.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <drmscope/stats.h>

int out_parse_format(const char *s, enum out_format *format)
{
	if (!strcmp(s, "text"))
		*format = OUT_TEXT;
	else if (!strcmp(s, "json"))
		*format = OUT_JSON;
	else if (!strcmp(s, "markdown") || !strcmp(s, "md"))
		*format = OUT_MARKDOWN;
	else if (!strcmp(s, "html"))
		*format = OUT_HTML;
	else
		return -1;
	return 0;
}

size_t out_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

const char *out_safe(char *buf, size_t size, const unsigned char *s)
{
	size_t i;

	if (!s)
		return "-";
	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : (char)s[i];
	buf[i] = '\0';
	return buf;
}

const char *out_fmt_ns(char *buf, size_t size, double ns)
{
	double a = fabs(ns);

	if (!isfinite(ns))
		snprintf(buf, size, "-");
	else if (a >= 1e9)
		snprintf(buf, size, "%.3f s", ns / 1e9);
	else if (a >= 1e6)
		snprintf(buf, size, "%.3f ms", ns / 1e6);
	else if (a >= 1e3)
		snprintf(buf, size, "%.3f us", ns / 1e3);
	else
		snprintf(buf, size, "%.0f ns", ns);
	return buf;
}

const char *out_fmt_bytes(char *buf, size_t size, int64_t n)
{
	double v = (double)n;

	if (n >= (int64_t)1 << 30 || n <= -((int64_t)1 << 30))
		snprintf(buf, size, "%.1f GiB", v / (1 << 30));
	else if (n >= 1 << 20 || n <= -(1 << 20))
		snprintf(buf, size, "%.1f MiB", v / (1 << 20));
	else if (n >= 1 << 10 || n <= -(1 << 10))
		snprintf(buf, size, "%.1f KiB", v / (1 << 10));
	else
		snprintf(buf, size, "%" PRId64 " bytes", n);
	return buf;
}

const char *out_fmt_unix(char *buf, size_t size, int64_t unix_ns)
{
	time_t t = (time_t)(unix_ns / 1000000000);
	struct tm tm;

	if (!unix_ns || !gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, size, "-");
	return buf;
}

const char *out_fmt_pct(char *buf, size_t size, double pct)
{
	if (isnan(pct))
		snprintf(buf, size, "-");
	else if (isinf(pct))
		snprintf(buf, size, "%sinf%%", pct > 0 ? "+" : "-");
	else if (fabs(pct) < 0.05)
		snprintf(buf, size, "0.0%%");
	else
		snprintf(buf, size, "%+.1f%%", pct);
	return buf;
}

const char *out_errno_name(char *buf, size_t size, int err)
{
	const char *name = err > 0 ? strerrorname_np(err) : NULL;

	if (!err)
		snprintf(buf, size, "0");
	else if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "errno %d", err);
	return buf;
}

void out_json_string(FILE *f, const unsigned char *s, size_t n)
{
	size_t i = 0, len;

	putc('"', f);
	while (i < n) {
		len = out_utf8_len(s + i, n - i);
		if (!len) {
			fputs("\\ufffd", f);
			len = 1;
		} else if (s[i] == '"' || s[i] == '\\') {
			putc('\\', f);
			putc(s[i], f);
		} else if (s[i] == '\n') {
			fputs("\\n", f);
		} else if (s[i] == '\r') {
			fputs("\\r", f);
		} else if (s[i] == '\t') {
			fputs("\\t", f);
		} else if (s[i] == '\b') {
			fputs("\\b", f);
		} else if (s[i] == '\f') {
			fputs("\\f", f);
		} else if (s[i] < 0x20) {
			fprintf(f, "\\u%04x", s[i]);
		} else {
			fwrite(s + i, 1, len, f);
		}
		i += len;
	}
	putc('"', f);
}

void out_csv_field(FILE *f, const char *s, size_t n)
{
	size_t i;

	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\r', n) &&
	    !memchr(s, '\n', n)) {
		fwrite(s, 1, n, f);
		return;
	}
	putc('"', f);
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			putc('"', f);
		putc(s[i], f);
	}
	putc('"', f);
}

void out_html(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, len;

	if (!s)
		return;
	n = strlen(s);
	while (n) {
		len = out_utf8_len(p, n);
		if (!len) {
			fputs("&#xfffd;", f);
			len = 1;
		} else if (*p == '<') {
			fputs("&lt;", f);
		} else if (*p == '>') {
			fputs("&gt;", f);
		} else if (*p == '&') {
			fputs("&amp;", f);
		} else if (*p == '"') {
			fputs("&quot;", f);
		} else if (*p == '\'') {
			fputs("&#39;", f);
		} else if (*p < 0x20 || *p == 0x7f) {
			putc('?', f);
		} else {
			fwrite(p, 1, len, f);
		}
		p += len;
		n -= len;
	}
}

FILE *out_open(const char *path, char *err, size_t errlen)
{
	FILE *f;

	if (!path || !strcmp(path, "-"))
		return stdout;
	f = fopen(path, "w");
	if (!f)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return f;
}

int out_close(FILE *f, const char *path, char *err, size_t errlen)
{
	int bad;

	if (f == stdout) {
		bad = fflush(f) || ferror(f);
		if (bad)
			snprintf(err, errlen, "writing the output: %s", strerror(errno));
		return bad ? -1 : 0;
	}
	bad = ferror(f);
	if (fclose(f) || bad) {
		snprintf(err, errlen, "%s: %s", path, bad ? "write error" : strerror(errno));
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* JSON writer                                                             */
/* ---------------------------------------------------------------------- */

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->first[0] = true;
}

static void jw_indent(struct jw *w)
{
	int i;

	putc('\n', w->f);
	for (i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Before a value or a key: the comma and newline it needs. */
static void jw_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->depth)
		return;
	if (!w->first[w->depth])
		putc(',', w->f);
	w->first[w->depth] = false;
	jw_indent(w);
}

static void jw_open(struct jw *w, char c)
{
	jw_sep(w);
	putc(c, w->f);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void jw_close(struct jw *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth)
		w->depth--;
	if (!empty)
		jw_indent(w);
	putc(c, w->f);
}

void jw_obj(struct jw *w)
{
	jw_open(w, '{');
}

void jw_obj_end(struct jw *w)
{
	jw_close(w, '}');
}

void jw_arr(struct jw *w)
{
	jw_open(w, '[');
}

void jw_arr_end(struct jw *w)
{
	jw_close(w, ']');
}

void jw_key(struct jw *w, const char *key)
{
	jw_sep(w);
	out_json_string(w->f, (const unsigned char *)key, strlen(key));
	fputs(": ", w->f);
	w->after_key = true;
}

void jw_str(struct jw *w, const char *s)
{
	jw_sep(w);
	if (s)
		out_json_string(w->f, (const unsigned char *)s, strlen(s));
	else
		fputs("null", w->f);
}

void jw_int(struct jw *w, int64_t v)
{
	jw_sep(w);
	fprintf(w->f, "%" PRId64, v);
}

void jw_num(struct jw *w, double v)
{
	jw_sep(w);
	if (!isfinite(v))
		fputs("null", w->f);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(w->f, "%.0f", v);
	else
		fprintf(w->f, "%.9g", v);
}

void jw_bool(struct jw *w, bool v)
{
	jw_sep(w);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w)
{
	jw_sep(w);
	fputs("null", w->f);
}

void jw_raw_json(struct jw *w, const char *json, bool valid)
{
	if (!json) {
		jw_null(w);
	} else if (valid) {
		jw_sep(w);
		fputs(json, w->f);
	} else {
		jw_str(w, json);
	}
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kint(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_knum(struct jw *w, const char *key, double v)
{
	jw_key(w, key);
	jw_num(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void jw_end(struct jw *w)
{
	putc('\n', w->f);
}

void jw_summary(struct jw *w, const struct ds_stats_summary *s)
{
	if (!s || !s->n) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_kint(w, "n", (int64_t)s->n);
	jw_knum(w, "min", s->min);
	jw_knum(w, "p50", s->p50);
	jw_knum(w, "p90", s->p90);
	jw_knum(w, "p99", s->p99);
	jw_knum(w, "max", s->max);
	jw_knum(w, "mean", s->mean);
	jw_knum(w, "stddev", s->stddev);
	jw_obj_end(w);
}

/* ---------------------------------------------------------------------- */
/* Tables                                                                  */
/* ---------------------------------------------------------------------- */

struct ocell {
	char *text;
	const char *css;
	size_t width;		/* in characters */
};

struct otab {
	int ncol;
	char **heads;
	char *align;
	struct ocell *cells;
	size_t ncells;
	size_t cap;
	bool failed;
};

/* Characters of @s as a terminal shows them (one per UTF-8 sequence). */
static size_t text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), w = 0, len;

	while (n) {
		len = out_utf8_len(p, n);
		if (!len)
			len = 1;
		p += len;
		n -= len;
		w++;
	}
	return w;
}

struct otab *otab_new(int ncol, const char *const *heads, const char *align)
{
	struct otab *t = calloc(1, sizeof(*t));
	int i;

	if (!t)
		return NULL;
	t->ncol = ncol;
	t->heads = calloc(ncol, sizeof(*t->heads));
	t->align = calloc(ncol + 1, 1);
	if (!t->heads || !t->align)
		goto fail;
	for (i = 0; i < ncol; i++) {
		t->heads[i] = strdup(heads[i]);
		if (!t->heads[i])
			goto fail;
		t->align[i] = align && align[i] == 'r' ? 'r' : 'l';
	}
	return t;
fail:
	otab_free(t);
	return NULL;
}

void otab_free(struct otab *t)
{
	size_t i;
	int c;

	if (!t)
		return;
	for (i = 0; i < t->ncells; i++)
		free(t->cells[i].text);
	if (t->heads)
		for (c = 0; c < t->ncol; c++)
			free(t->heads[c]);
	free(t->heads);
	free(t->align);
	free(t->cells);
	free(t);
}

int otab_cell(struct otab *t, const char *text)
{
	struct ocell *cells;
	size_t cap;
	char *p;

	if (t->failed)
		return -1;
	if (t->ncells == t->cap) {
		cap = t->cap ? t->cap * 2 : 64;
		cells = realloc(t->cells, cap * sizeof(*cells));
		if (!cells) {
			t->failed = true;
			return -1;
		}
		t->cells = cells;
		t->cap = cap;
	}
	p = strdup(text ? text : "-");
	if (!p) {
		t->failed = true;
		return -1;
	}
	for (char *q = p; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	t->cells[t->ncells].text = p;
	t->cells[t->ncells].css = NULL;
	t->cells[t->ncells].width = text_width(p);
	t->ncells++;
	return 0;
}

int otab_cellf(struct otab *t, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return otab_cell(t, buf);
}

void otab_class(struct otab *t, const char *css_class)
{
	if (t->ncells)
		t->cells[t->ncells - 1].css = css_class;
}

size_t otab_rows(const struct otab *t)
{
	return t->ncells / t->ncol;
}

bool otab_failed(const struct otab *t)
{
	return t->failed;
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		putc(' ', f);
}

void otab_print_text(const struct otab *t, FILE *f, int indent)
{
	size_t rows = otab_rows(t), r, *w;
	int c;

	w = calloc(t->ncol, sizeof(*w));
	if (!w)
		return;
	for (c = 0; c < t->ncol; c++) {
		w[c] = text_width(t->heads[c]);
		for (r = 0; r < rows; r++)
			if (t->cells[r * t->ncol + c].width > w[c])
				w[c] = t->cells[r * t->ncol + c].width;
	}
	for (r = 0; r <= rows; r++) {
		pad(f, indent);
		for (c = 0; c < t->ncol; c++) {
			const char *s = r ? t->cells[(r - 1) * t->ncol + c].text : t->heads[c];
			size_t sw = r ? t->cells[(r - 1) * t->ncol + c].width : text_width(s);

			if (c)
				fputs("  ", f);
			if (t->align[c] == 'r')
				pad(f, w[c] - sw);
			fputs(s, f);
			if (t->align[c] != 'r' && c + 1 < t->ncol)
				pad(f, w[c] - sw);
		}
		putc('\n', f);
	}
	free(w);
}

/*
 * Markdown text: '|', '\', '`' and '*' escaped, '<' as an entity. '_' is
 * left alone: GitHub's Markdown does not emphasise inside words, and ioctl
 * names are full of them.
 */
static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '`' || *s == '*')
			putc('\\', f);
		if (*s == '<')
			fputs("&lt;", f);
		else
			putc(*s, f);
	}
}

void otab_print_markdown(const struct otab *t, FILE *f)
{
	size_t rows = otab_rows(t), r;
	int c;

	putc('|', f);
	for (c = 0; c < t->ncol; c++) {
		putc(' ', f);
		md_cell(f, t->heads[c]);
		fputs(" |", f);
	}
	fputs("\n|", f);
	for (c = 0; c < t->ncol; c++)
		fputs(t->align[c] == 'r' ? " ---: |" : " --- |", f);
	putc('\n', f);
	for (r = 0; r < rows; r++) {
		putc('|', f);
		for (c = 0; c < t->ncol; c++) {
			putc(' ', f);
			md_cell(f, t->cells[r * t->ncol + c].text);
			fputs(" |", f);
		}
		putc('\n', f);
	}
	putc('\n', f);
}

void otab_print_html(const struct otab *t, FILE *f, const char *css_class)
{
	size_t rows = otab_rows(t), r;
	const struct ocell *cell;
	int c;

	fprintf(f, "<table class=\"%s\"><thead><tr>", css_class ? css_class : "data");
	for (c = 0; c < t->ncol; c++) {
		fprintf(f, "<th%s>", t->align[c] == 'r' ? " class=\"r\"" : "");
		out_html(f, t->heads[c]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (r = 0; r < rows; r++) {
		fputs("<tr>", f);
		for (c = 0; c < t->ncol; c++) {
			cell = &t->cells[r * t->ncol + c];
			fputs("<td", f);
			if (t->align[c] == 'r' || cell->css) {
				fputs(" class=\"", f);
				if (t->align[c] == 'r')
					fputs(cell->css ? "r " : "r", f);
				if (cell->css)
					out_html(f, cell->css);
				putc('"', f);
			}
			putc('>', f);
			out_html(f, cell->text);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

void otab_print(const struct otab *t, FILE *f, enum out_format format)
{
	if (format == OUT_MARKDOWN)
		otab_print_markdown(t, f);
	else if (format == OUT_HTML)
		otab_print_html(t, f, NULL);
	else
		otab_print_text(t, f, 2);
}

/* ---------------------------------------------------------------------- */
/* Documents                                                               */
/* ---------------------------------------------------------------------- */

void doc_heading(FILE *f, enum out_format format, const char *title)
{
	if (format == OUT_MARKDOWN) {
		fputs("## ", f);
		md_cell(f, title);
		fputs("\n\n", f);
	} else if (format == OUT_HTML) {
		fputs("<h2>", f);
		out_html(f, title);
		fputs("</h2>\n", f);
	} else {
		fprintf(f, "\n%s\n", title);
	}
}

void doc_line(FILE *f, enum out_format format, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *q = buf; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	if (format == OUT_MARKDOWN) {
		md_cell(f, buf);
		fputs("\n\n", f);
	} else if (format == OUT_HTML) {
		fputs("<p>", f);
		out_html(f, buf);
		fputs("</p>\n", f);
	} else {
		fprintf(f, "  %s\n", buf);
	}
}
