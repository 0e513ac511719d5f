"""The one exception users see: a single actionable line, exit code 2, no traceback."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class UserError(Exception):
    """A problem the user can fix (bad config, file, folder or argument); the CLI prints it as one line."""


def closest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Up to `n` valid names close to `name`, best first."""
    return difflib.get_close_matches(name, list(choices), n=n, cutoff=0.5)


def unknown(kind: str, name: str, choices: Iterable[str]) -> UserError:
    """A UserError for an unknown name, suggesting the closest valid ones."""
    choices = sorted(choices)
    near = closest(name, choices)
    hint = f"did you mean {', '.join(near)}?" if near else f"valid: {', '.join(choices)}"
    return UserError(f"unknown {kind} '{name}'; {hint}")
