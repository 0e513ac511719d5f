"""What a report reads from a run folder: headline rows, per-example units, the plan, and training validation."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from intermezzo.report.stats import Arm, Term, mean_of_terms
from intermezzo.report.units import parts_kind

TRAINING = ("mlm", "intermediate", "target")


def task_spec(task: str):
    """The task's TaskSpec, or None for a name the registry does not know (a test's stand-in task)."""
    from intermezzo.tasks import TASKS

    return TASKS.get(task)


class Universe:
    """The items one statistic resamples: a parallel task's item is its id in every language; otherwise
    (language, id). Strata (resampled separately, sizes kept): one per parallel task, else per (task, language)."""

    def __init__(self) -> None:
        self.index: dict[tuple, int] = {}
        self.stratum: list[tuple] = []

    def items(self, task: str, lang: str, ids: list[str]) -> np.ndarray:
        """Indices of `ids` of (task, lang), adding new items."""
        spec = task_spec(task)
        shared = spec is not None and spec.parallel
        out = []
        for i in ids:
            key = (task, i) if shared else (task, lang, i)
            if key not in self.index:
                self.index[key] = len(self.stratum)
                self.stratum.append((task,) if shared else (task, lang))
            out.append(self.index[key])
        return np.asarray(out, dtype=int)

    def strata(self) -> np.ndarray:
        """Stratum number per item."""
        names = {s: i for i, s in enumerate(dict.fromkeys(self.stratum))}
        return np.asarray([names[s] for s in self.stratum], dtype=int)


@dataclass(frozen=True)
class Cell:
    """One (task, language, noise) that an arm is scored on."""

    task: str
    lang: str
    noise: str = "clean"


class Results:
    """The headline rows of one encoder, indexed for statistics, with per-example units read on demand."""

    def __init__(self, rows: list[dict], store, nodes: dict[str, dict] | None = None) -> None:
        self.store, self.nodes = store, nodes or {}
        self.by: dict[tuple, dict[int, dict]] = defaultdict(dict)
        for r in rows:
            self.by[(r["condition"], r["task"], r["lang"], r["noise"])][r["seed"]] = r
        self._parts: dict[tuple, dict] = {}

    def seeds(self, condition: str, cell: Cell) -> dict[int, dict]:
        """seed -> stored row of `condition` on `cell`."""
        return self.by.get((condition, cell.task, cell.lang, cell.noise), {})

    def has(self, condition: str, cell: Cell) -> bool:
        """True when some run of `condition` was scored on `cell`."""
        return bool(self.seeds(condition, cell))

    def trained(self, phase: str) -> bool:
        """True when a training phase lies upstream of `phase` (its scores vary by seed); True when unknown."""
        node = self.nodes.get(phase)
        if node is None:
            return not self.nodes
        return node["kind"] in TRAINING or any(self.trained(p) for p in node.get("inputs", {}).values())

    def _units(self, phase: str, noise: str, lang: str) -> dict:
        key = (phase, noise, lang)
        if key not in self._parts:
            self._parts[key] = self.store.example_parts(phase, noise, lang) if self.store is not None else {}
        return self._parts[key]

    def term(self, rows: list[dict], cell: Cell, universe: Universe) -> Term:
        """The scores of one arm's runs (`rows`, one per run) on `cell`, per example where stored."""
        headline = np.asarray([r["value"] for r in rows], dtype=float)
        units = [self._units(r["phase"], cell.noise, cell.lang) for r in rows]
        ids = sorted(set.intersection(*(set(u) for u in units))) if units and all(units) else []
        if not ids:
            return Term(None, None, headline=headline)
        widths = {len(u[i]) for u in units for i in ids}
        spec = task_spec(cell.task)
        kind = parts_kind(spec.metric if spec else None, max(widths))
        if widths == {3 if kind == "f1" else 1}:
            parts = np.asarray([[u[i] for i in ids] for u in units], dtype=float)
        else:
            # Rows stored with and without parts (or in another shape): fall back to the per-example score.
            units = [self.store.example_scores(r["phase"], cell.noise, cell.lang) for r in rows]
            parts = np.asarray([[[u[i]] for i in ids] for u in units], dtype=float)
            kind = "mean"
        return Term(parts, universe.items(cell.task, cell.lang, ids), kind=kind, headline=headline)

    def arm(self, condition: str, cells: list[Cell], universe: Universe, sign: float = 1.0,
            combine=mean_of_terms) -> Arm | None:
        """`condition`'s runs on `cells`, aligned by seed (a seed's runs share their intermediate phase); only
        seeds scored on every cell count. None when no seed is."""
        per_cell = [self.seeds(condition, c) for c in cells]
        seeds = sorted(set.intersection(*(set(s) for s in per_cell))) if per_cell else []
        if not seeds:
            return None
        phases = [tuple(s[seed]["phase"] for s in per_cell) for seed in seeds]
        deterministic = not any(self.trained(p) for p in phases[0])
        if deterministic or len(set(phases)) == 1:
            # One phase serves every seed (no training run varies): one run, not several copies of it.
            seeds = seeds[:1]
        terms = [self.term([s[seed] for seed in seeds], c, universe) for s, c in zip(per_cell, cells)]
        return Arm(terms, sign=sign, combine=combine, deterministic=deterministic)


def load_plan(run_dir: Path) -> dict:
    """plan.json as a dict ({} when absent)."""
    path = Path(run_dir) / "plan.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def phase_summary(run_dir: Path, key: str) -> dict:
    """A phase folder's summary.json ({} when absent or unreadable)."""
    path = Path(run_dir) / "phases" / key / "summary.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def training_chain(nodes: dict[str, dict], key: str) -> list[dict]:
    """The training phases upstream of an evaluate phase, nearest first (target, then intermediate or mlm)."""
    out, todo = [], list(nodes.get(key, {}).get("inputs", {}).values())
    while todo:
        node = nodes.get(todo.pop(0))
        if node is None:
            continue
        if node["kind"] in TRAINING:
            out.append(node)
        todo += list(node.get("inputs", {}).values())
    return out


def validation_rows(run_dir: Path, plan: dict, encoder: str) -> list[dict]:
    """Per cell and training phase: the phase's own dev-split scores (summary.json `validation`)."""
    nodes = {n["key"]: n for n in plan.get("nodes", [])}
    out = []
    for cell in plan.get("cells", []):
        if cell["encoder"] != encoder:
            continue
        for node in training_chain(nodes, cell["key"]):
            for task, v in (phase_summary(run_dir, node["key"]).get("validation") or {}).items():
                out.append({"condition": cell["condition"], "target": cell["target"], "seed": cell["seed"],
                            "cell_lang": cell.get("lang"), "phase": node["key"], "kind": node["kind"],
                            "task": task, **v})
    return out


def progress(plan: dict, rows: list[dict], encoder: str) -> list[dict]:
    """Per configured cell (condition, target, cell language): seeds configured and seeds with stored scores."""
    done = {(r["condition"], r["task"], r["seed"], r["phase"]) for r in rows}
    cells: dict[tuple, dict] = {}
    for c in plan.get("cells", []):
        if c["encoder"] != encoder:
            continue
        row = cells.setdefault((c["condition"], c["target"], c.get("lang") or ""), {"configured": set(),
                                                                                 "finished": set()})
        row["configured"].add(c["seed"])
        if (c["condition"], c["target"], c["seed"], c["key"]) in done:
            row["finished"].add(c["seed"])
    return [{"condition": k[0], "target": k[1], "lang": k[2], "configured": len(v["configured"]),
             "finished": len(v["finished"])} for k, v in cells.items()]
