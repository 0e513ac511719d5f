"""The task registry: TASKS maps a name to its TaskSpec."""

from __future__ import annotations

from intermezzo.errors import UserError, unknown
from intermezzo.tasks.spec import TaskSpec

TASKS: dict[str, TaskSpec] = {}


def register(*specs: TaskSpec) -> None:
    """Add specs to TASKS (names must be new)."""
    for spec in specs:
        if spec.name in TASKS:
            raise ValueError(f"task {spec.name} registered twice")
        TASKS[spec.name] = spec


def get_task(name: str) -> TaskSpec:
    """The spec named `name`, or a UserError suggesting close names."""
    try:
        return TASKS[name]
    except KeyError:
        raise unknown("task", name, TASKS) from None


def check_lang(spec: TaskSpec, lang: str, allowed: tuple[str, ...] | None = None) -> str:
    """`lang` if the task has it (or it is in `allowed`), else a UserError with close matches."""
    langs = allowed if allowed is not None else tuple(dict.fromkeys((spec.train_lang, *spec.langs)))
    if lang not in langs:
        err = unknown(f"language for task {spec.name}", lang, langs)
        raise UserError(str(err))
    return lang


# Registering the specs last keeps the helpers above importable from the spec modules.
from intermezzo.tasks import demo, intermediate, xtreme  # noqa: E402,F401
