/*
 * lib/db/blob.c: the content-addressed blob store (table blob).
 *
 * Buffer contents are big and repeat a lot (the same texture submitted on
 * every frame), so each distinct content is stored once, under the XXH3-128
 * hash of its bytes, compressed with zstd (or kept raw when zstd does not
 * make it smaller). Reading is defensive: the output is bounded by the
 * stored raw size and the caller's limit, and the hash of what comes out
 * must match the key, so a damaged or forged row is reported, not used.
 */
#include "db_internal.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>
#include <zstd.h>

#define BLOB_ZSTD_LEVEL	3

void ds_db_hash(const void *data, size_t size, char hash[DS_DB_HASH_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	XXH128_canonical_t c;
	size_t i;

	XXH128_canonicalFromHash(&c, XXH3_128bits(size ? data : "", size));
	for (i = 0; i < sizeof(c.digest); i++) {
		hash[2 * i] = hex[c.digest[i] >> 4];
		hash[2 * i + 1] = hex[c.digest[i] & 0xf];
	}
	hash[DS_DB_HASH_HEX_LEN] = '\0';
}

static bool valid_hash(const char *hash)
{
	size_t i;

	if (!hash)
		return false;
	for (i = 0; i < DS_DB_HASH_HEX_LEN; i++)
		if (!((hash[i] >= '0' && hash[i] <= '9') || (hash[i] >= 'a' && hash[i] <= 'f')))
			return false;
	return hash[DS_DB_HASH_HEX_LEN] == '\0';
}

void dsdb_blob_free(struct ds_db *db)
{
	ZSTD_freeCCtx(db->cctx);
	ZSTD_freeDCtx(db->dctx);
	free(db->zbuf);
	db->cctx = NULL;
	db->dctx = NULL;
	db->zbuf = NULL;
	db->zbuf_size = 0;
}

/* 1 if blob @hash is stored, 0 if not, or a negative status. */
static int blob_exists(struct ds_db *db, const char *hash)
{
	sqlite3_stmt *st;
	int rc;

	rc = dsdb_stmt(db, ST_BLOB_EXISTS, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, hash, DS_DB_HASH_HEX_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return dsdb_sqlite_error(db, "looking up a blob");
}

/* Compress into db->zbuf; *@out is the compressed size. */
static int compress_blob(struct ds_db *db, const void *data, size_t size, size_t *out)
{
	size_t bound = ZSTD_compressBound(size);
	void *buf;
	size_t n;

	if (ZSTD_isError(bound) || bound == 0)
		return dsdb_error(db, DS_DB_TOO_BIG, "%s: a blob of %zu bytes is too big",
				  db->path, size);
	if (!db->cctx) {
		db->cctx = ZSTD_createCCtx();
		if (!db->cctx)
			return dsdb_error(db, DS_DB_NOMEM, "out of memory");
	}
	if (db->zbuf_size < bound) {
		buf = realloc(db->zbuf, bound);
		if (!buf)
			return dsdb_error(db, DS_DB_NOMEM, "out of memory");
		db->zbuf = buf;
		db->zbuf_size = bound;
	}
	n = ZSTD_compressCCtx(db->cctx, db->zbuf, bound, data, size, BLOB_ZSTD_LEVEL);
	if (ZSTD_isError(n))
		return dsdb_error(db, DS_DB_ERROR, "%s: zstd: %s", db->path, ZSTD_getErrorName(n));
	*out = n;
	return DS_DB_OK;
}

int ds_db_put_blob(struct ds_db *db, const void *data, size_t size,
		   char hash[DS_DB_HASH_HEX_LEN + 1])
{
	struct dsdb_bind b;
	size_t zsize = 0;
	int64_t rc;
	bool packed;

	if (!data && size)
		return dsdb_error(db, DS_DB_INVALID, "%s: blob without data", db->path);
	ds_db_hash(data, size, hash);
	rc = dsdb_write_begin(db, ST_BLOB_INSERT, &b);
	if (rc)
		return (int)rc;
	rc = blob_exists(db, hash);
	if (rc)
		return rc > 0 ? 0 : (int)rc;
	rc = compress_blob(db, data, size, &zsize);
	if (rc)
		return (int)rc;
	packed = zsize < size;
	dsdb_bind_text(&b, hash);
	dsdb_bind_i64(&b, (int64_t)size);
	dsdb_bind_text(&b, packed ? "zstd" : "raw");
	dsdb_bind_blob(&b, packed ? db->zbuf : (size ? data : ""), packed ? zsize : size);
	rc = dsdb_write_end(db, &b, "blob");
	return rc < 0 ? (int)rc : 1;
}

/* Decompress @n bytes at @src into exactly @raw bytes at @dst. */
static int unpack(struct ds_db *db, const char *hash, const void *src, size_t n,
		  void *dst, size_t raw)
{
	unsigned long long content;
	size_t got;

	content = ZSTD_getFrameContentSize(src, n);
	if (content == ZSTD_CONTENTSIZE_ERROR)
		return dsdb_error(db, DS_DB_CORRUPT, "%s: blob %s: not zstd data", db->path, hash);
	if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != raw)
		return dsdb_error(db, DS_DB_CORRUPT,
				  "%s: blob %s: holds %llu bytes, its row says %zu",
				  db->path, hash, content, raw);
	if (!db->dctx) {
		db->dctx = ZSTD_createDCtx();
		if (!db->dctx)
			return dsdb_error(db, DS_DB_NOMEM, "out of memory");
	}
	got = ZSTD_decompressDCtx(db->dctx, dst, raw, src, n);
	if (ZSTD_isError(got))
		return dsdb_error(db, DS_DB_CORRUPT, "%s: blob %s: zstd: %s", db->path, hash,
				  ZSTD_getErrorName(got));
	if (got != raw)
		return dsdb_error(db, DS_DB_CORRUPT, "%s: blob %s: %zu bytes, its row says %zu",
				  db->path, hash, got, raw);
	return DS_DB_OK;
}

/* Turn the current row of ST_BLOB_GET into checked bytes at *@data. */
static int read_row(struct ds_db *db, sqlite3_stmt *st, const char *hash,
		    size_t max_size, void **data, size_t *size)
{
	int64_t raw = sqlite3_column_int64(st, 0);
	const char *enc = (const char *)sqlite3_column_text(st, 1);
	const void *src = sqlite3_column_blob(st, 2);
	size_t n = (size_t)sqlite3_column_bytes(st, 2);
	char check[DS_DB_HASH_HEX_LEN + 1];
	void *buf;
	int rc;

	if (raw < 0 || !enc)
		return dsdb_error(db, DS_DB_CORRUPT, "%s: blob %s: damaged row", db->path, hash);
	if ((uint64_t)raw > max_size)
		return dsdb_error(db, DS_DB_TOO_BIG, "%s: blob %s: %lld bytes, more than the %zu allowed",
				  db->path, hash, (long long)raw, max_size);
	buf = malloc(raw ? (size_t)raw : 1);
	if (!buf)
		return dsdb_error(db, DS_DB_NOMEM, "out of memory");
	if (!strcmp(enc, "zstd")) {
		rc = unpack(db, hash, src, n, buf, (size_t)raw);
	} else if (!strcmp(enc, "raw")) {
		rc = DS_DB_OK;
		if (n != (size_t)raw)
			rc = dsdb_error(db, DS_DB_CORRUPT, "%s: blob %s: %zu bytes, its row says %lld",
					db->path, hash, n, (long long)raw);
		else if (n)
			memcpy(buf, src, n);
	} else {
		rc = dsdb_error(db, DS_DB_CORRUPT, "%s: blob %s: unknown encoding '%s'",
				db->path, hash, enc);
	}
	if (!rc) {
		ds_db_hash(buf, (size_t)raw, check);
		if (strcmp(check, hash))
			rc = dsdb_error(db, DS_DB_CORRUPT,
					"%s: blob %s: content does not match its hash (%s)",
					db->path, hash, check);
	}
	if (rc) {
		free(buf);
		return rc;
	}
	*data = buf;
	*size = (size_t)raw;
	return DS_DB_OK;
}

int ds_db_get_blob(struct ds_db *db, const char *hash, size_t max_size,
		   void **data, size_t *size)
{
	sqlite3_stmt *st;
	int rc;

	*data = NULL;
	*size = 0;
	if (!valid_hash(hash))
		return dsdb_error(db, DS_DB_INVALID, "%s: '%s' is not a blob hash", db->path,
				  hash ? hash : "(null)");
	rc = dsdb_stmt(db, ST_BLOB_GET, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, hash, DS_DB_HASH_HEX_LEN, SQLITE_STATIC);
	if (!max_size)
		max_size = DS_DB_BLOB_MAX_DEFAULT;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = read_row(db, st, hash, max_size, data, size);
	else if (rc == SQLITE_DONE)
		rc = dsdb_error(db, DS_DB_NOTFOUND, "%s: no blob %s", db->path, hash);
	else
		rc = dsdb_sqlite_error(db, "reading a blob");
	sqlite3_reset(st);
	return rc;
}
