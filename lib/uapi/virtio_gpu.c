/*
 * lib/uapi/virtio_gpu.c: the "virtio_gpu" table (drm/virtgpu_drm.h).
 *
 * EXECBUFFER carries the command stream for the host (virgl, venus, ...)
 * as bytes, the GEM handles the commands use, an optional in/out sync_file
 * fd and, in newer kernels, arrays of syncobjs; TRANSFER_TO_HOST makes the
 * host read a guest buffer. Both are marked as submissions so that the shim
 * captures the CPU-mapped buffers they name. The resource handle returned
 * next to the GEM handle is the host's id (DS_UAPI_HOST_RES).
 */
#include <drm/drm.h>
#include <drm/virtgpu_drm.h>

#include "uapi_internal.h"

DS_STRUCT(ds_map, drm_virtgpu_map,
	DS_K(struct drm_virtgpu_map, offset, MMAP_OFFSET, OUT),
	DS_K(struct drm_virtgpu_map, handle, GEM_HANDLE, IN),
	DS_PAD(struct drm_virtgpu_map, pad));

static const struct ds_uapi_array exec_command = {
	.dir = DS_UAPI_IN,
	.count_mode = DS_UAPI_COUNT_BYTES,
	.elem_kind = DS_UAPI_VALUE,
	.flags = DS_UAPI_A_BULK,
	.count = DS_REF(struct drm_virtgpu_execbuffer, size),
	.elem_size = 1,
};
static const struct ds_uapi_array exec_bos =
	DS_ARRAY(struct drm_virtgpu_execbuffer, num_bo_handles, IN, GEM_HANDLE, 4);

#ifdef VIRTGPU_EXECBUF_SYNCOBJ_RESET
DS_STRUCT(ds_exec_syncobj, drm_virtgpu_execbuffer_syncobj,
	DS_K(struct drm_virtgpu_execbuffer_syncobj, handle, SYNCOBJ, IN),
	DS_X(struct drm_virtgpu_execbuffer_syncobj, flags, IN),
	DS_V(struct drm_virtgpu_execbuffer_syncobj, point, IN));

static const struct ds_uapi_array exec_in_syncobjs =
	DS_ARRAY_STRIDED(struct drm_virtgpu_execbuffer, num_in_syncobjs,
			 syncobj_stride, IN, struct drm_virtgpu_execbuffer_syncobj,
			 &ds_exec_syncobj);
static const struct ds_uapi_array exec_out_syncobjs = {
	.dir = DS_UAPI_IN,
	.count_mode = DS_UAPI_COUNT_FIELD,
	.elem_kind = DS_UAPI_STRUCT,
	.flags = DS_UAPI_A_SIGNALS,	/* signalled when the work is done */
	.count = DS_REF(struct drm_virtgpu_execbuffer, num_out_syncobjs),
	.stride = DS_REF(struct drm_virtgpu_execbuffer, syncobj_stride),
	.elem_size = sizeof(struct drm_virtgpu_execbuffer_syncobj),
	.elem = &ds_exec_syncobj,
};
#endif

/* fence_fd is an input with FENCE_FD_IN and an output with FENCE_FD_OUT. */
#define EXEC_FIELDS							\
	DS_X(struct drm_virtgpu_execbuffer, flags, IN),			\
	DS_K(struct drm_virtgpu_execbuffer, size, SIZE, IN),		\
	DS_PTR(struct drm_virtgpu_execbuffer, command, &exec_command),	\
	DS_PTR(struct drm_virtgpu_execbuffer, bo_handles, &exec_bos),	\
	DS_K(struct drm_virtgpu_execbuffer, num_bo_handles, COUNT, IN),	\
	DS_KF(struct drm_virtgpu_execbuffer, fence_fd, SYNC_FILE_FD, INOUT, \
	      DS_UAPI_F_OPTIONAL),					\
	DS_V(struct drm_virtgpu_execbuffer, ring_idx, IN)

#ifdef VIRTGPU_EXECBUF_SYNCOBJ_RESET
DS_STRUCT(ds_execbuffer, drm_virtgpu_execbuffer,
	EXEC_FIELDS,
	DS_K(struct drm_virtgpu_execbuffer, syncobj_stride, STRIDE, IN),
	DS_K(struct drm_virtgpu_execbuffer, num_in_syncobjs, COUNT, IN),
	DS_K(struct drm_virtgpu_execbuffer, num_out_syncobjs, COUNT, IN),
	DS_PTR(struct drm_virtgpu_execbuffer, in_syncobjs, &exec_in_syncobjs),
	DS_PTR(struct drm_virtgpu_execbuffer, out_syncobjs, &exec_out_syncobjs));
#else
DS_STRUCT(ds_execbuffer, drm_virtgpu_execbuffer, EXEC_FIELDS);
#endif

/* The kernel writes one int at the user pointer @value. */
static const struct ds_uapi_array getparam_value = {
	.dir = DS_UAPI_OUT,
	.count_mode = DS_UAPI_COUNT_FIXED,
	.elem_kind = DS_UAPI_VALUE,
	.elem_size = sizeof(int),
	.fixed_count = 1,
};

DS_STRUCT(ds_getparam, drm_virtgpu_getparam,
	DS_V(struct drm_virtgpu_getparam, param, IN),
	DS_PTR(struct drm_virtgpu_getparam, value, &getparam_value));

DS_STRUCT(ds_resource_create, drm_virtgpu_resource_create,
	DS_V(struct drm_virtgpu_resource_create, target, IN),
	DS_X(struct drm_virtgpu_resource_create, format, IN),
	DS_X(struct drm_virtgpu_resource_create, bind, IN),
	DS_V(struct drm_virtgpu_resource_create, width, IN),
	DS_V(struct drm_virtgpu_resource_create, height, IN),
	DS_V(struct drm_virtgpu_resource_create, depth, IN),
	DS_V(struct drm_virtgpu_resource_create, array_size, IN),
	DS_V(struct drm_virtgpu_resource_create, last_level, IN),
	DS_V(struct drm_virtgpu_resource_create, nr_samples, IN),
	DS_X(struct drm_virtgpu_resource_create, flags, IN),
	DS_K(struct drm_virtgpu_resource_create, bo_handle, GEM_HANDLE, OUT),
	DS_K(struct drm_virtgpu_resource_create, res_handle, HOST_RES, OUT),
	DS_K(struct drm_virtgpu_resource_create, size, SIZE, IN),
	DS_V(struct drm_virtgpu_resource_create, stride, IN));

DS_STRUCT(ds_resource_info, drm_virtgpu_resource_info,
	DS_K(struct drm_virtgpu_resource_info, bo_handle, GEM_HANDLE, IN),
	DS_K(struct drm_virtgpu_resource_info, res_handle, HOST_RES, OUT),
	DS_K(struct drm_virtgpu_resource_info, size, SIZE, OUT),
	DS_V(struct drm_virtgpu_resource_info, blob_mem, OUT));

DS_STRUCT(ds_box, drm_virtgpu_3d_box,
	DS_V(struct drm_virtgpu_3d_box, x, IN),
	DS_V(struct drm_virtgpu_3d_box, y, IN),
	DS_V(struct drm_virtgpu_3d_box, z, IN),
	DS_V(struct drm_virtgpu_3d_box, w, IN),
	DS_V(struct drm_virtgpu_3d_box, h, IN),
	DS_V(struct drm_virtgpu_3d_box, d, IN));

DS_STRUCT(ds_transfer_to_host, drm_virtgpu_3d_transfer_to_host,
	DS_K(struct drm_virtgpu_3d_transfer_to_host, bo_handle, GEM_HANDLE, IN),
	DS_SUB(struct drm_virtgpu_3d_transfer_to_host, box, IN, &ds_box),
	DS_V(struct drm_virtgpu_3d_transfer_to_host, level, IN),
	DS_V(struct drm_virtgpu_3d_transfer_to_host, offset, IN),
	DS_V(struct drm_virtgpu_3d_transfer_to_host, stride, IN),
	DS_V(struct drm_virtgpu_3d_transfer_to_host, layer_stride, IN));

DS_STRUCT(ds_transfer_from_host, drm_virtgpu_3d_transfer_from_host,
	DS_K(struct drm_virtgpu_3d_transfer_from_host, bo_handle, GEM_HANDLE, IN),
	DS_SUB(struct drm_virtgpu_3d_transfer_from_host, box, IN, &ds_box),
	DS_V(struct drm_virtgpu_3d_transfer_from_host, level, IN),
	DS_V(struct drm_virtgpu_3d_transfer_from_host, offset, IN),
	DS_V(struct drm_virtgpu_3d_transfer_from_host, stride, IN),
	DS_V(struct drm_virtgpu_3d_transfer_from_host, layer_stride, IN));

DS_STRUCT(ds_wait, drm_virtgpu_3d_wait,
	DS_K(struct drm_virtgpu_3d_wait, handle, GEM_HANDLE, IN),
	DS_X(struct drm_virtgpu_3d_wait, flags, IN));

static const struct ds_uapi_array caps_out =
	DS_BYTES(struct drm_virtgpu_get_caps, size, OUT, 0, NULL);

DS_STRUCT(ds_get_caps, drm_virtgpu_get_caps,
	DS_V(struct drm_virtgpu_get_caps, cap_set_id, IN),
	DS_V(struct drm_virtgpu_get_caps, cap_set_ver, IN),
	DS_PTR(struct drm_virtgpu_get_caps, addr, &caps_out),
	DS_K(struct drm_virtgpu_get_caps, size, SIZE, IN),
	DS_PAD(struct drm_virtgpu_get_caps, pad));

#ifdef DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB
static const struct ds_uapi_array blob_cmd =
	DS_BYTES(struct drm_virtgpu_resource_create_blob, cmd_size, IN, 0, NULL);

DS_STRUCT(ds_resource_create_blob, drm_virtgpu_resource_create_blob,
	DS_V(struct drm_virtgpu_resource_create_blob, blob_mem, IN),
	DS_X(struct drm_virtgpu_resource_create_blob, blob_flags, IN),
	DS_K(struct drm_virtgpu_resource_create_blob, bo_handle, GEM_HANDLE, OUT),
	DS_K(struct drm_virtgpu_resource_create_blob, res_handle, HOST_RES, OUT),
	DS_K(struct drm_virtgpu_resource_create_blob, size, SIZE, IN),
	DS_PAD(struct drm_virtgpu_resource_create_blob, pad),
	DS_K(struct drm_virtgpu_resource_create_blob, cmd_size, SIZE, IN),
	DS_PTR(struct drm_virtgpu_resource_create_blob, cmd, &blob_cmd),
	DS_V(struct drm_virtgpu_resource_create_blob, blob_id, IN));
#endif

#ifdef DRM_IOCTL_VIRTGPU_CONTEXT_INIT
DS_STRUCT(ds_context_set_param, drm_virtgpu_context_set_param,
	DS_V(struct drm_virtgpu_context_set_param, param, IN),
	DS_V(struct drm_virtgpu_context_set_param, value, IN));

static const struct ds_uapi_array ctx_params =
	DS_ARRAY_OF(struct drm_virtgpu_context_init, num_params, IN,
		    struct drm_virtgpu_context_set_param, &ds_context_set_param);

DS_STRUCT(ds_context_init, drm_virtgpu_context_init,
	DS_K(struct drm_virtgpu_context_init, num_params, COUNT, IN),
	DS_PAD(struct drm_virtgpu_context_init, pad),
	DS_PTR(struct drm_virtgpu_context_init, ctx_set_params, &ctx_params));
#endif

#define C DS_UAPI_I_CREATES
#define S DS_UAPI_I_SUBMIT

static const struct ds_uapi_ioctl virtio_gpu_tab[] = {
	DS_DRV_IOCTL(DRM_IOCTL_VIRTGPU_MAP, &ds_map, 0),
	DS_DRV_IOCTL(DRM_IOCTL_VIRTGPU_EXECBUFFER, &ds_execbuffer, S),
	DS_DRV_IOCTL(DRM_IOCTL_VIRTGPU_GETPARAM, &ds_getparam, 0),
	DS_DRV_IOCTL(DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &ds_resource_create, C),
	DS_DRV_IOCTL(DRM_IOCTL_VIRTGPU_RESOURCE_INFO, &ds_resource_info, 0),
	DS_DRV_IOCTL(DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST, &ds_transfer_from_host, 0),
	DS_DRV_IOCTL(DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &ds_transfer_to_host, S),
	DS_DRV_IOCTL(DRM_IOCTL_VIRTGPU_WAIT, &ds_wait, DS_UAPI_I_SYNC),
	DS_DRV_IOCTL(DRM_IOCTL_VIRTGPU_GET_CAPS, &ds_get_caps, 0),
#ifdef DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB
	DS_DRV_IOCTL(DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB, &ds_resource_create_blob, C),
#endif
#ifdef DRM_IOCTL_VIRTGPU_CONTEXT_INIT
	DS_DRV_IOCTL(DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ds_context_init, 0),
#endif
};

const struct ds_uapi_driver ds_uapi_virtio_gpu_driver = {
	.name = "virtio_gpu",
	.first = DS_UAPI_DRIVER_FIRST,
	.n = DS_ARRAY_SIZE(virtio_gpu_tab),
	.tab = virtio_gpu_tab,
};
