/*
 * ctf_reader.c: an LTTng CTF trace, event by event, through libbabeltrace2.
 *
 * Workload: up to tens of millions of small events. The sink pulls message
 * batches from its iterator and calls the caller's function per event with
 * a view that reads payload fields by name on demand, so fields nobody asks
 * for cost nothing.
 */
#define _GNU_SOURCE
#include "ctf_reader.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <babeltrace2/babeltrace.h>

struct ds_ctf_event {
	const bt_event *event;
	const bt_field *payload;
	const bt_field *context;
	const char *name;
	int64_t ns;
};

struct reader {
	ds_ctf_event_fn fn;
	void *ctx;
	struct ds_ctf_stats *stats;
	int status;		/* the callback's non-zero status */
};

const char *ds_ctf_name(const struct ds_ctf_event *ev)
{
	return ev->name;
}

int64_t ds_ctf_ns(const struct ds_ctf_event *ev)
{
	return ev->ns;
}

static const bt_field *member(const bt_field *s, const char *name)
{
	if (!s || bt_field_get_class_type(s) != BT_FIELD_CLASS_TYPE_STRUCTURE)
		return NULL;
	return bt_field_structure_borrow_member_field_by_name_const(s, name);
}

static bool field_int(const bt_field *f, uint64_t *val)
{
	bt_field_class_type t;

	if (!f)
		return false;
	t = bt_field_get_class_type(f);
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
		*val = bt_field_integer_unsigned_get_value(f);
		return true;
	}
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)) {
		*val = (uint64_t)bt_field_integer_signed_get_value(f);
		return true;
	}
	return false;
}

int ds_ctf_vpid(const struct ds_ctf_event *ev)
{
	uint64_t v;

	return field_int(member(ev->context, "vpid"), &v) ? (int)v : 0;
}

int ds_ctf_vtid(const struct ds_ctf_event *ev)
{
	uint64_t v;

	return field_int(member(ev->context, "vtid"), &v) ? (int)v : 0;
}

const char *ds_ctf_procname(const struct ds_ctf_event *ev)
{
	const bt_field *f = member(ev->context, "procname");

	if (!f || bt_field_get_class_type(f) != BT_FIELD_CLASS_TYPE_STRING)
		return NULL;
	return bt_field_string_get_value(f);
}

bool ds_ctf_u64(const struct ds_ctf_event *ev, const char *name, uint64_t *val)
{
	return field_int(member(ev->payload, name), val);
}

bool ds_ctf_i64(const struct ds_ctf_event *ev, const char *name, int64_t *val)
{
	uint64_t v;

	if (!field_int(member(ev->payload, name), &v))
		return false;
	*val = (int64_t)v;
	return true;
}

const char *ds_ctf_str(const struct ds_ctf_event *ev, const char *name)
{
	const bt_field *f = member(ev->payload, name);

	if (!f || bt_field_get_class_type(f) != BT_FIELD_CLASS_TYPE_STRING)
		return NULL;
	return bt_field_string_get_value(f);
}

int64_t ds_ctf_bytes(const struct ds_ctf_event *ev, const char *name,
		     void *buf, size_t cap)
{
	const bt_field *f = member(ev->payload, name);
	const bt_field_class *elem_cls;
	unsigned char *out = buf;
	uint64_t n, i, elem_bytes;
	size_t pos = 0;

	if (!f || !bt_field_class_type_is(bt_field_get_class_type(f), BT_FIELD_CLASS_TYPE_ARRAY))
		return -1;
	n = bt_field_array_get_length(f);
	if (!n)
		return 0;
	elem_cls = bt_field_class_array_borrow_element_field_class_const(bt_field_borrow_class_const(f));
	if (!bt_field_class_type_is(bt_field_class_get_type(elem_cls), BT_FIELD_CLASS_TYPE_INTEGER))
		return -1;
	elem_bytes = (bt_field_class_integer_get_field_value_range(elem_cls) + 7) / 8;
	if (elem_bytes == 0 || elem_bytes > 8)
		return -1;
	for (i = 0; i < n && pos < cap; i++) {
		const bt_field *e = bt_field_array_borrow_element_field_by_index_const(f, i);
		uint64_t v = 0;
		size_t k;

		field_int(e, &v);
		for (k = 0; k < elem_bytes && pos < cap; k++)
			out[pos++] = (unsigned char)(v >> (8 * k));
	}
	return (int64_t)(n * elem_bytes);
}

static int handle_event(struct reader *r, const bt_message *msg)
{
	const bt_clock_snapshot *cs;
	struct ds_ctf_event ev;

	ev.event = bt_message_event_borrow_event_const(msg);
	ev.name = bt_event_class_get_name(bt_event_borrow_class_const(ev.event));
	ev.payload = bt_event_borrow_payload_field_const(ev.event);
	ev.context = bt_event_borrow_common_context_field_const(ev.event);
	ev.ns = 0;
	if (bt_message_event_borrow_stream_class_default_clock_class_const(msg)) {
		const bt_clock_class *cc;
		uint64_t freq, cycles;

		cs = bt_message_event_borrow_default_clock_snapshot_const(msg);
		cc = bt_clock_snapshot_borrow_clock_class_const(cs);
		freq = bt_clock_class_get_frequency(cc);
		cycles = bt_clock_snapshot_get_value(cs);
		if (freq == 1000000000ULL)
			ev.ns = (int64_t)cycles;
		else if (freq)
			ev.ns = (int64_t)((unsigned __int128)cycles * 1000000000ULL / freq);
	}
	if (!ev.name)
		ev.name = "";
	r->stats->events++;
	return r->fn(r->ctx, &ev);
}

static bt_graph_simple_sink_component_consume_func_status
consume(bt_message_iterator *it, void *data)
{
	struct reader *r = data;
	bt_message_array_const msgs;
	uint64_t count, i;
	bt_message_iterator_next_status st;

	st = bt_message_iterator_next(it, &msgs, &count);
	switch (st) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_AGAIN;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		break;
	default:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
	}
	for (i = 0; i < count; i++) {
		const bt_message *m = msgs[i];

		if (!r->status) {
			switch (bt_message_get_type(m)) {
			case BT_MESSAGE_TYPE_EVENT:
				r->status = handle_event(r, m);
				break;
			case BT_MESSAGE_TYPE_DISCARDED_EVENTS: {
				uint64_t n = 0;

				if (bt_message_discarded_events_get_count(m, &n) ==
				    BT_PROPERTY_AVAILABILITY_AVAILABLE)
					r->stats->discarded += (int64_t)n;
				else
					r->stats->discarded++;
				break;
			}
			default:
				break;
			}
		}
		bt_message_put_ref(m);
	}
	return r->status ? BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END
			 : BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK;
}

/* The deepest cause's message of the current thread's babeltrace2 error. */
static void take_error(const char *what, char *err, size_t errlen)
{
	const bt_error *e = bt_current_thread_take_error();
	const char *why = NULL;

	if (e) {
		uint64_t n = bt_error_get_cause_count(e);

		if (n)
			why = bt_error_cause_get_message(bt_error_borrow_cause_by_index(e, n - 1));
	}
	snprintf(err, errlen, "%s%s%s", what, why ? ": " : "", why ? why : "");
	if (e)
		bt_error_release(e);
}

#define MAX_TRACES 64

/* The trace directories under a root: those holding a "metadata" file. */
static char *found_traces[MAX_TRACES];
static int nfound_traces;

static int collect_trace(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *base = path + ftw->base;

	if (type == FTW_F && !strcmp(base, "metadata") && nfound_traces < MAX_TRACES) {
		char *dir = strndup(path, ftw->base ? ftw->base - 1 : 0);

		if (dir)
			found_traces[nfound_traces++] = dir;
	}
	return 0;
}

static int find_traces(const char *root, char *dirs[MAX_TRACES])
{
	int i, n;

	nfound_traces = 0;
	if (nftw(root, collect_trace, 16, FTW_PHYS) < 0)
		return -1;
	n = nfound_traces;
	for (i = 0; i < n; i++)
		dirs[i] = found_traces[i];
	return n;
}

static const bt_plugin *find_plugin(const char *name, char *err, size_t errlen)
{
	const bt_plugin *p = NULL;

	if (bt_plugin_find(name, BT_TRUE, BT_FALSE, BT_TRUE, BT_TRUE, BT_FALSE, &p) !=
	    BT_PLUGIN_FIND_STATUS_OK || !p) {
		bt_current_thread_clear_error();
		snprintf(err, errlen, "babeltrace2 plugin '%s' not found (install babeltrace2)", name);
		return NULL;
	}
	return p;
}

int ds_ctf_read(const char *dir, ds_ctf_event_fn fn, void *ctx,
		struct ds_ctf_stats *stats, char *err, size_t errlen)
{
	const bt_plugin *ctf = NULL, *utils = NULL;
	const bt_component_filter *mux = NULL;
	const bt_component_sink *sink = NULL;
	bt_value *params = NULL, *inputs = NULL;
	bt_graph *graph = NULL;
	struct reader r = { .fn = fn, .ctx = ctx, .stats = stats };
	bt_graph_run_status run;
	struct stat st;
	uint64_t i, nports, connected = 0;
	char *traces[MAX_TRACES];
	int ntraces = 0, t;
	int ret = -1;

	memset(stats, 0, sizeof(*stats));
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a trace directory", dir);
		return -1;
	}
	ctf = find_plugin("ctf", err, errlen);
	utils = ctf ? find_plugin("utils", err, errlen) : NULL;
	if (!ctf || !utils)
		goto out;
	ntraces = find_traces(dir, traces);
	if (ntraces <= 0) {
		snprintf(err, errlen, "no CTF trace (no metadata file) under %s", dir);
		goto out;
	}
	graph = bt_graph_create(0);
	if (!graph) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (bt_graph_add_filter_component(graph,
			bt_plugin_borrow_filter_component_class_by_name_const(utils, "muxer"),
			"mux", NULL, BT_LOGGING_LEVEL_NONE, &mux) != BT_GRAPH_ADD_COMPONENT_STATUS_OK ||
	    bt_graph_add_simple_sink_component(graph, "sink", NULL, consume, NULL, &r, &sink) !=
			BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		take_error("cannot build the trace graph", err, errlen);
		goto out;
	}
	for (t = 0; t < ntraces; t++) {
		const bt_component_source *src = NULL;
		char name[32];

		params = bt_value_map_create();
		inputs = bt_value_array_create();
		if (!params || !inputs ||
		    bt_value_array_append_string_element(inputs, traces[t]) ||
		    bt_value_map_insert_entry(params, "inputs", inputs)) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		snprintf(name, sizeof(name), "src%d", t);
		if (bt_graph_add_source_component(graph,
				bt_plugin_borrow_source_component_class_by_name_const(ctf, "fs"),
				name, params, BT_LOGGING_LEVEL_NONE, &src) !=
		    BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
			char what[300];

			snprintf(what, sizeof(what), "cannot open the CTF trace %s", traces[t]);
			take_error(what, err, errlen);
			goto out;
		}
		BT_VALUE_PUT_REF_AND_RESET(inputs);
		BT_VALUE_PUT_REF_AND_RESET(params);
		nports = bt_component_source_get_output_port_count(src);
		for (i = 0; i < nports; i++) {
			const bt_port_output *op =
				bt_component_source_borrow_output_port_by_index_const(src, i);
			const bt_port_input *ip =
				bt_component_filter_borrow_input_port_by_index_const(mux, connected);

			if (!ip || bt_graph_connect_ports(graph, op, ip, NULL) !=
			    BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
				take_error("cannot connect the trace graph", err, errlen);
				goto out;
			}
			connected++;
		}
	}
	if (!connected) {
		snprintf(err, errlen, "no CTF streams found under %s", dir);
		goto out;
	}
	if (bt_graph_connect_ports(graph,
			bt_component_filter_borrow_output_port_by_index_const(mux, 0),
			bt_component_sink_borrow_input_port_by_index_const(sink, 0), NULL) !=
	    BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
		take_error("cannot connect the trace graph", err, errlen);
		goto out;
	}
	do {
		run = bt_graph_run(graph);
	} while (run == BT_GRAPH_RUN_STATUS_AGAIN);
	if (r.status) {
		ret = r.status;
		bt_current_thread_clear_error();
	} else if (run != BT_GRAPH_RUN_STATUS_OK) {
		take_error("reading the CTF trace failed (truncated or corrupt?)", err, errlen);
	} else {
		ret = 0;
	}
out:
	for (t = 0; t < ntraces; t++)
		free(traces[t]);
	bt_value_put_ref(inputs);
	bt_value_put_ref(params);
	bt_graph_put_ref(graph);
	bt_plugin_put_ref(ctf);
	bt_plugin_put_ref(utils);
	return ret;
}
