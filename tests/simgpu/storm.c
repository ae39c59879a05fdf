/*
 * tests/simgpu/storm.c: simgpu-storm, a random-ioctl storm against the
 * simgpu driver, from several threads at once. VM test (run by storm.sh,
 * which then checks dmesg for BUG/WARNING/Oops/lockdep/KASAN lines).
 *
 * Each thread makes random calls on two DRM files of the device (one of
 * them closed and reopened now and then):
 *  - simgpu ioctls built from plausible arguments (handles and IDs taken
 *    from what earlier calls returned, VAs in a small window, arrays with
 *    random counts and strides) and then mutated (unknown flags, non-zero
 *    padding, garbage handles, overflowing ranges, bad pointers);
 *  - raw simgpu ioctls: random ioctl numbers in the driver's range, random
 *    argument sizes encoded in the request, random argument bytes;
 *  - DRM core ioctls the render node allows (GEM_CLOSE, syncobjs, PRIME,
 *    GET_CAP, VERSION...) with random arguments, and mmap of BOs;
 *  - jobs that really run: each thread keeps a command BO of random (mostly
 *    valid) commands bound in its own VM, so the firmware executes writes,
 *    fills, copies, checksums, delays and faults while the storm goes on.
 * Every pointer handed to the kernel is either invalid on purpose or points
 * into the thread's own arena, which is followed by a guard page, so a
 * kernel write can never corrupt the storm itself.
 *
 * At the end every file is closed (cancelling what is left) and a fresh
 * file must still run a job correctly. Exit status: 0, or 1 if the device
 * is missing or no longer works after the storm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "wl_common.h"

#define MAX_THREADS	16
#define ARENA_SIZE	(64 * 1024)
#define POOL_SIZE	64
#define WIN_LO		0x400000ull		/* VA window of random binds */
#define WIN_PAGES	64
#define CMD_VA		0x10000000ull		/* each thread's command BO */
#define CMD_BO_SIZE	16384
#define NFD		2

/* Handles and IDs returned by the driver, per file; racy by design. */
struct pool {
	_Atomic uint32_t v[POOL_SIZE];
	atomic_uint n;
};

struct file_pools {
	struct pool bo, vm, queue, syncobj;
};

struct thread {
	unsigned int idx;
	pthread_t thread;
	uint64_t rng;
	uint8_t *arena;
	size_t arena_used;
	/* Our own VM, queue and command BO on file 0: jobs that run. */
	uint32_t vm, queue;
	struct simgpu_bo cmd;
	uint32_t sync[4];		/* always carry a fence */
	unsigned long calls, ok, jobs;
};

static int fds[NFD];
static pthread_rwlock_t fd_lock[NFD];
static struct file_pools pools[NFD];
static char dev_path[64];
static struct drm_simgpu_dev_info info;
static unsigned int nthreads = 4, ncalls = 800;
static atomic_ulong errno_hist[160];

/* ------------------------------------------------------------ randomness */

static uint64_t rnd(struct thread *t)
{
	uint64_t x = t->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	t->rng = x;
	return x;
}

static uint32_t below(struct thread *t, uint32_t n)
{
	return n ? rnd(t) % n : 0;
}

/* True with probability @pct percent. */
static bool chance(struct thread *t, unsigned int pct)
{
	return below(t, 100) < pct;
}

static void pool_add(struct pool *p, uint32_t v)
{
	unsigned int i = atomic_fetch_add(&p->n, 1);

	atomic_store(&p->v[i % POOL_SIZE], v);
}

/* A handle/ID: mostly a live one, sometimes garbage. */
static uint32_t pick(struct thread *t, struct pool *p)
{
	unsigned int n = atomic_load(&p->n);

	if (n && chance(t, 75))
		return atomic_load(&p->v[below(t, n < POOL_SIZE ? n : POOL_SIZE)]);
	switch (below(t, 4)) {
	case 0:
		return 0;
	case 1:
		return 1 + below(t, 64);
	case 2:
		return 0xffffffffu;
	default:
		return rnd(t);
	}
}

static uint64_t page(void)
{
	return info.va_page_size ? info.va_page_size : 4096;
}

/* A GPU VA: mostly page aligned in the window, sometimes anything. */
static uint64_t rand_va(struct thread *t)
{
	switch (below(t, 10)) {
	case 0:
		return rnd(t);
	case 1:
		return rnd(t) & ~(page() - 1);
	case 2: {
		static const uint64_t edge[] = {
			0, 4096, 0xfffffffffffff000ull, 1ull << 47,
			(1ull << 47) - 4096, 0x100000, 0x0fffff000ull,
		};
		return edge[below(t, sizeof(edge) / sizeof(edge[0]))];
	}
	case 3:
		return WIN_LO + below(t, WIN_PAGES * page());
	default:
		return WIN_LO + below(t, WIN_PAGES) * page();
	}
}

static uint64_t rand_range(struct thread *t)
{
	switch (below(t, 10)) {
	case 0:
		return rnd(t);
	case 1:
		return 0;
	case 2:
		return 1 + below(t, 8191);
	case 3:
		return (uint64_t)below(t, 1 << 20) * page();
	default:
		return (1 + below(t, 16)) * page();
	}
}

static uint32_t rand_flags(struct thread *t, uint32_t known)
{
	if (chance(t, 70))
		return 0;
	if (chance(t, 60))
		return known & rnd(t);
	return 1u << below(t, 32);
}

static uint32_t rand_pad(struct thread *t)
{
	return chance(t, 92) ? 0 : (uint32_t)rnd(t) | 1;
}

/* ------------------------------------------------------------ arena */

static void *arena_alloc(struct thread *t, size_t n)
{
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (n > ARENA_SIZE - t->arena_used)
		t->arena_used = 0;	/* wrap; earlier content may be clobbered */
	if (n > ARENA_SIZE)
		n = ARENA_SIZE;
	p = t->arena + t->arena_used;
	t->arena_used += n;
	return p;
}

/* A user pointer for @n bytes of data at @data: valid or bad on purpose. */
static uint64_t rand_ptr(struct thread *t, const void *data, size_t n)
{
	uint8_t *p;

	switch (below(t, 20)) {
	case 0:
		return 0;
	case 1:
		return 0xffff888000000000ull + (rnd(t) & 0xfffff000);
	case 2:
		return 0x7ff000000000ull + (rnd(t) & 0xfffff000); /* unmapped */
	case 3:
		/* The data's tail hits the guard page after the arena. */
		p = t->arena + ARENA_SIZE - (n > 8 ? n / 2 : 4);
		return (uintptr_t)p;
	case 4:
		p = arena_alloc(t, n + 8);
		memcpy(p + 1, data, n);
		return (uintptr_t)(p + 1);	/* misaligned */
	default:
		p = arena_alloc(t, n);
		memcpy(p, data, n);
		return (uintptr_t)p;
	}
}

/* An array descriptor for @count elements of @size at @elems. */
static void rand_array(struct thread *t, struct drm_simgpu_obj_array *a,
		       const void *elems, uint32_t count, uint32_t size)
{
	uint32_t stride = size;
	uint8_t *buf;
	uint32_t i;

	switch (below(t, 20)) {
	case 0:
		stride = 0;
		break;
	case 1:
		stride = 8;
		break;
	case 2:
		stride = size + 8;
		break;
	case 3:
		stride = size + 4;
		break;
	case 4:
		stride = rnd(t);
		break;
	}
	a->stride = stride;
	a->count = count;
	if (chance(t, 3))
		a->count = chance(t, 50) ? 0xffffffffu : count + 1000;
	if (!count) {
		a->array = chance(t, 50) ? 0 : rnd(t);
		return;
	}
	if (stride < size || stride > 4096) {
		a->array = rand_ptr(t, elems, (size_t)count * size);
		return;
	}
	buf = arena_alloc(t, (size_t)count * stride);
	if ((size_t)count * stride > ARENA_SIZE) {
		a->array = (uintptr_t)buf;
		return;
	}
	memset(buf, 0, (size_t)count * stride);
	for (i = 0; i < count; i++) {
		memcpy(buf + (size_t)i * stride, (const uint8_t *)elems + i * size,
		       size);
		if (stride > size && chance(t, 10))
			buf[(size_t)i * stride + size] = 1;	/* non-zero tail */
	}
	a->array = chance(t, 90) ? (uintptr_t)buf : rand_ptr(t, buf, 8);
}

static uint32_t rand_count(struct thread *t, uint32_t typical, uint32_t max)
{
	switch (below(t, 10)) {
	case 0:
		return 0;
	case 1:
		return max + 1;
	case 2:
		return below(t, max + 1);
	default:
		return 1 + below(t, typical);
	}
}

/* Syncs: mostly live syncobjs, binary points. */
static void rand_syncs(struct thread *t, int fi, struct drm_simgpu_obj_array *a,
		       uint32_t typical)
{
	struct drm_simgpu_sync s[8];
	uint32_t n = chance(t, 60) ? 0 : rand_count(t, typical, 8), i;

	if (n > 8)
		n = 8;
	for (i = 0; i < n; i++) {
		s[i].handle = pick(t, &pools[fi].syncobj);
		s[i].flags = rand_flags(t, 0);
		s[i].timeline_point = chance(t, 80) ? 0 : below(t, 8);
	}
	rand_array(t, a, s, n, sizeof(s[0]));
}

/* ------------------------------------------------------------ commands */

/* A mostly valid random command stream over the window. */
static void gen_commands(struct thread *t, uint64_t *w, uint32_t nwords)
{
	uint32_t i = 0;

	while (i < nwords) {
		uint64_t a = WIN_LO + below(t, WIN_PAGES * page()) / 8 * 8;
		uint64_t b = WIN_LO + below(t, WIN_PAGES * page()) / 8 * 8;
		uint32_t left = nwords - i;

		switch (below(t, 8)) {
		case 0:
			w[i++] = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_NOP, 0, 1);
			break;
		case 1:
			if (left < 3)
				goto nop;
			w[i++] = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_WRITE_IMM,
						       below(t, 2), 3);
			w[i++] = a;
			w[i++] = rnd(t);
			break;
		case 2:
			if (left < 4)
				goto nop;
			w[i++] = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_FILL, 0, 4);
			w[i++] = a;
			w[i++] = 4 + below(t, 1024) * 4;
			w[i++] = rnd(t);
			break;
		case 3:
			if (left < 4)
				goto nop;
			w[i++] = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_COPY, 0, 4);
			w[i++] = a;
			w[i++] = b;
			w[i++] = 1 + below(t, 2048);
			break;
		case 4:
			if (left < 4)
				goto nop;
			w[i++] = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_CHECKSUM, 0,
						       4);
			w[i++] = a;
			w[i++] = below(t, 8192);
			w[i++] = b;
			break;
		case 5:
			if (left < 2)
				goto nop;
			w[i++] = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_DELAY, 0, 2);
			w[i++] = below(t, 100000);
			break;
		case 6:
			w[i++] = chance(t, 50) ? rnd(t) :
				 DRM_SIMGPU_CMD_HEADER(below(t, 9), below(t, 3),
						       below(t, 6));
			break;
		default:
nop:
			w[i++] = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_NOP, 0, 1);
			break;
		}
	}
}

/* ------------------------------------------------------------ calls */

static int do_ioctl(struct thread *t, int fi, unsigned long req, void *arg)
{
	int ret;

	ret = ioctl(fds[fi], req, arg) ? -errno : 0;
	t->calls++;
	if (!ret)
		t->ok++;
	atomic_fetch_add(&errno_hist[-ret < 160 ? -ret : 159], 1);
	return ret;
}

static void call_dev_query(struct thread *t, int fi)
{
	static const uint32_t sizes[] = { 0, 4, 8, 96, 128, 4096, 0xffffffffu };
	struct drm_simgpu_dev_query q = {
		.type = chance(t, 85) ? 0 : rnd(t),
		.size = chance(t, 80) ? sizeof(struct drm_simgpu_dev_info) :
			sizes[below(t, sizeof(sizes) / sizeof(sizes[0]))],
	};

	/* Large sizes end at the guard page: clear_user stops there. */
	q.pointer = chance(t, 15) ? 0 : rand_ptr(t, &info,
		q.size > 256 ? 256 : q.size);
	do_ioctl(t, fi, DRM_IOCTL_SIMGPU_DEV_QUERY, &q);
}

static void call_bo_create(struct thread *t, int fi)
{
	struct drm_simgpu_bo_create a = {
		.flags = rand_flags(t, DRM_SIMGPU_BO_NO_MMAP),
		.exclusive_vm_id = chance(t, 70) ? 0 : pick(t, &pools[fi].vm),
		.pad = rand_pad(t),
	};
	bool big = false;

	switch (below(t, 40)) {
	case 0:
		a.size = rnd(t);
		break;
	case 1:
		a.size = info.max_bo_size + below(t, 2);
		big = true;
		break;
	case 2:
		a.size = 0;
		break;
	case 3:
		a.size = (1 + below(t, 16)) << 20;
		break;
	default:
		a.size = 1 + below(t, 256 * 1024);
		break;
	}
	if (do_ioctl(t, fi, DRM_IOCTL_SIMGPU_BO_CREATE, &a))
		return;
	if (big || a.size > (64ull << 20)) {
		/* Never bind it: pinning would allocate all of it. */
		struct drm_gem_close c = { .handle = a.handle };

		do_ioctl(t, fi, DRM_IOCTL_GEM_CLOSE, &c);
		return;
	}
	pool_add(&pools[fi].bo, a.handle);
}

static void call_bo_mmap(struct thread *t, int fi)
{
	struct drm_simgpu_bo_mmap_offset a = {
		.handle = pick(t, &pools[fi].bo),
		.pad = rand_pad(t),
	};
	volatile uint8_t *p;

	if (do_ioctl(t, fi, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &a) ||
	    chance(t, 50))
		return;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fds[fi],
		 a.offset + (chance(t, 10) ? 4096 * below(t, 4) : 0));
	if (p == MAP_FAILED)
		return;
	/* Touch it: a shmem fault while the storm goes on. */
	(void)p[0];
	p[8] = (uint8_t)rnd(t);
	munmap((void *)p, 4096);
}

static void call_vm_create(struct thread *t, int fi)
{
	struct drm_simgpu_vm_create a = { .flags = rand_flags(t, 0) };

	if (!do_ioctl(t, fi, DRM_IOCTL_SIMGPU_VM_CREATE, &a))
		pool_add(&pools[fi].vm, a.id);
}

static void call_vm_destroy(struct thread *t, int fi)
{
	struct drm_simgpu_vm_destroy a = {
		.id = pick(t, &pools[fi].vm),
		.pad = rand_pad(t),
	};

	if (fi == 0 && a.id == t->vm)
		return;		/* keep our own VM */
	do_ioctl(t, fi, DRM_IOCTL_SIMGPU_VM_DESTROY, &a);
}

static void call_vm_bind(struct thread *t, int fi)
{
	struct drm_simgpu_vm_bind_op ops[8];
	struct drm_simgpu_vm_bind a = {
		.vm_id = chance(t, 20) && fi == 0 ? t->vm : pick(t, &pools[fi].vm),
		.flags = chance(t, 50) ? DRM_SIMGPU_VM_BIND_ASYNC :
			 rand_flags(t, DRM_SIMGPU_VM_BIND_ASYNC),
	};
	uint32_t n = rand_count(t, 4, 8), i;

	if (n > 8)
		n = 8;
	for (i = 0; i < n; i++) {
		struct drm_simgpu_vm_bind_op *o = &ops[i];

		memset(o, 0, sizeof(*o));
		o->op = chance(t, 95) ? below(t, 2) : rnd(t);
		o->flags = rand_flags(t, DRM_SIMGPU_VM_BIND_OP_MAP_READONLY);
		o->pad = rand_pad(t);
		o->va = rand_va(t);
		o->range = rand_range(t);
		if (o->op == DRM_SIMGPU_VM_BIND_OP_MAP || chance(t, 5)) {
			o->bo_handle = pick(t, &pools[fi].bo);
			o->bo_offset = chance(t, 70) ? 0 :
				       chance(t, 80) ? below(t, 16) * page() :
				       rnd(t);
		}
		/* Never unmap our own command buffer. */
		if (o->va < CMD_VA + CMD_BO_SIZE && o->va + o->range > CMD_VA)
			o->va = WIN_LO;
	}
	rand_array(t, &a.ops, ops, n, sizeof(ops[0]));
	if (a.flags & DRM_SIMGPU_VM_BIND_ASYNC || chance(t, 5)) {
		rand_syncs(t, fi, &a.in_syncs, 2);
		rand_syncs(t, fi, &a.out_syncs, 2);
	}
	do_ioctl(t, fi, DRM_IOCTL_SIMGPU_VM_BIND, &a);
}

static void call_queue_create(struct thread *t, int fi)
{
	struct drm_simgpu_queue_create a = {
		.vm_id = pick(t, &pools[fi].vm),
		.priority = chance(t, 90) ? below(t, 3) : rnd(t),
		.flags = rand_flags(t, 0),
	};

	if (!do_ioctl(t, fi, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &a))
		pool_add(&pools[fi].queue, a.id);
}

static void call_queue_destroy(struct thread *t, int fi)
{
	struct drm_simgpu_queue_destroy a = {
		.id = pick(t, &pools[fi].queue),
		.pad = rand_pad(t),
	};

	if (fi == 0 && a.id == t->queue)
		return;
	do_ioctl(t, fi, DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &a);
}

/* A well-formed submit on our own queue: jobs that really run. */
static void call_submit_sane(struct thread *t)
{
	struct drm_simgpu_sync in[4][2], out[4][2];
	struct drm_simgpu_job jobs[4];
	uint32_t n = 1 + below(t, 4), i, k, nin, nout;

	if (chance(t, 30))
		gen_commands(t, t->cmd.map, CMD_BO_SIZE / 8);
	for (i = 0; i < n; i++) {
		nin = below(t, 3);
		nout = below(t, 3);
		for (k = 0; k < nin; k++)
			in[i][k] = simgpu_sync(t->sync[below(t, 4)], 0);
		for (k = 0; k < nout; k++)
			out[i][k] = simgpu_sync(t->sync[below(t, 4)], 0);
		simgpu_job_init(&jobs[i], CMD_VA + below(t, CMD_BO_SIZE / 8) * 8,
				8 * (1 + below(t, 32)), in[i], nin, out[i], nout);
		if (jobs[i].cmd_va + jobs[i].cmd_size > CMD_VA + CMD_BO_SIZE)
			jobs[i].cmd_size = CMD_VA + CMD_BO_SIZE - jobs[i].cmd_va;
	}
	{
		struct drm_simgpu_submit a = {
			.queue_id = t->queue,
			.jobs = DRM_SIMGPU_OBJ_ARRAY(n, jobs),
		};

		if (!do_ioctl(t, 0, DRM_IOCTL_SIMGPU_SUBMIT, &a))
			t->jobs += n;
	}
}

static void call_submit(struct thread *t, int fi)
{
	struct drm_simgpu_job jobs[4];
	struct drm_simgpu_submit a = { .flags = rand_flags(t, 0) };
	bool own = fi == 0 && chance(t, 40);
	uint32_t n = rand_count(t, 3, 4), i;

	if (own && chance(t, 70)) {
		call_submit_sane(t);
		return;
	}
	a.queue_id = own ? t->queue : pick(t, &pools[fi].queue);
	if (n > 4)
		n = 4;
	if (own && chance(t, 30))
		gen_commands(t, t->cmd.map, CMD_BO_SIZE / 8);
	for (i = 0; i < n; i++) {
		struct drm_simgpu_job *j = &jobs[i];

		memset(j, 0, sizeof(*j));
		if (own) {
			j->cmd_va = CMD_VA + below(t, CMD_BO_SIZE / 8) * 8;
			j->cmd_size = 8 * (1 + below(t, 32));
		} else {
			j->cmd_va = chance(t, 80) ? rand_va(t) / 8 * 8 : rand_va(t);
			j->cmd_size = chance(t, 85) ? 8 * (1 + below(t, 64)) :
				      (uint32_t)rnd(t);
		}
		j->flags = rand_flags(t, 0);
		rand_syncs(t, fi, &j->in_syncs, 2);
		rand_syncs(t, fi, &j->out_syncs, 2);
	}
	rand_array(t, &a.jobs, jobs, n, sizeof(jobs[0]));
	if (!do_ioctl(t, fi, DRM_IOCTL_SIMGPU_SUBMIT, &a))
		t->jobs += n;
}

/* Raw: random simgpu ioctl numbers, sizes and bytes. */
static void call_raw(struct thread *t, int fi)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	unsigned int nr = DRM_COMMAND_BASE + below(t, 16);
	unsigned int size = chance(t, 50) ? below(t, 64) : below(t, 256);
	unsigned long req;
	uint8_t *arg;
	uint32_t i;

	if (chance(t, 50)) {
		/* A real request number, so the handler runs. */
		static const unsigned long reqs[] = {
			DRM_IOCTL_SIMGPU_DEV_QUERY, DRM_IOCTL_SIMGPU_BO_CREATE,
			DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET,
			DRM_IOCTL_SIMGPU_VM_CREATE, DRM_IOCTL_SIMGPU_VM_DESTROY,
			DRM_IOCTL_SIMGPU_VM_BIND, DRM_IOCTL_SIMGPU_QUEUE_CREATE,
			DRM_IOCTL_SIMGPU_QUEUE_DESTROY, DRM_IOCTL_SIMGPU_SUBMIT,
		};
		req = reqs[below(t, sizeof(reqs) / sizeof(reqs[0]))];
		size = _IOC_SIZE(req);
	} else {
		req = _IOC(dirs[below(t, 4)], DRM_IOCTL_BASE, nr, size);
	}
	arg = arena_alloc(t, size + 8);
	for (i = 0; i < size; i++)
		arg[i] = chance(t, 50) ? 0 : (uint8_t)rnd(t);
	/* Sizes in BO_CREATE must not allocate: keep random sizes huge or
	 * small, never a pinnable in-between, by forbidding a bind later: raw
	 * handles are not added to the pools. */
	if (req == DRM_IOCTL_SIMGPU_BO_CREATE && size >= 8)
		arg[3] = arg[4] = arg[5] = arg[6] = arg[7] = 0; /* < 16 MiB */
	if (chance(t, 5))
		arg = (uint8_t *)(uintptr_t)rand_ptr(t, arg, size);
	do_ioctl(t, fi, req, arg);
}

static void call_core(struct thread *t, int fi)
{
	switch (below(t, 12)) {
	case 0: {
		struct drm_gem_close a = { .handle = pick(t, &pools[fi].bo) };

		do_ioctl(t, fi, DRM_IOCTL_GEM_CLOSE, &a);
		break;
	}
	case 1: {
		struct drm_syncobj_create a = {
			.flags = chance(t, 80) ? below(t, 2) : rnd(t),
		};

		if (!do_ioctl(t, fi, DRM_IOCTL_SYNCOBJ_CREATE, &a))
			pool_add(&pools[fi].syncobj, a.handle);
		break;
	}
	case 2: {
		struct drm_syncobj_destroy a = {
			.handle = pick(t, &pools[fi].syncobj),
			.pad = rand_pad(t),
		};

		do_ioctl(t, fi, DRM_IOCTL_SYNCOBJ_DESTROY, &a);
		break;
	}
	case 3: {
		uint32_t h[4];
		struct drm_syncobj_wait a = { 0 };
		uint32_t i, n = 1 + below(t, 4);

		for (i = 0; i < n; i++)
			h[i] = pick(t, &pools[fi].syncobj);
		a.handles = rand_ptr(t, h, n * 4);
		/*
		 * Counts stay small: DRM core (6.12) kmalloc_array()s the
		 * handles without __GFP_NOWARN, so a huge count WARNs in the
		 * page allocator, which is not simgpu's doing.
		 */
		a.count_handles = chance(t, 95) ? n : below(t, 64);
		/* Short waits only: now + up to 2 ms, or already expired. */
		a.timeout_nsec = chance(t, 30) ? 0 :
				 (int64_t)(simgpu_now_ns() + below(t, 2000000));
		a.flags = chance(t, 80) ? below(t, 4) : rnd(t);
		do_ioctl(t, fi, DRM_IOCTL_SYNCOBJ_WAIT, &a);
		break;
	}
	case 4: {
		uint32_t h[2] = { pick(t, &pools[fi].syncobj),
				  pick(t, &pools[fi].syncobj) };
		uint64_t pts[2] = { below(t, 4), rnd(t) };
		struct drm_syncobj_timeline_wait a = { 0 };

		a.handles = rand_ptr(t, h, sizeof(h));
		a.points = rand_ptr(t, pts, sizeof(pts));
		a.count_handles = 1 + below(t, 2);
		a.timeout_nsec = chance(t, 30) ? 0 :
				 (int64_t)(simgpu_now_ns() + below(t, 2000000));
		a.flags = chance(t, 80) ? below(t, 8) : rnd(t);
		do_ioctl(t, fi, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &a);
		break;
	}
	case 5: {
		uint32_t h = pick(t, &pools[fi].syncobj);
		struct drm_syncobj_array a = {
			.handles = rand_ptr(t, &h, 4),
			.count_handles = chance(t, 95) ? 1 : below(t, 64),
			.pad = rand_pad(t),
		};

		do_ioctl(t, fi, chance(t, 50) ? DRM_IOCTL_SYNCOBJ_RESET :
				DRM_IOCTL_SYNCOBJ_SIGNAL, &a);
		break;
	}
	case 6: {
		uint32_t h = pick(t, &pools[fi].syncobj);
		uint64_t pt = 1 + below(t, 8);
		struct drm_syncobj_timeline_array a = {
			.handles = rand_ptr(t, &h, 4),
			.points = rand_ptr(t, &pt, 8),
			.count_handles = 1,
			.flags = chance(t, 80) ? 0 : rnd(t),
		};

		do_ioctl(t, fi, chance(t, 50) ? DRM_IOCTL_SYNCOBJ_QUERY :
				DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &a);
		break;
	}
	case 7: {
		struct drm_syncobj_transfer a = {
			.src_handle = pick(t, &pools[fi].syncobj),
			.dst_handle = pick(t, &pools[fi].syncobj),
			.src_point = below(t, 4),
			.dst_point = below(t, 4),
			.flags = chance(t, 90) ? 0 : rnd(t),
		};

		do_ioctl(t, fi, DRM_IOCTL_SYNCOBJ_TRANSFER, &a);
		break;
	}
	case 8: {
		/* Export a syncobj (or its fence) and import it elsewhere. */
		struct drm_syncobj_handle a = {
			.handle = pick(t, &pools[fi].syncobj),
			.flags = chance(t, 80) ? below(t, 2) : rnd(t),
			.fd = -1,
		};

		if (do_ioctl(t, fi, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a) == 0 &&
		    a.fd >= 0) {
			struct drm_syncobj_handle b = {
				.fd = a.fd,
				.flags = a.flags,
			};
			int other = below(t, NFD);

			if (other == fi && !do_ioctl(t, other,
					DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &b))
				pool_add(&pools[other].syncobj, b.handle);
			close(a.fd);
		}
		break;
	}
	case 9: {
		/* PRIME export and import into the same file. */
		struct drm_prime_handle a = {
			.handle = pick(t, &pools[fi].bo),
			.flags = chance(t, 80) ? DRM_CLOEXEC | (below(t, 2) ? DRM_RDWR : 0) :
				 rnd(t),
			.fd = -1,
		};

		if (do_ioctl(t, fi, DRM_IOCTL_PRIME_HANDLE_TO_FD, &a) == 0 &&
		    a.fd >= 0) {
			struct drm_prime_handle b = { .fd = a.fd };

			if (!do_ioctl(t, fi, DRM_IOCTL_PRIME_FD_TO_HANDLE, &b))
				pool_add(&pools[fi].bo, b.handle);
			close(a.fd);
		}
		break;
	}
	case 10: {
		struct drm_get_cap a = { .capability = chance(t, 70) ?
					 below(t, 0x20) : rnd(t) };

		do_ioctl(t, fi, DRM_IOCTL_GET_CAP, &a);
		break;
	}
	default: {
		struct drm_version v = { 0 };
		char *name = arena_alloc(t, 64), *date = arena_alloc(t, 64);
		char *desc = arena_alloc(t, 64);

		v.name_len = chance(t, 80) ? below(t, 64) : rnd(t);
		v.name = v.name_len < 64 ? name : (char *)(uintptr_t)rand_ptr(t, name, 8);
		v.date_len = below(t, 64);
		v.date = date;
		v.desc_len = below(t, 64);
		v.desc = desc;
		do_ioctl(t, fi, DRM_IOCTL_VERSION, &v);
		break;
	}
	}
}

/* ------------------------------------------------------------ threads */

static void reopen_fd1(struct thread *t)
{
	int fd;

	pthread_rwlock_wrlock(&fd_lock[1]);
	close(fds[1]);
	fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		wl_die("reopening %s: %m", dev_path);
	fds[1] = fd;
	memset(&pools[1], 0, sizeof(pools[1]));
	pthread_rwlock_unlock(&fd_lock[1]);
	t->calls++;
}

static void setup_thread(struct thread *t)
{
	struct simgpu_dev dev = { .fd = fds[0], .info = info };
	unsigned int i;

	t->arena = mmap(NULL, ARENA_SIZE + 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->arena == MAP_FAILED)
		wl_die("mmap: %m");
	if (mprotect(t->arena + ARENA_SIZE, 4096, PROT_NONE))
		wl_die("mprotect: %m");
	wl_check(simgpu_vm_create(&dev, &t->vm), "VM_CREATE");
	wl_check(simgpu_queue_create(&dev, t->vm, t->idx % 3 == 2 ? 0 : 1,
				     &t->queue), "QUEUE_CREATE");
	wl_check(simgpu_bo_create(&dev, CMD_BO_SIZE, 0, 0, &t->cmd),
		 "BO_CREATE");
	wl_check(simgpu_bo_map(&dev, &t->cmd), "BO mmap");
	gen_commands(t, t->cmd.map, CMD_BO_SIZE / 8);
	wl_check(simgpu_vm_map(&dev, t->vm, t->cmd.handle, 0, CMD_VA,
			       CMD_BO_SIZE, 0), "VM_BIND");
	for (i = 0; i < 4; i++) {
		wl_check(simgpu_syncobj_create(&dev, true, &t->sync[i]),
			 "SYNCOBJ_CREATE");
		/* In the pool too: the storm may destroy or reset them. */
		if (i == 3)
			pool_add(&pools[0].syncobj, t->sync[i]);
	}
	pool_add(&pools[0].vm, t->vm);
	pool_add(&pools[0].queue, t->queue);
}

static void *thread_main(void *arg)
{
	struct thread *t = arg;
	unsigned int i;

	for (i = 0; i < ncalls; i++) {
		int fi = chance(t, 75) ? 0 : 1;
		unsigned int w = below(t, 100);

		t->arena_used = 0;
		if (t->idx == 0 && chance(t, 1)) {
			reopen_fd1(t);
			continue;
		}
		pthread_rwlock_rdlock(&fd_lock[fi]);
		if (w < 4)
			call_dev_query(t, fi);
		else if (w < 14)
			call_bo_create(t, fi);
		else if (w < 20)
			call_bo_mmap(t, fi);
		else if (w < 25)
			call_vm_create(t, fi);
		else if (w < 28)
			call_vm_destroy(t, fi);
		else if (w < 45)
			call_vm_bind(t, fi);
		else if (w < 50)
			call_queue_create(t, fi);
		else if (w < 53)
			call_queue_destroy(t, fi);
		else if (w < 70)
			call_submit(t, fi);
		else if (w < 80)
			call_raw(t, fi);
		else
			call_core(t, fi);
		pthread_rwlock_unlock(&fd_lock[fi]);
	}
	return NULL;
}

/* After the storm, a fresh file must still work. */
static void check_device_works(void)
{
	struct wl_ctx ctx;
	struct simgpu_bo bo;
	struct simgpu_cmdbuf cb;
	struct drm_simgpu_job job;
	struct drm_simgpu_sync out;
	uint32_t queue, done;
	uint64_t v;

	wl_ctx_open(&ctx, dev_path);
	wl_check(simgpu_queue_create(&ctx.dev, ctx.vm, 1, &queue),
		 "QUEUE_CREATE after the storm");
	wl_bo_new(&ctx, &bo, 8192, 0, true, "check");
	done = wl_syncobj(&ctx, false);
	simgpu_cb_init(&cb, bo.map, bo.va, 4096);
	simgpu_cb_write64(&cb, bo.va + 4096, 0x5707ed0c);
	out = simgpu_sync(done, 0);
	simgpu_job_init(&job, bo.va, simgpu_cb_size(&cb), NULL, 0, &out, 1);
	wl_check(simgpu_submit(&ctx.dev, queue, &job, 1, NULL),
		 "SUBMIT after the storm");
	wl_wait_ok(&ctx, done, "the job after the storm");
	memcpy(&v, (uint8_t *)bo.map + 4096, 8);
	if (v != 0x5707ed0c)
		wl_wrong("the job after the storm wrote 0x%" PRIx64, v);
	wl_bo_free(&ctx, &bo);
	wl_ctx_close(&ctx);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: simgpu-storm [OPTIONS]\n"
"Make random simgpu and DRM core ioctls from several threads, then check\n"
"that the device still works (storm.sh checks dmesg).\n"
"\n"
"  -t, --threads N     threads (default 4, at most %d)\n"
"  -n, --calls N       calls per thread (default 800)\n"
"  -s, --seed N        random seed (default: time)\n"
"  -d, --device PATH   render node (default: find simgpu)\n"
"  -h, --help          this text\n", MAX_THREADS);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "calls", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct thread threads[MAX_THREADS];
	unsigned long calls = 0, ok = 0, jobs = 0;
	uint64_t seed = simgpu_now_ns();
	const char *device = NULL;
	struct rlimit rl;
	unsigned int i;
	int c, ret;

	wl_init(argv[0]);
	while ((c = getopt_long(argc, argv, "t:n:s:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			nthreads = wl_parse_u64(optarg, "--threads", 1,
						MAX_THREADS);
			break;
		case 'n':
			ncalls = wl_parse_u64(optarg, "--calls", 1, 10000000);
			break;
		case 's':
			seed = wl_parse_u64(optarg, "--seed", 0, UINT64_MAX);
			break;
		case 'd':
			device = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	/* Exported fds are closed at once, but be generous anyway. */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (device) {
		snprintf(dev_path, sizeof(dev_path), "%s", device);
	} else {
		ret = simgpu_find_node(dev_path, sizeof(dev_path));
		if (ret == -ENODEV)
			wl_die("no simgpu render node (is the simgpu module loaded?)");
		wl_check(ret, "finding the simgpu render node");
	}
	for (i = 0; i < NFD; i++) {
		fds[i] = open(dev_path, O_RDWR | O_CLOEXEC);
		if (fds[i] < 0)
			wl_die("cannot open %s: %m", dev_path);
		pthread_rwlock_init(&fd_lock[i], NULL);
	}
	wl_check(simgpu_query_dev_info(fds[0], &info), "DEV_QUERY");
	printf("%s: %s, %u threads x %u calls, seed %" PRIu64 "\n", wl_prog,
	       dev_path, nthreads, ncalls, seed);

	for (i = 0; i < nthreads; i++) {
		threads[i].idx = i;
		threads[i].rng = (seed + i + 1) * 0x9e3779b97f4a7c15ull | 1;
		setup_thread(&threads[i]);
	}
	for (i = 0; i < nthreads; i++) {
		ret = pthread_create(&threads[i].thread, NULL, thread_main,
				     &threads[i]);
		if (ret)
			wl_check(-ret, "pthread_create");
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(threads[i].thread, NULL);
		calls += threads[i].calls;
		ok += threads[i].ok;
		jobs += threads[i].jobs;
	}
	/* Closing cancels whatever is still queued. */
	for (i = 0; i < NFD; i++)
		close(fds[i]);

	printf("%s: %lu calls, %lu succeeded, %lu jobs submitted; errnos:",
	       wl_prog, calls, ok, jobs);
	for (i = 1; i < 160; i++)
		if (atomic_load(&errno_hist[i]))
			printf(" %s=%lu", strerrorname_np(i) ?: "?",
			       atomic_load(&errno_hist[i]));
	printf("\n");

	check_device_works();
	printf("%s: the device still works after the storm\n", wl_prog);
	return 0;
}
