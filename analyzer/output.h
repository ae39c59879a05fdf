/*
 * analyzer/output.h: what the analyzer's subcommands share to write their
 * output: safe strings (a capture may come from anyone, so its text never
 * reaches a terminal or a page unescaped), numbers for people (durations,
 * sizes), RFC 8259 JSON strings and a small JSON writer, RFC 4180 CSV
 * fields, HTML escaping, and one table type that prints as aligned text,
 * as a Markdown table or as an HTML table.
 *
 * Nothing here exits or prints on its own behalf; write errors are caught
 * by the caller with ferror() on its stream.
 */
#ifndef DRMSCOPE_ANALYZER_OUTPUT_H
#define DRMSCOPE_ANALYZER_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum out_format {
	OUT_TEXT,
	OUT_JSON,
	OUT_MARKDOWN,
	OUT_HTML,
};

/* "text", "json", "markdown" (or "md"), "html"; -1 if none of them. */
int out_parse_format(const char *s, enum out_format *format);

/*
 * Length of the valid UTF-8 sequence at @s (@n bytes left), or 0 if the
 * bytes there are not one (bad lead or continuation byte, overlong form,
 * surrogate, beyond U+10FFFF, cut short).
 */
size_t out_utf8_len(const unsigned char *s, size_t n);

/* A printable copy of @s in @buf: control bytes become '?'; NULL is "-". */
const char *out_safe(char *buf, size_t size, const unsigned char *s);

/* A duration for people: "812 ns", "12.345 us", "1.234 ms", "2.500 s". */
const char *out_fmt_ns(char *buf, size_t size, double ns);

/* A size for people: "512 bytes", "4.0 KiB", "1.5 MiB", "2.0 GiB". */
const char *out_fmt_bytes(char *buf, size_t size, int64_t n);

/* Wall-clock nanoseconds as "2023-11-14 22:13:20 UTC"; 0 is "-". */
const char *out_fmt_unix(char *buf, size_t size, int64_t unix_ns);

/* A percentage with its sign: "+20.1%", "-3.0%", "0.0%". */
const char *out_fmt_pct(char *buf, size_t size, double pct);

/* An errno value as its name ("ETIME"), or the number when unknown. */
const char *out_errno_name(char *buf, size_t size, int err);

/*
 * @s (@n bytes) as a JSON string with its quotes, escaped as RFC 8259
 * asks (", \, and control characters; \b \f \n \r \t by name); bad UTF-8
 * as U+FFFD, so the output is valid UTF-8.
 */
void out_json_string(FILE *f, const unsigned char *s, size_t n);

/* One RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
void out_csv_field(FILE *f, const char *s, size_t n);

/* @s escaped for HTML text and attribute values; NULL prints nothing. */
void out_html(FILE *f, const char *s);

/*
 * Where output goes: @path, created or truncated (mode 0644), or stdout
 * when @path is NULL or "-". NULL with @err set on failure.
 */
FILE *out_open(const char *path, char *err, size_t errlen);

/* Flush and close what out_open() gave; -1 with @err on a write error. */
int out_close(FILE *f, const char *path, char *err, size_t errlen);

/* ---------------------------------------------------------------------- */
/* A JSON writer                                                           */
/* ---------------------------------------------------------------------- */

#define JW_MAX_DEPTH	32

/*
 * Writes one JSON document, pretty-printed with two-space indents. The
 * writer places commas and newlines; the caller says what comes next.
 * Non-finite numbers are written as null.
 */
struct jw {
	FILE *f;
	int depth;
	bool first[JW_MAX_DEPTH];
	bool after_key;
};

void jw_init(struct jw *w, FILE *f);
void jw_obj(struct jw *w);		/* { */
void jw_obj_end(struct jw *w);		/* } */
void jw_arr(struct jw *w);		/* [ */
void jw_arr_end(struct jw *w);		/* ] */
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);	/* NULL: null */
void jw_int(struct jw *w, int64_t v);
void jw_num(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* A string of JSON from the file written as is if valid, else as a string. */
void jw_raw_json(struct jw *w, const char *json, bool valid);
/* Shorthands for a key and its value. */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kint(struct jw *w, const char *key, int64_t v);
void jw_knum(struct jw *w, const char *key, double v);
void jw_kbool(struct jw *w, const char *key, bool v);
/* Ends the document with a newline. */
void jw_end(struct jw *w);

struct ds_stats_summary;
/*
 * A sample's summary as {"n", "min", "p50", "p90", "p99", "max", "mean",
 * "stddev"}, or null when @s is NULL or has no values.
 */
void jw_summary(struct jw *w, const struct ds_stats_summary *s);

/* ---------------------------------------------------------------------- */
/* Tables                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * A table of text cells. Columns are declared once with their heading and
 * alignment; cells are added left to right, row after row. Cell text is
 * stored as given (only control characters are replaced) and escaped for
 * the format it is printed in. A cell may carry a CSS class for HTML.
 */
struct otab;

/* @heads: one per column; @align: 'l' or 'r' per column ("lrrr"). */
struct otab *otab_new(int ncol, const char *const *heads, const char *align);
void otab_free(struct otab *t);
/* Add the next cell; returns 0 or -1 if memory ran out (sticky). */
int otab_cell(struct otab *t, const char *text);
int otab_cellf(struct otab *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Give the last cell added a CSS class (HTML only). */
void otab_class(struct otab *t, const char *css_class);
size_t otab_rows(const struct otab *t);
bool otab_failed(const struct otab *t);
/* Aligned columns, two spaces apart, indented by @indent spaces. */
void otab_print_text(const struct otab *t, FILE *f, int indent);
void otab_print_markdown(const struct otab *t, FILE *f);
void otab_print_html(const struct otab *t, FILE *f, const char *css_class);
void otab_print(const struct otab *t, FILE *f, enum out_format format);

/* ---------------------------------------------------------------------- */
/* Documents in text, Markdown or HTML                                     */
/* ---------------------------------------------------------------------- */

/* A heading: "\nTITLE\n" in text, "## TITLE" in Markdown, <h2> in HTML. */
void doc_heading(FILE *f, enum out_format format, const char *title);
/* A line of prose: escaped for the format. */
void doc_line(FILE *f, enum out_format format, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
