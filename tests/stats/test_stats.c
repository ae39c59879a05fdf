/*
 * test_stats.c: unit tests of lib/stats, the statistics behind
 * `drmscope compare`. Three kinds of checks:
 *  - reference values: textbook Mann-Whitney examples, exact p-values and
 *    critical values computed by tests/stats/ref_values.py (exact rational
 *    enumeration; scipy is not available), type-7 percentiles;
 *  - reference models: sorting, percentiles, pairwise differences and the
 *    Hodges-Lehmann interval against obvious brute-force implementations on
 *    random data, required to agree bit for bit;
 *  - behaviour: a known 20% shift is found and called "worse" for a latency,
 *    and A/A comparisons of one distribution do not report a change at
 *    alpha = 0.01 in at least 95% of 200 seeds.
 * The synthetic data come from the test's own generator (splitmix64 plus
 * Box-Muller), independent of the library's xoshiro256**.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <drmscope/stats.h>

/* ------------------------------------------------------------------------
 * Helpers: the test's generator, comparisons, reference models
 */

struct trng {
	uint64_t state;
};

static uint64_t trng_next(struct trng *r)
{
	uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static double trng_uniform(struct trng *r)
{
	return (double)(trng_next(r) >> 11) * 0x1.0p-53;
}

static double trng_normal(struct trng *r)
{
	double u1 = 1.0 - trng_uniform(r);
	double u2 = trng_uniform(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static void check_close(double got, double want, double tol, const char *expr,
			const char *file, int line)
{
	if (fabs(got - want) <= tol)
		return;
	print_error("%s = %.17g, expected %.17g (tolerance %g)\n", expr, got,
		    want, tol);
	_fail(file, line);
}

#define assert_close(got, want, tol) \
	check_close((got), (want), (tol), #got, __FILE__, __LINE__)

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static double *xmalloc_doubles(size_t n)
{
	double *p = malloc((n ? n : 1) * sizeof(*p));

	assert_non_null(p);
	return p;
}

/* Sorted copy by qsort: the reference for ds_stats_sort(). */
static double *ref_sorted(const double *v, size_t n)
{
	double *c = xmalloc_doubles(n);

	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	return c;
}

/* Type 7, written from its definition in one line. */
static double ref_quantile(const double *s, size_t n, double q)
{
	double h = (n - 1) * q;
	size_t j = (size_t)h;

	return j + 1 < n ? s[j] + (h - j) * (s[j + 1] - s[j]) : s[n - 1];
}

/* Every pairwise difference b_j - a_i, sorted. */
static double *ref_diffs(const double *a, size_t n1, const double *b,
			 size_t n2)
{
	double *d = xmalloc_doubles(n1 * n2);
	size_t i, j;

	for (i = 0; i < n1; i++)
		for (j = 0; j < n2; j++)
			d[i * n2 + j] = b[j] - a[i];
	qsort(d, n1 * n2, sizeof(*d), cmp_double);
	return d;
}

static void fill_normal(struct trng *r, double *v, size_t n, double mean,
			double sd)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = mean + sd * trng_normal(r);
}

static void fill_lognormal(struct trng *r, double *v, size_t n, double median,
			   double sigma)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = median * exp(sigma * trng_normal(r));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------------
 * Generator
 */

static void test_rng_reference(void **state)
{
	/* From ref_values.py: splitmix64 seeding, then xoshiro256**. */
	static const uint64_t seed42[] = {
		0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL,
		0xae17533239e499a1ULL, 0xecb8ad4703b360a1ULL,
	};
	static const uint64_t seed0[] = {
		0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL,
	};
	struct ds_stats_rng rng;
	size_t i, hist[10] = { 0 };

	ds_stats_rng_seed(&rng, 42);
	for (i = 0; i < 4; i++)
		assert_true(ds_stats_rng_next(&rng) == seed42[i]);
	ds_stats_rng_seed(&rng, 0);
	for (i = 0; i < 2; i++)
		assert_true(ds_stats_rng_next(&rng) == seed0[i]);

	/* Bounded draws stay in range and are roughly uniform. */
	ds_stats_rng_seed(&rng, 7);
	for (i = 0; i < 100000; i++) {
		uint64_t x = ds_stats_rng_below(&rng, 10);

		assert_true(x < 10);
		hist[x]++;
	}
	for (i = 0; i < 10; i++)
		assert_true(hist[i] > 9500 && hist[i] < 10500);
	assert_true(ds_stats_rng_below(&rng, 0) == 0);
	assert_true(ds_stats_rng_below(&rng, 1) == 0);
	for (i = 0; i < 1000; i++) {
		double u = ds_stats_rng_uniform(&rng);

		assert_true(u >= 0.0 && u < 1.0);
	}
}

static void test_rng_normal_moments(void **state)
{
	struct ds_stats_rng rng;
	double sum = 0, sum2 = 0;
	size_t i, n = 200000;

	ds_stats_rng_seed(&rng, 3);
	for (i = 0; i < n; i++) {
		double x = ds_stats_rng_normal(&rng);

		assert_true(isfinite(x));
		sum += x;
		sum2 += x * x;
	}
	assert_close(sum / n, 0.0, 0.01);
	assert_close(sum2 / n, 1.0, 0.02);
}

/* ------------------------------------------------------------------------
 * Sorting, percentiles, summaries
 */

static void test_sort_vs_qsort(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 63, 64, 65, 1000, 4097,
					100000, 1u << 20 };
	struct trng r = { 11 };
	size_t s, i;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		double *v = xmalloc_doubles(n), *ref;

		for (i = 0; i < n; i++) {
			switch (trng_next(&r) % 6) {
			case 0:
				v[i] = trng_normal(&r) * 1e6;
				break;
			case 1:	/* duplicates */
				v[i] = (double)(trng_next(&r) % 16) - 8.0;
				break;
			case 2:
				v[i] = (trng_next(&r) & 1) ? -0.0 : 0.0;
				break;
			case 3:	/* wide range of magnitudes, both signs */
				v[i] = ldexp(trng_uniform(&r) - 0.5,
					     (int)(trng_next(&r) % 2000) - 1000);
				break;
			case 4:
				v[i] = 5e-324 * (double)(trng_next(&r) % 4);
				break;
			default:
				v[i] = 1e-3 + trng_uniform(&r) * 1e-3;
				break;
			}
		}
		ref = ref_sorted(v, n);
		assert_int_equal(ds_stats_sort(v, n), 0);
		for (i = 0; i < n; i++)
			if (!(v[i] == ref[i]))
				fail_msg("n=%zu: v[%zu] = %g, qsort says %g",
					 n, i, v[i], ref[i]);
		free(ref);
		free(v);
	}
}

static void test_sort_rejects_nonfinite(void **state)
{
	double v[100];
	size_t i;

	for (i = 0; i < 100; i++)
		v[i] = 100.0 - i;
	v[50] = NAN;
	assert_int_equal(ds_stats_sort(v, 100), -EDOM);
	assert_true(v[0] == 100.0 && v[99] == 1.0);	/* untouched */
	v[50] = INFINITY;
	assert_int_equal(ds_stats_sort(v, 100), -EDOM);
	assert_int_equal(ds_stats_sort(v, 3), 0);
	assert_int_equal(ds_stats_sort(NULL, 3), -EINVAL);
	assert_int_equal(ds_stats_sort(NULL, 0), 0);
}

static void test_percentile_known(void **state)
{
	/* numpy.percentile / R quantile(type = 7) of {1, 2, 3, 4}. */
	static const double v[] = { 1, 2, 3, 4 };
	static const struct {
		double q, want;
	} cases[] = {
		{ 0.0, 1.0 }, { 0.25, 1.75 }, { 0.5, 2.5 }, { 0.9, 3.7 },
		{ 0.99, 3.9699999999999998 }, { 1.0, 4.0 },
	};
	double x;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ds_stats_percentile_sorted(v, 4, cases[i].q,
							    &x), 0);
		assert_close(x, cases[i].want, 1e-15);
	}
	assert_int_equal(ds_stats_percentile_sorted(v, 1, 0.99, &x), 0);
	assert_close(x, 1.0, 0);
	assert_int_equal(ds_stats_percentile_sorted(v, 4, 1.01, &x), -EINVAL);
	assert_int_equal(ds_stats_percentile_sorted(v, 4, -0.1, &x), -EINVAL);
	assert_int_equal(ds_stats_percentile_sorted(v, 4, NAN, &x), -EINVAL);
	assert_int_equal(ds_stats_percentile_sorted(v, 0, 0.5, &x), -ENODATA);
}

static void test_percentile_vs_reference(void **state)
{
	static const double qs[] = { 0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9,
				     0.95, 0.99, 0.999, 1.0 };
	struct trng r = { 5 };
	size_t trial, i, k;

	for (trial = 0; trial < 200; trial++) {
		size_t n = 1 + trng_next(&r) % (trial < 100 ? 50 : 5000);
		double *v = xmalloc_doubles(n), *ref;
		struct ds_stats_summary s;

		fill_lognormal(&r, v, n, 1e-3, 1.0);
		if (trial % 3 == 0)	/* ties */
			for (i = 0; i < n; i++)
				v[i] = round(v[i] * 1e4);
		ref = ref_sorted(v, n);
		for (k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
			double x;

			assert_int_equal(ds_stats_percentile_sorted(ref, n,
								    qs[k], &x),
					 0);
			assert_close(x, ref_quantile(ref, n, qs[k]), 0);
		}
		assert_int_equal(ds_stats_summarize(v, n, &s), 0);
		assert_int_equal(s.n, n);
		assert_close(s.min, ref[0], 0);
		assert_close(s.max, ref[n - 1], 0);
		assert_close(s.p50, ref_quantile(ref, n, 0.5), 0);
		assert_close(s.p90, ref_quantile(ref, n, 0.9), 0);
		assert_close(s.p99, ref_quantile(ref, n, 0.99), 0);
		free(ref);
		free(v);
	}
}

static void test_summary_moments(void **state)
{
	struct trng r = { 9 };
	struct ds_stats_summary s;
	size_t n = 100000, i;
	double *v = xmalloc_doubles(n);
	long double sum = 0, ss = 0, mean;

	/* A large offset with small spread defeats one-pass formulas. */
	for (i = 0; i < n; i++)
		v[i] = 1e9 + trng_normal(&r);
	for (i = 0; i < n; i++)
		sum += v[i];
	mean = sum / n;
	for (i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	assert_int_equal(ds_stats_summarize(v, n, &s), 0);
	assert_close(s.mean, (double)mean, 1e-6);
	assert_close(s.stddev, sqrt((double)(ss / (n - 1))), 1e-6);

	/* Textbook: {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, sample sd sqrt(32/7). */
	{
		static const double t[] = { 9, 2, 5, 4, 4, 7, 4, 5 };

		assert_int_equal(ds_stats_summarize(t, 8, &s), 0);
		assert_close(s.mean, 5.0, 1e-15);
		assert_close(s.stddev, sqrt(32.0 / 7.0), 1e-15);
		assert_close(s.p50, 4.5, 0);
	}

	/* One value: defined, stddev 0. Constant: stddev exactly 0. */
	assert_int_equal(ds_stats_summarize(v, 1, &s), 0);
	assert_close(s.stddev, 0.0, 0);
	assert_close(s.p99, v[0], 0);
	for (i = 0; i < 1000; i++)
		v[i] = 0.1;
	assert_int_equal(ds_stats_summarize(v, 1000, &s), 0);
	assert_close(s.mean, 0.1, 0);
	assert_close(s.stddev, 0.0, 0);

	/* Huge magnitudes do not overflow to inf or NaN. */
	v[0] = 1e308;
	v[1] = 1.5e308;
	v[2] = -1e308;
	assert_int_equal(ds_stats_summarize(v, 3, &s), 0);
	assert_close(s.mean, 0.5e308, 1e293);
	assert_close(s.stddev, sqrt(1.75) * 1e308, 1e293);
	free(v);
}

/* ------------------------------------------------------------------------
 * Mann-Whitney U
 */

static void test_mwu_textbook(void **state)
{
	/*
	 * Aesop's race: finishing order T H H H H H T T T T T H (tortoises
	 * A, hares B; times = positions). The textbook's U = 11 is U of the
	 * hares here; U of A = 36 - 11 = 25. Exact two-sided p = 13/42.
	 */
	static const double tort[] = { 1, 7, 8, 9, 10, 11 };
	static const double hare[] = { 2, 3, 4, 5, 6, 12 };
	/* R's ?wilcox.test example: W = 35, p-value = 0.2544 (= 764/3003). */
	static const double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45,
				    1.38, 1.91, 1.64, 0.73, 1.46 };
	static const double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	struct ds_stats_mwu m;

	assert_int_equal(ds_stats_mann_whitney(tort, 6, hare, 6,
					       DS_STATS_MWU_AUTO, &m), 0);
	assert_close(m.u, 25.0, 0);
	assert_close(6 * 6 - m.u, 11.0, 0);
	assert_true(m.exact);
	assert_close(m.p, 13.0 / 42.0, 1e-14);
	assert_int_equal(m.n1, 6);
	assert_int_equal(m.n2, 6);

	assert_int_equal(ds_stats_mann_whitney(x, 10, y, 5, DS_STATS_MWU_AUTO,
					       &m), 0);
	assert_close(m.u, 35.0, 0);
	assert_true(m.exact);
	assert_close(m.p, 764.0 / 3003.0, 1e-14);

	/* Swapping the samples: U -> n1 n2 - U, same p, z negated. */
	{
		struct ds_stats_mwu w;

		assert_int_equal(ds_stats_mann_whitney(y, 5, x, 10,
						       DS_STATS_MWU_AUTO, &w),
				 0);
		assert_close(w.u, 50.0 - 35.0, 0);
		assert_close(w.p, m.p, 1e-15);
		assert_close(w.z, -m.z, 1e-15);
	}
}

static void test_mwu_exact_tail(void **state)
{
	/*
	 * n1 = 20, n2 = 25 with U = 150: ref_values.py gives
	 * P(U <= 150) = 0.010987334179044638. B = 0..24; a_i sits between
	 * two B values so that it beats 7 (ten of them) or 8 (the others).
	 */
	double a[20], b[25];
	struct ds_stats_mwu m;
	size_t i;

	for (i = 0; i < 25; i++)
		b[i] = (double)i;
	for (i = 0; i < 20; i++)
		a[i] = (i < 10 ? 6.5 : 7.5) + 0.01 * (double)i;
	assert_int_equal(ds_stats_mann_whitney(a, 20, b, 25,
					       DS_STATS_MWU_EXACT, &m), 0);
	assert_close(m.u, 150.0, 0);
	assert_true(m.exact);
	assert_close(m.p, 2 * 0.010987334179044638, 1e-14);
}

static void test_mwu_ties(void **state)
{
	/* Reference from ref_values.py (normal, tie + continuity corrected). */
	static const double a[] = { 1, 2, 2, 3, 3, 3, 4, 5 };
	static const double b[] = { 3, 4, 4, 5, 5, 6, 7, 7, 8 };
	static const double same[] = { 2, 2, 2, 2 };
	struct ds_stats_mwu m;

	assert_int_equal(ds_stats_mann_whitney(a, 8, b, 9, DS_STATS_MWU_AUTO,
					       &m), 0);
	assert_close(m.u, 7.5, 0);
	assert_false(m.exact);
	assert_close(m.z, -2.727939278646863, 1e-12);
	assert_close(m.p, 0.006373133838085877, 1e-12);
	/* The permutation p-value is 0.00518: the approximation is close. */
	assert_close(m.p, 0.005183052241875772, 0.002);
	assert_int_equal(ds_stats_mann_whitney(a, 8, b, 9, DS_STATS_MWU_EXACT,
					       &m), -EOPNOTSUPP);

	/* Everything tied: no evidence at all. */
	assert_int_equal(ds_stats_mann_whitney(same, 3, same, 4,
					       DS_STATS_MWU_AUTO, &m), 0);
	assert_close(m.u, 6.0, 0);
	assert_close(m.z, 0.0, 0);
	assert_close(m.p, 1.0, 0);

	/* -0.0 and +0.0 are one value: a tie, not an ordering. */
	{
		static const double z1[] = { -0.0, 1.0 };
		static const double z2[] = { 0.0, 2.0 };

		assert_int_equal(ds_stats_mann_whitney(z1, 2, z2, 2,
						       DS_STATS_MWU_AUTO, &m),
				 0);
		/* -0 vs 0: half a pair; 1 vs 0: one pair. */
		assert_close(m.u, 1.5, 0);
		assert_false(m.exact);
	}
}

static void test_mwu_exact_vs_normal(void **state)
{
	struct trng r = { 21 };
	double a[30], b[30], worst = 0;
	size_t seed;

	for (seed = 0; seed < 100; seed++) {
		struct ds_stats_mwu e, n;

		fill_normal(&r, a, 25, 0.0, 1.0);
		fill_normal(&r, b, 30, (double)(seed % 5) * 0.2, 1.0);
		assert_int_equal(ds_stats_mann_whitney(a, 25, b, 30,
						       DS_STATS_MWU_EXACT, &e),
				 0);
		assert_int_equal(ds_stats_mann_whitney(a, 25, b, 30,
						       DS_STATS_MWU_NORMAL, &n),
				 0);
		assert_true(e.exact && !n.exact);
		assert_close(e.u, n.u, 0);
		assert_close(e.z, n.z, 0);
		assert_true(e.p > 0 && e.p <= 1);
		if (fabs(e.p - n.p) > worst)
			worst = fabs(e.p - n.p);
	}
	print_message("exact vs normal at 25 vs 30: max |dp| = %.2g\n", worst);
	assert_true(worst < 0.005);
}

static void test_mwu_auto_choice(void **state)
{
	struct trng r = { 4 };
	double *a = xmalloc_doubles(60), *b = xmalloc_doubles(60);
	struct ds_stats_mwu m;

	fill_normal(&r, a, 60, 0, 1);
	fill_normal(&r, b, 60, 0, 1);
	assert_int_equal(ds_stats_mann_whitney(a, 50, b, 50, DS_STATS_MWU_AUTO,
					       &m), 0);
	assert_true(m.exact);		/* 2500 pairs */
	assert_int_equal(ds_stats_mann_whitney(a, 50, b, 51, DS_STATS_MWU_AUTO,
					       &m), 0);
	assert_false(m.exact);
	assert_int_equal(ds_stats_mann_whitney(a, 50, b, 51,
					       DS_STATS_MWU_EXACT, &m),
			 -EOPNOTSUPP);
	assert_int_equal(ds_stats_mann_whitney(a, 50, b, 51,
					       (enum ds_stats_mwu_method)7, &m),
			 -EINVAL);
	free(a);
	free(b);
}

/* ------------------------------------------------------------------------
 * Hodges-Lehmann
 */

static void test_pairwise_kth_vs_bruteforce(void **state)
{
	struct trng r = { 33 };
	size_t trial;

	for (trial = 0; trial < 300; trial++) {
		size_t n1 = 1 + trng_next(&r) % 25, n2 = 1 + trng_next(&r) % 25;
		double *a = xmalloc_doubles(n1), *b = xmalloc_doubles(n2), *d;
		size_t i, k;

		fill_normal(&r, a, n1, 0, trial % 2 ? 1.0 : 1e-300);
		fill_normal(&r, b, n2, 0.3, 1.0);
		if (trial % 3 == 0) {	/* integers: ties among differences */
			for (i = 0; i < n1; i++)
				a[i] = round(a[i] * 3);
			for (i = 0; i < n2; i++)
				b[i] = round(b[i] * 3);
		}
		qsort(a, n1, sizeof(*a), cmp_double);
		qsort(b, n2, sizeof(*b), cmp_double);
		d = ref_diffs(a, n1, b, n2);
		for (k = 1; k <= n1 * n2; k++) {
			double x;

			assert_int_equal(ds_stats_pairwise_kth_sorted(a, n1, b,
								      n2, k,
								      &x), 0);
			if (!(x == d[k - 1]))
				fail_msg("n1=%zu n2=%zu k=%zu: %.17g vs %.17g",
					 n1, n2, k, x, d[k - 1]);
		}
		{
			double x;

			assert_int_equal(ds_stats_pairwise_kth_sorted(a, n1, b,
								      n2, 0,
								      &x),
					 -EINVAL);
			assert_int_equal(ds_stats_pairwise_kth_sorted(a, n1, b,
								      n2,
								      n1 * n2 + 1,
								      &x),
					 -EINVAL);
		}
		free(d);
		free(a);
		free(b);
	}
}

/* Patterns that stress the search: constants, two values, wide ranges. */
static void test_pairwise_kth_degenerate(void **state)
{
	double a[40], b[40], *d, x;
	struct trng r = { 404 };
	size_t pattern, i, k;

	for (pattern = 0; pattern < 6; pattern++) {
		for (i = 0; i < 40; i++) {
			switch (pattern) {
			case 0:		/* all differences equal */
				a[i] = 3.0;
				b[i] = 5.0;
				break;
			case 1:		/* two distinct differences */
				a[i] = 1.0;
				b[i] = i < 13 ? 1.0 : 2.0;
				break;
			case 2:		/* magnitudes from 1e-300 to 1e300 */
				a[i] = ldexp(trng_uniform(&r) - 0.5,
					     (int)(trng_next(&r) % 1990) - 995);
				b[i] = ldexp(trng_uniform(&r) - 0.5,
					     (int)(trng_next(&r) % 1990) - 995);
				break;
			case 3:		/* close to the largest allowed values */
				a[i] = (trng_uniform(&r) - 0.5) * DBL_MAX;
				b[i] = (trng_uniform(&r) - 0.5) * DBL_MAX;
				break;
			case 4:		/* subnormals and zeros of both signs */
				a[i] = 4.9e-324 * (double)(trng_next(&r) % 5) *
				       ((trng_next(&r) & 1) ? -1 : 1);
				b[i] = 4.9e-324 * (double)(trng_next(&r) % 5);
				break;
			default:	/* one huge outlier among timings */
				a[i] = 1000 + trng_uniform(&r);
				b[i] = i == 39 ? 1e300 : 1000 + trng_uniform(&r);
				break;
			}
		}
		qsort(a, 40, sizeof(*a), cmp_double);
		qsort(b, 40, sizeof(*b), cmp_double);
		d = ref_diffs(a, 40, b, 40);
		for (k = 1; k <= 1600; k++) {
			assert_int_equal(ds_stats_pairwise_kth_sorted(a, 40, b,
								      40, k,
								      &x), 0);
			if (!(x == d[k - 1]))
				fail_msg("pattern %zu k=%zu: %.17g vs %.17g",
					 pattern, k, x, d[k - 1]);
		}
		free(d);
	}
}

static void test_hl_vs_bruteforce(void **state)
{
	static const double levels[] = { 0.8, 0.9, 0.95, 0.99 };
	struct trng r = { 77 };
	size_t trial;

	for (trial = 0; trial < 400; trial++) {
		size_t n1 = 2 + trng_next(&r) % 60, n2 = 2 + trng_next(&r) % 60;
		double level = levels[trial % 4];
		double *a = xmalloc_doubles(n1), *b = xmalloc_doubles(n2);
		double *sa, *sb, *d, want;
		struct ds_stats_hl h;
		size_t i, npairs = n1 * n2;

		fill_lognormal(&r, a, n1, 10.0, 0.5);
		fill_lognormal(&r, b, n2, 11.0, 0.5);
		if (trial % 4 == 1) {
			for (i = 0; i < n1; i++)
				a[i] = round(a[i]);
			for (i = 0; i < n2; i++)
				b[i] = round(b[i]);
		}
		assert_int_equal(ds_stats_hodges_lehmann(a, n1, b, n2, level,
							 &h), 0);
		sa = ref_sorted(a, n1);
		sb = ref_sorted(b, n2);
		d = ref_diffs(sa, n1, sb, n2);
		want = npairs % 2 ? d[npairs / 2]
				  : (d[npairs / 2 - 1] + d[npairs / 2]) / 2;
		assert_close(h.shift, want, 0);
		assert_true(h.k >= 1 && h.k <= (npairs + 1) / 2);
		assert_close(h.ci_low, d[h.k - 1], 0);
		assert_close(h.ci_high, d[npairs - h.k], 0);
		assert_true(h.ci_low <= h.shift && h.shift <= h.ci_high);
		assert_int_equal(h.exact, npairs <= DS_STATS_EXACT_MAX_PAIRS);
		/* The level is reached unless the samples are too small. */
		if (h.k > 1)
			assert_true(h.level >= level - 1e-9);
		assert_true(h.level >= 0 && h.level <= 1);
		free(d);
		free(sa);
		free(sb);
		free(a);
		free(b);
	}
}

static void test_hl_critical_values(void **state)
{
	/* k and coverage from ref_values.py (exact U distribution). */
	static const struct {
		size_t n1, n2;
		double level;
		uint64_t k;
		double coverage;
	} cases[] = {
		{ 3, 3, 0.95, 1, 0.9 },		/* not reachable */
		{ 6, 6, 0.95, 6, 0.9588744588744589 },
		{ 10, 10, 0.95, 24, 0.9567429474550218 },
		{ 5, 12, 0.95, 12, 0.9515190691661279 },
		{ 10, 10, 0.99, 17, 0.991069302214813 },
	};
	double *a = xmalloc_doubles(100), *b = xmalloc_doubles(100);
	struct ds_stats_hl h;
	size_t i;

	for (i = 0; i < 100; i++) {
		a[i] = (double)i;
		b[i] = (double)i + 0.5;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ds_stats_hodges_lehmann(a, cases[i].n1, b,
							 cases[i].n2,
							 cases[i].level, &h),
				 0);
		assert_true(h.exact);
		assert_int_equal(h.k, cases[i].k);
		assert_close(h.level, cases[i].coverage, 1e-12);
	}
	/* Normal approximation: floor(5000 - 1.96 * 409.27 + 0.5) = 4198. */
	assert_int_equal(ds_stats_hodges_lehmann(a, 100, b, 100, 0.95, &h), 0);
	assert_false(h.exact);
	assert_int_equal(h.k, 4198);
	assert_true(h.level >= 0.95 && h.level < 0.951);
	free(a);
	free(b);
}

static void test_hl_r_example(void **state)
{
	/* R: wilcox.test(x, y, conf.int = TRUE) estimates x - y = 0.305. */
	static const double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45,
				    1.38, 1.91, 1.64, 0.73, 1.46 };
	static const double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	struct ds_stats_hl h;

	assert_int_equal(ds_stats_hodges_lehmann(x, 10, y, 5, 0.95, &h), 0);
	assert_close(h.shift, -0.30500000000000005, 0);
}

/* How many b_j - a_i are < t and <= t: O(n log n), binary search per a_i. */
static void ref_count(const double *a, size_t n1, const double *b, size_t n2,
		      double t, uint64_t *lt, uint64_t *le)
{
	size_t i;

	*lt = *le = 0;
	for (i = 0; i < n1; i++) {
		size_t lo = 0, hi = n2;

		while (lo < hi) {	/* first j with b[j] - a[i] >= t */
			size_t mid = (lo + hi) / 2;

			if (b[mid] - a[i] < t)
				lo = mid + 1;
			else
				hi = mid;
		}
		*lt += lo;
		hi = n2;
		while (lo < hi) {	/* first j with b[j] - a[i] > t */
			size_t mid = (lo + hi) / 2;

			if (b[mid] - a[i] <= t)
				lo = mid + 1;
			else
				hi = mid;
		}
		*le += lo;
	}
}

static void test_hl_large(void **state)
{
	size_t n = 100000;
	double *a = xmalloc_doubles(n), *b = xmalloc_doubles(n);
	struct trng r = { 123 };
	struct ds_stats_hl h;
	uint64_t lt, le, pairs = (uint64_t)n * n;
	double t0, t1;

	fill_lognormal(&r, a, n, 1000.0, 0.3);
	fill_lognormal(&r, b, n, 1100.0, 0.3);
	assert_int_equal(ds_stats_sort(a, n), 0);
	assert_int_equal(ds_stats_sort(b, n), 0);
	t0 = now_s();
	assert_int_equal(ds_stats_hodges_lehmann_sorted(a, n, b, n, 0.99, &h),
			 0);
	t1 = now_s();
	print_message("HL on 100k vs 100k: %.3f s, shift %.4f [%.4f, %.4f]\n",
		      t1 - t0, h.shift, h.ci_low, h.ci_high);
	assert_false(h.exact);

	/* ci_low is the k-th smallest difference, ci_high the k-th largest. */
	ref_count(a, n, b, n, h.ci_low, &lt, &le);
	assert_true(lt < h.k && h.k <= le);
	ref_count(a, n, b, n, h.ci_high, &lt, &le);
	assert_true(lt < pairs - h.k + 1 && pairs - h.k + 1 <= le);
	/* Even count: the median is between the two middle differences. */
	ref_count(a, n, b, n, h.shift, &lt, &le);
	assert_true(lt <= pairs / 2 && le >= pairs / 2);
	/* A 10% scale change on a lognormal: the shift is near 100. */
	assert_true(h.shift > 90 && h.shift < 110);
	assert_true(h.ci_low > 90 && h.ci_high < 110);
	free(a);
	free(b);
}

/* ------------------------------------------------------------------------
 * Bootstrap
 */

static void test_bootstrap_deterministic(void **state)
{
	struct trng r = { 55 };
	double a[40], b[41];
	struct ds_stats_boot x, y, z, d;

	fill_lognormal(&r, a, 40, 10, 0.2);
	fill_lognormal(&r, b, 41, 12, 0.2);
	assert_int_equal(ds_stats_bootstrap(a, 40, b, 41,
					    DS_STATS_BOOT_MEDIAN_RATIO, 2000,
					    0.95, 99, &x), 0);
	assert_int_equal(ds_stats_bootstrap(a, 40, b, 41,
					    DS_STATS_BOOT_MEDIAN_RATIO, 2000,
					    0.95, 99, &y), 0);
	assert_int_equal(ds_stats_bootstrap(a, 40, b, 41,
					    DS_STATS_BOOT_MEDIAN_RATIO, 2000,
					    0.95, 100, &z), 0);
	assert_true(memcmp(&x, &y, sizeof(x)) == 0);
	assert_true(x.ci_low != z.ci_low || x.ci_high != z.ci_high);
	assert_int_equal(x.resamples, 2000);
	assert_true(x.ci_low <= x.estimate && x.estimate <= x.ci_high);
	assert_true(x.ci_low > 1.0 && x.ci_high < 1.5);

	/* The estimate is the plain ratio / difference of medians. */
	{
		double sa[40], sb[41], ma, mb;

		memcpy(sa, a, sizeof(a));
		memcpy(sb, b, sizeof(b));
		qsort(sa, 40, sizeof(double), cmp_double);
		qsort(sb, 41, sizeof(double), cmp_double);
		ma = (sa[19] + sa[20]) / 2;
		mb = sb[20];
		assert_close(x.estimate, mb / ma, 1e-15);
		assert_int_equal(ds_stats_bootstrap(a, 40, b, 41,
						    DS_STATS_BOOT_MEDIAN_DIFF,
						    500, 0.9, 1, &d), 0);
		assert_close(d.estimate, mb - ma, 1e-12);
		assert_true(d.ci_low <= d.estimate && d.estimate <= d.ci_high);
	}
}

static void test_bootstrap_resample_median(void **state)
{
	/*
	 * A = {1, 3}: a resample is {1, 1}, {1, 3} or {3, 3} with
	 * probabilities 1/4, 1/2, 1/4, so its (type-7) median is 1, 2 or 3.
	 * With B constant at 10 the statistic 10 - median(A*) is 8 half of
	 * the time, in the middle: a 20% interval is exactly [8, 8].
	 */
	static const double a[] = { 1, 3 }, b[] = { 10, 10 };
	struct ds_stats_boot x;

	assert_int_equal(ds_stats_bootstrap(a, 2, b, 2,
					    DS_STATS_BOOT_MEDIAN_DIFF, 4000,
					    0.2, 5, &x), 0);
	assert_close(x.estimate, 8.0, 0);
	assert_close(x.ci_low, 8.0, 0);
	assert_close(x.ci_high, 8.0, 0);
	/* A 90% interval reaches both other values, and no further. */
	assert_int_equal(ds_stats_bootstrap(a, 2, b, 2,
					    DS_STATS_BOOT_MEDIAN_DIFF, 4000,
					    0.9, 5, &x), 0);
	assert_close(x.ci_low, 7.0, 0);
	assert_close(x.ci_high, 9.0, 0);
}

static void test_bootstrap_coverage(void **state)
{
	/* A scale family: median(B) / median(A) is exactly 1.2. */
	struct trng r = { 2024 };
	double a[30], b[30];
	int seed, covered = 0;

	for (seed = 0; seed < 100; seed++) {
		struct ds_stats_boot x;

		fill_lognormal(&r, a, 30, 5.0, 0.25);
		fill_lognormal(&r, b, 30, 6.0, 0.25);
		assert_int_equal(ds_stats_bootstrap(a, 30, b, 30,
						    DS_STATS_BOOT_MEDIAN_RATIO,
						    1000, 0.95, seed, &x), 0);
		covered += x.ci_low <= 1.2 && 1.2 <= x.ci_high;
	}
	print_message("bootstrap 95%% CI of the median ratio covered 1.2 in "
		      "%d/100 seeds\n", covered);
	assert_true(covered >= 85);
}

/* ------------------------------------------------------------------------
 * Relative change and verdicts
 */

static void test_relative(void **state)
{
	struct ds_stats_hl h = { .shift = 2, .ci_low = 1, .ci_high = 3 };
	struct ds_stats_rel rel;
	double pct;

	assert_int_equal(ds_stats_relative(1.0, 20.0, &pct), 0);
	assert_close(pct, 5.0, 1e-15);
	assert_int_equal(ds_stats_relative(1.0, -20.0, &pct), 0);
	assert_close(pct, 5.0, 1e-15);
	assert_int_equal(ds_stats_relative(1.0, 0.0, &pct), -EDOM);
	assert_int_equal(ds_stats_relative(NAN, 1.0, &pct), -EDOM);
	assert_int_equal(ds_stats_relative(1.0, 1.0, NULL), -EINVAL);
	assert_int_equal(ds_stats_hl_relative(&h, 10.0, &rel), 0);
	assert_close(rel.shift_pct, 20.0, 1e-13);
	assert_close(rel.ci_low_pct, 10.0, 1e-13);
	assert_close(rel.ci_high_pct, 30.0, 1e-13);
	assert_int_equal(ds_stats_hl_relative(&h, 0.0, &rel), -EDOM);
}

static void test_verdict_rule(void **state)
{
	static const struct {
		double shift, lo, hi, p;
		size_t n;
		enum ds_stats_direction dir;
		enum ds_stats_verdict want;
	} cases[] = {
		/* lower is better: B larger is worse */
		{ 20, 10, 30, 0.001, 30, DS_STATS_LOWER_IS_BETTER, DS_STATS_WORSE },
		{ -20, -30, -10, 0.001, 30, DS_STATS_LOWER_IS_BETTER, DS_STATS_BETTER },
		{ 20, 10, 30, 0.001, 30, DS_STATS_HIGHER_IS_BETTER, DS_STATS_BETTER },
		{ -20, -30, -10, 0.001, 30, DS_STATS_HIGHER_IS_BETTER, DS_STATS_WORSE },
		/* not significant */
		{ 20, 10, 30, 0.02, 30, DS_STATS_LOWER_IS_BETTER, DS_STATS_NO_CHANGE },
		{ 20, 10, 30, 0.01, 30, DS_STATS_LOWER_IS_BETTER, DS_STATS_NO_CHANGE },
		/* interval touching or crossing 0 */
		{ 20, 0, 30, 0.001, 30, DS_STATS_LOWER_IS_BETTER, DS_STATS_NO_CHANGE },
		{ 20, -1, 30, 0.001, 30, DS_STATS_LOWER_IS_BETTER, DS_STATS_NO_CHANGE },
		/* significant but below the 5% threshold, or exactly at it */
		{ 3, 1, 5, 0.001, 30, DS_STATS_LOWER_IS_BETTER, DS_STATS_NO_CHANGE },
		{ 5, 4, 6, 0.001, 30, DS_STATS_LOWER_IS_BETTER, DS_STATS_NO_CHANGE },
		{ 5.01, 4, 6, 0.001, 30, DS_STATS_LOWER_IS_BETTER, DS_STATS_WORSE },
		/* too few values */
		{ 20, 10, 30, 0.001, 2, DS_STATS_LOWER_IS_BETTER,
		  DS_STATS_INSUFFICIENT_DATA },
		/* a zero baseline: infinite relative change */
		{ INFINITY, INFINITY, INFINITY, 0.001, 30,
		  DS_STATS_LOWER_IS_BETTER, DS_STATS_WORSE },
	};
	struct ds_stats_verdict_params p = {
		.direction = DS_STATS_LOWER_IS_BETTER,
		.threshold_pct = 5.0,
		.alpha = 0.01,
		.min_n = 3,
	};
	struct ds_stats_verdict_input in;
	enum ds_stats_verdict v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		in = (struct ds_stats_verdict_input){
			.shift_pct = cases[i].shift, .ci_low_pct = cases[i].lo,
			.ci_high_pct = cases[i].hi, .p = cases[i].p,
			.n1 = cases[i].n, .n2 = 30,
		};
		p.direction = cases[i].dir;
		assert_int_equal(ds_stats_verdict(&in, &p, &v), 0);
		if (v != cases[i].want)
			fail_msg("case %zu: %s, expected %s", i,
				 ds_stats_verdict_name(v),
				 ds_stats_verdict_name(cases[i].want));
	}

	in = (struct ds_stats_verdict_input){ 1, 0, 2, 0.5, 10, 10 };
	p.direction = DS_STATS_LOWER_IS_BETTER;
	in.p = NAN;
	assert_int_equal(ds_stats_verdict(&in, &p, &v), -EINVAL);
	in.p = 1.5;
	assert_int_equal(ds_stats_verdict(&in, &p, &v), -EINVAL);
	in.p = 0.5;
	in.ci_low_pct = 3;	/* inverted */
	assert_int_equal(ds_stats_verdict(&in, &p, &v), -EINVAL);
	in.ci_low_pct = 0;
	p.alpha = 0;
	assert_int_equal(ds_stats_verdict(&in, &p, &v), -EINVAL);
	p.alpha = 0.01;
	p.threshold_pct = -1;
	assert_int_equal(ds_stats_verdict(&in, &p, &v), -EINVAL);
	p.threshold_pct = 5;
	assert_int_equal(ds_stats_verdict(NULL, &p, &v), -EINVAL);

	assert_string_equal(ds_stats_verdict_name(DS_STATS_WORSE), "worse");
	assert_string_equal(ds_stats_verdict_name((enum ds_stats_verdict)42),
			    "?");
}

/* A known +20% shift, n = 30 per side, over many seeds. */
static void test_known_shift(void **state)
{
	struct ds_stats_compare_params p;
	struct trng r = { 1 };
	double a[30], b[30];
	int seed, worse = 0, covered = 0, better_hib = 0, worse_ln = 0;

	ds_stats_compare_defaults(&p);
	for (seed = 0; seed < 100; seed++) {
		struct ds_stats_comparison c;

		/* Normal latencies, pure shift 100 -> 120 (true shift 20%). */
		fill_normal(&r, a, 30, 100.0, 10.0);
		fill_normal(&r, b, 30, 120.0, 10.0);
		p.verdict.direction = DS_STATS_LOWER_IS_BETTER;
		assert_int_equal(ds_stats_compare(a, 30, b, 30, &p, &c), 0);
		assert_true(c.tested && c.rel_valid);
		assert_true(c.mwu.exact);
		worse += c.verdict == DS_STATS_WORSE;
		covered += c.hl.ci_low <= 20.0 && 20.0 <= c.hl.ci_high;
		assert_true(c.rel.shift_pct > 10 && c.rel.shift_pct < 30);

		p.verdict.direction = DS_STATS_HIGHER_IS_BETTER;
		assert_int_equal(ds_stats_compare(a, 30, b, 30, &p, &c), 0);
		better_hib += c.verdict == DS_STATS_BETTER;

		/* Lognormal job durations, 20% slower. */
		fill_lognormal(&r, a, 30, 2e6, 0.1);
		fill_lognormal(&r, b, 30, 2.4e6, 0.1);
		p.verdict.direction = DS_STATS_LOWER_IS_BETTER;
		assert_int_equal(ds_stats_compare(a, 30, b, 30, &p, &c), 0);
		worse_ln += c.verdict == DS_STATS_WORSE;
		assert_true(c.rel_valid && c.rel.ci_low_pct > 0);
	}
	print_message("+20%%: worse %d/100, 99%% CI covers the shift %d/100, "
		      "higher-is-better says better %d/100, lognormal worse "
		      "%d/100\n", worse, covered, better_hib, worse_ln);
	assert_true(worse >= 99);
	assert_true(better_hib >= 99);
	assert_true(worse_ln >= 99);
	assert_true(covered >= 95);
}

/* A/A: both samples from one distribution must not report a change. */
static void run_aa(size_t n, int quantise, uint64_t seed0, int *no_change,
		   int *significant)
{
	struct ds_stats_compare_params p;
	struct trng r = { seed0 };
	double *a = xmalloc_doubles(n), *b = xmalloc_doubles(n);
	int seed;
	size_t i;

	ds_stats_compare_defaults(&p);	/* alpha 0.01, threshold 5% */
	p.verdict.threshold_pct = 0.0;	/* the test alone must hold */
	*no_change = *significant = 0;
	for (seed = 0; seed < 200; seed++) {
		struct ds_stats_comparison c;

		fill_lognormal(&r, a, n, 50e3, 0.3);
		fill_lognormal(&r, b, n, 50e3, 0.3);
		if (quantise) {		/* microsecond clock: many ties */
			for (i = 0; i < n; i++) {
				a[i] = round(a[i] / 5e3);
				b[i] = round(b[i] / 5e3);
			}
		}
		assert_int_equal(ds_stats_compare(a, n, b, n, &p, &c), 0);
		assert_true(c.tested);
		assert_true(c.mwu.p >= 0 && c.mwu.p <= 1);
		*no_change += c.verdict == DS_STATS_NO_CHANGE;
		*significant += c.mwu.p < 0.01;
	}
	free(a);
	free(b);
}

static void test_aa(void **state)
{
	static const struct {
		size_t n;
		int quantise;
	} cases[] = { { 30, 0 }, { 30, 1 }, { 8, 0 }, { 500, 0 }, { 500, 1 } };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int no_change, significant;

		run_aa(cases[i].n, cases[i].quantise, 1000 + i, &no_change,
		       &significant);
		print_message("A/A n=%zu%s: no change %d/200, p < 0.01 in %d/200\n",
			      cases[i].n, cases[i].quantise ? " (ties)" : "",
			      no_change, significant);
		assert_true(no_change >= 190);
		assert_true(significant <= 10);
	}
}

/* ------------------------------------------------------------------------
 * Errors and degenerate samples
 */

static void check_all_finite(const struct ds_stats_comparison *c)
{
	const double v[] = {
		c->a.mean, c->a.stddev, c->a.min, c->a.max, c->a.p50, c->a.p90,
		c->a.p99, c->b.mean, c->b.stddev, c->b.min, c->b.max, c->b.p50,
		c->b.p90, c->b.p99, c->mwu.u, c->mwu.z, c->mwu.p, c->hl.shift,
		c->hl.ci_low, c->hl.ci_high, c->hl.level, c->rel.shift_pct,
		c->rel.ci_low_pct, c->rel.ci_high_pct, c->boot.estimate,
		c->boot.ci_low, c->boot.ci_high,
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!isfinite(v[i]))
			fail_msg("field %zu of the comparison is %g", i, v[i]);
}

static void test_errors(void **state)
{
	static const double one[] = { 1.0 }, two[] = { 1.0, 2.0 };
	static const double bad[] = { 1.0, NAN, 3.0 };
	static const double inf[] = { 1.0, INFINITY, 3.0 };
	static const double unsorted[] = { 2.0, 1.0, 3.0 };
	struct ds_stats_summary s;
	struct ds_stats_mwu m;
	struct ds_stats_hl h;
	struct ds_stats_boot bt;
	struct ds_stats_comparison c;

	/* Empty and one-value samples. */
	assert_int_equal(ds_stats_summarize(one, 0, &s), -ENODATA);
	assert_int_equal(ds_stats_mann_whitney(one, 0, two, 2,
					       DS_STATS_MWU_AUTO, &m), -ENODATA);
	assert_int_equal(ds_stats_mann_whitney(one, 1, two, 2,
					       DS_STATS_MWU_AUTO, &m), -ENODATA);
	assert_int_equal(ds_stats_mann_whitney(two, 2, one, 1,
					       DS_STATS_MWU_AUTO, &m), -ENODATA);
	assert_int_equal(ds_stats_hodges_lehmann(one, 1, two, 2, 0.95, &h),
			 -ENODATA);
	assert_int_equal(ds_stats_hodges_lehmann(two, 2, one, 0, 0.95, &h),
			 -ENODATA);
	assert_int_equal(ds_stats_bootstrap(one, 1, two, 2,
					    DS_STATS_BOOT_MEDIAN_RATIO, 100,
					    0.95, 1, &bt), -ENODATA);
	assert_int_equal(ds_stats_compare(one, 0, two, 2, NULL, &c), -ENODATA);

	/* Non-finite values. */
	assert_int_equal(ds_stats_summarize(bad, 3, &s), -EDOM);
	assert_int_equal(ds_stats_summarize(inf, 3, &s), -EDOM);
	assert_int_equal(ds_stats_mann_whitney(bad, 3, two, 2,
					       DS_STATS_MWU_AUTO, &m), -EDOM);
	assert_int_equal(ds_stats_hodges_lehmann(two, 2, inf, 3, 0.95, &h),
			 -EDOM);
	assert_int_equal(ds_stats_bootstrap(two, 2, bad, 3,
					    DS_STATS_BOOT_MEDIAN_DIFF, 100,
					    0.95, 1, &bt), -EDOM);
	assert_int_equal(ds_stats_compare(two, 2, bad, 3, NULL, &c), -EDOM);

	/* Bad arguments. */
	assert_int_equal(ds_stats_summarize(NULL, 3, &s), -EINVAL);
	assert_int_equal(ds_stats_summarize(two, 2, NULL), -EINVAL);
	assert_int_equal(ds_stats_summarize_sorted(unsorted, 3, &s), -EINVAL);
	assert_int_equal(ds_stats_mann_whitney_sorted(unsorted, 3, two, 2,
						      DS_STATS_MWU_AUTO, &m),
			 -EINVAL);
	assert_int_equal(ds_stats_hodges_lehmann_sorted(two, 2, unsorted, 3,
							0.9, &h), -EINVAL);
	assert_int_equal(ds_stats_hodges_lehmann(two, 2, two, 2, 0.0, &h),
			 -EINVAL);
	assert_int_equal(ds_stats_hodges_lehmann(two, 2, two, 2, 1.0, &h),
			 -EINVAL);
	assert_int_equal(ds_stats_hodges_lehmann(two, 2, two, 2, NAN, &h),
			 -EINVAL);
	{
		static const double huge[] = { 1.0, DBL_MAX * 0.75 };

		assert_int_equal(ds_stats_hodges_lehmann(two, 2, huge, 2, 0.9,
							 &h), -EDOM);
	}
	assert_int_equal(ds_stats_bootstrap(two, 2, two, 2,
					    DS_STATS_BOOT_MEDIAN_DIFF, 9, 0.95,
					    1, &bt), -EINVAL);
	assert_int_equal(ds_stats_bootstrap(two, 2, two, 2,
					    (enum ds_stats_boot_stat)5, 100,
					    0.95, 1, &bt), -EINVAL);

	/* Ratio against a zero median. */
	{
		static const double zeros[] = { 0, 0, 0, 1 };

		assert_int_equal(ds_stats_bootstrap(zeros, 4, two, 2,
						    DS_STATS_BOOT_MEDIAN_RATIO,
						    100, 0.95, 1, &bt), -EDOM);
	}

	/* One value per side: a row with a verdict, no NaN anywhere. */
	assert_int_equal(ds_stats_compare(one, 1, two, 2, NULL, &c), 0);
	assert_false(c.tested);
	assert_int_equal(c.verdict, DS_STATS_INSUFFICIENT_DATA);
	assert_int_equal(c.a.n, 1);
	assert_close(c.a.stddev, 0, 0);
	check_all_finite(&c);
}

static void test_compare_small_and_degenerate(void **state)
{
	static const double a3[] = { 10, 11, 12 }, b3[] = { 30, 31, 32 };
	static const double zeros[] = { 0, 0, 0, 0, 0 };
	static const double pos[] = { 5, 6, 7, 8, 9 };
	static const double same[] = { 4, 4, 4, 4 };
	struct ds_stats_compare_params p;
	struct ds_stats_comparison c;

	/*
	 * Three replays each, all of B slower: the smallest exact p is 0.1,
	 * so at alpha 0.01 the rank test cannot say "worse", and the
	 * 99% interval cannot be reached.
	 */
	ds_stats_compare_defaults(&p);
	p.bootstrap_resamples = 200;
	assert_int_equal(ds_stats_compare(a3, 3, b3, 3, &p, &c), 0);
	assert_true(c.tested);
	assert_close(c.mwu.p, 0.1, 1e-15);
	assert_int_equal(c.hl.k, 1);
	assert_true(c.hl.level < 0.99);
	assert_int_equal(c.verdict, DS_STATS_NO_CHANGE);
	assert_true(c.boot_valid);
	check_all_finite(&c);

	/* Zero baseline: no relative change, yet a clear regression. */
	assert_int_equal(ds_stats_compare(zeros, 5, pos, 5, &p, &c), 0);
	assert_true(c.tested);
	assert_false(c.rel_valid);
	assert_false(c.boot_valid);	/* ratio of medians undefined */
	assert_true(c.mwu.p < 0.01);
	assert_true(c.hl.ci_low > 0);
	assert_int_equal(c.verdict, DS_STATS_WORSE);
	check_all_finite(&c);

	/* Identical constant samples. */
	assert_int_equal(ds_stats_compare(same, 4, same, 4, &p, &c), 0);
	assert_close(c.mwu.p, 1.0, 0);
	assert_close(c.hl.shift, 0.0, 0);
	assert_int_equal(c.verdict, DS_STATS_NO_CHANGE);
	check_all_finite(&c);

	/* Invalid options. */
	p.verdict.alpha = 1.0;
	assert_int_equal(ds_stats_compare(a3, 3, b3, 3, &p, &c), -EINVAL);
	ds_stats_compare_defaults(&p);
	p.level = 1.0;
	assert_int_equal(ds_stats_compare(a3, 3, b3, 3, &p, &c), -EINVAL);
	ds_stats_compare_defaults(&p);
	p.bootstrap_resamples = 3;
	assert_int_equal(ds_stats_compare(a3, 3, b3, 3, &p, &c), -EINVAL);
}

static void test_sort_large_timing(void **state)
{
	size_t n = 2000000, i;
	double *v = xmalloc_doubles(n), t0, t1;
	struct trng r = { 8 };
	struct ds_stats_summary s;

	fill_lognormal(&r, v, n, 1e-4, 1.5);
	t0 = now_s();
	assert_int_equal(ds_stats_summarize(v, n, &s), 0);
	t1 = now_s();
	print_message("summary of 2M values: %.3f s\n", t1 - t0);
	assert_int_equal(ds_stats_sort(v, n), 0);
	for (i = 1; i < n; i++)
		assert_true(v[i - 1] <= v[i]);
	assert_close(s.p50, ref_quantile(v, n, 0.5), 0);
	assert_close(s.p99, ref_quantile(v, n, 0.99), 0);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_reference),
		cmocka_unit_test(test_rng_normal_moments),
		cmocka_unit_test(test_sort_vs_qsort),
		cmocka_unit_test(test_sort_rejects_nonfinite),
		cmocka_unit_test(test_percentile_known),
		cmocka_unit_test(test_percentile_vs_reference),
		cmocka_unit_test(test_summary_moments),
		cmocka_unit_test(test_mwu_textbook),
		cmocka_unit_test(test_mwu_exact_tail),
		cmocka_unit_test(test_mwu_ties),
		cmocka_unit_test(test_mwu_exact_vs_normal),
		cmocka_unit_test(test_mwu_auto_choice),
		cmocka_unit_test(test_pairwise_kth_vs_bruteforce),
		cmocka_unit_test(test_pairwise_kth_degenerate),
		cmocka_unit_test(test_hl_vs_bruteforce),
		cmocka_unit_test(test_hl_critical_values),
		cmocka_unit_test(test_hl_r_example),
		cmocka_unit_test(test_hl_large),
		cmocka_unit_test(test_bootstrap_deterministic),
		cmocka_unit_test(test_bootstrap_resample_median),
		cmocka_unit_test(test_bootstrap_coverage),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_verdict_rule),
		cmocka_unit_test(test_known_shift),
		cmocka_unit_test(test_aa),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_compare_small_and_degenerate),
		cmocka_unit_test(test_sort_large_timing),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
