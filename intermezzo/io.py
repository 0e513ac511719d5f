"""Atomic file and folder writes, so that nothing is ever half-written."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from intermezzo.errors import UserError

# mkstemp/mkdtemp create private (0600/0700) entries; finished files should get the user's usual permissions.
_UMASK = os.umask(0)
os.umask(_UMASK)


def _cannot_write(path: Path, e: OSError, option: str = "") -> UserError:
    where = f"{option} {path}" if option else str(path)
    return UserError(f"{where}: cannot write here ({e.strerror or e}); choose another path")


def _existing_ancestor(path: Path) -> Path:
    for parent in (path, *path.parents):
        if parent.exists():
            return parent
    return Path("/")


def _probe(folder: Path, path: Path, option: str) -> None:
    """Create and remove a temp entry in `folder`: the only test that also holds for root, read-only mounts and
    /proc-like file systems (permission bits and os.access say nothing there)."""
    try:
        probe = tempfile.mkdtemp(dir=folder, prefix=".intermezzo-probe-")
    except OSError as e:
        raise _cannot_write(path, e, option) from None
    os.rmdir(probe)


def writable_file(path: str | os.PathLike, option: str = "--output") -> Path:
    """`path` if a file can be written there (its folder may still have to be created), else a one-line UserError.

    Commands call it before doing any work, so a bad output path fails at once instead of after the work."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{option} {path}: is a folder; give a file name inside it, e.g. {path / 'out.json'}")
    base = _existing_ancestor(path.parent)
    if not base.is_dir():
        raise UserError(f"{option} {path}: {base} is a file, not a folder; choose another path")
    _probe(base, path, option)
    return path


def writable_folder(path: str | os.PathLike, option: str = "--out") -> Path:
    """`path` if it is (or can be made) a folder we can write in, else a one-line UserError."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UserError(f"{option} {path}: is a file, not a folder; give a folder (it is created if missing)")
    base = _existing_ancestor(path)
    if not base.is_dir():
        raise UserError(f"{option} {path}: {base} is a file, not a folder; choose another path")
    _probe(base, path, option)
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write `text` to a temp file beside `path`, fsync, then rename over it."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise _cannot_write(path, e) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_json(path: str | os.PathLike, obj: Any, indent: int | None = 2) -> Path:
    """JSON-encode `obj` (UTF-8, keys kept in order) and write it atomically."""
    return atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=indent) + "\n")


def _follow_umask(folder: Path) -> None:
    """Give a finished temp folder and what was written into it the user's usual permissions: mkdtemp makes
    0700 and safetensors writes 0600, which collaborators on shared storage cannot read."""
    for entry in [folder, *folder.rglob("*")]:
        if entry.is_symlink():
            continue
        mode = entry.stat().st_mode
        executable = entry.is_dir() or mode & 0o100
        os.chmod(entry, (0o777 if executable else 0o666) & ~_UMASK)


@contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temp folder beside `path`; on success rename it to `path` (replacing an old one)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UserError(f"{path}: is a file, not a folder; choose another path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    except OSError as e:
        raise _cannot_write(path, e) from None
    try:
        yield tmp
        _follow_umask(tmp)
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


DONE = "DONE"


def mark_done(folder: str | os.PathLike, info: dict | None = None) -> None:
    """Write the done-marker last: its presence means the folder is complete."""
    atomic_write_json(Path(folder) / DONE, info or {})


def is_done(folder: str | os.PathLike) -> bool:
    """True when `folder` holds a done-marker."""
    return (Path(folder) / DONE).is_file()
