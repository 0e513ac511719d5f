"""`intermezzo tasks`: the task registry as a table."""

from __future__ import annotations

import typer


def tasks_command(
    benchmark: str = typer.Option(None, help="Only tasks of this benchmark: xtreme, xtreme-r, or intermediate."),
) -> None:
    """List every registered task: type, metric, languages, training source."""
    from intermezzo.errors import unknown
    from intermezzo.tasks import TASKS

    known = {b for spec in TASKS.values() for b in spec.benchmarks} | {"intermediate"}
    if benchmark and benchmark not in known:
        raise unknown("benchmark", benchmark, known)
    rows = []
    for spec in TASKS.values():
        member = spec.benchmarks or ("intermediate",)
        if benchmark and benchmark not in member:
            continue
        rows.append((spec.name, spec.type, spec.metric, spec.train_source or "-", str(len(spec.langs)),
                     ",".join(member), " ".join(spec.langs)))
    widths = [max(len(r[i]) for r in rows + [("task", "type", "metric", "trained on", "#langs", "benchmarks", "")])
              for i in range(6)]
    header = ("task", "type", "metric", "trained on", "#langs", "benchmarks", "languages")
    for row in [header, *rows]:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row[:6], widths)) + "  " + row[6])


def register(app: typer.Typer) -> None:
    """Add `tasks` to the app."""
    app.command("tasks")(tasks_command)
