"""The report of a small finished grid: files, CIs in every table, the three contrasts, chance flags, honest
selection, methods; its numbers recomputed from results.sqlite with the documented statistics."""

import re
import sqlite3

import numpy as np
import pytest

from intermezzo.errors import UserError
from intermezzo.experiments.config import validate
from support.grids import small_grid

from intermezzo.experiments.fake import FAKE_PHASES
from intermezzo.experiments.runner import run_experiment
from intermezzo.experiments.store import Store
from intermezzo.report.analysis import weighted
from intermezzo.report.data import Universe
from intermezzo.report.render import build_report
from intermezzo.report.stats import Arm, Term, estimate

PNG = b"\x89PNG\r\n\x1a\n"
RESAMPLES = 300  # what the `report` fixture used


def _query(run_dir, sql, *args):
    db = sqlite3.connect(run_dir / "results.sqlite")
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def _term(run_dir, condition, task, lang, noise, universe) -> Term:
    """One arm's runs on one cell, straight from the store's tables."""
    runs = _query(run_dir, "SELECT value, phase FROM scores WHERE condition=? AND task=? AND lang=? AND noise=? "
                  "AND metric='accuracy' ORDER BY seed", condition, task, lang, noise)
    per_run = [dict(_query(run_dir, "SELECT id, score FROM example_scores WHERE phase=? AND noise=? AND lang=?",
                           phase, noise, lang)) for _, phase in runs]
    ids = sorted(set.intersection(*(set(p) for p in per_run)))
    parts = np.array([[[p[i]] for i in ids] for p in per_run])
    return Term(parts, universe.items(task, lang, ids), "mean", np.array([v for v, _ in runs]))


def _recompute(run_dir, arms_spec, combine=None) -> dict:
    """estimate() over arms given as (condition, sign, [(task, lang, noise), ...])."""
    u = Universe()
    arms = []
    for cond, sign, cells in arms_spec:
        terms = [_term(run_dir, cond, *cell, u) for cell in cells]
        arms.append(Arm(terms, sign=sign, combine=combine or weighted(np.full(len(cells), 1 / len(cells)))))
    return estimate(arms, u.strata(), n_resamples=RESAMPLES)


def _cell(est) -> str:
    return f"{est['value']:+.1f} ± {(est['high'] - est['low']) / 2:.1f}"


def _row(md: str, after: str, start: str) -> list[str]:
    section = md.split(after, 1)[1]
    line = next(ln for ln in section.splitlines() if ln.startswith(start))
    return [c.strip() for c in line.strip("| ").split(" | ")]


def test_files_written(run_dir, report):
    out = run_dir / "report"
    assert report["md"] == out / "report.md" and report["html"] == out / "report.html"
    assert {p.name for p in (out / "tables").iterdir()} >= {
        "gains.tex", "robustness.tex", "auc.tex", "contrast.tex", "contrast-detail.tex", "validation.tex",
        "scores-xnli.tex", "scores-pawsx.tex"}
    tex = (out / "tables" / "gains.tex").read_text()
    assert tex.startswith("\\begin{table}") and "\\bottomrule" in tex and "±" in tex


def test_plots_are_png_and_embedded(run_dir, report):
    pngs = list((run_dir / "report" / "plots").glob("*.png"))
    assert {"gain_heatmap.png", "robustness_gap.png", "degradation-xnli-keyboard.png"} <= {p.name for p in pngs}
    for p in pngs:
        data = p.read_bytes()
        assert data[:8] == PNG and len(data) > 5_000
    html = report["html"].read_text()
    assert html.count("data:image/png;base64,") == len(pngs)
    assert "src='plots/" not in html and "<style>" in html and "<link" not in html


def test_score_table_recomputed_from_the_store(run_dir, report):
    md = report["md"].read_text()
    cells = _row(md, "**xnli: clean score", "| mnli |")
    stored = [v for (v,) in _query(run_dir, "SELECT value FROM scores WHERE condition='mnli' AND task='xnli' AND "
                                   "lang='de' AND noise='clean' ORDER BY seed")]
    est = _recompute(run_dir, [("mnli", 1.0, [("xnli", "de", "clean")])])
    assert est["value"] == pytest.approx(np.mean(stored))
    assert cells[1].rstrip("†") == _cell(est)[1:]  # de is the first language column; scores print unsigned
    assert cells[-1] == "2"  # n runs


def test_gain_table_recomputed_from_the_store(run_dir, report):
    md = report["md"].read_text()
    cells = _row(md, "**Gain of each intermediate", "| mnli |")
    langs = ("de", "en", "sw")
    est = _recompute(run_dir, [("mnli", 1.0, [("xnli", lg, "clean") for lg in langs]),
                               ("none", -1.0, [("xnli", lg, "clean") for lg in langs])])
    assert cells[1].rstrip("*") == f"{_cell(est)} (+7.5)"  # with the published figure beside it
    assert cells[-1] == "2/2"
    assert "Published figures in parentheses." in md
    # Every gain carries a CI; '*' only where Holm keeps it.
    for cond in ("mnli", "mnli-mt", "multi"):
        assert all(re.match(r"[+-]\d+\.\d ± \d+\.\d\*?", c) for c in _row(md, "**Gain of each", f"| {cond} |")[1:4])


def test_best_per_target_is_chosen_on_validation(report):
    md = report["md"].read_text()
    cells = _row(md, "**Gain of each intermediate", "| best per target |")
    # conftest's dev scores make 'multi' best on dev for both targets, though its test gains are the lowest.
    assert cells[1].endswith(" (multi)") and cells[2].endswith(" (multi)")
    assert "(+5.4)" in cells[3]


def test_validation_section_shows_dev_scores_next_to_chance(report):
    md = report["md"].read_text()
    before = md.index("## Training-phase validation")
    assert before < md.index("## Scores per task") < md.index("## English vs target-language")
    row = _row(md, "## Training-phase validation", "| multi | target | xnli |")
    assert row[3:8] == ["accuracy", "71.0", "33.3", "37.7", "2"]
    assert "| mnli | intermediate | mnli | accuracy | 55.0 | 33.3 |" in md


def test_contrasts_three_ways_recomputed_from_the_store(run_dir, report):
    md = report["md"].read_text()
    row = _row(md, "**Contrasts pooled over each", "| mnli | mnli-mt | xnli | de |")
    noises = ["diacritics:1.0", "keyboard:0.1", "keyboard:0.3"]
    assert row[4] == ", ".join(noises)

    def runs(cond, noise):
        return np.array([v for (v,) in _query(run_dir, "SELECT value FROM scores WHERE condition=? AND task='xnli' "
                                              "AND lang='de' AND noise=? ORDER BY seed", cond, noise)])

    clean = {c: runs(c, "clean") for c in ("mnli", "mnli-mt")}
    noisy = {c: np.mean([runs(c, n) for n in noises], axis=0) for c in ("mnli", "mnli-mt")}
    rel = {c: np.mean([100 * (clean[c] - runs(c, n)) / clean[c] for n in noises], axis=0).mean() for c in clean}
    by_hand = [clean["mnli-mt"].mean() - clean["mnli"].mean(), noisy["mnli-mt"].mean() - noisy["mnli"].mean(),
               (clean["mnli"] - noisy["mnli"]).mean() - (clean["mnli-mt"] - noisy["mnli-mt"]).mean(),
               rel["mnli"] - rel["mnli-mt"]]
    for text, value in zip(row[5:9], by_hand):
        assert text.startswith(f"{value:+.1f} ± ")
    est = _recompute(run_dir, [("mnli-mt", 1.0, [("xnli", "de", n) for n in noises]),
                               ("mnli", -1.0, [("xnli", "de", n) for n in noises])])
    assert row[6].rstrip("*") == _cell(est)  # (a), the primary contrast, with its CI
    assert row[-1] == "2/2"
    lines = [ln for ln in md.split("**Contrasts pooled over each")[1].split("**Contrasts per language")[0]
             .splitlines() if ln.startswith("| mnli | mnli-mt |")]
    assert {ln.split(" | ")[3] for ln in lines} == {"de", "sw", "all"}


def test_chance_flag_follows_the_clean_score_ci(run_dir, report):
    md = report["md"].read_text()
    row = _row(md, "**Contrasts pooled over each", "| mnli | mnli-mt | xnli | sw |")
    for arm, flag in zip(("mnli", "mnli-mt"), row[10].split("/")):
        est = _recompute(run_dir, [(arm, 1.0, [("xnli", "sw", "clean")])])
        assert flag == ("yes" if est["low"] <= 100 / 3 else "no")


def test_findings_lead_and_methods_close(report):
    md = report["md"].read_text()
    assert md.index("## Findings") < md.index("## Overview") < md.index("## Methods: statistics")
    findings = md.split("## Findings")[1].split("## Overview")[0]
    # First whether the arms learned the task at all (English dev against chance), then the cross-lingual claims.
    assert findings.index("English dev scores of the target phases: xnli 61.0-71.0 over 4 arms (chance 33.3); "
                          "pawsx 61.0-71.0 over 4 arms (chance 50.0).") < findings.index("Primary contrast")
    assert "Primary contrast (noisy difference): on xnli (de, sw;" in findings
    assert re.search(r"95% CI \[[+-]\d+\.\d, [+-]\d+\.\d\], runs 2/2", findings)
    assert "The largest average gain over 'none'" in findings and "Half-finished" not in findings
    methods = md.split("## Methods: statistics")[1]
    for unit in ("Score cell:", "Gain:", "(a) noisy-score difference", "(b) drop difference", "(c) relative-drop",
                 "xnli (accuracy): one score per example", "resampled by item id across languages: xnli, pawsx",
                 "Holm's correction runs over"):
        assert unit in methods


def test_half_finished_run_and_primary_contrast_from_config(make_run):
    run = make_run(targets=["xnli"], noise={"specs": ["keyboard:0.1"]},
                       report={"primary_contrast": "drop_difference"})
    db = sqlite3.connect(run / "results.sqlite")
    db.execute("DELETE FROM scores WHERE condition='mnli' AND seed=2")
    db.commit()
    db.close()
    md = build_report(run, n_resamples=100)["md"].read_text()
    assert "Half-finished run: 1 of 5 cells have fewer finished runs than configured (mnli/xnli 1 of 2)" in md
    assert "Primary contrast (drop difference)" in md and "p Holm (drop_difference)" in md
    assert _row(md, "**Gain of each intermediate", "| mnli |")[-1] == "1/2"  # the runs that exist


def test_primary_contrast_must_be_one_of_the_three():
    with pytest.raises(UserError, match="report.primary_contrast: Input should be 'noisy_difference'"):
        validate(small_grid(report={"primary_contrast": "noisy"}))


def test_one_seed_refuses_cis_and_says_so(make_run):
    run = make_run(validation=False, seeds=[1], targets=["xnli"], noise={"specs": ["keyboard:0.1"]})
    md = build_report(run, n_resamples=100)["md"].read_text()
    assert "One seed per arm: run-to-run variance cannot be estimated" in md
    assert _row(md, "**Gain of each intermediate", "| mnli |")[1].endswith("(no CI: 1 run)")
    # No published figures configured: no parentheses note; no dev scores: the pick is labelled.
    assert "Published figures" not in md
    assert all(c.endswith(", selected on test)") for c in _row(md, "**Gain of each", "| best per target |")[1:2])
    assert "No training phase of this run recorded a validation score" in md
    assert "whether each arm learned its task is unchecked" in md


def test_not_a_run_folder(tmp_path):
    with pytest.raises(UserError, match="not a run folder"):
        build_report(tmp_path)


def test_encoders_are_reported_apart(tmp_path):
    raw = small_grid(encoders=["enc-a", "enc-b"], seeds=[1], targets=["xnli"], noise={"specs": ["keyboard:0.1"]})
    run_experiment(validate(raw), tmp_path, phases=FAKE_PHASES, progress=False)
    written = build_report(tmp_path, n_resamples=100)
    md = written["md"].read_text()
    assert "# Encoder 1: enc-a" in md and "# Encoder 2: enc-b" in md
    assert "tex:gains-encoder1" in written and "tex:gains-encoder2" in written
    assert (tmp_path / "report" / "plots" / "encoder2" / "gain_heatmap.png").read_bytes()[:8] == PNG


def test_report_follows_the_current_config(tmp_path):
    raw = small_grid(seeds=[1], targets=["xnli"], noise={"specs": ["keyboard:0.1"]})
    run_experiment(validate(raw), tmp_path, phases=FAKE_PHASES, progress=False)
    # Rerun with one condition fewer: its stored rows stay in the store but leave the report.
    del raw["conditions"]["multi"]
    run_experiment(validate(raw), tmp_path, phases=FAKE_PHASES, progress=False)
    store = Store(tmp_path / "results.sqlite")
    try:
        assert any(r["condition"] == "multi" for r in store.rows())
    finally:
        store.close()
    md = build_report(tmp_path, n_resamples=100)["md"].read_text()
    assert "| multi |" not in md and "| mnli |" in md


def test_latex_escapes_special_characters():
    from intermezzo.report.tables import Table, to_latex

    tex = to_latex(Table("t", "gain_% & more", ["cond", "p"], [["mnli_mt", "<0.001"], ["x", float("nan")]]))
    assert "mnli\\_mt & \\textless{}0.001 \\\\" in tex and "x & - \\\\" in tex
    assert "\\caption{gain\\_\\% \\& more}" in tex


def test_findings_name_arms_that_did_not_learn_the_task():
    from types import SimpleNamespace

    from intermezzo.report.summary import validation_sentence

    rows = [{"kind": "target", "target": "xnli", "condition": c, "score": s, "chance": 100 / 3}
            for c, s in (("mnli", 36.0), ("none", 70.0), ("none", 72.0))]
    text = validation_sentence(SimpleNamespace(validation=rows))
    assert "xnli 36.0-71.0 over 2 arms (chance 33.3)" in text
    assert text.endswith("not evidence of transfer: mnli (xnli).")


def test_html_cells_align_numbers_right_and_keep_names_whole():
    from intermezzo.report.tables import Doc, Table, to_html

    doc = Doc("t")
    doc.blocks.append(Table("t", "t", ["condition", "gain", "cells"],
                            [["mnli-mt", "+3.1 ± 2.0*", "diacritics:1.0, keyboard:0.1, keyboard:0.3"]]))
    page = to_html(doc)
    assert "<th class='s'>condition</th><th class='n'>gain</th><th>cells</th>" in page
    assert "<td class='s'>mnli-mt</td><td class='n'>+3.1 ± 2.0*</td><td>diacritics:1.0," in page
