/*
 * analyzer/metrics.h: what `drmscope report` and `drmscope compare` read
 * from a trace database: the samples of every metric (ioctl latencies per
 * name, job timings per queue, firmware round trips per function, GEM
 * lifetimes) and the counts around them (errors by errno, faults, lost
 * events, mismatches, VM-bind traffic, memory peaks), for the capture or
 * for one or more replay runs pooled together.
 *
 * A "source" is a database opened read-only and defensively plus what to
 * read from it: the capture, or a set of runs (a run id, or every run with
 * a label). Loading streams each table once with statements prepared once;
 * values go straight into arrays of doubles that are then radix-sorted by
 * the stats library, so the cost per row is sqlite3_step() and a few
 * sqlite3_column_*() calls. The firmware messages are read meanwhile, in a
 * second thread on a second connection (fwmatch.c matches their replies).
 *
 * Where each metric comes from (see docs/report-json.md):
 *  - ioctl latency: capture: ioctl.end_ns - begin_ns; run: run_call's.
 *  - job duration (run -> done), submit -> run, submit -> done: job, or
 *    run_job for a run; per captured queue (queue.id).
 *  - firmware round trip: a send matched to its reply (rule in
 *    docs/schema.md, fw_message), rows of the capture (run_id NULL) or of
 *    the run (schema version 3).
 *  - VM-bind and GEM figures: the capture's tables (a replay does not
 *    record them); for a run they are marked as the capture's.
 *  - GPU faults: kernel_event simgpu/simgpu_gpu_fault of the capture or run.
 */
#ifndef DRMSCOPE_ANALYZER_METRICS_H
#define DRMSCOPE_ANALYZER_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drmscope/stats.h>

struct ds_db;

#define AM_TOP		10	/* slowest calls kept */
#define AM_LIST_MAX	20	/* faults and mismatches listed */
#define AM_TIMELINE_MAX	300	/* first jobs kept for the timeline chart */

/* A growing array of samples; sorted once loading is done. */
struct am_values {
	double *v;
	size_t n;
	size_t cap;
};

struct am_errno {
	int err;
	uint64_t count;
};

struct am_ioctl {
	char *name;
	size_t name_len;
	uint64_t calls;
	uint64_t unfinished;		/* never returned */
	uint64_t errors;		/* ret < 0 */
	uint64_t mismatches;		/* run_call.mismatch set */
	struct am_errno *errnos;
	size_t n_errnos;
	struct am_values lat;		/* ns, sorted */
	struct ds_stats_summary s;	/* of lat, when lat.n > 0 */
};

struct am_queue {
	int64_t id;			/* the captured queue row */
	int64_t handle;			/* its uapi id, -1 if unknown */
	uint64_t jobs;
	uint64_t failed;		/* result != 0 */
	uint64_t unfinished;		/* no done_ns */
	struct am_values exec;		/* run -> done: the job's duration */
	struct am_values wait;		/* submit -> run */
	struct am_values total;		/* submit -> done */
	struct ds_stats_summary s_exec, s_wait, s_total;
};

struct am_fw {
	char *name;			/* function_name, or 0x%02x */
	uint64_t sent;
	uint64_t received;
	uint64_t unanswered;		/* sends without a matched reply */
	struct am_values rtt;		/* round trips of its sends, ns */
	struct ds_stats_summary s;
};

struct am_call {
	int64_t run_id;			/* 0: the capture */
	int64_t ioctl_id;
	int64_t begin_ns;
	int64_t dur_ns;
	int pid;
	int tid;
	char name[80];
};

struct am_fault {
	int64_t run_id;
	int64_t ns;
	int64_t queue;			/* -1: not in the event */
	int64_t seqno;
	char va[24];
	char type[24];
	char access[16];
};

struct am_mismatch {
	int64_t run_id;
	int64_t ioctl_id;
	char name[80];
	char *what;
};

/* A job as the timeline chart draws it. */
struct am_tjob {
	int64_t queue_id;
	int64_t seqno;
	int64_t submit_ns;
	int64_t run_ns;			/* 0: unknown */
	int64_t done_ns;		/* 0: unknown */
	int result;
};

struct am_run {
	int64_t id;
	char *label;
	char *host;
	char *driver;
	char *driver_version;
	char *kernel_release;
	char *module_params;
	int64_t start_unix_ns;
	int64_t end_unix_ns;
};

struct am_source {
	char *spec;			/* as the user wrote it */
	char *path;
	char *run_arg;			/* the run id or label; NULL: capture */
	struct ds_db *db;
	int version;			/* schema version */
	bool is_run;
	struct am_run *runs;
	size_t n_runs;
};

struct am_data {
	/* The capture row. */
	char *host;
	char *kernel_release;
	char *machine;
	char *command_line;
	char *capture_source;
	int64_t start_ns;
	int64_t end_ns;
	int64_t start_unix_ns;
	int64_t lost_events;

	/* Calls. */
	int64_t t_min, t_max;		/* first and last call of the first pass */
	int64_t span_ns;		/* from first to last call, summed over runs */
	uint64_t calls;
	uint64_t unfinished;
	uint64_t errors;
	uint64_t mismatches;
	struct am_ioctl *ioctls;	/* sorted by name once loaded */
	size_t n_ioctls;
	struct am_call slowest[AM_TOP];	/* longest first */
	size_t n_slowest;
	struct am_mismatch *mm;		/* the first AM_LIST_MAX per run */
	size_t n_mm;

	/* Jobs. */
	uint64_t jobs;
	uint64_t failed_jobs;
	uint64_t job_results_differ;	/* runs: jobs whose hash/result differ */
	struct am_queue *queues;	/* by id */
	size_t n_queues;
	struct am_tjob *timeline;	/* the capture's or the first run's */
	size_t n_timeline;

	/* Firmware. */
	uint64_t fw_messages;
	struct am_fw *fw;		/* by name */
	size_t n_fw;

	/* Objects (the capture's tables). */
	uint64_t bind_maps, bind_unmaps;
	int64_t bytes_mapped, bytes_unmapped, peak_mapped;
	uint64_t gem_objects, gem_never_freed;
	int64_t gem_bytes, gem_peak_bytes;
	struct am_values gem_life;
	struct ds_stats_summary s_gem_life;

	/* Faults. */
	uint64_t faults;
	struct am_fault fault_list[AM_LIST_MAX];
	size_t n_fault_list;

	char err[512];
};

/*
 * Open the database at @path and select what to read: the capture when
 * @run is NULL, else the run with id @run or, failing that, every run
 * labelled @run. @flags: enum ds_db_open_flags. On failure returns -1 with
 * a one-line reason in @err; the caller calls am_source_close() always.
 */
int am_source_open(struct am_source *src, const char *path, const char *run,
		   unsigned int flags, char *err, size_t errlen);

/*
 * The same from "FILE", "FILE:ID" or "FILE:LABEL": a name that is an
 * existing file is a capture even if it holds a ':'; otherwise the text
 * after the last ':' selects runs.
 */
int am_source_parse(struct am_source *src, const char *spec, unsigned int flags,
		    char *err, size_t errlen);

void am_source_close(struct am_source *src);

/* "cap.db", "cap.db run 3 'base'", "cap.db runs 1, 2, 3 'base'". */
void am_source_describe(const struct am_source *src, char *buf, size_t size);

/* Read everything report and compare need. -1 with d->err on failure. */
int am_load(const struct am_source *src, struct am_data *d);

void am_data_free(struct am_data *d);

/*
 * The filter that selects a source's rows of fw_message and kernel_event:
 * "run_id IS NULL" for the capture, "run_id = ?1" for a run (bind the run
 * id).
 */
const char *am_run_filter(const struct am_source *src);

/* One firmware message, as the matcher reads it. */
struct am_fw_msg {
	int64_t id;			/* fw_message.id */
	int64_t dev;			/* device_id, 0 for NULL */
	int64_t seq;
	int64_t ns;
	bool send;
	const char *function;		/* function_name, or "0x%02x" */
	int fn;				/* a small number for the name: 0, 1, ... */
};

/* A firmware command and the reply that answers it. */
struct am_fw_pair {
	int64_t send_id;		/* fw_message.id */
	int64_t send_ns;
	int64_t reply_id;
	int64_t reply_ns;
	const char *function;		/* the command's function name */
	int fn;				/* its small number, as in am_fw_msg */
};

/* What am_fw_match() calls; either may be NULL. Non-zero stops it. */
struct am_fw_ops {
	int (*message)(void *ctx, const struct am_fw_msg *m);
	int (*pair)(void *ctx, const struct am_fw_pair *p);
};

struct fw_state;

/*
 * Commands matched to replies (the rule is in docs/schema.md, fw_message;
 * analyzer/fwmatch.c). Init prepares the statements once; am_fw_match()
 * scans the messages of the capture (@run_id ignored) or of run @run_id
 * once, in row order, calling ops->message for every message and
 * ops->pair for every command and its reply, when the reply is read. A
 * non-zero return of a callback stops the scan (reported as out of
 * memory). Each returns 0 or -1 with @err set.
 */
struct am_fw_matcher {
	const struct am_source *src;
	struct sqlite3_stmt *scan;
	struct sqlite3_stmt *probe;
	struct fw_state *state;
};

int am_fw_matcher_init(struct am_fw_matcher *m, const struct am_source *src, char *err,
		       size_t errlen);
int am_fw_match(struct am_fw_matcher *m, int64_t run_id, const struct am_fw_ops *ops,
		void *ctx, char *err, size_t errlen);
void am_fw_matcher_fini(struct am_fw_matcher *m);

/*
 * The integer field "ack_seq" (else "seq") of the top-level JSON object
 * @s (@n bytes, NUL-terminated). Returns 1 and sets *@seq, or 0 if there
 * is none or @s is not a JSON object.
 */
int am_payload_seq(const char *s, size_t n, int64_t *seq);

/* Find by key; NULL if absent. */
const struct am_ioctl *am_find_ioctl(const struct am_data *d, const char *name);
const struct am_queue *am_find_queue(const struct am_data *d, int64_t id);
const struct am_fw *am_find_fw(const struct am_data *d, const char *name);

#endif
