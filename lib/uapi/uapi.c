/*
 * lib/uapi/uapi.c: the list of tables, look-ups by request number, request
 * names, and bounds-checked field access.
 *
 * Look-ups are constant time: every table is an array indexed by ioctl
 * number. The generic tables ("drm", "kms") cover numbers outside the
 * driver-private range 0x40-0x9f; inside it only the fd's driver table is
 * searched, because two drivers give the same number different meanings.
 */
#include <stdio.h>
#include <string.h>

#include "uapi_internal.h"

static const struct ds_uapi_driver *const drivers[] = {
	&ds_uapi_drm_driver,
	&ds_uapi_kms_driver,
	&ds_uapi_simgpu_driver,
	&ds_uapi_virtio_gpu_driver,
	&ds_uapi_vgem_driver,
};

unsigned ds_uapi_driver_count(void)
{
	return DS_ARRAY_SIZE(drivers);
}

const struct ds_uapi_driver *ds_uapi_driver_at(unsigned i)
{
	return i < DS_ARRAY_SIZE(drivers) ? drivers[i] : NULL;
}

const struct ds_uapi_driver *ds_uapi_find_driver(const char *name)
{
	unsigned i;

	if (!name)
		return NULL;
	for (i = 0; i < DS_ARRAY_SIZE(drivers); i++)
		if (!strcmp(drivers[i]->name, name))
			return drivers[i];
	return NULL;
}

/* The slot of number @nr in table @d, or NULL if it is empty. */
static const struct ds_uapi_ioctl *slot(const struct ds_uapi_driver *d,
					uint32_t nr)
{
	const struct ds_uapi_ioctl *io;

	if (!d || !d->tab || nr < d->first || nr - d->first >= d->n)
		return NULL;
	io = &d->tab[nr - d->first];
	return io->name ? io : NULL;
}

static bool is_driver_nr(uint32_t nr)
{
	return nr >= DS_UAPI_DRIVER_FIRST && nr <= DS_UAPI_DRIVER_LAST;
}

const struct ds_uapi_ioctl *ds_uapi_lookup_nr(const struct ds_uapi_driver *drv,
					      uint32_t request, bool *exact)
{
	const struct ds_uapi_ioctl *io;
	uint32_t nr = ds_uapi_ioc_nr(request);

	if (exact)
		*exact = false;
	if (ds_uapi_ioc_type(request) != DS_UAPI_DRM_TYPE)
		return NULL;
	if (is_driver_nr(nr)) {
		/* A generic table passed as @drv has nothing in this range. */
		io = slot(drv, nr);
	} else {
		io = slot(&ds_uapi_drm_driver, nr);
		if (!io)
			io = slot(&ds_uapi_kms_driver, nr);
	}
	if (io && exact)
		*exact = io->request == request;
	return io;
}

const struct ds_uapi_ioctl *ds_uapi_lookup(const struct ds_uapi_driver *drv,
					   uint32_t request)
{
	bool exact;
	const struct ds_uapi_ioctl *io = ds_uapi_lookup_nr(drv, request, &exact);

	return io && exact ? io : NULL;
}

const struct ds_uapi_ioctl *ds_uapi_lookup_name(const char *driver,
						uint32_t request)
{
	return ds_uapi_lookup(ds_uapi_find_driver(driver), request);
}

const struct ds_uapi_driver *ds_uapi_driver_of(const struct ds_uapi_ioctl *io)
{
	unsigned i;

	for (i = 0; io && i < DS_ARRAY_SIZE(drivers); i++) {
		const struct ds_uapi_driver *d = drivers[i];

		if (d->tab && io >= d->tab && io < d->tab + d->n)
			return d;
	}
	return NULL;
}

const char *ds_uapi_request_name(const struct ds_uapi_driver *drv,
				 uint32_t request, char *buf, size_t size)
{
	/* A request built against older or newer headers is the same ioctl. */
	const struct ds_uapi_ioctl *io = ds_uapi_lookup_nr(drv, request, NULL);

	if (io)
		return io->name;
	if (!buf || !size)
		return "IOCTL(?)";
	if (ds_uapi_ioc_type(request) == DS_UAPI_DRM_TYPE)
		snprintf(buf, size, "DRM_IOCTL(0x%02x, 0x%08x)",
			 ds_uapi_ioc_nr(request), request);
	else
		snprintf(buf, size, "IOCTL(0x%08x)", request);
	return buf;
}

static const char *const kind_names[DS_UAPI_KIND_COUNT] = {
	[DS_UAPI_VALUE] = "value",
	[DS_UAPI_FLAGS] = "flags",
	[DS_UAPI_PAD] = "pad",
	[DS_UAPI_SIZE] = "size",
	[DS_UAPI_COUNT] = "count",
	[DS_UAPI_STRIDE] = "stride",
	[DS_UAPI_GPU_VA] = "gpu_va",
	[DS_UAPI_MMAP_OFFSET] = "mmap_offset",
	[DS_UAPI_USER_DATA] = "user_data",
	[DS_UAPI_TIMEOUT] = "timeout",
	[DS_UAPI_GEM_HANDLE] = "gem_handle",
	[DS_UAPI_GEM_NAME] = "gem_name",
	[DS_UAPI_SYNCOBJ] = "syncobj",
	[DS_UAPI_DMABUF_FD] = "dmabuf_fd",
	[DS_UAPI_SYNC_FILE_FD] = "sync_file_fd",
	[DS_UAPI_FD] = "fd",
	[DS_UAPI_KMS_CRTC] = "kms_crtc",
	[DS_UAPI_KMS_CONNECTOR] = "kms_connector",
	[DS_UAPI_KMS_ENCODER] = "kms_encoder",
	[DS_UAPI_KMS_PLANE] = "kms_plane",
	[DS_UAPI_KMS_FB] = "kms_fb",
	[DS_UAPI_KMS_PROPERTY] = "kms_property",
	[DS_UAPI_KMS_BLOB] = "kms_blob",
	[DS_UAPI_KMS_OBJECT] = "kms_object",
	[DS_UAPI_KMS_PROP_VALUE] = "kms_prop_value",
	[DS_UAPI_KMS_LESSEE] = "kms_lessee",
	[DS_UAPI_VM_ID] = "vm_id",
	[DS_UAPI_QUEUE_ID] = "queue_id",
	[DS_UAPI_HOST_RES] = "host_res",
	[DS_UAPI_PTR] = "ptr",
	[DS_UAPI_CHARS] = "chars",
	[DS_UAPI_STRUCT] = "struct",
};

const char *ds_uapi_kind_name(unsigned kind)
{
	return kind < DS_UAPI_KIND_COUNT && kind_names[kind] ?
		kind_names[kind] : "?";
}

const char *ds_uapi_dir_name(unsigned dir)
{
	switch (dir) {
	case DS_UAPI_IN:
		return "in";
	case DS_UAPI_OUT:
		return "out";
	case DS_UAPI_INOUT:
		return "inout";
	default:
		return "?";
	}
}

bool ds_uapi_kind_is_object(unsigned kind)
{
	switch (kind) {
	case DS_UAPI_GEM_HANDLE:
	case DS_UAPI_GEM_NAME:
	case DS_UAPI_SYNCOBJ:
	case DS_UAPI_DMABUF_FD:
	case DS_UAPI_SYNC_FILE_FD:
	case DS_UAPI_FD:
	case DS_UAPI_KMS_CRTC:
	case DS_UAPI_KMS_CONNECTOR:
	case DS_UAPI_KMS_ENCODER:
	case DS_UAPI_KMS_PLANE:
	case DS_UAPI_KMS_FB:
	case DS_UAPI_KMS_PROPERTY:
	case DS_UAPI_KMS_BLOB:
	case DS_UAPI_KMS_OBJECT:
	case DS_UAPI_KMS_LESSEE:
	case DS_UAPI_VM_ID:
	case DS_UAPI_QUEUE_ID:
	case DS_UAPI_HOST_RES:
	case DS_UAPI_MMAP_OFFSET:
		return true;
	default:
		return false;
	}
}

const struct ds_uapi_field *ds_uapi_field_by_name(const struct ds_uapi_struct *s,
						  const char *name)
{
	uint32_t i;

	for (i = 0; s && name && i < s->nfields; i++)
		if (!strcmp(s->fields[i].name, name))
			return &s->fields[i];
	return NULL;
}

/* Read an integer of @size bytes at @p, sign-extending if @is_signed. */
static int load_int(const uint8_t *p, unsigned size, bool is_signed,
		    uint64_t *val)
{
	switch (size) {
	case 1: {
		uint8_t v = p[0];

		*val = is_signed ? (uint64_t)(int64_t)(int8_t)v : v;
		return 0;
	}
	case 2: {
		uint16_t v;

		memcpy(&v, p, 2);
		*val = is_signed ? (uint64_t)(int64_t)(int16_t)v : v;
		return 0;
	}
	case 4: {
		uint32_t v;

		memcpy(&v, p, 4);
		*val = is_signed ? (uint64_t)(int64_t)(int32_t)v : v;
		return 0;
	}
	case 8:
		memcpy(val, p, 8);
		return 0;
	default:
		return -1;
	}
}

int ds_uapi_field_get(const struct ds_uapi_field *f, const void *base,
		      size_t len, unsigned idx, uint64_t *val)
{
	uint64_t end;

	if (!f || !base || idx >= f->nelem || f->kind == DS_UAPI_STRUCT ||
	    f->kind == DS_UAPI_CHARS)
		return -1;
	end = (uint64_t)f->offset + (uint64_t)(idx + 1) * f->size;
	if (end > len)
		return -1;
	return load_int((const uint8_t *)base + f->offset + (size_t)idx * f->size,
			f->size, f->flags & DS_UAPI_F_SIGNED, val);
}

int ds_uapi_ref_get(struct ds_uapi_ref ref, const void *base, size_t len,
		    uint64_t *val)
{
	if (!ref.size || !base || (uint64_t)ref.offset + ref.size > len)
		return -1;
	return load_int((const uint8_t *)base + ref.offset, ref.size, false, val);
}
