/*
 * analyzer/analyzer.h: what report.c, compare.c and export.c share beyond
 * metrics.h (the data), output.h (the writers) and html.h (the page).
 */
#ifndef DRMSCOPE_ANALYZER_H
#define DRMSCOPE_ANALYZER_H

#include "metrics.h"
#include "output.h"

/*
 * The JSON object describing a source (docs/report-json.md, "source"):
 * spec, path, description @what, kind, schema version and its runs.
 */
void report_json_source(struct jw *w, const struct am_source *src, const char *what);

#endif
