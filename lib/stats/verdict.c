/*
 * verdict.c: from numbers to a decision. Relative changes against A's
 * median, the better / worse / no-change rule documented at
 * ds_stats_verdict() in drmscope/stats.h, and ds_stats_compare(), which runs
 * the whole comparison of one metric the way `drmscope compare` prints it.
 */
#include "stats_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int ds_stats_relative(double delta, double base, double *pct)
{
	double r;

	if (!pct)
		return -EINVAL;
	if (!isfinite(delta) || !isfinite(base) || base == 0.0)
		return -EDOM;
	r = 100.0 * (delta / fabs(base));
	if (!isfinite(r))		/* a tiny base: the ratio overflowed */
		return -EDOM;
	*pct = r;
	return 0;
}

int ds_stats_hl_relative(const struct ds_stats_hl *hl, double base,
			 struct ds_stats_rel *out)
{
	struct ds_stats_rel r;
	int ret;

	if (!hl || !out)
		return -EINVAL;
	ret = ds_stats_relative(hl->shift, base, &r.shift_pct);
	if (!ret)
		ret = ds_stats_relative(hl->ci_low, base, &r.ci_low_pct);
	if (!ret)
		ret = ds_stats_relative(hl->ci_high, base, &r.ci_high_pct);
	if (ret)
		return ret;
	*out = r;
	return 0;
}

const char *ds_stats_verdict_name(enum ds_stats_verdict v)
{
	switch (v) {
	case DS_STATS_NO_CHANGE:
		return "no change";
	case DS_STATS_BETTER:
		return "better";
	case DS_STATS_WORSE:
		return "worse";
	case DS_STATS_INSUFFICIENT_DATA:
		return "insufficient data";
	}
	return "?";
}

static int check_verdict_params(const struct ds_stats_verdict_params *params)
{
	if (params->direction != DS_STATS_LOWER_IS_BETTER &&
	    params->direction != DS_STATS_HIGHER_IS_BETTER)
		return -EINVAL;
	if (!(params->alpha > 0.0 && params->alpha < 1.0))
		return -EINVAL;
	if (!(params->threshold_pct >= 0.0) || isinf(params->threshold_pct))
		return -EINVAL;
	return 0;
}

int ds_stats_verdict(const struct ds_stats_verdict_input *in,
		     const struct ds_stats_verdict_params *params,
		     enum ds_stats_verdict *out)
{
	size_t min_n;
	int up, down, big;

	if (!in || !params || !out)
		return -EINVAL;
	if (check_verdict_params(params))
		return -EINVAL;
	if (isnan(in->shift_pct) || isnan(in->ci_low_pct) ||
	    isnan(in->ci_high_pct) || in->ci_low_pct > in->ci_high_pct ||
	    !(in->p >= 0.0 && in->p <= 1.0))
		return -EINVAL;

	min_n = params->min_n < 2 ? 2 : params->min_n;
	if (in->n1 < min_n || in->n2 < min_n) {
		*out = DS_STATS_INSUFFICIENT_DATA;
		return 0;
	}

	*out = DS_STATS_NO_CHANGE;
	big = fabs(in->shift_pct) > params->threshold_pct;
	if (!(in->p < params->alpha) || !big)
		return 0;
	/* B larger (the whole interval above 0) or smaller (below 0). */
	up = in->ci_low_pct > 0.0 && in->shift_pct > 0.0;
	down = in->ci_high_pct < 0.0 && in->shift_pct < 0.0;
	if (params->direction == DS_STATS_LOWER_IS_BETTER) {
		if (up)
			*out = DS_STATS_WORSE;
		else if (down)
			*out = DS_STATS_BETTER;
	} else {
		if (up)
			*out = DS_STATS_BETTER;
		else if (down)
			*out = DS_STATS_WORSE;
	}
	return 0;
}

void ds_stats_compare_defaults(struct ds_stats_compare_params *params)
{
	memset(params, 0, sizeof(*params));
	params->verdict.direction = DS_STATS_LOWER_IS_BETTER;
	params->verdict.threshold_pct = 5.0;
	params->verdict.alpha = 0.01;
	params->verdict.min_n = DS_STATS_MIN_N_DEFAULT;
	params->level = 0.0;
	params->bootstrap_resamples = 0;
	params->seed = 1;
}

/* A change against a zero baseline: infinitely large, in its direction. */
static double sign_as_pct(double x)
{
	if (x > 0.0)
		return HUGE_VAL;
	if (x < 0.0)
		return -HUGE_VAL;
	return 0.0;
}

int ds_stats_compare(const double *a, size_t n1, const double *b, size_t n2,
		     const struct ds_stats_compare_params *params,
		     struct ds_stats_comparison *out)
{
	struct ds_stats_compare_params defaults;
	struct ds_stats_verdict_input in;
	struct ds_stats_comparison r;
	double *sa = NULL, *sb = NULL, level;
	size_t min_n;
	int ret;

	if (!a || !b || !out)
		return -EINVAL;
	if (!params) {
		ds_stats_compare_defaults(&defaults);
		params = &defaults;
	}
	if (check_verdict_params(&params->verdict))
		return -EINVAL;
	level = params->level == 0.0 ? 1.0 - params->verdict.alpha
				     : params->level;
	if (!(level > 0.0 && level < 1.0))
		return -EINVAL;
	if (params->bootstrap_resamples && params->bootstrap_resamples < 10)
		return -EINVAL;
	if (!n1 || !n2)
		return -ENODATA;
	min_n = params->verdict.min_n < 2 ? 2 : params->verdict.min_n;

	memset(&r, 0, sizeof(r));
	ret = dss_sorted_copy(a, n1, &sa);
	if (ret)
		goto out;
	ret = dss_sorted_copy(b, n2, &sb);
	if (ret)
		goto out;
	ret = ds_stats_summarize_sorted(sa, n1, &r.a);
	if (!ret)
		ret = ds_stats_summarize_sorted(sb, n2, &r.b);
	if (ret)
		goto out;

	if (n1 < min_n || n2 < min_n) {
		r.verdict = DS_STATS_INSUFFICIENT_DATA;
		*out = r;
		goto out;
	}

	ret = ds_stats_mann_whitney_sorted(sa, n1, sb, n2, DS_STATS_MWU_AUTO,
					   &r.mwu);
	if (!ret)
		ret = ds_stats_hodges_lehmann_sorted(sa, n1, sb, n2, level,
						     &r.hl);
	if (ret)
		goto out;

	memset(&in, 0, sizeof(in));
	in.p = r.mwu.p;
	in.n1 = n1;
	in.n2 = n2;
	if (!ds_stats_hl_relative(&r.hl, r.a.p50, &r.rel)) {
		r.rel_valid = 1;
		in.shift_pct = r.rel.shift_pct;
		in.ci_low_pct = r.rel.ci_low_pct;
		in.ci_high_pct = r.rel.ci_high_pct;
	} else {
		in.shift_pct = sign_as_pct(r.hl.shift);
		in.ci_low_pct = sign_as_pct(r.hl.ci_low);
		in.ci_high_pct = sign_as_pct(r.hl.ci_high);
	}

	if (params->bootstrap_resamples) {
		ret = dss_bootstrap_sorted(sa, n1, sb, n2,
					   DS_STATS_BOOT_MEDIAN_RATIO,
					   params->bootstrap_resamples, level,
					   params->seed, &r.boot);
		if (!ret)
			r.boot_valid = 1;
		else if (ret != -EDOM)
			goto out;
	}

	ret = ds_stats_verdict(&in, &params->verdict, &r.verdict);
	if (ret)
		goto out;
	r.tested = 1;
	*out = r;
out:
	free(sb);
	free(sa);
	return ret;
}
