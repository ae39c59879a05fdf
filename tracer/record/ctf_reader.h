/*
 * ctf_reader.h: reads an LTTng CTF trace with libbabeltrace2 and hands each
 * event, in time order across all streams, to a callback.
 *
 * The graph is src.ctf.fs -> filter.utils.muxer -> a simple sink of our
 * own (bt_graph_add_simple_sink_component), so no text is parsed. Times are
 * the clock's raw value in nanoseconds (the LTTng "monotonic" clock class
 * at 1 GHz), not "ns from origin": they are CLOCK_MONOTONIC, the clock the
 * kernel's "mono" trace clock also uses.
 */
#ifndef DRMSCOPE_CTF_READER_H
#define DRMSCOPE_CTF_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ds_ctf_event;

/* Called per event; return 0 to go on, non-zero to stop with that status. */
typedef int (*ds_ctf_event_fn)(void *ctx, const struct ds_ctf_event *ev);

struct ds_ctf_stats {
	int64_t events;		/* events delivered */
	int64_t discarded;	/* events the tracer reported discarded */
};

/*
 * Read the trace under @dir (searched recursively, as src.ctf.fs does).
 * Returns 0, the callback's non-zero status, or -1 with @err set (no trace,
 * a truncated or corrupt stream, a missing babeltrace2 plugin).
 */
int ds_ctf_read(const char *dir, ds_ctf_event_fn fn, void *ctx,
		struct ds_ctf_stats *stats, char *err, size_t errlen);

/* The event's name, e.g. "drmscope:ioctl_enter". */
const char *ds_ctf_name(const struct ds_ctf_event *ev);
/* CLOCK_MONOTONIC nanoseconds. */
int64_t ds_ctf_ns(const struct ds_ctf_event *ev);
/* Context fields added by the session (vpid, vtid, procname); 0/NULL if absent. */
int ds_ctf_vpid(const struct ds_ctf_event *ev);
int ds_ctf_vtid(const struct ds_ctf_event *ev);
const char *ds_ctf_procname(const struct ds_ctf_event *ev);

/*
 * A payload field by name. Integers of either signedness are returned as
 * 64 bits (*@val); false if the field is absent or of another type.
 */
bool ds_ctf_u64(const struct ds_ctf_event *ev, const char *name, uint64_t *val);
bool ds_ctf_i64(const struct ds_ctf_event *ev, const char *name, int64_t *val);
/* A string field (valid during the callback), or NULL. */
const char *ds_ctf_str(const struct ds_ctf_event *ev, const char *name);
/*
 * A sequence or array of unsigned integers of @elem_bytes each (1 or 8),
 * copied as little-endian bytes into @buf (at most @cap bytes). Returns
 * the number of bytes the field holds (which may exceed @cap: only @cap
 * are copied), or -1 if there is no such field.
 */
int64_t ds_ctf_bytes(const struct ds_ctf_event *ev, const char *name,
		     void *buf, size_t cap);

#endif
