"""`intermezzo train CONFIG.yaml [key=value ...]`: run a YAML of phases (mlm?, intermediate?, target, evaluate)."""

from __future__ import annotations

from pathlib import Path

import typer


def train_command(
    config: Path = typer.Argument(..., help="Train YAML: encoder, preset, common, phases "
                                  "(see configs/presets/README.md)."),
    overrides: list[str] = typer.Argument(None, help="Dotted key=value overrides, e.g. phases.target.lr=2e-5."),
    out: Path = typer.Option(None, "--out", help="Output folder (default: output_dir of the YAML, else runs/<name>)."),
) -> None:
    """Run the phases of CONFIG in order; finished phases are reused, a killed one resumes."""
    import json
    import logging

    from intermezzo.phases.runner import load_config, run_config

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    cfg = load_config(config, overrides or [])
    folder = out or Path(cfg.get("output_dir") or Path("runs") / config.stem)
    summaries = run_config(cfg, folder)
    for name, summary in summaries.items():
        shown = {k: v for k, v in summary.items() if k in ("steps", "train_loss", "best", "reused", "scores")}
        typer.echo(f"{name}: {json.dumps(shown, ensure_ascii=False)}")
    typer.echo(f"outputs in {folder}")


def register(app: typer.Typer) -> None:
    """Add `train` to the app."""
    app.command("train")(train_command)
