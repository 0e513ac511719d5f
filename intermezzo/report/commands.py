"""`intermezzo report RUN_DIR`: tables, plots and statistics of a finished (or partly finished) run."""

from __future__ import annotations

from pathlib import Path

import typer


def report_command(
    run_dir: Path = typer.Argument(..., help="A run folder written by `intermezzo run`."),
    resamples: int = typer.Option(2_000, help="Bootstrap replicates of the example-level variance."),
) -> None:
    """Write RUN_DIR/report/report.md, report.html (self-contained) and tables/*.tex."""
    from intermezzo.report.render import build_report

    written = build_report(run_dir, n_resamples=resamples)
    typer.echo(f"wrote {written['md']}, {written['html']} and {sum(k.startswith('tex:') for k in written)} "
               f"LaTeX tables under {run_dir / 'report' / 'tables'}")


def register(app: typer.Typer) -> None:
    """Add `report` to the app."""
    app.command("report")(report_command)
