/*
 * rank.c: the Mann-Whitney U test (Wilcoxon rank-sum) that `drmscope
 * compare` uses to say whether two builds' samples of a metric differ, plus
 * the normal-distribution helpers and the exact null distribution of U that
 * the Hodges-Lehmann interval (hl.c) shares.
 *
 * U is computed by merging the two sorted samples group by group of equal
 * values (midranks for ties), in O(n1 + n2) after sorting, as an integer
 * count of half-pairs so that it is exact for any sample size. The exact
 * p-value counts rank arrangements with the classic recurrence; samples with
 * ties or beyond DS_STATS_EXACT_MAX_PAIRS pairs use the normal
 * approximation with tie and continuity corrections.
 */
#include "stats_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double dss_norm_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

double dss_norm_isf(double p)
{
	double lo = 0.0, hi = 40.0;
	int i;

	/* P(Z > z) decreases in z: bisect to the last bit (~70 steps). */
	for (i = 0; i < 200; i++) {
		double mid = 0.5 * (lo + hi);

		if (mid <= lo || mid >= hi)
			break;
		if (dss_norm_sf(mid) > p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

int dss_pairs_small(size_t n1, size_t n2)
{
	return n1 && n2 <= DS_STATS_EXACT_MAX_PAIRS / n1;
}

int dss_u_counts(size_t m, size_t n, double **out, double *total)
{
	size_t r = m < n ? m : n;	/* rows: the smaller sample */
	size_t c = m < n ? n : m;
	size_t len = r * c + 1;
	size_t i, j, u;
	double *tab, sum = 0.0;

	if (!dss_pairs_small(m, n))
		return -EOPNOTSUPP;
	tab = calloc((r + 1) * len, sizeof(*tab));
	if (!tab)
		return -ENOMEM;

	/*
	 * Row i holds f(i, j, .), the counts for i values against j; the
	 * distribution is symmetric in the two sizes. With j = 0 every
	 * arrangement has U = 0. Adding the j-th value of the larger sample:
	 * the largest of all i + j values is either one of the i (it beats
	 * all j: f(i - 1, j, u - j)) or the new one (f(i, j - 1, u)). Rows
	 * are updated in increasing i, so row i - 1 already holds f(i - 1, j).
	 */
	for (i = 0; i <= r; i++)
		tab[i * len] = 1.0;
	for (j = 1; j <= c; j++) {
		for (i = 1; i <= r; i++) {
			double *cur = tab + i * len;
			const double *prev = tab + (i - 1) * len;

			for (u = 0; u <= (i - 1) * j; u++)
				cur[u + j] += prev[u];
		}
	}

	memmove(tab, tab + r * len, len * sizeof(*tab));
	for (u = 0; u < len; u++)
		sum += tab[u];
	*out = tab;
	*total = sum;
	return 0;
}

/* 2U (an integer even with ties) and the tie term sum(t^3 - t). */
static void rank_sums(const double *a, size_t n1, const double *b, size_t n2,
		      uint64_t *u2, double *ties)
{
	size_t i = 0, j = 0;
	uint64_t twice = 0;
	double t3 = 0.0;

	while (i < n1 || j < n2) {
		double v;
		uint64_t ca = 0, cb = 0, below = j;

		if (j >= n2 || (i < n1 && a[i] <= b[j]))
			v = a[i];
		else
			v = b[j];
		while (i < n1 && a[i] == v) {
			i++;
			ca++;
		}
		while (j < n2 && b[j] == v) {
			j++;
			cb++;
		}
		/* Each a of the group beats all earlier b, ties the group's. */
		twice += 2 * ca * below + ca * cb;
		if (ca + cb > 1) {
			double t = (double)(ca + cb);

			t3 += t * t * t - t;
		}
	}
	*u2 = twice;
	*ties = t3;
}

int ds_stats_mann_whitney_sorted(const double *a, size_t n1, const double *b,
				 size_t n2, enum ds_stats_mwu_method method,
				 struct ds_stats_mwu *out)
{
	struct ds_stats_mwu r;
	double ties, mu, var, nn, d;
	uint64_t u2;
	int ret, exact;

	if (!a || !b || !out)
		return -EINVAL;
	if (method != DS_STATS_MWU_AUTO && method != DS_STATS_MWU_EXACT &&
	    method != DS_STATS_MWU_NORMAL)
		return -EINVAL;
	if (n1 < 2 || n2 < 2)
		return -ENODATA;
	ret = dss_check_sorted(a, n1);
	if (!ret)
		ret = dss_check_sorted(b, n2);
	if (ret)
		return ret;

	rank_sums(a, n1, b, n2, &u2, &ties);

	switch (method) {
	case DS_STATS_MWU_EXACT:
		if (ties > 0.0 || !dss_pairs_small(n1, n2))
			return -EOPNOTSUPP;
		exact = 1;
		break;
	case DS_STATS_MWU_NORMAL:
		exact = 0;
		break;
	default:
		exact = ties == 0.0 && dss_pairs_small(n1, n2);
		break;
	}

	memset(&r, 0, sizeof(r));
	r.n1 = n1;
	r.n2 = n2;
	r.u = (double)u2 / 2.0;
	r.exact = exact;

	/* z with tie and continuity corrections, reported for either method. */
	nn = (double)n1 + (double)n2;
	mu = (double)n1 * (double)n2 / 2.0;
	var = (double)n1 * (double)n2 / 12.0 *
	      ((nn + 1.0) - ties / (nn * (nn - 1.0)));
	d = fabs(r.u - mu) - 0.5;
	if (var > 0.0 && d > 0.0)
		r.z = copysign(d / sqrt(var), r.u - mu);
	else
		r.z = 0.0;

	if (exact) {
		double *cnt, total, le = 0.0, ge = 0.0;
		size_t u = (size_t)(u2 / 2), k, len = n1 * n2 + 1;

		ret = dss_u_counts(n1, n2, &cnt, &total);
		if (ret)
			return ret;
		for (k = 0; k <= u; k++)
			le += cnt[k];
		for (k = u; k < len; k++)
			ge += cnt[k];
		free(cnt);
		r.p = 2.0 * fmin(le, ge) / total;
	} else {
		r.p = var > 0.0 ? 2.0 * dss_norm_sf(fabs(r.z)) : 1.0;
	}
	if (r.p > 1.0)
		r.p = 1.0;
	*out = r;
	return 0;
}

int ds_stats_mann_whitney(const double *a, size_t n1, const double *b,
			  size_t n2, enum ds_stats_mwu_method method,
			  struct ds_stats_mwu *out)
{
	double *sa = NULL, *sb = NULL;
	int ret;

	if (!a || !b || !out)
		return -EINVAL;
	if (n1 < 2 || n2 < 2)
		return -ENODATA;
	ret = dss_sorted_copy(a, n1, &sa);
	if (ret)
		goto out;
	ret = dss_sorted_copy(b, n2, &sb);
	if (ret)
		goto out;
	ret = ds_stats_mann_whitney_sorted(sa, n1, sb, n2, method, out);
out:
	free(sb);
	free(sa);
	return ret;
}
