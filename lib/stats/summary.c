/*
 * summary.c: one-sample descriptions for `drmscope report`: count, mean,
 * standard deviation, extremes and the type-7 percentiles (p50/p90/p99) a
 * latency table shows. Works on a sorted copy, so the percentiles are exact
 * order statistics, not sketches; a 10M-value sample costs one radix sort.
 */
#include "stats_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

double dss_quantile(const double *sorted, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	double j = floor(h);
	double frac = h - j;
	size_t i = (size_t)j;
	double lo, hi, r;

	if (i >= n - 1)
		return sorted[n - 1];
	lo = sorted[i];
	hi = sorted[i + 1];
	if (frac == 0.0)
		return lo;
	r = lo + frac * (hi - lo);
	if (!isfinite(r))	/* hi - lo overflowed: values near DBL_MAX */
		r = (1.0 - frac) * lo + frac * hi;
	/* Rounding must not take the result outside its two neighbours. */
	if (r < lo)
		r = lo;
	if (r > hi)
		r = hi;
	return r;
}

int ds_stats_percentile_sorted(const double *sorted, size_t n, double q,
			       double *out)
{
	if (!sorted || !out || !(q >= 0.0 && q <= 1.0))
		return -EINVAL;
	if (!n)
		return -ENODATA;
	*out = dss_quantile(sorted, n, q);
	return 0;
}

int ds_stats_summarize_sorted(const double *sorted, size_t n,
			      struct ds_stats_summary *out)
{
	struct ds_stats_summary s;
	double sum = 0.0, comp = 0.0, mean;
	size_t i;
	int e, ret;

	if (!sorted || !out)
		return -EINVAL;
	if (!n)
		return -ENODATA;
	ret = dss_check_sorted(sorted, n);
	if (ret)
		return ret;

	s.n = n;
	s.min = sorted[0];
	s.max = sorted[n - 1];

	/*
	 * Work on values scaled by a power of two (exact) that brings the
	 * largest magnitude into [0.5, 1): no sum or square can overflow, and
	 * tiny values do not underflow when squared.
	 */
	frexp(fmax(fabs(s.min), fabs(s.max)), &e);

	/* Mean: Neumaier-compensated sum, clamped into [min, max]. */
	for (i = 0; i < n; i++) {
		double x = ldexp(sorted[i], -e);
		double t = sum + x;

		if (fabs(sum) >= fabs(x))
			comp += (sum - t) + x;
		else
			comp += (x - t) + sum;
		sum = t;
	}
	mean = (sum + comp) / (double)n;
	s.mean = ldexp(mean, e);
	if (s.mean < s.min)
		s.mean = s.min;
	if (s.mean > s.max)
		s.mean = s.max;

	/* Variance: corrected two-pass algorithm, on the scaled values. */
	s.stddev = 0.0;
	if (n > 1) {
		double dev = 0.0, dev2 = 0.0, var;

		for (i = 0; i < n; i++) {
			double d = ldexp(sorted[i], -e) - mean;

			dev += d;
			dev2 += d * d;
		}
		var = (dev2 - dev * dev / (double)n) / (double)(n - 1);
		if (var > 0.0)
			s.stddev = ldexp(sqrt(var), e);
	}

	s.p50 = dss_quantile(sorted, n, 0.50);
	s.p90 = dss_quantile(sorted, n, 0.90);
	s.p99 = dss_quantile(sorted, n, 0.99);
	*out = s;
	return 0;
}

int ds_stats_summarize(const double *v, size_t n, struct ds_stats_summary *out)
{
	double *sorted;
	int ret;

	if (!v || !out)
		return -EINVAL;
	if (!n)
		return -ENODATA;
	ret = dss_sorted_copy(v, n, &sorted);
	if (ret)
		return ret;
	ret = ds_stats_summarize_sorted(sorted, n, out);
	free(sorted);
	return ret;
}
