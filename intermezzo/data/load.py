"""`load_examples`: canonical examples of (task, split, lang) from the hub, an official folder, or JSONL.

Split names are train / validation / test; "dev", "val" and "valid" (XTREME's and others' names) mean
validation.
"""

from __future__ import annotations

import os
from pathlib import Path

from intermezzo.errors import UserError, unknown
from intermezzo.tasks import check_lang, get_task
from intermezzo.tasks.spec import TaskSpec

SPLIT_ALIASES = {"train": "train", "validation": "validation", "dev": "validation", "val": "validation",
                 "valid": "validation", "test": "test"}


def canonical_split(spec: TaskSpec, split: str) -> str:
    """`split` in our naming (dev/val -> validation), or a UserError if the task has no such split."""
    name = SPLIT_ALIASES.get(split)
    if name is None:
        raise unknown("split", split, SPLIT_ALIASES)
    if name not in spec.splits:
        raise UserError(f"task {spec.name} has no {name} split; it has {', '.join(spec.splits)}")
    return name


def _jsonl_folder_file(folder: Path, split: str, lang: str) -> Path | None:
    for name in {split, *[k for k, v in SPLIT_ALIASES.items() if v == split]}:
        path = folder / f"{name}-{lang}.jsonl"
        if path.is_file():
            return path
    return None


def _limit(examples: list[dict], limit: int | None) -> list[dict]:
    if limit is None:
        return examples
    if limit < 0:
        raise UserError(f"limit={limit}: must be 0 or more")
    if any("kind" in ex for ex in examples):
        # Retrieval: cut queries (and pairs), never the candidate pool they are scored against.
        keep = [ex for ex in examples if ex.get("kind") != "candidate"][:limit]
        return keep + [ex for ex in examples if ex.get("kind") == "candidate"]
    return examples[:limit]


def load_examples(task: str, split: str, lang: str, source: str | os.PathLike = "hub", limit: int | None = None,
                  trust_remote_code: bool = False) -> list[dict]:
    """Canonical examples of `task`'s `split` in `lang`. `source`: "hub" (Hugging Face), a folder in the
    task's official layout (or one holding `<task>/`), a folder of `{split}-{lang}.jsonl`, or one .jsonl."""
    spec = get_task(task)
    split = canonical_split(spec, split)
    if str(source) == "hub":
        # Local files may hold any language (translated or native intermediate data); the hub has the official ones.
        check_lang(spec, lang)
        from intermezzo.data.hub import load_hub

        return _limit(load_hub(spec, split, lang, trust_remote_code=trust_remote_code, limit=limit), limit)
    from intermezzo.data.layouts import LAYOUTS, MissingFile, layout_of
    from intermezzo.data.layouts.base import refuse_empty

    canonical = LAYOUTS["jsonl"]
    path = Path(source)
    if path.is_file():
        if path.suffix != ".jsonl":
            raise UserError(f"{path}: a single-file source must be .jsonl of canonical examples; pass the "
                            "folder for official layouts")
        refuse_empty(path)
        return _limit(canonical.read_file(spec, path, split, lang), limit)
    if not path.is_dir():
        raise UserError(f"{path}: no such file or folder; pass 'hub', a data folder or a .jsonl file")
    # Accept the download folder itself (XTREME's download/ holds one sub-folder per task).
    folder = path / spec.name if (path / spec.name).is_dir() else path
    jsonl = _jsonl_folder_file(folder, split, lang)
    if jsonl is None:
        check_lang(spec, lang)  # no file for an unofficial language: most likely a typo, so suggest names
    if spec.layout is not None:
        # The official layout first: (X)COPA's official files are also named {split}-{lang}.jsonl.
        try:
            return _limit(layout_of(spec).read(spec, folder, split, lang), limit)
        except MissingFile:
            if jsonl is None:
                raise
    if jsonl is None:
        raise UserError(f"{folder}: no {split}-{lang}.jsonl of canonical examples for {spec.name}"
                        + ("" if spec.layout else " (the task has no official on-disk layout)"))
    refuse_empty(jsonl)
    return _limit(canonical.read_file(spec, jsonl, split, lang), limit)
