/*
 * forkexec.c: a traced program that forks and execs, for record_forkexec.sh.
 *
 *   record_forkexec DEVICE          parent: DRM_IOCTL_VERSION, fork; the child
 *                                   uses the inherited fd, then execs itself
 *   record_forkexec --exec DEVICE   after exec: opens DEVICE anew
 *
 * Each step prints the pid that made its calls, so the test can look for
 * them in the capture.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xf86drm.h>

static int version(int fd, const char *who)
{
	drmVersionPtr v = drmGetVersion(fd);

	if (!v) {
		fprintf(stderr, "%s: DRM_IOCTL_VERSION failed\n", who);
		return 1;
	}
	printf("%s pid=%d driver=%s\n", who, (int)getpid(), v->name);
	fflush(stdout);
	drmFreeVersion(v);
	return 0;
}

int main(int argc, char **argv)
{
	int fd, status;
	pid_t child;

	if (argc == 3 && !strcmp(argv[1], "--exec")) {
		fd = open(argv[2], O_RDWR | O_CLOEXEC);
		return fd < 0 ? 1 : version(fd, "exec");
	}
	if (argc != 2) {
		fprintf(stderr, "usage: record_forkexec DEVICE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || version(fd, "parent"))
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		if (version(fd, "child"))
			_exit(1);
		execl("/proc/self/exe", argv[0], "--exec", argv[1], (char *)NULL);
		_exit(127);
	}
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status) ? 1 : version(fd, "parent-after");
}
