/*
 * lib/db/names.c: table ioctl_name, and the writer's map of it.
 *
 * A call row names its ioctl by an id into ioctl_name, which holds each
 * distinct (name, driver) pair once. A capture has a few hundred pairs and
 * millions of calls, so the writer keeps the pairs in memory, in an
 * open-addressing hash table (at most half full, linear probing) filled
 * from the file on the first call it writes; a pair it has not seen gets a
 * row. A call then costs a hash and a compare of two short strings, not a
 * query. A NULL driver is a value of its own here, as in the UNIQUE
 * constraint's intent (SQLite would let (name, NULL) repeat).
 *
 * The map must not outlive the rows it knows: it is dropped whenever a
 * transaction of the handle is rolled back, and read again on next use.
 */
#include "db_internal.h"

#include <stdlib.h>
#include <string.h>

#define FIRST_SLOTS	256

struct dsdb_name {
	uint64_t hash;
	int64_t id;			/* 0: an empty slot */
	char *name;			/* owns the driver string too */
	const char *driver;		/* NULL: none */
};

struct dsdb_names {
	struct dsdb_name *slot;
	size_t mask;			/* slots - 1; slots is a power of two */
	size_t used;
};

/* FNV-1a of the name, a separator, the driver; NULL hashes apart from "". */
static uint64_t hash_pair(const char *name, const char *driver)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	h = (h ^ (driver ? 0 : 0xff)) * 0x100000001b3ull;
	for (p = (const unsigned char *)driver; p && *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return h;
}

static bool same_pair(const struct dsdb_name *e, const char *name, const char *driver)
{
	if (strcmp(e->name, name))
		return false;
	if (!e->driver || !driver)
		return e->driver == driver;
	return !strcmp(e->driver, driver);
}

/* The pair's slot, or the empty slot where it would go. */
static struct dsdb_name *find_slot(struct dsdb_names *m, uint64_t hash, const char *name,
				   const char *driver)
{
	size_t i = hash & m->mask;
	struct dsdb_name *e;

	for (;; i = (i + 1) & m->mask) {
		e = &m->slot[i];
		if (!e->id || (e->hash == hash && same_pair(e, name, driver)))
			return e;
	}
}

static int grow(struct dsdb_names *m)
{
	size_t slots = (m->mask + 1) * 2, i, j;
	struct dsdb_name *old = m->slot;

	m->slot = calloc(slots, sizeof(*m->slot));
	if (!m->slot) {
		m->slot = old;
		return DS_DB_NOMEM;
	}
	for (i = 0; i <= m->mask; i++) {
		if (!old[i].id)
			continue;
		for (j = old[i].hash & (slots - 1); m->slot[j].id; j = (j + 1) & (slots - 1))
			;
		m->slot[j] = old[i];
	}
	free(old);
	m->mask = slots - 1;
	return DS_DB_OK;
}

/* Remember row @id for the pair; the first row of a pair wins. */
static int add_pair(struct dsdb_names *m, uint64_t hash, const char *name,
		    const char *driver, int64_t id)
{
	size_t nlen = strlen(name) + 1, dlen = driver ? strlen(driver) + 1 : 0;
	struct dsdb_name *e;

	if ((m->used + 1) * 2 > m->mask + 1 && grow(m))
		return DS_DB_NOMEM;
	e = find_slot(m, hash, name, driver);
	if (e->id)
		return DS_DB_OK;
	e->name = malloc(nlen + dlen);
	if (!e->name)
		return DS_DB_NOMEM;
	memcpy(e->name, name, nlen);
	e->driver = driver ? memcpy(e->name + nlen, driver, dlen) : NULL;
	e->hash = hash;
	e->id = id;
	m->used++;
	return DS_DB_OK;
}

void dsdb_names_free(struct ds_db *db)
{
	struct dsdb_names *m = db->names;
	size_t i;

	if (!m)
		return;
	for (i = 0; i <= m->mask; i++)
		free(m->slot[i].name);
	free(m->slot);
	free(m);
	db->names = NULL;
}

static struct dsdb_names *new_map(void)
{
	struct dsdb_names *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->slot = calloc(FIRST_SLOTS, sizeof(*m->slot));
	if (!m->slot) {
		free(m);
		return NULL;
	}
	m->mask = FIRST_SLOTS - 1;
	return m;
}

/* Fill the map with the file's ioctl_name rows. */
static int load_names(struct ds_db *db)
{
	const char *name, *driver;
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	rc = dsdb_stmt(db, ST_NAME_ALL, &st);
	if (rc)
		return rc;
	db->names = new_map();
	if (!db->names)
		return dsdb_error(db, DS_DB_NOMEM, "out of memory");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		name = (const char *)sqlite3_column_text(st, 1);
		driver = (const char *)sqlite3_column_text(st, 2);
		if (id > 0 && name &&
		    add_pair(db->names, hash_pair(name, driver), name, driver, id)) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return DS_DB_OK;
	dsdb_names_free(db);
	if (rc == SQLITE_NOMEM)
		return dsdb_error(db, DS_DB_NOMEM, "out of memory");
	return dsdb_sqlite_error(db, "reading ioctl_name");
}

static int64_t insert_name(struct ds_db *db, const char *name, const char *driver)
{
	struct dsdb_bind b;
	int rc;

	rc = dsdb_write_begin(db, ST_NAME_INSERT, &b);
	if (rc)
		return rc;
	dsdb_bind_text(&b, name);
	dsdb_bind_text(&b, driver);
	return dsdb_write_end(db, &b, "ioctl_name");
}

/*
 * The ioctl_name id of (@name, @driver), inserting the row if the pair is
 * new; a negative status on error.
 */
int64_t dsdb_name_id(struct ds_db *db, const char *name, const char *driver)
{
	uint64_t hash = hash_pair(name, driver);
	struct dsdb_name *e;
	int64_t id;
	int rc;

	if (!db->names) {
		rc = load_names(db);
		if (rc)
			return rc;
	}
	e = find_slot(db->names, hash, name, driver);
	if (e->id)
		return e->id;
	id = insert_name(db, name, driver);
	if (id < 0)
		return id;
	/* Without the pair the map would insert it again: read it anew next time. */
	if (add_pair(db->names, hash, name, driver, id))
		dsdb_names_free(db);
	return id;
}
