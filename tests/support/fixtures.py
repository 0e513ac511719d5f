"""`fixture_examples(task, split, lang)`: canonical examples of a task's fixture, read back through its layout.

The fixture is written once per process to a temp folder (removed at exit); each call returns a fresh copy,
so callers may mutate it.
"""

from __future__ import annotations

import atexit
import copy
import functools
import shutil
import tempfile
from pathlib import Path

from intermezzo.data.fixtures import fixture_langs, write_fixtures
from intermezzo.data.load import load_examples
from intermezzo.tasks import get_task

__all__ = ["fixture_examples", "fixture_langs"]


@functools.cache
def _fixture_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="intermezzo-fixtures-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)  # one per process; leave no litter in /tmp
    return root


@functools.cache
def _read_fixture(task: str, split: str, lang: str) -> list[dict]:
    spec = get_task(task)
    folder = _fixture_root() / spec.name
    if not folder.is_dir():
        write_fixtures(task, _fixture_root())
    return load_examples(task, split, lang, source=folder)


def fixture_examples(task: str, split: str, lang: str) -> list[dict]:
    """Canonical examples of the fixture of `task` (read back through the task's layout); a fresh copy."""
    return copy.deepcopy(_read_fixture(task, split, lang))
