/*
 * bench/replay_bench.c: the C side of bench/replay_bench.sh (run inside the
 * test VM, on vgem).
 *
 *   replay_bench capture-version N OUT.db   record N DRM_IOCTL_VERSION calls
 *   replay_bench capture-dumb N OUT.db      record N CREATE_DUMB + GEM_CLOSE pairs
 *   replay_bench plain-version N            time N DRM_IOCTL_VERSION calls
 *   replay_bench plain-dumb N               time N CREATE_DUMB + GEM_CLOSE pairs
 *   replay_bench capture-restore K MIB OUT.db
 *                                           a dumb BO of MIB MiB, then K calls each
 *                                           with a snapshot of all of it (new bytes
 *                                           each time), for the restore speed
 *   replay_bench memcpy K MIB               time K memcpy()s of MIB MiB into a
 *                                           fresh dumb BO's mapping
 *
 * The plain loops are what a C program making the same ioctls costs: the
 * ioctl and nothing else. Prints one number: ns per call (or per pair), or
 * MiB/s. The captures go through tests/replay/caprec.c, which records what
 * the capture contract says (docs/replay.md).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <xf86drm.h>

#include "caprec.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int open_vgem(char *path, size_t len)
{
	struct dirent **list = NULL;
	int n = scandir("/dev/dri", &list, NULL, alphasort), i, fd = -1;

	for (i = 0; i < n; i++) {
		if (fd < 0 && !strncmp(list[i]->d_name, "card", 4)) {
			int f;
			drmVersionPtr v;

			snprintf(path, len, "/dev/dri/%s", list[i]->d_name);
			f = open(path, O_RDWR | O_CLOEXEC);
			v = f >= 0 ? drmGetVersion(f) : NULL;
			if (v && !strcmp(v->name, "vgem"))
				fd = f;
			else if (f >= 0)
				close(f);
			if (v)
				drmFreeVersion(v);
		}
		free(list[i]);
	}
	free(list);
	if (fd < 0) {
		fprintf(stderr, "replay_bench: no vgem card node\n");
		exit(1);
	}
	return fd;
}

static void check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "replay_bench: %s: %s\n", what, strerror(-rc));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	char path[300];
	const char *mode = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0, i;
	int fd;

	if (n <= 0) {
		fprintf(stderr, "usage: see bench/replay_bench.c\n");
		return 2;
	}
	fd = open_vgem(path, sizeof(path));

	if (!strcmp(mode, "plain-version") || !strcmp(mode, "plain-dumb")) {
		bool dumb = !strcmp(mode, "plain-dumb");
		int64_t t = now_ns();

		for (i = 0; i < n; i++) {
			if (dumb) {
				struct drm_mode_create_dumb cd = { .width = 64, .height = 64, .bpp = 32 };
				struct drm_gem_close gc = { 0 };

				check(caprec_raw_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd), "CREATE_DUMB");
				gc.handle = cd.handle;
				check(caprec_raw_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &gc), "GEM_CLOSE");
			} else {
				struct drm_version v = { 0 };

				check(caprec_raw_ioctl(fd, DRM_IOCTL_VERSION, &v), "VERSION");
			}
		}
		printf("%.1f\n", (double)(now_ns() - t) / (double)n);
		return 0;
	}
	if (!strcmp(mode, "capture-version") || !strcmp(mode, "capture-dumb")) {
		bool dumb = !strcmp(mode, "capture-dumb");
		struct caprec r;
		int ret = 0, fdi;

		if (argc < 4 || caprec_open(&r, argv[3]))
			return 1;
		fdi = caprec_fd(&r, caprec_device(&r, path, "vgem"), fd);
		for (i = 0; i < n; i++) {
			if (dumb) {
				struct drm_mode_create_dumb cd = { .width = 64, .height = 64, .bpp = 32 };
				struct drm_gem_close gc = { 0 };

				if (caprec_ioctl(&r, fdi, DRM_IOCTL_MODE_CREATE_DUMB, &cd, &ret) < 0)
					return 1;
				check(ret, "CREATE_DUMB");
				gc.handle = cd.handle;
				if (caprec_ioctl(&r, fdi, DRM_IOCTL_GEM_CLOSE, &gc, &ret) < 0)
					return 1;
				check(ret, "GEM_CLOSE");
			} else {
				struct drm_version v = { 0 };

				if (caprec_ioctl(&r, fdi, DRM_IOCTL_VERSION, &v, &ret) < 0)
					return 1;
				check(ret, "VERSION");
			}
		}
		return caprec_close(&r) ? 1 : 0;
	}
	if (!strcmp(mode, "capture-restore") || !strcmp(mode, "memcpy")) {
		bool cap = mode[0] == 'c';
		size_t mib = argc > 3 ? (size_t)atol(argv[3]) : 16, size = mib << 20;
		struct drm_mode_create_dumb cd = { .width = 1024, .height = (uint32_t)(mib * 256),
						   .bpp = 32 };
		struct drm_mode_map_dumb md = { 0 };
		struct caprec r;
		uint8_t *src, *map;
		int64_t t, spent = 0;
		int ret = 0, fdi = 0;

		/*
		 * K distinct contents, as a replay restores K distinct blobs: the
		 * memcpy baseline reads as much different memory as the restores.
		 */
		src = malloc(size * (size_t)n);
		if (!src)
			return 1;
		{
			/* Pseudo-random bytes: every content differs everywhere. */
			uint64_t x = 0x9e3779b97f4a7c15ull;

			for (i = 0; i < (long)size * n; i += 8) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				memcpy(src + i, &x, 8);
			}
		}
		if (cap) {
			if (argc < 5 || caprec_open(&r, argv[4]))
				return 1;
			fdi = caprec_fd(&r, caprec_device(&r, path, "vgem"), fd);
			if (caprec_ioctl(&r, fdi, DRM_IOCTL_MODE_CREATE_DUMB, &cd, &ret) < 0)
				return 1;
		} else {
			ret = caprec_raw_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd);
		}
		check(ret, "CREATE_DUMB");
		md.handle = cd.handle;
		check(caprec_raw_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &md), "MAP_DUMB");
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)md.offset);
		if (map == MAP_FAILED)
			return 1;
		for (i = 0; i < n; i++) {
			uint8_t *from = src + (size_t)i * size;

			if (cap) {
				struct drm_version v = { 0 };
				int64_t id = caprec_ioctl(&r, fdi, DRM_IOCTL_VERSION, &v, &ret);

				if (id < 0 || caprec_snapshot(&r, id, fdi, cd.handle, 0, from, size))
					return 1;
			} else {
				t = now_ns();
				memcpy(map, from, size);
				spent += now_ns() - t;
			}
		}
		if (cap)
			return caprec_close(&r) ? 1 : 0;
		printf("%.1f\n", (double)(n * (long)mib) / (spent / 1e9));
		return 0;
	}
	fprintf(stderr, "replay_bench: unknown mode %s\n", mode);
	return 2;
}
