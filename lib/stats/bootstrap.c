/*
 * bootstrap.c: percentile-bootstrap confidence intervals for the ratio or the
 * difference of the medians of two samples, an alternative to the
 * Hodges-Lehmann interval that `drmscope compare` can show ("B's median is
 * 1.18x A's, 99% CI 1.12x..1.25x"). Deterministic for a seed.
 *
 * A resample's median is found without sorting: the draws are counted per
 * index of the sorted sample, and a walk over the counts finds the middle
 * order statistics. A resample of n values therefore costs n random draws
 * and one pass over n counters.
 */
#include "stats_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Median (type 7) of n draws with replacement from sorted[0..n-1]. */
static double resample_median(const double *sorted, size_t n, uint32_t *cnt,
			      struct ds_stats_rng *rng)
{
	size_t rank_lo = (n - 1) / 2, rank_hi = n / 2;
	size_t i, seen = 0;
	double lo = sorted[0], hi = sorted[0], pair[2];
	int have_lo = 0;

	for (i = 0; i < n; i++)
		cnt[ds_stats_rng_below(rng, n)]++;
	for (i = 0; i < n; i++) {
		size_t c = cnt[i];

		cnt[i] = 0;		/* ready for the next resample */
		if (!c)
			continue;
		if (!have_lo && seen + c > rank_lo) {
			lo = sorted[i];
			have_lo = 1;
		}
		if (seen <= rank_hi && seen + c > rank_hi)
			hi = sorted[i];
		seen += c;
	}
	if (rank_lo == rank_hi)
		return lo;
	pair[0] = lo;
	pair[1] = hi;
	return dss_quantile(pair, 2, 0.5);
}

static int statistic(enum ds_stats_boot_stat stat, double med_a, double med_b,
		     double *out)
{
	if (stat == DS_STATS_BOOT_MEDIAN_DIFF) {
		*out = med_b - med_a;
		return 0;
	}
	if (med_a == 0.0)
		return -EDOM;
	*out = med_b / med_a;
	return 0;
}

int dss_bootstrap_sorted(const double *a, size_t n1, const double *b,
			 size_t n2, enum ds_stats_boot_stat stat,
			 unsigned int resamples, double level, uint64_t seed,
			 struct ds_stats_boot *out)
{
	struct ds_stats_rng rng;
	struct ds_stats_boot r;
	uint32_t *ca = NULL, *cb = NULL;
	double *values = NULL;
	unsigned int i;
	int ret;

	if (n1 > UINT32_MAX || n2 > UINT32_MAX)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	ret = statistic(stat, dss_quantile(a, n1, 0.5),
			dss_quantile(b, n2, 0.5), &r.estimate);
	if (ret)
		return ret;

	ca = calloc(n1, sizeof(*ca));
	cb = calloc(n2, sizeof(*cb));
	values = malloc(resamples * sizeof(*values));
	if (!ca || !cb || !values) {
		ret = -ENOMEM;
		goto out;
	}

	ds_stats_rng_seed(&rng, seed);
	for (i = 0; i < resamples; i++) {
		double ma = resample_median(a, n1, ca, &rng);
		double mb = resample_median(b, n2, cb, &rng);

		ret = statistic(stat, ma, mb, &values[i]);
		if (ret)
			goto out;
	}
	ret = ds_stats_sort(values, resamples);
	if (ret)
		goto out;
	r.ci_low = dss_quantile(values, resamples, (1.0 - level) / 2.0);
	r.ci_high = dss_quantile(values, resamples, (1.0 + level) / 2.0);
	r.resamples = resamples;
	*out = r;
out:
	free(values);
	free(cb);
	free(ca);
	return ret;
}

int ds_stats_bootstrap(const double *a, size_t n1, const double *b,
		       size_t n2, enum ds_stats_boot_stat stat,
		       unsigned int resamples, double level, uint64_t seed,
		       struct ds_stats_boot *out)
{
	double *sa = NULL, *sb = NULL;
	int ret;

	if (!a || !b || !out || resamples < 10 ||
	    !(level > 0.0 && level < 1.0) ||
	    (stat != DS_STATS_BOOT_MEDIAN_RATIO &&
	     stat != DS_STATS_BOOT_MEDIAN_DIFF))
		return -EINVAL;
	if (n1 < 2 || n2 < 2)
		return -ENODATA;
	ret = dss_sorted_copy(a, n1, &sa);
	if (ret)
		goto out;
	ret = dss_sorted_copy(b, n2, &sb);
	if (ret)
		goto out;
	ret = dss_bootstrap_sorted(sa, n1, sb, n2, stat, resamples, level, seed,
				   out);
out:
	free(sb);
	free(sa);
	return ret;
}
