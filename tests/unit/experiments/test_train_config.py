"""`intermezzo train` configs: presets, common keys, dotted overrides, and one-line errors."""

import subprocess
import sys

import pytest

from intermezzo.errors import UserError
from intermezzo.experiments.loading import apply_overrides, preset_params
from intermezzo.experiments.train import load_config, phase_plan

CONFIG = """
encoder: enc
preset: phang2020
common: {seed: 3, max_length: 128}
phases:
  intermediate: {tasks: [{task: mnli}]}
  target: {task: xnli}
  noisy: {kind: evaluate, task: xnli, noise: ["keyboard:0.1"]}
"""


def test_plan_fills_preset_common_and_encoder(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(CONFIG)
    plan = phase_plan(load_config(path, ["phases.target.lr=2e-5", "common.seed=4"]))
    assert [(n, k) for n, k, _ in plan] == [("intermediate", "intermediate"), ("target", "target"),
                                            ("noisy", "evaluate")]
    target = plan[1][2]
    assert (target["lr"], target["epochs"], target["seed"], target["max_length"], target["encoder"]) == \
        (2e-5, 2, 4, 128, "enc")
    assert plan[2][2]["noise"] == ["keyboard:0.1"] and "seed" not in plan[2][2]


def test_presets_hold_the_published_settings():
    xnli = preset_params("phang2020", "target", "xnli")
    assert (xnli["lr"], xnli["max_length"], xnli["warmup_ratio"], xnli["batch_size"] * xnli["grad_accum"],
            xnli["epochs"]) == (1e-5, 256, 0.1, 32, 2)
    qa = preset_params("phang2020", "target", "xquad")
    assert qa["batch_size"] * qa["grad_accum"] == 16 and qa["epochs"] == 2
    assert preset_params("xtreme-r", "target", "panx")["epochs"] == 10
    assert preset_params("xtreme-r", "target", "mlqa")["lr"] == 3e-5
    with pytest.raises(UserError, match="unknown preset 'phang'; did you mean phang2020"):
        preset_params("phang", "target", "xnli")


def test_phang2020_follows_jiants_xtreme_scripts():
    # jiant scripts/benchmarks/xtreme: c_tokenize_and_cache.sh (QA 384, retrieval 512), e_run_models.sh
    # (--eval_every_steps 1000 --no_improvements_for_n_evals 30), xtreme_runconfig_writer.py (eval_subset_num 500).
    for task in ("xquad", "mlqa", "tydiqa"):
        assert preset_params("phang2020", "target", task)["max_length"] == 384
        assert preset_params("phang2020", "evaluate", task)["max_length"] == 384
    target = preset_params("phang2020", "target", "xnli")
    assert (target["patience"], target["eval_every"], target["max_eval_samples"]) == (30, 1000, 500)
    assert preset_params("phang2020", "intermediate", "squad")["max_length"] == 384
    assert preset_params("phang2020", "evaluate", "tatoeba")["max_length"] == 512
    assert preset_params("xtreme-r", "target", "xnli")["eval_every"] == 100  # train_xnli.sh --save_steps 100


def test_every_preset_value_names_its_source():
    from intermezzo.experiments.loading import PRESET_DIR

    for path in PRESET_DIR.glob("*.yaml"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            value = line.split("#")[0]
            if ":" in value and value.split(":", 1)[1].strip() and not line.startswith("description"):
                assert "#" in line, f"{path.name}:{n}: a value without its source: {line.strip()}"


def test_overrides_parse_yaml_values_and_reject_garbage():
    out = apply_overrides({"a": {"b": 1}}, ["a.c=[1, 2]", "d=true", "a.b=x"])
    assert out == {"a": {"b": "x", "c": [1, 2]}, "d": True}
    with pytest.raises(UserError, match="expected key=value"):
        apply_overrides({}, ["lr"])


def test_bad_configs_are_one_line_errors(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("encoder: x\nphasess: {}\n")
    with pytest.raises(UserError, match="unknown key in .*'phasess'; did you mean phases"):
        load_config(path, [])
    path.write_text("phases: {targt: {task: xnli}}\n")
    with pytest.raises(UserError, match="unknown phase kind of 'targt'"):
        phase_plan(load_config(path, []))


def test_cli_exits_2_without_traceback_on_a_bad_param(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("phases: {target: {task: xnli, lrr: 1}}\n")
    run = subprocess.run([sys.executable, "-m", "intermezzo.cli", "train", str(path), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "unknown target param 'lrr'; did you mean lr?" in run.stderr and "Traceback" not in run.stderr


def test_training_source_of_xtreme_tasks():
    from intermezzo.phases.target import training_spec
    from intermezzo.tasks import get_task

    assert training_spec(get_task("xquad")).name == "squad"
    assert training_spec(get_task("xnli")).name == "mnli"
    assert training_spec(get_task("pawsx")).name == "pawsx"
    assert training_spec(get_task("lareqa")).name == "lareqa"  # retrieval pairs come from its own reader


def _fake_chain(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("encoder: enc\ncommon: {seed: 3}\nphases:\n  intermediate: {tasks: [{task: mnli}]}\n"
                    "  target: {task: xnli}\n  noisy: {kind: evaluate, task: xnli, noise: ['keyboard:0.1']}\n")
    return load_config(path, [])


def test_train_is_a_one_cell_plan_through_the_grids_path(tmp_path):
    from intermezzo.experiments.fake import FAKE_PHASES
    from intermezzo.experiments.train import build_train_plan, run_config
    from intermezzo.io import is_done

    config = _fake_chain(tmp_path)
    plan = build_train_plan(config)
    nodes = list(plan.nodes.values())
    assert [n.folder for n in nodes] == ["intermediate", "target", "noisy"]
    assert nodes[1].inputs == {"encoder": nodes[0].key} and nodes[2].inputs == {"model": nodes[1].key}
    assert nodes[2].input_folders == {"model": "target"}
    out = tmp_path / "out"
    first = run_config(config, out, phases=FAKE_PHASES)
    assert list(first) == ["intermediate", "target", "noisy"] and not any(s.get("reused") for s in first.values())
    assert all(is_done(out / name) and (out / name / "log.txt").is_file() for name in first)
    again = run_config(config, out, phases=FAKE_PHASES)
    assert all(s["reused"] for s in again.values())
    # log_every changes no phase's identity: everything is reused.
    config["common"]["log_every"] = 9
    assert all(s["reused"] for s in run_config(config, out, phases=FAKE_PHASES).values())


def test_train_reports_every_invalid_phase_before_running(tmp_path):
    from intermezzo.experiments.train import build_train_plan

    path = tmp_path / "c.yaml"
    path.write_text("phases: {target: {task: xnli, lr: -1}, evaluate: {task: xnli, batch_size: 0}}\n")
    with pytest.raises(UserError) as e:
        build_train_plan(load_config(path, []))
    assert "phases.target" in str(e.value) and "phases.evaluate" in str(e.value) and "\n" not in str(e.value)
