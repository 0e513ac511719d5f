"""Per-example units: the reducers, the store's `parts` column (and old files without it), items and runs."""

import json
import sqlite3

import numpy as np
import pytest

from intermezzo.experiments.plan import Cell as PlanCell
from intermezzo.experiments.store import Store
from intermezzo.report.data import Cell, Results, Universe
from intermezzo.report.units import chance, parts_kind, reduce


def test_reduce_mean_and_f1_by_hand():
    assert reduce([[100.0], [0.0], [50.0]], "mean") == pytest.approx(50.0)
    # tp 3, predicted 5, gold 4: span F1 = 2 * 3 / (5 + 4).
    rows = np.array([[1, 2, 1], [0, 1, 0], [2, 2, 3]], dtype=float)
    assert reduce(rows, "f1") == pytest.approx(200 * 3 / 9)
    # Bootstrap counts [2, 0, 1]: tp 4, predicted 6, gold 5.
    assert reduce(rows, "f1", np.array([[2.0, 0.0, 1.0]]))[0] == pytest.approx(200 * 4 / 11)
    assert reduce(np.zeros((2, 3)), "f1") == 0.0  # nothing predicted, nothing gold
    with pytest.raises(ValueError, match="unknown parts kind"):
        reduce(rows, "median")


def test_counts_equal_an_explicit_resample():
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 4, size=(30, 3)).astype(float)
    pick = rng.integers(0, 30, size=30)
    counts = np.bincount(pick, minlength=30)[None, :].astype(float)
    assert reduce(rows, "f1", counts)[0] == pytest.approx(reduce(rows[pick], "f1"))
    assert reduce(rows[:, :1], "mean", counts)[0] == pytest.approx(reduce(rows[pick, :1], "mean"))


def test_kinds_and_chance():
    from intermezzo.tasks import get_task

    assert parts_kind("accuracy") == "mean" and parts_kind("squad") == "mean"
    assert parts_kind("seqeval_f1") == "f1" and parts_kind("bucc_f1") == "f1"
    assert parts_kind("made-up", width=3) == "f1" and parts_kind(None) == "mean"
    assert chance(get_task("xnli")) == pytest.approx(100 / 3) and chance(get_task("pawsx")) == 50.0
    assert chance(get_task("xcopa")) == 50.0 and chance(get_task("xquad")) is None


def _ingest(tmp_path, rows):
    folder = tmp_path / "evaluate-x"
    folder.mkdir()
    (folder / "scores.json").write_text(json.dumps({"clean": {"de": {"f1": 50.0}}}))
    (folder / "example_scores.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    store = Store(tmp_path / "results.sqlite")
    store.ingest("r", PlanCell("enc", "none", "udpos", 1, "evaluate-x"), folder)
    return store


def test_store_keeps_parts_and_falls_back_to_the_score(tmp_path):
    store = _ingest(tmp_path, [{"noise": "clean", "lang": "de", "id": "1", "score": 66.7, "parts": [1, 2, 1]},
                               {"noise": "clean", "lang": "de", "id": "2", "score": 40.0}])
    try:
        assert store.example_parts("evaluate-x", "clean", "de") == {"1": [1, 2, 1], "2": [40.0]}
        assert store.example_scores("evaluate-x", "clean", "de") == {"1": 66.7, "2": 40.0}
    finally:
        store.close()


def test_an_old_results_file_gains_the_column(tmp_path):
    path = tmp_path / "results.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE example_scores (phase TEXT NOT NULL, noise TEXT NOT NULL, lang TEXT NOT NULL, "
               "id TEXT NOT NULL, score REAL NOT NULL, PRIMARY KEY (phase, noise, lang, id))")
    db.execute("INSERT INTO example_scores VALUES ('p', 'clean', 'de', 'a', 100.0)")
    db.commit()
    db.close()
    store = Store(path)
    try:
        assert store.example_parts("p", "clean", "de") == {"a": [100.0]}
    finally:
        store.close()
    Store(path).close()  # a second open finds the column there


def test_parallel_items_are_shared_across_languages():
    u = Universe()
    # XNLI translates the same items: one item per id in every language, one stratum.
    assert list(u.items("xnli", "de", ["a", "b"])) == list(u.items("xnli", "sw", ["a", "b"])) == [0, 1]
    # UD-POS treebanks are not translations: (language, id) items, one stratum per language.
    assert list(u.items("udpos", "de", ["a"])) == [2] and list(u.items("udpos", "fr", ["a"])) == [3]
    assert list(u.strata()) == [0, 0, 1, 2]


class FakeStore:
    """example_parts/example_scores of two evaluate phases, for Results without a results file."""

    def __init__(self, parts):
        self.parts = parts

    def example_parts(self, phase, noise, lang):
        return self.parts[phase]

    def example_scores(self, phase, noise, lang):
        return {i: 10.0 * len(p) for i, p in self.parts[phase].items()}


def _rows(phases, task="udpos", condition="c"):
    return [{"condition": condition, "task": task, "lang": "de", "noise": "clean", "seed": s, "value": 50.0,
             "phase": p} for s, p in enumerate(phases, 1)]


def test_results_reads_f1_units_and_falls_back_on_mixed_rows():
    parts = {"p1": {"a": [1, 2, 1], "b": [0, 1, 1]}, "p2": {"a": [1, 1, 1], "b": [1, 1, 2]}}
    arm = Results(_rows(["p1", "p2"]), FakeStore(parts)).arm("c", [Cell("udpos", "de")], Universe())
    assert arm.terms[0].kind == "f1" and arm.terms[0].parts.shape == (2, 2, 3) and arm.runs() == 2
    parts["p2"]["b"] = [55.0]  # an old row among new ones: the per-example score for everything
    arm = Results(_rows(["p1", "p2"]), FakeStore(parts)).arm("c", [Cell("udpos", "de")], Universe())
    assert arm.terms[0].kind == "mean" and arm.terms[0].parts.shape == (2, 2, 1)


def test_an_untrained_arm_is_one_deterministic_run():
    nodes = {"evaluate-a": {"key": "evaluate-a", "kind": "evaluate", "inputs": {}},
             "evaluate-b": {"key": "evaluate-b", "kind": "evaluate", "inputs": {"model": "target-b"}},
             "target-b": {"key": "target-b", "kind": "target", "inputs": {}}}
    parts = {"evaluate-a": {"x": [100.0]}, "evaluate-b": {"x": [0.0]}}
    # Retrieval scored from the bare encoder: every seed maps to the one evaluate phase.
    res = Results(_rows(["evaluate-a", "evaluate-a"], "tatoeba"), FakeStore(parts), nodes)
    arm = res.arm("c", [Cell("tatoeba", "de")], Universe())
    assert arm.deterministic and arm.runs() == 1
    res = Results(_rows(["evaluate-b"], "tatoeba"), FakeStore(parts), nodes)
    assert not res.arm("c", [Cell("tatoeba", "de")], Universe()).deterministic
