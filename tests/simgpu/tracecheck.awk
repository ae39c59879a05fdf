# tests/simgpu/tracecheck.awk: checks a tracefs trace of the simgpu events
# taken by tracepoints.sh (one awk process: spawning tools is slow in the
# VM). Plain POSIX awk (the VM has mawk).
#
#   awk -f tracecheck.awk -v abi=N -v basic_pid=P -v wva=VA -v rva=VA \
#       -v ova=VA TRACE
#
# The trace holds, in order: simgpu-basic -i 2 (pid P: 5 BOs, 1 VM, 6 jobs
# on one queue), a "SEGMENT-FAULT" trace marker, then `simgpu-probe fault`
# (faulting jobs 1-3 at VAs wva/rva/ova, good job 4). Prints one line per
# failed check ("FAIL: ...") and exits 1 if there is any; prints the event
# counts on success.

function fail(msg) {
	print "FAIL: " msg
	failed++
}

# Record each event's key=value fields in f[].
{
	ev = ""
	if ($0 ~ /tracing_mark_write: SEGMENT-FAULT/) {
		seg = "b"
		next
	}
	for (i = 1; i <= NF; i++)
		if ($i ~ /^simgpu_[a-z_]+:$/) {
			ev = substr($i, 1, length($i) - 1)
			first = i + 1
			break
		}
	if (ev == "")
		next
	for (k in f)
		delete f[k]
	for (i = first; i <= NF; i++) {
		eq = index($i, "=")
		if (eq)
			f[substr($i, 1, eq - 1)] = substr($i, eq + 1)
	}
	if (seg == "")
		seg = "a"
	count[ev]++
}

ev == "simgpu_ioctl_enter" && seg == "a" && f["pid"] == basic_pid {
	n_enter++
}

ev == "simgpu_ioctl_exit" && seg == "a" && f["pid"] == basic_pid {
	n_exit++
	ioctl_seen[f["name"]] = 1
	if (f["ret"] != 0)
		fail("simgpu-basic's " f["name"] " has ret=" f["ret"] " in ioctl_exit")
	if (f["duration_ns"] == "")
		fail("ioctl_exit without duration_ns")
}

ev == "simgpu_job_submit" && seg == "a" && f["pid"] == basic_pid {
	if (!(f["queue"] in basic_queues)) {
		basic_queues[f["queue"]] = 1
		n_basic_queues++
		q = f["queue"]
	}
	sub_seq[f["queue"], f["seqno"]]++
	n_sub++
	if (f["cmd_size"] + 0 <= 0 || f["cmd_size"] % 8)
		fail("job_submit with cmd_size=" f["cmd_size"])
}

ev == "simgpu_job_run" && seg == "a" {
	run_seq[f["queue"], f["seqno"]]++
}

ev == "simgpu_job_start" && seg == "a" {
	start_seq[f["queue"], f["seqno"]]++
}

ev == "simgpu_job_done" && seg == "a" {
	done_seq[f["queue"], f["seqno"]]++
	done_result[f["queue"], f["seqno"]] = f["result"]
	done_hash[f["queue"], f["seqno"]] = f["hash"]
	done_exec[f["queue"], f["seqno"]] = f["exec_ns"]
	done_cmds[f["queue"], f["seqno"]] = f["cmds"]
}

ev == "simgpu_job_done" && seg == "b" {
	bdone_result[f["queue"], f["seqno"]] = f["result"]
	if (f["result"] == -14)
		n_efault++
}

ev == "simgpu_gem_create" && seg == "a" {
	if (!(f["bo"] in bos))
		n_bos++
	bos[f["bo"]] = 1
	if (f["handle"] == 0 || f["size"] % 4096 || f["size"] == 0)
		fail("gem_create with handle=" f["handle"] " size=" f["size"])
}

ev == "simgpu_gem_mmap" && seg == "a" {
	n_mmap++
	if (f["offset"] == "0x0")
		fail("gem_mmap with offset 0")
}

ev == "simgpu_gem_free" {
	freed[f["bo"]] = 1
}

ev == "simgpu_vm_create" && seg == "a" && vm == "" {
	vm = f["vm"]
}

ev == "simgpu_vm_destroy" {
	vm_destroyed[f["vm"]] = 1
}

ev == "simgpu_vm_bind_op" && seg == "a" && f["vm"] == vm {
	if (f["op"] == "map") {
		n_map++
		mapped[f["bo"]] = 1
		if (f["async"] == 1)
			n_async_map++
	} else if (f["op"] == "unmap" && f["bo"] == 0) {
		n_unmap++
	} else {
		fail("vm_bind_op with op=" f["op"] " bo=" f["bo"])
	}
	if (substr(f["va"], length(f["va"]) - 2) != "000" ||
	    substr(f["range"], length(f["range"]) - 2) != "000")
		fail("vm_bind_op with unaligned va=" f["va"] " range=" f["range"])
}

ev == "simgpu_vm_bind_done" && seg == "a" && f["result"] != 0 {
	fail("vm_bind_done result=" f["result"])
}

ev == "simgpu_fw_msg_send" || ev == "simgpu_fw_msg_recv" {
	dir = ev == "simgpu_fw_msg_send" ? "send" : "recv"
	if (f["abi"] != abi)
		fail(ev " " f["name"] " with abi=" f["abi"] " after loading fw_abi=" abi)
	if (f["ring"] != (dir == "send" ? "cmd" : "msg"))
		fail(ev " on ring " f["ring"])
	if ((dir, f["seq"]) in fw_seq)
		fail("two " ev " with seq=" f["seq"])
	fw_seq[dir, f["seq"]] = 1
	fw_names[dir, f["name"]]++
	if (seg == "a")
		fw_names_a[dir, f["name"]]++
	if (f["p0"] == "")
		fail(ev " without payload words")
}

ev == "simgpu_gpu_fault" && seg == "b" {
	n_fault++
	fault_q = f["queue"]
	fault[f["va"], f["type"], f["access"]]++
	fault_seq[f["seqno"]]++
}

END {
	split("simgpu_ioctl_enter simgpu_ioctl_exit simgpu_gem_create " \
	      "simgpu_gem_mmap simgpu_gem_free simgpu_vm_create " \
	      "simgpu_vm_destroy simgpu_vm_bind_op simgpu_vm_bind_done " \
	      "simgpu_fw_msg_send simgpu_fw_msg_recv simgpu_job_submit " \
	      "simgpu_job_run simgpu_job_done simgpu_gpu_fault", evs, " ")
	for (i = 1; evs[i] != ""; i++)
		if (!count[evs[i]])
			fail("event " evs[i] " never fired")
	if (abi >= 2 && !count["simgpu_job_start"])
		fail("event simgpu_job_start never fired (firmware ABI v2)")
	if (abi == 1 && count["simgpu_job_start"])
		fail("simgpu_job_start fired with firmware ABI v1 (no JOB_STARTED)")

	# ioctls
	if (n_enter < 10)
		fail("only " n_enter + 0 " ioctl_enter events for pid " basic_pid)
	if (n_enter != n_exit)
		fail(n_enter + 0 " ioctl_enter but " n_exit + 0 " ioctl_exit events")
	split("DEV_QUERY BO_CREATE BO_MMAP_OFFSET VM_CREATE VM_DESTROY " \
	      "VM_BIND QUEUE_CREATE QUEUE_DESTROY SUBMIT", names, " ")
	for (i = 1; names[i] != ""; i++)
		if (!(names[i] in ioctl_seen))
			fail("no ioctl_exit name=" names[i] " for simgpu-basic")

	# jobs: seqnos 1..6 on one queue, submitted, run, (started,) done
	if (n_basic_queues != 1)
		fail("simgpu-basic's jobs went to " n_basic_queues + 0 " queues, expected 1")
	if (n_sub != 6)
		fail(n_sub + 0 " job_submit events for simgpu-basic, expected 6")
	slow = 0
	for (s = 1; s <= 6; s++) {
		if (sub_seq[q, s] != 1)
			fail("queue " q " seqno " s ": " sub_seq[q, s] + 0 " job_submit events")
		if (run_seq[q, s] != 1)
			fail("queue " q " seqno " s ": " run_seq[q, s] + 0 " job_run events")
		if (done_seq[q, s] != 1)
			fail("queue " q " seqno " s ": " done_seq[q, s] + 0 " job_done events")
		if (abi >= 2 && start_seq[q, s] != 1)
			fail("queue " q " seqno " s ": " start_seq[q, s] + 0 " job_start events")
		if (done_result[q, s] != 0)
			fail("job " s " has result=" done_result[q, s] " in job_done")
		if (done_hash[q, s] == "0xcbf29ce484222325")
			fail("job " s " writes memory but reports the empty hash")
		if (done_cmds[q, s] + 0 <= 0)
			fail("job " s " reports cmds=" done_cmds[q, s])
		if (done_exec[q, s] + 0 >= 2000000)
			slow++
		if (!(done_hash[q, s] in hashes))
			n_hashes++
		hashes[done_hash[q, s]] = 1
	}
	if (n_hashes < 3)
		fail("only " n_hashes + 0 " distinct job hashes for 6 jobs")
	if (slow < 2)
		fail("no job_done with exec_ns >= 2 ms, but each iteration has a 2 ms DELAY job")

	# GEM
	if (n_bos != 5)
		fail("simgpu-basic created " n_bos + 0 " BOs in the trace, expected 5")
	if (n_mmap < 4)
		fail("only " n_mmap + 0 " gem_mmap events, expected 4")
	for (b in bos) {
		if (!(b in freed))
			fail("BO " b " was created but never freed (no gem_free)")
		if (!(b in mapped))
			fail("BO " b " was never mapped (no vm_bind_op op=map bo=" b ")")
	}

	# VM
	if (vm == "")
		fail("no vm_create for simgpu-basic")
	else if (!(vm in vm_destroyed))
		fail("VM " vm " was never destroyed (no vm_destroy)")
	if (n_map != 5)
		fail("VM " vm ": " n_map + 0 " map ops, expected 5")
	if (n_unmap != 5)
		fail("VM " vm ": " n_unmap + 0 " unmap ops with bo=0, expected 5")
	if (n_async_map != 1)
		fail("the asynchronous bind of simgpu-basic is not marked async=1")

	# firmware messages
	split("VM_CREATE VM_MAP VM_UNMAP VM_FLUSH QUEUE_CREATE JOB_SUBMIT", sent, " ")
	for (i = 1; sent[i] != ""; i++)
		if (!fw_names["send", sent[i]])
			fail("no " sent[i] " message was sent")
	split("ACK JOB_DONE GPU_FAULT", recv, " ")
	for (i = 1; recv[i] != ""; i++)
		if (!fw_names["recv", recv[i]])
			fail("no " recv[i] " message was received")
	if (abi >= 2 && !fw_names["recv", "JOB_STARTED"])
		fail("no JOB_STARTED message with firmware ABI v2")
	if (fw_names_a["send", "JOB_SUBMIT"] < 6)
		fail("fewer JOB_SUBMIT messages than jobs")
	if (fw_names_a["recv", "JOB_DONE"] < 6)
		fail("fewer JOB_DONE messages than jobs")

	# faults
	if (!fault[wva, "translation", "write"])
		fail("no gpu_fault va=" wva " type=translation access=write")
	if (!fault[rva, "translation", "read"])
		fail("no gpu_fault va=" rva " type=translation access=read")
	if (!fault[ova, "permission", "write"])
		fail("no gpu_fault va=" ova " type=permission access=write")
	if (n_fault != 3)
		fail(n_fault + 0 " gpu_fault events, expected 3")
	for (s = 1; s <= 3; s++) {
		if (fault_seq[s] != 1)
			fail("no gpu_fault for faulting job " s)
		if (bdone_result[fault_q, s] != -14)
			fail("faulting job " s " has result=" bdone_result[fault_q, s] " in job_done, expected -14")
	}
	if (bdone_result[fault_q, 4] != "0")
		fail("the job after the faults has result=" bdone_result[fault_q, 4])

	if (failed)
		exit 1
	for (e in count)
		printf "%s=%d ", e, count[e]
	printf "\n"
}
