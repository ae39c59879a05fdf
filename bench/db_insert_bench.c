/*
 * bench/db_insert_bench.c: how fast the database writer (lib/db) inserts.
 *
 * usage: db_insert_bench [ROWS] [DIR]
 *
 * Creates a throw-away capture in DIR (default $TMPDIR or /tmp) and times,
 * in one run: ROWS ioctl rows without payloads, ROWS ioctl rows each with
 * 64 bytes of in and out argument (columns of the same row since schema
 * version 5), ROWS kernel events, ds_db_finish_import()
 * (indexes and ANALYZE), and 256 buffer blobs of 64 KiB put twice each
 * (the second put of each is a dedup hit). Prints rows per second and the
 * file's bytes per ioctl. The target on the development machine is about
 * 1M ioctl rows/s for the first case (DESIGN.md: SQLite does about 1M
 * rows/s with prepared statements in large transactions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <drmscope/db.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int insert_ioctls(struct ds_db *db, long rows, int64_t t0, bool payload)
{
	unsigned char in[64], out[64];
	struct ds_db_ioctl io = {
		.pid = 100, .tid = 101, .fd = 5, .fd_id = 1, .device_id = 1,
		.request = 0xc0186441, .name = "SIMGPU_SUBMIT", .driver = "simgpu",
	};
	long i;

	memset(in, 0x11, sizeof(in));
	memset(out, 0x22, sizeof(out));
	for (i = 0; i < rows; i++) {
		io.begin_ns = t0 + i * 1000;
		io.end_ns = io.begin_ns + 300 + i % 50;
		io.ret = 0;
		if (payload) {
			memcpy(in, &i, sizeof(i));
			io.in = in;
			io.in_size = sizeof(in);
			io.out = out;
			io.out_size = sizeof(out);
		}
		if (ds_db_insert_ioctl(db, &io) < 0)
			return -1;
	}
	return ds_db_commit(db);
}

static int insert_events(struct ds_db *db, long rows)
{
	struct ds_db_kernel_event e = {
		.cpu = 1, .pid = 100, .system = "dma_fence", .name = "dma_fence_signaled",
		.fields_json = "{\"context\":12,\"seqno\":34}",
	};
	long i;

	for (i = 0; i < rows; i++) {
		e.ns = 5000000000LL + i * 700;
		if (ds_db_insert_kernel_event(db, &e) < 0)
			return -1;
	}
	return ds_db_commit(db);
}

static int put_blobs(struct ds_db *db, int count, size_t size)
{
	char hash[DS_DB_HASH_HEX_LEN + 1];
	unsigned char *buf = malloc(size);
	int i, pass, rc = 0;
	size_t j;

	if (!buf)
		return -1;
	for (pass = 0; pass < 2 && !rc; pass++) {
		for (i = 0; i < count && !rc; i++) {
			for (j = 0; j < size; j++)
				buf[j] = (unsigned char)(j / 64 + i);
			if (ds_db_put_blob(db, buf, size, hash) < 0)
				rc = -1;
		}
	}
	free(buf);
	return rc ? rc : ds_db_commit(db);
}

static void report(const char *what, long rows, double secs)
{
	printf("%-36s %9ld rows  %7.3f s  %10.0f rows/s\n", what, rows, secs, rows / secs);
}

int main(int argc, char **argv)
{
	long rows = argc > 1 ? atol(argv[1]) : 1000000;
	const char *dir = argc > 2 ? argv[2] : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	char path[4096];
	struct ds_db *db;
	struct stat sb;
	double t;
	int status = 1;

	if (rows <= 0) {
		fprintf(stderr, "usage: db_insert_bench [ROWS] [DIR]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/db_insert_bench.%d.db", dir, (int)getpid());
	if (ds_db_create(path, &db))
		goto fail;

	t = now();
	if (insert_ioctls(db, rows, 1000000, false))
		goto fail;
	report("ioctl, no payload", rows, now() - t);

	t = now();
	if (insert_ioctls(db, rows, 1000000000000LL, true))
		goto fail;
	report("ioctl + 64-byte in/out bytes", rows, now() - t);

	t = now();
	if (insert_events(db, rows))
		goto fail;
	report("kernel_event", rows, now() - t);

	t = now();
	if (put_blobs(db, 256, 65536))
		goto fail;
	report("blob 64 KiB, half of them dedup hits", 512, now() - t);

	t = now();
	if (ds_db_finish_import(db))
		goto fail;
	printf("%-36s %9s       %7.3f s\n", "finish_import (indexes, ANALYZE)", "", now() - t);

	if (ds_db_close(db)) {
		db = NULL;
		goto fail;
	}
	db = NULL;
	if (!stat(path, &sb))
		printf("file: %lld bytes, %.1f bytes per ioctl or event row\n",
		       (long long)sb.st_size, (double)sb.st_size / (3.0 * rows));
	status = 0;
	goto out;
fail:
	fprintf(stderr, "db_insert_bench: %s\n", ds_db_errmsg(db));
out:
	ds_db_close(db);
	unlink(path);
	return status;
}
