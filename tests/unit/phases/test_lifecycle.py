"""The phase lifecycle: one template validates, reuses, cleans up a killed attempt, saves, summarises, marks done."""

import json
import stat

import pytest
import torch

from intermezzo.errors import UserError
from intermezzo.io import DONE
from intermezzo.phases import lifecycle
from intermezzo.phases.folder import PhaseFolder
from intermezzo.phases.lifecycle import Outcome, run_phase
from intermezzo.phases.summaries import Best, Stage, TargetSummary

PARAMS = {"task": "pawsx", "device": "cpu"}


def _summary(steps=3):
    return TargetSummary(encoder="enc", tasks={"pawsx": 4}, steps=steps, task="pawsx", trained_on="pawsx/en",
                         validation_examples=0, stages=[Stage(task="pawsx", lang="en", examples=4, steps=steps)])


def test_template_runs_work_once_then_reuses_the_folder(tmp_path):
    calls = []

    def work(run):
        calls.append(run)
        assert run.folder.root == tmp_path / "t" and run.cfg.task == "pawsx" and run.d.main
        (run.folder.checkpoint / "x").parent.mkdir(parents=True)
        return Outcome(_summary())

    first = run_phase("target", PARAMS, tmp_path / "t", {}, work)
    folder = PhaseFolder(tmp_path / "t")
    assert folder.is_done() and json.loads(folder.summary.read_text()) == first
    assert first["phase"] == "target" and first["fingerprint"] and first["seconds"] >= 0
    assert first["stages"][0]["best"] is None and first["validation"] == {}
    assert not folder.checkpoint.exists()  # resume state dropped before the done-marker
    again = run_phase("target", PARAMS, tmp_path / "t", {}, work)
    assert len(calls) == 1 and again == {**first, "reused": True}
    with pytest.raises(UserError, match="finished target run with other params"):
        run_phase("target", {**PARAMS, "lr": 3e-5}, tmp_path / "t", {}, work)
    with pytest.raises(UserError, match="unknown target param 'lrr'"):
        run_phase("target", {**PARAMS, "lrr": 1}, tmp_path / "u", {}, work)


def test_a_resume_cleans_up_what_the_killed_attempt_left(tmp_path):
    folder = PhaseFolder(tmp_path / "t")
    left = [folder.root / ".checkpoint.ab12.tmp", folder.root / ".model.x9.tmp", folder.root / ".best.old",
            folder.stage(1, "siqa").root / ".checkpoint.q.tmp", folder.root / ".summary.json.k.tmp"]
    for path in left[:-1]:
        (path / "inner").mkdir(parents=True)
        (path / "inner" / ".nested.tmp").write_text("x")
    left[-1].write_text("{")
    (folder.root / "keep.txt").write_text("kept")
    assert sorted(folder.leftovers()) == sorted(left)  # a leftover's own temp files go with it

    def work(run):
        assert not run.folder.leftovers()  # cleaned before the work starts
        return Outcome(_summary())

    run_phase("target", PARAMS, folder.root, {}, work)
    assert folder.leftovers() == [] and (folder.root / "keep.txt").read_text() == "kept"


def test_done_marker_is_written_by_the_folder_only(tmp_path):
    import inspect

    from intermezzo.phases import common, evaluate, intermediate, loop, mlm, target

    for module in (lifecycle, common, evaluate, intermediate, loop, mlm, target):
        assert "mark_done" not in inspect.getsource(module), module.__name__
    assert "mark_done" in inspect.getsource(PhaseFolder.finish)


def test_one_lookup_of_the_input_model(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name / "model").mkdir(parents=True)
        (tmp_path / name / "model" / "config.json").write_text("{}")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "config.json").write_text("{}")
    assert lifecycle.input_model({"encoder": tmp_path / "a"}) == tmp_path / "a" / "model"
    assert lifecycle.input_model({"model": tmp_path / "plain"}) == tmp_path / "plain"
    assert lifecycle.input_model({}) is None
    # The evaluate phase and the training phases share this one rule (evaluate runs on the lifecycle too).
    from intermezzo.phases import evaluate

    assert evaluate.run_phase is lifecycle.run_phase
    with pytest.raises(UserError, match="name one starting model, not both"):
        lifecycle.input_model({"model": tmp_path / "a", "encoder": tmp_path / "b"})
    with pytest.raises(UserError, match=r"inputs\['encoder'\] = .*holds no model"):
        lifecycle.input_model({"encoder": tmp_path / "nothing"})


def test_checkpoints_and_models_follow_the_umask(tmp_path):
    from intermezzo.io import _UMASK
    from intermezzo.phases.checkpoint import save_checkpoint

    model = torch.nn.Linear(2, 2)
    opt = torch.optim.AdamW(model.parameters())
    model(torch.ones(1, 2)).sum().backward()
    opt.step()
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    folder = save_checkpoint(tmp_path / "checkpoint", model, opt, sched, {"step": 1})
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.iterdir()]}
    # safetensors alone writes 0600 and mkdtemp makes 0700: collaborators could not read them.
    assert modes["model.safetensors"] == modes["optimizer.safetensors"] == modes["state.json"] == 0o666 & ~_UMASK
    assert modes["checkpoint"] == 0o777 & ~_UMASK


def test_summary_models_refuse_unknown_keys():
    with pytest.raises(ValueError):
        Best(step=1, value=2.0, misses=0, patience=3)
    assert DONE == PhaseFolder("x").done.name
