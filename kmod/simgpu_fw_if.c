// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host side of the simgpu firmware interface: shared memory and rings,
 * firmware boot, command sending (with ACK fences), and the "interrupt"
 * handler that drains the message ring and dispatches firmware messages.
 *
 * Locking: send_lock serializes producers of the command ring (and the
 * sequence numbers); req_lock protects the list of fences waiting for an
 * ACK. The interrupt handler runs on an ordered workqueue, never writes to
 * the command ring (so the firmware, which may block on a full message
 * ring, can always make progress), and only signals fences.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_print.h>

#include "simgpu_drv.h"
#include "simgpu_fw.h"
#include "simgpu_trace.h"

#define SIMGPU_RING_SIZE	(64 * 1024)
#define SIMGPU_SHM_HDR		PAGE_SIZE
#define SIMGPU_RING_BYTES \
	(sizeof(struct simgpu_fw_ring_ctrl) + SIMGPU_RING_SIZE)
#define SIMGPU_SHM_SIZE		(SIMGPU_SHM_HDR + 2 * SIMGPU_RING_BYTES)

/* ------------------------------------------------------------ fences */

static const char *simgpu_fence_driver_name(struct dma_fence *fence)
{
	return "simgpu";
}

static const char *simgpu_fence_timeline_name(struct dma_fence *fence)
{
	return "simgpu";
}

static void simgpu_fence_release(struct dma_fence *fence)
{
	struct simgpu_fence *sf = container_of(fence, struct simgpu_fence, base);

	kfree_rcu(sf, base.rcu);
	/* The fence may sit in a syncobj or sync_file long after its queue. */
	simgpu_live_put(&simgpu_live.fences);
}

static const struct dma_fence_ops simgpu_fence_ops = {
	.get_driver_name = simgpu_fence_driver_name,
	.get_timeline_name = simgpu_fence_timeline_name,
	.release = simgpu_fence_release,
};

/* Allocate a fence; initialize it with simgpu_fence_init() or free it with
 * simgpu_fence_free_unused().
 */
struct simgpu_fence *simgpu_fence_alloc(void)
{
	struct simgpu_fence *sf = kzalloc(sizeof(*sf), GFP_KERNEL);

	if (sf) {
		spin_lock_init(&sf->lock);
		INIT_LIST_HEAD(&sf->node);
	}
	return sf;
}

/*
 * A follower gets a lock class of its own: it is signalled under the lock
 * of the scheduler fence it follows, which is itself signalled under the
 * lock of a hardware fence (simgpu_fence_alloc()'s class).
 */
static struct lock_class_key simgpu_follower_lock_class;

struct simgpu_fence *simgpu_fence_alloc_follower(void)
{
	struct simgpu_fence *sf = simgpu_fence_alloc();

	if (sf)
		lockdep_set_class(&sf->lock, &simgpu_follower_lock_class);
	return sf;
}

void simgpu_fence_free_unused(struct simgpu_fence *fence)
{
	kfree(fence);
}

void simgpu_fence_init(struct simgpu_fence *fence, u64 context, u64 seqno)
{
	simgpu_live_get(&simgpu_live.fences);
	dma_fence_init(&fence->base, &simgpu_fence_ops, &fence->lock, context,
		       seqno);
}

static void simgpu_fence_follow_cb(struct dma_fence *src,
				   struct dma_fence_cb *cb)
{
	struct simgpu_fence *sf = container_of(cb, struct simgpu_fence, cb);

	if (src->error)
		dma_fence_set_error(&sf->base, src->error);
	dma_fence_signal(&sf->base);
	dma_fence_put(&sf->base);
}

/**
 * simgpu_fence_follow() - Signal a fence when another one signals.
 * @fence: A fence from simgpu_fence_alloc_follower(), initialized.
 * @src: The fence to follow: a job's drm_sched "finished" fence.
 *
 * @fence signals with @src's error. A drm_sched fence names its timeline
 * through its scheduler, which lives in a queue or VM: once that is freed,
 * anything that asks the fence for its name (the dma_fence trace events,
 * sync_file info) reads freed memory. So out-syncobjs and reservation
 * objects get a follower, never the scheduler fence itself.
 */
void simgpu_fence_follow(struct simgpu_fence *fence, struct dma_fence *src)
{
	dma_fence_get(&fence->base);	/* for the callback */
	if (dma_fence_add_callback(src, &fence->cb, simgpu_fence_follow_cb))
		simgpu_fence_follow_cb(src, &fence->cb);
}

/* A firmware status as a fence error: 0 or a negative errno. */
static int simgpu_fw_status(s32 status)
{
	if (!status)
		return 0;
	if (status < 0 && status > -MAX_ERRNO)
		return status;
	return -EIO;
}

/* ------------------------------------------------------------ sending */

static void simgpu_fwif_trace(struct simgpu_fwif *fwif, unsigned int ring,
			      const u8 *buf, const struct simgpu_fw_msg *msg)
{
	u32 hsz = simgpu_fw_hdr_size(fwif->abi);

	if (ring)
		trace_simgpu_fw_msg_recv(fwif_to_simgpu(fwif)->index, ring,
					 fwif->abi, msg->seq, msg->function,
					 simgpu_fw_func_name(msg->function),
					 msg->length, buf + hsz);
	else
		trace_simgpu_fw_msg_send(fwif_to_simgpu(fwif)->index, ring,
					 fwif->abi, msg->seq, msg->function,
					 simgpu_fw_func_name(msg->function),
					 msg->length, buf + hsz);
}

/**
 * simgpu_fwif_send() - Write a command to the firmware.
 * @fwif: The firmware interface.
 * @msg: The command; its seq and timestamp are filled in.
 * @ack: A fence from simgpu_fence_alloc(), initialized here and signalled
 *	when the firmware acknowledges the command (with its status as the
 *	fence error), or NULL for commands without an ACK. On failure the
 *	fence is left uninitialized.
 *
 * Sleeps while the command ring is full.
 *
 * Return: 0; -ENODEV if the firmware is stopped; -EINVAL if the command
 * does not exist in the ABI.
 */
int simgpu_fwif_send(struct simgpu_fwif *fwif, struct simgpu_fw_msg *msg,
		     struct simgpu_fence *ack)
{
	u32 len;

	mutex_lock(&fwif->send_lock);
	if (fwif->dead) {
		mutex_unlock(&fwif->send_lock);
		return -ENODEV;
	}
	msg->seq = fwif->tx_seq + 1;
	msg->timestamp = ktime_get_ns();
	len = simgpu_fw_encode(fwif->abi, msg, fwif->txbuf);
	if (!len) {
		mutex_unlock(&fwif->send_lock);
		return -EINVAL;
	}
	msg->length = len - simgpu_fw_hdr_size(fwif->abi);

	while (simgpu_fw_ring_space(&fwif->cmd) < len) {
		WRITE_ONCE(fwif->cmd.ctrl->producer_waiting, 1);
		smp_mb();
		if (simgpu_fw_ring_space(&fwif->cmd) >= len)
			break;
		simgpu_fw_doorbell(fwif->fw);
		wait_event_timeout(fwif->space_wq,
				   simgpu_fw_ring_space(&fwif->cmd) >= len,
				   HZ / 10);
	}

	fwif->tx_seq++;
	if (ack) {
		simgpu_fence_init(ack, fwif->ack_fence_ctx, msg->seq);
		ack->wire_seq = fwif->abi == 1 ? (u32)msg->seq : msg->seq;
		dma_fence_get(&ack->base);	/* for the list */
		spin_lock(&fwif->req_lock);
		list_add_tail(&ack->node, &fwif->reqs);
		spin_unlock(&fwif->req_lock);
	}
	simgpu_fw_ring_write(&fwif->cmd, fwif->txbuf, len);
	simgpu_fwif_trace(fwif, 0, fwif->txbuf, msg);
	mutex_unlock(&fwif->send_lock);

	simgpu_fw_doorbell(fwif->fw);
	return 0;
}

/**
 * simgpu_fwif_wait() - Wait for an ACK fence.
 * @ack: An initialized ACK fence.
 *
 * The firmware always answers while it runs (it never waits for the host
 * except for message ring space, which the interrupt handler frees), and
 * pending ACKs fail with -ENODEV when it is halted, so this waits without
 * a timeout: callers free memory the firmware may access only after the
 * ACK.
 *
 * Return: The firmware's status (0 or a negative errno).
 */
int simgpu_fwif_wait(struct simgpu_fence *ack)
{
	while (!dma_fence_wait_timeout(&ack->base, false, SIMGPU_FW_TIMEOUT))
		pr_debug("simgpu: still waiting for firmware ACK %llu\n",
			 ack->wire_seq);
	return ack->base.error;
}

/**
 * simgpu_fwif_call() - Send a command and wait for its ACK.
 * @fwif: The firmware interface.
 * @msg: The command.
 * @data: If not NULL, receives the ACK's data word.
 *
 * Return: The firmware's status, or an error of simgpu_fwif_send() or
 * simgpu_fwif_wait(), or -ENOMEM.
 */
int simgpu_fwif_call(struct simgpu_fwif *fwif, struct simgpu_fw_msg *msg,
		     u64 *data)
{
	struct simgpu_fence *ack = simgpu_fence_alloc();
	int ret;

	if (!ack)
		return -ENOMEM;
	ret = simgpu_fwif_send(fwif, msg, ack);
	if (ret) {
		simgpu_fence_free_unused(ack);
		return ret;
	}
	ret = simgpu_fwif_wait(ack);
	if (data)
		*data = ack->data;
	dma_fence_put(&ack->base);
	return ret;
}

/* ------------------------------------------------------------ receiving */

static bool simgpu_seq_before(struct simgpu_fwif *fwif, u64 a, u64 b)
{
	if (fwif->abi == 1)
		return (s32)((u32)a - (u32)b) < 0;
	return a < b;
}

static void simgpu_fwif_ack(struct simgpu_fwif *fwif,
			    const struct simgpu_fw_msg *msg)
{
	struct simgpu_fence *sf, *tmp, *found = NULL;
	LIST_HEAD(stale);

	spin_lock(&fwif->req_lock);
	list_for_each_entry_safe(sf, tmp, &fwif->reqs, node) {
		if (sf->wire_seq == msg->ack.seq) {
			list_del_init(&sf->node);
			found = sf;
			break;
		}
		if (!simgpu_seq_before(fwif, sf->wire_seq, msg->ack.seq))
			break;
		/* The firmware skipped it: it will never be acknowledged. */
		list_move_tail(&sf->node, &stale);
	}
	spin_unlock(&fwif->req_lock);

	list_for_each_entry_safe(sf, tmp, &stale, node) {
		list_del_init(&sf->node);
		dma_fence_set_error(&sf->base, -EIO);
		dma_fence_signal(&sf->base);
		dma_fence_put(&sf->base);
	}
	if (!found) {
		drm_dbg_driver(&fwif_to_simgpu(fwif)->drm,
			       "unexpected ACK seq=%llu\n", msg->ack.seq);
		return;
	}
	found->data = msg->ack.data;
	if (msg->ack.status)
		dma_fence_set_error(&found->base,
				    simgpu_fw_status(msg->ack.status));
	dma_fence_signal(&found->base);
	dma_fence_put(&found->base);
}

static void simgpu_fwif_dispatch(struct simgpu_fwif *fwif,
				 const struct simgpu_fw_msg *msg)
{
	struct simgpu_device *sdev = fwif_to_simgpu(fwif);

	switch (msg->function) {
	case SIMGPU_FW_ACK:
		simgpu_fwif_ack(fwif, msg);
		break;
	case SIMGPU_FW_JOB_DONE:
		simgpu_queue_job_done(sdev, msg);
		break;
	case SIMGPU_FW_JOB_STARTED:
		simgpu_queue_job_started(sdev, msg);
		break;
	case SIMGPU_FW_GPU_FAULT:
		simgpu_queue_fault(sdev, msg);
		break;
	default:
		drm_dbg_driver(&sdev->drm, "unexpected firmware message 0x%x\n",
			       msg->function);
		break;
	}
}

/* The "interrupt handler": drain the message ring. */
static void simgpu_fwif_irq_work(struct work_struct *work)
{
	struct simgpu_fwif *fwif = container_of(work, struct simgpu_fwif,
						irq_work);
	u32 hsz;

	/* Nothing to decode before the firmware announced its ABI. */
	if (!smp_load_acquire(&fwif->abi))
		return;
	hsz = simgpu_fw_hdr_size(fwif->abi);

	for (;;) {
		u32 used = simgpu_fw_ring_used(&fwif->msg);
		u32 len;

		if (used < hsz)
			break;
		simgpu_fw_ring_peek(&fwif->msg, fwif->rxbuf, hsz);
		if (simgpu_fw_decode_hdr(fwif->abi, fwif->rxbuf, &fwif->rx)) {
			drm_err_ratelimited(&fwif_to_simgpu(fwif)->drm,
					    "corrupt firmware message ring\n");
			simgpu_fw_ring_consume(&fwif->msg, used);
			break;
		}
		len = hsz + fwif->rx.length;
		if (used < len)
			break;
		simgpu_fw_ring_peek(&fwif->msg, fwif->rxbuf, len);
		simgpu_fw_ring_consume(&fwif->msg, len);

		smp_mb();
		if (READ_ONCE(fwif->msg.ctrl->producer_waiting)) {
			WRITE_ONCE(fwif->msg.ctrl->producer_waiting, 0);
			simgpu_fw_doorbell(fwif->fw);
		}

		if (simgpu_fw_decode(fwif->abi, fwif->rxbuf, len, &fwif->rx)) {
			drm_dbg_driver(&fwif_to_simgpu(fwif)->drm,
				       "undecodable firmware message\n");
			continue;
		}
		simgpu_fwif_trace(fwif, 1, fwif->rxbuf, &fwif->rx);
		simgpu_fwif_dispatch(fwif, &fwif->rx);
	}
}

/* Called by the firmware thread. */
static void simgpu_fwif_irq(void *data)
{
	struct simgpu_fwif *fwif = data;

	queue_work(fwif->irq_wq, &fwif->irq_work);
	wake_up(&fwif->space_wq);
}

static void simgpu_fwif_get_knobs(void *data, struct simgpu_fw_knobs *knobs)
{
	knobs->slow_pct = READ_ONCE(simgpu_inject_slow_pct);
	knobs->wrong_cmd = READ_ONCE(simgpu_inject_wrong_cmd);
	knobs->reply_delay_us = min(READ_ONCE(simgpu_inject_fw_delay_us),
				    1000000u);
}

/* ------------------------------------------------------------ boot */

static void simgpu_fwif_setup_ring(struct simgpu_fwif *fwif,
				   struct simgpu_fw_ring *ring, u32 offset)
{
	ring->ctrl = fwif->shm + offset;
	ring->data = fwif->shm + offset + sizeof(struct simgpu_fw_ring_ctrl);
	ring->size = SIMGPU_RING_SIZE;
}

/**
 * simgpu_fwif_init() - Lay out shared memory, boot the firmware, ping it.
 * @sdev: The device.
 *
 * Return: 0 or a negative errno.
 */
int simgpu_fwif_init(struct simgpu_device *sdev)
{
	struct simgpu_fwif *fwif = &sdev->fwif;
	struct simgpu_fw_config cfg = {};
	struct simgpu_fw_msg *msg;
	unsigned long timeout;
	u64 cookie = 0;
	u32 abi;
	int ret;

	mutex_init(&fwif->send_lock);
	init_waitqueue_head(&fwif->space_wq);
	spin_lock_init(&fwif->req_lock);
	INIT_LIST_HEAD(&fwif->reqs);
	INIT_WORK(&fwif->irq_work, simgpu_fwif_irq_work);
	fwif->ack_fence_ctx = dma_fence_context_alloc(1);

	fwif->shm_size = SIMGPU_SHM_SIZE;
	fwif->shm = vzalloc(fwif->shm_size);
	if (!fwif->shm)
		return -ENOMEM;
	fwif->shared = fwif->shm;
	fwif->shared->magic = cpu_to_le32(SIMGPU_FW_MAGIC);
	fwif->shared->cmd_ring_offset = cpu_to_le32(SIMGPU_SHM_HDR);
	fwif->shared->cmd_ring_size = cpu_to_le32(SIMGPU_RING_SIZE);
	fwif->shared->msg_ring_offset =
		cpu_to_le32(SIMGPU_SHM_HDR + SIMGPU_RING_BYTES);
	fwif->shared->msg_ring_size = cpu_to_le32(SIMGPU_RING_SIZE);
	simgpu_fwif_setup_ring(fwif, &fwif->cmd, SIMGPU_SHM_HDR);
	simgpu_fwif_setup_ring(fwif, &fwif->msg,
			       SIMGPU_SHM_HDR + SIMGPU_RING_BYTES);

	fwif->irq_wq = alloc_ordered_workqueue("simgpu-irq", WQ_HIGHPRI);
	if (!fwif->irq_wq) {
		ret = -ENOMEM;
		goto err_free_shm;
	}

	cfg.abi = simgpu_fw_abi;
	cfg.shm = fwif->shm;
	cfg.shm_size = fwif->shm_size;
	cfg.index = sdev->index;
	cfg.irq = simgpu_fwif_irq;
	cfg.get_knobs = simgpu_fwif_get_knobs;
	cfg.data = fwif;
	fwif->fw = simgpu_fw_boot(&cfg);
	if (IS_ERR(fwif->fw)) {
		ret = PTR_ERR(fwif->fw);
		goto err_destroy_wq;
	}

	/* Wait for the firmware to announce itself. */
	timeout = jiffies + SIMGPU_FW_TIMEOUT;
	while (le32_to_cpu(smp_load_acquire(&fwif->shared->state)) !=
	       SIMGPU_FW_STATE_READY) {
		if (time_after(jiffies, timeout)) {
			drm_err(&sdev->drm, "firmware did not boot\n");
			ret = -ETIMEDOUT;
			goto err_halt;
		}
		usleep_range(500, 1000);
	}
	abi = le32_to_cpu(fwif->shared->abi_version);
	if (abi != DRM_SIMGPU_FW_ABI_V1 && abi != DRM_SIMGPU_FW_ABI_V2) {
		drm_err(&sdev->drm, "unsupported firmware ABI %u\n", abi);
		ret = -ENODEV;
		goto err_halt;
	}
	fwif->fw_version = le32_to_cpu(fwif->shared->fw_version);
	smp_store_release(&fwif->abi, abi);

	msg = kzalloc(sizeof(*msg), GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto err_halt;
	}
	msg->function = SIMGPU_FW_PING;
	msg->ping.cookie = 0x51a6;
	ret = simgpu_fwif_call(fwif, msg, &cookie);
	kfree(msg);
	if (!ret && cookie != 0x51a6)
		ret = -EIO;
	if (ret) {
		drm_err(&sdev->drm, "firmware does not answer PING (%d)\n", ret);
		goto err_halt;
	}
	return 0;

err_halt:
	simgpu_fwif_fini(sdev);
	return ret;
err_destroy_wq:
	destroy_workqueue(fwif->irq_wq);
err_free_shm:
	vfree(fwif->shm);
	return ret;
}

/**
 * simgpu_fwif_fini() - Halt the firmware and free the interface.
 * @sdev: The device.
 */
void simgpu_fwif_fini(struct simgpu_device *sdev)
{
	struct simgpu_fwif *fwif = &sdev->fwif;
	struct simgpu_fence *sf, *tmp;
	LIST_HEAD(pending);

	mutex_lock(&fwif->send_lock);
	fwif->dead = true;
	mutex_unlock(&fwif->send_lock);

	simgpu_fw_halt(fwif->fw);
	/* The firmware may have raised one last interrupt. */
	flush_workqueue(fwif->irq_wq);
	destroy_workqueue(fwif->irq_wq);

	spin_lock(&fwif->req_lock);
	list_splice_init(&fwif->reqs, &pending);
	spin_unlock(&fwif->req_lock);
	list_for_each_entry_safe(sf, tmp, &pending, node) {
		list_del_init(&sf->node);
		dma_fence_set_error(&sf->base, -ENODEV);
		dma_fence_signal(&sf->base);
		dma_fence_put(&sf->base);
	}
	vfree(fwif->shm);
}
