"""Read chosen members out of wheel (zip) and sdist (tar.gz) archives safely: no traversal, no links, size caps."""

from __future__ import annotations

import os
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from intermezzo.errors import UserError

MAX_MEMBER_BYTES = 512 * 2**20   # the largest member we read (bigbench's task.json files are ~50 MB)
MAX_TOTAL_BYTES = 2 * 2**30      # all members read from one archive together


def safe_name(name: str, archive: str | Path) -> PurePosixPath:
    """`name` as a relative POSIX path with no '..', drive or absolute part, else a UserError."""
    bad = (not name or "\\" in name or "\x00" in name or name.startswith("/")
           or (len(name) > 1 and name[1] == ":"))
    path = PurePosixPath(name)
    if bad or path.is_absolute() or any(part == ".." for part in path.parts):
        raise UserError(f"{archive}: unsafe member name {name!r} (absolute or '..'); "
                        "refusing the archive - delete it and download it again")
    return path


def _wanted(names: Iterable[str] | Callable[[str], bool]) -> Callable[[str], bool]:
    if callable(names):
        return names
    wanted = set(names)
    return wanted.__contains__


def _copy_capped(src, dest: Path, limit: int, archive, name: str) -> int:
    """Stream `src` into `dest` atomically, refusing more than `limit` bytes (sizes in headers can lie)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    written = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > limit:
                    raise UserError(f"{archive}: member {name} is larger than {limit} bytes; "
                                    "refusing it - the archive is not what was expected")
                out.write(chunk)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return written


def _target(dest: Path, rel: PurePosixPath, archive) -> Path:
    out = (dest / Path(*rel.parts)).resolve()
    if not out.is_relative_to(dest.resolve()):
        raise UserError(f"{archive}: member {rel} would land outside {dest}; refusing the archive")
    return out


def extract_zip(archive: str | Path, dest: str | Path, names: Iterable[str] | Callable[[str], bool],
                max_member: int = MAX_MEMBER_BYTES, max_total: int = MAX_TOTAL_BYTES) -> dict[str, Path]:
    """Copy the wanted regular-file members of a zip (wheel) into `dest`; returns {member name: path}."""
    archive, dest, want = Path(archive), Path(dest), _wanted(names)
    found: dict[str, Path] = {}
    total = 0
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                rel = safe_name(info.filename, archive)
                if info.is_dir() or not want(info.filename):
                    continue
                mode = info.external_attr >> 16
                if (mode & 0o170000) not in (0, 0o100000):  # 0: made on a system without Unix modes
                    raise UserError(f"{archive}: member {info.filename} is a link or special file; refusing it")
                if info.file_size > max_member or total + info.file_size > max_total:
                    raise UserError(f"{archive}: member {info.filename} ({info.file_size} bytes) exceeds the "
                                    "size cap; refusing it - the archive is not what was expected")
                with zf.open(info) as src:
                    total += _copy_capped(src, _target(dest, rel, archive), max_member, archive, info.filename)
                found[info.filename] = _target(dest, rel, archive)
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise UserError(f"{archive}: not a readable zip archive ({e}); delete it and download it again") from None
    return found


def extract_tar(archive: str | Path, dest: str | Path, names: Iterable[str] | Callable[[str], bool],
                max_member: int = MAX_MEMBER_BYTES, max_total: int = MAX_TOTAL_BYTES) -> dict[str, Path]:
    """Copy the wanted regular-file members of a tar(.gz) into `dest` in one streaming pass.

    Members after the last wanted one are not read (nor checked).
    """
    archive, dest, want = Path(archive), Path(dest), _wanted(names)
    expected = None if callable(names) else len(set(names))
    found: dict[str, Path] = {}
    total = 0
    try:
        with tarfile.open(archive, mode="r:*") as tf:
            for member in tf:
                if expected is not None and len(found) == expected:
                    break  # a .tar.gz is one stream: stop reading once everything wanted is out
                rel = safe_name(member.name, archive)
                if member.isdir() or not want(member.name):
                    continue
                if not member.isreg():
                    raise UserError(f"{archive}: member {member.name} is a link or special file; refusing it")
                if member.size > max_member or total + member.size > max_total:
                    raise UserError(f"{archive}: member {member.name} ({member.size} bytes) exceeds the size "
                                    "cap; refusing it - the archive is not what was expected")
                src = tf.extractfile(member)
                total += _copy_capped(src, _target(dest, rel, archive), max_member, archive, member.name)
                found[member.name] = _target(dest, rel, archive)
    except (tarfile.TarError, EOFError, OSError) as e:
        raise UserError(f"{archive}: not a readable tar archive ({e}); delete it and download it again") from None
    return found


def extract(archive: str | Path, dest: str | Path, names: Iterable[str] | Callable[[str], bool],
            **caps) -> dict[str, Path]:
    """Zip or tar by file name; every wanted name must be found, else a UserError naming what is missing."""
    archive = Path(archive)
    if not callable(names):
        names = list(names)
    reader = extract_zip if archive.suffix in (".whl", ".zip") else extract_tar
    found = reader(archive, dest, names, **caps)
    if not callable(names):
        missing = sorted(set(names) - set(found))
        if missing:
            raise UserError(f"{archive}: missing member(s) {', '.join(missing)}; "
                            "is this the right package version?")
    return found
