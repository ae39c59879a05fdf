// SPDX-License-Identifier: GPL-2.0-only
/*
 * simgpu queues and jobs.
 *
 * Each queue has its own drm_gpu_scheduler with a single entity (as
 * panthor's group queues do): the scheduler resolves a job's dependencies
 * (in-syncobjs) and hands jobs to the firmware in order, at most
 * SIMGPU_QUEUE_CREDITS at a time; the firmware schedules the queues between
 * each other by priority. A job's hardware fence is signalled when the
 * firmware's JOB_DONE arrives, with the firmware's error if the job failed.
 *
 * SUBMIT locks the VM's reservation objects with drm_exec and adds the last
 * job's fence to them (BOOKKEEP usage), so that other users of the BOs can
 * see the GPU work. The fences that leave the driver this way, and through
 * out-syncobjs, are simgpu fences that follow the scheduler's finished
 * fences (simgpu_fence_follow()): a scheduler fence must not outlive its
 * queue, which it would in a syncobj or a resv.
 */
#include <linux/capability.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <drm/drm_exec.h>
#include <drm/drm_file.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "simgpu_drv.h"
#include "simgpu_trace.h"

struct simgpu_out_sync {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

struct simgpu_job {
	struct drm_sched_job base;
	struct simgpu_queue *queue;
	struct simgpu_fence *hw_fence;
	bool hw_fence_init;
	/* Follows the finished fence; user space and resvs get this one. */
	struct simgpu_fence *done;
	struct list_head inflight_node;
	u64 seqno;
	u64 cmd_va;
	u32 cmd_size;
	u32 n_in;
	u32 n_out;
	struct simgpu_out_sync *out;
	u64 submit_ns;
	u64 run_ns;
};

static inline struct simgpu_job *to_simgpu_job(struct drm_sched_job *job)
{
	return container_of(job, struct simgpu_job, base);
}

/* ------------------------------------------------------------ refcounts */

static void simgpu_queue_release_work(struct work_struct *work)
{
	struct simgpu_queue *queue = container_of(work, struct simgpu_queue,
						  release_work);

	if (queue->sched_ready)
		drm_sched_fini(&queue->sched);
	xa_erase(&queue->sdev->fw_queues, queue->fw_id);
	simgpu_vm_put(queue->vm);
	mutex_destroy(&queue->submit_lock);
	kfree(queue);
	simgpu_live_put(&simgpu_live.queues);
}

static void simgpu_queue_release(struct kref *kref)
{
	struct simgpu_queue *queue = container_of(kref, struct simgpu_queue,
						  refcount);

	/* Never from the scheduler's own work: drm_sched_fini() waits for it. */
	queue_work(queue->sdev->cleanup_wq, &queue->release_work);
}

static void simgpu_queue_put(struct simgpu_queue *queue)
{
	kref_put(&queue->refcount, simgpu_queue_release);
}

static struct simgpu_queue *simgpu_queue_lookup(struct simgpu_file *sfile,
						u32 id)
{
	struct simgpu_queue *queue;

	xa_lock(&sfile->queues);
	queue = xa_load(&sfile->queues, id);
	if (queue && !kref_get_unless_zero(&queue->refcount))
		queue = NULL;
	xa_unlock(&sfile->queues);
	return queue;
}

/* Look up a queue by firmware ID (from a firmware message). */
static struct simgpu_queue *simgpu_queue_lookup_fw(struct simgpu_device *sdev,
						   u32 fw_id)
{
	struct simgpu_queue *queue;

	xa_lock(&sdev->fw_queues);
	queue = xa_load(&sdev->fw_queues, fw_id);
	if (queue && !kref_get_unless_zero(&queue->refcount))
		queue = NULL;
	xa_unlock(&sdev->fw_queues);
	return queue;
}

/* ------------------------------------------------------------ scheduler */

static struct dma_fence *simgpu_job_run(struct drm_sched_job *sched_job)
{
	struct simgpu_job *job = to_simgpu_job(sched_job);
	struct simgpu_queue *queue = job->queue;
	struct simgpu_device *sdev = queue->sdev;
	struct simgpu_fence *hw = job->hw_fence;
	struct simgpu_fw_msg msg;
	int ret;

	if (unlikely(sched_job->s_fence->finished.error))
		return NULL;

	simgpu_fence_init(hw, queue->fence_ctx, job->seqno);
	job->hw_fence_init = true;
	job->run_ns = ktime_get_ns();

	spin_lock(&queue->inflight_lock);
	list_add_tail(&job->inflight_node, &queue->inflight);
	spin_unlock(&queue->inflight_lock);

	trace_simgpu_job_run(sdev->index, queue->fw_id, job->seqno,
			     job->run_ns - job->submit_ns);

	memset(&msg, 0, offsetof(struct simgpu_fw_msg, vm_map.pfn));
	msg.function = SIMGPU_FW_JOB_SUBMIT;
	msg.job_submit.queue = queue->fw_id;
	msg.job_submit.seqno = job->seqno;
	msg.job_submit.cmd_va = job->cmd_va;
	msg.job_submit.cmd_size = job->cmd_size;
	msg.job_submit.timeout_ms = simgpu_job_timeout_ms;
	ret = simgpu_fwif_send(&sdev->fwif, &msg, NULL);
	if (ret) {
		bool signal = false;

		spin_lock(&queue->inflight_lock);
		if (!list_empty(&job->inflight_node)) {
			list_del_init(&job->inflight_node);
			signal = true;
		}
		spin_unlock(&queue->inflight_lock);
		if (signal) {
			dma_fence_set_error(&hw->base, ret);
			dma_fence_signal(&hw->base);
		}
	}
	return dma_fence_get(&hw->base);
}

static enum drm_gpu_sched_stat
simgpu_job_timedout(struct drm_sched_job *sched_job)
{
	/*
	 * The firmware's watchdog bounds job run time and reports
	 * -ETIMEDOUT itself; no scheduler timeout is armed. Should this run
	 * anyway, put the job back and keep waiting for the firmware.
	 */
	spin_lock(&sched_job->sched->job_list_lock);
	list_add(&sched_job->list, &sched_job->sched->pending_list);
	spin_unlock(&sched_job->sched->job_list_lock);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static void simgpu_job_free(struct drm_sched_job *sched_job)
{
	struct simgpu_job *job = to_simgpu_job(sched_job);

	drm_sched_job_cleanup(sched_job);
	if (job->hw_fence_init)
		dma_fence_put(&job->hw_fence->base);
	else
		simgpu_fence_free_unused(job->hw_fence);
	simgpu_queue_put(job->queue);
	kfree(job);
	simgpu_live_put(&simgpu_live.jobs);
}

static const struct drm_sched_backend_ops simgpu_queue_sched_ops = {
	.run_job = simgpu_job_run,
	.timedout_job = simgpu_job_timedout,
	.free_job = simgpu_job_free,
};

/* ------------------------------------------------------------ firmware */

static bool simgpu_seqno_match(struct simgpu_device *sdev, u64 a, u64 b)
{
	return sdev->fwif.abi == 1 ? (u32)a == (u32)b : a == b;
}

/* JOB_DONE from the firmware (interrupt handler). */
void simgpu_queue_job_done(struct simgpu_device *sdev,
			   const struct simgpu_fw_msg *msg)
{
	struct simgpu_job *job, *found = NULL;
	struct simgpu_queue *queue;
	struct dma_fence *fence;
	u64 now = ktime_get_ns(), exec_ns;
	int status = msg->job_done.status;

	queue = simgpu_queue_lookup_fw(sdev, msg->job_done.queue);
	if (!queue) {
		drm_dbg_driver(&sdev->drm, "JOB_DONE for unknown queue %u\n",
			       msg->job_done.queue);
		return;
	}
	spin_lock(&queue->inflight_lock);
	list_for_each_entry(job, &queue->inflight, inflight_node) {
		if (simgpu_seqno_match(sdev, job->seqno, msg->job_done.seqno)) {
			list_del_init(&job->inflight_node);
			found = job;
			break;
		}
	}
	spin_unlock(&queue->inflight_lock);
	if (!found) {
		drm_dbg_driver(&sdev->drm, "JOB_DONE for unknown job %u:%llu\n",
			       msg->job_done.queue, msg->job_done.seqno);
		goto out_put;
	}

	if (sdev->fwif.abi >= 2 && msg->job_done.end_ns >= msg->job_done.start_ns &&
	    msg->job_done.start_ns)
		exec_ns = msg->job_done.end_ns - msg->job_done.start_ns;
	else
		exec_ns = now - found->run_ns;
	trace_simgpu_job_done(sdev->index, queue->fw_id, found->seqno, status,
			      msg->job_done.hash, msg->job_done.cmds, exec_ns,
			      now - found->submit_ns);

	/* @found may be freed as soon as its fence signals. */
	fence = dma_fence_get(&found->hw_fence->base);
	if (status) {
		if (status > 0 || status <= -MAX_ERRNO)
			status = -EIO;
		dma_fence_set_error(fence, status);
	}
	dma_fence_signal(fence);
	dma_fence_put(fence);
out_put:
	simgpu_queue_put(queue);
}

/* JOB_STARTED from the firmware (ABI v2). */
void simgpu_queue_job_started(struct simgpu_device *sdev,
			      const struct simgpu_fw_msg *msg)
{
	struct simgpu_queue *queue;
	struct simgpu_job *job;

	queue = simgpu_queue_lookup_fw(sdev, msg->job_started.queue);
	if (!queue)
		return;
	spin_lock(&queue->inflight_lock);
	list_for_each_entry(job, &queue->inflight, inflight_node) {
		if (job->seqno == msg->job_started.seqno) {
			u64 start = msg->job_started.start_ns;

			trace_simgpu_job_start(sdev->index, queue->fw_id,
					       job->seqno,
					       start > job->run_ns ?
					       start - job->run_ns : 0);
			break;
		}
	}
	spin_unlock(&queue->inflight_lock);
	simgpu_queue_put(queue);
}

/* GPU_FAULT from the firmware. */
void simgpu_queue_fault(struct simgpu_device *sdev,
			const struct simgpu_fw_msg *msg)
{
	trace_simgpu_gpu_fault(sdev->index, msg->fault.vm, msg->fault.queue,
			       msg->fault.seqno, msg->fault.va, msg->fault.type,
			       msg->fault.access);
	drm_dbg_driver(&sdev->drm,
		       "GPU fault: vm=%u queue=%u seqno=%llu va=0x%llx type=%u access=%u\n",
		       msg->fault.vm, msg->fault.queue, msg->fault.seqno,
		       msg->fault.va, msg->fault.type, msg->fault.access);
}

/* ------------------------------------------------------------ create */

/*
 * DRM_IOCTL_SIMGPU_QUEUE_CREATE: create a queue on a VM.
 *
 * Errors: -EINVAL (non-zero flags, unknown priority), -EPERM (high priority
 * without CAP_SYS_NICE), -ENOENT (bad VM), -ENOSPC (too many queues),
 * -ENOMEM, -EIO (firmware).
 */
int simgpu_ioctl_queue_create(struct drm_device *ddev, void *data,
			      struct drm_file *file)
{
	struct simgpu_device *sdev = to_simgpu(ddev);
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_queue_create *args = data;
	struct drm_sched_init_args sched_args = {
		.ops = &simgpu_queue_sched_ops,
		.submit_wq = sdev->sched_wq,
		.num_rqs = 1,
		.credit_limit = SIMGPU_QUEUE_CREDITS,
		.hang_limit = 0,
		.timeout = MAX_SCHEDULE_TIMEOUT,
		.name = "simgpu-queue",
		.dev = ddev->dev,
	};
	struct drm_gpu_scheduler *sched_list[1];
	struct simgpu_queue *queue;
	struct simgpu_fw_msg *msg;
	struct simgpu_vm *vm;
	u32 handle, fw_id;
	int ret;

	if (args->flags || args->priority > DRM_SIMGPU_QUEUE_PRIORITY_HIGH)
		return -EINVAL;
	if (args->priority == DRM_SIMGPU_QUEUE_PRIORITY_HIGH &&
	    !capable(CAP_SYS_NICE))
		return -EPERM;
	vm = simgpu_vm_lookup(sfile, args->vm_id);
	if (!vm)
		return -ENOENT;

	ret = xa_alloc(&sfile->queues, &handle, NULL,
		       XA_LIMIT(1, SIMGPU_MAX_QUEUES), GFP_KERNEL);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_put_vm;
	}

	msg = kzalloc(sizeof(*msg), GFP_KERNEL);
	queue = kzalloc(sizeof(*queue), GFP_KERNEL);
	if (!queue || !msg) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = xa_alloc(&sdev->fw_queues, &fw_id, NULL, XA_LIMIT(1, U16_MAX),
		       GFP_KERNEL);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_free;
	}

	queue->sdev = sdev;
	kref_init(&queue->refcount);
	queue->vm = vm;
	queue->fw_id = fw_id;
	queue->handle = handle;
	queue->priority = args->priority;
	queue->fence_ctx = dma_fence_context_alloc(1);
	queue->done_fence_ctx = dma_fence_context_alloc(1);
	mutex_init(&queue->submit_lock);
	spin_lock_init(&queue->inflight_lock);
	INIT_LIST_HEAD(&queue->inflight);
	INIT_WORK(&queue->release_work, simgpu_queue_release_work);
	simgpu_live_get(&simgpu_live.queues);
	/* From here on, simgpu_queue_put() frees the queue (and puts vm). */

	ret = drm_sched_init(&queue->sched, &sched_args);
	if (ret)
		goto err_put_queue;
	queue->sched_ready = true;
	sched_list[0] = &queue->sched;
	ret = drm_sched_entity_init(&queue->entity, DRM_SCHED_PRIORITY_KERNEL,
				    sched_list, 1, NULL);
	if (ret)
		goto err_put_queue;

	msg->function = SIMGPU_FW_QUEUE_CREATE;
	msg->queue_create.queue = fw_id;
	msg->queue_create.vm = vm->fw_id;
	msg->queue_create.priority = args->priority;
	ret = simgpu_fwif_call(&sdev->fwif, msg, NULL);
	if (ret) {
		drm_dbg_driver(ddev, "firmware QUEUE_CREATE failed: %d\n", ret);
		ret = ret == -ENOMEM ? -ENOMEM : -EIO;
		drm_sched_entity_fini(&queue->entity);
		goto err_put_queue;
	}
	queue->fw_created = true;
	kfree(msg);

	xa_store(&sdev->fw_queues, fw_id, queue, GFP_KERNEL);
	xa_store(&sfile->queues, handle, queue, GFP_KERNEL);
	args->id = handle;
	return 0;

err_put_queue:
	kfree(msg);
	xa_erase(&sfile->queues, handle);
	simgpu_queue_put(queue);
	return ret;
err_free:
	kfree(queue);
	kfree(msg);
	xa_erase(&sfile->queues, handle);
err_put_vm:
	simgpu_vm_put(vm);
	return ret;
}

/**
 * simgpu_queue_destroy() - Stop a queue removed from its file.
 * @queue: The queue (the file's reference is dropped).
 *
 * Jobs that did not reach the firmware are cancelled by the scheduler
 * (-ESRCH), those in the firmware by the firmware (-ECANCELED).
 */
void simgpu_queue_destroy(struct simgpu_queue *queue)
{
	struct simgpu_fw_msg *msg;
	int ret = -ENOMEM;

	mutex_lock(&queue->submit_lock);
	queue->dead = true;
	mutex_unlock(&queue->submit_lock);

	drm_sched_entity_fini(&queue->entity);

	msg = kzalloc(sizeof(*msg), GFP_KERNEL | __GFP_NOFAIL);
	msg->function = SIMGPU_FW_QUEUE_DESTROY;
	msg->id.id = queue->fw_id;
	ret = simgpu_fwif_call(&queue->sdev->fwif, msg, NULL);
	kfree(msg);
	if (ret)
		drm_dbg_driver(&queue->sdev->drm,
			       "firmware QUEUE_DESTROY failed: %d\n", ret);
	queue->fw_created = false;
	simgpu_queue_put(queue);
}

/*
 * DRM_IOCTL_SIMGPU_QUEUE_DESTROY: destroy a queue.
 *
 * Errors: -EINVAL (non-zero pad), -ENOENT (bad ID).
 */
int simgpu_ioctl_queue_destroy(struct drm_device *ddev, void *data,
			       struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_queue_destroy *args = data;
	struct simgpu_queue *queue;

	if (args->pad)
		return -EINVAL;
	if (!args->id)
		return -ENOENT;
	/* xa_load() skips IDs reserved by a QUEUE_CREATE in progress. */
	xa_lock(&sfile->queues);
	queue = xa_load(&sfile->queues, args->id);
	if (queue)
		__xa_erase(&sfile->queues, args->id);
	xa_unlock(&sfile->queues);
	if (!queue)
		return -ENOENT;
	simgpu_queue_destroy(queue);
	return 0;
}

/* ------------------------------------------------------------ SUBMIT */

static int simgpu_job_check(const struct drm_simgpu_job *uj)
{
	if (uj->flags)
		return -EINVAL;
	if (!uj->cmd_size || uj->cmd_size % 8 || uj->cmd_va % 8 ||
	    uj->cmd_size > SIMGPU_MAX_CMD_SIZE)
		return -EINVAL;
	if (uj->cmd_va + uj->cmd_size < uj->cmd_va)
		return -EOVERFLOW;
	if (uj->cmd_va < SIMGPU_VA_START ||
	    uj->cmd_va + uj->cmd_size > SIMGPU_VA_END)
		return -EINVAL;
	return 0;
}

static void simgpu_job_put_unsubmitted(struct simgpu_job *job)
{
	u32 i;

	if (job->out) {
		for (i = 0; i < job->n_out; i++) {
			dma_fence_chain_free(job->out[i].chain);
			if (job->out[i].syncobj)
				drm_syncobj_put(job->out[i].syncobj);
		}
		kfree(job->out);
	}
	if (job->base.s_fence)
		drm_sched_job_cleanup(&job->base);
	simgpu_fence_free_unused(job->hw_fence);
	simgpu_fence_free_unused(job->done);
	kfree(job);
}

/* Allocate a job, resolve its syncobjs. */
static int simgpu_job_create(struct simgpu_queue *queue, struct drm_file *file,
			     const struct drm_simgpu_job *uj,
			     struct simgpu_job **out_job)
{
	struct drm_simgpu_sync *in = NULL, *out = NULL;
	struct simgpu_job *job;
	u32 i;
	int ret;

	*out_job = NULL;
	ret = simgpu_copy_array(&uj->in_syncs, SIMGPU_MAX_SYNCS, sizeof(*in),
				sizeof(*in), (void **)&in);
	if (ret)
		return ret;
	ret = simgpu_copy_array(&uj->out_syncs, SIMGPU_MAX_SYNCS, sizeof(*out),
				sizeof(*out), (void **)&out);
	if (ret)
		goto out_free;
	ret = simgpu_check_syncs(in, uj->in_syncs.count);
	if (!ret)
		ret = simgpu_check_syncs(out, uj->out_syncs.count);
	if (ret)
		goto out_free;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		ret = -ENOMEM;
		goto out_free;
	}
	INIT_LIST_HEAD(&job->inflight_node);
	job->cmd_va = uj->cmd_va;
	job->cmd_size = uj->cmd_size;
	job->n_in = uj->in_syncs.count;
	job->hw_fence = simgpu_fence_alloc();
	job->done = simgpu_fence_alloc_follower();
	if (!job->hw_fence || !job->done) {
		simgpu_fence_free_unused(job->hw_fence);
		simgpu_fence_free_unused(job->done);
		kfree(job);
		ret = -ENOMEM;
		goto out_free;
	}
	*out_job = job;

	ret = drm_sched_job_init(&job->base, &queue->entity, 1, queue,
				 file->client_id);
	if (ret) {
		job->base.s_fence = NULL;
		goto out_free;
	}
	for (i = 0; i < uj->in_syncs.count; i++) {
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file,
							   in[i].handle,
							   in[i].timeline_point);
		if (ret)
			goto out_free;
	}
	if (uj->out_syncs.count) {
		job->out = kcalloc(uj->out_syncs.count, sizeof(*job->out),
				   GFP_KERNEL);
		if (!job->out) {
			ret = -ENOMEM;
			goto out_free;
		}
		job->n_out = uj->out_syncs.count;
		for (i = 0; i < job->n_out; i++) {
			job->out[i].syncobj = drm_syncobj_find(file,
							       out[i].handle);
			if (!job->out[i].syncobj) {
				ret = -ENOENT;
				goto out_free;
			}
			job->out[i].point = out[i].timeline_point;
			if (job->out[i].point) {
				job->out[i].chain = dma_fence_chain_alloc();
				if (!job->out[i].chain) {
					ret = -ENOMEM;
					goto out_free;
				}
			}
		}
	}
out_free:
	kvfree(in);
	kvfree(out);
	return ret;
}

/* Signal a pushed job's out-syncobjs with its fence. */
static void simgpu_job_signal_out(struct simgpu_job *job,
				  struct dma_fence *fence)
{
	u32 i;

	for (i = 0; i < job->n_out; i++) {
		struct simgpu_out_sync *os = &job->out[i];

		if (os->chain) {
			drm_syncobj_add_point(os->syncobj, os->chain, fence,
					      os->point);
			os->chain = NULL;
		} else {
			drm_syncobj_replace_fence(os->syncobj, fence);
		}
		drm_syncobj_put(os->syncobj);
	}
	kfree(job->out);
	job->out = NULL;
}

/*
 * DRM_IOCTL_SIMGPU_SUBMIT: queue jobs.
 *
 * Errors: -EINVAL (unknown flags, job flags, sync flags, misaligned, zero or
 * too large command buffer, command buffer outside the VA space, bad
 * stride, in-syncobj without fence), -EOVERFLOW (cmd_va + cmd_size wraps),
 * -E2BIG (too many jobs or syncs, non-zero bytes past the known element
 * size), -ENOENT (bad queue or syncobj), -EFAULT, -ENOMEM,
 * -EINTR/-ERESTARTSYS (interrupted while locking the VM's BOs).
 */
int simgpu_ioctl_submit(struct drm_device *ddev, void *data,
			struct drm_file *file)
{
	struct simgpu_device *sdev = to_simgpu(ddev);
	struct simgpu_file *sfile = file->driver_priv;
	struct drm_simgpu_submit *args = data;
	struct drm_simgpu_job *ujobs = NULL;
	struct simgpu_job **jobs = NULL;
	struct dma_fence **fences = NULL;
	struct simgpu_queue *queue;
	struct drm_gpuvm *gpuvm;
	struct drm_exec exec;
	u32 i, n;
	u64 first;
	int ret;

	if (args->flags)
		return -EINVAL;
	ret = simgpu_copy_array(&args->jobs, SIMGPU_MAX_JOBS_PER_SUBMIT,
				sizeof(*ujobs), sizeof(*ujobs), (void **)&ujobs);
	if (ret)
		return ret;
	n = args->jobs.count;
	for (i = 0; !ret && i < n; i++)
		ret = simgpu_job_check(&ujobs[i]);
	if (ret)
		goto out_free_ujobs;

	queue = simgpu_queue_lookup(sfile, args->queue_id);
	if (!queue) {
		ret = -ENOENT;
		goto out_free_ujobs;
	}
	if (!n)
		goto out_put_queue;

	jobs = kcalloc(n, sizeof(*jobs), GFP_KERNEL);
	fences = kcalloc(n, sizeof(*fences), GFP_KERNEL);
	if (!jobs || !fences) {
		ret = -ENOMEM;
		goto out_put_queue;
	}
	for (i = 0; i < n; i++) {
		ret = simgpu_job_create(queue, file, &ujobs[i], &jobs[i]);
		if (ret)
			goto out_put_jobs;
	}

	gpuvm = &queue->vm->base;
	drm_exec_init(&exec, DRM_EXEC_INTERRUPTIBLE_WAIT, 0);
	drm_exec_until_all_locked(&exec) {
		ret = drm_gpuvm_prepare_vm(gpuvm, &exec, 1);
		drm_exec_retry_on_contention(&exec);
		if (ret)
			break;
		ret = drm_gpuvm_prepare_objects(gpuvm, &exec, 1);
		drm_exec_retry_on_contention(&exec);
		if (ret)
			break;
	}
	if (ret)
		goto out_exec_fini;

	mutex_lock(&queue->submit_lock);
	if (queue->dead) {
		mutex_unlock(&queue->submit_lock);
		ret = -ENOENT;
		goto out_exec_fini;
	}
	first = queue->next_seqno + 1;
	for (i = 0; i < n; i++) {
		struct simgpu_job *job = jobs[i];

		job->queue = queue;
		kref_get(&queue->refcount);
		job->seqno = ++queue->next_seqno;
		job->submit_ns = ktime_get_ns();
		drm_sched_job_arm(&job->base);
		simgpu_fence_init(job->done, queue->done_fence_ctx, job->seqno);
		simgpu_fence_follow(job->done, &job->base.s_fence->finished);
		fences[i] = &job->done->base;	/* this ioctl's reference */
		job->done = NULL;
	}
	drm_gpuvm_resv_add_fence(gpuvm, &exec, fences[n - 1],
				 DMA_RESV_USAGE_BOOKKEEP,
				 DMA_RESV_USAGE_BOOKKEEP);
	for (i = 0; i < n; i++) {
		struct simgpu_job *job = jobs[i];

		trace_simgpu_job_submit(sdev->index, queue->fw_id,
					queue->handle, job->seqno, job->cmd_va,
					job->cmd_size, job->n_in, job->n_out);
		simgpu_live_get(&simgpu_live.jobs);
		simgpu_job_signal_out(job, fences[i]);
		drm_sched_entity_push_job(&job->base);
		jobs[i] = NULL;	/* owned by the scheduler */
	}
	mutex_unlock(&queue->submit_lock);
	args->seqno = first;

out_exec_fini:
	drm_exec_fini(&exec);
out_put_jobs:
	for (i = 0; i < n; i++) {
		if (jobs[i])
			simgpu_job_put_unsubmitted(jobs[i]);
		if (fences && fences[i])
			dma_fence_put(fences[i]);
	}
out_put_queue:
	kfree(jobs);
	kfree(fences);
	simgpu_queue_put(queue);
out_free_ujobs:
	kvfree(ujobs);
	return ret;
}
