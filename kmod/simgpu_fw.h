/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated firmware processor, seen from the host: it boots on a
 * shared-memory region laid out as described in simgpu_fw_abi.h, the host
 * rings its doorbell after writing commands, and it raises an "interrupt"
 * (a callback) when it wrote messages for the host or consumed commands
 * the host waits to write. Nothing else crosses the boundary.
 */
#ifndef _SIMGPU_FW_H_
#define _SIMGPU_FW_H_

#include <linux/types.h>

struct simgpu_fw;

/**
 * struct simgpu_fw_knobs - Fault-injection knobs the firmware build obeys.
 * @slow_pct: Jobs take this many percent longer (DELAY and execution).
 * @wrong_cmd: Opcode whose result is wrong (0: none).
 * @reply_delay_us: Delay before each message to the host.
 */
struct simgpu_fw_knobs {
	unsigned int slow_pct;
	unsigned int wrong_cmd;
	unsigned int reply_delay_us;
};

/**
 * struct simgpu_fw_config - How the firmware is booted.
 * @abi: Message ABI version the firmware speaks (1 or 2).
 * @shm: Shared memory, laid out and initialized by the host.
 * @shm_size: Size of @shm.
 * @index: Device index, for the firmware thread's name.
 * @irq: Raises the host interrupt; called from the firmware thread.
 * @get_knobs: Reads the current fault-injection knobs.
 * @data: Argument of @irq and @get_knobs.
 */
struct simgpu_fw_config {
	u32 abi;
	void *shm;
	size_t shm_size;
	unsigned int index;
	void (*irq)(void *data);
	void (*get_knobs)(void *data, struct simgpu_fw_knobs *knobs);
	void *data;
};

struct simgpu_fw *simgpu_fw_boot(const struct simgpu_fw_config *cfg);
void simgpu_fw_doorbell(struct simgpu_fw *fw);
void simgpu_fw_halt(struct simgpu_fw *fw);

#endif /* _SIMGPU_FW_H_ */
