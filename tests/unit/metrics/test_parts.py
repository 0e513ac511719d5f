"""example_parts / reduce_parts: each metric's per-example rows reduce to its corpus headline (issue 9)."""

import numpy as np
import pytest

from intermezzo.metrics import METRICS, PARTS_KIND, example_parts, example_scores, reduce_parts

TAGS_PRED = [["B-PER", "I-PER", "O"], ["O", "B-LOC"], ["B-ORG"], ["O", "O"], ["B-LOC", "B-LOC"]]
TAGS_GOLD = [["B-PER", "I-PER", "O"], ["B-LOC", "I-LOC"], ["O"], ["O", "O"], ["B-LOC", "O"]]
CASES = {
    "accuracy": (["a", "b", "c", "a", "b", "b", "c"], ["a", "x", "c", "a", "c", "b", "a"], "accuracy"),
    # F1 is the QA headline the parts stand for: (EM+F1)/2 per question would not reduce to it
    "squad": (["the cat sat", "Paris", None, "", "Berlin wall"],
              [["a cat sat down"], ["paris"], ["x"], [""], ["the Berlin Wall", "wall"]], "f1"),
    "mlqa": (["北京", "诺曼底", "上海"], [["北京大学"], ["诺曼底"], ["北京"]], "f1"),
    "seqeval_f1": (TAGS_PRED, TAGS_GOLD, "f1"),
    "bucc_f1": ([("de-1", "en-1"), ("de-2", "en-2"), ("de-3", "en-3"), ("de-5", "en-5")],
                [("de-1", "en-1"), ("de-2", "en-9"), ("de-4", "en-4"), ("de-5", "en-5")], "f1"),
    "mrr@20": ([["b", "a"], ["c"], ["x", "y", "z"]], [["a"], ["z"], ["z"]], "map@20"),
    "map@20": ([["a", "x", "b"], ["c"], ["d", "c"]], [["a", "b"], ["c", "d"], ["c"]], "map@20"),
}


def test_every_metric_has_a_parts_kind():
    assert set(PARTS_KIND) == set(METRICS)
    assert {m for m, k in PARTS_KIND.items() if k == "f1"} == {"seqeval_f1", "bucc_f1"}


@pytest.mark.parametrize("metric", sorted(CASES))
def test_parts_reduce_to_the_corpus_metric(metric):
    pred, gold, key = CASES[metric]
    rows = example_parts(metric, pred, gold, "zh")
    corpus = METRICS[metric](pred, gold, "zh")[key]
    assert reduce_parts(metric, rows) == pytest.approx(corpus, abs=1e-9)
    assert reduce_parts(metric, np.asarray(rows)) == pytest.approx(corpus, abs=1e-9)
    width = 1 if PARTS_KIND[metric] == "mean" else 3
    assert all(len(r) == width for r in rows)


def test_rows_are_the_official_units():
    # seqeval: (tp, predicted spans, gold spans) per sentence; their sums are seqeval's corpus counts
    assert example_parts("seqeval_f1", TAGS_PRED, TAGS_GOLD)[:2] == [[1, 1, 1], [0, 1, 1]]
    # BUCC: one row per source sentence of the pool, including sentences with no pair at all
    rows = example_parts("bucc_f1", [("a", "1")], [("a", "1"), ("b", "2")], sources=["a", "b", "c"])
    assert rows == [[1, 1, 1], [0, 0, 1], [0, 0, 0]]
    assert example_scores("bucc_f1", [("a", "1")], [("a", "1"), ("b", "2")], sources=["a", "b", "c"]) == \
        [100.0, 0.0, 100.0]
    # QA rows are F1 (0.4 here), where example_scores keeps (EM+F1)/2
    assert example_parts("squad", ["the cat sat"], [["a cat sat down"]]) == [[pytest.approx(80.0)]]


def test_a_resample_reduces_like_its_own_corpus():
    pred, gold, _ = CASES["seqeval_f1"]
    rows = np.asarray(example_parts("seqeval_f1", pred, gold))
    pick = [0, 0, 4, 1]
    again = METRICS["seqeval_f1"]([pred[i] for i in pick], [gold[i] for i in pick])["f1"]
    assert reduce_parts("seqeval_f1", rows[pick]) == pytest.approx(again, abs=1e-9)
    assert reduce_parts("seqeval_f1", [[0, 0, 0]]) == 0.0   # nothing found, nothing claimed: seqeval's 0
    with pytest.raises(ValueError):
        reduce_parts("accuracy", [])
