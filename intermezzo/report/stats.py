"""Paired statistics: bootstrap CIs of a mean difference, sign-flip permutation p-values, Holm correction."""

from __future__ import annotations

import itertools

import numpy as np


# Resample in batches of at most this many draws, so 100k examples x 10k resamples stay within memory.
MAX_DRAWS = 5_000_000


def _batch(n: int) -> int:
    return max(1, MAX_DRAWS // max(n, 1))


def bootstrap_ci(diffs, n_resamples: int = 10_000, level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of paired differences (units resampled with replacement)."""
    d = np.asarray(diffs, dtype=float)
    if d.size == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = []
    batch = _batch(d.size)
    for start in range(0, n_resamples, batch):
        n = min(batch, n_resamples - start)
        means.append(d[rng.integers(0, d.size, size=(n, d.size))].mean(axis=1))
    means = np.concatenate(means)
    alpha = (1 - level) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def sign_flip_pvalue(diffs, n_resamples: int = 10_000, seed: int = 0) -> float:
    """Two-sided p-value of mean(diffs) = 0 under random sign flips of each paired difference.

    Exact (every sign pattern) when 2**n <= n_resamples, else Monte Carlo with the (k+1)/(m+1) estimate;
    the same conventions as scipy.stats.permutation_test(permutation_type="samples").
    """
    d = np.asarray(diffs, dtype=float)
    if d.size == 0:
        return float("nan")
    observed = d.mean()
    exact = 2 ** d.size <= n_resamples
    if exact:
        null = np.array(list(itertools.product((1.0, -1.0), repeat=d.size))) @ d / d.size
    else:
        rng, batch, parts = np.random.default_rng(seed), _batch(d.size), []
        for start in range(0, n_resamples, batch):
            signs = rng.choice((1.0, -1.0), size=(min(batch, n_resamples - start), d.size))
            parts.append(signs @ d / d.size)
        null = np.concatenate(parts)
    # Relative tolerance as scipy uses, so ties from floating error count as ties.
    eps = 1e-14 * max(1.0, abs(observed))
    greater = np.count_nonzero(null >= observed - eps)
    less = np.count_nonzero(null <= observed + eps)
    if exact:
        p_greater, p_less = greater / len(null), less / len(null)
    else:
        p_greater, p_less = (greater + 1) / (len(null) + 1), (less + 1) / (len(null) + 1)
    return float(min(1.0, 2 * min(p_greater, p_less)))


def holm(pvalues) -> list[float]:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1), in the input order."""
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted.tolist()


def paired_summary(diffs, n_resamples: int = 10_000, seed: int = 0) -> dict:
    """Mean difference, its 95% bootstrap CI, the sign-flip p-value and the number of paired units."""
    d = np.asarray(diffs, dtype=float)
    low, high = bootstrap_ci(d, n_resamples=n_resamples, seed=seed)
    return {"mean": float(d.mean()) if d.size else float("nan"), "ci_low": low, "ci_high": high,
            "p": sign_flip_pvalue(d, n_resamples=n_resamples, seed=seed), "n": int(d.size)}
