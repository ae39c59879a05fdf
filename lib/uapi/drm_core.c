/*
 * lib/uapi/drm_core.c: the "drm" table, the DRM core ioctls that every DRM
 * driver shares: version and caps, authentication and master, GEM
 * close/flink/open, PRIME, syncobjs (binary and timeline), vblank and CRTC
 * sequences. Mode setting lives in kms.c.
 *
 * The legacy DRI1 ioctls (maps, buffers, contexts, AGP, scatter/gather) are
 * named but not described: KMS drivers reject them, and nothing in them is
 * worth remapping.
 */
#include <drm/drm.h>

#include "uapi_internal.h"

/* -------------------------------------------------------- version, unique */

static const struct ds_uapi_array version_name =
	DS_ARRAY(struct drm_version, name_len, OUT, CHARS, 1);
static const struct ds_uapi_array version_date =
	DS_ARRAY(struct drm_version, date_len, OUT, CHARS, 1);
static const struct ds_uapi_array version_desc =
	DS_ARRAY(struct drm_version, desc_len, OUT, CHARS, 1);

DS_STRUCT(ds_version, drm_version,
	DS_V(struct drm_version, version_major, OUT),
	DS_V(struct drm_version, version_minor, OUT),
	DS_V(struct drm_version, version_patchlevel, OUT),
	DS_K(struct drm_version, name_len, COUNT, INOUT),
	DS_PTR(struct drm_version, name, &version_name),
	DS_K(struct drm_version, date_len, COUNT, INOUT),
	DS_PTR(struct drm_version, date, &version_date),
	DS_K(struct drm_version, desc_len, COUNT, INOUT),
	DS_PTR(struct drm_version, desc, &version_desc));

static const struct ds_uapi_array unique_out =
	DS_ARRAY(struct drm_unique, unique_len, OUT, CHARS, 1);
static const struct ds_uapi_array unique_in =
	DS_ARRAY(struct drm_unique, unique_len, IN, CHARS, 1);

DS_STRUCT(ds_get_unique, drm_unique,
	DS_K(struct drm_unique, unique_len, COUNT, INOUT),
	DS_PTR(struct drm_unique, unique, &unique_out));

DS_STRUCT(ds_set_unique, drm_unique,
	DS_K(struct drm_unique, unique_len, COUNT, IN),
	DS_PTR(struct drm_unique, unique, &unique_in));

/* ---------------------------------------------------- auth, client, stats */

DS_STRUCT(ds_get_magic, drm_auth,
	DS_V(struct drm_auth, magic, OUT));

DS_STRUCT(ds_auth_magic, drm_auth,
	DS_V(struct drm_auth, magic, IN));

DS_STRUCT(ds_irq_busid, drm_irq_busid,
	DS_V(struct drm_irq_busid, irq, OUT),
	DS_V(struct drm_irq_busid, busnum, IN),
	DS_V(struct drm_irq_busid, devnum, IN),
	DS_V(struct drm_irq_busid, funcnum, IN));

DS_STRUCT(ds_client, drm_client,
	DS_V(struct drm_client, idx, IN),
	DS_V(struct drm_client, auth, OUT),
	DS_V(struct drm_client, pid, OUT),
	DS_V(struct drm_client, uid, OUT),
	DS_V(struct drm_client, magic, OUT),
	DS_V(struct drm_client, iocs, OUT));

DS_STRUCT(ds_stats, drm_stats,
	DS_V(struct drm_stats, count, OUT));

DS_STRUCT(ds_set_version, drm_set_version,
	DS_V(struct drm_set_version, drm_di_major, INOUT),
	DS_V(struct drm_set_version, drm_di_minor, INOUT),
	DS_V(struct drm_set_version, drm_dd_major, INOUT),
	DS_V(struct drm_set_version, drm_dd_minor, INOUT));

DS_STRUCT(ds_modeset_ctl, drm_modeset_ctl,
	DS_K(struct drm_modeset_ctl, crtc, VALUE, IN),
	DS_V(struct drm_modeset_ctl, cmd, IN));

/* ------------------------------------------------------------------- GEM */

DS_STRUCT(ds_gem_close, drm_gem_close,
	DS_KF(struct drm_gem_close, handle, GEM_HANDLE, IN, DS_UAPI_F_DESTROY),
	DS_PAD(struct drm_gem_close, pad));

DS_STRUCT(ds_gem_flink, drm_gem_flink,
	DS_K(struct drm_gem_flink, handle, GEM_HANDLE, IN),
	DS_K(struct drm_gem_flink, name, GEM_NAME, OUT));

DS_STRUCT(ds_gem_open, drm_gem_open,
	DS_K(struct drm_gem_open, name, GEM_NAME, IN),
	DS_K(struct drm_gem_open, handle, GEM_HANDLE, OUT),
	DS_K(struct drm_gem_open, size, SIZE, OUT));

DS_STRUCT(ds_get_cap, drm_get_cap,
	DS_V(struct drm_get_cap, capability, IN),
	DS_V(struct drm_get_cap, value, OUT));

DS_STRUCT(ds_set_client_cap, drm_set_client_cap,
	DS_V(struct drm_set_client_cap, capability, IN),
	DS_V(struct drm_set_client_cap, value, IN));

/* ----------------------------------------------------------------- PRIME */

DS_STRUCT(ds_prime_handle_to_fd, drm_prime_handle,
	DS_K(struct drm_prime_handle, handle, GEM_HANDLE, IN),
	DS_X(struct drm_prime_handle, flags, IN),
	DS_K(struct drm_prime_handle, fd, DMABUF_FD, OUT));

DS_STRUCT(ds_prime_fd_to_handle, drm_prime_handle,
	DS_K(struct drm_prime_handle, handle, GEM_HANDLE, OUT),
	DS_X(struct drm_prime_handle, flags, IN),
	DS_K(struct drm_prime_handle, fd, DMABUF_FD, IN));

/* ------------------------------------------------------ vblank, sequence */

/* union drm_wait_vblank: the request overlays the reply. */
DS_STRUCT_T(ds_wait_vblank, union drm_wait_vblank, "drm_wait_vblank",
	DS_X(union drm_wait_vblank, request.type, INOUT),
	DS_V(union drm_wait_vblank, request.sequence, INOUT),
	DS_K(union drm_wait_vblank, request.signal, USER_DATA, IN),
	DS_V(union drm_wait_vblank, reply.tval_sec, OUT),
	DS_V(union drm_wait_vblank, reply.tval_usec, OUT));

DS_STRUCT(ds_crtc_get_sequence, drm_crtc_get_sequence,
	DS_K(struct drm_crtc_get_sequence, crtc_id, KMS_CRTC, IN),
	DS_V(struct drm_crtc_get_sequence, active, OUT),
	DS_V(struct drm_crtc_get_sequence, sequence, OUT),
	DS_V(struct drm_crtc_get_sequence, sequence_ns, OUT));

DS_STRUCT(ds_crtc_queue_sequence, drm_crtc_queue_sequence,
	DS_K(struct drm_crtc_queue_sequence, crtc_id, KMS_CRTC, IN),
	DS_X(struct drm_crtc_queue_sequence, flags, IN),
	DS_V(struct drm_crtc_queue_sequence, sequence, INOUT),
	DS_K(struct drm_crtc_queue_sequence, user_data, USER_DATA, IN));

/* --------------------------------------------------------------- syncobj */

DS_STRUCT(ds_syncobj_create, drm_syncobj_create,
	DS_K(struct drm_syncobj_create, handle, SYNCOBJ, OUT),
	DS_X(struct drm_syncobj_create, flags, IN));

DS_STRUCT(ds_syncobj_destroy, drm_syncobj_destroy,
	DS_KF(struct drm_syncobj_destroy, handle, SYNCOBJ, IN, DS_UAPI_F_DESTROY),
	DS_PAD(struct drm_syncobj_destroy, pad));

DS_STRUCT(ds_syncobj_handle_to_fd, drm_syncobj_handle,
	DS_K(struct drm_syncobj_handle, handle, SYNCOBJ, IN),
	DS_X(struct drm_syncobj_handle, flags, IN),
	DS_K(struct drm_syncobj_handle, fd, FD, OUT),
	DS_PAD(struct drm_syncobj_handle, pad));

/* With DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE the handle is an input. */
DS_STRUCT(ds_syncobj_fd_to_handle, drm_syncobj_handle,
	DS_K(struct drm_syncobj_handle, handle, SYNCOBJ, INOUT),
	DS_X(struct drm_syncobj_handle, flags, IN),
	DS_K(struct drm_syncobj_handle, fd, FD, IN),
	DS_PAD(struct drm_syncobj_handle, pad));

static const struct ds_uapi_array wait_handles =
	DS_ARRAY(struct drm_syncobj_wait, count_handles, IN, SYNCOBJ, 4);

DS_STRUCT(ds_syncobj_wait, drm_syncobj_wait,
	DS_PTR(struct drm_syncobj_wait, handles, &wait_handles),
	DS_K(struct drm_syncobj_wait, timeout_nsec, TIMEOUT, IN),
	DS_K(struct drm_syncobj_wait, count_handles, COUNT, IN),
	DS_X(struct drm_syncobj_wait, flags, IN),
	DS_V(struct drm_syncobj_wait, first_signaled, OUT),
	DS_PAD(struct drm_syncobj_wait, pad),
	DS_K(struct drm_syncobj_wait, deadline_nsec, TIMEOUT, IN));

static const struct ds_uapi_array twait_handles =
	DS_ARRAY(struct drm_syncobj_timeline_wait, count_handles, IN, SYNCOBJ, 4);
static const struct ds_uapi_array twait_points =
	DS_ARRAY(struct drm_syncobj_timeline_wait, count_handles, IN, VALUE, 8);

DS_STRUCT(ds_syncobj_timeline_wait, drm_syncobj_timeline_wait,
	DS_PTR(struct drm_syncobj_timeline_wait, handles, &twait_handles),
	DS_PTR(struct drm_syncobj_timeline_wait, points, &twait_points),
	DS_K(struct drm_syncobj_timeline_wait, timeout_nsec, TIMEOUT, IN),
	DS_K(struct drm_syncobj_timeline_wait, count_handles, COUNT, IN),
	DS_X(struct drm_syncobj_timeline_wait, flags, IN),
	DS_V(struct drm_syncobj_timeline_wait, first_signaled, OUT),
	DS_PAD(struct drm_syncobj_timeline_wait, pad),
	DS_K(struct drm_syncobj_timeline_wait, deadline_nsec, TIMEOUT, IN));

static const struct ds_uapi_array sarray_handles =
	DS_ARRAY(struct drm_syncobj_array, count_handles, IN, SYNCOBJ, 4);

DS_STRUCT(ds_syncobj_array, drm_syncobj_array,
	DS_PTR(struct drm_syncobj_array, handles, &sarray_handles),
	DS_K(struct drm_syncobj_array, count_handles, COUNT, IN),
	DS_PAD(struct drm_syncobj_array, pad));

static const struct ds_uapi_array tarray_handles =
	DS_ARRAY(struct drm_syncobj_timeline_array, count_handles, IN, SYNCOBJ, 4);
static const struct ds_uapi_array tarray_points_in =
	DS_ARRAY(struct drm_syncobj_timeline_array, count_handles, IN, VALUE, 8);
static const struct ds_uapi_array tarray_points_out =
	DS_ARRAY(struct drm_syncobj_timeline_array, count_handles, OUT, VALUE, 8);

DS_STRUCT(ds_syncobj_timeline_signal, drm_syncobj_timeline_array,
	DS_PTR(struct drm_syncobj_timeline_array, handles, &tarray_handles),
	DS_PTR(struct drm_syncobj_timeline_array, points, &tarray_points_in),
	DS_K(struct drm_syncobj_timeline_array, count_handles, COUNT, IN),
	DS_X(struct drm_syncobj_timeline_array, flags, IN));

DS_STRUCT(ds_syncobj_query, drm_syncobj_timeline_array,
	DS_PTR(struct drm_syncobj_timeline_array, handles, &tarray_handles),
	DS_PTR(struct drm_syncobj_timeline_array, points, &tarray_points_out),
	DS_K(struct drm_syncobj_timeline_array, count_handles, COUNT, IN),
	DS_X(struct drm_syncobj_timeline_array, flags, IN));

DS_STRUCT(ds_syncobj_transfer, drm_syncobj_transfer,
	DS_K(struct drm_syncobj_transfer, src_handle, SYNCOBJ, IN),
	DS_K(struct drm_syncobj_transfer, dst_handle, SYNCOBJ, IN),
	DS_V(struct drm_syncobj_transfer, src_point, IN),
	DS_V(struct drm_syncobj_transfer, dst_point, IN),
	DS_X(struct drm_syncobj_transfer, flags, IN),
	DS_PAD(struct drm_syncobj_transfer, pad));

#ifdef DRM_IOCTL_SYNCOBJ_EVENTFD
DS_STRUCT(ds_syncobj_eventfd, drm_syncobj_eventfd,
	DS_K(struct drm_syncobj_eventfd, handle, SYNCOBJ, IN),
	DS_X(struct drm_syncobj_eventfd, flags, IN),
	DS_V(struct drm_syncobj_eventfd, point, IN),
	DS_K(struct drm_syncobj_eventfd, fd, FD, IN),
	DS_PAD(struct drm_syncobj_eventfd, pad));
#endif

/* ----------------------------------------------------------------- table */

#define L DS_UAPI_I_LEGACY
#define C DS_UAPI_I_CREATES
#define D DS_UAPI_I_DESTROYS

static const struct ds_uapi_ioctl drm_tab[256] = {
	DS_IOCTL(DRM_IOCTL_VERSION, &ds_version, 0),
	DS_IOCTL(DRM_IOCTL_GET_UNIQUE, &ds_get_unique, 0),
	DS_IOCTL(DRM_IOCTL_GET_MAGIC, &ds_get_magic, 0),
	DS_IOCTL(DRM_IOCTL_IRQ_BUSID, &ds_irq_busid, L),
	DS_IOCTL(DRM_IOCTL_GET_MAP, NULL, L),
	DS_IOCTL(DRM_IOCTL_GET_CLIENT, &ds_client, 0),
	DS_IOCTL(DRM_IOCTL_GET_STATS, &ds_stats, 0),
	DS_IOCTL(DRM_IOCTL_SET_VERSION, &ds_set_version, 0),
	DS_IOCTL(DRM_IOCTL_MODESET_CTL, &ds_modeset_ctl, 0),
	DS_IOCTL(DRM_IOCTL_GEM_CLOSE, &ds_gem_close, D),
	DS_IOCTL(DRM_IOCTL_GEM_FLINK, &ds_gem_flink, 0),
	DS_IOCTL(DRM_IOCTL_GEM_OPEN, &ds_gem_open, C),
	DS_IOCTL(DRM_IOCTL_GET_CAP, &ds_get_cap, 0),
	DS_IOCTL(DRM_IOCTL_SET_CLIENT_CAP, &ds_set_client_cap, 0),
	DS_IOCTL(DRM_IOCTL_SET_UNIQUE, &ds_set_unique, L),
	DS_IOCTL(DRM_IOCTL_AUTH_MAGIC, &ds_auth_magic, 0),
	DS_IOCTL(DRM_IOCTL_BLOCK, NULL, L),
	DS_IOCTL(DRM_IOCTL_UNBLOCK, NULL, L),
	DS_IOCTL(DRM_IOCTL_CONTROL, NULL, L),
	DS_IOCTL(DRM_IOCTL_ADD_MAP, NULL, L),
	DS_IOCTL(DRM_IOCTL_ADD_BUFS, NULL, L),
	DS_IOCTL(DRM_IOCTL_MARK_BUFS, NULL, L),
	DS_IOCTL(DRM_IOCTL_INFO_BUFS, NULL, L),
	DS_IOCTL(DRM_IOCTL_MAP_BUFS, NULL, L),
	DS_IOCTL(DRM_IOCTL_FREE_BUFS, NULL, L),
	DS_IOCTL(DRM_IOCTL_RM_MAP, NULL, L),
	DS_IOCTL(DRM_IOCTL_SET_SAREA_CTX, NULL, L),
	DS_IOCTL(DRM_IOCTL_GET_SAREA_CTX, NULL, L),
	DS_IOCTL(DRM_IOCTL_SET_MASTER, NULL, 0),
	DS_IOCTL(DRM_IOCTL_DROP_MASTER, NULL, 0),
	DS_IOCTL(DRM_IOCTL_ADD_CTX, NULL, L),
	DS_IOCTL(DRM_IOCTL_RM_CTX, NULL, L),
	DS_IOCTL(DRM_IOCTL_MOD_CTX, NULL, L),
	DS_IOCTL(DRM_IOCTL_GET_CTX, NULL, L),
	DS_IOCTL(DRM_IOCTL_SWITCH_CTX, NULL, L),
	DS_IOCTL(DRM_IOCTL_NEW_CTX, NULL, L),
	DS_IOCTL(DRM_IOCTL_RES_CTX, NULL, L),
	DS_IOCTL(DRM_IOCTL_ADD_DRAW, NULL, L),
	DS_IOCTL(DRM_IOCTL_RM_DRAW, NULL, L),
	DS_IOCTL(DRM_IOCTL_DMA, NULL, L),
	DS_IOCTL(DRM_IOCTL_LOCK, NULL, L),
	DS_IOCTL(DRM_IOCTL_UNLOCK, NULL, L),
	DS_IOCTL(DRM_IOCTL_FINISH, NULL, L),
	DS_IOCTL(DRM_IOCTL_PRIME_HANDLE_TO_FD, &ds_prime_handle_to_fd, 0),
	DS_IOCTL(DRM_IOCTL_PRIME_FD_TO_HANDLE, &ds_prime_fd_to_handle, C),
	DS_IOCTL(DRM_IOCTL_AGP_ACQUIRE, NULL, L),
	DS_IOCTL(DRM_IOCTL_AGP_RELEASE, NULL, L),
	DS_IOCTL(DRM_IOCTL_AGP_ENABLE, NULL, L),
	DS_IOCTL(DRM_IOCTL_AGP_INFO, NULL, L),
	DS_IOCTL(DRM_IOCTL_AGP_ALLOC, NULL, L),
	DS_IOCTL(DRM_IOCTL_AGP_FREE, NULL, L),
	DS_IOCTL(DRM_IOCTL_AGP_BIND, NULL, L),
	DS_IOCTL(DRM_IOCTL_AGP_UNBIND, NULL, L),
	DS_IOCTL(DRM_IOCTL_SG_ALLOC, NULL, L),
	DS_IOCTL(DRM_IOCTL_SG_FREE, NULL, L),
	DS_IOCTL(DRM_IOCTL_WAIT_VBLANK, &ds_wait_vblank, DS_UAPI_I_BLOCKS),
	DS_IOCTL(DRM_IOCTL_CRTC_GET_SEQUENCE, &ds_crtc_get_sequence, 0),
	DS_IOCTL(DRM_IOCTL_CRTC_QUEUE_SEQUENCE, &ds_crtc_queue_sequence, 0),
	DS_IOCTL(DRM_IOCTL_UPDATE_DRAW, NULL, L),

	DS_IOCTL(DRM_IOCTL_SYNCOBJ_CREATE, &ds_syncobj_create, C),
	DS_IOCTL(DRM_IOCTL_SYNCOBJ_DESTROY, &ds_syncobj_destroy, D),
	DS_IOCTL(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &ds_syncobj_handle_to_fd, 0),
	DS_IOCTL(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &ds_syncobj_fd_to_handle, C),
	DS_IOCTL(DRM_IOCTL_SYNCOBJ_WAIT, &ds_syncobj_wait, DS_UAPI_I_SYNC),
	DS_IOCTL(DRM_IOCTL_SYNCOBJ_RESET, &ds_syncobj_array, 0),
	DS_IOCTL(DRM_IOCTL_SYNCOBJ_SIGNAL, &ds_syncobj_array, 0),
	DS_IOCTL(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &ds_syncobj_timeline_wait, DS_UAPI_I_SYNC),
	DS_IOCTL(DRM_IOCTL_SYNCOBJ_QUERY, &ds_syncobj_query, 0),
	DS_IOCTL(DRM_IOCTL_SYNCOBJ_TRANSFER, &ds_syncobj_transfer, 0),
	DS_IOCTL(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &ds_syncobj_timeline_signal, 0),
#ifdef DRM_IOCTL_SYNCOBJ_EVENTFD
	DS_IOCTL(DRM_IOCTL_SYNCOBJ_EVENTFD, &ds_syncobj_eventfd, 0),
#endif
};

const struct ds_uapi_driver ds_uapi_drm_driver = {
	.name = "drm",
	.first = 0,
	.n = DS_ARRAY_SIZE(drm_tab),
	.tab = drm_tab,
};
