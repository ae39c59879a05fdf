/*
 * tests/uapi/test_uapi.c: unit tests of the uapi descriptions (lib/uapi).
 *
 *  - table consistency: every entry sits at its number's slot, its struct
 *    size is the size encoded in the request, every field lies inside its
 *    struct, every count/stride/sum reference names a real field of the
 *    right kind, no number is described twice, names are unique;
 *  - look-ups: generic numbers, the ambiguous driver range, unknown numbers
 *    and their names, size-tolerant look-ups;
 *  - decoding of known structs to text and JSON (exact strings);
 *  - the walker on well-formed arguments (VERSION out strings, simgpu
 *    SUBMIT's nested syncobj arrays, ATOMIC's summed counts);
 *  - the walker and the decoders on hostile input: absurd counts and
 *    strides, unreadable pointers, short captures, a tiny scratch buffer,
 *    and random bytes for every described struct.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <drm/virtgpu_drm.h>
#include <uapi/drm/simgpu_drm.h>

#include <drmscope/uapi.h>

/* ------------------------------------------------------------- helpers */

/* A reader over this process's memory, for well-formed tests. */
static int read_self(void *ctx, uint64_t addr, void *dst, size_t len)
{
	(void)ctx;
	memcpy(dst, (const void *)(uintptr_t)addr, len);
	return 0;
}

/* A reader that fails every read, as a capture that lacks the bytes. */
static int read_fail(void *ctx, uint64_t addr, void *dst, size_t len)
{
	(void)ctx;
	(void)addr;
	(void)dst;
	(void)len;
	return -EFAULT;
}

/* A reader that fills with pseudo-random bytes and counts what it gave. */
struct rnd_reader {
	uint64_t state;
	uint64_t bytes;
	unsigned calls;
};

static uint64_t rnd_next(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static int read_random(void *ctx, uint64_t addr, void *dst, size_t len)
{
	struct rnd_reader *r = ctx;
	uint8_t *p = dst;
	size_t i;

	(void)addr;
	r->calls++;
	r->bytes += len;
	if ((rnd_next(&r->state) & 7) == 0)
		return -EFAULT;
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)rnd_next(&r->state);
	return 0;
}

#define MAX_SPANS 32

struct recorded {
	unsigned n;
	struct ds_uapi_span span[MAX_SPANS];
	uint8_t data[MAX_SPANS][256];
};

static int record_span(void *ctx, const struct ds_uapi_span *sp)
{
	struct recorded *r = ctx;

	if (r->n < MAX_SPANS) {
		r->span[r->n] = *sp;
		if (sp->data)
			memcpy(r->data[r->n], sp->data,
			       sp->size < 256 ? sp->size : 256);
		r->n++;
	}
	return 0;
}

static const struct ds_uapi_field *find_ref(const struct ds_uapi_struct *s,
					    struct ds_uapi_ref ref)
{
	uint32_t i;

	for (i = 0; i < s->nfields; i++)
		if (s->fields[i].offset == ref.offset &&
		    s->fields[i].size == ref.size && s->fields[i].nelem == 1)
			return &s->fields[i];
	return NULL;
}

/* --------------------------------------------------- table consistency */

static void check_struct(const struct ds_uapi_struct *s, unsigned depth);

static void check_array(const struct ds_uapi_struct *s,
			const struct ds_uapi_field *f, unsigned depth)
{
	const struct ds_uapi_array *a = f->array;
	const struct ds_uapi_field *c;

	assert_non_null(a);
	assert_true(a->dir >= DS_UAPI_IN && a->dir <= DS_UAPI_INOUT);
	assert_true(f->size == 8 || f->size == sizeof(void *));
	assert_int_equal(f->nelem, 1);

	switch (a->count_mode) {
	case DS_UAPI_COUNT_FIELD:
	case DS_UAPI_COUNT_BYTES:
		c = find_ref(s, a->count);
		if (!c)
			fail_msg("%s.%s: count field missing", s->name, f->name);
		if (c->kind != DS_UAPI_COUNT && c->kind != DS_UAPI_SIZE)
			fail_msg("%s.%s: count field %s is of kind %s", s->name,
				 f->name, c->name, ds_uapi_kind_name(c->kind));
		break;
	case DS_UAPI_COUNT_FIXED:
		assert_true(a->fixed_count > 0);
		break;
	case DS_UAPI_COUNT_SUM:
		c = find_ref(s, a->count);
		assert_non_null(c);
		assert_int_equal(c->kind, DS_UAPI_COUNT);
		c = find_ref(s, a->sum_ptr);
		if (!c)
			fail_msg("%s.%s: sum pointer missing", s->name, f->name);
		assert_int_equal(c->kind, DS_UAPI_PTR);
		assert_int_equal(c->array->elem_kind, DS_UAPI_COUNT);
		assert_int_equal(c->array->elem_size, 4);
		assert_int_equal(c->array->count.offset, a->count.offset);
		break;
	default:
		fail_msg("%s.%s: bad count mode", s->name, f->name);
	}
	if (a->stride.size) {
		c = find_ref(s, a->stride);
		if (!c || c->kind != DS_UAPI_STRIDE)
			fail_msg("%s.%s: stride field missing", s->name, f->name);
	}
	assert_true(a->elem_size > 0);
	if (a->count_mode == DS_UAPI_COUNT_BYTES) {
		assert_int_equal(a->elem_size, 1);
	} else if (a->elem) {
		assert_int_equal(a->elem_kind, DS_UAPI_STRUCT);
		assert_int_equal(a->elem_size, a->elem->size);
	} else {
		assert_true(a->elem_size == 1 || a->elem_size == 2 ||
			    a->elem_size == 4 || a->elem_size == 8);
		assert_true(a->elem_kind < DS_UAPI_KIND_COUNT);
		assert_true(a->elem_kind != DS_UAPI_PTR &&
			    a->elem_kind != DS_UAPI_STRUCT);
	}
	if (a->elem)
		check_struct(a->elem, depth + 1);
}

static void check_struct(const struct ds_uapi_struct *s, unsigned depth)
{
	uint32_t i, j;

	assert_true(depth < 6);
	assert_non_null(s->name);
	assert_true(s->size > 0);
	assert_true(s->nfields > 0);
	for (i = 0; i < s->nfields; i++) {
		const struct ds_uapi_field *f = &s->fields[i];

		assert_non_null(f->name);
		assert_true(f->kind < DS_UAPI_KIND_COUNT);
		assert_true(f->dir >= DS_UAPI_IN && f->dir <= DS_UAPI_INOUT);
		assert_true(f->nelem >= 1);
		if ((uint32_t)f->offset + (uint32_t)f->size * f->nelem > s->size)
			fail_msg("%s.%s lies outside the struct (%u+%u*%u > %u)",
				 s->name, f->name, f->offset, f->size, f->nelem,
				 s->size);
		for (j = 0; j < i; j++)
			if (!strcmp(s->fields[j].name, f->name))
				fail_msg("%s: field %s twice", s->name, f->name);
		switch (f->kind) {
		case DS_UAPI_PTR:
			check_array(s, f, depth);
			break;
		case DS_UAPI_STRUCT:
			assert_non_null(f->sub);
			assert_int_equal(f->size, f->sub->size);
			check_struct(f->sub, depth + 1);
			break;
		case DS_UAPI_CHARS:
			assert_int_equal(f->size, 1);
			break;
		default:
			assert_null(f->array);
			if (!(f->size == 1 || f->size == 2 || f->size == 4 ||
			      f->size == 8))
				fail_msg("%s.%s: size %u", s->name, f->name, f->size);
		}
	}
}

static void test_tables(void **state)
{
	unsigned d, i, total = 0;

	(void)state;
	assert_true(ds_uapi_driver_count() >= 5);
	assert_null(ds_uapi_driver_at(ds_uapi_driver_count()));

	for (d = 0; d < ds_uapi_driver_count(); d++) {
		const struct ds_uapi_driver *drv = ds_uapi_driver_at(d);
		bool generic = drv->first == 0;

		assert_ptr_equal(ds_uapi_find_driver(drv->name), drv);
		for (i = 0; i < drv->n; i++) {
			const struct ds_uapi_ioctl *io = &drv->tab[i];
			uint32_t nr;
			unsigned j;

			if (!io->name)
				continue;
			total++;
			nr = ds_uapi_ioc_nr(io->request);
			assert_int_equal(ds_uapi_ioc_type(io->request), 'd');
			/* At its own slot: no number described twice. */
			assert_int_equal(nr, drv->first + i);
			if (generic)
				assert_true(nr < DS_UAPI_DRIVER_FIRST ||
					    nr > DS_UAPI_DRIVER_LAST);
			else
				assert_true(nr >= DS_UAPI_DRIVER_FIRST &&
					    nr <= DS_UAPI_DRIVER_LAST);
			assert_true(!strncmp(io->name, "DRM_IOCTL_", 10));
			if (io->arg) {
				if (io->arg->size != ds_uapi_ioc_size(io->request))
					fail_msg("%s: struct %s is %u bytes, request says %u",
						 io->name, io->arg->name, io->arg->size,
						 ds_uapi_ioc_size(io->request));
				check_struct(io->arg, 0);
			} else if (!(io->flags & DS_UAPI_I_LEGACY)) {
				/* Only DRM_IO() requests have no argument. */
				assert_int_equal(ds_uapi_ioc_size(io->request), 0);
			}
			/* Unique names within the table. */
			for (j = 0; j < i; j++)
				if (drv->tab[j].name)
					assert_string_not_equal(drv->tab[j].name,
								io->name);
			/* The exact look-up finds the entry back. */
			if (generic)
				assert_ptr_equal(ds_uapi_lookup(NULL, io->request), io);
			else
				assert_ptr_equal(ds_uapi_lookup(drv, io->request), io);
			assert_ptr_equal(ds_uapi_driver_of(io), drv);
		}
	}
	/* The generic tables never describe the same number twice. */
	{
		const struct ds_uapi_driver *a = ds_uapi_find_driver("drm");
		const struct ds_uapi_driver *b = ds_uapi_find_driver("kms");

		for (i = 0; i < 256; i++)
			assert_false(a->tab[i].name && b->tab[i].name);
	}
	assert_true(total > 100);
}

/* What the brief asks to be covered is actually there. */
static void test_coverage(void **state)
{
	static const uint32_t generic[] = {
		DRM_IOCTL_VERSION, DRM_IOCTL_GET_CAP, DRM_IOCTL_SET_CLIENT_CAP,
		DRM_IOCTL_GEM_CLOSE, DRM_IOCTL_GEM_FLINK, DRM_IOCTL_GEM_OPEN,
		DRM_IOCTL_PRIME_HANDLE_TO_FD, DRM_IOCTL_PRIME_FD_TO_HANDLE,
		DRM_IOCTL_SYNCOBJ_CREATE, DRM_IOCTL_SYNCOBJ_DESTROY,
		DRM_IOCTL_SYNCOBJ_WAIT, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT,
		DRM_IOCTL_SYNCOBJ_RESET, DRM_IOCTL_SYNCOBJ_SIGNAL,
		DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, DRM_IOCTL_SYNCOBJ_QUERY,
		DRM_IOCTL_SYNCOBJ_TRANSFER, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
		DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, DRM_IOCTL_GET_MAGIC,
		DRM_IOCTL_AUTH_MAGIC, DRM_IOCTL_SET_MASTER, DRM_IOCTL_DROP_MASTER,
		DRM_IOCTL_GET_UNIQUE,
		DRM_IOCTL_MODE_GETRESOURCES, DRM_IOCTL_MODE_GETCRTC,
		DRM_IOCTL_MODE_SETCRTC, DRM_IOCTL_MODE_GETENCODER,
		DRM_IOCTL_MODE_GETCONNECTOR, DRM_IOCTL_MODE_GETPROPERTY,
		DRM_IOCTL_MODE_GETPROPBLOB, DRM_IOCTL_MODE_CREATEPROPBLOB,
		DRM_IOCTL_MODE_DESTROYPROPBLOB, DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
		DRM_IOCTL_MODE_OBJ_SETPROPERTY, DRM_IOCTL_MODE_GETPLANERESOURCES,
		DRM_IOCTL_MODE_GETPLANE, DRM_IOCTL_MODE_SETPLANE,
		DRM_IOCTL_MODE_ADDFB, DRM_IOCTL_MODE_ADDFB2, DRM_IOCTL_MODE_RMFB,
		DRM_IOCTL_MODE_PAGE_FLIP, DRM_IOCTL_MODE_DIRTYFB,
		DRM_IOCTL_MODE_CREATE_DUMB, DRM_IOCTL_MODE_MAP_DUMB,
		DRM_IOCTL_MODE_DESTROY_DUMB, DRM_IOCTL_MODE_ATOMIC,
		DRM_IOCTL_MODE_CURSOR, DRM_IOCTL_MODE_CURSOR2,
		DRM_IOCTL_MODE_GETGAMMA, DRM_IOCTL_MODE_SETGAMMA,
#ifdef DRM_IOCTL_MODE_CLOSEFB
		DRM_IOCTL_MODE_CLOSEFB,
#endif
	};
	static const uint32_t simgpu[] = {
		DRM_IOCTL_SIMGPU_DEV_QUERY, DRM_IOCTL_SIMGPU_BO_CREATE,
		DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, DRM_IOCTL_SIMGPU_VM_CREATE,
		DRM_IOCTL_SIMGPU_VM_DESTROY, DRM_IOCTL_SIMGPU_VM_BIND,
		DRM_IOCTL_SIMGPU_QUEUE_CREATE, DRM_IOCTL_SIMGPU_QUEUE_DESTROY,
		DRM_IOCTL_SIMGPU_SUBMIT,
	};
	static const uint32_t virtio[] = {
		DRM_IOCTL_VIRTGPU_GETPARAM, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE,
		DRM_IOCTL_VIRTGPU_RESOURCE_INFO, DRM_IOCTL_VIRTGPU_MAP,
		DRM_IOCTL_VIRTGPU_EXECBUFFER, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST,
		DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, DRM_IOCTL_VIRTGPU_WAIT,
		DRM_IOCTL_VIRTGPU_GET_CAPS,
#ifdef DRM_IOCTL_VIRTGPU_CONTEXT_INIT
		DRM_IOCTL_VIRTGPU_CONTEXT_INIT,
		DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB,
#endif
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(generic) / sizeof(generic[0]); i++) {
		const struct ds_uapi_ioctl *io = ds_uapi_lookup(NULL, generic[i]);

		if (!io)
			fail_msg("request 0x%08x not described", generic[i]);
		if (ds_uapi_ioc_size(generic[i]))
			assert_non_null(io->arg);
	}
	for (i = 0; i < sizeof(simgpu) / sizeof(simgpu[0]); i++)
		assert_non_null(ds_uapi_lookup_name("simgpu", simgpu[i]));
	for (i = 0; i < sizeof(virtio) / sizeof(virtio[0]); i++)
		assert_non_null(ds_uapi_lookup_name("virtio_gpu", virtio[i]));
}

/* ------------------------------------------------------------ look-ups */

static void test_lookup(void **state)
{
	const struct ds_uapi_driver *sim = ds_uapi_find_driver("simgpu");
	const struct ds_uapi_driver *vio = ds_uapi_find_driver("virtio_gpu");
	const struct ds_uapi_ioctl *io;
	char buf[64];
	bool exact;

	(void)state;
	assert_non_null(sim);
	assert_non_null(vio);
	assert_null(ds_uapi_find_driver("nouveau"));
	assert_null(ds_uapi_find_driver(NULL));

	io = ds_uapi_lookup(NULL, DRM_IOCTL_VERSION);
	assert_non_null(io);
	assert_string_equal(io->name, "DRM_IOCTL_VERSION");
	assert_string_equal(io->arg->name, "drm_version");
	assert_string_equal(ds_uapi_driver_of(io)->name, "drm");
	/* A driver table does not hide the generic ones. */
	assert_ptr_equal(ds_uapi_lookup(sim, DRM_IOCTL_VERSION), io);
	io = ds_uapi_lookup(vio, DRM_IOCTL_MODE_ATOMIC);
	assert_non_null(io);
	assert_string_equal(ds_uapi_driver_of(io)->name, "kms");

	/* The private range depends on the driver. */
	io = ds_uapi_lookup(sim, DRM_IOCTL_SIMGPU_SUBMIT);
	assert_non_null(io);
	assert_string_equal(io->name, "DRM_IOCTL_SIMGPU_SUBMIT");
	assert_true(io->flags & DS_UAPI_I_SUBMIT);
	assert_null(ds_uapi_lookup(NULL, DRM_IOCTL_SIMGPU_SUBMIT));
	assert_null(ds_uapi_lookup(vio, DRM_IOCTL_SIMGPU_SUBMIT));
	assert_null(ds_uapi_lookup_name("unknown", DRM_IOCTL_SIMGPU_SUBMIT));
	io = ds_uapi_lookup_name("virtio_gpu", DRM_IOCTL_VIRTGPU_EXECBUFFER);
	assert_non_null(io);
	assert_string_equal(io->name, "DRM_IOCTL_VIRTGPU_EXECBUFFER");

	/* Names of unknown requests. */
	assert_string_equal(ds_uapi_request_name(NULL, 0xc0186444, buf, sizeof(buf)),
			    "DRM_IOCTL(0x44, 0xc0186444)");
	assert_string_equal(ds_uapi_request_name(sim, 0xc018644a, buf, sizeof(buf)),
			    "DRM_IOCTL(0x4a, 0xc018644a)");
	assert_string_equal(ds_uapi_request_name(NULL, 0x5401, buf, sizeof(buf)),
			    "IOCTL(0x00005401)");
	assert_string_equal(ds_uapi_request_name(sim, DRM_IOCTL_SIMGPU_VM_BIND,
						 buf, sizeof(buf)),
			    "DRM_IOCTL_SIMGPU_VM_BIND");
	assert_null(ds_uapi_lookup(NULL, 0x5401));	/* TCGETS */

	/* A request built with another struct size. */
	io = ds_uapi_lookup_nr(NULL, (DRM_IOCTL_SYNCOBJ_WAIT & ~0x3fff0000u) |
				     (32u << 16), &exact);
	assert_non_null(io);
	assert_false(exact);
	assert_string_equal(io->name, "DRM_IOCTL_SYNCOBJ_WAIT");
	assert_null(ds_uapi_lookup(NULL, (DRM_IOCTL_SYNCOBJ_WAIT & ~0x3fff0000u) |
					 (32u << 16)));
	/* libdrm 2.4.114's drm_syncobj_wait has no deadline: 0xc02064c3. */
	assert_string_equal(ds_uapi_request_name(NULL, 0xc02064c3, buf, sizeof(buf)),
			    "DRM_IOCTL_SYNCOBJ_WAIT");
	io = ds_uapi_lookup_nr(NULL, DRM_IOCTL_GET_CAP, &exact);
	assert_true(exact);
}

static void test_field_access(void **state)
{
	const struct ds_uapi_ioctl *io = ds_uapi_lookup(NULL, DRM_IOCTL_VERSION);
	const struct ds_uapi_field *f;
	struct drm_version v = { .version_major = -3, .name_len = 7 };
	uint64_t val;

	(void)state;
	f = ds_uapi_field_by_name(io->arg, "version_major");
	assert_non_null(f);
	assert_true(f->flags & DS_UAPI_F_SIGNED);
	assert_int_equal(ds_uapi_field_get(f, &v, sizeof(v), 0, &val), 0);
	assert_int_equal((int64_t)val, -3);
	/* Not inside the bytes given. */
	assert_int_equal(ds_uapi_field_get(f, &v, 2, 0, &val), -1);
	assert_int_equal(ds_uapi_field_get(f, &v, sizeof(v), 1, &val), -1);
	f = ds_uapi_field_by_name(io->arg, "name_len");
	assert_false(f->flags & DS_UAPI_F_SIGNED);
	assert_int_equal(f->kind, DS_UAPI_COUNT);
	assert_int_equal(ds_uapi_field_get(f, &v, sizeof(v), 0, &val), 0);
	assert_int_equal(val, 7);
	assert_null(ds_uapi_field_by_name(io->arg, "nope"));
	assert_string_equal(ds_uapi_kind_name(DS_UAPI_GEM_HANDLE), "gem_handle");
	assert_string_equal(ds_uapi_kind_name(999), "?");
	assert_string_equal(ds_uapi_dir_name(DS_UAPI_INOUT), "inout");
	assert_true(ds_uapi_kind_is_object(DS_UAPI_SYNCOBJ));
	assert_false(ds_uapi_kind_is_object(DS_UAPI_VALUE));
}

/* ------------------------------------------------------------ decoding */

static void test_format_get_cap(void **state)
{
	const struct ds_uapi_ioctl *io = ds_uapi_lookup(NULL, DRM_IOCTL_GET_CAP);
	struct drm_get_cap c = { .capability = DRM_CAP_DUMB_BUFFER, .value = 1 };
	char buf[256];
	int n;

	(void)state;
	n = ds_uapi_format_struct(io->arg, &c, sizeof(c), DS_UAPI_FMT_TEXT,
				  buf, sizeof(buf));
	assert_string_equal(buf, "capability=1 value=1");
	assert_int_equal(n, (int)strlen(buf));
	ds_uapi_format_struct(io->arg, &c, sizeof(c), DS_UAPI_FMT_JSON,
			      buf, sizeof(buf));
	assert_string_equal(buf, "{\"capability\":1,\"value\":1}");
	/* A short capture prints what it has. */
	ds_uapi_format_struct(io->arg, &c, 12, DS_UAPI_FMT_TEXT, buf, sizeof(buf));
	assert_string_equal(buf, "capability=1");
}

static void test_format_version(void **state)
{
	const struct ds_uapi_ioctl *io = ds_uapi_lookup(NULL, DRM_IOCTL_VERSION);
	char name[] = "simgpu";
	struct drm_version v = {
		.version_major = 1, .version_minor = 2, .version_patchlevel = -1,
		.name_len = 6, .name = name,
	};
	char buf[512], expect[512];

	(void)state;
	ds_uapi_format_struct(io->arg, &v, sizeof(v), DS_UAPI_FMT_TEXT,
			      buf, sizeof(buf));
	snprintf(expect, sizeof(expect),
		 "version_major=1 version_minor=2 version_patchlevel=-1 "
		 "name_len=6 name=0x%lx date_len=0 date=0x0 desc_len=0 desc=0x0",
		 (unsigned long)(uintptr_t)name);
	assert_string_equal(buf, expect);
	ds_uapi_format_struct(io->arg, &v, sizeof(v), DS_UAPI_FMT_JSON,
			      buf, sizeof(buf));
	snprintf(expect, sizeof(expect),
		 "{\"version_major\":1,\"version_minor\":2,"
		 "\"version_patchlevel\":-1,\"name_len\":6,\"name\":\"0x%lx\","
		 "\"date_len\":0,\"date\":\"0x0\",\"desc_len\":0,\"desc\":\"0x0\"}",
		 (unsigned long)(uintptr_t)name);
	assert_string_equal(buf, expect);
}

static void test_format_nested(void **state)
{
	const struct ds_uapi_ioctl *io = ds_uapi_lookup(NULL, DRM_IOCTL_MODE_ADDFB2);
	const struct ds_uapi_ioctl *crtc = ds_uapi_lookup(NULL, DRM_IOCTL_MODE_SETCRTC);
	struct drm_mode_fb_cmd2 fb = {
		.fb_id = 0, .width = 64, .height = 32,
		.pixel_format = 0x34325258, .handles = { 1, 2 },
		.pitches = { 256 },
	};
	struct drm_mode_crtc c = { .crtc_id = 31, .fb_id = 42, .mode_valid = 1 };
	char buf[1024];

	(void)state;
	ds_uapi_format_struct(io->arg, &fb, sizeof(fb), DS_UAPI_FMT_TEXT,
			      buf, sizeof(buf));
	assert_string_equal(buf,
		"fb_id=0 width=64 height=32 pixel_format=0x34325258 flags=0x0 "
		"handles=[1,2,0,0] pitches=[256,0,0,0] offsets=[0,0,0,0] "
		"modifier=[0x0,0x0,0x0,0x0]");

	c.mode.clock = 148500;
	c.mode.hdisplay = 1920;
	strcpy(c.mode.name, "1920x\"1080\"");
	ds_uapi_format_struct(crtc->arg, &c, sizeof(c), DS_UAPI_FMT_TEXT,
			      buf, sizeof(buf));
	assert_non_null(strstr(buf, "crtc_id=31 fb_id=42 "));
	assert_non_null(strstr(buf, " mode.clock=148500 mode.hdisplay=1920 "));
	assert_non_null(strstr(buf, " mode.name=\"1920x\\\"1080\\\"\""));
	ds_uapi_format_struct(crtc->arg, &c, sizeof(c), DS_UAPI_FMT_JSON,
			      buf, sizeof(buf));
	assert_non_null(strstr(buf, ",\"mode\":{\"clock\":148500,\"hdisplay\":1920,"));
	assert_non_null(strstr(buf, "\"name\":\"1920x\\\"1080\\\"\"}}"));
}

static void test_format_truncated_output(void **state)
{
	const struct ds_uapi_ioctl *io = ds_uapi_lookup(NULL, DRM_IOCTL_GET_CAP);
	struct drm_get_cap c = { .capability = 12345, .value = 67890 };
	char buf[8];
	int n;

	(void)state;
	memset(buf, 'X', sizeof(buf));
	n = ds_uapi_format_struct(io->arg, &c, sizeof(c), DS_UAPI_FMT_TEXT,
				  buf, sizeof(buf));
	assert_int_equal(n, (int)strlen("capability=12345 value=67890"));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf, "capabil", 8);
	assert_int_equal(ds_uapi_format_struct(io->arg, &c, sizeof(c),
					       DS_UAPI_FMT_JSON, NULL, 0),
			 (int)strlen("{\"capability\":12345,\"value\":67890}"));
}

static void test_format_array(void **state)
{
	const struct ds_uapi_ioctl *io = ds_uapi_lookup_name("simgpu",
							     DRM_IOCTL_SIMGPU_VM_BIND);
	const struct ds_uapi_field *f = ds_uapi_field_by_name(io->arg, "ops.array");
	struct drm_simgpu_vm_bind_op ops[2] = {
		{ .op = 0, .bo_handle = 3, .va = 0x100000, .range = 0x1000 },
		{ .op = 1, .va = 0x200000, .range = 0x2000 },
	};
	uint32_t handles[3] = { 1, 2, 3 };
	const struct ds_uapi_field *h;
	char buf[1024];

	(void)state;
	assert_non_null(f);
	ds_uapi_format_array(f->array, ops, sizeof(ops), 2, sizeof(ops[0]),
			     DS_UAPI_FMT_TEXT, buf, sizeof(buf));
	assert_string_equal(buf,
		"[{op=0 flags=0x0 bo_handle=3 pad=0 bo_offset=0 va=0x100000 range=4096},"
		"{op=1 flags=0x0 bo_handle=0 pad=0 bo_offset=0 va=0x200000 range=8192}]");
	/* Only one element's bytes: the second is not invented. */
	ds_uapi_format_array(f->array, ops, sizeof(ops[0]), 2, sizeof(ops[0]),
			     DS_UAPI_FMT_JSON, buf, sizeof(buf));
	assert_string_equal(buf,
		"[{\"op\":0,\"flags\":\"0x0\",\"bo_handle\":3,\"pad\":0,"
		"\"bo_offset\":0,\"va\":\"0x100000\",\"range\":4096}]");

	io = ds_uapi_lookup(NULL, DRM_IOCTL_SYNCOBJ_WAIT);
	h = ds_uapi_field_by_name(io->arg, "handles");
	ds_uapi_format_array(h->array, handles, sizeof(handles), 3, 4,
			     DS_UAPI_FMT_JSON, buf, sizeof(buf));
	assert_string_equal(buf, "[1,2,3]");

	io = ds_uapi_lookup(NULL, DRM_IOCTL_MODE_GETPROPBLOB);
	h = ds_uapi_field_by_name(io->arg, "data");
	ds_uapi_format_array(h->array, "\x01\xab", 2, 2, 1, DS_UAPI_FMT_TEXT,
			     buf, sizeof(buf));
	assert_string_equal(buf, "01ab");

	io = ds_uapi_lookup(NULL, DRM_IOCTL_VERSION);
	h = ds_uapi_field_by_name(io->arg, "name");
	ds_uapi_format_array(h->array, "vgem\x01", 5, 5, 1, DS_UAPI_FMT_JSON,
			     buf, sizeof(buf));
	assert_string_equal(buf, "\"vgem\\u0001\"");
}

/* -------------------------------------------------------------- walker */

static void test_walk_version(void **state)
{
	const struct ds_uapi_ioctl *io = ds_uapi_lookup(NULL, DRM_IOCTL_VERSION);
	char name[16] = "vgem", date[16] = "20120112", desc[32] = "Virtual GEM";
	struct drm_version in = {
		.name_len = sizeof(name), .name = name,
		.date_len = sizeof(date), .date = date,
		.desc_len = 4, .desc = desc,
	};
	struct drm_version out = in;
	uint8_t scratch[4096];
	struct recorded rec = { 0 };
	struct ds_uapi_walk_ops ops = {
		.read = read_self, .visit = record_span, .ctx = &rec,
		.scratch = scratch, .scratch_len = sizeof(scratch),
	};
	int n;

	(void)state;
	/* Before the call: all three are kernel-written, nothing to read. */
	n = ds_uapi_walk(io->arg, &in, sizeof(in), NULL, 0, DS_UAPI_IN, &ops);
	assert_int_equal(n, 0);

	/* After: the kernel set the real lengths; desc had room for 4 only. */
	out.name_len = 4;
	out.date_len = 8;
	out.desc_len = 11;
	rec.n = 0;
	ops.ctx = &rec;
	n = ds_uapi_walk(io->arg, &out, sizeof(out), &in, sizeof(in),
			 DS_UAPI_OUT, &ops);
	assert_int_equal(n, 3);
	assert_string_equal(rec.span[0].field->name, "name");
	assert_int_equal(rec.span[0].count, 4);
	assert_memory_equal(rec.data[0], "vgem", 4);
	assert_string_equal(rec.span[1].field->name, "date");
	assert_int_equal(rec.span[1].count, 8);
	assert_string_equal(rec.span[2].field->name, "desc");
	assert_int_equal(rec.span[2].count, 4);
	assert_int_equal(rec.span[2].count_req, 4);
	assert_false(rec.span[2].truncated);
	assert_int_equal(rec.span[2].addr, (uintptr_t)desc);
}

static void test_walk_simgpu_submit(void **state)
{
	const struct ds_uapi_ioctl *io =
		ds_uapi_lookup_name("simgpu", DRM_IOCTL_SIMGPU_SUBMIT);
	struct drm_simgpu_sync in0[2] = { { .handle = 5 }, { .handle = 6 } };
	struct drm_simgpu_sync out0[1] = { { .handle = 7, .timeline_point = 9 } };
	struct drm_simgpu_sync out1[1] = { { .handle = 8 } };
	struct drm_simgpu_job jobs[2] = {
		{ .cmd_va = 0x10000, .cmd_size = 64,
		  .in_syncs = DRM_SIMGPU_OBJ_ARRAY(2, in0),
		  .out_syncs = DRM_SIMGPU_OBJ_ARRAY(1, out0) },
		{ .cmd_va = 0x20000, .cmd_size = 8,
		  .out_syncs = DRM_SIMGPU_OBJ_ARRAY(1, out1) },
	};
	struct drm_simgpu_submit sub = {
		.queue_id = 1, .jobs = DRM_SIMGPU_OBJ_ARRAY(2, jobs),
	};
	uint8_t scratch[4096];
	struct recorded rec = { 0 };
	struct ds_uapi_walk_ops ops = {
		.read = read_self, .visit = record_span, .ctx = &rec,
		.scratch = scratch, .scratch_len = sizeof(scratch),
	};
	const struct drm_simgpu_sync *s;
	int n;

	(void)state;
	n = ds_uapi_walk(io->arg, &sub, sizeof(sub), NULL, 0, DS_UAPI_IN, &ops);
	assert_int_equal(n, 4);
	/* jobs, then job 0's in and out syncs, then job 1's out syncs. */
	assert_string_equal(rec.span[0].field->name, "jobs.array");
	assert_int_equal(rec.span[0].depth, 0);
	assert_int_equal(rec.span[0].count, 2);
	assert_int_equal(rec.span[0].stride, sizeof(struct drm_simgpu_job));
	assert_string_equal(rec.span[1].field->name, "in_syncs.array");
	assert_int_equal(rec.span[1].depth, 1);
	assert_int_equal(rec.span[1].count, 2);
	s = (const void *)rec.data[1];
	assert_int_equal(s[1].handle, 6);
	assert_string_equal(rec.span[2].field->name, "out_syncs.array");
	s = (const void *)rec.data[2];
	assert_int_equal(s[0].handle, 7);
	assert_int_equal(s[0].timeline_point, 9);
	assert_string_equal(rec.span[3].field->name, "out_syncs.array");
	assert_int_equal(rec.span[3].addr, (uintptr_t)out1);
	assert_ptr_equal(rec.span[3].parent->name, rec.span[2].parent->name);
	for (n = 0; n < 4; n++)
		assert_int_equal(rec.span[n].index, n);

	/* After the call nothing is kernel-written but the seqno. */
	rec.n = 0;
	n = ds_uapi_walk(io->arg, &sub, sizeof(sub), &sub, sizeof(sub),
			 DS_UAPI_OUT, &ops);
	assert_int_equal(n, 0);

	/* Nesting limited to one level: only the jobs. */
	rec.n = 0;
	ops.max_depth = 1;
	n = ds_uapi_walk(io->arg, &sub, sizeof(sub), NULL, 0, DS_UAPI_IN, &ops);
	assert_int_equal(n, 1);
}

static void test_walk_atomic(void **state)
{
	const struct ds_uapi_ioctl *io = ds_uapi_lookup(NULL, DRM_IOCTL_MODE_ATOMIC);
	uint32_t objs[2] = { 31, 40 };
	uint32_t count_props[2] = { 2, 1 };
	uint32_t props[3] = { 17, 18, 22 };
	uint64_t values[3] = { 42, 31, 7 };
	struct drm_mode_atomic a = {
		.count_objs = 2,
		.objs_ptr = (uintptr_t)objs,
		.count_props_ptr = (uintptr_t)count_props,
		.props_ptr = (uintptr_t)props,
		.prop_values_ptr = (uintptr_t)values,
	};
	uint8_t scratch[1024];
	struct recorded rec = { 0 };
	struct ds_uapi_walk_ops ops = {
		.read = read_self, .visit = record_span, .ctx = &rec,
		.scratch = scratch, .scratch_len = sizeof(scratch),
	};
	int n;

	(void)state;
	n = ds_uapi_walk(io->arg, &a, sizeof(a), NULL, 0, DS_UAPI_IN, &ops);
	assert_int_equal(n, 4);
	assert_int_equal(rec.span[0].count, 2);
	assert_int_equal(rec.span[1].count, 2);
	assert_string_equal(rec.span[2].field->name, "props_ptr");
	assert_int_equal(rec.span[2].count, 3);
	assert_memory_equal(rec.data[2], props, sizeof(props));
	assert_int_equal(rec.span[3].count, 3);
	assert_int_equal(rec.span[3].size, sizeof(values));

	/* Counts unreadable: the summed arrays are reported as such. */
	rec.n = 0;
	ops.read = read_fail;
	n = ds_uapi_walk(io->arg, &a, sizeof(a), NULL, 0, DS_UAPI_IN, &ops);
	assert_int_equal(n, 4);
	assert_null(rec.span[0].data);
	assert_int_equal(rec.span[0].read_err, -EFAULT);
	assert_int_equal(rec.span[2].read_err, -EFAULT);
	assert_int_equal(rec.span[2].count, 0);
}

/* ------------------------------------------------------- hostile input */

static void test_walk_hostile_counts(void **state)
{
	const struct ds_uapi_ioctl *io =
		ds_uapi_lookup_name("simgpu", DRM_IOCTL_SIMGPU_VM_BIND);
	struct drm_simgpu_vm_bind b = {
		.ops = { .stride = 48, .count = 0xffffffffu, .array = 0x1000 },
		.in_syncs = { .stride = 0xfffffff8u, .count = 2, .array = 0x2000 },
		.out_syncs = { .stride = 0, .count = 2, .array = 0x3000 },
	};
	uint8_t scratch[1000];
	static uint8_t memory[4096];
	static struct recorded rec;
	struct ds_uapi_walk_ops ops = {
		.read = read_fail, .visit = record_span, .ctx = &rec,
		.scratch = scratch, .scratch_len = sizeof(scratch),
	};
	int n;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	n = ds_uapi_walk(io->arg, &b, sizeof(b), NULL, 0, DS_UAPI_IN, &ops);
	assert_int_equal(n, 3);
	/* 2^32 ops capped by the scratch: 1000 / 48 = 20 elements. */
	assert_int_equal(rec.span[0].count_req, 0xffffffffu);
	assert_int_equal(rec.span[0].count, 20);
	assert_true(rec.span[0].truncated);
	assert_int_equal(rec.span[0].read_err, -EFAULT);
	/* Absurd and zero strides are refused, not read. */
	assert_true(rec.span[1].truncated);
	assert_int_equal(rec.span[1].count, 0);
	assert_null(rec.span[1].data);
	assert_true(rec.span[2].truncated);
	assert_int_equal(rec.span[2].count, 0);

	/* The byte budget bounds what is read in total. */
	memset(&rec, 0, sizeof(rec));
	b.in_syncs.stride = 16;
	b.out_syncs.stride = 16;
	ops.max_bytes = 100;
	ops.read = read_self;
	b.ops.array = (uintptr_t)memory;	/* readable, zeroed */
	b.in_syncs.array = (uintptr_t)memory;
	b.out_syncs.array = (uintptr_t)memory;
	n = ds_uapi_walk(io->arg, &b, sizeof(b), NULL, 0, DS_UAPI_IN, &ops);
	assert_int_equal(n, 3);
	assert_int_equal(rec.span[0].count, 2);	/* 100 / 48 */
	assert_non_null(rec.span[0].data);
	assert_true(rec.span[0].truncated);
	assert_int_equal(rec.span[1].count, 0);	/* 4 bytes left */
	assert_true(rec.span[1].truncated);
	assert_null(rec.span[1].data);

	/* A span limit stops the walk. */
	memset(&rec, 0, sizeof(rec));
	ops.max_bytes = 0;
	ops.max_spans = 1;
	b.ops.count = 1;
	n = ds_uapi_walk(io->arg, &b, sizeof(b), NULL, 0, DS_UAPI_IN, &ops);
	assert_int_equal(n, 1);
	assert_int_equal(rec.n, 1);
}

/* Total bytes requested from the reader never exceed the limits. */
static void test_walk_random(void **state)
{
	uint8_t arg[1024], scratch[2048];
	unsigned d, i, round;

	(void)state;
	for (round = 0; round < 200; round++) {
		for (d = 0; d < ds_uapi_driver_count(); d++) {
			const struct ds_uapi_driver *drv = ds_uapi_driver_at(d);

			for (i = 0; i < drv->n; i++) {
				const struct ds_uapi_ioctl *io = &drv->tab[i];
				struct rnd_reader rr = {
					.state = 0x9e3779b97f4a7c15ull * (round + 1) + i,
				};
				struct ds_uapi_walk_ops ops = {
					.read = read_random, .ctx = &rr,
					.scratch = scratch,
					.scratch_len = sizeof(scratch),
					.max_bytes = 1500,
				};
				size_t len, k;
				char text[512];

				if (!io->name || !io->arg)
					continue;
				len = rnd_next(&rr.state) % (io->arg->size + 8);
				for (k = 0; k < len; k++)
					arg[k] = (uint8_t)rnd_next(&rr.state);
				ds_uapi_walk(io->arg, arg, len, NULL, 0,
					     DS_UAPI_IN, &ops);
				ds_uapi_walk(io->arg, arg, len, arg, len,
					     DS_UAPI_OUT, &ops);
				/* budget + the transient SUM count reads */
				assert_true(rr.bytes <= 2 * 1500 + 2 * sizeof(scratch));
				ds_uapi_format_struct(io->arg, arg, len,
						      DS_UAPI_FMT_TEXT, text,
						      sizeof(text));
				assert_true(strlen(text) < sizeof(text));
				ds_uapi_format_struct(io->arg, arg, len,
						      DS_UAPI_FMT_JSON, text, 40);
				assert_true(strlen(text) < 40);
			}
		}
	}
}

/* Formatting random elements of every array description. */
static void test_format_random_arrays(void **state)
{
	uint8_t data[512];
	char out[256];
	uint64_t s = 42;
	unsigned d, i, j, k;

	(void)state;
	for (d = 0; d < ds_uapi_driver_count(); d++) {
		const struct ds_uapi_driver *drv = ds_uapi_driver_at(d);

		for (i = 0; i < drv->n; i++) {
			const struct ds_uapi_struct *st = drv->tab[i].arg;

			if (!drv->tab[i].name || !st)
				continue;
			for (j = 0; j < st->nfields; j++) {
				const struct ds_uapi_field *f = &st->fields[j];
				size_t len;
				uint64_t count;

				if (f->kind != DS_UAPI_PTR)
					continue;
				for (k = 0; k < sizeof(data); k++)
					data[k] = (uint8_t)rnd_next(&s);
				len = rnd_next(&s) % sizeof(data);
				count = rnd_next(&s) % 100000;
				ds_uapi_format_array(f->array, data, len, count,
						     (uint32_t)(rnd_next(&s) % 64),
						     DS_UAPI_FMT_TEXT, out,
						     sizeof(out));
				assert_true(strlen(out) < sizeof(out));
				ds_uapi_format_array(f->array, data, len, count,
						     f->array->elem_size,
						     DS_UAPI_FMT_JSON, out,
						     sizeof(out));
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_field_access),
		cmocka_unit_test(test_format_get_cap),
		cmocka_unit_test(test_format_version),
		cmocka_unit_test(test_format_nested),
		cmocka_unit_test(test_format_truncated_output),
		cmocka_unit_test(test_format_array),
		cmocka_unit_test(test_walk_version),
		cmocka_unit_test(test_walk_simgpu_submit),
		cmocka_unit_test(test_walk_atomic),
		cmocka_unit_test(test_walk_hostile_counts),
		cmocka_unit_test(test_walk_random),
		cmocka_unit_test(test_format_random_arrays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
