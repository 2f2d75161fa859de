"""Benchmark nvivo-bridge against its floors: wall time and peak memory, as a Markdown table.

Usage::

    python benchmarks/run.py [--size S|M|L|<codings>] [--only TASK ...] [--repeat N] [--batch]

Tasks: read, csv, xlsx, qdpx, cipp, cipp-docx (the workbook and the Word report), validate (each beside its
floor, see benchmarks/floors.py), agreement (on the same number of codings made by two coders, beside reading that file)
and peers (other Python REFI-QDA readers on the same file); with ``--only``, also the analysis outputs: csv-matrices
(CSV with ``--matrices``), sqlite and parquet (each beside csv-matrices) and cooccurrence (the co-occurrence sweep
alone).  Every measurement runs in a fresh
subprocess (benchmarks/_child.py); with ``--repeat N`` the best time and the highest peak of N
runs are kept.  A task whose module is not written yet prints ``n/a (missing: <module>)``.
Results also go to ``benchmarks/_work/results-<size>.json``.  ``--batch`` times
``nvivo-bridge batch`` on 40 mid-size projects with 1 and with 2 workers.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import WORK, codings_for, generate  # noqa: E402

__all__ = ["TASKS", "measure", "run", "main"]

# task → (floor it is compared with, time-ratio target, peak-memory target in MB)
TASKS = {
    "read": ("floor-raw", 1.5, 300), "csv": ("floor-csv", 1.5, 400), "xlsx": ("floor-xlsx", 1.2, 400),
    "qdpx": ("floor-qdpx", 2.0, None), "cipp": ("xlsx", 1.2, 400),
    "cipp-docx": ("cipp", 1.2, 400), "validate": ("floor-raw", None, None),
    # Read + every agreement frame, on the two-coder file, against reading that file.
    "agreement": ("read-2coders", 2.0, 400),
    # the analysis formats hold the analysis tables: their base is CSV with the same tables (--matrices)
    "csv-matrices": ("floor-csv", None, 400), "sqlite": ("csv-matrices", 1.5, 400),
    "parquet": ("csv-matrices", 1.2, 400), "cooccurrence": ("read", None, None),
}
# tasks left out of a default run (`--only` names them): the analysis formats need their extras
OPTIONAL = ("csv-matrices", "sqlite", "parquet", "cooccurrence")
SCALING_TARGET = 1.2


def measure(task: str, path: Path, repeat: int) -> dict:
    """Run ``task`` on ``path`` ``repeat`` times, each in a fresh process; best time, highest peak."""
    best: dict = {}
    out = WORK / "out" / task
    for _ in range(repeat):
        r = subprocess.run([sys.executable, "-m", "benchmarks._child", task, str(path), str(out)],
                           capture_output=True, text=True, cwd=ROOT)
        lines = r.stdout.strip().splitlines()
        if r.returncode != 0 or not lines:
            return {"error": (r.stderr.strip().splitlines() or ["crashed"])[-1][:300]}
        res = json.loads(lines[-1])
        if "seconds" not in res:
            return res
        if not best:
            best = res
        else:
            best["peak_mb"] = max(best["peak_mb"], res["peak_mb"])
            best["seconds"] = min(best["seconds"], res["seconds"])
    return best


def _cell(res: dict | None, key: str, fmt: str) -> str:
    """A number, or (in the time column only) why there is none: never an estimate."""
    if res is None:
        return "–"
    if "missing" in res:
        return f"n/a (missing: {res['missing']})" if key == "seconds" else ""
    if "error" in res:
        return f"error: {res['error']}" if key == "seconds" else ""
    return format(res[key], fmt)


def _verdict(value: float | None, target: float | None) -> str:
    if value is None or target is None:
        return ""
    return "✓" if value <= target else "✗"


def run(size: str, only: list[str], repeat: int) -> dict:
    """Measure the tasks in ``only`` on the file of ``size`` and return the results."""
    n = codings_for(size)
    t0 = time.perf_counter()
    path = generate(size)
    results: dict = {"size": size, "codings": n, "file": str(path), "file_mb": path.stat().st_size / 1e6,
                     "generate_s": time.perf_counter() - t0, "repeat": repeat,
                     "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                 "platform": platform.platform()}, "tasks": {}, "floors": {}}
    for task in [t for t in TASKS if t in only]:
        floor = TASKS[task][0]
        if task == "agreement":
            team = generate(size, coders=2)
            results["floors"][floor] = measure("read", team, repeat)
            results["tasks"][task] = measure(task, team, repeat)
            continue
        if floor.startswith("floor-") and floor not in results["floors"]:
            results["floors"][floor] = measure(floor, path, repeat)
        results["tasks"][task] = measure(task, path, repeat)
    for task in list(results["tasks"]):
        base = TASKS[task][0]
        if base in TASKS and base not in results["tasks"]:   # a task compared with another task
            results["tasks"][base] = measure(base, path, repeat)
    if "cipp" in results["tasks"] and "xlsx" not in results["tasks"]:
        results["tasks"]["xlsx"] = measure("xlsx", path, repeat)
    for task, res in results["tasks"].items():
        base_name, target, mem_target = TASKS[task]
        base = results["floors"].get(base_name) or results["tasks"].get(base_name) or {}
        if "seconds" in res and "seconds" in base:
            res["ratio"] = res["seconds"] / base["seconds"]
            res["per_coding_us"] = res["seconds"] / n * 1e6
        res["target"], res["mem_target_mb"] = target, mem_target
    if "peers" in only:
        from benchmarks.peers import PEERS, peer_read

        results["peers"] = {name: peer_read(name, path, WORK) for name in PEERS}
    return results


def scaling(results: dict) -> dict:
    """Time per coding at this size over the same at M (from its saved results), per task."""
    prev = WORK / "results-M.json"
    if results["size"] == "M" or not prev.exists():
        return {}
    m = json.loads(prev.read_text())
    out = {}
    for task, res in results["tasks"].items():
        other = m.get("tasks", {}).get(task, {})
        if "per_coding_us" in res and "per_coding_us" in other:
            out[task] = res["per_coding_us"] / other["per_coding_us"]
    return out


def table(results: dict) -> str:
    """The Markdown report of ``run`` (and ``batch``) results."""
    lines = [f"Size {results['size']}: {results['codings']:,} codings, {results['file_mb']:.1f} MB "
             f"(best of {results['repeat']}; Python {results['machine']['python']}, "
             f"{results['machine']['cpus']} CPUs)", "",
             "| task | nvivo-bridge s | peak MB | floor | floor s | floor peak MB | ratio | target | memory target |",
             "|---|---:|---:|---|---:|---:|---:|---:|---:|"]
    for task, res in results["tasks"].items():
        base_name, target, mem_target = TASKS[task]
        base = results["floors"].get(base_name) or results["tasks"].get(base_name)
        ratio = res.get("ratio")
        mem_ok = _verdict(res.get("peak_mb"), mem_target)
        lines.append(
            f"| {task} | {_cell(res, 'seconds', '.2f')} | {_cell(res, 'peak_mb', '.0f')} | {base_name} "
            f"| {_cell(base, 'seconds', '.2f')} | {_cell(base, 'peak_mb', '.0f')} "
            f"| {format(ratio, '.2f') + '×' if ratio else '–'} "
            f"| {'≤ %.1f× %s' % (target, _verdict(ratio, target)) if target else ''} "
            f"| {'≤ %d MB %s' % (mem_target, mem_ok) if mem_target else ''} |")
    sc = scaling(results)
    if sc:
        lines += ["", f"Time per coding at {results['size']} over M (target ≤ {SCALING_TARGET}×): "
                  + ", ".join(f"{t} {v:.2f}× {_verdict(v, SCALING_TARGET)}" for t, v in sc.items())]
        results["scaling_vs_M"] = sc
    if results.get("peers"):
        read = results["tasks"].get("read", {})
        lines += ["", "| peer library | read s | peak MB | vs nvivo-bridge read |", "|---|---:|---:|---:|"]
        for name, res in results["peers"].items():
            rel = (f"{res['seconds'] / read['seconds']:.2f}×" if "seconds" in res and "seconds" in read else "–")
            lines.append(f"| {name} | {_cell(res, 'seconds', '.2f')} | {_cell(res, 'peak_mb', '.0f')} | {rel} |")
    if results.get("batch"):
        lines += ["", batch_line(results["batch"])]
    return "\n".join(lines)


def batch_line(b: dict) -> str:
    """One Markdown line for the batch measurement."""
    if "skipped" in b:
        return f"batch: {b['skipped']}"
    ratio = b.get("throughput_ratio")
    return (f"batch ({b['files']} files × {b['codings']:,} codings → {b['to']}): 1 worker {b['workers_1_s']:.1f} s, "
            f"2 workers {b['workers_2_s']:.1f} s, throughput ratio {ratio:.2f}× (target ≥ 1.7× "
            f"{'✓' if ratio >= 1.7 else '✗'})")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="S", help="S, M, L or a number of codings (default S)")
    ap.add_argument("--only", nargs="+", metavar="TASK", choices=list(TASKS) + ["peers"],
                    help="tasks to run (default: all, peers included)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; the best is kept")
    ap.add_argument("--batch", action="store_true", help="also time `nvivo-bridge batch` with 1 vs 2 workers")
    ap.add_argument("--batch-to", default="xlsx", help="output format of the batch run (default xlsx)")
    args = ap.parse_args(argv)
    only = args.only or [t for t in TASKS if t not in OPTIONAL] + ["peers"]
    size = args.size.upper() if args.size.upper() in ("S", "M", "L") else args.size
    results = run(size, only, max(1, args.repeat))
    if args.batch:
        from benchmarks.batch import run_batch

        results["batch"] = run_batch(args.batch_to)
    report = table(results)
    print(report)
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / f"results-{size}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
