"""Chaos: SIGKILL a running grid at random moments, resume each time; the end state equals an uninterrupted run."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import yaml

from support.grids import small_grid

from intermezzo.experiments.config import validate
from intermezzo.experiments.fake import FAKE_PHASES
from intermezzo.experiments.plan import build_plan
from intermezzo.experiments.runner import run_experiment
from intermezzo.io import is_done

FAKE_CLI = Path(__file__).resolve().parents[1] / "support" / "fake_cli.py"  # --fake-phases that take a while
SLEEP_S = "0.04"


def _dump(db: Path) -> tuple[list, list]:
    con = sqlite3.connect(db)
    try:
        scores = con.execute("SELECT * FROM scores ORDER BY 1,2,3,4,5,6,9,10").fetchall()
        examples = con.execute("SELECT * FROM example_scores ORDER BY 1,2,3,4").fetchall()
    finally:
        con.close()
    return scores, examples


def _done(out: Path) -> int:
    phases = out / "phases"
    return sum(is_done(p) for p in phases.iterdir()) if phases.is_dir() else 0


def _start(config: Path, out: Path) -> subprocess.Popen:
    cmd = [sys.executable, str(FAKE_CLI), SLEEP_S, "run", str(config), "--out", str(out), "--fake-phases",
           "--no-progress"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})


def test_killed_runs_resume_to_the_uninterrupted_result(tmp_path):
    raw = small_grid()
    config = tmp_path / "grid.yaml"
    config.write_text(yaml.safe_dump(raw))
    exp = validate(raw)
    reference = tmp_path / "reference"
    run_experiment(exp, reference, phases=FAKE_PHASES, progress=False)

    out = tmp_path / "chaos"
    rng = random.Random(1234)
    kills = 0
    for _ in range(6):
        before = _done(out)
        proc = _start(config, out)
        # Kill at a random moment after the run got going (startup alone takes about a second).
        deadline = time.time() + 30
        while proc.poll() is None and _done(out) == before and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.3))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
    assert kills >= 4, "the grid finished before it could be killed; make the phases slower"
    proc = _start(config, out)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()

    plan = build_plan(exp, fake_phases=True)
    phases = out / "phases"
    # No half-written folders: every phase folder is complete, no temp folders or stale logs remain.
    folders = [p for p in phases.iterdir() if not p.name.startswith(".")]
    assert sorted(p.name for p in folders) == sorted(plan.nodes)
    assert all(is_done(p) for p in folders)
    assert [p.name for p in phases.iterdir() if p.name.startswith(".") and p.name not in (".locks", ".logs")] == []
    assert list((phases / ".logs").iterdir()) == []
    # The same rows as the uninterrupted run, and no partial evaluation: every stored phase has all its rows.
    assert _dump(out / "results.sqlite") == _dump(reference / "results.sqlite")
    scores, examples = _dump(out / "results.sqlite")
    for key in {row[-1] for row in scores}:
        lines = (phases / key / "example_scores.jsonl").read_text().splitlines()
        stored = [e for e in examples if e[0] == key]
        langs = {e[2] for e in stored}
        assert len(stored) == len([ln for ln in lines if json.loads(ln)["lang"] in langs])
