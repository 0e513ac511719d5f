"""Calibration of the report's two-level statistics on simulated experiments (issue 9).

Scores follow the experiment's structure: y[arm, run, item] = 60 + effect[arm] + item difficulty (SD 15, shared
by the arms) + arm x item interaction (SD 5, or 15) + run effect (SD 3 points) + run x item noise (SD 10). Each
setting simulates 2,000 experiments at once and runs them through `stats.estimate`, the function the report
calls (with fewer bootstrap replicates than the report's default: the example level is a small share here).
"""

import numpy as np
import pytest

from intermezzo.report.stats import ONE_RUN, Arm, Term, estimate

EXPERIMENTS = 2_000
RUN_SD = 3.0
REPLICATES = 100


def simulate(rng, runs: int, items: int, effect: float = 0.0, runs_b: int | None = None,
             interaction: float = 5.0) -> list[Arm]:
    """Two arms (A - B) of `EXPERIMENTS` experiments each: arrays (experiments, runs, items, 1)."""
    difficulty = rng.normal(0.0, 15.0, (EXPERIMENTS, 1, items))
    arms = []
    for shift, sign, r in ((effect, 1.0, runs), (0.0, -1.0, runs_b or runs)):
        y = (60.0 + shift + difficulty + rng.normal(0.0, interaction, (EXPERIMENTS, 1, items))
             + rng.normal(0.0, RUN_SD, (EXPERIMENTS, r, 1)) + rng.normal(0.0, 10.0, (EXPERIMENTS, r, items)))
        arms.append(Arm([Term(y[..., None], np.arange(items))], sign=sign))
    return arms


def measure(runs: int, items: int, effect: float, seed: int, interaction: float = 5.0) -> dict:
    """False-positive rate (or power) at alpha 0.05 and coverage of the true difference by the 95% CI."""
    arms = simulate(np.random.default_rng(seed), runs, items, effect, interaction=interaction)
    est = estimate(arms, np.zeros(items, dtype=int), n_resamples=REPLICATES)
    return {"reject": float(np.mean(est["p"] < 0.05)),
            "coverage": float(np.mean((est["low"] <= effect) & (effect <= est["high"])))}


@pytest.mark.parametrize("runs", [2, 3, 5])
@pytest.mark.parametrize("items", [100, 1000])
def test_null_false_positive_rate_and_coverage(runs, items):
    got = measure(runs, items, effect=0.0, seed=100 * runs + items)
    assert 0.02 <= got["reject"] <= 0.07, got
    assert got["coverage"] >= 0.93, got


@pytest.mark.parametrize("runs", [2, 3, 5])
def test_null_with_a_large_example_level_share(runs):
    # Arms that disagree item by item (interaction SD 15 on 100 items): the example level is a third or more
    # of the variance, so the interval's example-level part must be right too.
    got = measure(runs, 100, effect=0.0, seed=900 + runs, interaction=15.0)
    assert 0.02 <= got["reject"] <= 0.07, got
    assert got["coverage"] >= 0.93, got


@pytest.mark.parametrize("items", [100, 1000])
def test_power_against_three_run_sds_with_five_seeds(items):
    got = measure(5, items, effect=3 * RUN_SD, seed=7 + items)
    assert got["reject"] >= 0.8, got
    assert got["coverage"] >= 0.93, got


def test_one_seed_refuses_the_interval():
    est = estimate(simulate(np.random.default_rng(0), 1, 50), np.zeros(50, dtype=int), n_resamples=20)
    assert est["refused"] == ONE_RUN and "cannot be estimated" in ONE_RUN
    assert np.isnan(est["low"]).all() and np.isnan(est["high"]).all() and np.isnan(est["p"]).all()
    assert np.isfinite(est["value"]).all()


def test_one_seed_in_one_arm_borrows_the_other_arms_run_variance():
    # A common run-level variance across the compared arms: the 3-run arm gives 2 df to both.
    est = estimate(simulate(np.random.default_rng(1), 3, 50, runs_b=1), np.zeros(50, dtype=int), n_resamples=20)
    assert est["refused"] == "" and est["df"] == 2 and np.isfinite(est["low"]).all()
