/*
 * upgrade.c: `drmscope upgrade DB`, a capture written by an older drmscope
 * brought to this build's schema, in place.
 *
 * Readers never migrate (the file may be read-only, or another user's), so
 * report, compare, export and replay refuse an older schema and name this
 * command. The file is checked first (PRAGMA quick_check), then migrated by
 * ds_db_open_write() in one transaction: a failure leaves it as it was. A
 * migration that rebuilds the big tables leaves their old pages free inside
 * the file; VACUUM gives them back unless --no-vacuum.
 */
#include "builtin.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include <drmscope/db.h>

static long long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? -1 : (long long)sb.st_size;
}

/* The file's schema version, after the checks of a read-only open. */
static int read_version(const char *path)
{
	struct ds_db *db;
	int version = -1;

	if (ds_db_open_read(path, DS_DB_OPEN_OLD_SCHEMA, &db))
		fprintf(stderr, "drmscope upgrade: %s\n", ds_db_errmsg(db));
	else
		version = ds_db_schema_version(db);
	ds_db_close(db);
	return version;
}

static int migrate(const char *path, bool vacuum)
{
	struct ds_db *db;
	char *msg = NULL;
	int status = DRMSCOPE_EXIT_USAGE;

	if (ds_db_open_write(path, &db)) {
		fprintf(stderr, "drmscope upgrade: %s\n", ds_db_errmsg(db));
		goto out;
	}
	if (vacuum && sqlite3_exec(ds_db_sqlite(db), "VACUUM", NULL, NULL, &msg) != SQLITE_OK) {
		/* The migration is committed: only the space is not given back. */
		fprintf(stderr, "drmscope upgrade: %s: migrated, but VACUUM failed: %s\n", path,
			msg ? msg : "?");
		sqlite3_free(msg);
		goto out;
	}
	status = DRMSCOPE_EXIT_OK;
out:
	if (ds_db_close(db) && !status) {
		fprintf(stderr, "drmscope upgrade: %s: closing failed\n", path);
		status = DRMSCOPE_EXIT_USAGE;
	}
	return status;
}

int cmd_upgrade(int argc, char **argv)
{
	static const struct option options[] = {
		{ "no-vacuum", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	bool vacuum = true;
	long long before;
	int c, version, status;

	if (drmscope_wants_help(argc, argv))
		return DRMSCOPE_EXIT_OK;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c != 'n')
			return drmscope_usage_error("upgrade", "unknown option '%s'",
						    argv[optind - 1]);
		vacuum = false;
	}
	if (argc - optind != 1)
		return drmscope_usage_error("upgrade", "expected one database");

	version = read_version(argv[optind]);
	if (version < 0)
		return DRMSCOPE_EXIT_USAGE;
	if (version == DS_DB_SCHEMA_VERSION) {
		printf("%s: schema version %d already; nothing to do\n", argv[optind], version);
		return DRMSCOPE_EXIT_OK;
	}
	before = file_size(argv[optind]);
	status = migrate(argv[optind], vacuum);
	if (!status)
		printf("%s: schema version %d -> %d (%lld -> %lld bytes)\n", argv[optind], version,
		       DS_DB_SCHEMA_VERSION, before, file_size(argv[optind]));
	return status;
}
