"""Run a grid: plan it, skip what is done, execute the rest, store every evaluation as it finishes."""

from __future__ import annotations

from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.experiments.config import PHASE_KINDS, Experiment
from intermezzo.experiments.executors import make_executor, progress_bar, settle_logs
from intermezzo.experiments.loggers import make_loggers
from intermezzo.experiments.plan import Plan, build_plan, check_params, phase_dir
from intermezzo.experiments.store import Store
from intermezzo.io import atomic_write_text, is_done


def default_phases() -> dict:
    """intermezzo.phases.PHASES, checked to hold every phase kind."""
    try:
        from intermezzo.phases import PHASES
    except ImportError:
        raise UserError("intermezzo.phases.PHASES is not available in this install; reinstall intermezzo") from None
    missing = [k for k in PHASE_KINDS if k not in PHASES]
    if missing:
        raise UserError(f"intermezzo.phases.PHASES lacks {', '.join(missing)}; reinstall intermezzo")
    return PHASES


def ingest_done(plan: Plan, run_dir: Path, store: Store) -> int:
    """Store every finished evaluation not stored yet (after a kill between a phase's end and its insert)."""
    n = 0
    for cell in plan.cells:
        folder = phase_dir(run_dir, cell.key)
        if is_done(folder) and not store.has(plan.name, cell):
            store.ingest(plan.name, cell, folder)
            n += 1
    return n


def run_experiment(exp: Experiment, run_dir: str | Path, phases: dict | None = None, executor: str = "local",
                   gpus: list[str] | None = None, cluster: str | None = None, slurm: dict | None = None,
                   progress: bool = True, loggers: list[str] = ()) -> dict:
    """Run every pending phase of `exp` into `run_dir`; rerunning resumes where a previous run stopped."""
    run_dir = Path(run_dir)
    plan = build_plan(exp)
    if phases is None:
        phases = default_phases()
        check_params(plan)
    run_dir.mkdir(parents=True, exist_ok=True)
    plan.save(run_dir)
    # The report reads the config from here: the exact grid that produced the results, overrides applied.
    atomic_write_text(run_dir / "config.json", exp.model_dump_json(indent=2) + "\n")
    todo = [n for n in plan.nodes.values() if not is_done(phase_dir(run_dir, n.key))]
    cells_of: dict[str, list] = {}
    for cell in plan.cells:
        cells_of.setdefault(cell.key, []).append(cell)
    sinks = make_loggers(list(loggers), run_dir, plan.name)
    store = Store(run_dir / "results.sqlite")
    executed: list[bool] = []
    try:
        ingest_done(plan, run_dir, store)
        settle_logs(run_dir)
        runner = make_executor(executor, run_dir, gpus=gpus, cluster=cluster, slurm=slurm)
        with progress_bar(len(todo), progress) as bar:
            def on_done(key: str, summary: dict) -> None:
                for cell in cells_of.get(key, []):
                    store.ingest(plan.name, cell, phase_dir(run_dir, key))
                    for sink in sinks:
                        sink.log_cell(cell, store.rows(run=plan.name, encoder=cell.encoder, condition=cell.condition,
                                                       task=cell.target, seed=cell.seed, phase=cell.key))
                # Another runner on the same folder may have finished it while this one waited for the lock.
                executed.append(not summary.get("reused_by_another_runner"))
                bar.update(1)

            runner.run(run_dir, todo, phases, on_done)
        rows = store.db.execute("SELECT COUNT(*) FROM scores WHERE run=?", (plan.name,)).fetchone()[0]
    finally:
        store.close()
        for sink in sinks:
            sink.close()
    return {"phases": len(plan.nodes), "ran": sum(executed), "reused": len(plan.nodes) - sum(executed),
            "cells": len(plan.cells), "rows": rows}
