/*
 * u64map.h: an open-addressing hash map from non-zero 64-bit keys to 64-bit
 * values, for the importer's look-ups (fds by pid and number, objects by
 * file and handle). Linear probing, grows at 50% load, no deletion but
 * overwrite (a dead entry is overwritten with value 0 by its owner).
 */
#ifndef DRMSCOPE_U64MAP_H
#define DRMSCOPE_U64MAP_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

struct u64map {
	uint64_t *keys;
	uint64_t *vals;
	size_t cap;	/* power of two, or 0 */
	size_t used;
};

static inline size_t u64map_slot(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

/* The value of @key, or 0 if absent. */
static inline uint64_t u64map_get(const struct u64map *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return 0;
	for (i = u64map_slot(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return m->vals[i];
	return 0;
}

static inline int u64map_put(struct u64map *m, uint64_t key, uint64_t val);

static inline int u64map_grow(struct u64map *m)
{
	struct u64map n = { .cap = m->cap ? m->cap * 2 : 1024 };
	size_t i;

	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++)
		if (m->keys[i])
			u64map_put(&n, m->keys[i], m->vals[i]);
	free(m->keys);
	free(m->vals);
	*m = n;
	return 0;
}

/* Set @key (non-zero) to @val. Returns 0 or -ENOMEM. */
static inline int u64map_put(struct u64map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if ((m->used + 1) * 2 > m->cap && u64map_grow(m))
		return -ENOMEM;
	for (i = u64map_slot(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return 0;
		}
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->used++;
	return 0;
}

static inline void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = m->vals = NULL;
	m->cap = m->used = 0;
}

#endif
