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


def test_a_typo_in_the_second_conditions_hparams_fails_before_anything_runs():
    """Issue 14 row 1: once one node of a kind validated, later typos used to pass the dry run."""
    raw = small_grid()
    raw["conditions"]["mnli"]["hparams"] = {"target": {"eval_evry": 2}}  # mnli is the second condition
    with pytest.raises(UserError, match=r"conditions.mnli.hparams.target.eval_evry: unknown target param "
                                        r"'eval_evry'; did you mean eval_every"):
        validate(raw)


def test_check_params_reports_every_invalid_node():
    from intermezzo.experiments.dag import Node

    plan = _plan(seeds=[1], targets=["xnli"])
    targets = [k for k, n in plan.nodes.items() if n.kind == "target"]
    for i, key in enumerate(targets[:2]):  # two bad nodes of one kind, with different problems
        node = plan.nodes[key]
        plan.nodes[key] = Node(key, "target", {**node.params, ("lr" if i else "max_steps"): -1}, node.inputs)
    with pytest.raises(UserError) as e:
        check_params(plan)
    message = str(e.value)
    assert "\n" not in message and "2 problem(s)" in message
    assert all(key in message for key in targets[:2]) and "'lr'" in message and "'max_steps'" in message


def test_logging_knobs_change_no_key():
    """log_every, save_every and device do not change outputs: left out of the fingerprint, so of the key."""
    a = _plan()
    b = _plan("hparams.target.log_every=7", "hparams.intermediate.save_every=3", "hparams.evaluate.device=cpu")
    assert set(a.nodes) == set(b.nodes) and [c.key for c in a.cells] == [c.key for c in b.cells]
    assert any(n.params.get("log_every") == 7 for n in b.nodes.values())  # still passed to the phases


def test_a_phase_key_is_the_fingerprint_the_phase_writes(tmp_path):
    import json

    from intermezzo.phases.params import fingerprint

    plan = _plan(seeds=[1], targets=["xnli"])
    for node in plan.nodes.values():  # parents first: each parent's summary says what the phase would write
        inputs = {name: tmp_path / key for name, key in node.inputs.items()}
        assert node.key == f"{node.kind}-{fingerprint(node.config(), inputs)}"
        (tmp_path / node.key).mkdir()
        (tmp_path / node.key / "summary.json").write_text(json.dumps({"fingerprint": node.key.split("-", 1)[1]}))


def test_stand_in_phases_get_keys_of_their_own():
    real, fake = build_plan(validate(small_grid())), build_plan(validate(small_grid()), fake_phases=True)
    assert not set(real.nodes) & set(fake.nodes) and len(real.nodes) == len(fake.nodes)
    assert fake.fake_phases and fake.to_json()["fake_phases"] is True and not real.to_json()["fake_phases"]
    assert Plan.from_json(fake.to_json()).fake_phases


@pytest.mark.parametrize("langs, message", [
    (["en", "xx"], "langs: 'xx' is not a language of any target"),
    (["xx"], "langs: 'xx' is not a language of any target"),
    (["sw"], "targets: pawsx has none of the languages in langs (sw)"),
])
def test_languages_no_target_has_are_errors_not_dropped(langs, message):
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _plan(langs=langs)
    with pytest.raises(UserError, match="'ja' is not a language of any target \\(xnli\\)"):
        _plan(targets=["xnli"], langs=["ja"])


def test_hparams_accept_every_phase_param_the_grid_does_not_set():
    """The grid's hparams models are built from the phase models: a new phase param is accepted at once."""
    from intermezzo.experiments.hparams import HPARAMS, PLANNED
    from intermezzo.phases.params import PARAMS

    for kind, model in HPARAMS.items():
        assert set(model.model_fields) == set(PARAMS[kind].model_fields) - set(PLANNED[kind])
    with pytest.raises(UserError, match="hparams.target.seed: 'seed' is set by the grid from seeds"):
        _plan("hparams.target.seed=3")


def test_evaluate_nodes_get_the_grids_noise_cache_and_training_nodes_do_not(tmp_path):
    from intermezzo.experiments.dag import NOISE_CACHE, Node, input_dirs

    evaluate = Node(key="evaluate-abc", kind="evaluate", params={}, inputs={"model": "target-def"})
    target = Node(key="target-def", kind="target", params={}, inputs={})
    assert input_dirs(tmp_path, evaluate) == {"model": tmp_path / "phases" / "target-def",
                                              "noise_cache": tmp_path / NOISE_CACHE}
    assert input_dirs(tmp_path, target) == {}


def test_evaluate_nodes_take_the_model_options_the_arms_train_with():
    from support.grids import small_grid

    from intermezzo.experiments.config import validate
    from intermezzo.experiments.plan import build_plan

    raw = small_grid(targets=["xnli", "tatoeba"], hparams={"target": {"keep_layers": 1}})
    plan = build_plan(validate(raw))
    evaluates = [n for n in plan.nodes.values() if n.kind == "evaluate"]
    assert evaluates and all(n.params.get("keep_layers") == 1 for n in evaluates)
    assert {n.params["task"] for n in evaluates} == {"xnli", "tatoeba"}
