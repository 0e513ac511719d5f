"""Test support: run the `intermezzo` command in-process and collect (exit code, stdout, stderr)."""

from __future__ import annotations

import sys

from intermezzo.cli import main


def run_cli(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    """`intermezzo ARGS...` with sys.argv patched; SystemExit's code, or 0 when main returns."""
    monkeypatch.setattr(sys, "argv", ["intermezzo", *args])
    try:
        main()
        code = 0
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err
