/*
 * blobfiles.c: reads the shim's blob side files (blobs-<pid>.bin, record
 * layout in tracer/shim.h: struct blob_header then the stored bytes, raw or
 * one zstd frame) and finds a content by its XXH3-128 hash.
 *
 * The files are untrusted: every header is checked against the file's size,
 * a record that runs past the end ends that file (a killed program leaves a
 * torn last record), sizes are capped, and the content read back is hashed
 * again before it is believed.
 */
#define _GNU_SOURCE
#include "blobfiles.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>
#include <zstd.h>

#define BLOB_HEADER_SIZE	40
#define BLOB_MAX_SIZE		((uint64_t)1 << 32)	/* 4 GiB per content */

struct blob_entry {
	uint8_t hash[16];
	int file;
	uint16_t encoding;
	uint64_t offset;
	uint64_t raw_size;
	uint64_t stored_size;
};

static uint64_t key_of(const uint8_t hash[16])
{
	uint64_t k;

	memcpy(&k, hash + 8, sizeof(k));
	return k ? k : 1;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static int index_file(struct ds_blobfiles *b, int file, int fd, int64_t *bad)
{
	struct stat st;
	uint8_t h[BLOB_HEADER_SIZE];
	uint64_t off = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	while (off + BLOB_HEADER_SIZE <= (uint64_t)st.st_size) {
		struct blob_entry *e;
		uint64_t raw, stored;
		uint16_t enc;

		if (pread(fd, h, sizeof(h), (off_t)off) != (ssize_t)sizeof(h))
			break;
		raw = le64(h + 8);
		stored = le64(h + 16);
		enc = (uint16_t)(h[6] | h[7] << 8);
		if (memcmp(h, "DSB1", 4) || (h[4] | h[5] << 8) != 1 || enc > 1 ||
		    raw > BLOB_MAX_SIZE || stored > BLOB_MAX_SIZE ||
		    off + BLOB_HEADER_SIZE + stored > (uint64_t)st.st_size) {
			(*bad)++;	/* a torn or foreign record ends the file */
			break;
		}
		if (b->n == b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 256;
			struct blob_entry *n = realloc(b->entries, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			b->entries = n;
			b->cap = cap;
		}
		e = &b->entries[b->n];
		memcpy(e->hash, h + 24, 16);
		e->file = file;
		e->encoding = enc;
		e->offset = off + BLOB_HEADER_SIZE;
		e->raw_size = raw;
		e->stored_size = stored;
		if (u64map_put(&b->by_hash, key_of(e->hash), b->n + 1))
			return -ENOMEM;
		b->n++;
		off += BLOB_HEADER_SIZE + stored;
	}
	return 0;
}

int ds_blobfiles_open(struct ds_blobfiles *b, const char *dir, char *err, size_t errlen)
{
	struct dirent *de;
	DIR *d;
	int ret = 0;

	memset(b, 0, sizeof(*b));
	if (!dir)
		return 0;
	d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "cannot open blob folder %s: %s", dir, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		int fd;

		if (strncmp(de->d_name, "blobs-", 6) || len < 10 ||
		    strcmp(de->d_name + len - 4, ".bin"))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (b->nfiles % 16 == 0) {
			int *n = realloc(b->fds, (b->nfiles + 16) * sizeof(*n));

			if (!n) {
				close(fd);
				ret = -ENOMEM;
				break;
			}
			b->fds = n;
		}
		b->fds[b->nfiles] = fd;
		ret = index_file(b, b->nfiles, fd, &b->bad_records);
		b->nfiles++;
		if (ret)
			break;
	}
	closedir(d);
	if (ret)
		snprintf(err, errlen, "indexing blob files: %s", strerror(-ret));
	return ret;
}

int ds_blobfiles_get(struct ds_blobfiles *b, uint64_t hash_hi, uint64_t hash_lo,
		     void **data, size_t *size)
{
	uint8_t want[16];
	struct blob_entry *e;
	uint64_t idx;
	void *stored = NULL, *out = NULL;
	XXH128_hash_t got;
	int i;

	for (i = 0; i < 8; i++) {
		want[i] = (uint8_t)(hash_hi >> (56 - 8 * i));
		want[8 + i] = (uint8_t)(hash_lo >> (56 - 8 * i));
	}
	idx = u64map_get(&b->by_hash, key_of(want));
	if (!idx)
		return -ENOENT;
	e = &b->entries[idx - 1];
	if (memcmp(e->hash, want, 16))
		return -ENOENT;
	stored = malloc(e->stored_size ? e->stored_size : 1);
	if (!stored)
		return -ENOMEM;
	if (pread(b->fds[e->file], stored, e->stored_size, (off_t)e->offset) !=
	    (ssize_t)e->stored_size)
		goto corrupt;
	if (e->encoding == 1) {
		size_t n;

		out = malloc(e->raw_size ? e->raw_size : 1);
		if (!out) {
			free(stored);
			return -ENOMEM;
		}
		n = ZSTD_decompress(out, e->raw_size, stored, e->stored_size);
		if (ZSTD_isError(n) || n != e->raw_size)
			goto corrupt;
		free(stored);
	} else {
		if (e->raw_size != e->stored_size)
			goto corrupt;
		out = stored;
	}
	stored = NULL;
	got = XXH3_128bits(out, e->raw_size);
	if (got.high64 != hash_hi || got.low64 != hash_lo)
		goto corrupt;
	*data = out;
	*size = e->raw_size;
	return 0;
corrupt:
	free(stored);
	free(out);
	return -EBADMSG;
}

void ds_blobfiles_close(struct ds_blobfiles *b)
{
	int i;

	for (i = 0; i < b->nfiles; i++)
		close(b->fds[i]);
	free(b->fds);
	free(b->entries);
	u64map_free(&b->by_hash);
	memset(b, 0, sizeof(*b));
}
