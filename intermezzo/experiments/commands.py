"""`intermezzo run` (a grid), `intermezzo train` (a chain of phases) and `intermezzo export` (results as a file)."""

from __future__ import annotations

from pathlib import Path

import typer


def run_command(
    config: Path = typer.Argument(..., help="Experiment YAML (see configs/)."),
    overrides: list[str] = typer.Argument(None, help="Dotted overrides, e.g. seeds=[1,2] hparams.target.lr=2e-5."),
    out: Path = typer.Option(None, "--out", help="Run folder; default runs/<name>."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything, print the plan and counts; run nothing."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="With --dry-run: list every phase and its parents."),
    executor: str = typer.Option("local", help="local (one phase at a time), gpus (a worker per GPU), slurm."),
    gpus: str = typer.Option(None, help="Comma-separated GPU ids for --executor gpus; default all visible."),
    cluster: str = typer.Option(None, help="submitit cluster for --executor slurm: slurm, local or debug."),
    slurm: list[str] = typer.Option(None, help="submitit parameter key=value (repeatable), e.g. slurm_partition=gpu."),
    fake_phases: bool = typer.Option(False, "--fake-phases", help="Stand-in phases: checks the plumbing in seconds "
                                     "(their results are kept apart from real ones and marked fake)."),
    progress: bool = typer.Option(True, help="Show a progress bar naming the running phase and its log; "
                                             "--no-progress prints one line per finished phase instead."),
    log: list[str] = typer.Option(None, "--log", help="Also log scores to tensorboard or wandb (offline); repeatable."),
) -> None:
    """Train and evaluate every cell of an experiment grid; rerun the same command to resume."""
    from intermezzo.errors import UserError
    from intermezzo.experiments.config import load_config
    from intermezzo.experiments.executors import EXECUTORS
    from intermezzo.experiments.loading import parse_value
    from intermezzo.io import writable_folder

    if executor not in EXECUTORS:
        raise UserError(f"--executor {executor}: unknown executor; use local, gpus or slurm")
    params = {}
    for item in slurm or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--slurm {item}: expected key=value, e.g. slurm_partition=gpu")
        params[key.strip()] = parse_value(value, where=f"--slurm {item}")
    exp = load_config(config, overrides or [])
    run_dir = out or Path("runs") / exp.name
    if run_dir.exists() and not run_dir.is_dir():
        writable_folder(run_dir, "--out")  # one line: a file is in the way
    phases = None
    if fake_phases:
        from intermezzo.experiments.fake import FAKE_PHASES as phases
    if dry_run:
        from intermezzo.experiments.plan import build_plan, check_paths, describe

        plan = build_plan(exp, fake_phases=fake_phases)
        if not fake_phases:
            check_paths(plan)
        typer.echo(describe(plan, run_dir, verbose=verbose))
        return
    from intermezzo.experiments.runner import run_experiment

    summary = run_experiment(exp, run_dir, phases=phases, executor=executor,
                             gpus=gpus.split(",") if gpus else None, cluster=cluster, slurm=params,
                             progress=progress, loggers=log or [])
    fake = " (stand-in phases: fake results)" if summary["fake_phases"] else ""
    typer.echo(f"{exp.name}: ran {summary['ran']} phases, reused {summary['reused']}; "
               f"{summary['cells']} cells, {summary['rows']} score rows in {run_dir / 'results.sqlite'}{fake}")


def train_command(
    config: Path = typer.Argument(..., help="Train YAML: encoder, preset, common, phases "
                                  "(see configs/presets/README.md)."),
    overrides: list[str] = typer.Argument(None, help="Dotted key=value overrides, e.g. phases.target.lr=2e-5."),
    out: Path = typer.Option(None, "--out", help="Output folder (default: output_dir of the YAML, else runs/<name>)."),
    progress: bool = typer.Option(True, help="Show a progress bar naming the running phase and its log; "
                                             "--no-progress prints one line per finished phase instead."),
) -> None:
    """Run the phases of CONFIG in order; finished phases are reused, a killed one resumes."""
    import json

    from intermezzo.experiments.train import load_config, run_config
    from intermezzo.io import writable_folder

    cfg = load_config(config, overrides or [])
    folder = out or Path(cfg.get("output_dir") or Path("runs") / config.stem)
    writable_folder(folder, "--out")
    summaries = run_config(cfg, folder, progress=progress)
    for name, summary in summaries.items():
        shown = {k: v for k, v in summary.items() if k in ("steps", "train_loss", "best", "reused", "scores")}
        typer.echo(f"{name}: {json.dumps(shown, ensure_ascii=False)}")
    typer.echo(f"outputs in {folder}")


def export_command(
    run_dir: Path = typer.Argument(..., help="A run folder (holds results.sqlite)."),
    out: Path = typer.Argument(..., help="Output file: .csv or .parquet."),
) -> None:
    """Write a run's score rows to CSV or Parquet."""
    from intermezzo.errors import UserError
    from intermezzo.experiments.store import Store
    from intermezzo.io import writable_file

    db = run_dir / "results.sqlite"
    if not db.is_file():
        raise UserError(f"{run_dir}: no results.sqlite; run `intermezzo run CONFIG --out {run_dir}` first")
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise UserError(f"{out}: unknown export format '{out.suffix.lstrip('.')}'; use .csv or .parquet")
    writable_file(out, "export OUT")
    store = Store(db)
    try:
        typer.echo(str(store.export(out)))
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    """Add `run`, `train` and `export` to the app."""
    app.command("run")(run_command)
    app.command("train")(train_command)
    app.command("export")(export_command)
