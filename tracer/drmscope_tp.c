/*
 * tracer/drmscope_tp.c: creates the probes of the "drmscope" tracepoint
 * provider (drmscope_tp.h). Built alone into libdrmscope-ust.so, which the
 * shim links; a program could link it too to emit drmscope events itself.
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE

#include "drmscope_tp.h"
