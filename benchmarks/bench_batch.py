"""Benchmark: `nvivo-bridge batch --workers 1` vs `--workers 2` on 40 generated mid-size projects.

Each project: 20 interview transcripts of ~60 lines, 2,000 codings on 40 codes, 20 cases, written
as .qdpx (or .json when the .qdpx writer is absent) and converted to .xlsx.  Run from the repo:

    .venv/bin/python benchmarks/bench_batch.py [--projects 40] [--to xlsx] [--rounds 3] [--codings-per-source 100]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    """Generate the inputs, time both runs, print throughput and the speed-up."""
    import importlib.util

    import nvivo_bridge
    from batch_projects import mid_project

    ap = argparse.ArgumentParser()
    ap.add_argument("--projects", type=int, default=40)
    ap.add_argument("--to", default="xlsx")
    ap.add_argument("--codings-per-source", type=int, default=100, help="20 sources per project")
    ap.add_argument("--rounds", type=int, default=3, help="alternate runs; the best time of each is kept")
    args = ap.parse_args()
    suffix = ".qdpx" if importlib.util.find_spec("nvivo_bridge.writers.qdpx") else ".json"
    exe = Path(sys.executable).with_name("nvivo-bridge")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for i in range(args.projects):
            nvivo_bridge.write(mid_project(i, codings_per_source=args.codings_per_source), src / f"project{i:02d}{suffix}")
        times = {1: float("inf"), 2: float("inf")}
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
        # Alternating rounds, best of each: load from other processes comes and goes, and the best
        # run is the one it disturbed least.
        for r in range(args.rounds):
            for workers in (1, 2):
                out = Path(tmp) / f"out{workers}-{r}"
                start = time.perf_counter()
                res = subprocess.run([str(exe), "batch", str(src), "-o", str(out), "--to", args.to,
                                      "--workers", str(workers), "-q"])
                took = time.perf_counter() - start
                if res.returncode != 0:
                    sys.exit(f"batch failed with exit {res.returncode}")
                times[workers] = min(times[workers], took)
                print(f"round {r + 1} --workers {workers}: {took:.1f} s, {args.projects / took:.2f} projects/s",
                      flush=True)
        print(f"best: --workers 1 {times[1]:.1f} s, --workers 2 {times[2]:.1f} s; "
              f"speed-up: {times[1] / times[2]:.2f}x ({args.projects} {suffix} → {args.to}); "
              f"load average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
              "(with other processes competing for the CPUs the speed-up says little)")


if __name__ == "__main__":
    main()
