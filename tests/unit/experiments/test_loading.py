"""The one front door: YAML files, presets (YAML only), overrides and values parsed the same for run and train."""

import math

import pytest
import yaml
from support.grids import small_grid

from intermezzo.errors import UserError
from intermezzo.experiments import config as grid_config
from intermezzo.experiments import loading
from intermezzo.experiments.loading import apply_overrides, parse_value, preset_names, preset_params, read_yaml


def test_values_parse_one_way():
    assert parse_value("2e-5") == 2e-5 and isinstance(parse_value("2e-5"), float)
    assert parse_value("[1, 2]") == [1, 2] and parse_value("true") is True and parse_value("") is None
    # YAML 1.1: `nan` is the string, `.nan` the float; the train command once turned `nan` into a float.
    assert parse_value("nan") == "nan" and math.isnan(parse_value(".nan"))
    with pytest.raises(UserError, match=r"^v: not a valid YAML value .*; close the brackets"):
        parse_value("[1,2", where="v")


def test_run_and_train_overrides_give_the_same_values(tmp_path):
    from intermezzo.experiments.train import load_config as load_train

    path = tmp_path / "t.yaml"
    path.write_text("phases: {target: {task: xnli}}\n")
    values = ["nan", "2e-5", "[1,2]", "none", "'x: y'"]
    train = load_train(path, [f"phases.target.v{i}={v}" for i, v in enumerate(values)])["phases"]["target"]
    grid = apply_overrides({}, [f"v{i}={v}" for i, v in enumerate(values)])
    assert [train[f"v{i}"] for i in range(len(values))] == [grid[f"v{i}"] for i in range(len(values))]
    assert grid["v0"] == "nan" and grid["v3"] == "none" and grid["v4"] == "x: y"


def test_presets_are_yaml_only():
    assert {"default", "debug", "phang2020", "xtreme-r"} <= set(preset_names())
    assert not hasattr(grid_config, "PRESETS")
    assert preset_params("debug", "target")["max_steps"] == 4 and preset_params("default", "target") == {}
    assert (loading.PRESET_DIR / "debug.yaml").is_file()


def test_a_bad_preset_fails_up_front_with_its_file_and_key(tmp_path, monkeypatch):
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"target": {"default": {"lr": 1e-5}, "xnli": {"lrr": 1}}}))
    monkeypatch.setattr(loading, "PRESET_DIR", tmp_path)
    with pytest.raises(UserError, match=r"bad.yaml: target.xnli.lrr: Extra inputs are not permitted; fix the preset"):
        grid_config.validate(small_grid(preset="bad"))


def test_read_yaml_errors_are_one_line(tmp_path):
    (tmp_path / "latin.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    cases = {tmp_path: "is a folder", tmp_path / "none.yaml": "config file not found",
             tmp_path / "latin.yaml": "not UTF-8 text"}
    for path, message in cases.items():
        with pytest.raises(UserError, match=message) as e:
            read_yaml(path)
        assert "\n" not in str(e.value)
    with pytest.raises(UserError, match="expected a YAML mapping"):
        loading.load_yaml(tmp_path / "list.yaml")
