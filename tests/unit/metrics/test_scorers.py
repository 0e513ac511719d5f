"""METRICS and example_scores: hand-computed values for accuracy, BUCC, Mewsli-X MRR@20, LAReQA mAP@20."""

import pytest

from intermezzo.errors import UserError
from intermezzo.metrics import METRICS, example_scores, headline
from intermezzo.metrics.scorers import average_precision, reciprocal_rank


def test_registry_names_follow_the_contract():
    assert set(METRICS) == {"accuracy", "seqeval_f1", "squad", "mlqa", "bucc_f1", "mrr@20", "map@20"}


def test_accuracy():
    assert METRICS["accuracy"](["a", "b", "c", "d"], ["a", "b", "x", "d"], "en") == {"accuracy": 75.0}
    assert METRICS["accuracy"]([1, 0], [1, 1], "et") == {"accuracy": 50.0}
    with pytest.raises(ValueError):
        METRICS["accuracy"](["a"], ["a", "b"], "en")


def test_bucc_pair_f1():
    pred = [("de-1", "en-1"), ("de-2", "en-2"), ("de-3", "en-3")]
    gold = [("de-1", "en-1"), ("de-2", "en-9")]
    # 1 correct: P=1/3, R=1/2, F1=2*(1/6)/(5/6)=0.4
    assert METRICS["bucc_f1"](pred, gold, "de") == pytest.approx({"f1": 40.0, "precision": 100 / 3, "recall": 50.0})
    assert METRICS["bucc_f1"]([("a", "b")], gold, "de") == {"f1": 0.0, "precision": 0.0, "recall": 0.0}


def test_mewslix_mrr_cuts_at_20_under_the_official_key():
    ranked_21 = [f"Q{i}" for i in range(21)]
    preds = [["Q5", "Q1"], ["Q1", "Q2", "Q5"], ranked_21, None]
    golds = [[" Q5 "], ["Q5"], ["Q20"], ["Q5"]]  # gold ids are stripped; Q20 sits at rank 21
    assert reciprocal_rank(ranked_21, ["Q19"]) == pytest.approx(1 / 20)
    assert METRICS["mrr@20"](preds, golds, "en") == pytest.approx({"map@20": (1 + 1 / 3) / 4 * 100})


def test_lareqa_average_precision_at_20():
    # hits at ranks 1 and 3 of 3 golds: (1/1 + 2/3) / 3
    assert average_precision(["a", "x", "b", "y"], ["a", "b", "c"]) == pytest.approx(5 / 9)
    # a repeated id earns nothing twice: (1 + 2/3) / 2
    assert average_precision(["a", "a", "b"], ["a", "b"]) == pytest.approx(5 / 6)
    # more than 20 golds: divide by 20; hits after rank 20 do not count
    golds = [f"g{i}" for i in range(25)]
    assert average_precision(golds, golds) == pytest.approx(1.0)
    assert average_precision(["x"] * 20 + ["g0"], golds) == 0.0
    preds = [["a", "x", "b", "y"], ["b"]]
    assert METRICS["map@20"](preds, [["a", "b", "c"], ["b"]], "en") == pytest.approx({"map@20": (5 / 9 + 1) / 2 * 100})


def test_example_scores_average_to_the_headline():
    cases = {
        "accuracy": (["a", "b", "c"], ["a", "x", "c"]),
        "squad": (["the cat sat", "Paris", None], [["a cat sat down"], ["paris"], ["x"]]),
        "mlqa": (["北京", "诺曼底"], [["北京大学"], ["诺曼底"]]),
        "mrr@20": ([["b", "a"], ["c"]], [["a"], ["z"]]),
        "map@20": ([["a", "x", "b"], ["c"]], [["a", "b"], ["c", "d"]]),
    }
    for metric, (pred, gold) in cases.items():
        per = example_scores(metric, pred, gold, "zh")
        assert len(per) == len(gold)
        assert sum(per) / len(per) == pytest.approx(headline(METRICS[metric](pred, gold, "zh"))), metric
    assert example_scores("squad", ["the cat sat"], [["a cat sat down"]]) == pytest.approx([40.0])


def test_example_scores_for_spans_and_pairs():
    per = example_scores("seqeval_f1", [["B-PER", "O"], ["O"], ["B-LOC"]], [["B-PER", "O"], ["O"], ["O"]])
    assert per == [100.0, 100.0, 0.0]
    assert example_scores("bucc_f1", [("a", "1")], [("a", "1"), ("b", "2")]) == [100.0, 0.0]
    with pytest.raises(UserError, match="did you mean accuracy"):
        example_scores("acuracy", [], [])


def test_headline_follows_the_official_avg_metric():
    assert headline({"exact_match": 60.0, "f1": 80.0}) == 70.0
    assert headline({"f1": 50.0, "precision": 40.0, "recall": 70.0}) == 50.0
    assert headline({"map@20": 12.0}) == 12.0


def test_one_place_names_both_numbers_of_a_task():
    from intermezzo.metrics import headline, primary_metric

    scores = {"exact_match": 60.0, "f1": 70.0}
    assert primary_metric(scores) == "f1"          # what reports and their per-example statistics use
    assert headline(scores) == 65.0                # what the official scorer ranks by (and early stopping)
    assert primary_metric({"accuracy": 1.0}) == "accuracy"
