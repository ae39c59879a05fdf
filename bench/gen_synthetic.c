/*
 * bench/gen_synthetic.c: writes a synthetic capture, and replay runs of it,
 * through the database writer (lib/db), for the analyzer's tests and its
 * benchmark.
 *
 * usage: gen_synthetic [options] OUT.db
 *
 *   -n, --ioctls N     captured ioctls (default 20000)
 *   -s, --seed S       seed of the capture's timings (default 1)
 *   -q, --queues Q     job queues, 1 to 8 (default 2)
 *   -t, --threads T    threads issuing the ioctls, 1 to 64 (default 2)
 *       --lost N       capture.lost_events (default 0)
 *       --no-payload   store no argument bytes (the 10M benchmark)
 *       --no-fw        no firmware messages
 *   -r, --run SPEC     add a replay run of the capture; repeatable.
 *                      SPEC is LABEL[,seed=S][,slow=PCT][,badhash=J]
 *                      [,errno=I][,mismatch=I]: slow=PCT makes every job
 *                      run PCT percent longer on the GPU, badhash=J gives
 *                      captured job J (its row id) another result hash,
 *                      errno=I makes captured ioctl I fail with EINVAL,
 *                      mismatch=I marks ioctl I as a mismatch.
 *
 * The workload it pretends to trace is a simgpu program: DRM_IOCTL_VERSION,
 * a VM, one queue per --queues, then cycles of eight ioctls: BO_CREATE,
 * VM_BIND (map), SUBMIT, BO_MMAP_OFFSET, SUBMIT, SYNCOBJ_WAIT (for both
 * jobs; every 50th wait times out with ETIME), VM_BIND (unmap of the object
 * mapped four cycles before) and GEM_CLOSE (of that object). So a capture
 * of N ioctls has about N/4 jobs. Latencies are log-normal around fixed
 * medians; a job waits about 8 us for the scheduler and runs about 50 us;
 * every 1000th job faults (result -EFAULT, a simgpu_gpu_fault kernel
 * event). Firmware messages, per job: JOB_SUBMIT (send), its ACK (receive,
 * payload {"seq": N}) and JOB_DONE (receive); per bind: VM_MAP or VM_UNMAP
 * and an ACK. A run replays every captured ioctl and job with timings drawn
 * from the same distributions (another seed), its own firmware messages and
 * faults, and the changes its SPEC asks for; result hashes are a function
 * of the job, so they match the capture's unless badhash says otherwise.
 *
 * Everything is deterministic for given options. Exit status 0, or 1 with
 * a message on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <drmscope/db.h>
#include <drmscope/stats.h>

#define MAX_QUEUES	8
#define MAX_THREADS	64
#define MAX_RUNS	32
#define LIVE_CYCLES	4		/* a BO lives this many cycles */
#define PID		4242
#define US		1000

struct run_spec {
	char label[64];
	uint64_t seed;
	double slow;			/* job execution time factor */
	int64_t badhash_job;
	int64_t errno_ioctl;
	int64_t mismatch_ioctl;
};

struct gen_opts {
	int64_t ioctls;
	uint64_t seed;
	int queues;
	int threads;
	int64_t lost;
	bool payload;
	bool fw;
	struct run_spec runs[MAX_RUNS];
	int nruns;
	const char *out;
};

/* One pass over the workload: the capture (run_id 0) or one replay run. */
struct sim {
	struct ds_db *db;
	const struct gen_opts *o;
	const struct run_spec *spec;	/* NULL: the capture */
	int64_t run_id;
	struct ds_stats_rng rng;
	int64_t t;			/* the clock */
	int64_t ioctl;			/* ioctls issued so far (= last id) */
	int64_t job;			/* jobs so far (= last job id) */
	int64_t qdone[MAX_QUEUES];	/* when each queue's last job ends */
	int64_t qseq[MAX_QUEUES];
	int64_t fw_tx, fw_rx;
	int64_t wait_until;		/* done time of the cycle's jobs */
	int64_t live_gem[LIVE_CYCLES];	/* gem row ids, per cycle slot */
	uint64_t live_va[LIVE_CYCLES];
	uint64_t live_size[LIVE_CYCLES];
	int64_t vm_id;
	int64_t queue_id[MAX_QUEUES];
};

enum op {
	OP_VERSION,
	OP_VM_CREATE,
	OP_QUEUE_CREATE,
	OP_BO_CREATE,
	OP_BIND_MAP,
	OP_SUBMIT,
	OP_MMAP_OFFSET,
	OP_WAIT,
	OP_BIND_UNMAP,
	OP_GEM_CLOSE,
};

static const struct {
	const char *name;
	uint32_t request;
	const char *driver;
	double median_us;
	double sigma;
} ops[] = {
	[OP_VERSION] = { "DRM_IOCTL_VERSION", 0xc0406400, "drm", 5, 0.2 },
	[OP_VM_CREATE] = { "DRM_IOCTL_SIMGPU_VM_CREATE", 0xc0106443, "simgpu", 30, 0.2 },
	[OP_QUEUE_CREATE] = { "DRM_IOCTL_SIMGPU_QUEUE_CREATE", 0xc0186446, "simgpu", 25, 0.2 },
	[OP_BO_CREATE] = { "DRM_IOCTL_SIMGPU_BO_CREATE", 0xc0186441, "simgpu", 20, 0.3 },
	[OP_BIND_MAP] = { "DRM_IOCTL_SIMGPU_VM_BIND", 0xc0306445, "simgpu", 15, 0.3 },
	[OP_SUBMIT] = { "DRM_IOCTL_SIMGPU_SUBMIT", 0xc0406448, "simgpu", 12, 0.25 },
	[OP_MMAP_OFFSET] = { "DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET", 0xc0106442, "simgpu", 3, 0.2 },
	[OP_WAIT] = { "DRM_IOCTL_SYNCOBJ_WAIT", 0xc02864c3, "drm", 4, 0.3 },
	[OP_BIND_UNMAP] = { "DRM_IOCTL_SIMGPU_VM_BIND", 0xc0306445, "simgpu", 15, 0.3 },
	[OP_GEM_CLOSE] = { "DRM_IOCTL_GEM_CLOSE", 0x40086409, "drm", 4, 0.2 },
};

static const enum op cycle[8] = {
	OP_BO_CREATE, OP_BIND_MAP, OP_SUBMIT, OP_MMAP_OFFSET,
	OP_SUBMIT, OP_WAIT, OP_BIND_UNMAP, OP_GEM_CLOSE,
};

static void die_db(struct ds_db *db, const char *what)
{
	fprintf(stderr, "gen_synthetic: %s: %s\n", what, ds_db_errmsg(db));
}

/* A log-normal duration around @median_us microseconds, in ns, >= 100. */
static int64_t lognormal(struct sim *s, double median_us, double sigma)
{
	double v = median_us * US * exp(sigma * ds_stats_rng_normal(&s->rng));

	return v < 100 ? 100 : (int64_t)v;
}

/* The result hash of captured job @job: a function of the job only. */
static void job_hash(char out[DS_DB_HASH_HEX_LEN + 1], int64_t job, bool bad)
{
	uint64_t h = 0xcbf29ce484222325ull, x = (uint64_t)job;
	int i;

	for (i = 0; i < 8; i++) {
		h ^= (x >> (8 * i)) & 0xff;
		h *= 0x100000001b3ull;
	}
	if (bad)
		h = ~h;
	snprintf(out, DS_DB_HASH_HEX_LEN + 1, "%016" PRIx64 "%016" PRIx64, h, h * 31 + 7);
}

static int fw_message(struct sim *s, enum ds_db_fw_dir dir, int function, const char *name,
		      int64_t ns, const char *payload)
{
	struct ds_db_fw_message m = {
		.device_id = 1, .ring = dir == DS_DB_FW_SEND ? 0 : 1,
		.seq = dir == DS_DB_FW_SEND ? ++s->fw_tx : ++s->fw_rx,
		.function = function, .function_name = name, .length = 32,
		.abi_version = 2, .ns = ns, .dir = dir, .payload_json = payload,
		.run_id = s->run_id,
	};

	if (!s->o->fw)
		return 0;
	if (ds_db_insert_fw_message(s->db, &m) < 0) {
		die_db(s->db, "fw_message");
		return -1;
	}
	return 0;
}

/* A command and the ACK that answers it @delay_ns later. */
static int fw_command(struct sim *s, int function, const char *name, int64_t ns,
		      const char *payload)
{
	char ack[64];

	if (fw_message(s, DS_DB_FW_SEND, function, name, ns, payload))
		return -1;
	snprintf(ack, sizeof(ack), "{\"seq\":%" PRId64 ",\"status\":0}", s->fw_tx);
	return fw_message(s, DS_DB_FW_RECEIVE, 0x81, "ACK", ns + lognormal(s, 2, 0.3), ack);
}

/* Write one ioctl: a capture row or a run_call row. */
static int emit_ioctl(struct sim *s, enum op op, int64_t begin, int64_t end, int err)
{
	static const unsigned char in[16] = { 1, 2, 3 }, out[16] = { 4, 5, 6 };
	int64_t id = ++s->ioctl;
	char mismatch[96];

	if (!s->spec) {
		struct ds_db_ioctl io = {
			.id = id, .tid = PID + (int)(id % s->o->threads), .pid = PID, .fd = 3,
			.fd_id = 1, .device_id = 1, .request = ops[op].request,
			.name = ops[op].name, .driver = ops[op].driver, .begin_ns = begin,
			.end_ns = end, .ret = err ? -1 : 0, .err = err,
		};

		if (s->o->payload) {
			io.in = in;
			io.in_size = sizeof(in);
			io.out = out;
			io.out_size = sizeof(out);
		}
		if (ds_db_insert_ioctl(s->db, &io) < 0) {
			die_db(s->db, "ioctl");
			return -1;
		}
		return 0;
	} else {
		struct ds_db_run_call c = {
			.run_id = s->run_id, .ioctl_id = id, .begin_ns = begin, .end_ns = end,
			.ret = err ? -1 : 0, .err = err,
		};

		if (id == s->spec->errno_ioctl) {
			c.ret = -1;
			c.err = EINVAL;
			snprintf(mismatch, sizeof(mismatch), "ret %d -> -1 (errno %d -> EINVAL)",
				 err ? -1 : 0, err);
			c.mismatch = mismatch;
		} else if (id == s->spec->mismatch_ioctl) {
			c.mismatch = "out: bytes 8..15 differ";
		}
		if (ds_db_insert_run_call(s->db, &c) < 0) {
			die_db(s->db, "run_call");
			return -1;
		}
		return 0;
	}
}

/* A SUBMIT's job: scheduled, run, done, with its firmware traffic. */
static int emit_job(struct sim *s, int q, int64_t submit_ns, int64_t submit_ioctl)
{
	char hash[DS_DB_HASH_HEX_LEN + 1], buf[160];
	int64_t job = ++s->job, seqno = ++s->qseq[q], run, done;
	bool fault = job % 1000 == 777;
	int result = fault ? -EFAULT : 0;
	double slow = s->spec ? s->spec->slow : 1.0;

	run = submit_ns + lognormal(s, 8, 0.3);
	if (run < s->qdone[q])
		run = s->qdone[q] + lognormal(s, 1, 0.2);
	done = run + (int64_t)(lognormal(s, 50, 0.2) * slow);
	s->qdone[q] = done;
	if (done > s->wait_until)
		s->wait_until = done;
	job_hash(hash, job, s->spec && s->spec->badhash_job == job);

	if (!s->spec) {
		if (ds_db_insert_job(s->db, &(struct ds_db_job){
			.queue_id = s->queue_id[q], .seqno = seqno, .submit_ioctl_id = submit_ioctl,
			.submit_ns = submit_ns, .run_ns = run, .done_ns = done, .result = result,
			.result_hash = fault ? NULL : hash }) < 0) {
			die_db(s->db, "job");
			return -1;
		}
	} else if (ds_db_insert_run_job(s->db, &(struct ds_db_run_job){
			.run_id = s->run_id, .queue_id = s->queue_id[q], .job_id = job,
			.seqno = seqno, .submit_ns = submit_ns, .run_ns = run, .done_ns = done,
			.result = result, .result_hash = fault ? NULL : hash }) < 0) {
		die_db(s->db, "run_job");
		return -1;
	}
	snprintf(buf, sizeof(buf), "{\"queue\":%d,\"seqno\":%" PRId64 "}", q + 1, seqno);
	if (fw_command(s, 0x09, "JOB_SUBMIT", run, buf))
		return -1;
	snprintf(buf, sizeof(buf), "{\"queue\":%d,\"seqno\":%" PRId64 ",\"result\":%d}",
		 q + 1, seqno, result);
	if (fw_message(s, DS_DB_FW_RECEIVE, 0x82, "JOB_DONE", done, buf))
		return -1;
	if (fault) {
		snprintf(buf, sizeof(buf), "{\"dev\":0,\"vm\":1,\"queue\":%d,\"seqno\":%" PRId64
			 ",\"va\":%" PRIu64 ",\"type\":\"translation\",\"access\":\"write\"}",
			 q + 1, seqno, (uint64_t)0x7f0000000000ull + (uint64_t)job * 4096);
		if (ds_db_insert_kernel_event(s->db, &(struct ds_db_kernel_event){
			.ns = done - 1000, .cpu = 0, .pid = 0, .system = "simgpu",
			.name = "simgpu_gpu_fault", .fields_json = buf, .run_id = s->run_id }) < 0) {
			die_db(s->db, "kernel_event");
			return -1;
		}
	}
	return 0;
}

/* The capture's objects: GEM objects, bind operations, VM and queues. */
static int capture_objects(struct sim *s, enum op op, int64_t cyc, int64_t begin, int64_t end)
{
	int slot = (int)(cyc % LIVE_CYCLES);
	char buf[96];
	int64_t id;

	switch (op) {
	case OP_VM_CREATE:
		s->vm_id = ds_db_insert_vm(s->db, &(struct ds_db_vm){
			.device_id = 1, .fd_id = 1, .handle = 1, .created_ns = end,
			.create_ioctl_id = s->ioctl });
		return s->vm_id < 0 ? -1 : 0;
	case OP_BO_CREATE:
		s->live_size[slot] = 4096ull << ds_stats_rng_below(&s->rng, 9);
		s->live_va[slot] = 0x100000000ull + (uint64_t)slot * (1ull << 24);
		id = ds_db_insert_gem(s->db, &(struct ds_db_gem){
			.device_id = 1, .fd_id = 1, .handle = (uint32_t)(cyc % 100000) + 1,
			.size = s->live_size[slot], .created_ns = end, .create_ioctl_id = s->ioctl });
		s->live_gem[slot] = id;
		return id < 0 ? -1 : 0;
	case OP_BIND_MAP:
		snprintf(buf, sizeof(buf), "{\"vm\":1,\"va\":%" PRIu64 "}", s->live_va[slot]);
		if (fw_command(s, 0x04, "VM_MAP", begin + (end - begin) / 3, buf))
			return -1;
		return ds_db_insert_vm_bind_op(s->db, &(struct ds_db_vm_bind_op){
			.ioctl_id = s->ioctl, .vm_id = s->vm_id, .op = DS_DB_BIND_MAP,
			.va = s->live_va[slot], .range = s->live_size[slot],
			.bo_handle = (uint32_t)(cyc % 100000) + 1, .gem_id = s->live_gem[slot],
			.ns = end - 500 }) < 0 ? -1 : 0;
	case OP_BIND_UNMAP:
		/* The slot about to be reused holds the object of LIVE_CYCLES - 1 ago. */
		slot = (int)((cyc + 1) % LIVE_CYCLES);
		if (!s->live_gem[slot])
			return 0;
		snprintf(buf, sizeof(buf), "{\"vm\":1,\"va\":%" PRIu64 "}", s->live_va[slot]);
		if (fw_command(s, 0x05, "VM_UNMAP", begin + (end - begin) / 3, buf))
			return -1;
		return ds_db_insert_vm_bind_op(s->db, &(struct ds_db_vm_bind_op){
			.ioctl_id = s->ioctl, .vm_id = s->vm_id, .op = DS_DB_BIND_UNMAP,
			.va = s->live_va[slot], .range = s->live_size[slot], .ns = end - 500 }) < 0 ?
			-1 : 0;
	case OP_GEM_CLOSE:
		slot = (int)((cyc + 1) % LIVE_CYCLES);
		if (!s->live_gem[slot])
			return 0;
		id = s->live_gem[slot];
		s->live_gem[slot] = 0;
		return ds_db_set_end(s->db, DS_DB_END_GEM, id, end);
	default:
		return 0;
	}
}

/* Replays of binds send their firmware messages too. */
static int run_objects(struct sim *s, enum op op, int64_t cyc, int64_t begin, int64_t end)
{
	if (op == OP_BIND_MAP)
		return fw_command(s, 0x04, "VM_MAP", begin + (end - begin) / 3, "{\"vm\":1}");
	if (op == OP_BIND_UNMAP && cyc + 1 >= LIVE_CYCLES)
		return fw_command(s, 0x05, "VM_UNMAP", begin + (end - begin) / 3, "{\"vm\":1}");
	return 0;
}

static int one_ioctl(struct sim *s, enum op op, int64_t cyc, int *submits)
{
	int64_t begin, end;
	int err = 0, q;

	s->t += lognormal(s, 2, 0.5);
	begin = s->t;
	end = begin + lognormal(s, ops[op].median_us, ops[op].sigma);
	if (op == OP_WAIT) {
		if (end < s->wait_until + 2 * US)
			end = s->wait_until + lognormal(s, 4, 0.3);
		if (cyc % 50 == 49)
			err = ETIME;
	}
	s->t = end;
	if (emit_ioctl(s, op, begin, end, err))
		return -1;
	if (op == OP_SUBMIT) {
		q = (int)((cyc + (*submits)++) % s->o->queues);
		if (emit_job(s, q, begin + (end - begin) / 2, s->ioctl))
			return -1;
	}
	if (!s->spec && op == OP_QUEUE_CREATE) {
		q = (int)(s->ioctl - 3);
		s->queue_id[q] = ds_db_insert_queue(s->db, &(struct ds_db_queue){
			.vm_id = s->vm_id, .device_id = 1, .fd_id = 1, .handle = (uint32_t)q + 1,
			.created_ns = end, .create_ioctl_id = s->ioctl });
		if (s->queue_id[q] < 0)
			return -1;
	}
	if (!s->spec)
		return capture_objects(s, op, cyc, begin, end);
	return run_objects(s, op, cyc, begin, end);
}

/* Walk the workload once. */
static int simulate(struct sim *s)
{
	int64_t cyc = 0;
	int submits, i, q;

	if (one_ioctl(s, OP_VERSION, 0, &submits) || one_ioctl(s, OP_VM_CREATE, 0, &submits))
		return -1;
	for (q = 0; q < s->o->queues; q++)
		if (one_ioctl(s, OP_QUEUE_CREATE, 0, &submits))
			return -1;
	while (s->ioctl < s->o->ioctls) {
		submits = 0;
		s->wait_until = 0;
		for (i = 0; i < 8 && s->ioctl < s->o->ioctls; i++)
			if (one_ioctl(s, cycle[i], cyc, &submits))
				return -1;
		cyc++;
	}
	return 0;
}

static int capture(struct ds_db *db, const struct gen_opts *o)
{
	struct sim s = { .db = db, .o = o, .t = 1000000000 };
	int i, rc;

	ds_stats_rng_seed(&s.rng, o->seed);
	if (ds_db_insert_device(db, &(struct ds_db_device){
		.path = "/dev/dri/renderD128", .major = 226, .minor = 128, .driver = "simgpu" }) < 0 ||
	    ds_db_put_process(db, &(struct ds_db_process){
		.pid = PID, .ppid = 1, .comm = "simgpu-frames", .exe = "/usr/bin/simgpu-frames",
		.argv_json = "[\"simgpu-frames\"]", .start_ns = s.t }) < 0 ||
	    ds_db_insert_fd(db, &(struct ds_db_fd){
		.pid = PID, .fd = 3, .device_id = 1, .opened_ns = s.t, .how = DS_DB_FD_OPEN }) < 0) {
		die_db(db, "setup");
		return -1;
	}
	for (i = 0; i < o->threads; i++) {
		char name[32];

		snprintf(name, sizeof(name), i ? "worker-%d" : "main", i);
		if (ds_db_put_thread(db, &(struct ds_db_thread){
			.tid = PID + i, .pid = PID, .name = name, .start_ns = s.t }) < 0) {
			die_db(db, "thread");
			return -1;
		}
	}
	if (simulate(&s))
		return -1;
	rc = ds_db_put_driver(db, &(struct ds_db_driver){
		.device_id = 1, .name = "simgpu", .major = 1, .minor = 0, .patchlevel = 0,
		.date = "20250101", .desc = "simulated GPU", .ioctl_id = 1 }) < 0;
	rc = rc || ds_db_set_capture(db, &(struct ds_db_capture){
		.host = "synthetic", .kernel_release = "6.12.0-synthetic", .machine = "x86_64",
		.command_line = "simgpu-frames", .source = "gen_synthetic",
		.start_ns = 1000000000, .end_ns = s.t + 1000, .start_unix_ns = 1700000000000000000LL,
		.lost_events = o->lost });
	if (rc) {
		die_db(db, "capture");
		return -1;
	}
	return 0;
}

static int replay(struct ds_db *db, const struct gen_opts *o, const struct run_spec *r, int idx)
{
	struct sim s = { .db = db, .o = o, .spec = r, .t = 5000000000000LL * (idx + 1) };
	char params[96], opts[64];
	int q;

	for (q = 0; q < o->queues; q++)
		s.queue_id[q] = 1 + q;	/* the capture's queue rows */
	ds_stats_rng_seed(&s.rng, r->seed ? r->seed : o->seed * 1000003 + (uint64_t)idx + 1);
	snprintf(params, sizeof(params), "slow_pct=%g", (r->slow - 1) * 100);
	snprintf(opts, sizeof(opts), "--label %s", r->label);
	s.run_id = ds_db_insert_run(db, &(struct ds_db_run){
		.label = r->label, .host = "synthetic", .driver_name = "simgpu",
		.driver_version = "1.0.0", .kernel_release = "6.12.0-synthetic",
		.module_params = params, .options = opts,
		.start_unix_ns = 1700000100000000000LL + idx * 1000000000LL });
	if (s.run_id < 0) {
		die_db(db, "run");
		return -1;
	}
	if (simulate(&s))
		return -1;
	if (ds_db_set_end(db, DS_DB_END_RUN, s.run_id,
			  1700000100000000000LL + idx * 1000000000LL + (s.t - 5000000000000LL * (idx + 1)))) {
		die_db(db, "run end");
		return -1;
	}
	return 0;
}

static int parse_run(const char *arg, struct run_spec *r)
{
	char buf[256], *tok, *save = NULL, *eq;
	double v;

	memset(r, 0, sizeof(*r));
	r->slow = 1.0;
	snprintf(buf, sizeof(buf), "%s", arg);
	tok = strtok_r(buf, ",", &save);
	if (!tok || strchr(tok, '='))
		return -1;
	snprintf(r->label, sizeof(r->label), "%s", tok);
	while ((tok = strtok_r(NULL, ",", &save))) {
		eq = strchr(tok, '=');
		if (!eq)
			return -1;
		*eq++ = '\0';
		v = strtod(eq, NULL);
		if (!strcmp(tok, "seed"))
			r->seed = strtoull(eq, NULL, 0);
		else if (!strcmp(tok, "slow"))
			r->slow = 1.0 + v / 100.0;
		else if (!strcmp(tok, "badhash"))
			r->badhash_job = (int64_t)v;
		else if (!strcmp(tok, "errno"))
			r->errno_ioctl = (int64_t)v;
		else if (!strcmp(tok, "mismatch"))
			r->mismatch_ioctl = (int64_t)v;
		else
			return -1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: gen_synthetic [-n IOCTLS] [-s SEED] [-q QUEUES] [-t THREADS]"
		" [--lost N] [--no-payload] [--no-fw]\n"
		"                     [-r LABEL[,seed=S][,slow=PCT][,badhash=J][,errno=I]"
		"[,mismatch=I]]... OUT.db\n");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "ioctls", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "queues", required_argument, NULL, 'q' },
		{ "threads", required_argument, NULL, 't' },
		{ "lost", required_argument, NULL, 'l' },
		{ "no-payload", no_argument, NULL, 'P' },
		{ "no-fw", no_argument, NULL, 'F' },
		{ "run", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen_opts o = { .ioctls = 20000, .seed = 1, .queues = 2, .threads = 2,
			      .payload = true, .fw = true };
	struct timespec t0, t1;
	struct ds_db *db = NULL;
	int c, i;

	while ((c = getopt_long(argc, argv, "n:s:q:t:r:", options, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.ioctls = strtoll(optarg, NULL, 0);
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'q':
			o.queues = atoi(optarg);
			break;
		case 't':
			o.threads = atoi(optarg);
			break;
		case 'l':
			o.lost = strtoll(optarg, NULL, 0);
			break;
		case 'P':
			o.payload = false;
			break;
		case 'F':
			o.fw = false;
			break;
		case 'r':
			if (o.nruns == MAX_RUNS || parse_run(optarg, &o.runs[o.nruns++]))
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 1 || o.ioctls < 3 + o.queues || o.queues < 1 ||
	    o.queues > MAX_QUEUES || o.threads < 1 || o.threads > MAX_THREADS)
		return usage();
	o.out = argv[optind];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (ds_db_create(o.out, &db)) {
		die_db(db, "create");
		goto fail;
	}
	if (capture(db, &o))
		goto fail;
	for (i = 0; i < o.nruns; i++)
		if (replay(db, &o, &o.runs[i], i))
			goto fail;
	if (ds_db_finish_import(db)) {
		die_db(db, "finish");
		goto fail;
	}
	if (ds_db_close(db)) {
		fprintf(stderr, "gen_synthetic: closing %s failed\n", o.out);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "gen_synthetic: %s: %" PRId64 " ioctls, %d runs in %.1f s\n", o.out,
		o.ioctls, o.nruns, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
fail:
	ds_db_close(db);
	return 1;
}
