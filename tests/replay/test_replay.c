/*
 * tests/replay/test_replay.c: host unit tests of the replay engine (no
 * kernel driver needed): the object map against a reference model; the
 * argument plans (pointer rewriting, nested arrays, slots, COUNT_SUM,
 * guard pages) checked against the uapi walker; and validation of
 * malformed captures, one test per way a capture can lie: wrong struct
 * sizes, huge counts, arrays whose bytes do not match their count, missing,
 * extra and misnamed array rows, dangling handles, truncated and corrupt
 * blobs, snapshots of dead handles, wrongly typed columns, fd cycles. Each
 * must give an error naming the call, never a crash (these run under ASan
 * and UBSan too). Result snapshots (phase 'after'): loaded apart from the
 * restores, from version 3 captures too, checked like the others, and
 * compared by bufcheck.c against a buffer standing in for a replayed BO. A
 * last test mutates valid captures at random.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <uapi/drm/simgpu_drm.h>

#include <drmscope/db.h>
#include "replay_internal.h"
#include "caprec.h"

static char tmpdir[PATH_MAX / 2];
static const char *drmscope_bin;

static const char *tpath(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", tmpdir, name);
	return buf;
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/drmscope-test-replay-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir = opendir(tmpdir);

	(void)state;
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		unlink(tpath(path, de->d_name));
	}
	if (dir)
		closedir(dir);
	rmdir(tmpdir);
	return 0;
}

/* ------------------------------------------------------------ helpers */

struct vres {
	size_t errors;
	char text[8192];
	struct rp_capture cap;
	struct ds_db *db;
	int load_rc;
};

/* Load, order and validate @path; the messages land in v->text. */
static void validate(const char *path, struct vres *v, bool raw_unknown)
{
	struct rp_options opt = { .repeat = 1, .max_shown = 50, .raw_unknown = raw_unknown };
	struct rp_err err = { 0 };
	FILE *f;

	memset(v, 0, sizeof(*v));
	f = fmemopen(v->text, sizeof(v->text) - 1, "w");
	assert_non_null(f);
	if (ds_db_open_read(path, 0, &v->db) < 0) {
		fprintf(f, "open: %s", ds_db_errmsg(v->db));
		v->errors = 1;
		v->load_rc = -1;
	} else if (rp_load(v->db, &v->cap, &err) || rp_order(&v->cap, &opt, &err)) {
		fprintf(f, "%s", err.msg);
		v->errors = 1;
		v->load_rc = -1;
	} else {
		v->errors = rp_validate(v->db, &v->cap, &opt, f);
	}
	fclose(f);
}

static void vres_free(struct vres *v)
{
	rp_capture_free(&v->cap);
	ds_db_close(v->db);
	v->db = NULL;
}

static void expect_error(const char *path, const char *needle1, const char *needle2)
{
	struct vres v;

	validate(path, &v, false);
	if (!v.errors || !strstr(v.text, needle1) || (needle2 && !strstr(v.text, needle2))) {
		fprintf(stderr, "expected an error with '%s'%s%s%s, got %zu errors:\n%s\n", needle1,
			needle2 ? " and '" : "", needle2 ? needle2 : "", needle2 ? "'" : "",
			v.errors, v.text);
		fail();
	}
	vres_free(&v);
}

static void expect_ok(const char *path)
{
	struct vres v;

	validate(path, &v, false);
	if (v.errors) {
		fprintf(stderr, "unexpected errors:\n%s\n", v.text);
		fail();
	}
	vres_free(&v);
}

/* A capture with one simgpu device and one fd, ready for calls. */
static void start(struct caprec *r, const char *path, const char *driver)
{
	assert_int_equal(caprec_open(r, path), 0);
	assert_int_equal(caprec_device(r, driver && !strcmp(driver, "vgem") ? "/dev/dri/card1" :
				       "/dev/dri/renderD128", driver), 0);
	assert_int_equal(caprec_fd(r, 0, 3), 0);
}

static int64_t call(struct caprec *r, uint32_t req, const void *in, const void *out,
		    size_t size, int64_t ret, int err)
{
	int64_t id = caprec_call(r, 0, req, in, size, out, size, NULL, 0, ret, err);

	assert_true(id > 0);
	return id;
}

static uint32_t gem_create(struct caprec *r, uint32_t handle, uint64_t size)
{
	struct drm_simgpu_bo_create in = { .size = size }, out = in;

	out.handle = handle;
	call(r, DRM_IOCTL_SIMGPU_BO_CREATE, &in, &out, sizeof(in), 0, 0);
	return handle;
}

static void gem_close(struct caprec *r, uint32_t handle, int64_t ret, int err)
{
	struct drm_gem_close c = { .handle = handle };

	call(r, DRM_IOCTL_GEM_CLOSE, &c, &c, sizeof(c), ret, err);
}

static void syncobj_create(struct caprec *r, uint32_t handle)
{
	struct drm_syncobj_create in = { 0 }, out = { .handle = handle };

	call(r, DRM_IOCTL_SYNCOBJ_CREATE, &in, &out, sizeof(in), 0, 0);
}

/* DRM_IOCTL_SYNCOBJ_WAIT of @n handles; @bytes of array (n*4 normally). */
static int64_t syncobj_wait(struct caprec *r, const uint32_t *handles, uint32_t n,
			    size_t bytes, const char *field)
{
	struct drm_syncobj_wait w = {
		.handles = 0x7f0000001000ull, .count_handles = n, .timeout_nsec = 1,
	};
	struct caprec_array a = { .idx = 0, .field = field, .bytes = handles, .size = bytes };

	return caprec_call(r, 0, DRM_IOCTL_SYNCOBJ_WAIT, &w, sizeof(w), &w, sizeof(w), &a,
			   bytes ? 1 : 0, 0, 0);
}

static void finish(struct caprec *r)
{
	assert_int_equal(caprec_close(r), 0);
}

static void exec_sql(const char *path, const char *sql)
{
	sqlite3 *s;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	if (sqlite3_exec(s, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, msg);
		fail();
	}
	sqlite3_close(s);
}

/* ------------------------------------------------------------ object map */

static void test_objmap_reference_model(void **state)
{
	enum { N = 4096 };
	static struct { bool live; uint64_t val; } model[4][8][N];
	struct rp_objmap m;
	unsigned seed = 1234;
	int i;

	(void)state;
	memset(model, 0, sizeof(model));
	assert_int_equal(rp_map_init(&m, 4), 0);
	for (i = 0; i < 300000; i++) {
		unsigned cls = 1 + rand_r(&seed) % 4, ns = rand_r(&seed) % 8;
		uint64_t cap = (uint64_t)(rand_r(&seed) % N);
		uint64_t val = ((uint64_t)rand_r(&seed) << 32) | (unsigned)rand_r(&seed), got = 0;
		int op = rand_r(&seed) % 10;

		if (op < 5) {
			assert_int_equal(rp_map_put(&m, cls, ns, cap, val), 0);
			model[cls - 1][ns][cap].live = true;
			model[cls - 1][ns][cap].val = val;
		} else if (op < 7) {
			assert_int_equal(rp_map_del(&m, cls, ns, cap), model[cls - 1][ns][cap].live);
			model[cls - 1][ns][cap].live = false;
		} else {
			bool found = rp_map_get(&m, cls, ns, cap, &got);

			assert_int_equal(found, model[cls - 1][ns][cap].live);
			if (found)
				assert_true(got == model[cls - 1][ns][cap].val);
		}
	}
	/* Every key agrees at the end. */
	{
		size_t live = 0;
		unsigned c, n;
		uint64_t k, got;

		for (c = 0; c < 4; c++)
			for (n = 0; n < 8; n++)
				for (k = 0; k < N; k++) {
					bool f = rp_map_get(&m, c + 1, n, k, &got);

					assert_int_equal(f, model[c][n][k].live);
					live += f;
				}
		assert_int_equal(live, m.used);
	}
	rp_map_clear(&m);
	assert_false(rp_map_get(&m, 1, 0, 0, NULL));
	rp_map_free(&m);
}

static void test_objmap_namespaces(void **state)
{
	struct rp_objmap m;
	uint64_t v;

	(void)state;
	assert_int_equal(rp_map_init(&m, 1), 0);
	assert_int_equal(rp_map_put(&m, RP_C_GEM, 0, 1, 10), 0);
	assert_int_equal(rp_map_put(&m, RP_C_GEM, 1, 1, 20), 0);
	assert_int_equal(rp_map_put(&m, RP_C_SYNCOBJ, 0, 1, 30), 0);
	assert_true(rp_map_get(&m, RP_C_GEM, 0, 1, &v) && v == 10);
	assert_true(rp_map_get(&m, RP_C_GEM, 1, 1, &v) && v == 20);
	assert_true(rp_map_get(&m, RP_C_SYNCOBJ, 0, 1, &v) && v == 30);
	assert_false(rp_map_get(&m, RP_C_VM, 0, 1, &v));
	assert_int_equal(rp_class_of_kind(DS_UAPI_GEM_HANDLE), RP_C_GEM);
	assert_int_equal(rp_class_of_kind(DS_UAPI_KMS_CRTC), RP_C_KMS);
	assert_int_equal(rp_class_of_kind(DS_UAPI_KMS_PROPERTY), RP_C_KMS);
	assert_int_equal(rp_class_of_kind(DS_UAPI_DMABUF_FD), RP_C_FD);
	assert_int_equal(rp_class_of_kind(DS_UAPI_GPU_VA), RP_C_NONE);
	assert_int_equal(rp_class_of_kind(DS_UAPI_MMAP_OFFSET), RP_C_NONE);
	rp_map_free(&m);
}

static void test_norm_hash(void **state)
{
	char h[17];

	(void)state;
	assert_true(rp_norm_hash64("0xCBF29CE484222325", h));
	assert_string_equal(h, "cbf29ce484222325");
	assert_true(rp_norm_hash64("1f", h));
	assert_string_equal(h, "000000000000001f");
	assert_false(rp_norm_hash64("0x", h));
	assert_false(rp_norm_hash64("12345678901234567", h));
	assert_false(rp_norm_hash64("xyz", h));
	assert_false(rp_norm_hash64(NULL, h));
}

static void test_check_rules(void **state)
{
	(void)state;
	assert_true(rp_check_compares("size", DS_UAPI_SIZE));
	assert_true(rp_check_compares("count_crtcs", DS_UAPI_COUNT));
	assert_false(rp_check_compares("version_minor", DS_UAPI_VALUE));
	assert_false(rp_check_compares("fw_abi_version", DS_UAPI_VALUE));
	assert_false(rp_check_compares("date", DS_UAPI_CHARS));
	assert_false(rp_check_compares("sequence_ns", DS_UAPI_VALUE));
	assert_false(rp_check_compares("first_signaled", DS_UAPI_VALUE));
	assert_false(rp_check_compares("handle", DS_UAPI_GEM_HANDLE));
	assert_false(rp_check_compares("offset", DS_UAPI_MMAP_OFFSET));
	assert_false(rp_check_compares("va_start", DS_UAPI_GPU_VA));
}

/* ------------------------------------------------------------ plans */

/* A good capture: version, GEM, syncobjs, a nested simgpu submit. */
static void make_good(const char *path)
{
	struct caprec r;
	char name[8] = "simgpu", date[8] = "2025", desc[16] = "simulated";
	struct drm_version vin = {
		.name_len = 8, .name = (char *)0x7f0000002000ull,
		.date_len = 8, .date = (char *)0x7f0000003000ull,
		.desc_len = 16, .desc = (char *)0x7f0000004000ull,
	}, vout = vin;
	struct caprec_array va[3] = {
		{ .out = 1, .idx = 0, .field = "name", .bytes = name, .size = 6 },
		{ .out = 1, .idx = 1, .field = "date", .bytes = date, .size = 4 },
		{ .out = 1, .idx = 2, .field = "desc", .bytes = desc, .size = 9 },
	};
	struct drm_simgpu_vm_create vmin = { 0 }, vmout = { .id = 1 };
	struct drm_simgpu_queue_create qin = { .vm_id = 1, .priority = 1 }, qout = qin;
	struct drm_simgpu_sync syncs[2] = {
		{ .handle = 5 }, { .handle = 6, .timeline_point = 3 },
	};
	struct drm_simgpu_job jobs[2] = {
		{ .cmd_va = 0x100000, .cmd_size = 64,
		  .out_syncs = { .stride = 16, .count = 1, .array = 0x7f0000005000ull } },
		{ .cmd_va = 0x100040, .cmd_size = 64,
		  .in_syncs = { .stride = 16, .count = 1, .array = 0x7f0000005000ull },
		  .out_syncs = { .stride = 16, .count = 1, .array = 0x7f0000005010ull } },
	};
	struct drm_simgpu_submit sin = {
		.queue_id = 2, .jobs = { .stride = sizeof(jobs[0]), .count = 2,
					 .array = 0x7f0000006000ull },
	}, sout = sin;
	struct caprec_array sa[4] = {
		{ .idx = 0, .field = "jobs.array", .bytes = jobs, .size = sizeof(jobs) },
		{ .idx = 1, .field = "out_syncs.array", .bytes = &syncs[0], .size = 16 },
		{ .idx = 2, .field = "in_syncs.array", .bytes = &syncs[0], .size = 16 },
		{ .idx = 3, .field = "out_syncs.array", .bytes = &syncs[1], .size = 16 },
	};
	uint32_t handles[2] = { 5, 6 };

	start(&r, path, "simgpu");
	vout.version_major = 1;
	vout.name_len = 6;
	vout.date_len = 4;
	vout.desc_len = 9;
	assert_true(caprec_call(&r, 0, DRM_IOCTL_VERSION, &vin, sizeof(vin), &vout, sizeof(vout),
				va, 3, 0, 0) > 0);
	call(&r, DRM_IOCTL_SIMGPU_VM_CREATE, &vmin, &vmout, sizeof(vmin), 0, 0);
	qout.id = 2;
	call(&r, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &qin, &qout, sizeof(qin), 0, 0);
	gem_create(&r, 1, 4096);
	syncobj_create(&r, 5);
	syncobj_create(&r, 6);
	sout.seqno = 1;
	assert_true(caprec_call(&r, 0, DRM_IOCTL_SIMGPU_SUBMIT, &sin, sizeof(sin), &sout,
				sizeof(sout), sa, 4, 0, 0) > 0);
	assert_true(syncobj_wait(&r, handles, 2, 8, "handles") > 0);
	gem_close(&r, 1, 0, 0);
	finish(&r);
}

static const struct rp_call *find_named(const struct rp_capture *cap, const char *name)
{
	size_t i;

	for (i = 0; i < cap->ncalls; i++)
		if (!strcmp(cap->calls[i].name, name))
			return &cap->calls[i];
	return NULL;
}

static void test_plan_good_capture(void **state)
{
	char path[PATH_MAX];
	const struct rp_call *c;
	const struct rp_plan *p;
	struct vres v;
	uint32_t i, syncs = 0;
	uint64_t ptr;

	(void)state;
	make_good(tpath(path, "good.db"));
	validate(path, &v, false);
	if (v.errors)
		fprintf(stderr, "%s\n", v.text);
	assert_int_equal(v.errors, 0);

	/* VERSION: three OUT arrays, zeroed buffers of the room user space gave. */
	c = find_named(&v.cap, "DRM_IOCTL_VERSION");
	assert_non_null(c);
	p = c->plan;
	assert_int_equal(p->nnodes, 3);
	assert_int_equal(p->nodes[0].size, 8);
	assert_int_equal(p->nodes[2].size, 16);
	assert_non_null(p->nodes[0].cap_out);
	assert_int_equal(p->nodes[0].cap_out_size, 6);
	memcpy(&ptr, p->arg + offsetof(struct drm_version, name), 8);
	assert_true(ptr == (uint64_t)(uintptr_t)p->nodes[0].buf);

	/* SUBMIT: jobs array, then each job's sync arrays, depth first. */
	c = find_named(&v.cap, "DRM_IOCTL_SIMGPU_SUBMIT");
	assert_non_null(c);
	p = c->plan;
	assert_int_equal(p->nnodes, 4);
	assert_int_equal(p->nodes[0].depth, 0);
	assert_int_equal(p->nodes[1].depth, 1);
	assert_string_equal(p->nodes[1].field->name, "out_syncs.array");
	assert_string_equal(p->nodes[2].field->name, "in_syncs.array");
	assert_int_equal(p->nodes[1].parent, 0);
	/* the job's pointer now leads to the replay's copy */
	memcpy(&ptr, p->nodes[0].buf + offsetof(struct drm_simgpu_job, out_syncs.array), 8);
	assert_true(ptr == (uint64_t)(uintptr_t)p->nodes[1].buf);
	for (i = 0; i < p->nslots; i++)
		if (p->slots[i].cls == RP_C_SYNCOBJ)
			syncs++;
	assert_int_equal(syncs, 3);
	assert_true(p->queue_slot >= 0);
	assert_int_equal(p->seqno_off, offsetof(struct drm_simgpu_submit, seqno));
	assert_int_equal(p->jobs_node, 0);

	/* The wait: a timeout slot and two syncobj slots. */
	c = find_named(&v.cap, "DRM_IOCTL_SYNCOBJ_WAIT");
	assert_true(c->is_wait);
	for (i = 0, syncs = 0; i < c->plan->nslots; i++)
		syncs += c->plan->slots[i].cls == RP_C_SYNCOBJ;
	assert_int_equal(syncs, 2);
	vres_free(&v);
}

static void test_plan_count_sum_atomic(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	uint32_t objs[2] = { 31, 32 }, counts[2] = { 2, 1 }, props[3] = { 10, 11, 12 };
	uint64_t vals[3] = { 1, 2, 3 };
	struct drm_mode_atomic a = {
		.count_objs = 2, .objs_ptr = 0x7f0000001000ull, .count_props_ptr = 0x7f0000002000ull,
		.props_ptr = 0x7f0000003000ull, .prop_values_ptr = 0x7f0000004000ull,
		.flags = DRM_MODE_ATOMIC_TEST_ONLY,
	};
	struct caprec_array arr[4] = {
		{ .idx = 0, .field = "objs_ptr", .bytes = objs, .size = 8 },
		{ .idx = 1, .field = "count_props_ptr", .bytes = counts, .size = 8 },
		{ .idx = 2, .field = "props_ptr", .bytes = props, .size = 12 },
		{ .idx = 3, .field = "prop_values_ptr", .bytes = vals, .size = 24 },
	};
	const struct rp_call *c;
	struct vres v;

	(void)state;
	assert_int_equal(caprec_open(&r, tpath(path, "atomic.db")), 0);
	assert_int_equal(caprec_device(&r, "/dev/dri/card0", "virtio_gpu"), 0);
	assert_int_equal(caprec_fd(&r, 0, 3), 0);
	/* Failed in the capture, so the unknown ids are not "dangling". */
	assert_true(caprec_call(&r, 0, DRM_IOCTL_MODE_ATOMIC, &a, sizeof(a), &a, sizeof(a),
				arr, 4, -1, EINVAL) > 0);
	finish(&r);
	validate(path, &v, false);
	if (v.errors)
		fprintf(stderr, "%s\n", v.text);
	assert_int_equal(v.errors, 0);
	c = find_named(&v.cap, "DRM_IOCTL_MODE_ATOMIC");
	assert_non_null(c->plan);
	assert_int_equal(c->plan->nnodes, 4);
	assert_int_equal(c->plan->nodes[2].count, 3);	/* 2 + 1 */
	assert_int_equal(c->plan->nodes[3].size, 24);
	vres_free(&v);

	/* A sum that says 4 props while 3 were recorded. */
	counts[1] = 2;
	assert_int_equal(caprec_open(&r, tpath(path, "atomic_bad.db")), 0);
	assert_int_equal(caprec_device(&r, "/dev/dri/card0", "virtio_gpu"), 0);
	assert_int_equal(caprec_fd(&r, 0, 3), 0);
	assert_true(caprec_call(&r, 0, DRM_IOCTL_MODE_ATOMIC, &a, sizeof(a), &a, sizeof(a),
				arr, 4, -1, EINVAL) > 0);
	finish(&r);
	expect_error(path, "props_ptr", "has 12 bytes");
}

static void test_plan_zero_count_pointer_goes_to_guard(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	struct drm_version vin = { .name_len = 0, .name = (char *)0x7f00000020ull };
	const struct rp_call *c;
	struct vres v;
	uint64_t ptr;

	(void)state;
	start(&r, tpath(path, "guard.db"), "simgpu");
	call(&r, DRM_IOCTL_VERSION, &vin, &vin, sizeof(vin), 0, 0);
	finish(&r);
	validate(path, &v, false);
	assert_int_equal(v.errors, 0);
	c = find_named(&v.cap, "DRM_IOCTL_VERSION");
	memcpy(&ptr, c->plan->arg + offsetof(struct drm_version, name), 8);
	assert_true(ptr == (uint64_t)(uintptr_t)rp_guard_page());
	assert_int_equal(c->plan->npatches, 1);
	vres_free(&v);
}


static void test_check_call(void **state)
{
	char path[PATH_MAX];
	const struct rp_call *c;
	struct rp_run run = { 0 };
	struct drm_version *mine;
	struct vres v;
	char *m;

	(void)state;
	make_good(tpath(path, "check.db"));
	validate(path, &v, false);
	assert_int_equal(v.errors, 0);
	run.cap = &v.cap;
	c = find_named(&v.cap, "DRM_IOCTL_VERSION");
	assert_true(c->plan->ncmps > 0);
	assert_false(c->plan->cmp_all);
	/* The kernel wrote what the capture recorded: no mismatch. */
	memcpy(c->plan->arg, c->out, c->out_size);
	memcpy(c->plan->nodes[0].buf, "simgpu", 6);
	memcpy(c->plan->nodes[1].buf, "2025", 4);
	memcpy(c->plan->nodes[2].buf, "simulated", 9);
	assert_null(rp_check_call(&run, c, 0, 0, NULL));
	/* A newer build: versions and dates are not results. */
	mine = (struct drm_version *)c->plan->arg;
	mine->version_minor = 7;
	memcpy(c->plan->nodes[1].buf, "2026", 4);
	assert_null(rp_check_call(&run, c, 0, 0, NULL));
	/* Another driver name is. */
	memcpy(c->plan->nodes[0].buf, "simgpx", 6);
	m = rp_check_call(&run, c, 0, 0, NULL);
	assert_non_null(m);
	assert_non_null(strstr(m, "name = \"simgpx\", the capture has \"simgpu\""));
	free(m);
	memcpy(c->plan->nodes[0].buf, "simgpu", 6);
	mine->name_len = 9;
	m = rp_check_call(&run, c, 0, 0, NULL);
	assert_non_null(strstr(m, "name_len = 9, the capture has 6"));
	free(m);
	/* Return values and errnos. */
	m = rp_check_call(&run, c, -1, EIO, "GEM handle 3 (field handle) has no replayed object");
	assert_non_null(strstr(m, "failed with EIO (Input/output error); the capture succeeded"));
	assert_non_null(strstr(m, "no replayed object"));
	free(m);
	vres_free(&v);
}


/* What each snapshot's restore writes: full, delta, skipped. */
static void test_restore_deltas(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	static uint8_t a[4096], b2[4096];
	struct drm_simgpu_submit s = { .queue_id = 0 };
	int64_t id[6];
	struct vres v;
	const struct rp_snap *sn;
	int i;

	(void)state;
	memset(a, 1, sizeof(a));
	memcpy(b2, a, sizeof(a));
	b2[130] = 9;				/* block 2 */
	b2[4000] = 9;				/* block 62 */
	start(&r, tpath(path, "deltas.db"), "simgpu");
	gem_create(&r, 1, 4096);
	for (i = 0; i < 4; i++)
		id[i] = call(&r, DRM_IOCTL_SIMGPU_SUBMIT, &s, &s, sizeof(s), -1, EINVAL);
	gem_close(&r, 1, 0, 0);
	gem_create(&r, 1, 4096);
	id[4] = call(&r, DRM_IOCTL_SIMGPU_SUBMIT, &s, &s, sizeof(s), -1, EINVAL);
	assert_int_equal(caprec_snapshot(&r, id[0], 0, 1, 0, a, 4096), 0);	/* full */
	assert_int_equal(caprec_snapshot(&r, id[1], 0, 1, 0, a, 4096), 0);	/* same: skip */
	assert_int_equal(caprec_snapshot(&r, id[2], 0, 1, 0, b2, 4096), 0);	/* delta */
	assert_int_equal(caprec_snapshot(&r, id[3], 0, 1, 0, a, 4096), 0);	/* older: skip */
	assert_int_equal(caprec_snapshot(&r, id[4], 0, 1, 0, b2, 4096), 0);	/* new BO: full */
	finish(&r);
	exec_sql(path, "UPDATE buffer_snapshot SET ns = 1000 * id;"
		 "UPDATE buffer_snapshot SET ns = 2500 WHERE id = 4");
	validate(path, &v, false);
	assert_int_equal(v.errors, 0);
	assert_int_equal(rp_restore_prepare(&v.cap), 0);
	sn = v.cap.snaps;
	assert_int_equal(sn[0].mode, RP_RESTORE_FULL);
	assert_int_equal(sn[1].mode, RP_RESTORE_SKIP);
	assert_int_equal(sn[2].mode, RP_RESTORE_DELTA);
	assert_int_equal(sn[2].nruns, 2);
	assert_true(sn[2].runs[0].off == 128 && sn[2].runs[0].len == 64);
	assert_true(sn[2].runs[1].off == 3968 && sn[2].runs[1].len == 64);
	assert_int_equal(sn[3].mode, RP_RESTORE_SKIP);
	assert_int_equal(sn[4].mode, RP_RESTORE_FULL);
	vres_free(&v);
}

/* ------------------------------------------------------------ malformed */

static void test_bad_struct_size(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	char bytes[12] = { 0 };
	int64_t id;

	(void)state;
	start(&r, tpath(path, "size.db"), "simgpu");
	id = caprec_call(&r, 0, DRM_IOCTL_GEM_CLOSE, bytes, sizeof(bytes), bytes, sizeof(bytes),
			 NULL, 0, 0, 0);
	finish(&r);
	(void)id;
	expect_error(path, "call 1 (DRM_IOCTL_GEM_CLOSE)", "has 12 bytes, the request");
}

static void test_missing_in_struct(void **state)
{
	char path[PATH_MAX];
	struct caprec r;

	(void)state;
	start(&r, tpath(path, "noin.db"), "simgpu");
	assert_true(caprec_call(&r, 0, DRM_IOCTL_GEM_CLOSE, NULL, 0, NULL, 0, NULL, 0, 0, 0) > 0);
	finish(&r);
	expect_error(path, "DRM_IOCTL_GEM_CLOSE", "was not recorded");
}

static void test_huge_count(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	uint32_t h[2] = { 1, 2 };
	struct drm_syncobj_wait w = {
		.handles = 0x7f0000001000ull, .count_handles = 0x40000000, .timeout_nsec = 1,
	};
	struct caprec_array a = { .idx = 0, .field = "handles", .bytes = h, .size = 8 };

	(void)state;
	start(&r, tpath(path, "huge.db"), "simgpu");
	assert_true(caprec_call(&r, 0, DRM_IOCTL_SYNCOBJ_WAIT, &w, sizeof(w), &w, sizeof(w),
				&a, 1, 0, 0) > 0);
	finish(&r);
	expect_error(path, "DRM_IOCTL_SYNCOBJ_WAIT", "count 1073741824 is more than");
}

static void test_huge_stride(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	struct drm_simgpu_submit s = {
		.queue_id = 1, .jobs = { .stride = 1u << 30, .count = 1, .array = 0x1000 },
	};

	(void)state;
	start(&r, tpath(path, "stride.db"), "simgpu");
	call(&r, DRM_IOCTL_SIMGPU_SUBMIT, &s, &s, sizeof(s), -1, EINVAL);
	finish(&r);
	expect_error(path, "DRM_IOCTL_SIMGPU_SUBMIT", "stride 1073741824 is invalid");
}

static void test_array_size_mismatch(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	uint32_t h[3] = { 1, 2, 3 };

	(void)state;
	start(&r, tpath(path, "arrsize.db"), "simgpu");
	syncobj_create(&r, 1);
	syncobj_create(&r, 2);
	assert_true(syncobj_wait(&r, h, 2, 12, "handles") > 0);
	finish(&r);
	expect_error(path, "call 3 (DRM_IOCTL_SYNCOBJ_WAIT)", "has 12 bytes; its count 2");
}

static void test_array_missing(void **state)
{
	char path[PATH_MAX];
	struct caprec r;

	(void)state;
	start(&r, tpath(path, "arrmissing.db"), "simgpu");
	assert_true(syncobj_wait(&r, NULL, 2, 0, "handles") > 0);
	finish(&r);
	expect_error(path, "DRM_IOCTL_SYNCOBJ_WAIT", "is missing from the capture");
}

static void test_array_extra_rows(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	struct drm_gem_close c = { .handle = 1 };
	uint32_t junk = 7;
	struct caprec_array a = { .idx = 0, .field = "handles", .bytes = &junk, .size = 4 };

	(void)state;
	start(&r, tpath(path, "arrextra.db"), "simgpu");
	gem_create(&r, 1, 4096);
	assert_true(caprec_call(&r, 0, DRM_IOCTL_GEM_CLOSE, &c, sizeof(c), &c, sizeof(c), &a, 1,
				0, 0) > 0);
	finish(&r);
	expect_error(path, "DRM_IOCTL_GEM_CLOSE", "1 array_in rows, but the uapi walk");
}

static void test_array_wrong_field(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	uint32_t h[2] = { 1, 2 };

	(void)state;
	start(&r, tpath(path, "arrfield.db"), "simgpu");
	syncobj_create(&r, 1);
	syncobj_create(&r, 2);
	assert_true(syncobj_wait(&r, h, 2, 8, "points") > 0);
	finish(&r);
	expect_error(path, "array_in 0 is for field 'points'", "expects 'handles'");
}

static void test_array_out_mismatch(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	char name[64] = "simgpu-but-much-longer-than-room";
	struct drm_version v = { .name_len = 8, .name = (char *)0x7f0000002000ull };
	struct caprec_array a = { .out = 1, .idx = 0, .field = "name", .bytes = name, .size = 32 };

	(void)state;
	start(&r, tpath(path, "arrout.db"), "simgpu");
	v.name_len = 32;	/* the "out" struct claims 32, the "in" room was 8 */
	{
		struct drm_version in = v;

		in.name_len = 8;
		assert_true(caprec_call(&r, 0, DRM_IOCTL_VERSION, &in, sizeof(in), &v, sizeof(v),
					&a, 1, 0, 0) > 0);
	}
	finish(&r);
	expect_error(path, "DRM_IOCTL_VERSION", "array_out 0 has 32 bytes");
}

static void test_dangling_handle(void **state)
{
	char path[PATH_MAX];
	struct caprec r;

	(void)state;
	start(&r, tpath(path, "dangling.db"), "simgpu");
	gem_create(&r, 1, 4096);
	gem_close(&r, 1, 0, 0);
	gem_close(&r, 7, 0, 0);
	finish(&r);
	expect_error(path, "call 3 (DRM_IOCTL_GEM_CLOSE)", "GEM handle 7 was not created");

	/* Used after close: dangling too. */
	start(&r, tpath(path, "afterclose.db"), "simgpu");
	gem_create(&r, 1, 4096);
	gem_close(&r, 1, 0, 0);
	gem_close(&r, 1, 0, 0);
	finish(&r);
	expect_error(path, "call 3 (DRM_IOCTL_GEM_CLOSE)", "GEM handle 1 was not created");

	/* In an array element. */
	start(&r, tpath(path, "danglingarr.db"), "simgpu");
	{
		uint32_t h[2] = { 1, 9 };

		syncobj_create(&r, 1);
		assert_true(syncobj_wait(&r, h, 2, 8, "handles") > 0);
	}
	finish(&r);
	expect_error(path, "handles syncobj 9 (in an array) was not created", "dangling");
}

static void test_dangling_in_failed_call_is_fine(void **state)
{
	char path[PATH_MAX];
	struct caprec r;

	(void)state;
	start(&r, tpath(path, "failedbad.db"), "simgpu");
	gem_close(&r, 7, -1, EINVAL);
	finish(&r);
	expect_ok(path);
}

static void test_truncated_and_corrupt_blob(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	static unsigned char data[8192];
	struct drm_simgpu_submit s = { .queue_id = 0 };
	int64_t id;

	(void)state;
	memset(data, 0x5a, sizeof(data));
	start(&r, tpath(path, "blob.db"), "simgpu");
	gem_create(&r, 1, 8192);
	id = call(&r, DRM_IOCTL_SIMGPU_SUBMIT, &s, &s, sizeof(s), -1, EINVAL);
	assert_int_equal(caprec_snapshot(&r, id, 0, 1, 0, data, sizeof(data)), 0);
	finish(&r);
	expect_ok(path);

	/* The snapshot says 8192 bytes; make the blob's data shorter. */
	exec_sql(path, "UPDATE blob SET raw_size = 100, encoding = 'raw', data = zeroblob(100)");
	expect_error(path, "buffer_snapshot 1 (call 2, GEM handle 1)", "blob");

	/* Same size, different bytes: the hash check catches it. */
	exec_sql(path, "UPDATE blob SET raw_size = 8192, encoding = 'raw', data = zeroblob(8192)");
	expect_error(path, "buffer_snapshot 1", "blob");

	/* A snapshot whose blob row is gone. */
	exec_sql(path, "DELETE FROM blob");
	expect_error(path, "buffer_snapshot 1", "not in the blob table");
}

static void test_snapshot_of_dead_handle(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	unsigned char data[64] = { 1 };
	struct drm_simgpu_submit s = { .queue_id = 0 };
	int64_t id;

	(void)state;
	start(&r, tpath(path, "deadsnap.db"), "simgpu");
	id = call(&r, DRM_IOCTL_SIMGPU_SUBMIT, &s, &s, sizeof(s), -1, EINVAL);
	assert_int_equal(caprec_snapshot(&r, id, 0, 4, 0, data, sizeof(data)), 0);
	finish(&r);
	expect_error(path, "buffer_snapshot 1 is of GEM handle 4", "not alive");
}

/*
 * A capture with a result snapshot: BO 1 created by call 1, a submission
 * (call 3) with a before-snapshot, a syncobj wait (call 4) with a result
 * snapshot of the same BO (gem_object 7). Returns the wait's id.
 */
static int64_t make_results_capture(const char *path, const unsigned char *before,
				    const unsigned char *after, size_t size)
{
	struct drm_simgpu_submit s = { .queue_id = 0 };
	uint32_t sync = 5;
	struct caprec r;
	int64_t sub, wait;

	start(&r, path, "simgpu");
	gem_create(&r, 1, size);
	syncobj_create(&r, 5);
	sub = call(&r, DRM_IOCTL_SIMGPU_SUBMIT, &s, &s, sizeof(s), -1, EINVAL);
	wait = syncobj_wait(&r, &sync, 1, 4, "handles");
	assert_true(wait > 0);
	assert_int_equal(caprec_snapshot(&r, sub, 0, 1, 0, before, size), 0);
	assert_int_equal(caprec_snapshot(&r, wait, 0, 1, 0, after, size), 0);
	finish(&r);
	exec_sql(path, "UPDATE buffer_snapshot SET phase = 'after' WHERE id = 2;"
		 " INSERT INTO gem_object (id, fd_id, handle, size, create_ioctl_id)"
		 "  VALUES (7, (SELECT min(id) FROM fd), 1, 4096, 1);"
		 " UPDATE buffer_snapshot SET gem_id = 7");
	return wait;
}

static void test_result_snapshots_load(void **state)
{
	static unsigned char before[4096], after[4096];
	char path[PATH_MAX];
	const struct rp_call *c;
	struct vres v;
	int64_t wait;

	(void)state;
	memset(before, 0x11, sizeof(before));
	memset(after, 0x22, sizeof(after));
	wait = make_results_capture(tpath(path, "results.db"), before, after, sizeof(after));

	validate(path, &v, false);
	assert_int_equal(v.errors, 0);
	assert_int_equal(v.cap.nsnaps, 1);
	assert_int_equal(v.cap.nresults, 1);
	c = rp_find_call(&v.cap, wait);
	assert_non_null(c);
	assert_int_equal(c->nsnap, 0);
	assert_int_equal(c->nres, 1);
	assert_true(v.cap.results[c->res_first].after);
	assert_int_equal(v.cap.results[c->res_first].gem_id, 7);
	assert_int_equal(v.cap.results[c->res_first].gem_call, 1);
	assert_non_null(v.cap.results[c->res_first].data);
	assert_memory_equal(v.cap.results[c->res_first].data, after, sizeof(after));
	assert_memory_equal(v.cap.snaps[0].data, before, sizeof(before));
	vres_free(&v);

	/*
	 * Written before schema version 5: not read until upgraded (which
	 * makes the snapshots of a file older than version 4 restores).
	 */
	exec_sql(path, "PRAGMA user_version = 4");
	expect_error(path, "schema version 4 is older", "`drmscope upgrade");
}

static void test_result_snapshots_no_check(void **state)
{
	static unsigned char data[4096];
	struct rp_options opt = { .repeat = 1, .max_shown = 50, .no_buffer_check = true };
	struct rp_capture cap = { 0 };
	struct rp_err err = { 0 };
	char path[PATH_MAX];
	struct ds_db *db;
	FILE *f;

	(void)state;
	make_results_capture(tpath(path, "nocheck.db"), data, data, sizeof(data));
	/* --no-buffer-check: a result snapshot's blob is not even loaded. */
	exec_sql(path, "DELETE FROM blob WHERE hash <> (SELECT blob_hash FROM buffer_snapshot"
		 " WHERE phase = 'before'); UPDATE buffer_snapshot SET blob_hash ="
		 " '00000000000000000000000000000000' WHERE phase = 'after'");
	assert_int_equal(ds_db_open_read(path, 0, &db), DS_DB_OK);
	assert_int_equal(rp_load(db, &cap, &err), 0);
	assert_int_equal(rp_order(&cap, &opt, &err), 0);
	f = fopen("/dev/null", "w");
	assert_non_null(f);
	assert_int_equal(rp_validate(db, &cap, &opt, f), 0);
	fclose(f);
	assert_int_equal(cap.nresults, 1);
	assert_null(cap.results[0].data);
	rp_capture_free(&cap);
	ds_db_close(db);
	/* With the check, the same capture is refused. */
	expect_error(path, "result buffer_snapshot 2 (call 4, GEM handle 1)",
		     "not in the blob table");
}

static void test_result_snapshots_malformed(void **state)
{
	static unsigned char before[4096], after[4096];
	char path[PATH_MAX];

	(void)state;
	memset(after, 0x22, sizeof(after));
	make_results_capture(tpath(path, "badres.db"), before, after, sizeof(after));

	/* The result's blob holds fewer bytes than the snapshot says. */
	exec_sql(path, "UPDATE blob SET raw_size = 100, encoding = 'raw', data = zeroblob(100)"
		 " WHERE hash = (SELECT blob_hash FROM buffer_snapshot WHERE phase = 'after')");
	expect_error(path, "result buffer_snapshot 2 (call 4, GEM handle 1)", "blob");

	/* Its blob row is gone. */
	exec_sql(path, "DELETE FROM blob"
		 " WHERE hash = (SELECT blob_hash FROM buffer_snapshot WHERE phase = 'after')");
	expect_error(path, "result buffer_snapshot 2 (call 4, GEM handle 1)",
		     "not in the blob table");

	/* A size smaller than its blob. */
	make_results_capture(tpath(path, "badres2.db"), after, after, sizeof(after));
	exec_sql(path, "UPDATE buffer_snapshot SET size = 2048 WHERE phase = 'after'");
	expect_error(path, "result buffer_snapshot 2 (call 4, GEM handle 1)",
		     "larger than the snapshot's size");

	/* Of a handle that the capture closed before the wait. */
	make_results_capture(tpath(path, "badres3.db"), before, after, sizeof(after));
	exec_sql(path, "UPDATE buffer_snapshot SET handle = 9 WHERE phase = 'after'");
	expect_error(path, "call 4 (DRM_IOCTL_SYNCOBJ_WAIT): result buffer_snapshot 2",
		     "not alive after it");
}

/*
 * bufcheck.c against a buffer standing in for the replayed BO (already
 * "mapped", so no device is needed): equal contents pass, a changed byte is
 * named with its offset and the bytes on both sides.
 */
static void test_result_compare(void **state)
{
	static unsigned char before[4096], after[4096], mine[4096];
	struct rp_rfile files[1] = { { .fd = -1, .device = 0 } };
	struct rp_run run = { 0 };
	struct rp_bomap *bo;
	char path[PATH_MAX], *mm = NULL;
	const struct rp_call *c;
	struct vres v;
	int64_t wait;

	(void)state;
	memset(after, 0x22, sizeof(after));
	wait = make_results_capture(tpath(path, "cmp.db"), before, after, sizeof(after));
	validate(path, &v, false);
	assert_int_equal(v.errors, 0);
	c = rp_find_call(&v.cap, wait);
	run.cap = &v.cap;
	run.files = files;
	assert_int_equal(rp_map_init(&run.map, 16), 0);
	assert_int_equal(rp_map_put(&run.map, RP_C_GEM, (uint32_t)v.cap.results[0].file, 1, 3), 0);
	bo = rp_bo_get(&run, (uint32_t)v.cap.results[0].file, 3, true);
	assert_non_null(bo);
	bo->map = mine;
	bo->map_len = bo->size = sizeof(mine);

	memcpy(mine, after, sizeof(mine));
	assert_int_equal(rp_check_results(&run, c, &mm), 0);
	assert_null(mm);

	mine[0x123] = 0x23;
	mine[0x200] = 0;
	assert_int_equal(rp_check_results(&run, c, &mm), 1);
	assert_non_null(mm);
	if (!strstr(mm, "buffer GEM handle 1 (gem_object 7, created by call 1") ||
	    !strstr(mm, "2 bytes differ, the first at offset 0x123") ||
	    !strstr(mm, "captured 2222222222222222, replayed 2322222222222222")) {
		fprintf(stderr, "unexpected text: %s\n", mm);
		fail();
	}
	assert_int_equal(run.buffer_mismatches, 1);
	assert_int_equal(run.buffers_checked, 2);
	free(mm);
	free(run.bos);		/* the "mapping" is ours: no munmap */
	rp_map_free(&run.map);
	vres_free(&v);
}

static void test_wrong_column_types(void **state)
{
	char path[PATH_MAX];
	struct caprec r;

	(void)state;
	start(&r, tpath(path, "types.db"), "simgpu");
	gem_create(&r, 1, 4096);
	finish(&r);
	/* STRICT tables refuse this; a hostile file need not be STRICT. */
	exec_sql(path, "PRAGMA writable_schema = ON;"
		 "UPDATE sqlite_schema SET sql = replace(sql, ') STRICT', ')')"
		 " WHERE name = 'ioctl_call';");
	exec_sql(path, "UPDATE ioctl_call SET request = 'DRM_IOCTL_HAX'");
	expect_error(path, "ioctl row 1", "request is not an integer");
	exec_sql(path, "UPDATE ioctl_call SET request = 99999999999");
	expect_error(path, "request 99999999999", "not a 32-bit ioctl number");
	exec_sql(path, "UPDATE ioctl_call SET request = 3225445376, in_bytes = 'text'");
	expect_error(path, "ioctl row 1", "column in_bytes is not a blob");
	exec_sql(path, "UPDATE ioctl_call SET in_bytes = NULL, out_bytes = 12");
	expect_error(path, "ioctl row 1", "column out_bytes is not a blob");
}

/* An argument struct larger than _IOC_SIZE can say is refused, in or out. */
static void test_argument_too_big(void **state)
{
	char path[PATH_MAX];
	struct caprec r;

	(void)state;
	start(&r, tpath(path, "big.db"), "simgpu");
	gem_create(&r, 1, 4096);
	finish(&r);
	expect_ok(path);
	exec_sql(path, "UPDATE ioctl_call SET in_bytes = zeroblob(16384) WHERE id = 1");
	expect_error(path, "call 1 (", "the 'in' argument struct has 16384 bytes, more than"
		     " an ioctl can pass (16383)");
	exec_sql(path, "UPDATE ioctl_call SET in_bytes = zeroblob(16383),"
		 " out_bytes = zeroblob(20000) WHERE id = 1");
	expect_error(path, "call 1 (", "the 'out' argument struct has 20000 bytes");
}

static void test_payload_of_missing_call(void **state)
{
	char path[PATH_MAX];
	struct caprec r;

	(void)state;
	start(&r, tpath(path, "orphan.db"), "simgpu");
	gem_create(&r, 1, 4096);
	finish(&r);
	exec_sql(path, "INSERT INTO ioctl_payload (ioctl_id, direction, idx, bytes)"
		 " VALUES (99, 'array_in', 0, x'00')");
	expect_error(path, "belongs to ioctl 99", "does not exist");
	/* The argument structs are columns of the call since schema version 5. */
	exec_sql(path, "DELETE FROM ioctl_payload WHERE ioctl_id = 99;"
		 "PRAGMA ignore_check_constraints = ON;"
		 "INSERT INTO ioctl_payload (ioctl_id, direction, idx, bytes)"
		 " VALUES (1, 'in', 0, x'00')");
	expect_error(path, "ioctl_payload row", "unknown direction 'in'");
}

static void test_fd_cycle(void **state)
{
	char path[PATH_MAX];
	struct caprec r;

	(void)state;
	start(&r, tpath(path, "cycle.db"), "simgpu");
	gem_create(&r, 1, 4096);
	finish(&r);
	exec_sql(path, "INSERT INTO fd (id, pid, fd, device_id, how, parent_fd_id)"
		 " VALUES (10, 1, 4, 1, 'dup', 11), (11, 1, 5, 1, 'dup', 10);"
		 "UPDATE ioctl_call SET fd_id = 10");
	expect_error(path, "fd row 10", "cycle");
}

static void test_unknown_request_is_skipped(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	char bytes[16] = { 0 };
	struct vres v;

	(void)state;
	start(&r, tpath(path, "unknown.db"), "simgpu");
	/* A driver-private number simgpu does not have. */
	assert_true(caprec_call(&r, 0, DRM_IOWR(0x70, struct drm_gem_close) , bytes, 8, bytes, 8,
				NULL, 0, 0, 0) > 0);
	gem_create(&r, 1, 4096);
	finish(&r);
	validate(path, &v, false);
	assert_int_equal(v.errors, 0);
	assert_non_null(strstr(v.text, "1 call with no uapi description"));
	assert_int_equal(v.cap.calls[0].skip, RP_SKIP_UNKNOWN);
	vres_free(&v);
	validate(path, &v, true);
	assert_int_equal(v.errors, 0);
	assert_int_equal(v.cap.calls[0].skip, RP_RUN);
	assert_non_null(v.cap.calls[0].plan);
	assert_int_equal(v.cap.calls[0].plan->nslots, 0);
	vres_free(&v);
}

static void test_order_and_ranges(void **state)
{
	char path[PATH_MAX];
	struct caprec r;
	struct rp_options opt = { .repeat = 1 };
	struct rp_err err = { 0 };
	struct rp_capture cap = { 0 };
	struct ds_db *db = NULL;
	struct drm_simgpu_submit s = { .queue_id = 0 };
	int i;

	(void)state;
	start(&r, tpath(path, "order.db"), "simgpu");
	for (i = 0; i < 4; i++) {
		if (i == 1) {
			uint32_t h = 0;

			/* call 3: a wait (of nothing live: it failed) */
			assert_true(syncobj_wait(&r, &h, 1, 4, "handles") > 0);
		} else {
			gem_create(&r, (uint32_t)(i + 1), 4096);
		}
		call(&r, DRM_IOCTL_SIMGPU_SUBMIT, &s, &s, sizeof(s), -1, EINVAL);
	}
	finish(&r);
	exec_sql(path, "UPDATE ioctl_call SET ret = -1, errno = 22 WHERE id = 3");
	/* Thread 2's wait overlapped thread 1's next calls: it moves to its end. */
	exec_sql(path, "UPDATE ioctl_call SET tid = 2, begin_ns = (SELECT begin_ns FROM ioctl"
		 " WHERE id = 2) + 1, end_ns = (SELECT end_ns FROM ioctl WHERE id = 8) + 10"
		 " WHERE id = 3");
	/* Thread 2's create overlapping thread 1's calls keeps its place. */
	exec_sql(path, "UPDATE ioctl_call SET tid = 2, end_ns = (SELECT end_ns FROM ioctl WHERE"
		 " id = 8) + 20 WHERE id = 5");
	assert_int_equal(ds_db_open_read(path, 0, &db), 0);
	assert_int_equal(rp_load(db, &cap, &err), 0);
	opt.from_submit = 2;
	opt.to_submit = 3;
	assert_int_equal(rp_order(&cap, &opt, &err), 0);
	/* call 3 (a wait, thread 2) is now last; call 5 (a create) is not moved */
	assert_int_equal(cap.calls[cap.order[cap.ncalls - 1]].id, 3);
	assert_int_equal(cap.calls[cap.order[3]].id, 5);
	assert_int_equal(cap.nsubmits, 4);
	/* submission 1 (call 2) is before the range: skipped; call 1 is set-up */
	assert_int_equal(rp_find_call(&cap, 2)->skip, RP_SKIP_PREFIX);
	assert_true(rp_find_call(&cap, 1)->setup);
	assert_int_equal(rp_find_call(&cap, 4)->skip, RP_RUN);
	assert_false(rp_find_call(&cap, 4)->setup);
	/* submission 4 (call 8) is after it */
	assert_int_equal(rp_find_call(&cap, 8)->skip, RP_SKIP_RANGE);
	rp_capture_free(&cap);

	memset(&cap, 0, sizeof(cap));
	assert_int_equal(rp_load(db, &cap, &err), 0);
	opt = (struct rp_options){ .repeat = 1, .from_submit = 9 };
	assert_int_equal(rp_order(&cap, &opt, &err), -1);
	assert_non_null(strstr(err.msg, "has 4 submissions"));
	rp_capture_free(&cap);
	ds_db_close(db);
}

/* ------------------------------------------------------------ the command */

static int run_cmd(char *out, size_t outlen, const char *fmt, ...)
{
	char cmd[PATH_MAX * 2];
	va_list ap;
	FILE *p;
	size_t n;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, outlen - 1, p);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void test_cli_malformed_exit_2(void **state)
{
	char path[PATH_MAX], out[8192];
	struct caprec r;
	int rc;

	(void)state;
	if (!drmscope_bin)
		skip();
	start(&r, tpath(path, "cli.db"), "simgpu");
	gem_close(&r, 7, 0, 0);
	finish(&r);
	rc = run_cmd(out, sizeof(out), "%s replay %s 2>&1", drmscope_bin, path);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "call 1 (DRM_IOCTL_GEM_CLOSE)"));
	assert_non_null(strstr(out, "nothing was sent to the kernel"));

	rc = run_cmd(out, sizeof(out), "%s replay --pace slow %s 2>&1", drmscope_bin, path);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "--pace takes fast or capture"));
	rc = run_cmd(out, sizeof(out), "%s replay --from-submit 0 %s 2>&1", drmscope_bin, path);
	assert_int_equal(rc, 2);
	rc = run_cmd(out, sizeof(out), "%s replay --from 1s --from-submit 2 %s 2>&1",
		     drmscope_bin, path);
	assert_int_equal(rc, 2);
	rc = run_cmd(out, sizeof(out), "%s replay %s/missing.db 2>&1", drmscope_bin, tmpdir);
	assert_int_equal(rc, 2);
	rc = run_cmd(out, sizeof(out), "%s replay --help", drmscope_bin);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "usage: drmscope replay"));
}

/* ------------------------------------------------------------ fuzzing */

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int a = open(from, O_RDONLY), b = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	assert_true(a >= 0 && b >= 0);
	while ((n = read(a, buf, sizeof(buf))) > 0)
		assert_int_equal(write(b, buf, (size_t)n), n);
	close(a);
	close(b);
}

static int64_t query_int(const char *path, const char *sql)
{
	sqlite3_stmt *st;
	sqlite3 *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(s);
	return v;
}

/*
 * Random lies in a valid capture's payloads, the argument structs
 * (ioctl_call.in_bytes, out_bytes) and the arrays (ioctl_payload.bytes):
 * bytes flipped, cut short, lengthened, a struct dropped or an array
 * renumbered, random contents. Validation must say no or yes, never crash.
 */
static void test_fuzz_payloads(void **state)
{
	static const char *const cols[3] = { "in_bytes", "out_bytes", "bytes" };
	char good[PATH_MAX], path[PATH_MAX], sql[512];
	unsigned seed = 42;
	int64_t rows[2];
	int i, rejected = 0;

	(void)state;
	make_good(tpath(good, "fuzzbase.db"));
	rows[0] = query_int(good, "SELECT max(id) FROM ioctl_call");
	rows[1] = query_int(good, "SELECT max(id) FROM ioctl_payload");
	assert_true(rows[0] > 5 && rows[1] > 5);
	for (i = 0; i < 300; i++) {
		struct vres v;
		int where = rand_r(&seed) % 3, what = rand_r(&seed) % 5;
		const char *table = where < 2 ? "ioctl_call" : "ioctl_payload", *col = cols[where];
		int row = 1 + rand_r(&seed) % (int)rows[where < 2 ? 0 : 1];

		tpath(path, "fuzz.db");
		copy_file(good, path);
		switch (what) {
		case 0:	/* flip a byte */
			snprintf(sql, sizeof(sql),
				 "UPDATE %s SET %s = CAST(substr(%s, 1, %d) || x'%02x' || substr(%s, %d)"
				 " AS BLOB) WHERE id = %d", table, col, col, rand_r(&seed) % 24,
				 rand_r(&seed) & 0xff, col, 2 + rand_r(&seed) % 24, row);
			break;
		case 1:	/* cut short */
			snprintf(sql, sizeof(sql), "UPDATE %s SET %s = substr(%s, 1, %d) WHERE id = %d",
				 table, col, col, rand_r(&seed) % 40, row);
			break;
		case 2:	/* lengthen */
			snprintf(sql, sizeof(sql), "UPDATE %s SET %s = CAST(%s || randomblob(%d) AS BLOB)"
				 " WHERE id = %d", table, col, col, 1 + rand_r(&seed) % 64, row);
			break;
		case 3:	/* a struct dropped, an array renumbered */
			if (where < 2)
				snprintf(sql, sizeof(sql), "UPDATE ioctl_call SET %s = NULL WHERE id = %d",
					 col, row);
			else
				snprintf(sql, sizeof(sql), "UPDATE ioctl_payload SET idx = %d WHERE id = %d",
					 rand_r(&seed) % 6, row);
			break;
		default: /* random contents */
			snprintf(sql, sizeof(sql), "UPDATE %s SET %s = randomblob(length(%s)) WHERE id = %d",
				 table, col, col, row);
			break;
		}
		exec_sql(path, sql);
		validate(path, &v, false);
		rejected += v.errors != 0;
		vres_free(&v);
	}
	assert_true(rejected > 50);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_objmap_reference_model),
		cmocka_unit_test(test_objmap_namespaces),
		cmocka_unit_test(test_norm_hash),
		cmocka_unit_test(test_check_rules),
		cmocka_unit_test(test_plan_good_capture),
		cmocka_unit_test(test_plan_count_sum_atomic),
		cmocka_unit_test(test_plan_zero_count_pointer_goes_to_guard),
		cmocka_unit_test(test_check_call),
		cmocka_unit_test(test_restore_deltas),
		cmocka_unit_test(test_bad_struct_size),
		cmocka_unit_test(test_missing_in_struct),
		cmocka_unit_test(test_huge_count),
		cmocka_unit_test(test_huge_stride),
		cmocka_unit_test(test_array_size_mismatch),
		cmocka_unit_test(test_array_missing),
		cmocka_unit_test(test_array_extra_rows),
		cmocka_unit_test(test_array_wrong_field),
		cmocka_unit_test(test_array_out_mismatch),
		cmocka_unit_test(test_dangling_handle),
		cmocka_unit_test(test_dangling_in_failed_call_is_fine),
		cmocka_unit_test(test_truncated_and_corrupt_blob),
		cmocka_unit_test(test_snapshot_of_dead_handle),
		cmocka_unit_test(test_result_snapshots_load),
		cmocka_unit_test(test_result_snapshots_no_check),
		cmocka_unit_test(test_result_snapshots_malformed),
		cmocka_unit_test(test_result_compare),
		cmocka_unit_test(test_wrong_column_types),
		cmocka_unit_test(test_payload_of_missing_call),
		cmocka_unit_test(test_argument_too_big),
		cmocka_unit_test(test_fd_cycle),
		cmocka_unit_test(test_unknown_request_is_skipped),
		cmocka_unit_test(test_order_and_ranges),
		cmocka_unit_test(test_cli_malformed_exit_2),
		cmocka_unit_test(test_fuzz_payloads),
	};

	if (argc > 1)
		drmscope_bin = argv[1];
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
