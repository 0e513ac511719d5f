"""Benchmark: one small grid through intermezzo's runner vs a naive loop that retrains shared phases per run.

The naive loop is the script many of us first write: for every (condition, target, noise condition) it trains
the intermediate model, fine-tunes the target, and evaluates once. Ours trains each distinct phase once and
evaluates every noise condition in one pass. Both use the same phases and params, in one process, one run.

    .venv/bin/python benchmarks/grid.py                 # real phases, tiny local XLM-R, fixture data
    .venv/bin/python benchmarks/grid.py --phases fake   # stand-in phases doing `--work` seconds of CPU work
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from intermezzo.experiments.config import validate
from intermezzo.experiments.plan import TRAINING, Plan, build_plan
from intermezzo.experiments.runner import run_experiment

NOISE = ["keyboard:0.1", "diacritics:1.0"]


def grid(root: Path, real: bool, work: float) -> tuple[dict, dict]:
    """The grid's raw config and the phases to run it with."""
    raw = {"name": "bench", "seeds": [1], "targets": ["xnli", "pawsx"], "langs": ["en", "de"],
           "noise": {"specs": NOISE},
           "conditions": {"none": {"kind": "none"}, "mnli": {"kind": "english", "tasks": ["mnli"]},
                          "mix": {"kind": "multitask", "tasks": ["mnli", "qqp"]}}}
    if not real:
        from intermezzo.experiments.fake import stand_ins

        return {**raw, "encoders": ["fake-encoder"]}, stand_ins(work_s=work)
    from intermezzo.data.fixtures import write_fixtures
    from intermezzo.modeling.tiny import build_tiny_model
    from intermezzo.phases import PHASES

    tiny = build_tiny_model(root / "tiny")
    for task in ("mnli", "qqp", "xnli", "pawsx"):
        write_fixtures(task, root / "data")
    sources = {t: str(root / "data") for t in ("mnli", "qqp", "xnli", "pawsx")}
    return {**raw, "encoders": [str(tiny)], "preset": "debug", "sources": sources}, PHASES


def naive(plan: Plan, phases: dict, out: Path) -> int:
    """Every (cell, noise condition) from scratch: its whole chain of phases again. Returns trainings run."""
    trainings = 0
    for i, cell in enumerate(plan.cells):
        chain, key = [], cell.key
        while key:
            node = plan.nodes[key]
            chain.insert(0, node)
            key = next(iter(node.inputs.values()), None)
        for j, noise in enumerate([[], *[[n] for n in plan.nodes[cell.key].params["noise"]]]):
            folder, paths = out / f"run{i}-{j}", {}
            for node in chain:
                params = dict(node.params, noise=noise) if node.kind == "evaluate" else dict(node.params)
                inputs = {name: paths[parent] for name, parent in node.inputs.items()}
                paths[node.key] = folder / node.kind
                phases[node.kind](params, paths[node.key], inputs)
                trainings += node.kind in TRAINING
    return trainings


def main() -> None:
    """Run both ways and print wall times, their ratio and the trainings of each."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--phases", choices=("real", "fake"), default="real")
    ap.add_argument("--work", type=float, default=0.2, help="seconds of CPU work per fake phase")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="intermezzo-bench-"))
    try:
        raw, phases = grid(root, args.phases == "real", args.work)
        exp = validate(raw)
        plan = build_plan(exp)
        t0 = time.perf_counter()
        run_experiment(exp, root / "ours", phases=phases, progress=False)
        ours = time.perf_counter() - t0
        ours_trainings = sum(n.kind in TRAINING for n in plan.nodes.values())
        t0 = time.perf_counter()
        naive_trainings = naive(plan, phases, root / "naive")
        slow = time.perf_counter() - t0
        print(f"grid: {len(plan.cells)} cells x {1 + len(NOISE)} noise conditions, phases: {args.phases}")
        print(f"intermezzo runner: {ours:7.2f} s, {ours_trainings} trainings, "
              f"{sum(n.kind == 'evaluate' for n in plan.nodes.values())} evaluate phases")
        print(f"naive loop:        {slow:7.2f} s, {naive_trainings} trainings")
        print(f"speed-up: {slow / ours:.2f}x; trainings saved: {naive_trainings - ours_trainings}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
