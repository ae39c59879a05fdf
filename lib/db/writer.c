/*
 * lib/db/writer.c: one function per table to add (or update) rows.
 *
 * Each function binds the row's values in column order to a statement
 * prepared once per handle (see db.c), steps it and counts the row for the
 * batching transaction. The struct fields follow the column order of the
 * SQL in db.c; docs/schema.md says what each column means.
 */
#include "db_internal.h"

#include <stdio.h>

#include <drmscope/version.h>

static const char *const fd_how_names[] = {
	[DS_DB_FD_OPEN] = "open",
	[DS_DB_FD_DUP] = "dup",
	[DS_DB_FD_FORK] = "fork",
	[DS_DB_FD_INHERITED] = "inherited",
};

static const char *const payload_dir_names[] = {
	[DS_DB_PAYLOAD_ARRAY_IN] = "array_in",
	[DS_DB_PAYLOAD_ARRAY_OUT] = "array_out",
};

#define ENUM_NAME(table, v) \
	((unsigned int)(v) < sizeof(table) / sizeof((table)[0]) ? (table)[v] : NULL)

static int bad_arg(struct ds_db *db, const char *what)
{
	return dsdb_error(db, DS_DB_INVALID, "%s: invalid %s row", db->path, what);
}

int ds_db_set_capture(struct ds_db *db, const struct ds_db_capture *c)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!c)
		return bad_arg(db, "capture");
	rc = dsdb_write_begin(db, ST_CAPTURE_SET, &b);
	if (rc)
		return (int)rc;
	dsdb_bind_text(&b, c->host);
	dsdb_bind_text(&b, c->kernel_release);
	dsdb_bind_text(&b, c->machine);
	dsdb_bind_text(&b, c->command_line);
	dsdb_bind_text(&b, c->source);
	dsdb_bind_text(&b, c->drmscope_version ? c->drmscope_version : DRMSCOPE_VERSION);
	dsdb_bind_opt(&b, c->start_ns);
	dsdb_bind_opt(&b, c->end_ns);
	dsdb_bind_opt(&b, c->start_unix_ns);
	dsdb_bind_i64(&b, c->lost_events);
	rc = dsdb_write_end(db, &b, "capture");
	return rc < 0 ? (int)rc : DS_DB_OK;
}

int ds_db_add_lost_events(struct ds_db *db, int64_t n)
{
	struct dsdb_bind b;
	int64_t rc;

	rc = dsdb_write_begin(db, ST_CAPTURE_LOST, &b);
	if (rc)
		return (int)rc;
	dsdb_bind_i64(&b, n);
	rc = dsdb_write_end(db, &b, "capture");
	return rc < 0 ? (int)rc : DS_DB_OK;
}

int64_t ds_db_put_driver(struct ds_db *db, const struct ds_db_driver *d)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!d || d->device_id <= 0)
		return bad_arg(db, "driver");
	rc = dsdb_write_begin(db, ST_DRIVER_PUT, &b);
	if (rc)
		return rc;
	dsdb_bind_i64(&b, d->device_id);
	dsdb_bind_text(&b, d->name);
	dsdb_bind_i64(&b, d->major);
	dsdb_bind_i64(&b, d->minor);
	dsdb_bind_i64(&b, d->patchlevel);
	dsdb_bind_text(&b, d->date);
	dsdb_bind_text(&b, d->desc);
	dsdb_bind_opt(&b, d->ioctl_id);
	rc = dsdb_write_end(db, &b, "driver");
	return rc < 0 ? rc : d->device_id;
}

int64_t ds_db_put_process(struct ds_db *db, const struct ds_db_process *p)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!p || p->pid <= 0)
		return bad_arg(db, "process");
	rc = dsdb_write_begin(db, ST_PROCESS_PUT, &b);
	if (rc)
		return rc;
	dsdb_bind_i64(&b, p->pid);
	dsdb_bind_opt(&b, p->ppid);
	dsdb_bind_text(&b, p->comm);
	dsdb_bind_text(&b, p->exe);
	dsdb_bind_text(&b, p->argv_json);
	dsdb_bind_opt(&b, p->start_ns);
	dsdb_bind_opt(&b, p->end_ns);
	if (p->exited && !p->exit_signal)
		dsdb_bind_i64(&b, p->exit_code);
	else
		dsdb_bind_null(&b);
	if (p->exited && p->exit_signal)
		dsdb_bind_i64(&b, p->exit_signal);
	else
		dsdb_bind_null(&b);
	rc = dsdb_write_end(db, &b, "process");
	return rc < 0 ? rc : p->pid;
}

int64_t ds_db_put_thread(struct ds_db *db, const struct ds_db_thread *t)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!t || t->tid <= 0)
		return bad_arg(db, "thread");
	rc = dsdb_write_begin(db, ST_THREAD_PUT, &b);
	if (rc)
		return rc;
	dsdb_bind_i64(&b, t->tid);
	dsdb_bind_opt(&b, t->pid);
	dsdb_bind_text(&b, t->name);
	dsdb_bind_opt(&b, t->start_ns);
	dsdb_bind_opt(&b, t->end_ns);
	rc = dsdb_write_end(db, &b, "thread");
	return rc < 0 ? rc : t->tid;
}

int64_t ds_db_insert_device(struct ds_db *db, const struct ds_db_device *d)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!d)
		return bad_arg(db, "device");
	rc = dsdb_write_begin(db, ST_DEVICE_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_text(&b, d->path);
	dsdb_bind_i64(&b, d->major);
	dsdb_bind_i64(&b, d->minor);
	dsdb_bind_text(&b, d->driver);
	return dsdb_write_end(db, &b, "device");
}

int64_t ds_db_insert_fd(struct ds_db *db, const struct ds_db_fd *f)
{
	const char *how = f ? ENUM_NAME(fd_how_names, f->how) : NULL;
	struct dsdb_bind b;
	int64_t rc;

	if (!how)
		return bad_arg(db, "fd");
	rc = dsdb_write_begin(db, ST_FD_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_opt(&b, f->pid);
	dsdb_bind_i64(&b, f->fd);
	dsdb_bind_opt(&b, f->device_id);
	dsdb_bind_opt(&b, f->opened_ns);
	dsdb_bind_opt(&b, f->closed_ns);
	dsdb_bind_text(&b, how);
	dsdb_bind_opt(&b, f->parent_fd_id);
	dsdb_bind_i64(&b, f->flags);
	return dsdb_write_end(db, &b, "fd");
}

int64_t ds_db_insert_payload(struct ds_db *db, const struct ds_db_payload *p)
{
	const char *dir = p ? ENUM_NAME(payload_dir_names, p->dir) : NULL;
	struct dsdb_bind b;
	int64_t rc;

	if (!dir || !p->bytes || p->ioctl_id <= 0)
		return bad_arg(db, "ioctl_payload");
	rc = dsdb_write_begin(db, ST_PAYLOAD_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_i64(&b, p->ioctl_id);
	dsdb_bind_text(&b, dir);
	dsdb_bind_i64(&b, p->idx);
	dsdb_bind_text(&b, p->field);
	dsdb_bind_blob(&b, p->bytes, p->size);
	return dsdb_write_end(db, &b, "ioctl_payload");
}

/*
 * One row of ioctl_call; the name and driver become an ioctl_name id (see
 * names.c), the argument bytes go in columns (a NULL pointer: SQL NULL).
 * An id of 0 binds NULL: SQLite then takes the largest id plus one.
 */
int64_t ds_db_insert_ioctl(struct ds_db *db, const struct ds_db_ioctl *io)
{
	char raw_name[32];
	const char *name;
	struct dsdb_bind b;
	int64_t name_id, rc;

	if (!io || io->id < 0)
		return bad_arg(db, "ioctl");
	name = io->name;
	if (!name) {
		snprintf(raw_name, sizeof(raw_name), "IOCTL_0x%08x", io->request);
		name = raw_name;
	}
	name_id = dsdb_name_id(db, name, io->driver);
	if (name_id < 0)
		return name_id;
	rc = dsdb_write_begin(db, ST_IOCTL_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_opt(&b, io->id);
	dsdb_bind_opt(&b, io->tid);
	dsdb_bind_opt(&b, io->pid);
	dsdb_bind_i64(&b, io->fd);
	dsdb_bind_opt(&b, io->fd_id);
	dsdb_bind_opt(&b, io->device_id);
	dsdb_bind_i64(&b, io->request);
	dsdb_bind_i64(&b, name_id);
	dsdb_bind_opt(&b, io->begin_ns);
	dsdb_bind_opt(&b, io->end_ns);
	if (io->end_ns) {
		dsdb_bind_i64(&b, io->ret);
		dsdb_bind_i64(&b, io->err);
	} else {
		dsdb_bind_null(&b);
		dsdb_bind_null(&b);
	}
	dsdb_bind_blob(&b, io->in, io->in_size);
	dsdb_bind_blob(&b, io->out, io->out_size);
	return dsdb_write_end(db, &b, "ioctl_call");
}

int64_t ds_db_insert_gem(struct ds_db *db, const struct ds_db_gem *g)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!g)
		return bad_arg(db, "gem_object");
	rc = dsdb_write_begin(db, ST_GEM_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_opt(&b, g->device_id);
	dsdb_bind_opt(&b, g->fd_id);
	dsdb_bind_i64(&b, g->handle);
	dsdb_bind_i64(&b, (int64_t)g->size);
	dsdb_bind_i64(&b, (int64_t)g->flags);
	dsdb_bind_opt(&b, g->created_ns);
	dsdb_bind_opt(&b, g->freed_ns);
	dsdb_bind_opt(&b, g->create_ioctl_id);
	dsdb_bind_opt(&b, (int64_t)g->mmap_offset);
	return dsdb_write_end(db, &b, "gem_object");
}

int ds_db_set_gem_mmap_offset(struct ds_db *db, int64_t gem_id, uint64_t offset)
{
	struct dsdb_bind b;
	int rc;

	rc = dsdb_write_begin(db, ST_GEM_MMAP, &b);
	if (rc)
		return rc;
	dsdb_bind_i64(&b, gem_id);
	dsdb_bind_i64(&b, (int64_t)offset);
	return dsdb_update_end(db, &b, "gem_object", gem_id);
}

int64_t ds_db_insert_vm(struct ds_db *db, const struct ds_db_vm *v)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!v)
		return bad_arg(db, "vm");
	rc = dsdb_write_begin(db, ST_VM_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_opt(&b, v->device_id);
	dsdb_bind_opt(&b, v->fd_id);
	dsdb_bind_i64(&b, v->handle);
	dsdb_bind_opt(&b, v->created_ns);
	dsdb_bind_opt(&b, v->destroyed_ns);
	dsdb_bind_opt(&b, v->create_ioctl_id);
	return dsdb_write_end(db, &b, "vm");
}

int64_t ds_db_insert_vm_bind_op(struct ds_db *db, const struct ds_db_vm_bind_op *o)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!o || (o->op != DS_DB_BIND_MAP && o->op != DS_DB_BIND_UNMAP))
		return bad_arg(db, "vm_bind_op");
	rc = dsdb_write_begin(db, ST_BIND_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_opt(&b, o->ioctl_id);
	dsdb_bind_opt(&b, o->vm_id);
	dsdb_bind_text(&b, o->op == DS_DB_BIND_MAP ? "map" : "unmap");
	dsdb_bind_i64(&b, (int64_t)o->va);
	dsdb_bind_i64(&b, (int64_t)o->range);
	dsdb_bind_opt(&b, o->bo_handle);
	dsdb_bind_opt(&b, o->gem_id);
	dsdb_bind_i64(&b, (int64_t)o->bo_offset);
	dsdb_bind_i64(&b, (int64_t)o->flags);
	dsdb_bind_opt(&b, o->ns);
	return dsdb_write_end(db, &b, "vm_bind_op");
}

int64_t ds_db_insert_queue(struct ds_db *db, const struct ds_db_queue *q)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!q)
		return bad_arg(db, "queue");
	rc = dsdb_write_begin(db, ST_QUEUE_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_opt(&b, q->vm_id);
	dsdb_bind_opt(&b, q->device_id);
	dsdb_bind_opt(&b, q->fd_id);
	dsdb_bind_i64(&b, q->handle);
	dsdb_bind_i64(&b, q->priority);
	dsdb_bind_opt(&b, q->created_ns);
	dsdb_bind_opt(&b, q->destroyed_ns);
	dsdb_bind_opt(&b, q->create_ioctl_id);
	return dsdb_write_end(db, &b, "queue");
}

int64_t ds_db_insert_job(struct ds_db *db, const struct ds_db_job *j)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!j)
		return bad_arg(db, "job");
	rc = dsdb_write_begin(db, ST_JOB_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_opt(&b, j->queue_id);
	dsdb_bind_i64(&b, j->seqno);
	dsdb_bind_opt(&b, j->submit_ioctl_id);
	dsdb_bind_opt(&b, j->submit_ns);
	dsdb_bind_opt(&b, j->run_ns);
	dsdb_bind_opt(&b, j->done_ns);
	if (j->done_ns)
		dsdb_bind_i64(&b, j->result);
	else
		dsdb_bind_null(&b);
	dsdb_bind_text(&b, j->result_hash);
	return dsdb_write_end(db, &b, "job");
}

int ds_db_job_ran(struct ds_db *db, int64_t job_id, int64_t run_ns)
{
	struct dsdb_bind b;
	int rc;

	rc = dsdb_write_begin(db, ST_JOB_RAN, &b);
	if (rc)
		return rc;
	dsdb_bind_i64(&b, job_id);
	dsdb_bind_opt(&b, run_ns);
	return dsdb_update_end(db, &b, "job", job_id);
}

int ds_db_job_done(struct ds_db *db, int64_t job_id, int64_t done_ns, int result,
		   const char *result_hash)
{
	struct dsdb_bind b;
	int rc;

	rc = dsdb_write_begin(db, ST_JOB_DONE, &b);
	if (rc)
		return rc;
	dsdb_bind_i64(&b, job_id);
	dsdb_bind_opt(&b, done_ns);
	dsdb_bind_i64(&b, result);
	dsdb_bind_text(&b, result_hash);
	return dsdb_update_end(db, &b, "job", job_id);
}

int64_t ds_db_insert_fw_message(struct ds_db *db, const struct ds_db_fw_message *m)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!m || (m->dir != DS_DB_FW_SEND && m->dir != DS_DB_FW_RECEIVE))
		return bad_arg(db, "fw_message");
	rc = dsdb_write_begin(db, ST_FW_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_opt(&b, m->device_id);
	dsdb_bind_i64(&b, m->ring);
	dsdb_bind_i64(&b, m->seq);
	dsdb_bind_i64(&b, m->function);
	dsdb_bind_text(&b, m->function_name);
	dsdb_bind_i64(&b, m->length);
	dsdb_bind_i64(&b, m->abi_version);
	dsdb_bind_opt(&b, m->ns);
	dsdb_bind_text(&b, m->dir == DS_DB_FW_SEND ? "send" : "receive");
	dsdb_bind_text(&b, m->payload_json);
	dsdb_bind_blob(&b, m->raw, m->raw_size);
	dsdb_bind_opt(&b, m->run_id);
	return dsdb_write_end(db, &b, "fw_message");
}

int64_t ds_db_insert_kernel_event(struct ds_db *db, const struct ds_db_kernel_event *e)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!e || !e->system || !e->name)
		return bad_arg(db, "kernel_event");
	rc = dsdb_write_begin(db, ST_KEVENT_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_i64(&b, e->ns);
	dsdb_bind_i64(&b, e->cpu);
	dsdb_bind_i64(&b, e->pid);
	dsdb_bind_text(&b, e->system);
	dsdb_bind_text(&b, e->name);
	dsdb_bind_text(&b, e->fields_json);
	dsdb_bind_opt(&b, e->run_id);
	return dsdb_write_end(db, &b, "kernel_event");
}

int64_t ds_db_insert_snapshot(struct ds_db *db, const struct ds_db_snapshot *s)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!s || !s->blob_hash)
		return bad_arg(db, "buffer_snapshot");
	rc = dsdb_write_begin(db, ST_SNAPSHOT_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_opt(&b, s->ioctl_id);
	dsdb_bind_opt(&b, s->ns);
	dsdb_bind_opt(&b, s->device_id);
	dsdb_bind_opt(&b, s->gem_id);
	dsdb_bind_i64(&b, s->handle);
	dsdb_bind_i64(&b, (int64_t)s->offset);
	dsdb_bind_i64(&b, (int64_t)s->size);
	dsdb_bind_text(&b, s->blob_hash);
	dsdb_bind_text(&b, s->after ? "after" : "before");
	return dsdb_write_end(db, &b, "buffer_snapshot");
}

int ds_db_set_end(struct ds_db *db, enum ds_db_lifetime what, int64_t id, int64_t ns)
{
	static const struct {
		enum dsdb_stmt stmt;
		const char *table;
	} ends[] = {
		[DS_DB_END_FD] = { ST_END_FD, "fd" },
		[DS_DB_END_GEM] = { ST_END_GEM, "gem_object" },
		[DS_DB_END_VM] = { ST_END_VM, "vm" },
		[DS_DB_END_QUEUE] = { ST_END_QUEUE, "queue" },
		[DS_DB_END_RUN] = { ST_END_RUN, "run" },
	};
	struct dsdb_bind b;
	int rc;

	if ((unsigned int)what >= sizeof(ends) / sizeof(ends[0]))
		return bad_arg(db, "lifetime");
	rc = dsdb_write_begin(db, ends[what].stmt, &b);
	if (rc)
		return rc;
	dsdb_bind_i64(&b, id);
	dsdb_bind_opt(&b, ns);
	return dsdb_update_end(db, &b, ends[what].table, id);
}

int64_t ds_db_insert_run(struct ds_db *db, const struct ds_db_run *r)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!r)
		return bad_arg(db, "run");
	rc = dsdb_write_begin(db, ST_RUN_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_text(&b, r->label);
	dsdb_bind_text(&b, r->host);
	dsdb_bind_text(&b, r->driver_name);
	dsdb_bind_text(&b, r->driver_version);
	dsdb_bind_text(&b, r->kernel_release);
	dsdb_bind_text(&b, r->module_params);
	dsdb_bind_text(&b, r->options);
	dsdb_bind_opt(&b, r->start_unix_ns);
	dsdb_bind_opt(&b, r->end_unix_ns);
	return dsdb_write_end(db, &b, "run");
}

int64_t ds_db_insert_run_call(struct ds_db *db, const struct ds_db_run_call *c)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!c || c->run_id <= 0)
		return bad_arg(db, "run_call");
	rc = dsdb_write_begin(db, ST_RUN_CALL_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_i64(&b, c->run_id);
	dsdb_bind_opt(&b, c->ioctl_id);
	dsdb_bind_opt(&b, c->begin_ns);
	dsdb_bind_opt(&b, c->end_ns);
	dsdb_bind_i64(&b, c->ret);
	dsdb_bind_i64(&b, c->err);
	dsdb_bind_text(&b, c->mismatch);
	return dsdb_write_end(db, &b, "run_call");
}

int64_t ds_db_insert_run_job(struct ds_db *db, const struct ds_db_run_job *j)
{
	struct dsdb_bind b;
	int64_t rc;

	if (!j || j->run_id <= 0)
		return bad_arg(db, "run_job");
	rc = dsdb_write_begin(db, ST_RUN_JOB_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_i64(&b, j->run_id);
	dsdb_bind_opt(&b, j->queue_id);
	dsdb_bind_opt(&b, j->job_id);
	dsdb_bind_i64(&b, j->seqno);
	dsdb_bind_opt(&b, j->submit_ns);
	dsdb_bind_opt(&b, j->run_ns);
	dsdb_bind_opt(&b, j->done_ns);
	if (j->done_ns)
		dsdb_bind_i64(&b, j->result);
	else
		dsdb_bind_null(&b);
	dsdb_bind_text(&b, j->result_hash);
	return dsdb_write_end(db, &b, "run_job");
}
