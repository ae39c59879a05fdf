/*
 * tracer/shim_blob.c: buffer contents, content-addressed, written once.
 *
 * Buffer contents (BOs read by a submission, framebuffers at a KMS commit,
 * large ioctl arrays) stay out of the CTF trace: babeltrace2 decodes byte
 * arrays one element at a time. They go to an append-only side file
 * <DRMSCOPE_BLOB_DIR>/blobs-<pid>.bin, one record per distinct content:
 *
 *	struct blob_header (40 bytes, little-endian, see shim.h)
 *	  magic "DSB1", version 1, encoding (0 raw, 1 zstd frame),
 *	  raw_size, stored_size, XXH3-128 of the raw content (canonical form)
 *	stored_size bytes
 *
 * The trace names a content by its hash (hash_hi:hash_lo = the canonical
 * 32 hex digits). A process remembers the hashes it wrote and writes each
 * content once; a forked child starts its own file and inherits the
 * parent's memory of what is already on disk. Records are written with one
 * writev() on an O_APPEND file, so a record is never interleaved with
 * another; a reader stops at a short final record (a crash mid-write).
 *
 * Without DRMSCOPE_BLOB_DIR contents are hashed but not kept. If the
 * program closes the file under us (and perhaps reuses its number), the
 * next record reopens it. If writing fails (disk full), storing stops for
 * good and the caller records the loss.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zstd.h>

#include "shim.h"

static pthread_mutex_t blob_lock = PTHREAD_MUTEX_INITIALIZER;
static char *blob_dir;
static bool blob_compress;
static bool blob_broken;
static int blob_fd = -1;
static pid_t blob_pid;
static dev_t blob_dev;
static ino_t blob_ino;

/* Hashes already in the blob directory: open addressing, never shrinks. */
static struct {
	uint64_t (*h)[2];
	size_t cap, n;
} seen;

void blob_hash(const void *data, size_t len, uint64_t *hi, uint64_t *lo)
{
	XXH128_hash_t h = XXH3_128bits(data, len);

	*hi = h.high64;
	*lo = h.low64;
}

void blob_configure(const char *dir, bool compress)
{
	pthread_mutex_lock(&blob_lock);
	free(blob_dir);
	blob_dir = dir && *dir ? strdup(dir) : NULL;
	blob_compress = compress;
	blob_broken = false;
	/* A new directory starts empty: forget the old file and hashes. */
	if (blob_fd >= 0 && blob_pid == shim_pid)
		real_close(blob_fd);
	blob_fd = -1;
	free(seen.h);
	memset(&seen, 0, sizeof(seen));
	pthread_mutex_unlock(&blob_lock);
}

static bool seen_has(uint64_t hi, uint64_t lo)
{
	size_t i;

	if (!seen.cap)
		return false;
	for (i = (size_t)lo & (seen.cap - 1); seen.h[i][0] | seen.h[i][1];
	     i = (i + 1) & (seen.cap - 1))
		if (seen.h[i][0] == hi && seen.h[i][1] == lo)
			return true;
	return false;
}

static void seen_add(uint64_t hi, uint64_t lo)
{
	size_t i;

	if (!(hi | lo))
		lo = 1;		/* (0, 0) marks empty slots; a 2^-128 event */
	if ((seen.n + 1) * 2 > seen.cap) {
		size_t cap = seen.cap ? seen.cap * 2 : 256;
		uint64_t (*h)[2] = calloc(cap, sizeof(*h));

		if (!h)
			return;	/* the content may be written again: harmless */
		for (i = 0; i < seen.cap; i++) {
			size_t j;

			if (!(seen.h[i][0] | seen.h[i][1]))
				continue;
			for (j = (size_t)seen.h[i][1] & (cap - 1); h[j][0] | h[j][1];
			     j = (j + 1) & (cap - 1))
				;
			h[j][0] = seen.h[i][0];
			h[j][1] = seen.h[i][1];
		}
		free(seen.h);
		seen.h = h;
		seen.cap = cap;
	}
	for (i = (size_t)lo & (seen.cap - 1); seen.h[i][0] | seen.h[i][1];
	     i = (i + 1) & (seen.cap - 1))
		;
	seen.h[i][0] = hi;
	seen.h[i][1] = lo;
	seen.n++;
}

/* Open this process's file if needed, and check it is still ours. */
static int ensure_file(void)
{
	char path[PATH_MAX];
	struct stat st;

	if (blob_fd >= 0 && blob_pid == shim_pid) {
		if (fstat(blob_fd, &st) == 0 && st.st_dev == blob_dev &&
		    st.st_ino == blob_ino)
			return 0;
		/* Closed by the program and maybe reused: not ours any more.
		 * Leave that fd alone and open our file again. */
		blob_fd = -1;
	}
	if (snprintf(path, sizeof(path), "%s/blobs-%d.bin", blob_dir,
		     (int)shim_pid) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	blob_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (blob_fd < 0)
		return -errno;
	if (fstat(blob_fd, &st)) {
		int err = -errno;

		real_close(blob_fd);
		blob_fd = -1;
		return err;
	}
	blob_dev = st.st_dev;
	blob_ino = st.st_ino;
	blob_pid = shim_pid;
	return 0;
}

static int write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static int write_record(const void *data, size_t len, uint64_t hi, uint64_t lo)
{
	struct blob_header h = { .magic = BLOB_MAGIC, .version = 1 };
	void *z = NULL;
	struct iovec iov[2];
	int err;

	err = ensure_file();
	if (err)
		return err;
	h.raw_size = len;
	h.stored_size = len;
	put_be64(h.hash, hi);
	put_be64(h.hash + 8, lo);
	iov[1].iov_base = (void *)data;
	iov[1].iov_len = len;
	if (blob_compress && len > 64) {
		size_t bound = ZSTD_compressBound(len), zn;

		z = malloc(bound);
		if (z) {
			zn = ZSTD_compress(z, bound, data, len, 1);
			if (!ZSTD_isError(zn) && zn < len) {
				h.encoding = 1;
				h.stored_size = zn;
				iov[1].iov_base = z;
				iov[1].iov_len = zn;
			}
		}
	}
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	err = write_all(blob_fd, iov, 2);
	free(z);
	return err;
}

int blob_put(const void *data, size_t len, uint64_t *hi, uint64_t *lo,
	     int *stored)
{
	/*
	 * The program's threads (and the GPU) may write the buffer while it is
	 * read: hash and store one private copy, so the stored bytes are the
	 * bytes the hash names.
	 */
	void *copy = len ? malloc(len) : NULL;
	int err = 0;

	if (copy) {
		memcpy(copy, data, len);
		data = copy;
	}
	blob_hash(data, len, hi, lo);
	*stored = 0;
	pthread_mutex_lock(&blob_lock);
	if (!blob_dir || blob_broken)
		goto out;
	if (seen_has(*hi, *lo)) {
		*stored = 1;
		goto out;
	}
	err = write_record(data, len, *hi, *lo);
	if (err) {
		blob_broken = true;
		goto out;
	}
	seen_add(*hi, *lo);
	*stored = 1;
out:
	pthread_mutex_unlock(&blob_lock);
	free(copy);
	if (err) {
		char msg[96];

		snprintf(msg, sizeof(msg), "writing buffer contents to %s failed",
			 blob_dir ? blob_dir : "?");
		/* Storing stops; tracing goes on, the loss is in the trace. */
		shim_warn(msg, -err);
	}
	return err;
}

void blob_atfork_prepare(void)
{
	pthread_mutex_lock(&blob_lock);
}

void blob_atfork_parent(void)
{
	pthread_mutex_unlock(&blob_lock);
}

void blob_atfork_child(void)
{
	/* The child writes its own file; the parent's stays the parent's. */
	if (blob_fd >= 0)
		real_close(blob_fd);
	blob_fd = -1;
	pthread_mutex_unlock(&blob_lock);
}

void blob_fd_closed(int fd)
{
	/* Racy read on purpose: ensure_file() checks the identity anyway. */
	if (fd >= 0 && fd == blob_fd && blob_pid == shim_pid)
		blob_fd = -1;
}
