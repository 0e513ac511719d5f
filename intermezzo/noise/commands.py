"""CLI commands of intermezzo.noise (placeholder until the area lands)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the app."""
