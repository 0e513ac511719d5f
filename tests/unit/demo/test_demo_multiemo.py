"""MultiEmo row alignment (de's one-row shift, pt's missing and reordered tail), splits and retrieval pairs."""

import numpy as np

from intermezzo.demo import multiemo


def _labels(n, seed=0):
    rng = np.random.default_rng(seed)
    return [multiemo.LABELS[i] for i in rng.integers(0, 4, n)]


def _check(pairs, truth):
    """Every returned pair is right; returns the share of true pairs found."""
    assert all(truth.get(own) == en for own, en in pairs.items()), "a wrong pair was returned"
    return len(pairs) / len(truth)


def test_identical_files_align_row_for_row():
    labels = _labels(500)
    assert multiemo.align(labels, labels) == {i: i for i in range(500)}


def test_one_missing_row_shifts_the_rest_by_one_like_de():
    en = _labels(3000)
    de = en[:1700] + en[1701:]                      # English row 1700 has no German row
    truth = {i: (i if i < 1700 else i + 1) for i in range(len(de))}
    pairs = multiemo.align(en, de)
    assert _check(pairs, truth) > 0.98
    # rows next to the break may be dropped (unverified), never paired wrongly
    assert pairs[1600] == 1600 and pairs[1800] == 1801 and pairs[len(de) - 1] == len(en) - 1


def test_missing_and_reordered_tail_keeps_only_verified_pairs_like_pt():
    en = _labels(4000, seed=1)
    rng = np.random.default_rng(2)
    kept = list(range(3000)) + sorted(rng.choice(np.arange(3000, 4000), 700, replace=False).tolist())
    tail = kept[3000:]
    rng.shuffle(tail)                               # the tail is out of order, as in pt after row 51,722
    order = kept[:3000] + tail
    pt = [en[i] for i in order]
    pairs = multiemo.align(en, pt)
    truth = dict(enumerate(order))
    _check(pairs, truth)
    assert sum(1 for own in pairs if own < 3000) > 0.98 * 3000


def test_rows_dropped_in_the_middle_are_skipped_and_alignment_resumes():
    en = _labels(3000, seed=3)
    own_rows = list(range(1000)) + list(range(1040, 3000))   # 40 consecutive rows missing
    pairs = multiemo.align(en, [en[i] for i in own_rows])
    assert _check(pairs, dict(enumerate(own_rows))) > 0.97


def test_unrelated_label_sequences_give_almost_no_pairs():
    assert len(multiemo.align(_labels(3000, seed=4), _labels(3000, seed=5))) < 30


def test_a_single_disagreeing_label_drops_that_row_only():
    en = _labels(400, seed=6)
    other = list(en)
    other[200] = next(lab for lab in multiemo.LABELS if lab != en[200])
    pairs = multiemo.align(en, other)
    assert 200 not in pairs and len(pairs) == 399


def test_splits_are_disjoint_seeded_and_sized():
    a = multiemo.split_rows(1000, {"validation": 100, "test": 200, "train": None}, seed=7)
    b = multiemo.split_rows(1000, {"validation": 100, "test": 200, "train": None}, seed=7)
    c = multiemo.split_rows(1000, {"validation": 100, "test": 200, "train": None}, seed=8)
    assert [len(a[s]) for s in ("validation", "test", "train")] == [100, 200, 700]
    assert not set(a["train"]) & set(a["test"]) and not set(a["validation"]) & set(a["test"])
    assert all(np.array_equal(a[s], b[s]) for s in a) and not np.array_equal(a["test"], c["test"])


def test_classification_ids_are_english_rows_and_texts_follow_the_alignment():
    en_rows = np.array([3, 5, 9])
    texts = [f"de {i}" for i in range(10)]
    rows = {i: i + 1 for i in range(9)}             # German row i is English row i + 1
    out = multiemo.classification_examples(texts, ["positive"] * 10, rows, en_rows, None)
    assert [(e["id"], e["text"]) for e in out] == [("multiemo-3", "de 2"), ("multiemo-5", "de 4"),
                                                   ("multiemo-9", "de 8")]
    texts[4] = " "                                  # blank rows (zh has hundreds) are left out
    out = multiemo.classification_examples(texts, ["positive"] * 10, rows, en_rows, None)
    assert [e["id"] for e in out] == ["multiemo-3", "multiemo-9"]


def test_retrieval_pairs_are_gold_unique_and_exclude_training_rows():
    en = [f"en {i}" for i in range(50)] + ["Polecam."] * 2
    own = [f"xx {i}" for i in range(52)]
    rows = {i: i for i in range(52)}
    out = multiemo.retrieval_examples(en, own, rows, n=100, seed=0, exclude={0, 1, 2})
    queries = [e for e in out if e["kind"] == "query"]
    cands = {e["id"]: e["text"] for e in out if e["kind"] == "candidate"}
    assert len(queries) == 47                       # 52 - 3 excluded - 2 duplicated English sentences
    for q in queries:
        assert cands[q["gold"][0]] == q["text"].replace("xx", "en")
    assert not {"q0", "q1", "q2", "q50", "q51"} & {q["id"] for q in queries}
