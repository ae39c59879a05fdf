/*
 * derive.c: typed rows from kernel_event rows.
 *
 * After a capture's events are stored, the kernel's own account of the
 * work is turned into rows people query: jobs (simgpu_job_submit / _run /
 * _done, matched by firmware queue id and seqno), VM-bind ops
 * (simgpu_vm_bind_op) and firmware messages (simgpu_fw_msg_send / _recv,
 * virtio_gpu_cmd_queue / _response). Each is linked to the ioctl that caused
 * it: the call of the right kind, by the same thread, that was in progress
 * when the kernel event fired (or, for work the kernel applied later, the
 * latest such call of that process before it).
 *
 * The work is SQL over temporary tables holding the JSON fields extracted
 * once and indexed, so each step is a join on indexes, not a scan per row.
 */
#include "derive.h"

#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include <sqlite3.h>
#include <drmscope/db.h>
#include <drmscope/fwabi.h>

/* Hash fields above INT64_MAX are stored as "0x..." strings (kevents.c). */
#define HEX64(expr) \
	"(CASE typeof(" expr ") WHEN 'integer' THEN printf('%016x', " expr ")" \
	" WHEN 'text' THEN lower(substr(" expr ", 3)) END)"

static const char *const derive_sql[] = {
	/* each device's driver, from its path's open or DRM_IOCTL_VERSION */
	"CREATE TEMP TABLE k_dev AS SELECT d.id AS id,"
	" coalesce((SELECT dr.name FROM driver dr WHERE dr.device_id = d.id), d.driver) AS driver"
	" FROM device d;",

	/* simgpu object ids (firmware/device-wide) to uapi handles */
	"CREATE TEMP TABLE k_vm AS SELECT ns, pid,"
	" json_extract(fields, '$.vm') AS fw_id, json_extract(fields, '$.handle') AS handle"
	" FROM kernel_event WHERE system = 'simgpu' AND name = 'simgpu_vm_create';",
	"CREATE INDEX temp.k_vm_id ON k_vm(fw_id, ns);",
	"CREATE TEMP TABLE k_bo AS SELECT ns, pid,"
	" json_extract(fields, '$.bo') AS bo, json_extract(fields, '$.handle') AS handle"
	" FROM kernel_event WHERE system = 'simgpu' AND name = 'simgpu_gem_create';",
	"CREATE INDEX temp.k_bo_id ON k_bo(bo);",

	/* jobs */
	"CREATE TEMP TABLE k_job AS SELECT name, ns, pid,"
	" json_extract(fields, '$.queue') AS q, json_extract(fields, '$.seqno') AS s,"
	" json_extract(fields, '$.handle') AS handle,"
	" json_extract(fields, '$.result') AS result,"
	" " HEX64("json_extract(fields, '$.hash')") " AS hash"
	" FROM kernel_event WHERE system = 'simgpu'"
	" AND name IN ('simgpu_job_submit', 'simgpu_job_run', 'simgpu_job_done');",
	"CREATE INDEX temp.k_job_qs ON k_job(name, q, s);",
	"INSERT INTO job (queue_id, seqno, submit_ioctl_id, submit_ns, run_ns, done_ns,"
	" result, result_hash)"
	" SELECT (SELECT qu.id FROM queue qu WHERE qu.handle = sub.handle"
	"         AND (qu.created_ns IS NULL OR qu.created_ns <= sub.ns)"
	"         AND (sub.pid_tgid IS NULL OR EXISTS (SELECT 1 FROM fd f"
	"              WHERE f.id = qu.fd_id AND f.pid = sub.pid_tgid))"
	"         ORDER BY qu.created_ns DESC LIMIT 1),"
	"  sub.s,"
	"  (SELECT i.id FROM ioctl i WHERE i.pid = sub.pid_tgid AND i.tid = sub.pid"
	"         AND i.name = 'DRM_IOCTL_SIMGPU_SUBMIT' AND i.begin_ns <= sub.ns"
	"         ORDER BY i.begin_ns DESC LIMIT 1),"
	"  sub.ns, run.ns, done.ns, done.result, done.hash"
	" FROM (SELECT k.*, (SELECT t.pid FROM thread t WHERE t.tid = k.pid) AS pid_tgid"
	"       FROM k_job k WHERE k.name = 'simgpu_job_submit') sub"
	" LEFT JOIN k_job run ON run.name = 'simgpu_job_run' AND run.q = sub.q AND run.s = sub.s"
	" LEFT JOIN k_job done ON done.name = 'simgpu_job_done' AND done.q = sub.q"
	"  AND done.s = sub.s"
	" ORDER BY sub.ns;",

	/* VM-bind ops, as the kernel applied them */
	"INSERT INTO vm_bind_op (ioctl_id, vm_id, op, va, range, bo_handle, gem_id,"
	" bo_offset, flags, ns)"
	" SELECT (SELECT i.id FROM ioctl i WHERE i.pid = e.upid"
	"         AND i.name = 'DRM_IOCTL_SIMGPU_VM_BIND' AND i.begin_ns <= e.ns"
	"         ORDER BY i.begin_ns DESC LIMIT 1),"
	"  (SELECT v.id FROM vm v WHERE v.handle = (SELECT kv.handle FROM k_vm kv"
	"         WHERE kv.fw_id = e.vm AND kv.ns <= e.ns ORDER BY kv.ns DESC LIMIT 1)"
	"         AND (v.created_ns IS NULL OR v.created_ns <= e.ns)"
	"         ORDER BY v.created_ns DESC LIMIT 1),"
	"  CASE WHEN e.op = 0 THEN 'map' ELSE 'unmap' END, e.va, e.range,"
	"  (SELECT kb.handle FROM k_bo kb WHERE kb.bo = e.bo), NULL, e.bo_offset, e.flags, e.ns"
	" FROM (SELECT ns, json_extract(fields, '$.pid') AS upid,"
	"       json_extract(fields, '$.vm') AS vm, json_extract(fields, '$.op') AS op,"
	"       json_extract(fields, '$.va') AS va, json_extract(fields, '$.range') AS range,"
	"       json_extract(fields, '$.bo') AS bo, json_extract(fields, '$.bo_offset') AS bo_offset,"
	"       json_extract(fields, '$.flags') AS flags"
	"       FROM kernel_event WHERE system = 'simgpu' AND name = 'simgpu_vm_bind_op') e"
	" ORDER BY e.ns;",
	"UPDATE vm_bind_op SET gem_id = (SELECT g.id FROM gem_object g"
	" WHERE g.handle = vm_bind_op.bo_handle AND g.created_ns <= vm_bind_op.ns"
	" ORDER BY g.created_ns DESC LIMIT 1) WHERE bo_handle IS NOT NULL AND gem_id IS NULL;",

	"DROP TABLE temp.k_vm; DROP TABLE temp.k_bo; DROP TABLE temp.k_job;",
};

/*
 * Firmware messages of the capture (run_id NULL) or of one replay run:
 * simgpu's rings, decoded per ABI, and virtio-gpu's control and cursor
 * queues. ?1 is the run id or NULL.
 */
#define FW_DEVICE(drv) \
	"(SELECT d.id FROM device d WHERE coalesce((SELECT dr.name FROM driver dr" \
	" WHERE dr.device_id = d.id), d.driver) = '" drv "' ORDER BY d.id LIMIT 1)"

static const char *const fw_sql[] = {
	"INSERT INTO fw_message (device_id, ring, seq, function, function_name, length,"
	" abi_version, ns, direction, payload, run_id)"
	" SELECT " FW_DEVICE("simgpu") ","
	"  json_extract(fields, '$.ring'), json_extract(fields, '$.seq'),"
	"  json_extract(fields, '$.function'), json_extract(fields, '$.name'),"
	"  json_extract(fields, '$.length'), json_extract(fields, '$.abi'), ns,"
	"  CASE name WHEN 'simgpu_fw_msg_send' THEN 'send' ELSE 'receive' END,"
	"  ds_simgpu_fw_decode(json_extract(fields, '$.abi'), json_extract(fields, '$.function'),"
	"   json_extract(fields, '$.length'), json_extract(fields, '$.p[0]'),"
	"   json_extract(fields, '$.p[1]'), json_extract(fields, '$.p[2]'),"
	"   json_extract(fields, '$.p[3]'), json_extract(fields, '$.p[4]'),"
	"   json_extract(fields, '$.p[5]')), ?1"
	" FROM kernel_event WHERE run_id IS ?1 AND system = 'simgpu'"
	" AND name IN ('simgpu_fw_msg_send', 'simgpu_fw_msg_recv') ORDER BY ns",

	"INSERT INTO fw_message (device_id, ring, seq, function, function_name, length,"
	" abi_version, ns, direction, payload, run_id)"
	" SELECT " FW_DEVICE("virtio_gpu") ","
	"  CASE json_extract(fields, '$.name') WHEN 'control' THEN 0 WHEN 'cursor' THEN 1"
	"   ELSE 2 END,"
	"  coalesce(json_extract(fields, '$.seqno'), json_extract(fields, '$.fence_id')),"
	"  json_extract(fields, '$.type'), NULL, NULL, NULL, ns,"
	"  CASE name WHEN 'virtio_gpu_cmd_queue' THEN 'send' ELSE 'receive' END,"
	"  fields, ?1"
	" FROM kernel_event WHERE run_id IS ?1 AND system = 'virtio_gpu' ORDER BY ns",
};

/* Payload words the simgpu_fw_msg_* tracepoints carry (p0..p5: 48 bytes). */
#define FW_WORDS 6

/* A 64-bit field from kevents.c's JSON: an integer, or "0x..." above INT64_MAX. */
static uint64_t json_u64(sqlite3_value *v)
{
	if (sqlite3_value_type(v) == SQLITE_TEXT)
		return strtoull((const char *)sqlite3_value_text(v), NULL, 0);
	return (uint64_t)sqlite3_value_int64(v);
}

/*
 * SQL function ds_simgpu_fw_decode(abi, function, length, p0, ..., p5):
 * the payload words the simgpu_fw_msg_* tracepoints carry, decoded with
 * the firmware ABI tables into a JSON object.
 */
static void sql_fw_decode(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	unsigned char payload[8 * FW_WORDS];
	char json[512];
	int64_t length = sqlite3_value_int64(argv[2]);
	int i, k;

	for (i = 0; i < FW_WORDS; i++) {
		uint64_t w = sqlite3_value_type(argv[3 + i]) == SQLITE_NULL ? 0 : json_u64(argv[3 + i]);

		for (k = 0; k < 8; k++)
			payload[8 * i + k] = (unsigned char)(w >> (8 * k));
	}
	if (length < 0 || length > (int64_t)sizeof(payload))
		length = length < 0 ? 0 : (int64_t)sizeof(payload);
	ds_fwabi_simgpu_decode((unsigned)sqlite3_value_int(argv[0]),
			       (unsigned)sqlite3_value_int(argv[1]), payload,
			       (size_t)length, json, sizeof(json));
	sqlite3_result_text(ctx, json, -1, SQLITE_TRANSIENT);
}

/* virtio-gpu control and cursor command types (enum virtio_gpu_ctrl_type). */
static const struct {
	int type;
	const char *name;
} virtio_gpu_types[] = {
	{ 0x0100, "GET_DISPLAY_INFO" }, { 0x0101, "RESOURCE_CREATE_2D" },
	{ 0x0102, "RESOURCE_UNREF" }, { 0x0103, "SET_SCANOUT" },
	{ 0x0104, "RESOURCE_FLUSH" }, { 0x0105, "TRANSFER_TO_HOST_2D" },
	{ 0x0106, "RESOURCE_ATTACH_BACKING" }, { 0x0107, "RESOURCE_DETACH_BACKING" },
	{ 0x0108, "GET_CAPSET_INFO" }, { 0x0109, "GET_CAPSET" }, { 0x010a, "GET_EDID" },
	{ 0x010b, "RESOURCE_ASSIGN_UUID" }, { 0x010c, "RESOURCE_CREATE_BLOB" },
	{ 0x010d, "SET_SCANOUT_BLOB" },
	{ 0x0200, "CTX_CREATE" }, { 0x0201, "CTX_DESTROY" },
	{ 0x0202, "CTX_ATTACH_RESOURCE" }, { 0x0203, "CTX_DETACH_RESOURCE" },
	{ 0x0204, "RESOURCE_CREATE_3D" }, { 0x0205, "TRANSFER_TO_HOST_3D" },
	{ 0x0206, "TRANSFER_FROM_HOST_3D" }, { 0x0207, "SUBMIT_3D" },
	{ 0x0208, "RESOURCE_MAP_BLOB" }, { 0x0209, "RESOURCE_UNMAP_BLOB" },
	{ 0x0300, "UPDATE_CURSOR" }, { 0x0301, "MOVE_CURSOR" },
	{ 0x1100, "RESP_OK_NODATA" }, { 0x1101, "RESP_OK_DISPLAY_INFO" },
	{ 0x1102, "RESP_OK_CAPSET_INFO" }, { 0x1103, "RESP_OK_CAPSET" },
	{ 0x1104, "RESP_OK_EDID" }, { 0x1105, "RESP_OK_RESOURCE_UUID" },
	{ 0x1106, "RESP_OK_MAP_INFO" },
	{ 0x1200, "RESP_ERR_UNSPEC" }, { 0x1201, "RESP_ERR_OUT_OF_MEMORY" },
	{ 0x1202, "RESP_ERR_INVALID_SCANOUT_ID" }, { 0x1203, "RESP_ERR_INVALID_RESOURCE_ID" },
	{ 0x1204, "RESP_ERR_INVALID_CONTEXT_ID" }, { 0x1205, "RESP_ERR_INVALID_PARAMETER" },
};

/* Name the virtio-gpu messages of @run_id (0: the capture's). */
static int virtio_gpu_name_functions(sqlite3 *sq, int64_t run_id)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	rc = sqlite3_prepare_v2(sq, "UPDATE fw_message SET function_name = ?1"
				" WHERE function = ?2 AND function_name IS NULL AND run_id IS ?3"
				" AND abi_version IS NULL"	/* not simgpu's */
				" AND device_id IS " FW_DEVICE("virtio_gpu"), -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	if (run_id)
		sqlite3_bind_int64(st, 3, run_id);
	for (i = 0; i < sizeof(virtio_gpu_types) / sizeof(virtio_gpu_types[0]); i++) {
		sqlite3_bind_text(st, 1, virtio_gpu_types[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, virtio_gpu_types[i].type);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* fw_message rows from the kernel events of @run_id (0: the capture). */
static int derive_fw_messages(sqlite3 *sq, int64_t run_id)
{
	size_t i;
	int rc = sqlite3_create_function(sq, "ds_simgpu_fw_decode", 3 + FW_WORDS,
					 SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
					 sql_fw_decode, NULL, NULL);

	for (i = 0; rc == SQLITE_OK && i < sizeof(fw_sql) / sizeof(fw_sql[0]); i++) {
		sqlite3_stmt *st = NULL;

		rc = sqlite3_prepare_v2(sq, fw_sql[i], -1, &st, NULL);
		if (rc == SQLITE_OK) {
			if (run_id)
				sqlite3_bind_int64(st, 1, run_id);
			rc = sqlite3_step(st);
			rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		}
		sqlite3_finalize(st);
	}
	return rc == SQLITE_OK ? virtio_gpu_name_functions(sq, run_id) : rc;
}

int ds_derive_run_fw_messages(struct ds_db *db, int64_t run_id, char *err, size_t errlen)
{
	sqlite3 *sq = ds_db_sqlite(db);

	if (derive_fw_messages(sq, run_id) != SQLITE_OK) {
		snprintf(err, errlen, "deriving the run's firmware messages: %s",
			 sqlite3_errmsg(sq));
		return -1;
	}
	return 0;
}

int ds_derive_kernel_rows(struct ds_db *db, char *err, size_t errlen)
{
	sqlite3 *sq = ds_db_sqlite(db);
	char *msg = NULL;
	size_t i = 0;

	if (ds_db_commit(db) < 0) {
		snprintf(err, errlen, "%s", ds_db_errmsg(db));
		return -1;
	}
	if (sqlite3_exec(sq, "BEGIN", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	for (i = 0; i < sizeof(derive_sql) / sizeof(derive_sql[0]); i++)
		if (sqlite3_exec(sq, derive_sql[i], NULL, NULL, &msg) != SQLITE_OK)
			goto fail;
	if (derive_fw_messages(sq, 0) != SQLITE_OK ||
	    sqlite3_exec(sq, "DROP TABLE temp.k_dev", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(sq, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "deriving typed rows (step %zu): %s", i,
		 msg ? msg : sqlite3_errmsg(sq));
	sqlite3_free(msg);
	sqlite3_exec(sq, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
