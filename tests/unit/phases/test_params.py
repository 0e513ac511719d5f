"""Params validation: defaults are the published recipe; errors are one-line UserErrors naming the key."""

import pytest

from intermezzo.errors import UserError
from intermezzo.phases.params import PARAMS, schema_markdown, validate


def test_defaults_follow_the_recipe():
    p = validate("target", {"task": "xnli"})
    assert (p.lr, p.max_length, p.warmup_ratio, p.batch_size * p.grad_accum) == (1e-5, 256, 0.1, 32)
    assert validate("intermediate", {"tasks": [{"task": "mnli"}]}).sampler.kind == "proportional"


def test_unknown_key_suggests_the_close_one():
    with pytest.raises(UserError, match=r"unknown target param 'learning_rat'; did you mean") as e:
        validate("target", {"task": "xnli", "learning_rat": 1})
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("kind,params,key", [
    ("target", {"task": "xnli", "lr": -1}, "'lr'"),
    ("target", {"task": "xnli", "precision": "fp8"}, "'precision'"),
    ("target", {}, "'task'"),
    ("mlm", {"texts": {}}, "'texts'"),
    ("intermediate", {"tasks": [{"task": "mnli", "translate": {"engine": "hf"}}]}, "'tasks.0.translate.tgt_lang'"),
    ("intermediate", {"tasks": [{"task": "mnli"}], "sampler": {"kind": "zipf"}}, "'sampler.kind'"),
    ("evaluate", {"task": "xnli", "noise": "keyboard:0.1"}, "'noise'"),
])
def test_bad_values_name_the_key(kind, params, key):
    with pytest.raises(UserError, match=key):
        validate(kind, params)


def test_unknown_phase_and_clean_noise_dropped():
    with pytest.raises(UserError, match="unknown phase 'targt'; did you mean target"):
        validate("targt", {})
    assert validate("evaluate", {"task": "x", "noise": ["clean", "a", "a"]}).noise == ["a"]


def test_every_param_has_help_for_the_docs():
    for kind, model in PARAMS.items():
        assert all(f.description for f in model.model_fields.values()), kind
        assert schema_markdown(kind).count("\n") == len(model.model_fields) + 1


def test_fingerprint_ignores_logging_knobs_but_not_params_and_follows_moved_phases(tmp_path):
    from intermezzo.phases.params import fingerprint

    base = validate("target", {"task": "xnli"})
    assert fingerprint(base) == fingerprint(validate("target", {"task": "xnli", "log_every": 7, "device": "cpu"}))
    assert fingerprint(base) != fingerprint(validate("target", {"task": "xnli", "lr": 2e-5}))
    for name, mark in (("a", "abc"), ("b", "abc"), ("c", "xyz")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.json").write_text(f'{{"fingerprint": "{mark}"}}')
    same = [fingerprint(base, {"encoder": tmp_path / n}) for n in "abc"]
    assert same[0] == same[1] != same[2]  # a copied phase folder is the same input; other content is not
    assert fingerprint(base, {"encoder": tmp_path / "plain1"}) != fingerprint(base, {"encoder": tmp_path / "plain2"})
