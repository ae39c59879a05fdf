/*
 * lib/db/reader.c: opening a database that is only read, defensively.
 *
 * A capture may come from someone else, so before any query runs on it the
 * reader checks, cheapest first: that the path is a regular file; that its
 * 100-byte header is SQLite's, with a sane page size, and that the file is
 * as long as the header says (a truncated copy is the commonest damage);
 * that SQLite opens it read-only with SQLITE_DBCONFIG_DEFENSIVE,
 * query_only and trusted_schema off; that application_id is drmscope's and
 * user_version the current schema (an older one only if the caller asks
 * for it: readers are never migrated); that the schema parses and has the
 * core tables; and, unless the caller opts out, PRAGMA quick_check.
 * Each failure has its own status and a message that names the file.
 */
#include "db_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SQLITE_HEADER_SIZE	100

static const char sqlite_magic[16] = "SQLite format 3";	/* with its NUL */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Read up to the first 100 bytes; returns how many, or -1 with errno. */
static ssize_t read_header(const char *path, unsigned char *hdr, struct stat *sb)
{
	ssize_t n = -1;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);	/* a FIFO must not block */
	if (fd < 0)
		return -1;
	if (fstat(fd, sb) < 0)
		goto out;
	if (!S_ISREG(sb->st_mode)) {
		errno = EINVAL;
		goto out;
	}
	n = pread(fd, hdr, SQLITE_HEADER_SIZE, 0);
out:
	err = errno;
	close(fd);
	errno = err;
	return n;
}

/* Check the header against the file's length. */
static int check_header(struct ds_db *db, const unsigned char *hdr, const struct stat *sb)
{
	uint32_t page_size = (uint32_t)hdr[16] << 8 | hdr[17];
	uint32_t pages = be32(hdr + 28);
	long long expected;

	if (page_size == 1)
		page_size = 65536;
	if (page_size < 512 || (page_size & (page_size - 1)))
		return dsdb_error(db, DS_DB_CORRUPT,
				  "%s: corrupt SQLite header (page size %" PRIu32 ")",
				  db->path, page_size);
	if (sb->st_size % page_size)
		return dsdb_error(db, DS_DB_CORRUPT,
				  "%s: truncated or damaged: %lld bytes is not a whole number of %" PRIu32 "-byte pages",
				  db->path, (long long)sb->st_size, page_size);
	/* The page count is valid when the change counter matches offset 92. */
	if (pages && be32(hdr + 24) == be32(hdr + 92)) {
		expected = (long long)pages * page_size;
		if (sb->st_size < expected)
			return dsdb_error(db, DS_DB_CORRUPT,
					  "%s: truncated: %lld bytes, but its header says %lld",
					  db->path, (long long)sb->st_size, expected);
	}
	return DS_DB_OK;
}

/* Before SQLite sees the file: does it exist, is it SQLite, is it whole? */
int dsdb_check_file(struct ds_db *db)
{
	unsigned char hdr[SQLITE_HEADER_SIZE];
	struct stat sb;
	ssize_t n;

	n = read_header(db->path, hdr, &sb);
	if (n < 0) {
		if (errno == ENOENT)
			return dsdb_error(db, DS_DB_IO, "%s: no such file", db->path);
		if (errno == EINVAL)
			return dsdb_error(db, DS_DB_IO, "%s: not a regular file", db->path);
		return dsdb_error(db, DS_DB_IO, "%s: %s", db->path, strerror(errno));
	}
	if (n == 0)
		return dsdb_error(db, DS_DB_NOT_SQLITE,
				  "%s: empty file, not a drmscope database", db->path);
	if ((size_t)n < sizeof(sqlite_magic) || memcmp(hdr, sqlite_magic, sizeof(sqlite_magic)))
		return dsdb_error(db, DS_DB_NOT_SQLITE,
				  "%s: not an SQLite database, so not a drmscope database", db->path);
	if (n < SQLITE_HEADER_SIZE)
		return dsdb_error(db, DS_DB_CORRUPT, "%s: truncated: only %zd bytes", db->path, n);
	return check_header(db, hdr, &sb);
}

/* Is this drmscope's, and of a schema version we handle? */
int dsdb_check_identity(struct ds_db *db, bool for_write)
{
	int64_t app, ver;
	int rc;

	rc = dsdb_pragma_int(db, "application_id", &app);
	if (rc)
		return rc;
	if (app != DS_DB_APPLICATION_ID)
		return dsdb_error(db, DS_DB_FOREIGN,
				  "%s: an SQLite database, but not a drmscope one (application_id 0x%08llx, expected 0x%08x)",
				  db->path, (unsigned long long)(uint32_t)app, DS_DB_APPLICATION_ID);
	rc = dsdb_pragma_int(db, "user_version", &ver);
	if (rc)
		return rc;
	if (ver > DS_DB_SCHEMA_VERSION)
		return dsdb_error(db, DS_DB_TOO_NEW,
				  "%s: schema version %lld is newer than this drmscope understands (%d); use a newer drmscope",
				  db->path, (long long)ver, DS_DB_SCHEMA_VERSION);
	if (ver < 0)
		return dsdb_error(db, DS_DB_CORRUPT, "%s: invalid schema version %lld",
				  db->path, (long long)ver);
	if (!for_write && ver < DS_DB_SCHEMA_VERSION_MIN)
		return dsdb_error(db, DS_DB_TOO_OLD,
				  "%s: schema version %lld is older than this drmscope reads (%d or later)",
				  db->path, (long long)ver, DS_DB_SCHEMA_VERSION_MIN);
	db->version = (int)ver;
	return DS_DB_OK;
}

/* The schema parses and holds the core tables of its version. */
static int check_tables(struct ds_db *db)
{
	static const struct {
		const char *name;
		int since;		/* schema version that added it */
	} core[] = {
		{ "capture", 1 }, { "ioctl", 1 }, { "blob", 1 },
		{ "ioctl_call", 5 }, { "ioctl_name", 5 },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(core) / sizeof(core[0]); i++) {
		if (db->version < core[i].since)
			continue;
		rc = ds_db_has_table(db, core[i].name);
		if (rc < 0)
			return rc;
		if (!rc)
			return dsdb_error(db, DS_DB_CORRUPT, "%s: damaged: table %s is missing",
					  db->path, core[i].name);
	}
	return DS_DB_OK;
}

/*
 * Readers query the current layout (ioctl_call, ioctl_name): an older file
 * is opened only for callers that say they cope (info, query), and never
 * migrated here: the file may be read-only, or someone else's.
 */
static int check_current(struct ds_db *db, unsigned int flags)
{
	if (db->version >= DS_DB_SCHEMA_VERSION || (flags & DS_DB_OPEN_OLD_SCHEMA))
		return DS_DB_OK;
	return dsdb_error(db, DS_DB_TOO_OLD,
			  "%s: schema version %d is older than this drmscope reads (%d);"
			  " `drmscope upgrade %s` migrates it in place (older drmscope"
			  " builds cannot read it afterwards)",
			  db->path, db->version, DS_DB_SCHEMA_VERSION, db->path);
}

/* quick_check's first finding, on one line and without its preamble. */
static int report_check(struct ds_db *db, const char *msg)
{
	static const char preamble[] = "*** in database main ***\n";
	char line[256];
	size_t i;

	if (!msg)
		msg = "quick_check failed";
	if (!strncmp(msg, preamble, sizeof(preamble) - 1))
		msg += sizeof(preamble) - 1;
	for (i = 0; msg[i] && i + 1 < sizeof(line); i++)
		line[i] = msg[i] == '\n' ? ' ' : msg[i];
	line[i] = '\0';
	return dsdb_error(db, DS_DB_CORRUPT, "%s: corrupt: %s", db->path, line);
}

/* PRAGMA quick_check: reads every page, O(file size). */
static int quick_check(struct ds_db *db)
{
	sqlite3_stmt *st = NULL;
	const char *msg;
	int rc;

	rc = sqlite3_prepare_v2(db->sql, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		msg = (const char *)sqlite3_column_text(st, 0);
		rc = msg && !strcmp(msg, "ok") ? DS_DB_OK : report_check(db, msg);
	} else {
		rc = dsdb_sqlite_error(db, "checking integrity");
		if (rc == DS_DB_ERROR)
			rc = DS_DB_CORRUPT;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Nothing the file holds may change the connection or run untrusted code. */
static int harden(struct ds_db *db)
{
	int rc;

	rc = sqlite3_db_config(db->sql, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(db->sql, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_db_config(db->sql, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	if (rc != SQLITE_OK)
		return dsdb_sqlite_error(db, "configuring the connection");
	/*
	 * Reads go through a memory map (SQLite caps its size, 2 GiB in
	 * Debian's build): a full scan of a large capture then costs no
	 * read() copies, about a third of its time. The content of a hostile
	 * file is as safe this way as through read(); only a file that
	 * another process truncates while it is open could fault.
	 */
	return dsdb_exec(db, "PRAGMA query_only = 1; PRAGMA trusted_schema = OFF;"
			 " PRAGMA mmap_size = 2147418112",
			 "configuring the connection");
}

int ds_db_open_read(const char *path, unsigned int flags, struct ds_db **dbp)
{
	struct ds_db *db;
	int rc;

	*dbp = db = dsdb_alloc(path, true);
	if (!db)
		return DS_DB_NOMEM;
	rc = dsdb_check_file(db);
	if (rc)
		return rc;
	rc = dsdb_open_sqlite(db, SQLITE_OPEN_READONLY);
	if (rc)
		return rc;
	rc = harden(db);
	if (rc)
		return rc;
	rc = dsdb_check_identity(db, false);
	if (rc)
		return rc;
	rc = check_current(db, flags);
	if (rc)
		return rc;
	rc = check_tables(db);
	if (rc)
		return rc;
	if (!(flags & DS_DB_OPEN_NO_CHECK))
		rc = quick_check(db);
	return rc;
}
