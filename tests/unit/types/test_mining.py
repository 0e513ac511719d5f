"""BUCC mining as XTREME's utils_retrieve.mine_bitext: ratio margin over k neighbours both ways, the one-to-one
"max" assignment, bucc_optimize's threshold; a corpus with distractors that forward-only mining gets wrong."""

import numpy as np
import pytest
import torch

from intermezzo.tasks.spec import RetrievalOptions, TaskSpec
from intermezzo.types import TYPES
from intermezzo.types.mining import mine_bitext, mine_pairs, tune_threshold

RET = TYPES["retrieval"]


def _reference(x: np.ndarray, y: np.ndarray, k: int) -> list[tuple[int, int, float]]:
    """The steps of utils_retrieve.mine_bitext (mode mine, retrieval max, margin ratio), written out plainly."""
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    y = y / np.linalg.norm(y, axis=1, keepdims=True)
    sim = x @ y.T
    x_mean = np.sort(sim, axis=1)[:, -k:].mean(1)
    y_mean = np.sort(sim.T, axis=1)[:, -k:].mean(1)
    candidates = []
    for i in range(len(x)):
        near = np.argsort(-sim[i])[:k]
        margins = sim[i, near] / ((x_mean[i] + y_mean[near]) / 2)
        candidates.append((margins.max(), i, near[margins.argmax()]))
    for j in range(len(y)):
        near = np.argsort(-sim[:, j])[:k]
        margins = sim[near, j] / ((y_mean[j] + x_mean[near]) / 2)
        candidates.append((margins.max(), near[margins.argmax()], j))
    kept, seen_x, seen_y = [], set(), set()
    for score, i, j in sorted(candidates, key=lambda c: -c[0]):
        if i not in seen_x and j not in seen_y:
            seen_x.add(i)
            seen_y.add(j)
            kept.append((int(i), int(j), float(score)))
    return kept


def test_mining_follows_utils_retrieve_step_by_step():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(23, 8)), rng.normal(size=(31, 8))
    mined = mine_bitext([str(i) for i in range(23)], [str(j) for j in range(31)], torch.tensor(x), torch.tensor(y),
                        k=4, chunk=5)
    expected = _reference(x, y, 4)
    assert [(int(a), int(b)) for a, b, _ in mined] == [(i, j) for i, j, _ in expected]
    assert [s for _, _, s in mined] == pytest.approx([s for _, _, s in expected], abs=1e-5)
    assert len({a for a, _, _ in mined}) == len(mined) == len({b for _, b, _ in mined})  # one-to-one


def _corpus(seed: int, d: int = 32):
    """20 translated pairs plus distractors: 10 untranslated near-paraphrases of translated sources, 10 other
    untranslated sources and targets, and 2 "hub" targets close to everything (all vectors share a direction)."""
    g = torch.Generator().manual_seed(seed)
    shared = torch.randn(d, generator=g)
    shared = shared / shared.norm() * 4
    src = shared + torch.randn(20, d, generator=g)
    paraphrases = src[:10] + 0.5 * torch.randn(10, d, generator=g)
    sources = torch.cat([src, paraphrases, shared + torch.randn(10, d, generator=g)])
    hubs = shared.repeat(2, 1) + 0.1 * torch.randn(2, d, generator=g)
    targets = torch.cat([src + 0.5 * torch.randn(20, d, generator=g), shared + torch.randn(10, d, generator=g), hubs])
    source_ids, target_ids = [f"de-{i}" for i in range(40)], [f"en-{j}" for j in range(32)]
    return source_ids, target_ids, sources, targets, {(f"de-{i}", f"en-{i}") for i in range(20)}


@pytest.mark.parametrize("seed", [0, 1])
def test_distractors_fool_forward_mining_but_not_xtremes(seed):
    s_ids, t_ids, sources, targets, gold = _corpus(seed)
    forward_cosine = mine_pairs(s_ids, t_ids, sources, targets, k=0)
    forward_margin = mine_pairs(s_ids, t_ids, sources, targets, k=4)
    # every source gets a pair forward, so paraphrases and hubs take targets twice; even the best threshold
    # (tuned on the gold itself) cannot separate them
    assert tune_threshold(forward_cosine, gold)[1] < 91 and tune_threshold(forward_margin, gold)[1] < 91
    assert sum(b in ("en-30", "en-31") for _, b, _ in forward_cosine) >= 3
    mined = mine_bitext(s_ids, t_ids, sources, targets, k=4)
    assert tune_threshold(mined, gold, midpoint=True)[1] >= 95


def test_the_type_mines_with_a_dev_threshold_and_scores_per_source_sentence():
    s_ids, t_ids, sources, targets, gold = _corpus(1)
    spec = TaskSpec(name="toy_bucc", type="retrieval", langs=("de",), metric="bucc_f1", citation="-")
    examples = [{"id": i, "kind": "query", "text": f"source {i}", "gold": [f"en-{i[3:]}"] if int(i[3:]) < 20 else []}
                for i in s_ids] + [{"id": j, "kind": "candidate", "text": f"target {j}"} for j in t_ids]
    feats = [{"example_index": n} for n in range(len(examples))]
    emb = torch.cat([sources, targets])
    threshold = RET.tune_bucc_threshold(spec, examples, feats, [emb])
    tuned = TaskSpec(name="toy_bucc", type="retrieval", langs=("de",), metric="bucc_f1", citation="-",
                     retrieval=RetrievalOptions(threshold=threshold))
    pairs = RET.decode(tuned, examples, feats, [emb])
    assert RET.score(tuned, pairs, examples, "de")["f1"] >= 95
    parts = RET.example_parts(tuned, pairs, examples, "de")
    assert len(parts) == 40 and parts[39] == [0.0, 0.0, 0.0]  # one row per source sentence of the pool
    assert len(RET.example_scores(tuned, pairs, examples, "de")) == 40


def test_threshold_halfway_to_the_next_score_and_repeated_sentences_dropped():
    scored = [("a", "1", 0.9), ("x", "9", 0.8), ("b", "2", 0.7), ("c", "3", 0.6), ("y", "8", 0.5)]
    gold = {("a", "1"), ("b", "2"), ("c", "3")}
    assert tune_threshold(scored, gold, midpoint=True)[0] == pytest.approx(0.55)  # as bucc_optimize
    emb = torch.eye(3)
    mined = mine_bitext(["s1", "s2", "s3"], ["t1", "t2", "t3"], emb, emb, k=1,
                        source_texts=["same", "same", "other"], target_texts=["a", "b", "c"])
    # "same" occurs twice, so it has no single id: read_sent2id drops such sentences from the pairs
    assert [(a, b) for a, b, _ in mined] == [("s3", "t3")]
