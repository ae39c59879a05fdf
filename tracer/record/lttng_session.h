/*
 * lttng_session.h: a private LTTng session daemon and one recording session
 * for the shim's user-space events, driven through the `lttng` command.
 *
 * Private means: its own LTTNG_HOME under the recorder's temporary folder
 * and, when running as root (whose session daemon would otherwise use the
 * system-wide /run/lttng), its own mount namespace with a fresh tmpfs on
 * /run/lttng. A user's own LTTng sessions are never seen or touched. The
 * workload must be started by the same process after ds_lttng_start(), so
 * that it inherits the namespace and finds this daemon.
 */
#ifndef DRMSCOPE_LTTNG_SESSION_H
#define DRMSCOPE_LTTNG_SESSION_H

#include <stddef.h>
#include <sys/types.h>

struct ds_lttng {
	char home[4096];	/* LTTNG_HOME for the daemon, lttng and the app */
	char trace_dir[4096];	/* where the CTF trace is written */
	pid_t sessiond;		/* 0: not running */
	int session_created;
};

/*
 * Start the daemon in @workdir and create a session recording the
 * `drmscope:*` user-space events into @workdir/ust with blocking channels
 * (no event lost while the consumer keeps up; the app waits otherwise).
 * Returns 0 or a negative errno with @err set.
 */
int ds_lttng_start(struct ds_lttng *l, const char *workdir, char *err, size_t errlen);

/* Stop recording (flushing every buffer to disk). */
int ds_lttng_stop(struct ds_lttng *l, char *err, size_t errlen);

/* Destroy the session and stop the daemon; safe after a failed start. */
void ds_lttng_teardown(struct ds_lttng *l);

#endif
