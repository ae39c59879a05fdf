/*
 * workloads/simgpu-bindchurn.c: many VM_BIND map/unmap/remap operations on
 * simgpu, with jobs that touch the ranges just changed.
 *
 * A window of GPU VA pages is churned, round after round, by random
 * operations (seeded, so a run is reproducible): map a range of one of a
 * few BOs (over whatever was there: a remap), unmap a range (splitting the
 * mappings it cuts through). Several operations go in one VM_BIND call;
 * half of the calls are asynchronous, waiting on the previous job's
 * syncobj and signalling one that the next job waits on, as a Vulkan
 * driver's sparse binding does. A CPU model tracks which BO page backs
 * each VA page.
 *
 * After each call a job writes a tag into pages the operations touched,
 * copies bytes across a page boundary and checksums a run of mapped pages
 * (which may span several mappings and BOs). The tags are checked in the
 * BOs through their CPU mappings (at the BO page the model predicts), the
 * copy and the checksum against the same bytes read on the CPU. With
 * --check-unmapped, a job that reads an unmapped page must fail with a GPU
 * fault (-EFAULT on its fence).
 *
 * Exit status: 0 when every result is right, 1 otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_common.h"

#define NBO		4
#define BO_PAGES	32
#define MAX_OPS		6
#define MAX_TARGETS	4
#define MAX_RUN		16
#define COPY_LEN	64

struct vpage {
	int bo;			/* -1: unmapped */
	uint32_t pg;		/* page in the BO */
	uint32_t ext;		/* mapping (extent) id, to count splits */
};

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t page_size;
static unsigned int npages = 64;
static struct vpage *model;
static struct simgpu_bo bos[NBO];
static uint32_t next_ext = 1;
static uint64_t stat_maps, stat_unmaps, stat_splits, stat_async, stat_faults;

static void usage(FILE *f)
{
	fprintf(f,
"Usage: simgpu-bindchurn [OPTIONS]\n"
"Churn a GPU VA window with many map/unmap/remap operations (partial unmaps\n"
"split mappings) and run jobs on the changed ranges; check every result.\n"
"\n"
"  -d, --device PATH      render node (default: find simgpu; $SIMGPU_DEVICE)\n"
"  -n, --rounds N         VM_BIND calls, each followed by a job (default 200)\n"
"  -p, --pages N          pages in the VA window, 8..4096 (default 64)\n"
"  -s, --seed N           random seed (default 1)\n"
"  -u, --check-unmapped   also check that reading an unmapped page faults\n"
"  -v, --verbose          print each operation\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 all results right, 1 a wrong result or any failure.\n");
}

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static uint32_t rnd_below(uint32_t n)
{
	return rnd() % n;
}

/* Count the mappings the range [v, v + n) cuts through at its ends. */
static void count_splits(uint32_t v, uint32_t n)
{
	if (v > 0 && model[v - 1].bo >= 0 && model[v].bo >= 0 &&
	    model[v - 1].ext == model[v].ext)
		stat_splits++;
	if (v + n < npages && model[v + n - 1].bo >= 0 &&
	    model[v + n].bo >= 0 && model[v + n - 1].ext == model[v + n].ext)
		stat_splits++;
}

static uint8_t *page_cpu(const struct vpage *p)
{
	return (uint8_t *)bos[p->bo].map + (uint64_t)p->pg * page_size;
}

/* Initial BO content: every 8-byte word names its BO, page and index. */
static void init_bo_content(void)
{
	unsigned int b, pg, w;

	for (b = 0; b < NBO; b++)
		for (pg = 0; pg < BO_PAGES; pg++)
			for (w = 0; w < page_size / 8; w++) {
				uint64_t v = ((uint64_t)(b + 1) << 56) |
					     ((uint64_t)pg << 32) | w;

				memcpy((uint8_t *)bos[b].map +
				       (uint64_t)pg * page_size + w * 8, &v, 8);
			}
}

/* A random mapped page, preferring [lo, hi); -1 if none at all. */
static int pick_mapped(uint32_t lo, uint32_t hi)
{
	uint32_t i, start;

	if (hi > lo) {
		start = lo + rnd_below(hi - lo);
		for (i = 0; i < hi - lo; i++) {
			uint32_t p = lo + (start - lo + i) % (hi - lo);

			if (model[p].bo >= 0)
				return p;
		}
	}
	start = rnd_below(npages);
	for (i = 0; i < npages; i++) {
		uint32_t p = (start + i) % npages;

		if (model[p].bo >= 0)
			return p;
	}
	return -1;
}

static int pick_unmapped(void)
{
	uint32_t i, start = rnd_below(npages);

	for (i = 0; i < npages; i++) {
		uint32_t p = (start + i) % npages;

		if (model[p].bo < 0)
			return p;
	}
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "rounds", required_argument, NULL, 'n' },
		{ "pages", required_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, 's' },
		{ "check-unmapped", no_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = NULL;
	unsigned int rounds = 200, r, i;
	uint32_t queue, job_done, bind_done;
	struct simgpu_bo cmd, res;
	bool check_unmapped = false;
	uint64_t seed = 1, win, nops_total = 0;
	struct wl_ctx ctx;
	int c;

	wl_init(argv[0]);
	while ((c = getopt_long(argc, argv, "d:n:p:s:uvh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			device = optarg;
			break;
		case 'n':
			rounds = wl_parse_u64(optarg, "--rounds", 1, 1000000);
			break;
		case 'p':
			npages = wl_parse_u64(optarg, "--pages", 8, 4096);
			break;
		case 's':
			seed = wl_parse_u64(optarg, "--seed", 0, UINT64_MAX);
			break;
		case 'u':
			check_unmapped = true;
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
	rng_state ^= seed * 0x9e3779b97f4a7c15ull;
	if (!rng_state)
		rng_state = 1;

	wl_ctx_open(&ctx, device);
	wl_print_device(&ctx);
	page_size = ctx.dev.info.va_page_size;
	wl_check(simgpu_queue_create(&ctx.dev, ctx.vm,
				     DRM_SIMGPU_QUEUE_PRIORITY_MEDIUM, &queue),
		 "QUEUE_CREATE");
	wl_bo_new(&ctx, &cmd, 4 * page_size, 0, true, "command");
	wl_bo_new(&ctx, &res, 2 * page_size, 0, true, "result");
	for (i = 0; i < NBO; i++)
		wl_bo_new(&ctx, &bos[i], BO_PAGES * page_size, 0, false, "data");
	init_bo_content();
	win = simgpu_va_alloc(&ctx.heap, (uint64_t)npages * page_size, 0);
	if (!win)
		wl_die("out of GPU VA space");
	model = calloc(npages, sizeof(*model));
	if (!model)
		wl_die("out of memory");
	for (i = 0; i < npages; i++)
		model[i].bo = -1;
	job_done = wl_syncobj(&ctx, true);
	bind_done = wl_syncobj(&ctx, true);

	for (r = 0; r < rounds; r++) {
		struct drm_simgpu_vm_bind_op ops[MAX_OPS];
		struct drm_simgpu_sync bin = simgpu_sync(job_done, 0);
		struct drm_simgpu_sync bout = simgpu_sync(bind_done, 0);
		struct drm_simgpu_sync jin = simgpu_sync(bind_done, 0);
		struct drm_simgpu_sync jout = simgpu_sync(job_done, 0);
		uint32_t nops = 1 + rnd_below(4), lo = npages, hi = 0;
		uint32_t targets[MAX_TARGETS], tslot[MAX_TARGETS], ntargets = 0;
		uint64_t tag_base = (uint64_t)(r + 1) << 32;
		struct simgpu_cmdbuf cb;
		struct drm_simgpu_job job;
		bool async = rnd_below(2);
		int run_start, run_len = 0, copy_page = -1;
		uint64_t sum_dst = res.va + (r % (page_size / 8)) * 8;
		uint64_t copy_dst = res.va + page_size +
				    (r % (page_size / COPY_LEN)) * COPY_LEN;
		uint8_t want[COPY_LEN];
		char what[96];
		int status;

		/* The operations, applied to the model in order. */
		for (i = 0; i < nops; i++) {
			uint32_t n, v, p;

			if (rnd_below(100) < 60) {
				uint32_t b = rnd_below(NBO), o;

				n = 1 + rnd_below(8);
				o = rnd_below(BO_PAGES - n + 1);
				v = rnd_below(npages - n + 1);
				simgpu_bind_op_map(&ops[i], bos[b].handle,
						   (uint64_t)o * page_size,
						   win + (uint64_t)v * page_size,
						   (uint64_t)n * page_size, 0);
				count_splits(v, n);
				for (p = 0; p < n; p++) {
					model[v + p].bo = b;
					model[v + p].pg = o + p;
					model[v + p].ext = next_ext;
				}
				next_ext++;
				stat_maps++;
				wl_info("round %u: map bo %u pages %u+%u at page %u",
					r, b, o, n, v);
			} else {
				n = 1 + rnd_below(12);
				v = rnd_below(npages - n + 1);
				simgpu_bind_op_unmap(&ops[i],
						     win + (uint64_t)v * page_size,
						     (uint64_t)n * page_size);
				count_splits(v, n);
				for (p = 0; p < n; p++)
					model[v + p].bo = -1;
				stat_unmaps++;
				wl_info("round %u: unmap pages %u+%u", r, v, n);
			}
			if (v < lo)
				lo = v;
			if (v + n > hi)
				hi = v + n;
		}
		nops_total += nops;
		if (async) {
			/* Wait for the GPU to be done with the old mappings. */
			wl_check(simgpu_vm_bind(&ctx.dev, ctx.vm,
						DRM_SIMGPU_VM_BIND_ASYNC, ops,
						nops, &bin, 1, &bout, 1),
				 "round %u: asynchronous VM_BIND (%u ops)", r,
				 nops);
			stat_async++;
		} else {
			/* The previous job is done: nothing to wait for. */
			wl_check(simgpu_vm_bind(&ctx.dev, ctx.vm, 0, ops, nops,
						NULL, 0, NULL, 0),
				 "round %u: VM_BIND (%u ops)", r, nops);
		}

		/* The job: tags into touched pages, a copy, a checksum. */
		simgpu_cb_init(&cb, cmd.map, cmd.va, cmd.size);
		for (i = 0; i < MAX_TARGETS; i++) {
			int t = pick_mapped(lo, hi);

			if (t < 0)
				break;
			targets[ntargets] = t;
			tslot[ntargets] = (r * MAX_TARGETS + i) % (page_size / 8);
			simgpu_cb_write64(&cb, win + (uint64_t)t * page_size +
					  tslot[ntargets] * 8, tag_base | i);
			ntargets++;
		}
		run_start = pick_mapped(lo, hi);
		if (run_start >= 0) {
			for (i = 0; i < MAX_RUN / 2 && run_start > 0 &&
			     model[run_start - 1].bo >= 0; i++)
				run_start--;
			while (run_start + run_len < (int)npages &&
			       model[run_start + run_len].bo >= 0 &&
			       run_len < MAX_RUN)
				run_len++;
			if (run_len >= 2) {
				copy_page = run_start + rnd_below(run_len - 1);
				simgpu_cb_copy(&cb, win + (uint64_t)(copy_page + 1) *
					       page_size - COPY_LEN / 2,
					       copy_dst, COPY_LEN);
			}
			simgpu_cb_checksum(&cb, win + (uint64_t)run_start *
					   page_size,
					   (uint64_t)run_len * page_size, sum_dst);
		} else {
			simgpu_cb_nop(&cb, 1);
		}
		if (cb.error)
			wl_die("round %u: command buffer overflow", r);
		simgpu_job_init(&job, cb.va, simgpu_cb_size(&cb),
				async ? &jin : NULL, async, &jout, 1);
		wl_check(simgpu_submit(&ctx.dev, queue, &job, 1, NULL),
			 "round %u: SUBMIT", r);
		snprintf(what, sizeof(what), "the job of round %u", r);
		wl_wait_ok(&ctx, job_done, what);

		/* Check: tags where the model says, copy, checksum. */
		for (i = 0; i < ntargets; i++) {
			const struct vpage *p = &model[targets[i]];
			uint64_t got;

			memcpy(&got, page_cpu(p) + tslot[i] * 8, 8);
			if (got != (tag_base | i))
				wl_wrong("round %u: the tag written at VA page %u "
					 "is not in BO %d page %u (found 0x%016"
					 PRIx64 "): the mapping is wrong", r,
					 targets[i], p->bo, p->pg, got);
		}
		if (copy_page >= 0) {
			memcpy(want, page_cpu(&model[copy_page]) + page_size -
			       COPY_LEN / 2, COPY_LEN / 2);
			memcpy(want + COPY_LEN / 2, page_cpu(&model[copy_page + 1]),
			       COPY_LEN / 2);
			snprintf(what, sizeof(what),
				 "round %u: COPY across VA pages %d/%d", r,
				 copy_page, copy_page + 1);
			wl_expect_mem(what, (uint8_t *)res.map + (copy_dst - res.va),
				      want, COPY_LEN);
		}
		if (run_start >= 0) {
			uint64_t h = DRM_SIMGPU_HASH_INIT, got;
			int p;

			for (p = run_start; p < run_start + run_len; p++)
				h = simgpu_hash(h, page_cpu(&model[p]), page_size);
			memcpy(&got, (uint8_t *)res.map + (sum_dst - res.va), 8);
			if (got != h)
				wl_wrong("round %u: CHECKSUM of VA pages %d+%d is 0x%016"
					 PRIx64 ", expected 0x%016" PRIx64, r,
					 run_start, run_len, got, h);
		}

		if (check_unmapped && r % 4 == 3) {
			int u = pick_unmapped();

			if (u >= 0) {
				simgpu_cb_reset(&cb);
				simgpu_cb_checksum(&cb, win + (uint64_t)u * page_size,
						   8, res.va);
				simgpu_job_init(&job, cb.va, simgpu_cb_size(&cb),
						NULL, 0, &jout, 1);
				wl_check(simgpu_submit(&ctx.dev, queue, &job, 1,
						       NULL),
					 "round %u: SUBMIT (unmapped read)", r);
				wl_check(simgpu_syncobj_wait_status(&ctx.dev,
						job_done, WL_WAIT_NS, &status),
					 "waiting for the unmapped read");
				if (status != -EFAULT)
					wl_wrong("round %u: reading unmapped VA page %d "
						 "gave fence status %d, expected %d "
						 "(-EFAULT, a GPU fault)", r, u,
						 status, -EFAULT);
				stat_faults++;
			}
		}
	}

	/* Everything goes in one unmap; then nothing may be readable. */
	{
		struct drm_simgpu_vm_bind_op op;

		simgpu_bind_op_unmap(&op, win, (uint64_t)npages * page_size);
		wl_check(simgpu_vm_bind(&ctx.dev, ctx.vm, 0, &op, 1, NULL, 0,
					NULL, 0), "VM_BIND unmap of the window");
		stat_unmaps++;
		nops_total++;
	}
	if (check_unmapped) {
		struct simgpu_cmdbuf cb;
		struct drm_simgpu_job job;
		struct drm_simgpu_sync out = simgpu_sync(job_done, 0);
		int status;

		simgpu_cb_init(&cb, cmd.map, cmd.va, cmd.size);
		simgpu_cb_checksum(&cb, win, (uint64_t)npages * page_size, res.va);
		simgpu_job_init(&job, cb.va, simgpu_cb_size(&cb), NULL, 0,
				&out, 1);
		wl_check(simgpu_submit(&ctx.dev, queue, &job, 1, NULL),
			 "SUBMIT (read of the unmapped window)");
		wl_check(simgpu_syncobj_wait_status(&ctx.dev, job_done,
						    WL_WAIT_NS, &status),
			 "waiting for the read of the unmapped window");
		if (status != -EFAULT)
			wl_wrong("reading the unmapped window gave fence status %d, "
				 "expected %d (-EFAULT)", status, -EFAULT);
		stat_faults++;
	}

	wl_check(simgpu_syncobj_destroy(&ctx.dev, job_done), "SYNCOBJ_DESTROY");
	wl_check(simgpu_syncobj_destroy(&ctx.dev, bind_done), "SYNCOBJ_DESTROY");
	wl_check(simgpu_queue_destroy(&ctx.dev, queue), "QUEUE_DESTROY");
	for (i = 0; i < NBO; i++)
		wl_bo_free(&ctx, &bos[i]);
	wl_bo_free(&ctx, &res);
	wl_bo_free(&ctx, &cmd);
	wl_ctx_close(&ctx);
	free(model);

	printf("%s: %u rounds, %" PRIu64 " ops (%" PRIu64 " maps, %" PRIu64
	       " unmaps, %" PRIu64 " splits, %" PRIu64 " async binds, %" PRIu64
	       " expected faults): all results correct\n", wl_prog, rounds,
	       nops_total, stat_maps, stat_unmaps, stat_splits, stat_async,
	       stat_faults);
	return 0;
}
