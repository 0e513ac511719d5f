"""`intermezzo data`: load a task's split (hub, official folder or JSONL), count it, save it as JSONL; fixtures."""

from __future__ import annotations

import typer


def data_command(
    task: str = typer.Option(..., help="Task name (see `intermezzo tasks`)."),
    split: str = typer.Option("test", help="train, validation (or dev) or test."),
    lang: str = typer.Option("en", help="Language code of the split."),
    source: str = typer.Option("hub", help="'hub', a folder in the task's official layout (or XTREME's "
                                           "download/), a folder of {split}-{lang}.jsonl, or one .jsonl file."),
    limit: int = typer.Option(None, help="Keep only the first N examples (queries, for retrieval)."),
    out: str = typer.Option(None, help="Write the canonical examples here as JSONL (atomically)."),
    fixtures: str = typer.Option(None, help="Instead: write the task's tiny fixture data set into this folder."),
    trust_remote_code: bool = typer.Option(False, help="Let the hub run the dataset's own script (only if you "
                                                       "trust it)."),
) -> None:
    """Load a task's split and report its size and labels; optionally save it as canonical JSONL."""
    from intermezzo.io import writable_file, writable_folder

    if fixtures:
        from intermezzo.data.fixtures import write_fixtures

        writable_folder(fixtures, "--fixtures")

        typer.echo(f"wrote fixtures of {task} to {write_fixtures(task, fixtures)}")
        return
    from collections import Counter

    from intermezzo.data.formats import write_jsonl
    from intermezzo.data.load import load_examples

    if out:
        writable_file(out, "--out")
    examples = load_examples(task, split, lang, source=source, limit=limit, trust_remote_code=trust_remote_code)
    kinds = Counter(ex.get("kind", "example") for ex in examples)
    labels = Counter(str(ex["label"]) for ex in examples if "label" in ex)
    typer.echo(f"{task} {split} {lang}: " + ", ".join(f"{n} {k}s" for k, n in sorted(kinds.items()))
               + (f"; labels {dict(sorted(labels.items()))}" if labels else "")
               + ("" if _labelled(examples) else "; unlabelled (no gold: scoring this split is not possible; "
                                                 "XTREME's downloads strip test labels)"))
    if out:
        write_jsonl(out, examples)
        typer.echo(f"wrote {len(examples)} canonical examples to {out}")


def _labelled(examples: list[dict]) -> bool:
    """Whether any example carries gold (a label, tags, answers, or a query's gold ids)."""
    return any(ex.get("label") is not None or "tags" in ex or "answers" in ex or ex.get("gold")
               for ex in examples if ex.get("kind", "query") != "candidate")


def register(app: typer.Typer) -> None:
    """Add `data` to the app."""
    app.command("data")(data_command)
