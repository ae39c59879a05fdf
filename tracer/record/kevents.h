/*
 * kevents.h: records kernel tracepoints (simgpu, gpu_scheduler, dma_fence,
 * drm, virtio_gpu, ...) from tracefs into the trace database while a
 * workload runs.
 *
 * It works in a private tracefs instance (so the user's own tracing is left
 * alone) on the "mono" trace clock, which is CLOCK_MONOTONIC: the clock
 * LTTng-UST stamps the shim's events with, so both land on one timeline.
 * A reader thread drains the per-CPU ring buffers with libtracefs while the
 * workload runs and writes one kernel_event row per event (fields as JSON);
 * events the kernel dropped (ring buffer overruns) are counted.
 */
#ifndef DRMSCOPE_KEVENTS_H
#define DRMSCOPE_KEVENTS_H

#include <stddef.h>
#include <stdint.h>

struct ds_db;
struct ds_kevents;

/* The systems recorded when the user names none: those the kernel has. */
extern const char *const ds_kevents_default_systems[];

/*
 * Start recording. @systems: NULL-terminated list of event systems
 * ("simgpu") or "system:event" names; NULL for the defaults. Systems the
 * running kernel does not have are skipped when they are defaults and an
 * error when the user named them. @db: where rows go; the reader thread is
 * the only user of @db until ds_kevents_stop() returns. @err: a message on
 * failure. Returns 0 or a negative errno; *@out is set on success.
 */
int ds_kevents_start(struct ds_kevents **out, const char *const *systems,
		     struct ds_db *db, char *err, size_t errlen);

/*
 * Stop recording, drain what is left, remove the tracefs instance and free
 * @k. *@events gets the number of events stored, *@lost the number the
 * kernel dropped. Returns 0 or a negative errno (with @err set).
 */
int ds_kevents_stop(struct ds_kevents *k, int64_t *events, int64_t *lost,
		    char *err, size_t errlen);

#endif
