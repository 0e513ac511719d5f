"""Phases as a DAG: nodes keyed by their fingerprint (what they compute from), cells, plan.json, and the checks.

A phase's key is `<kind>-<fingerprint>`, where the fingerprint is `intermezzo.phases.params.fingerprint_of` over
its validated params (the knobs in `NOT_FINGERPRINTED`, such as `log_every`, left out there and only there) and
its parents' fingerprints: the very value the phase writes into its summary.json. Stand-in phases
(`--fake-phases`) get keys of their own, so their results are never taken for real ones.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from intermezzo.errors import UserError
from intermezzo.io import atomic_write_json, is_done

PLAN_VERSION = "2"
TRAINING = ("mlm", "intermediate", "target")
KINDS = ("mlm", "intermediate", "target", "evaluate")


@dataclass(frozen=True)
class Node:
    """One phase to run: kind, its validated params (the keys set), parent keys by input name, and its folder."""

    key: str
    kind: str
    params: dict[str, Any]
    inputs: dict[str, str] = field(default_factory=dict)
    folder: str | None = None  # relative to the run folder; None = phases/<key>
    input_folders: dict[str, str] = field(default_factory=dict)  # input name -> parent's folder, when it names one

    def config(self):
        """The params as the phase's pydantic model (defaults filled in)."""
        from intermezzo.phases.params import validate

        return validate(self.kind, self.params)


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
    """Nodes in a parent-before-child order, plus the cells whose scores the store and report read.

    `fake_phases` is True when stand-in phases (`intermezzo run --fake-phases`) computed the results:
    plan.json carries it as "fake_phases" for the report to say so."""

    name: str
    nodes: dict[str, Node]
    cells: list[Cell]
    fake_phases: bool = False

    def to_json(self) -> dict:
        """A JSON-able dict (what plan.json holds)."""
        return {"name": self.name, "code_version": PLAN_VERSION, "fake_phases": self.fake_phases,
                "nodes": [asdict(n) for n in self.nodes.values()], "cells": [asdict(c) for c in self.cells]}

    @classmethod
    def from_json(cls, obj: dict) -> Plan:
        """The inverse of to_json."""
        nodes = {n["key"]: Node(**n) for n in obj["nodes"]}
        return cls(obj["name"], nodes, [Cell(**c) for c in obj["cells"]], bool(obj.get("fake_phases", False)))

    def save(self, run_dir: Path) -> Path:
        """Write run_dir/plan.json atomically."""
        return atomic_write_json(Path(run_dir) / "plan.json", self.to_json())

    def counts(self, run_dir: Path) -> dict[str, dict[str, int]]:
        """Per kind: how many phases in all, already done on disk, and still to run."""
        out: dict[str, dict[str, int]] = {}
        for node in self.nodes.values():
            row = out.setdefault(node.kind, {"total": 0, "done": 0, "todo": 0})
            row["total"] += 1
            row["done" if is_done(node_dir(run_dir, node)) else "todo"] += 1
        return out


def phase_dir(run_dir: str | Path, key: str) -> Path:
    """Where the grid phase `key` lives in a run folder."""
    return Path(run_dir) / "phases" / key


def node_dir(run_dir: str | Path, node: Node) -> Path:
    """Where `node` writes: its own folder when it names one (train configs), else phases/<key>."""
    return Path(run_dir) / node.folder if node.folder else phase_dir(run_dir, node.key)


NOISE_CACHE = "noise-cache"  # <run>/noise-cache: noisy test sets made once per grid (phases/noisy_inputs.py)


def input_dirs(run_dir: str | Path, node: Node) -> dict[str, Path]:
    """The parent phase folders a node reads, by input name; evaluate nodes also get the grid's noise cache
    (not an input model: evaluate leaves it out of its fingerprint)."""
    dirs = {name: Path(run_dir) / node.input_folders[name] if name in node.input_folders else phase_dir(run_dir, key)
            for name, key in node.inputs.items()}
    if node.kind == "evaluate":
        dirs["noise_cache"] = Path(run_dir) / NOISE_CACHE
    return dirs


def phase_key(kind: str, cfg, parents: dict[str, str], fake: bool = False) -> str:
    """`<kind>-<fingerprint>` of validated params `cfg` whose inputs are the phases `parents` (name -> key)."""
    from intermezzo.phases.params import fingerprint_of

    fp = fingerprint_of(cfg, {name: f"phase:{key.split('-', 1)[1]}" for name, key in parents.items()})
    if fake:
        fp = hashlib.sha256(f"stand-in:{fp}".encode()).hexdigest()[:16]
    return f"{kind}-{fp}"


class Builder:
    """Validates and adds nodes once: a node another run already added is shared. Every invalid node is
    collected (not only the first), and `finish` raises them all as one line."""

    def __init__(self, fake: bool = False) -> None:
        self.nodes: dict[str, Node] = {}
        self.fake = fake
        self.errors: dict[str, set[str]] = {}  # message -> where the bad params came from

    def add(self, kind: str, params: dict, inputs: dict[str, str | None], origin: str,
            folder: str | None = None) -> str:
        """The key of the node with these contents, adding it if new (a placeholder key when invalid)."""
        from intermezzo.phases.params import validate

        inputs = {k: v for k, v in inputs.items() if v is not None}
        try:
            cfg = validate(kind, params)
        except UserError as e:
            self.errors.setdefault(str(e), set()).add(origin)
            return f"{kind}-invalid{len(self.errors)}"
        key = phase_key(kind, cfg, inputs, self.fake)
        if key not in self.nodes:
            folders = {name: self.nodes[parent].folder for name, parent in inputs.items()
                       if parent in self.nodes and self.nodes[parent].folder}
            self.nodes[key] = Node(key, kind, cfg.model_dump(mode="json", exclude_unset=True), inputs, folder, folders)
        return key

    def finish(self) -> dict[str, Node]:
        """The nodes, parents first; a UserError listing every invalid one."""
        raise_invalid(self.errors)
        return topological(self.nodes)


def raise_invalid(errors: dict[str, set[str]]) -> None:
    """One line naming every distinct params error and where each came from."""
    if errors:
        parts = [f"{msg} (from {', '.join(sorted(where))})" for msg, where in errors.items()]
        raise UserError(f"invalid phase params, {len(parts)} problem(s): " + " | ".join(parts))


def check_params(plan: Plan) -> None:
    """Validate every node's params against the real phases' schemas, reporting every invalid node at once."""
    from intermezzo.phases.params import validate

    errors: dict[str, set[str]] = {}
    for node in plan.nodes.values():
        try:
            validate(node.kind, node.params)
        except UserError as e:
            errors.setdefault(str(e), set()).add(node.key)
    raise_invalid(errors)


def topological(nodes: dict[str, Node]) -> dict[str, Node]:
    """Parents before children (insertion order already is; this makes it a checked property)."""
    order: dict[str, Node] = {}
    for key, node in nodes.items():
        missing = [p for p in node.inputs.values() if p not in order]
        if missing:
            raise AssertionError(f"plan: {key} listed before its parents {missing}")
        order[key] = node
    return order


def _looks_local(name: str) -> bool:
    """An encoder or model name meant as a folder here (a hub id looks like `org/name`)."""
    first = name.split("/", 1)[0]
    return name.startswith(("/", "./", "../", "~")) or os.path.exists(name) or (name != first and Path(first).is_dir())


def _paths(node: Node) -> list[tuple[str, str, bool]]:
    """(param, value, is it a path for sure) for every file or folder a node's params name."""
    p = node.params
    out = [("encoder", p["encoder"], False)] if isinstance(p.get("encoder"), str) else []
    out += [("source", p["source"], True)] if p.get("source", "hub") != "hub" else []
    for i, task in enumerate(p.get("tasks") or []):
        if task.get("source", "hub") != "hub":
            out.append((f"tasks.{i}.source", task["source"], True))
        if (task.get("translate") or {}).get("model"):
            out.append((f"tasks.{i}.translate.model", task["translate"]["model"], False))
    texts = {**(p.get("texts") or {}), **((p.get("mlm") or {}).get("texts") or {})}
    out += [(f"texts.{lang}", path, True) for lang, path in texts.items()]
    return out


def check_paths(plan: Plan) -> None:
    """Every data file, data folder and local encoder the plan names exists, so nothing fails after training."""
    missing: dict[str, str] = {}
    for node in plan.nodes.values():
        for param, value, is_path in _paths(node):
            if (is_path or _looks_local(value)) and not Path(value).expanduser().exists():
                missing.setdefault(value, f"{node.kind} {param}")
    if missing:
        listed = "; ".join(f"{value} ({what})" for value, what in missing.items())
        raise UserError(f"not found: {listed}; check the paths in the config (relative paths are read from "
                        f"{Path.cwd()})")


def _label(node: Node) -> str:
    """What a phase is, in a few words: tasks, languages, seed."""
    p = node.params
    if node.kind == "intermediate":
        what = "+".join(f"{t['task']}@{(t.get('translate') or {}).get('tgt_lang', t.get('lang', 'en'))}"
                        for t in p["tasks"])
    elif node.kind == "mlm":
        what = "mlm@" + ",".join(p["texts"])
    elif node.kind == "target":
        what = p["task"]
    else:
        what = f"{p['task']} langs={','.join(p['langs']) if p.get('langs') else 'all'} noise={len(p.get('noise', []))}"
    seed = f" seed={p['seed']}" if "seed" in p else ""
    return f"{what}{seed}"


def label(node: Node) -> str:
    """`<key> (<kind> <what>)`: how the console and the logs name a phase."""
    return f"{node.key} ({node.kind} {_label(node)})"


def describe(plan: Plan, run_dir: Path, verbose: bool = False) -> str:
    """The dry-run text: per kind, phases in all, to reuse and to run, then the evaluation count."""
    counts = plan.counts(run_dir)
    fake = " (stand-in phases)" if plan.fake_phases else ""
    lines = [f"plan {plan.name}: {len(plan.nodes)} phases, {len(plan.cells)} evaluated cells, run folder "
             f"{run_dir}{fake}"]
    for kind in KINDS:
        c = counts.get(kind, {"total": 0, "done": 0, "todo": 0})
        lines.append(f"  {kind:<13} {c['total']:>5} in all  {c['done']:>5} to reuse  {c['todo']:>5} to run")
    train = sum(counts.get(k, {}).get("todo", 0) for k in TRAINING)
    reuse = sum(c["done"] for c in counts.values())
    lines.append(f"to train: {train}  to reuse: {reuse}  to evaluate: {counts.get('evaluate', {}).get('todo', 0)}")
    if verbose:
        for node in plan.nodes.values():
            state = "done" if is_done(node_dir(run_dir, node)) else "todo"
            parents = ",".join(node.inputs.values()) or "-"
            lines.append(f"  {state}  {node.key}  <- {parents}  {_label(node)}")
    return "\n".join(lines)
