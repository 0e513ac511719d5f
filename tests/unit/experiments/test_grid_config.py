"""Config validation: one-line errors with the dotted key, the reason and close-match suggestions; overrides."""

import pytest
import yaml

from intermezzo.errors import UserError
from support.grids import small_grid

from intermezzo.experiments.config import load_config, validate
from intermezzo.experiments.loading import apply_overrides


def _error(raw) -> str:
    with pytest.raises(UserError) as e:
        validate(raw, where="grid.yaml")
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_small_grid_validates_with_preset_defaults():
    exp = validate(small_grid(preset="debug"))
    assert exp.phase_hparams("target")["max_steps"] == 4
    assert list(exp.conditions) == ["none", "mnli", "mnli-mt", "multi"]


def test_misspelt_top_level_key_is_named_with_suggestion():
    raw = small_grid()
    raw["seeeds"] = raw.pop("seeds")
    assert _error(raw) == "grid.yaml: seeeds: unknown key; did you mean 'seeds'?"


def test_misspelt_nested_key_gives_dotted_path_and_suggestion():
    raw = small_grid()
    raw["conditions"]["mnli-mt"]["translate"]["engnie"] = "hf"
    msg = _error(raw)
    assert msg.startswith("grid.yaml: conditions.mnli-mt.translate.engnie: unknown key")
    assert "did you mean 'engine'" in msg


def test_wrong_type_names_key_and_value():
    msg = _error(small_grid(seeds="many"))
    assert msg.startswith("grid.yaml: seeds:") and "'many'" in msg


def test_misspelt_literal_value_is_suggested():
    raw = small_grid()
    raw["conditions"]["mnli"]["kind"] = "englsh"
    assert "did you mean 'english'" in _error(raw)


def test_inconsistent_condition_explains_the_fix():
    raw = small_grid()
    raw["conditions"]["mnli-mt"].pop("translate")
    assert "source translate needs 'translate" in _error(raw)
    raw = small_grid()
    raw["conditions"]["none"]["tasks"] = ["mnli"]
    assert "conditions.none: kind none takes no tasks" in _error(raw)


def test_unknown_preset_baseline_and_reference_names():
    expected = "grid.yaml: preset: unknown preset 'debgu'; did you mean debug, default?"
    assert _error(small_grid(preset="debgu")) == expected
    assert "grid.yaml: baseline: unknown baseline condition 'nnone'" in _error(small_grid(baseline="nnone"))
    assert "reference.mnli.xnlii: unknown reference target 'xnlii'" in _error(
        small_grid(reference={"mnli": {"xnlii": {"value": 1.0}}}))


def test_reference_shorthand_number():
    exp = validate(small_grid(reference={"mnli": {"average": 7.5}}))
    assert exp.reference["mnli"]["average"].value == 7.5 and exp.reference["mnli"]["average"].kind == "gain"


def test_missing_required_key():
    raw = small_grid()
    del raw["targets"]
    assert _error(raw) == "grid.yaml: targets: required key is missing; add it"


def test_overrides_parse_yaml_values_and_leave_input_alone():
    raw = small_grid()
    out = apply_overrides(raw, ["seeds=[3, 4]", "hparams.target.lr=2e-5", "conditions.mnli.tasks.0=qqp",
                                "name=nan"])
    assert out["name"] == "nan"
    assert out["seeds"] == [3, 4]
    assert out["hparams"]["target"]["lr"] == 2e-5
    assert out["conditions"]["mnli"]["tasks"] == ["qqp"]
    assert raw["seeds"] == [1, 2] and "hparams" not in raw


@pytest.mark.parametrize("bad", ["seeds", "=3", "seeds.x=1", "targets.7=xnli"])
def test_bad_overrides_are_user_errors(bad):
    with pytest.raises(UserError, match="override"):
        apply_overrides(small_grid(), [bad])


def test_load_config_reports_file_line_of_bad_yaml(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nseeds: [1, 2\n")
    with pytest.raises(UserError, match=r"bad.yaml:\d+: not valid YAML"):
        load_config(path)
    with pytest.raises(UserError, match="config file not found"):
        load_config(tmp_path / "missing.yaml")


def test_load_config_applies_overrides(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(yaml.safe_dump(small_grid()))
    assert load_config(path, ["seeds=[7]"]).seeds == [7]
