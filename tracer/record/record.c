/*
 * record.c: `drmscope record -o capture.db [options] -- COMMAND [ARGS...]`.
 *
 * Runs COMMAND under the shim (LD_PRELOAD, with liblttng-ust-fork so forked
 * children are traced too) while a private LTTng session daemon records the
 * shim's events and, unless --no-kernel, a private tracefs instance records
 * the kernel's GPU tracepoints; then imports both into one SQLite file.
 * Returns COMMAND's own exit status (128+N if a signal killed it); 2 for a
 * usage error or when recording itself failed before the workload ran.
 */
#define _GNU_SOURCE
#include "builtin.h"
#include "import.h"
#include "kevents.h"
#include "lttng_session.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drmscope/db.h>

#define MAX_EVENT_SYSTEMS 64

struct record_opts {
	const char *output;
	const char *devices;		/* glob list for the shim, NULL: default */
	const char *buffers;		/* "submit", "results" or "none" */
	const char *events[MAX_EVENT_SYSTEMS + 1];
	bool events_given;
	bool no_kernel;
	bool force;
	bool quiet;
};

static volatile sig_atomic_t workload_pid;

static void forward_signal(int sig)
{
	if (workload_pid > 0)
		kill(workload_pid, sig);
}

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The shim next to this binary, or $DRMSCOPE_SHIM_LIB. */
static int find_shim(char *path, size_t size)
{
	const char *env = getenv("DRMSCOPE_SHIM_LIB");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(path, size, "%s", env);
		return access(path, R_OK) == 0 ? 0 : -ENOENT;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	snprintf(path, size, "%s/libdrmscope-shim.so", dirname(exe));
	return access(path, R_OK) == 0 ? 0 : -ENOENT;
}

/* The command line as one shell-quoted string, for the capture row. */
static char *quote_command(char **argv)
{
	size_t len = 1;
	char *s, *p;
	int i;

	for (i = 0; argv[i]; i++)
		len += 4 * strlen(argv[i]) + 3;
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	for (i = 0; argv[i]; i++) {
		const char *c;

		if (i)
			*p++ = ' ';
		*p++ = '\'';
		for (c = argv[i]; *c; c++) {
			if (*c == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *c;
			}
		}
		*p++ = '\'';
	}
	*p = '\0';
	return s;
}

static int set_workload_env(const struct record_opts *o, const char *shim,
			    const char *blob_dir)
{
	const char *old = getenv("LD_PRELOAD");
	char *preload;
	int ret;

	if (old && *old)
		ret = asprintf(&preload, "%s:liblttng-ust-fork.so.1:%s", shim, old);
	else
		ret = asprintf(&preload, "%s:liblttng-ust-fork.so.1", shim);
	if (ret < 0)
		return -ENOMEM;
	setenv("LD_PRELOAD", preload, 1);
	free(preload);
	setenv("LTTNG_UST_ALLOW_BLOCKING", "1", 1);
	/* the app's start waits for the daemon: no ioctl before it is lost */
	setenv("LTTNG_UST_REGISTER_TIMEOUT", "-1", 1);
	setenv("DRMSCOPE_BLOB_DIR", blob_dir, 1);
	/* buffer contents compress well (framebuffers, command streams) */
	setenv("DRMSCOPE_BLOB_COMPRESS", "zstd", 0);
	setenv("DRMSCOPE_BUFFERS", o->buffers, 1);
	if (o->devices)
		setenv("DRMSCOPE_DEVICES", o->devices, 1);
	return 0;
}

/* Fork and exec the workload; returns its wait status in *status. */
static int run_workload(char **argv, int *status, char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = forward_signal }, old_int, old_term, old_hup;
	int fds[2];
	pid_t pid;
	int exec_errno = 0;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		close(fds[0]);
		execvp(argv[0], argv);
		exec_errno = errno;
		if (write(fds[1], &exec_errno, sizeof(exec_errno)) < 0)
			_exit(127);
		_exit(127);
	}
	close(fds[1]);
	workload_pid = pid;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	if (read(fds[0], &exec_errno, sizeof(exec_errno)) != sizeof(exec_errno))
		exec_errno = 0;
	close(fds[0]);
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR) {
			*status = 0;
			break;
		}
	}
	workload_pid = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (exec_errno) {
		snprintf(err, errlen, "cannot run '%s': %s", argv[0], strerror(exec_errno));
		return -exec_errno;
	}
	return 0;
}

static int parse_events(struct record_opts *o, char *list)
{
	size_t n = 0;
	char *tok, *save = NULL;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_EVENT_SYSTEMS)
			return -E2BIG;
		o->events[n++] = tok;
	}
	o->events[n] = NULL;
	o->events_given = true;
	return n ? 0 : -EINVAL;
}

static void remove_tree(const char *dir)
{
	char *cmd;

	/* our own temporary folder, made by mkdtemp: no shell metacharacters */
	if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "drmscope record: could not remove %s\n", dir);
		free(cmd);
	}
}

int cmd_record(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "events", required_argument, NULL, 'e' },
		{ "devices", required_argument, NULL, 'd' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "no-kernel", no_argument, NULL, 'K' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct record_opts o = { .output = NULL, .buffers = "submit" };
	char err[512] = "", shim[PATH_MAX], workdir[PATH_MAX];
	char blob_dir[PATH_MAX];
	struct ds_kevents *kev = NULL;
	struct ds_import_stats istats = { 0 };
	struct ds_lttng lt = { .sessiond = 0 };
	struct ds_db *db = NULL;
	struct ds_db_capture cap;
	struct utsname uts;
	int64_t kevents = 0, klost = 0, start_ns = 0, start_unix = 0, end_ns = 0;
	int opt, ret, status = 0, exit_code = DRMSCOPE_EXIT_USAGE;
	char *cmdline = NULL;
	bool have_workdir = false;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+o:e:d:b:fqh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': o.output = optarg; break;
		case 'e':
			if (parse_events(&o, optarg))
				return drmscope_usage_error("record", "bad --events list");
			break;
		case 'd': o.devices = optarg; break;
		case 'b':
			if (strcmp(optarg, "submit") && strcmp(optarg, "results") &&
			    strcmp(optarg, "none"))
				return drmscope_usage_error("record",
							    "--buffers is submit, results or none");
			o.buffers = optarg;
			break;
		case 'K': o.no_kernel = true; break;
		case 'f': o.force = true; break;
		case 'q': o.quiet = true; break;
		case 'h':
			drmscope_print_usage(stdout, drmscope_find_cmd("record"));
			return DRMSCOPE_EXIT_OK;
		default:
			return drmscope_usage_error("record", "unknown option");
		}
	}
	if (!o.output)
		return drmscope_usage_error("record", "missing -o capture.db");
	if (optind >= argc)
		return drmscope_usage_error("record", "missing the command to record");
	if (o.no_kernel && o.events_given)
		return drmscope_usage_error("record", "--events and --no-kernel exclude each other");
	if (!o.force && access(o.output, F_OK) == 0) {
		fprintf(stderr, "drmscope record: %s exists (use --force to replace it)\n", o.output);
		return DRMSCOPE_EXIT_USAGE;
	}
	if (find_shim(shim, sizeof(shim))) {
		fprintf(stderr, "drmscope record: cannot find libdrmscope-shim.so next to drmscope "
			"(set DRMSCOPE_SHIM_LIB)\n");
		return DRMSCOPE_EXIT_USAGE;
	}
	if (o.force)
		unlink(o.output);

	snprintf(workdir, sizeof(workdir), "%s/drmscope-record.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(workdir)) {
		fprintf(stderr, "drmscope record: mkdtemp: %s\n", strerror(errno));
		return DRMSCOPE_EXIT_USAGE;
	}
	have_workdir = true;
	if (snprintf(blob_dir, sizeof(blob_dir), "%s/blobs", workdir) >= (int)sizeof(blob_dir)) {
		fprintf(stderr, "drmscope record: %s: path too long\n", workdir);
		goto out;
	}
	mkdir(blob_dir, 0700);

	if (ds_db_create(o.output, &db) < 0) {
		fprintf(stderr, "drmscope record: cannot create %s: %s\n", o.output,
			db ? ds_db_errmsg(db) : strerror(errno));
		goto out;
	}
	ret = ds_lttng_start(&lt, workdir, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "drmscope record: starting LTTng: %s\n", err);
		goto out;
	}
	/* the capture spans the whole recording window, kernel events included */
	start_ns = now_ns(CLOCK_MONOTONIC);
	start_unix = now_ns(CLOCK_REALTIME);
	if (!o.no_kernel) {
		ret = ds_kevents_start(&kev, o.events_given ? o.events : NULL, db,
				       err, sizeof(err));
		if (ret) {
			fprintf(stderr, "drmscope record: kernel events: %s%s\n", err,
				geteuid() ? " (or use --no-kernel)" : "");
			goto out;
		}
	}
	ret = set_workload_env(&o, shim, blob_dir);
	if (ret)
		goto out;

	ret = run_workload(argv + optind, &status, err, sizeof(err));
	unsetenv("LD_PRELOAD");
	if (ret) {
		fprintf(stderr, "drmscope record: %s\n", err);
		exit_code = ret == -ENOENT ? 127 : 126;
	} else if (WIFEXITED(status)) {
		exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		exit_code = 128 + WTERMSIG(status);
	}

	if (kev) {
		ret = ds_kevents_stop(kev, &kevents, &klost, err, sizeof(err));
		kev = NULL;
		if (ret)
			fprintf(stderr, "drmscope record: kernel events: %s\n", err);
	}
	end_ns = now_ns(CLOCK_MONOTONIC);
	ret = ds_lttng_stop(&lt, err, sizeof(err));
	if (ret)
		fprintf(stderr, "drmscope record: %s\n", err);
	ds_lttng_teardown(&lt);

	if (!o.quiet)
		fprintf(stderr, "drmscope record: importing into %s\n", o.output);
	ret = ds_import(db, lt.trace_dir, blob_dir, !o.quiet, &istats, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "drmscope record: import: %s\n", err);
		if (exit_code == 0)
			exit_code = DRMSCOPE_EXIT_USAGE;
	}
	uname(&uts);
	cmdline = quote_command(argv + optind);
	cap = (struct ds_db_capture){
		.host = uts.nodename,
		.kernel_release = uts.release,
		.machine = uts.machine,
		.command_line = cmdline,
		.source = "record",
		.start_ns = start_ns,
		.end_ns = end_ns,
		.start_unix_ns = start_unix,
		.lost_events = klost + istats.lost,
	};
	if (ds_db_set_capture(db, &cap) < 0)
		fprintf(stderr, "drmscope record: %s\n", ds_db_errmsg(db));
	if (!o.quiet)
		fprintf(stderr, "drmscope record: %lld ioctls, %lld kernel events, %lld lost, "
			"%lld buffer contents -> %s\n", (long long)istats.ioctls,
			(long long)kevents, (long long)(klost + istats.lost),
			(long long)istats.blobs, o.output);
	if (klost + istats.lost)
		fprintf(stderr, "drmscope record: warning: %lld events were lost (kernel ring "
			"buffer %lld, LTTng %lld, buffer contents %lld, arrays %lld, shim %lld)\n",
			(long long)(klost + istats.lost), (long long)klost,
			(long long)istats.lost_discarded, (long long)istats.lost_blobs,
			(long long)istats.lost_arrays, (long long)istats.lost_shim);
out:
	if (kev)
		ds_kevents_stop(kev, &kevents, &klost, err, sizeof(err));
	ds_lttng_teardown(&lt);
	if (db && ds_db_close(db) < 0 && exit_code == 0)
		exit_code = DRMSCOPE_EXIT_USAGE;
	if (have_workdir && !getenv("DRMSCOPE_KEEP_TMP"))
		remove_tree(workdir);
	free(cmdline);
	return exit_code;
}
