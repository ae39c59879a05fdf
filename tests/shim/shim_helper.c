/*
 * tests/shim/shim_helper.c: the program that tests/shim/test_shim.sh runs
 * with and without libdrmscope-shim.so preloaded.
 *
 * It does what a GPU client does to its device fds, on stand-in "devices"
 * the host has (a character device such as /dev/null, a FIFO, a regular
 * file) that the test adds to DRMSCOPE_DEVICES: open, DRM ioctls (they
 * fail with ENOTTY, and must be recorded anyway), ioctls with arrays, bad
 * pointers, successful ioctls that must leave errno alone, dup/dup2/dup3/
 * F_DUPFD, mmap/munmap, close and reuse of the number for a file that is
 * not a device, threads, an ioctl from a signal handler, fork, and exec.
 *
 * Stdout gets one line per operation with its return value and errno: the
 * test requires it to be byte-identical with and without the shim. The fd
 * numbers and pids the trace must show go to the file named by
 * $HELPER_NOTES as "key=value" lines (they legitimately differ between the
 * two runs, since LTTng-UST opens fds of its own).
 *
 * Usage: shim_helper CHARDEV FIFO REGULAR OTHER
 *        shim_helper --exec-child FD        (the exec'd image)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm/drm.h>

#define NTHREADS	4
#define PER_THREAD	50

static FILE *notes;
static int dev_fd = -1;

static void note(const char *fmt, ...)
{
	va_list ap;

	if (!notes)
		return;
	va_start(ap, fmt);
	vfprintf(notes, fmt, ap);
	va_end(ap);
	fputc('\n', notes);
	fflush(notes);
}

/* One line per operation: what the program saw. */
static void show(const char *what, long ret, int err)
{
	printf("%-28s ret=%ld errno=%d (%s)\n", what, ret, ret < 0 ? err : 0,
	       ret < 0 ? strerror(err) : "-");
	fflush(stdout);
}

/* Run @expr with errno cleared and show its result and errno. */
#define DO(label, expr) do {						\
	long r_;							\
	errno = 0;							\
	r_ = (expr);							\
	show(label, r_, errno);						\
} while (0)

static void *thread_main(void *p)
{
	struct drm_get_cap cap = { .capability = (uintptr_t)p };
	int i, bad = 0;

	for (i = 0; i < PER_THREAD; i++) {
		errno = 0;
		if (ioctl(dev_fd, DRM_IOCTL_GET_CAP, &cap) != -1 || errno != ENOTTY)
			bad++;
	}
	return (void *)(intptr_t)bad;
}

static volatile sig_atomic_t sig_ret, sig_errno;

static void on_usr1(int sig)
{
	struct drm_gem_close c = { .handle = 77 };
	int saved = errno;

	(void)sig;
	sig_ret = ioctl(dev_fd, DRM_IOCTL_GEM_CLOSE, &c);
	sig_errno = errno;
	errno = saved;
}

static int exec_child(int fd)
{
	struct drm_gem_flink fl = { .handle = 4242 };
	long ret;

	note("exec_pid=%d", (int)getpid());
	errno = 0;
	ret = ioctl(fd, DRM_IOCTL_GEM_FLINK, &fl);
	show("exec: GEM_FLINK", ret, errno);
	return ret == -1 && errno == ENOTTY ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *chardev, *fifo, *regular, *other;
	char name[16], date[16], desc[16];
	struct drm_version ver = {
		.name_len = sizeof(name), .name = name,
		.date_len = sizeof(date), .date = date,
		.desc_len = sizeof(desc), .desc = desc,
	};
	struct drm_get_cap cap = { .capability = DRM_CAP_SYNCOBJ };
	uint32_t handles[3] = { 11, 22, 33 };
	struct drm_syncobj_wait wait = {
		.handles = (uintptr_t)handles, .count_handles = 3,
		.timeout_nsec = 1000,
	};
	pthread_t th[NTHREADS];
	int fd, fd2, fd3, fd4, fifo_fd, reg_fd, other_fd, n, i, status;
	long ret;
	void *map;
	pid_t pid;

	if (argc == 3 && !strcmp(argv[1], "--exec-child")) {
		if (getenv("HELPER_NOTES"))
			notes = fopen(getenv("HELPER_NOTES"), "a");
		return exec_child(atoi(argv[2]));
	}
	if (argc != 5) {
		fprintf(stderr, "usage: %s CHARDEV FIFO REGULAR OTHER\n", argv[0]);
		return 2;
	}
	chardev = argv[1];
	fifo = argv[2];
	regular = argv[3];
	other = argv[4];
	if (getenv("HELPER_NOTES"))
		notes = fopen(getenv("HELPER_NOTES"), "w");
	note("pid=%d", (int)getpid());

	/* open + ioctls that fail: recorded, and errno is the kernel's. */
	errno = 0;
	fd = open(chardev, O_RDWR);
	show("open chardev", fd < 0 ? -1 : 0, errno);
	if (fd < 0)
		return 1;
	dev_fd = fd;
	note("dev_fd=%d", fd);
	errno = 0;
	ret = ioctl(fd, DRM_IOCTL_VERSION, &ver);
	show("DRM_IOCTL_VERSION", ret, errno);
	errno = 0;
	ret = ioctl(fd, DRM_IOCTL_GET_CAP, &cap);
	show("DRM_IOCTL_GET_CAP", ret, errno);
	errno = 0;
	ret = ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &wait);
	show("DRM_IOCTL_SYNCOBJ_WAIT", ret, errno);
	/* Bad pointers: the kernel says ENOTTY here; the shim must not crash. */
	errno = 0;
	ret = ioctl(fd, DRM_IOCTL_GET_CAP, (void *)16);
	show("GET_CAP bad pointer", ret, errno);
	wait.handles = 0xdead0000;
	errno = 0;
	ret = ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &wait);
	show("SYNCOBJ_WAIT bad array", ret, errno);
	errno = 0;
	ret = ioctl(fd, DRM_IOCTL_SET_MASTER, 0);
	show("DRM_IOCTL_SET_MASTER", ret, errno);

	/* A successful ioctl leaves errno as it was. */
	fifo_fd = open(fifo, O_RDWR | O_NONBLOCK);
	show("open fifo", fifo_fd < 0 ? -1 : 0, errno);
	note("fifo_fd=%d", fifo_fd);
	errno = EBUSY;
	n = -1;
	ret = ioctl(fifo_fd, FIONREAD, &n);
	printf("%-28s ret=%ld n=%d errno-kept=%d\n", "FIONREAD on fifo", ret, n,
	       errno == EBUSY);

	/* dup, dup2, dup3, F_DUPFD_CLOEXEC: each new number is traced. */
	fd2 = dup(fd);
	fd3 = dup2(fd, 100);
	fd4 = fcntl(fd, F_DUPFD_CLOEXEC, 200);
	n = dup3(fd, 150, O_CLOEXEC);
	printf("%-28s %d %d %d %d\n", "dups ok", fd2 >= 0, fd3 == 100, fd4 >= 200,
	       n == 150);
	note("dup_fd=%d", fd2);
	note("dup2_fd=%d", fd3);
	note("dupfd_fd=%d", fd4);
	note("dup3_fd=%d", n);
	DO("GET_CAP on dup", ioctl(fd2, DRM_IOCTL_GET_CAP, &cap));
	DO("GET_CAP on dup2", ioctl(fd3, DRM_IOCTL_GET_CAP, &cap));
	DO("GET_CAP on F_DUPFD", ioctl(fd4, DRM_IOCTL_GET_CAP, &cap));
	DO("GET_CAP on dup3", ioctl(n, DRM_IOCTL_GET_CAP, &cap));
	close(n);

	/* close, then the number is reused by a file that is no device. */
	close(fd2);
	other_fd = open(other, O_RDONLY);
	note("reused_fd=%d", other_fd);
	printf("%-28s %d\n", "number reused", other_fd == fd2);
	n = -1;
	DO("FIONREAD on non-device", ioctl(other_fd, FIONREAD, &n));
	close(other_fd);

	/* mmap/munmap of a traced regular file. */
	reg_fd = open(regular, O_RDWR);
	note("reg_fd=%d", reg_fd);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, reg_fd, 0);
	show("mmap regular", map == MAP_FAILED ? -1 : 0, errno);
	note("map=%p", map);
	if (map != MAP_FAILED)
		DO("munmap", munmap(map, 4096));
	errno = 0;
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	show("mmap chardev", map == MAP_FAILED ? -1 : 0, errno);
	if (map != MAP_FAILED)
		munmap(map, 4096);

	/* Threads: each has its own sequence numbers. */
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, thread_main, (void *)(intptr_t)(i + 1));
	for (n = 0, i = 0; i < NTHREADS; i++) {
		void *bad;

		pthread_join(th[i], &bad);
		n += (int)(intptr_t)bad;
	}
	printf("%-28s bad=%d\n", "threads", n);

	/* An ioctl from a signal handler. */
	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	printf("%-28s ret=%d errno=%d\n", "ioctl in signal handler",
	       (int)sig_ret, (int)sig_errno);

	/* fork: the child's ioctls are its own. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct drm_syncobj_destroy d = { .handle = 9 };

		note("child_pid=%d", (int)getpid());
		errno = 0;
		ret = ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
		_exit(ret == -1 && errno == ENOTTY ? 7 : 8);
	}
	waitpid(pid, &status, 0);
	printf("%-28s exited=%d code=%d\n", "fork child", WIFEXITED(status),
	       WEXITSTATUS(status));

	/* exec: the fd (no CLOEXEC) survives, the new image traces it. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char num[16];

		snprintf(num, sizeof(num), "%d", fd3);
		execl("/proc/self/exe", argv[0], "--exec-child", num, (char *)NULL);
		_exit(9);
	}
	waitpid(pid, &status, 0);
	printf("%-28s exited=%d code=%d\n", "exec child", WIFEXITED(status),
	       WEXITSTATUS(status));

	/* close_range over a traced fd. */
	close_range((unsigned)fd4, (unsigned)fd4, 0);
	DO("GET_CAP after close_range", ioctl(fd4, DRM_IOCTL_GET_CAP, &cap));

	close(fifo_fd);
	close(reg_fd);
	close(fd3);
	close(fd);
	return 0;
}
