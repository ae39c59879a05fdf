/*
 * workloads/simgpu-frames.c: a frame loop on simgpu.
 *
 * Renders N "frames" paced to a target frame rate, the way a game's render
 * thread drives a driver: a few frames in flight, each with its own
 * command-buffer slot and framebuffer BO that are reused once the frame
 * that last used them is done, command buffers rewritten every frame (the
 * fill colour, the frame number and the addresses change), and one timeline
 * syncobj whose point N+1 signals when frame N is done (each frame also
 * waits for the previous point, as a present would).
 *
 * A frame: FILL the framebuffer with the frame's colour, WRITE_IMM a header,
 * COPY a "tile" to the middle (a blit), DELAY for the render time, CHECKSUM
 * the framebuffer into the frame's result record and write the frame number
 * there last. Before a slot is reused, and at the end, each frame is
 * checked: framebuffer content (CPU mapping), checksum and frame number.
 *
 * Prints the achieved frame rate. Exit status: 0 when every frame is right,
 * 1 on a wrong result or any failure.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_common.h"

#define MAX_INFLIGHT	8
#define CMD_SLOT	4096
#define TILE		256
#define FB_MAGIC	0xf4a3e000ull
#define REC_SIZE	16	/* per frame: u64 checksum, u32 frame + 1, pad */

struct frame_slot {
	struct simgpu_bo fb;
	struct simgpu_cmdbuf cb;
	int64_t frame;		/* frame using it, -1 if none */
};

struct frames {
	struct wl_ctx ctx;
	uint32_t queue;
	uint32_t timeline;
	struct simgpu_bo cmd, results;
	struct frame_slot slot[MAX_INFLIGHT];
	unsigned int inflight;
	uint64_t fb_size;
	uint64_t render_ns;
	uint8_t *want;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: simgpu-frames [OPTIONS]\n"
"Render N frames of simgpu jobs paced to a target frame rate, rewriting the\n"
"command buffers every frame, check every frame and print the achieved fps.\n"
"\n"
"  -d, --device PATH       render node (default: find simgpu; $SIMGPU_DEVICE)\n"
"  -n, --frames N          frames to render (default 60)\n"
"  -r, --fps FPS           target frame rate; 0 = as fast as possible (default 60)\n"
"  -f, --frames-in-flight K  frames queued ahead (1..%d, default 3)\n"
"  -s, --fb-size BYTES     framebuffer size (default 65536)\n"
"  -R, --render-ns NS      GPU time of a frame, a DELAY command (default 1000000)\n"
"  -v, --verbose           print each frame\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 all frames right, 1 a wrong result or any failure.\n",
		MAX_INFLIGHT);
}

static uint32_t frame_color(uint64_t frame)
{
	return 0x10203040u + (uint32_t)frame * 0x01030507u;
}

/* The framebuffer a frame leaves, computed on the CPU. */
static void model_frame(const struct frames *fr, uint64_t frame, uint8_t *p)
{
	uint32_t color = frame_color(frame);
	uint64_t hdr = (FB_MAGIC << 32) | frame;
	uint64_t i;

	for (i = 0; i < fr->fb_size; i++)
		p[i] = color >> (8 * (i % 4));
	memcpy(p, &hdr, 8);
	memmove(p + fr->fb_size / 2, p, TILE);
}

static void check_frame(struct frames *fr, struct frame_slot *s)
{
	const uint8_t *rec;
	uint64_t frame = s->frame, sum, want_sum;
	uint32_t done;
	char what[64];

	if (s->frame < 0)
		return;
	model_frame(fr, frame, fr->want);
	snprintf(what, sizeof(what), "frame %" PRIu64 " framebuffer", frame);
	wl_expect_mem(what, s->fb.map, fr->want, fr->fb_size);

	rec = (const uint8_t *)fr->results.map + frame * REC_SIZE;
	memcpy(&sum, rec, 8);
	memcpy(&done, rec + 8, 4);
	want_sum = simgpu_hash(DRM_SIMGPU_HASH_INIT, fr->want, fr->fb_size);
	if (sum != want_sum)
		wl_wrong("frame %" PRIu64 ": CHECKSUM 0x%016" PRIx64
			 ", expected 0x%016" PRIx64, frame, sum, want_sum);
	if (done != frame + 1)
		wl_wrong("frame %" PRIu64 ": frame marker %u, expected %" PRIu64,
			 frame, done, frame + 1);
	wl_info("frame %" PRIu64 " ok (checksum 0x%016" PRIx64 ")", frame, sum);
	s->frame = -1;
}

static void submit_frame(struct frames *fr, uint64_t frame)
{
	struct frame_slot *s = &fr->slot[frame % fr->inflight];
	struct drm_simgpu_sync in = simgpu_sync(fr->timeline, frame);
	struct drm_simgpu_sync out = simgpu_sync(fr->timeline, frame + 1);
	uint64_t rec = fr->results.va + frame * REC_SIZE;
	struct drm_simgpu_job job;
	uint64_t fb = s->fb.va;

	/* The slot's previous frame must be done before we touch it. */
	if (s->frame >= 0) {
		wl_wait_point(&fr->ctx, fr->timeline, s->frame + 1, 0,
			      "an earlier frame");
		check_frame(fr, s);
	}

	simgpu_cb_reset(&s->cb);
	simgpu_cb_fill(&s->cb, fb, fr->fb_size, frame_color(frame));
	simgpu_cb_write64(&s->cb, fb, (FB_MAGIC << 32) | frame);
	simgpu_cb_copy(&s->cb, fb, fb + fr->fb_size / 2, TILE);
	if (fr->render_ns)
		simgpu_cb_delay(&s->cb, fr->render_ns);
	simgpu_cb_checksum(&s->cb, fb, fr->fb_size, rec);
	simgpu_cb_write32(&s->cb, rec + 8, frame + 1);
	if (s->cb.error)
		wl_die("frame %" PRIu64 ": command buffer overflow", frame);

	simgpu_job_init(&job, s->cb.va, simgpu_cb_size(&s->cb),
			&in, frame ? 1 : 0, &out, 1);
	wl_check(simgpu_submit(&fr->ctx.dev, fr->queue, &job, 1, NULL),
		 "SUBMIT of frame %" PRIu64, frame);
	s->frame = frame;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "frames", required_argument, NULL, 'n' },
		{ "fps", required_argument, NULL, 'r' },
		{ "frames-in-flight", required_argument, NULL, 'f' },
		{ "fb-size", required_argument, NULL, 's' },
		{ "render-ns", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = NULL;
	uint64_t frames = 60, fps = 60, period, t0, t_end, f;
	struct frames fr;
	unsigned int i;
	double secs;
	int c;

	memset(&fr, 0, sizeof(fr));
	fr.inflight = 3;
	fr.fb_size = 65536;
	fr.render_ns = 1000000;
	wl_init(argv[0]);
	while ((c = getopt_long(argc, argv, "d:n:r:f:s:R:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			device = optarg;
			break;
		case 'n':
			frames = wl_parse_u64(optarg, "--frames", 1, 1000000);
			break;
		case 'r':
			fps = wl_parse_u64(optarg, "--fps", 0, 10000);
			break;
		case 'f':
			fr.inflight = wl_parse_u64(optarg, "--frames-in-flight",
						   1, MAX_INFLIGHT);
			break;
		case 's':
			fr.fb_size = wl_parse_u64(optarg, "--fb-size", 2 * TILE,
						  64 << 20);
			if (fr.fb_size % 8)
				wl_die("--fb-size must be a multiple of 8");
			break;
		case 'R':
			fr.render_ns = wl_parse_u64(optarg, "--render-ns", 0,
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

	wl_ctx_open(&fr.ctx, device);
	wl_print_device(&fr.ctx);
	if (fr.render_ns > fr.ctx.dev.info.max_delay_ns)
		wl_die("--render-ns is above the device's max_delay_ns %u",
		       fr.ctx.dev.info.max_delay_ns);
	wl_check(simgpu_queue_create(&fr.ctx.dev, fr.ctx.vm,
				     DRM_SIMGPU_QUEUE_PRIORITY_MEDIUM,
				     &fr.queue), "QUEUE_CREATE");
	fr.timeline = wl_syncobj(&fr.ctx, false);
	wl_bo_new(&fr.ctx, &fr.cmd, MAX_INFLIGHT * CMD_SLOT, 0, true, "command");
	wl_bo_new(&fr.ctx, &fr.results, frames * REC_SIZE, 0, true, "results");
	for (i = 0; i < fr.inflight; i++) {
		struct frame_slot *s = &fr.slot[i];

		wl_bo_new(&fr.ctx, &s->fb, fr.fb_size, 0, true, "framebuffer");
		simgpu_cb_init(&s->cb, (uint8_t *)fr.cmd.map + i * CMD_SLOT,
			       fr.cmd.va + i * CMD_SLOT, CMD_SLOT);
		s->frame = -1;
	}
	fr.want = malloc(fr.fb_size);
	if (!fr.want)
		wl_die("out of memory");

	period = fps ? 1000000000ull / fps : 0;
	t0 = simgpu_now_ns();
	for (f = 0; f < frames; f++) {
		if (period)
			wl_sleep_until(t0 + f * period);
		submit_frame(&fr, f);
	}
	wl_wait_point(&fr.ctx, fr.timeline, frames, 0, "the last frame");
	t_end = simgpu_now_ns();
	for (i = 0; i < fr.inflight; i++)
		check_frame(&fr, &fr.slot[i]);

	wl_check(simgpu_syncobj_destroy(&fr.ctx.dev, fr.timeline),
		 "SYNCOBJ_DESTROY");
	wl_check(simgpu_queue_destroy(&fr.ctx.dev, fr.queue), "QUEUE_DESTROY");
	for (i = 0; i < fr.inflight; i++)
		wl_bo_free(&fr.ctx, &fr.slot[i].fb);
	wl_bo_free(&fr.ctx, &fr.results);
	wl_bo_free(&fr.ctx, &fr.cmd);
	wl_ctx_close(&fr.ctx);
	free(fr.want);

	secs = (t_end - t0) / 1e9;
	printf("%s: %" PRIu64 " frames in %.3f s: %.1f fps (", wl_prog, frames,
	       secs, secs > 0 ? frames / secs : 0.0);
	if (fps)
		printf("target %" PRIu64 " fps", fps);
	else
		printf("unpaced");
	printf("), all frames correct\n");
	return 0;
}
