/*
 * import.c: the shim's LTTng events (docs/tracing.md) into trace database
 * rows.
 *
 * Events arrive in time order across every process and thread. Per thread,
 * ioctls are synchronous, so one call is in flight at a time (a signal
 * handler's ioctl inside another is kept on a short stack): ioctl_enter
 * opens it, ioctl_array events (phase 0) attach the arrays read before the
 * call, ioctl_exit closes it and writes the row, and the arrays and buffer
 * snapshots written after the call attach to that row by (thread, seq).
 * A call still open at the end of the trace never returned (the program
 * died in it): it is stored with no end.
 *
 * Objects (GEM handles, VMs, queues) and their lifetimes come from the uapi
 * descriptions: an out field of a creating call names a new object, a
 * field flagged DS_UAPI_F_DESTROY ends one, an out mmap offset belongs to
 * the handle beside it. Objects belong to the open file, which dup'd and
 * inherited fds share: they are keyed by the file's first fd row.
 */
#define _GNU_SOURCE
#include "import.h"

#include "blobfiles.h"
#include "../drmscope_call.h"
#include "ctf_reader.h"
#include "derive.h"
#include "u64map.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <drmscope/db.h>
#include <drmscope/uapi.h>

#define MAX_ARG_BYTES	16384	/* an ioctl argument struct is < 16 KiB */
#define MAX_NESTED	4	/* ioctls in flight on one thread */
#define MAX_ARRAYS	64	/* arrays kept per call before it exits */

struct pending_array {
	int dir;
	int idx;
	char *field;
	void *bytes;
	size_t size;
};

struct pending_snapshot {
	int64_t ns;
	uint32_t handle;
	uint64_t offset;
	uint64_t size;
	char hash[33];
	bool after;		/* phase 1: results after the call */
};

struct call {
	uint64_t seq;
	int fd;
	uint32_t request;
	int64_t begin_ns;
	uint8_t *in;
	size_t in_size;
	struct pending_array arrays[MAX_ARRAYS];
	int narrays;
	struct pending_snapshot *snaps;
	int nsnaps;
};

struct thread_state {
	int tid;
	int pid;
	struct call stack[MAX_NESTED];
	int depth;
	uint64_t last_seq;	/* the last call that exited */
	int64_t last_id;
	bool stored;		/* thread row written */
};

struct file_state {
	int64_t fd_id;		/* this fd's row */
	int64_t root_fd_id;	/* the open file's first fd row (object key) */
	int64_t device_id;
	const struct ds_uapi_driver *drv;
	char driver[32];
	struct file_state *retired;	/* next on the importer's retired list */
};

struct importer {
	struct ds_db *db;
	struct ds_blobfiles blobs;
	struct ds_import_stats *stats;
	struct u64map threads;	/* tid -> thread_state * */
	struct u64map files;	/* (pid, fd) -> file_state * */
	struct u64map devices;	/* (major, minor) -> device id */
	struct u64map objects;	/* (kind, root fd, handle) -> row id */
	struct u64map processes; /* pid -> 1 once its row exists */
	struct file_state *retired; /* closed or replaced fds, freed at the end */
	int64_t last_ns;
	int progress;
	time_t last_progress;
	char *err;
	size_t errlen;
	/* an argument's bytes; for ioctl_call a header, then in and out */
	uint8_t out_buf[8 * DS_TP_CALL_HEAD + 2 * MAX_ARG_BYTES];
	uint8_t arr_buf[1 << 20];
};

enum obj_kind { OBJ_GEM = 1, OBJ_VM = 2, OBJ_QUEUE = 3 };

static uint64_t file_key(int pid, int fd)
{
	return ((uint64_t)(uint32_t)pid << 32) | (uint32_t)fd | (1ULL << 63);
}

static uint64_t obj_key(enum obj_kind kind, int64_t root_fd_id, uint64_t handle)
{
	return ((uint64_t)kind << 60) ^ ((uint64_t)root_fd_id << 32) ^ (handle & 0xffffffffULL) ^
	       (1ULL << 59);
}

static int fail(struct importer *im, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct importer *im, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(im->err, im->errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static int db_fail(struct importer *im)
{
	return fail(im, -EIO, "writing the database: %s", ds_db_errmsg(im->db));
}

static struct thread_state *thread_of(struct importer *im, const struct ds_ctf_event *ev)
{
	int tid = ds_ctf_vtid(ev), pid = ds_ctf_vpid(ev);
	struct thread_state *t;

	t = (struct thread_state *)(uintptr_t)u64map_get(&im->threads, (uint64_t)(uint32_t)tid + 1);
	if (t && t->pid == pid)
		return t;
	if (t)	/* a tid reused by another process */
		t->pid = pid, t->stored = false;
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t || u64map_put(&im->threads, (uint64_t)(uint32_t)tid + 1, (uintptr_t)t)) {
			free(t);
			return NULL;
		}
		t->tid = tid;
		t->pid = pid;
	}
	return t;
}

/* Make sure the process and thread rows of @ev's thread exist. */
static int note_thread(struct importer *im, struct thread_state *t, const struct ds_ctf_event *ev)
{
	if (t->stored)
		return 0;
	if (!u64map_get(&im->processes, (uint64_t)(uint32_t)t->pid + 1)) {
		struct ds_db_process p = { .pid = t->pid, .comm = ds_ctf_procname(ev),
					   .start_ns = ds_ctf_ns(ev) };

		if (ds_db_put_process(im->db, &p) < 0)
			return db_fail(im);
		if (u64map_put(&im->processes, (uint64_t)(uint32_t)t->pid + 1, 1))
			return fail(im, -ENOMEM, "out of memory");
	}
	struct ds_db_thread row = { .tid = t->tid, .pid = t->pid, .name = ds_ctf_procname(ev),
				    .start_ns = ds_ctf_ns(ev) };
	if (ds_db_put_thread(im->db, &row) < 0)
		return db_fail(im);
	t->stored = true;
	return 0;
}

static struct file_state *file_of(struct importer *im, int pid, int fd)
{
	return (struct file_state *)(uintptr_t)u64map_get(&im->files, file_key(pid, fd));
}

/*
 * Map @fd of @pid to @f (NULL: unmap it). The file it named before is kept
 * until the end of the import, on the retired list: a call in flight may
 * still name it.
 */
static int set_file(struct importer *im, int pid, int fd, struct file_state *f)
{
	struct file_state *old = file_of(im, pid, fd);

	if (u64map_put(&im->files, file_key(pid, fd), (uintptr_t)f))
		return fail(im, -ENOMEM, "out of memory");
	if (old && old != f) {
		old->retired = im->retired;
		im->retired = old;
	}
	return 0;
}

/*
 * The file behind @fd of @pid; for a forked child that never announced it,
 * the parent's (recorded as inherited through fork).
 */
static struct file_state *resolve_file(struct importer *im, int pid, int fd, int64_t ns)
{
	struct file_state *f = file_of(im, pid, fd), *parent = NULL, *n;
	uint64_t pinfo;

	if (f)
		return f;
	/* process_info told us the parent (stored as ppid + 2) */
	pinfo = u64map_get(&im->processes, (uint64_t)(uint32_t)pid + 1);
	if (pinfo >= 2)
		parent = file_of(im, (int)(pinfo - 2), fd);
	if (!parent)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	*n = *parent;
	struct ds_db_fd row = { .pid = pid, .fd = fd, .device_id = parent->device_id,
				.opened_ns = ns, .how = DS_DB_FD_FORK,
				.parent_fd_id = parent->fd_id };
	n->fd_id = ds_db_insert_fd(im->db, &row);
	if (n->fd_id < 0 || set_file(im, pid, fd, n)) {
		free(n);
		return NULL;
	}
	return n;
}

static int on_process_info(struct importer *im, const struct ds_ctf_event *ev)
{
	int64_t pid = 0, ppid = 0;
	const char *argv = ds_ctf_str(ev, "argv");
	struct ds_db_process p;

	ds_ctf_i64(ev, "pid", &pid);
	ds_ctf_i64(ev, "ppid", &ppid);
	p = (struct ds_db_process){
		.pid = (int)pid, .ppid = (int)ppid, .comm = ds_ctf_procname(ev),
		.exe = ds_ctf_str(ev, "exe"), .argv_json = argv && *argv == '[' ? argv : NULL,
		.start_ns = ds_ctf_ns(ev),
	};
	if (ds_db_put_process(im->db, &p) < 0)
		return db_fail(im);
	/* remember the parent, so the child's inherited fds can be found */
	if (u64map_put(&im->processes, (uint64_t)(uint32_t)pid + 1, (uint64_t)ppid + 2))
		return fail(im, -ENOMEM, "out of memory");
	return 0;
}

static int on_fd_open(struct importer *im, const struct ds_ctf_event *ev)
{
	int64_t fd = -1, inherited = 0, flags = 0;
	uint64_t major = 0, minor = 0, devkey;
	const char *path = ds_ctf_str(ev, "path"), *driver = ds_ctf_str(ev, "driver");
	int pid = ds_ctf_vpid(ev);
	struct file_state *f, *old;
	int64_t device_id;

	ds_ctf_i64(ev, "fd", &fd);
	ds_ctf_u64(ev, "major", &major);
	ds_ctf_u64(ev, "minor", &minor);
	ds_ctf_i64(ev, "inherited", &inherited);
	ds_ctf_i64(ev, "flags", &flags);
	if (driver && !*driver)
		driver = NULL;
	devkey = ((major & 0xfffff) << 20 | (minor & 0xfffff)) + 1;
	device_id = (int64_t)u64map_get(&im->devices, devkey);
	if (!device_id) {
		struct ds_db_device d = { .path = path, .major = (unsigned)major,
					  .minor = (unsigned)minor, .driver = driver };

		device_id = ds_db_insert_device(im->db, &d);
		if (device_id < 0)
			return db_fail(im);
		if (u64map_put(&im->devices, devkey, (uint64_t)device_id))
			return fail(im, -ENOMEM, "out of memory");
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return fail(im, -ENOMEM, "out of memory");
	struct ds_db_fd row = { .pid = pid, .fd = (int)fd, .device_id = device_id,
				.opened_ns = ds_ctf_ns(ev), .flags = (int)flags,
				.how = inherited ? DS_DB_FD_INHERITED : DS_DB_FD_OPEN };
	f->fd_id = ds_db_insert_fd(im->db, &row);
	if (f->fd_id < 0) {
		free(f);
		return db_fail(im);
	}
	f->root_fd_id = f->fd_id;
	f->device_id = device_id;
	if (driver) {
		snprintf(f->driver, sizeof(f->driver), "%s", driver);
		f->drv = ds_uapi_find_driver(driver);
	}
	old = file_of(im, pid, (int)fd);
	if (old)
		ds_db_set_end(im->db, DS_DB_END_FD, old->fd_id, ds_ctf_ns(ev));
	return set_file(im, pid, (int)fd, f);
}

static int on_fd_dup(struct importer *im, const struct ds_ctf_event *ev)
{
	int64_t oldfd = -1, newfd = -1;
	int pid = ds_ctf_vpid(ev);
	struct file_state *src, *f, *prev;

	ds_ctf_i64(ev, "oldfd", &oldfd);
	ds_ctf_i64(ev, "newfd", &newfd);
	src = resolve_file(im, pid, (int)oldfd, ds_ctf_ns(ev));
	if (!src)
		return 0;	/* not a traced file as far as the trace shows */
	prev = file_of(im, pid, (int)newfd);
	if (prev)
		ds_db_set_end(im->db, DS_DB_END_FD, prev->fd_id, ds_ctf_ns(ev));
	f = calloc(1, sizeof(*f));
	if (!f)
		return fail(im, -ENOMEM, "out of memory");
	*f = *src;
	struct ds_db_fd row = { .pid = pid, .fd = (int)newfd, .device_id = src->device_id,
				.opened_ns = ds_ctf_ns(ev), .how = DS_DB_FD_DUP,
				.parent_fd_id = src->fd_id };
	f->fd_id = ds_db_insert_fd(im->db, &row);
	if (f->fd_id < 0) {
		free(f);
		return db_fail(im);
	}
	return set_file(im, pid, (int)newfd, f);
}

static int on_fd_close(struct importer *im, const struct ds_ctf_event *ev)
{
	int64_t fd = -1;
	int pid = ds_ctf_vpid(ev);
	struct file_state *f;

	ds_ctf_i64(ev, "fd", &fd);
	f = file_of(im, pid, (int)fd);
	if (!f)
		return 0;
	if (ds_db_set_end(im->db, DS_DB_END_FD, f->fd_id, ds_ctf_ns(ev)) < 0)
		return db_fail(im);
	return set_file(im, pid, (int)fd, NULL);
}

static int on_fd_driver(struct importer *im, const struct ds_ctf_event *ev)
{
	int64_t fd = -1, major = 0, minor = 0, patch = 0;
	const char *name = ds_ctf_str(ev, "name");
	struct file_state *f;

	ds_ctf_i64(ev, "fd", &fd);
	ds_ctf_i64(ev, "major", &major);
	ds_ctf_i64(ev, "minor", &minor);
	ds_ctf_i64(ev, "patchlevel", &patch);
	f = resolve_file(im, ds_ctf_vpid(ev), (int)fd, ds_ctf_ns(ev));
	if (!f || !name)
		return 0;
	snprintf(f->driver, sizeof(f->driver), "%s", name);
	f->drv = ds_uapi_find_driver(name);
	struct ds_db_driver d = { .device_id = f->device_id, .name = name, .major = (int)major,
				  .minor = (int)minor, .patchlevel = (int)patch,
				  .date = ds_ctf_str(ev, "date"), .desc = ds_ctf_str(ev, "desc") };
	if (ds_db_put_driver(im->db, &d) < 0)
		return db_fail(im);
	return 0;
}

static struct call *find_call(struct thread_state *t, uint64_t seq)
{
	int i;

	for (i = t->depth - 1; i >= 0; i--)
		if (t->stack[i].seq == seq)
			return &t->stack[i];
	return NULL;
}

static void free_call(struct call *c)
{
	int i;

	free(c->in);
	free(c->snaps);
	for (i = 0; i < c->narrays; i++) {
		free(c->arrays[i].field);
		free(c->arrays[i].bytes);
	}
	memset(c, 0, sizeof(*c));
}

/*
 * Push a call of @fd and @request begun at @begin_ns whose argument bytes
 * before the call are @in (@in_size of them).
 */
static int push_call(struct importer *im, struct thread_state *t, uint64_t seq, int fd,
		     uint32_t request, int64_t begin_ns, const uint8_t *in, size_t in_size,
		     struct call **cp)
{
	struct call *c;

	if (t->depth == MAX_NESTED)
		return fail(im, -EINVAL, "thread %d: more than %d nested ioctls", t->tid, MAX_NESTED);
	c = &t->stack[t->depth++];
	memset(c, 0, sizeof(*c));
	c->seq = seq;
	c->fd = fd;
	c->request = request;
	c->begin_ns = begin_ns;
	c->in = malloc(in_size ? in_size : 1);
	if (!c->in)
		return fail(im, -ENOMEM, "out of memory");
	memcpy(c->in, in, in_size);
	c->in_size = in_size;
	*cp = c;
	return 0;
}

/* Pop @c (and anything above it that never exited: lost events). */
static void pop_call(struct thread_state *t, struct call *c)
{
	while (t->depth > 0) {
		struct call *top = &t->stack[--t->depth];
		bool done = top == c;

		free_call(top);
		if (done)
			break;
	}
}

static int on_ioctl_enter(struct importer *im, struct thread_state *t,
			  const struct ds_ctf_event *ev)
{
	uint64_t seq = 0, request = 0, size = 0;
	int64_t fd = -1, n;
	struct call *c;

	ds_ctf_u64(ev, "seq", &seq);
	ds_ctf_u64(ev, "request", &request);
	ds_ctf_u64(ev, "size", &size);
	ds_ctf_i64(ev, "fd", &fd);
	if (size > MAX_ARG_BYTES)
		size = MAX_ARG_BYTES;
	n = ds_ctf_bytes(ev, "args", im->out_buf, size);
	if (n < 0)
		n = 0;
	return push_call(im, t, seq, (int)fd, (uint32_t)request, ds_ctf_ns(ev), im->out_buf,
			 (size_t)(n < (int64_t)size ? n : (int64_t)size), &c);
}

/* A field's value from the @len argument bytes @arg. */
static bool field_val(const struct ds_uapi_field *f, const uint8_t *arg, size_t len, uint64_t *v)
{
	return ds_uapi_field_get(f, arg, len, 0, v) == 0;
}

static int64_t object_row(struct importer *im, enum obj_kind kind, struct file_state *f,
			  uint64_t handle)
{
	return (int64_t)u64map_get(&im->objects, obj_key(kind, f->root_fd_id, handle));
}

/*
 * What a successful call did to objects, read off its description: handles
 * and ids it created or destroyed, mmap offsets it returned.
 */
static int track_objects(struct importer *im, struct file_state *f,
			 const struct ds_uapi_ioctl *io, const uint8_t *in, size_t in_size,
			 const uint8_t *out, size_t out_size, int64_t ioctl_id, int64_t ns)
{
	const struct ds_uapi_struct *s = io->arg;
	uint64_t gem = 0, vm = 0, queue = 0, size = 0, flags = 0, offset = 0, prio = 0;
	bool have_gem_out = false, have_vm_out = false, have_queue_out = false;
	bool have_offset = false, have_gem_in = false, have_vm_in = false;
	uint32_t i;

	if (!s)
		return 0;
	for (i = 0; i < s->nfields; i++) {
		const struct ds_uapi_field *fl = &s->fields[i];
		bool is_out = fl->dir & DS_UAPI_OUT;
		const uint8_t *src = is_out ? out : in;
		size_t srclen = is_out ? out_size : in_size;
		uint64_t v;

		if (fl->nelem != 1 || !field_val(fl, src, srclen, &v))
			continue;
		if (fl->flags & DS_UAPI_F_DESTROY) {
			enum ds_db_lifetime what;
			enum obj_kind kind;
			int64_t row;

			if (fl->kind == DS_UAPI_GEM_HANDLE)
				kind = OBJ_GEM, what = DS_DB_END_GEM;
			else if (fl->kind == DS_UAPI_VM_ID)
				kind = OBJ_VM, what = DS_DB_END_VM;
			else if (fl->kind == DS_UAPI_QUEUE_ID)
				kind = OBJ_QUEUE, what = DS_DB_END_QUEUE;
			else
				continue;
			row = object_row(im, kind, f, v);
			if (row) {
				if (ds_db_set_end(im->db, what, row, ns) < 0)
					return db_fail(im);
				u64map_put(&im->objects, obj_key(kind, f->root_fd_id, v), 0);
			}
			continue;
		}
		switch (fl->kind) {
		case DS_UAPI_GEM_HANDLE:
			gem = v;
			if (is_out && (io->flags & DS_UAPI_I_CREATES))
				have_gem_out = true;
			else
				have_gem_in = true;
			break;
		case DS_UAPI_VM_ID:
			vm = v;
			if (is_out && (io->flags & DS_UAPI_I_CREATES))
				have_vm_out = true;
			else
				have_vm_in = true;
			break;
		case DS_UAPI_QUEUE_ID:
			queue = v;
			if (is_out && (io->flags & DS_UAPI_I_CREATES))
				have_queue_out = true;
			break;
		case DS_UAPI_SIZE:
			if (!size)
				size = v;
			break;
		case DS_UAPI_FLAGS:
			if (!flags && !strcmp(fl->name, "flags"))
				flags = v;
			break;
		case DS_UAPI_MMAP_OFFSET:
			if (is_out) {
				offset = v;
				have_offset = true;
			}
			break;
		case DS_UAPI_VALUE:
			if (!strcmp(fl->name, "priority"))
				prio = v;
			break;
		default:
			break;
		}
	}
	if (have_gem_out && gem) {
		struct ds_db_gem g = { .device_id = f->device_id, .fd_id = f->fd_id,
				       .handle = (uint32_t)gem, .size = size, .flags = flags,
				       .created_ns = ns, .create_ioctl_id = ioctl_id };
		int64_t row = ds_db_insert_gem(im->db, &g);

		if (row < 0)
			return db_fail(im);
		if (u64map_put(&im->objects, obj_key(OBJ_GEM, f->root_fd_id, gem), (uint64_t)row))
			return fail(im, -ENOMEM, "out of memory");
	}
	if (have_offset && have_gem_in) {
		int64_t row = object_row(im, OBJ_GEM, f, gem);

		if (row && ds_db_set_gem_mmap_offset(im->db, row, offset) < 0)
			return db_fail(im);
	}
	if (have_vm_out && !have_queue_out) {
		struct ds_db_vm v = { .device_id = f->device_id, .fd_id = f->fd_id,
				      .handle = (uint32_t)vm, .created_ns = ns,
				      .create_ioctl_id = ioctl_id };
		int64_t row = ds_db_insert_vm(im->db, &v);

		if (row < 0)
			return db_fail(im);
		if (u64map_put(&im->objects, obj_key(OBJ_VM, f->root_fd_id, vm), (uint64_t)row))
			return fail(im, -ENOMEM, "out of memory");
	}
	if (have_queue_out) {
		struct ds_db_queue q = { .device_id = f->device_id, .fd_id = f->fd_id,
					 .handle = (uint32_t)queue, .priority = (int)prio,
					 .vm_id = have_vm_in ? object_row(im, OBJ_VM, f, vm) : 0,
					 .created_ns = ns, .create_ioctl_id = ioctl_id };
		int64_t row = ds_db_insert_queue(im->db, &q);

		if (row < 0)
			return db_fail(im);
		if (u64map_put(&im->objects, obj_key(OBJ_QUEUE, f->root_fd_id, queue), (uint64_t)row))
			return fail(im, -ENOMEM, "out of memory");
	}
	return 0;
}

static int store_array(struct importer *im, int64_t ioctl_id, int dir, int idx,
		       const char *field, const void *bytes, size_t size)
{
	struct ds_db_payload p = { .ioctl_id = ioctl_id,
				   .dir = dir ? DS_DB_PAYLOAD_ARRAY_OUT : DS_DB_PAYLOAD_ARRAY_IN,
				   .idx = idx, .field = field, .bytes = bytes, .size = size };

	return ds_db_insert_payload(im->db, &p) < 0 ? db_fail(im) : 0;
}

/* Write the call's row (and its arrays); @out NULL: it never returned. */
static int finish_call(struct importer *im, struct thread_state *t, struct call *c,
		       int64_t end_ns, int64_t ret, int err, const uint8_t *out, size_t out_size)
{
	struct file_state *f = resolve_file(im, t->pid, c->fd, c->begin_ns);
	/* by number: a program built against older headers has other sizes */
	const struct ds_uapi_ioctl *io = ds_uapi_lookup_nr(f ? f->drv : NULL, c->request, NULL);
	char namebuf[64];
	struct ds_db_ioctl row = {
		.tid = t->tid, .pid = t->pid, .fd = c->fd,
		.fd_id = f ? f->fd_id : 0, .device_id = f ? f->device_id : 0,
		.request = c->request,
		.name = io ? io->name : ds_uapi_request_name(f ? f->drv : NULL, c->request,
							       namebuf, sizeof(namebuf)),
		.driver = io ? ds_uapi_driver_of(io)->name : (f && f->driver[0] ? f->driver : NULL),
		.begin_ns = c->begin_ns, .end_ns = out ? end_ns : 0,
		.ret = ret, .err = err,
		.in = c->in, .in_size = c->in_size,
		.out = out, .out_size = out_size,
	};
	int64_t id;
	int i, r;

	id = ds_db_insert_ioctl(im->db, &row);
	if (id < 0)
		return db_fail(im);
	im->stats->ioctls++;
	for (i = 0; i < c->narrays; i++) {
		struct pending_array *a = &c->arrays[i];

		r = store_array(im, id, a->dir, a->idx, a->field, a->bytes, a->size);
		if (r)
			return r;
	}
	for (i = 0; i < c->nsnaps; i++) {
		struct pending_snapshot *ps = &c->snaps[i];
		struct ds_db_snapshot snap = {
			.ioctl_id = id, .ns = ps->ns, .device_id = f ? f->device_id : 0,
			.gem_id = f ? object_row(im, OBJ_GEM, f, ps->handle) : 0,
			.handle = ps->handle, .offset = ps->offset, .size = ps->size,
			.blob_hash = ps->hash, .after = ps->after,
		};

		if (ds_db_insert_snapshot(im->db, &snap) < 0)
			return db_fail(im);
	}
	if (out && ret >= 0 && io && f) {
		r = track_objects(im, f, io, c->in, c->in_size, out, out_size, id, end_ns);
		if (r)
			return r;
	}
	if (c->seq) {	/* ioctl_call has none: nothing comes after it */
		t->last_seq = c->seq;
		t->last_id = id;
	}
	return 0;
}

static int on_ioctl_exit(struct importer *im, struct thread_state *t,
			 const struct ds_ctf_event *ev)
{
	uint64_t seq = 0, size = 0;
	int64_t ret = 0, err = 0, n;
	struct call *c;
	int r;

	ds_ctf_u64(ev, "seq", &seq);
	ds_ctf_i64(ev, "ret", &ret);
	ds_ctf_i64(ev, "err", &err);
	ds_ctf_u64(ev, "size", &size);
	c = find_call(t, seq);
	if (!c)
		return 0;	/* its enter was lost or before the trace began */
	if (size > MAX_ARG_BYTES)
		size = MAX_ARG_BYTES;
	n = ds_ctf_bytes(ev, "args", im->out_buf, size);
	r = finish_call(im, t, c, ds_ctf_ns(ev), ret, (int)err, im->out_buf,
			n < 0 ? 0 : (size_t)(n < (int64_t)size ? n : (int64_t)size));
	pop_call(t, c);
	return r;
}

/*
 * A whole call in one event, its "call" words as drmscope_tp.h describes:
 * fd and request, begin time, result and argument size, then the argument
 * before the call and (if the kernel copied it back) after it.
 */
static int on_ioctl_call(struct importer *im, struct thread_state *t,
			 const struct ds_ctf_event *ev)
{
	const size_t head = 8 * DS_TP_CALL_HEAD;
	uint64_t w[DS_TP_CALL_HEAD];
	int64_t n = ds_ctf_bytes(ev, "call", im->out_buf, sizeof(im->out_buf));
	size_t in_size, in_padded, out_size = 0;
	int32_t result;
	struct call c;

	if (n < (int64_t)head)
		return fail(im, -EINVAL, "thread %d: an ioctl_call event of %" PRId64 " bytes",
			    t->tid, n);
	if (n > (int64_t)sizeof(im->out_buf))
		n = sizeof(im->out_buf);
	memcpy(w, im->out_buf, head);
	in_size = (size_t)(w[2] >> 32);
	in_padded = (in_size + 7) & ~(size_t)7;
	if (in_padded > (size_t)n - head)
		return fail(im, -EINVAL, "thread %d: an ioctl_call event says %zu argument bytes"
			    " but holds %zu", t->tid, in_size, (size_t)n - head);
	if (in_size && (size_t)n - head - in_padded >= in_size)
		out_size = in_size;
	/* nothing of it comes in other events: no need to keep it on the stack */
	c.seq = 0;
	c.fd = (int)(uint32_t)w[0];
	c.request = (uint32_t)(w[0] >> 32);
	c.begin_ns = (int64_t)w[1];
	c.in = im->out_buf + head;
	c.in_size = in_size;
	c.narrays = 0;
	c.snaps = NULL;
	c.nsnaps = 0;
	result = (int32_t)(uint32_t)w[2];
	return finish_call(im, t, &c, ds_ctf_ns(ev), result < 0 ? -1 : result,
			   result < 0 ? (int)-(int64_t)result : 0, im->out_buf + head + in_padded,
			   out_size);
}

/* Bytes of an ioctl_array (inline words) or ioctl_array_blob (side file). */
static int array_bytes(struct importer *im, const struct ds_ctf_event *ev, bool blob,
		       void **bytes, size_t *size)
{
	uint64_t want = 0;
	int64_t n;

	ds_ctf_u64(ev, "size", &want);
	if (blob) {
		uint64_t hi = 0, lo = 0;

		ds_ctf_u64(ev, "hash_hi", &hi);
		ds_ctf_u64(ev, "hash_lo", &lo);
		return ds_blobfiles_get(&im->blobs, hi, lo, bytes, size);
	}
	if (want > sizeof(im->arr_buf))
		want = sizeof(im->arr_buf);
	n = ds_ctf_bytes(ev, "data", im->arr_buf, want);
	if (n < 0)
		return -EINVAL;
	*size = (size_t)(n < (int64_t)want ? n : (int64_t)want);
	*bytes = malloc(*size ? *size : 1);
	if (!*bytes)
		return -ENOMEM;
	memcpy(*bytes, im->arr_buf, *size);
	return 0;
}

static int on_ioctl_array(struct importer *im, struct thread_state *t,
			  const struct ds_ctf_event *ev, bool blob)
{
	uint64_t seq = 0, phase = 0, index = 0;
	const char *field = ds_ctf_str(ev, "field");
	void *bytes = NULL;
	size_t size = 0;
	struct call *c;
	int r;

	ds_ctf_u64(ev, "seq", &seq);
	ds_ctf_u64(ev, "phase", &phase);
	ds_ctf_u64(ev, "index", &index);
	r = array_bytes(im, ev, blob, &bytes, &size);
	if (r == -ENOENT || r == -EBADMSG) {
		im->stats->lost_blobs++;	/* the side file lacks it: count, go on */
		return 0;
	}
	if (r)
		return fail(im, r, "reading an array of call %llu: %s",
			    (unsigned long long)seq, strerror(-r));
	c = find_call(t, seq);
	if (c) {
		struct pending_array *a;

		if (c->narrays == MAX_ARRAYS) {
			free(bytes);
			im->stats->lost_arrays++;
			return 0;
		}
		a = &c->arrays[c->narrays++];
		a->dir = phase ? 1 : 0;
		a->idx = (int)index;
		a->field = strdup(field ? field : "");
		a->bytes = bytes;
		a->size = size;
		return 0;
	}
	if (t->last_id && t->last_seq == seq)
		r = store_array(im, t->last_id, phase ? 1 : 0, (int)index, field, bytes, size);
	free(bytes);
	return r;
}

static int on_buffer_snapshot(struct importer *im, struct thread_state *t,
			      const struct ds_ctf_event *ev)
{
	uint64_t seq = 0, handle = 0, offset = 0, size = 0, hi = 0, lo = 0, stored = 0;
	uint64_t phase = 0;	/* absent in traces of older shims: before */
	int64_t fd = -1;
	struct file_state *f;
	struct call *c;
	char hash[33];
	void *data;
	size_t len;
	int r;

	ds_ctf_u64(ev, "seq", &seq);
	ds_ctf_i64(ev, "fd", &fd);
	ds_ctf_u64(ev, "handle", &handle);
	ds_ctf_u64(ev, "offset", &offset);
	ds_ctf_u64(ev, "size", &size);
	ds_ctf_u64(ev, "hash_hi", &hi);
	ds_ctf_u64(ev, "hash_lo", &lo);
	ds_ctf_u64(ev, "stored", &stored);
	ds_ctf_u64(ev, "phase", &phase);
	r = ds_blobfiles_get(&im->blobs, hi, lo, &data, &len);
	if (r) {
		im->stats->lost_blobs++;	/* content not kept: the snapshot has no bytes */
		return 0;
	}
	if (ds_db_put_blob(im->db, data, len, hash) < 0) {
		free(data);
		return db_fail(im);
	}
	free(data);
	im->stats->blobs++;
	c = find_call(t, seq);
	if (c) {	/* taken before the call: stored with it when it exits */
		struct pending_snapshot *n = realloc(c->snaps, (c->nsnaps + 1) * sizeof(*n));

		if (!n)
			return fail(im, -ENOMEM, "out of memory");
		c->snaps = n;
		n += c->nsnaps++;
		n->ns = ds_ctf_ns(ev);
		n->handle = (uint32_t)handle;
		n->offset = offset;
		n->size = size;
		n->after = phase != 0;
		memcpy(n->hash, hash, sizeof(n->hash));
		return 0;
	}
	f = resolve_file(im, t->pid, (int)fd, ds_ctf_ns(ev));
	struct ds_db_snapshot s = {
		.ioctl_id = t->last_seq == seq ? t->last_id : 0,
		.ns = ds_ctf_ns(ev), .device_id = f ? f->device_id : 0,
		.gem_id = f ? object_row(im, OBJ_GEM, f, handle) : 0,
		.handle = (uint32_t)handle, .offset = offset, .size = size, .blob_hash = hash,
		.after = phase != 0,
	};
	if (ds_db_insert_snapshot(im->db, &s) < 0)
		return db_fail(im);
	return 0;
}

static void show_progress(struct importer *im)
{
	time_t now = time(NULL);

	if (!im->progress || now == im->last_progress)
		return;
	im->last_progress = now;
	fprintf(stderr, "\rdrmscope: imported %lld events, %lld ioctls",
		(long long)im->stats->events, (long long)im->stats->ioctls);
}

static int on_event(void *ctx, const struct ds_ctf_event *ev)
{
	struct importer *im = ctx;
	const char *name = ds_ctf_name(ev);
	struct thread_state *t;
	int r;

	im->stats->events++;
	im->last_ns = ds_ctf_ns(ev);
	if ((im->stats->events & 0xffff) == 0)
		show_progress(im);
	if (strncmp(name, "drmscope:", 9))
		return 0;
	name += 9;
	t = thread_of(im, ev);
	if (!t)
		return fail(im, -ENOMEM, "out of memory");
	r = note_thread(im, t, ev);
	if (r)
		return r;
	if (!strcmp(name, "ioctl_enter"))
		return on_ioctl_enter(im, t, ev);
	if (!strcmp(name, "ioctl_exit"))
		return on_ioctl_exit(im, t, ev);
	if (!strcmp(name, "ioctl_call"))
		return on_ioctl_call(im, t, ev);
	if (!strcmp(name, "ioctl_array"))
		return on_ioctl_array(im, t, ev, false);
	if (!strcmp(name, "ioctl_array_blob"))
		return on_ioctl_array(im, t, ev, true);
	if (!strcmp(name, "buffer_snapshot"))
		return on_buffer_snapshot(im, t, ev);
	if (!strcmp(name, "fd_open"))
		return on_fd_open(im, ev);
	if (!strcmp(name, "fd_dup"))
		return on_fd_dup(im, ev);
	if (!strcmp(name, "fd_close"))
		return on_fd_close(im, ev);
	if (!strcmp(name, "fd_driver"))
		return on_fd_driver(im, ev);
	if (!strcmp(name, "process_info"))
		return on_process_info(im, ev);
	if (!strcmp(name, "lost")) {
		uint64_t n = 0;

		ds_ctf_u64(ev, "count", &n);
		im->stats->lost_shim += (int64_t)n;
		return 0;
	}
	if (!strcmp(name, "shim_error")) {
		fprintf(stderr, "drmscope: the shim reported: %s\n",
			ds_ctf_str(ev, "msg") ? ds_ctf_str(ev, "msg") : "?");
		return 0;
	}
	return 0;	/* mmap, munmap: known to the shim, not stored yet */
}

/* Calls still open at the end never returned: store them without an end. */
static int flush_open_calls(struct importer *im)
{
	size_t i;
	int r = 0;

	for (i = 0; i < im->threads.cap; i++) {
		struct thread_state *t = (struct thread_state *)(uintptr_t)im->threads.vals[i];

		if (!im->threads.keys[i] || !t)
			continue;
		while (t->depth > 0) {
			struct call *c = &t->stack[--t->depth];

			if (!r)
				r = finish_call(im, t, c, 0, 0, 0, NULL, 0);
			free_call(c);
		}
	}
	return r;
}

static void free_maps(struct importer *im)
{
	size_t i;

	for (i = 0; i < im->threads.cap; i++)
		if (im->threads.keys[i])
			free((void *)(uintptr_t)im->threads.vals[i]);
	for (i = 0; i < im->files.cap; i++)
		if (im->files.keys[i])
			free((void *)(uintptr_t)im->files.vals[i]);
	while (im->retired) {
		struct file_state *f = im->retired;

		im->retired = f->retired;
		free(f);
	}
	u64map_free(&im->threads);
	u64map_free(&im->files);
	u64map_free(&im->devices);
	u64map_free(&im->objects);
	u64map_free(&im->processes);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ds_import(struct ds_db *db, const char *trace_dir, const char *blob_dir,
	      int progress, struct ds_import_stats *stats, char *err, size_t errlen)
{
	bool timing = getenv("DRMSCOPE_IMPORT_TIMING") != NULL;
	double t0 = seconds(), t1 = t0, t2 = t0;
	struct ds_ctf_stats cs = { 0 };
	struct importer *im;
	int ret = 0;

	memset(stats, 0, sizeof(*stats));
	im = calloc(1, sizeof(*im));
	if (!im) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	im->db = db;
	im->stats = stats;
	im->progress = progress;
	im->err = err;
	im->errlen = errlen;
	ret = ds_blobfiles_open(&im->blobs, blob_dir, err, errlen);
	if (ret)
		goto out;
	if (trace_dir) {
		ret = ds_ctf_read(trace_dir, on_event, im, &cs, err, errlen);
		if (progress && stats->events >= 0x10000)
			fprintf(stderr, "\n");
		if (ret)
			goto out;
		ret = flush_open_calls(im);
		if (ret)
			goto out;
		stats->lost_discarded = cs.discarded;
	}
	stats->lost = stats->lost_discarded + stats->lost_blobs + stats->lost_arrays +
		      stats->lost_shim;
	if (stats->lost && ds_db_add_lost_events(db, stats->lost) < 0) {
		ret = db_fail(im);
		goto out;
	}
	/* the indexes first: deriving joins on them */
	t1 = seconds();
	if (ds_db_finish_import(db) < 0) {
		ret = db_fail(im);
		goto out;
	}
	t2 = seconds();
	ret = ds_derive_kernel_rows(db, err, errlen);
	if (timing)
		fprintf(stderr, "import timing: events %.3f s, indexes %.3f s, derive %.3f s\n",
			t1 - t0, t2 - t1, seconds() - t2);
out:
	free_maps(im);
	ds_blobfiles_close(&im->blobs);
	free(im);
	return ret < 0 ? ret : (ret ? -EIO : 0);
}
