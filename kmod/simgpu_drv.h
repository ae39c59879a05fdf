/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * simgpu: a simulated, firmware-driven DRM render driver.
 *
 * Object model (see docs/simgpu.md):
 *
 *   simgpu_device ── simgpu_fwif (host side of the firmware rings)
 *        │                └── simgpu_fw (the firmware thread)
 *        └── per open file: simgpu_file
 *                ├── vms    (ID -> simgpu_vm, drm_gpuvm + bind queue)
 *                └── queues (ID -> simgpu_queue: drm_sched + fw queue)
 *
 * Lifetimes: a VM lives while its file handle, queues or in-flight binds use
 * it (@users); then its teardown work unmaps everything and drops the
 * drm_gpuvm reference, whose release frees it. A queue lives while its file
 * handle or jobs reference it. Every hardware fence holds a module
 * reference, so the module cannot go while fences it created are alive.
 */
#ifndef _SIMGPU_DRV_H_
#define _SIMGPU_DRV_H_

#include <linux/atomic.h>
#include <linux/dma-fence.h>
#include <linux/kref.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_gpuvm.h>
#include <drm/gpu_scheduler.h>

#include <uapi/drm/simgpu_drm.h>

#include "simgpu_fw_abi.h"

#define DRIVER_NAME		"simgpu"
#define DRIVER_DESC		"Simulated firmware-driven GPU"
#define DRIVER_DATE		"20250101"
#define DRIVER_MAJOR		1
#define DRIVER_MINOR		0
#define DRIVER_PATCHLEVEL	0

/* Limits reported by DEV_QUERY. */
#define SIMGPU_VA_START			0x100000ull
#define SIMGPU_VA_END			(1ull << 47)
#define SIMGPU_MAX_VMS			32
#define SIMGPU_MAX_QUEUES		64
#define SIMGPU_MAX_JOBS_PER_SUBMIT	32
#define SIMGPU_MAX_BIND_OPS		512
#define SIMGPU_MAX_SYNCS		32
#define SIMGPU_MAX_CMD_SIZE		(1u << 20)
#define SIMGPU_MAX_DELAY_NS		NSEC_PER_SEC
#define SIMGPU_QUEUE_CREDITS		16
#define SIMGPU_BIND_CREDITS		8
#define SIMGPU_FW_TIMEOUT		(10 * HZ)

/* Module parameters (simgpu_drv.c). */
extern int simgpu_fw_abi;
extern unsigned int simgpu_job_timeout_ms;
extern unsigned int simgpu_inject_slow_pct;
extern unsigned int simgpu_inject_wrong_cmd;
extern int simgpu_inject_fail_ioctl;
extern int simgpu_inject_fail_errno;
extern unsigned int simgpu_inject_fw_delay_us;

/* Live object counters, checked at module exit. */
struct simgpu_counters {
	atomic_t bos;
	atomic_t vms;
	atomic_t queues;
	atomic_t jobs;
	atomic_t bind_jobs;
	atomic_t fences;
	atomic_t files;
};
extern struct simgpu_counters simgpu_live;

/*
 * Objects that can outlive the file that made them (VMs being torn down,
 * queues and jobs draining, fences) hold a module reference, so that the
 * module cannot be unloaded while any of them is alive.
 */
static inline void simgpu_live_get(atomic_t *counter)
{
	__module_get(THIS_MODULE);
	atomic_inc(counter);
}

static inline void simgpu_live_put(atomic_t *counter)
{
	atomic_dec(counter);
	module_put(THIS_MODULE);
}

/**
 * struct simgpu_fence - A fence signalled by a firmware message (the ACK of
 * a command, the JOB_DONE of a job), or a follower of a scheduler fence
 * (simgpu_fence_follow()). It has its own lock and a constant timeline
 * name, so it may outlive the queue or device that made it; this is why
 * only simgpu fences, never drm_sched fences, leave the driver.
 */
struct simgpu_fence {
	struct dma_fence base;
	spinlock_t lock;
	struct list_head node;	/* fwif->reqs, for ACK fences */
	struct dma_fence_cb cb;	/* on the followed fence, for followers */
	u64 wire_seq;		/* sequence number as sent on the wire */
	u64 data;		/* ACK data */
};

/**
 * struct simgpu_fwif - Host side of the firmware interface.
 */
struct simgpu_fwif {
	void *shm;
	size_t shm_size;
	struct simgpu_fw_shared *shared;
	struct simgpu_fw_ring cmd;	/* we produce */
	struct simgpu_fw_ring msg;	/* we consume */
	struct simgpu_fw *fw;
	u32 abi;
	u32 fw_version;

	struct mutex send_lock;		/* cmd ring producer, tx_seq, txbuf */
	u64 tx_seq;
	u8 txbuf[SIMGPU_FW_MSG_MAX];
	wait_queue_head_t space_wq;

	spinlock_t req_lock;		/* reqs */
	struct list_head reqs;		/* ACK fences, in sequence order */
	u64 ack_fence_ctx;

	struct workqueue_struct *irq_wq;
	struct work_struct irq_work;
	struct simgpu_fw_msg rx;	/* irq_work only */
	u8 rxbuf[SIMGPU_FW_MSG_MAX];	/* irq_work only */
	bool dead;
};

/**
 * struct simgpu_device - The simgpu device.
 */
struct simgpu_device {
	struct drm_device drm;
	unsigned int index;
	struct simgpu_fwif fwif;
	struct workqueue_struct *sched_wq;	/* drm_sched submission */
	struct workqueue_struct *cleanup_wq;	/* VM/queue teardown */
	struct xarray fw_queues;		/* firmware queue ID -> queue */
	struct xarray fw_vms;			/* firmware VM ID -> VM */
	atomic64_t next_bo_id;
	u64 max_bo_size;
};

static inline struct simgpu_device *to_simgpu(struct drm_device *ddev)
{
	return container_of(ddev, struct simgpu_device, drm);
}

static inline struct simgpu_device *fwif_to_simgpu(struct simgpu_fwif *fwif)
{
	return container_of(fwif, struct simgpu_device, fwif);
}

/**
 * struct simgpu_file - Per-open-file state.
 */
struct simgpu_file {
	struct simgpu_device *sdev;
	struct xarray vms;
	struct xarray queues;
};

/**
 * struct simgpu_bo - A shmem-backed buffer object.
 */
struct simgpu_bo {
	struct drm_gem_shmem_object base;
	u64 id;
	u32 flags;
	/* Resv object of the VM this BO is exclusive to, or NULL. */
	struct drm_gem_object *exclusive_vm_root;
	/* Protects the GEM's gpuva list (drm_gem_gpuva_set_lock()). */
	struct mutex gpuva_lock;
};

static inline struct simgpu_bo *to_simgpu_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct simgpu_bo, base);
}

/**
 * struct simgpu_vm - A GPU virtual address space.
 */
struct simgpu_vm {
	struct drm_gpuvm base;
	struct simgpu_device *sdev;
	struct kref users;
	u32 fw_id;
	u32 handle;
	/* Serializes page-table updates (gpuva tree changes + messages). */
	struct mutex op_lock;

	/* Bind queue. */
	struct drm_gpu_scheduler bind_sched;
	struct drm_sched_entity bind_entity;
	struct mutex bind_lock;		/* bind_seq, dead, arm+push */
	bool dead;
	atomic64_t bind_seq;
	u64 bind_fence_ctx;		/* async bind fences for user space */
	atomic_t bind_inflight;
	wait_queue_head_t bind_wq;

	struct work_struct teardown_work;
};

static inline struct simgpu_vm *to_simgpu_vm(struct drm_gpuvm *gpuvm)
{
	return container_of(gpuvm, struct simgpu_vm, base);
}

/**
 * struct simgpu_queue - A job queue.
 */
struct simgpu_queue {
	struct simgpu_device *sdev;
	struct kref refcount;
	struct simgpu_vm *vm;		/* holds a users reference */
	u32 fw_id;
	u32 handle;
	u32 priority;
	u64 fence_ctx;			/* hardware fences (JOB_DONE) */
	u64 done_fence_ctx;		/* job fences handed to user space */

	struct drm_gpu_scheduler sched;
	struct drm_sched_entity entity;
	bool sched_ready;
	bool fw_created;

	struct mutex submit_lock;	/* next_seqno, dead, arm+push */
	bool dead;
	u64 next_seqno;

	spinlock_t inflight_lock;
	struct list_head inflight;	/* jobs sent to the firmware */

	struct work_struct release_work;
};

/* simgpu_gem.c */
struct drm_gem_object *simgpu_gem_create_object(struct drm_device *ddev,
						size_t size);
int simgpu_ioctl_bo_create(struct drm_device *ddev, void *data,
			   struct drm_file *file);
int simgpu_ioctl_bo_mmap_offset(struct drm_device *ddev, void *data,
				struct drm_file *file);

/* simgpu_vm.c */
int simgpu_ioctl_vm_create(struct drm_device *ddev, void *data,
			   struct drm_file *file);
int simgpu_ioctl_vm_destroy(struct drm_device *ddev, void *data,
			    struct drm_file *file);
int simgpu_ioctl_vm_bind(struct drm_device *ddev, void *data,
			 struct drm_file *file);
struct simgpu_vm *simgpu_vm_lookup(struct simgpu_file *sfile, u32 id);
void simgpu_vm_get(struct simgpu_vm *vm);
void simgpu_vm_put(struct simgpu_vm *vm);
struct drm_gem_object *simgpu_vm_root_gem(struct simgpu_vm *vm);

/* simgpu_queue.c */
int simgpu_ioctl_queue_create(struct drm_device *ddev, void *data,
			      struct drm_file *file);
int simgpu_ioctl_queue_destroy(struct drm_device *ddev, void *data,
			       struct drm_file *file);
int simgpu_ioctl_submit(struct drm_device *ddev, void *data,
			struct drm_file *file);
void simgpu_queue_destroy(struct simgpu_queue *queue);
void simgpu_queue_job_done(struct simgpu_device *sdev,
			   const struct simgpu_fw_msg *msg);
void simgpu_queue_job_started(struct simgpu_device *sdev,
			      const struct simgpu_fw_msg *msg);
void simgpu_queue_fault(struct simgpu_device *sdev,
			const struct simgpu_fw_msg *msg);

/* simgpu_fw_if.c */
int simgpu_fwif_init(struct simgpu_device *sdev);
void simgpu_fwif_fini(struct simgpu_device *sdev);
struct simgpu_fence *simgpu_fence_alloc(void);
struct simgpu_fence *simgpu_fence_alloc_follower(void);
void simgpu_fence_free_unused(struct simgpu_fence *fence);
void simgpu_fence_init(struct simgpu_fence *fence, u64 context, u64 seqno);
void simgpu_fence_follow(struct simgpu_fence *fence, struct dma_fence *src);
int simgpu_fwif_send(struct simgpu_fwif *fwif, struct simgpu_fw_msg *msg,
		     struct simgpu_fence *ack);
int simgpu_fwif_call(struct simgpu_fwif *fwif, struct simgpu_fw_msg *msg,
		     u64 *data);
int simgpu_fwif_wait(struct simgpu_fence *ack);

/* simgpu_drv.c: uapi helpers */
int simgpu_copy_array(const struct drm_simgpu_obj_array *arr, u32 max,
		      size_t min_size, size_t size, void **out);
int simgpu_check_syncs(const struct drm_simgpu_sync *syncs, u32 count);

#endif /* _SIMGPU_DRV_H_ */
