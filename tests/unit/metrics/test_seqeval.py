"""seqeval span F1: hand-worked values, including the quirks official XTREME numbers depend on."""

import pytest

from intermezzo.metrics.scorers import seqeval_f1
from intermezzo.metrics.seqeval import get_entities


def test_iob2_entities_and_micro_f1():
    assert get_entities([["B-PER", "I-PER", "O", "B-LOC"]]) == [("PER", 0, 1), ("LOC", 3, 3)]
    gold = [["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    pred = [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    # gold MISC(3-5), PER(8-9); predicted MISC(2-5), PER(8-9): 1 of 2 right each way
    assert seqeval_f1(pred, gold) == pytest.approx({"f1": 50.0, "precision": 50.0, "recall": 50.0}, abs=1e-9)


def test_i_after_o_starts_a_span_and_type_change_splits():
    assert get_entities([["O", "I-PER", "I-PER"]]) == [("PER", 1, 2)]
    assert get_entities([["B-PER", "I-LOC"]]) == [("PER", 0, 0), ("LOC", 1, 1)]


def test_spans_never_cross_sentences():
    # flattening appends "O" after each sentence, so offsets count that separator
    assert get_entities([["B-PER"], ["I-PER"]]) == [("PER", 0, 0), ("PER", 2, 2)]


def test_unprefixed_tags_parse_as_marker_plus_type():
    # seqeval 1.2: first character is the marker, the rest the type; equal runs merge into one span
    assert get_entities([["NOUN", "NOUN", "VERB"]]) == [("OUN", 0, 1), ("ERB", 2, 2)]
    # CCONJ and SCONJ share type "CONJ"; "S" opens a new span without closing the CCONJ one, which is lost
    assert get_entities([["CCONJ", "SCONJ"]]) == [("CONJ", 1, 1)]
    # "X" has type "_" like "O", so after a sentence break it never starts a span
    assert get_entities([["X"], ["X"]]) == []


def test_legacy_parsing_matches_seqeval_0_0_12():
    assert get_entities([["NOUN", "NOUN", "VERB"]], legacy=True) == [("NOUN", 0, 1), ("VERB", 2, 2)]
    assert get_entities([["CCONJ", "SCONJ"]], legacy=True) == [("CCONJ", 0, 0), ("SCONJ", 1, 1)]
    assert get_entities([["X"], ["X"]], legacy=True) == [("X", 0, 0), ("X", 2, 2)]


def test_upos_scores_differ_between_versions():
    gold = [["DET", "NOUN", "CCONJ", "NOUN"]]
    pred = [["DET", "NOUN", "SCONJ", "NOUN"]]
    # 1.2: both sides give ET(0), OUN(1), CONJ(2), OUN(3) -> all 4 correct
    assert seqeval_f1(pred, gold)["f1"] == pytest.approx(100.0)
    # 0.0.12: SCONJ != CCONJ -> 3 of 4 each way
    assert seqeval_f1(pred, gold, legacy=True)["f1"] == pytest.approx(75.0)


def test_no_spans_anywhere_scores_zero_and_lengths_must_match():
    assert seqeval_f1([["O", "O"]], [["O", "O"]]) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    with pytest.raises(ValueError):
        seqeval_f1([["O"]], [["O", "O"]])
    with pytest.raises(ValueError):
        seqeval_f1([], [])


def test_precision_and_recall_differ():
    gold = [["B-PER", "O", "B-LOC", "O"]]
    pred = [["B-PER", "O", "O", "O"]]
    assert seqeval_f1(pred, gold) == pytest.approx({"f1": 200 / 3, "precision": 100.0, "recall": 50.0})
