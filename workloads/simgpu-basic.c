/*
 * workloads/simgpu-basic.c: the basic simgpu workload.
 *
 * One VM, one queue and a BO per purpose (command buffers, source,
 * destination, results, and a GPU-only scratch BO), bound synchronously
 * except the destination, which is bound asynchronously behind a syncobj
 * that the first job waits on. Each iteration submits three jobs in one
 * SUBMIT call that together use every command (NOP, WRITE_IMM 32/64, FILL,
 * COPY, CHECKSUM, DELAY), waits for them, and checks the results twice:
 * by reading the BOs through their CPU mappings, and by comparing the
 * GPU's CHECKSUM of each buffer with the same hash computed on the CPU.
 *
 * Exit status: 0 when every result is right; 1 on a wrong result (message
 * "wrong result: ...") or any failure (ioctl error, job error).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_common.h"

#define BUF_SIZE	(64 * 1024)
#define CMD_SIZE	(64 * 1024)
#define RES_SIZE	4096
#define SCRATCH_SIZE	(16 * 1024)
#define JOBS_PER_ITER	3

/* Offsets of the results BO. */
enum {
	RES_IMM32 = 0,		/* WRITE_IMM 32 */
	RES_IMM64 = 8,		/* WRITE_IMM 64 */
	RES_SUM_SRC = 16,	/* CHECKSUM of src */
	RES_SUM_DST = 24,	/* CHECKSUM of dst */
	RES_SUM_EMPTY = 32,	/* CHECKSUM of zero bytes */
	RES_DONE = 40,		/* last job's marker */
	RES_SUM_SCRATCH = 48,	/* CHECKSUM of the scratch BO's used part */
};

/* Copies from src to dst (deliberately unaligned). */
#define COPY1_SRC	(4096 + 13)
#define COPY1_DST	100
#define COPY1_LEN	20000
#define COPY2_SRC	(40000 + 3)
#define COPY2_LEN	5001		/* via scratch: src -> scratch -> dst */
#define COPY2_DST	(40000 + 7)

static void usage(FILE *f)
{
	fprintf(f,
"Usage: simgpu-basic [OPTIONS]\n"
"Create BOs, bind them, run jobs using every simgpu command and check the\n"
"results through the CPU mappings and the GPU's CHECKSUM command.\n"
"\n"
"  -d, --device PATH      render node (default: find simgpu; $SIMGPU_DEVICE)\n"
"  -i, --iterations N     iterations of the job set (default 3)\n"
"  -D, --delay-ns NS      DELAY of the last job of each iteration (default 2000000)\n"
"  -v, --verbose          print each step\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 all results right, 1 a wrong result or any failure.\n");
}

static uint32_t pattern_a(unsigned int it)
{
	return 0x5a000000u + it * 0x00010203u;
}

static uint32_t pattern_b(unsigned int it)
{
	return 0xa5000001u ^ (it << 8);
}

/* Fill @n bytes of @p with a 32-bit little-endian pattern. */
static void fill32(uint8_t *p, size_t n, uint32_t pattern)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = pattern >> (8 * (i % 4));
}

static uint64_t rd64(const void *base, size_t off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)base + off, 8);
	return v;
}

static uint32_t rd32(const void *base, size_t off)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)base + off, 4);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "delay-ns", required_argument, NULL, 'D' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct simgpu_bo cmd, src, dst, res, scratch;
	uint32_t queue, bind_done, job_done[JOBS_PER_ITER];
	const char *device = NULL;
	unsigned int iterations = 3, it, j;
	uint64_t delay_ns = 2000000, njobs = 0;
	uint8_t *want_src, *want_dst;
	struct wl_ctx ctx;
	int c;

	wl_init(argv[0]);
	while ((c = getopt_long(argc, argv, "d:i:D:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			device = optarg;
			break;
		case 'i':
			iterations = wl_parse_u64(optarg, "--iterations", 1,
						  100000);
			break;
		case 'D':
			delay_ns = wl_parse_u64(optarg, "--delay-ns", 0,
						1000000000);
			break;
		case 'v':
			wl_verbose = 1;
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

	wl_ctx_open(&ctx, device);
	wl_print_device(&ctx);
	if (delay_ns > ctx.dev.info.max_delay_ns)
		wl_die("--delay-ns %" PRIu64 " is above the device's max_delay_ns %u",
		       delay_ns, ctx.dev.info.max_delay_ns);
	wl_check(simgpu_queue_create(&ctx.dev, ctx.vm,
				     DRM_SIMGPU_QUEUE_PRIORITY_MEDIUM, &queue),
		 "QUEUE_CREATE");

	/* A BO per purpose, as a driver allocates them. */
	wl_bo_new(&ctx, &cmd, CMD_SIZE, 0, true, "command");
	wl_bo_new(&ctx, &src, BUF_SIZE, 0, true, "source");
	wl_bo_new(&ctx, &res, RES_SIZE, 0, true, "result");
	wl_bo_new(&ctx, &scratch, SCRATCH_SIZE, DRM_SIMGPU_BO_NO_MMAP, true,
		  "scratch");

	/* The destination is bound asynchronously; job 0 waits for it. */
	wl_bo_new(&ctx, &dst, BUF_SIZE, 0, false, "destination");
	dst.va = simgpu_va_alloc(&ctx.heap, dst.size, 0);
	if (!dst.va)
		wl_die("out of GPU VA space");
	bind_done = wl_syncobj(&ctx, false);
	{
		struct drm_simgpu_vm_bind_op op;
		struct drm_simgpu_sync out = simgpu_sync(bind_done, 0);

		simgpu_bind_op_map(&op, dst.handle, 0, dst.va, dst.size, 0);
		wl_check(simgpu_vm_bind(&ctx.dev, ctx.vm,
					DRM_SIMGPU_VM_BIND_ASYNC, &op, 1,
					NULL, 0, &out, 1),
			 "asynchronous VM_BIND of the destination BO");
	}
	for (j = 0; j < JOBS_PER_ITER; j++)
		job_done[j] = wl_syncobj(&ctx, false);
	wl_info("cmd 0x%" PRIx64 " src 0x%" PRIx64 " dst 0x%" PRIx64
		" res 0x%" PRIx64 " scratch 0x%" PRIx64,
		cmd.va, src.va, dst.va, res.va, scratch.va);

	want_src = malloc(BUF_SIZE);
	want_dst = malloc(BUF_SIZE);
	if (!want_src || !want_dst)
		wl_die("out of memory");

	for (it = 0; it < iterations; it++) {
		struct simgpu_cmdbuf cb[JOBS_PER_ITER];
		struct drm_simgpu_job jobs[JOBS_PER_ITER];
		struct drm_simgpu_sync in0 = simgpu_sync(bind_done, 0);
		struct drm_simgpu_sync outs[JOBS_PER_ITER];
		uint64_t seqno, h;
		char what[64];

		/* Three command buffers, 16 KiB apart in the command BO. */
		for (j = 0; j < JOBS_PER_ITER; j++) {
			simgpu_cb_init(&cb[j], (uint8_t *)cmd.map + j * 16384,
				       cmd.va + j * 16384, 16384);
			outs[j] = simgpu_sync(job_done[j], 0);
		}

		/* Job 0: clear, fill and immediate writes. */
		simgpu_cb_nop(&cb[0], 1);
		simgpu_cb_fill(&cb[0], dst.va, BUF_SIZE, 0);
		simgpu_cb_fill(&cb[0], src.va, BUF_SIZE / 2, pattern_a(it));
		simgpu_cb_fill(&cb[0], src.va + BUF_SIZE / 2, BUF_SIZE / 2,
			       pattern_b(it));
		simgpu_cb_write32(&cb[0], res.va + RES_IMM32, 0xc0de0000u | it);
		simgpu_cb_write64(&cb[0], res.va + RES_IMM64,
				  0x0123456789abcdefull ^ it);
		simgpu_cb_nop(&cb[0], 3);

		/* Job 1: copies (one through the GPU-only scratch BO), sums. */
		simgpu_cb_copy(&cb[1], src.va + COPY1_SRC, dst.va + COPY1_DST,
			       COPY1_LEN);
		simgpu_cb_copy(&cb[1], src.va + COPY2_SRC, scratch.va + 1,
			       COPY2_LEN);
		simgpu_cb_copy(&cb[1], scratch.va + 1, dst.va + COPY2_DST,
			       COPY2_LEN);
		simgpu_cb_checksum(&cb[1], src.va, BUF_SIZE, res.va + RES_SUM_SRC);
		simgpu_cb_checksum(&cb[1], dst.va, BUF_SIZE, res.va + RES_SUM_DST);
		simgpu_cb_checksum(&cb[1], dst.va, 0, res.va + RES_SUM_EMPTY);
		simgpu_cb_checksum(&cb[1], scratch.va + 1, COPY2_LEN,
				   res.va + RES_SUM_SCRATCH);

		/* Job 2: some GPU time, then the completion marker. */
		simgpu_cb_delay(&cb[2], delay_ns);
		simgpu_cb_write32(&cb[2], res.va + RES_DONE, it + 1);

		for (j = 0; j < JOBS_PER_ITER; j++) {
			if (cb[j].error)
				wl_die("command buffer %u overflowed", j);
			simgpu_job_init(&jobs[j], cb[j].va, simgpu_cb_size(&cb[j]),
					j == 0 ? &in0 : NULL, j == 0,
					&outs[j], 1);
		}
		wl_check(simgpu_submit(&ctx.dev, queue, jobs, JOBS_PER_ITER,
				       &seqno),
			 "SUBMIT (iteration %u)", it);
		njobs += JOBS_PER_ITER;
		for (j = 0; j < JOBS_PER_ITER; j++) {
			snprintf(what, sizeof(what), "job %u of iteration %u (seqno %" PRIu64 ")",
				 j, it, seqno + j);
			wl_wait_ok(&ctx, job_done[j], what);
		}
		wl_info("iteration %u: jobs %" PRIu64 "..%" PRIu64 " done", it,
			seqno, seqno + JOBS_PER_ITER - 1);

		/* The reference model. */
		fill32(want_src, BUF_SIZE / 2, pattern_a(it));
		fill32(want_src + BUF_SIZE / 2, BUF_SIZE / 2, pattern_b(it));
		memset(want_dst, 0, BUF_SIZE);
		memcpy(want_dst + COPY1_DST, want_src + COPY1_SRC, COPY1_LEN);
		memcpy(want_dst + COPY2_DST, want_src + COPY2_SRC, COPY2_LEN);

		/* Check 1: the memory, through the CPU mappings. */
		snprintf(what, sizeof(what), "iteration %u: FILL of the source BO", it);
		wl_expect_mem(what, src.map, want_src, BUF_SIZE);
		snprintf(what, sizeof(what), "iteration %u: COPY into the destination BO", it);
		wl_expect_mem(what, dst.map, want_dst, BUF_SIZE);
		if (rd32(res.map, RES_IMM32) != (0xc0de0000u | it))
			wl_wrong("iteration %u: WRITE_IMM 32 wrote 0x%08x, expected 0x%08x",
				 it, rd32(res.map, RES_IMM32), 0xc0de0000u | it);
		if (rd64(res.map, RES_IMM64) != (0x0123456789abcdefull ^ it))
			wl_wrong("iteration %u: WRITE_IMM 64 wrote 0x%016" PRIx64
				 ", expected 0x%016" PRIx64, it,
				 rd64(res.map, RES_IMM64),
				 (uint64_t)(0x0123456789abcdefull ^ it));
		if (rd32(res.map, RES_DONE) != it + 1)
			wl_wrong("iteration %u: completion marker is %u, expected %u",
				 it, rd32(res.map, RES_DONE), it + 1);

		/* Check 2: the GPU's checksums against the CPU's. */
		h = simgpu_hash(DRM_SIMGPU_HASH_INIT, want_src, BUF_SIZE);
		if (rd64(res.map, RES_SUM_SRC) != h)
			wl_wrong("iteration %u: CHECKSUM of the source BO is 0x%016" PRIx64
				 ", expected 0x%016" PRIx64, it,
				 rd64(res.map, RES_SUM_SRC), h);
		h = simgpu_hash(DRM_SIMGPU_HASH_INIT, want_dst, BUF_SIZE);
		if (rd64(res.map, RES_SUM_DST) != h)
			wl_wrong("iteration %u: CHECKSUM of the destination BO is 0x%016" PRIx64
				 ", expected 0x%016" PRIx64, it,
				 rd64(res.map, RES_SUM_DST), h);
		if (rd64(res.map, RES_SUM_EMPTY) != DRM_SIMGPU_HASH_INIT)
			wl_wrong("iteration %u: CHECKSUM of 0 bytes is 0x%016" PRIx64
				 ", expected the FNV-1a offset basis", it,
				 rd64(res.map, RES_SUM_EMPTY));
		h = simgpu_hash(DRM_SIMGPU_HASH_INIT, want_src + COPY2_SRC,
				COPY2_LEN);
		if (rd64(res.map, RES_SUM_SCRATCH) != h)
			wl_wrong("iteration %u: CHECKSUM of the scratch BO is 0x%016" PRIx64
				 ", expected 0x%016" PRIx64, it,
				 rd64(res.map, RES_SUM_SCRATCH), h);
	}

	for (j = 0; j < JOBS_PER_ITER; j++)
		wl_check(simgpu_syncobj_destroy(&ctx.dev, job_done[j]),
			 "SYNCOBJ_DESTROY");
	wl_check(simgpu_syncobj_destroy(&ctx.dev, bind_done), "SYNCOBJ_DESTROY");
	wl_check(simgpu_queue_destroy(&ctx.dev, queue), "QUEUE_DESTROY");
	wl_bo_free(&ctx, &scratch);
	wl_bo_free(&ctx, &dst);
	wl_bo_free(&ctx, &res);
	wl_bo_free(&ctx, &src);
	wl_bo_free(&ctx, &cmd);
	wl_ctx_close(&ctx);
	free(want_src);
	free(want_dst);

	printf("%s: %u iterations, %" PRIu64 " jobs: all results correct\n",
	       wl_prog, iterations, njobs);
	return 0;
}
