/*
 * sort.c: sorting samples of doubles, the first step of every statistic here
 * (percentiles, ranks, pairwise differences). Samples run up to tens of
 * millions of latencies, so this is a least-significant-digit radix sort on
 * the IEEE-754 bits, mapped to unsigned integers whose order is the order of
 * the doubles: O(n) with eight byte-wide passes at most, and passes skipped
 * when every key has the same byte there (the sign and exponent bytes of
 * latencies of one magnitude). Small arrays use insertion sort.
 *
 * The caller's array holds the keys between passes; it is only ever read and
 * written through memcpy, so no double is accessed as an integer lvalue.
 */
#include "stats_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RADIX_MIN	64	/* below this, insertion sort */
#define RADIX_BITS	8
#define RADIX_BUCKETS	(1u << RADIX_BITS)
#define RADIX_PASSES	(64 / RADIX_BITS)
#define DIGIT(k, shift)	((size_t)((k) >> (shift)) & (RADIX_BUCKETS - 1))

int dss_check_finite(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return -EDOM;
	return 0;
}

int dss_check_sorted(const double *v, size_t n)
{
	size_t i;

	if (dss_check_finite(v, n))
		return -EDOM;
	for (i = 1; i < n; i++)
		if (v[i - 1] > v[i])
			return -EINVAL;
	return 0;
}

/* To sortable keys: flip the sign bit of positives, all bits of negatives. */
static inline uint64_t key_of_bits(uint64_t u)
{
	uint64_t mask = (uint64_t)-(int64_t)(u >> 63) | (UINT64_C(1) << 63);

	return u ^ mask;
}

static inline uint64_t bits_of_key(uint64_t k)
{
	uint64_t mask = (k >> 63) ? (UINT64_C(1) << 63) : ~UINT64_C(0);

	return k ^ mask;
}

static inline uint64_t load64(const void *base, size_t i)
{
	uint64_t x;

	memcpy(&x, (const char *)base + i * sizeof(x), sizeof(x));
	return x;
}

static inline void store64(void *base, size_t i, uint64_t x)
{
	memcpy((char *)base + i * sizeof(x), &x, sizeof(x));
}

static void insertion_sort(double *v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		double x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static int radix_sort(double *v, size_t n)
{
	size_t (*hist)[RADIX_BUCKETS];
	uint64_t *tmp;
	void *src, *dst;
	size_t i;
	unsigned int pass, d;

	tmp = malloc(n * sizeof(*tmp));
	hist = calloc(RADIX_PASSES, sizeof(*hist));
	if (!tmp || !hist) {
		free(tmp);
		free(hist);
		return -ENOMEM;
	}

	/* Keys into tmp, with every pass's histogram in the same sweep. */
	for (i = 0; i < n; i++) {
		uint64_t k = key_of_bits(load64(v, i));

		store64(tmp, i, k);
		for (pass = 0; pass < RADIX_PASSES; pass++)
			hist[pass][DIGIT(k, pass * RADIX_BITS)]++;
	}

	src = tmp;
	dst = v;
	for (pass = 0; pass < RADIX_PASSES; pass++) {
		unsigned int shift = pass * RADIX_BITS;
		size_t *h = hist[pass];
		size_t sum = 0;

		/* All keys share this digit: the pass would move nothing. */
		if (h[DIGIT(load64(src, 0), shift)] == n)
			continue;
		for (d = 0; d < RADIX_BUCKETS; d++) {
			size_t c = h[d];

			h[d] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++) {
			uint64_t k = load64(src, i);

			store64(dst, h[DIGIT(k, shift)]++, k);
		}
		src = dst;
		dst = (dst == (void *)v) ? (void *)tmp : (void *)v;
	}

	/* Keys back to doubles, into v whichever buffer holds them now. */
	for (i = 0; i < n; i++) {
		uint64_t bits = bits_of_key(load64(src, i));
		double x;

		memcpy(&x, &bits, sizeof(x));
		v[i] = x;
	}
	free(hist);
	free(tmp);
	return 0;
}

int ds_stats_sort(double *v, size_t n)
{
	if (!n)
		return 0;
	if (!v)
		return -EINVAL;
	if (dss_check_finite(v, n))
		return -EDOM;
	if (n < RADIX_MIN) {
		insertion_sort(v, n);
		return 0;
	}
	return radix_sort(v, n);
}

int dss_sorted_copy(const double *v, size_t n, double **out)
{
	double *c;
	int ret;

	if (dss_check_finite(v, n))
		return -EDOM;
	c = malloc((n ? n : 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	memcpy(c, v, n * sizeof(*c));
	ret = ds_stats_sort(c, n);
	if (ret) {
		free(c);
		return ret;
	}
	*out = c;
	return 0;
}
