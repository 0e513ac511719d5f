"""The canonical layout: `{split}-{lang}.jsonl` files of canonical examples (intermezzo/types/base.py), for
tasks without an official on-disk format and for data converted or translated by intermezzo itself."""

from __future__ import annotations

from pathlib import Path

from intermezzo.data.formats import read_jsonl, write_jsonl
from intermezzo.data.layouts.base import Layout
from intermezzo.errors import UserError

# The keys an example of each type cannot do without (classification: the spec's fields).
REQUIRED = {"multiple_choice": ("choices",), "tagging": ("tokens",), "extractive_qa": ("context", "question"),
            "retrieval": ("text",)}


def check_examples(spec, examples: list[dict], where: Path) -> list[dict]:
    """Canonical rows need an id (a missing one becomes `<file stem>-<line>`) and their type's keys."""
    need = spec.fields if spec.type == "classification" else REQUIRED.get(spec.type, ())
    for n, ex in enumerate(examples, 1):
        missing = [k for k in need if k not in ex]
        if missing:
            raise UserError(f"{where}:{n}: a {spec.type} example needs {', '.join(missing)}; see the canonical "
                            "schemas in intermezzo/types/base.py")
        ex.setdefault("id", f"{Path(where).stem}-{n}")
    return examples


class CanonicalJsonl(Layout):
    """`{split}-{lang}.jsonl` with split = train, validation or test (load_examples also finds dev/val names)."""

    name = "jsonl"
    pattern = "{split}-{lang}.jsonl"
    disk_splits = {"train": "train", "validation": "validation", "test": "test"}

    def read_file(self, spec, path, split="test", lang="en"):
        return check_examples(spec, read_jsonl(path), Path(path))

    def write_file(self, spec, path, examples, split="test", lang="en"):
        return write_jsonl(path, examples)
