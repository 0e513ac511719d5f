"""The real `intermezzo demo --quick` on the real assets: slow, and only where `make demo` has fetched them."""

import subprocess
import sys
from pathlib import Path

import pytest

from intermezzo.demo import assets
from intermezzo.demo.e5 import MODEL_DIR
from intermezzo.io import is_done

pytestmark = pytest.mark.slow


def test_quick_demo_on_the_real_assets(tmp_path):
    if not is_done(assets.cache_dir() / MODEL_DIR):
        pytest.skip(f"no demo assets in {assets.cache_dir()}; run `make demo` first")
    out = tmp_path / "run"
    cli = Path(sys.executable).with_name("intermezzo")
    done = subprocess.run([str(cli), "demo", "--quick", "--out", str(out), "--resamples", "500"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    report = (out / "report" / "report.md").read_text(encoding="utf-8")
    assert "multiemo" in report and "About this demo" in report
    assert (out / "report" / "report.html").stat().st_size > 10_000
