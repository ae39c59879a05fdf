/*
 * tests/replay/caprec.h: write capture databases for the replay tests.
 *
 * Two ways: by hand (caprec_call() with the bytes given, for host unit
 * tests and malformed captures), or by making the ioctl for real
 * (caprec_ioctl(), inside the test VM): the argument struct is recorded
 * before and after the call and every array its pointers lead to is
 * deep-copied with ds_uapi_walk(), IN phase before the call and OUT phase
 * after, exactly as the capture contract says (docs/replay.md). That makes
 * the replay testable before, and independently of, `drmscope record`.
 */
#ifndef CAPREC_H
#define CAPREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ds_db;
struct ds_kevents;

struct caprec_fd {
	int fd;
	int64_t fd_id;
	int dev;
};

struct caprec {
	struct ds_db *db;
	int64_t dev_id[8];
	const char *dev_driver[8];
	int ndev;
	struct caprec_fd fds[16];
	int nfds;
	struct ds_kevents *kev;
	struct ds_db *evdb;	/* the kernel events' own file (one thread per handle) */
	char evpath[512];
	int pid;
};

/* One array row given by hand. */
struct caprec_array {
	int out;		/* 0: array_in, 1: array_out */
	int idx;
	const char *field;
	const void *bytes;
	size_t size;
};

int caprec_open(struct caprec *r, const char *path);
/* A device row; returns its index. */
int caprec_device(struct caprec *r, const char *path, const char *driver);
/* An fd row of device @dev for fd number @fd; returns its index. */
int caprec_fd(struct caprec *r, int dev, int fd);

/* A call by hand: in/out bytes (NULL: none), arrays, result. Returns its id. */
int64_t caprec_call(struct caprec *r, int fdi, uint32_t request, const void *in,
		    size_t in_size, const void *out, size_t out_size,
		    const struct caprec_array *arrays, int narrays, int64_t ret, int err);

/*
 * Make the ioctl on fd index @fdi and record it. Returns the ioctl id (> 0)
 * and sets *@ret (0 or -errno); < 0 if recording failed.
 */
int64_t caprec_ioctl(struct caprec *r, int fdi, unsigned long request, void *arg, int *ret);

/* A buffer snapshot of @size bytes at @data, attached to call @ioctl_id. */
int caprec_snapshot(struct caprec *r, int64_t ioctl_id, int fdi, uint32_t handle,
		    uint64_t offset, const void *data, size_t size);

/* Kernel events during the capture (for simgpu job rows); root only. */
int caprec_kevents_start(struct caprec *r);
/* Stop, then derive queue and job rows from the simgpu events. */
int caprec_kevents_stop(struct caprec *r);

int caprec_close(struct caprec *r);

/* ioctl retried on EINTR/EAGAIN; 0 or -errno. */
int caprec_raw_ioctl(int fd, unsigned long request, void *arg);

#endif
