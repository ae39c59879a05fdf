/*
 * replay/engine.c: ordering, pacing and the replay loop.
 *
 * Order. Calls from every captured thread are replayed by one thread, in
 * the capture's global order: by the time each call began, except a wait
 * (a call with a timeout: syncobj waits, vblank waits) that was still
 * blocked when another thread began a call: it is placed where it
 * returned. Replaying it where it began would block the only replay thread
 * on work that comes later in the list (another thread's submission that
 * signals it); placed at its end, it waits where the capture's wait ended,
 * and waits happen where they happened. Other calls keep their place even
 * when they overlapped: their effects (a fence attached, an object made)
 * may be what the other thread relied on.
 *
 * Pacing. --pace=fast issues each call as soon as the previous one returned.
 * --pace=capture sleeps until the call's captured time (relative to the
 * first replayed call) on the replay's monotonic clock, so the gaps the
 * program left between calls (frame pacing, CPU work) are kept; a replay
 * that falls behind does not sleep to catch up.
 *
 * Subsets. --from/--from-submit start the measured range at a time or a
 * submission. Calls before it that create, bind or destroy objects are
 * replayed (the range needs those objects), as fast as possible; GPU work,
 * KMS commits and waits before it are skipped, and syncobjs that skipped
 * work would have signalled are signalled by the replay before the range
 * starts (buffer contents come from the snapshots). --to/--to-submit end it.
 *
 * The loop. Everything it needs was prepared before (plans, loaded blobs,
 * opened devices); per call it sleeps if pacing, restores buffers the call
 * reads, copies the argument memory, remaps ids, calls ioctl(), records the
 * returned ids and compares the result, and after a sync call the result
 * buffers (bufcheck.c). No SQL runs until the loop is over.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "replay_internal.h"

int64_t rp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------------ devices */

struct cand {
	char path[64];
	char driver[64];
	bool render, accel, given;
	bool taken;
};

static bool driver_of(const char *path, char *name, size_t len)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	drmVersionPtr v;

	if (fd < 0)
		return false;
	v = drmGetVersion(fd);
	close(fd);
	if (!v)
		return false;
	snprintf(name, len, "%s", v->name ? v->name : "");
	drmFreeVersion(v);
	return true;
}

static void add_cand(struct cand *c, unsigned *n, unsigned max, const char *path, bool given)
{
	const char *base = strrchr(path, '/');
	unsigned i;

	base = base ? base + 1 : path;
	if (*n >= max)
		return;
	for (i = 0; i < *n; i++)
		if (!strcmp(c[i].path, path))
			return;
	memset(&c[*n], 0, sizeof(c[*n]));
	snprintf(c[*n].path, sizeof(c[*n].path), "%s", path);
	if (!driver_of(path, c[*n].driver, sizeof(c[*n].driver)))
		return;
	c[*n].render = !strncmp(base, "renderD", 7);
	c[*n].accel = !strncmp(path, "/dev/accel/", 11);
	c[*n].given = given;
	(*n)++;
}

static void scan_dir(struct cand *c, unsigned *n, unsigned max, const char *dir,
		     const char *prefix)
{
	struct dirent **list = NULL;
	int k, cnt = scandir(dir, &list, NULL, alphasort);

	for (k = 0; k < cnt; k++) {
		char path[300];

		if (!strncmp(list[k]->d_name, prefix, strlen(prefix))) {
			snprintf(path, sizeof(path), "%s/%s", dir, list[k]->d_name);
			add_cand(c, n, max, path, false);
		}
		free(list[k]);
	}
	free(list);
}

int rp_match_devices(struct rp_capture *cap, const struct rp_options *opt,
		     char **paths, struct rp_err *err)
{
	struct cand c[64];
	unsigned n = 0, i, d;
	bool *used;

	used = calloc(cap->ndevices + 1, sizeof(*used));
	if (!used) {
		rp_errf(err, "out of memory");
		return -1;
	}
	for (i = 0; i < cap->nfiles; i++)
		used[cap->files[i].device] = true;
	for (i = 0; i < opt->ndevices; i++) {
		unsigned before = n;

		add_cand(c, &n, 64, opt->devices[i], true);
		if (n == before) {
			rp_errf(err, "--device %s: cannot open it or ask its DRM driver (%s)",
				opt->devices[i], strerror(errno));
			goto fail;
		}
	}
	scan_dir(c, &n, 64, "/dev/dri", "renderD");
	scan_dir(c, &n, 64, "/dev/dri", "card");
	scan_dir(c, &n, 64, "/dev/accel", "accel");

	for (d = 0; d < cap->ndevices; d++) {
		const struct rp_device *dev = &cap->devices[d];
		int best = -1, score = -1;

		if (!used[d])
			continue;
		for (i = 0; i < n; i++) {
			int s = 0;

			if (!dev->driver || strcmp(dev->driver, c[i].driver)) {
				/* One captured device and one --device: the user decides. */
				if (!(c[i].given && opt->ndevices == 1))
					continue;
			} else {
				s += 8;
			}
			if (c[i].given)
				s += 16;
			if (c[i].render == dev->render && c[i].accel == dev->accel)
				s += 4;
			if (!c[i].taken)
				s += 2;
			if (s > score) {
				score = s;
				best = (int)i;
			}
		}
		if (best < 0) {
			rp_errf(err, "no device here has the driver of captured device %" PRId64
				" (%s, driver %s); load it, or name a node with --device",
				dev->id, dev->path ? dev->path : "?",
				dev->driver ? dev->driver : "unknown");
			goto fail;
		}
		if (!c[best].given && (c[best].render != dev->render)) {
			fprintf(stderr, "drmscope replay: note: captured %s is replayed on %s\n",
				dev->path ? dev->path : "?", c[best].path);
		}
		if (dev->driver && strcmp(dev->driver, c[best].driver))
			fprintf(stderr, "drmscope replay: warning: captured device %s had driver %s;"
				" replaying on %s (driver %s)\n", dev->path ? dev->path : "?",
				dev->driver, c[best].path, c[best].driver);
		c[best].taken = true;
		paths[d] = strdup(c[best].path);
		if (!paths[d]) {
			rp_errf(err, "out of memory");
			goto fail;
		}
	}
	free(used);
	return 0;
fail:
	free(used);
	return -1;
}

/* ------------------------------------------------------------ order */

static const struct rp_capture *order_cap;

static int cmp_order(const void *a, const void *b)
{
	const struct rp_call *x = &order_cap->calls[*(const uint32_t *)a];
	const struct rp_call *y = &order_cap->calls[*(const uint32_t *)b];

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_begin(const void *a, const void *b)
{
	const struct rp_call *x = &order_cap->calls[*(const uint32_t *)a];
	const struct rp_call *y = &order_cap->calls[*(const uint32_t *)b];

	if (x->begin_ns != y->begin_ns)
		return x->begin_ns < y->begin_ns ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static bool desc_waits(const struct ds_uapi_ioctl *d)
{
	uint32_t i;

	if (!d || !d->arg)
		return false;
	for (i = 0; i < d->arg->nfields; i++)
		if (d->arg->fields[i].kind == DS_UAPI_TIMEOUT)
			return true;
	return !strcmp(d->name, "DRM_IOCTL_WAIT_VBLANK");
}

int rp_order(struct rp_capture *cap, const struct rp_options *opt, struct rp_err *err)
{
	size_t n = cap->ncalls, i, j, start = 0, end;
	uint32_t *by_begin;

	cap->order = malloc((n + 1) * sizeof(*cap->order));
	by_begin = malloc((n + 1) * sizeof(*by_begin));
	if (!cap->order || !by_begin) {
		free(by_begin);
		rp_errf(err, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		by_begin[i] = (uint32_t)i;
		cap->calls[i].key = cap->calls[i].begin_ns;
		cap->calls[i].is_wait = desc_waits(cap->calls[i].desc);
	}
	order_cap = cap;
	qsort(by_begin, n, sizeof(*by_begin), cmp_begin);
	/*
	 * A wait still blocked when another thread began a call is placed at
	 * its end. Only waits: any other call keeps its place, because what
	 * it did (attach a fence, create an object) may be what the other
	 * thread's call, begun meanwhile, relied on.
	 */
	for (i = 0; i < n; i++) {
		struct rp_call *c = &cap->calls[by_begin[i]];

		if (!c->is_wait || !c->returned || c->end_ns <= c->begin_ns)
			continue;
		for (j = i + 1; j < n && cap->calls[by_begin[j]].begin_ns < c->end_ns; j++)
			if (cap->calls[by_begin[j]].tid != c->tid) {
				c->key = c->end_ns;
				break;
			}
	}
	free(by_begin);
	for (i = 0; i < n; i++)
		cap->order[i] = (uint32_t)i;
	qsort(cap->order, n, sizeof(*cap->order), cmp_order);
	cap->first_ns = n ? cap->calls[cap->order[0]].key : 0;

	cap->nsubmits = 0;
	for (i = 0; i < n; i++) {
		struct rp_call *c = &cap->calls[cap->order[i]];

		if (c->desc && (c->desc->flags & DS_UAPI_I_SUBMIT))
			c->submit_no = ++cap->nsubmits;
	}

	/* The range [start, end) of the order. */
	end = n;
	for (i = 0; i < n; i++) {
		const struct rp_call *c = &cap->calls[cap->order[i]];

		if (opt->have_from_ns && c->key - cap->first_ns < opt->from_ns)
			start = i + 1;
		if (opt->from_submit && c->submit_no && c->submit_no < opt->from_submit)
			start = i + 1;
	}
	if (opt->from_submit) {
		if (opt->from_submit > cap->nsubmits) {
			rp_errf(err, "--from-submit %" PRIu64 ": the capture has %" PRIu64
				" submissions", opt->from_submit, cap->nsubmits);
			return -1;
		}
		/* Start exactly at submission N. */
		for (i = 0; i < n; i++)
			if (cap->calls[cap->order[i]].submit_no == opt->from_submit) {
				start = i;
				break;
			}
	}
	for (i = start; i < n; i++) {
		const struct rp_call *c = &cap->calls[cap->order[i]];

		if ((opt->have_to_ns && c->key - cap->first_ns >= opt->to_ns) ||
		    (opt->to_submit && c->submit_no > opt->to_submit)) {
			end = i;
			break;
		}
	}
	if (opt->to_submit && opt->to_submit > cap->nsubmits)
		fprintf(stderr, "drmscope replay: note: --to-submit %" PRIu64 ": the capture has"
			" only %" PRIu64 " submissions\n", opt->to_submit, cap->nsubmits);
	if (start >= end && n) {
		rp_errf(err, "the range selected by --from/--to holds no call");
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct rp_call *c = &cap->calls[cap->order[i]];

		/*
		 * Submissions skipped before the range shift the sequence numbers
		 * the later ones return: their outputs are not compared (their
		 * jobs' results still are).
		 */
		if (start && c->desc && (c->desc->flags & DS_UAPI_I_SUBMIT))
			c->no_out_check = true;
		if (i >= end) {
			c->skip = RP_SKIP_RANGE;
		} else if (i < start) {
			c->setup = true;
			if ((c->desc && (c->desc->flags & (DS_UAPI_I_SUBMIT | DS_UAPI_I_KMS_COMMIT))) ||
			    c->is_wait)
				c->skip = RP_SKIP_PREFIX;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ the loop */

static void sleep_until(int64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000, .tv_nsec = t % 1000000000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Read the DRM events (page flips) a previous commit asked for. */
static void drain_events(struct rp_rfile *f)
{
	char buf[1024];

	while (f->pending_events) {
		struct pollfd p = { .fd = f->fd, .events = POLLIN };
		ssize_t n, off = 0;

		if (poll(&p, 1, 2000) <= 0) {
			f->pending_events = 0;
			return;
		}
		n = read(f->fd, buf, sizeof(buf));
		if (n <= 0) {
			f->pending_events = 0;
			return;
		}
		while (off + 8 <= n) {
			uint32_t type, len;

			memcpy(&type, buf + off, 4);
			memcpy(&len, buf + off + 4, 4);
			if (len < 8)
				break;
			if (f->pending_events)
				f->pending_events--;
			off += len;
		}
	}
}

/*
 * Every call's argument memory back to its state before the call: the
 * recorded struct, the pointer fields patched to the replay's arrays, the
 * arrays the kernel writes zeroed or refreshed. Done for all calls before
 * each run, so the loop itself only remaps ids.
 */
static void reset_args(const struct rp_capture *cap)
{
	size_t k;
	uint32_t i;

	for (k = 0; k < cap->ncalls; k++) {
		const struct rp_call *c = &cap->calls[k];
		const struct rp_plan *p = c->plan;

		if (!p || c->skip)
			continue;
		if (p->arg_size) {
			if (c->in)
				memcpy(p->arg, c->in, p->arg_size);
			else
				memset(p->arg, 0, p->arg_size);
		}
		for (i = 0; i < p->nnodes; i++) {
			const struct rp_node *n = &p->nodes[i];

			if (n->recopy)
				memcpy(n->buf, n->cap_in, n->size);
			else if (!n->cap_in)
				memset(n->buf, 0, n->size);
		}
		for (i = 0; i < p->npatches; i++)
			memcpy(p->patches[i].loc, &p->patches[i].val, p->patches[i].size);
	}
}

/* ------------------------------------------------------------ the clock */

/*
 * Per-call timestamps. clock_gettime() is cheap, but the TSC is cheaper
 * still and touches no vDSO page, which matters in a VM where every page a
 * loop touches costs (a soft TLB refilled after each syscall). When the
 * kernel itself keeps time with the TSC (clocksource "tsc"), the loop reads
 * it and the ticks are mapped onto CLOCK_MONOTONIC afterwards by linear
 * interpolation between anchors taken every RP_ANCHOR_EVERY calls.
 * DRMSCOPE_REPLAY_CLOCK=monotonic forces clock_gettime().
 */
#define RP_ANCHOR_EVERY 256

struct anchor {
	size_t idx;		/* order index of the first call after it */
	uint64_t tick;
	int64_t ns;
};

static bool use_tsc(void)
{
#if defined(__x86_64__)
	static int decided = -1;
	char buf[32] = "";
	const char *env = getenv("DRMSCOPE_REPLAY_CLOCK");
	FILE *f;

	if (decided >= 0)
		return decided;
	decided = 0;
	if (env && !strcmp(env, "monotonic"))
		return false;
	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f) && !strncmp(buf, "tsc", 3) &&
		    (buf[3] == '\n' || !buf[3]))
			decided = 1;
		fclose(f);
	}
	return decided;
#else
	return false;
#endif
}

static inline uint64_t tick_now(bool tsc)
{
#if defined(__x86_64__)
	if (tsc) {
		uint32_t lo, hi;

		__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
		return ((uint64_t)hi << 32) | lo;
	}
#endif
	(void)tsc;
	return (uint64_t)rp_now_ns();
}

static void take_anchor(struct anchor *a, size_t idx, bool tsc)
{
	a->idx = idx;
	a->tick = tick_now(tsc);
	a->ns = rp_now_ns();
}

static int64_t tick_to_ns(const struct anchor *a, const struct anchor *b, uint64_t t)
{
	double rate;

	if (b->tick <= a->tick)
		return a->ns;
	rate = (double)(b->ns - a->ns) / (double)(b->tick - a->tick);
	return a->ns + (int64_t)(((double)(int64_t)(t - a->tick)) * rate);
}

/* Quick: do the outputs differ from the capture's anywhere? */
static inline bool same_bytes(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	uint64_t x, y;

	for (; n >= 8; n -= 8, a += 8, b += 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	for (; n; n--)
		if (*a++ != *b++)
			return false;
	return true;
}

/* One replayed call as the loop sees it: everything in one place. */
enum {
	STEP_SLOTS = 1,		/* ids to remap */
	STEP_SNAP = 2,		/* buffers to restore first */
	STEP_KMS = 4,		/* a KMS commit or flip: events */
	STEP_SETUP = 8,		/* before --from: not paced */
	STEP_SUBMIT = 16,	/* keep its queue id and seqno */
	STEP_RESULTS = 32,	/* result buffers to compare after it */
};

struct rp_step {
	const struct rp_call *c;
	const struct rp_plan *p;
	void *arg;
	const struct rp_cmp *cmps;
	uint32_t ncmps;
	uint32_t request;
	int fd;
	uint32_t order;		/* index in cap->order */
	uint8_t flags;
	bool returned;
	bool cmp_all;
	int cap_err;
	int64_t cap_ret;
	/* filled by the loop */
	uint64_t b, e;
	int ret, err;
};

static inline bool needs_check(const struct rp_step *st, int ret, int err)
{
	uint32_t i;

	if (!st->returned)
		return false;
	if ((ret >= 0) != (st->cap_ret >= 0) || (ret < 0 && err != st->cap_err) ||
	    (ret >= 0 && ret != st->cap_ret))
		return true;
	if (ret < 0)
		return false;
	if (st->cmp_all)
		return true;
	for (i = 0; i < st->ncmps; i++)
		if (!same_bytes(st->cmps[i].mine, st->cmps[i].cap, st->cmps[i].len))
			return true;
	return false;
}

/* Syncobjs that work skipped before --from would have signalled. */
struct sig {
	uint32_t file, handle;
	uint64_t point;
};

static void signal_skipped(struct rp_run *run)
{
	const struct rp_capture *cap = run->cap;
	struct sig *sigs = NULL;
	size_t nsig = 0, capsig = 0, i, k;
	uint32_t s;

	for (i = 0; i < cap->ncalls; i++) {
		const struct rp_call *c = &cap->calls[i];
		const struct rp_plan *p = c->plan;

		if (c->skip != RP_SKIP_PREFIX || !p)
			continue;
		for (s = 0; s < p->nslots; s++) {
			const struct rp_slot *sl = &p->slots[s];
			uint64_t point = 0, v;

			if (sl->cls != RP_C_SYNCOBJ || !sl->cap_in)
				continue;
			/* A timeline point beside the handle, in the same element. */
			if (sl->node >= 0) {
				const struct rp_node *n = &p->nodes[sl->node];
				const struct ds_uapi_struct *e = n->array->elem;
				uint32_t f;

				for (f = 0; e && f < e->nfields; f++)
					if (strstr(e->fields[f].name, "point") &&
					    !ds_uapi_field_get(&e->fields[f], n->cap_in ?
							       n->cap_in + (size_t)sl->elem * n->stride :
							       n->buf, n->stride, 0, &v))
						point = v;
			}
			for (k = 0; k < nsig; k++)
				if (sigs[k].file == sl->ns && sigs[k].handle == sl->cap_in)
					break;
			if (k == nsig) {
				if (nsig == capsig) {
					size_t nc = capsig ? capsig * 2 : 16;
					struct sig *ns = realloc(sigs, nc * sizeof(*ns));

					if (!ns)
						goto out;
					sigs = ns;
					capsig = nc;
				}
				sigs[nsig++] = (struct sig){ .file = sl->ns, .handle = (uint32_t)sl->cap_in };
			}
			if (point > sigs[k].point)
				sigs[k].point = point;
		}
	}
	for (k = 0; k < nsig; k++) {
		uint64_t h;
		int fd = run->files[sigs[k].file].fd;
		uint32_t h32;

		if (!rp_map_get(&run->map, RP_C_SYNCOBJ, sigs[k].file, sigs[k].handle, &h))
			continue;
		h32 = (uint32_t)h;
		if (sigs[k].point)
			drmSyncobjTimelineSignal(fd, &h32, &sigs[k].point, 1);
		else
			drmSyncobjSignal(fd, &h32, 1);
	}
out:
	free(sigs);
}

static void close_fd_cb(void *ctx, uint32_t ns, uint64_t cap, uint64_t val)
{
	(void)ctx;
	(void)ns;
	(void)cap;
	if ((int64_t)val > 2)
		close((int)val);
}

int rp_run_once(struct rp_run *run, char **paths)
{
	struct rp_capture *cap = run->cap;
	const struct rp_options *opt = run->opt;
	int64_t key0 = 0;
	bool started = false, tsc;
	bool pace = opt->pace == RP_PACE_CAPTURE, stop = opt->on_error == RP_ON_ERROR_STOP;
	struct anchor *anchors;
	struct rp_step *steps;
	size_t i, k, nanchors = 0, nsteps = 0, done_steps, mismatches = 0;
	int rc = 0;

	run->files = calloc(cap->nfiles + 1, sizeof(*run->files));
	run->res = calloc(cap->ncalls + 1, sizeof(*run->res));
	if (!run->files || !run->res || rp_map_init(&run->map, 4096)) {
		snprintf(run->err, sizeof(run->err), "out of memory");
		return -1;
	}
	for (i = 0; i < cap->nfiles; i++)
		run->files[i].fd = -1;
	for (i = 0; i < cap->nfiles; i++) {
		const char *path = paths[cap->files[i].device];

		run->files[i].device = cap->files[i].device;
		run->files[i].fd = path ? open(path, O_RDWR | O_CLOEXEC) : -1;
		if (run->files[i].fd < 0) {
			snprintf(run->err, sizeof(run->err), "cannot open %s: %s",
				 path ? path : "(no device)", strerror(path ? errno : ENODEV));
			return -1;	/* rp_run_close() closes what was opened */
		}
	}

	tsc = use_tsc();
	steps = calloc(cap->ncalls + 1, sizeof(*steps));
	anchors = calloc(cap->ncalls / RP_ANCHOR_EVERY + 3, sizeof(*anchors));
	if (!anchors || !steps) {
		free(steps);
		free(anchors);
		snprintf(run->err, sizeof(run->err), "out of memory");
		return -1;
	}
	/* What the loop needs, call after call, in one sequential array. */
	for (i = 0; i < cap->ncalls; i++) {
		const struct rp_call *c = &cap->calls[cap->order[i]];
		struct rp_step *st;

		if (c->skip || !c->plan) {
			run->res[cap->order[i]].state = RP_SKIPPED;
			continue;
		}
		st = &steps[nsteps++];
		st->c = c;
		st->p = c->plan;
		st->arg = c->plan->arg;
		st->request = c->request;
		st->fd = run->files[c->file].fd;
		st->order = (uint32_t)i;
		st->flags = (c->plan->nslots ? STEP_SLOTS : 0) | (c->nsnap ? STEP_SNAP : 0) |
			    (c->plan->kms_commit || c->plan->wants_event ? STEP_KMS : 0) |
			    (c->setup ? STEP_SETUP : 0) |
			    (c->nres && !opt->no_buffer_check ? STEP_RESULTS : 0) |
			    (c->plan->queue_slot >= 0 || c->plan->seqno_off >= 0 ? STEP_SUBMIT : 0);
		st->returned = c->returned;
		st->cap_ret = c->ret;
		st->cap_err = c->err;
		st->cmps = c->out && !c->no_out_check && c->returned && c->ret >= 0 ? c->plan->cmps : NULL;
		st->ncmps = st->cmps ? c->plan->ncmps : 0;
		st->cmp_all = c->out && !c->no_out_check && c->plan->cmp_all;
	}
	reset_args(cap);
	take_anchor(&anchors[nanchors++], 0, tsc);

	for (k = 0; k < nsteps; k++) {
		struct rp_step *st = &steps[k];
		char note[160];
		char rmsg[256];
		int ret, err;
		bool check, results;

		if (k >= anchors[nanchors - 1].idx + RP_ANCHOR_EVERY)
			take_anchor(&anchors[nanchors++], k, tsc);
		note[0] = 0;
		rmsg[0] = 0;
		if (!(st->flags & STEP_SETUP)) {
			if (!started) {
				started = true;
				signal_skipped(run);
				key0 = st->c->key;
				run->t0_ns = rp_now_ns();
			}
			if (pace) {
				int64_t target = run->t0_ns + (st->c->key - key0);

				if (target > rp_now_ns())
					sleep_until(target);
			}
		}
		if (st->flags & (STEP_SNAP | STEP_KMS | STEP_SLOTS)) {
			if (st->flags & STEP_SNAP) {
				int64_t t = rp_now_ns();

				rp_restore(run, st->c, rmsg, sizeof(rmsg));
				run->restore_ns += rp_now_ns() - t;
			}
			if ((st->flags & STEP_KMS) && st->p->kms_commit &&
			    run->files[st->c->file].pending_events)
				drain_events(&run->files[st->c->file]);
			if (st->flags & STEP_SLOTS)
				rp_slots_in(run, st->c, note, sizeof(note));
		}

		st->b = tick_now(tsc);
		do {
			ret = ioctl(st->fd, (unsigned long)st->request, st->arg);
			err = ret < 0 ? errno : 0;
		} while (ret < 0 && (err == EINTR || err == EAGAIN));
		st->e = tick_now(tsc);
		st->ret = ret;
		st->err = err;

		if (ret >= 0 && (st->flags & (STEP_SLOTS | STEP_KMS))) {
			if (st->flags & STEP_SLOTS)
				rp_slots_out(run, st->c);
			if (st->p->wants_event)
				run->files[st->c->file].pending_events++;
		}
		check = rmsg[0] || needs_check(st, ret, err);
		/* What the work a sync call waited for left in the buffers. */
		results = (st->flags & STEP_RESULTS) && ret >= 0 && st->returned &&
			  st->cap_ret >= 0;
		if (check || results) {
			struct rp_result *r = &run->res[cap->order[st->order]];

			if (check)
				r->mismatch = rp_check_call(run, st->c, ret, err,
							    note[0] ? note : rmsg);
			if (rmsg[0] && !r->mismatch && st->returned && st->cap_ret >= 0)
				rp_append(&r->mismatch, "buffer restore: %s", rmsg);
			if (results) {
				int64_t t = rp_now_ns();

				rp_check_results(run, st->c, &r->mismatch);
				run->check_ns += rp_now_ns() - t;
			}
			if (r->mismatch) {
				mismatches++;
				if (ret < 0 && st->cap_ret >= 0)
					run->failed++;
				if (stop) {
					run->stopped = true;
					k++;
					break;
				}
			}
		}
	}
	done_steps = k;
	take_anchor(&anchors[nanchors++], k, tsc);

	/* The results, with ticks mapped to CLOCK_MONOTONIC between anchors. */
	{
		size_t a = 0;

		for (k = 0; k < done_steps; k++) {
			const struct rp_step *st = &steps[k];
			struct rp_result *r = &run->res[cap->order[st->order]];
			const struct rp_plan *p = st->p;

			while (a + 2 < nanchors && anchors[a + 1].idx <= k)
				a++;
			r->begin_ns = tsc ? tick_to_ns(&anchors[a], &anchors[a + 1], st->b) : (int64_t)st->b;
			r->end_ns = tsc ? tick_to_ns(&anchors[a], &anchors[a + 1], st->e) : (int64_t)st->e;
			r->ret = st->ret;
			r->err = st->err;
			r->state = (st->flags & STEP_SETUP) ? RP_SETUP : RP_DONE;
			if (st->ret >= 0 && (st->flags & STEP_SUBMIT)) {
				if (p->queue_slot >= 0) {
					const struct rp_slot *qs = &p->slots[p->queue_slot];
					uint32_t q = 0;

					memcpy(&q, qs->loc, qs->size < 4 ? qs->size : 4);
					r->queue = q;
				}
				if (p->seqno_off >= 0)
					memcpy(&r->seqno, p->arg + p->seqno_off, 8);
			}
		}
	}
	run->calls_done = done_steps;
	run->mismatches += mismatches;
	free(anchors);
	free(steps);
	return rc;
}

/* Close what the run opened: mappings, received fds, the DRM files. */
void rp_run_close(struct rp_run *run)
{
	size_t i;

	rp_bos_release(run);
	if (run->map.tab)
		rp_map_each(&run->map, RP_C_FD, close_fd_cb, NULL);
	for (i = 0; run->files && i < run->cap->nfiles; i++) {
		if (run->files[i].pending_events)
			drain_events(&run->files[i]);
		if (run->files[i].fd >= 0)
			close(run->files[i].fd);
		run->files[i].fd = -1;
	}
}
