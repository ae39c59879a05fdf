/*
 * ctf_reader.c: an LTTng CTF trace, event by event, through libbabeltrace2.
 *
 * Workload: up to tens of millions of small events, and an importer that
 * spends as long writing them to SQLite as babeltrace2 spends decoding
 * them. So the two run side by side: a reader thread runs the babeltrace2
 * graph (which it alone builds, runs and destroys: babeltrace2 objects and
 * errors belong to a thread) and copies each event into a batch -- its
 * name, time, context and payload fields, flat -- and the caller's thread
 * takes full batches and calls the callback per event. The accessors read
 * the copied fields by name. Batches go round a small pool, so memory
 * stays bounded (QUEUE_BATCHES at most are in flight).
 *
 * Field and event names point into the trace's classes, which live as long
 * as the graph: the reader thread destroys it only after the caller's
 * thread has finished the last batch.
 */
#define _GNU_SOURCE
#include "ctf_reader.h"

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <babeltrace2/babeltrace.h>

#define BATCH_EVENTS	4096
#define BATCH_ARENA	(4u << 20)	/* bytes of strings and sequences */
#define QUEUE_BATCHES	4

enum field_kind { F_INT, F_STR, F_BYTES };

/* One payload field, copied. */
struct field {
	const char *name;
	enum field_kind kind;
	uint32_t len;		/* F_STR: strlen; F_BYTES: bytes */
	uint64_t val;		/* F_INT: the value; else: offset in the arena */
};

struct batch;

struct ds_ctf_event {
	const struct batch *b;
	const char *name;
	int64_t ns;
	uint64_t vpid, vtid;
	int64_t procname;	/* offset in the arena, or -1 */
	uint32_t first, nfields;
};

struct batch {
	struct ds_ctf_event *ev;
	uint32_t nev;
	struct field *fields;
	uint32_t nfields, cap_fields;
	uint8_t *arena;
	size_t used, cap_arena;
	struct batch *next;
};

struct reader {
	/* set up by ds_ctf_read() */
	const char *dir;
	char *err;
	size_t errlen;

	/* shared, under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch *full_head, *full_tail;	/* for the caller's thread */
	struct batch *free_list;
	int nbatches;			/* allocated */
	bool ended;			/* the reader thread sent its last batch */
	bool stop;			/* the caller's thread wants no more */
	bool consumer_done;		/* ... and holds no batch any more */
	int64_t discarded;
	int result;			/* the reader thread's: 0 or -1 (err set) */

	/* the reader thread's own */
	struct batch *cur;
	bool oom;
	const bt_field_class *ctx_class;	/* the last context's class */
	int64_t ctx_vpid, ctx_vtid, ctx_procname; /* its members' indexes */
};

const char *ds_ctf_name(const struct ds_ctf_event *ev)
{
	return ev->name;
}

int64_t ds_ctf_ns(const struct ds_ctf_event *ev)
{
	return ev->ns;
}

int ds_ctf_vpid(const struct ds_ctf_event *ev)
{
	return (int)ev->vpid;
}

int ds_ctf_vtid(const struct ds_ctf_event *ev)
{
	return (int)ev->vtid;
}

const char *ds_ctf_procname(const struct ds_ctf_event *ev)
{
	return ev->procname < 0 ? NULL : (const char *)ev->b->arena + ev->procname;
}

static const struct field *find(const struct ds_ctf_event *ev, const char *name)
{
	const struct field *f = ev->b->fields + ev->first;
	uint32_t i;

	for (i = 0; i < ev->nfields; i++)
		if (f[i].name[0] == name[0] && !strcmp(f[i].name, name))
			return &f[i];
	return NULL;
}

bool ds_ctf_u64(const struct ds_ctf_event *ev, const char *name, uint64_t *val)
{
	const struct field *f = find(ev, name);

	if (!f || f->kind != F_INT)
		return false;
	*val = f->val;
	return true;
}

bool ds_ctf_i64(const struct ds_ctf_event *ev, const char *name, int64_t *val)
{
	uint64_t v;

	if (!ds_ctf_u64(ev, name, &v))
		return false;
	*val = (int64_t)v;
	return true;
}

const char *ds_ctf_str(const struct ds_ctf_event *ev, const char *name)
{
	const struct field *f = find(ev, name);

	if (!f || f->kind != F_STR)
		return NULL;
	return (const char *)ev->b->arena + f->val;
}

int64_t ds_ctf_bytes(const struct ds_ctf_event *ev, const char *name,
		     void *buf, size_t cap)
{
	const struct field *f = find(ev, name);

	if (!f || f->kind != F_BYTES)
		return -1;
	memcpy(buf, ev->b->arena + f->val, f->len < cap ? f->len : cap);
	return f->len;
}

/* ------------------------------------------------------- the reader thread */

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

/* Room for @len more arena bytes; returns the offset, or -1. */
static int64_t arena_take(struct reader *r, size_t len)
{
	struct batch *b = r->cur;
	size_t off = b->used;

	if (off + len > b->cap_arena) {
		size_t cap = b->cap_arena ? b->cap_arena : BATCH_ARENA;
		uint8_t *a;

		while (cap < off + len)
			cap *= 2;
		a = realloc(b->arena, cap);
		if (!a) {
			r->oom = true;
			return -1;
		}
		b->arena = a;
		b->cap_arena = cap;
	}
	b->used = off + len;
	return (int64_t)off;
}

static struct field *field_take(struct reader *r)
{
	struct batch *b = r->cur;

	if (b->nfields == b->cap_fields) {
		uint32_t cap = b->cap_fields ? 2 * b->cap_fields : 8 * BATCH_EVENTS;
		struct field *f = realloc(b->fields, cap * sizeof(*f));

		if (!f) {
			r->oom = true;
			return NULL;
		}
		b->fields = f;
		b->cap_fields = cap;
	}
	return &b->fields[b->nfields++];
}

static int64_t copy_string(struct reader *r, const char *s)
{
	size_t len = strlen(s);
	int64_t off = arena_take(r, len + 1);

	if (off >= 0)
		memcpy(r->cur->arena + off, s, len + 1);
	return off;
}

/* An array of integers as little-endian bytes of their width. */
static bool copy_array(struct reader *r, const bt_field *f, struct field *out)
{
	const bt_field_class *elem_cls =
		bt_field_class_array_borrow_element_field_class_const(bt_field_borrow_class_const(f));
	bt_field_class_type t = bt_field_class_get_type(elem_cls);
	uint64_t n = bt_field_array_get_length(f), i, elem_bytes;
	bool is_signed;
	int64_t off;
	uint8_t *p;

	if (!bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_INTEGER))
		return false;
	is_signed = bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER);
	elem_bytes = (bt_field_class_integer_get_field_value_range(elem_cls) + 7) / 8;
	if (elem_bytes == 0 || elem_bytes > 8 || n > UINT32_MAX / elem_bytes)
		return false;
	off = arena_take(r, n * elem_bytes);
	if (off < 0)
		return false;
	p = r->cur->arena + off;
	for (i = 0; i < n; i++) {
		const bt_field *e = bt_field_array_borrow_element_field_by_index_const(f, i);
		uint64_t v, k;

		/* every element is of the class just checked */
		v = is_signed ? (uint64_t)bt_field_integer_signed_get_value(e)
			      : bt_field_integer_unsigned_get_value(e);
		if (elem_bytes == 8) {
			memcpy(p, &v, 8);	/* little-endian hosts only (x86, arm64) */
			p += 8;
			continue;
		}
		for (k = 0; k < elem_bytes; k++)
			*p++ = (uint8_t)(v >> (8 * k));
	}
	out->kind = F_BYTES;
	out->val = (uint64_t)off;
	out->len = (uint32_t)(n * elem_bytes);
	return true;
}

static void copy_payload(struct reader *r, const bt_field *payload, struct ds_ctf_event *ev)
{
	const bt_field_class *cls;
	uint64_t i, n;

	if (!payload || bt_field_get_class_type(payload) != BT_FIELD_CLASS_TYPE_STRUCTURE)
		return;
	cls = bt_field_borrow_class_const(payload);
	n = bt_field_class_structure_get_member_count(cls);
	for (i = 0; i < n; i++) {
		const bt_field *f = bt_field_structure_borrow_member_field_by_index_const(payload, i);
		bt_field_class_type t = bt_field_get_class_type(f);
		struct field *out = field_take(r);

		if (!out)
			return;
		out->name = bt_field_class_structure_member_get_name(
			bt_field_class_structure_borrow_member_by_index_const(cls, i));
		out->len = 0;
		if (field_int(f, &out->val)) {
			out->kind = F_INT;
		} else if (t == BT_FIELD_CLASS_TYPE_STRING) {
			int64_t off = copy_string(r, bt_field_string_get_value(f));

			if (off < 0) {
				r->cur->nfields--;
				return;
			}
			out->kind = F_STR;
			out->val = (uint64_t)off;
		} else if (!bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_ARRAY) ||
			   !copy_array(r, f, out)) {
			r->cur->nfields--;	/* a type nobody asks for */
			continue;
		}
		ev->nfields++;
	}
}

/* Member index of @name in the structure class @cls, or -1. */
static int64_t member_index(const bt_field_class *cls, const char *name)
{
	uint64_t i, n = bt_field_class_structure_get_member_count(cls);

	for (i = 0; i < n; i++)
		if (!strcmp(bt_field_class_structure_member_get_name(
				bt_field_class_structure_borrow_member_by_index_const(cls, i)), name))
			return (int64_t)i;
	return -1;
}

static const bt_field *member_at(const bt_field *s, int64_t i)
{
	return i < 0 ? NULL : bt_field_structure_borrow_member_field_by_index_const(s, (uint64_t)i);
}

/* vpid, vtid, procname; where they sit is looked up once per context class. */
static void copy_context(struct reader *r, const bt_field *ctx, struct ds_ctf_event *ev)
{
	const bt_field_class *cls;
	const bt_field *f;

	ev->vpid = ev->vtid = 0;
	ev->procname = -1;
	if (!ctx || bt_field_get_class_type(ctx) != BT_FIELD_CLASS_TYPE_STRUCTURE)
		return;
	cls = bt_field_borrow_class_const(ctx);
	if (cls != r->ctx_class) {
		r->ctx_class = cls;
		r->ctx_vpid = member_index(cls, "vpid");
		r->ctx_vtid = member_index(cls, "vtid");
		r->ctx_procname = member_index(cls, "procname");
	}
	field_int(member_at(ctx, r->ctx_vpid), &ev->vpid);
	field_int(member_at(ctx, r->ctx_vtid), &ev->vtid);
	f = member_at(ctx, r->ctx_procname);
	if (f && bt_field_get_class_type(f) == BT_FIELD_CLASS_TYPE_STRING)
		ev->procname = copy_string(r, bt_field_string_get_value(f));
}

static int64_t event_ns(const bt_message *msg)
{
	const bt_clock_snapshot *cs;
	const bt_clock_class *cc;
	uint64_t freq, cycles;

	if (!bt_message_event_borrow_stream_class_default_clock_class_const(msg))
		return 0;
	cs = bt_message_event_borrow_default_clock_snapshot_const(msg);
	cc = bt_clock_snapshot_borrow_clock_class_const(cs);
	freq = bt_clock_class_get_frequency(cc);
	cycles = bt_clock_snapshot_get_value(cs);
	if (freq == 1000000000ULL)
		return (int64_t)cycles;
	if (freq)
		return (int64_t)((unsigned __int128)cycles * 1000000000ULL / freq);
	return 0;
}

/* Hand the current batch to the caller's thread; false: stop reading. */
static bool send_batch(struct reader *r)
{
	bool stop;

	pthread_mutex_lock(&r->lock);
	if (r->cur && r->cur->nev) {
		r->cur->next = NULL;
		if (r->full_tail)
			r->full_tail->next = r->cur;
		else
			r->full_head = r->cur;
		r->full_tail = r->cur;
		r->cur = NULL;
		pthread_cond_broadcast(&r->cond);
	}
	stop = r->stop;
	pthread_mutex_unlock(&r->lock);
	return !stop;
}

/* A batch to fill: a free one, a new one while the pool is small, or wait. */
static struct batch *get_batch(struct reader *r)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&r->lock);
	while (!r->stop && !r->free_list && r->nbatches >= QUEUE_BATCHES)
		pthread_cond_wait(&r->cond, &r->lock);
	if (!r->stop) {
		if (r->free_list) {
			b = r->free_list;
			r->free_list = b->next;
		} else {
			b = calloc(1, sizeof(*b));
			if (b)
				b->ev = malloc(BATCH_EVENTS * sizeof(*b->ev));
			if (b && !b->ev) {
				free(b);
				b = NULL;
			}
			if (b)
				r->nbatches++;
		}
	}
	pthread_mutex_unlock(&r->lock);
	if (b) {
		b->nev = 0;
		b->nfields = 0;
		b->used = 0;
	}
	return b;
}

/* Copy one event into the current batch; false: stop (full pool, no memory). */
static bool take_event(struct reader *r, const bt_message *msg)
{
	const bt_event *event = bt_message_event_borrow_event_const(msg);
	struct ds_ctf_event *ev;
	const char *name;

	if (!r->cur) {
		r->cur = get_batch(r);
		if (!r->cur) {
			r->oom = !r->stop;
			return false;
		}
	}
	name = bt_event_class_get_name(bt_event_borrow_class_const(event));
	ev = &r->cur->ev[r->cur->nev];
	ev->b = r->cur;
	ev->name = name ? name : "";
	ev->ns = event_ns(msg);
	ev->first = r->cur->nfields;
	ev->nfields = 0;
	copy_context(r, bt_event_borrow_common_context_field_const(event), ev);
	copy_payload(r, bt_event_borrow_payload_field_const(event), ev);
	if (r->oom)
		return false;
	r->cur->nev++;
	if (r->cur->nev == BATCH_EVENTS || r->cur->used >= BATCH_ARENA)
		return send_batch(r);
	return true;
}

static bt_graph_simple_sink_component_consume_func_status
consume(bt_message_iterator *it, void *data)
{
	struct reader *r = data;
	bt_message_array_const msgs;
	uint64_t count, i;
	bool go_on = true;

	switch (bt_message_iterator_next(it, &msgs, &count)) {
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

		if (go_on) {
			switch (bt_message_get_type(m)) {
			case BT_MESSAGE_TYPE_EVENT:
				go_on = take_event(r, m);
				break;
			case BT_MESSAGE_TYPE_DISCARDED_EVENTS: {
				uint64_t n = 0;

				if (bt_message_discarded_events_get_count(m, &n) ==
				    BT_PROPERTY_AVAILABILITY_AVAILABLE)
					r->discarded += (int64_t)n;
				else
					r->discarded++;
				break;
			}
			default:
				break;
			}
		}
		bt_message_put_ref(m);
	}
	if (r->oom)
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
	return go_on ? BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK
		     : BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END;
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

/* Build the graph and run it; 0 or -1 with r->err set. */
static int run_graph(struct reader *r, bt_graph **graphp)
{
	const char *dir = r->dir;
	char *err = r->err;
	size_t errlen = r->errlen;
	const bt_plugin *ctf = NULL, *utils = NULL;
	const bt_component_filter *mux = NULL;
	const bt_component_sink *sink = NULL;
	bt_value *params = NULL, *inputs = NULL;
	bt_graph *graph = NULL;
	bt_graph_run_status run;
	struct stat st;
	uint64_t i, nports, connected = 0;
	char *traces[MAX_TRACES];
	int ntraces = 0, t;
	int ret = -1;

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
	*graphp = graph = bt_graph_create(0);
	if (!graph) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (bt_graph_add_filter_component(graph,
			bt_plugin_borrow_filter_component_class_by_name_const(utils, "muxer"),
			"mux", NULL, BT_LOGGING_LEVEL_NONE, &mux) != BT_GRAPH_ADD_COMPONENT_STATUS_OK ||
	    bt_graph_add_simple_sink_component(graph, "sink", NULL, consume, NULL, r, &sink) !=
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
	send_batch(r);
	if (r->stop) {
		ret = 0;	/* the caller's thread stopped it */
		bt_current_thread_clear_error();
	} else if (r->oom || run == BT_GRAPH_RUN_STATUS_MEMORY_ERROR) {
		snprintf(err, errlen, "out of memory reading the CTF trace");
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
	bt_plugin_put_ref(ctf);
	bt_plugin_put_ref(utils);
	return ret;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	bt_graph *graph = NULL;
	int ret = run_graph(r, &graph);

	pthread_mutex_lock(&r->lock);
	if (r->cur) {	/* an empty batch, never sent */
		r->cur->next = r->free_list;
		r->free_list = r->cur;
		r->cur = NULL;
	}
	r->result = ret;
	r->ended = true;
	pthread_cond_broadcast(&r->cond);
	/* the names in the batches belong to the graph's classes */
	while (!r->consumer_done)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
	bt_graph_put_ref(graph);
	return NULL;
}

static void free_batch(struct batch *b)
{
	if (!b)
		return;
	free(b->ev);
	free(b->fields);
	free(b->arena);
	free(b);
}

/* The next full batch, or NULL at the end. */
static struct batch *next_batch(struct reader *r)
{
	struct batch *b;

	pthread_mutex_lock(&r->lock);
	while (!r->full_head && !r->ended)
		pthread_cond_wait(&r->cond, &r->lock);
	b = r->full_head;
	if (b) {
		r->full_head = b->next;
		if (!r->full_head)
			r->full_tail = NULL;
	}
	pthread_mutex_unlock(&r->lock);
	return b;
}

static void give_back(struct reader *r, struct batch *b)
{
	pthread_mutex_lock(&r->lock);
	b->next = r->free_list;
	r->free_list = b;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

int ds_ctf_read(const char *dir, ds_ctf_event_fn fn, void *ctx,
		struct ds_ctf_stats *stats, char *err, size_t errlen)
{
	struct reader r = { .dir = dir, .err = err, .errlen = errlen };
	struct batch *b;
	pthread_t thread;
	int status = 0, ret;
	uint32_t i;

	memset(stats, 0, sizeof(*stats));
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.cond, NULL);
	ret = pthread_create(&thread, NULL, reader_main, &r);
	if (ret) {
		snprintf(err, errlen, "cannot start the trace reader thread: %s", strerror(ret));
		status = -1;
		goto out;
	}
	while ((b = next_batch(&r))) {
		for (i = 0; i < b->nev && !status; i++) {
			stats->events++;
			status = fn(ctx, &b->ev[i]);
		}
		give_back(&r, b);
		if (status) {
			pthread_mutex_lock(&r.lock);
			r.stop = true;
			pthread_cond_broadcast(&r.cond);
			pthread_mutex_unlock(&r.lock);
		}
	}
	pthread_mutex_lock(&r.lock);
	r.consumer_done = true;
	pthread_cond_broadcast(&r.cond);
	pthread_mutex_unlock(&r.lock);
	pthread_join(thread, NULL);
	stats->discarded = r.discarded;
	if (!status && r.result)
		status = r.result;
out:
	while (r.free_list) {
		b = r.free_list;
		r.free_list = b->next;
		free_batch(b);
	}
	pthread_cond_destroy(&r.cond);
	pthread_mutex_destroy(&r.lock);
	return status;
}
