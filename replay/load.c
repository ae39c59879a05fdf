/*
 * replay/load.c: the capture, read into memory before anything is replayed.
 *
 * The replay loop must not run SQL, so every row it needs is read here once:
 * devices and their drivers, DRM files (fd rows, dup and fork chains
 * followed to the open they copy), ioctls with their payloads, buffer
 * snapshots, jobs and the KMS properties the capture described. The file
 * comes from someone else: every column's SQL type is checked, integers are
 * range-checked before they are narrowed, sizes are bounded, and an error
 * names the table, the row and what is wrong.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <drmscope/db.h>

#include "replay_internal.h"

/* ------------------------------------------------------------ arena */

struct rp_arena_block {
	struct rp_arena_block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK (1u << 20)

void *rp_alloc(struct rp_arena *a, size_t size)
{
	struct rp_arena_block *b = a->head;
	size_t need = (size + 15) & ~(size_t)15;
	void *p;

	if (size > SIZE_MAX - 64)
		return NULL;
	if (!need)
		need = 16;
	if (!b || b->size - b->used < need) {
		size_t bsize = need > ARENA_BLOCK / 4 ? need : ARENA_BLOCK;

		b = calloc(1, sizeof(*b) + bsize);
		if (!b)
			return NULL;
		b->size = bsize;
		if (need > ARENA_BLOCK / 4 && a->head) {
			/* A big one: keep filling the current block afterwards. */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = b->data + b->used;
	b->used += need;
	a->total += need;
	return p;
}

void *rp_memdup(struct rp_arena *a, const void *p, size_t size)
{
	void *d = rp_alloc(a, size);

	if (d && size)
		memcpy(d, p, size);
	return d;
}

char *rp_strdup(struct rp_arena *a, const char *s)
{
	return s ? rp_memdup(a, s, strlen(s) + 1) : NULL;
}

void rp_arena_free(struct rp_arena *a)
{
	struct rp_arena_block *b = a->head, *n;

	for (; b; b = n) {
		n = b->next;
		free(b);
	}
	a->head = NULL;
	a->total = 0;
}

/* ------------------------------------------------------------ columns */

struct rd {
	sqlite3 *sq;
	sqlite3_stmt *st;
	const char *table;
	int64_t row;		/* the row's id, for messages */
	struct rp_err *err;
};

static int prep(struct rd *r, const char *table, const char *sql)
{
	r->table = table;
	r->st = NULL;
	if (sqlite3_prepare_v2(r->sq, sql, -1, &r->st, NULL) != SQLITE_OK) {
		rp_errf(r->err, "reading table %s: %s", table, sqlite3_errmsg(r->sq));
		return -1;
	}
	return 0;
}

static void done(struct rd *r)
{
	sqlite3_finalize(r->st);
	r->st = NULL;
}

/* An INTEGER column (NULL gives @dflt and *@null = true). */
static int col_i64(struct rd *r, int col, const char *name, int64_t *v, bool *null,
		   int64_t dflt)
{
	int t = sqlite3_column_type(r->st, col);

	if (null)
		*null = false;
	if (t == SQLITE_NULL) {
		*v = dflt;
		if (null)
			*null = true;
		return 0;
	}
	if (t != SQLITE_INTEGER) {
		rp_errf(r->err, "malformed capture: %s row %" PRId64 ": column %s is not an integer",
			r->table, r->row, name);
		return -1;
	}
	*v = sqlite3_column_int64(r->st, col);
	return 0;
}

static int col_int(struct rd *r, int col, const char *name, int *v, int64_t min,
		   int64_t max, int dflt)
{
	int64_t x;
	bool null;

	if (col_i64(r, col, name, &x, &null, dflt))
		return -1;
	if (!null && (x < min || x > max)) {
		rp_errf(r->err, "malformed capture: %s row %" PRId64 ": %s = %" PRId64
			" is out of range", r->table, r->row, name, x);
		return -1;
	}
	*v = (int)x;
	return 0;
}

/* A TEXT column copied to the arena (NULL stays NULL); at most 4096 bytes. */
static int col_text(struct rd *r, struct rp_arena *a, int col, const char *name,
		    const char **out)
{
	int t = sqlite3_column_type(r->st, col);
	const unsigned char *s;
	int n;

	*out = NULL;
	if (t == SQLITE_NULL)
		return 0;
	if (t != SQLITE_TEXT) {
		rp_errf(r->err, "malformed capture: %s row %" PRId64 ": column %s is not text",
			r->table, r->row, name);
		return -1;
	}
	s = sqlite3_column_text(r->st, col);
	n = sqlite3_column_bytes(r->st, col);
	if (n > 4096 || (s && memchr(s, 0, (size_t)n))) {
		rp_errf(r->err, "malformed capture: %s row %" PRId64 ": column %s is not a short string",
			r->table, r->row, name);
		return -1;
	}
	*out = rp_memdup(a, s ? (const char *)s : "", (size_t)n + 1);
	if (!*out) {
		rp_errf(r->err, "out of memory");
		return -1;
	}
	((char *)*out)[n] = 0;
	return 0;
}

static int step(struct rd *r)
{
	int rc = sqlite3_step(r->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	rp_errf(r->err, "reading table %s: %s", r->table, sqlite3_errmsg(r->sq));
	return -1;
}

/* Grow an array of @elem-byte entries to hold @n + 1. */
static int reserve(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	if (c > SIZE_MAX / elem)
		return -1;
	p = realloc(*arr, c * elem);
	if (!p)
		return -1;
	memset((char *)p + *cap * elem, 0, (c - *cap) * elem);
	*arr = p;
	*cap = c;
	return 0;
}

/* ------------------------------------------------------------ hashes */

bool rp_norm_hash64(const char *in, char out[17])
{
	size_t n, i;

	if (!in)
		return false;
	if (in[0] == '0' && (in[1] == 'x' || in[1] == 'X'))
		in += 2;
	n = strlen(in);
	if (!n || n > 16)
		return false;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)in[i]))
			return false;
	memset(out, '0', 16);
	for (i = 0; i < n; i++)
		out[16 - n + i] = (char)tolower((unsigned char)in[i]);
	out[16] = 0;
	return true;
}

/* ------------------------------------------------------------ tables */

static int load_devices(struct rd *r, struct rp_capture *cap)
{
	size_t capn = 0, n = 0;
	int rc;

	if (prep(r, "device",
		 "SELECT d.id, d.path, coalesce(d.driver, v.name) FROM device d"
		 " LEFT JOIN driver v ON v.device_id = d.id ORDER BY d.id"))
		return -1;
	while ((rc = step(r)) == 1) {
		struct rp_device *d;
		const char *base;

		if (n >= 64) {
			rp_errf(r->err, "malformed capture: more than 64 devices");
			goto fail;
		}
		if (reserve((void **)&cap->devices, &capn, n, sizeof(*d)))
			goto nomem;
		d = &cap->devices[n];
		r->row = sqlite3_column_int64(r->st, 0);
		if (col_i64(r, 0, "id", &d->id, NULL, 0) ||
		    col_text(r, &cap->arena, 1, "path", &d->path) ||
		    col_text(r, &cap->arena, 2, "driver", &d->driver))
			goto fail;
		base = d->path ? strrchr(d->path, '/') : NULL;
		base = base ? base + 1 : d->path;
		d->render = base && !strncmp(base, "renderD", 7);
		d->accel = d->path && !strncmp(d->path, "/dev/accel/", 11);
		d->drv = ds_uapi_find_driver(d->driver);
		n++;
	}
	done(r);
	cap->ndevices = (unsigned)n;
	return rc;
nomem:
	rp_errf(r->err, "out of memory");
fail:
	done(r);
	return -1;
}

static int device_index(const struct rp_capture *cap, int64_t id)
{
	unsigned i;

	for (i = 0; i < cap->ndevices; i++)
		if (cap->devices[i].id == id)
			return (int)i;
	return -1;
}

struct fdrow {
	int64_t id, parent, device;
	int pid, fd;
	int file;
};

static int cmp_fdrow(const void *a, const void *b)
{
	const struct fdrow *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static struct fdrow *fdrow_find(struct fdrow *rows, size_t n, int64_t id)
{
	struct fdrow key = { .id = id };

	return id > 0 ? bsearch(&key, rows, n, sizeof(*rows), cmp_fdrow) : NULL;
}

static int load_fds(struct rd *r, struct fdrow **rowsp, size_t *np)
{
	struct fdrow *rows = NULL;
	size_t capn = 0, n = 0;
	int rc;

	if (prep(r, "fd", "SELECT id, pid, fd, device_id, parent_fd_id FROM fd ORDER BY id"))
		return -1;
	while ((rc = step(r)) == 1) {
		struct fdrow *f;

		if (reserve((void **)&rows, &capn, n, sizeof(*f)))
			goto nomem;
		f = &rows[n];
		r->row = sqlite3_column_int64(r->st, 0);
		if (col_i64(r, 0, "id", &f->id, NULL, 0) ||
		    col_int(r, 1, "pid", &f->pid, 0, INT32_MAX, 0) ||
		    col_int(r, 2, "fd", &f->fd, -1, INT32_MAX, -1) ||
		    col_i64(r, 3, "device_id", &f->device, NULL, 0) ||
		    col_i64(r, 4, "parent_fd_id", &f->parent, NULL, 0))
			goto fail;
		f->file = -1;
		n++;
	}
	done(r);
	*rowsp = rows;
	*np = n;
	return rc;
nomem:
	rp_errf(r->err, "out of memory");
fail:
	done(r);
	free(rows);
	return -1;
}

/* The file a call's fd row belongs to: follow dup/fork parents to the root. */
static int file_of(struct rp_capture *cap, struct fdrow *rows, size_t nrows,
		   size_t *capfiles, const struct rp_call *c, struct rp_err *err)
{
	struct fdrow *f = fdrow_find(rows, nrows, c->fd_id), *root = f;
	int64_t device = c->device_id;
	unsigned i, hops = 0;

	while (root && root->parent > 0) {
		struct fdrow *p = fdrow_find(rows, nrows, root->parent);

		if (!p)
			break;
		if (++hops > 1024) {
			rp_errf(err, "malformed capture: fd row %" PRId64
				" has a cycle of parent_fd_id", c->fd_id);
			return -2;
		}
		root = p;
	}
	if (root && root->file >= 0)
		return root->file;
	if (root && root->device > 0)
		device = root->device;
	if (!root) {
		/* No fd table (a hand-made capture): one file per (pid, fd, device). */
		for (i = 0; i < cap->nfiles; i++)
			if (!cap->files[i].fd_row && cap->files[i].pid == c->pid &&
			    cap->files[i].fd == c->fd &&
			    cap->devices[cap->files[i].device].id == device)
				return (int)i;
	}
	if (device_index(cap, device) < 0) {
		rp_errf(err, "malformed capture: call %" PRId64 " (%s) is on device %" PRId64
			", which the device table does not list", c->id, c->name, device);
		return -2;
	}
	if (cap->nfiles >= 4096) {
		rp_errf(err, "capture has more than 4096 DRM files");
		return -2;
	}
	if (reserve((void **)&cap->files, capfiles, cap->nfiles, sizeof(*cap->files))) {
		rp_errf(err, "out of memory");
		return -2;
	}
	cap->files[cap->nfiles] = (struct rp_file){
		.fd_row = root ? root->id : 0,
		.pid = root ? root->pid : c->pid,
		.fd = root ? root->fd : c->fd,
		.device = device_index(cap, device),
	};
	if (root)
		root->file = (int)cap->nfiles;
	return (int)cap->nfiles++;
}

struct rp_call *rp_find_call(struct rp_capture *cap, int64_t id)
{
	size_t lo = 0, hi = cap->ncalls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cap->calls[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cap->ncalls && cap->calls[lo].id == id ? &cap->calls[lo] : NULL;
}

/* The argument struct before the call (@in, in_bytes) or after it (out_bytes). */
static int col_arg(struct rd *r, struct rp_arena *a, struct rp_call *c, int col, bool in)
{
	const char *dir = in ? "in" : "out";
	const void *bytes;
	int n;

	if (sqlite3_column_type(r->st, col) == SQLITE_NULL)
		return 0;
	if (sqlite3_column_type(r->st, col) != SQLITE_BLOB) {
		rp_errf(r->err, "malformed capture: %s row %" PRId64
			": column %s_bytes is not a blob", r->table, r->row, dir);
		return -1;
	}
	bytes = sqlite3_column_blob(r->st, col);
	n = sqlite3_column_bytes(r->st, col);
	if (n > (int)RP_MAX_ARG_SIZE) {
		rp_errf(r->err, "malformed capture: call %" PRId64 " (%s): the '%s' argument"
			" struct has %d bytes, more than an ioctl can pass (%u)",
			c->id, c->name, dir, n, RP_MAX_ARG_SIZE);
		return -1;
	}
	bytes = rp_memdup(a, bytes ? bytes : "", (size_t)n);
	if (!bytes) {
		rp_errf(r->err, "out of memory");
		return -1;
	}
	if (in) {
		c->in = bytes;
		c->in_size = (uint32_t)n;
	} else {
		c->out = bytes;
		c->out_size = (uint32_t)n;
	}
	return 0;
}

static int load_ioctls(struct rd *r, struct rp_capture *cap)
{
	size_t capn = 0, n = 0;
	int64_t prev = INT64_MIN;
	int rc;

	if (prep(r, "ioctl",
		 "SELECT id, tid, pid, fd, fd_id, device_id, request, name, begin_ns,"
		 " end_ns, ret, errno, in_bytes, out_bytes FROM ioctl ORDER BY id"))
		return -1;
	while ((rc = step(r)) == 1) {
		struct rp_call *c;
		int64_t req;
		bool null;

		if (reserve((void **)&cap->calls, &capn, n, sizeof(*c)))
			goto nomem;
		c = &cap->calls[n];
		r->row = sqlite3_column_int64(r->st, 0);
		if (col_i64(r, 0, "id", &c->id, NULL, 0) ||
		    col_int(r, 1, "tid", &c->tid, 0, INT32_MAX, 0) ||
		    col_int(r, 2, "pid", &c->pid, 0, INT32_MAX, 0) ||
		    col_int(r, 3, "fd", &c->fd, -1, INT32_MAX, -1) ||
		    col_i64(r, 4, "fd_id", &c->fd_id, NULL, 0) ||
		    col_i64(r, 5, "device_id", &c->device_id, NULL, 0) ||
		    col_i64(r, 6, "request", &req, &null, 0) ||
		    col_text(r, &cap->arena, 7, "name", &c->name) ||
		    col_i64(r, 8, "begin_ns", &c->begin_ns, NULL, 0) ||
		    col_i64(r, 9, "end_ns", &c->end_ns, &null, 0))
			goto fail;
		c->returned = !null;
		if (col_i64(r, 10, "ret", &c->ret, &null, 0) ||
		    col_int(r, 11, "errno", &c->err, 0, 4095, 0))
			goto fail;
		if (c->returned && null)
			c->returned = false;
		if (req < INT32_MIN || req > (int64_t)UINT32_MAX) {
			rp_errf(r->err, "malformed capture: ioctl %" PRId64 ": request %" PRId64
				" is not a 32-bit ioctl number", c->id, req);
			goto fail;
		}
		c->request = (uint32_t)req;
		if (c->id <= prev) {
			rp_errf(r->err, "malformed capture: ioctl ids are not increasing");
			goto fail;
		}
		if (!c->name)
			c->name = "?";
		if (col_arg(r, &cap->arena, c, 12, true) || col_arg(r, &cap->arena, c, 13, false))
			goto fail;
		prev = c->id;
		c->file = -1;
		n++;
	}
	done(r);
	cap->ncalls = n;
	return rc;
nomem:
	rp_errf(r->err, "out of memory");
fail:
	done(r);
	return -1;
}

/* The arrays of the calls (their argument structs came with the calls). */
static int load_payloads(struct rd *r, struct rp_capture *cap)
{
	struct rp_call *c = NULL;
	size_t cap_in = 0, cap_out = 0;
	int rc;

	if (prep(r, "ioctl_payload",
		 "SELECT id, ioctl_id, direction, idx, field, bytes FROM ioctl_payload"
		 " ORDER BY ioctl_id, direction, idx, id"))
		return -1;
	while ((rc = step(r)) == 1) {
		int64_t ioctl_id, idx;
		const char *dir, *field;
		const void *bytes;
		int nbytes, t;
		struct rp_payload *p;

		r->row = sqlite3_column_int64(r->st, 0);
		if (col_i64(r, 1, "ioctl_id", &ioctl_id, NULL, 0) ||
		    col_text(r, &cap->arena, 2, "direction", &dir) ||
		    col_i64(r, 3, "idx", &idx, NULL, 0) ||
		    col_text(r, &cap->arena, 4, "field", &field))
			goto fail;
		t = sqlite3_column_type(r->st, 5);
		if (t != SQLITE_BLOB && t != SQLITE_NULL) {
			rp_errf(r->err, "malformed capture: ioctl_payload row %" PRId64
				": bytes is not a blob", r->row);
			goto fail;
		}
		bytes = sqlite3_column_blob(r->st, 5);
		nbytes = sqlite3_column_bytes(r->st, 5);
		if (!c || c->id != ioctl_id) {
			c = rp_find_call(cap, ioctl_id);
			cap_in = cap_out = 0;
			if (!c) {
				rp_errf(r->err, "malformed capture: ioctl_payload row %" PRId64
					" belongs to ioctl %" PRId64 ", which does not exist",
					r->row, ioctl_id);
				goto fail;
			}
		}
		if (!dir)
			dir = "";
		if (strcmp(dir, "array_in") && strcmp(dir, "array_out")) {
			rp_errf(r->err, "malformed capture: ioctl_payload row %" PRId64
				": unknown direction '%s'", r->row, dir);
			goto fail;
		}
		if (idx < 0 || idx >= (int64_t)RP_MAX_NODES) {
			rp_errf(r->err, "malformed capture: call %" PRId64 " (%s): array index %" PRId64
				" is out of range", c->id, c->name, idx);
			goto fail;
		}
		if ((uint64_t)nbytes > RP_MAX_CALL_BYTES) {
			rp_errf(r->err, "malformed capture: call %" PRId64 " (%s): an array of %d bytes"
				" is larger than the replay accepts", c->id, c->name, nbytes);
			goto fail;
		}
		if (dir[6] == 'i') {
			if (reserve((void **)&c->ain, &cap_in, c->nain, sizeof(*p)))
				goto nomem;
			p = &c->ain[c->nain++];
		} else {
			if (reserve((void **)&c->aout, &cap_out, c->naout, sizeof(*p)))
				goto nomem;
			p = &c->aout[c->naout++];
		}
		p->idx = (int32_t)idx;
		p->field = field;
		p->size = (uint32_t)nbytes;
		p->bytes = rp_memdup(&cap->arena, bytes ? bytes : "", (size_t)nbytes);
		if (!p->bytes)
			goto nomem;
	}
	done(r);
	return rc;
nomem:
	rp_errf(r->err, "out of memory");
fail:
	done(r);
	return -1;
}

/* Move the payload arrays (realloc'ed while loading) into the arena. */
static int settle_payloads(struct rp_capture *cap, struct rp_err *err)
{
	size_t i;

	for (i = 0; i < cap->ncalls; i++) {
		struct rp_call *c = &cap->calls[i];
		struct rp_payload *a;

		if (c->nain) {
			a = rp_memdup(&cap->arena, c->ain, c->nain * sizeof(*a));
			free(c->ain);
			c->ain = a;
			if (!a)
				goto nomem;
		}
		if (c->naout) {
			a = rp_memdup(&cap->arena, c->aout, c->naout * sizeof(*a));
			free(c->aout);
			c->aout = a;
			if (!a)
				goto nomem;
		}
	}
	return 0;
nomem:
	rp_errf(err, "out of memory");
	return -1;
}

/* The phase column: "before" the call (restored) or "after" it (compared). */
static int snap_phase(struct rd *r, struct rp_arena *a, int col, int64_t id, bool *after)
{
	const char *phase;

	if (col_text(r, a, col, "phase", &phase))
		return -1;
	if (phase && !strcmp(phase, "after")) {
		*after = true;
		return 0;
	}
	if (phase && !strcmp(phase, "before")) {
		*after = false;
		return 0;
	}
	rp_errf(r->err, "malformed capture: buffer_snapshot %" PRId64 ": phase '%.20s' is"
		" neither 'before' nor 'after'", id, phase ? phase : "(null)");
	return -1;
}

/*
 * Before-call snapshots go to cap->snaps (restores), after-call ones to
 * cap->results (compared after the call), each in call order.
 */
static int load_snapshots(struct rd *r, struct rp_capture *cap, struct fdrow *rows,
			  size_t nrows)
{
	size_t capn[2] = { 0, 0 }, n[2] = { 0, 0 };
	struct rp_call *c = NULL;
	int rc;

	if (prep(r, "buffer_snapshot",
		 "SELECT s.id, s.ioctl_id, s.handle, s.offset, s.size, s.blob_hash, g.fd_id, s.ns,"
		 " s.gem_id, g.create_ioctl_id, s.phase"
		 " FROM buffer_snapshot s LEFT JOIN gem_object g ON g.id = s.gem_id"
		 " WHERE s.ioctl_id IS NOT NULL ORDER BY s.ioctl_id, s.id"))
		return -1;
	while ((rc = step(r)) == 1) {
		struct rp_snap *s, **arr;
		int64_t id, ioctl_id, handle, off, size, fd_id;
		const char *hash;
		struct fdrow *f;
		bool after = false;
		uint32_t *first, *count;
		size_t *nn;

		r->row = sqlite3_column_int64(r->st, 0);
		if (col_i64(r, 0, "id", &id, NULL, 0) ||
		    snap_phase(r, &cap->arena, 10, id, &after))
			goto fail;
		arr = after ? &cap->results : &cap->snaps;
		nn = &n[after];
		if (reserve((void **)arr, &capn[after], *nn, sizeof(*s)))
			goto nomem;
		s = &(*arr)[*nn];
		s->id = id;
		s->after = after;
		if (col_i64(r, 1, "ioctl_id", &ioctl_id, NULL, 0) ||
		    col_i64(r, 2, "handle", &handle, NULL, 0) ||
		    col_i64(r, 3, "offset", &off, NULL, 0) ||
		    col_i64(r, 4, "size", &size, NULL, 0) ||
		    col_text(r, &cap->arena, 5, "blob_hash", &hash) ||
		    col_i64(r, 6, "gem.fd_id", &fd_id, NULL, 0) ||
		    col_i64(r, 7, "ns", &s->ns, NULL, 0) ||
		    col_i64(r, 8, "gem_id", &s->gem_id, NULL, 0) ||
		    col_i64(r, 9, "gem.create_ioctl_id", &s->gem_call, NULL, 0))
			goto fail;
		if (!c || c->id != ioctl_id)
			c = rp_find_call(cap, ioctl_id);
		if (!c) {
			rp_errf(r->err, "malformed capture: buffer_snapshot %" PRId64
				" belongs to ioctl %" PRId64 ", which does not exist", s->id, ioctl_id);
			goto fail;
		}
		if (handle <= 0 || handle > UINT32_MAX) {
			rp_errf(r->err, "malformed capture: buffer_snapshot %" PRId64 " (call %" PRId64
				" %s): GEM handle %" PRId64 " is not a handle", s->id, c->id, c->name,
				handle);
			goto fail;
		}
		if (off < 0 || size <= 0 || (uint64_t)size > RP_MAX_SNAPSHOT ||
		    (uint64_t)off > UINT64_MAX - (uint64_t)size) {
			rp_errf(r->err, "malformed capture: buffer_snapshot %" PRId64 " (call %" PRId64
				" %s): range offset %" PRId64 " size %" PRId64 " is invalid",
				s->id, c->id, c->name, off, size);
			goto fail;
		}
		if (!hash || strlen(hash) != DS_DB_HASH_HEX_LEN) {
			rp_errf(r->err, "malformed capture: buffer_snapshot %" PRId64
				": blob_hash is not a blob key", s->id);
			goto fail;
		}
		s->ioctl_id = ioctl_id;
		s->handle = (uint32_t)handle;
		s->offset = (uint64_t)off;
		s->size = (uint64_t)size;
		memcpy(s->hash, hash, sizeof(s->hash));
		s->file = -1;
		f = fdrow_find(rows, nrows, fd_id);
		while (f && f->file < 0 && f->parent > 0) {
			struct fdrow *p = fdrow_find(rows, nrows, f->parent);

			if (!p || p == f)
				break;
			f = p;
		}
		if (f && f->file >= 0)
			s->file = f->file;
		first = after ? &c->res_first : &c->snap_first;
		count = after ? &c->nres : &c->nsnap;
		if (*count == 0)
			*first = (uint32_t)*nn;
		(*count)++;
		if (s->file < 0)
			s->file = c->file;
		(*nn)++;
	}
	done(r);
	cap->nsnaps = n[0];
	cap->nresults = n[1];
	return rc;
nomem:
	rp_errf(r->err, "out of memory");
fail:
	done(r);
	return -1;
}

static int load_jobs(struct rd *r, struct rp_capture *cap)
{
	size_t capn = 0, n = 0;
	struct rp_call *c = NULL;
	int rc;

	if (prep(r, "job",
		 "SELECT id, queue_id, seqno, submit_ioctl_id, result, result_hash FROM job"
		 " WHERE submit_ioctl_id IS NOT NULL ORDER BY submit_ioctl_id, seqno, id"))
		return -1;
	while ((rc = step(r)) == 1) {
		struct rp_job *j;
		const char *hash;
		int64_t result;
		bool null;

		if (reserve((void **)&cap->jobs, &capn, n, sizeof(*j)))
			goto nomem;
		j = &cap->jobs[n];
		r->row = sqlite3_column_int64(r->st, 0);
		if (col_i64(r, 0, "id", &j->id, NULL, 0) ||
		    col_i64(r, 1, "queue_id", &j->queue_id, NULL, 0) ||
		    col_i64(r, 2, "seqno", &j->seqno, NULL, 0) ||
		    col_i64(r, 3, "submit_ioctl_id", &j->submit_ioctl_id, NULL, 0) ||
		    col_i64(r, 4, "result", &result, &null, 0))
			goto fail;
		if (!null && (result < -4095 || result > 0)) {
			rp_errf(r->err, "malformed capture: job %" PRId64 ": result %" PRId64
				" is not 0 or a negative errno", j->id, result);
			goto fail;
		}
		j->has_result = !null;
		j->result = (int)result;
		if (sqlite3_column_type(r->st, 5) == SQLITE_INTEGER) {
			snprintf(j->hash, sizeof(j->hash), "%016" PRIx64,
				 (uint64_t)sqlite3_column_int64(r->st, 5));
			j->has_hash = true;
		} else {
			if (col_text(r, &cap->arena, 5, "result_hash", &hash))
				goto fail;
			if (hash) {
				if (!rp_norm_hash64(hash, j->hash)) {
					rp_errf(r->err, "malformed capture: job %" PRId64
						": result_hash '%.40s' is not a 64-bit hex hash",
						j->id, hash);
					goto fail;
				}
				j->has_hash = true;
			}
		}
		if (!c || c->id != j->submit_ioctl_id)
			c = rp_find_call(cap, j->submit_ioctl_id);
		if (!c) {
			rp_errf(r->err, "malformed capture: job %" PRId64 " was submitted by ioctl %"
				PRId64 ", which does not exist", j->id, j->submit_ioctl_id);
			goto fail;
		}
		if (c->njobs == 0)
			c->job_first = (uint32_t)n;
		if (c->njobs >= RP_MAX_COUNT) {
			rp_errf(r->err, "malformed capture: call %" PRId64 " has too many jobs", c->id);
			goto fail;
		}
		c->njobs++;
		n++;
	}
	done(r);
	cap->njobs = n;
	return rc;
nomem:
	rp_errf(r->err, "out of memory");
fail:
	done(r);
	return -1;
}

const struct rp_kprop *rp_kprop_find(const struct rp_capture *cap, int device,
				     uint32_t id)
{
	size_t i;

	/* Later descriptions win; captures hold few properties. */
	for (i = cap->nkprops; i-- > 0;)
		if (cap->kprops[i].device == device && cap->kprops[i].id == id)
			return &cap->kprops[i];
	return NULL;
}

/* KMS properties: what the capture's GETPROPERTY calls said about each id. */
static int collect_kprops(struct rp_capture *cap, struct rp_err *err)
{
	size_t capn = 0, i;

	for (i = 0; i < cap->ncalls; i++) {
		const struct rp_call *c = &cap->calls[i];
		const struct ds_uapi_struct *s;
		const struct ds_uapi_field *fid, *fname, *fflags;
		uint64_t id, flags;
		struct rp_kprop *k;

		if (!c->desc || !c->desc->arg || strcmp(c->desc->name, "DRM_IOCTL_MODE_GETPROPERTY") ||
		    !c->in || !c->out || c->ret < 0 || c->file < 0)
			continue;
		s = c->desc->arg;
		fid = ds_uapi_field_by_name(s, "prop_id");
		fname = ds_uapi_field_by_name(s, "name");
		fflags = ds_uapi_field_by_name(s, "flags");
		if (!fid || !fname || !fflags ||
		    ds_uapi_field_get(fid, c->in, c->in_size, 0, &id) ||
		    ds_uapi_field_get(fflags, c->out, c->out_size, 0, &flags) ||
		    (size_t)fname->offset + fname->nelem > c->out_size)
			continue;
		if (reserve((void **)&cap->kprops, &capn, cap->nkprops, sizeof(*k))) {
			rp_errf(err, "out of memory");
			return -1;
		}
		k = &cap->kprops[cap->nkprops++];
		k->device = cap->files[c->file].device;
		k->id = (uint32_t)id;
		k->flags = (uint32_t)flags;
		memcpy(k->name, c->out + fname->offset,
		       fname->nelem < sizeof(k->name) - 1 ? fname->nelem : sizeof(k->name) - 1);
		k->name[sizeof(k->name) - 1] = 0;
	}
	return 0;
}

int rp_load(struct ds_db *db, struct rp_capture *cap, struct rp_err *err)
{
	struct rd r = { .sq = ds_db_sqlite(db), .err = err };
	struct fdrow *rows = NULL;
	size_t nrows = 0, capfiles = 0, i;

	if (load_devices(&r, cap) < 0 || load_fds(&r, &rows, &nrows) < 0 ||
	    load_ioctls(&r, cap) < 0 || load_payloads(&r, cap) < 0 ||
	    settle_payloads(cap, err))
		goto fail;

	for (i = 0; i < cap->ncalls; i++) {
		struct rp_call *c = &cap->calls[i];
		int f = file_of(cap, rows, nrows, &capfiles, c, err);

		/* The kernel copies nothing back for _IOW: an empty "out" means none. */
		if (c->out && !c->out_size && !ds_uapi_ioc_copies_out(c->request))
			c->out = NULL;

		if (f < 0)
			goto fail;
		c->file = f;
		/*
		 * Size-tolerant: a program built against older or newer headers
		 * (libdrm's drm_syncobj_wait has no deadline_nsec) passes another
		 * size; every access is bounded by the request's own size.
		 */
		c->desc = ds_uapi_lookup_nr(cap->devices[cap->files[f].device].drv, c->request, NULL);
	}
	if (load_snapshots(&r, cap, rows, nrows) < 0 ||
	    load_jobs(&r, cap) < 0 ||
	    collect_kprops(cap, err))
		goto fail;
	free(rows);
	return 0;
fail:
	free(rows);
	return -1;
}

static const struct rp_snap *sort_snaps;

static int cmp_snap_hash(const void *a, const void *b)
{
	const struct rp_snap *x = &sort_snaps[*(const size_t *)a];
	const struct rp_snap *y = &sort_snaps[*(const size_t *)b];
	int d = strcmp(x->hash, y->hash);

	return d ? d : (x->id < y->id ? -1 : x->id > y->id);
}

/* The blobs of @n snapshots in @snaps that a replayed call uses. */
static int load_blob_set(struct ds_db *db, struct rp_capture *cap, struct rp_snap *snaps,
			 size_t n, struct rp_err *err)
{
	size_t *idx, i;

	if (!n)
		return 0;
	idx = malloc(n * sizeof(*idx));
	if (!idx) {
		rp_errf(err, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		idx[i] = i;
	/* Content-addressed: one load per distinct blob. */
	sort_snaps = snaps;
	qsort(idx, n, sizeof(*idx), cmp_snap_hash);
	for (i = 0; i < n; i++) {
		struct rp_snap *s = &snaps[idx[i]];
		const struct rp_snap *prev = i ? &snaps[idx[i - 1]] : NULL;
		const struct rp_call *c = rp_find_call(cap, s->ioctl_id);
		const char *what = s->after ? "result " : "";
		void *data = NULL;
		size_t size = 0;
		int rc;

		/* Only what a replayed call restores or compares. */
		if (!c || c->skip != RP_RUN)
			continue;
		if (prev && prev->data && !strcmp(prev->hash, s->hash)) {
			if (prev->size != s->size) {
				rp_errf(err, "malformed capture: %sbuffer_snapshot %" PRId64 " (call %"
					PRId64 ") says blob %s has %" PRIu64 " bytes, snapshot %"
					PRId64 " says %" PRIu64, what, s->id, s->ioctl_id,
					s->hash, s->size, prev->id, prev->size);
				goto fail;
			}
			s->data = prev->data;
			continue;
		}
		rc = ds_db_get_blob(db, s->hash, (size_t)s->size, &data, &size);
		if (rc < 0) {
			rp_errf(err, "malformed capture: %sbuffer_snapshot %" PRId64 " (call %" PRId64
				", GEM handle %u): blob %s: %s", what, s->id, s->ioctl_id,
				s->handle, s->hash, rc == DS_DB_TOO_BIG ?
				"larger than the snapshot's size" : rc == DS_DB_NOTFOUND ?
				"not in the blob table" : ds_db_errmsg(db));
			goto fail;
		}
		if (size != s->size) {
			free(data);
			rp_errf(err, "malformed capture: %sbuffer_snapshot %" PRId64 " (call %" PRId64
				", GEM handle %u): blob %s has %zu bytes, the snapshot %" PRIu64
				" (truncated blob?)", what, s->id, s->ioctl_id, s->handle,
				s->hash, size, s->size);
			goto fail;
		}
		s->data = rp_memdup(&cap->arena, data, size);
		free(data);
		if (!s->data) {
			rp_errf(err, "out of memory loading %" PRIu64 " bytes of buffer contents",
				s->size);
			goto fail;
		}
		cap->blob_bytes += size;
	}
	free(idx);
	return 0;
fail:
	free(idx);
	return -1;
}

int rp_load_blobs(struct ds_db *db, struct rp_capture *cap, bool results, struct rp_err *err)
{
	if (load_blob_set(db, cap, cap->snaps, cap->nsnaps, err))
		return -1;
	return results ? load_blob_set(db, cap, cap->results, cap->nresults, err) : 0;
}

void rp_capture_free(struct rp_capture *cap)
{
	free(cap->devices);
	free(cap->files);
	free(cap->calls);
	free(cap->order);
	free(cap->snaps);
	free(cap->results);
	free(cap->jobs);
	free(cap->kprops);
	rp_arena_free(&cap->arena);
	memset(cap, 0, sizeof(*cap));
}
