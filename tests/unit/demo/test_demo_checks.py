"""The demo's own checks: a run within 5 points of chance on English dev, or an intermediate task not learned,
is named in a warning (fake run folders: plan.json and phase summaries only)."""

import json

from intermezzo.demo import checks
from intermezzo.demo.notes import write_notes


def _run(tmp_path, target_dev: dict, inter_dev: dict | None, source: str = "hub"):
    """A run folder: arm none (seed 1) and arm en_nli (seed 1) whose target phases have the given dev scores."""
    nodes = [
        {"key": "intermediate-aaa", "kind": "intermediate", "inputs": {},
         "params": {"tasks": [{"task": "vitaminc", "lang": "en", "source": source}], "seed": 1}},
        {"key": "target-none", "kind": "target", "inputs": {}, "params": {"task": "multiemo", "source": source}},
        {"key": "target-nli", "kind": "target", "inputs": {"encoder": "intermediate-aaa"},
         "params": {"task": "multiemo", "source": source}},
        {"key": "evaluate-none", "kind": "evaluate", "inputs": {"model": "target-none"}, "params": {}},
        {"key": "evaluate-nli", "kind": "evaluate", "inputs": {"model": "target-nli"}, "params": {}},
    ]
    cells = [{"encoder": "e", "condition": "none", "target": "multiemo", "seed": 1, "key": "evaluate-none"},
             {"encoder": "e", "condition": "en_nli", "target": "multiemo", "seed": 1, "key": "evaluate-nli"}]
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "plan.json").write_text(json.dumps({"name": "demo", "nodes": nodes, "cells": cells}))
    summaries = {"target-none": {"phase": "target", "validation": {"multiemo": target_dev["none"]}},
                 "target-nli": {"phase": "target", "validation": {"multiemo": target_dev["en_nli"]}},
                 "intermediate-aaa": {"phase": "intermediate", **({"validation": inter_dev} if inter_dev else {})}}
    for key, summary in summaries.items():
        (tmp_path / "phases" / key).mkdir(parents=True)
        (tmp_path / "phases" / key / "summary.json").write_text(json.dumps(summary))
    return tmp_path


def test_an_arm_within_5_points_of_chance_is_named_with_its_seed_and_phase(tmp_path):
    run = _run(tmp_path, {"none": {"score": 61.0, "chance": 31.0}, "en_nli": {"score": 34.5, "chance": 31.0}},
               {"vitaminc": {"score": 71.0, "chance": 50.0}})
    rows = checks.training_checks(run)
    assert [(r["condition"], r["english_dev"]["score"]) for r in rows] == [("none", 61.0), ("en_nli", 34.5)]
    found = checks.warnings(rows)
    assert len(found) == 1
    assert found[0].startswith("arm en_nli: English dev score within 5 points of chance in seed 1 (34.5 vs "
                               "chance 31.0, phases/target-nli)")
    # 5.5 points above chance is not flagged; 4.9 is
    assert checks.warnings(rows, margin=3.0) == []
    write_notes(run, {"checks": rows})
    notes = (run / "notes.md").read_text()
    assert "Did every run learn its tasks?" in notes and "WARNING: arm en_nli: English dev score" in notes
    assert "intermediate vitaminc dev score per seed 71.0 (chance 50.0, +21.0 over chance)" in notes


def test_an_intermediate_task_near_chance_or_unrecorded_is_reported(tmp_path):
    run = _run(tmp_path, {"none": {"score": 61.0, "chance": 31.0}, "en_nli": {"score": 60.0, "chance": 31.0}},
               {"vitaminc": {"score": 53.0, "chance": 50.7}})
    found = checks.warnings(checks.training_checks(run))
    assert found == ["arm en_nli: intermediate task vitaminc within 5 points of chance on its dev split in seed 1 "
                     "(53.0 vs chance 50.7, phases/intermediate-aaa): it was not learned, so a gain or loss of "
                     "this arm is not the effect of knowing it"]

    other = _run(tmp_path / "b", {"none": {"score": 61.0, "chance": 31.0}, "en_nli": {"score": 60.0, "chance": 31.0}},
                 None)
    found = checks.warnings(checks.training_checks(other))
    assert found == ["intermediate dev scores of vitaminc are not recorded by this version of the intermediate "
                     "phase, so whether the intermediate task was learned is unchecked"]


def test_chance_is_the_majority_share_of_the_dev_split_where_that_is_higher(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    labels = ["positive"] * 6 + ["negative"] * 2 + ["neutral"] * 2
    data.joinpath("validation-en.jsonl").write_text("".join(
        json.dumps({"id": f"m{i}", "text": f"text {i}", "label": lab}) + "\n" for i, lab in enumerate(labels)))
    # an older target summary: no validation block, only its early-stopping best
    # arm none records chance as 1/labels (25): the majority share (60) is the stricter baseline and wins
    run = _run(tmp_path / "run", {"none": {"score": 64.0, "chance": 25.0}, "en_nli": {"score": 62.0}}, None,
               source=str(data))
    summary = run / "phases" / "target-nli" / "summary.json"
    summary.write_text(json.dumps({"phase": "target", "best": {"value": 62.0, "step": 40}, "steps": 100}))
    rows = checks.training_checks(run)
    assert rows[0]["english_dev"]["chance"] == 60.0 and rows[1]["english_dev"]["chance"] == 60.0
    assert rows[1]["english_dev"]["best_step"] == 40
    found = checks.warnings(rows)
    assert any(w.startswith("arm none:") and "seed 1 (64.0 vs chance 60.0" in w for w in found)
    assert any(w.startswith("arm en_nli:") and "seed 1 (62.0" in w for w in found)


def test_failed_seeds_of_one_arm_share_one_warning_that_names_each(tmp_path):
    rows = [{"condition": "pt_nli", "seed": s, "lang": "pt", "target_phase": f"target-{s}",
             "english_dev": {"score": 70.0, "chance": 31.0}, "intermediate_phase": f"intermediate-{s}",
             "intermediate": {"vitaminc": {"score": 52.0 + s, "chance": 50.7}}} for s in (1, 2, 3)]
    rows[2]["intermediate"]["vitaminc"]["score"] = 70.0
    assert checks.warnings(rows) == [
        "arm pt_nli (pt): intermediate task vitaminc within 5 points of chance on its dev split in seeds "
        "1 (53.0 vs chance 50.7, phases/intermediate-1); 2 (54.0 vs chance 50.7, phases/intermediate-2): it was "
        "not learned, so a gain or loss of this arm is not the effect of knowing it"]


def test_a_translated_intermediate_dev_score_says_so(tmp_path):
    run = _run(tmp_path, {"none": {"score": 61.0, "chance": 31.0}, "en_nli": {"score": 60.0, "chance": 31.0}},
               {"vitaminc": {"score": 71.0, "chance": 50.0, "lang": "pt", "translated": True}})
    rows = checks.training_checks(run)
    assert rows[1]["intermediate"]["vitaminc"]["lang"] == "pt"
    write_notes(run, {"checks": rows})
    assert "intermediate vitaminc dev score on its pt machine-translated dev split per seed 71.0" in \
        (run / "notes.md").read_text()


def test_notes_name_the_intermediate_task_and_its_sizes(tmp_path):
    write_notes(tmp_path, {"design": {"intermediate": ["epistemic_reasoning"], "conditions": ["none", "en_nli"]},
                           "sizes": {"multiemo_train": 2000, "epistemic_train": None, "epistemic_validation": 400}})
    notes = (tmp_path / "notes.md").read_text()
    assert "epistemic_reasoning train all, validation 400" in notes
    assert "Intermediate task: epistemic_reasoning (NLI over statements of belief and knowledge)" in notes
