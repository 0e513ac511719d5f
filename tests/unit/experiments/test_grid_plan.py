"""Plan hashing and sharing: target changes keep the intermediate key, intermediate changes reach descendants."""

import pytest

from intermezzo.errors import UserError
from support.grids import small_grid

from intermezzo.experiments.config import validate
from intermezzo.experiments.loading import apply_overrides
from intermezzo.experiments.plan import Plan, build_plan, check_params, describe


def _plan(*overrides, **kw) -> Plan:
    return build_plan(validate(apply_overrides(small_grid(**kw), list(overrides))))


def _keys(plan: Plan, kind: str) -> set[str]:
    return {k for k, n in plan.nodes.items() if n.kind == kind}


def test_counts_of_a_small_grid():
    plan = _plan()
    count = {kind: len(_keys(plan, kind)) for kind in ("mlm", "intermediate", "target", "evaluate")}
    # Per seed: intermediates mnli, multi, mnli-mt@de, mnli-mt@sw = 4. Targets: none, mnli, multi for 2 tasks
    # (6) + mnli-mt: xnli de, sw + pawsx de (pawsx has no sw) = 9. Evaluations: one per target phase.
    assert count == {"mlm": 0, "intermediate": 8, "target": 18, "evaluate": 18}
    assert len(plan.cells) == 18


def test_intermediate_is_shared_by_every_target():
    plan = _plan()
    mnli = [n for n in plan.nodes.values() if n.kind == "intermediate" and "translate" not in n.params["tasks"][0]
            and len(n.params["tasks"]) == 1 and n.params["seed"] == 1]
    assert len(mnli) == 1
    children = [n for n in plan.nodes.values() if n.inputs.get("encoder") == mnli[0].key]
    assert sorted(n.params["task"] for n in children) == ["pawsx", "xnli"]


def test_target_hparam_change_keeps_intermediate_keys_and_changes_targets():
    a, b = _plan(), _plan("hparams.target.lr=3e-5")
    assert _keys(a, "intermediate") == _keys(b, "intermediate")
    assert not _keys(a, "target") & _keys(b, "target")
    assert not _keys(a, "evaluate") & _keys(b, "evaluate")


def test_intermediate_change_changes_every_descendant_only():
    a, b = _plan(), _plan("conditions.mnli.hparams.intermediate.lr=3e-5")
    changed = _keys(a, "intermediate") ^ _keys(b, "intermediate")
    assert len(changed) == 4  # the mnli intermediate of each seed, old and new
    # Descendants of the changed intermediates get new keys; the other conditions' phases are untouched.
    a_mnli = {c.key for c in a.cells if c.condition == "mnli"}
    b_mnli = {c.key for c in b.cells if c.condition == "mnli"}
    assert not a_mnli & b_mnli
    assert {c.key for c in a.cells if c.condition != "mnli"} == {c.key for c in b.cells if c.condition != "mnli"}


def test_evaluation_change_keeps_training_keys():
    a, b = _plan(), _plan("noise.specs=[keyboard:0.2]")
    for kind in ("intermediate", "target"):
        assert _keys(a, kind) == _keys(b, kind)
    assert not _keys(a, "evaluate") & _keys(b, "evaluate")


def test_seed_changes_keys_and_is_passed_to_phases():
    plan = _plan(seeds=[5])
    assert all(n.params["seed"] == 5 for n in plan.nodes.values() if n.kind != "evaluate")


def test_target_language_condition_translates_into_each_language():
    plan = _plan()
    tl = [n for n in plan.nodes.values() if n.kind == "intermediate" and "translate" in n.params["tasks"][0]]
    assert sorted({n.params["tasks"][0]["translate"]["tgt_lang"] for n in tl}) == ["de", "sw"]
    cells = [c for c in plan.cells if c.condition == "mnli-mt"]
    assert {(c.target, c.lang) for c in cells} == {("xnli", "de"), ("xnli", "sw"), ("pawsx", "de")}
    assert all(plan.nodes[c.key].params["langs"] == [c.lang] for c in cells)


def test_encoder_scored_task_has_no_target_phase_and_none_is_shared_across_seeds():
    plan = _plan(targets=["tatoeba"], langs=["de", "sw"])
    assert not _keys(plan, "target")
    none_cells = [c for c in plan.cells if c.condition == "none"]
    assert len(none_cells) == 2 and len({c.key for c in none_cells}) == 1
    mnli = [c for c in plan.cells if c.condition == "mnli"]
    assert all(plan.nodes[c.key].inputs["encoder"].startswith("intermediate-") for c in mnli)


def test_mlm_conditions():
    plan = _plan(conditions={"none": {"kind": "none"}, "mlm": {"kind": "mlm", "mlm": {"texts": {"de": "de.txt"}}},
                             "mix": {"kind": "mlm_multitask", "tasks": ["mnli", "qqp"],
                                     "mlm": {"texts": {"de": "de.txt"}}}}, seeds=[1])
    mlm = [n for n in plan.nodes.values() if n.kind == "mlm"]
    assert len(mlm) == 1 and mlm[0].params["texts"] == {"de": "de.txt"}
    mix = [n for n in plan.nodes.values() if n.kind == "intermediate"]
    assert mix[0].params["mlm"]["texts"] == {"de": "de.txt"} and mix[0].params["sampler"]["kind"] == "proportional"
    check_params(plan)  # the real phases accept every node's params


def test_unknown_task_names_its_place():
    with pytest.raises(UserError, match=r"conditions.mnli.tasks: unknown task 'mnlli'; did you mean mnli"):
        _plan("conditions.mnli.tasks=[mnlli]")


def test_bad_hparam_is_caught_before_running():
    with pytest.raises(UserError, match="unknown target param 'lrr'; did you mean lr"):
        check_params(_plan("hparams.target.lrr=1"))


def test_plan_json_roundtrip_and_describe(tmp_path):
    plan = _plan()
    plan.save(tmp_path)
    again = Plan.from_json(__import__("json").loads((tmp_path / "plan.json").read_text()))
    assert again.nodes == plan.nodes and again.cells == plan.cells
    text = describe(plan, tmp_path)
    assert "to train: 26  to reuse: 0  to evaluate: 18" in text


def test_verbose_describe_lists_every_phase_with_parents(tmp_path):
    plan = _plan(seeds=[1])
    lines = describe(plan, tmp_path, verbose=True).splitlines()
    listed = [ln for ln in lines if ln.startswith("  todo  ")]
    assert len(listed) == len(plan.nodes)
    tl = next(ln for ln in listed if "mnli@sw" in ln)
    assert tl.split()[1].startswith("intermediate-") and "<- -" in tl


def test_published_preset_fills_per_task_params_and_config_wins():
    plan = _plan("hparams.target.lr=3e-5", preset="phang2020", targets=["xnli", "xquad"], langs=["de"])
    target = {n.params["task"]: n.params for n in plan.nodes.values() if n.kind == "target"}
    assert target["xnli"]["grad_accum"] == 8 and target["xquad"]["grad_accum"] == 4  # QA: effective batch 16
    assert target["xnli"]["lr"] == target["xquad"]["lr"] == 3e-5
    check_params(plan)


def test_noise_suite_and_specs_are_checked():
    from intermezzo.noise import SUITES

    suite = SUITES["smoke"]
    plan = _plan(noise={"suite": "smoke", "specs": [suite[0], "case:0.37"]})
    evaluate = next(n for n in plan.nodes.values() if n.kind == "evaluate")
    assert evaluate.params["noise"] == [*suite, "case:0.37"]  # the suite first, no repeats
    with pytest.raises(UserError, match=r"noise.specs.1: noise spec 'keybord:0.2': unknown noise family"):
        _plan(noise={"specs": ["keyboard:0.1", "keybord:0.2"]})
    with pytest.raises(UserError, match=r"noise.suite: unknown noise suite 'smok'; did you mean smoke"):
        _plan(noise={"suite": "smok"})
