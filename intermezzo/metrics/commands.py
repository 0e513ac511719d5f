"""`intermezzo score`: score a submission folder against a labels folder like XTREME's evaluate.py."""

from __future__ import annotations

from pathlib import Path

import typer


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def format_table(result: dict) -> str:
    """Languages down, tasks across: each cell is the task's headline metric (QA: (EM+F1)/2) in 0-100."""
    from intermezzo.metrics.scorers import headline

    tasks = [t for t, v in result.items() if isinstance(v, dict) and "avg_metric" in v]
    if not tasks:
        return "no task could be scored"
    cells: dict[str, dict[str, float]] = {}
    langs: list[str] = []
    for task in tasks:
        per_metric = {m: v for m, v in result[task].items() if isinstance(v, dict)}
        for lang in next(iter(per_metric.values())):
            langs.append(lang)
            cells.setdefault(task, {})[lang] = headline({m: v[lang] for m, v in per_metric.items()})
    width = max(7, *(len(t) for t in tasks))
    lines = ["lang  " + "".join(t.rjust(width + 1) for t in tasks)]
    for lang in sorted(set(langs)):
        lines.append(lang.ljust(6) + "".join(_fmt(cells[t].get(lang)).rjust(width + 1) for t in tasks))
    lines.append("avg".ljust(6) + "".join(_fmt(result[t]["avg_metric"]).rjust(width + 1) for t in tasks))
    return "\n".join(lines)


def format_summary(result: dict) -> list[str]:
    """Group and overall lines, then what keeps the overall score from being given."""
    lines = [f"{key}: {value:.2f}" for key, value in result.items() if isinstance(value, float)]
    for task, entry in result.items():
        missing = entry.get("missing_langs") if isinstance(entry, dict) else None
        if missing:
            scored = len(next(v for v in entry.values() if isinstance(v, dict)))
            shown = " ".join(missing[:8]) + (f" +{len(missing) - 8} more" if len(missing) > 8 else "")
            lines.append(f"{task}: {scored} of {scored + len(missing)} languages, no files for {shown}; "
                         "left out of group scores")
    if result.get("missing_tasks"):
        lines.append("overall score not given; incomplete or missing tasks: " + ", ".join(result["missing_tasks"]))
    for task, where in result.get("unmatched_tasks", {}).items():
        lines.append(f"{task}: found in {where}; not scored")
    return lines


def score_command(
    predictions: Path = typer.Option(None, help="Submission folder: <task>/test-<lang>.<tsv|json|jsonl>."),
    labels: Path = typer.Option(None, help="Gold labels folder in the same layout."),
    benchmark: str = typer.Option("xtreme-r", help="Which official scorer to follow: xtreme or xtreme-r."),
    output: Path = typer.Option(None, help="Write the scores as JSON here (the official scorer's layout)."),
    example: bool = typer.Option(False, "--example", help="Score the small example submission shipped here."),
    seqeval_legacy: bool = typer.Option(
        False, help="Parse tags as seqeval 0.0.12 did (the numbers in XTREME's evaluate_test.py); "
                    "changes only un-prefixed tags such as UD-POS."),
) -> None:
    """Score predictions against labels as XTREME / XTREME-R's evaluate.py does, LAReQA included."""
    from intermezzo.errors import UserError, unknown
    from intermezzo.io import atomic_write_json, writable_file
    from intermezzo.metrics.benchmark import BENCHMARKS, score_folders

    if benchmark not in BENCHMARKS:
        raise unknown("benchmark", benchmark, BENCHMARKS)
    if example:
        from intermezzo.examples import SUBMISSION

        predictions = predictions or SUBMISSION / "predictions"
        labels = labels or SUBMISSION / "labels"
    if predictions is None or labels is None:
        raise UserError("score: give both --predictions DIR and --labels DIR (or --example to try the shipped one)")
    if output is not None:  # checked before any work, so a bad path fails before the table is printed
        writable_file(output, "--output")
    notes: list[str] = []
    result = score_folders(predictions, labels, benchmark, notes=notes, seqeval_legacy=seqeval_legacy)
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"{benchmark} scores ({predictions} vs {labels}); QA cells are (EM+F1)/2")
    typer.echo(format_table(result))
    for line in format_summary(result):
        typer.echo(line)
    if output is not None:
        atomic_write_json(output, result)
        typer.echo(f"wrote {output}")


def register(app: typer.Typer) -> None:
    """Add `score` to the app."""
    app.command("score")(score_command)
