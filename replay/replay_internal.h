/*
 * replay/replay_internal.h: the pieces of the replay engine and how they
 * share data.
 *
 *   load.c      the capture, read once into memory arrays (untrusted: every
 *               column's type and range is checked while reading)
 *   args.c      per call, the argument memory the replay hands the kernel:
 *               a copy of the recorded struct whose pointer fields point at
 *               the replay's own copies of the recorded arrays, and the list
 *               of slots (handles, ids, fds, timeouts) to remap at run time
 *   validate.c  everything checked before anything reaches the kernel: struct
 *               sizes, array sizes against counts and strides, payload rows
 *               against the uapi walker, handle lifetimes, snapshots, blobs
 *   objmap.c    captured -> replayed ids (GEM handles, flink names, fds,
 *               syncobjs, VMs, queues, KMS objects, mmap offsets)
 *   restore.c   buffer contents from blobs into the replayed BOs, and the
 *               CPU mappings of replayed BOs (also used by bufcheck.c)
 *   bufcheck.c  replayed buffer contents after a sync call against the
 *               capture's result snapshots
 *   check.c     result comparison, per call and per job (simgpu hashes)
 *   simgpu.c    simgpu specifics: job matching from the replay's kernel
 *               events and the diagnosis that names the differing command
 *   engine.c    ordering, pacing, the replay loop, storing the run
 *   replay.c    `drmscope replay`: options and output
 *
 * Memory: the capture's bytes and every plan live in one arena freed at the
 * end; nothing in the hot loop allocates unless a call mismatches.
 */
#ifndef DRMSCOPE_REPLAY_INTERNAL_H
#define DRMSCOPE_REPLAY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <drmscope/uapi.h>

struct ds_db;

#define RP_ERRLEN 512

/* Hard limits on what a capture may ask for (validate.c, args.c). */
#define RP_MAX_ARG_SIZE		16383u		/* _IOC_SIZE is 14 bits */
#define RP_MAX_CALL_BYTES	((uint64_t)256 << 20)	/* arrays of one call */
#define RP_MAX_COUNT		(1u << 20)	/* elements of one array */
#define RP_MAX_STRIDE		4096u
#define RP_MAX_DEPTH		4u
#define RP_MAX_NODES		4096u		/* arrays of one call */
#define RP_MAX_SNAPSHOT		((uint64_t)1 << 32)	/* one buffer range */

/* ------------------------------------------------------------ errors */

/* A message for the user; the first error wins. */
struct rp_err {
	char msg[RP_ERRLEN];
	bool set;
};

void rp_errf(struct rp_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------ arena */

struct rp_arena_block;

struct rp_arena {
	struct rp_arena_block *head;
	size_t total;		/* bytes handed out */
};

/* Zeroed memory aligned to 16, NULL when out of memory. */
void *rp_alloc(struct rp_arena *a, size_t size);
void *rp_memdup(struct rp_arena *a, const void *p, size_t size);
char *rp_strdup(struct rp_arena *a, const char *s);
void rp_arena_free(struct rp_arena *a);

/* ------------------------------------------------------------ options */

enum rp_pace { RP_PACE_FAST, RP_PACE_CAPTURE };
enum rp_on_error { RP_ON_ERROR_CONTINUE, RP_ON_ERROR_STOP };

struct rp_options {
	const char *capture;		/* the capture database */
	const char *output;		/* -o: where runs go (NULL: the capture) */
	const char *label;
	enum rp_pace pace;
	enum rp_on_error on_error;
	bool have_from_ns, have_to_ns;
	int64_t from_ns, to_ns;		/* relative to the first call */
	uint64_t from_submit, to_submit;	/* 1-based; 0: not given */
	unsigned repeat;
	const char *devices[16];	/* --device PATH */
	unsigned ndevices;
	bool no_kernel;
	bool raw_unknown;
	bool no_diagnose;
	bool no_buffer_check;		/* --no-buffer-check */
	int verbose;
	unsigned max_shown;		/* mismatches printed per run */
	char options_text[1024];	/* for run.options */
};

/* ------------------------------------------------------------ the capture */

struct rp_device {
	int64_t id;			/* device row */
	const char *path;		/* as captured */
	const char *driver;		/* kernel driver name, NULL: unknown */
	const struct ds_uapi_driver *drv;	/* its uapi table, or NULL */
	bool render;			/* a render node (renderD*) */
	bool accel;			/* a compute accelerator node (/dev/accel) */
};

/* One DRM file (open file description) of the capture. */
struct rp_file {
	int64_t fd_row;			/* root fd row (open/inherited), 0: none */
	int pid;
	int fd;
	int device;			/* index into rp_capture.devices */
};

struct rp_payload {
	const uint8_t *bytes;
	uint32_t size;
	int32_t idx;
	const char *field;
};

enum rp_skip {
	RP_RUN = 0,		/* replayed */
	RP_SKIP_UNKNOWN,	/* no uapi description (see --raw-unknown) */
	RP_SKIP_LEGACY,		/* a legacy DRI1 ioctl */
	RP_SKIP_RANGE,		/* outside --from/--to */
	RP_SKIP_PREFIX,		/* before --from: work that is not needed */
};

struct rp_plan;

struct rp_call {
	int64_t id;
	int tid, pid, fd;
	int64_t fd_id, device_id;
	uint32_t request;
	const char *name;
	int64_t begin_ns, end_ns;	/* end_ns 0: never returned */
	bool returned;
	int64_t ret;
	int err;
	const uint8_t *in, *out;	/* NULL: not recorded */
	uint32_t in_size, out_size;
	struct rp_payload *ain, *aout;
	uint32_t nain, naout;

	const struct ds_uapi_ioctl *desc;
	int file;			/* index into rp_capture.files */
	uint32_t snap_first, nsnap;	/* buffer snapshots taken before this call */
	uint32_t res_first, nres;	/* result snapshots taken after it */
	struct rp_sigwait *settle;	/* results: the work to wait for first */
	uint32_t nsettle;
	uint32_t job_first, njobs;	/* captured jobs it submitted */
	uint64_t submit_no;		/* 1-based ordinal of submissions, 0: none */
	int64_t key;			/* replay order and pacing time */
	uint8_t skip;			/* enum rp_skip */
	bool setup;			/* before --from: replayed, not measured */
	bool is_wait;			/* has a timeout: blocks */
	bool no_out_check;		/* outputs not comparable (see rp_order()) */
	struct rp_plan *plan;
};

struct rp_snap {
	int64_t id;
	int64_t ioctl_id;
	int64_t ns;			/* when it was taken, 0: unknown */
	int64_t gem_id;			/* gem_object row, 0: unknown */
	int64_t gem_call;		/* the call that created the object, 0: unknown */
	int file;
	bool after;			/* phase 'after': results to compare */
	uint32_t handle;		/* captured GEM handle */
	uint64_t offset, size;
	char hash[33];
	const uint8_t *data;		/* loaded contents, NULL: not yet */
	/* What a restore writes (rp_restore_prepare()): */
	uint8_t mode;			/* enum rp_restore_mode */
	uint32_t nruns;
	struct rp_run_span {
		uint64_t off, len;	/* inside the snapshot's range */
	} *runs;			/* RP_RESTORE_DELTA: the blocks that changed */
};

enum rp_restore_mode {
	RP_RESTORE_FULL = 0,	/* the first picture of this range: all of it */
	RP_RESTORE_DELTA,	/* only what changed since the last picture applied */
	RP_RESTORE_SKIP,	/* the same contents, or an older picture */
};

/*
 * A syncobj a replayed submission signals, read from its argument memory
 * (the replayed handle once remapped) when its results are compared.
 */
struct rp_sigwait {
	const uint8_t *handle;		/* u32 in the plan's memory */
	const uint8_t *point;		/* u64 timeline point, or NULL */
};

struct rp_job {
	int64_t id;
	int64_t queue_id;		/* queue row */
	int64_t seqno;
	int64_t submit_ioctl_id;
	bool has_result;
	int result;
	bool has_hash;
	char hash[17];			/* 16 lowercase hex digits */
};

/* A KMS property as the capture's GETPROPERTY calls described it. */
struct rp_kprop {
	int device;
	uint32_t id;
	uint32_t flags;
	char name[32];
};

struct rp_capture {
	struct rp_arena arena;
	struct rp_device *devices;
	unsigned ndevices;
	struct rp_file *files;
	unsigned nfiles;
	struct rp_call *calls;		/* in id order */
	size_t ncalls;
	uint32_t *order;		/* replay order: indices into calls */
	struct rp_snap *snaps;		/* before-call snapshots, by ioctl_id */
	size_t nsnaps;
	struct rp_snap *results;	/* after-call snapshots, by ioctl_id */
	size_t nresults;
	struct rp_job *jobs;		/* by submit_ioctl_id, seqno */
	size_t njobs;
	struct rp_kprop *kprops;
	size_t nkprops;
	int64_t first_ns;		/* key of the first call */
	uint64_t nsubmits;
	uint64_t blob_bytes;		/* snapshot contents loaded */
	size_t skipped_unknown;
};

/* load.c: read the capture into @cap. Returns 0 or -1 with @err set. */
int rp_load(struct ds_db *db, struct rp_capture *cap, struct rp_err *err);
/*
 * Load the blobs of the replayed calls' snapshots (called by validation),
 * and of their result snapshots if @results.
 */
int rp_load_blobs(struct ds_db *db, struct rp_capture *cap, bool results, struct rp_err *err);
void rp_capture_free(struct rp_capture *cap);
struct rp_call *rp_find_call(struct rp_capture *cap, int64_t id);
/* Normalise a hash ("0x1f", 31, "000...1f") to 16 lowercase hex digits. */
bool rp_norm_hash64(const char *in, char out[17]);
const struct rp_kprop *rp_kprop_find(const struct rp_capture *cap, int device,
				     uint32_t id);

/* ------------------------------------------------------------ object map */

/* Namespaces of ids: what a captured value is remapped within. */
enum rp_class {
	RP_C_NONE = 0,
	RP_C_GEM,		/* per file */
	RP_C_SYNCOBJ,		/* per file */
	RP_C_VM,		/* per file */
	RP_C_QUEUE,		/* per file */
	RP_C_GEM_NAME,		/* per device (flink names) */
	RP_C_KMS,		/* per device: every mode object shares one id space */
	RP_C_LESSEE,		/* per device */
	RP_C_HOST_RES,		/* per device */
	RP_C_FD,		/* per captured process: dma-buf, sync_file, other fds */
	RP_C_COUNT
};

const char *rp_class_name(unsigned cls);
/* The class of a uapi kind (RP_C_NONE for values, pointers, offsets...). */
enum rp_class rp_class_of_kind(unsigned kind);

struct rp_map_entry {
	uint64_t key;		/* class << 56 | namespace << 32 ... see objmap.c */
	uint64_t cap;		/* captured value */
	uint64_t val;		/* replayed value */
	uint8_t state;		/* 0 empty, 1 used, 2 deleted */
};

struct rp_objmap {
	struct rp_map_entry *tab;
	size_t cap;		/* slots, a power of two */
	size_t used;		/* live entries */
	size_t filled;		/* live + deleted */
};

int rp_map_init(struct rp_objmap *m, size_t hint);
void rp_map_free(struct rp_objmap *m);
void rp_map_clear(struct rp_objmap *m);
/* Insert or replace. Returns 0 or -1 when out of memory. */
int rp_map_put(struct rp_objmap *m, unsigned cls, uint32_t ns, uint64_t cap,
	       uint64_t val);
/* Look up; true and *@val when mapped. */
bool rp_map_get(const struct rp_objmap *m, unsigned cls, uint32_t ns,
		uint64_t cap, uint64_t *val);
bool rp_map_del(struct rp_objmap *m, unsigned cls, uint32_t ns, uint64_t cap);
/* Call @fn for every live entry of class @cls. */
void rp_map_each(const struct rp_objmap *m, unsigned cls,
		 void (*fn)(void *ctx, uint32_t ns, uint64_t cap, uint64_t val),
		 void *ctx);

/* ------------------------------------------------------------ plans */

/* One array the call's pointers lead to, in the replay's memory. */
struct rp_node {
	const struct ds_uapi_field *field;	/* the pointer field */
	const struct ds_uapi_array *array;
	uint8_t *buf;			/* the replay's copy */
	uint64_t count;
	uint32_t stride;
	uint64_t size;			/* count * stride */
	uint64_t addr;			/* the captured pointer value */
	const uint8_t *cap_in;		/* recorded array_in bytes (size bytes) */
	const uint8_t *cap_out;		/* recorded array_out bytes, or NULL */
	uint32_t cap_out_size;
	int32_t in_idx, out_idx;	/* span index in the IN / OUT walk, or -1 */
	int32_t parent;			/* node holding the pointer, -1: the struct */
	uint8_t dir;
	uint8_t depth;
	bool recopy;			/* INOUT: refreshed from cap_in each run */
};

enum rp_slot_op {
	RP_SLOT_IN = 1,		/* remap captured -> replayed before the call */
	RP_SLOT_OUT = 2,	/* record captured -> replayed after the call */
	RP_SLOT_DESTROY = 4,	/* forget the mapping after a successful call */
	RP_SLOT_TIMEOUT = 8,	/* an absolute deadline: rebase on the replay clock */
	RP_SLOT_MMAP = 16,	/* an mmap offset for the GEM handle in @peer */
	RP_SLOT_BOSIZE = 32,	/* the size of the GEM object in @peer */
	RP_SLOT_FENCE_PTR = 64,	/* KMS OUT_FENCE_PTR: an fd the kernel writes */
};

struct rp_slot {
	uint8_t *loc;			/* in the replay's argument memory */
	uint64_t cap_in;		/* captured value before the call */
	uint64_t cap_out;		/* captured value after the call */
	const char *name;		/* field name, for messages */
	uint32_t ns;			/* namespace (file, device or pid) */
	uint32_t elem;			/* element index inside an array */
	int16_t peer;			/* another slot (MMAP/BOSIZE: the handle) */
	int16_t node;			/* -1: the argument struct */
	uint8_t size;			/* 1, 2, 4 or 8 bytes */
	uint8_t cls;			/* enum rp_class */
	uint8_t ops;			/* enum rp_slot_op */
	bool has_out;			/* cap_out is known */
	bool is_signed;
	bool optional;			/* zero means none */
};

struct rp_patch {
	uint8_t *loc;
	uint64_t val;
	uint8_t size;
};

/* A byte range of outputs to compare with the capture (check.c). */
struct rp_cmp {
	const uint8_t *mine;
	const uint8_t *cap;
	uint32_t len;
};

struct rp_plan {
	struct rp_cmp *cmps;		/* outputs to compare, found once */
	uint32_t ncmps;
	bool cmp_all;			/* too many ranges: use the generic compare */
	uint8_t *arg;			/* the argument struct the kernel gets */
	uint32_t arg_size;		/* _IOC_SIZE of the request */
	struct rp_node *nodes;
	uint32_t nnodes;
	struct rp_slot *slots;
	uint32_t nslots;
	struct rp_patch *patches;	/* pointer fields, re-applied every run */
	uint32_t npatches;
	uint32_t n_in_spans, n_out_spans;
	/* simgpu-style submissions: where the queue id and seqno live */
	int32_t queue_slot;		/* slot of the first QUEUE_ID field, -1 */
	int32_t seqno_off;		/* offset of the OUT "seqno" field, -1 */
	int32_t jobs_node;		/* node of the first array of structs, -1 */
	bool wants_event;		/* KMS: a flip/commit that sends an event */
	bool kms_commit;
};

/* Guard page: pointers the capture could not read lead here (EFAULT). */
void *rp_guard_page(void);

/*
 * args.c: build call @c's plan in @cap's arena. Checks sizes, counts,
 * strides and payload rows; returns 0, or -1 with @err naming the call.
 */
int rp_plan_build(struct rp_capture *cap, struct rp_call *c, struct rp_err *err);

/*
 * Cross-check a plan against the shared walker (ds_uapi_walk(), IN phase,
 * reading the plan's copies by captured address): same spans, same order,
 * same fields and sizes. Returns 0 or -1 with @err set.
 */
int rp_plan_walk_check(const struct rp_call *c, struct rp_err *err);

/* ------------------------------------------------------------ validation */

/*
 * validate.c: check the whole capture before anything reaches the kernel.
 * Builds every call's plan, simulates object lifetimes (a handle used by a
 * call that succeeded must have been created earlier in the capture), checks
 * snapshots and loads their blobs. Returns the number of errors (each
 * printed to @out, at most @max_shown), 0 when the capture is sound.
 */
size_t rp_validate(struct ds_db *db, struct rp_capture *cap,
		   const struct rp_options *opt, FILE *out);

/* ------------------------------------------------------------ the run */

/* A replayed DRM file. */
struct rp_rfile {
	int fd;				/* -1: not open */
	int device;			/* capture device index */
	uint32_t pending_events;	/* KMS flip events not read yet */
};

/* A CPU mapping of a replayed BO, for restores. */
struct rp_bomap {
	uint32_t file;
	uint32_t handle;		/* replayed handle */
	uint64_t mmap_offset;		/* 0: not known yet */
	uint64_t size;			/* 0: unknown */
	void *map;
	size_t map_len;
	bool used;
};

/* A replayed KMS property's name, asked once. */
struct rp_kname {
	uint32_t device;
	uint32_t id;
	char name[32];
};

/* What happened to one call in one run. */
struct rp_result {
	int64_t begin_ns, end_ns;
	int64_t ret;
	int err;
	uint8_t state;			/* enum rp_state */
	char *mismatch;			/* malloc'ed, NULL: matched */
	/* submissions: replayed queue id and first seqno */
	uint32_t queue;
	uint64_t seqno;
};

enum rp_state {
	RP_NOT_RUN = 0,
	RP_DONE,			/* replayed and measured */
	RP_SETUP,			/* replayed before --from */
	RP_SKIPPED,
};

struct rp_run {
	struct rp_capture *cap;
	const struct rp_options *opt;
	char **paths;			/* replay device path per capture device */
	struct rp_rfile *files;
	struct rp_objmap map;
	struct rp_bomap *bos;
	size_t nbos, capbos;
	struct rp_result *res;		/* per call, indexed like cap->calls */
	int64_t run_id;
	size_t calls_done;
	size_t mismatches;
	size_t failed;			/* calls that failed only in the replay */
	size_t jobs, job_mismatches, jobs_unchecked;
	struct rp_kname *knames;	/* replayed KMS property names (cache) */
	size_t nknames, capknames;
	uint64_t restored_bytes;
	int64_t restore_ns;
	uint64_t checked_bytes;		/* result buffers compared */
	int64_t check_ns;		/* time spent comparing them */
	size_t buffers_checked, buffer_mismatches;
	int64_t t0_ns;			/* replay clock at the first call */
	bool stopped;			/* --on-error=stop fired */
	char err[RP_ERRLEN];
};

/* engine.c */
int64_t rp_now_ns(void);
/*
 * Open the replay devices for @cap (matching captured devices by driver name
 * and node type, --device first). Returns 0 or -1 with @err set.
 */
int rp_match_devices(struct rp_capture *cap, const struct rp_options *opt,
		     char **paths, struct rp_err *err);
/* Compute the replay order, the range and the skips. */
int rp_order(struct rp_capture *cap, const struct rp_options *opt, struct rp_err *err);
/* One run. Returns 0 (see run->mismatches) or -1 on a fatal error (run->err). */
int rp_run_once(struct rp_run *run, char **paths);
/* Unmap, close received fds and the run's DRM files (drains KMS events). */
void rp_run_close(struct rp_run *run);

/* objmap.c: apply a plan's slots */
void rp_slots_in(struct rp_run *run, const struct rp_call *c, char *note, size_t notelen);
void rp_slots_out(struct rp_run *run, const struct rp_call *c);

/* restore.c */
/*
 * Decide, in replay order, what each snapshot's restore writes. Returns 0
 * or -1 when out of memory.
 */
int rp_restore_prepare(struct rp_capture *cap);
int rp_restore(struct rp_run *run, const struct rp_call *c, char *msg, size_t len);
struct rp_bomap *rp_bo_get(struct rp_run *run, uint32_t file, uint32_t handle, bool create);
/*
 * The replayed BO behind snapshot @s, mapped as restores map it: a pointer
 * to @s's range, and the replayed GEM handle in *@handle. NULL with @msg
 * set when it cannot be had.
 */
const uint8_t *rp_snap_map(struct rp_run *run, const struct rp_snap *s, uint32_t *handle,
			   char *msg, size_t len);
void rp_bo_forget(struct rp_run *run, uint32_t file, uint32_t handle);
void rp_bos_release(struct rp_run *run);
/* Copy @size bytes into a mapping the way restores do (benchmarked). */
void rp_restore_copy(void *dst, const void *src, size_t size);

/* check.c */
/* Compare call @c's replayed result with the capture; a malloc'ed text or NULL. */
char *rp_check_call(const struct rp_run *run, const struct rp_call *c,
		    int64_t ret, int err, const char *note);
/* Find the output ranges call @c's results are compared on (after its plan). */
int rp_check_prepare(struct rp_capture *cap, struct rp_call *c);
/* Is an OUT field with this name and kind compared? */
bool rp_check_compares(const char *name, unsigned kind);
/* Append "; text" to *@msg (malloc'ed). */
void rp_append(char **msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * bufcheck.c: compare call @c's result snapshots with the replayed buffers
 * (after the call succeeded on both sides); differences are appended to
 * *@mismatch. Returns the number of buffers that differ.
 */
unsigned rp_check_results(struct rp_run *run, const struct rp_call *c, char **mismatch);
/*
 * Before the run, in replay order: for each call with result snapshots, the
 * syncobjs that the file's submissions since the previous such call signal
 * (arrays flagged DS_UAPI_A_SIGNALS), waited for before comparing. Returns
 * 0 or -1 when out of memory.
 */
int rp_results_prepare(struct rp_capture *cap);

/* simgpu.c: jobs of the run from its kernel events, checked and stored. */
int rp_jobs_check(struct rp_run *run, struct ds_db *wdb, FILE *out);
int rp_store_fw_messages(struct ds_db *wdb, int64_t run_id, struct rp_err *err);
/* Name the first command of a mismatching job whose effect differs. */
char *rp_simgpu_diagnose(struct rp_run *run, const struct rp_call *c,
			 unsigned job_index, const char *path);

#endif
