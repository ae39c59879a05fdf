/*
 * rng.c: the pseudo-random generator of the bootstrap (and of the synthetic
 * data of tests and benchmarks): xoshiro256** of Blackman and Vigna, its
 * state filled by splitmix64 from a 64-bit seed. Results depend on the seed
 * only, on every machine, so a `compare` run can be reproduced exactly.
 * Not for cryptography.
 */
#include <drmscope/stats.h>

#include <math.h>

static inline uint64_t rotl64(uint64_t x, unsigned int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z;

	*state += UINT64_C(0x9e3779b97f4a7c15);
	z = *state;
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void ds_stats_rng_seed(struct ds_stats_rng *rng, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&seed);
}

uint64_t ds_stats_rng_next(struct ds_stats_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

double ds_stats_rng_uniform(struct ds_stats_rng *rng)
{
	return (double)(ds_stats_rng_next(rng) >> 11) * 0x1.0p-53;
}

uint64_t ds_stats_rng_below(struct ds_stats_rng *rng, uint64_t bound)
{
	unsigned __int128 m;
	uint64_t low;

	if (!bound)
		return 0;
	/*
	 * The high word of x * bound is uniform in [0, bound) except that
	 * some values get one extra x; rejecting low words below
	 * 2^64 mod bound removes exactly those. The modulo is only computed
	 * when the low word is small enough to possibly need it.
	 */
	m = (unsigned __int128)ds_stats_rng_next(rng) * bound;
	low = (uint64_t)m;
	if (low < bound) {
		uint64_t threshold = -bound % bound;

		while (low < threshold) {
			m = (unsigned __int128)ds_stats_rng_next(rng) * bound;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double ds_stats_rng_normal(struct ds_stats_rng *rng)
{
	double u1 = 1.0 - ds_stats_rng_uniform(rng);	/* (0, 1]: finite log */
	double u2 = ds_stats_rng_uniform(rng);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}
