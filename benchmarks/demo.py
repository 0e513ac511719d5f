"""The demo's budget: wall time, CPU time and peak RSS of `intermezzo demo --quick` and `intermezzo demo`, with bf16
forced off (fp32, what a laptop without AVX512-BF16/AMX runs) and forced on, each figure beside its budget.

Budget (issue #12): full demo <= 15 min and <= 4 GB peak RSS on 2 CPU cores without bf16; --quick <= 3 min.
Each run is a child process; its wall time, CPU seconds (user + sys) and peak RSS come from os.wait4 on that
child alone. CPU seconds are the figure to trust on a shared machine: wall time there includes other jobs.

    python benchmarks/demo.py                        # fresh asset cache (downloads in the first run), quick then
                                                     # full, fp32 then bf16, 2 threads
    python benchmarks/demo.py --home DIR             # reuse an asset cache (downloads and MT already done)
    python benchmarks/demo.py --isa avx2             # AVX2 kernels only, as on a laptop without AVX512
    python benchmarks/demo.py --only quick --precision fp32 --keep runs/
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET = {"quick": (180.0, 4.0), "full": (900.0, 4.0)}  # seconds, GiB
# Caps the kernels torch, MKL and oneDNN pick to AVX2 (what most laptops have): a fair stand-in on a bigger CPU.
ISA_ENV = {"avx2": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}}


def run(mode: str, precision: str, home: Path, out: Path, threads: int, isa: str | None) -> dict:
    """{wall_s, cpu_s, peak_gib} of one demo run in a child process."""
    cmd = [str(Path(sys.executable).with_name("intermezzo")), "demo", "--out", str(out), "--precision", precision,
           "--threads", str(threads)]
    if mode == "quick":
        cmd.append("--quick")
    env = {**os.environ, "INTERMEZZO_HOME": str(home), "INTERMEZZO_CACHE": str(home), **ISA_ENV.get(isa, {})}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {os.waitstatus_to_exitcode(status)}")
    # ru_maxrss is KiB on Linux, bytes on macOS
    peak = usage.ru_maxrss / (2**30 if sys.platform == "darwin" else 2**20)
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_gib": peak}


def line(mode: str, precision: str, r: dict, threads: int) -> str:
    """One result line: each figure beside its budget, as a ratio."""
    limit_s, limit_gib = BUDGET[mode]
    # Wall time the run would take alone on `threads` cores if it kept them busy: CPU seconds / threads.
    alone = r["cpu_s"] / threads
    return (f"{mode:<5} {precision:<4}  wall {r['wall_s']:7.1f} s (budget {limit_s:4.0f} s, ratio "
            f"{r['wall_s'] / limit_s:4.2f})  cpu {r['cpu_s']:7.1f} s = {alone:6.1f} s on {threads} busy cores "
            f"(ratio {alone / limit_s:4.2f})  peak RSS {r['peak_gib']:4.2f} GiB (budget {limit_gib:.0f} GiB, "
            f"ratio {r['peak_gib'] / limit_gib:4.2f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, help="asset cache to reuse (default: a fresh temporary one)")
    ap.add_argument("--only", choices=["quick", "full"])
    ap.add_argument("--precision", choices=["fp32", "bf16"], help="only this one (default: fp32 then bf16)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads of the demo (the budget is for 2 cores)")
    ap.add_argument("--isa", choices=sorted(ISA_ENV), help="cap the CPU kernels (avx2: as on most laptops)")
    ap.add_argument("--keep", type=Path, help="keep each run's folder (and report) under this folder")
    args = ap.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="intermezzo-demo-bench-"))
    first = args.home is None
    print(f"asset cache: {home} ({'fresh: downloads and MT included in the first run' if first else 'reused'}); "
          f"{os.cpu_count()} CPUs, {args.threads} threads, kernels {args.isa or 'native'}")
    modes = [args.only] if args.only else ["quick", "full"]
    precisions = [args.precision] if args.precision else ["fp32", "bf16"]
    try:
        for i, (mode, precision) in enumerate((m, p) for m in modes for p in precisions):
            out = args.keep / f"{mode}-{precision}" if args.keep else Path(tempfile.mkdtemp(prefix=f"demo-{mode}-"))
            result = run(mode, precision, home, out, args.threads, args.isa)
            print(line(mode, precision, result, args.threads) + ("   (first run of the cache)" if first and i == 0
                                                                   else ""), flush=True)
            if not args.keep:
                shutil.rmtree(out, ignore_errors=True)
    finally:
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
