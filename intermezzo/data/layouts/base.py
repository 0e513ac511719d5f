"""The Layout base class: where a split's file lies in an official folder, and the checks every format shares."""

from __future__ import annotations

from pathlib import Path

from intermezzo.data.formats import read_text
from intermezzo.errors import UserError
from intermezzo.tasks.spec import TaskSpec

# XTREME's file names say "dev" where we say "validation".
DISK_SPLIT = {"train": "train", "validation": "dev", "test": "test"}


class MissingFile(UserError):
    """The official file of a split is not there (load_examples then tries canonical JSONL)."""


def check_label(spec: TaskSpec, label: str, where: str) -> str:
    """`label` if it is one of the spec's labels (or the spec has none), else a UserError naming `where`."""
    if spec.labels and label not in spec.labels:
        raise UserError(f"{where}: label '{label}' is not one of {', '.join(spec.labels)}; fix the file")
    return label


def choice_label(value, n_choices: int, where: str) -> int:
    """A multiple-choice label as an index into the choices, or a UserError naming `where`."""
    try:
        label = int(value)
    except (TypeError, ValueError):
        raise UserError(f"{where}: label {value!r} is not an integer choice index") from None
    if not 0 <= label < n_choices:
        raise UserError(f"{where}: label {label} out of range 0..{n_choices - 1}")
    return label


def refuse_empty(path: Path) -> None:
    """An official file with nothing in it is a broken download, not a language without data."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: file not found; check the path")
    if path.stat().st_size < 4096 and not read_text(path).strip():  # a BOM or blank lines alone count too
        raise UserError(f"{path}: the file is empty; download it again (or remove it to leave the language out)")


class Layout:
    """One official on-disk format. Subclasses set `name` and `pattern` and implement read_file/write_file
    (one file per split and language), or override read/write when a split spans several files.

    `pattern` is the file of (split, lang) under the task folder: "{lang}", and "{split}" for the on-disk split
    name (`disk_splits`: dev for validation); a spec's `files` overrides it per split."""

    name = ""
    pattern = "{split}-{lang}.tsv"
    alternatives: tuple[str, ...] = ()  # other names the release itself uses, tried in order when reading
    disk_splits = DISK_SPLIT
    hub_refusal: str | None = None  # why the hub's copy of this data cannot be used (BUCC), or None

    def file_name(self, spec: TaskSpec, split: str, lang: str, pattern: str | None = None) -> str:
        """The file of (split, lang) relative to the task folder."""
        pattern = pattern or spec.files.get(split, self.pattern)
        return pattern.format(lang=lang, split=self.disk_splits.get(split, split))

    def path(self, spec: TaskSpec, folder: str | Path, split: str, lang: str, must_exist: bool = True) -> Path:
        """The file of (split, lang) under `folder`; a MissingFile error when it must exist and does not."""
        path = Path(folder) / self.file_name(spec, split, lang)
        if must_exist and not path.is_file() and split not in spec.files:
            found = [p for p in (Path(folder) / self.file_name(spec, split, lang, alt) for alt in self.alternatives)
                     if p.is_file()]
            path = found[0] if found else path
        if must_exist and not path.is_file():
            raise MissingFile(f"{path}: no {split} file for {spec.name}/{lang}; expected the official layout "
                              f"('{self.file_name(spec, split, '{lang}')}') under {folder}")
        return path

    def read(self, spec: TaskSpec, folder: str | Path, split: str, lang: str) -> list[dict]:
        """Canonical examples of (split, lang) from an official folder."""
        path = self.path(spec, folder, split, lang)
        refuse_empty(path)
        return self.read_file(spec, path, split, lang)

    def write(self, spec: TaskSpec, folder: str | Path, split: str, lang: str, examples: list[dict]) -> Path:
        """Write canonical examples as the official file(s) of (split, lang) under `folder`; returns the file."""
        return self.write_file(spec, self.path(spec, folder, split, lang, must_exist=False), examples, split, lang)

    def read_file(self, spec: TaskSpec, path: str | Path, split: str = "test", lang: str = "en") -> list[dict]:
        """Canonical examples of one official file."""
        raise NotImplementedError

    def write_file(self, spec: TaskSpec, path: str | Path, examples: list[dict], split: str = "test",
                   lang: str = "en") -> Path:
        """Write canonical examples to one file in this format (atomically)."""
        raise NotImplementedError

    def from_hub(self, spec: TaskSpec, rows: list[dict], split: str, lang: str) -> list[dict]:
        """Canonical examples from the hub's rows (ClassLabel integers already turned into names)."""
        out = (self.hub_row(spec, row, i, split, lang) for i, row in enumerate(rows))
        return [ex for ex in out if ex is not None]

    def hub_row(self, spec: TaskSpec, row: dict, i: int, split: str, lang: str) -> dict | None:
        """One canonical example from one hub row (None drops the row)."""
        raise UserError(f"task {spec.name}: no hub converter for the {self.name} layout; pass a folder of the "
                        "official files as the source")


def column(spec: TaskSpec, key: str) -> str:
    """The hub column holding canonical `key` (the spec's hub.columns, else the key itself)."""
    return spec.hub.columns.get(key, key) if spec.hub is not None else key
