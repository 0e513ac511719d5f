"""Two-level statistics: training runs x paired test examples, a generalized pivotal interval, Holm.

The model (docs/statistics.md): a score is indexed by (arm, training run, example). Arms are independent sets
of training runs; examples are shared (paired) across arms. A statistic is a signed sum, over arms, of the
mean over that arm's runs of a per-run value (one headline, or a function of several: a drop, a ratio, an
average over languages). Its variance has two parts:

- run level: the sample variance of the per-run values / number of runs, one variance pooled across the
  compared arms (sum of R - 1 degrees of freedom) unless told otherwise;
- example level: a paired bootstrap that resamples the test items once per replicate and applies the same
  resample to every arm (and, for parallel test sets, to every language), minus the run x example noise the
  run-level part already holds.

The interval inverts the generalized pivot  estimate - Z * sqrt(V_run / (chi2_df / df) + V_example)  (Weerahandi
1993): exactly Student's t when V_example is 0 and a normal interval when V_run is; the p-value comes from the
same pivot, so p < 0.05 exactly when the 95% interval excludes 0. A bootstrap over runs is not used: with 2-5
runs per arm it has 3-126 distinct resamples and is badly anti-conservative; a Satterthwaite t is liberal here
because its df jump whenever the run variance happens to come out small.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps
from scipy.special import erfc, roots_legendre

from intermezzo.report.units import reduce

# Bootstrap counts are drawn in blocks of at most this many cells, so 5,000 items x 10,000 replicates fit.
MAX_DRAWS = 5_000_000
ONE_RUN = "1 run: run-to-run variance cannot be estimated, no CI"
# Quadrature nodes over the run-level variance's fiducial distribution (fiducial_nodes).
NODES = 200
LHS_NODES = 2_000
SQRT2 = np.sqrt(2.0)


@dataclass
class Term:
    """One arm's scores on one (task, language, noise): per-run, per-example rows over shared item indices."""

    parts: np.ndarray | None  # (..., R, n, m); None when no per-example rows are stored
    items: np.ndarray | None  # (n,) indices into the statistic's item universe
    kind: str = "mean"  # how rows reduce to the headline (units.reduce)
    headline: np.ndarray | None = None  # (..., R) the stored headline; None = reduce(parts)

    def value(self) -> np.ndarray:
        """Headline per run (..., R)."""
        return self.headline if self.headline is not None else reduce(self.parts, self.kind)

    def resampled(self, counts: np.ndarray, columns: dict | None = None) -> np.ndarray:
        """Headline per run under each bootstrap count vector: (..., b, R). `columns` caches the counts of
        item sets already selected (the terms of one language share theirs)."""
        if self.parts is None:  # nothing to resample: the example level adds no variance for this term
            return np.repeat(self.value()[..., None, :], counts.shape[0], axis=-2)
        columns = {} if columns is None else columns
        key = self.items.tobytes()
        if key not in columns:
            columns[key] = counts[:, self.items].astype(float)
        return np.swapaxes(reduce(self.parts, self.kind, columns[key]), -1, -2)


def mean_of_terms(h: np.ndarray) -> np.ndarray:
    """Default per-run value: the mean of the arm's term headlines, (..., K, R) -> (..., R)."""
    return h.mean(axis=-2)


@dataclass
class Arm:
    """Independent training runs of one condition; runs are aligned across its terms (same run, same index)."""

    terms: list[Term]
    sign: float = 1.0
    combine: Callable[[np.ndarray], np.ndarray] = mean_of_terms  # (..., K, R) headlines -> (..., R)
    deterministic: bool = False  # scores that no training run varies (an untrained encoder): no run variance

    def runs(self) -> int:
        """Number of runs."""
        return int(self.terms[0].value().shape[-1])

    def per_run(self) -> np.ndarray:
        """Per-run value (..., R)."""
        return self.combine(np.stack([t.value() for t in self.terms], axis=-2))


def bootstrap_counts(strata, n_resamples: int, seed: int) -> list[np.ndarray]:
    """Blocks of multinomial counts (b, N): each stratum's items resampled with replacement, its size kept."""
    strata = np.ascontiguousarray(strata, dtype=np.int64)
    return _counts(strata.tobytes(), n_resamples, seed)


@functools.lru_cache(maxsize=8)
def _counts(strata_bytes: bytes, n_resamples: int, seed: int) -> list[np.ndarray]:
    # Cached: a report's statistics of one task resample the same items, so they share one set of draws
    # (consistent across tables, and drawn once).
    strata = np.frombuffer(strata_bytes, dtype=np.int64)
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(strata == s) for s in np.unique(strata)]
    block = max(1, MAX_DRAWS // max(strata.size, 1))
    out = []
    for start in range(0, n_resamples, block):
        b = min(block, n_resamples - start)
        counts = np.zeros((b, strata.size), dtype=np.float32)  # small integers: exact, half the memory
        for idx in groups:
            # n draws with replacement per replicate, tallied per item: multinomial counts, fast for large n.
            draws = rng.integers(0, idx.size, size=(b, idx.size), dtype=np.int64) + idx.size * np.arange(b)[:, None]
            counts[:, idx] = np.bincount(draws.ravel(), minlength=b * idx.size).reshape(b, idx.size)
        counts.flags.writeable = False
        out.append(counts)
    return out


def _example_level(arms: list[Arm], strata, n_resamples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap variance of the statistic over items (runs fixed), and the run x example part of it."""
    replicates, spread = [], [[] for _ in arms]
    for counts in bootstrap_counts(strata, n_resamples, seed):
        total, columns = 0.0, {}
        for a, arm in enumerate(arms):
            c = arm.combine(np.stack([t.resampled(counts, columns) for t in arm.terms], axis=-2))  # (..., b, R)
            mean = c.mean(axis=-1)
            total = total + arm.sign * mean
            spread[a].append(c - mean[..., None])
        replicates.append(total)
    # A replicate can be undefined (a ratio whose resampled clean score is 0): it is left out.
    v_raw = np.nanvar(np.concatenate(replicates, axis=-1), axis=-1, ddof=1)
    # Each run's own example noise moves its run mean; the run-level variance already counts it once.
    noise = 0.0
    for arm, dev in zip(arms, spread):
        r = arm.runs()
        if r > 1 and not arm.deterministic:
            noise = noise + np.nanvar(np.concatenate(dev, axis=-2), axis=-2, ddof=1).mean(axis=-1) / (r - 1)
    return v_raw, noise


def fiducial_nodes(dfs: list[int], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Quadrature over the run-level variances' fiducial distribution: nodes (J, G) of chi2(df)/df per component
    and weights (J,) summing to 1.

    One component (the pooled case): Gauss-Legendre in s on the quantile u(s) = s^4 (35 - 84 s + 70 s^2 - 20 s^3),
    whose derivative 140 s^3 (1 - s)^3 flattens both ends where chi2 quantiles are singular (tails match the
    exact t distribution to 1e-12). Several components: a Latin hypercube of quantile midpoints.
    """
    if not dfs:
        return np.ones((1, 0)), np.ones(1)
    if len(dfs) == 1:
        x, w = roots_legendre(NODES)
        s = (x + 1) / 2
        u = s**4 * (35 - 84 * s + 70 * s**2 - 20 * s**3)
        weights = w / 2 * 140 * s**3 * (1 - s) ** 3
        return (sps.chi2.ppf(u, dfs[0]) / dfs[0])[:, None], weights / weights.sum()
    u = (np.arange(LHS_NODES) + 0.5) / LHS_NODES
    rng = np.random.default_rng(seed)
    cols = [sps.chi2.ppf(u if i == 0 else rng.permutation(u), k) / k for i, k in enumerate(dfs)]
    return np.stack(cols, axis=1), np.full(LHS_NODES, 1 / LHS_NODES)


def _tail(x: np.ndarray, sd: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """P(|pivot - estimate| > x): the two-sided normal tail integrated over the variance nodes, (...)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, x[..., None] / np.where(sd > 0, sd, 1.0), np.where(x[..., None] > 0, np.inf, 0.0))
    return erfc(z / SQRT2) @ weights  # erfc(z / sqrt 2) = 2 * P(Z > z)


def _half_width(sd: np.ndarray, weights: np.ndarray, alpha: float, start: np.ndarray) -> np.ndarray:
    """x with _tail(x) = alpha: Newton's method, which converges from below because the tail is convex and
    falling in x; kept within the bracket the smallest and largest node give."""
    z = sps.norm.isf(alpha / 2)
    lo, hi = sd.min(axis=-1) * z, sd.max(axis=-1) * z
    x = np.clip(start, lo, hi)
    safe = np.where(sd > 0, sd, 1.0)
    for _ in range(30):
        u = x[..., None] / safe
        f = erfc(u / SQRT2) @ weights - alpha
        slope = -((np.sqrt(2 / np.pi) * np.exp(-u * u / 2) / safe * (sd > 0)) @ weights)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(slope < 0, f / slope, 0.0)
        x_new = np.clip(x - step, lo, hi)
        if np.all(np.abs(x_new - x) <= 1e-12 * np.maximum(np.abs(x), 1e-12)):
            return x_new
        x = x_new
    return x


def estimate(arms: list[Arm], strata, n_resamples: int = 2_000, seed: int = 0, level: float = 0.95,
             pooled: bool = True) -> dict:
    """Estimate, se, CI and two-sided p of sum(sign * mean over runs) over `arms` (numpy arrays over '...').

    `strata` gives each item of the universe its stratum (items are resampled within strata: one per language,
    or one for a parallel test set whose item ids are shared across languages). `pooled`: the arms share one
    run-level variance (arms whose per-run values are the same kind of quantity); else each arm has its own.
    Without two runs to estimate run-level variance from, CI and p are NaN and `refused` says why.
    """
    per_run = [arm.per_run() for arm in arms]
    value = np.asarray(sum(arm.sign * c.mean(axis=-1) for arm, c in zip(arms, per_run)), dtype=float)
    runs = tuple(arm.runs() for arm in arms)
    random = [(c, r) for arm, c, r in zip(arms, per_run, runs) if not arm.deterministic]
    strata = np.asarray(strata)
    if strata.size:
        v_raw, noise = _example_level(arms, strata, n_resamples, seed)
        v_ex = np.maximum(v_raw - noise, 0.0)
    else:
        v_ex = np.zeros_like(value)
    if pooled:
        k = sum(r - 1 for _, r in random)
        ss = sum(np.var(c, axis=-1, ddof=1) * (r - 1) for c, r in random if r > 1)
        comps, dfs = ([ss / k * sum(1 / r for _, r in random)], [k]) if k else ([], [])
        refused = ONE_RUN if random and not k else ""
    else:
        comps = [np.var(c, axis=-1, ddof=1) / r for c, r in random if r > 1]
        dfs = [r - 1 for _, r in random if r > 1]
        refused = ONE_RUN if any(r < 2 for _, r in random) else ""
    nodes, weights = fiducial_nodes(dfs, seed=seed)
    v_run = sum(comps) if comps else np.zeros_like(value)
    # The generalized pivot: estimate - Z * sqrt(sum of run-level variances / chi2(df)/df + example-level).
    var = v_ex[..., None] + sum(v[..., None] / nodes[:, i] for i, v in enumerate(comps))
    sd = np.sqrt(np.broadcast_to(var, (*np.shape(value), len(weights))))
    k = sum(dfs) if dfs else np.inf
    half = _half_width(sd, weights, 1 - level, sps.t.isf((1 - level) / 2, k) * np.sqrt(v_run + v_ex))
    p = _tail(np.abs(value), sd, weights)
    low, high = value - half, value + half
    if refused:
        low, high, p = (np.full_like(value, np.nan) for _ in range(3))
    return {"value": value, "se": np.sqrt(v_run + v_ex), "v_run": v_run, "v_ex": v_ex, "df": k, "low": low,
            "high": high, "p": p, "runs": runs, "refused": refused}


def holm(pvalues) -> list[float]:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1), in the input order; NaN stays NaN."""
    p = np.asarray(pvalues, dtype=float)
    adjusted = np.full(p.size, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    running = 0.0
    for rank, i in enumerate(ok[np.argsort(p[ok], kind="stable")]):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted.tolist()


def scalar(est: dict) -> dict:
    """An estimate of one statistic as plain floats (what tables print)."""
    return {k: (float(v) if k not in ("runs", "refused") else v) for k, v in est.items()}
