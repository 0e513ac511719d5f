"""`intermezzo tiny-model`: build the tiny multilingual XLM-R used by tests and smoke runs."""

from __future__ import annotations

import typer


def tiny_model_command(
    folder: str = typer.Argument(..., help="Folder to write the model into (reused when already built)."),
    seed: int = typer.Option(0, help="Seed of the random weights."),
    hidden_size: int = typer.Option(32, help="Hidden size (32-64 keeps it tiny)."),
) -> None:
    """Build a tiny tokenizer + 2-layer random XLM-R (safetensors) usable wherever an encoder name goes."""
    from intermezzo.errors import UserError
    from intermezzo.io import writable_folder
    from intermezzo.modeling.tiny import build_tiny_model

    if hidden_size < 2 or hidden_size % 2:
        raise UserError(f"--hidden-size {hidden_size}: must be an even number >= 2 (2 attention heads)")
    writable_folder(folder, "tiny-model FOLDER")
    typer.echo(str(build_tiny_model(folder, seed=seed, hidden_size=hidden_size)))


def register(app: typer.Typer) -> None:
    """Add `tiny-model` to the app."""
    app.command("tiny-model")(tiny_model_command)
