"""Samplers draw tasks with the configured frequencies; batches are length-grouped, sharded and resumable;
inference batches are cut by a token budget."""

import random

import numpy as np
import pytest

from intermezzo.phases.batching import (BatchStream, TaskSampler, cut_batch, length_grouped_batches, longest_first,
                                       sampling_weights, total_steps)

SIZES = [1000, 100, 10]


@pytest.mark.parametrize("kind,temperature,cap,expected", [
    ("proportional", 1.0, None, np.array(SIZES) / 1110),
    ("uniform", 1.0, None, np.ones(3) / 3),
    ("temperature", 2.0, None, np.sqrt(SIZES) / np.sqrt(SIZES).sum()),
    ("temperature", 2.0, 100, np.sqrt([100, 100, 10]) / np.sqrt([100, 100, 10]).sum()),
    ("proportional", 1.0, 100, np.array([100, 100, 10]) / 210),
])
def test_observed_task_frequencies_match_the_distribution(kind, temperature, cap, expected):
    probs = sampling_weights(SIZES, kind, temperature, cap)
    np.testing.assert_allclose(probs, expected)
    sampler = TaskSampler(["a", "b", "c"], probs, seed=3)
    draws = [sampler.next() for _ in range(20000)]
    observed = np.array([draws.count(n) for n in "abc"]) / len(draws)
    np.testing.assert_allclose(observed, expected, atol=0.015)


def test_sampler_is_seeded_and_resumable():
    probs = sampling_weights(SIZES, "uniform")
    a, b = TaskSampler(list("abc"), probs, 1), TaskSampler(list("abc"), probs, 1)
    assert [a.next() for _ in range(50)] == [b.next() for _ in range(50)]
    state = a.state()
    ahead = [a.next() for _ in range(20)]
    c = TaskSampler(list("abc"), probs, 99)
    c.load_state(state)
    assert [c.next() for _ in range(20)] == ahead


def test_length_grouped_batches_cover_everything_with_little_padding():
    rng = np.random.default_rng(0)
    lengths = list(rng.integers(5, 200, size=2000))
    batches = length_grouped_batches(lengths, 16, np.random.default_rng(1))
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(2000))

    def padding(bs):
        return sum(max(lengths[i] for i in b) * len(b) - sum(lengths[i] for i in b) for b in bs)

    shuffled = np.random.default_rng(2).permutation(2000)
    random_batches = [list(shuffled[s:s + 16]) for s in range(0, 2000, 16)]
    assert padding(batches) < 0.1 * padding(random_batches)


def test_ranks_get_disjoint_equal_shards_and_streams_resume():
    lengths = [3 + i % 17 for i in range(203)]
    r0, r1 = BatchStream(lengths, 4, seed=5, rank=0, world=2), BatchStream(lengths, 4, seed=5, rank=1, world=2)
    assert r0.batches_per_epoch() == r1.batches_per_epoch() == 25
    seen0 = {i for _ in range(25) for i in r0.next()}
    seen1 = {i for _ in range(25) for i in r1.next()}
    assert not seen0 & seen1 and len(seen0 | seen1) >= 203 - 4  # at most one batch left over
    state = r0.state()
    ahead = [r0.next() for _ in range(30)]  # crosses into the next epoch
    again = BatchStream(lengths, 4, seed=5, rank=0, world=2)
    again.load_state(state)
    assert [again.next() for _ in range(30)] == ahead


def test_total_steps_from_epochs_or_max_steps():
    assert total_steps(100, 4, 2.0, None) == 50
    assert total_steps(100, 4, 0.5, None) == 13
    assert total_steps(100, 4, 2.0, 7) == 7


def all_batches(widths, rows, budget, max_rows=None):
    order, start, batches = longest_first(widths), 0, []
    while start < len(order):
        end = cut_batch(order, start, widths, rows, budget, max_rows)
        batches.append(order[start:end])
        start = end
    return batches


def test_batches_keep_within_the_token_budget_and_cover_every_feature():
    rng = random.Random(1)
    widths = [rng.randrange(3, 300) for _ in range(500)]
    rows = [rng.choice([1, 1, 2, 4]) for _ in range(500)]
    batches = all_batches(widths, rows, budget=1024, max_rows=64)
    assert sorted(i for b in batches for i in b) == list(range(500))
    for b in batches:
        padded = sum(rows[i] for i in b) * max(widths[i] for i in b)
        assert len(b) == 1 or padded <= 1024
        assert len(b) == 1 or sum(rows[i] for i in b) <= 64
    # Short features share big batches, long ones small: a token budget, not an example count.
    sizes = {len(b) for b in batches}
    assert max(sizes) >= 8 * min(sizes)
    padding = sum(sum(rows[i] for i in b) * max(widths[i] for i in b) - sum(rows[i] * widths[i] for i in b)
                  for b in batches)
    assert padding < 0.05 * sum(r * w for r, w in zip(rows, widths))


def test_a_feature_longer_than_the_budget_still_gets_its_own_batch():
    assert all_batches([500, 10, 10], [1, 1, 1], budget=64) == [[0], [1, 2]]


def test_a_full_enough_batch_ends_where_widths_drop():
    widths, rows = [100] * 20 + [80] * 20, [1] * 40
    # 2,000 padded tokens reach an eighth of 8,000: the batch ends at the first feature 20% narrower.
    assert all_batches(widths, rows, budget=8000) == [list(range(20)), list(range(20, 40))]
    # Below an eighth of the budget the batch keeps filling (few big batches beat many small ones).
    assert all_batches(widths, rows, budget=80000) == [list(range(40))]
