/*
 * stats_internal.h: helpers shared by the files of lib/stats and not part of
 * the public API (include/drmscope/stats.h). Names start with dss_.
 */
#ifndef DRMSCOPE_STATS_INTERNAL_H
#define DRMSCOPE_STATS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <drmscope/stats.h>

/*
 * dss_check_finite() - 0 if every value is finite, -EDOM otherwise.
 * @v: the values.
 * @n: their number.
 */
int dss_check_finite(const double *v, size_t n);

/*
 * dss_check_sorted() - validate an input to a *_sorted() entry point.
 * @v: the values.
 * @n: their number.
 *
 * Return: 0; -EDOM if a value is not finite; -EINVAL if not ascending.
 */
int dss_check_sorted(const double *v, size_t n);

/*
 * dss_sorted_copy() - malloc'd, sorted copy of a sample.
 * @v: the values (not modified).
 * @n: their number, at least 1.
 * @out: receives the copy, to be freed by the caller.
 *
 * Return: 0; -EDOM for a non-finite value; -ENOMEM.
 */
int dss_sorted_copy(const double *v, size_t n, double **out);

/*
 * dss_quantile() - type-7 quantile of a sorted, non-empty array; no checks.
 * @sorted: the values in ascending order.
 * @n: their number, at least 1.
 * @q: the quantile, in [0, 1].
 */
double dss_quantile(const double *sorted, size_t n, double q);

/*
 * dss_norm_sf() - upper tail of the standard normal, P(Z > z).
 * @z: the point.
 */
double dss_norm_sf(double z);

/*
 * dss_norm_isf() - z such that P(Z > z) = p.
 * @p: the upper-tail probability, in (0, 0.5].
 */
double dss_norm_isf(double p);

/*
 * dss_u_counts() - null distribution of the Mann-Whitney U without ties.
 * @m: size of one sample, at least 1.
 * @n: size of the other, at least 1.
 * @out: receives a malloc'd array of m * n + 1 doubles: the number of rank
 *	arrangements giving U = u, for u = 0 .. m * n. They sum to
 *	C(m + n, m); doubles (additions only) keep them exact up to 2^53 and
 *	within a relative 1e-14 beyond.
 * @total: receives their sum.
 *
 * Return: 0; -EOPNOTSUPP if m * n > DS_STATS_EXACT_MAX_PAIRS; -ENOMEM.
 */
int dss_u_counts(size_t m, size_t n, double **out, double *total);

/*
 * dss_pairs_small() - whether n1 * n2 <= DS_STATS_EXACT_MAX_PAIRS, without
 * overflowing.
 * @n1: size of one sample.
 * @n2: size of the other.
 */
int dss_pairs_small(size_t n1, size_t n2);

/*
 * dss_bootstrap_sorted() - ds_stats_bootstrap() on sorted, checked samples.
 * Parameters as ds_stats_bootstrap(); the samples must already be sorted
 * and finite, and the other arguments validated.
 */
int dss_bootstrap_sorted(const double *a, size_t n1, const double *b,
			 size_t n2, enum ds_stats_boot_stat stat,
			 unsigned int resamples, double level, uint64_t seed,
			 struct ds_stats_boot *out);

#endif /* DRMSCOPE_STATS_INTERNAL_H */
