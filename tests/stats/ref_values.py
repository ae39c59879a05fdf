#!/usr/bin/env python3
# ref_values.py: computes the reference numbers that test_stats.c checks
# against, independently of the C code and without scipy or numpy (neither is
# installed on the build machines). Exact p-values come from brute-force
# enumeration of every split of the pooled ranks, in rational arithmetic; the
# normal approximations follow the textbook formulas written out below. Run it
# with `python3 tests/stats/ref_values.py` and compare with the constants in
# test_stats.c; it is not part of the build.
from fractions import Fraction
from itertools import combinations
import math


def u_stat(a, b):
    """U of sample a: pairs (a_i, b_j) with a_i > b_j, ties counting 1/2."""
    u = Fraction(0)
    for x in a:
        for y in b:
            if x > y:
                u += 1
            elif x == y:
                u += Fraction(1, 2)
    return u


def exact_p_enum(a, b):
    """Two-sided exact p by enumerating every assignment of the pooled
    values to a group of size len(a): 2 * min(P(U <= u), P(U >= u))."""
    pooled = list(a) + list(b)
    n1 = len(a)
    u_obs = u_stat(a, b)
    le = ge = total = 0
    for idx in combinations(range(len(pooled)), n1):
        s = set(idx)
        aa = [pooled[i] for i in idx]
        bb = [pooled[i] for i in range(len(pooled)) if i not in s]
        u = u_stat(aa, bb)
        total += 1
        if u <= u_obs:
            le += 1
        if u >= u_obs:
            ge += 1
    return min(Fraction(1), 2 * min(Fraction(le, total), Fraction(ge, total)))


def u_counts(m, n):
    """Number of rank arrangements giving each U, by the recurrence
    f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u)."""
    memo = {}

    def f(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == 0 or j == 0:
            r = [1]
        else:
            left = f(i - 1, j)
            right = f(i, j - 1)
            r = [0] * (i * j + 1)
            for u, c in enumerate(right):
                r[u] += c
            for u, c in enumerate(left):
                r[u + j] += c
        memo[(i, j)] = r
        return r
    return f(m, n)


def normal_p(a, b):
    """Normal approximation with tie and continuity corrections."""
    n1, n2 = len(a), len(b)
    n = n1 + n2
    u = float(u_stat(a, b))
    mu = n1 * n2 / 2
    pooled = sorted(list(a) + list(b))
    ties = 0
    i = 0
    while i < n:
        j = i
        while j < n and pooled[j] == pooled[i]:
            j += 1
        t = j - i
        ties += t ** 3 - t
        i = j
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return u, 0.0, 1.0
    d = max(0.0, abs(u - mu) - 0.5)
    z = math.copysign(d / math.sqrt(var), u - mu)
    return u, z, math.erfc(abs(z) / math.sqrt(2))


def hl_k_exact(m, n, level):
    """k such that [D_(k), D_(mn-k+1)] is the exact distribution-free CI:
    k - 1 is the largest u with P(U <= u) <= (1 - level) / 2, and the
    interval covers the true shift with probability 1 - 2 P(U <= k - 1).
    When even P(U <= 0) is too large, k = 1 and the coverage falls short."""
    c = u_counts(m, n)
    total = sum(c)
    half = (1 - Fraction(level).limit_denominator(1000)) / 2
    cum = 0
    k = 1
    for u, cnt in enumerate(c):
        cum += cnt
        if Fraction(cum, total) <= half:
            k = u + 1
        else:
            break
    return k, 1 - 2 * Fraction(sum(c[:k]), total)


MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


def xoshiro_outputs(seed, count):
    s = []
    st = seed
    for _ in range(4):
        st, z = splitmix64(st)
        s.append(z)
    out = []
    for _ in range(count):
        r = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        out.append(r)
    return out


def main():
    # Aesop's race (the Wikipedia Mann-Whitney example): finishing order
    # T H H H H H T T T T T H, tortoises as sample A; position = time.
    order = "THHHHHTTTTTH"
    tort = [i for i, c in enumerate(order, 1) if c == "T"]
    hare = [i for i, c in enumerate(order, 1) if c == "H"]
    # Times are finishing positions, so U_T (tortoise slower than hare)
    # is 25 and the textbook's "tortoise wins" count is U_H = 11.
    print("tortoise/hare: U_T =", u_stat(tort, hare),
          "U_H =", u_stat(hare, tort),
          "p_exact =", float(exact_p_enum(tort, hare)))

    # R's ?wilcox.test example (Hollander & Wolfe, permeability constants).
    x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    y = [1.15, 0.88, 0.90, 0.74, 1.21]
    p = exact_p_enum(x, y)
    print("R example: U_x =", u_stat(x, y), "p_exact =", repr(float(p)),
          "=", p)
    diffs = sorted(b - a for a in x for b in y)
    h = len(diffs) // 2
    print("R example HL(y - x) =", repr((diffs[h - 1] + diffs[h]) / 2))

    # Ties: small integer samples.
    a = [1, 2, 2, 3, 3, 3, 4, 5]
    b = [3, 4, 4, 5, 5, 6, 7, 7, 8]
    u, z, pn = normal_p(a, b)
    print("ties: U =", u, "z =", repr(z), "p_normal =", repr(pn),
          "p_exact_perm =", repr(float(exact_p_enum(a, b))))

    # All values equal: no information, p = 1.
    print("all tied:", normal_p([2, 2, 2], [2, 2, 2, 2]))

    # Exact distribution spot checks.
    for m, n in ((3, 3), (6, 6), (10, 10), (5, 12)):
        k, cov = hl_k_exact(m, n, 0.95)
        print("HL k(%d,%d,0.95) = %d coverage %r" % (m, n, k, float(cov)))
    k, cov = hl_k_exact(10, 10, 0.99)
    print("HL k(10,10,0.99) = %d coverage %r" % (k, float(cov)))
    c = u_counts(10, 10)
    print("P(U<=23 | 10,10) =", repr(sum(c[:24]) / sum(c)))
    c = u_counts(20, 25)
    print("P(U<=150 | 20,25) =", repr(sum(c[:151]) / sum(c)))

    # Normal-approximation CI index for n1 = n2 = 100, level 0.95.
    mu = 100 * 100 / 2
    sig = math.sqrt(100 * 100 * 201 / 12)
    z = 1.959963984540054
    print("HL k_normal(100,100,0.95) =", math.floor(mu - z * sig + 0.5))

    # Percentiles, type 7.
    v = [1.0, 2.0, 3.0, 4.0]
    for q in (0.0, 0.25, 0.5, 0.9, 0.99, 1.0):
        h = (len(v) - 1) * q
        lo = math.floor(h)
        hi = min(lo + 1, len(v) - 1)
        print("type7 q=%g -> %r" % (q, v[lo] + (h - lo) * (v[hi] - v[lo])))

    print("xoshiro256** seed 42:",
          ", ".join("0x%016xULL" % o for o in xoshiro_outputs(42, 4)))
    print("xoshiro256** seed 0:",
          ", ".join("0x%016xULL" % o for o in xoshiro_outputs(0, 2)))


if __name__ == "__main__":
    main()
