"""The grid as a DAG of phases: every encoder x condition x target x seed, identical phases shared (see dag.py)."""

from __future__ import annotations

from typing import Any

from intermezzo.errors import UserError, unknown
from intermezzo.experiments.config import Condition, Experiment
from intermezzo.experiments.dag import (TRAINING, Builder, Cell, Node, Plan, check_params, check_paths, describe,
                                        node_dir, phase_dir, phase_key)
from intermezzo.phases.params import SamplerParams

__all__ = ["TRAINING", "Cell", "Node", "Plan", "build_plan", "check_params", "check_paths", "describe", "node_dir",
           "noise_specs", "phase_dir", "phase_key"]


def noise_specs(exp: Experiment) -> list[str]:
    """The suite's specs (intermezzo.noise.SUITES) followed by the config's own, without repeats; each checked."""
    from intermezzo.noise import SUITES, parse_noise

    specs: list[str] = []
    if exp.noise.suite:
        if exp.noise.suite not in SUITES:
            raise UserError(f"noise.suite: {unknown('noise suite', exp.noise.suite, SUITES)}")
        specs.extend(SUITES[exp.noise.suite])
    for i, spec in enumerate(exp.noise.specs):
        try:
            parse_noise(spec)
        except UserError as e:
            raise UserError(f"noise.specs.{i}: {e}") from None
        specs.append(spec)
    return list(dict.fromkeys(specs))


def _spec(task: str):
    from intermezzo.tasks import get_task

    return get_task(task)


def _eval_langs(langs: list[str] | None, target: str) -> list[str] | None:
    """`langs` restricted to those the target task has (None = all of the task's); config.py checked that each
    language belongs to some target, so only a multi-target grid's other tasks' languages fall away here."""
    if langs is None:
        return None
    spec = _spec(target)
    return [lang for lang in langs if lang in spec.langs]


def _condition_langs(exp: Experiment, cond: Condition, target: str) -> list[str]:
    """Languages a target-language condition trains (and then evaluates) one at a time, for one target."""
    spec = _spec(target)
    langs = cond.trained_langs() or exp.langs or [lang for lang in spec.langs if lang != spec.train_lang]
    # A language the target task lacks has nothing to evaluate: no cell (English is the other arms' job).
    return [lang for lang in _eval_langs(langs, target) if lang != "en"]


def _task_entry(exp: Experiment, cond: Condition, task: str, lang: str) -> dict[str, Any]:
    """One entry of intermediate.tasks: where its data comes from and in which language."""
    entry: dict[str, Any] = {"task": task, "lang": "en", "source": cond.path or exp.sources.get(task, "hub")}
    if cond.source == "translate":
        # The English data is loaded, then translated into `lang` by the phase.
        entry["translate"] = {**cond.translate.model_dump(mode="json", exclude_unset=True), "tgt_lang": lang}
    elif cond.source in ("files", "native"):
        entry["lang"] = lang
    return entry


def _intermediate(b: Builder, exp: Experiment, name: str, cond: Condition, encoder: str, seed: int,
                  lang: str) -> str | None:
    """The mlm or intermediate node of one condition; returns the key the target phase starts from."""
    origin = f"conditions.{name}"
    if cond.kind == "none":
        return None
    if cond.kind == "mlm":
        # The condition's own mlm settings win over the preset's and the hparams'.
        params = {**exp.phase_hparams("mlm", cond), **cond.mlm.model_dump(mode="json", exclude_unset=True),
                  "encoder": encoder, "seed": seed}
        return b.add("mlm", params, {}, origin)
    # A published preset's per-task block applies when the condition trains that one task.
    params = exp.phase_hparams("intermediate", cond, cond.tasks[0] if len(cond.tasks) == 1 else None)
    params.update({"tasks": [_task_entry(exp, cond, t, lang) for t in cond.tasks], "encoder": encoder, "seed": seed})
    if len(cond.tasks) > 1:
        params["sampler"] = (cond.sampler or SamplerParams()).model_dump(mode="json")
    if cond.kind == "mlm_multitask":
        params["mlm"] = cond.mlm.model_dump(mode="json")
    return b.add("intermediate", params, {}, origin)


EVAL_MODEL_OPTIONS = ("keep_layers", "trust_remote_code", "allow_pickle")  # shared by training and evaluate params


def _evaluated(b: Builder, exp: Experiment, name: str, cond: Condition, target: str, encoder: str, seed: int,
               start: str | None, langs: list[str] | None, noise: list[str]) -> str:
    """Target fine-tuning (unless the task is scored straight from an encoder) and its evaluation."""
    spec = _spec(target)
    origin = f"conditions.{name}"
    source = exp.sources.get(target, "hub")
    # The model options the arm trains with apply when it is scored (an encoder-only arm must not be scored on
    # 12 layers while the trained arms keep 4); evaluate's own hparams still win.
    trained = exp.phase_hparams("target", cond, target)
    evaluate = {**{k: trained[k] for k in EVAL_MODEL_OPTIONS if trained.get(k) is not None},
                **exp.phase_hparams("evaluate", cond, target), "task": target, "langs": langs, "noise": noise,
                "source": source}
    if spec.train_source is None:
        # Retrieval tasks are scored from the encoder itself: no target phase, no seed of their own.
        return b.add("evaluate", {**evaluate, "encoder": encoder}, {"encoder": start}, origin)
    params = {**exp.phase_hparams("target", cond, target), "task": target, "encoder": encoder, "seed": seed,
              "source": exp.sources.get(spec.train_source, source)}
    model = b.add("target", params, {"encoder": start}, origin)
    return b.add("evaluate", evaluate, {"model": model}, origin)


def build_plan(exp: Experiment, fake_phases: bool = False) -> Plan:
    """Every encoder x condition x target x seed as validated phases; identical phases become one node.

    Every node whose params the phases would refuse is reported at once (a UserError), before anything runs."""
    noise = noise_specs(exp)
    b, cells = Builder(fake=fake_phases), []
    for encoder in exp.encoders:
        for seed in exp.seeds:
            for name, cond in exp.conditions.items():
                for target in exp.targets:
                    if cond.kind != "target_lang":
                        start = _intermediate(b, exp, name, cond, encoder, seed, "en")
                        key = _evaluated(b, exp, name, cond, target, encoder, seed, start,
                                         _eval_langs(exp.langs, target), noise)
                        cells.append(Cell(encoder, name, target, seed, key))
                        continue
                    for lang in _condition_langs(exp, cond, target):
                        start = _intermediate(b, exp, name, cond, encoder, seed, lang)
                        key = _evaluated(b, exp, name, cond, target, encoder, seed, start, [lang], noise)
                        cells.append(Cell(encoder, name, target, seed, key, lang))
    return Plan(exp.name, b.finish(), cells, fake_phases=fake_phases)
