/*
 * tracer_loop.c: the inner loop of bench/tracer_bench.sh. Makes N cheap
 * ioctls (DRM_IOCTL_GET_CAP on /dev/full, which answers ENOTTY at once) and
 * prints the nanoseconds per iteration. Modes:
 *   bare   the ioctl alone
 *   event  the ioctl plus one bare LTTng-UST event (drmscope:fd_close of fd -1,
 *          which the importer ignores), to price an event by itself
 * Run under `drmscope record` so a session is listening; the shim is on or
 * off (DRMSCOPE_SHIM=off) as the script says.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <drm.h>

#define LTTNG_UST_TRACEPOINT_DEFINE
#include "drmscope_tp.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct drm_get_cap cap = { .capability = DRM_CAP_DUMB_BUFFER };
	int event, fd;
	long i, n;
	int64_t t0, t1;

	if (argc != 3 || (strcmp(argv[1], "bare") && strcmp(argv[1], "event"))) {
		fprintf(stderr, "usage: tracer_loop bare|event N\n");
		return 2;
	}
	event = !strcmp(argv[1], "event");
	n = atol(argv[2]);
	fd = open("/dev/full", O_RDWR);
	if (fd < 0)
		return 1;
	for (i = 0; i < n / 10; i++)	/* warm up */
		ioctl(fd, DRM_IOCTL_GET_CAP, &cap);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		ioctl(fd, DRM_IOCTL_GET_CAP, &cap);
		if (event)
			lttng_ust_tracepoint(drmscope, fd_close, -1);
	}
	t1 = now_ns();
	printf("%.1f\n", (double)(t1 - t0) / (double)n);
	close(fd);
	return 0;
}
