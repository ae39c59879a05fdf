/*
 * import_cmd.c: `drmscope import TRACE_DIR -o capture.db`: turn an LTTng
 * trace of the shim's events, recorded by the user's own LTTng session,
 * into a trace database. Buffer contents come from the shim's blob files
 * when --blobs DIR names the DRMSCOPE_BLOB_DIR the program ran with.
 */
#define _GNU_SOURCE
#include "builtin.h"
#include "import.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <drmscope/db.h>

int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "blobs", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL, *blobs = NULL;
	struct ds_import_stats st = { 0 };
	struct ds_db_capture cap = { 0 };
	struct ds_db *db = NULL;
	struct utsname uts;
	bool force = false, quiet = false;
	char err[512];
	int opt, ret, status = DRMSCOPE_EXIT_OK;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:b:fqh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': output = optarg; break;
		case 'b': blobs = optarg; break;
		case 'f': force = true; break;
		case 'q': quiet = true; break;
		case 'h':
			drmscope_print_usage(stdout, drmscope_find_cmd("import"));
			return DRMSCOPE_EXIT_OK;
		default:
			return drmscope_usage_error("import", "unknown option");
		}
	}
	if (optind != argc - 1)
		return drmscope_usage_error("import", "expected one TRACE_DIR");
	if (!output)
		return drmscope_usage_error("import", "missing -o capture.db");
	if (access(output, F_OK) == 0) {
		if (!force) {
			fprintf(stderr, "drmscope import: %s exists (use --force to replace it)\n",
				output);
			return DRMSCOPE_EXIT_USAGE;
		}
		unlink(output);
	}
	if (ds_db_create(output, &db) < 0) {
		fprintf(stderr, "drmscope import: cannot create %s: %s\n", output,
			ds_db_errmsg(db));
		ds_db_close(db);
		return DRMSCOPE_EXIT_USAGE;
	}
	ret = ds_import(db, argv[optind], blobs, !quiet, &st, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "drmscope import: %s: %s\n", argv[optind], err);
		status = DRMSCOPE_EXIT_USAGE;
	} else {
		uname(&uts);
		cap.host = uts.nodename;
		cap.kernel_release = uts.release;
		cap.machine = uts.machine;
		cap.source = "import";
		cap.lost_events = st.lost;
		if (ds_db_set_capture(db, &cap) < 0) {
			fprintf(stderr, "drmscope import: %s\n", ds_db_errmsg(db));
			status = DRMSCOPE_EXIT_USAGE;
		}
	}
	if (ds_db_close(db) < 0 && status == DRMSCOPE_EXIT_OK)
		status = DRMSCOPE_EXIT_USAGE;
	if (status != DRMSCOPE_EXIT_OK) {
		unlink(output);	/* a half-imported file is no capture */
		return status;
	}
	if (!quiet)
		fprintf(stderr, "drmscope import: %lld events, %lld ioctls, %lld lost -> %s\n",
			(long long)st.events, (long long)st.ioctls, (long long)st.lost, output);
	return DRMSCOPE_EXIT_OK;
}
