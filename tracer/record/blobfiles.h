/*
 * blobfiles.h: the shim's blob side files (buffer contents, large arrays),
 * indexed by content hash for the importer.
 */
#ifndef DRMSCOPE_BLOBFILES_H
#define DRMSCOPE_BLOBFILES_H

#include <stddef.h>
#include <stdint.h>

#include "u64map.h"

struct blob_entry;

struct ds_blobfiles {
	int *fds;
	int nfiles;
	struct blob_entry *entries;
	size_t n, cap;
	struct u64map by_hash;	/* hash key -> entry index + 1 */
	int64_t bad_records;	/* torn or foreign records skipped */
};

/* Index every blobs-*.bin in @dir (NULL: none). Returns 0 or -errno. */
int ds_blobfiles_open(struct ds_blobfiles *b, const char *dir, char *err, size_t errlen);

/*
 * The content whose XXH3-128 is @hash_hi:@hash_lo, in a malloc'd buffer the
 * caller frees. -ENOENT if absent, -EBADMSG if the stored bytes do not
 * decompress to content with that hash.
 */
int ds_blobfiles_get(struct ds_blobfiles *b, uint64_t hash_hi, uint64_t hash_lo,
		     void **data, size_t *size);

void ds_blobfiles_close(struct ds_blobfiles *b);

#endif
