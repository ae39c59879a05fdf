/*
 * tracer/shim.h: internals of libdrmscope-shim.so, the LD_PRELOAD shim.
 *
 * Files:
 *   shim.c        configuration, initialisation, fork handling, the libc
 *                 wrappers (open, close, dup, fcntl, ioctl, mmap, munmap)
 *   shim_fd.c     the fd -> traced file table (lock-free reads, grows)
 *   shim_ioctl.c  one traced ioctl: events before and after, arrays
 *   shim_track.c  what the shim remembers about a file to capture buffer
 *                 contents: mmap offsets, CPU mappings, framebuffers, VMs
 *   shim_blob.c   content-addressed side file for buffer contents
 *
 * Rules: every wrapper saves errno and restores it; the shim's own work
 * runs with the thread's guard raised, so its own libc calls pass straight
 * through; nothing here exits, aborts or writes to stdout. An internal
 * error disables tracing (shim_fail()) with one line on stderr.
 */
#ifndef DRMSCOPE_SHIM_H
#define DRMSCOPE_SHIM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <drmscope/uapi.h>

#define SHIM_HIDDEN __attribute__((visibility("hidden")))
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

struct ds_track;

/*
 * A traced open file description. dup'd fds share it (GEM handles, mmap
 * offsets and KMS objects belong to the file, not to the fd number). It is
 * never freed: a thread may still be using it in an ioctl while another
 * closes the fd; only its tracking tables are freed when the last fd goes.
 */
struct ds_file {
	atomic_int refs;		/* fds that point to it */
	uint32_t major, minor;
	_Atomic(const struct ds_uapi_driver *) drv; /* uapi table, or NULL */
	atomic_int driver_idx;		/* index for the per-request cache */
	bool version_emitted;		/* fd_driver event sent */
	char driver[32];		/* DRM_IOCTL_VERSION name (or sysfs guess) */
	struct ds_track *track;		/* under the track lock */
};

/* Per-thread state. */
struct shim_tls {
	int guard;			/* > 0: inside the shim, pass through */
	uint64_t seq;			/* per-thread ioctl sequence number */
	uint8_t *scratch;		/* array bytes, config.array_max + slack */
	size_t scratch_len;
	uintptr_t stack_lo, stack_hi;	/* this thread's stack, if known */
	bool stack_known;
	/* the last request's description and shim_io_flags(), by driver */
	const void *last_drv;
	uint32_t last_req;
	const struct ds_uapi_ioctl *last_io;
	unsigned last_flags;
};

extern __thread struct shim_tls shim_tls SHIM_HIDDEN
	__attribute__((tls_model("initial-exec")));

struct shim_config {
	char **globs;			/* device path patterns */
	unsigned nglobs;
	bool buffers;			/* DRMSCOPE_BUFFERS is not "none" */
	bool results_all;		/* DRMSCOPE_BUFFERS=results: after-sync
					 * snapshots for every driver */
	size_t array_max;		/* bytes of arrays per ioctl */
	size_t inline_max;		/* larger arrays go to the blob file */
};

extern struct shim_config shim_config SHIM_HIDDEN;
extern atomic_bool shim_enabled SHIM_HIDDEN;
extern pid_t shim_pid SHIM_HIDDEN;

/* The real libc functions. */
extern int (*real_ioctl)(int, unsigned long, ...) SHIM_HIDDEN;
extern int (*real_close)(int) SHIM_HIDDEN;

/* shim.c */
/* An internal error: stop tracing, say so once on stderr and in the trace. */
SHIM_HIDDEN void shim_fail(const char *what, int err);
/* A partial failure (buffer storage): say so once, keep tracing. */
SHIM_HIDDEN void shim_warn(const char *what, int err);
SHIM_HIDDEN void shim_prologue_slow(void);
extern atomic_bool shim_need_process_info SHIM_HIDDEN;

/* Emit what a fork left pending before this process's first event. */
/*
 * Is [@addr, @addr + @len) between the caller's frame and the top of the
 * thread's stack (mapped, so it can be copied without a check)?
 */
static inline bool shim_on_stack(uintptr_t addr, size_t len)
{
	const struct shim_tls *t = &shim_tls;
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

	return t->stack_known && sp >= t->stack_lo && addr >= sp &&
	       addr + len >= addr && addr + len <= t->stack_hi;
}

static inline void shim_prologue(void)
{
	if (unlikely(atomic_load_explicit(&shim_need_process_info,
					  memory_order_relaxed)))
		shim_prologue_slow();
}

/*
 * Copy @len bytes at user address @addr, which the program passed and may
 * be bad: never faults. Returns 0 or -EFAULT.
 */
SHIM_HIDDEN int shim_safe_read(void *dst, uint64_t addr, size_t len);

/* The thread's scratch buffer (NULL if it cannot be had). */
SHIM_HIDDEN uint8_t *shim_scratch(size_t *len);

/* shim_fd.c */
SHIM_HIDDEN struct ds_file *fd_get(int fd);
/* Point @fd at @f (may be NULL); returns the previous file. -1: no memory. */
SHIM_HIDDEN int fd_install(int fd, struct ds_file *f, struct ds_file **old);
SHIM_HIDDEN struct ds_file *fd_take(int fd);
/* Call @fn on every traced fd in [lo, hi]. */
SHIM_HIDDEN void fd_for_each(unsigned lo, unsigned hi,
			     void (*fn)(int fd, struct ds_file *f, void *ctx),
			     void *ctx);
SHIM_HIDDEN struct ds_file *file_new(uint32_t major, uint32_t minor);
SHIM_HIDDEN void file_get(struct ds_file *f);
SHIM_HIDDEN void file_put(struct ds_file *f);
SHIM_HIDDEN void file_set_driver(struct ds_file *f, const char *name, size_t len);

/* shim_ioctl.c */
SHIM_HIDDEN int shim_traced_ioctl(struct ds_file *f, int fd,
				  unsigned long request, void *arg);

/* shim_track.c: the per-call context shared with the ioctl path */
struct shim_call {
	struct ds_file *f;
	int fd;
	uint64_t seq;
	uint32_t request;
	const struct ds_uapi_ioctl *io;
	void *argp;			/* the program's pointer */
	const uint8_t *in;		/* the struct before the call */
	size_t in_len;
	const uint8_t *out;		/* after it (when read) */
	size_t out_len;
	unsigned phase;			/* DS_UAPI_IN or DS_UAPI_OUT */
	unsigned nspans;
	/* collected from the arrays */
	uint32_t snapped[32];		/* handles already snapshotted */
	unsigned nsnapped;
	uint32_t atomic_props[256];	/* DRM_IOCTL_MODE_ATOMIC property ids */
	unsigned natomic_props;
	char name[32], date[32], desc[96]; /* DRM_IOCTL_VERSION strings */
	bool got_name;
	bool results;			/* a submission whose results the next
					 * sync point snapshots */
	unsigned sigs_added;		/* syncobjs it signals (A_SIGNALS) */
};

SHIM_HIDDEN void track_init(void);
SHIM_HIDDEN void track_atfork_prepare(void);
SHIM_HIDDEN void track_atfork_parent(void);
SHIM_HIDDEN void track_atfork_child(void);
/* Before the call: capture the buffers a submission or commit reads. */
SHIM_HIDDEN void track_before(struct shim_call *c);
/* An array read before the call. */
SHIM_HIDDEN void track_span(struct shim_call *c, const struct ds_uapi_span *sp);
/* What the shim must do for a described request (cached, lock-free). */
enum {
	SHIM_IO_AFTER = 1 << 0,		/* track_after() learns from it */
	SHIM_IO_SIMGPU = 1 << 1,	/* a simgpu request */
	SHIM_IO_PTR_IN = 1 << 2,	/* has arrays to copy before the call */
	SHIM_IO_PTR_OUT = 1 << 3,	/* has arrays to copy after it */
	SHIM_IO_ONE_EVENT = 1 << 4,	/* recorded by one ioctl_call event */
};
SHIM_HIDDEN unsigned shim_io_flags(const struct ds_uapi_ioctl *io);
/* Are after-sync snapshots taken for @f's driver? */
SHIM_HIDDEN bool track_wants_results(struct ds_file *f);
/* A sync call succeeded: snapshot the results of the work it waited for. */
SHIM_HIDDEN void track_sync(struct shim_call *c);
/* Does track_after() need to see this request? (cached, lock-free) */
SHIM_HIDDEN bool track_wants_after(const struct ds_uapi_ioctl *io);
/* After a successful call: learn offsets, framebuffers, bindings. */
SHIM_HIDDEN void track_after(struct shim_call *c);
/* An mmap() of a traced file; returns the GEM handle of @offset or 0. */
SHIM_HIDDEN uint32_t track_mmap(struct ds_file *f, uint64_t offset,
				uint64_t len, void *addr);
/* An munmap(); true if it touched a tracked mapping. */
SHIM_HIDDEN bool track_munmap(void *addr, size_t len);
/* Are there tracked mappings at all (cheap check for munmap)? */
SHIM_HIDDEN bool track_has_mappings(void);
/* The last fd of @f is gone. */
SHIM_HIDDEN void track_file_closed(struct ds_file *f);

/* shim_blob.c */
#define BLOB_MAGIC	"DSB1"
/* One record of blobs-<pid>.bin, followed by @stored_size bytes. */
struct blob_header {
	char magic[4];		/* BLOB_MAGIC */
	uint16_t version;	/* 1 */
	uint16_t encoding;	/* 0: raw, 1: zstd frame */
	uint64_t raw_size;	/* size of the content */
	uint64_t stored_size;	/* bytes that follow */
	uint8_t hash[16];	/* XXH3-128, canonical (big-endian) */
};

SHIM_HIDDEN void blob_hash(const void *data, size_t len, uint64_t *hi,
			   uint64_t *lo);
/* Configure; @dir NULL: hash only, store nothing. */
SHIM_HIDDEN void blob_configure(const char *dir, bool compress);
/*
 * Hash @data and write it to the blob file unless it is there already.
 * *@stored: 1 if the content is in the blob directory, 0 if not kept.
 * Returns 0, or -errno if writing failed (then storing stops for good).
 */
SHIM_HIDDEN int blob_put(const void *data, size_t len, uint64_t *hi,
			 uint64_t *lo, int *stored);
SHIM_HIDDEN void blob_atfork_prepare(void);
SHIM_HIDDEN void blob_atfork_parent(void);
SHIM_HIDDEN void blob_atfork_child(void);
/* The program closed @fd: if it was the blob file, forget it. */
SHIM_HIDDEN void blob_fd_closed(int fd);

#endif /* DRMSCOPE_SHIM_H */
