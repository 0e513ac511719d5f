"""Run a plan: check everything first, then skip what is done, execute the rest, store evaluations as they finish."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.experiments.config import PHASE_KINDS, Experiment
from intermezzo.experiments.console import Console
from intermezzo.experiments.dag import Node, Plan, node_dir
from intermezzo.experiments.executors import make_executor, settle_logs
from intermezzo.experiments.loggers import check_loggers, make_loggers
from intermezzo.experiments.plan import build_plan, check_paths, phase_dir
from intermezzo.experiments.store import Store
from intermezzo.io import atomic_write_text, is_done, writable_folder


def default_phases() -> dict:
    """intermezzo.phases.PHASES, checked to hold every phase kind."""
    from intermezzo.phases import PHASES

    missing = [k for k in PHASE_KINDS if k not in PHASES]
    if missing:
        raise UserError(f"intermezzo.phases.PHASES lacks {', '.join(missing)}; reinstall intermezzo")
    return PHASES


def is_stand_in(phases: dict | None) -> bool:
    """True for stand-in phases (intermezzo.experiments.fake), whose results are keyed and flagged apart."""
    return bool(getattr(phases, "stand_in", False))


def ingest_done(plan: Plan, run_dir: Path, store: Store) -> int:
    """Store every finished evaluation not stored yet (after a kill between a phase's end and its insert)."""
    n = 0
    for cell in plan.cells:
        folder = phase_dir(run_dir, cell.key)
        if is_done(folder) and not store.has(plan.name, cell):
            store.ingest(plan.name, cell, folder)
            n += 1
    return n


def execute_plan(plan: Plan, run_dir: Path, phases: dict, runner, progress: bool = True,
                 on_done: Callable[[Node, dict], None] | None = None) -> dict[str, dict]:
    """Run every pending node of `plan` with `runner` (an executor); returns the summaries by key.

    A phase another runner finished meanwhile comes back with "reused": True."""
    settle_logs(run_dir, plan.nodes.values())
    todo = [n for n in plan.nodes.values() if not is_done(node_dir(run_dir, n))]
    summaries: dict[str, dict] = {}
    with Console(run_dir, len(todo), progress) as console:
        def done(key: str, summary: dict) -> None:
            summaries[key] = summary
            if on_done is not None:
                on_done(plan.nodes[key], summary)
            console.finished(plan.nodes[key], summary)

        runner.run(run_dir, todo, phases, done, on_start=console.started)
    return summaries


def run_experiment(exp: Experiment, run_dir: str | Path, phases: dict | None = None, executor: str = "local",
                   gpus: list[str] | None = None, cluster: str | None = None, slurm: dict | None = None,
                   progress: bool = True, loggers: list[str] = ()) -> dict:
    """Run every pending phase of `exp` into `run_dir`; rerunning resumes where a previous run stopped.

    Everything that can be checked is checked before the run folder is touched: the plan's params, the paths
    it names (real phases), the executor and the loggers."""
    run_dir = Path(run_dir)
    fake = is_stand_in(phases)
    plan = build_plan(exp, fake_phases=fake)
    if phases is None:
        phases = default_phases()
    if not fake:
        check_paths(plan)
    runner = make_executor(executor, run_dir, gpus=gpus, cluster=cluster, slurm=slurm)
    check_loggers(list(loggers))
    writable_folder(run_dir, "--out")
    run_dir.mkdir(parents=True, exist_ok=True)
    plan.save(run_dir)
    # The report reads the config from here: the exact grid that produced the results, overrides applied.
    atomic_write_text(run_dir / "config.json", exp.model_dump_json(indent=2) + "\n")
    cells_of: dict[str, list] = {}
    for cell in plan.cells:
        cells_of.setdefault(cell.key, []).append(cell)
    sinks = make_loggers(list(loggers), run_dir, plan.name)
    store = Store(run_dir / "results.sqlite")
    try:
        ingest_done(plan, run_dir, store)

        def store_cells(node: Node, summary: dict) -> None:
            for cell in cells_of.get(node.key, []):
                store.ingest(plan.name, cell, phase_dir(run_dir, node.key))
                for sink in sinks:
                    sink.log_cell(cell, store.rows(run=plan.name, encoder=cell.encoder, condition=cell.condition,
                                                   task=cell.target, seed=cell.seed, phase=cell.key))

        summaries = execute_plan(plan, run_dir, phases, runner, progress, on_done=store_cells)
        rows = store.db.execute("SELECT COUNT(*) FROM scores WHERE run=?", (plan.name,)).fetchone()[0]
    finally:
        store.close()
        for sink in sinks:
            sink.close()
    ran = sum(not s.get("reused") for s in summaries.values())
    return {"phases": len(plan.nodes), "ran": ran, "reused": len(plan.nodes) - ran, "cells": len(plan.cells),
            "rows": rows, "fake_phases": fake}
