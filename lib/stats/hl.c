/*
 * hl.c: the Hodges-Lehmann estimate of how far B is shifted from A (the
 * median of all pairwise differences b_j - a_i) and its distribution-free
 * confidence interval, the "by how much, and how sure" of `drmscope compare`.
 *
 * There are n1 * n2 differences (10^10 for two samples of 100k), so they
 * are never built. The k-th smallest is found by a search on its value:
 * each step counts the differences <= t with two pointers over the sorted
 * samples (valid because floating-point subtraction is monotone in each
 * operand), and the same pass gives t's neighbours among the differences,
 * so the search moves between actual differences and ends on one exactly:
 * bit for bit what sorting all n1 * n2 of them would give.
 */
#include "stats_internal.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline uint64_t order_key(double x)
{
	uint64_t u;

	memcpy(&u, &x, sizeof(u));
	return u ^ ((uint64_t)-(int64_t)(u >> 63) | (UINT64_C(1) << 63));
}

static inline double from_order_key(uint64_t k)
{
	double x;

	k ^= (k >> 63) ? (UINT64_C(1) << 63) : ~UINT64_C(0);
	memcpy(&x, &k, sizeof(x));
	return x;
}

/* First i with b - a[i] <= t (n1 if none); a ascending. */
static size_t first_le(const double *a, size_t n1, double b, double t)
{
	size_t lo = 0, hi = n1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b - a[mid] > t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * One counting pass at t: how many differences are <= t, the largest
 * difference <= t and the smallest one > t (the two neighbours of t among
 * the actual differences; -inf / +inf when there is none).
 */
struct count_result {
	uint64_t le;
	double max_le;
	double min_gt;
};

/*
 * Independent two-pointer walks interleaved in one loop: a single walk is
 * bound by the latency of its own loads and compares; four in flight run
 * about 2.5x faster (3 ns per element and pass instead of 8 here).
 */
#define COUNT_STREAMS	4

/*
 * Interpolation steps of the k-th search before it falls back to bisection.
 * A test build sets it to 0 to run the fallback on every search.
 */
#ifndef DSS_KTH_INTERP_STEPS
#define DSS_KTH_INTERP_STEPS	32
#endif
static const unsigned int kth_interp_steps = DSS_KTH_INTERP_STEPS;

struct count_stream {
	size_t i;		/* next index in A */
	size_t j;		/* next row (index in B) */
	size_t end;		/* end of this stream's rows */
	double max_le;
	double min_gt;
};

/* c ? x : y on the bits, so that the compiler cannot make it a branch. */
static inline double select_double(int c, double x, double y)
{
	uint64_t bx, by, m = (uint64_t)0 - (uint64_t)c, r;
	double out;

	memcpy(&bx, &x, sizeof(bx));
	memcpy(&by, &y, sizeof(by));
	r = (bx & m) | (by & ~m);
	memcpy(&out, &r, sizeof(out));
	return out;
}

static void count_le(const double *a, size_t n1, const double *b, size_t n2,
		     double t, struct count_result *res)
{
	struct count_stream st[COUNT_STREAMS];
	uint64_t count = 0;
	unsigned int s;
	int active;

	/*
	 * For a fixed j the pairs that qualify are a suffix i >= p_j of A
	 * (b[j] - a[i] falls as a[i] grows), and p_j only grows with j. Each
	 * step either moves i past a[i] (b[j] - a[i] > t) or counts row j
	 * and moves to the next, without branches: the direction is as
	 * unpredictable as a coin toss. Once i reaches n1, no later row of
	 * the stream has a difference <= t. The rows are cut into
	 * COUNT_STREAMS blocks, each starting from its own p_j found by
	 * binary search.
	 *
	 * Every counted difference b[j] - a[p_j] is the largest <= t of its
	 * row. Every skipped one is > t, and any difference b[j] - a[i] > t
	 * is at least one skipped earlier for the same a[i] (same or smaller
	 * b), or, for i below a stream's start, at least b[j0] - a[start - 1]
	 * of the stream's first row; so the minimum over those is the
	 * smallest difference > t. (min and max are written as comparisons:
	 * fmin() and fmax() would be library calls.)
	 */
	for (s = 0; s < COUNT_STREAMS; s++) {
		struct count_stream *c = &st[s];

		c->j = n2 * s / COUNT_STREAMS;
		c->end = n2 * (s + 1) / COUNT_STREAMS;
		c->max_le = -HUGE_VAL;
		c->min_gt = HUGE_VAL;
		if (c->j >= c->end) {
			c->i = n1;
			continue;
		}
		c->i = first_le(a, n1, b[c->j], t);
		if (c->i > 0)
			c->min_gt = b[c->j] - a[c->i - 1];
	}
	do {
		active = 0;
#pragma GCC unroll 8
		for (s = 0; s < COUNT_STREAMS; s++) {
			struct count_stream *c = &st[s];
			size_t ii = c->i, jj = c->j;
			double d, gt, le;
			int skip;

			if (ii >= n1 || jj >= c->end)
				continue;
			active = 1;
			d = b[jj] - a[ii];
			skip = d > t;
			gt = select_double(skip, d, HUGE_VAL);
			le = select_double(skip, -HUGE_VAL, d);
			c->min_gt = gt < c->min_gt ? gt : c->min_gt;
			c->max_le = le > c->max_le ? le : c->max_le;
			count += (uint64_t)(n1 - ii) & ((uint64_t)skip - 1);
			c->i = ii + (size_t)skip;
			c->j = jj + (size_t)(skip ^ 1);
		}
	} while (active);

	res->le = count;
	res->max_le = -HUGE_VAL;
	res->min_gt = HUGE_VAL;
	for (s = 0; s < COUNT_STREAMS; s++) {
		if (st[s].max_le > res->max_le)
			res->max_le = st[s].max_le;
		if (st[s].min_gt < res->min_gt)
			res->min_gt = st[s].min_gt;
	}
}

int ds_stats_pairwise_kth_sorted(const double *a, size_t n1, const double *b,
				 size_t n2, uint64_t k, double *out)
{
	struct count_result c;
	double lo, hi, w_lo, w_hi;
	uint64_t c_lo, c_hi;
	unsigned int steps = 0;
	int side = 0;

	if (!a || !b || !out)
		return -EINVAL;
	if (!n1 || !n2)
		return -ENODATA;
	if (k < 1 || (uint64_t)n1 > UINT64_MAX / n2 || k > (uint64_t)n1 * n2)
		return -EINVAL;

	/*
	 * The answer d_(k) stays in [lo, hi], both actual differences:
	 * c_lo differences are < lo (c_lo < k), c_hi are <= hi (c_hi >= k).
	 * Each step counts at a t in [lo, hi) and moves one end to t's
	 * neighbour on its side, so at least one difference leaves the
	 * bracket; it ends when lo == hi.
	 *
	 * t is found by regula falsi on count(t) - (k - 1/2), with the
	 * Illinois rule (an end kept twice in a row has its weight halved)
	 * so that both ends close in: a dozen passes for the median of
	 * 10^10 differences of timings, fewer with ties. After
	 * DSS_KTH_INTERP_STEPS steps it bisects the ordered bit patterns
	 * instead, which ends within 64 more passes whatever the data.
	 */
	lo = b[0] - a[n1 - 1];
	hi = b[n2 - 1] - a[0];
	c_lo = 0;
	c_hi = (uint64_t)n1 * n2;
	w_lo = -((double)k - 0.5);
	w_hi = (double)c_hi - ((double)k - 0.5);
	while (lo < hi) {
		uint64_t klo = order_key(lo), khi = order_key(hi);
		double t = lo + (hi - lo) * (-w_lo / (w_hi - w_lo));

		if (steps++ >= kth_interp_steps || !isfinite(t))
			t = from_order_key(klo + (khi - klo) / 2);
		if (t < lo)
			t = lo;
		if (t >= hi)
			t = from_order_key(khi - 1);

		count_le(a, n1, b, n2, t, &c);
		if (c.le >= k) {
			hi = c.max_le;
			c_hi = c.le;
			w_hi = (double)c_hi - ((double)k - 0.5);
			if (side == 1)
				w_lo /= 2.0;
			side = 1;
		} else {
			lo = c.min_gt;
			c_lo = c.le;
			w_lo = (double)c_lo - ((double)k - 0.5);
			if (side == -1)
				w_hi /= 2.0;
			side = -1;
		}
	}
	/* + 0.0 turns a -0.0 into +0.0. */
	*out = hi + 0.0;
	return 0;
}

/*
 * The rank k of the interval's bounds: k - 1 is the largest u with
 * P(U <= u) <= (1 - level) / 2. Also the coverage really reached.
 */
static int ci_rank(size_t n1, size_t n2, double level, uint64_t *k_out,
		   double *level_out, int *exact_out)
{
	double half = (1.0 - level) / 2.0;
	double pairs = (double)n1 * (double)n2;
	uint64_t k = 1, kmax;

	if (dss_pairs_small(n1, n2)) {
		double *cnt, total, cum = 0.0, below = 0.0;
		size_t u, len = n1 * n2 + 1;
		int ret;

		ret = dss_u_counts(n1, n2, &cnt, &total);
		if (ret)
			return ret;
		/* The tolerance keeps 0.05 <= (1 - 0.9) / 2 true in doubles. */
		for (u = 0; u < len; u++) {
			cum += cnt[u];
			if (cum / total > half * (1.0 + 1e-9))
				break;
			k = u + 1;
			below = cum;
		}
		if (k == 1)
			below = cnt[0];
		free(cnt);
		*level_out = 1.0 - 2.0 * below / total;
		*exact_out = 1;
	} else {
		double nn = (double)n1 + (double)n2;
		double sigma = sqrt(pairs * (nn + 1.0) / 12.0);
		double z = dss_norm_isf(half);
		double kk = floor(pairs / 2.0 - z * sigma + 0.5);

		k = kk < 1.0 ? 1 : (uint64_t)kk;
		*level_out = 1.0 - 2.0 * dss_norm_sf(-(((double)k - 0.5 -
						       pairs / 2.0) / sigma));
		*exact_out = 0;
	}
	/* The two bounds must not cross: k <= (n1 n2 + 1) / 2. */
	kmax = ((uint64_t)n1 * n2 + 1) / 2;
	if (k > kmax)
		k = kmax;
	if (*level_out < 0.0)
		*level_out = 0.0;
	*k_out = k;
	return 0;
}

int ds_stats_hodges_lehmann_sorted(const double *a, size_t n1,
				   const double *b, size_t n2, double level,
				   struct ds_stats_hl *out)
{
	struct ds_stats_hl r;
	uint64_t pairs;
	double lo, hi;
	int ret;

	if (!a || !b || !out || !(level > 0.0 && level < 1.0))
		return -EINVAL;
	if (n1 < 2 || n2 < 2)
		return -ENODATA;
	ret = dss_check_sorted(a, n1);
	if (!ret)
		ret = dss_check_sorted(b, n2);
	if (ret)
		return ret;
	/* Differences of values beyond DBL_MAX / 2 could overflow to inf. */
	if (fabs(a[0]) > DBL_MAX / 2 || fabs(a[n1 - 1]) > DBL_MAX / 2 ||
	    fabs(b[0]) > DBL_MAX / 2 || fabs(b[n2 - 1]) > DBL_MAX / 2)
		return -EDOM;
	if ((uint64_t)n1 > UINT64_MAX / n2)
		return -EINVAL;
	pairs = (uint64_t)n1 * n2;

	memset(&r, 0, sizeof(r));
	if (pairs % 2) {
		ret = ds_stats_pairwise_kth_sorted(a, n1, b, n2, pairs / 2 + 1,
						   &r.shift);
	} else {
		ret = ds_stats_pairwise_kth_sorted(a, n1, b, n2, pairs / 2,
						   &lo);
		if (!ret)
			ret = ds_stats_pairwise_kth_sorted(a, n1, b, n2,
							   pairs / 2 + 1, &hi);
		/* Halves first: no overflow for differences near DBL_MAX. */
		if (!ret)
			r.shift = lo / 2.0 + hi / 2.0;
	}
	if (ret)
		return ret;

	ret = ci_rank(n1, n2, level, &r.k, &r.level, &r.exact);
	if (ret)
		return ret;
	ret = ds_stats_pairwise_kth_sorted(a, n1, b, n2, r.k, &r.ci_low);
	if (!ret)
		ret = ds_stats_pairwise_kth_sorted(a, n1, b, n2,
						   pairs - r.k + 1, &r.ci_high);
	if (ret)
		return ret;
	*out = r;
	return 0;
}

int ds_stats_hodges_lehmann(const double *a, size_t n1, const double *b,
			    size_t n2, double level, struct ds_stats_hl *out)
{
	double *sa = NULL, *sb = NULL;
	int ret;

	if (!a || !b || !out || !(level > 0.0 && level < 1.0))
		return -EINVAL;
	if (n1 < 2 || n2 < 2)
		return -ENODATA;
	ret = dss_sorted_copy(a, n1, &sa);
	if (ret)
		goto out;
	ret = dss_sorted_copy(b, n2, &sb);
	if (ret)
		goto out;
	ret = ds_stats_hodges_lehmann_sorted(sa, n1, sb, n2, level, out);
out:
	free(sb);
	free(sa);
	return ret;
}
