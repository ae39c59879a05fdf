/*
 * tests/replay/caprec.c: capture databases for the replay tests (see
 * caprec.h). Only the database API (include/drmscope/db.h) and the shared
 * uapi walker are used, so what is written is what any recorder following
 * the contract writes.
 */
#define _GNU_SOURCE
#include "caprec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <drmscope/db.h>
#include <drmscope/uapi.h>

#include "kevents.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int caprec_raw_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	return ret < 0 ? -errno : ret;
}

int caprec_open(struct caprec *r, const char *path)
{
	struct ds_db_capture c = { .host = "test", .source = "caprec", .start_ns = now_ns() };

	memset(r, 0, sizeof(*r));
	r->pid = getpid();
	unlink(path);
	if (ds_db_create(path, &r->db) < 0) {
		fprintf(stderr, "caprec: %s: %s\n", path, ds_db_errmsg(r->db));
		return -1;
	}
	if (ds_db_set_capture(r->db, &c) < 0)
		return -1;
	return 0;
}

int caprec_device(struct caprec *r, const char *path, const char *driver)
{
	struct ds_db_device d = { .path = path, .major = 226, .driver = driver };
	int64_t id = ds_db_insert_device(r->db, &d);

	if (id < 0 || r->ndev >= 8)
		return -1;
	r->dev_id[r->ndev] = id;
	r->dev_driver[r->ndev] = driver;
	return r->ndev++;
}

int caprec_fd(struct caprec *r, int dev, int fd)
{
	struct ds_db_fd f = {
		.pid = r->pid, .fd = fd, .device_id = r->dev_id[dev], .opened_ns = now_ns(),
		.how = DS_DB_FD_OPEN,
	};
	int64_t id = ds_db_insert_fd(r->db, &f);

	if (id < 0 || r->nfds >= 16)
		return -1;
	r->fds[r->nfds] = (struct caprec_fd){ .fd = fd, .fd_id = id, .dev = dev };
	return r->nfds++;
}

static int64_t insert_call(struct caprec *r, int fdi, uint32_t request, const void *in,
			   size_t in_size, const void *out, size_t out_size,
			   int64_t begin, int64_t end, int64_t ret, int err)
{
	const struct caprec_fd *f = &r->fds[fdi];
	const struct ds_uapi_ioctl *io =
		ds_uapi_lookup_nr(ds_uapi_find_driver(r->dev_driver[f->dev]), request, NULL);
	char name[64];
	struct ds_db_ioctl row = {
		.tid = r->pid, .pid = r->pid, .fd = f->fd, .fd_id = f->fd_id,
		.device_id = r->dev_id[f->dev], .request = request,
		.driver = io ? ds_uapi_driver_of(io)->name : NULL,
		.begin_ns = begin, .end_ns = end, .ret = ret, .err = err,
		.in = in, .in_size = in_size, .out = out, .out_size = out_size,
	};

	if (io) {
		row.name = io->name;
	} else {
		snprintf(name, sizeof(name), "IOCTL_0x%08" PRIx32, request);
		row.name = name;
	}
	return ds_db_insert_ioctl(r->db, &row);
}

int64_t caprec_call(struct caprec *r, int fdi, uint32_t request, const void *in,
		    size_t in_size, const void *out, size_t out_size,
		    const struct caprec_array *arrays, int narrays, int64_t ret, int err)
{
	int64_t t = now_ns(), id;
	int i;

	id = insert_call(r, fdi, request, in, in_size, out, out_size, t, t + 1000, ret, err);
	for (i = 0; id > 0 && i < narrays; i++) {
		struct ds_db_payload p = {
			.ioctl_id = id,
			.dir = arrays[i].out ? DS_DB_PAYLOAD_ARRAY_OUT : DS_DB_PAYLOAD_ARRAY_IN,
			.idx = arrays[i].idx, .field = arrays[i].field,
			.bytes = arrays[i].bytes, .size = arrays[i].size,
		};

		if (ds_db_insert_payload(r->db, &p) < 0)
			return -1;
	}
	return id;
}

/* ------------------------------------------------------------ real calls */

struct pending {
	int dir;
	int idx;
	const char *field;
	void *bytes;
	size_t size;
};

struct walkrec {
	struct pending rows[64];
	int n;
	int dir;
	bool failed;
};

static int self_read(void *ctx, uint64_t addr, void *dst, size_t len)
{
	(void)ctx;
	if (!addr)
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)addr, len);
	return 0;
}

static int keep(void *ctx, const struct ds_uapi_span *sp)
{
	struct walkrec *w = ctx;
	struct pending *p;

	if (!sp->data || sp->truncated || w->n >= 64) {
		w->failed = true;
		return 0;
	}
	p = &w->rows[w->n++];
	p->dir = w->dir;
	p->idx = (int)sp->index;
	p->field = sp->field->name;
	p->size = sp->size;
	p->bytes = malloc(sp->size ? sp->size : 1);
	if (!p->bytes) {
		w->failed = true;
		return 0;
	}
	memcpy(p->bytes, sp->data, sp->size);
	return 0;
}

static void walk(const struct ds_uapi_struct *s, const void *arg, size_t len,
		 const void *arg_in, size_t in_len, unsigned phase, struct walkrec *w)
{
	static unsigned char scratch[8 << 20];
	struct ds_uapi_walk_ops ops = {
		.read = self_read, .visit = keep, .ctx = w,
		.scratch = scratch, .scratch_len = sizeof(scratch),
	};

	w->dir = phase == DS_UAPI_IN ? 0 : 1;
	ds_uapi_walk(s, arg, len, arg_in, in_len, phase, &ops);
}

int64_t caprec_ioctl(struct caprec *r, int fdi, unsigned long request, void *arg, int *retp)
{
	const struct caprec_fd *f = &r->fds[fdi];
	const struct ds_uapi_ioctl *io =
		ds_uapi_lookup_nr(ds_uapi_find_driver(r->dev_driver[f->dev]), (uint32_t)request, NULL);
	size_t size = ds_uapi_ioc_size((uint32_t)request);
	struct walkrec w = { 0 };
	void *in = NULL;
	int64_t b, e, id;
	int ret, i;

	if (size) {
		in = malloc(size);
		if (!in)
			return -1;
		memcpy(in, arg, size);
	}
	if (io && io->arg && size)
		walk(io->arg, arg, size, NULL, 0, DS_UAPI_IN, &w);
	b = now_ns();
	ret = caprec_raw_ioctl(f->fd, request, arg);
	e = now_ns();
	if (io && io->arg && size && ret >= 0)
		walk(io->arg, arg, size, in, size, DS_UAPI_OUT, &w);
	*retp = ret;
	id = insert_call(r, fdi, (uint32_t)request, in, size, size ? arg : NULL, size, b, e,
			 ret < 0 ? -1 : ret, ret < 0 ? -ret : 0);
	for (i = 0; i < w.n; i++) {
		struct ds_db_payload p = {
			.ioctl_id = id,
			.dir = w.rows[i].dir ? DS_DB_PAYLOAD_ARRAY_OUT : DS_DB_PAYLOAD_ARRAY_IN,
			.idx = w.rows[i].idx, .field = w.rows[i].field,
			.bytes = w.rows[i].bytes, .size = w.rows[i].size,
		};

		if (id > 0 && ds_db_insert_payload(r->db, &p) < 0)
			id = -1;
		free(w.rows[i].bytes);
	}
	free(in);
	if (w.failed)
		fprintf(stderr, "caprec: call %" PRId64 ": an array could not be recorded\n", id);
	return id;
}

int caprec_snapshot(struct caprec *r, int64_t ioctl_id, int fdi, uint32_t handle,
		    uint64_t offset, const void *data, size_t size)
{
	char hash[DS_DB_HASH_HEX_LEN + 1];
	struct ds_db_snapshot s = {
		.ioctl_id = ioctl_id, .ns = now_ns(), .device_id = r->dev_id[r->fds[fdi].dev],
		.handle = handle, .offset = offset, .size = size, .blob_hash = hash,
	};

	void *copy = malloc(size ? size : 1);
	int rc;

	/* Hash and compress one stable copy: a mapped buffer may still change. */
	if (!copy)
		return -1;
	memcpy(copy, data, size);
	rc = ds_db_put_blob(r->db, copy, size, hash);
	free(copy);
	if (rc < 0)
		return -1;
	return ds_db_insert_snapshot(r->db, &s) < 0 ? -1 : 0;
}

int caprec_kevents_start(struct caprec *r)
{
	static const char *const systems[] = { "simgpu", NULL };
	char err[256];

	/* The reader thread gets a database handle of its own. */
	snprintf(r->evpath, sizeof(r->evpath), "/tmp/caprec-events-%d.db", (int)getpid());
	unlink(r->evpath);
	if (ds_db_create(r->evpath, &r->evdb) < 0) {
		fprintf(stderr, "caprec: %s: %s\n", r->evpath, ds_db_errmsg(r->evdb));
		return -1;
	}
	if (ds_kevents_start(&r->kev, systems, r->evdb, err, sizeof(err)) < 0) {
		fprintf(stderr, "caprec: kernel events: %s\n", err);
		r->kev = NULL;
		return -1;
	}
	return 0;
}

/* Queues and jobs from the simgpu events, linked to the submit calls. */
static const char *const job_sql[] = {
	"INSERT INTO queue (device_id, fd_id, handle, created_ns)"
	" SELECT DISTINCT i.device_id, i.fd_id, json_extract(k.fields, '$.handle'), NULL"
	" FROM kernel_event k JOIN ioctl i ON i.name = 'DRM_IOCTL_SIMGPU_SUBMIT'"
	"  AND k.ns BETWEEN i.begin_ns AND i.end_ns"
	" WHERE k.system = 'simgpu' AND k.name = 'simgpu_job_submit'",
	"INSERT INTO job (queue_id, seqno, submit_ioctl_id, submit_ns, run_ns, done_ns,"
	" result, result_hash)"
	" SELECT (SELECT q.id FROM queue q WHERE q.fd_id = i.fd_id"
	"         AND q.handle = json_extract(s.fields, '$.handle')),"
	"  json_extract(s.fields, '$.seqno'), i.id, s.ns,"
	"  (SELECT r.ns FROM kernel_event r WHERE r.name = 'simgpu_job_run'"
	"   AND json_extract(r.fields, '$.queue') = json_extract(s.fields, '$.queue')"
	"   AND json_extract(r.fields, '$.seqno') = json_extract(s.fields, '$.seqno')),"
	"  d.ns, json_extract(d.fields, '$.result'),"
	"  (CASE typeof(json_extract(d.fields, '$.hash')) WHEN 'integer'"
	"   THEN printf('%016x', json_extract(d.fields, '$.hash'))"
	"   ELSE lower(substr(json_extract(d.fields, '$.hash'), 3)) END)"
	" FROM kernel_event s JOIN ioctl i ON i.name = 'DRM_IOCTL_SIMGPU_SUBMIT'"
	"  AND s.ns BETWEEN i.begin_ns AND i.end_ns"
	" LEFT JOIN kernel_event d ON d.name = 'simgpu_job_done'"
	"  AND json_extract(d.fields, '$.queue') = json_extract(s.fields, '$.queue')"
	"  AND json_extract(d.fields, '$.seqno') = json_extract(s.fields, '$.seqno')"
	" WHERE s.system = 'simgpu' AND s.name = 'simgpu_job_submit' ORDER BY s.ns",
};

int caprec_kevents_stop(struct caprec *r)
{
	int64_t events = 0, lost = 0;
	char err[256];
	size_t i;

	if (!r->kev)
		return -1;
	if (ds_kevents_stop(r->kev, &events, &lost, err, sizeof(err)) < 0) {
		fprintf(stderr, "caprec: kernel events: %s\n", err);
		return -1;
	}
	r->kev = NULL;
	if (ds_db_close(r->evdb) < 0)
		return -1;
	r->evdb = NULL;
	if (ds_db_commit(r->db) < 0)
		return -1;
	{
		char sql[1024], *msg = NULL;

		snprintf(sql, sizeof(sql), "ATTACH DATABASE '%s' AS ev;"
			 "INSERT INTO kernel_event (ns, cpu, pid, system, name, fields)"
			 " SELECT ns, cpu, pid, system, name, fields FROM ev.kernel_event ORDER BY id;"
			 "DETACH DATABASE ev;", r->evpath);
		if (sqlite3_exec(ds_db_sqlite(r->db), sql, NULL, NULL, &msg) != SQLITE_OK) {
			fprintf(stderr, "caprec: copying kernel events: %s\n", msg);
			sqlite3_free(msg);
			return -1;
		}
		unlink(r->evpath);
	}
	for (i = 0; i < sizeof(job_sql) / sizeof(job_sql[0]); i++) {
		char *msg = NULL;

		if (sqlite3_exec(ds_db_sqlite(r->db), job_sql[i], NULL, NULL, &msg) != SQLITE_OK) {
			fprintf(stderr, "caprec: deriving jobs: %s\n", msg);
			sqlite3_free(msg);
			return -1;
		}
	}
	return 0;
}

int caprec_close(struct caprec *r)
{
	int rc = 0;

	if (r->kev)
		caprec_kevents_stop(r);
	if (r->db) {
		if (ds_db_finish_import(r->db) < 0)
			rc = -1;
		if (ds_db_close(r->db) < 0)
			rc = -1;
	}
	r->db = NULL;
	return rc;
}
