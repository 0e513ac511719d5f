"""Training in stages (XCOPA: SIQA, then COPA, as XTREME-R's train_xcopa.sh): stage 2 starts where stage 1 ended."""

import json

import pytest
import torch
from safetensors.torch import load_file

from intermezzo.phases import PHASES
from intermezzo.phases import target as target_module
from intermezzo.phases.folder import PhaseFolder

FAST = {"batch_size": 4, "grad_accum": 1, "lr": 1e-3, "max_length": 48, "log_every": 2, "save_every": 100,
        "max_steps": 4, "eval_every": 2, "max_eval_samples": 6}


@pytest.fixture(scope="module")
def copa_data(tmp_path_factory):
    from intermezzo.data.fixtures import write_fixtures

    folder = tmp_path_factory.mktemp("xcopa-data")
    for task in ("siqa", "copa"):
        write_fixtures(task, folder)
    return folder


def _state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_second_stage_starts_from_the_first_stages_weights(tmp_path, tiny_model_dir, copa_data, monkeypatch):
    seen = []
    real_train = target_module.train

    def spy(model, tasks, cfg, out_dir, d, **kw):
        start = _state(model)
        result = real_train(model, tasks, cfg, out_dir, d, **kw)
        seen.append({"start": start, "end": _state(model), "features": len(tasks[0].features)})
        return result

    monkeypatch.setattr(target_module, "train", spy)
    params = {"encoder": str(tiny_model_dir), "task": "xcopa", "source": str(copa_data), **FAST}
    summary = PHASES["target"](params, tmp_path / "xcopa", {})
    assert len(seen) == 2
    first, second = seen
    for key, value in first["end"].items():  # encoder and head: stage 1's kept weights, unchanged
        torch.testing.assert_close(second["start"][key], value, msg=key)
    assert any(not torch.equal(first["start"][k], first["end"][k]) for k in first["start"])  # stage 1 trained
    assert summary["trained_on"] == "siqa/en -> copa/en"
    assert [s["task"] for s in summary["stages"]] == ["siqa", "copa"] and summary["steps"] == 8
    assert set(summary["validation"]) == {"siqa", "copa"}
    assert all(v["chance"] is not None and v["steps"] == 4 for v in summary["validation"].values())
    heads = json.loads((tmp_path / "xcopa" / "model" / "heads.json").read_text())
    assert heads["xcopa"]["task"] == "copa" and heads["xcopa"]["attrs"] == {"pooling": "cls"}
    rows = [json.loads(r) for r in (tmp_path / "xcopa" / "log.jsonl").read_text().splitlines()]
    assert [r["stage"] for r in rows][0] == "siqa" and rows[-1]["stage"] == "copa"
    folder = PhaseFolder(tmp_path / "xcopa")
    assert not list(folder.stages.rglob("*.safetensors"))  # stage weights are resume state: gone when done


def test_a_run_killed_between_stages_goes_on_from_the_next(tmp_path, tiny_model_dir, copa_data, monkeypatch):
    params = {"encoder": str(tiny_model_dir), "task": "xcopa", "source": str(copa_data), **FAST}
    PHASES["target"](params, tmp_path / "straight", {})
    real_train = target_module.train
    stages = []

    def killed_in_stage_two(model, tasks, cfg, out_dir, d, **kw):
        stages.append(out_dir.name)
        if len(stages) == 2:
            raise KeyboardInterrupt("killed in stage 2")
        return real_train(model, tasks, cfg, out_dir, d, **kw)

    monkeypatch.setattr(target_module, "train", killed_in_stage_two)
    with pytest.raises(KeyboardInterrupt):
        PHASES["target"](params, tmp_path / "killed", {})
    monkeypatch.setattr(target_module, "train", lambda *a, **k: (stages.append(a[3].name), real_train(*a, **k))[1])
    PHASES["target"](params, tmp_path / "killed", {})
    assert stages == ["1-siqa", "2-copa", "2-copa"]  # stage 1 was not trained again
    straight = load_file(str(tmp_path / "straight" / "model" / "model.safetensors"))
    resumed = load_file(str(tmp_path / "killed" / "model" / "model.safetensors"))
    for key, value in straight.items():
        torch.testing.assert_close(resumed[key], value, msg=key)
