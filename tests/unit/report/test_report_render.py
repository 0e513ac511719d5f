"""The report of a small finished grid: files exist, tables hold the stored numbers, plots are real PNGs."""

import re

import pytest

from intermezzo.errors import UserError
from intermezzo.experiments.config import validate
from support.grids import small_grid

from intermezzo.experiments.fake import FAKE_PHASES
from intermezzo.experiments.runner import run_experiment
from intermezzo.experiments.store import Store
from intermezzo.report import analysis
from intermezzo.report.render import build_report

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("run")
    raw = small_grid(reference={"mnli": {"xnli": {"value": 7.5}}, "best": {"average": {"value": 5.4}}})
    run_experiment(validate(raw), path, phases=FAKE_PHASES, progress=False)
    return path


@pytest.fixture(scope="module")
def report(run_dir):
    return build_report(run_dir, n_resamples=500)


def _stored(run_dir):
    store = Store(run_dir / "results.sqlite")
    try:
        return store.rows(run="small")
    finally:
        store.close()


def test_files_written(run_dir, report):
    out = run_dir / "report"
    assert report["md"] == out / "report.md" and report["html"] == out / "report.html"
    assert {p.name for p in (out / "tables").iterdir()} >= {"gains.tex", "robustness.tex", "auc.tex",
                                                          "contrast.tex", "scores-xnli.tex", "scores-pawsx.tex"}
    tex = (out / "tables" / "gains.tex").read_text()
    assert tex.startswith("\\begin{table}") and "\\bottomrule" in tex


def test_plots_are_png_and_embedded(run_dir, report):
    pngs = list((run_dir / "report" / "plots").glob("*.png"))
    names = {p.name for p in pngs}
    assert {"gain_heatmap.png", "robustness_gap.png", "degradation-xnli-keyboard.png"} <= names
    for p in pngs:
        data = p.read_bytes()
        assert data[:8] == PNG and len(data) > 5_000
    html = report["html"].read_text()
    assert html.count("data:image/png;base64,") == len(pngs)
    assert "src='plots/" not in html


def test_score_table_holds_the_stored_means(run_dir, report):
    rows = [r for r in _stored(run_dir) if r["noise"] == "clean" and r["task"] == "xnli" and r["lang"] == "de"
            and r["condition"] == "mnli"]
    mean = sum(r["value"] for r in rows) / len(rows)
    md = report["md"].read_text()
    section = md.split("**xnli: clean score")[1]
    line = next(ln for ln in section.splitlines() if ln.startswith("| mnli |"))
    assert line.split(" | ")[1] == f"{mean:.1f}"  # de is the first language column
    assert line.rstrip(" |").endswith("| 2")  # n seeds


def test_gain_table_and_reference(run_dir, report):
    rows = _stored(run_dir)
    gains = analysis.gains(analysis.headline(rows), "none")
    md = report["md"].read_text()
    line = next(ln for ln in md.splitlines() if ln.startswith("| mnli |") and "(+7.5)" in ln)
    assert line.split(" | ")[1] == f"{gains[('mnli', 'xnli')]['gain']:.1f} (+7.5)"
    assert "| best per target |" in md and "average: +5.4" in md


def test_robustness_numbers_by_hand(run_dir):
    rows = [r for r in _stored(run_dir) if r["condition"] == "none" and r["task"] == "xnli" and r["lang"] == "sw"]
    clean = sum(r["value"] for r in rows if r["noise"] == "clean") / 2
    noisy = sum(r["value"] for r in rows if r["noise"] == "keyboard:0.1") / 2
    deg = [d for d in analysis.degradation(rows) if d["noise"] == "keyboard:0.1"]
    assert deg[0]["drop"] == pytest.approx(clean - noisy)
    assert deg[0]["rel_drop"] == pytest.approx((clean - noisy) / clean * 100)
    # Trapezoid by hand over levels 0, 0.1, 0.3 for the keyboard family, divided by the top level.
    k3 = sum(r["value"] for r in rows if r["noise"] == "keyboard:0.3") / 2
    auc = next(a for a in analysis.auc_table(analysis.degradation(rows)) if a["family"] == "keyboard")["auc"]
    assert auc == pytest.approx((0.1 * (clean + noisy) / 2 + 0.2 * (noisy + k3) / 2) / 0.3)


def test_contrast_section_reports_ci_p_and_holm(run_dir, report):
    md = report["md"].read_text()
    section = md.split("## English vs target-language")[1]
    lines = [ln for ln in section.splitlines() if ln.startswith("| mnli | mnli-mt |")]
    assert {ln.split(" | ")[3] for ln in lines} == {"de", "sw", "all"}
    for ln in lines:
        cells = ln.strip("| ").split(" | ")
        assert re.fullmatch(r"\[-?\d+\.\d\d, -?\d+\.\d\d\]", cells[5])
        assert int(cells[8]) > 0  # sample size printed
    assert "Holm-corrected over the" in section


def test_typology_section_says_how_to_install(report):
    md = report["md"].read_text()
    assert "intermezzo[typology]" in md or "Needs the robustness gain of three or more" in md


def test_not_a_run_folder(tmp_path):
    with pytest.raises(UserError, match="not a run folder"):
        build_report(tmp_path)


def test_encoders_are_reported_apart(tmp_path):
    raw = small_grid(encoders=["enc-a", "enc-b"], seeds=[1], targets=["xnli"])
    run_experiment(validate(raw), tmp_path, phases=FAKE_PHASES, progress=False)
    written = build_report(tmp_path, n_resamples=200)
    md = written["md"].read_text()
    assert "# Encoder 1: enc-a" in md and "# Encoder 2: enc-b" in md
    assert "tex:gains-encoder1" in written and "tex:gains-encoder2" in written
    assert (tmp_path / "report" / "plots" / "encoder2" / "gain_heatmap.png").read_bytes()[:8] == PNG


def test_report_follows_the_current_config(tmp_path):
    raw = small_grid(seeds=[1], targets=["xnli"])
    run_experiment(validate(raw), tmp_path, phases=FAKE_PHASES, progress=False)
    # Rerun with one condition fewer: its stored rows stay in the store but leave the report.
    del raw["conditions"]["multi"]
    run_experiment(validate(raw), tmp_path, phases=FAKE_PHASES, progress=False)
    assert any(r["condition"] == "multi" for r in _stored_rows(tmp_path))
    md = build_report(tmp_path, n_resamples=200)["md"].read_text()
    assert "| multi |" not in md and "| mnli |" in md


def _stored_rows(run_dir):
    store = Store(run_dir / "results.sqlite")
    try:
        return store.rows()
    finally:
        store.close()


def test_latex_escapes_special_characters():
    from intermezzo.report.tables import Table, to_latex

    tex = to_latex(Table("t", "gain_% & more", ["cond", "p"], [["mnli_mt", "<0.001"], ["x", float("nan")]]))
    assert "mnli\\_mt & \\textless{}0.001 \\\\" in tex and "x & - \\\\" in tex
    assert "\\caption{gain\\_\\% \\& more}" in tex
