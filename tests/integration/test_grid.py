"""A grid end to end through the CLI (run, resume, export, report), and the shipped configs' plans."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from intermezzo.cli import app
from support.grids import small_grid

from intermezzo.experiments.config import load_config
from intermezzo.experiments.plan import build_plan, check_params

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
FAKE_CLI = Path(__file__).resolve().parents[1] / "support" / "fake_cli.py"  # --fake-phases that take a while


def _cli(*args) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_run_dry_run_resume_export_report(tmp_path):
    config = tmp_path / "grid.yaml"
    config.write_text(yaml.safe_dump(small_grid(seeds=[1])))
    out = tmp_path / "run"
    assert "to train: 13  to reuse: 0  to evaluate: 9" in _cli("run", config, "--out", out, "--dry-run")
    assert "ran 22 phases, reused 0" in _cli("run", config, "--out", out, "--fake-phases", "--no-progress")
    assert "to train: 0  to reuse: 22  to evaluate: 0" in _cli("run", config, "--out", out, "--dry-run",
                                                               "--fake-phases")
    # Stand-ins' results are never reused by a real run (issue 14, row 15).
    assert "to train: 13  to reuse: 0  to evaluate: 9" in _cli("run", config, "--out", out, "--dry-run")
    # A new seed reuses nothing of seed 1 but retrains nothing of it either.
    assert "ran 22 phases, reused 22" in _cli("run", config, "seeds=[1,2]", "--out", out, "--fake-phases",
                                              "--no-progress")
    csv = (tmp_path / "scores.csv")
    _cli("export", out, csv)
    # header + seeds x noise conditions x (3 conditions x (xnli 3 + pawsx 2 languages) + 3 translated cells)
    assert len(csv.read_text().splitlines()) == 1 + 2 * 4 * (3 * (3 + 2) + 3)
    assert "LaTeX tables" in _cli("report", out, "--resamples", "200")
    assert (out / "report" / "report.html").stat().st_size > 10_000


def test_user_errors_exit_2_with_one_line(tmp_path):
    config = tmp_path / "grid.yaml"
    config.write_text(yaml.safe_dump(small_grid()))
    proc = subprocess.run([sys.executable, "-m", "intermezzo.cli", "run", str(config), "--dry-run", "tagrets=[x]"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"intermezzo: error: {config}: tagrets: unknown key; did you mean 'targets'?"]


@pytest.mark.parametrize("name, counts", [
    # 10 intermediates (9 tasks + the mix); 11 conditions x 7 trained targets; 11 x 9 evaluations
    # (bucc2018 and tatoeba are scored from the encoder).
    ("phang2020", {"intermediate": 10, "target": 77, "evaluate": 99}),
    # 3 seeds x (1 English + 10 translated) intermediates; targets: the other arms 2 x 9 trained tasks, the
    # translated arm one per (task, language) it has; tatoeba's none-cell shared across seeds.
    ("xtreme-r-noise", {"intermediate": 33, "target": 249, "evaluate": 283}),
])
def test_shipped_configs_validate_and_plan(name, counts):
    exp = load_config(CONFIGS / f"{name}.yaml")
    plan = build_plan(exp)
    check_params(plan)
    got = {k: sum(n.kind == k for n in plan.nodes.values()) for k in ("mlm", "intermediate", "target", "evaluate")}
    assert got == {"mlm": 0, **counts}
    text = _cli("run", CONFIGS / f"{name}.yaml", "--dry-run", "--out", "/nonexistent/run")
    train = counts["intermediate"] + counts["target"]
    assert f"to train: {train}  to reuse: 0  to evaluate: {counts['evaluate']}" in text


def test_phang2020_carries_the_published_deltas():
    exp = load_config(CONFIGS / "phang2020.yaml")
    ref = {c: r["average"].value for c, r in exp.reference.items()}
    assert ref == {"squad": 8.2, "mnli": 7.5, "hellaswag": 7.0, "multitask": 8.7, "best": 5.4}
    assert exp.encoders == ["xlm-roberta-large"] and len(exp.conditions["multitask"].tasks) == 9


def test_two_runners_on_one_folder_train_each_phase_once(tmp_path):
    config = tmp_path / "grid.yaml"
    config.write_text(yaml.safe_dump(small_grid()))
    out = tmp_path / "run"
    cmd = [sys.executable, str(FAKE_CLI), "0.03", "run", str(config), "--out", str(out), "--fake-phases",
           "--no-progress"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    ran = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, stderr
        ran.append(int(stdout.split("ran ")[1].split(" ")[0]))
    total = len(build_plan(load_config(config)).nodes)
    assert sum(ran) == total and min(ran) > 0  # both worked, and no phase ran twice
    reference = tmp_path / "reference"
    _cli("run", config, "--out", reference, "--fake-phases", "--no-progress")
    import sqlite3

    def dump(db):
        con = sqlite3.connect(db)
        try:
            return con.execute("SELECT * FROM scores ORDER BY 1,2,3,4,5,6,9,10").fetchall()
        finally:
            con.close()

    assert dump(out / "results.sqlite") == dump(reference / "results.sqlite")


@pytest.mark.slow
def test_real_phases_on_the_tiny_model(tmp_path):
    """The real phases (tiny local XLM-R, fixture data) through the runner, a resume, and the report."""
    from intermezzo.data.fixtures import write_fixtures
    from intermezzo.modeling.tiny import build_tiny_model

    from support.fixtures import fixture_examples
    from intermezzo.data.formats import write_jsonl

    tiny = build_tiny_model(tmp_path / "tiny")
    for task in ("mnli", "qqp", "xnli", "pawsx"):
        write_fixtures(task, tmp_path / "data")
    # "German MNLI" for the target-language arm: canonical JSONL (the English fixture stands in for it).
    write_jsonl(tmp_path / "mnli-de" / "train-de.jsonl", fixture_examples("mnli", "train", "en"))
    raw = {"name": "tiny", "encoders": [str(tiny)], "seeds": [1], "targets": ["xnli", "pawsx"],
           "langs": ["en", "de"], "preset": "debug", "noise": {"specs": ["keyboard:0.1", "diacritics:1.0"]},
           "sources": {t: str(tmp_path / "data") for t in ("mnli", "qqp", "xnli", "pawsx")},
           "conditions": {"none": {"kind": "none"}, "mnli": {"kind": "english", "tasks": ["mnli"]},
                          "mix": {"kind": "multitask", "tasks": ["mnli", "qqp"]},
                          "mnli-de": {"kind": "target_lang", "tasks": ["mnli"], "source": "files",
                                      "path": str(tmp_path / "mnli-de"), "langs": ["de"]}}}
    config = tmp_path / "grid.yaml"
    config.write_text(yaml.safe_dump(raw))
    out = tmp_path / "run"
    # 3 intermediates + 8 targets + 8 evaluations; rows: 3 conditions x 4 (task, lang) + 2 German cells, x 3 noise.
    assert "ran 19 phases, reused 0; 8 cells, 42 score rows" in _cli("run", config, "--out", out, "--no-progress")
    assert "ran 0 phases, reused 19" in _cli("run", config, "--out", out, "--no-progress")
    _cli("report", out, "--resamples", "200")
    md = (out / "report" / "report.md").read_text()
    assert "| mnli | mnli-de | xnli | de |" in md
