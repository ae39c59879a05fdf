/*
 * lib/uapi/uapi_internal.h: macros that build the uapi description tables.
 *
 * Offsets, sizes and signedness come from the real uapi structs
 * (offsetof/sizeof/typeof), so a table cannot drift from the headers it was
 * compiled against. The tests (tests/uapi) check what the compiler cannot:
 * that struct sizes match the size encoded in each request number, that
 * every field lies inside its struct, and that the count/stride fields an
 * array names exist.
 *
 * Usage, for one struct:
 *
 *	static const struct ds_uapi_array ver_name =
 *		DS_ARRAY(struct drm_version, name_len, OUT, CHARS, 1);
 *	DS_STRUCT(ds_version, drm_version,
 *		DS_V(struct drm_version, version_major, OUT),
 *		...
 *		DS_PTR(struct drm_version, name, &ver_name));
 *
 * and the table entry DS_IOCTL(DRM_IOCTL_VERSION, &ds_version, 0).
 */
#ifndef DRMSCOPE_UAPI_INTERNAL_H
#define DRMSCOPE_UAPI_INTERNAL_H

#include <stddef.h>

#include <drmscope/uapi.h>

#define DS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define DS_MEMBER(T, m) (((T *)0)->m)
/* (type)-1 is positive for unsigned types (written so -Wtype-limits is quiet) */
#define DS_IS_SIGNED(T, m) \
	(((__typeof__(DS_MEMBER(T, m)))-1 > (__typeof__(DS_MEMBER(T, m)))0) ? 0 : 1)

/* The lowest-level field builder: explicit kind, direction and flags. */
#define DS_FIELD(T, m, k, d, fl) {					\
	.name = #m,							\
	.offset = offsetof(T, m),					\
	.size = sizeof(DS_MEMBER(T, m)),				\
	.nelem = 1,							\
	.kind = DS_UAPI_##k,						\
	.dir = DS_UAPI_##d,						\
	.flags = (fl) | (DS_IS_SIGNED(T, m) ? DS_UAPI_F_SIGNED : 0),	\
}

/* An integer field of kind @k. */
#define DS_K(T, m, k, d)	DS_FIELD(T, m, k, d, 0)
/* ... with extra DS_UAPI_F_* flags. */
#define DS_KF(T, m, k, d, fl)	DS_FIELD(T, m, k, d, fl)
/* A plain value, flags, padding. */
#define DS_V(T, m, d)		DS_FIELD(T, m, VALUE, d, 0)
#define DS_X(T, m, d)		DS_FIELD(T, m, FLAGS, d, 0)
#define DS_PAD(T, m)		DS_FIELD(T, m, PAD, IN, 0)

/* An inline array T.m[N] of integers of kind @k. */
#define DS_INLINE(T, m, k, d) {						\
	.name = #m,							\
	.offset = offsetof(T, m),					\
	.size = sizeof(DS_MEMBER(T, m)[0]),				\
	.nelem = sizeof(DS_MEMBER(T, m)) / sizeof(DS_MEMBER(T, m)[0]),	\
	.kind = DS_UAPI_##k,						\
	.dir = DS_UAPI_##d,						\
	.flags = DS_IS_SIGNED(T, m[0]) ? DS_UAPI_F_SIGNED : 0,		\
}

/* An inline char array (a name). */
#define DS_CHARS(T, m, d) {						\
	.name = #m,							\
	.offset = offsetof(T, m),					\
	.size = 1,							\
	.nelem = sizeof(DS_MEMBER(T, m)),				\
	.kind = DS_UAPI_CHARS,						\
	.dir = DS_UAPI_##d,						\
}

/* An embedded struct described by @subdesc. */
#define DS_SUB(T, m, d, subdesc) {					\
	.name = #m,							\
	.offset = offsetof(T, m),					\
	.size = sizeof(DS_MEMBER(T, m)),				\
	.nelem = 1,							\
	.kind = DS_UAPI_STRUCT,						\
	.dir = DS_UAPI_##d,						\
	.sub = (subdesc),						\
}

/* A user pointer (an __u64 or a C pointer) to the array @arr. */
#define DS_PTR(T, m, arr) {						\
	.name = #m,							\
	.offset = offsetof(T, m),					\
	.size = sizeof(DS_MEMBER(T, m)),				\
	.nelem = 1,							\
	.kind = DS_UAPI_PTR,						\
	.dir = DS_UAPI_IN,						\
	.array = (arr),							\
}

/* A reference to field @m of T (a count, a stride). */
#define DS_REF(T, m) {							\
	.offset = offsetof(T, m),					\
	.size = sizeof(DS_MEMBER(T, m)),				\
}

/* An array of @cnt elements of kind @ek, @esz bytes each. */
#define DS_ARRAY(T, cnt, d, ek, esz) {					\
	.dir = DS_UAPI_##d,						\
	.count_mode = DS_UAPI_COUNT_FIELD,				\
	.elem_kind = DS_UAPI_##ek,					\
	.count = DS_REF(T, cnt),					\
	.elem_size = (esz),						\
}

/* An array of @cnt structs described by @edesc (of C type ET). */
#define DS_ARRAY_OF(T, cnt, d, ET, edesc) {				\
	.dir = DS_UAPI_##d,						\
	.count_mode = DS_UAPI_COUNT_FIELD,				\
	.elem_kind = DS_UAPI_STRUCT,					\
	.count = DS_REF(T, cnt),					\
	.elem_size = sizeof(ET),					\
	.elem = (edesc),						\
}

/* Same, with the element size in field @str (simgpu obj_array, virtio syncobjs). */
#define DS_ARRAY_STRIDED(T, cnt, str, d, ET, edesc) {			\
	.dir = DS_UAPI_##d,						\
	.count_mode = DS_UAPI_COUNT_FIELD,				\
	.elem_kind = DS_UAPI_STRUCT,					\
	.count = DS_REF(T, cnt),					\
	.stride = DS_REF(T, str),					\
	.elem_size = sizeof(ET),					\
	.elem = (edesc),						\
}

/* @len bytes (field @len holds the byte length); @edesc may lay them out. */
#define DS_BYTES(T, len, d, fl, edesc) {				\
	.dir = DS_UAPI_##d,						\
	.count_mode = DS_UAPI_COUNT_BYTES,				\
	.elem_kind = DS_UAPI_VALUE,					\
	.flags = (fl),							\
	.count = DS_REF(T, len),					\
	.elem_size = 1,							\
	.elem = (edesc),						\
}

/* Define the description @var of `struct tag` with the given fields. */
#define DS_STRUCT(var, tag, ...)					\
	static const struct ds_uapi_field var##_fields[] = { __VA_ARGS__ }; \
	static const struct ds_uapi_struct var = {			\
		.name = #tag,						\
		.size = sizeof(struct tag),				\
		.nfields = DS_ARRAY_SIZE(var##_fields),			\
		.fields = var##_fields,					\
	}

/* Same for a C type that is not `struct tag` (a union, a wrapper). */
#define DS_STRUCT_T(var, T, tname, ...)					\
	static const struct ds_uapi_field var##_fields[] = { __VA_ARGS__ }; \
	static const struct ds_uapi_struct var = {			\
		.name = tname,						\
		.size = sizeof(T),					\
		.nfields = DS_ARRAY_SIZE(var##_fields),			\
		.fields = var##_fields,					\
	}

/* A table slot, indexed by ioctl number relative to the table's first. */
#define DS_IOCTL_AT(first, req, rname, desc, fl)			\
	[((req) & 0xff) - (first)] = {					\
		.request = (uint32_t)(req),				\
		.name = rname,						\
		.arg = (desc),						\
		.flags = (fl),						\
	}

/*
 * The generic tables span every number; driver tables start at 0x40. The
 * name is stringized here, before @req is macro-expanded.
 */
#define DS_IOCTL(req, desc, fl)		DS_IOCTL_AT(0, req, #req, desc, fl)
#define DS_DRV_IOCTL(req, desc, fl)	\
	DS_IOCTL_AT(DS_UAPI_DRIVER_FIRST, req, #req, desc, fl)

/* Argument of DRM_IOCTL_MODE_RMFB, which is a bare unsigned int. */
struct ds_rmfb_arg {
	unsigned int fb_id;
};

/* The tables (one file each). */
extern const struct ds_uapi_driver ds_uapi_drm_driver;
extern const struct ds_uapi_driver ds_uapi_kms_driver;
extern const struct ds_uapi_driver ds_uapi_simgpu_driver;
extern const struct ds_uapi_driver ds_uapi_virtio_gpu_driver;
extern const struct ds_uapi_driver ds_uapi_vgem_driver;

#endif /* DRMSCOPE_UAPI_INTERNAL_H */
