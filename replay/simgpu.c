/*
 * replay/simgpu.c: what the replay checks beyond ioctl results, from the
 * kernel's own account of the work (tracepoints recorded during the run by
 * tracer/record/kevents.c into kernel_event rows with the run's id).
 *
 * Jobs. simgpu reports every job's result in its simgpu_job_done
 * tracepoint: the fence error and a 64-bit FNV-1a hash of everything the job
 * wrote. A replayed submission's jobs are found from the replayed queue id
 * and the sequence number the SUBMIT call returned (simgpu_job_submit, fired
 * inside that very call, gives the device-wide queue id the other events
 * use), matched in order with the capture's job rows of the same call, and
 * compared: same fence error, same hash. Each becomes a run_job row with the
 * replay's submit, run and done times. Hashes in kernel_event fields are
 * numbers, or "0x..." strings above INT64_MAX; both are normalised to 16
 * lowercase hex digits, as the capture's job.result_hash is.
 *
 * Firmware messages seen during the run become fw_message rows with the
 * run's id, as the capture's were derived (tracer/record/derive.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <sqlite3.h>

#include "derive.h"
#include <drm/drm.h>
#include <uapi/drm/simgpu_drm.h>
#include <drmscope/db.h>

#include "replay_internal.h"

#define HEX64(expr) \
	"(CASE typeof(" expr ") WHEN 'integer' THEN printf('%016x', " expr ")" \
	" WHEN 'text' THEN lower(substr(" expr ", 3)) END)"

struct kjob {
	int kind;		/* 0 submit, 1 run, 2 done */
	int64_t ns;
	int64_t dev, queue, handle, seqno, pid;
	int64_t result;
	bool has_result;
	char hash[17];
	bool has_hash;
	bool used;
};

static int load_kjobs(sqlite3 *sq, int64_t run_id, struct kjob **out, size_t *nout)
{
	sqlite3_stmt *st = NULL;
	struct kjob *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	rc = sqlite3_prepare_v2(sq,
		"SELECT CASE name WHEN 'simgpu_job_submit' THEN 0 WHEN 'simgpu_job_run' THEN 1"
		" ELSE 2 END, ns, json_extract(fields, '$.dev'), json_extract(fields, '$.queue'),"
		" json_extract(fields, '$.handle'), json_extract(fields, '$.seqno'),"
		" json_extract(fields, '$.pid'), json_extract(fields, '$.result'), "
		HEX64("json_extract(fields, '$.hash')")
		" FROM kernel_event WHERE run_id = ?1 AND system = 'simgpu' AND name IN"
		" ('simgpu_job_submit', 'simgpu_job_run', 'simgpu_job_done') ORDER BY ns, id",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kjob *k;

		if (n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct kjob *nv = realloc(v, nc * sizeof(*nv));

			if (!nv)
				goto fail;
			v = nv;
			cap = nc;
		}
		k = &v[n++];
		memset(k, 0, sizeof(*k));
		k->kind = sqlite3_column_int(st, 0);
		k->ns = sqlite3_column_int64(st, 1);
		k->dev = sqlite3_column_int64(st, 2);
		k->queue = sqlite3_column_int64(st, 3);
		k->handle = sqlite3_column_int64(st, 4);
		k->seqno = sqlite3_column_int64(st, 5);
		k->pid = sqlite3_column_int64(st, 6);
		k->has_result = sqlite3_column_type(st, 7) == SQLITE_INTEGER;
		k->result = sqlite3_column_int64(st, 7);
		k->has_hash = rp_norm_hash64((const char *)sqlite3_column_text(st, 8), k->hash);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return -1;
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	sqlite3_finalize(st);
	free(v);
	return -1;
}

static struct kjob *find_kjob(struct kjob *v, size_t n, int kind, int64_t dev,
			      int64_t queue, int64_t seqno)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].kind == kind && v[i].dev == dev && v[i].queue == queue &&
		    v[i].seqno == seqno && !v[i].used)
			return &v[i];
	return NULL;
}

static struct kjob *find_submit(struct kjob *v, size_t n, uint32_t handle, uint64_t seqno,
				int64_t pid, int64_t from, int64_t to)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].kind == 0 && !v[i].used && v[i].handle == handle &&
		    v[i].seqno == (int64_t)seqno && v[i].pid == pid &&
		    v[i].ns >= from && v[i].ns <= to)
			return &v[i];
	return NULL;
}

int rp_jobs_check(struct rp_run *run, struct ds_db *wdb, FILE *out)
{
	struct rp_capture *cap = run->cap;
	struct kjob *kj = NULL;
	size_t nkj = 0, i;
	int64_t pid = getpid();

	(void)out;
	if (load_kjobs(ds_db_sqlite(wdb), run->run_id, &kj, &nkj)) {
		snprintf(run->err, sizeof(run->err), "reading the replay's job events: %s",
			 sqlite3_errmsg(ds_db_sqlite(wdb)));
		return -1;
	}
	for (i = 0; i < cap->ncalls; i++) {
		const struct rp_call *c = &cap->calls[cap->order[i]];
		struct rp_result *r = &run->res[cap->order[i]];
		const struct rp_plan *p = c->plan;
		uint64_t njobs, k;

		if ((r->state != RP_DONE && r->state != RP_SETUP) || !p || p->jobs_node < 0 ||
		    p->queue_slot < 0 || p->seqno_off < 0 || r->ret < 0)
			continue;
		njobs = p->nodes[p->jobs_node].count;
		for (k = 0; k < njobs; k++) {
			const struct rp_job *cj = k < c->njobs ? &cap->jobs[c->job_first + k] : NULL;
			struct kjob *sub, *ran = NULL, *dn = NULL;
			struct ds_db_run_job row = { .run_id = run->run_id };
			char *diag = NULL;

			sub = find_submit(kj, nkj, r->queue, r->seqno + k, pid,
					  r->begin_ns - 1000000, r->end_ns + 1000000);
			if (sub) {
				sub->used = true;
				ran = find_kjob(kj, nkj, 1, sub->dev, sub->queue, sub->seqno);
				dn = find_kjob(kj, nkj, 2, sub->dev, sub->queue, sub->seqno);
				if (ran)
					ran->used = true;
				if (dn)
					dn->used = true;
			}
			run->jobs++;
			row.queue_id = cj ? cj->queue_id : 0;
			row.job_id = cj ? cj->id : 0;
			row.seqno = (int64_t)(r->seqno + k);
			row.submit_ns = sub ? sub->ns : 0;
			row.run_ns = ran ? ran->ns : 0;
			row.done_ns = dn ? dn->ns : 0;
			row.result = dn && dn->has_result ? (int)dn->result : 0;
			row.result_hash = dn && dn->has_hash ? dn->hash : NULL;
			if (ds_db_insert_run_job(wdb, &row) < 0) {
				snprintf(run->err, sizeof(run->err), "storing run_job: %s",
					 ds_db_errmsg(wdb));
				free(kj);
				return -1;
			}
			if (!cj || !cj->has_hash) {
				run->jobs_unchecked++;
				continue;
			}
			if (!sub && run->opt->no_kernel) {
				run->jobs_unchecked++;
				continue;
			}
			if (!dn) {
				if (!r->mismatch)
					run->mismatches++;
				run->job_mismatches++;
				rp_append(&r->mismatch, "job %" PRIu64 " (queue %" PRIu32 ", seqno %"
					  PRIu64 "): %s", k, r->queue, r->seqno + k,
					  sub ? "never completed in the replay" :
					  "not seen in the replay's kernel events");
				continue;
			}
			if ((cj->has_result && dn->has_result && cj->result != dn->result) ||
			    strcmp(cj->hash, dn->hash)) {
				if (!r->mismatch)
					run->mismatches++;
				run->job_mismatches++;
				rp_append(&r->mismatch, "job %" PRIu64 " (queue %" PRIu32 ", seqno %"
					  PRIu64 "): result hash 0x%s, the capture has 0x%s%s%s",
					  k, r->queue, r->seqno + k, dn->hash, cj->hash,
					  cj->result != dn->result ? "; fence error " : "",
					  cj->result != dn->result ?
					  (dn->result ? strerrorname_np((int)-dn->result) : "none") : "");
				if (!run->opt->no_diagnose && run->job_mismatches <= 8)
					diag = rp_simgpu_diagnose(run, c, (unsigned)k, NULL);
				if (diag) {
					rp_append(&r->mismatch, "%s", diag);
					free(diag);
				}
			}
		}
	}
	free(kj);
	return 0;
}

/* fw_message rows of the run, decoded as the capture's (derive.c). */
int rp_store_fw_messages(struct ds_db *wdb, int64_t run_id, struct rp_err *err)
{
	char msg[512];

	if (ds_derive_run_fw_messages(wdb, run_id, msg, sizeof(msg)) < 0) {
		rp_errf(err, "%s", msg);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ diagnosis */

/*
 * A job whose hash differs is run again, alone, to say which GPU command
 * went wrong: on a fresh file of the same device, a VM gets the capture's
 * mappings at that submission (replayed from its VM_BIND calls), each BO
 * the contents the capture snapshotted there, and the job is submitted and
 * waited for. A CPU model of the simgpu command set (include/uapi/drm/
 * simgpu_drm.h, "GPU command stream") runs the same commands on the same
 * contents; the first command whose written bytes (those no later command
 * overwrites) differ from the model's is named. The model's own hash is
 * compared with the capture's, so the report says whether the model is
 * trusted for this job.
 */

struct dmap {
	uint64_t vm;		/* captured VM id */
	uint64_t va, range, bo_offset;
	uint32_t handle;	/* captured */
	bool ro;
	int bo;			/* index into diag.bos */
};

struct dbo {
	uint32_t handle;	/* captured */
	uint64_t size;
	uint8_t *model;		/* the CPU model's memory */
	uint8_t *gpu;		/* the replayed BO, mapped */
	uint32_t rhandle;
};

struct dcmd {
	unsigned index;
	unsigned op;
	uint64_t va, len;	/* what it wrote */
	uint64_t a[3];		/* its arguments */
};

struct diag {
	struct dmap maps[64];
	unsigned nmaps;
	struct dbo bos[32];
	unsigned nbos;
	struct dcmd cmds[512];
	unsigned ncmds;
	uint64_t hash;
	int fault;		/* 0, or the model's -errno */
};

static const char *const op_names[] = {
	[DRM_SIMGPU_CMD_NOP] = "NOP", [DRM_SIMGPU_CMD_WRITE_IMM] = "WRITE_IMM",
	[DRM_SIMGPU_CMD_FILL] = "FILL", [DRM_SIMGPU_CMD_COPY] = "COPY",
	[DRM_SIMGPU_CMD_CHECKSUM] = "CHECKSUM", [DRM_SIMGPU_CMD_DELAY] = "DELAY",
};

static const char *op_name(unsigned op)
{
	return op < sizeof(op_names) / sizeof(op_names[0]) && op_names[op] ? op_names[op] : "?";
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= DRM_SIMGPU_HASH_PRIME;
	}
	return h;
}

static bool get_named(const struct ds_uapi_struct *s, const uint8_t *base, size_t len,
		      const char *name, uint64_t *v)
{
	const struct ds_uapi_field *f = s ? ds_uapi_field_by_name(s, name) : NULL;

	return f && !ds_uapi_field_get(f, base, len, 0, v);
}

/* Unmap [va, va + range) from the model's mapping list (splitting). */
static void dunmap(struct diag *d, uint64_t vm, uint64_t va, uint64_t range)
{
	unsigned i;

	for (i = 0; i < d->nmaps;) {
		struct dmap *m = &d->maps[i];
		uint64_t end = va + range, mend = m->va + m->range;

		if (m->vm != vm || mend <= va || m->va >= end) {
			i++;
			continue;
		}
		if (m->va < va && mend > end && d->nmaps < 64) {
			struct dmap tail = *m;

			tail.bo_offset += end - m->va;
			tail.range = mend - end;
			tail.va = end;
			m->range = va - m->va;
			d->maps[d->nmaps++] = tail;
			i++;
		} else if (m->va < va) {
			m->range = va - m->va;
			i++;
		} else if (mend > end) {
			m->bo_offset += end - m->va;
			m->range = mend - end;
			m->va = end;
			i++;
		} else {
			*m = d->maps[--d->nmaps];
		}
	}
}

/* The capture's VM state when call @c ran: mappings of the submit queue's VM. */
static int diag_state(struct rp_run *run, const struct rp_call *c, struct diag *d)
{
	const struct rp_capture *cap = run->cap;
	uint64_t queue = c->plan->slots[c->plan->queue_slot].cap_in, vm = 0, v;
	struct { uint32_t handle; uint64_t size; } sizes[256];
	unsigned nsizes = 0, k;
	size_t i;

	for (i = 0; i < cap->ncalls; i++) {
		const struct rp_call *x = &cap->calls[cap->order[i]];
		const struct rp_plan *p = x->plan;
		uint32_t s;

		if (x == c)
			break;
		if (!p || x->file != c->file || !x->returned || x->ret < 0 || !x->desc)
			continue;
		for (s = 0; s < p->nslots; s++) {
			const struct rp_slot *sl = &p->slots[s];

			if ((sl->ops & RP_SLOT_BOSIZE) && sl->peer >= 0 && sl->has_out &&
			    p->slots[sl->peer].has_out && nsizes < 256) {
				sizes[nsizes].handle = (uint32_t)p->slots[sl->peer].cap_out;
				sizes[nsizes++].size = sl->cap_out;
			}
		}
		if (!strcmp(x->desc->name, "DRM_IOCTL_SIMGPU_QUEUE_CREATE") && x->out &&
		    get_named(x->desc->arg, x->out, x->out_size, "id", &v) && v == queue &&
		    get_named(x->desc->arg, x->in, x->in_size, "vm_id", &v)) {
			vm = v;
		}
		if (!strcmp(x->desc->name, "DRM_IOCTL_SIMGPU_VM_BIND") && p->nnodes &&
		    get_named(x->desc->arg, x->in, x->in_size, "vm_id", &v)) {
			const struct rp_node *n = &p->nodes[0];
			const struct ds_uapi_struct *e = n->array->elem;
			uint64_t j;

			/* Binds happen before the queue exists: keep every VM's, pick later. */
			for (j = 0; j < n->count && e; j++) {
				const uint8_t *el = n->cap_in + j * n->stride;
				uint64_t op, fl, bo, off, va, range;

				if (!get_named(e, el, n->stride, "op", &op) ||
				    !get_named(e, el, n->stride, "flags", &fl) ||
				    !get_named(e, el, n->stride, "bo_handle", &bo) ||
				    !get_named(e, el, n->stride, "bo_offset", &off) ||
				    !get_named(e, el, n->stride, "va", &va) ||
				    !get_named(e, el, n->stride, "range", &range))
					continue;
				dunmap(d, v, va, range);
				if (op == DRM_SIMGPU_VM_BIND_OP_MAP && d->nmaps < 64)
					d->maps[d->nmaps++] = (struct dmap){
						.vm = v, .va = va, .range = range, .bo_offset = off,
						.handle = (uint32_t)bo,
						.ro = fl & DRM_SIMGPU_VM_BIND_OP_MAP_READONLY,
					};
			}
		}
	}
	/* Only the queue's VM. */
	for (k = 0; k < d->nmaps;) {
		if (d->maps[k].vm != vm)
			d->maps[k] = d->maps[--d->nmaps];
		else
			k++;
	}
	for (k = 0; k < d->nmaps; k++) {
		struct dmap *m = &d->maps[k];
		unsigned b, z;

		for (b = 0; b < d->nbos; b++)
			if (d->bos[b].handle == m->handle)
				break;
		if (b == d->nbos) {
			uint64_t size = 0;

			if (d->nbos >= 32)
				return -1;
			for (z = nsizes; z-- > 0;)
				if (sizes[z].handle == m->handle) {
					size = sizes[z].size;
					break;
				}
			if (size < m->bo_offset + m->range)
				size = m->bo_offset + m->range;
			if (size > ((uint64_t)256 << 20))
				return -1;
			d->bos[b] = (struct dbo){ .handle = m->handle, .size = size };
			d->bos[b].model = calloc(1, size);
			if (!d->bos[b].model)
				return -1;
			d->nbos++;
		}
		m->bo = (int)b;
	}
	/* The contents the capture saw at this submission. */
	for (i = 0; i < c->nsnap; i++) {
		const struct rp_snap *sn = &cap->snaps[c->snap_first + i];
		unsigned b;

		for (b = 0; b < d->nbos; b++)
			if (d->bos[b].handle == sn->handle && sn->data && sn->offset < d->bos[b].size)
				memcpy(d->bos[b].model + sn->offset, sn->data,
				       sn->size < d->bos[b].size - sn->offset ?
				       sn->size : d->bos[b].size - sn->offset);
	}
	return d->nmaps ? 0 : -1;
}

/* Model or replay memory at @va, @len bytes, in one mapping; NULL if not. */
static uint8_t *dva(struct diag *d, uint64_t va, uint64_t len, bool gpu, bool write)
{
	unsigned i;

	for (i = 0; i < d->nmaps; i++) {
		const struct dmap *m = &d->maps[i];
		struct dbo *b = &d->bos[m->bo];

		if (va >= m->va && len <= m->range && va - m->va <= m->range - len) {
			if (write && m->ro)
				return NULL;
			return (gpu ? b->gpu : b->model) + m->bo_offset + (va - m->va);
		}
	}
	return NULL;
}

/* Run the job's commands on the model; record what each wrote. */
static void model_run(struct diag *d, uint64_t cmd_va, uint32_t cmd_size)
{
	uint64_t pos = 0, h = DRM_SIMGPU_HASH_INIT;
	unsigned index = 0;

	d->fault = 0;
	while (pos + 8 <= cmd_size && d->ncmds < 512) {
		uint64_t w[4] = { 0 }, hdr;
		uint8_t *src, *dst, *cw = dva(d, cmd_va + pos, 8, false, false);
		unsigned op, fl, len, k;
		struct dcmd *c = &d->cmds[d->ncmds];

		if (!cw) {
			d->fault = -EFAULT;
			break;
		}
		memcpy(&hdr, cw, 8);
		op = DRM_SIMGPU_CMD_OPCODE(hdr);
		fl = DRM_SIMGPU_CMD_FLAGS(hdr);
		len = DRM_SIMGPU_CMD_LEN(hdr);
		if ((hdr >> 32) || !len || pos + (uint64_t)len * 8 > cmd_size) {
			d->fault = -EINVAL;
			break;
		}
		for (k = 1; k < len && k < 4; k++) {
			uint8_t *p = dva(d, cmd_va + pos + k * 8, 8, false, false);

			if (!p) {
				d->fault = -EFAULT;
				return;
			}
			memcpy(&w[k], p, 8);
		}
		*c = (struct dcmd){ .index = index, .op = op, .a = { w[1], w[2], w[3] } };
		switch (op) {
		case DRM_SIMGPU_CMD_NOP:
		case DRM_SIMGPU_CMD_DELAY:
			break;
		case DRM_SIMGPU_CMD_WRITE_IMM: {
			unsigned n = (fl & DRM_SIMGPU_CMD_WRITE_IMM_64) ? 8 : 4;

			if (len != 3 || !(dst = dva(d, w[1], n, false, true))) {
				d->fault = len != 3 ? -EINVAL : -EFAULT;
				return;
			}
			memcpy(dst, &w[2], n);
			c->va = w[1];
			c->len = n;
			break;
		}
		case DRM_SIMGPU_CMD_FILL: {
			uint32_t pat = (uint32_t)w[3];
			uint64_t o;

			if (len != 4 || !w[2] || (w[2] % 4) || !(dst = dva(d, w[1], w[2], false, true))) {
				d->fault = len != 4 ? -EINVAL : -EFAULT;
				return;
			}
			for (o = 0; o < w[2]; o += 4)
				memcpy(dst + o, &pat, 4);
			c->va = w[1];
			c->len = w[2];
			break;
		}
		case DRM_SIMGPU_CMD_COPY:
			if (len != 4 || !w[3] || !(src = dva(d, w[1], w[3], false, false)) ||
			    !(dst = dva(d, w[2], w[3], false, true))) {
				d->fault = len != 4 ? -EINVAL : -EFAULT;
				return;
			}
			memmove(dst, src, w[3]);
			c->va = w[2];
			c->len = w[3];
			break;
		case DRM_SIMGPU_CMD_CHECKSUM: {
			uint64_t sum;

			if (len != 4 || !(dst = dva(d, w[3], 8, false, true)) ||
			    (w[2] && !(src = dva(d, w[1], w[2], false, false)))) {
				d->fault = len != 4 ? -EINVAL : -EFAULT;
				return;
			}
			sum = w[2] ? fnv(DRM_SIMGPU_HASH_INIT, src, w[2]) : DRM_SIMGPU_HASH_INIT;
			memcpy(dst, &sum, 8);
			c->va = w[3];
			c->len = 8;
			break;
		}
		default:
			d->fault = -EINVAL;
			return;
		}
		if (c->len) {
			h = fnv(h, &c->va, 8);
			h = fnv(h, &c->len, 8);
			h = fnv(h, dva(d, c->va, c->len, false, false), c->len);
		}
		d->ncmds++;
		index++;
		pos += (uint64_t)len * 8;
	}
	d->hash = h;
}

static int sioctl(int fd, unsigned long req, void *arg)
{
	int rc;

	do {
		rc = ioctl(fd, req, arg);
	} while (rc < 0 && (errno == EINTR || errno == EAGAIN));
	return rc < 0 ? -errno : 0;
}

/* Set the job up on @fd as the capture had it, run it, wait for it. */
static int gpu_run(struct diag *d, int fd, uint64_t cmd_va, uint32_t cmd_size)
{
	struct drm_simgpu_vm_create vc = { 0 };
	struct drm_simgpu_queue_create qc = { .priority = DRM_SIMGPU_QUEUE_PRIORITY_MEDIUM };
	struct drm_syncobj_create sc = { 0 };
	unsigned i;
	int rc;

	if ((rc = sioctl(fd, DRM_IOCTL_SIMGPU_VM_CREATE, &vc)))
		return rc;
	for (i = 0; i < d->nbos; i++) {
		struct drm_simgpu_bo_create bc = { .size = d->bos[i].size };
		struct drm_simgpu_bo_mmap_offset mo = { 0 };
		void *m;

		if ((rc = sioctl(fd, DRM_IOCTL_SIMGPU_BO_CREATE, &bc)))
			return rc;
		mo.handle = bc.handle;
		if ((rc = sioctl(fd, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &mo)))
			return rc;
		m = mmap(NULL, d->bos[i].size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)mo.offset);
		if (m == MAP_FAILED)
			return -errno;
		d->bos[i].gpu = m;
		d->bos[i].rhandle = bc.handle;
		memcpy(m, d->bos[i].model, d->bos[i].size);
	}
	for (i = 0; i < d->nmaps; i++) {
		struct drm_simgpu_vm_bind_op op = {
			.op = DRM_SIMGPU_VM_BIND_OP_MAP,
			.flags = d->maps[i].ro ? DRM_SIMGPU_VM_BIND_OP_MAP_READONLY : 0,
			.bo_handle = d->bos[d->maps[i].bo].rhandle,
			.bo_offset = d->maps[i].bo_offset, .va = d->maps[i].va,
			.range = d->maps[i].range,
		};
		struct drm_simgpu_vm_bind vb = {
			.vm_id = vc.id, .ops = { .stride = sizeof(op), .count = 1,
						 .array = (uintptr_t)&op },
		};

		if ((rc = sioctl(fd, DRM_IOCTL_SIMGPU_VM_BIND, &vb)))
			return rc;
	}
	qc.vm_id = vc.id;
	if ((rc = sioctl(fd, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &qc)) ||
	    (rc = sioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc)))
		return rc;
	{
		struct drm_simgpu_sync out = { .handle = sc.handle };
		struct drm_simgpu_job job = {
			.cmd_va = cmd_va, .cmd_size = cmd_size,
			.out_syncs = { .stride = sizeof(out), .count = 1, .array = (uintptr_t)&out },
		};
		struct drm_simgpu_submit sub = {
			.queue_id = qc.id,
			.jobs = { .stride = sizeof(job), .count = 1, .array = (uintptr_t)&job },
		};
		uint32_t h = sc.handle;
		struct drm_syncobj_wait w = {
			.handles = (uintptr_t)&h, .count_handles = 1,
			.timeout_nsec = rp_now_ns() + 20000000000ll,
			.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
		};

		/* Make the CPU copies visible before the firmware reads them. */
		__sync_synchronize();
		if ((rc = sioctl(fd, DRM_IOCTL_SIMGPU_SUBMIT, &sub)))
			return rc;
		return sioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
	}
}

static void diag_free(struct diag *d)
{
	unsigned i;

	for (i = 0; i < d->nbos; i++) {
		free(d->bos[i].model);
		if (d->bos[i].gpu)
			munmap(d->bos[i].gpu, d->bos[i].size);
	}
}

/* Is byte @va written by a command after @k? */
static bool later_writes(const struct diag *d, unsigned k, uint64_t va)
{
	unsigned j;

	for (j = k + 1; j < d->ncmds; j++)
		if (d->cmds[j].len && va >= d->cmds[j].va && va - d->cmds[j].va < d->cmds[j].len)
			return true;
	return false;
}

static char *describe(struct diag *d, const struct rp_job *cj)
{
	char model_note[128];
	char *msg = NULL;
	unsigned k;

	if (cj && cj->has_hash) {
		char mh[17];

		snprintf(mh, sizeof(mh), "%016" PRIx64, d->hash);
		snprintf(model_note, sizeof(model_note), strcmp(mh, cj->hash) ?
			 " (unverified: the CPU model's hash 0x%s is not the capture's)" :
			 " (the CPU model reproduces the capture's hash)", mh);
	} else {
		model_note[0] = 0;
	}
	for (k = 0; k < d->ncmds; k++) {
		const struct dcmd *c = &d->cmds[k];
		uint8_t *want, *got;
		uint64_t i;

		if (!c->len)
			continue;
		want = dva(d, c->va, c->len, false, false);
		got = dva(d, c->va, c->len, true, false);
		if (!want || !got)
			continue;
		for (i = 0; i < c->len; i++)
			if (want[i] != got[i] && !later_writes(d, k, c->va + i))
				break;
		if (i == c->len)
			continue;
		{
			uint64_t gw = 0, ww = 0;
			uint64_t at = i & ~(uint64_t)7, n = c->len - at < 8 ? c->len - at : 8;

			memcpy(&gw, got + at, n);
			memcpy(&ww, want + at, n);
			if (asprintf(&msg, "first differing command: #%u %s (va 0x%" PRIx64 ", %" PRIu64
				     " bytes written): the GPU wrote 0x%0*" PRIx64 " at 0x%" PRIx64
				     ", expected 0x%0*" PRIx64 "%s", c->index, op_name(c->op), c->va,
				     c->len, (int)(n * 2), gw, c->va + at, (int)(n * 2), ww,
				     model_note) < 0)
				msg = NULL;
		}
		return msg;
	}
	if (asprintf(&msg, "re-run alone, the job's %u commands wrote what the CPU model"
		     " expects%s", d->ncmds, model_note) < 0)
		msg = NULL;
	return msg;
}

char *rp_simgpu_diagnose(struct rp_run *run, const struct rp_call *c,
			 unsigned job_index, const char *path)
{
	const struct rp_plan *p = c->plan;
	const struct rp_node *jobs;
	const struct ds_uapi_struct *e;
	const uint8_t *el;
	struct diag *d;
	uint64_t cmd_va, cmd_size;
	char *msg = NULL;
	int fd, rc;

	if (!path && run->paths)
		path = run->paths[run->cap->files[c->file].device];
	if (!path || !p || p->jobs_node < 0 || p->queue_slot < 0)
		return NULL;
	jobs = &p->nodes[p->jobs_node];
	e = jobs->array->elem;
	if (job_index >= jobs->count || !jobs->cap_in)
		return NULL;
	el = jobs->cap_in + (size_t)job_index * jobs->stride;
	if (!get_named(e, el, jobs->stride, "cmd_va", &cmd_va) ||
	    !get_named(e, el, jobs->stride, "cmd_size", &cmd_size) || cmd_size > (1u << 24))
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	if (diag_state(run, c, d)) {
		diag_free(d);
		free(d);
		return strdup("no diagnosis: the job's VM could not be rebuilt from the capture");
	}
	model_run(d, cmd_va, (uint32_t)cmd_size);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		diag_free(d);
		free(d);
		return NULL;
	}
	rc = gpu_run(d, fd, cmd_va, (uint32_t)cmd_size);
	if (rc) {
		if (asprintf(&msg, "no diagnosis: re-running the job alone failed: %s",
			     strerror(-rc)) < 0)
			msg = NULL;
	} else {
		msg = describe(d, job_index < c->njobs ? &run->cap->jobs[c->job_first + job_index] :
			       NULL);
	}
	diag_free(d);
	close(fd);
	free(d);
	return msg;
}
