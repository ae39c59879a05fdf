/*
 * drmscope/stats.h: the statistics behind `drmscope report` and
 * `drmscope compare`: summaries with percentiles, the Mann-Whitney U rank
 * test, the Hodges-Lehmann shift with its distribution-free confidence
 * interval, a seeded bootstrap, and the rule that turns them into a verdict
 * (better / worse / no change) for one metric of two driver builds.
 *
 * Conventions, for every function below:
 *  - Sample A is the baseline (the old build), sample B the candidate (the
 *    new build). A shift is "B minus A": positive when B's values are larger.
 *  - Functions return 0 on success or a negative errno value, and never
 *    exit or abort. Outputs are written only on success. The codes are:
 *      -EINVAL   a NULL pointer, a level/alpha/quantile out of range, or an
 *                input to a *_sorted() function that is not sorted;
 *      -ENODATA  too few values (each function says how many it needs);
 *      -EDOM     a NaN or infinite input value, or a relative change
 *                asked for against a baseline of zero;
 *      -ENOMEM   an allocation failed;
 *      -EOPNOTSUPP  an exact test forced where it does not exist (ties, or
 *                samples too large; see ds_stats_mann_whitney()).
 *  - No result field is ever NaN: cases where a quantity is undefined are
 *    either an error code or documented (e.g. the standard deviation of one
 *    value is reported as 0).
 *  - Inputs are arrays of double; the unsorted entry points copy them and
 *    never modify the caller's data.
 *
 * Workload: samples of a few values (three replays) up to tens of millions
 * (every ioctl of a capture). Sorting is a radix sort on the IEEE-754 bit
 * pattern (O(n): 0.7 s for 10M values on the development VM, a third of
 * qsort()'s time); the Hodges-Lehmann estimate never materialises the
 * n1 * n2 pairwise differences.
 */
#ifndef DRMSCOPE_STATS_H
#define DRMSCOPE_STATS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Minimum values per sample for a verdict other than INSUFFICIENT_DATA. */
#define DS_STATS_MIN_N_DEFAULT		3

/*
 * Largest n1 * n2 for which the exact null distribution of U is computed
 * (p-values of the rank test and the confidence interval of the shift).
 * Above it, the normal approximation is used. 2500 covers 50 vs 50 values
 * and takes about a millisecond.
 */
#define DS_STATS_EXACT_MAX_PAIRS	2500

/* ------------------------------------------------------------------------
 * Sorting and summaries
 */

/**
 * ds_stats_sort() - sort doubles in ascending order, in place.
 * @v: the values; must all be finite.
 * @n: number of values (0 is fine).
 *
 * A least-significant-digit radix sort on the order-preserving transform of
 * the IEEE-754 bits (stable, O(n), needs n * 8 bytes of scratch); insertion
 * sort below 64 values. -0.0 and +0.0 are equal values; their relative
 * order is unspecified.
 *
 * Return: 0; -EINVAL if @v is NULL and @n > 0; -EDOM if a value is NaN or
 * infinite (then @v is unchanged); -ENOMEM.
 */
int ds_stats_sort(double *v, size_t n);

/**
 * ds_stats_percentile_sorted() - one quantile of a sorted sample.
 * @sorted: the values in ascending order (not checked here, for speed).
 * @n: number of values, at least 1.
 * @q: the quantile in [0, 1] (0.5 for the median, 0.99 for p99).
 * @out: receives the quantile.
 *
 * Definition ("type 7" of Hyndman & Fan, the default of R's quantile() and
 * numpy.percentile()): with h = (n - 1) * q and j = floor(h), the result is
 * sorted[j] + (h - j) * (sorted[j + 1] - sorted[j]), i.e. linear
 * interpolation between the order statistics around rank h (0-based). So the
 * 0.9 quantile of {1, 2, 3, 4} is 3.7, q = 0 is the minimum, q = 1 the
 * maximum.
 *
 * Return: 0; -EINVAL for a NULL pointer or @q outside [0, 1] or NaN;
 * -ENODATA if @n is 0.
 */
int ds_stats_percentile_sorted(const double *sorted, size_t n, double q,
			       double *out);

/**
 * struct ds_stats_summary - description of one sample.
 * @n: number of values.
 * @mean: arithmetic mean (two-pass, so it is accurate for 10M values).
 * @stddev: sample standard deviation (divisor n - 1); 0 when @n is 1.
 * @min: smallest value.
 * @max: largest value.
 * @p50: median (type-7 quantile 0.5, see ds_stats_percentile_sorted()).
 * @p90: type-7 quantile 0.90.
 * @p99: type-7 quantile 0.99.
 */
struct ds_stats_summary {
	size_t n;
	double mean;
	double stddev;
	double min;
	double max;
	double p50;
	double p90;
	double p99;
};

/**
 * ds_stats_summarize() - summary of an unsorted sample.
 * @v: the values (not modified; copied and sorted internally).
 * @n: number of values, at least 1.
 * @out: receives the summary.
 *
 * Return: 0; -EINVAL for a NULL pointer; -ENODATA if @n is 0; -EDOM for a
 * non-finite value; -ENOMEM.
 */
int ds_stats_summarize(const double *v, size_t n,
		       struct ds_stats_summary *out);

/**
 * ds_stats_summarize_sorted() - summary of a sample already sorted.
 * @sorted: the values in ascending order; checked (O(n)).
 * @n: number of values, at least 1.
 * @out: receives the summary.
 *
 * Return: as ds_stats_summarize(), plus -EINVAL if @sorted is not in
 * ascending order. Never allocates.
 */
int ds_stats_summarize_sorted(const double *sorted, size_t n,
			      struct ds_stats_summary *out);

/* ------------------------------------------------------------------------
 * Mann-Whitney U test (Wilcoxon rank-sum), two-sided
 */

/**
 * enum ds_stats_mwu_method - how the p-value of the rank test is computed.
 * @DS_STATS_MWU_AUTO: exact when there are no ties and n1 * n2 <=
 *	DS_STATS_EXACT_MAX_PAIRS, normal approximation otherwise.
 * @DS_STATS_MWU_EXACT: always exact; -EOPNOTSUPP with ties or when
 *	n1 * n2 > DS_STATS_EXACT_MAX_PAIRS.
 * @DS_STATS_MWU_NORMAL: always the normal approximation.
 */
enum ds_stats_mwu_method {
	DS_STATS_MWU_AUTO = 0,
	DS_STATS_MWU_EXACT,
	DS_STATS_MWU_NORMAL,
};

/**
 * struct ds_stats_mwu - result of the Mann-Whitney U test.
 * @u: U of sample A: the number of pairs (a_i, b_j) with a_i > b_j, ties
 *	counting one half; equivalently R_A - n1 (n1 + 1) / 2 with R_A the sum
 *	of A's midranks in the pooled sample. (This is scipy's and R's "W"
 *	convention.) U of B is n1 * n2 - @u; a small @u means B tends to be
 *	larger.
 * @z: the standardised statistic (U - n1 n2 / 2) / sigma, with the
 *	continuity correction (|U - n1 n2 / 2| reduced by 0.5, not below 0)
 *	and sigma corrected for ties. Negative when B tends to be larger. Filled
 *	for every method, so callers can print it; 0 when sigma is 0.
 * @p: two-sided p-value in [0, 1]. Exact: 2 min(P(U <= u), P(U >= u)) under
 *	the null distribution, capped at 1. Normal: erfc(|z| / sqrt 2). When
 *	all values are equal, 1.
 * @n1: size of A.
 * @n2: size of B.
 * @exact: 1 if @p is exact, 0 if it is the normal approximation.
 */
struct ds_stats_mwu {
	double u;
	double z;
	double p;
	size_t n1;
	size_t n2;
	int exact;
};

/**
 * ds_stats_mann_whitney() - two-sided Mann-Whitney U test of A against B.
 * @a: sample A (not modified).
 * @n1: size of A, at least 2.
 * @b: sample B (not modified).
 * @n2: size of B, at least 2.
 * @method: how to compute the p-value (enum ds_stats_mwu_method).
 * @out: receives the result.
 *
 * Ties get midranks. The exact null distribution counts the arrangements of
 * ranks giving each U with the recurrence f(m, n, u) = f(m - 1, n, u - n) +
 * f(m, n - 1, u), in O(min(n1, n2) * n1 * n2) time; it holds only without
 * ties, so ties always select the normal approximation under AUTO. The tie
 * correction of the variance is n1 n2 / 12 * ((N + 1) - sum(t^3 - t) /
 * (N (N - 1))), t the size of each group of equal values, N = n1 + n2.
 *
 * Return: 0; -EINVAL for a NULL pointer or unknown @method; -ENODATA when a
 * sample has fewer than 2 values; -EDOM for a non-finite value; -ENOMEM;
 * -EOPNOTSUPP as described for DS_STATS_MWU_EXACT.
 */
int ds_stats_mann_whitney(const double *a, size_t n1, const double *b,
			  size_t n2, enum ds_stats_mwu_method method,
			  struct ds_stats_mwu *out);

/**
 * ds_stats_mann_whitney_sorted() - ds_stats_mann_whitney() on sorted input.
 * @a: sample A in ascending order (checked).
 * @n1: size of A, at least 2.
 * @b: sample B in ascending order (checked).
 * @n2: size of B, at least 2.
 * @method: how to compute the p-value.
 * @out: receives the result.
 *
 * Return: as ds_stats_mann_whitney(), plus -EINVAL for unsorted input.
 */
int ds_stats_mann_whitney_sorted(const double *a, size_t n1, const double *b,
				 size_t n2, enum ds_stats_mwu_method method,
				 struct ds_stats_mwu *out);

/* ------------------------------------------------------------------------
 * Hodges-Lehmann shift and its confidence interval
 */

/**
 * struct ds_stats_hl - Hodges-Lehmann estimate of the shift B - A.
 * @shift: median of the n1 * n2 pairwise differences b_j - a_i (mean of the
 *	two middle ones when n1 * n2 is even).
 * @ci_low: lower confidence bound, D_(k): the k-th smallest difference.
 * @ci_high: upper confidence bound, D_(n1 n2 - k + 1): the k-th largest.
 * @k: the order statistic used for the bounds (1-based).
 * @level: the confidence actually achieved, 1 - 2 P(U <= k - 1) under the
 *	null distribution (exact or normal, as the p-value). It is at least the
 *	level asked for, except when the samples are too small to reach it:
 *	then k is 1, the interval spans all differences, and @level says how
 *	much confidence it really has (0.9 for 3 vs 3 values).
 * @exact: 1 if k comes from the exact distribution of U, 0 if from the
 *	normal approximation.
 */
struct ds_stats_hl {
	double shift;
	double ci_low;
	double ci_high;
	uint64_t k;
	double level;
	int exact;
};

/**
 * ds_stats_hodges_lehmann() - shift of B against A with a confidence interval.
 * @a: sample A (not modified).
 * @n1: size of A, at least 2.
 * @b: sample B (not modified).
 * @n2: size of B, at least 2.
 * @level: confidence level of the interval, in (0, 1), e.g. 0.99.
 * @out: receives the estimate and the interval.
 *
 * The interval is the distribution-free one obtained by inverting the
 * Mann-Whitney test (Hollander & Wolfe, ch. 4): k - 1 is the largest u with
 * P(U <= u) <= (1 - @level) / 2. The exact distribution of U is used when
 * n1 * n2 <= DS_STATS_EXACT_MAX_PAIRS, otherwise
 * k = floor(n1 n2 / 2 - z sqrt(n1 n2 (N + 1) / 12) + 1/2) with z the
 * (1 + @level) / 2 normal quantile (continuity-corrected). Ties are not
 * corrected for; with many ties the interval is conservative.
 *
 * The k-th pairwise difference is found without building the n1 * n2
 * differences: a search on its value in which each step counts the
 * differences <= t with two pointers over the sorted samples (O(n1 + n2))
 * and also returns t's two neighbours among the differences, so the search
 * moves between actual differences (regula falsi with the Illinois rule,
 * bisection of the bit patterns as a fallback) and ends on one. The result
 * is the k-th smallest of the differences as computed in floating point,
 * bit for bit what sorting all of them would give. About a dozen passes per
 * order statistic; 100k vs 100k values take about 0.04 s in all, 1M vs 1M
 * about 0.5 s.
 *
 * Return: 0; -EINVAL for a NULL pointer or @level outside (0, 1); -ENODATA
 * when a sample has fewer than 2 values; -EDOM for a non-finite value or
 * one beyond DBL_MAX / 2 in magnitude (differences would overflow);
 * -ENOMEM.
 */
int ds_stats_hodges_lehmann(const double *a, size_t n1, const double *b,
			    size_t n2, double level, struct ds_stats_hl *out);

/**
 * ds_stats_hodges_lehmann_sorted() - ds_stats_hodges_lehmann() on sorted
 * input.
 * @a: sample A in ascending order (checked).
 * @n1: size of A, at least 2.
 * @b: sample B in ascending order (checked).
 * @n2: size of B, at least 2.
 * @level: confidence level, in (0, 1).
 * @out: receives the estimate and the interval.
 *
 * Return: as ds_stats_hodges_lehmann(), plus -EINVAL for unsorted input.
 */
int ds_stats_hodges_lehmann_sorted(const double *a, size_t n1,
				   const double *b, size_t n2, double level,
				   struct ds_stats_hl *out);

/**
 * ds_stats_pairwise_kth_sorted() - k-th smallest pairwise difference.
 * @a: sample A in ascending order (not checked).
 * @n1: size of A, at least 1.
 * @b: sample B in ascending order (not checked).
 * @n2: size of B, at least 1.
 * @k: rank of the wanted difference, 1 <= @k <= n1 * n2.
 * @out: receives the k-th smallest of all b_j - a_i.
 *
 * The building block of ds_stats_hodges_lehmann(), exported for tests and
 * for callers that want other order statistics of the differences. Values
 * must be finite; differences of values beyond DBL_MAX / 2 may be +-inf.
 *
 * Return: 0; -EINVAL for a NULL pointer or @k out of range; -ENODATA if a
 * sample is empty.
 */
int ds_stats_pairwise_kth_sorted(const double *a, size_t n1, const double *b,
				 size_t n2, uint64_t k, double *out);

/* ------------------------------------------------------------------------
 * Relative change
 */

/**
 * ds_stats_relative() - a change as a percentage of a baseline.
 * @delta: the change, in the metric's unit (e.g. a Hodges-Lehmann shift).
 * @base: the baseline, usually the median of A.
 * @pct: receives 100 * @delta / |@base|. Dividing by the magnitude keeps
 *	the sign of @delta: positive still means "B is larger".
 *
 * Return: 0; -EINVAL if @pct is NULL; -EDOM if @base is 0 or either value is
 * not finite.
 */
int ds_stats_relative(double delta, double base, double *pct);

/**
 * struct ds_stats_rel - a shift and its interval as percentages of A.
 * @shift_pct: 100 * shift / |median of A|.
 * @ci_low_pct: 100 * ci_low / |median of A|.
 * @ci_high_pct: 100 * ci_high / |median of A|.
 */
struct ds_stats_rel {
	double shift_pct;
	double ci_low_pct;
	double ci_high_pct;
};

/**
 * ds_stats_hl_relative() - the Hodges-Lehmann result relative to A.
 * @hl: a result of ds_stats_hodges_lehmann().
 * @base: the baseline, normally A's median (struct ds_stats_summary.p50).
 * @out: receives the three percentages.
 *
 * Return: 0; -EINVAL for a NULL pointer; -EDOM if @base is 0 or not finite.
 */
int ds_stats_hl_relative(const struct ds_stats_hl *hl, double base,
			 struct ds_stats_rel *out);

/* ------------------------------------------------------------------------
 * Pseudo-random numbers (xoshiro256**, seeded through splitmix64)
 */

/**
 * struct ds_stats_rng - state of the generator; treat as opaque.
 * @s: the 256-bit xoshiro256** state.
 */
struct ds_stats_rng {
	uint64_t s[4];
};

/**
 * ds_stats_rng_seed() - initialise a generator from a 64-bit seed.
 * @rng: the generator.
 * @seed: any value, 0 included; the state is four outputs of splitmix64
 *	started at @seed, so it is never all zero.
 */
void ds_stats_rng_seed(struct ds_stats_rng *rng, uint64_t seed);

/**
 * ds_stats_rng_next() - next 64 random bits.
 * @rng: the generator.
 *
 * Return: the next output of xoshiro256** (Blackman & Vigna, 2018).
 */
uint64_t ds_stats_rng_next(struct ds_stats_rng *rng);

/**
 * ds_stats_rng_uniform() - uniform double in [0, 1).
 * @rng: the generator.
 *
 * Return: the top 53 bits of the next output, scaled by 2^-53.
 */
double ds_stats_rng_uniform(struct ds_stats_rng *rng);

/**
 * ds_stats_rng_below() - uniform integer in [0, bound), without bias.
 * @rng: the generator.
 * @bound: exclusive upper bound; 0 returns 0.
 *
 * Return: the integer (multiply-shift with rejection of the biased zone).
 */
uint64_t ds_stats_rng_below(struct ds_stats_rng *rng, uint64_t bound);

/**
 * ds_stats_rng_normal() - standard normal deviate (Box-Muller).
 * @rng: the generator.
 *
 * Return: a N(0, 1) value; uses two uniforms per call (the second deviate of
 * the pair is dropped, so the sequence depends only on the seed and the
 * number of calls).
 */
double ds_stats_rng_normal(struct ds_stats_rng *rng);

/* ------------------------------------------------------------------------
 * Bootstrap
 */

/**
 * enum ds_stats_boot_stat - the statistic a bootstrap interval is built for.
 * @DS_STATS_BOOT_MEDIAN_RATIO: median(B*) / median(A*), A* and B* the
 *	resamples; 1.2 means "B is 20% larger".
 * @DS_STATS_BOOT_MEDIAN_DIFF: median(B*) - median(A*), in the metric's unit.
 */
enum ds_stats_boot_stat {
	DS_STATS_BOOT_MEDIAN_RATIO = 0,
	DS_STATS_BOOT_MEDIAN_DIFF,
};

/**
 * struct ds_stats_boot - result of a bootstrap.
 * @estimate: the statistic on the original samples.
 * @ci_low: (1 - level) / 2 type-7 quantile of the resampled statistics.
 * @ci_high: (1 + level) / 2 type-7 quantile of the resampled statistics.
 * @resamples: number of resamples drawn.
 */
struct ds_stats_boot {
	double estimate;
	double ci_low;
	double ci_high;
	unsigned int resamples;
};

/**
 * ds_stats_bootstrap() - percentile bootstrap interval for medians.
 * @a: sample A (not modified).
 * @n1: size of A, at least 2.
 * @b: sample B (not modified).
 * @n2: size of B, at least 2.
 * @stat: ratio or difference of the medians (enum ds_stats_boot_stat).
 * @resamples: number of resamples, at least 10 (1000-10000 is usual).
 * @level: confidence level, in (0, 1).
 * @seed: seed of the generator; the result is a function of the inputs and
 *	the seed only (same seed, same interval, on every machine).
 * @out: receives the estimate and the interval.
 *
 * Each resample draws n1 values from A and n2 from B with replacement and
 * takes the medians (counting draws per order statistic of the sorted
 * sample, so a resample costs O(n1 + n2) without sorting). Time is
 * O(@resamples * (n1 + n2)): for samples of millions, prefer the
 * Hodges-Lehmann interval. The ratio is meant for positive metrics
 * (durations, rates).
 *
 * Return: 0; -EINVAL for a NULL pointer, unknown @stat, @resamples < 10,
 * @level outside (0, 1) or a sample of 2^32 values or more; -ENODATA when
 * a sample has fewer than 2 values;
 * -EDOM for a non-finite value, or for the ratio when the median of A (or
 * of one of its resamples) is 0; -ENOMEM.
 */
int ds_stats_bootstrap(const double *a, size_t n1, const double *b,
		       size_t n2, enum ds_stats_boot_stat stat,
		       unsigned int resamples, double level, uint64_t seed,
		       struct ds_stats_boot *out);

/* ------------------------------------------------------------------------
 * Verdict
 */

/**
 * enum ds_stats_direction - which way a metric improves.
 * @DS_STATS_LOWER_IS_BETTER: durations, latencies, round trips, errors.
 * @DS_STATS_HIGHER_IS_BETTER: throughput, frames per second.
 */
enum ds_stats_direction {
	DS_STATS_LOWER_IS_BETTER = 0,
	DS_STATS_HIGHER_IS_BETTER,
};

/**
 * enum ds_stats_verdict - what a comparison concludes for one metric.
 * @DS_STATS_NO_CHANGE: no change shown, at this threshold and alpha.
 * @DS_STATS_BETTER: B is significantly and substantially better.
 * @DS_STATS_WORSE: B is significantly and substantially worse.
 * @DS_STATS_INSUFFICIENT_DATA: a sample is smaller than the minimum size.
 */
enum ds_stats_verdict {
	DS_STATS_NO_CHANGE = 0,
	DS_STATS_BETTER,
	DS_STATS_WORSE,
	DS_STATS_INSUFFICIENT_DATA,
};

/**
 * ds_stats_verdict_name() - lower-case name of a verdict.
 * @v: the verdict.
 *
 * Return: "no change", "better", "worse", "insufficient data", or "?" for a
 * value outside the enum.
 */
const char *ds_stats_verdict_name(enum ds_stats_verdict v);

/**
 * struct ds_stats_verdict_input - the evidence for one metric.
 * @shift_pct: the relative shift of B against A, in percent (e.g. from
 *	ds_stats_hl_relative()). Infinite values are allowed and mean an
 *	infinite relative change (a baseline of 0); NaN is not.
 * @ci_low_pct: lower bound of its confidence interval, in percent.
 * @ci_high_pct: upper bound, in percent; not below @ci_low_pct.
 * @p: two-sided p-value of the rank test, in [0, 1].
 * @n1: size of A.
 * @n2: size of B.
 */
struct ds_stats_verdict_input {
	double shift_pct;
	double ci_low_pct;
	double ci_high_pct;
	double p;
	size_t n1;
	size_t n2;
};

/**
 * struct ds_stats_verdict_params - the user's thresholds.
 * @direction: which way the metric improves.
 * @threshold_pct: smallest relative change that matters, in percent (5.0
 *	for `--threshold 5%`); >= 0.
 * @alpha: significance level (0.01 for `--alpha 0.01`), in (0, 1).
 * @min_n: smallest sample size for a verdict; values below 2 mean 2.
 */
struct ds_stats_verdict_params {
	enum ds_stats_direction direction;
	double threshold_pct;
	double alpha;
	size_t min_n;
};

/**
 * ds_stats_verdict() - decide better / worse / no change for one metric.
 * @in: the evidence.
 * @params: the thresholds.
 * @out: receives the verdict.
 *
 * The rule, applied in this order:
 *  1. INSUFFICIENT_DATA if n1 or n2 is below @params->min_n.
 *  2. WORSE if all of: p < alpha; the whole interval is on the worse side
 *     of 0 (ci_low_pct > 0 when lower is better, ci_high_pct < 0 when
 *     higher is better); and |shift_pct| > threshold_pct.
 *  3. BETTER, symmetrically: p < alpha, the whole interval on the better
 *     side of 0, and |shift_pct| > threshold_pct.
 *  4. NO_CHANGE otherwise: not significant, an interval that touches 0, or
 *     a change too small to matter.
 * An interval that touches 0 never gives a verdict, whatever the p-value,
 * and a significant but small change (e.g. +1% with a 5% threshold) is
 * NO_CHANGE: the test says "different", the user said "not enough to care".
 *
 * Return: 0; -EINVAL for a NULL pointer, NaN inputs, p outside [0, 1], an
 * inverted interval, alpha outside (0, 1), a negative threshold or an
 * unknown direction.
 */
int ds_stats_verdict(const struct ds_stats_verdict_input *in,
		     const struct ds_stats_verdict_params *params,
		     enum ds_stats_verdict *out);

/* ------------------------------------------------------------------------
 * The whole comparison of one metric
 */

/**
 * struct ds_stats_compare_params - options of ds_stats_compare().
 * @verdict: direction, threshold, alpha and minimum sample size.
 * @level: confidence level of the intervals; 0 means 1 - alpha, so that
 *	an interval excluding 0 and p < alpha tell the same story.
 * @bootstrap_resamples: 0 for no bootstrap; otherwise the number of
 *	resamples for a ratio-of-medians interval.
 * @seed: seed of the bootstrap.
 */
struct ds_stats_compare_params {
	struct ds_stats_verdict_params verdict;
	double level;
	unsigned int bootstrap_resamples;
	uint64_t seed;
};

/**
 * ds_stats_compare_defaults() - fill the options with the CLI's defaults.
 * @params: receives: lower is better, threshold 5%, alpha 0.01, min_n
 *	DS_STATS_MIN_N_DEFAULT, level 0 (i.e. 0.99), no bootstrap, seed 1.
 */
void ds_stats_compare_defaults(struct ds_stats_compare_params *params);

/**
 * struct ds_stats_comparison - everything `drmscope compare` prints for one
 * metric.
 * @a: summary of A.
 * @b: summary of B.
 * @tested: 1 if the test, the shift and the verdict below were computed;
 *	0 if a sample was below the minimum size (then @verdict is
 *	INSUFFICIENT_DATA and @mwu, @hl, @rel, @boot are zero).
 * @mwu: the Mann-Whitney test (AUTO method).
 * @hl: the Hodges-Lehmann shift B - A and its interval at the level used.
 * @rel_valid: 1 if @rel is filled; 0 when A's median is 0 (a relative
 *	change is then undefined; the verdict treats any non-zero shift as
 *	exceeding the threshold).
 * @rel: the shift and its interval in percent of A's median.
 * @boot_valid: 1 if @boot is filled (bootstrap asked for and defined).
 * @boot: the bootstrap interval of median(B) / median(A).
 * @verdict: the verdict, see ds_stats_verdict().
 */
struct ds_stats_comparison {
	struct ds_stats_summary a;
	struct ds_stats_summary b;
	int tested;
	struct ds_stats_mwu mwu;
	struct ds_stats_hl hl;
	int rel_valid;
	struct ds_stats_rel rel;
	int boot_valid;
	struct ds_stats_boot boot;
	enum ds_stats_verdict verdict;
};

/**
 * ds_stats_compare() - compare one metric between two samples.
 * @a: sample A, the baseline (not modified).
 * @n1: size of A, at least 1.
 * @b: sample B, the candidate (not modified).
 * @n2: size of B, at least 1.
 * @params: options, or NULL for ds_stats_compare_defaults().
 * @out: receives the comparison.
 *
 * Sorts each sample once, then runs the summaries, the rank test, the
 * Hodges-Lehmann shift relative to A's median and, if asked, the bootstrap,
 * and applies ds_stats_verdict(). A sample of size 1 is not an error: the
 * summaries are filled and the verdict is INSUFFICIENT_DATA.
 *
 * Return: 0; -EINVAL for a NULL pointer or invalid @params; -ENODATA if a
 * sample is empty; -EDOM for a non-finite value; -ENOMEM.
 */
int ds_stats_compare(const double *a, size_t n1, const double *b, size_t n2,
		     const struct ds_stats_compare_params *params,
		     struct ds_stats_comparison *out);

#ifdef __cplusplus
}
#endif

#endif /* DRMSCOPE_STATS_H */
