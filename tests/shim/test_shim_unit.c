/*
 * tests/shim/test_shim_unit.c: unit tests of the shim's internals, built
 * from tracer/shim_fd.c, shim_blob.c and shim_track.c directly (no
 * LD_PRELOAD, no GPU, no LTTng session: tracepoints are no-ops).
 *
 *  - the fd table: small, large and huge fd numbers, replace, take,
 *    iteration over a range;
 *  - the blob file: record format, XXH3-128 in canonical form, each content
 *    once, zstd records that decompress to the content, and a blob fd
 *    closed and reused by the program behind the shim's back;
 *  - buffer tracking, checked through what lands in the blob file: a KMS
 *    dumb buffer mapped and scanned out by SETCRTC, PAGE_FLIP, DIRTYFB and
 *    ATOMIC (FB_ID property), forgotten after GEM_CLOSE; a simgpu BO bound
 *    in a VM and captured at SUBMIT, split and then unbound by VM_BIND.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <uapi/drm/simgpu_drm.h>
#include <xxhash.h>
#include <zstd.h>

#include "shim.h"

#define LTTNG_UST_TRACEPOINT_DEFINE
#include "drmscope_tp.h"

/* ----------------------------------------------- what shim.c provides */

struct shim_config shim_config = { .buffers = true, .inline_max = 4096 };
atomic_bool shim_enabled = true;
atomic_bool shim_need_process_info;
pid_t shim_pid;
int (*real_ioctl)(int, unsigned long, ...);
int (*real_close)(int) = close;
static int warned, failed;

void shim_fail(const char *what, int err)
{
	(void)what;
	(void)err;
	failed++;
}

void shim_warn(const char *what, int err)
{
	(void)what;
	(void)err;
	warned++;
}

void shim_prologue_slow(void)
{
}

int shim_safe_read(void *dst, uint64_t addr, size_t len)
{
	if (addr < 4096)
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)addr, len);
	return 0;
}

/* ------------------------------------------------------------ helpers */

static char blob_dir[64];

static int setup_blobs(void **state)
{
	(void)state;
	strcpy(blob_dir, "/tmp/drmscope-shim-unit.XXXXXX");
	assert_non_null(mkdtemp(blob_dir));
	shim_pid = getpid();
	blob_configure(blob_dir, false);
	return 0;
}

static int teardown_blobs(void **state)
{
	char cmd[128];

	(void)state;
	blob_configure(NULL, false);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", blob_dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

struct record {
	struct blob_header h;
	uint8_t *data;
};

/* Read every record of this process's blob file; returns the count. */
static int read_blobs(struct record *out, int max)
{
	char path[128];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/blobs-%d.bin", blob_dir, (int)shim_pid);
	f = fopen(path, "rb");
	if (!f)
		return 0;
	while (n < max && fread(&out[n].h, sizeof(out[n].h), 1, f) == 1) {
		out[n].data = malloc(out[n].h.stored_size + 1);
		assert_non_null(out[n].data);
		assert_int_equal(fread(out[n].data, 1, out[n].h.stored_size, f),
				 out[n].h.stored_size);
		n++;
	}
	fclose(f);
	return n;
}

static void free_blobs(struct record *r, int n)
{
	while (n-- > 0)
		free(r[n].data);
}

static int count_blobs(void)
{
	struct record r[64];
	int n = read_blobs(r, 64);

	free_blobs(r, n);
	return n;
}

/* ------------------------------------------------------------ fd table */

static void test_fd_table(void **state)
{
	static const int fds[] = { 0, 5, 1023, 1024, 4097, 1 << 20, (1 << 30) + 5 };
	struct ds_file *a = file_new(226, 128), *b = file_new(226, 0), *old;
	unsigned i;

	(void)state;
	assert_null(fd_get(-1));
	assert_null(fd_get(77));
	assert_int_equal(fd_install(-1, a, &old), -1);
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		assert_null(fd_get(fds[i]));
		assert_int_equal(fd_install(fds[i], a, &old), 0);
		assert_null(old);
		assert_ptr_equal(fd_get(fds[i]), a);
	}
	assert_null(fd_get(6));
	assert_null(fd_get((1 << 30) + 4));
	/* Replace, as dup2 onto a traced number does. */
	assert_int_equal(fd_install(5, b, &old), 0);
	assert_ptr_equal(old, a);
	assert_ptr_equal(fd_get(5), b);
	assert_ptr_equal(fd_take(5), b);
	assert_null(fd_get(5));
	assert_null(fd_take(5));
	/* Clearing a number whose level was never made is fine. */
	assert_int_equal(fd_install(1 << 29, NULL, &old), 0);
	assert_null(old);
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] != 5)
			assert_ptr_equal(fd_take(fds[i]), a);
	free(a);
	free(b);
}

static int seen_fds[16];
static int nseen;

static void collect(int fd, struct ds_file *f, void *ctx)
{
	(void)f;
	(void)ctx;
	if (nseen < 16)
		seen_fds[nseen++] = fd;
}

static void test_fd_for_each(void **state)
{
	struct ds_file *a = file_new(0, 0), *old;

	(void)state;
	fd_install(3, a, &old);
	fd_install(2000, a, &old);
	fd_install(3000000, a, &old);
	nseen = 0;
	fd_for_each(0, ~0u, collect, NULL);
	assert_int_equal(nseen, 3);
	assert_int_equal(seen_fds[0], 3);
	assert_int_equal(seen_fds[1], 2000);
	assert_int_equal(seen_fds[2], 3000000);
	nseen = 0;
	fd_for_each(4, 2000, collect, NULL);
	assert_int_equal(nseen, 1);
	assert_int_equal(seen_fds[0], 2000);
	fd_take(3);
	fd_take(2000);
	fd_take(3000000);
	free(a);
}

/* ---------------------------------------------------------------- blobs */

static void test_blob_records(void **state)
{
	static uint8_t a[5000], b[100];
	uint64_t hi, lo, hi2, lo2;
	struct record r[8];
	XXH128_hash_t want;
	XXH128_canonical_t canon;
	int stored, n;

	(void)state;
	memset(a, 0xab, sizeof(a));
	memset(b, 0x01, sizeof(b));
	assert_int_equal(blob_put(a, sizeof(a), &hi, &lo, &stored), 0);
	assert_int_equal(stored, 1);
	assert_int_equal(blob_put(a, sizeof(a), &hi2, &lo2, &stored), 0);
	assert_int_equal(stored, 1);
	assert_true(hi == hi2 && lo == lo2);
	assert_int_equal(blob_put(b, sizeof(b), &hi2, &lo2, &stored), 0);
	assert_false(hi == hi2 && lo == lo2);

	n = read_blobs(r, 8);
	assert_int_equal(n, 2);		/* a once, b once */
	assert_memory_equal(r[0].h.magic, "DSB1", 4);
	assert_int_equal(r[0].h.version, 1);
	assert_int_equal(r[0].h.encoding, 0);
	assert_int_equal(r[0].h.raw_size, sizeof(a));
	assert_int_equal(r[0].h.stored_size, sizeof(a));
	assert_memory_equal(r[0].data, a, sizeof(a));
	want = XXH3_128bits(a, sizeof(a));
	XXH128_canonicalFromHash(&canon, want);
	assert_memory_equal(r[0].h.hash, canon.digest, 16);
	assert_true(want.high64 == hi && want.low64 == lo);
	assert_int_equal(r[1].h.raw_size, sizeof(b));
	free_blobs(r, n);
	assert_int_equal(warned, 0);
}

static void test_blob_zstd(void **state)
{
	static uint8_t a[8192], back[8192];
	uint64_t hi, lo;
	struct record r[4];
	int stored, n;

	(void)state;
	blob_configure(blob_dir, true);
	memset(a, 7, sizeof(a));
	assert_int_equal(blob_put(a, sizeof(a), &hi, &lo, &stored), 0);
	n = read_blobs(r, 4);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].h.encoding, 1);
	assert_true(r[0].h.stored_size < sizeof(a));
	assert_int_equal(ZSTD_decompress(back, sizeof(back), r[0].data,
					 r[0].h.stored_size), sizeof(a));
	assert_memory_equal(back, a, sizeof(a));
	free_blobs(r, n);
	blob_configure(blob_dir, false);
}

static void test_blob_fd_stolen(void **state)
{
	static uint8_t a[64], b[64];
	uint64_t hi, lo;
	char path[128], other[128];
	struct stat st;
	int stored, fd, victim;

	(void)state;
	memset(a, 1, sizeof(a));
	memset(b, 2, sizeof(b));
	assert_int_equal(blob_put(a, sizeof(a), &hi, &lo, &stored), 0);
	/* Find the shim's fd on the blob file and take its number away. */
	snprintf(path, sizeof(path), "%s/blobs-%d.bin", blob_dir, (int)shim_pid);
	for (fd = 3, victim = -1; fd < 1024 && victim < 0; fd++) {
		char link[256], proc[32];
		ssize_t k;

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		k = readlink(proc, link, sizeof(link) - 1);
		if (k > 0 && (link[k] = '\0', !strcmp(link, path)))
			victim = fd;
	}
	assert_true(victim >= 0);
	close(victim);
	snprintf(other, sizeof(other), "%s/other", blob_dir);
	fd = open(other, O_RDWR | O_CREAT, 0644);
	assert_int_equal(fd, victim);
	assert_int_equal(blob_put(b, sizeof(b), &hi, &lo, &stored), 0);
	assert_int_equal(stored, 1);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 0);	/* the program's file untouched */
	assert_int_equal(count_blobs(), 2);
	close(fd);
}

static void test_blob_hash_only(void **state)
{
	uint64_t hi, lo;
	int stored;

	(void)state;
	blob_configure(NULL, false);
	assert_int_equal(blob_put("xyz", 3, &hi, &lo, &stored), 0);
	assert_int_equal(stored, 0);
	assert_true(hi || lo);
	blob_configure(blob_dir, false);
	assert_int_equal(count_blobs(), 0);
}

/* ------------------------------------------------------------- tracking */

struct fake_call {
	struct shim_call c;
	uint8_t buf[512];
};

static void call_init(struct fake_call *fc, struct ds_file *f, uint32_t req,
		      const void *arg, size_t len)
{
	memset(fc, 0, sizeof(*fc));
	fc->c.f = f;
	fc->c.fd = 9;
	fc->c.request = req;
	fc->c.io = ds_uapi_lookup(atomic_load(&f->drv), req);
	assert_non_null(fc->c.io);
	memcpy(fc->buf, arg, len);
	fc->c.in = fc->c.out = fc->buf;
	fc->c.in_len = fc->c.out_len = len;
}

/* The call succeeded: what the shim does after it. */
static void after(struct ds_file *f, uint32_t req, const void *arg, size_t len)
{
	struct fake_call fc;

	call_init(&fc, f, req, arg, len);
	if (track_wants_after(fc.c.io))
		track_after(&fc.c);
}

static int span_to_track(void *ctx, const struct ds_uapi_span *sp)
{
	track_span(ctx, sp);
	return 0;
}

static int read_plain(void *ctx, uint64_t addr, void *dst, size_t len)
{
	(void)ctx;
	return shim_safe_read(dst, addr, len);
}

/* What the shim does before the call: the arrays, then the snapshots. */
static void before(struct ds_file *f, uint32_t req, const void *arg, size_t len)
{
	static uint8_t scratch[65536];
	struct fake_call fc;
	struct ds_uapi_walk_ops ops = {
		.read = read_plain, .visit = span_to_track,
		.scratch = scratch, .scratch_len = sizeof(scratch),
	};

	call_init(&fc, f, req, arg, len);
	ops.ctx = &fc.c;
	fc.c.phase = DS_UAPI_IN;
	ds_uapi_walk(fc.c.io->arg, fc.c.in, fc.c.in_len, NULL, 0, DS_UAPI_IN,
		     &ops);
	track_before(&fc.c);
}

static void test_track_kms(void **state)
{
	static uint8_t fbmem[4096] __attribute__((aligned(4096)));
	struct ds_file *f = file_new(226, 0);
	struct drm_mode_map_dumb map = { .handle = 5, .offset = 0x100000 };
	struct drm_mode_fb_cmd2 fb = { .fb_id = 42, .handles = { 5 } };
	struct drm_mode_crtc crtc = { .crtc_id = 31, .fb_id = 42 };
	struct drm_mode_crtc_page_flip flip = { .crtc_id = 31, .fb_id = 42 };
	struct drm_mode_fb_dirty_cmd dirty = { .fb_id = 42 };
	struct drm_mode_get_property prop = { .prop_id = 17, .name = "FB_ID" };
	uint32_t objs[1] = { 50 }, counts[1] = { 2 }, props[2] = { 16, 17 };
	uint64_t values[2] = { 31, 42 };
	struct drm_mode_atomic atomic = {
		.count_objs = 1, .objs_ptr = (uintptr_t)objs,
		.count_props_ptr = (uintptr_t)counts,
		.props_ptr = (uintptr_t)props,
		.prop_values_ptr = (uintptr_t)values,
	};
	struct drm_gem_close gc = { .handle = 5 };
	struct record r[8];
	int n;

	(void)state;
	after(f, DRM_IOCTL_MODE_MAP_DUMB, &map, sizeof(map));
	assert_int_equal(track_mmap(f, 0x100000, sizeof(fbmem), fbmem), 5);
	assert_int_equal(track_mmap(f, 0x900000, 4096, fbmem + 1), 0);
	assert_true(track_has_mappings());
	after(f, DRM_IOCTL_MODE_ADDFB2, &fb, sizeof(fb));

	memset(fbmem, 0x11, sizeof(fbmem));
	before(f, DRM_IOCTL_MODE_SETCRTC, &crtc, sizeof(crtc));
	n = read_blobs(r, 8);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].h.raw_size, sizeof(fbmem));
	assert_memory_equal(r[0].data, fbmem, sizeof(fbmem));
	free_blobs(r, n);

	/* Same content at the flip: nothing new stored. */
	before(f, DRM_IOCTL_MODE_PAGE_FLIP, &flip, sizeof(flip));
	assert_int_equal(count_blobs(), 1);
	memset(fbmem, 0x22, sizeof(fbmem));
	before(f, DRM_IOCTL_MODE_DIRTYFB, &dirty, sizeof(dirty));
	assert_int_equal(count_blobs(), 2);

	/* ATOMIC: only once GETPROPERTY said which property is FB_ID. */
	memset(fbmem, 0x33, sizeof(fbmem));
	before(f, DRM_IOCTL_MODE_ATOMIC, &atomic, sizeof(atomic));
	assert_int_equal(count_blobs(), 2);
	after(f, DRM_IOCTL_MODE_GETPROPERTY, &prop, sizeof(prop));
	before(f, DRM_IOCTL_MODE_ATOMIC, &atomic, sizeof(atomic));
	assert_int_equal(count_blobs(), 3);

	/* After GEM_CLOSE the handle (and its mapping) is not the fb's. */
	after(f, DRM_IOCTL_GEM_CLOSE, &gc, sizeof(gc));
	memset(fbmem, 0x44, sizeof(fbmem));
	before(f, DRM_IOCTL_MODE_SETCRTC, &crtc, sizeof(crtc));
	assert_int_equal(count_blobs(), 3);
	assert_int_equal(track_mmap(f, 0x100000, 4096, fbmem), 0);

	assert_true(track_munmap(fbmem, 8192));
	assert_false(track_munmap(fbmem, 8192));
	assert_false(track_has_mappings());
	file_put(f);	/* last reference: tables freed */
	free(f);
}

static void test_track_simgpu(void **state)
{
	static uint8_t bo3[8192] __attribute__((aligned(4096)));
	static uint8_t bo4[4096] __attribute__((aligned(4096)));
	struct ds_file *f = file_new(226, 128);
	struct drm_simgpu_bo_mmap_offset mo3 = { .handle = 3, .offset = 0x200000 };
	struct drm_simgpu_bo_mmap_offset mo4 = { .handle = 4, .offset = 0x300000 };
	struct drm_simgpu_queue_create qc = { .vm_id = 1, .id = 2 };
	struct drm_simgpu_vm_bind_op ops[2] = {
		{ .op = DRM_SIMGPU_VM_BIND_OP_MAP, .bo_handle = 3,
		  .va = 0x10000, .range = 0x4000 },
		{ .op = DRM_SIMGPU_VM_BIND_OP_MAP, .bo_handle = 4,
		  .va = 0x20000, .range = 0x1000 },
	};
	struct drm_simgpu_vm_bind bind = {
		.vm_id = 1, .ops = DRM_SIMGPU_OBJ_ARRAY(2, ops),
	};
	struct drm_simgpu_job job = { .cmd_va = 0x10000, .cmd_size = 8 };
	struct drm_simgpu_submit submit = {
		.queue_id = 2, .jobs = DRM_SIMGPU_OBJ_ARRAY(1, &job),
	};
	int base;

	(void)state;
	file_set_driver(f, "simgpu", 6);
	after(f, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &mo3, sizeof(mo3));
	after(f, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &mo4, sizeof(mo4));
	assert_int_equal(track_mmap(f, 0x200000, sizeof(bo3), bo3), 3);
	assert_int_equal(track_mmap(f, 0x300000, sizeof(bo4), bo4), 4);
	after(f, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &qc, sizeof(qc));
	after(f, DRM_IOCTL_SIMGPU_VM_BIND, &bind, sizeof(bind));

	base = count_blobs();
	memset(bo3, 3, sizeof(bo3));
	memset(bo4, 4, sizeof(bo4));
	before(f, DRM_IOCTL_SIMGPU_SUBMIT, &submit, sizeof(submit));
	assert_int_equal(count_blobs(), base + 2);	/* both BOs */

	/* Unmap a hole in BO 3's range: both pieces stay bound. */
	ops[0] = (struct drm_simgpu_vm_bind_op){
		.op = DRM_SIMGPU_VM_BIND_OP_UNMAP, .va = 0x11000, .range = 0x1000 };
	bind.ops.count = 1;
	after(f, DRM_IOCTL_SIMGPU_VM_BIND, &bind, sizeof(bind));
	memset(bo3, 5, sizeof(bo3));
	before(f, DRM_IOCTL_SIMGPU_SUBMIT, &submit, sizeof(submit));
	assert_int_equal(count_blobs(), base + 3);

	/* Unmap both pieces: BO 3 is no longer read by the queue's jobs. */
	ops[0].va = 0x10000;
	ops[0].range = 0x1000;
	after(f, DRM_IOCTL_SIMGPU_VM_BIND, &bind, sizeof(bind));
	ops[0].va = 0x12000;
	ops[0].range = 0x2000;
	after(f, DRM_IOCTL_SIMGPU_VM_BIND, &bind, sizeof(bind));
	memset(bo3, 6, sizeof(bo3));
	before(f, DRM_IOCTL_SIMGPU_SUBMIT, &submit, sizeof(submit));
	assert_int_equal(count_blobs(), base + 3);
	memset(bo4, 7, sizeof(bo4));
	before(f, DRM_IOCTL_SIMGPU_SUBMIT, &submit, sizeof(submit));
	assert_int_equal(count_blobs(), base + 4);	/* BO 4 still is */

	/* Another queue of no known VM: nothing. */
	submit.queue_id = 9;
	memset(bo4, 8, sizeof(bo4));
	before(f, DRM_IOCTL_SIMGPU_SUBMIT, &submit, sizeof(submit));
	assert_int_equal(count_blobs(), base + 4);

	track_munmap(bo3, sizeof(bo3));
	track_munmap(bo4, sizeof(bo4));
	file_put(f);
	free(f);
}

/* Many handles and offsets: the hash map grows, deletes keep chains. */
static void test_track_many(void **state)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	struct ds_file *f = file_new(226, 0);
	uint32_t h;

	(void)state;
	for (h = 1; h <= 2000; h++) {
		struct drm_mode_map_dumb map = { .handle = h, .offset = (uint64_t)h << 12 };

		after(f, DRM_IOCTL_MODE_MAP_DUMB, &map, sizeof(map));
	}
	for (h = 1; h <= 2000; h += 2) {
		struct drm_mode_destroy_dumb d = { .handle = h };

		after(f, DRM_IOCTL_MODE_DESTROY_DUMB, &d, sizeof(d));
	}
	for (h = 1; h <= 2000; h++) {
		uint32_t got = track_mmap(f, (uint64_t)h << 12, 4096, page);

		assert_int_equal(got, h % 2 ? 0 : h);
		track_munmap(page, 4096);
	}
	file_put(f);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_table),
		cmocka_unit_test(test_fd_for_each),
		cmocka_unit_test_setup_teardown(test_blob_records, setup_blobs, teardown_blobs),
		cmocka_unit_test_setup_teardown(test_blob_zstd, setup_blobs, teardown_blobs),
		cmocka_unit_test_setup_teardown(test_blob_fd_stolen, setup_blobs, teardown_blobs),
		cmocka_unit_test_setup_teardown(test_blob_hash_only, setup_blobs, teardown_blobs),
		cmocka_unit_test_setup_teardown(test_track_kms, setup_blobs, teardown_blobs),
		cmocka_unit_test_setup_teardown(test_track_simgpu, setup_blobs, teardown_blobs),
		cmocka_unit_test_setup_teardown(test_track_many, setup_blobs, teardown_blobs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
