"""Statistics against scipy on known data, and Holm against a hand computation."""

import numpy as np
import pytest
from scipy import stats

from intermezzo.report.stats import bootstrap_ci, holm, paired_summary, sign_flip_pvalue

DIFFS = np.array([1.5, -0.5, 2.0, 0.75, 1.25, -0.25, 1.0, 0.5, 2.5, -1.0])


def _scipy_signflip(d, n_resamples=10_000):
    return stats.permutation_test((d, np.zeros_like(d)), lambda x, y: np.mean(x - y), permutation_type="samples",
                                  n_resamples=n_resamples, alternative="two-sided", random_state=0).pvalue


def test_exact_sign_flip_matches_scipy():
    # 2**10 sign patterns < 10,000 resamples: both enumerate every pattern, so the p-values are identical.
    assert sign_flip_pvalue(DIFFS) == pytest.approx(_scipy_signflip(DIFFS), abs=1e-12)


def test_exact_sign_flip_hand_case():
    # Three positive differences: only all-plus and all-minus reach |mean| = 1, so p = 2/8.
    assert sign_flip_pvalue([1.0, 1.0, 1.0]) == pytest.approx(0.25)


def test_monte_carlo_sign_flip_close_to_scipy():
    d = np.random.default_rng(3).normal(0.2, 1.0, size=40)
    ours = sign_flip_pvalue(d, n_resamples=20_000, seed=1)
    assert ours == pytest.approx(_scipy_signflip(d, 20_000), abs=0.02)


def test_bootstrap_ci_close_to_scipy_percentile():
    d = np.random.default_rng(0).normal(1.0, 2.0, size=60)
    ref = stats.bootstrap((d,), np.mean, method="percentile", n_resamples=20_000, random_state=0).confidence_interval
    low, high = bootstrap_ci(d, n_resamples=20_000, seed=0)
    width = ref.high - ref.low
    assert low == pytest.approx(ref.low, abs=0.03 * width)
    assert high == pytest.approx(ref.high, abs=0.03 * width)
    assert low < d.mean() < high


def test_holm_by_hand():
    # Sorted p: 0.01 (x4 = 0.04), 0.02 (x3 = 0.06), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> monotone 0.06).
    assert holm([0.04, 0.01, 0.03, 0.02]) == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def test_paired_summary_fields():
    s = paired_summary(DIFFS, n_resamples=2_000)
    assert s["n"] == 10 and s["mean"] == pytest.approx(DIFFS.mean())
    assert s["ci_low"] < s["mean"] < s["ci_high"] and 0 < s["p"] < 1


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
    assert "gain = 0.00 + 10.00 x distance (r = 1.00" in doc.blocks[0][1]
    empty = Doc("t")
    assert section(empty, contrast[:2], tmp_path, dist=dist) == []
    assert "three or more" in empty.blocks[0][1]


def test_large_samples_are_resampled_in_batches(monkeypatch):
    import intermezzo.report.stats as st

    d = np.random.default_rng(5).normal(0.1, 1.0, size=3_000)
    whole = (bootstrap_ci(d, n_resamples=400, seed=2), sign_flip_pvalue(d, n_resamples=400, seed=2))
    monkeypatch.setattr(st, "MAX_DRAWS", 3_000 * 7)  # batches of 7 resamples
    assert (bootstrap_ci(d, n_resamples=400, seed=2), sign_flip_pvalue(d, n_resamples=400, seed=2)) == whole


def test_robustness_is_in_the_metrics_points():
    """Per-example scores are 0-100 (intermezzo.metrics.example_scores); the drop must stay in those points."""
    from intermezzo.report import analysis

    class Store:
        data = {"clean": {"a": 100.0, "b": 0.0}, "kb": {"a": 0.0, "b": 0.0}, "dia": {"a": 100.0, "b": 100.0}}

        def example_scores(self, phase, noise, lang):
            return self.data[noise]

    got = analysis._robustness(Store(), "p", "de", ["kb", "dia"])
    assert got == {"a": -50.0, "b": 50.0}
