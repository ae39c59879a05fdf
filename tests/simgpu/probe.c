/*
 * tests/simgpu/probe.c: simgpu-probe, small measurements and actions on the
 * simgpu device that the VM test scripts in tests/simgpu build on.
 *
 *   simgpu-probe info                 device facts as key=value lines
 *   simgpu-probe hold                 open the device, create objects, run a
 *                                     job, print "ready", wait for stdin EOF
 *   simgpu-probe delay-job [-n NS] [-c COUNT] [-r RUNS]
 *                                     time a DELAY-heavy job (median)
 *   simgpu-probe roundtrip [-r RUNS]  time a synchronous VM_BIND, which waits
 *                                     for the firmware's answer (median)
 *   simgpu-probe ioctl NAME|all       make one valid call of the simgpu ioctl
 *                                     NAME (or of each) and print its errno;
 *                                     "skipped=X" when a prerequisite X failed
 *   simgpu-probe fault                GPU fault: the job fails with -EFAULT
 *                                     on its fence, later jobs still work
 *   simgpu-probe timeout              a job longer than job_timeout_ms fails
 *                                     with -ETIMEDOUT, later jobs still work
 *
 * Output is key=value lines on stdout, errors on stderr. Exit status 0 on
 * success, 1 on a failure (for `ioctl`, a failing call is a result, not a
 * failure: it exits 0 and prints the errno).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wl_common.h"

#define WAIT_NS		(120ull * 1000000000ull)

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* Device, VM, queue, a command BO and a result BO, bound. */
struct probe {
	struct wl_ctx ctx;
	uint32_t queue;
	uint32_t done;
	struct simgpu_bo cmd, res;
	struct simgpu_cmdbuf cb;
};

static void probe_open(struct probe *p)
{
	wl_ctx_open(&p->ctx, NULL);
	wl_check(simgpu_queue_create(&p->ctx.dev, p->ctx.vm,
				     DRM_SIMGPU_QUEUE_PRIORITY_MEDIUM,
				     &p->queue), "QUEUE_CREATE");
	p->done = wl_syncobj(&p->ctx, false);
	wl_bo_new(&p->ctx, &p->cmd, 65536, 0, true, "command");
	wl_bo_new(&p->ctx, &p->res, 4096, 0, true, "result");
	simgpu_cb_init(&p->cb, p->cmd.map, p->cmd.va, p->cmd.size);
}

/* Submit p->cb, wait; return the fence status. @ns: submit-to-signal time. */
static int probe_run(struct probe *p, uint64_t *ns)
{
	struct drm_simgpu_sync out = simgpu_sync(p->done, 0);
	struct drm_simgpu_job job;
	uint64_t t0;
	int status = 0;

	if (p->cb.error)
		wl_die("command buffer overflow");
	simgpu_job_init(&job, p->cb.va, simgpu_cb_size(&p->cb), NULL, 0,
			&out, 1);
	t0 = simgpu_now_ns();
	wl_check(simgpu_submit(&p->ctx.dev, p->queue, &job, 1, NULL), "SUBMIT");
	wl_check(simgpu_syncobj_wait(&p->ctx.dev, &p->done, 1, WAIT_NS, true),
		 "waiting for the job");
	if (ns)
		*ns = simgpu_now_ns() - t0;
	wl_check(simgpu_syncobj_status(&p->ctx.dev, p->done, &status),
		 "reading the fence status");
	return status;
}

/* ------------------------------------------------------------ info */

static int cmd_info(int argc, char **argv)
{
	struct simgpu_dev dev;
	const struct drm_simgpu_dev_info *i = &dev.info;

	wl_check(simgpu_open(&dev, NULL), "opening simgpu");
	printf("path=%s\n", dev.path);
	printf("gpu_id=0x%08x\n", i->gpu_id);
	printf("fw_abi_version=%u\n", i->fw_abi_version);
	printf("fw_abi_supported=0x%x\n", i->fw_abi_supported);
	printf("fw_version=0x%06x\n", i->fw_version);
	printf("va_start=0x%" PRIx64 "\nva_end=0x%" PRIx64 "\n", (uint64_t)i->va_start,
	       (uint64_t)i->va_end);
	printf("max_bo_size=%" PRIu64 "\n", (uint64_t)i->max_bo_size);
	printf("max_delay_ns=%u\njob_timeout_ms=%u\n", i->max_delay_ns,
	       i->job_timeout_ms);
	simgpu_close(&dev);
	return 0;
}

/* ------------------------------------------------------------ hold */

static int cmd_hold(int argc, char **argv)
{
	struct probe p;
	struct simgpu_bo extra;
	char buf[64];

	probe_open(&p);
	/* Objects of every kind, alive while we hold the file. */
	wl_bo_new(&p.ctx, &extra, 1 << 20, 0, true, "extra");
	simgpu_cb_fill(&p.cb, extra.va, extra.size, 0xabcdef01);
	simgpu_cb_write64(&p.cb, p.res.va, 1);
	if (probe_run(&p, NULL) != 1)
		wl_die("the hold job failed");
	printf("ready pid=%d\n", getpid());
	fflush(stdout);
	/* Until the test closes our stdin (or kills us). */
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}

/* ------------------------------------------------------------ delay-job */

static int cmd_delay_job(int argc, char **argv)
{
	uint64_t ns = 20000000, t[64], sum = 0;
	unsigned int count = 5, runs = 3, r, i;
	struct probe p;
	int c;

	while ((c = getopt(argc, argv, "n:c:r:")) != -1) {
		switch (c) {
		case 'n':
			ns = wl_parse_u64(optarg, "-n", 0, 1000000000);
			break;
		case 'c':
			count = wl_parse_u64(optarg, "-c", 1, 1000);
			break;
		case 'r':
			runs = wl_parse_u64(optarg, "-r", 1, 64);
			break;
		default:
			return 2;
		}
	}
	probe_open(&p);
	for (r = 0; r < runs; r++) {
		simgpu_cb_reset(&p.cb);
		for (i = 0; i < count; i++)
			simgpu_cb_delay(&p.cb, ns);
		simgpu_cb_write64(&p.cb, p.res.va, r + 1);
		if (probe_run(&p, &t[r]) != 1)
			wl_die("the DELAY job failed");
		sum += t[r];
	}
	printf("requested_ns=%" PRIu64 "\n", ns * count);
	printf("median_ns=%" PRIu64 "\n", median(t, runs));
	printf("mean_ns=%" PRIu64 "\n", sum / runs);
	return 0;
}

/* ------------------------------------------------------------ roundtrip */

static int cmd_roundtrip(int argc, char **argv)
{
	uint64_t t[256], va;
	unsigned int runs = 8, r;
	struct simgpu_bo bo;
	struct wl_ctx ctx;
	int c;

	while ((c = getopt(argc, argv, "r:")) != -1) {
		switch (c) {
		case 'r':
			runs = wl_parse_u64(optarg, "-r", 1, 256);
			break;
		default:
			return 2;
		}
	}
	wl_ctx_open(&ctx, NULL);
	wl_bo_new(&ctx, &bo, 4096, 0, false, "bind");
	va = simgpu_va_alloc(&ctx.heap, 4096, 0);
	for (r = 0; r < runs; r++) {
		uint64_t t0 = simgpu_now_ns();

		/* Map: VM_MAP + VM_FLUSH messages, waits for the ACK. */
		wl_check(simgpu_vm_map(&ctx.dev, ctx.vm, bo.handle, 0, va, 4096,
				       0), "VM_BIND map");
		t[r] = simgpu_now_ns() - t0;
		wl_check(simgpu_vm_unmap(&ctx.dev, ctx.vm, va, 4096),
			 "VM_BIND unmap");
	}
	printf("median_ns=%" PRIu64 "\n", median(t, runs));
	return 0;
}

/* ------------------------------------------------------------ ioctl */

static const char *const ioctl_names[DRM_SIMGPU_IOCTL_COUNT] = {
	[DRM_SIMGPU_DEV_QUERY] = "DEV_QUERY",
	[DRM_SIMGPU_BO_CREATE] = "BO_CREATE",
	[DRM_SIMGPU_BO_MMAP_OFFSET] = "BO_MMAP_OFFSET",
	[DRM_SIMGPU_VM_CREATE] = "VM_CREATE",
	[DRM_SIMGPU_VM_DESTROY] = "VM_DESTROY",
	[DRM_SIMGPU_VM_BIND] = "VM_BIND",
	[DRM_SIMGPU_QUEUE_CREATE] = "QUEUE_CREATE",
	[DRM_SIMGPU_QUEUE_DESTROY] = "QUEUE_DESTROY",
	[DRM_SIMGPU_SUBMIT] = "SUBMIT",
};

/* A prerequisite of the call being tested: on failure, name it and return. */
#define PREREQ(call, name) do {						\
	ret = (call);							\
	if (ret) {							\
		*prereq = (name);					\
		return ret;						\
	}								\
} while (0)

/*
 * One valid call of ioctl @id. Its prerequisites are made with the other
 * ioctls; if one of them fails (it may be the ioctl made to fail), its name
 * goes to @prereq and its error is returned.
 */
static int valid_call(struct simgpu_dev *dev, unsigned int id,
		      const char **prereq)
{
	uint64_t va = 0x10000000, page = 4096;
	uint64_t nop = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_NOP, 0, 1);
	struct simgpu_bo bo = { 0 };
	uint32_t vm = 0, queue = 0, done;
	struct drm_simgpu_sync out;
	struct drm_simgpu_job job;
	int ret, status = 0;

	*prereq = NULL;
	switch (id) {
	case DRM_SIMGPU_DEV_QUERY:
		return simgpu_query_dev_info(dev->fd, &dev->info);
	case DRM_SIMGPU_BO_CREATE:
		return simgpu_bo_create(dev, page, 0, 0, &bo);
	case DRM_SIMGPU_VM_CREATE:
		return simgpu_vm_create(dev, &vm);
	default:
		break;
	}
	PREREQ(simgpu_bo_create(dev, page, 0, 0, &bo), "BO_CREATE");
	if (id == DRM_SIMGPU_BO_MMAP_OFFSET)
		return simgpu_bo_map(dev, &bo);
	PREREQ(simgpu_vm_create(dev, &vm), "VM_CREATE");
	if (id == DRM_SIMGPU_VM_DESTROY)
		return simgpu_vm_destroy(dev, vm);
	if (id == DRM_SIMGPU_VM_BIND)
		return simgpu_vm_map(dev, vm, bo.handle, 0, va, page, 0);
	if (id == DRM_SIMGPU_QUEUE_CREATE)
		return simgpu_queue_create(dev, vm, 0, &queue);
	PREREQ(simgpu_queue_create(dev, vm, 0, &queue), "QUEUE_CREATE");
	if (id == DRM_SIMGPU_QUEUE_DESTROY)
		return simgpu_queue_destroy(dev, queue);

	/* SUBMIT: a NOP job in the BO. */
	PREREQ(simgpu_vm_map(dev, vm, bo.handle, 0, va, page, 0), "VM_BIND");
	PREREQ(simgpu_bo_map(dev, &bo), "BO_MMAP_OFFSET");
	memcpy(bo.map, &nop, 8);
	PREREQ(simgpu_syncobj_create(dev, false, &done), "SYNCOBJ_CREATE");
	out = simgpu_sync(done, 0);
	simgpu_job_init(&job, va, 8, NULL, 0, &out, 1);
	ret = simgpu_submit(dev, queue, &job, 1, NULL);
	if (ret)
		return ret;
	wl_check(simgpu_syncobj_wait_status(dev, done, WAIT_NS, &status),
		 "waiting for the NOP job");
	if (status != 1)
		wl_die("the NOP job failed: fence status %d", status);
	return 0;
}

static int cmd_ioctl(int argc, char **argv)
{
	const char *prereq;
	struct simgpu_dev dev;
	unsigned int id;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: simgpu-probe ioctl NAME|all\n");
		return 2;
	}
	/* Open without DEV_QUERY (it may be the ioctl made to fail). */
	memset(&dev, 0, sizeof(dev));
	wl_check(simgpu_find_node(dev.path, sizeof(dev.path)),
		 "finding the simgpu node");
	dev.fd = open(dev.path, O_RDWR | O_CLOEXEC);
	if (dev.fd < 0)
		wl_die("cannot open %s: %m", dev.path);

	for (id = 0; id < DRM_SIMGPU_IOCTL_COUNT; id++) {
		if (strcmp(argv[1], "all") && strcasecmp(argv[1], ioctl_names[id]))
			continue;
		ret = valid_call(&dev, id, &prereq);
		if (prereq)
			printf("ioctl=%s id=%u skipped=%s prereq_errno=%d\n",
			       ioctl_names[id], id, prereq, -ret);
		else
			printf("ioctl=%s id=%u errno=%d%s%s\n", ioctl_names[id],
			       id, -ret, ret ? " name=" : "",
			       ret ? strerrorname_np(-ret) : "");
		if (strcmp(argv[1], "all"))
			return 0;
	}
	if (strcmp(argv[1], "all"))
		wl_die("unknown simgpu ioctl '%s'", argv[1]);
	return 0;
}

/* ------------------------------------------------------------ fault */

static int cmd_fault(int argc, char **argv)
{
	uint64_t hole, ro, v;
	struct simgpu_bo ro_bo;
	struct probe p;
	int status;

	probe_open(&p);
	/* A VA range that is allocated but never bound: a hole. */
	hole = simgpu_va_alloc(&p.ctx.heap, 65536, 0) + 0x2000;
	wl_bo_new(&p.ctx, &ro_bo, 4096, 0, false, "read-only");
	ro = simgpu_va_alloc(&p.ctx.heap, 4096, 0);
	wl_check(simgpu_vm_map(&p.ctx.dev, p.ctx.vm, ro_bo.handle, 0, ro, 4096,
			       DRM_SIMGPU_VM_BIND_OP_MAP_READONLY),
		 "read-only VM_BIND");
	memset(p.res.map, 0, 64);

	/* 1: a write to an unmapped VA, after a write that must land. */
	simgpu_cb_write64(&p.cb, p.res.va, 0x600d);
	simgpu_cb_write64(&p.cb, hole + 0x18, 0xbad);
	simgpu_cb_write64(&p.cb, p.res.va + 8, 0xbad);
	status = probe_run(&p, NULL);
	if (status != -EFAULT)
		wl_die("job writing unmapped VA 0x%" PRIx64 ": fence status %d, expected %d (-EFAULT)",
		       hole + 0x18, status, -EFAULT);
	memcpy(&v, p.res.map, 8);
	if (v != 0x600d)
		wl_die("the write before the fault did not land (0x%" PRIx64 ")", v);
	memcpy(&v, (uint8_t *)p.res.map + 8, 8);
	if (v != 0)
		wl_die("a write after the fault landed (0x%" PRIx64 ")", v);
	printf("fault_write_va=0x%" PRIx64 "\n", hole + 0x18);

	/* 2: a read of an unmapped VA. */
	simgpu_cb_reset(&p.cb);
	simgpu_cb_copy(&p.cb, hole + 0x1000, p.res.va + 16, 8);
	status = probe_run(&p, NULL);
	if (status != -EFAULT)
		wl_die("job reading unmapped VA: fence status %d, expected -EFAULT",
		       status);
	printf("fault_read_va=0x%" PRIx64 "\n", hole + 0x1000);

	/* 3: a write to a read-only mapping. */
	simgpu_cb_reset(&p.cb);
	simgpu_cb_write32(&p.cb, ro + 4, 1);
	status = probe_run(&p, NULL);
	if (status != -EFAULT)
		wl_die("job writing a read-only mapping: fence status %d, expected -EFAULT",
		       status);
	printf("fault_readonly_va=0x%" PRIx64 "\n", ro + 4);

	/* 4: later jobs on the same queue still work. */
	simgpu_cb_reset(&p.cb);
	simgpu_cb_write64(&p.cb, p.res.va + 24, 0x900d);
	status = probe_run(&p, NULL);
	if (status != 1)
		wl_die("the job after the faults failed: fence status %d", status);
	memcpy(&v, (uint8_t *)p.res.map + 24, 8);
	if (v != 0x900d)
		wl_die("the job after the faults wrote 0x%" PRIx64, v);
	printf("after_fault=ok\n");
	return 0;
}

/* ------------------------------------------------------------ timeout */

/* A job longer than job_timeout_ms is stopped with -ETIMEDOUT. */
static int cmd_timeout(int argc, char **argv)
{
	const struct drm_simgpu_dev_info *i;
	uint64_t ns, total, v;
	struct probe p;
	int status;

	probe_open(&p);
	i = &p.ctx.dev.info;
	total = (uint64_t)i->job_timeout_ms * 1000000 * 2;
	if (total > 4000000000ull)
		wl_die("job_timeout_ms is %u: too long to test (load simgpu with job_timeout_ms=300)",
		       i->job_timeout_ms);
	memset(p.res.map, 0, 16);
	simgpu_cb_write64(&p.cb, p.res.va, 1);
	for (ns = 0; ns < total; ns += i->max_delay_ns)
		simgpu_cb_delay(&p.cb, i->max_delay_ns);
	simgpu_cb_write64(&p.cb, p.res.va + 8, 2);
	status = probe_run(&p, &ns);
	if (status != -ETIMEDOUT)
		wl_die("a job of %" PRIu64 " ms with job_timeout_ms=%u: fence status %d, expected %d (-ETIMEDOUT)",
		       total / 1000000, i->job_timeout_ms, status, -ETIMEDOUT);
	memcpy(&v, (uint8_t *)p.res.map + 8, 8);
	if (v != 0)
		wl_die("the write after the timeout landed");
	printf("timeout_ms=%u stopped_after_ms=%" PRIu64 "\n", i->job_timeout_ms,
	       ns / 1000000);

	simgpu_cb_reset(&p.cb);
	simgpu_cb_write64(&p.cb, p.res.va + 8, 3);
	if (probe_run(&p, NULL) != 1)
		wl_die("the job after the timeout failed");
	printf("after_timeout=ok\n");
	return 0;
}

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: simgpu-probe COMMAND [ARGS]\n"
"Measurements and actions on the simgpu device for the VM test scripts.\n"
"\n"
"  info                     device facts (key=value)\n"
"  hold                     hold the device open with live objects until\n"
"                           stdin is closed; prints \"ready\" when set up\n"
"  delay-job [-n NS] [-c N] [-r RUNS]\n"
"                           median time of a job of N DELAY(NS) commands\n"
"  roundtrip [-r RUNS]      median time of a synchronous VM_BIND (one\n"
"                           firmware round trip)\n"
"  ioctl NAME|all           one valid call of a simgpu ioctl; prints errno\n"
"  fault                    GPU faults fail the job with -EFAULT on its fence\n"
"                           and later jobs still work\n"
"  timeout                  a job longer than job_timeout_ms fails with\n"
"                           -ETIMEDOUT and later jobs still work\n"
"  -h, --help               this text\n");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "info", cmd_info },
		{ "hold", cmd_hold },
		{ "delay-job", cmd_delay_job },
		{ "roundtrip", cmd_roundtrip },
		{ "ioctl", cmd_ioctl },
		{ "fault", cmd_fault },
		{ "timeout", cmd_timeout },
	};
	unsigned int i;

	wl_init(argv[0]);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "simgpu-probe: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
