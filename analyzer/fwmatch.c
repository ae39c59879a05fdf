/*
 * analyzer/fwmatch.c: firmware commands matched to their replies, for the
 * round trips of report/compare and the flows of export.
 *
 * The rule (docs/schema.md, fw_message): on one device, if any receive
 * message's payload has a "seq" or "ack_seq" field, a reply answers the
 * command whose seq is that field ("ack_seq" first) and receives without
 * the field answer nothing; otherwise (replies that reuse the command's
 * number, like virtio-gpu's responses) a reply answers the command with the
 * same seq on the same ring. Either way the reply is the first such receive
 * at or after the command, and it answers one command only.
 *
 * Workload: millions of messages (three per job for simgpu). One scan of
 * fw_message in row order (no sort), with the payload's key read by a
 * small JSON scanner here (SQLite's json_extract() cost about a microsecond
 * a row); commands wait in a hash table until their reply comes, so memory
 * follows the commands in flight, not the trace. A reply stored before its
 * command (rows out of time order) waits in a second table. Whether a
 * device's replies carry the key is asked once per device with a query that
 * stops at the first message that does.
 */
#include "metrics.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <drmscope/db.h>

#define ORPHANS_MAX	(1u << 20)	/* replies kept waiting for a command */

/* ---------------------------------------------------------------------- */
/* The payload's key                                                       */
/* ---------------------------------------------------------------------- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the JSON string at @p (on its opening quote); NULL if unterminated. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* To the ',' or '}' that ends the JSON value at @p; NULL if malformed. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	while (p < end) {
		if (*p == '"') {
			p = skip_string(p, end);
			if (!p)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (!depth)
				return p;
			depth--;
		} else if (*p == ',' && !depth) {
			return p;
		}
		p++;
	}
	return depth ? NULL : p;
}

int am_payload_seq(const char *s, size_t n, int64_t *seq)
{
	const char *p = s, *end = s + n, *key, *kend;
	int found = 0;		/* 1: "seq" seen, 2: "ack_seq" seen */
	char *num_end;
	long long v;

	if (!s)
		return 0;
	p = skip_ws(p, end);
	if (p >= end || *p++ != '{')
		return 0;
	for (;;) {
		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return !!found;
		key = p + 1;
		p = skip_string(p, end);
		if (!p)
			return !!found;
		kend = p - 1;
		p = skip_ws(p, end);
		if (p >= end || *p++ != ':')
			return !!found;
		p = skip_ws(p, end);
		if (p < end && (*p == '-' || isdigit((unsigned char)*p)) &&
		    ((kend - key == 7 && !memcmp(key, "ack_seq", 7)) ||
		     (kend - key == 3 && !memcmp(key, "seq", 3) && found < 2))) {
			v = strtoll(p, &num_end, 10);
			if (num_end > end)
				return !!found;
			*seq = v;
			found = kend - key == 7 ? 2 : 1;
		}
		p = skip_value(p, end);
		if (!p)
			return !!found;
		p = skip_ws(p, end);
		if (p >= end || *p != ',')
			return !!found;
		p++;
	}
}

/* ---------------------------------------------------------------------- */
/* Waiting messages                                                        */
/* ---------------------------------------------------------------------- */

struct wait_node {
	int64_t dev, key, ns, id;
	int ring;			/* -1: matches any ring */
	int fn;				/* function name index */
	int next;			/* in the bucket or the free list, -1 ends */
};

struct wait_map {
	int *bucket;
	size_t nbuckets;
	struct wait_node *node;
	size_t nnodes, cap;
	int free;
	size_t used;
};

static size_t slot(const struct wait_map *m, int64_t dev, int64_t key)
{
	uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ull ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4full;

	return (size_t)(h >> 17) & (m->nbuckets - 1);
}

static int map_grow(struct wait_map *m)
{
	size_t n = m->nbuckets ? m->nbuckets * 2 : 1024, i;
	int *b = malloc(n * sizeof(*b)), j, next;

	if (!b)
		return -1;
	for (i = 0; i < n; i++)
		b[i] = -1;
	for (i = 0; i < m->nbuckets; i++) {
		for (j = m->bucket[i]; j >= 0; j = next) {
			size_t s;

			next = m->node[j].next;
			s = (size_t)(((uint64_t)m->node[j].key * 0x9e3779b97f4a7c15ull ^
				      (uint64_t)m->node[j].dev * 0xc2b2ae3d27d4eb4full) >> 17) & (n - 1);
			m->node[j].next = b[s];
			b[s] = j;
		}
	}
	free(m->bucket);
	m->bucket = b;
	m->nbuckets = n;
	return 0;
}

static int map_add(struct wait_map *m, int64_t dev, int64_t key, int ring, int64_t ns, int64_t id,
		   int fn)
{
	struct wait_node *nodes;
	size_t s;
	int i;

	if (m->used + 1 > m->nbuckets && map_grow(m))
		return -1;
	if (m->free >= 0) {
		i = m->free;
		m->free = m->node[i].next;
	} else {
		if (m->nnodes == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 1024;

			nodes = realloc(m->node, cap * sizeof(*nodes));
			if (!nodes)
				return -1;
			m->node = nodes;
			m->cap = cap;
		}
		i = (int)m->nnodes++;
	}
	s = slot(m, dev, key);
	m->node[i] = (struct wait_node){ dev, key, ns, id, ring, fn, m->bucket[s] };
	m->bucket[s] = i;
	m->used++;
	return 0;
}

/*
 * Take the node for (@dev, @key) on ring @ring (-1, in the node or here:
 * any ring) with the earliest ns that is <= @ns (@before) or >= @ns
 * (!@before). Returns its index, now on the free list, or -1.
 */
static int map_take(struct wait_map *m, int64_t dev, int64_t key, int ring, int64_t ns,
		    bool before)
{
	int i, *link, *best = NULL;
	struct wait_node *n;

	if (!m->used)
		return -1;
	for (link = &m->bucket[slot(m, dev, key)]; (i = *link) >= 0; link = &m->node[i].next) {
		n = &m->node[i];
		if (n->dev != dev || n->key != key || (before ? n->ns > ns : n->ns < ns) ||
		    (ring >= 0 && n->ring >= 0 && n->ring != ring))
			continue;
		if (!best || n->ns < m->node[*best].ns)
			best = link;
	}
	if (!best)
		return -1;
	i = *best;
	*best = m->node[i].next;
	m->node[i].next = m->free;
	m->free = i;
	m->used--;
	return i;
}

static void map_reset(struct wait_map *m)
{
	size_t i;

	for (i = 0; i < m->nbuckets; i++)
		m->bucket[i] = -1;
	m->nnodes = 0;
	m->free = -1;
	m->used = 0;
}

static void map_free(struct wait_map *m)
{
	free(m->bucket);
	free(m->node);
	memset(m, 0, sizeof(*m));
	m->free = -1;
}

/* ---------------------------------------------------------------------- */
/* The matcher                                                             */
/* ---------------------------------------------------------------------- */

#define FN_CACHE	64

struct fw_state {
	int fn_cache[FN_CACHE];		/* function number -> interned name, -1 */
	struct wait_map pending;	/* commands waiting for their reply */
	struct wait_map orphans;	/* replies waiting for their command */
	char **names;			/* function names, interned */
	int nnames;
	int64_t *devs;			/* devices seen, and whether keyed */
	bool *keyed;
	size_t ndevs;
};

static int intern(struct fw_state *s, const char *name)
{
	char **v;
	int i;

	for (i = s->nnames - 1; i >= 0; i--)
		if (!strcmp(s->names[i], name))
			return i;
	v = realloc(s->names, (s->nnames + 1) * sizeof(*v));
	if (!v)
		return -1;
	s->names = v;
	v[s->nnames] = strdup(name);
	if (!v[s->nnames])
		return -1;
	return s->nnames++;
}

/* The interned name of function @function called @name. */
static int intern_fn(struct fw_state *s, int function, const char *name)
{
	int *c = &s->fn_cache[(unsigned int)function % FN_CACHE], i;

	if (*c >= 0 && !strcmp(s->names[*c], name))
		return *c;
	i = intern(s, name);
	if (i >= 0)
		*c = i;
	return i;
}

static void state_free(struct fw_state *s)
{
	int i;

	if (!s)
		return;
	map_free(&s->pending);
	map_free(&s->orphans);
	for (i = 0; i < s->nnames; i++)
		free(s->names[i]);
	free(s->names);
	free(s->devs);
	free(s->keyed);
	free(s);
}

int am_fw_matcher_init(struct am_fw_matcher *m, const struct am_source *src, char *err,
		       size_t errlen)
{
	static const char scan_fmt[] =
		"SELECT id, device_id, seq, ns, direction, function_name, function, payload, ring"
		" FROM fw_message WHERE %s";
	static const char probe_fmt[] =
		"SELECT payload FROM fw_message WHERE direction = 'receive'"
		" AND coalesce(device_id, 0) = ?2 AND %s"
		" AND (instr(payload, '\"seq\"') > 0 OR instr(payload, '\"ack_seq\"') > 0)";
	sqlite3 *sql = ds_db_sqlite(src->db);
	const char *filter;
	char text[512];

	memset(m, 0, sizeof(*m));
	m->src = src;
	filter = am_run_filter(src);
	m->state = calloc(1, sizeof(*m->state));
	if (!m->state) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->state->pending.free = m->state->orphans.free = -1;
	for (int i = 0; i < FN_CACHE; i++)
		m->state->fn_cache[i] = -1;
	snprintf(text, sizeof(text), scan_fmt, filter);
	if (sqlite3_prepare_v2(sql, text, -1, &m->scan, NULL) != SQLITE_OK)
		goto fail;
	snprintf(text, sizeof(text), probe_fmt, filter);
	if (sqlite3_prepare_v2(sql, text, -1, &m->probe, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", src->path, sqlite3_errmsg(sql));
	am_fw_matcher_fini(m);
	return -1;
}

void am_fw_matcher_fini(struct am_fw_matcher *m)
{
	sqlite3_finalize(m->scan);
	sqlite3_finalize(m->probe);
	state_free(m->state);
	m->scan = m->probe = NULL;
	m->state = NULL;
}

/* Does any reply of device @dev carry the key? Asked once per device. */
static int device_keyed(struct am_fw_matcher *m, int64_t run_id, int64_t dev, bool *keyed)
{
	struct fw_state *s = m->state;
	const char *p;
	int64_t seq;
	int64_t *devs;
	bool *k;
	size_t i;
	int rc;

	for (i = 0; i < s->ndevs; i++) {
		if (s->devs[i] == dev) {
			*keyed = s->keyed[i];
			return 0;
		}
	}
	*keyed = false;
	sqlite3_reset(m->probe);
	if (m->src->is_run)
		sqlite3_bind_int64(m->probe, 1, run_id);
	sqlite3_bind_int64(m->probe, 2, dev);
	while ((rc = sqlite3_step(m->probe)) == SQLITE_ROW) {
		p = (const char *)sqlite3_column_text(m->probe, 0);
		if (am_payload_seq(p, (size_t)sqlite3_column_bytes(m->probe, 0), &seq)) {
			*keyed = true;
			break;
		}
	}
	sqlite3_reset(m->probe);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	devs = realloc(s->devs, (s->ndevs + 1) * sizeof(*devs));
	if (!devs)
		return -1;
	s->devs = devs;
	k = realloc(s->keyed, (s->ndevs + 1) * sizeof(*k));
	if (!k)
		return -1;
	s->keyed = k;
	devs[s->ndevs] = dev;
	k[s->ndevs++] = *keyed;
	return 0;
}

static int emit(const struct am_fw_ops *ops, void *ctx, const struct fw_state *s,
		const struct wait_node *send, int64_t reply_id, int64_t reply_ns)
{
	struct am_fw_pair p = {
		.send_id = send->id, .send_ns = send->ns, .reply_id = reply_id,
		.reply_ns = reply_ns, .function = s->names[send->fn], .fn = send->fn,
	};

	return ops->pair ? ops->pair(ctx, &p) : 0;
}

int am_fw_match(struct am_fw_matcher *m, int64_t run_id, const struct am_fw_ops *ops,
		void *ctx, char *err, size_t errlen)
{
	struct fw_state *s = m->state;
	struct am_fw_msg msg;
	const char *name, *dir;
	char numbered[16];
	int64_t key;
	bool keyed;
	int rc, fn, i, ring;

	map_reset(&s->pending);
	map_reset(&s->orphans);
	s->ndevs = 0;
	sqlite3_reset(m->scan);
	if (m->src->is_run)
		sqlite3_bind_int64(m->scan, 1, run_id);
	while ((rc = sqlite3_step(m->scan)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(m->scan, 5);
		if (!name) {
			snprintf(numbered, sizeof(numbered), "0x%02x", sqlite3_column_int(m->scan, 6));
			name = numbered;
		}
		msg.id = sqlite3_column_int64(m->scan, 0);
		msg.dev = sqlite3_column_int64(m->scan, 1);
		msg.seq = sqlite3_column_int64(m->scan, 2);
		msg.ns = sqlite3_column_int64(m->scan, 3);
		dir = (const char *)sqlite3_column_text(m->scan, 4);
		msg.send = dir && dir[0] == 's';	/* "send" or "receive" */
		fn = intern_fn(s, sqlite3_column_int(m->scan, 6), name);
		if (fn < 0)
			goto nomem;
		msg.function = s->names[fn];
		msg.fn = fn;
		if (ops->message && ops->message(ctx, &msg))
			goto nomem;
		if (sqlite3_column_type(m->scan, 3) == SQLITE_NULL ||
		    sqlite3_column_type(m->scan, 2) == SQLITE_NULL)
			continue;
		ring = sqlite3_column_int(m->scan, 8);
		if (msg.send) {
			/* A reply read before its command (rows out of time order)? */
			i = map_take(&s->orphans, msg.dev, msg.seq, ring, msg.ns, false);
			if (i >= 0) {
				struct wait_node send = { msg.dev, msg.seq, msg.ns, msg.id, ring, fn, -1 };

				if (emit(ops, ctx, s, &send, s->orphans.node[i].id, s->orphans.node[i].ns))
					goto nomem;
			} else if (map_add(&s->pending, msg.dev, msg.seq, ring, msg.ns, msg.id, fn)) {
				goto nomem;
			}
			continue;
		}
		if (device_keyed(m, run_id, msg.dev, &keyed))
			goto sql_error;
		if (keyed) {
			if (!am_payload_seq((const char *)sqlite3_column_text(m->scan, 7),
					    (size_t)sqlite3_column_bytes(m->scan, 7), &key))
				continue;	/* an event, not a reply */
			ring = -1;		/* the key says which command */
		} else {
			key = msg.seq;		/* the same number, on the same ring */
		}
		i = map_take(&s->pending, msg.dev, key, ring, msg.ns, true);
		if (i >= 0) {
			if (emit(ops, ctx, s, &s->pending.node[i], msg.id, msg.ns))
				goto nomem;
		} else if (s->orphans.used < ORPHANS_MAX &&
			   map_add(&s->orphans, msg.dev, key, ring, msg.ns, msg.id, 0)) {
			goto nomem;
		}
	}
	if (rc == SQLITE_DONE)
		return 0;
sql_error:
	snprintf(err, errlen, "%s: %s", m->src->path, sqlite3_errmsg(ds_db_sqlite(m->src->db)));
	return -1;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}
