"""Batch throughput: ``nvivo-bridge batch`` on 40 mid-size projects with 1 and with 2 workers.

The 40 inputs are copies of one generated project of 5,000 codings (50 transcripts), so both runs
do identical work; the throughput ratio is (time with 1 worker) / (time with 2 workers).
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import time

from benchmarks.generate import WORK, generate

__all__ = ["run_batch", "FILES", "CODINGS"]

FILES = 40
CODINGS = 5_000
_WRITER = {"xlsx": "nvivo_bridge.writers.xlsx", "csv": "nvivo_bridge.writers.csv", "qdpx": "nvivo_bridge.writers.qdpx",
           "json": "nvivo_bridge.writers.json", "cipp": "nvivo_bridge.writers.cipp"}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nvivo_bridge", *args], capture_output=True, text=True)


def run_batch(to: str = "xlsx") -> dict:
    """Time the two batch runs; ``{"skipped": reason}`` when they cannot run or fail."""
    if _cli("batch", "--help").returncode != 0:
        return {"skipped": "n/a (missing: nvivo-bridge batch)"}
    for mod in ("nvivo_bridge.readers.qdpx", _WRITER.get(to, "")):
        if not mod or importlib.util.find_spec(mod) is None:
            return {"skipped": f"n/a (missing: {mod or 'writer for ' + to})"}
    src = generate(CODINGS)
    inputs = WORK / "batch-in"
    if not inputs.is_dir() or len(list(inputs.glob("*.qdpx"))) != FILES:
        shutil.rmtree(inputs, ignore_errors=True)
        inputs.mkdir(parents=True)
        for i in range(FILES):
            shutil.copyfile(src, inputs / f"project-{i:02d}.qdpx")
    result = {"files": FILES, "codings": CODINGS, "to": to}
    for workers in (1, 2):
        out = WORK / f"batch-out-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.perf_counter()
        r = _cli("batch", str(inputs), "-o", str(out), "--to", to, "--workers", str(workers), "--force", "--quiet")
        seconds = time.perf_counter() - t0
        if r.returncode != 0:
            last = (r.stderr.strip().splitlines() or [f"exit code {r.returncode}"])[-1]
            return {"skipped": f"failed with {workers} worker(s): {last[:200]}"}
        result[f"workers_{workers}_s"] = seconds
    result["throughput_ratio"] = result["workers_1_s"] / result["workers_2_s"]
    return result
