/*
 * drmscope/uapi.h: descriptions of the DRM ioctl uapi (lib/uapi, library
 * drmscope_uapi).
 *
 * One table per driver says, for each ioctl: its request number, its name,
 * the layout of its argument struct, and what every field of it means: a
 * plain value, a GEM handle, a syncobj, a KMS object id, a GPU address, an
 * mmap offset, or a user pointer to an array whose count lives in another
 * field. Three users share these tables:
 *
 *  - the shim (tracer/) deep-copies the arrays an ioctl's pointers lead to;
 *  - the analyzer decodes argument bytes to key=value text and JSON;
 *  - the replay engine finds the handles and ids it must remap.
 *
 * The tables are compiled against the uapi headers of the running
 * distribution (Debian's kernel headers) and the project's simgpu_drm.h: the
 * offsets and sizes below come from offsetof()/sizeof() on the real structs.
 *
 * Tables: "drm" (DRM core, 0x00-0x3f), "kms" (mode setting and syncobj,
 * 0xa0-0xff), and the driver-private range 0x40-0x9f of "simgpu",
 * "virtio_gpu" and "vgem". The private range is ambiguous: the same number
 * means different things to different drivers, so a look-up there needs the
 * driver name that DRM_IOCTL_VERSION returned on that fd.
 *
 * Safety: the bytes handed to the walker and the decoders may come from an
 * untrusted capture. Every read is bounds-checked against the length the
 * caller passes; counts, strides and byte totals are capped by the limits
 * in struct ds_uapi_walk_ops. Nothing here allocates, prints or exits.
 */
#ifndef DRMSCOPE_UAPI_H
#define DRMSCOPE_UAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a field (or an array element) holds. */
enum ds_uapi_kind {
	DS_UAPI_VALUE = 0,	/* a plain integer: parameter, dimension, result */
	DS_UAPI_FLAGS,		/* bit flags or an enum (printed in hex) */
	DS_UAPI_PAD,		/* padding or reserved: must be zero */
	DS_UAPI_SIZE,		/* a size in bytes */
	DS_UAPI_COUNT,		/* the element count of an array */
	DS_UAPI_STRIDE,		/* the element size of an array */
	DS_UAPI_GPU_VA,		/* a GPU virtual address */
	DS_UAPI_MMAP_OFFSET,	/* a fake offset for mmap() on the DRM fd */
	DS_UAPI_USER_DATA,	/* an opaque cookie handed back in DRM events */
	DS_UAPI_TIMEOUT,	/* nanoseconds */
	DS_UAPI_GEM_HANDLE,	/* a GEM handle (per file) */
	DS_UAPI_GEM_NAME,	/* a global flink name */
	DS_UAPI_SYNCOBJ,	/* a syncobj handle (per file) */
	DS_UAPI_DMABUF_FD,	/* a dma-buf file descriptor */
	DS_UAPI_SYNC_FILE_FD,	/* a sync_file file descriptor */
	DS_UAPI_FD,		/* another fd: syncobj fd, lease fd, eventfd */
	DS_UAPI_KMS_CRTC,	/* KMS object ids (per device) */
	DS_UAPI_KMS_CONNECTOR,
	DS_UAPI_KMS_ENCODER,
	DS_UAPI_KMS_PLANE,
	DS_UAPI_KMS_FB,
	DS_UAPI_KMS_PROPERTY,
	DS_UAPI_KMS_BLOB,
	DS_UAPI_KMS_OBJECT,	/* any KMS object; an obj_type field may say which */
	DS_UAPI_KMS_PROP_VALUE,	/* a property value: an id or a number, per property */
	DS_UAPI_KMS_LESSEE,
	DS_UAPI_VM_ID,		/* a driver VM id (simgpu) */
	DS_UAPI_QUEUE_ID,	/* a driver queue id (simgpu) */
	DS_UAPI_HOST_RES,	/* a virtio-gpu host resource id */
	DS_UAPI_PTR,		/* a user pointer to an array: field->array */
	DS_UAPI_CHARS,		/* an inline char array (not always terminated) */
	DS_UAPI_STRUCT,		/* an embedded struct: field->sub */
	DS_UAPI_KIND_COUNT
};

/* Who reads and who writes a field or an array, seen from the kernel. */
enum ds_uapi_dir {
	DS_UAPI_IN = 1,		/* user space writes it, the kernel reads it */
	DS_UAPI_OUT = 2,	/* the kernel writes it */
	DS_UAPI_INOUT = 3,
};

/* struct ds_uapi_field.flags */
enum {
	DS_UAPI_F_SIGNED = 1 << 0,	/* a signed integer */
	DS_UAPI_F_DESTROY = 1 << 1,	/* the call releases this handle or id */
	DS_UAPI_F_OPTIONAL = 1 << 2,	/* zero means "none" */
};

/* How an array's element count is found. */
enum ds_uapi_count_mode {
	DS_UAPI_COUNT_FIELD = 0,	/* the field at @count holds the count */
	DS_UAPI_COUNT_BYTES,		/* the field at @count holds the byte length */
	DS_UAPI_COUNT_FIXED,		/* @fixed_count elements */
	DS_UAPI_COUNT_SUM,		/* the sum of the u32 array that the pointer at
					 * @sum_ptr leads to, @count elements long
					 * (DRM_IOCTL_MODE_ATOMIC's props) */
};

/* A reference to another field of the same struct, by offset and size. */
struct ds_uapi_ref {
	uint16_t offset;
	uint8_t size;		/* 0: no such field */
};

/* struct ds_uapi_array.flags */
enum {
	DS_UAPI_A_BULK = 1 << 0,	/* bulk data (a command stream), may be large */
	DS_UAPI_A_SIGNALS = 1 << 1,	/* the call signals the syncobjs in it when the
					 * work completes (a submission's out syncs) */
};

/* The array a DS_UAPI_PTR field leads to. */
struct ds_uapi_array {
	uint8_t dir;			/* enum ds_uapi_dir */
	uint8_t count_mode;		/* enum ds_uapi_count_mode */
	uint8_t elem_kind;		/* kind of each element when @elem is NULL */
	uint8_t flags;			/* DS_UAPI_A_* */
	struct ds_uapi_ref count;	/* the count (or byte length) field */
	struct ds_uapi_ref stride;	/* the element size field, if any */
	struct ds_uapi_ref sum_ptr;	/* DS_UAPI_COUNT_SUM only */
	uint32_t elem_size;		/* element size without a stride field */
	uint32_t fixed_count;		/* DS_UAPI_COUNT_FIXED only */
	const struct ds_uapi_struct *elem; /* element layout, or NULL */
};

struct ds_uapi_field {
	const char *name;	/* "handle", "ops.array" (dots: flattened struct) */
	uint16_t offset;	/* bytes from the start of the struct */
	uint16_t size;		/* bytes of one element */
	uint16_t nelem;		/* inline elements: 1, or N for type x[N] */
	uint8_t kind;		/* enum ds_uapi_kind */
	uint8_t dir;		/* enum ds_uapi_dir */
	uint16_t flags;		/* DS_UAPI_F_* */
	const struct ds_uapi_array *array;	/* DS_UAPI_PTR */
	const struct ds_uapi_struct *sub;	/* DS_UAPI_STRUCT */
};

struct ds_uapi_struct {
	const char *name;	/* the C struct name, e.g. "drm_version" */
	uint32_t size;		/* sizeof(struct) */
	uint32_t nfields;
	const struct ds_uapi_field *fields;
};

/* struct ds_uapi_ioctl.flags: what the shim must capture around the call */
enum {
	DS_UAPI_I_SUBMIT = 1 << 0,	/* GPU work that reads buffers */
	DS_UAPI_I_KMS_COMMIT = 1 << 1,	/* scans out framebuffers */
	DS_UAPI_I_CREATES = 1 << 2,	/* creates an object (out handle or id) */
	DS_UAPI_I_DESTROYS = 1 << 3,	/* releases an object */
	DS_UAPI_I_LEGACY = 1 << 4,	/* legacy (DRI1) ioctl, rejected by KMS drivers */
	DS_UAPI_I_SYNC = 1 << 5,	/* waits for GPU work: a synchronisation point
					 * (after it the shim may snapshot results) */
	DS_UAPI_I_BLOCKS = 1 << 6,	/* may wait for a long time (the shim
					 * records it before and after the call) */
};

struct ds_uapi_ioctl {
	uint32_t request;	/* the full DRM_IOCTL_* number */
	const char *name;	/* "DRM_IOCTL_VERSION" */
	const struct ds_uapi_struct *arg; /* NULL: no argument (DRM_IO) */
	uint32_t flags;		/* DS_UAPI_I_* */
};

/*
 * One table. Entries are indexed by ioctl number: @tab[nr - @first] for nr
 * in [@first, @first + @n); unused slots have a NULL name.
 */
struct ds_uapi_driver {
	const char *name;	/* "drm", "kms", "simgpu", "virtio_gpu", "vgem" */
	uint16_t first;
	uint16_t n;
	const struct ds_uapi_ioctl *tab;
	uint32_t flags;		/* DS_UAPI_D_* */
};

/* struct ds_uapi_driver.flags */
enum {
	/*
	 * The kernel reports a hash of each job's results (simgpu_job_done):
	 * replays check jobs by hash, so the shim takes no after-sync buffer
	 * snapshots by default (DRMSCOPE_BUFFERS=results forces them).
	 */
	DS_UAPI_D_JOB_HASH = 1 << 0,
};

/* The DRM ioctl type ('d') and the driver-private number range. */
#define DS_UAPI_DRM_TYPE	0x64u
#define DS_UAPI_DRIVER_FIRST	0x40u
#define DS_UAPI_DRIVER_LAST	0x9fu

/* The number of tables, and the table at @i (NULL past the end). */
unsigned ds_uapi_driver_count(void);
const struct ds_uapi_driver *ds_uapi_driver_at(unsigned i);

/*
 * The table of the driver named @name (the DRM_IOCTL_VERSION name: "simgpu",
 * "virtio_gpu", ...), or NULL if none describes it. "drm" and "kms" name the
 * generic tables.
 */
const struct ds_uapi_driver *ds_uapi_find_driver(const char *name);

/*
 * The entry whose number is exactly @request: a generic (drm/kms) entry for
 * numbers outside 0x40-0x9f, else an entry of @drv (which may be NULL, for
 * an fd whose driver is unknown). NULL if nothing matches. Constant time.
 */
const struct ds_uapi_ioctl *ds_uapi_lookup(const struct ds_uapi_driver *drv,
					   uint32_t request);

/*
 * Like ds_uapi_lookup(), but also accepts a @request that differs from the
 * entry only in its size or direction bits (a program built against older
 * or newer headers). The caller must then bound every access by the size
 * encoded in @request (ds_uapi_ioc_size()), as the walker and decoders do
 * with the length they are given. Sets *@exact when not NULL.
 */
const struct ds_uapi_ioctl *ds_uapi_lookup_nr(const struct ds_uapi_driver *drv,
					      uint32_t request, bool *exact);

/* Same, by driver name ("unknown" or NULL: no driver table). */
const struct ds_uapi_ioctl *ds_uapi_lookup_name(const char *driver,
						uint32_t request);

/* The table an entry returned by a look-up belongs to. */
const struct ds_uapi_driver *ds_uapi_driver_of(const struct ds_uapi_ioctl *io);

/*
 * The name of @request for an fd of driver @drv: the entry's name (also
 * when @request differs from it only in size or direction, as with a
 * program built against other headers: ds_uapi_lookup_nr()), or one made
 * from the number into @buf: "DRM_IOCTL(0x4a, 0xc0186444)" for the DRM
 * type, "IOCTL(0x...)" for others. Returns the name (@buf or a constant).
 */
const char *ds_uapi_request_name(const struct ds_uapi_driver *drv,
				 uint32_t request, char *buf, size_t size);

/* The fields of an ioctl request number (_IOC_* without the kernel macros). */
static inline uint32_t ds_uapi_ioc_nr(uint32_t req) { return req & 0xffu; }
static inline uint32_t ds_uapi_ioc_type(uint32_t req) { return (req >> 8) & 0xffu; }
static inline uint32_t ds_uapi_ioc_size(uint32_t req) { return (req >> 16) & 0x3fffu; }
/* bit 0: the kernel writes to user space (_IOC_WRITE), bit 1: it reads (_IOC_READ) */
static inline uint32_t ds_uapi_ioc_dir(uint32_t req) { return (req >> 30) & 0x3u; }
/* The kernel reads the argument (copied in) / writes it back (copied out). */
static inline bool ds_uapi_ioc_copies_in(uint32_t req) { return ds_uapi_ioc_dir(req) & 1u; }
static inline bool ds_uapi_ioc_copies_out(uint32_t req) { return ds_uapi_ioc_dir(req) & 2u; }

/* The name of a kind ("gem_handle") and of a direction ("in", "out", "inout"). */
const char *ds_uapi_kind_name(unsigned kind);
const char *ds_uapi_dir_name(unsigned dir);

/* Is @kind an object handle or id that a replay must remap? */
bool ds_uapi_kind_is_object(unsigned kind);

/* The field named @name of @s, or NULL. */
const struct ds_uapi_field *ds_uapi_field_by_name(const struct ds_uapi_struct *s,
						  const char *name);

/*
 * Read element @idx of field @f from the @len bytes at @base (a struct of
 * the field's layout), zero-extended (or sign-extended with
 * DS_UAPI_F_SIGNED) to 64 bits. Returns 0, or -1 when the element does not
 * lie inside @len bytes or is not an integer of 1, 2, 4 or 8 bytes.
 */
int ds_uapi_field_get(const struct ds_uapi_field *f, const void *base,
		      size_t len, unsigned idx, uint64_t *val);

/* Read the integer of @ref inside @base/@len; -1 if absent or outside. */
int ds_uapi_ref_get(struct ds_uapi_ref ref, const void *base, size_t len,
		    uint64_t *val);

/* ------------------------------------------------------------ the walker */

/*
 * Reads @len bytes at user address @addr into @dst. Returns 0 or a negative
 * errno. The shim reads its own memory; the replay engine and the analyzer
 * look the address up in the arrays a capture recorded.
 */
typedef int (*ds_uapi_read_fn)(void *ctx, uint64_t addr, void *dst, size_t len);

/* One array found by ds_uapi_walk(). */
struct ds_uapi_span {
	const struct ds_uapi_struct *parent;	/* struct holding the pointer */
	const struct ds_uapi_field *field;	/* the pointer field */
	const struct ds_uapi_array *array;
	unsigned depth;		/* 0: pointer in the ioctl argument itself */
	unsigned index;		/* order among the walk's spans */
	uint64_t addr;		/* the pointer's value */
	uint64_t count_req;	/* elements the struct asks for */
	uint64_t count;		/* elements read (<= count_req) */
	uint32_t stride;	/* bytes from one element to the next */
	uint32_t elem_size;	/* bytes the description knows per element */
	uint64_t size;		/* bytes read: count * stride */
	const void *data;	/* the bytes (valid during the callback, 8-byte
				 * aligned if the scratch memory is), or NULL */
	int read_err;		/* negative errno of the read, or 0 */
	bool truncated;		/* count < count_req: a limit was hit */
};

/* Return 0 to go on, anything else stops the walk (and is returned). */
typedef int (*ds_uapi_visit_fn)(void *ctx, const struct ds_uapi_span *span);

struct ds_uapi_walk_ops {
	ds_uapi_read_fn read;
	ds_uapi_visit_fn visit;
	void *ctx;
	void *scratch;		/* memory for the arrays' bytes */
	size_t scratch_len;
	uint64_t max_bytes;	/* total bytes of all arrays (0: scratch_len) */
	uint32_t max_count;	/* elements per array (0: 1 << 20) */
	uint32_t max_stride;	/* largest accepted stride (0: 4096) */
	uint32_t max_depth;	/* nesting (0: 4) */
	uint32_t max_spans;	/* arrays per walk (0: 4096) */
};

/*
 * Visit the arrays that the pointers of @s (the @len bytes at @arg) lead to,
 * recursively through arrays of structs, in field order, depth first: a
 * span is visited before the arrays its elements point to.
 *
 * @phase DS_UAPI_IN (before the call) visits arrays the kernel reads
 * (direction in/inout); DS_UAPI_OUT (after the call) those it writes
 * (out/inout). For DS_UAPI_OUT, @arg_in (the struct before the call, or
 * NULL) bounds each count by what user space had room for.
 *
 * A NULL pointer or a zero count yields no span. An unreadable array yields
 * a span with data NULL and read_err set. Limits truncate, never fail.
 * Returns the number of spans visited, or the visitor's non-zero result.
 */
int ds_uapi_walk(const struct ds_uapi_struct *s, const void *arg, size_t len,
		 const void *arg_in, size_t in_len, unsigned phase,
		 const struct ds_uapi_walk_ops *ops);

/*
 * The extent of the array that field @f of the struct at @arg/@len leads
 * to, for the count modes that need no memory read (all but
 * DS_UAPI_COUNT_SUM): its address, element count and stride. Returns 0,
 * or -1 if @f is not a pointer, a referenced field lies outside @len, or
 * the mode is DS_UAPI_COUNT_SUM.
 */
int ds_uapi_array_extent(const struct ds_uapi_field *f, const void *arg,
			 size_t len, uint64_t *addr, uint64_t *count,
			 uint32_t *stride);

/* ----------------------------------------------------------- the decoder */

enum ds_uapi_format {
	DS_UAPI_FMT_TEXT = 0,	/* key=value key=value ... */
	DS_UAPI_FMT_JSON,	/* {"key":value,...} */
};

/*
 * Format the struct @s held in the @len bytes at @data into @buf (always
 * NUL-terminated when @size > 0). Fields that do not fit in @len are left
 * out. Returns the length the full text needs (as snprintf does), so a
 * result >= @size means it was cut.
 *
 * Text: "version_major=1 name_len=6 name=0x7ffc... mode.clock=148500
 * handles=[1,0,0,0] name=\"FB_ID\"". JSON: an object; integers are numbers,
 * except addresses, offsets, flags and pointers, which are "0x..." strings.
 */
int ds_uapi_format_struct(const struct ds_uapi_struct *s, const void *data,
			  size_t len, enum ds_uapi_format fmt, char *buf,
			  size_t size);

/*
 * Format @count elements of the array @a, @stride bytes apart in the @len
 * bytes at @data: "[1,2,3]", "[{...},{...}]", a string for char arrays, hex
 * digits for byte arrays. Same return convention.
 */
int ds_uapi_format_array(const struct ds_uapi_array *a, const void *data,
			 size_t len, uint64_t count, uint32_t stride,
			 enum ds_uapi_format fmt, char *buf, size_t size);

#endif /* DRMSCOPE_UAPI_H */
