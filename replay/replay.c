/*
 * replay/replay.c: `drmscope replay`, resubmit a capture to the driver and
 * store what happened as a run.
 *
 * Where captures come from: `drmscope record` (LD_PRELOAD shim plus kernel
 * tracepoints, imported into one SQLite file), or anything else that writes
 * the same tables (docs/schema.md; the contract the replay relies on is in
 * docs/replay.md). The capture is opened read-only and defensively and
 * treated as hostile: it is loaded into memory and checked in full
 * (validate.c) before the first ioctl.
 *
 * What the kernel must offer: the DRM drivers the capture talked to (matched
 * by driver name: a captured simgpu render node is replayed on this
 * machine's simgpu render node, a virtio_gpu card on the virtio_gpu card),
 * GPU virtual addresses chosen by user space (VM_BIND drivers) so command
 * buffers replay unmodified, and, for the job checks and the run's kernel
 * events, tracefs (root). Without tracefs the ioctls are still replayed and
 * compared, and the jobs are reported unchecked.
 *
 * Results: job hashes (simgpu), and buffer contents after the capture's
 * sync calls where the capture holds them (bufcheck.c, --no-buffer-check).
 *
 * Limits: see docs/replay.md (mmap'ed CPU writes between submissions are
 * only seen through the snapshots the capture took; fds received from
 * outside the capture cannot be replayed; one replay thread).
 *
 * Exit status: 0 when every replayed call and job matched the capture, 1 on
 * any mismatch or failed call, 2 on usage errors and malformed captures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <xf86drm.h>
#include <drmscope/db.h>

#include "kevents.h"
#include "replay_internal.h"

/* The subcommand table's declarations (src/builtin.h) without its path. */
int cmd_replay(int argc, char **argv);
int drmscope_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int drmscope_wants_help(int argc, char **argv);

#define EXIT_FINDING 1
#define EXIT_USAGE 2

/* "1.5s", "200ms", "30us", "100ns", "2" (seconds). */
static int parse_time(const char *s, int64_t *ns)
{
	char *end;
	double v;
	double mul = 1e9;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	if (!strcmp(end, "ns"))
		mul = 1;
	else if (!strcmp(end, "us"))
		mul = 1e3;
	else if (!strcmp(end, "ms"))
		mul = 1e6;
	else if (!strcmp(end, "s") || !*end)
		mul = 1e9;
	else
		return -1;
	if (v * mul > 9.2e18)
		return -1;
	*ns = (int64_t)(v * mul);
	return 0;
}

static int parse_u64(const char *s, uint64_t *v, uint64_t min)
{
	char *end;
	unsigned long long x;

	errno = 0;
	if (!*s || *s == '-')
		return -1;
	x = strtoull(s, &end, 10);
	if (errno || *end || x < min)
		return -1;
	*v = x;
	return 0;
}

static int64_t unix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * "srcversion=<build id> name=value ..." from /sys/module/<driver>: the
 * module's build id and its parameters, sorted by name.
 */
static char *module_params(const char *driver)
{
	char dir[256], *out = NULL;
	struct dirent **list = NULL;
	int n, i;

	if (!driver)
		return NULL;
	/* The module's build id first: srcversion is a hash of its sources. */
	snprintf(dir, sizeof(dir), "/sys/module/%s/srcversion", driver);
	{
		char val[64];
		int fd = open(dir, O_RDONLY | O_CLOEXEC);
		ssize_t len = fd >= 0 ? read(fd, val, sizeof(val) - 1) : -1;

		if (fd >= 0)
			close(fd);
		if (len > 0) {
			val[len] = 0;
			val[strcspn(val, "\n")] = 0;
			rp_append(&out, "srcversion=%s", val);
		}
	}
	snprintf(dir, sizeof(dir), "/sys/module/%s/parameters", driver);
	n = scandir(dir, &list, NULL, alphasort);
	for (i = 0; i < n; i++) {
		char path[600], val[256];
		ssize_t len;
		int fd;

		if (list[i]->d_name[0] == '.')
			goto next;
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			goto next;
		len = read(fd, val, sizeof(val) - 1);
		close(fd);
		if (len < 0)
			goto next;
		val[len] = 0;
		val[strcspn(val, "\n")] = 0;
		rp_append(&out, "%s=%s", list[i]->d_name, val);
next:
		free(list[i]);
	}
	free(list);
	if (out) {
		char *p;

		/* rp_append joins with "; ": use spaces. */
		for (p = out; (p = strstr(p, "; ")); )
			memmove(p, p + 1, strlen(p + 1) + 1);
	}
	return out;
}

static const char usage_text[] =
	"usage: drmscope replay [OPTIONS] CAPTURE.db\n";

/* The device most calls went to: the run's driver. */
static int main_device(const struct rp_capture *cap)
{
	size_t *count = calloc(cap->ndevices + 1, sizeof(*count)), i;
	int best = -1;

	if (!count)
		return cap->ndevices ? 0 : -1;
	for (i = 0; i < cap->ncalls; i++)
		if (cap->calls[i].file >= 0)
			count[cap->files[cap->calls[i].file].device]++;
	for (i = 0; i < cap->ndevices; i++)
		if (best < 0 || count[i] > count[best])
			best = (int)i;
	free(count);
	return best;
}

static void print_run(FILE *out, const struct rp_run *run, const struct rp_options *opt,
		      int64_t wall_ns)
{
	const struct rp_capture *cap = run->cap;
	size_t i, shown = 0;
	unsigned max = opt->max_shown ? opt->max_shown : 20;

	fprintf(out, "run %" PRId64 "%s%s%s: %zu calls replayed in %.3f s",
		run->run_id, opt->label ? " (" : "", opt->label ? opt->label : "",
		opt->label ? ")" : "", run->calls_done, wall_ns / 1e9);
	if (run->restored_bytes)
		fprintf(out, ", %.1f MiB of buffers restored at %.0f MiB/s",
			run->restored_bytes / 1048576.0,
			run->restore_ns ? run->restored_bytes / 1048576.0 / (run->restore_ns / 1e9) : 0.0);
	if (run->buffers_checked)
		fprintf(out, ", %zu result buffer%s (%.1f MiB) compared in %.3f s, %zu differ%s",
			run->buffers_checked, run->buffers_checked == 1 ? "" : "s",
			run->checked_bytes / 1048576.0, run->check_ns / 1e9,
			run->buffer_mismatches, run->buffer_mismatches == 1 ? "s" : "");
	fprintf(out, "; %zu mismatch%s", run->mismatches, run->mismatches == 1 ? "" : "es");
	if (run->failed)
		fprintf(out, " (%zu failed call%s)", run->failed, run->failed == 1 ? "" : "s");
	if (run->jobs)
		fprintf(out, "; %zu job%s, %zu result%s compared, %zu differ%s", run->jobs,
			run->jobs == 1 ? "" : "s", run->jobs - run->jobs_unchecked,
			run->jobs - run->jobs_unchecked == 1 ? "" : "s", run->job_mismatches,
			run->job_mismatches == 1 ? "s" : "");
	if (run->stopped)
		fprintf(out, "; stopped at the first mismatch (--on-error=stop)");
	fputc('\n', out);
	for (i = 0; i < cap->ncalls; i++) {
		const struct rp_call *c = &cap->calls[cap->order[i]];
		const struct rp_result *r = &run->res[cap->order[i]];

		if (!r->mismatch)
			continue;
		if (shown++ >= max)
			continue;
		fprintf(out, "  call %" PRId64 " %s: %s\n", c->id, c->name, r->mismatch);
	}
	if (shown > max)
		fprintf(out, "  ... and %zu more (SELECT * FROM run_call WHERE run_id = %" PRId64
			" AND mismatch IS NOT NULL)\n", shown - max, run->run_id);
}

static int store_calls(struct rp_run *run, struct ds_db *wdb)
{
	const struct rp_capture *cap = run->cap;
	size_t i;

	for (i = 0; i < cap->ncalls; i++) {
		const struct rp_result *r = &run->res[i];
		struct ds_db_run_call row;

		if (r->state != RP_DONE && r->state != RP_SETUP)
			continue;
		row = (struct ds_db_run_call){
			.run_id = run->run_id,
			.ioctl_id = cap->calls[i].id,
			.begin_ns = r->begin_ns,
			.end_ns = r->end_ns,
			.ret = r->ret,
			.err = r->err,
			.mismatch = r->mismatch,
		};
		if (ds_db_insert_run_call(wdb, &row) < 0) {
			snprintf(run->err, sizeof(run->err), "storing run_call: %s", ds_db_errmsg(wdb));
			return -1;
		}
	}
	return 0;
}

static int exec1(struct ds_db *db, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(ds_db_sqlite(db), sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, a);
		sqlite3_bind_int64(st, 2, b);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int64_t max_event_id(struct ds_db *db)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;

	if (sqlite3_prepare_v2(ds_db_sqlite(db), "SELECT coalesce(max(id), 0) FROM kernel_event",
			       -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int open_output(const char *path, struct ds_db **db)
{
	struct stat stt;

	if (stat(path, &stt) && errno == ENOENT)
		return ds_db_create(path, db);
	return ds_db_open_write(path, db);
}

int cmd_replay(int argc, char **argv)
{
	enum { O_PACE = 256, O_FROM, O_FROM_SUBMIT, O_TO, O_TO_SUBMIT, O_REPEAT, O_ON_ERROR,
	       O_DEVICE, O_NO_KERNEL, O_RAW, O_LABEL, O_NO_DIAG, O_MAX_SHOWN, O_NO_BUFCHECK };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "label", required_argument, NULL, O_LABEL },
		{ "pace", required_argument, NULL, O_PACE },
		{ "from", required_argument, NULL, O_FROM },
		{ "from-submit", required_argument, NULL, O_FROM_SUBMIT },
		{ "to", required_argument, NULL, O_TO },
		{ "to-submit", required_argument, NULL, O_TO_SUBMIT },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "on-error", required_argument, NULL, O_ON_ERROR },
		{ "device", required_argument, NULL, O_DEVICE },
		{ "no-kernel", no_argument, NULL, O_NO_KERNEL },
		{ "raw-unknown", no_argument, NULL, O_RAW },
		{ "no-diagnose", no_argument, NULL, O_NO_DIAG },
		{ "no-buffer-check", no_argument, NULL, O_NO_BUFCHECK },
		{ "max-shown", required_argument, NULL, O_MAX_SHOWN },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rp_options opt = { .repeat = 1, .max_shown = 20 };
	struct rp_capture cap = { 0 };
	struct ds_db *rdb = NULL, *wdb = NULL;
	struct rp_err err = { 0 };
	char **paths = NULL;
	char *params = NULL, driver_version[64] = "", driver_name[64] = "";
	struct utsname uts;
	int status = EXIT_USAGE, ch, i, dev;
	unsigned rep;
	uint64_t v;
	bool any_mismatch = false;
	size_t olen = 0;

	if (drmscope_wants_help(argc, argv))
		return 0;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			opt.output = optarg;
			break;
		case O_LABEL:
			opt.label = optarg;
			break;
		case O_PACE:
			if (!strcmp(optarg, "fast"))
				opt.pace = RP_PACE_FAST;
			else if (!strcmp(optarg, "capture"))
				opt.pace = RP_PACE_CAPTURE;
			else
				return drmscope_usage_error("replay", "--pace takes fast or capture,"
							    " not '%s'", optarg);
			break;
		case O_FROM:
		case O_TO:
			if (parse_time(optarg, ch == O_FROM ? &opt.from_ns : &opt.to_ns))
				return drmscope_usage_error("replay", "%s takes a time since the first"
							    " call such as 1.5s, 200ms, 30us (not '%s')",
							    ch == O_FROM ? "--from" : "--to", optarg);
			if (ch == O_FROM)
				opt.have_from_ns = true;
			else
				opt.have_to_ns = true;
			break;
		case O_FROM_SUBMIT:
		case O_TO_SUBMIT:
			if (parse_u64(optarg, ch == O_FROM_SUBMIT ? &opt.from_submit : &opt.to_submit, 1))
				return drmscope_usage_error("replay", "%s takes a submission number"
							    " (1 for the first), not '%s'",
							    ch == O_FROM_SUBMIT ? "--from-submit" :
							    "--to-submit", optarg);
			break;
		case O_REPEAT:
			if (parse_u64(optarg, &v, 1) || v > 100000)
				return drmscope_usage_error("replay", "--repeat takes a count from 1"
							    " to 100000, not '%s'", optarg);
			opt.repeat = (unsigned)v;
			break;
		case O_ON_ERROR:
			if (!strcmp(optarg, "continue"))
				opt.on_error = RP_ON_ERROR_CONTINUE;
			else if (!strcmp(optarg, "stop"))
				opt.on_error = RP_ON_ERROR_STOP;
			else
				return drmscope_usage_error("replay", "--on-error takes continue or"
							    " stop, not '%s'", optarg);
			break;
		case O_DEVICE:
			if (opt.ndevices >= sizeof(opt.devices) / sizeof(opt.devices[0]))
				return drmscope_usage_error("replay", "too many --device options");
			opt.devices[opt.ndevices++] = optarg;
			break;
		case O_NO_KERNEL:
			opt.no_kernel = true;
			break;
		case O_RAW:
			opt.raw_unknown = true;
			break;
		case O_NO_DIAG:
			opt.no_diagnose = true;
			break;
		case O_NO_BUFCHECK:
			opt.no_buffer_check = true;
			break;
		case O_MAX_SHOWN:
			if (parse_u64(optarg, &v, 0) || v > 1000000)
				return drmscope_usage_error("replay", "--max-shown takes a count");
			opt.max_shown = (unsigned)v;
			break;
		case 'v':
			opt.verbose++;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if (optopt && optopt < 256)
				return drmscope_usage_error("replay", "unknown option -%c", optopt);
			return drmscope_usage_error("replay", "unknown or incomplete option '%s'",
						    argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return drmscope_usage_error("replay", optind >= argc ? "no capture database given" :
					    "one capture database, please (got %d arguments)",
					    argc - optind);
	if ((opt.have_from_ns && opt.from_submit) || (opt.have_to_ns && opt.to_submit))
		return drmscope_usage_error("replay", "give a range by time or by submission,"
					    " not both");
	if (opt.from_submit && opt.to_submit && opt.to_submit < opt.from_submit)
		return drmscope_usage_error("replay", "--to-submit is before --from-submit");
	if (opt.have_from_ns && opt.have_to_ns && opt.to_ns <= opt.from_ns)
		return drmscope_usage_error("replay", "--to is not after --from");
	opt.capture = argv[optind];
	for (i = 1; i < optind && olen < sizeof(opt.options_text) - 1; i++)
		olen += (size_t)snprintf(opt.options_text + olen, sizeof(opt.options_text) - olen,
					 "%s%s", i > 1 ? " " : "", argv[i]);

	/* Read and check the whole capture before touching a device. */
	if (ds_db_open_read(opt.capture, 0, &rdb) < 0) {
		fprintf(stderr, "drmscope replay: %s: %s\n", opt.capture, ds_db_errmsg(rdb));
		goto out;
	}
	if (rp_load(rdb, &cap, &err) || rp_order(&cap, &opt, &err)) {
		fprintf(stderr, "drmscope replay: %s: %s\n", opt.capture, err.msg);
		goto out;
	}
	if (!cap.ncalls) {
		fprintf(stderr, "drmscope replay: %s: the capture holds no ioctl\n", opt.capture);
		goto out;
	}
	if (rp_validate(rdb, &cap, &opt, stderr)) {
		fprintf(stderr, "drmscope replay: %s: the capture cannot be replayed (nothing was"
			" sent to the kernel)\n", opt.capture);
		goto out;
	}
	if (rp_restore_prepare(&cap) || (!opt.no_buffer_check && rp_results_prepare(&cap))) {
		fprintf(stderr, "drmscope replay: out of memory\n");
		goto out;
	}
	paths = calloc(cap.ndevices + 1, sizeof(*paths));
	if (!paths || rp_match_devices(&cap, &opt, paths, &err)) {
		fprintf(stderr, "drmscope replay: %s\n", paths ? err.msg : "out of memory");
		goto out;
	}

	dev = main_device(&cap);
	if (dev >= 0 && paths[dev]) {
		int fd = open(paths[dev], O_RDWR | O_CLOEXEC);
		drmVersionPtr ver = fd >= 0 ? drmGetVersion(fd) : NULL;

		if (ver) {
			snprintf(driver_name, sizeof(driver_name), "%s", ver->name);
			snprintf(driver_version, sizeof(driver_version), "%d.%d.%d",
				 ver->version_major, ver->version_minor, ver->version_patchlevel);
			drmFreeVersion(ver);
		}
		if (fd >= 0)
			close(fd);
		params = module_params(driver_name[0] ? driver_name : NULL);
	}
	if (uname(&uts))
		memset(&uts, 0, sizeof(uts));

	if ((opt.output ? open_output(opt.output, &wdb) :
	     ds_db_open_write(opt.capture, &wdb)) < 0) {
		fprintf(stderr, "drmscope replay: %s: %s\n", opt.output ? opt.output : opt.capture,
			ds_db_errmsg(wdb));
		goto out;
	}
	if (opt.verbose)
		fprintf(stderr, "drmscope replay: %zu calls, %" PRIu64 " submissions, %.1f MiB of"
			" buffer contents; devices:", cap.ncalls, cap.nsubmits,
			cap.blob_bytes / 1048576.0);
	for (i = 0; opt.verbose && i < (int)cap.ndevices; i++)
		if (paths[i])
			fprintf(stderr, " %s -> %s", cap.devices[i].path ? cap.devices[i].path : "?",
				paths[i]);
	if (opt.verbose)
		fputc('\n', stderr);

	status = 0;
	for (rep = 0; rep < opt.repeat; rep++) {
		struct rp_run run = { .cap = &cap, .opt = &opt, .paths = paths };
		struct ds_db_run row = {
			.label = opt.label,
			.host = uts.nodename,
			.driver_name = driver_name[0] ? driver_name : NULL,
			.driver_version = driver_version[0] ? driver_version : NULL,
			.kernel_release = uts.release,
			.module_params = params,
			.options = opt.options_text,
			.start_unix_ns = unix_now_ns(),
		};
		struct ds_kevents *kev = NULL;
		char kerr[256];
		int64_t ev0, t0, nev = 0, lost = 0;

		run.run_id = ds_db_insert_run(wdb, &row);
		if (run.run_id < 0 || ds_db_commit(wdb) < 0) {
			fprintf(stderr, "drmscope replay: storing the run: %s\n", ds_db_errmsg(wdb));
			status = EXIT_USAGE;
			break;
		}
		ev0 = max_event_id(wdb);
		if (!opt.no_kernel && ds_kevents_start(&kev, NULL, wdb, kerr, sizeof(kerr)) < 0) {
			if (rep == 0)
				fprintf(stderr, "drmscope replay: warning: no kernel events (%s): job"
					" results are not checked\n", kerr);
			kev = NULL;
		}
		t0 = rp_now_ns();
		if (rp_run_once(&run, paths) < 0) {
			fprintf(stderr, "drmscope replay: %s\n", run.err);
			status = EXIT_USAGE;
		}
		rp_run_close(&run);
		t0 = rp_now_ns() - t0;
		if (kev && ds_kevents_stop(kev, &nev, &lost, kerr, sizeof(kerr)) < 0)
			fprintf(stderr, "drmscope replay: warning: kernel events: %s\n", kerr);
		if (lost)
			fprintf(stderr, "drmscope replay: warning: the kernel dropped %" PRId64
				" events during run %" PRId64 "\n", lost, run.run_id);
		if (exec1(wdb, "UPDATE kernel_event SET run_id = ?1 WHERE id > ?2 AND run_id IS NULL",
			  run.run_id, ev0) < 0 ||
		    rp_store_fw_messages(wdb, run.run_id, &err) < 0 ||
		    (status != EXIT_USAGE && rp_jobs_check(&run, wdb, stdout) < 0) ||
		    store_calls(&run, wdb) < 0 ||
		    ds_db_set_end(wdb, DS_DB_END_RUN, run.run_id, unix_now_ns()) < 0 ||
		    ds_db_commit(wdb) < 0) {
			fprintf(stderr, "drmscope replay: storing run %" PRId64 ": %s\n", run.run_id,
				run.err[0] ? run.err : err.set ? err.msg : ds_db_errmsg(wdb));
			status = EXIT_USAGE;
		}
		if (!kev && !opt.no_kernel)
			run.jobs_unchecked = run.jobs;
		print_run(stdout, &run, &opt, t0);
		if (run.mismatches || run.failed || run.job_mismatches)
			any_mismatch = true;
		rp_map_free(&run.map);
		free(run.knames);
		for (size_t k = 0; run.res && k < cap.ncalls; k++)
			free(run.res[k].mismatch);
		free(run.res);
		free(run.files);
		if (status == EXIT_USAGE)
			break;
	}
	if (status == 0 && any_mismatch)
		status = EXIT_FINDING;
	if (ds_db_finish_import(wdb) < 0)
		fprintf(stderr, "drmscope replay: warning: indexing: %s\n", ds_db_errmsg(wdb));
out:
	if (paths)
		for (i = 0; i < (int)cap.ndevices; i++)
			free(paths[i]);
	free(paths);
	free(params);
	if (wdb && ds_db_close(wdb) < 0 && status == 0) {
		fprintf(stderr, "drmscope replay: closing the database failed\n");
		status = EXIT_USAGE;
	}
	ds_db_close(rdb);
	rp_capture_free(&cap);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "drmscope replay: writing to stdout failed\n");
		if (!status)
			status = EXIT_USAGE;
	}
	return status;
}
