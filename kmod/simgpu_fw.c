// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simgpu firmware: a kernel thread playing the GPU's firmware processor.
 *
 * It only talks to the host through the shared-memory rings (see
 * simgpu_fw_abi.h). It keeps one page table per VM context, built solely from
 * VM_MAP/VM_UNMAP messages (GPU page number -> page frame number), and
 * executes the jobs' command streams (uapi "GPU command stream") through
 * them, page by page. Its scheduler always runs the highest-priority queue
 * with a runnable job, round-robin among equals, a slice of commands at a
 * time; a DELAY command parks a job until its deadline, so that other queues
 * run meanwhile. A watchdog stops jobs that run past their timeout.
 *
 * The thread owns all of its state: nothing here is touched by the host, so
 * no locking is needed besides the rings' memory ordering.
 */
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <uapi/drm/simgpu_drm.h>

#include "simgpu_fw.h"
#include "simgpu_fw_abi.h"

#define FW_SLICE_CMDS	64
#define FW_CHUNK	(256 * 1024)
#define FW_CMD_BUDGET	32

struct fw_vm {
	u32 id;
	int error;		/* sticky page-table update error */
	unsigned int users;	/* queues */
	struct xarray pt;	/* GPU page number -> value(pfn << 1 | ro) */
};

struct fw_job {
	struct list_head node;
	u64 seqno;
	u64 cmd_va;
	u32 cmd_size;
	u32 pc;			/* byte offset of the next command */
	u32 cmds;		/* commands executed */
	u32 timeout_ms;
	bool started;
	bool slow_done;
	u64 hash;
	u64 progress;		/* bytes done by the current bulk command */
	u64 sum;		/* CHECKSUM's running hash */
	u64 start_ns;
	u64 deadline_ns;
	u64 park_until_ns;
	u64 exec_ns;		/* time spent executing commands */
	struct simgpu_fw_knobs knobs;
};

struct fw_queue {
	u32 id;
	u32 priority;
	u64 last_run;
	struct fw_vm *vm;
	struct list_head jobs;
};

struct simgpu_fw {
	struct simgpu_fw_config cfg;
	struct simgpu_fw_shared *shared;
	struct simgpu_fw_ring cmd;	/* we consume */
	struct simgpu_fw_ring msg;	/* we produce */
	struct task_struct *task;
	wait_queue_head_t wq;
	atomic_t doorbell;
	u64 tx_seq;
	u64 tick;
	struct xarray vms;
	struct xarray queues;
	struct simgpu_fw_msg rx;	/* decoded command */
	struct simgpu_fw_msg tx;	/* message being built */
	u8 rxbuf[SIMGPU_FW_MSG_MAX];
	u8 txbuf[SIMGPU_FW_MSG_MAX];
};

static inline u64 fnv1a(u64 h, const void *data, size_t len)
{
	const u8 *p = data;

	while (len--) {
		h ^= *p++;
		h *= DRM_SIMGPU_HASH_PRIME;
	}
	return h;
}

/* ------------------------------------------------------------ messages */

/* Post fw->tx to the host. Waits for ring space; drops it if stopping. */
static void fw_post(struct simgpu_fw *fw)
{
	struct simgpu_fw_knobs knobs;
	u32 len;

	fw->cfg.get_knobs(fw->cfg.data, &knobs);
	if (knobs.reply_delay_us)
		usleep_range(knobs.reply_delay_us,
			     knobs.reply_delay_us + knobs.reply_delay_us / 8 + 1);

	fw->tx.seq = ++fw->tx_seq;
	fw->tx.timestamp = ktime_get_ns();
	len = simgpu_fw_encode(fw->cfg.abi, &fw->tx, fw->txbuf);
	if (!len)
		return;

	while (simgpu_fw_ring_space(&fw->msg) < len) {
		WRITE_ONCE(fw->msg.ctrl->producer_waiting, 1);
		smp_mb();
		if (simgpu_fw_ring_space(&fw->msg) >= len)
			break;
		fw->cfg.irq(fw->cfg.data);
		wait_event_interruptible_timeout(fw->wq,
			simgpu_fw_ring_space(&fw->msg) >= len ||
			kthread_should_stop(), HZ / 10);
		if (kthread_should_stop())
			return;
	}
	WRITE_ONCE(fw->msg.ctrl->producer_waiting, 0);
	simgpu_fw_ring_write(&fw->msg, fw->txbuf, len);
	fw->cfg.irq(fw->cfg.data);
}

static void fw_ack(struct simgpu_fw *fw, u64 seq, int status, u64 data)
{
	memset(&fw->tx, 0, sizeof(fw->tx));
	fw->tx.function = SIMGPU_FW_ACK;
	fw->tx.ack.seq = seq;
	fw->tx.ack.status = status;
	fw->tx.ack.data = data;
	fw_post(fw);
}

static void fw_post_job_done(struct simgpu_fw *fw, u32 queue, u64 seqno,
			     int status, u64 hash, u32 cmds, u64 start_ns)
{
	memset(&fw->tx, 0, sizeof(fw->tx));
	fw->tx.function = SIMGPU_FW_JOB_DONE;
	fw->tx.job_done.queue = queue;
	fw->tx.job_done.seqno = seqno;
	fw->tx.job_done.status = status;
	fw->tx.job_done.hash = hash;
	fw->tx.job_done.cmds = cmds;
	fw->tx.job_done.start_ns = start_ns;
	fw->tx.job_done.end_ns = ktime_get_ns();
	fw_post(fw);
}

/* Report @job done and free it. */
static void fw_job_done(struct simgpu_fw *fw, struct fw_queue *q,
			struct fw_job *job, int status)
{
	u64 seqno = job->seqno, hash = job->hash, start = job->start_ns;
	u32 cmds = job->cmds;

	if (!job->started)
		hash = DRM_SIMGPU_HASH_INIT;
	list_del(&job->node);
	kfree(job);
	fw_post_job_done(fw, q->id, seqno, status, hash, cmds, start);
}

static int fw_fault(struct simgpu_fw *fw, struct fw_queue *q,
		    struct fw_job *job, u64 va, u32 type, u32 access)
{
	memset(&fw->tx, 0, sizeof(fw->tx));
	fw->tx.function = SIMGPU_FW_GPU_FAULT;
	fw->tx.fault.queue = q->id;
	fw->tx.fault.vm = q->vm->id;
	fw->tx.fault.seqno = job->seqno;
	fw->tx.fault.va = va;
	fw->tx.fault.type = type;
	fw->tx.fault.access = access;
	fw_post(fw);
	return type == SIMGPU_FW_FAULT_INVALID_CMD ? -EINVAL : -EFAULT;
}

/* ------------------------------------------------------- page tables */

static void fw_vm_free(struct fw_vm *vm)
{
	xa_destroy(&vm->pt);
	kfree(vm);
}

static int fw_vm_map(struct fw_vm *vm, const struct simgpu_fw_msg *m)
{
	u64 pgno = m->vm_map.va >> PAGE_SHIFT;
	bool ro = m->vm_map.flags & SIMGPU_FW_MAP_READONLY;
	u32 i;

	for (i = 0; i < m->vm_map.npages; i++) {
		u64 pfn = m->vm_map.pfn[i];
		void *old;

		if (!pfn_valid(pfn))
			return -EINVAL;
		old = xa_store(&vm->pt, pgno + i, xa_mk_value(pfn << 1 | ro),
			       GFP_KERNEL);
		if (xa_is_err(old))
			return xa_err(old);
	}
	return 0;
}

static void fw_vm_unmap(struct fw_vm *vm, u64 va, u64 npages)
{
	unsigned long first = va >> PAGE_SHIFT;
	unsigned long index;
	void *entry;

	if (!npages)
		return;
	xa_for_each_range(&vm->pt, index, entry, first, first + npages - 1)
		xa_erase(&vm->pt, index);
}

/*
 * Translate a GPU VA. On success returns 0 and the page; otherwise the
 * fault type.
 */
static u32 fw_translate(struct fw_vm *vm, u64 va, bool write,
			struct page **page)
{
	void *e = xa_load(&vm->pt, va >> PAGE_SHIFT);
	unsigned long v;

	if (!e)
		return SIMGPU_FW_FAULT_TRANSLATION;
	v = xa_to_value(e);
	if (write && (v & 1))
		return SIMGPU_FW_FAULT_PERMISSION;
	*page = pfn_to_page(v >> 1);
	return 0;
}

/* --------------------------------------------------------- execution */

struct fw_exec {
	struct simgpu_fw *fw;
	struct fw_queue *q;
	struct fw_job *job;
};

static int fw_read(struct fw_exec *x, u64 va, void *buf, u32 len, u32 access)
{
	struct page *page;
	u32 type;

	while (len) {
		u32 off = offset_in_page(va);
		u32 n = min_t(u32, len, PAGE_SIZE - off);
		void *p;

		type = fw_translate(x->q->vm, va, false, &page);
		if (type)
			return fw_fault(x->fw, x->q, x->job, va, type, access);
		p = kmap_local_page(page);
		memcpy(buf, p + off, n);
		kunmap_local(p);
		buf += n;
		va += n;
		len -= n;
	}
	return 0;
}

/* Hash the (va, len) prefix of a write into the job hash. */
static void fw_hash_write(struct fw_job *job, u64 va, u64 len)
{
	__le64 w[2] = { cpu_to_le64(va), cpu_to_le64(len) };

	job->hash = fnv1a(job->hash, w, sizeof(w));
}

static int fw_write(struct fw_exec *x, u64 va, const void *buf, u32 len)
{
	struct page *page;
	u32 type;

	fw_hash_write(x->job, va, len);
	while (len) {
		u32 off = offset_in_page(va);
		u32 n = min_t(u32, len, PAGE_SIZE - off);
		void *p;

		type = fw_translate(x->q->vm, va, true, &page);
		if (type)
			return fw_fault(x->fw, x->q, x->job, va, type,
					SIMGPU_FW_ACCESS_WRITE);
		p = kmap_local_page(page);
		memcpy(p + off, buf, n);
		kunmap_local(p);
		x->job->hash = fnv1a(x->job->hash, buf, n);
		buf += n;
		va += n;
		len -= n;
	}
	return 0;
}

/*
 * The bulk commands (FILL, COPY, CHECKSUM) run in chunks of FW_CHUNK bytes,
 * so that a large command does not keep other queues (and the command
 * ring) waiting: job->progress counts the bytes done, and they return 1
 * while the command is not finished.
 */
static int fw_cmd_fill(struct fw_exec *x, u64 va, u64 size, u32 pattern)
{
	struct fw_job *job = x->job;
	__le32 pat = cpu_to_le32(pattern);
	u64 done = job->progress;
	u64 end = min(size, done + FW_CHUNK);
	struct page *page;
	u32 type;

	if (!done)
		fw_hash_write(job, va, size);
	va += done;
	while (done < end) {
		u32 off = offset_in_page(va);
		u32 n = min_t(u64, end - done, PAGE_SIZE - off);
		u32 i;
		u8 *p;

		type = fw_translate(x->q->vm, va, true, &page);
		if (type)
			return fw_fault(x->fw, x->q, job, va, type,
					SIMGPU_FW_ACCESS_WRITE);
		p = kmap_local_page(page);
		for (i = 0; i < n; i += 4)
			memcpy(p + off + i, &pat, 4);
		job->hash = fnv1a(job->hash, p + off, n);
		kunmap_local(p);
		va += n;
		done += n;
		job->progress = done;
	}
	return done < size;
}

static int fw_cmd_copy(struct fw_exec *x, u64 src, u64 dst, u64 size,
		       bool wrong)
{
	struct fw_job *job = x->job;
	u64 done = job->progress;
	u64 end = min(size, done + FW_CHUNK);
	struct page *spage, *dpage;
	u32 type;

	if (!done)
		fw_hash_write(job, dst, size);
	else
		wrong = false;
	src += done;
	dst += done;
	while (done < end) {
		u32 soff = offset_in_page(src), doff = offset_in_page(dst);
		u32 n = min_t(u64, end - done,
			      min(PAGE_SIZE - soff, PAGE_SIZE - doff));
		u8 *sp, *dp;

		type = fw_translate(x->q->vm, src, false, &spage);
		if (type)
			return fw_fault(x->fw, x->q, job, src, type,
					SIMGPU_FW_ACCESS_READ);
		type = fw_translate(x->q->vm, dst, true, &dpage);
		if (type)
			return fw_fault(x->fw, x->q, job, dst, type,
					SIMGPU_FW_ACCESS_WRITE);
		sp = kmap_local_page(spage);
		dp = kmap_local_page(dpage);
		memcpy(dp + doff, sp + soff, n);
		if (wrong) {
			dp[doff] ^= 1;
			wrong = false;
		}
		job->hash = fnv1a(job->hash, dp + doff, n);
		kunmap_local(dp);
		kunmap_local(sp);
		src += n;
		dst += n;
		done += n;
		job->progress = done;
	}
	return done < size;
}

static int fw_cmd_checksum(struct fw_exec *x, u64 src, u64 size, u64 dst,
			   bool wrong)
{
	struct fw_job *job = x->job;
	u64 done = job->progress;
	u64 end = min(size, done + FW_CHUNK);
	struct page *page;
	__le64 out;
	u32 type;

	if (!done)
		job->sum = DRM_SIMGPU_HASH_INIT;
	src += done;
	while (done < end) {
		u32 off = offset_in_page(src);
		u32 n = min_t(u64, end - done, PAGE_SIZE - off);
		u8 *p;

		type = fw_translate(x->q->vm, src, false, &page);
		if (type)
			return fw_fault(x->fw, x->q, job, src, type,
					SIMGPU_FW_ACCESS_READ);
		p = kmap_local_page(page);
		job->sum = fnv1a(job->sum, p + off, n);
		kunmap_local(p);
		src += n;
		done += n;
		job->progress = done;
	}
	if (done < size)
		return 1;
	out = cpu_to_le64(job->sum + (wrong ? 1 : 0));
	return fw_write(x, dst, &out, sizeof(out));
}

static int fw_invalid(struct fw_exec *x)
{
	return fw_fault(x->fw, x->q, x->job, x->job->cmd_va + x->job->pc,
			SIMGPU_FW_FAULT_INVALID_CMD, SIMGPU_FW_ACCESS_EXEC);
}

static bool ranges_overlap(u64 a, u64 b, u64 len)
{
	return a < b + len && b < a + len;
}

/*
 * Execute the command at job->pc. Returns 0 when it completed (the job may
 * have been parked by a DELAY), 1 when a bulk command yielded before the
 * end, or a negative error that ends the job.
 */
static int fw_exec_cmd(struct fw_exec *x, u64 now)
{
	struct fw_job *job = x->job;
	u64 va = job->cmd_va + job->pc;
	u32 op, flags, len;
	u64 w[4];
	bool wrong;
	int ret;

	if (job->cmd_size - job->pc < 8)
		return fw_invalid(x);
	ret = fw_read(x, va, &w[0], 8, SIMGPU_FW_ACCESS_EXEC);
	if (ret)
		return ret;
	w[0] = le64_to_cpu((__force __le64)w[0]);
	op = DRM_SIMGPU_CMD_OPCODE(w[0]);
	flags = DRM_SIMGPU_CMD_FLAGS(w[0]);
	len = DRM_SIMGPU_CMD_LEN(w[0]);
	if (w[0] >> 32 || !len || (u64)len * 8 > job->cmd_size - job->pc)
		return fw_invalid(x);
	if (op != DRM_SIMGPU_CMD_NOP) {
		u32 i;

		if (len > ARRAY_SIZE(w))
			return fw_invalid(x);
		ret = fw_read(x, va + 8, &w[1], (len - 1) * 8,
			      SIMGPU_FW_ACCESS_EXEC);
		if (ret)
			return ret;
		for (i = 1; i < len; i++)
			w[i] = le64_to_cpu((__force __le64)w[i]);
	}
	wrong = job->knobs.wrong_cmd == op;

	switch (op) {
	case DRM_SIMGPU_CMD_NOP:
		if (flags)
			return fw_invalid(x);
		break;
	case DRM_SIMGPU_CMD_WRITE_IMM: {
		bool is64 = flags & DRM_SIMGPU_CMD_WRITE_IMM_64;
		u64 value = w[2] ^ (wrong ? 1 : 0);

		if (len != 3 || (flags & ~DRM_SIMGPU_CMD_WRITE_IMM_64) ||
		    w[1] % (is64 ? 8 : 4))
			return fw_invalid(x);
		if (is64) {
			__le64 v = cpu_to_le64(value);

			ret = fw_write(x, w[1], &v, 8);
		} else {
			__le32 v = cpu_to_le32(value);

			ret = fw_write(x, w[1], &v, 4);
		}
		break;
	}
	case DRM_SIMGPU_CMD_FILL:
		if (len != 4 || flags || w[1] % 4 || !w[2] || w[2] % 4 ||
		    w[1] + w[2] < w[1])
			return fw_invalid(x);
		ret = fw_cmd_fill(x, w[1], w[2], (u32)w[3] ^ (wrong ? 1 : 0));
		break;
	case DRM_SIMGPU_CMD_COPY:
		if (len != 4 || flags || !w[3] || w[1] + w[3] < w[1] ||
		    w[2] + w[3] < w[2] || ranges_overlap(w[1], w[2], w[3]))
			return fw_invalid(x);
		ret = fw_cmd_copy(x, w[1], w[2], w[3], wrong);
		break;
	case DRM_SIMGPU_CMD_CHECKSUM:
		if (len != 4 || flags || w[3] % 8 || w[1] + w[2] < w[1])
			return fw_invalid(x);
		ret = fw_cmd_checksum(x, w[1], w[2], w[3], wrong);
		break;
	case DRM_SIMGPU_CMD_DELAY: {
		u64 ns;

		if (len != 2 || flags || w[1] > NSEC_PER_SEC)
			return fw_invalid(x);
		ns = w[1] + div_u64(w[1] * job->knobs.slow_pct, 100);
		job->park_until_ns = now + ns;
		break;
	}
	default:
		return fw_invalid(x);
	}
	if (ret)
		return ret;	/* error, or 1: command not finished */
	job->progress = 0;
	job->pc += len * 8;
	job->cmds++;
	return 0;
}

static void fw_start_job(struct simgpu_fw *fw, struct fw_queue *q,
			 struct fw_job *job, u64 now)
{
	job->started = true;
	job->start_ns = now;
	job->deadline_ns = now + (u64)job->timeout_ms * NSEC_PER_MSEC;
	job->hash = DRM_SIMGPU_HASH_INIT;
	fw->cfg.get_knobs(fw->cfg.data, &job->knobs);

	if (fw->cfg.abi >= 2) {
		memset(&fw->tx, 0, sizeof(fw->tx));
		fw->tx.function = SIMGPU_FW_JOB_STARTED;
		fw->tx.job_started.queue = q->id;
		fw->tx.job_started.seqno = job->seqno;
		fw->tx.job_started.start_ns = now;
		fw_post(fw);
	}
}

/* Run one slice of @job. */
static void fw_run_job(struct simgpu_fw *fw, struct fw_queue *q,
		       struct fw_job *job)
{
	struct fw_exec x = { .fw = fw, .q = q, .job = job };
	u64 now = ktime_get_ns();
	int i, ret;

	if (!job->started)
		fw_start_job(fw, q, job, now);

	for (i = 0; i < FW_SLICE_CMDS; i++) {
		if (job->pc >= job->cmd_size) {
			/* Injected slowdown: stretch the execution time. */
			if (job->knobs.slow_pct && !job->slow_done) {
				job->slow_done = true;
				job->park_until_ns = now +
					div_u64(job->exec_ns * job->knobs.slow_pct, 100);
				if (job->park_until_ns > now)
					return;
			}
			fw_job_done(fw, q, job, 0);
			return;
		}
		ret = fw_exec_cmd(&x, now);
		job->exec_ns += ktime_get_ns() - now;
		now = ktime_get_ns();
		if (ret < 0) {
			fw_job_done(fw, q, job, ret);
			return;
		}
		/* Parked by DELAY, or a bulk command yields the engine. */
		if (ret > 0 || job->park_until_ns > now)
			return;
	}
}

/* Pick and run the best runnable queue; false if nothing could run. */
static bool fw_schedule(struct simgpu_fw *fw, u64 *next_wake)
{
	struct fw_queue *q, *best = NULL;
	struct fw_job *job;
	unsigned long id;
	u64 now = ktime_get_ns();

	xa_for_each(&fw->queues, id, q) {
		job = list_first_entry_or_null(&q->jobs, struct fw_job, node);
		if (!job)
			continue;
		if (job->started && now >= job->deadline_ns) {
			fw_job_done(fw, q, job, -ETIMEDOUT);
			return true;
		}
		if (job->park_until_ns > now) {
			u64 wake = min(job->park_until_ns,
				       job->started ? job->deadline_ns : U64_MAX);

			*next_wake = min(*next_wake, wake);
			continue;
		}
		if (!best || q->priority > best->priority ||
		    (q->priority == best->priority &&
		     q->last_run < best->last_run))
			best = q;
	}
	if (!best)
		return false;

	best->last_run = ++fw->tick;
	job = list_first_entry(&best->jobs, struct fw_job, node);
	fw_run_job(fw, best, job);
	return true;
}

/* ------------------------------------------------------------ commands */

static void fw_queue_cancel(struct simgpu_fw *fw, struct fw_queue *q)
{
	struct fw_job *job, *tmp;

	list_for_each_entry_safe(job, tmp, &q->jobs, node)
		fw_job_done(fw, q, job, -ECANCELED);
}

static void fw_handle(struct simgpu_fw *fw, const struct simgpu_fw_msg *m)
{
	struct fw_queue *q;
	struct fw_vm *vm;
	int ret = 0;

	switch (m->function) {
	case SIMGPU_FW_PING:
		fw_ack(fw, m->seq, 0, m->ping.cookie);
		break;

	case SIMGPU_FW_VM_CREATE:
		vm = kzalloc(sizeof(*vm), GFP_KERNEL);
		if (!vm) {
			ret = -ENOMEM;
		} else {
			vm->id = m->vm_create.vm;
			xa_init(&vm->pt);
			ret = xa_insert(&fw->vms, vm->id, vm, GFP_KERNEL);
			if (ret)
				fw_vm_free(vm);
		}
		fw_ack(fw, m->seq, ret, 0);
		break;

	case SIMGPU_FW_VM_DESTROY:
		vm = xa_load(&fw->vms, m->id.id);
		if (!vm) {
			ret = -ENOENT;
		} else if (vm->users) {
			ret = -EBUSY;
		} else {
			xa_erase(&fw->vms, vm->id);
			fw_vm_free(vm);
		}
		fw_ack(fw, m->seq, ret, 0);
		break;

	case SIMGPU_FW_VM_MAP:
		vm = xa_load(&fw->vms, m->vm_map.vm);
		if (vm && !vm->error)
			vm->error = fw_vm_map(vm, m);
		break;

	case SIMGPU_FW_VM_UNMAP:
		vm = xa_load(&fw->vms, m->vm_unmap.vm);
		if (vm)
			fw_vm_unmap(vm, m->vm_unmap.va, m->vm_unmap.npages);
		break;

	case SIMGPU_FW_VM_FLUSH:
		vm = xa_load(&fw->vms, m->id.id);
		if (!vm) {
			ret = -ENOENT;
		} else {
			ret = vm->error;
			vm->error = 0;
		}
		fw_ack(fw, m->seq, ret, 0);
		break;

	case SIMGPU_FW_QUEUE_CREATE:
		vm = xa_load(&fw->vms, m->queue_create.vm);
		q = kzalloc(sizeof(*q), GFP_KERNEL);
		if (!vm || !q) {
			ret = vm ? -ENOMEM : -ENOENT;
			kfree(q);
		} else {
			q->id = m->queue_create.queue;
			q->priority = m->queue_create.priority;
			q->vm = vm;
			INIT_LIST_HEAD(&q->jobs);
			ret = xa_insert(&fw->queues, q->id, q, GFP_KERNEL);
			if (ret)
				kfree(q);
			else
				vm->users++;
		}
		fw_ack(fw, m->seq, ret, 0);
		break;

	case SIMGPU_FW_QUEUE_DESTROY:
		q = xa_erase(&fw->queues, m->id.id);
		if (q) {
			fw_queue_cancel(fw, q);
			q->vm->users--;
			kfree(q);
		} else {
			ret = -ENOENT;
		}
		fw_ack(fw, m->seq, ret, 0);
		break;

	case SIMGPU_FW_JOB_SUBMIT: {
		struct fw_job *job;

		q = xa_load(&fw->queues, m->job_submit.queue);
		job = q ? kzalloc(sizeof(*job), GFP_KERNEL) : NULL;
		if (!job) {
			fw_post_job_done(fw, m->job_submit.queue,
					 m->job_submit.seqno,
					 q ? -ENOMEM : -ENOENT,
					 DRM_SIMGPU_HASH_INIT, 0, 0);
			break;
		}
		job->seqno = m->job_submit.seqno;
		job->cmd_va = m->job_submit.cmd_va;
		job->cmd_size = m->job_submit.cmd_size;
		job->timeout_ms = m->job_submit.timeout_ms ?:
				  SIMGPU_FW_DEFAULT_TIMEOUT_MS;
		list_add_tail(&job->node, &q->jobs);
		break;
	}

	default:
		/* Unknown function: ignored, as real firmware would. */
		break;
	}
}

/* Process up to @budget commands; false if the ring was empty. */
static bool fw_process_cmds(struct simgpu_fw *fw, int budget)
{
	u32 hsz = simgpu_fw_hdr_size(fw->cfg.abi);
	bool did = false;

	while (budget--) {
		u32 used = simgpu_fw_ring_used(&fw->cmd);
		u32 len;

		if (used < hsz)
			break;
		simgpu_fw_ring_peek(&fw->cmd, fw->rxbuf, hsz);
		if (simgpu_fw_decode_hdr(fw->cfg.abi, fw->rxbuf, &fw->rx)) {
			/* Corrupt ring: drop everything we have. */
			simgpu_fw_ring_consume(&fw->cmd, used);
			break;
		}
		len = hsz + fw->rx.length;
		if (used < len)
			break;
		simgpu_fw_ring_peek(&fw->cmd, fw->rxbuf, len);
		simgpu_fw_ring_consume(&fw->cmd, len);
		did = true;

		smp_mb();
		if (READ_ONCE(fw->cmd.ctrl->producer_waiting)) {
			WRITE_ONCE(fw->cmd.ctrl->producer_waiting, 0);
			fw->cfg.irq(fw->cfg.data);
		}

		if (!simgpu_fw_decode(fw->cfg.abi, fw->rxbuf, len, &fw->rx))
			fw_handle(fw, &fw->rx);
	}
	return did;
}

static int fw_main(void *arg)
{
	struct simgpu_fw *fw = arg;
	struct fw_queue *q;
	struct fw_vm *vm;
	unsigned long id;

	WRITE_ONCE(fw->shared->abi_version, cpu_to_le32(fw->cfg.abi));
	WRITE_ONCE(fw->shared->fw_version, cpu_to_le32(SIMGPU_FW_VERSION));
	smp_store_release(&fw->shared->state,
			  cpu_to_le32(SIMGPU_FW_STATE_READY));
	fw->cfg.irq(fw->cfg.data);

	while (!kthread_should_stop()) {
		u64 next_wake = U64_MAX;
		bool busy;

		atomic_set(&fw->doorbell, 0);
		busy = fw_process_cmds(fw, FW_CMD_BUDGET);
		busy |= fw_schedule(fw, &next_wake);
		if (busy) {
			cond_resched();
			continue;
		}
		if (next_wake != U64_MAX) {
			s64 delta = next_wake - ktime_get_ns();

			if (delta > 0)
				wait_event_interruptible_hrtimeout(fw->wq,
					atomic_read(&fw->doorbell) ||
					kthread_should_stop(),
					ns_to_ktime(delta));
		} else {
			wait_event_interruptible(fw->wq,
				atomic_read(&fw->doorbell) ||
				kthread_should_stop());
		}
	}

	xa_for_each(&fw->queues, id, q) {
		struct fw_job *job, *tmp;

		list_for_each_entry_safe(job, tmp, &q->jobs, node)
			kfree(job);
		kfree(q);
	}
	xa_destroy(&fw->queues);
	xa_for_each(&fw->vms, id, vm)
		fw_vm_free(vm);
	xa_destroy(&fw->vms);
	smp_store_release(&fw->shared->state,
			  cpu_to_le32(SIMGPU_FW_STATE_HALTED));
	return 0;
}

/**
 * simgpu_fw_boot() - Start the firmware on a prepared shared memory.
 * @cfg: Boot configuration; the ring layout is read from the shared memory.
 *
 * Return: The firmware, or an ERR_PTR().
 */
struct simgpu_fw *simgpu_fw_boot(const struct simgpu_fw_config *cfg)
{
	struct simgpu_fw_shared *sh = cfg->shm;
	struct simgpu_fw *fw;
	u32 off, size;

	if (cfg->abi < 1 || cfg->abi > 2 ||
	    le32_to_cpu(sh->magic) != SIMGPU_FW_MAGIC)
		return ERR_PTR(-EINVAL);

	fw = kzalloc(sizeof(*fw), GFP_KERNEL);
	if (!fw)
		return ERR_PTR(-ENOMEM);
	fw->cfg = *cfg;
	fw->shared = sh;
	init_waitqueue_head(&fw->wq);
	xa_init(&fw->vms);
	xa_init(&fw->queues);

	off = le32_to_cpu(sh->cmd_ring_offset);
	size = le32_to_cpu(sh->cmd_ring_size);
	fw->cmd.ctrl = cfg->shm + off;
	fw->cmd.data = cfg->shm + off + sizeof(struct simgpu_fw_ring_ctrl);
	fw->cmd.size = size;
	off = le32_to_cpu(sh->msg_ring_offset);
	size = le32_to_cpu(sh->msg_ring_size);
	fw->msg.ctrl = cfg->shm + off;
	fw->msg.data = cfg->shm + off + sizeof(struct simgpu_fw_ring_ctrl);
	fw->msg.size = size;

	WRITE_ONCE(sh->state, cpu_to_le32(SIMGPU_FW_STATE_BOOTING));
	fw->task = kthread_run(fw_main, fw, "simgpu-fw%u", cfg->index);
	if (IS_ERR(fw->task)) {
		long err = PTR_ERR(fw->task);

		kfree(fw);
		return ERR_PTR(err);
	}
	return fw;
}

/**
 * simgpu_fw_doorbell() - Tell the firmware the host wrote commands (or
 * consumed messages it was waiting to write).
 * @fw: The firmware.
 */
void simgpu_fw_doorbell(struct simgpu_fw *fw)
{
	atomic_set(&fw->doorbell, 1);
	wake_up(&fw->wq);
}

/**
 * simgpu_fw_halt() - Stop the firmware and free it.
 * @fw: The firmware.
 */
void simgpu_fw_halt(struct simgpu_fw *fw)
{
	kthread_stop(fw->task);
	kfree(fw);
}
