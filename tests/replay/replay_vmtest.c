/*
 * tests/replay/replay_vmtest.c: make captures with real ioctls, for the
 * replay's VM tests (vmtest.sh replays them with `drmscope replay`).
 *
 *   replay_vmtest vgem OUT.db
 *	vgem: DRM_IOCTL_VERSION, dumb buffers on the card node, flink and
 *	GEM_OPEN, PRIME export on the card node and import on the render node,
 *	GEM_CLOSE, a call that fails on purpose.
 *   replay_vmtest simgpu OUT.db [FRAMES [SLEEP_US]]
 *	simgpu: version, DEV_QUERY, VM, BOs mapped at chosen GPU addresses,
 *	a queue, binary and timeline syncobjs, FRAMES frames of one or two
 *	jobs (WRITE_IMM, FILL, COPY, CHECKSUM) with their buffers snapshotted
 *	at each submit, waits, SLEEP_US between frames, teardown; the simgpu
 *	tracepoints are recorded meanwhile and become job rows with their
 *	result hashes. Two failing calls on purpose.
 *   replay_vmtest kms OUT.db
 *	virtio-gpu card0: resources, connector, encoder, dumb buffers,
 *	framebuffers, SETCRTC, two page flips with events, teardown.
 *
 * Exit status 0 when the capture was written, 1 otherwise.
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
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <uapi/drm/simgpu_drm.h>
#include <xf86drm.h>

#include "caprec.h"

static int die(const char *what, int err)
{
	fprintf(stderr, "replay_vmtest: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

/* Make the call and insist it works. */
static int64_t must(struct caprec *r, int fdi, unsigned long req, void *arg, const char *what)
{
	int ret = 0;
	int64_t id = caprec_ioctl(r, fdi, req, arg, &ret);

	if (id < 0)
		die("recording", EIO);
	if (ret < 0)
		die(what, ret);
	return id;
}

/* Make a call that must fail with @want. */
static void must_fail(struct caprec *r, int fdi, unsigned long req, void *arg, int want,
		      const char *what)
{
	int ret = 0;

	if (caprec_ioctl(r, fdi, req, arg, &ret) < 0)
		die("recording", EIO);
	if (ret != -want) {
		fprintf(stderr, "replay_vmtest: %s returned %d, expected -%d\n", what, ret, want);
		exit(1);
	}
}

static int open_node(const char *driver, const char *prefix, char *path, size_t len)
{
	struct dirent **list = NULL;
	int n = scandir("/dev/dri", &list, NULL, alphasort), i, fd = -1;

	for (i = 0; i < n; i++) {
		if (fd < 0 && !strncmp(list[i]->d_name, prefix, strlen(prefix))) {
			int f;
			drmVersionPtr v;

			snprintf(path, len, "/dev/dri/%s", list[i]->d_name);
			f = open(path, O_RDWR | O_CLOEXEC);
			v = f >= 0 ? drmGetVersion(f) : NULL;
			if (v && !strcmp(v->name, driver))
				fd = f;
			else if (f >= 0)
				close(f);
			if (v)
				drmFreeVersion(v);
		}
		free(list[i]);
	}
	free(list);
	return fd;
}

static void version(struct caprec *r, int fdi)
{
	struct drm_version v = { 0 };
	char name[64], date[64], desc[128];

	must(r, fdi, DRM_IOCTL_VERSION, &v, "DRM_IOCTL_VERSION (lengths)");
	v.name = name;
	v.name_len = sizeof(name);
	v.date = date;
	v.date_len = sizeof(date);
	v.desc = desc;
	v.desc_len = sizeof(desc);
	must(r, fdi, DRM_IOCTL_VERSION, &v, "DRM_IOCTL_VERSION");
}

/* ------------------------------------------------------------ vgem */

static int do_vgem(const char *out)
{
	struct caprec r;
	char cpath[300], rpath[300];
	int card = open_node("vgem", "card", cpath, sizeof(cpath));
	int render = open_node("vgem", "renderD", rpath, sizeof(rpath));
	int dcard, drender, fc, fr;
	struct drm_mode_create_dumb cd = { .width = 64, .height = 64, .bpp = 32 };
	struct drm_mode_map_dumb md = { 0 };
	struct drm_gem_flink fl = { 0 };
	struct drm_gem_open op = { 0 };
	struct drm_prime_handle ph = { 0 }, imp = { 0 };
	struct drm_gem_close gc = { 0 };
	struct drm_get_cap cap = { .capability = DRM_CAP_PRIME };
	struct drm_mode_destroy_dumb dd = { 0 };
	void *map;

	if (card < 0 || render < 0)
		die("no vgem card and render node", ENODEV);
	if (caprec_open(&r, out))
		return 1;
	dcard = caprec_device(&r, cpath, "vgem");
	drender = caprec_device(&r, rpath, "vgem");
	fc = caprec_fd(&r, dcard, card);
	fr = caprec_fd(&r, drender, render);
	version(&r, fc);
	version(&r, fr);
	must(&r, fc, DRM_IOCTL_GET_CAP, &cap, "GET_CAP");
	must(&r, fc, DRM_IOCTL_MODE_CREATE_DUMB, &cd, "CREATE_DUMB");
	md.handle = cd.handle;
	must(&r, fc, DRM_IOCTL_MODE_MAP_DUMB, &md, "MAP_DUMB");
	map = mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, card, (off_t)md.offset);
	if (map == MAP_FAILED)
		die("mmap", errno);
	memset(map, 0x42, cd.size);
	munmap(map, cd.size);
	fl.handle = cd.handle;
	must(&r, fc, DRM_IOCTL_GEM_FLINK, &fl, "GEM_FLINK");
	op.name = fl.name;
	must(&r, fc, DRM_IOCTL_GEM_OPEN, &op, "GEM_OPEN");
	ph.handle = cd.handle;
	ph.flags = DRM_CLOEXEC | DRM_RDWR;
	must(&r, fc, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph, "PRIME_HANDLE_TO_FD");
	imp.fd = ph.fd;
	must(&r, fr, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp, "PRIME_FD_TO_HANDLE");
	close(ph.fd);
	gc.handle = imp.handle;
	must(&r, fr, DRM_IOCTL_GEM_CLOSE, &gc, "GEM_CLOSE (import)");
	gc.handle = op.handle;
	must(&r, fc, DRM_IOCTL_GEM_CLOSE, &gc, "GEM_CLOSE (open)");
	gc.handle = 4000;
	must_fail(&r, fc, DRM_IOCTL_GEM_CLOSE, &gc, EINVAL, "GEM_CLOSE of a bad handle");
	dd.handle = cd.handle;
	must(&r, fc, DRM_IOCTL_MODE_DESTROY_DUMB, &dd, "DESTROY_DUMB");
	close(card);
	close(render);
	return caprec_close(&r) ? 1 : 0;
}

/* ------------------------------------------------------------ simgpu */

#define CMD_VA	0x100000ull
#define DATA_VA	0x200000ull
#define DST_VA	0x300000ull
#define BO_SIZE	(64u << 10)

struct sbo {
	uint32_t handle;
	uint8_t *map;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void bo(struct caprec *r, int fdi, int fd, struct sbo *b)
{
	struct drm_simgpu_bo_create c = { .size = BO_SIZE };
	struct drm_simgpu_bo_mmap_offset m = { 0 };

	must(r, fdi, DRM_IOCTL_SIMGPU_BO_CREATE, &c, "BO_CREATE");
	m.handle = c.handle;
	must(r, fdi, DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &m, "BO_MMAP_OFFSET");
	b->handle = c.handle;
	b->map = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	if (b->map == MAP_FAILED)
		die("mmap BO", errno);
}

/* A frame's command stream at @slot of the command BO; returns its size. */
static uint32_t frame_cmds(uint64_t *w, unsigned f)
{
	unsigned n = 0;

	w[n++] = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_WRITE_IMM, DRM_SIMGPU_CMD_WRITE_IMM_64, 3);
	w[n++] = DST_VA + (f % 64) * 8;
	w[n++] = 0x1000000ull * f + 7;
	w[n++] = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_FILL, 0, 4);
	w[n++] = DST_VA + 0x1000 + (f % 16) * 256;
	w[n++] = 256;
	w[n++] = 0xab00 + f;
	w[n++] = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_COPY, 0, 4);
	w[n++] = DATA_VA + (f % 32) * 64;
	w[n++] = DST_VA + 0x2000 + (f % 32) * 64;
	w[n++] = 64;
	w[n++] = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_CHECKSUM, 0, 4);
	w[n++] = DATA_VA;
	w[n++] = 4096;
	w[n++] = DST_VA + 0x3000 + (f % 64) * 8;
	w[n++] = DRM_SIMGPU_CMD_HEADER(DRM_SIMGPU_CMD_NOP, 0, 1);
	return n * 8;
}

static int do_simgpu(const char *out, unsigned frames, unsigned sleep_us)
{
	struct caprec r;
	char path[300];
	int fd = open_node("simgpu", "renderD", path, sizeof(path)), fdi, dev;
	struct drm_simgpu_dev_info info;
	struct drm_simgpu_dev_query q = { .type = DRM_SIMGPU_DEV_QUERY_DEV_INFO };
	struct drm_simgpu_vm_create vc = { 0 };
	struct drm_simgpu_vm_bind_op ops[3];
	struct drm_simgpu_vm_bind vb = { 0 };
	struct drm_simgpu_queue_create qc = { .priority = DRM_SIMGPU_QUEUE_PRIORITY_MEDIUM };
	struct drm_syncobj_create bin = { 0 }, tl = { 0 };
	struct sbo cmd, data, dst;
	static uint8_t snap[3][BO_SIZE];
	unsigned f, i;

	if (fd < 0)
		die("no simgpu render node", ENODEV);
	if (caprec_open(&r, out))
		return 1;
	dev = caprec_device(&r, path, "simgpu");
	fdi = caprec_fd(&r, dev, fd);
	if (caprec_kevents_start(&r))
		die("kernel events (need root and tracefs)", EPERM);
	version(&r, fdi);
	must(&r, fdi, DRM_IOCTL_SIMGPU_DEV_QUERY, &q, "DEV_QUERY (size)");
	memset(&info, 0, sizeof(info));
	q.pointer = (uintptr_t)&info;
	must(&r, fdi, DRM_IOCTL_SIMGPU_DEV_QUERY, &q, "DEV_QUERY");
	must(&r, fdi, DRM_IOCTL_SIMGPU_VM_CREATE, &vc, "VM_CREATE");
	bo(&r, fdi, fd, &cmd);
	bo(&r, fdi, fd, &data);
	bo(&r, fdi, fd, &dst);
	memset(ops, 0, sizeof(ops));
	ops[0] = (struct drm_simgpu_vm_bind_op){ .op = DRM_SIMGPU_VM_BIND_OP_MAP,
		.bo_handle = cmd.handle, .va = CMD_VA, .range = BO_SIZE,
		.flags = DRM_SIMGPU_VM_BIND_OP_MAP_READONLY };
	ops[1] = (struct drm_simgpu_vm_bind_op){ .op = DRM_SIMGPU_VM_BIND_OP_MAP,
		.bo_handle = data.handle, .va = DATA_VA, .range = BO_SIZE };
	ops[2] = (struct drm_simgpu_vm_bind_op){ .op = DRM_SIMGPU_VM_BIND_OP_MAP,
		.bo_handle = dst.handle, .va = DST_VA, .range = BO_SIZE };
	vb.vm_id = vc.id;
	vb.ops = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(3, ops);
	must(&r, fdi, DRM_IOCTL_SIMGPU_VM_BIND, &vb, "VM_BIND");
	/* A misaligned bind fails, in the capture and in the replay. */
	ops[0].va = CMD_VA + 1;
	vb.ops = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(1, ops);
	must_fail(&r, fdi, DRM_IOCTL_SIMGPU_VM_BIND, &vb, EINVAL, "misaligned VM_BIND");
	qc.vm_id = vc.id;
	must(&r, fdi, DRM_IOCTL_SIMGPU_QUEUE_CREATE, &qc, "QUEUE_CREATE");
	must(&r, fdi, DRM_IOCTL_SYNCOBJ_CREATE, &bin, "SYNCOBJ_CREATE");
	must(&r, fdi, DRM_IOCTL_SYNCOBJ_CREATE, &tl, "SYNCOBJ_CREATE (timeline)");
	for (i = 0; i < 1024; i++)
		((uint32_t *)data.map)[i] = i * 2654435761u;

	for (f = 0; f < frames; f++) {
		struct drm_simgpu_sync outs[2] = {
			{ .handle = bin.handle },
			{ .handle = tl.handle, .timeline_point = f + 1 },
		};
		struct drm_simgpu_sync in = { .handle = bin.handle };
		struct drm_simgpu_job jobs[2];
		struct drm_simgpu_submit s = { .queue_id = qc.id };
		uint32_t slot = (f % 8) * 1024, size;
		unsigned njobs = (f % 2) ? 2 : 1;
		int64_t id;

		/* the CPU changes the data every frame */
		((uint32_t *)data.map)[f % 1024] ^= 0x5a5a5a5au + f;
		size = frame_cmds((uint64_t *)(cmd.map + slot), f);
		memset(jobs, 0, sizeof(jobs));
		jobs[0].cmd_va = CMD_VA + slot;
		jobs[0].cmd_size = size;
		jobs[0].out_syncs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(1, &outs[0]);
		if (njobs == 2) {
			size = frame_cmds((uint64_t *)(cmd.map + slot + 512), f + 1000);
			jobs[1].cmd_va = CMD_VA + slot + 512;
			jobs[1].cmd_size = size;
			jobs[1].in_syncs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(1, &in);
			jobs[1].out_syncs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(1, &outs[1]);
		} else {
			jobs[0].out_syncs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(2, outs);
		}
		s.jobs = (struct drm_simgpu_obj_array)DRM_SIMGPU_OBJ_ARRAY(njobs, jobs);
		/* What the submission may read: taken before it, attached to it. */
		memcpy(snap[0], cmd.map, BO_SIZE);
		memcpy(snap[1], data.map, BO_SIZE);
		memcpy(snap[2], dst.map, BO_SIZE);
		id = must(&r, fdi, DRM_IOCTL_SIMGPU_SUBMIT, &s, "SUBMIT");
		if (caprec_snapshot(&r, id, fdi, cmd.handle, 0, snap[0], BO_SIZE) ||
		    caprec_snapshot(&r, id, fdi, data.handle, 0, snap[1], BO_SIZE) ||
		    caprec_snapshot(&r, id, fdi, dst.handle, 0, snap[2], BO_SIZE))
			die("snapshot", EIO);
		if (f % 3 == 0) {
			uint32_t h = bin.handle;
			struct drm_syncobj_wait w = {
				.handles = (uintptr_t)&h, .count_handles = 1,
				.timeout_nsec = now_ns() + 5000000000ll,
				.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
			};

			must(&r, fdi, DRM_IOCTL_SYNCOBJ_WAIT, &w, "SYNCOBJ_WAIT");
		}
		{
			uint32_t h = tl.handle;
			uint64_t point = f + 1;
			struct drm_syncobj_timeline_wait w = {
				.handles = (uintptr_t)&h, .points = (uintptr_t)&point,
				.count_handles = 1, .timeout_nsec = now_ns() + 5000000000ll,
				.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
			};

			must(&r, fdi, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w, "TIMELINE_WAIT");
		}
		if (sleep_us)
			usleep(sleep_us);
	}
	{
		struct drm_simgpu_submit s = { .queue_id = 77 };

		must_fail(&r, fdi, DRM_IOCTL_SIMGPU_SUBMIT, &s, ENOENT, "SUBMIT to no queue");
	}
	{
		struct drm_simgpu_queue_destroy qd = { .id = qc.id };
		struct drm_simgpu_vm_destroy vd = { .id = vc.id };
		struct drm_syncobj_destroy sd = { .handle = bin.handle };
		struct drm_gem_close gc = { 0 };

		must(&r, fdi, DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &qd, "QUEUE_DESTROY");
		must(&r, fdi, DRM_IOCTL_SIMGPU_VM_DESTROY, &vd, "VM_DESTROY");
		must(&r, fdi, DRM_IOCTL_SYNCOBJ_DESTROY, &sd, "SYNCOBJ_DESTROY");
		sd.handle = tl.handle;
		must(&r, fdi, DRM_IOCTL_SYNCOBJ_DESTROY, &sd, "SYNCOBJ_DESTROY");
		munmap(cmd.map, BO_SIZE);
		munmap(data.map, BO_SIZE);
		munmap(dst.map, BO_SIZE);
		gc.handle = cmd.handle;
		must(&r, fdi, DRM_IOCTL_GEM_CLOSE, &gc, "GEM_CLOSE");
		gc.handle = data.handle;
		must(&r, fdi, DRM_IOCTL_GEM_CLOSE, &gc, "GEM_CLOSE");
		gc.handle = dst.handle;
		must(&r, fdi, DRM_IOCTL_GEM_CLOSE, &gc, "GEM_CLOSE");
	}
	close(fd);
	usleep(100000);
	if (caprec_kevents_stop(&r))
		die("deriving jobs", EIO);
	return caprec_close(&r) ? 1 : 0;
}

/* ------------------------------------------------------------ KMS */

static int do_kms(const char *out)
{
	struct caprec r;
	char path[300];
	int fd = open_node("virtio_gpu", "card", path, sizeof(path)), fdi, dev, k;
	struct drm_mode_card_res res = { 0 };
	uint32_t crtcs[8], conns[8], encs[8], fbs[8];
	struct drm_mode_get_connector gc = { 0 };
	struct drm_mode_modeinfo modes[64];
	uint32_t cencs[8], cprops[64];
	uint64_t cvals[64];
	struct drm_mode_get_encoder ge = { 0 };
	struct drm_mode_create_dumb cd[2];
	struct drm_mode_map_dumb md = { 0 };
	uint32_t fb[2];
	struct drm_mode_crtc sc = { 0 };
	uint32_t conn_id;
	void *maps[2];
	int64_t id;

	if (fd < 0)
		die("no virtio_gpu card", ENODEV);
	if (caprec_open(&r, out))
		return 1;
	dev = caprec_device(&r, path, "virtio_gpu");
	fdi = caprec_fd(&r, dev, fd);
	version(&r, fdi);
	must(&r, fdi, DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES (counts)");
	if (res.count_crtcs > 8 || res.count_connectors > 8 || res.count_encoders > 8 ||
	    res.count_fbs > 8 || !res.count_crtcs || !res.count_connectors)
		die("unexpected resources", EINVAL);
	res.crtc_id_ptr = (uintptr_t)crtcs;
	res.connector_id_ptr = (uintptr_t)conns;
	res.encoder_id_ptr = (uintptr_t)encs;
	res.fb_id_ptr = (uintptr_t)fbs;
	must(&r, fdi, DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES");
	conn_id = conns[0];
	gc.connector_id = conn_id;
	must(&r, fdi, DRM_IOCTL_MODE_GETCONNECTOR, &gc, "GETCONNECTOR (counts)");
	if (gc.count_modes > 64 || gc.count_encoders > 8 || gc.count_props > 64 || !gc.count_modes)
		die("unexpected connector", EINVAL);
	gc.modes_ptr = (uintptr_t)modes;
	gc.encoders_ptr = (uintptr_t)cencs;
	gc.props_ptr = (uintptr_t)cprops;
	gc.prop_values_ptr = (uintptr_t)cvals;
	must(&r, fdi, DRM_IOCTL_MODE_GETCONNECTOR, &gc, "GETCONNECTOR");
	ge.encoder_id = gc.encoder_id ? gc.encoder_id : cencs[0];
	must(&r, fdi, DRM_IOCTL_MODE_GETENCODER, &ge, "GETENCODER");
	for (k = 0; k < 2; k++) {
		struct drm_mode_fb_cmd fc = { 0 };
		void *map;

		memset(&cd[k], 0, sizeof(cd[k]));
		cd[k].width = modes[0].hdisplay;
		cd[k].height = modes[0].vdisplay;
		cd[k].bpp = 32;
		must(&r, fdi, DRM_IOCTL_MODE_CREATE_DUMB, &cd[k], "CREATE_DUMB");
		md.handle = cd[k].handle;
		md.offset = 0;
		must(&r, fdi, DRM_IOCTL_MODE_MAP_DUMB, &md, "MAP_DUMB");
		map = mmap(NULL, cd[k].size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)md.offset);
		if (map == MAP_FAILED)
			die("mmap dumb", errno);
		memset(map, k ? 0x80 : 0x20, cd[k].size);
		maps[k] = map;
		fc.width = cd[k].width;
		fc.height = cd[k].height;
		fc.pitch = cd[k].pitch;
		fc.bpp = 32;
		fc.depth = 24;
		fc.handle = cd[k].handle;
		must(&r, fdi, DRM_IOCTL_MODE_ADDFB, &fc, "ADDFB");
		fb[k] = fc.fb_id;
	}
	sc.crtc_id = ge.crtc_id ? ge.crtc_id : crtcs[0];
	sc.fb_id = fb[0];
	sc.set_connectors_ptr = (uintptr_t)&conn_id;
	sc.count_connectors = 1;
	sc.mode = modes[0];
	sc.mode_valid = 1;
	id = must(&r, fdi, DRM_IOCTL_MODE_SETCRTC, &sc, "SETCRTC");
	/* what the commit scans out, as the shim snapshots it */
	if (caprec_snapshot(&r, id, fdi, cd[0].handle, 0, maps[0], cd[0].size))
		die("snapshot", EIO);
	for (k = 0; k < 2; k++) {
		struct drm_mode_crtc_page_flip pf = {
			.crtc_id = sc.crtc_id, .fb_id = fb[(k + 1) % 2],
			.flags = DRM_MODE_PAGE_FLIP_EVENT, .user_data = 0x1234 + k,
		};
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char ev[256];

		memset(maps[(k + 1) % 2], 0x40 + k, cd[(k + 1) % 2].size / 2);
		id = must(&r, fdi, DRM_IOCTL_MODE_PAGE_FLIP, &pf, "PAGE_FLIP");
		if (caprec_snapshot(&r, id, fdi, cd[(k + 1) % 2].handle, 0, maps[(k + 1) % 2],
				    cd[(k + 1) % 2].size))
			die("snapshot", EIO);
		if (poll(&p, 1, 3000) != 1 || read(fd, ev, sizeof(ev)) <= 0)
			die("no page flip event", ETIMEDOUT);
	}
	{
		struct drm_mode_crtc off = { .crtc_id = sc.crtc_id };
		uint32_t fbid;
		struct drm_mode_destroy_dumb dd = { 0 };

		must(&r, fdi, DRM_IOCTL_MODE_SETCRTC, &off, "SETCRTC off");
		munmap(maps[0], cd[0].size);
		munmap(maps[1], cd[1].size);
		for (k = 0; k < 2; k++) {
			fbid = fb[k];
			must(&r, fdi, DRM_IOCTL_MODE_RMFB, &fbid, "RMFB");
			dd.handle = cd[k].handle;
			must(&r, fdi, DRM_IOCTL_MODE_DESTROY_DUMB, &dd, "DESTROY_DUMB");
		}
	}
	close(fd);
	return caprec_close(&r) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "vgem"))
		return do_vgem(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "simgpu"))
		return do_simgpu(argv[2], argc > 3 ? (unsigned)atoi(argv[3]) : 12,
				 argc > 4 ? (unsigned)atoi(argv[4]) : 0);
	if (argc >= 3 && !strcmp(argv[1], "kms"))
		return do_kms(argv[2]);
	fprintf(stderr, "usage: replay_vmtest vgem|simgpu|kms OUT.db [FRAMES [SLEEP_US]]\n");
	return 2;
}
