// SPDX-License-Identifier: GPL-2.0-only
/*
 * simgpu VMs: GPU virtual address spaces on drm_gpuvm, and VM_BIND.
 *
 * The host tracks mappings in the drm_gpuvm tree; the firmware keeps its own
 * page tables, which the host updates with VM_MAP/VM_UNMAP messages (page
 * frame lists) and closes with a VM_FLUSH whose ACK says the update is done.
 *
 * A VM_BIND call is validated and prepared in the ioctl (BO lookups, pins,
 * drm_gpuvm_bo and drm_gpuva preallocation), so that applying it only
 * walks the tree and sends messages. Synchronous binds are applied in the
 * ioctl; asynchronous ones are jobs of the VM's bind queue (a drm_sched
 * scheduler + entity), run once their in-syncobjs signalled, whose hardware
 * fence is the VM_FLUSH ACK. Their out-syncobjs get a simgpu fence that
 * follows the job's finished fence: the scheduler lives in the VM, and its
 * fences must not outlive it.
 *
 * BO pages stay pinned while a drm_gpuvm_bo (a <VM, BO> pair with mappings)
 * exists: the pin is taken when the drm_gpuvm_bo is created and released
 * when it is destroyed. Mappings removed by a bind keep their drm_gpuvm_bo
 * alive until the bind is acknowledged by the firmware, so that pages are
 * never unpinned while the firmware's page table may still point at them.
 */
#include <linux/sched.h>
#include <linux/slab.h>

#include <drm/drm_exec.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "simgpu_drv.h"
#include "simgpu_trace.h"

/* drm_gpuva flag: the mapping is read-only for the GPU. */
#define SIMGPU_VMA_READONLY	DRM_GPUVA_USERBITS

struct simgpu_vma {
	struct drm_gpuva base;
	struct list_head node;
};

/* A validated and prepared bind operation. */
struct simgpu_bind_op {
	u32 op;
	u32 flags;
	u64 va;
	u64 range;
	u64 bo_offset;
	struct drm_gem_object *obj;	/* MAP: reference */
	struct drm_gpuvm_bo *vm_bo;	/* MAP: reference (holds the pin) */
};

/* Everything one VM_BIND call needs. */
struct simgpu_bind_ctx {
	struct simgpu_vm *vm;
	u32 nops;
	struct simgpu_bind_op *ops;
	struct simgpu_bind_op *cur;
	struct list_head pool;		/* preallocated simgpu_vma */
	struct list_head returned;	/* unlinked; vm_bo reference kept */
	struct simgpu_fence *ack;	/* VM_FLUSH ACK */
	bool ack_sent;
	u64 seq;
	pid_t pid;
	bool async;
	int error;
	struct simgpu_fw_msg msg;
};

struct simgpu_out_sync {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

struct simgpu_bind_job {
	struct drm_sched_job base;
	struct simgpu_bind_ctx ctx;
	/* Follows the finished fence, for the out-syncobjs. */
	struct simgpu_fence *done;
	bool ran;
};

static inline struct simgpu_vma *to_simgpu_vma(struct drm_gpuva *va)
{
	return container_of(va, struct simgpu_vma, base);
}

/* ------------------------------------------------------------ refcounts */

struct drm_gem_object *simgpu_vm_root_gem(struct simgpu_vm *vm)
{
	return vm->base.r_obj;
}

void simgpu_vm_get(struct simgpu_vm *vm)
{
	kref_get(&vm->users);
}

static void simgpu_vm_users_release(struct kref *kref)
{
	struct simgpu_vm *vm = container_of(kref, struct simgpu_vm, users);

	queue_work(vm->sdev->cleanup_wq, &vm->teardown_work);
}

void simgpu_vm_put(struct simgpu_vm *vm)
{
	kref_put(&vm->users, simgpu_vm_users_release);
}

/* Look up a VM by its ID in a file; takes a users reference. */
struct simgpu_vm *simgpu_vm_lookup(struct simgpu_file *sfile, u32 id)
{
	struct simgpu_vm *vm;

	xa_lock(&sfile->vms);
	vm = xa_load(&sfile->vms, id);
	if (vm && !kref_get_unless_zero(&vm->users))
		vm = NULL;
	xa_unlock(&sfile->vms);
	return vm;
}

/*
 * Drop a drm_gpuvm_bo reference; when it was the last one, release the
 * pin the drm_gpuvm_bo held. Must not be called with a reservation lock
 * held (the unpin takes it).
 */
static void simgpu_vm_bo_put(struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gem_object *obj = vm_bo->obj;
	struct simgpu_bo *bo = to_simgpu_bo(obj);
	bool destroyed;

	drm_gem_object_get(obj);
	mutex_lock(&bo->gpuva_lock);
	destroyed = drm_gpuvm_bo_put(vm_bo);
	mutex_unlock(&bo->gpuva_lock);
	if (destroyed)
		drm_gem_shmem_unpin(&bo->base);
	drm_gem_object_put(obj);
}

/* ------------------------------------------------------------ bind ctx */

static void simgpu_bind_ctx_cleanup(struct simgpu_bind_ctx *ctx)
{
	struct simgpu_vma *vma, *tmp;
	u32 i;

	list_for_each_entry_safe(vma, tmp, &ctx->returned, node) {
		list_del(&vma->node);
		simgpu_vm_bo_put(vma->base.vm_bo);
		kfree(vma);
	}
	list_for_each_entry_safe(vma, tmp, &ctx->pool, node) {
		list_del(&vma->node);
		kfree(vma);
	}
	for (i = 0; ctx->ops && i < ctx->nops; i++) {
		if (ctx->ops[i].vm_bo)
			simgpu_vm_bo_put(ctx->ops[i].vm_bo);
		drm_gem_object_put(ctx->ops[i].obj);
	}
	kvfree(ctx->ops);
	ctx->ops = NULL;
	if (ctx->ack) {
		if (ctx->ack_sent)
			dma_fence_put(&ctx->ack->base);
		else
			simgpu_fence_free_unused(ctx->ack);
		ctx->ack = NULL;
	}
}

static struct simgpu_vma *simgpu_bind_ctx_take_vma(struct simgpu_bind_ctx *ctx)
{
	struct simgpu_vma *vma;

	vma = list_first_entry_or_null(&ctx->pool, struct simgpu_vma, node);
	if (WARN_ON(!vma))
		return NULL;
	list_del_init(&vma->node);
	return vma;
}

/* Unlink a mapping from its BO, keeping the drm_gpuvm_bo (and pin) alive
 * until the bind context is cleaned up. Called with the BO's gpuva lock.
 */
static void simgpu_vma_unlink_deferred(struct simgpu_bind_ctx *ctx,
				       struct simgpu_vma *vma)
{
	struct drm_gpuvm_bo *vm_bo = drm_gpuvm_bo_get(vma->base.vm_bo);

	drm_gpuva_unlink(&vma->base);
	vma->base.vm_bo = vm_bo;
	list_add_tail(&vma->node, &ctx->returned);
}

/* ------------------------------------------------------------ messages */

static void simgpu_bind_send(struct simgpu_bind_ctx *ctx)
{
	int ret;

	if (ctx->error)
		return;
	ret = simgpu_fwif_send(&ctx->vm->sdev->fwif, &ctx->msg, NULL);
	if (ret)
		ctx->error = ret;
}

static void simgpu_bind_send_unmap(struct simgpu_bind_ctx *ctx, u64 va,
				   u64 range)
{
	memset(&ctx->msg, 0, offsetof(struct simgpu_fw_msg, vm_map.pfn));
	ctx->msg.function = SIMGPU_FW_VM_UNMAP;
	ctx->msg.vm_unmap.vm = ctx->vm->fw_id;
	ctx->msg.vm_unmap.va = va;
	ctx->msg.vm_unmap.npages = range >> PAGE_SHIFT;
	simgpu_bind_send(ctx);
}

static void simgpu_bind_send_map(struct simgpu_bind_ctx *ctx,
				 struct simgpu_vma *vma)
{
	struct simgpu_bo *bo = to_simgpu_bo(vma->base.gem.obj);
	u64 pgoff = vma->base.gem.offset >> PAGE_SHIFT;
	u64 npages = vma->base.va.range >> PAGE_SHIFT;
	u64 va = vma->base.va.addr;
	u32 abi = ctx->vm->sdev->fwif.abi;
	u64 done = 0;

	while (done < npages && !ctx->error) {
		u32 i, n = min_t(u64, npages - done, SIMGPU_FW_MAP_MAX_PAGES);

		memset(&ctx->msg, 0, offsetof(struct simgpu_fw_msg, vm_map.pfn));
		ctx->msg.function = SIMGPU_FW_VM_MAP;
		ctx->msg.vm_map.vm = ctx->vm->fw_id;
		ctx->msg.vm_map.va = va + (done << PAGE_SHIFT);
		ctx->msg.vm_map.npages = n;
		if (vma->base.flags & SIMGPU_VMA_READONLY)
			ctx->msg.vm_map.flags = SIMGPU_FW_MAP_READONLY;
		for (i = 0; i < n; i++) {
			u64 pfn = page_to_pfn(bo->base.pages[pgoff + done + i]);

			/* ABI v1 carries 32-bit page frame numbers. */
			if (abi == 1 && pfn > U32_MAX) {
				ctx->error = -EIO;
				return;
			}
			ctx->msg.vm_map.pfn[i] = pfn;
		}
		simgpu_bind_send(ctx);
		done += n;
	}
}

/* ------------------------------------------------------------ gpuvm ops */

static int simgpu_sm_step_map(struct drm_gpuva_op *op, void *priv)
{
	struct simgpu_bind_ctx *ctx = priv;
	struct simgpu_bind_op *bop = ctx->cur;
	struct simgpu_bo *bo = to_simgpu_bo(bop->obj);
	struct simgpu_vma *vma = simgpu_bind_ctx_take_vma(ctx);

	if (!vma)
		return -ENOMEM;
	drm_gpuva_map(&ctx->vm->base, &vma->base, &op->map);
	if (bop->flags & DRM_SIMGPU_VM_BIND_OP_MAP_READONLY)
		vma->base.flags |= SIMGPU_VMA_READONLY;
	mutex_lock(&bo->gpuva_lock);
	drm_gpuva_link(&vma->base, bop->vm_bo);
	mutex_unlock(&bo->gpuva_lock);
	simgpu_bind_send_map(ctx, vma);
	return 0;
}

static int simgpu_sm_step_remap(struct drm_gpuva_op *op, void *priv)
{
	struct simgpu_bind_ctx *ctx = priv;
	struct simgpu_vma *old = to_simgpu_vma(op->remap.unmap->va);
	struct simgpu_bo *bo = to_simgpu_bo(old->base.gem.obj);
	struct simgpu_vma *prev = NULL, *next = NULL;
	u64 start, range;

	drm_gpuva_op_remap_to_unmap_range(&op->remap, &start, &range);
	simgpu_bind_send_unmap(ctx, start, range);

	if (op->remap.prev) {
		prev = simgpu_bind_ctx_take_vma(ctx);
		if (!prev)
			return -ENOMEM;
	}
	if (op->remap.next) {
		next = simgpu_bind_ctx_take_vma(ctx);
		if (!next) {
			if (prev)
				list_add(&prev->node, &ctx->pool);
			return -ENOMEM;
		}
	}
	drm_gpuva_remap(prev ? &prev->base : NULL, next ? &next->base : NULL,
			&op->remap);
	mutex_lock(&bo->gpuva_lock);
	if (prev) {
		prev->base.flags |= old->base.flags & SIMGPU_VMA_READONLY;
		drm_gpuva_link(&prev->base, old->base.vm_bo);
	}
	if (next) {
		next->base.flags |= old->base.flags & SIMGPU_VMA_READONLY;
		drm_gpuva_link(&next->base, old->base.vm_bo);
	}
	simgpu_vma_unlink_deferred(ctx, old);
	mutex_unlock(&bo->gpuva_lock);
	return 0;
}

static int simgpu_sm_step_unmap(struct drm_gpuva_op *op, void *priv)
{
	struct simgpu_bind_ctx *ctx = priv;
	struct simgpu_vma *old = to_simgpu_vma(op->unmap.va);
	struct simgpu_bo *bo = to_simgpu_bo(old->base.gem.obj);

	simgpu_bind_send_unmap(ctx, old->base.va.addr, old->base.va.range);
	drm_gpuva_unmap(&op->unmap);
	mutex_lock(&bo->gpuva_lock);
	simgpu_vma_unlink_deferred(ctx, old);
	mutex_unlock(&bo->gpuva_lock);
	return 0;
}

static void simgpu_gpuvm_free(struct drm_gpuvm *gpuvm)
{
	struct simgpu_vm *vm = to_simgpu_vm(gpuvm);

	xa_erase(&vm->sdev->fw_vms, vm->fw_id);
	mutex_destroy(&vm->op_lock);
	mutex_destroy(&vm->bind_lock);
	kfree(vm);
	simgpu_live_put(&simgpu_live.vms);
}

static const struct drm_gpuvm_ops simgpu_gpuvm_ops = {
	.vm_free = simgpu_gpuvm_free,
	.sm_step_map = simgpu_sm_step_map,
	.sm_step_remap = simgpu_sm_step_remap,
	.sm_step_unmap = simgpu_sm_step_unmap,
};

/*
 * Apply the operations of @ctx and send VM_FLUSH with the ACK fence.
 * Called with vm->op_lock held.
 */
static void simgpu_bind_exec(struct simgpu_bind_ctx *ctx)
{
	struct simgpu_vm *vm = ctx->vm;
	u32 i;
	int ret;

	lockdep_assert_held(&vm->op_lock);

	for (i = 0; i < ctx->nops; i++) {
		struct simgpu_bind_op *bop = &ctx->ops[i];

		ctx->cur = bop;
		trace_simgpu_vm_bind_op(vm->sdev->index, vm->fw_id, ctx->seq,
					ctx->pid, bop->op, bop->flags, bop->va,
					bop->range,
					bop->obj ? to_simgpu_bo(bop->obj)->id : 0,
					bop->bo_offset, ctx->async);
		if (bop->op == DRM_SIMGPU_VM_BIND_OP_MAP)
			ret = drm_gpuvm_sm_map(&vm->base, ctx, bop->va,
					       bop->range, bop->obj,
					       bop->bo_offset);
		else
			ret = drm_gpuvm_sm_unmap(&vm->base, ctx, bop->va,
						 bop->range);
		if (ret && !ctx->error)
			ctx->error = ret;
	}

	/* A message lost before the flush fails the whole bind. */
	if (ctx->error)
		return;
	memset(&ctx->msg, 0, offsetof(struct simgpu_fw_msg, vm_map.pfn));
	ctx->msg.function = SIMGPU_FW_VM_FLUSH;
	ctx->msg.id.id = vm->fw_id;
	ret = simgpu_fwif_send(&vm->sdev->fwif, &ctx->msg, ctx->ack);
	if (ret)
		ctx->error = ret;
	else
		ctx->ack_sent = true;
}

/* ------------------------------------------------------------ bind queue */

static struct dma_fence *simgpu_bind_job_run(struct drm_sched_job *sched_job)
{
	struct simgpu_bind_job *job =
		container_of(sched_job, struct simgpu_bind_job, base);
	struct simgpu_vm *vm = job->ctx.vm;

	/* Counted even when not run, so that teardown waits for its free. */
	job->ran = true;
	atomic_inc(&vm->bind_inflight);
	if (unlikely(sched_job->s_fence->finished.error))
		return NULL;

	mutex_lock(&vm->op_lock);
	simgpu_bind_exec(&job->ctx);
	mutex_unlock(&vm->op_lock);
	if (!job->ctx.ack_sent)
		return ERR_PTR(job->ctx.error ?: -EIO);
	return dma_fence_get(&job->ctx.ack->base);
}

static enum drm_gpu_sched_stat
simgpu_bind_job_timedout(struct drm_sched_job *sched_job)
{
	/*
	 * No timeout is armed (MAX_SCHEDULE_TIMEOUT); should it fire anyway,
	 * keep waiting for the firmware's ACK.
	 */
	spin_lock(&sched_job->sched->job_list_lock);
	list_add(&sched_job->list, &sched_job->sched->pending_list);
	spin_unlock(&sched_job->sched->job_list_lock);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static void simgpu_bind_job_free(struct drm_sched_job *sched_job)
{
	struct simgpu_bind_job *job =
		container_of(sched_job, struct simgpu_bind_job, base);
	struct simgpu_vm *vm = job->ctx.vm;
	int result = job->base.s_fence ?
		     job->base.s_fence->finished.error : 0;

	if (job->ran)
		trace_simgpu_vm_bind_done(vm->sdev->index, vm->fw_id,
					  job->ctx.seq, result);
	drm_sched_job_cleanup(sched_job);
	simgpu_bind_ctx_cleanup(&job->ctx);
	if (job->ran && atomic_dec_and_test(&vm->bind_inflight))
		wake_up_all(&vm->bind_wq);
	kfree(job);
	drm_gpuvm_put(&vm->base);
	simgpu_live_put(&simgpu_live.bind_jobs);
}

static const struct drm_sched_backend_ops simgpu_bind_sched_ops = {
	.run_job = simgpu_bind_job_run,
	.timedout_job = simgpu_bind_job_timedout,
	.free_job = simgpu_bind_job_free,
};

/* ------------------------------------------------------------ VM_CREATE */

static void simgpu_vm_teardown_work(struct work_struct *work);

/*
 * DRM_IOCTL_SIMGPU_VM_CREATE: create a VM and its firmware context.
 *
 * Errors: -EINVAL (non-zero flags), -ENOSPC (too many VMs in this file or
 * device), -ENOMEM, -EIO (firmware).
 */
int simgpu_ioctl_vm_create(struct drm_device *ddev, void *data,
			   struct drm_file *file)
{
	struct simgpu_device *sdev = to_simgpu(ddev);
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_vm_create *args = data;
	struct drm_sched_init_args sched_args = {
		.ops = &simgpu_bind_sched_ops,
		.submit_wq = sdev->sched_wq,
		.num_rqs = 1,
		.credit_limit = SIMGPU_BIND_CREDITS,
		.hang_limit = 0,
		.timeout = MAX_SCHEDULE_TIMEOUT,
		.name = "simgpu-bind",
		.dev = ddev->dev,
	};
	struct drm_gpu_scheduler *sched_list[1];
	struct drm_gem_object *root;
	struct simgpu_fw_msg *msg;
	struct simgpu_vm *vm;
	u32 handle, fw_id;
	int ret;

	if (args->flags)
		return -EINVAL;

	/* Reserve the ID first: running out of IDs changes nothing. */
	ret = xa_alloc(&sfile->vms, &handle, NULL,
		       XA_LIMIT(1, SIMGPU_MAX_VMS), GFP_KERNEL);
	if (ret)
		return ret == -EBUSY ? -ENOSPC : ret;

	msg = kzalloc(sizeof(*msg), GFP_KERNEL);
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm || !msg) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = xa_alloc(&sdev->fw_vms, &fw_id, vm, XA_LIMIT(1, U16_MAX),
		       GFP_KERNEL);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_free;
	}
	root = drm_gpuvm_resv_object_alloc(ddev);
	if (!root) {
		ret = -ENOMEM;
		xa_erase(&sdev->fw_vms, fw_id);
		goto err_free;
	}

	vm->sdev = sdev;
	vm->fw_id = fw_id;
	vm->handle = handle;
	kref_init(&vm->users);
	mutex_init(&vm->op_lock);
	mutex_init(&vm->bind_lock);
	atomic64_set(&vm->bind_seq, 0);
	vm->bind_fence_ctx = dma_fence_context_alloc(1);
	atomic_set(&vm->bind_inflight, 0);
	init_waitqueue_head(&vm->bind_wq);
	INIT_WORK(&vm->teardown_work, simgpu_vm_teardown_work);
	drm_gpuvm_init(&vm->base, "simgpu-vm", 0, ddev, root, SIMGPU_VA_START,
		       SIMGPU_VA_END - SIMGPU_VA_START, 0, 0,
		       &simgpu_gpuvm_ops);
	drm_gem_object_put(root);
	simgpu_live_get(&simgpu_live.vms);
	/* From here on, drm_gpuvm_put() frees the VM. */

	ret = drm_sched_init(&vm->bind_sched, &sched_args);
	if (ret)
		goto err_put_gpuvm;
	sched_list[0] = &vm->bind_sched;
	ret = drm_sched_entity_init(&vm->bind_entity, DRM_SCHED_PRIORITY_KERNEL,
				    sched_list, 1, NULL);
	if (ret)
		goto err_sched_fini;

	msg->function = SIMGPU_FW_VM_CREATE;
	msg->vm_create.vm = fw_id;
	msg->vm_create.va_start = SIMGPU_VA_START;
	msg->vm_create.va_end = SIMGPU_VA_END;
	ret = simgpu_fwif_call(&sdev->fwif, msg, NULL);
	if (ret) {
		drm_dbg_driver(ddev, "firmware VM_CREATE failed: %d\n", ret);
		ret = ret == -ENOMEM ? -ENOMEM : -EIO;
		goto err_entity_fini;
	}
	kfree(msg);

	xa_store(&sfile->vms, handle, vm, GFP_KERNEL);
	args->id = handle;
	trace_simgpu_vm_create(sdev->index, fw_id, handle);
	return 0;

err_entity_fini:
	drm_sched_entity_fini(&vm->bind_entity);
err_sched_fini:
	drm_sched_fini(&vm->bind_sched);
err_put_gpuvm:
	kfree(msg);
	drm_gpuvm_put(&vm->base);
	xa_erase(&sfile->vms, handle);
	return ret;
err_free:
	kfree(vm);
	kfree(msg);
	xa_erase(&sfile->vms, handle);
	return ret;
}

/* Runs when the last user of a VM is gone: remove all mappings, destroy the
 * firmware context and the bind queue, and drop the initial reference.
 */
static void simgpu_vm_teardown_work(struct work_struct *work)
{
	struct simgpu_vm *vm = container_of(work, struct simgpu_vm,
					    teardown_work);
	struct simgpu_fwif *fwif = &vm->sdev->fwif;
	struct simgpu_bind_ctx *ctx;
	struct drm_gpuva *va, *next;
	struct simgpu_fw_msg *msg;
	int ret = -ENOMEM;

	mutex_lock(&vm->bind_lock);
	vm->dead = true;
	mutex_unlock(&vm->bind_lock);

	/* Cancel the binds that did not run; wait for those that did. */
	drm_sched_entity_fini(&vm->bind_entity);
	wait_event(vm->bind_wq, !atomic_read(&vm->bind_inflight));

	/*
	 * No queue uses this VM any more (they hold users references), so
	 * the firmware will not touch its pages again.
	 */
	msg = kzalloc(sizeof(*msg), GFP_KERNEL);
	if (msg) {
		msg->function = SIMGPU_FW_VM_DESTROY;
		msg->id.id = vm->fw_id;
		ret = simgpu_fwif_call(fwif, msg, NULL);
		kfree(msg);
	}
	if (ret)
		drm_dbg_driver(&vm->sdev->drm, "firmware VM_DESTROY failed: %d\n",
			       ret);

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL | __GFP_NOFAIL);
	INIT_LIST_HEAD(&ctx->pool);
	INIT_LIST_HEAD(&ctx->returned);
	ctx->vm = vm;
	mutex_lock(&vm->op_lock);
	drm_gpuvm_for_each_va_safe(va, next, &vm->base) {
		struct simgpu_bo *bo = to_simgpu_bo(va->gem.obj);

		drm_gpuva_remove(va);
		mutex_lock(&bo->gpuva_lock);
		simgpu_vma_unlink_deferred(ctx, to_simgpu_vma(va));
		mutex_unlock(&bo->gpuva_lock);
	}
	mutex_unlock(&vm->op_lock);
	simgpu_bind_ctx_cleanup(ctx);
	kfree(ctx);

	drm_sched_fini(&vm->bind_sched);
	trace_simgpu_vm_destroy(vm->sdev->index, vm->fw_id, vm->handle);
	drm_gpuvm_put(&vm->base);
}

/*
 * DRM_IOCTL_SIMGPU_VM_DESTROY: remove a VM ID; the VM is torn down when its
 * last user is gone.
 *
 * Errors: -EINVAL (non-zero pad), -ENOENT (bad ID).
 */
int simgpu_ioctl_vm_destroy(struct drm_device *ddev, void *data,
			    struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_vm_destroy *args = data;
	struct simgpu_vm *vm;

	if (args->pad)
		return -EINVAL;
	if (!args->id)
		return -ENOENT;
	/* xa_load() skips IDs reserved by a VM_CREATE in progress. */
	xa_lock(&sfile->vms);
	vm = xa_load(&sfile->vms, args->id);
	if (vm)
		__xa_erase(&sfile->vms, args->id);
	xa_unlock(&sfile->vms);
	if (!vm)
		return -ENOENT;
	simgpu_vm_put(vm);
	return 0;
}

/* ------------------------------------------------------------ VM_BIND */

static int simgpu_bind_check_op(const struct drm_simgpu_vm_bind_op *op)
{
	if (op->pad)
		return -EINVAL;
	switch (op->op) {
	case DRM_SIMGPU_VM_BIND_OP_MAP:
		if (op->flags & ~DRM_SIMGPU_VM_BIND_OP_MAP_READONLY)
			return -EINVAL;
		break;
	case DRM_SIMGPU_VM_BIND_OP_UNMAP:
		if (op->flags || op->bo_handle || op->bo_offset)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (!op->range || !PAGE_ALIGNED(op->va) || !PAGE_ALIGNED(op->range) ||
	    !PAGE_ALIGNED(op->bo_offset))
		return -EINVAL;
	if (op->va + op->range < op->va ||
	    op->bo_offset + op->range < op->bo_offset)
		return -EOVERFLOW;
	if (op->va < SIMGPU_VA_START || op->va + op->range > SIMGPU_VA_END)
		return -EINVAL;
	return 0;
}

/* Look up, check, pin a MAP op's BO and get its drm_gpuvm_bo. */
static int simgpu_bind_prepare_map(struct simgpu_bind_ctx *ctx,
				   struct drm_file *file,
				   const struct drm_simgpu_vm_bind_op *uop,
				   struct simgpu_bind_op *bop)
{
	struct simgpu_vm *vm = ctx->vm;
	struct drm_gpuvm_bo *prealloc;
	struct drm_gem_object *obj;
	struct simgpu_bo *bo;
	int ret;

	obj = drm_gem_object_lookup(file, uop->bo_handle);
	if (!obj)
		return -ENOENT;
	bop->obj = obj;
	bo = to_simgpu_bo(obj);
	if (bo->exclusive_vm_root &&
	    bo->exclusive_vm_root != simgpu_vm_root_gem(vm))
		return -EINVAL;
	if (uop->bo_offset > obj->size || uop->range > obj->size - uop->bo_offset)
		return -EINVAL;

	ret = drm_gem_shmem_pin(&bo->base);
	if (ret)
		return ret;
	prealloc = drm_gpuvm_bo_create(&vm->base, obj);
	if (!prealloc) {
		drm_gem_shmem_unpin(&bo->base);
		return -ENOMEM;
	}
	mutex_lock(&bo->gpuva_lock);
	bop->vm_bo = drm_gpuvm_bo_obtain_prealloc(prealloc);
	mutex_unlock(&bo->gpuva_lock);
	/* An existing drm_gpuvm_bo already holds a pin. */
	if (bop->vm_bo != prealloc)
		drm_gem_shmem_unpin(&bo->base);
	drm_gpuvm_bo_extobj_add(bop->vm_bo);
	return 0;
}

static int simgpu_bind_ctx_prepare(struct simgpu_bind_ctx *ctx,
				   struct drm_file *file,
				   const struct drm_simgpu_vm_bind_op *uops,
				   u32 nops)
{
	u32 i, nvmas = 0;
	int ret;

	ctx->ops = kvcalloc(nops, sizeof(*ctx->ops), GFP_KERNEL);
	if (nops && !ctx->ops)
		return -ENOMEM;
	ctx->nops = nops;
	for (i = 0; i < nops; i++) {
		struct simgpu_bind_op *bop = &ctx->ops[i];

		bop->op = uops[i].op;
		bop->flags = uops[i].flags;
		bop->va = uops[i].va;
		bop->range = uops[i].range;
		bop->bo_offset = uops[i].bo_offset;
		if (bop->op == DRM_SIMGPU_VM_BIND_OP_MAP) {
			ret = simgpu_bind_prepare_map(ctx, file, &uops[i], bop);
			if (ret)
				return ret;
			nvmas += 3;	/* new mapping + split neighbours */
		} else {
			nvmas += 2;	/* split neighbours */
		}
	}
	for (i = 0; i < nvmas; i++) {
		struct simgpu_vma *vma = kzalloc(sizeof(*vma), GFP_KERNEL);

		if (!vma)
			return -ENOMEM;
		list_add(&vma->node, &ctx->pool);
	}
	ctx->ack = simgpu_fence_alloc();
	if (!ctx->ack)
		return -ENOMEM;
	return 0;
}

static void simgpu_bind_ctx_init(struct simgpu_bind_ctx *ctx,
				 struct simgpu_vm *vm, bool async)
{
	INIT_LIST_HEAD(&ctx->pool);
	INIT_LIST_HEAD(&ctx->returned);
	ctx->vm = vm;
	ctx->async = async;
	ctx->pid = task_tgid_nr(current);
}

/* Look up out-syncobjs and preallocate timeline chain nodes. */
static int simgpu_out_syncs_prepare(struct drm_file *file,
				    const struct drm_simgpu_sync *syncs,
				    u32 count, struct simgpu_out_sync **out)
{
	struct simgpu_out_sync *os;
	u32 i;

	*out = NULL;
	if (!count)
		return 0;
	os = kcalloc(count, sizeof(*os), GFP_KERNEL);
	if (!os)
		return -ENOMEM;
	*out = os;
	for (i = 0; i < count; i++) {
		os[i].syncobj = drm_syncobj_find(file, syncs[i].handle);
		if (!os[i].syncobj)
			return -ENOENT;
		os[i].point = syncs[i].timeline_point;
		if (os[i].point) {
			os[i].chain = dma_fence_chain_alloc();
			if (!os[i].chain)
				return -ENOMEM;
		}
	}
	return 0;
}

static void simgpu_out_syncs_signal(struct simgpu_out_sync *os, u32 count,
				    struct dma_fence *fence)
{
	u32 i;

	for (i = 0; i < count; i++) {
		if (os[i].chain) {
			drm_syncobj_add_point(os[i].syncobj, os[i].chain, fence,
					      os[i].point);
			os[i].chain = NULL;
		} else {
			drm_syncobj_replace_fence(os[i].syncobj, fence);
		}
	}
}

static void simgpu_out_syncs_free(struct simgpu_out_sync *os, u32 count)
{
	u32 i;

	if (!os)
		return;
	for (i = 0; i < count; i++) {
		dma_fence_chain_free(os[i].chain);
		if (os[i].syncobj)
			drm_syncobj_put(os[i].syncobj);
	}
	kfree(os);
}

/* Queue an asynchronous bind on the VM's bind queue. */
static int simgpu_bind_async(struct simgpu_vm *vm, struct drm_file *file,
			     struct simgpu_bind_job *job,
			     const struct drm_simgpu_sync *in, u32 nin,
			     const struct drm_simgpu_sync *out, u32 nout)
{
	struct simgpu_out_sync *os = NULL;
	struct dma_fence *fence;
	u32 i;
	int ret;

	job->done = simgpu_fence_alloc_follower();
	if (!job->done)
		return -ENOMEM;
	ret = drm_sched_job_init(&job->base, &vm->bind_entity, 1, vm,
				 file->client_id);
	if (ret)
		goto err_free_done;
	for (i = 0; i < nin; i++) {
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file,
							   in[i].handle,
							   in[i].timeline_point);
		if (ret)
			goto err_cleanup;
	}
	ret = simgpu_out_syncs_prepare(file, out, nout, &os);
	if (ret)
		goto err_cleanup;

	mutex_lock(&vm->bind_lock);
	if (vm->dead) {
		mutex_unlock(&vm->bind_lock);
		ret = -ENOENT;
		goto err_cleanup;
	}
	job->ctx.seq = atomic64_inc_return(&vm->bind_seq);
	drm_sched_job_arm(&job->base);
	simgpu_fence_init(job->done, vm->bind_fence_ctx, job->ctx.seq);
	simgpu_fence_follow(job->done, &job->base.s_fence->finished);
	fence = &job->done->base;	/* this ioctl's reference */
	job->done = NULL;
	/* The job holds a VM reference until it is freed. */
	drm_gpuvm_get(&vm->base);
	simgpu_live_get(&simgpu_live.bind_jobs);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&vm->bind_lock);

	simgpu_out_syncs_signal(os, nout, fence);
	dma_fence_put(fence);
	simgpu_out_syncs_free(os, nout);
	return 0;

err_cleanup:
	simgpu_out_syncs_free(os, nout);
	drm_sched_job_cleanup(&job->base);
err_free_done:
	simgpu_fence_free_unused(job->done);
	job->done = NULL;
	return ret;
}

/*
 * DRM_IOCTL_SIMGPU_VM_BIND: map/unmap BO ranges in a VM.
 *
 * Errors: -EINVAL (unknown flags/op/op flags, non-zero pad, misaligned or
 * zero range, range outside the VA space or the BO, BO exclusive to another
 * VM, syncs without ASYNC, bad stride, non-zero sync flags, in-syncobj
 * without fence), -EOVERFLOW (va + range or bo_offset + range wraps),
 * -E2BIG (too many ops/syncs, non-zero bytes past the known element size),
 * -ENOENT (bad VM, BO or syncobj), -EFAULT, -ENOMEM, -EINTR/-ERESTARTSYS
 * (interrupted while pinning), -EIO (firmware failed a synchronous bind).
 */
int simgpu_ioctl_vm_bind(struct drm_device *ddev, void *data,
			 struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_vm_bind *args = data;
	struct drm_simgpu_vm_bind_op *uops = NULL;
	struct drm_simgpu_sync *in = NULL, *out = NULL;
	bool async = args->flags & DRM_SIMGPU_VM_BIND_ASYNC;
	struct simgpu_bind_job *job = NULL;
	struct simgpu_bind_ctx *ctx;
	struct simgpu_vm *vm;
	u32 i;
	int ret;

	if (args->flags & ~DRM_SIMGPU_VM_BIND_ASYNC)
		return -EINVAL;
	if (!async && (args->in_syncs.count || args->out_syncs.count))
		return -EINVAL;

	ret = simgpu_copy_array(&args->ops, SIMGPU_MAX_BIND_OPS,
				sizeof(struct drm_simgpu_vm_bind_op),
				sizeof(*uops), (void **)&uops);
	if (ret)
		return ret;
	ret = simgpu_copy_array(&args->in_syncs, SIMGPU_MAX_SYNCS,
				sizeof(*in), sizeof(*in), (void **)&in);
	if (ret)
		goto out_free_arrays;
	ret = simgpu_copy_array(&args->out_syncs, SIMGPU_MAX_SYNCS,
				sizeof(*out), sizeof(*out), (void **)&out);
	if (ret)
		goto out_free_arrays;
	ret = simgpu_check_syncs(in, args->in_syncs.count);
	if (!ret)
		ret = simgpu_check_syncs(out, args->out_syncs.count);
	for (i = 0; !ret && i < args->ops.count; i++)
		ret = simgpu_bind_check_op(&uops[i]);
	if (ret)
		goto out_free_arrays;

	vm = simgpu_vm_lookup(sfile, args->vm_id);
	if (!vm) {
		ret = -ENOENT;
		goto out_free_arrays;
	}

	if (async) {
		job = kzalloc(sizeof(*job), GFP_KERNEL);
		if (!job) {
			ret = -ENOMEM;
			goto out_put_vm;
		}
		ctx = &job->ctx;
	} else {
		ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
		if (!ctx) {
			ret = -ENOMEM;
			goto out_put_vm;
		}
	}
	simgpu_bind_ctx_init(ctx, vm, async);
	ret = simgpu_bind_ctx_prepare(ctx, file, uops, args->ops.count);
	if (ret)
		goto out_cleanup;

	if (async) {
		ret = simgpu_bind_async(vm, file, job, in, args->in_syncs.count,
					out, args->out_syncs.count);
		if (ret)
			goto out_cleanup;
		job = NULL;	/* owned by the scheduler now */
		goto out_put_vm;
	}

	ctx->seq = atomic64_inc_return(&vm->bind_seq);
	mutex_lock(&vm->op_lock);
	simgpu_bind_exec(ctx);
	mutex_unlock(&vm->op_lock);
	if (ctx->ack_sent)
		ret = simgpu_fwif_wait(ctx->ack);
	else
		ret = ctx->error;
	if (ret)
		ret = -EIO;
	trace_simgpu_vm_bind_done(vm->sdev->index, vm->fw_id, ctx->seq, ret);

out_cleanup:
	simgpu_bind_ctx_cleanup(ctx);
	if (job)
		kfree(job);
	else if (!async)
		kfree(ctx);
out_put_vm:
	simgpu_vm_put(vm);
out_free_arrays:
	kvfree(uops);
	kvfree(in);
	kvfree(out);
	return ret;
}
