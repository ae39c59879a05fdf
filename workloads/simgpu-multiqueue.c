/*
 * workloads/simgpu-multiqueue.c: several threads, each with its own queues,
 * feeding a pipeline through cross-queue syncobj dependencies.
 *
 * One shared VM and data BO. Thread k is pipeline stage k; it has Q queues
 * (priorities alternate between low and medium), its own command BO and a
 * timeline syncobj on which its job j signals point j + 1. Stage 0's job j
 * fills record j with a pattern (after a DELAY, so that a consumer that did
 * not wait would read stale memory); stage k > 0's job j copies record j of
 * stage k - 1 into its own, stamps it and checksums it. Stage k's job j
 * waits on point j + 1 of stage k - 1 (another thread's queue) and on point
 * j of its own timeline (its previous job, on another of its queues). A
 * thread waits, like a Vulkan driver's submit thread, for the point it
 * depends on to be submitted (DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE) before
 * it submits.
 *
 * At the end every record of every stage is checked through the CPU
 * mapping and against its GPU checksum. Exit status: 0 all right, 1 on a
 * wrong result or any failure.
 */
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_common.h"

#define MAX_THREADS	16
#define MAX_QUEUES	4
#define REC		256		/* record: payload + stamp */
#define PAYLOAD		(REC - 8)
#define CMD_SLOT	256

struct stage {
	struct wl_ctx *ctx;
	unsigned int k;
	pthread_t thread;
	uint32_t queue[MAX_QUEUES];
	uint32_t timeline;
	struct simgpu_bo cmd;
};

static unsigned int nthreads = 4, nqueues = 2, njobs = 16;
static uint64_t delay_ns = 200000;
static struct simgpu_bo data, sums;
static struct stage stages[MAX_THREADS];

static void usage(FILE *f)
{
	fprintf(f,
"Usage: simgpu-multiqueue [OPTIONS]\n"
"Run a pipeline of threads, each with its own simgpu queues, whose jobs\n"
"depend on each other through syncobjs, and check every result.\n"
"\n"
"  -d, --device PATH      render node (default: find simgpu; $SIMGPU_DEVICE)\n"
"  -t, --threads N        threads (pipeline stages), 2..%d (default 4)\n"
"  -q, --queues N         queues per thread, 1..%d (default 2)\n"
"  -j, --jobs N           jobs per thread (default 16)\n"
"  -D, --delay-ns NS      DELAY in each first-stage job (default 200000)\n"
"  -v, --verbose          print each job\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 all results right, 1 a wrong result or any failure.\n",
		MAX_THREADS, MAX_QUEUES);
}

static uint64_t rec_off(unsigned int k, unsigned int j)
{
	return ((uint64_t)k * njobs + j) * REC;
}

static uint32_t pattern(unsigned int j)
{
	return 0x9e3779b9u * (j + 1);
}

static uint64_t stamp(unsigned int k, unsigned int j)
{
	return 0x57a9e00000000000ull | ((uint64_t)k << 32) | j;
}

static void *stage_main(void *arg)
{
	struct stage *s = arg;
	struct wl_ctx *ctx = s->ctx;
	unsigned int k = s->k, j;

	for (j = 0; j < njobs; j++) {
		struct drm_simgpu_sync in[2], out;
		struct simgpu_cmdbuf cb;
		struct drm_simgpu_job job;
		uint64_t rec = data.va + rec_off(k, j);
		uint32_t nin = 0, q = j % nqueues;

		simgpu_cb_init(&cb, (uint8_t *)s->cmd.map + j * CMD_SLOT,
			       s->cmd.va + j * CMD_SLOT, CMD_SLOT);
		if (k == 0) {
			if (delay_ns)
				simgpu_cb_delay(&cb, delay_ns);
			simgpu_cb_fill(&cb, rec, PAYLOAD, pattern(j));
		} else {
			struct stage *prev = &stages[k - 1];

			/* The producer's job must exist before we wait on it. */
			wl_wait_point(ctx, prev->timeline, j + 1,
				      DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
				      DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
				      "the previous stage's submission");
			in[nin++] = simgpu_sync(prev->timeline, j + 1);
			simgpu_cb_copy(&cb, data.va + rec_off(k - 1, j), rec,
				       PAYLOAD);
		}
		simgpu_cb_write64(&cb, rec + PAYLOAD, stamp(k, j));
		simgpu_cb_checksum(&cb, rec, REC,
				   sums.va + (rec_off(k, j) / REC) * 8);
		if (cb.error)
			wl_die("stage %u job %u: command buffer overflow", k, j);
		/* Our previous job ran on another of our queues. */
		if (j > 0 && nqueues > 1)
			in[nin++] = simgpu_sync(s->timeline, j);
		out = simgpu_sync(s->timeline, j + 1);
		simgpu_job_init(&job, cb.va, simgpu_cb_size(&cb), in, nin,
				&out, 1);
		wl_check(simgpu_submit(&ctx->dev, s->queue[q], &job, 1, NULL),
			 "stage %u: SUBMIT of job %u", k, j);
		wl_info("stage %u: job %u submitted on queue %u (%u deps)", k, j,
			s->queue[q], nin);
	}
	return NULL;
}

static void check_results(void)
{
	uint8_t want[REC];
	unsigned int k, j, i;
	char what[64];

	for (k = 0; k < nthreads; k++) {
		for (j = 0; j < njobs; j++) {
			const uint8_t *got = (const uint8_t *)data.map +
					     rec_off(k, j);
			uint64_t st = stamp(k, j), sum, h;

			for (i = 0; i < PAYLOAD; i++)
				want[i] = pattern(j) >> (8 * (i % 4));
			memcpy(want + PAYLOAD, &st, 8);
			snprintf(what, sizeof(what), "stage %u record %u", k, j);
			wl_expect_mem(what, got, want, REC);
			memcpy(&sum, (const uint8_t *)sums.map +
				     (rec_off(k, j) / REC) * 8, 8);
			h = simgpu_hash(DRM_SIMGPU_HASH_INIT, want, REC);
			if (sum != h)
				wl_wrong("stage %u record %u: CHECKSUM 0x%016" PRIx64
					 ", expected 0x%016" PRIx64, k, j, sum, h);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "threads", required_argument, NULL, 't' },
		{ "queues", required_argument, NULL, 'q' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "delay-ns", required_argument, NULL, 'D' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = NULL;
	struct wl_ctx ctx;
	unsigned int k, q;
	uint64_t t0, t1;
	int c, ret;

	wl_init(argv[0]);
	while ((c = getopt_long(argc, argv, "d:t:q:j:D:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			device = optarg;
			break;
		case 't':
			nthreads = wl_parse_u64(optarg, "--threads", 2,
						MAX_THREADS);
			break;
		case 'q':
			nqueues = wl_parse_u64(optarg, "--queues", 1, MAX_QUEUES);
			break;
		case 'j':
			njobs = wl_parse_u64(optarg, "--jobs", 1, 4096);
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
	if (nthreads * nqueues > ctx.dev.info.max_queues)
		wl_die("%u queues asked, the device allows %u per file",
		       nthreads * nqueues, ctx.dev.info.max_queues);
	wl_bo_new(&ctx, &data, (uint64_t)nthreads * njobs * REC, 0, true, "data");
	wl_bo_new(&ctx, &sums, (uint64_t)nthreads * njobs * 8, 0, true, "checksum");
	for (k = 0; k < nthreads; k++) {
		struct stage *s = &stages[k];

		s->ctx = &ctx;
		s->k = k;
		for (q = 0; q < nqueues; q++)
			wl_check(simgpu_queue_create(&ctx.dev, ctx.vm,
				(k + q) % 2 ? DRM_SIMGPU_QUEUE_PRIORITY_MEDIUM :
					      DRM_SIMGPU_QUEUE_PRIORITY_LOW,
				&s->queue[q]), "QUEUE_CREATE");
		s->timeline = wl_syncobj(&ctx, false);
		wl_bo_new(&ctx, &s->cmd, (uint64_t)njobs * CMD_SLOT, 0, true,
			  "command");
	}

	t0 = simgpu_now_ns();
	for (k = 0; k < nthreads; k++) {
		ret = pthread_create(&stages[k].thread, NULL, stage_main,
				     &stages[k]);
		if (ret)
			wl_check(-ret, "pthread_create");
	}
	for (k = 0; k < nthreads; k++)
		pthread_join(stages[k].thread, NULL);
	for (k = 0; k < nthreads; k++)
		wl_wait_point(&ctx, stages[k].timeline, njobs, 0,
			      "the last job of a stage");
	t1 = simgpu_now_ns();
	check_results();

	for (k = 0; k < nthreads; k++) {
		struct stage *s = &stages[k];

		for (q = 0; q < nqueues; q++)
			wl_check(simgpu_queue_destroy(&ctx.dev, s->queue[q]),
				 "QUEUE_DESTROY");
		wl_check(simgpu_syncobj_destroy(&ctx.dev, s->timeline),
			 "SYNCOBJ_DESTROY");
		wl_bo_free(&ctx, &s->cmd);
	}
	wl_bo_free(&ctx, &sums);
	wl_bo_free(&ctx, &data);
	wl_ctx_close(&ctx);

	printf("%s: %u threads x %u queues, %u jobs, %.3f s: all results correct\n",
	       wl_prog, nthreads, nqueues, nthreads * njobs, (t1 - t0) / 1e9);
	return 0;
}
