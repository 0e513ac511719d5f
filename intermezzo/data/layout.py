"""Where the official layouts keep each split's files, and the checks every reader shares."""

from __future__ import annotations

from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.tasks.spec import TaskSpec

# XTREME's file names say "dev" where we say "validation".
DISK_SPLIT = {"train": "train", "validation": "dev", "test": "test"}


class MissingFile(UserError):
    """The official file of a split is not there (load_examples then tries canonical JSONL)."""


def split_file(spec: TaskSpec, folder: Path, split: str, lang: str, default: str) -> Path:
    """The file of (split, lang): the spec's extra['files'] pattern, else `default`; UserError if absent."""
    pattern = spec.extra.get("files", {}).get(split, default)
    path = Path(folder) / pattern.format(lang=lang, split=DISK_SPLIT[split])
    if not path.is_file():
        raise MissingFile(f"{path}: no {split} file for {spec.name}/{lang}; expected the official layout "
                        f"('{pattern}') under {folder}")
    return path


def check_label(spec: TaskSpec, label: str, where: str) -> str:
    """`label` if it is one of the spec's labels (or the spec has none), else a UserError naming `where`."""
    if spec.labels and label not in spec.labels:
        raise UserError(f"{where}: label '{label}' is not one of {', '.join(spec.labels)}; fix the file")
    return label
