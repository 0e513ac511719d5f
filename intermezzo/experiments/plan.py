"""The grid as a DAG of phases, each keyed by a content hash of what it depends on, so shared work runs once."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from intermezzo.errors import UserError, unknown
from intermezzo.experiments.config import Condition, Experiment, Sampler
from intermezzo.io import atomic_write_json, is_done

# Bump when a phase's outputs change meaning, so that old folders are not reused by mistake.
CODE_VERSION = "1"
TRAINING = ("mlm", "intermediate", "target")


@dataclass(frozen=True)
class Node:
    """One phase to run: kind, params passed to it, parent phase keys by input name."""

    key: str
    kind: str
    params: dict[str, Any]
    inputs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    """One evaluated grid cell: what an evaluate phase's scores belong to."""

    encoder: str
    condition: str
    target: str
    seed: int
    key: str  # the evaluate node
    lang: str | None = None  # target-language conditions: the one language this cell covers


@dataclass
class Plan:
    """Nodes in a parent-before-child order, plus the cells whose scores the store and report read."""

    name: str
    nodes: dict[str, Node]
    cells: list[Cell]

    def to_json(self) -> dict:
        """A JSON-able dict (what plan.json holds)."""
        return {"name": self.name, "code_version": CODE_VERSION,
                "nodes": [asdict(n) for n in self.nodes.values()], "cells": [asdict(c) for c in self.cells]}

    @classmethod
    def from_json(cls, obj: dict) -> Plan:
        """The inverse of to_json."""
        nodes = {n["key"]: Node(**n) for n in obj["nodes"]}
        return cls(obj["name"], nodes, [Cell(**c) for c in obj["cells"]])

    def save(self, run_dir: Path) -> Path:
        """Write run_dir/plan.json atomically."""
        return atomic_write_json(Path(run_dir) / "plan.json", self.to_json())

    def counts(self, run_dir: Path) -> dict[str, dict[str, int]]:
        """Per kind: how many phases in all, already done on disk, and still to run."""
        out: dict[str, dict[str, int]] = {}
        for node in self.nodes.values():
            row = out.setdefault(node.kind, {"total": 0, "done": 0, "todo": 0})
            row["total"] += 1
            row["done" if is_done(phase_dir(run_dir, node.key)) else "todo"] += 1
        return out


def phase_dir(run_dir: str | Path, key: str) -> Path:
    """Where the phase `key` lives in a run folder."""
    return Path(run_dir) / "phases" / key


def node_key(kind: str, params: dict, inputs: dict[str, str]) -> str:
    """`<kind>-<hash>` over everything that affects the phase's output."""
    blob = json.dumps({"kind": kind, "params": params, "inputs": inputs, "version": CODE_VERSION},
                      sort_keys=True, ensure_ascii=True, default=str)
    return f"{kind}-{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


class _Builder:
    """Adds nodes once: a node another run already added is shared, not duplicated."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}

    def add(self, kind: str, params: dict, inputs: dict[str, str | None]) -> str:
        """The key of the node with these contents, adding it if new."""
        inputs = {k: v for k, v in inputs.items() if v is not None}
        key = node_key(kind, params, inputs)
        self.nodes.setdefault(key, Node(key, kind, params, inputs))
        return key


def _spec(task: str):
    """The task's spec when the registry knows it; None while the registry is empty (no check possible)."""
    from intermezzo.tasks import TASKS

    if not TASKS:
        return None
    if task not in TASKS:
        raise unknown("task", task, TASKS)
    return TASKS[task]


def noise_specs(exp: Experiment) -> list[str]:
    """The suite's specs (intermezzo.noise.SUITES) followed by the config's own, without repeats; each checked."""
    try:
        from intermezzo.noise import SUITES, parse_noise
    except ImportError:  # the noise area is absent: the evaluate phase will check the specs
        SUITES, parse_noise = None, None
    specs: list[str] = []
    if exp.noise.suite:
        if SUITES is None:
            raise UserError(f"noise.suite '{exp.noise.suite}': noise suites are not available in this install; "
                            "list specs under noise.specs instead")
        if exp.noise.suite not in SUITES:
            raise UserError(f"noise.suite: {unknown('noise suite', exp.noise.suite, SUITES)}")
        specs.extend(SUITES[exp.noise.suite])
    for i, spec in enumerate(exp.noise.specs):
        if parse_noise is not None:
            try:
                parse_noise(spec)
            except UserError as e:
                raise UserError(f"noise.specs.{i}: {e}") from None
        specs.append(spec)
    return list(dict.fromkeys(specs))


def _eval_langs(langs: list[str] | None, target: str) -> list[str] | None:
    """`langs` restricted to those the target task has (None = all of the task's)."""
    spec = _spec(target)
    if langs is None or spec is None:
        return None if langs is None else list(langs)
    return [lang for lang in langs if lang in spec.langs]


def _condition_langs(exp: Experiment, name: str, cond: Condition, target: str) -> list[str]:
    """Languages a target-language condition trains (and then evaluates) one at a time, for one target."""
    if cond.translate is not None and cond.translate.tgt_lang:
        langs = [cond.translate.tgt_lang]
    else:
        langs = cond.langs or exp.langs
    if langs is None:
        spec = _spec(target)
        if spec is None:
            raise UserError(f"conditions.{name}.langs: cannot tell which target languages to train in for "
                            f"{target}; set conditions.{name}.langs or the top-level langs")
        langs = [lang for lang in spec.langs if lang != spec.train_lang]
    # A language the target task lacks has nothing to evaluate: no cell (English is the other arms' job).
    return [lang for lang in _eval_langs(langs, target) if lang != "en"]


def _task_entry(exp: Experiment, cond: Condition, task: str, lang: str) -> dict[str, Any]:
    """One entry of intermediate.tasks: where its data comes from and in which language."""
    entry: dict[str, Any] = {"task": task, "lang": "en", "source": cond.path or exp.sources.get(task, "hub")}
    if cond.source == "translate":
        # The English data is loaded, then translated into `lang` by the phase.
        entry["translate"] = {**cond.translate.model_dump(exclude_none=True), "tgt_lang": lang}
    elif cond.source in ("files", "native"):
        entry["lang"] = lang
    return entry


def _intermediate(b: _Builder, exp: Experiment, cond: Condition, encoder: str, seed: int,
                  lang: str) -> str | None:
    """The mlm or intermediate node of one condition; returns the key the target phase starts from."""
    if cond.kind == "none":
        return None
    if cond.kind == "mlm":
        return b.add("mlm", {**cond.mlm.model_dump(), "encoder": encoder, "seed": seed,
                             **exp.phase_hparams("mlm", cond)}, {})
    params: dict[str, Any] = {"tasks": [_task_entry(exp, cond, t, lang) for t in cond.tasks],
                              "encoder": encoder, "seed": seed}
    if len(cond.tasks) > 1:
        params["sampler"] = (cond.sampler or Sampler()).model_dump()
    if cond.kind == "mlm_multitask":
        params["mlm"] = cond.mlm.model_dump()
    # A published preset's per-task block applies when the condition trains that one task.
    params.update(exp.phase_hparams("intermediate", cond, cond.tasks[0] if len(cond.tasks) == 1 else None))
    return b.add("intermediate", params, {})


def _evaluated(b: _Builder, exp: Experiment, cond: Condition, target: str, encoder: str, seed: int,
               start: str | None, langs: list[str] | None, noise: list[str]) -> str:
    """Target fine-tuning (unless the task is scored straight from an encoder) and its evaluation."""
    spec = _spec(target)
    source = exp.sources.get(target, "hub")
    if spec is not None and spec.train_source is None:
        # Retrieval tasks are scored from the encoder itself: no target phase, no seed of their own.
        params = {"task": target, "langs": langs, "noise": noise, "source": source, "encoder": encoder,
                  **exp.phase_hparams("evaluate", cond, target)}
        return b.add("evaluate", params, {"encoder": start})
    train_source = exp.sources.get(spec.train_source, source) if spec is not None else source
    params = {"task": target, "source": train_source, "encoder": encoder, "seed": seed,
              **exp.phase_hparams("target", cond, target)}
    model = b.add("target", params, {"encoder": start})
    params = {"task": target, "langs": langs, "noise": noise, "source": source,
              **exp.phase_hparams("evaluate", cond, target)}
    return b.add("evaluate", params, {"model": model})


def build_plan(exp: Experiment) -> Plan:
    """Every encoder x condition x target x seed as phases; identical phases become one node."""
    named = [("targets", t) for t in exp.targets]
    named += [(f"conditions.{n}.tasks", t) for n, c in exp.conditions.items() for t in c.tasks]
    for where, task in named:
        try:
            _spec(task)
        except UserError as e:
            raise UserError(f"{where}: {e}") from None
    noise = noise_specs(exp)
    b, cells = _Builder(), []
    for encoder in exp.encoders:
        for seed in exp.seeds:
            for name, cond in exp.conditions.items():
                for target in exp.targets:
                    if cond.kind != "target_lang":
                        start = _intermediate(b, exp, cond, encoder, seed, "en")
                        langs = _eval_langs(exp.langs, target)
                        if langs == []:
                            continue
                        key = _evaluated(b, exp, cond, target, encoder, seed, start, langs, noise)
                        cells.append(Cell(encoder, name, target, seed, key))
                        continue
                    for lang in _condition_langs(exp, name, cond, target):
                        start = _intermediate(b, exp, cond, encoder, seed, lang)
                        key = _evaluated(b, exp, cond, target, encoder, seed, start, [lang], noise)
                        cells.append(Cell(encoder, name, target, seed, key, lang))
    return Plan(exp.name, _topological(b.nodes), cells)


def _topological(nodes: dict[str, Node]) -> dict[str, Node]:
    """Parents before children (insertion order already is; this makes it a checked property)."""
    order: dict[str, Node] = {}
    for key, node in nodes.items():
        missing = [p for p in node.inputs.values() if p not in order]
        if missing:
            raise AssertionError(f"plan: {key} listed before its parents {missing}")
        order[key] = node
    return order


def _label(node: Node) -> str:
    """What a phase is, in a few words: tasks, languages, seed."""
    p = node.params
    if node.kind == "intermediate":
        what = "+".join(f"{t['task']}@{(t.get('translate') or {}).get('tgt_lang', t['lang'])}" for t in p["tasks"])
    elif node.kind == "mlm":
        what = "mlm@" + ",".join(p["texts"])
    elif node.kind == "target":
        what = p["task"]
    else:
        what = f"{p['task']} langs={','.join(p['langs']) if p.get('langs') else 'all'} noise={len(p['noise'])}"
    seed = f" seed={p['seed']}" if "seed" in p else ""
    return f"{what}{seed}"


def describe(plan: Plan, run_dir: Path, verbose: bool = False) -> str:
    """The dry-run text: per kind, phases in all, to reuse and to run, then the evaluation count."""
    counts = plan.counts(run_dir)
    lines = [f"plan {plan.name}: {len(plan.nodes)} phases, {len(plan.cells)} evaluated cells, run folder {run_dir}"]
    for kind in ("mlm", "intermediate", "target", "evaluate"):
        c = counts.get(kind, {"total": 0, "done": 0, "todo": 0})
        lines.append(f"  {kind:<13} {c['total']:>5} in all  {c['done']:>5} to reuse  {c['todo']:>5} to run")
    train = sum(counts.get(k, {}).get("todo", 0) for k in TRAINING)
    reuse = sum(c["done"] for c in counts.values())
    lines.append(f"to train: {train}  to reuse: {reuse}  to evaluate: {counts.get('evaluate', {}).get('todo', 0)}")
    if verbose:
        for node in plan.nodes.values():
            state = "done" if is_done(phase_dir(run_dir, node.key)) else "todo"
            parents = ",".join(node.inputs.values()) or "-"
            lines.append(f"  {state}  {node.key}  <- {parents}  {_label(node)}")
    return "\n".join(lines)


def check_params(plan: Plan) -> None:
    """Validate every node's params against the real phases' schemas, so a typo fails before any training."""
    try:
        from intermezzo.phases.params import validate
    except ImportError:  # the phases area is absent: the phases themselves will check
        return
    seen: set[str] = set()
    for node in plan.nodes.values():
        try:
            validate(node.kind, node.params)
        except UserError as e:
            if node.kind not in seen:
                raise UserError(f"{node.kind} phase params (from the config's hparams.{node.kind}, its preset or "
                                f"a condition): {e}") from None
        seen.add(node.kind)
