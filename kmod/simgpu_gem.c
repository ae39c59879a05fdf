// SPDX-License-Identifier: GPL-2.0-only
/*
 * simgpu buffer objects: shmem GEM objects with a device-wide id (for the
 * tracepoints), a lock for their gpuva list, and optionally a VM they are
 * exclusive to (sharing that VM's reservation object).
 */
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_prime.h>
#include <drm/drm_vma_manager.h>

#include "simgpu_drv.h"
#include "simgpu_trace.h"

static void simgpu_bo_free(struct drm_gem_object *obj)
{
	struct simgpu_bo *bo = to_simgpu_bo(obj);
	struct drm_gem_object *root = bo->exclusive_vm_root;

	trace_simgpu_gem_free(to_simgpu(obj->dev)->index, bo->id, 0,
			      obj->size, bo->flags);
	mutex_destroy(&bo->gpuva_lock);
	/* Frees @bo; its resv may be the root's, so put the root after. */
	drm_gem_shmem_free(&bo->base);
	drm_gem_object_put(root);
	atomic_dec(&simgpu_live.bos);
}

static struct dma_buf *simgpu_bo_export(struct drm_gem_object *obj, int flags)
{
	/* A BO sharing its VM's reservation object must stay private. */
	if (to_simgpu_bo(obj)->exclusive_vm_root)
		return ERR_PTR(-EINVAL);
	return drm_gem_prime_export(obj, flags);
}

static const struct drm_gem_object_funcs simgpu_bo_funcs = {
	.free = simgpu_bo_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.export = simgpu_bo_export,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/* drm_driver.gem_create_object: allocate our BO around the shmem object. */
struct drm_gem_object *simgpu_gem_create_object(struct drm_device *ddev,
						size_t size)
{
	struct simgpu_device *sdev = to_simgpu(ddev);
	struct simgpu_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &simgpu_bo_funcs;
	bo->id = atomic64_inc_return(&sdev->next_bo_id);
	mutex_init(&bo->gpuva_lock);
	drm_gem_gpuva_set_lock(&bo->base.base, &bo->gpuva_lock);
	drm_gem_gpuva_init(&bo->base.base);
	return &bo->base.base;
}

/*
 * DRM_IOCTL_SIMGPU_BO_CREATE: create a BO and a handle for it.
 *
 * Errors: -EINVAL (unknown flags, non-zero pad, zero size), -E2BIG (size
 * above max_bo_size), -ENOENT (bad exclusive_vm_id), -ENOMEM.
 */
int simgpu_ioctl_bo_create(struct drm_device *ddev, void *data,
			   struct drm_file *file)
{
	struct simgpu_device *sdev = to_simgpu(ddev);
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	struct simgpu_vm *vm = NULL;
	struct simgpu_bo *bo;
	u32 handle;
	int ret;

	if (args->flags & ~DRM_SIMGPU_BO_NO_MMAP || args->pad)
		return -EINVAL;
	if (!args->size)
		return -EINVAL;
	if (args->size > sdev->max_bo_size)
		return -E2BIG;
	if (args->exclusive_vm_id) {
		vm = simgpu_vm_lookup(sfile, args->exclusive_vm_id);
		if (!vm)
			return -ENOENT;
	}

	shmem = drm_gem_shmem_create(ddev, args->size);
	if (IS_ERR(shmem)) {
		ret = PTR_ERR(shmem);
		goto out_put_vm;
	}
	bo = container_of(shmem, struct simgpu_bo, base);
	atomic_inc(&simgpu_live.bos);
	bo->flags = args->flags;
	if (vm) {
		bo->exclusive_vm_root = simgpu_vm_root_gem(vm);
		drm_gem_object_get(bo->exclusive_vm_root);
		shmem->base.resv = bo->exclusive_vm_root->resv;
	}

	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	/* The handle holds the reference now (or the BO goes away). */
	drm_gem_object_put(&shmem->base);
	if (ret)
		goto out_put_vm;

	args->size = shmem->base.size;
	args->handle = handle;
	trace_simgpu_gem_create(sdev->index, bo->id, handle, shmem->base.size,
				bo->flags);
	ret = 0;
out_put_vm:
	if (vm)
		simgpu_vm_put(vm);
	return ret;
}

/*
 * DRM_IOCTL_SIMGPU_BO_MMAP_OFFSET: return the fake offset to mmap a BO.
 *
 * Errors: -EINVAL (non-zero pad), -ENOENT (bad handle), -EPERM (BO created
 * with DRM_SIMGPU_BO_NO_MMAP), -ENOMEM.
 */
int simgpu_ioctl_bo_mmap_offset(struct drm_device *ddev, void *data,
				struct drm_file *file)
{
	struct drm_simgpu_bo_mmap_offset *args = data;
	struct drm_gem_object *obj;
	struct simgpu_bo *bo;
	int ret;

	if (args->pad)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_simgpu_bo(obj);
	if (bo->flags & DRM_SIMGPU_BO_NO_MMAP) {
		ret = -EPERM;
		goto out_put;
	}
	ret = drm_gem_create_mmap_offset(obj);
	if (ret)
		goto out_put;
	args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	trace_simgpu_gem_mmap(to_simgpu(ddev)->index, bo->id, args->handle,
			      obj->size, args->offset);
out_put:
	drm_gem_object_put(obj);
	return ret;
}
