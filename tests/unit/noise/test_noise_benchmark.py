"""The throughput benchmark runs, and says so plainly when nlpaug is absent."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "noise_throughput.py"


def test_benchmark_prints_our_figure_without_nlpaug(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "nlpaug", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "nlpaug.augmenter.char", None)
    monkeypatch.setattr(sys, "argv", ["noise_throughput.py", "--sentences", "20", "--rounds", "1"])
    runpy.run_path(str(BENCH), run_name="__main__")
    out = capsys.readouterr().out
    assert "intermezzo keyboard" in out and "char_swap" in out
    assert "nlpaug is not installed" in out and "no ratio" in out
