"""CLI commands of intermezzo.demo (placeholder until the area lands)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the app."""
