/*
 * lttng_session.c: the recorder's private LTTng session daemon and session.
 *
 * The `lttng` command is used rather than liblttng-ctl: it is the interface
 * LTTng documents and keeps stable, and the handful of calls made per
 * recording cost nothing next to the workload. Its output is kept and shown
 * only when a call fails.
 */
#define _GNU_SOURCE
#include "lttng_session.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SESSION_NAME	"drmscope"
#define CHANNEL_NAME	"drmscope"

/* Run argv (no shell) with output to @log; returns its exit status or -errno. */
static int run_logged(char *const argv[], const char *log)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Copy the last line of @log into @err after @what. */
static void explain(const char *what, const char *log, char *err, size_t errlen)
{
	char buf[4096], *last = NULL, *p;
	ssize_t n = 0;
	int fd = open(log, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		off_t size = lseek(fd, 0, SEEK_END);
		off_t from = size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0;

		n = pread(fd, buf, sizeof(buf) - 1, from);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	for (p = strtok(buf, "\n"); p; p = strtok(NULL, "\n"))
		last = p;
	snprintf(err, errlen, "%s%s%s", what, last ? ": " : "", last ? last : "");
}

static int lttng(struct ds_lttng *l, const char *what, char *err, size_t errlen,
		 char *const argv[])
{
	char log[4200];
	int ret;

	snprintf(log, sizeof(log), "%s/lttng.log", l->home);
	ret = run_logged(argv, log);
	if (ret != 0) {
		if (ret == 127)
			snprintf(err, errlen, "%s: cannot run lttng (install lttng-tools)", what);
		else
			explain(what, log, err, errlen);
		return -EIO;
	}
	return 0;
}

/*
 * As root, the session daemon and the apps meet in /run/lttng, shared with
 * any system-wide daemon: give this process (and so its children) a mount
 * namespace of its own with an empty /run/lttng.
 */
static int private_rundir(char *err, size_t errlen)
{
	if (geteuid() != 0)
		return 0;
	if (unshare(CLONE_NEWNS) < 0) {
		snprintf(err, errlen, "unshare(CLONE_NEWNS): %s", strerror(errno));
		return -errno;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(err, errlen, "making mounts private: %s", strerror(errno));
		return -errno;
	}
	mkdir("/run/lttng", 0755);
	if (mount("drmscope-lttng", "/run/lttng", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
		snprintf(err, errlen, "mounting a private /run/lttng: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int start_daemon(struct ds_lttng *l, char *err, size_t errlen)
{
	struct timespec timeout = { .tv_sec = 60 };
	sigset_t usr1, old;
	char log[4200];
	pid_t pid;
	int sig;

	snprintf(log, sizeof(log), "%s/sessiond.log", l->home);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		sigprocmask(SIG_SETMASK, &old, NULL);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		execlp("lttng-sessiond", "lttng-sessiond", "--sig-parent", "--no-kernel",
		       "--quiet", (char *)NULL);
		_exit(127);
	}
	do {
		sig = sigtimedwait(&usr1, NULL, &timeout);
	} while (sig < 0 && errno == EINTR);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (sig != SIGUSR1) {
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 127) {
			snprintf(err, errlen, "cannot run lttng-sessiond (install lttng-tools)");
		} else {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			explain("lttng-sessiond did not start", log, err, errlen);
		}
		return -EIO;
	}
	l->sessiond = pid;
	return 0;
}

int ds_lttng_start(struct ds_lttng *l, const char *workdir, char *err, size_t errlen)
{
	char output[4200];
	int ret;

	memset(l, 0, sizeof(*l));
	snprintf(l->home, sizeof(l->home), "%s/lttng-home", workdir);
	snprintf(l->trace_dir, sizeof(l->trace_dir), "%s/ust", workdir);
	if (mkdir(l->home, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", l->home, strerror(errno));
		return -errno;
	}
	setenv("LTTNG_HOME", l->home, 1);
	ret = private_rundir(err, errlen);
	if (ret)
		return ret;
	ret = start_daemon(l, err, errlen);
	if (ret)
		return ret;

	snprintf(output, sizeof(output), "--output=%s", l->trace_dir);
	ret = lttng(l, "lttng create", err, errlen, (char *[]){
		"lttng", "--quiet", "create", SESSION_NAME, output, NULL });
	if (ret)
		return ret;
	l->session_created = 1;
	ret = lttng(l, "lttng enable-channel", err, errlen, (char *[]){
		"lttng", "--quiet", "enable-channel", "--userspace", "--session=" SESSION_NAME,
		"--blocking-timeout=inf", "--subbuf-size=1M", "--num-subbuf=8",
		"--buffers-uid", CHANNEL_NAME, NULL });
	if (ret)
		return ret;
	ret = lttng(l, "lttng enable-event", err, errlen, (char *[]){
		"lttng", "--quiet", "enable-event", "--userspace", "--session=" SESSION_NAME,
		"--channel=" CHANNEL_NAME, "drmscope:*", NULL });
	if (ret)
		return ret;
	ret = lttng(l, "lttng add-context", err, errlen, (char *[]){
		"lttng", "--quiet", "add-context", "--userspace", "--session=" SESSION_NAME,
		"--channel=" CHANNEL_NAME, "--type=vpid", "--type=vtid", "--type=procname", NULL });
	if (ret)
		return ret;
	return lttng(l, "lttng start", err, errlen, (char *[]){
		"lttng", "--quiet", "start", SESSION_NAME, NULL });
}

int ds_lttng_stop(struct ds_lttng *l, char *err, size_t errlen)
{
	return lttng(l, "lttng stop", err, errlen, (char *[]){
		"lttng", "--quiet", "stop", SESSION_NAME, NULL });
}

void ds_lttng_teardown(struct ds_lttng *l)
{
	char err[256];

	if (l->session_created)
		lttng(l, "lttng destroy", err, sizeof(err), (char *[]){
			"lttng", "--quiet", "destroy", SESSION_NAME, NULL });
	l->session_created = 0;
	if (l->sessiond > 0) {
		kill(l->sessiond, SIGTERM);
		waitpid(l->sessiond, NULL, 0);
		l->sessiond = 0;
	}
}
