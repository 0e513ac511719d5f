"""The demo's budget: wall time and peak RSS of `intermezzo demo --quick` and `intermezzo demo`, first run included.

Budget (issue #6): full demo <= 15 min and <= 4 GB peak RSS on 2 CPU cores, assets included; --quick <= 3 min.
Each run is a child process; peak RSS is the largest resident set of that child (resource.RUSAGE_CHILDREN).

    python benchmarks/demo.py                 # fresh asset cache (downloads included), quick then full
    python benchmarks/demo.py --home DIR      # reuse an asset cache (later runs: assets already there)
    python benchmarks/demo.py --only quick --keep runs/   # keep the runs and their reports
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET = {"quick": (180.0, None), "full": (900.0, 4.0)}  # seconds, GiB


def run(mode: str, home: Path, out: Path) -> tuple[float, float]:
    """(seconds, peak GiB) of one demo run in a child process."""
    cmd = [str(Path(sys.executable).with_name("intermezzo")), "demo", "--out", str(out)]
    if mode == "quick":
        cmd.append("--quick")
    env = {**os.environ, "INTERMEZZO_HOME": str(home)}
    start = time.perf_counter()
    # Each mode runs in its own child, so RUSAGE_CHILDREN's maximum after the run is that run's peak
    # only if it exceeds the earlier ones; the full run goes last and is the larger.
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak_gib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20  # ru_maxrss is KiB on Linux
    return seconds, peak_gib


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, help="asset cache to reuse (default: a fresh temporary one)")
    ap.add_argument("--only", choices=["quick", "full"])
    ap.add_argument("--keep", type=Path, help="keep each run's folder (and report) under this folder")
    args = ap.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="intermezzo-demo-bench-"))
    first = args.home is None
    print(f"asset cache: {home} ({'fresh: downloads included' if first else 'reused'}); {os.cpu_count()} cores")
    modes = [args.only] if args.only else ["quick", "full"]
    try:
        for mode in modes:
            out = args.keep / mode if args.keep else Path(tempfile.mkdtemp(prefix=f"demo-{mode}-"))
            seconds, peak = run(mode, home, out)
            limit_s, limit_gib = BUDGET[mode]
            line = f"{mode:<5}  ours {seconds:7.1f} s  budget {limit_s:5.0f} s  ratio {seconds / limit_s:4.2f}"
            if limit_gib:
                line += f"   peak RSS ours {peak:4.2f} GiB  budget {limit_gib:.0f} GiB  ratio {peak / limit_gib:4.2f}"
            print(line + ("   (first run of the cache)" if first and mode == modes[0] else ""))
            if not args.keep:
                shutil.rmtree(out, ignore_errors=True)
    finally:
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
