"""`intermezzo run` (a grid from a YAML config) and `intermezzo export` (the results store as CSV/Parquet)."""

from __future__ import annotations

from pathlib import Path

import typer


def run_command(
    config: Path = typer.Argument(..., help="Experiment YAML (see configs/)."),
    overrides: list[str] = typer.Argument(None, help="Dotted overrides, e.g. seeds=[1,2] hparams.target.lr=2e-5."),
    out: Path = typer.Option(None, "--out", help="Run folder; default runs/<name>."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan and counts; run nothing."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="With --dry-run: list every phase and its parents."),
    executor: str = typer.Option("local", help="local (one phase at a time), gpus (a worker per GPU), slurm."),
    gpus: str = typer.Option(None, help="Comma-separated GPU ids for --executor gpus; default all visible."),
    cluster: str = typer.Option(None, help="submitit cluster for --executor slurm: slurm, local or debug."),
    slurm: list[str] = typer.Option(None, help="submitit parameter key=value (repeatable), e.g. slurm_partition=gpu."),
    fake_phases: bool = typer.Option(False, "--fake-phases", help="Stand-in phases: checks the plumbing in seconds."),
    progress: bool = typer.Option(True, help="Show the plan-level progress bar."),
    log: list[str] = typer.Option(None, "--log", help="Also log scores to tensorboard or wandb (offline); repeatable."),
) -> None:
    """Train and evaluate every cell of an experiment grid; rerun the same command to resume."""
    import yaml

    from intermezzo.errors import UserError
    from intermezzo.experiments.config import load_config
    from intermezzo.experiments.plan import build_plan, check_params, describe

    exp = load_config(config, overrides or [])
    run_dir = out or Path("runs") / exp.name
    if dry_run:
        plan = build_plan(exp)
        if not fake_phases:
            check_params(plan)
        typer.echo(describe(plan, run_dir, verbose=verbose))
        return
    params = {}
    for item in slurm or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise UserError(f"--slurm {item}: expected key=value, e.g. slurm_partition=gpu")
        params[key] = yaml.safe_load(value)
    from intermezzo.experiments.runner import run_experiment

    phases = None
    if fake_phases:
        from intermezzo.experiments.fake import FAKE_PHASES as phases
    summary = run_experiment(exp, run_dir, phases=phases, executor=executor,
                             gpus=gpus.split(",") if gpus else None, cluster=cluster, slurm=params,
                             progress=progress, loggers=log or [])
    typer.echo(f"{exp.name}: ran {summary['ran']} phases, reused {summary['reused']}; "
               f"{summary['cells']} cells, {summary['rows']} score rows in {run_dir / 'results.sqlite'}")


def export_command(
    run_dir: Path = typer.Argument(..., help="A run folder (holds results.sqlite)."),
    out: Path = typer.Argument(..., help="Output file: .csv or .parquet."),
) -> None:
    """Write a run's score rows to CSV or Parquet."""
    from intermezzo.errors import UserError
    from intermezzo.experiments.store import Store

    db = run_dir / "results.sqlite"
    if not db.is_file():
        raise UserError(f"{run_dir}: no results.sqlite; run `intermezzo run CONFIG --out {run_dir}` first")
    store = Store(db)
    try:
        typer.echo(str(store.export(out)))
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    """Add `run` and `export` to the app."""
    app.command("run")(run_command)
    app.command("export")(export_command)
