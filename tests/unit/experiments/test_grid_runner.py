"""The runner with stand-in phases: resume, reuse, per-phase logs, failures, and the GPU-worker and submitit paths."""

import json
import os
from pathlib import Path

import pytest

from support.grids import failing, small_grid

from intermezzo.experiments.config import validate
from intermezzo.experiments.executors import PhaseFailed
from intermezzo.experiments.fake import FAKE_PHASES, stand_ins
from intermezzo.experiments.plan import build_plan, phase_dir
from intermezzo.experiments.runner import run_experiment
from intermezzo.experiments.store import Store
from intermezzo.io import is_done


def _counting(calls: list, fail_kind: str | None = None) -> dict:
    def wrap(kind):
        def run(params, out_dir, inputs):
            if kind == fail_kind and params.get("task") == "pawsx":
                raise RuntimeError("simulated crash")
            calls.append(kind)
            return FAKE_PHASES[kind](params, out_dir, inputs)
        return run
    return {kind: wrap(kind) for kind in FAKE_PHASES}


def _rows(run_dir: Path, name: str = "small") -> list[dict]:
    store = Store(run_dir / "results.sqlite")
    try:
        return store.rows(run=name)
    finally:
        store.close()


def test_run_stores_every_cell_and_rerun_trains_nothing(tmp_path):
    exp = validate(small_grid())
    calls: list = []
    summary = run_experiment(exp, tmp_path, phases=_counting(calls), progress=False)
    plan = build_plan(exp)
    assert summary["ran"] == len(plan.nodes) == len(calls)
    # Each intermediate trained once although every target and noise condition uses it.
    assert calls.count("intermediate") == 8
    rows = _rows(tmp_path)
    # Per cell: 4 noise conditions x its languages (xnli 3, pawsx 2; target-language cells 1), one metric.
    expected = 2 * 4 * (3 + 2) * 3 + 2 * 4 * 3
    assert len(rows) == summary["rows"] == expected
    calls.clear()
    again = run_experiment(exp, tmp_path, phases=_counting(calls), progress=False)
    assert calls == [] and again["reused"] == len(plan.nodes)
    assert _rows(tmp_path) == rows
    assert json.loads((tmp_path / "config.json").read_text())["name"] == "small"


def test_failure_names_the_log_and_resume_runs_only_the_rest(tmp_path):
    exp = validate(small_grid(seeds=[1]))
    calls: list = []
    with pytest.raises(PhaseFailed, match=r"phase target-\w+ \(target\) failed: RuntimeError: simulated crash; see"):
        run_experiment(exp, tmp_path, phases=_counting(calls, fail_kind="target"), progress=False)
    logs = list((tmp_path / "phases" / ".logs").glob("target-*.txt"))
    assert len(logs) == 1 and "simulated crash" in logs[0].read_text()
    first = len(calls)
    calls.clear()
    run_experiment(exp, tmp_path, phases=_counting(calls), progress=False)
    assert first + len(calls) == len(build_plan(exp).nodes)
    assert all(is_done(phase_dir(tmp_path, k)) for k in build_plan(exp).nodes)


def test_unfinished_folder_of_a_dead_run_is_resumed_and_temp_folders_cleared(tmp_path):
    exp = validate(small_grid(seeds=[1], targets=["xnli"]))
    key = next(k for k, n in build_plan(exp).nodes.items() if n.kind == "intermediate")
    unfinished = phase_dir(tmp_path, key)
    (unfinished / "checkpoint").mkdir(parents=True)
    (unfinished / "checkpoint" / "state.json").write_text("{}")
    (tmp_path / "phases" / f".{key}.abc.tmp").mkdir()
    calls: list = []
    run_experiment(exp, tmp_path, phases=_counting(calls), progress=False)
    assert is_done(unfinished) and calls.count("intermediate") == 4  # mnli, multi, mnli-mt de and sw
    # The phase's checkpoint is left for it to resume from; a dead runner's temp folder is gone.
    assert (unfinished / "checkpoint" / "state.json").exists()
    assert not (tmp_path / "phases" / f".{key}.abc.tmp").exists()


def test_each_phase_leaves_its_log(tmp_path):
    exp = validate(small_grid(seeds=[1], targets=["xnli"]))
    run_experiment(exp, tmp_path, phases=FAKE_PHASES, progress=False)
    for key in build_plan(exp, fake_phases=True).nodes:
        log = (phase_dir(tmp_path, key) / "log.txt").read_text()
        assert log.startswith(f"phase {key} (")


def test_gpu_workers_get_one_device_each(tmp_path):
    raw = small_grid(seeds=[1])
    exp = validate(raw)
    run_experiment(exp, tmp_path, phases=stand_ins(sleep_s=0.1), executor="gpus", gpus=["0", "1"], progress=False)
    plan = build_plan(exp, fake_phases=True)
    devices = set()
    for key in plan.nodes:
        head = (phase_dir(tmp_path, key) / "log.txt").read_text().splitlines()[0]
        devices.add(head.split("CUDA_VISIBLE_DEVICES=")[1])
    assert devices == {"0", "1"}
    serial = tmp_path / "serial"
    run_experiment(exp, serial, phases=FAKE_PHASES, progress=False)
    assert _rows(tmp_path) == _rows(serial)


def test_submitit_local_cluster_runs_the_dag(tmp_path):
    raw = small_grid(seeds=[1], targets=["xnli"], langs=["en", "de"],
                     conditions={"none": {"kind": "none"}, "mnli": {"kind": "english", "tasks": ["mnli"]}})
    exp = validate(raw)
    summary = run_experiment(exp, tmp_path, phases=FAKE_PHASES, executor="slurm", cluster="local",
                             slurm={"timeout_min": 5}, progress=False)
    assert summary["ran"] == 5 and summary["rows"] == 2 * 4 * 2
    assert any((tmp_path / "submitit").iterdir())
    serial = tmp_path / "serial"
    run_experiment(exp, serial, phases=FAKE_PHASES, progress=False)
    assert _rows(tmp_path) == _rows(serial)


def test_gpu_worker_failure_stops_the_run_with_the_phase_named(tmp_path):
    raw = small_grid(seeds=[1], targets=["xnli"])
    raw["conditions"]["mnli"]["hparams"] = {"target": {"weight_decay": 0.0123}}  # marks the phase to fail
    exp = validate(raw)
    phases = failing("target", when={"weight_decay": 0.0123})
    with pytest.raises(PhaseFailed, match=r"phase target-\w+ \(target\) failed: RuntimeError: stand-in phase"):
        run_experiment(exp, tmp_path, phases=phases, executor="gpus", gpus=["0", "1"], progress=False)
    plan = build_plan(exp, fake_phases=True)
    bad = next(k for k, n in plan.nodes.items() if n.kind == "target" and n.params.get("weight_decay") == 0.0123)
    assert not is_done(phase_dir(tmp_path, bad))
    # The evaluation that depends on the failed phase never started.
    child = next(k for k, n in plan.nodes.items() if n.inputs.get("model") == bad)
    assert not phase_dir(tmp_path, child).exists()


def test_unknown_executor_is_a_user_error(tmp_path):
    from intermezzo.errors import UserError

    with pytest.raises(UserError, match="unknown executor; use local, gpus or slurm"):
        run_experiment(validate(small_grid(seeds=[1])), tmp_path, phases=FAKE_PHASES, executor="cloud",
                       progress=False)


def test_loggers_missing_package_message_and_fake_wandb(tmp_path, monkeypatch):
    import sys
    import types

    from intermezzo.errors import UserError

    exp = validate(small_grid(seeds=[1], targets=["xnli"]))
    monkeypatch.setitem(sys.modules, "wandb", None)  # importing it now raises ImportError
    with pytest.raises(UserError, match=r"--log wandb: the wandb package is not installed; pip install"):
        run_experiment(exp, tmp_path, phases=FAKE_PHASES, progress=False, loggers=["wandb"])
    logged, finished = [], []
    fake = types.SimpleNamespace(init=lambda **kw: types.SimpleNamespace(
        log=logged.append, finish=lambda: finished.append(kw["mode"])))
    monkeypatch.setitem(sys.modules, "wandb", fake)
    run_experiment(exp, tmp_path / "w", phases=FAKE_PHASES, progress=False, loggers=["wandb"])
    assert finished == ["offline"] and len(logged) == len(build_plan(exp).cells)
    stored = {r["value"] for r in _rows(tmp_path / "w") if r["condition"] == "none" and r["lang"] == "de"
              and r["noise"] == "clean"}
    assert stored == {logged_value for entry in logged for tag, logged_value in entry.items()
                      if tag.endswith("/none/xnli/de/clean/accuracy")}


def test_submitit_failure_names_the_phase(tmp_path, monkeypatch):
    raw = small_grid(seeds=[1], targets=["xnli"], langs=["en"], conditions={"none": {"kind": "none"}})
    # The job's own process imports the failing stand-in from tests/support.
    tests_dir = str(Path(__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [tests_dir, os.environ.get("PYTHONPATH")])))
    # submitit's debug cluster would open pdb on the failure; its local cluster runs a real subprocess.
    message = r"phase target-\w+ \(target\) failed: RuntimeError: stand-in phase told"
    with pytest.raises(PhaseFailed, match=message):
        run_experiment(validate(raw), tmp_path, phases=failing("target"), executor="slurm", cluster="local",
                       progress=False)


def test_tensorboard_logger_writes_scalars_with_seed_steps(tmp_path, monkeypatch):
    import sys
    import types

    scalars = []

    class Writer:
        def __init__(self, log_dir):
            self.log_dir = log_dir

        def add_scalar(self, tag, value, global_step):
            scalars.append((tag, value, global_step))

        def flush(self):
            pass

        def close(self):
            scalars.append("closed")

    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", types.SimpleNamespace(SummaryWriter=Writer))
    exp = validate(small_grid(seeds=[3], targets=["xnli"]))
    summary = run_experiment(exp, tmp_path, phases=FAKE_PHASES, progress=False, loggers=["tensorboard"])
    assert scalars[-1] == "closed" and len(scalars) - 1 == summary["rows"]
    assert {step for _, _, step in scalars[:-1]} == {3}


def test_changing_log_every_reuses_every_phase(tmp_path):
    exp = validate(small_grid(seeds=[1]))
    run_experiment(exp, tmp_path, phases=_counting([]), progress=False)
    calls: list = []
    again = validate(small_grid(seeds=[1], hparams={k: {"log_every": 7} for k in ("intermediate", "target")}))
    summary = run_experiment(again, tmp_path, phases=_counting(calls), progress=False)
    assert calls == [] and summary["ran"] == 0 and summary["reused"] == len(build_plan(exp).nodes)


def test_unknown_executor_or_logger_leaves_no_run_folder(tmp_path):
    from intermezzo.errors import UserError

    exp = validate(small_grid(seeds=[1]))
    for kw in ({"executor": "cloud"}, {"loggers": ["tensorbord"]}):
        with pytest.raises(UserError):
            run_experiment(exp, tmp_path / "run", phases=FAKE_PHASES, progress=False, **kw)
        assert not (tmp_path / "run").exists()


def test_without_a_bar_each_finished_phase_is_one_line_naming_its_log(tmp_path, capsys):
    exp = validate(small_grid(seeds=[1], targets=["xnli"]))
    run_experiment(exp, tmp_path, phases=FAKE_PHASES, progress=False)
    lines = capsys.readouterr().err.splitlines()
    plan = build_plan(exp, fake_phases=True)
    assert len(lines) == len(plan.nodes)
    for i, line in enumerate(lines, start=1):
        assert line.startswith(f"phase {i}/{len(plan.nodes)} done in ")
    for key in plan.nodes:
        (line,) = [ln for ln in lines if f": {key} (" in ln]
        assert line.endswith(f"log {phase_dir(tmp_path, key) / 'log.txt'}")
    run_experiment(exp, tmp_path, phases=FAKE_PHASES, progress=False)
    assert capsys.readouterr().err == ""  # nothing left to run: nothing to report


def test_a_killed_attempts_log_is_kept_and_appended(tmp_path):
    exp = validate(small_grid(seeds=[1], targets=["xnli"], conditions={"none": {"kind": "none"}}))
    key = next(k for k, n in build_plan(exp, fake_phases=True).nodes.items() if n.kind == "target")
    logs = tmp_path / "phases" / ".logs"
    logs.mkdir(parents=True)
    (logs / f"{key}.txt").write_text("step 10 loss 1.0\n")
    run_experiment(exp, tmp_path, phases=FAKE_PHASES, progress=False)
    log = (phase_dir(tmp_path, key) / "log.txt").read_text()
    assert log.startswith("step 10 loss 1.0\n--- the attempt above stopped") and f"phase {key} (" in log
