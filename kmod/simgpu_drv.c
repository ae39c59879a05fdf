// SPDX-License-Identifier: GPL-2.0-only
/*
 * simgpu: a simulated, firmware-driven DRM render driver.
 *
 * The module registers its own platform device, so a render node appears as
 * soon as it is loaded. This file holds the module parameters, the DRM
 * driver, the ioctl table (every simgpu ioctl goes through one wrapper that
 * emits the ioctl_enter/ioctl_exit tracepoints and applies the injected ioctl
 * failure), DEV_QUERY, the uapi copy helpers, and module init/exit.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_print.h>

#include "simgpu_drv.h"
#include "simgpu_trace.h"

/* ------------------------------------------------------------ parameters */

int simgpu_fw_abi = 2;
module_param_named(fw_abi, simgpu_fw_abi, int, 0444);
MODULE_PARM_DESC(fw_abi, "Firmware message ABI version to boot the firmware with: 1 or 2 (default 2)");

unsigned int simgpu_job_timeout_ms = 10000;
module_param_named(job_timeout_ms, simgpu_job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms, "Job watchdog in ms, sent to ABI v2 firmware (v1 firmware always uses 10000)");

static unsigned int simgpu_max_bo_mb = 256;
module_param_named(max_bo_mb, simgpu_max_bo_mb, uint, 0444);
MODULE_PARM_DESC(max_bo_mb, "Largest BO size in MiB (default 256)");

unsigned int simgpu_inject_slow_pct;
module_param_named(inject_slow_pct, simgpu_inject_slow_pct, uint, 0644);
MODULE_PARM_DESC(inject_slow_pct, "Injected regression: jobs run this many percent slower (default 0)");

unsigned int simgpu_inject_wrong_cmd;
module_param_named(inject_wrong_cmd, simgpu_inject_wrong_cmd, uint, 0644);
MODULE_PARM_DESC(inject_wrong_cmd, "Injected regression: GPU command opcode whose result is wrong: 2 WRITE_IMM, 3 FILL, 4 COPY, 5 CHECKSUM (default 0: none)");

int simgpu_inject_fail_ioctl = -1;
module_param_named(inject_fail_ioctl, simgpu_inject_fail_ioctl, int, 0644);
MODULE_PARM_DESC(inject_fail_ioctl, "Injected regression: simgpu ioctl ID (enum drm_simgpu_ioctl_id, 0 = DEV_QUERY) that always fails (default -1: none)");

/*
 * The injected errno must be one user space can see and will not retry
 * forever: 1..EHWPOISON, but not EINTR or EAGAIN (drmIoctl() restarts on
 * both), nor the kernel-internal restart codes above EHWPOISON.
 */
static int simgpu_param_set_errno(const char *val,
				  const struct kernel_param *kp)
{
	int err, ret;

	ret = kstrtoint(val, 0, &err);
	if (ret)
		return ret;
	if (err < 1 || err > EHWPOISON || err == EINTR || err == EAGAIN)
		return -EINVAL;
	return param_set_int(val, kp);
}

static const struct kernel_param_ops simgpu_errno_param_ops = {
	.set = simgpu_param_set_errno,
	.get = param_get_int,
};

int simgpu_inject_fail_errno = EIO;
module_param_cb(inject_fail_errno, &simgpu_errno_param_ops,
		&simgpu_inject_fail_errno, 0644);
MODULE_PARM_DESC(inject_fail_errno, "Errno returned by the ioctl chosen with inject_fail_ioctl: 1..133 but not EINTR (4) or EAGAIN (11), which libdrm retries forever (default 5, EIO)");

unsigned int simgpu_inject_fw_delay_us;
module_param_named(inject_fw_delay_us, simgpu_inject_fw_delay_us, uint, 0644);
MODULE_PARM_DESC(inject_fw_delay_us, "Injected regression: the firmware waits this many microseconds before each message it sends (default 0)");

struct simgpu_counters simgpu_live;

/* ------------------------------------------------------- uapi helpers */

/**
 * simgpu_copy_array() - Copy a user array described by an obj_array.
 * @arr: The array descriptor.
 * @max: Largest accepted count.
 * @min_size: Size of the first version of the element.
 * @size: Size of the element as this driver knows it.
 * @out: Receives a kvmalloc'ed array of @arr->count elements of @size
 *	bytes (NULL if the count is zero); free with kvfree().
 *
 * Return: 0; -E2BIG if the count exceeds @max or an element has non-zero
 * bytes past @size; -EINVAL for a bad stride; -EFAULT; -ENOMEM.
 */
int simgpu_copy_array(const struct drm_simgpu_obj_array *arr, u32 max,
		      size_t min_size, size_t size, void **out)
{
	void *buf;
	u32 i;
	int ret;

	*out = NULL;
	if (!arr->count)
		return 0;
	if (arr->count > max)
		return -E2BIG;
	if (arr->stride < min_size || arr->stride > PAGE_SIZE ||
	    arr->stride % 8)
		return -EINVAL;

	buf = kvcalloc(arr->count, size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < arr->count; i++) {
		u64 uptr = arr->array + (u64)i * arr->stride;

		ret = copy_struct_from_user(buf + i * size, size,
					    u64_to_user_ptr(uptr), arr->stride);
		if (ret) {
			kvfree(buf);
			return ret;
		}
	}
	*out = buf;
	return 0;
}

/* Check the reserved fields of a sync array. Return: 0 or -EINVAL. */
int simgpu_check_syncs(const struct drm_simgpu_sync *syncs, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++)
		if (syncs[i].flags)
			return -EINVAL;
	return 0;
}

/* ------------------------------------------------------------ DEV_QUERY */

/*
 * DRM_IOCTL_SIMGPU_DEV_QUERY: copy device information out.
 *
 * Errors: -EINVAL (unknown type), -EFAULT (bad pointer).
 */
static int simgpu_ioctl_dev_query(struct drm_device *ddev, void *data,
				  struct drm_file *file)
{
	struct simgpu_device *sdev = to_simgpu(ddev);
	struct drm_simgpu_dev_query *args = data;
	struct drm_simgpu_dev_info info = {};
	u32 n;

	if (args->type != DRM_SIMGPU_DEV_QUERY_DEV_INFO)
		return -EINVAL;
	if (!args->pointer) {
		args->size = sizeof(info);
		return 0;
	}

	info.gpu_id = DRM_SIMGPU_GPU_ID;
	info.fw_abi_version = sdev->fwif.abi;
	info.fw_abi_supported = BIT(DRM_SIMGPU_FW_ABI_V1) |
				BIT(DRM_SIMGPU_FW_ABI_V2);
	info.fw_version = sdev->fwif.fw_version;
	info.va_start = SIMGPU_VA_START;
	info.va_end = SIMGPU_VA_END;
	info.max_bo_size = sdev->max_bo_size;
	info.va_page_size = PAGE_SIZE;
	info.max_vms = SIMGPU_MAX_VMS;
	info.max_queues = SIMGPU_MAX_QUEUES;
	info.max_jobs_per_submit = SIMGPU_MAX_JOBS_PER_SUBMIT;
	info.max_bind_ops = SIMGPU_MAX_BIND_OPS;
	info.max_syncs = SIMGPU_MAX_SYNCS;
	info.max_cmd_size = SIMGPU_MAX_CMD_SIZE;
	info.max_delay_ns = SIMGPU_MAX_DELAY_NS;
	info.cmd_mask = BIT_ULL(DRM_SIMGPU_CMD_NOP) |
			BIT_ULL(DRM_SIMGPU_CMD_WRITE_IMM) |
			BIT_ULL(DRM_SIMGPU_CMD_FILL) |
			BIT_ULL(DRM_SIMGPU_CMD_COPY) |
			BIT_ULL(DRM_SIMGPU_CMD_CHECKSUM) |
			BIT_ULL(DRM_SIMGPU_CMD_DELAY);
	info.job_timeout_ms = sdev->fwif.abi >= 2 ? simgpu_job_timeout_ms :
			      SIMGPU_FW_DEFAULT_TIMEOUT_MS;
	info.queue_priorities = 3;

	n = min_t(u32, args->size, sizeof(info));
	if (copy_to_user(u64_to_user_ptr(args->pointer), &info, n))
		return -EFAULT;
	if (args->size > n &&
	    clear_user(u64_to_user_ptr(args->pointer + n), args->size - n))
		return -EFAULT;
	return 0;
}

/* ------------------------------------------------------------ ioctl table */

typedef int (*simgpu_ioctl_fn)(struct drm_device *ddev, void *data,
			       struct drm_file *file);

static const char *const simgpu_ioctl_names[DRM_SIMGPU_IOCTL_COUNT] = {
	[DRM_SIMGPU_DEV_QUERY] = "DEV_QUERY",
	[DRM_SIMGPU_BO_CREATE] = "BO_CREATE",
	[DRM_SIMGPU_BO_MMAP_OFFSET] = "BO_MMAP_OFFSET",
	[DRM_SIMGPU_VM_CREATE] = "VM_CREATE",
	[DRM_SIMGPU_VM_DESTROY] = "VM_DESTROY",
	[DRM_SIMGPU_VM_BIND] = "VM_BIND",
	[DRM_SIMGPU_QUEUE_CREATE] = "QUEUE_CREATE",
	[DRM_SIMGPU_QUEUE_DESTROY] = "QUEUE_DESTROY",
	[DRM_SIMGPU_SUBMIT] = "SUBMIT",
};

/*
 * Every simgpu ioctl runs through here: tracepoints around the handler, and
 * the injected failure (inject_fail_ioctl/inject_fail_errno) instead of it.
 */
static int simgpu_ioctl_call(struct drm_device *ddev, void *data,
			     struct drm_file *file, unsigned int nr,
			     simgpu_ioctl_fn fn)
{
	struct simgpu_device *sdev = to_simgpu(ddev);
	const char *name = simgpu_ioctl_names[nr];
	u64 start = ktime_get_ns();
	int ret;

	trace_simgpu_ioctl_enter(sdev->index, nr, name);
	if (READ_ONCE(simgpu_inject_fail_ioctl) == (int)nr) {
		int err = abs(READ_ONCE(simgpu_inject_fail_errno));

		ret = (err > 0 && err < MAX_ERRNO) ? -err : -EIO;
	} else {
		ret = fn(ddev, data, file);
	}
	trace_simgpu_ioctl_exit(sdev->index, nr, name, ret,
				ktime_get_ns() - start);
	return ret;
}

#define SIMGPU_TRACED(id, func)						\
static int simgpu_traced_##func(struct drm_device *ddev, void *data,	\
				struct drm_file *file)			\
{									\
	return simgpu_ioctl_call(ddev, data, file, DRM_SIMGPU_##id,	\
				 simgpu_ioctl_##func);			\
}

SIMGPU_TRACED(DEV_QUERY, dev_query)
SIMGPU_TRACED(BO_CREATE, bo_create)
SIMGPU_TRACED(BO_MMAP_OFFSET, bo_mmap_offset)
SIMGPU_TRACED(VM_CREATE, vm_create)
SIMGPU_TRACED(VM_DESTROY, vm_destroy)
SIMGPU_TRACED(VM_BIND, vm_bind)
SIMGPU_TRACED(QUEUE_CREATE, queue_create)
SIMGPU_TRACED(QUEUE_DESTROY, queue_destroy)
SIMGPU_TRACED(SUBMIT, submit)

#define SIMGPU_IOCTL(id, func) \
	DRM_IOCTL_DEF_DRV(SIMGPU_##id, simgpu_traced_##func, DRM_RENDER_ALLOW)

static const struct drm_ioctl_desc simgpu_ioctls[] = {
	SIMGPU_IOCTL(DEV_QUERY, dev_query),
	SIMGPU_IOCTL(BO_CREATE, bo_create),
	SIMGPU_IOCTL(BO_MMAP_OFFSET, bo_mmap_offset),
	SIMGPU_IOCTL(VM_CREATE, vm_create),
	SIMGPU_IOCTL(VM_DESTROY, vm_destroy),
	SIMGPU_IOCTL(VM_BIND, vm_bind),
	SIMGPU_IOCTL(QUEUE_CREATE, queue_create),
	SIMGPU_IOCTL(QUEUE_DESTROY, queue_destroy),
	SIMGPU_IOCTL(SUBMIT, submit),
};
static_assert(ARRAY_SIZE(simgpu_ioctls) == DRM_SIMGPU_IOCTL_COUNT);

/* ------------------------------------------------------------ files */

static int simgpu_open(struct drm_device *ddev, struct drm_file *file)
{
	struct simgpu_file *sfile;

	sfile = kzalloc(sizeof(*sfile), GFP_KERNEL);
	if (!sfile)
		return -ENOMEM;
	sfile->sdev = to_simgpu(ddev);
	xa_init_flags(&sfile->vms, XA_FLAGS_ALLOC1);
	xa_init_flags(&sfile->queues, XA_FLAGS_ALLOC1);
	file->driver_priv = sfile;
	atomic_inc(&simgpu_live.files);
	return 0;
}

static void simgpu_postclose(struct drm_device *ddev, struct drm_file *file)
{
	struct simgpu_file *sfile = file->driver_priv;
	struct simgpu_queue *queue;
	struct simgpu_vm *vm;
	unsigned long id;

	xa_for_each(&sfile->queues, id, queue) {
		xa_erase(&sfile->queues, id);
		simgpu_queue_destroy(queue);
	}
	xa_destroy(&sfile->queues);
	xa_for_each(&sfile->vms, id, vm) {
		xa_erase(&sfile->vms, id);
		simgpu_vm_put(vm);
	}
	xa_destroy(&sfile->vms);
	kfree(sfile);
	atomic_dec(&simgpu_live.files);
}

DEFINE_DRM_GEM_FOPS(simgpu_fops);

static const struct drm_driver simgpu_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE | DRIVER_GEM_GPUVA,
	.open = simgpu_open,
	.postclose = simgpu_postclose,
	.gem_create_object = simgpu_gem_create_object,
	.ioctls = simgpu_ioctls,
	.num_ioctls = ARRAY_SIZE(simgpu_ioctls),
	.fops = &simgpu_fops,
	.name = DRIVER_NAME,
	.desc = DRIVER_DESC,
	.date = DRIVER_DATE,
	.major = DRIVER_MAJOR,
	.minor = DRIVER_MINOR,
	.patchlevel = DRIVER_PATCHLEVEL,
};

/* ------------------------------------------------------------ debugfs */

/*
 * The live VMs and queues (with their reference counts) and the commands
 * still waiting for an ACK: what to look at when something is not freed.
 * The xarray locks keep the objects from being freed while they are read.
 */
static void simgpu_debugfs_objects(struct seq_file *m,
				   struct simgpu_device *sdev)
{
	struct simgpu_fwif *fwif = &sdev->fwif;
	struct simgpu_queue *queue;
	struct simgpu_fence *sf;
	struct simgpu_vm *vm;
	unsigned long id;

	xa_lock(&sdev->fw_vms);
	xa_for_each(&sdev->fw_vms, id, vm)
		seq_printf(m, "vm fw_id=%lu handle=%u users=%u refs=%u dead=%d bind_inflight=%d\n",
			   id, vm->handle, kref_read(&vm->users),
			   kref_read(&vm->base.kref), READ_ONCE(vm->dead),
			   atomic_read(&vm->bind_inflight));
	xa_unlock(&sdev->fw_vms);
	xa_lock(&sdev->fw_queues);
	xa_for_each(&sdev->fw_queues, id, queue)
		seq_printf(m, "queue fw_id=%lu handle=%u vm=%u refs=%u dead=%d\n",
			   id, queue->handle, queue->vm->fw_id,
			   kref_read(&queue->refcount), READ_ONCE(queue->dead));
	xa_unlock(&sdev->fw_queues);
	spin_lock(&fwif->req_lock);
	list_for_each_entry(sf, &fwif->reqs, node)
		seq_printf(m, "ack_pending seq=%llu\n", sf->wire_seq);
	spin_unlock(&fwif->req_lock);
}

/* debugfs "simgpu_status": live objects and firmware interface state. */
static int simgpu_debugfs_status(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct simgpu_device *sdev = to_simgpu(entry->dev);
	struct simgpu_fwif *fwif = &sdev->fwif;

	seq_printf(m, "files=%d bos=%d vms=%d queues=%d jobs=%d bind_jobs=%d fences=%d\n",
		   atomic_read(&simgpu_live.files), atomic_read(&simgpu_live.bos),
		   atomic_read(&simgpu_live.vms),
		   atomic_read(&simgpu_live.queues),
		   atomic_read(&simgpu_live.jobs),
		   atomic_read(&simgpu_live.bind_jobs),
		   atomic_read(&simgpu_live.fences));
	seq_printf(m, "fw_abi=%u fw_version=0x%06x fw_state=%u tx_seq=%llu\n",
		   fwif->abi, fwif->fw_version,
		   le32_to_cpu(READ_ONCE(fwif->shared->state)),
		   READ_ONCE(fwif->tx_seq));
	seq_printf(m, "cmd_ring head=%u tail=%u size=%u\n",
		   READ_ONCE(fwif->cmd.ctrl->head),
		   READ_ONCE(fwif->cmd.ctrl->tail), fwif->cmd.size);
	seq_printf(m, "msg_ring head=%u tail=%u size=%u\n",
		   READ_ONCE(fwif->msg.ctrl->head),
		   READ_ONCE(fwif->msg.ctrl->tail), fwif->msg.size);
	simgpu_debugfs_objects(m, sdev);
	return 0;
}

/* ------------------------------------------------------------ device */

static struct platform_device *simgpu_pdev;
static struct simgpu_device *simgpu_dev;

static int simgpu_device_init(struct simgpu_device *sdev)
{
	int ret;

	sdev->index = sdev->drm.primary->index;
	sdev->max_bo_size = (u64)clamp(simgpu_max_bo_mb, 1u, 1u << 20) << 20;
	xa_init_flags(&sdev->fw_queues, XA_FLAGS_ALLOC1);
	xa_init_flags(&sdev->fw_vms, XA_FLAGS_ALLOC1);
	atomic64_set(&sdev->next_bo_id, 0);

	sdev->sched_wq = alloc_workqueue("simgpu-sched",
					 WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!sdev->sched_wq)
		return -ENOMEM;
	sdev->cleanup_wq = alloc_workqueue("simgpu-cleanup", WQ_UNBOUND, 0);
	if (!sdev->cleanup_wq) {
		ret = -ENOMEM;
		goto err_destroy_sched_wq;
	}
	ret = simgpu_fwif_init(sdev);
	if (ret)
		goto err_destroy_cleanup_wq;
	return 0;

err_destroy_cleanup_wq:
	destroy_workqueue(sdev->cleanup_wq);
err_destroy_sched_wq:
	destroy_workqueue(sdev->sched_wq);
	return ret;
}

static void simgpu_device_fini(struct simgpu_device *sdev)
{
	/* Teardowns queued by the last closes still need the firmware. */
	flush_workqueue(sdev->cleanup_wq);
	simgpu_fwif_fini(sdev);
	destroy_workqueue(sdev->cleanup_wq);
	destroy_workqueue(sdev->sched_wq);
	xa_destroy(&sdev->fw_queues);
	xa_destroy(&sdev->fw_vms);
}

static void simgpu_check_leaks(void)
{
	int bos = atomic_read(&simgpu_live.bos);
	int vms = atomic_read(&simgpu_live.vms);
	int queues = atomic_read(&simgpu_live.queues);
	int jobs = atomic_read(&simgpu_live.jobs);
	int binds = atomic_read(&simgpu_live.bind_jobs);
	int fences = atomic_read(&simgpu_live.fences);
	int files = atomic_read(&simgpu_live.files);

	if (WARN(bos || vms || queues || jobs || binds || fences || files,
		 "simgpu: leaked objects: bos=%d vms=%d queues=%d jobs=%d bind_jobs=%d fences=%d files=%d\n",
		 bos, vms, queues, jobs, binds, fences, files))
		return;
	pr_info("simgpu: unloaded, no objects leaked\n");
}

static int __init simgpu_init(void)
{
	struct platform_device *pdev;
	struct simgpu_device *sdev;
	int ret;

	if (simgpu_fw_abi != DRM_SIMGPU_FW_ABI_V1 &&
	    simgpu_fw_abi != DRM_SIMGPU_FW_ABI_V2) {
		pr_err("simgpu: fw_abi=%d is not supported (1 or 2)\n",
		       simgpu_fw_abi);
		return -EINVAL;
	}

	pdev = platform_device_register_simple(DRIVER_NAME, -1, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);

	if (!devres_open_group(&pdev->dev, NULL, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_unregister_pdev;
	}

	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_release_devres;

	sdev = devm_drm_dev_alloc(&pdev->dev, &simgpu_driver,
				  struct simgpu_device, drm);
	if (IS_ERR(sdev)) {
		ret = PTR_ERR(sdev);
		goto err_release_devres;
	}

	ret = simgpu_device_init(sdev);
	if (ret)
		goto err_release_devres;

	drm_debugfs_add_file(&sdev->drm, "simgpu_status",
			     simgpu_debugfs_status, NULL);
	ret = drm_dev_register(&sdev->drm, 0);
	if (ret)
		goto err_device_fini;

	simgpu_pdev = pdev;
	simgpu_dev = sdev;
	drm_info(&sdev->drm, "firmware %u.%u.%u, message ABI v%u\n",
		 sdev->fwif.fw_version >> 16, (sdev->fwif.fw_version >> 8) & 0xff,
		 sdev->fwif.fw_version & 0xff, sdev->fwif.abi);
	return 0;

err_device_fini:
	simgpu_device_fini(sdev);
err_release_devres:
	devres_release_group(&pdev->dev, NULL);
err_unregister_pdev:
	platform_device_unregister(pdev);
	return ret;
}

static void __exit simgpu_exit(void)
{
	drm_dev_unregister(&simgpu_dev->drm);
	simgpu_device_fini(simgpu_dev);
	devres_release_group(&simgpu_pdev->dev, NULL);
	platform_device_unregister(simgpu_pdev);
	simgpu_check_leaks();
}

module_init(simgpu_init);
module_exit(simgpu_exit);

MODULE_AUTHOR("The drmscope authors");
MODULE_DESCRIPTION("simgpu: simulated firmware-driven GPU (DRM render driver)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
