/*
 * tracer/shim.c: libdrmscope-shim.so, the LD_PRELOAD shim that records a
 * program's DRM/accel traffic as LTTng-UST events (provider "drmscope").
 *
 * It wraps open/open64/openat/openat64 (and their _FORTIFY_SOURCE
 * variants), close, close_range, dup/dup2/dup3, fcntl(F_DUPFD,
 * F_DUPFD_CLOEXEC), ioctl, mmap/mmap64 and munmap. An fd is traced when the
 * path it was opened with matches one of the device globs
 * (DRMSCOPE_DEVICES, default "/dev/dri/ *:/dev/accel/ *" without spaces);
 * dup'd fds follow their original; a closed fd stops being traced, so a
 * reused number is not mistaken for a device.
 *
 * fork: liblttng-ust-fork.so (preloaded next to the shim by the recorder)
 * makes the child's events reach the session; the shim's own tables are
 * copied with the child, and its first event is preceded by a process_info
 * with the child's pid. exec: the environment carries LD_PRELOAD, the new
 * image starts the shim again, which finds inherited device fds in
 * /proc/self/fd.
 *
 * Environment:
 *   DRMSCOPE_DEVICES      colon-separated fnmatch() patterns of device paths
 *   DRMSCOPE_BUFFERS      "submit" (default): capture buffers read by
 *                         submissions and KMS commits, and for drivers
 *                         without a job result hash the results at sync
 *                         points; "results": results for every driver;
 *                         "none": no buffer contents
 *   DRMSCOPE_BLOB_DIR     where blobs-<pid>.bin go (unset: hash only)
 *   DRMSCOPE_BLOB_COMPRESS "zstd": compress stored buffers
 *   DRMSCOPE_ARRAY_MAX    bytes of arrays captured per ioctl (1 MiB)
 *   DRMSCOPE_INLINE_MAX   larger arrays go to the blob file (4096)
 *   DRMSCOPE_SHIM         "off": pass everything through untouched
 * See docs/tracing.md.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "shim.h"

#define LTTNG_UST_TRACEPOINT_DEFINE
#include "drmscope_tp.h"

#define EXPORT __attribute__((visibility("default")))

#define DEFAULT_DEVICES		"/dev/dri/*:/dev/accel/*"
#define DEFAULT_ARRAY_MAX	(1u << 20)
#define DEFAULT_INLINE_MAX	4096u
#define SCRATCH_HEAD		(2u * 16384u)	/* see shim_ioctl.c ARG_MAX */

__thread struct shim_tls shim_tls __attribute__((tls_model("initial-exec")));

struct shim_config shim_config;
atomic_bool shim_enabled;
atomic_bool shim_need_process_info;
pid_t shim_pid;

static bool shim_off;		/* DRMSCOPE_SHIM=off */
static atomic_bool init_done;
static atomic_bool failed_once;
static atomic_bool warned_once;
static bool vm_readv_ok = true;
static pthread_key_t scratch_key;

/* --------------------------------------------------- the real functions */

int (*real_ioctl)(int, unsigned long, ...);
int (*real_close)(int);
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real___open_2)(const char *, int);
static int (*real___open64_2)(const char *, int);
static int (*real___openat_2)(int, const char *, int);
static int (*real___openat64_2)(int, const char *, int);
static int (*real_close_range)(unsigned, unsigned, int);
static int (*real_dup)(int);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);
static int (*real_fcntl)(int, int, ...);
static int (*real_fcntl64)(int, int, ...);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static void *(*real_mmap64)(void *, size_t, int, int, int, off64_t);
static int (*real_munmap)(void *, size_t);

#define RESOLVE(name) \
	(real_##name ? (void)0 : (void)(*(void **)&real_##name = dlsym(RTLD_NEXT, #name)))

static void resolve_all(void)
{
	RESOLVE(ioctl);
	RESOLVE(close);
	RESOLVE(open);
	RESOLVE(open64);
	RESOLVE(openat);
	RESOLVE(openat64);
	RESOLVE(__open_2);
	RESOLVE(__open64_2);
	RESOLVE(__openat_2);
	RESOLVE(__openat64_2);
	RESOLVE(close_range);
	RESOLVE(dup);
	RESOLVE(dup2);
	RESOLVE(dup3);
	RESOLVE(fcntl);
	RESOLVE(fcntl64);
	RESOLVE(mmap);
	RESOLVE(mmap64);
	RESOLVE(munmap);
}

/* ---------------------------------------------------------------- errors */

static void say_once(atomic_bool *flag, const char *what, int err,
		     const char *consequence)
{
	char line[256];
	int n;

	if (atomic_exchange(flag, true))
		return;
	n = snprintf(line, sizeof(line), "drmscope: %s%s%s; %s\n", what,
		     err ? ": " : "", err ? strerror(err) : "", consequence);
	if (n > 0) {
		ssize_t w = write(STDERR_FILENO, line,
				  (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
		(void)w;
	}
	lttng_ust_tracepoint(drmscope, shim_error, what, err);
}

void shim_fail(const char *what, int err)
{
	atomic_store(&shim_enabled, false);
	say_once(&failed_once, what, err, "tracing stopped");
}

void shim_warn(const char *what, int err)
{
	say_once(&warned_once, what, err, "buffer contents are no longer stored");
}

/* -------------------------------------------------------- configuration */

static size_t env_size(const char *name, size_t def)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return def;
	v = strtoull(s, &end, 0);
	if (*end == 'k' || *end == 'K')
		v <<= 10;
	else if (*end == 'm' || *end == 'M')
		v <<= 20;
	return v ? (size_t)v : def;
}

static void parse_globs(const char *spec)
{
	char *copy = strdup(spec), *save = NULL, *tok;
	unsigned n = 1;
	const char *p;

	for (p = spec; *p; p++)
		n += *p == ':';
	shim_config.globs = calloc(n, sizeof(char *));
	if (!copy || !shim_config.globs) {
		free(copy);
		shim_config.nglobs = 0;
		return;
	}
	for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
		shim_config.globs[shim_config.nglobs++] = tok;
}

static void configure(void)
{
	const char *s;

	s = getenv("DRMSCOPE_SHIM");
	shim_off = s && (!strcmp(s, "off") || !strcmp(s, "0"));
	s = getenv("DRMSCOPE_DEVICES");
	parse_globs(s && *s ? s : DEFAULT_DEVICES);
	s = getenv("DRMSCOPE_BUFFERS");
	shim_config.buffers = !s || strcmp(s, "none");
	shim_config.results_all = s && !strcmp(s, "results");
	shim_config.array_max = env_size("DRMSCOPE_ARRAY_MAX", DEFAULT_ARRAY_MAX);
	shim_config.inline_max = env_size("DRMSCOPE_INLINE_MAX", DEFAULT_INLINE_MAX);
	if (shim_config.inline_max > (1u << 20))
		shim_config.inline_max = 1u << 20;
	s = getenv("DRMSCOPE_BLOB_COMPRESS");
	blob_configure(shim_config.buffers ? getenv("DRMSCOPE_BLOB_DIR") : NULL,
		       s && !strcmp(s, "zstd"));
}

static bool path_matches(const char *path)
{
	unsigned i;

	for (i = 0; i < shim_config.nglobs; i++)
		if (!fnmatch(shim_config.globs[i], path, 0))
			return true;
	return false;
}

/* --------------------------------------------------------- thread state */

static void free_scratch(void *p)
{
	struct shim_tls *t = p;

	if (t && t->scratch) {
		real_munmap(t->scratch, t->scratch_len + 8);
		t->scratch = NULL;
	}
}

uint8_t *shim_scratch(size_t *len)
{
	struct shim_tls *t = &shim_tls;

	if (!t->scratch) {
		size_t n = SCRATCH_HEAD + shim_config.array_max;
		void *p;

		/* Untouched pages of the mapping cost nothing. */
		p = real_mmap(NULL, n + 8, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		t->scratch = p;
		t->scratch_len = n;
		pthread_setspecific(scratch_key, t);
	}
	*len = t->scratch_len;
	return t->scratch;
}

static void learn_stack(struct shim_tls *t)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;

	t->stack_known = true;
	if (pthread_getattr_np(pthread_self(), &attr))
		return;
	if (!pthread_attr_getstack(&attr, &addr, &size)) {
		t->stack_lo = (uintptr_t)addr;
		t->stack_hi = (uintptr_t)addr + size;
	}
	pthread_attr_destroy(&attr);
}

int shim_safe_read(void *dst, uint64_t addr, size_t len)
{
	struct shim_tls *t = &shim_tls;
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

	if (!len)
		return 0;
	if (addr < 4096 || addr + len < addr || addr + len > UINTPTR_MAX)
		return -EFAULT;
	if (!t->stack_known)
		learn_stack(t);
	/* Between our frame and the top of the stack everything is mapped. */
	if (sp >= t->stack_lo && sp < t->stack_hi && addr >= sp &&
	    addr + len <= t->stack_hi) {
		memcpy(dst, (const void *)(uintptr_t)addr, len);
		return 0;
	}
	if (vm_readv_ok) {
		struct iovec local = { .iov_base = dst, .iov_len = len };
		struct iovec remote = {
			.iov_base = (void *)(uintptr_t)addr, .iov_len = len,
		};
		ssize_t n = process_vm_readv(shim_pid, &local, 1, &remote, 1, 0);

		if (n == (ssize_t)len)
			return 0;
		if (n >= 0 || errno == EFAULT)
			return -EFAULT;
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
		/* Not allowed here (seccomp): trust the program's pointers. */
		vm_readv_ok = false;
	}
	memcpy(dst, (const void *)(uintptr_t)addr, len);
	return 0;
}

/* ----------------------------------------------------------- processes */

/* Append @s to @out as a JSON string. */
static size_t json_string(char *out, size_t size, size_t pos, const char *s,
			  size_t n)
{
	size_t i;

	if (pos < size)
		out[pos] = '"';
	pos++;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[8];
		size_t k, elen;

		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			elen = 2;
		} else if (ch < 0x20) {
			elen = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", ch);
		} else {
			esc[0] = (char)ch;
			elen = 1;
		}
		for (k = 0; k < elen; k++, pos++)
			if (pos < size)
				out[pos] = esc[k];
	}
	if (pos < size)
		out[pos] = '"';
	return pos + 1;
}

static void emit_process_info(uint8_t cause)
{
	char exe[PATH_MAX], raw[8192], argv[8192];
	ssize_t n;
	size_t pos = 0, i, start;
	int fd;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';

	/* /proc/self/cmdline: NUL-separated arguments -> a JSON array. */
	raw[0] = '\0';
	n = 0;
	fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, raw, sizeof(raw));
		real_close(fd);
	}
	argv[pos++] = '[';
	for (i = 0, start = 0; n > 0 && i < (size_t)n; i++) {
		if (raw[i])
			continue;
		if (start)
			argv[pos++ < sizeof(argv) ? pos - 1 : 0] = ',';
		pos = json_string(argv, sizeof(argv) - 2, pos, raw + start, i - start);
		start = i + 1;
		if (pos >= sizeof(argv) - 2)
			break;
	}
	if (pos > sizeof(argv) - 2)
		pos = sizeof(argv) - 2;
	argv[pos++] = ']';
	argv[pos] = '\0';
	lttng_ust_tracepoint(drmscope, process_info, (int)shim_pid,
			     (int)getppid(), exe, argv, cause);
}

void shim_prologue_slow(void)
{
	if (atomic_exchange(&shim_need_process_info, false))
		emit_process_info(1);
}

static void atfork_prepare(void)
{
	track_atfork_prepare();
	blob_atfork_prepare();
}

static void atfork_parent(void)
{
	blob_atfork_parent();
	track_atfork_parent();
}

static void atfork_child(void)
{
	shim_pid = getpid();
	blob_atfork_child();
	track_atfork_child();
	/* The first event of the child says who it is. */
	atomic_store(&shim_need_process_info, true);
}

/* ----------------------------------------------------------- fd events */

/* Copy the last component of the symlink @path into @out if it names a
 * driver with a uapi table. */
static bool known_link(const char *path, char *out, size_t size)
{
	char link[PATH_MAX];
	const struct ds_uapi_driver *drv;
	const char *base;
	ssize_t n;

	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	drv = ds_uapi_find_driver(base);
	if (!drv || drv->first == 0)
		return false;
	n = (ssize_t)strnlen(base, size - 1);
	memcpy(out, base, (size_t)n);
	out[n] = '\0';
	return true;
}

/*
 * The driver behind a device node, from sysfs: a hint used until
 * DRM_IOCTL_VERSION says it. Only names with a uapi table count: the
 * device's driver (virtio: the virtio device below the PCI one), or the
 * platform device's own name (simgpu and vgem register no driver).
 */
static void sysfs_driver(uint32_t maj, uint32_t min, char *out, size_t size)
{
	char dev[64], path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	out[0] = '\0';
	snprintf(dev, sizeof(dev), "/sys/dev/char/%u:%u/device", maj, min);
	snprintf(path, sizeof(path), "%s/driver", dev);
	if (known_link(path, out, size) || known_link(dev, out, size))
		return;
	d = opendir(dev);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "virtio", 6))
			continue;
		snprintf(path, sizeof(path), "%s/%s/driver", dev, e->d_name);
		if (known_link(path, out, size))
			break;
	}
	closedir(d);
}

/* A new fd from open/openat: trace it if its path is a device we follow. */
static void after_open(int fd, int dirfd, const char *path, int flags,
		       bool inherited)
{
	char resolved[PATH_MAX], proc[64], driver[32];
	struct ds_file *f = NULL, *old = NULL;
	struct stat st;
	uint32_t maj = 0, min = 0;
	const char *p = path;
	ssize_t n;

	if (fd < 0)
		return;
	if (!p || p[0] != '/' || dirfd != AT_FDCWD) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		n = readlink(proc, resolved, sizeof(resolved) - 1);
		if (n > 0) {
			resolved[n] = '\0';
			p = resolved;
		}
	}
	if (p && path_matches(p)) {
		if (!fstat(fd, &st) && S_ISCHR(st.st_mode)) {
			maj = major(st.st_rdev);
			min = minor(st.st_rdev);
		}
		f = file_new(maj, min);
		if (!f) {
			shim_fail("out of memory", ENOMEM);
			return;
		}
	}
	if (fd_install(fd, f, &old)) {
		shim_fail("out of memory for the fd table", ENOMEM);
		return;
	}
	if (old) {
		/* The number was closed behind our back; it is not that file. */
		file_put(old);
	}
	if (!f)
		return;
	driver[0] = '\0';
	if (maj)
		sysfs_driver(maj, min, driver, sizeof(driver));
	if (driver[0])
		file_set_driver(f, driver, strlen(driver));
	shim_prologue();
	lttng_ust_tracepoint(drmscope, fd_open, fd, p, maj, min, flags,
			     inherited, driver);
}

/* Run @fn for an fd-creating call, with the guard up and errno kept. */
#define WITH_GUARD(stmt) do {						\
	int saved_errno_ = errno;					\
	shim_tls.guard++;						\
	stmt;								\
	shim_tls.guard--;						\
	errno = saved_errno_;						\
} while (0)

static inline bool active(void)
{
	return !shim_tls.guard &&
	       atomic_load_explicit(&shim_enabled, memory_order_relaxed);
}

static void note_dup(int oldfd, int newfd)
{
	struct ds_file *f = fd_get(oldfd), *prev = NULL;

	if (f)
		file_get(f);
	if (fd_install(newfd, f, &prev)) {
		file_put(f);
		shim_fail("out of memory for the fd table", ENOMEM);
		return;
	}
	shim_prologue();
	if (prev) {
		/* dup2/dup3 closed newfd first. */
		lttng_ust_tracepoint(drmscope, fd_close, newfd);
		file_put(prev);
	}
	if (f)
		lttng_ust_tracepoint(drmscope, fd_dup, oldfd, newfd);
}

static void note_close(int fd, struct ds_file *f)
{
	shim_prologue();
	lttng_ust_tracepoint(drmscope, fd_close, fd);
	file_put(f);
}

/* ------------------------------------------------------------- wrappers */

static int open_mode_needed(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

#define OPEN_WRAPPER(name, ...)						\
EXPORT int name(const char *path, int flags, ...)			\
{									\
	mode_t mode = 0;						\
	int fd;								\
									\
	if (open_mode_needed(flags)) {					\
		va_list ap;						\
		va_start(ap, flags);					\
		mode = va_arg(ap, mode_t);				\
		va_end(ap);						\
	}								\
	RESOLVE(name);							\
	fd = real_##name(path, flags, mode);				\
	if (fd >= 0 && active())					\
		WITH_GUARD(after_open(fd, AT_FDCWD, path, flags, false)); \
	return fd;							\
}

#define OPENAT_WRAPPER(name)						\
EXPORT int name(int dirfd, const char *path, int flags, ...)		\
{									\
	mode_t mode = 0;						\
	int fd;								\
									\
	if (open_mode_needed(flags)) {					\
		va_list ap;						\
		va_start(ap, flags);					\
		mode = va_arg(ap, mode_t);				\
		va_end(ap);						\
	}								\
	RESOLVE(name);							\
	fd = real_##name(dirfd, path, flags, mode);			\
	if (fd >= 0 && active())					\
		WITH_GUARD(after_open(fd, dirfd, path, flags, false));	\
	return fd;							\
}

OPEN_WRAPPER(open)
OPEN_WRAPPER(open64)
OPENAT_WRAPPER(openat)
OPENAT_WRAPPER(openat64)

/* _FORTIFY_SOURCE entry points. */
#define OPEN2_WRAPPER(name)						\
EXPORT int name(const char *path, int flags)				\
{									\
	int fd;								\
									\
	RESOLVE(name);							\
	fd = real_##name(path, flags);					\
	if (fd >= 0 && active())					\
		WITH_GUARD(after_open(fd, AT_FDCWD, path, flags, false)); \
	return fd;							\
}

#define OPENAT2_WRAPPER(name)						\
EXPORT int name(int dirfd, const char *path, int flags)		\
{									\
	int fd;								\
									\
	RESOLVE(name);							\
	fd = real_##name(dirfd, path, flags);				\
	if (fd >= 0 && active())					\
		WITH_GUARD(after_open(fd, dirfd, path, flags, false));	\
	return fd;							\
}

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

OPEN2_WRAPPER(__open_2)
OPEN2_WRAPPER(__open64_2)
OPENAT2_WRAPPER(__openat_2)
OPENAT2_WRAPPER(__openat64_2)

EXPORT int close(int fd)
{
	struct ds_file *f = NULL;
	int ret;

	RESOLVE(close);
	if (active()) {
		f = fd_take(fd);
		blob_fd_closed(fd);
	}
	ret = real_close(fd);
	if (f)
		WITH_GUARD(note_close(fd, f));
	return ret;
}

static void close_one(int fd, struct ds_file *f, void *ctx)
{
	(void)f;
	(void)ctx;
	f = fd_take(fd);
	if (f)
		note_close(fd, f);
}

EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	int ret;

	RESOLVE(close_range);
	if (!real_close_range) {
		errno = ENOSYS;
		return -1;
	}
	ret = real_close_range(first, last, flags);
	/* With CLOSE_RANGE_CLOEXEC nothing is closed until exec. */
	if (!ret && active() && !(flags & CLOSE_RANGE_CLOEXEC))
		WITH_GUARD(fd_for_each(first, last, close_one, NULL));
	return ret;
}

EXPORT int dup(int oldfd)
{
	int fd;

	RESOLVE(dup);
	fd = real_dup(oldfd);
	if (fd >= 0 && active())
		WITH_GUARD(note_dup(oldfd, fd));
	return fd;
}

EXPORT int dup2(int oldfd, int newfd)
{
	int fd;

	RESOLVE(dup2);
	fd = real_dup2(oldfd, newfd);
	if (fd >= 0 && oldfd != newfd && active())
		WITH_GUARD(note_dup(oldfd, fd));
	return fd;
}

EXPORT int dup3(int oldfd, int newfd, int flags)
{
	int fd;

	RESOLVE(dup3);
	fd = real_dup3(oldfd, newfd, flags);
	if (fd >= 0 && active())
		WITH_GUARD(note_dup(oldfd, fd));
	return fd;
}

/* fcntl's third argument is an int, a long or a pointer: pass a long. */
#define FCNTL_WRAPPER(name)						\
EXPORT int name(int fd, int cmd, ...)					\
{									\
	unsigned long arg;						\
	va_list ap;							\
	int ret;							\
									\
	va_start(ap, cmd);						\
	arg = va_arg(ap, unsigned long);				\
	va_end(ap);							\
	RESOLVE(name);							\
	ret = real_##name(fd, cmd, arg);				\
	if (ret >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) &&	\
	    active())							\
		WITH_GUARD(note_dup(fd, ret));				\
	return ret;							\
}

FCNTL_WRAPPER(fcntl)
FCNTL_WRAPPER(fcntl64)

EXPORT int ioctl(int fd, unsigned long request, ...)
{
	struct ds_file *f;
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (unlikely(!real_ioctl))
		RESOLVE(ioctl);
	if (!active() || !(f = fd_get(fd)))
		return real_ioctl(fd, request, arg);
	return shim_traced_ioctl(f, fd, request, arg);
}

static void note_mmap(struct ds_file *f, int fd, void *ret, size_t len,
		      int prot, int flags, uint64_t off, int err)
{
	struct ds_tp_mmap m = {
		.fd = fd, .offset = off, .length = len,
		.addr = (uintptr_t)ret, .prot = prot, .flags = flags,
		.err = ret == MAP_FAILED ? err : 0,
	};

	if (ret != MAP_FAILED)
		m.handle = track_mmap(f, off, len, ret);
	shim_prologue();
	lttng_ust_tracepoint(drmscope, mmap, &m);
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	struct ds_file *f;
	void *ret;

	RESOLVE(mmap);
	if (fd < 0 || !active() || !(f = fd_get(fd)))
		return real_mmap(addr, len, prot, flags, fd, off);
	ret = real_mmap(addr, len, prot, flags, fd, off);
	WITH_GUARD(note_mmap(f, fd, ret, len, prot, flags, (uint64_t)off,
			     saved_errno_));
	return ret;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
		    off64_t off)
{
	struct ds_file *f;
	void *ret;

	RESOLVE(mmap64);
	if (fd < 0 || !active() || !(f = fd_get(fd)))
		return real_mmap64(addr, len, prot, flags, fd, off);
	ret = real_mmap64(addr, len, prot, flags, fd, off);
	WITH_GUARD(note_mmap(f, fd, ret, len, prot, flags, (uint64_t)off,
			     saved_errno_));
	return ret;
}

EXPORT int munmap(void *addr, size_t len)
{
	int ret;

	RESOLVE(munmap);
	ret = real_munmap(addr, len);
	if (!ret && active() && track_has_mappings())
		WITH_GUARD(
			if (track_munmap(addr, len)) {
				shim_prologue();
				lttng_ust_tracepoint(drmscope, munmap,
						     (uintptr_t)addr, len);
			});
	return ret;
}

/* -------------------------------------------------------- initialisation */

static void scan_inherited(void *ctx)
{
	DIR *d;
	struct dirent *e;

	(void)ctx;
	d = opendir("/proc/self/fd");
	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		int flags;

		if (*end || end == e->d_name || fd < 0 || fd == dirfd(d))
			continue;
		flags = fcntl((int)fd, F_GETFL);
		after_open((int)fd, -1, NULL, flags < 0 ? 0 : flags, true);
	}
	closedir(d);
}

__attribute__((constructor))
static void shim_init(void)
{
	int saved = errno;

	if (atomic_exchange(&init_done, true))
		return;
	shim_tls.guard++;
	resolve_all();
	configure();
	if (shim_off || !real_ioctl || !real_close || !real_mmap || !real_munmap) {
		shim_tls.guard--;
		errno = saved;
		return;
	}
	shim_pid = getpid();
	track_init();
	if (pthread_key_create(&scratch_key, free_scratch) ||
	    pthread_atfork(atfork_prepare, atfork_parent, atfork_child)) {
		shim_tls.guard--;
		shim_fail("cannot initialise", errno);
		errno = saved;
		return;
	}
	atomic_store(&shim_enabled, true);
	emit_process_info(0);
	/* Device fds inherited across exec (or opened before us). */
	scan_inherited(NULL);
	shim_tls.guard--;
	errno = saved;
}
