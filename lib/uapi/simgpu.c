/*
 * lib/uapi/simgpu.c: the "simgpu" table (include/uapi/drm/simgpu_drm.h).
 *
 * simgpu's arrays are struct drm_simgpu_obj_array {stride, count, array}
 * embedded in the argument; they are flattened here as three fields named
 * "<member>.stride", "<member>.count" and "<member>.array". Elements are
 * @stride bytes apart and may be larger than the struct this build knows.
 * SUBMIT's jobs carry their own in/out syncobj arrays, which the walker
 * follows one level down.
 */
#include <uapi/drm/simgpu_drm.h>

#include "uapi_internal.h"

/* ----------------------------------------------------------------- query */

DS_STRUCT(ds_dev_info, drm_simgpu_dev_info,
	DS_X(struct drm_simgpu_dev_info, gpu_id, OUT),
	DS_V(struct drm_simgpu_dev_info, fw_abi_version, OUT),
	DS_X(struct drm_simgpu_dev_info, fw_abi_supported, OUT),
	DS_X(struct drm_simgpu_dev_info, fw_version, OUT),
	DS_K(struct drm_simgpu_dev_info, va_start, GPU_VA, OUT),
	DS_K(struct drm_simgpu_dev_info, va_end, GPU_VA, OUT),
	DS_K(struct drm_simgpu_dev_info, max_bo_size, SIZE, OUT),
	DS_K(struct drm_simgpu_dev_info, va_page_size, SIZE, OUT),
	DS_V(struct drm_simgpu_dev_info, max_vms, OUT),
	DS_V(struct drm_simgpu_dev_info, max_queues, OUT),
	DS_V(struct drm_simgpu_dev_info, max_jobs_per_submit, OUT),
	DS_V(struct drm_simgpu_dev_info, max_bind_ops, OUT),
	DS_V(struct drm_simgpu_dev_info, max_syncs, OUT),
	DS_K(struct drm_simgpu_dev_info, max_cmd_size, SIZE, OUT),
	DS_V(struct drm_simgpu_dev_info, max_delay_ns, OUT),
	DS_X(struct drm_simgpu_dev_info, cmd_mask, OUT),
	DS_V(struct drm_simgpu_dev_info, job_timeout_ms, OUT),
	DS_V(struct drm_simgpu_dev_info, queue_priorities, OUT));

/* @size bytes at @pointer, laid out as the query @type says (DEV_INFO). */
static const struct ds_uapi_array query_out =
	DS_BYTES(struct drm_simgpu_dev_query, size, OUT, 0, &ds_dev_info);

DS_STRUCT(ds_dev_query, drm_simgpu_dev_query,
	DS_V(struct drm_simgpu_dev_query, type, IN),
	DS_K(struct drm_simgpu_dev_query, size, SIZE, INOUT),
	DS_PTR(struct drm_simgpu_dev_query, pointer, &query_out));

/* -------------------------------------------------------------------- BO */

DS_STRUCT(ds_bo_create, drm_simgpu_bo_create,
	DS_K(struct drm_simgpu_bo_create, size, SIZE, INOUT),
	DS_X(struct drm_simgpu_bo_create, flags, IN),
	DS_K(struct drm_simgpu_bo_create, handle, GEM_HANDLE, OUT),
	DS_KF(struct drm_simgpu_bo_create, exclusive_vm_id, VM_ID, IN, DS_UAPI_F_OPTIONAL),
	DS_PAD(struct drm_simgpu_bo_create, pad));

DS_STRUCT(ds_bo_mmap_offset, drm_simgpu_bo_mmap_offset,
	DS_K(struct drm_simgpu_bo_mmap_offset, handle, GEM_HANDLE, IN),
	DS_PAD(struct drm_simgpu_bo_mmap_offset, pad),
	DS_K(struct drm_simgpu_bo_mmap_offset, offset, MMAP_OFFSET, OUT));

/* -------------------------------------------------------------------- VM */

DS_STRUCT(ds_vm_create, drm_simgpu_vm_create,
	DS_X(struct drm_simgpu_vm_create, flags, IN),
	DS_K(struct drm_simgpu_vm_create, id, VM_ID, OUT));

DS_STRUCT(ds_vm_destroy, drm_simgpu_vm_destroy,
	DS_KF(struct drm_simgpu_vm_destroy, id, VM_ID, IN, DS_UAPI_F_DESTROY),
	DS_PAD(struct drm_simgpu_vm_destroy, pad));

DS_STRUCT(ds_sync, drm_simgpu_sync,
	DS_K(struct drm_simgpu_sync, handle, SYNCOBJ, IN),
	DS_X(struct drm_simgpu_sync, flags, IN),
	DS_V(struct drm_simgpu_sync, timeline_point, IN));

DS_STRUCT(ds_vm_bind_op, drm_simgpu_vm_bind_op,
	DS_V(struct drm_simgpu_vm_bind_op, op, IN),
	DS_X(struct drm_simgpu_vm_bind_op, flags, IN),
	DS_KF(struct drm_simgpu_vm_bind_op, bo_handle, GEM_HANDLE, IN, DS_UAPI_F_OPTIONAL),
	DS_PAD(struct drm_simgpu_vm_bind_op, pad),
	DS_K(struct drm_simgpu_vm_bind_op, bo_offset, SIZE, IN),
	DS_K(struct drm_simgpu_vm_bind_op, va, GPU_VA, IN),
	DS_K(struct drm_simgpu_vm_bind_op, range, SIZE, IN));

/* An obj_array member @m of T, with elements of type ET described by @d. */
#define OBJ_ARRAY(T, m, ET, d) \
	DS_ARRAY_STRIDED(T, m.count, m.stride, IN, ET, d)
#define OBJ_ARRAY_FIELDS(T, m, arr)			\
	DS_K(T, m.stride, STRIDE, IN),			\
	DS_K(T, m.count, COUNT, IN),			\
	DS_PTR(T, m.array, arr)

static const struct ds_uapi_array bind_ops =
	OBJ_ARRAY(struct drm_simgpu_vm_bind, ops, struct drm_simgpu_vm_bind_op,
		  &ds_vm_bind_op);
static const struct ds_uapi_array bind_in_syncs =
	OBJ_ARRAY(struct drm_simgpu_vm_bind, in_syncs, struct drm_simgpu_sync,
		  &ds_sync);
static const struct ds_uapi_array bind_out_syncs =
	OBJ_ARRAY(struct drm_simgpu_vm_bind, out_syncs, struct drm_simgpu_sync,
		  &ds_sync);

DS_STRUCT(ds_vm_bind, drm_simgpu_vm_bind,
	DS_K(struct drm_simgpu_vm_bind, vm_id, VM_ID, IN),
	DS_X(struct drm_simgpu_vm_bind, flags, IN),
	OBJ_ARRAY_FIELDS(struct drm_simgpu_vm_bind, ops, &bind_ops),
	OBJ_ARRAY_FIELDS(struct drm_simgpu_vm_bind, in_syncs, &bind_in_syncs),
	OBJ_ARRAY_FIELDS(struct drm_simgpu_vm_bind, out_syncs, &bind_out_syncs));

/* ----------------------------------------------------------------- queue */

DS_STRUCT(ds_queue_create, drm_simgpu_queue_create,
	DS_K(struct drm_simgpu_queue_create, vm_id, VM_ID, IN),
	DS_V(struct drm_simgpu_queue_create, priority, IN),
	DS_X(struct drm_simgpu_queue_create, flags, IN),
	DS_K(struct drm_simgpu_queue_create, id, QUEUE_ID, OUT));

DS_STRUCT(ds_queue_destroy, drm_simgpu_queue_destroy,
	DS_KF(struct drm_simgpu_queue_destroy, id, QUEUE_ID, IN, DS_UAPI_F_DESTROY),
	DS_PAD(struct drm_simgpu_queue_destroy, pad));

/* ---------------------------------------------------------------- submit */

static const struct ds_uapi_array job_in_syncs =
	OBJ_ARRAY(struct drm_simgpu_job, in_syncs, struct drm_simgpu_sync, &ds_sync);
static const struct ds_uapi_array job_out_syncs = {
	.dir = DS_UAPI_IN,
	.count_mode = DS_UAPI_COUNT_FIELD,
	.elem_kind = DS_UAPI_STRUCT,
	.flags = DS_UAPI_A_SIGNALS,	/* signalled when the job is done */
	.count = DS_REF(struct drm_simgpu_job, out_syncs.count),
	.stride = DS_REF(struct drm_simgpu_job, out_syncs.stride),
	.elem_size = sizeof(struct drm_simgpu_sync),
	.elem = &ds_sync,
};

DS_STRUCT(ds_job, drm_simgpu_job,
	DS_K(struct drm_simgpu_job, cmd_va, GPU_VA, IN),
	DS_K(struct drm_simgpu_job, cmd_size, SIZE, IN),
	DS_X(struct drm_simgpu_job, flags, IN),
	OBJ_ARRAY_FIELDS(struct drm_simgpu_job, in_syncs, &job_in_syncs),
	OBJ_ARRAY_FIELDS(struct drm_simgpu_job, out_syncs, &job_out_syncs));

static const struct ds_uapi_array submit_jobs =
	OBJ_ARRAY(struct drm_simgpu_submit, jobs, struct drm_simgpu_job, &ds_job);

DS_STRUCT(ds_submit, drm_simgpu_submit,
	DS_K(struct drm_simgpu_submit, queue_id, QUEUE_ID, IN),
	DS_X(struct drm_simgpu_submit, flags, IN),
	OBJ_ARRAY_FIELDS(struct drm_simgpu_submit, jobs, &submit_jobs),
	DS_V(struct drm_simgpu_submit, seqno, OUT));

/* ----------------------------------------------------------------- table */

#define C DS_UAPI_I_CREATES
#define D DS_UAPI_I_DESTROYS

static const struct ds_uapi_ioctl simgpu_tab[] = {
	DS_DRV_IOCTL(DRM_IOCTL_SIMGPU_DEV_QUERY, &ds_dev_query, 0),
	DS_DRV_IOCTL(DRM_IOCTL_SIMGPU_BO_CREATE, &ds_bo_create, C),
	DS_DRV_IOCTL(DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET, &ds_bo_mmap_offset, 0),
	DS_DRV_IOCTL(DRM_IOCTL_SIMGPU_VM_CREATE, &ds_vm_create, C),
	DS_DRV_IOCTL(DRM_IOCTL_SIMGPU_VM_DESTROY, &ds_vm_destroy, D),
	DS_DRV_IOCTL(DRM_IOCTL_SIMGPU_VM_BIND, &ds_vm_bind, 0),
	DS_DRV_IOCTL(DRM_IOCTL_SIMGPU_QUEUE_CREATE, &ds_queue_create, C),
	DS_DRV_IOCTL(DRM_IOCTL_SIMGPU_QUEUE_DESTROY, &ds_queue_destroy, D),
	DS_DRV_IOCTL(DRM_IOCTL_SIMGPU_SUBMIT, &ds_submit, DS_UAPI_I_SUBMIT),
};

const struct ds_uapi_driver ds_uapi_simgpu_driver = {
	.name = "simgpu",
	.first = DS_UAPI_DRIVER_FIRST,
	.n = DS_ARRAY_SIZE(simgpu_tab),
	.tab = simgpu_tab,
	.flags = DS_UAPI_D_JOB_HASH,	/* simgpu_job_done's result_hash */
};
