"""The two-level statistics pinned: a case computed by hand, scipy where it has the same statistic, Holm."""

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from intermezzo.report.stats import ONE_RUN, Arm, Term, bootstrap_counts, estimate, holm


def _headlines(*runs, sign=1.0) -> Arm:
    """An arm known only by its per-run headlines (no per-example rows)."""
    return Arm([Term(None, None, headline=np.asarray(runs, dtype=float))], sign=sign)


def _examples(y, sign=1.0, deterministic=False) -> Arm:
    """An arm with per-example scores y (runs x items), items 0..n-1."""
    y = np.asarray(y, dtype=float)
    return Arm([Term(y[..., None], np.arange(y.shape[-1]))], sign=sign, deterministic=deterministic)


def _pivot_half_width(v_run: float, df: int, v_ex: float, alpha: float = 0.05) -> float:
    """x with E_c[P(|Z| sqrt(v_run / c + v_ex) > x)] = alpha, c ~ chi2(df)/df, by quadrature (independent of the
    quantile nodes stats uses)."""
    def tail(x):
        f = lambda c: 2 * stats.norm.sf(x / np.sqrt(v_run / c + v_ex)) * stats.chi2.pdf(c * df, df) * df  # noqa: E731
        return integrate.quad(f, 0, np.inf, limit=200)[0]

    return optimize.brentq(lambda x: tail(x) - alpha, 1e-9, 1e4)


def test_hand_computed_two_arms_two_runs_four_items():
    # A's runs are its per-item profile +-5, B's a flat 40 +-2: no run x item noise, so the example level is the
    # paired difference of per-item means d = [50, 20, -10, -20]: ideal bootstrap variance var_pop(d)/4 = 187.5.
    base = np.array([90.0, 60.0, 30.0, 20.0])
    a, b = _examples([base + 5, base - 5]), _examples([np.full(4, 42.0), np.full(4, 38.0)], sign=-1.0)
    est = estimate([a, b], np.zeros(4, dtype=int), n_resamples=100_000)
    assert est["value"] == pytest.approx(10.0)  # (55 + 45)/2 - (42 + 38)/2
    # Run level: sample variances 50 and 8, pooled (1 df each) = 29, times (1/2 + 1/2); 2 df.
    assert est["v_run"] == pytest.approx(29.0) and est["df"] == 2
    assert est["v_ex"] == pytest.approx(187.5, rel=0.02)
    half = _pivot_half_width(29.0, 2, float(est["v_ex"]))
    assert (est["high"] - est["low"]) / 2 == pytest.approx(half, rel=1e-3)
    assert est["low"] < 0 < est["high"] and est["p"] > 0.05


def test_run_by_example_noise_is_not_counted_twice():
    # Runs disagree item by item (the same headline): that spread is run-level noise, not example-level.
    a = _examples([[100, 0, 100, 0], [0, 100, 0, 100]])
    b = _examples([[100, 100, 0, 0], [0, 0, 100, 100]], sign=-1.0)
    est = estimate([a, b], np.zeros(4, dtype=int), n_resamples=20_000)
    assert est["v_ex"] == pytest.approx(0.0, abs=1.0)


def test_headline_only_arms_equal_students_t():
    a, b = [61.2, 57.9, 63.4], [55.1, 58.3, 52.6, 56.0]
    est = estimate([_headlines(*a), _headlines(*b, sign=-1.0)], [])
    ref = stats.ttest_ind(a, b, equal_var=True)
    ci = ref.confidence_interval()
    assert est["p"] == pytest.approx(ref.pvalue, rel=1e-4)
    assert est["low"] == pytest.approx(ci.low, abs=1e-3) and est["high"] == pytest.approx(ci.high, abs=1e-3)


@pytest.mark.parametrize("runs", [[50.0, 53.5], [48.0, 52.0, 55.5, 47.5, 51.0]])
def test_one_arm_equals_the_t_interval(runs):
    est = estimate([_headlines(*runs)], [])
    ci = stats.ttest_1samp(runs, 0).confidence_interval()
    assert est["low"] == pytest.approx(ci.low, abs=2e-3) and est["high"] == pytest.approx(ci.high, abs=2e-3)


def test_example_level_matches_scipy_paired_bootstrap():
    rng = np.random.default_rng(4)
    difficulty = rng.normal(0, 20, 80)
    ya, yb = 60 + difficulty + rng.normal(0, 8, 80), 58 + difficulty + rng.normal(0, 8, 80)
    # Untrained (deterministic) arms: one run each, no run-level variance; only the items vary.
    est = estimate([_examples([ya], deterministic=True), _examples([yb], -1.0, deterministic=True)],
                   np.zeros(80, dtype=int), n_resamples=20_000)
    ref = stats.bootstrap((ya, yb), lambda x, y: np.mean(x - y), paired=True, n_resamples=20_000,
                          random_state=0)
    assert float(est["se"]) == pytest.approx(ref.standard_error, rel=0.03)
    assert (est["high"] - est["low"]) / 2 == pytest.approx(stats.norm.isf(0.025) * est["se"], rel=1e-6)


def test_p_value_and_interval_agree():
    rng = np.random.default_rng(2)
    for _ in range(20):
        a, b = rng.normal(50, 3, 3), rng.normal(53, 3, 3)
        est = estimate([_headlines(*a), _headlines(*b, sign=-1.0)], [])
        assert (est["p"] < 0.05) == (est["low"] > 0 or est["high"] < 0)


def test_one_run_everywhere_is_refused_untrained_arms_are_not():
    est = estimate([_headlines(50.0), _headlines(40.0, sign=-1.0)], [])
    assert est["refused"] == ONE_RUN and np.isnan(est["low"]) and est["value"] == pytest.approx(10.0)
    y = np.array([[100.0, 0.0, 100.0, 100.0]])
    fixed = estimate([_examples(y, deterministic=True), _examples(y * 0, -1.0, deterministic=True)],
                     np.zeros(4, dtype=int), n_resamples=2_000)
    assert fixed["refused"] == "" and np.isfinite(fixed["low"])


def test_bootstrap_counts_keep_each_stratum_size():
    strata = np.array([0, 0, 0, 1, 1, 2])
    for counts in bootstrap_counts(strata, 50, seed=3):
        assert (counts[:, :3].sum(axis=1) == 3).all() and (counts[:, 3:5].sum(axis=1) == 2).all()
        assert (counts[:, 5] == 1).all()


def test_blocks_do_not_change_the_draws(monkeypatch):
    import intermezzo.report.stats as st

    whole = np.concatenate(bootstrap_counts(np.zeros(30, dtype=int), 40, seed=1))
    monkeypatch.setattr(st, "MAX_DRAWS", 30 * 7)  # blocks of 7 replicates
    st._counts.cache_clear()
    assert len(bootstrap_counts(np.zeros(30, dtype=int), 40, seed=1)) == 6
    assert (np.concatenate(bootstrap_counts(np.zeros(30, dtype=int), 40, seed=1)) == whole).all()
    st._counts.cache_clear()  # no blocks of 7 left for later tests


def test_holm_by_hand():
    # Sorted p: 0.01 (x4 = 0.04), 0.02 (x3 = 0.06), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> monotone 0.06).
    assert holm([0.04, 0.01, 0.03, 0.02]) == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    # A comparison without a p-value (one run) is not counted in m.
    assert holm([0.01, float("nan"), 0.04]) == pytest.approx([0.02, float("nan"), 0.04], nan_ok=True)


def test_typology_regression_with_given_distances(tmp_path):
    from intermezzo.report.tables import Doc, Figure, Table
    from intermezzo.report.typology import section

    contrast = [{"lang": lang, "mean": gain} for lang, gain in (("de", 1.0), ("ru", 2.0), ("zh", 3.0), ("sw", 4.0))]
    contrast.append({"lang": "all", "mean": 99.0})
    dist = {"de": 0.1, "ru": 0.2, "zh": 0.3, "sw": 0.4}
    doc = Doc("t")
    blocks = section(doc, contrast, tmp_path, dist=dist)
    table, fig = blocks
    assert isinstance(table, Table) and isinstance(fig, Figure) and fig.path.read_bytes()[:4] == b"\x89PNG"
    assert "contrast = 0.00 + 10.00 x distance (r = 1.00" in doc.blocks[0][1]
    empty = Doc("t")
    assert section(empty, contrast[:2], tmp_path, dist=dist) == []
    assert "three or more" in empty.blocks[0][1]
