/*
 * kevents.c: kernel tracepoints from tracefs into kernel_event rows.
 *
 * Assumes a workload of up to a few million events: a reader thread wakes
 * every few milliseconds, drains every CPU's ring buffer of a private
 * tracefs instance through libtracefs (which consumes what it reads), and
 * turns each record into one row whose fields are a JSON object built from
 * the event's format (numbers as numbers, strings as strings, arrays as
 * arrays; unsigned 64-bit values above INT64_MAX as "0x..." strings so no
 * reader loses their bits).
 */
#define _GNU_SOURCE
#include "kevents.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tracefs.h>
#include <event-parse.h>

#include <drmscope/db.h>

#define KEVENTS_BUFFER_KB	8192	/* per CPU */
#define KEVENTS_POLL_US		20000

const char *const ds_kevents_default_systems[] = {
	"simgpu", "gpu_scheduler", "dma_fence", "drm", "virtio_gpu",
	"xe", "i915", "amdgpu", "msm", "panthor", "nouveau", NULL,
};

struct json_buf {
	char *s;
	size_t len;
	size_t cap;
	bool failed;
};

struct ds_kevents {
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	struct ds_db *db;
	pthread_t thread;
	bool thread_started;
	volatile bool stopping;
	int64_t events;
	int error;		/* first error the reader met, negative errno */
	char errmsg[256];
	struct json_buf json;
};

static void json_reserve(struct json_buf *j, size_t more)
{
	char *s;
	size_t cap;

	if (j->failed || j->len + more + 1 <= j->cap)
		return;
	cap = j->cap ? j->cap : 256;
	while (cap < j->len + more + 1)
		cap *= 2;
	s = realloc(j->s, cap);
	if (!s) {
		j->failed = true;
		return;
	}
	j->s = s;
	j->cap = cap;
}

static void json_printf(struct json_buf *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void json_printf(struct json_buf *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	json_reserve(j, 64);
	if (j->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(j->s + j->len, j->cap - j->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		j->failed = true;
		return;
	}
	if ((size_t)n >= j->cap - j->len) {
		json_reserve(j, (size_t)n);
		if (j->failed)
			return;
		va_start(ap, fmt);
		vsnprintf(j->s + j->len, j->cap - j->len, fmt, ap);
		va_end(ap);
	}
	j->len += (size_t)n;
}

/* Append @len bytes of @str as a JSON string (stopping at a NUL). */
static void json_string(struct json_buf *j, const char *str, size_t len)
{
	size_t i;

	json_printf(j, "\"");
	for (i = 0; i < len && str[i]; i++) {
		unsigned char c = (unsigned char)str[i];

		if (c == '"' || c == '\\')
			json_printf(j, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			json_printf(j, "\\u%04x", c);
		else
			json_printf(j, "%c", c);
	}
	json_printf(j, "\"");
}

static void json_number(struct json_buf *j, unsigned long long v, int size, bool is_signed)
{
	if (is_signed) {
		long long sv;

		switch (size) {
		case 1: sv = (int8_t)v; break;
		case 2: sv = (int16_t)v; break;
		case 4: sv = (int32_t)v; break;
		default: sv = (long long)v; break;
		}
		json_printf(j, "%lld", sv);
	} else if (v > INT64_MAX) {
		json_printf(j, "\"0x%llx\"", v);
	} else {
		json_printf(j, "%llu", v);
	}
}

static unsigned long long read_scalar(const void *p, int size)
{
	switch (size) {
	case 1: return *(const uint8_t *)p;
	case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
	case 8: { uint64_t v; memcpy(&v, p, 8); return v; }
	default: return 0;
	}
}

/* The JSON object of one record's fields, following the event's format. */
static void format_fields(struct json_buf *j, struct tep_event *event,
			  struct tep_record *rec)
{
	struct tep_format_field *f;
	const char *data = rec->data;
	int size = rec->size;
	bool first = true;

	json_printf(j, "{");
	for (f = event->format.fields; f; f = f->next) {
		int off = f->offset, len = f->size;

		if (!first)
			json_printf(j, ",");
		first = false;
		json_string(j, f->name, strlen(f->name));
		json_printf(j, ":");

		if (f->flags & TEP_FIELD_IS_DYNAMIC) {
			unsigned int v;

			if (off < 0 || off + 4 > size) {
				json_printf(j, "null");
				continue;
			}
			v = (unsigned int)read_scalar(data + off, 4);
			off = v & 0xffff;
			len = v >> 16;
			if (f->flags & TEP_FIELD_IS_RELATIVE)
				off += f->offset + f->size;
		}
		if (off < 0 || len < 0 || off + len > size) {
			json_printf(j, "null");
			continue;
		}
		if (f->flags & TEP_FIELD_IS_STRING) {
			json_string(j, data + off, (size_t)len);
		} else if (f->flags & TEP_FIELD_IS_ARRAY) {
			int el = f->elementsize > 0 ? f->elementsize : 1;
			int i;

			if (el > 8)
				el = 1;
			json_printf(j, "[");
			for (i = 0; i + el <= len; i += el) {
				if (i)
					json_printf(j, ",");
				json_number(j, read_scalar(data + off + i, el), el,
					    f->flags & TEP_FIELD_IS_SIGNED);
			}
			json_printf(j, "]");
		} else if (len == 1 || len == 2 || len == 4 || len == 8) {
			json_number(j, read_scalar(data + off, len), len,
				    f->flags & TEP_FIELD_IS_SIGNED);
		} else {
			json_printf(j, "null");
		}
	}
	json_printf(j, "}");
}

static int on_record(struct tep_event *event, struct tep_record *rec, int cpu, void *ctx)
{
	struct ds_kevents *k = ctx;
	struct ds_db_kernel_event row;

	if (k->error)
		return 1;
	k->json.len = 0;
	format_fields(&k->json, event, rec);
	if (k->json.failed) {
		k->error = -ENOMEM;
		snprintf(k->errmsg, sizeof(k->errmsg), "out of memory formatting kernel events");
		return 1;
	}
	row = (struct ds_db_kernel_event){
		.ns = (int64_t)rec->ts,
		.cpu = cpu,
		.pid = tep_data_pid(k->tep, rec),
		.system = event->system,
		.name = event->name,
		.fields_json = k->json.s,
	};
	if (ds_db_insert_kernel_event(k->db, &row) < 0) {
		k->error = -EIO;
		snprintf(k->errmsg, sizeof(k->errmsg), "storing a kernel event: %s",
			 ds_db_errmsg(k->db));
		return 1;
	}
	k->events++;
	return 0;
}

static void drain(struct ds_kevents *k)
{
	tracefs_iterate_raw_events(k->tep, k->inst, NULL, 0, on_record, k);
}

static void *reader_thread(void *arg)
{
	struct ds_kevents *k = arg;

	while (!k->stopping && !k->error) {
		drain(k);
		usleep(KEVENTS_POLL_US);
	}
	return NULL;
}

/* Does the running kernel have this system (or system:event)? */
static bool have_events(const char *tracing_dir, const char *name)
{
	char path[512];
	const char *colon = strchr(name, ':');

	if (colon)
		snprintf(path, sizeof(path), "%s/events/%.*s/%s", tracing_dir,
			 (int)(colon - name), name, colon + 1);
	else
		snprintf(path, sizeof(path), "%s/events/%s", tracing_dir, name);
	return access(path, F_OK) == 0;
}

static int enable(struct ds_kevents *k, const char *name, char *err, size_t errlen)
{
	char sys[128];
	const char *colon = strchr(name, ':');
	const char *event = NULL;

	if (colon) {
		snprintf(sys, sizeof(sys), "%.*s", (int)(colon - name), name);
		event = colon + 1;
	} else {
		snprintf(sys, sizeof(sys), "%s", name);
	}
	if (tracefs_event_enable(k->inst, sys, event) < 0) {
		snprintf(err, errlen, "cannot enable kernel events '%s'", name);
		return -EINVAL;
	}
	return 0;
}

/*
 * Remove the instance: while it exists with events enabled, the kernel
 * holds a reference on their modules (simgpu could not be unloaded). The
 * kernel refuses while a reader still has a buffer open, so retry a while.
 */
static int remove_instance(struct tracefs_instance *inst)
{
	int i;

	tracefs_trace_off(inst);
	tracefs_event_disable(inst, NULL, NULL);
	for (i = 0; i < 50; i++) {
		if (tracefs_instance_destroy(inst) == 0)
			return 0;
		usleep(20000);
	}
	return -EBUSY;
}

static void kevents_free(struct ds_kevents *k)
{
	if (k->inst) {
		if (remove_instance(k->inst))
			fprintf(stderr, "drmscope: warning: could not remove tracefs instance %s\n",
				tracefs_instance_get_name(k->inst));
		tracefs_instance_free(k->inst);
	}
	if (k->tep)
		tep_free(k->tep);
	free(k->json.s);
	free(k);
}

int ds_kevents_start(struct ds_kevents **out, const char *const *systems,
		     struct ds_db *db, char *err, size_t errlen)
{
	const char *tracing_dir = tracefs_tracing_dir();
	const char *const *names = systems ? systems : ds_kevents_default_systems;
	struct ds_kevents *k;
	char inst_name[64];
	size_t enabled = 0;
	int ret;

	if (!tracing_dir || !have_events(tracing_dir, "")) {
		snprintf(err, errlen, "tracefs is not mounted (need /sys/kernel/tracing)");
		return -ENOENT;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	k->db = db;
	snprintf(inst_name, sizeof(inst_name), "drmscope-%d", (int)getpid());
	k->inst = tracefs_instance_create(inst_name);
	if (!k->inst) {
		snprintf(err, errlen, "cannot create tracefs instance %s: %s (need root)",
			 inst_name, strerror(errno));
		ret = -errno ? -errno : -EIO;
		goto err_free;
	}
	tracefs_trace_off(k->inst);
	if (tracefs_instance_file_write(k->inst, "trace_clock", "mono") < 0) {
		snprintf(err, errlen, "cannot select the mono trace clock");
		ret = -EIO;
		goto err_free;
	}
	tracefs_instance_set_buffer_size(k->inst, KEVENTS_BUFFER_KB, -1);
	tracefs_instance_file_write(k->inst, "trace", "");

	for (; *names; names++) {
		if (!have_events(tracing_dir, *names)) {
			if (systems) {
				snprintf(err, errlen, "the running kernel has no events '%s'", *names);
				ret = -ENOENT;
				goto err_free;
			}
			continue;
		}
		ret = enable(k, *names, err, errlen);
		if (ret)
			goto err_free;
		enabled++;
	}
	if (!enabled && systems) {
		snprintf(err, errlen, "no kernel events selected");
		ret = -EINVAL;
		goto err_free;
	}
	k->tep = tracefs_local_events(tracing_dir);
	if (!k->tep) {
		snprintf(err, errlen, "cannot read the kernel's event formats");
		ret = -EIO;
		goto err_free;
	}
	if (tracefs_trace_on(k->inst) < 0) {
		snprintf(err, errlen, "cannot turn tracing on");
		ret = -EIO;
		goto err_free;
	}
	ret = -pthread_create(&k->thread, NULL, reader_thread, k);
	if (ret) {
		snprintf(err, errlen, "cannot start the kernel event reader");
		goto err_free;
	}
	k->thread_started = true;
	*out = k;
	return 0;

err_free:
	kevents_free(k);
	return ret;
}

/* Sum a counter ("overrun", "dropped events") over every CPU's stats file. */
static int64_t sum_cpu_stat(struct tracefs_instance *inst, const char *key)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int64_t total = 0;
	size_t keylen = strlen(key);
	long cpu;

	for (cpu = 0; cpu < ncpu; cpu++) {
		char file[64], *text, *line;

		snprintf(file, sizeof(file), "per_cpu/cpu%ld/stats", cpu);
		text = tracefs_instance_file_read(inst, file, NULL);
		if (!text)
			continue;
		for (line = text; line && *line; line = strchr(line, '\n')) {
			if (*line == '\n')
				line++;
			if (!strncmp(line, key, keylen) && line[keylen] == ':')
				total += strtoll(line + keylen + 1, NULL, 10);
		}
		free(text);
	}
	return total;
}

int ds_kevents_stop(struct ds_kevents *k, int64_t *events, int64_t *lost,
		    char *err, size_t errlen)
{
	int ret = 0;

	tracefs_trace_off(k->inst);
	k->stopping = true;
	if (k->thread_started)
		pthread_join(k->thread, NULL);
	if (!k->error)
		drain(k);
	*lost = sum_cpu_stat(k->inst, "overrun") + sum_cpu_stat(k->inst, "dropped events");
	*events = k->events;
	if (k->error) {
		snprintf(err, errlen, "%s", k->errmsg);
		ret = k->error;
	}
	kevents_free(k);
	return ret;
}
