/*
 * test_fwabi.c: the simgpu firmware message decoder against messages
 * encoded by hand from the layouts in kmod/simgpu_fw_abi.h, for both ABI
 * versions, plus truncated payloads, unknown functions and small buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <drmscope/fwabi.h>

static void put(uint8_t *p, unsigned off, unsigned size, uint64_t v)
{
	unsigned i;

	for (i = 0; i < size; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

static void test_job_submit_v1(void **state)
{
	uint8_t msg[24] = { 0 };
	char json[256];

	put(msg, 0, 4, 3);		/* queue */
	put(msg, 4, 4, 42);		/* seqno */
	put(msg, 8, 8, 0x100000);	/* cmd_va */
	put(msg, 16, 4, 64);		/* cmd_size */
	assert_int_equal(ds_fwabi_simgpu_decode(1, 0x09, msg, sizeof(msg), json, sizeof(json)), 4);
	assert_string_equal(json, "{\"queue\":3,\"seqno\":42,\"cmd_va\":\"0x100000\",\"cmd_size\":64}");
}

static void test_job_submit_v2(void **state)
{
	uint8_t msg[32] = { 0 };
	char json[256];

	put(msg, 0, 8, 0x100000);	/* cmd_va */
	put(msg, 8, 8, 42);		/* seqno */
	put(msg, 16, 4, 3);		/* queue */
	put(msg, 20, 4, 64);		/* cmd_size */
	put(msg, 28, 4, 10000);		/* timeout_ms */
	assert_int_equal(ds_fwabi_simgpu_decode(2, 0x09, msg, sizeof(msg), json, sizeof(json)), 6);
	assert_string_equal(json, "{\"cmd_va\":\"0x100000\",\"seqno\":42,\"queue\":3,"
			    "\"cmd_size\":64,\"flags\":\"0x0\",\"timeout_ms\":10000}");
}

static void test_negative_status(void **state)
{
	uint8_t msg[16] = { 0 };
	char json[256];

	put(msg, 0, 4, 7);
	put(msg, 4, 4, (uint32_t)-14);	/* -EFAULT */
	assert_int_equal(ds_fwabi_simgpu_decode(1, 0x81, msg, sizeof(msg), json, sizeof(json)), 3);
	assert_non_null(strstr(json, "\"status\":-14"));
}

static void test_truncated(void **state)
{
	uint8_t msg[32] = { 0 };
	char json[256];

	/* v2 JOB_DONE is 48 bytes; the tracepoint carries the first 32 */
	put(msg, 8, 8, 0xdeadbeefcafef00dULL);
	assert_int_equal(ds_fwabi_simgpu_decode(2, 0x82, msg, sizeof(msg), json, sizeof(json)), 4);
	assert_non_null(strstr(json, "\"hash\":\"0xdeadbeefcafef00d\""));
	assert_non_null(strstr(json, "\"truncated\":true"));
	assert_null(strstr(json, "\"queue\""));
}

static void test_unknown(void **state)
{
	uint8_t msg[8] = { 0 };
	char json[64];

	assert_int_equal(ds_fwabi_simgpu_decode(3, 0x09, msg, sizeof(msg), json, sizeof(json)), -1);
	assert_string_equal(json, "{}");
	assert_int_equal(ds_fwabi_simgpu_decode(1, 0x84, msg, sizeof(msg), json, sizeof(json)), -1);
	assert_int_equal(ds_fwabi_simgpu_decode(2, 0x84, msg, 0, json, sizeof(json)), 0);
	assert_string_equal(json, "{\"truncated\":true}");
	/* too small an output buffer is an error, never an overflow */
	assert_int_equal(ds_fwabi_simgpu_decode(2, 0x84, msg, sizeof(msg), json, 8), -1);
}

static void test_names(void **state)
{
	assert_string_equal(ds_fwabi_simgpu_name(0x09), "JOB_SUBMIT");
	assert_string_equal(ds_fwabi_simgpu_name(0x84), "JOB_STARTED");
	assert_null(ds_fwabi_simgpu_name(0x7f));
	assert_null(ds_fwabi_simgpu_name(4096));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_submit_v1),
		cmocka_unit_test(test_job_submit_v2),
		cmocka_unit_test(test_negative_status),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
