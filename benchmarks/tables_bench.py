"""Benchmark of the researcher's workbook against bare dumps of the same Codings rows.

    python benchmarks/tables_bench.py [S|M|L|<codings>]

Each task runs in its own process (so peak memory is its own):

* ``read``: ``nvivo_bridge.read`` of the generated NVivo-shaped ``.qdpx``;
* ``xlsx`` / ``csv``: ``nvivo_bridge.convert`` to a workbook / a CSV folder (read included);
* ``dump-xlsx`` / ``dump-csv``: the ``Codings`` table's rows (built before the clock starts)
  written by a bare openpyxl write-only workbook / a bare ``csv.writer``.

The targets (issue 3): xlsx ≤ 1.3 × (read + dump-xlsx), csv ≤ 1.5 × (read + dump-csv), and the
conversion's extra peak memory no more than the read's.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _vm_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _task(task: str, src: Path, out: Path) -> dict:
    import nvivo_bridge

    if task.startswith("dump-"):
        from nvivo_bridge.writers._cells import _python_values

        df = nvivo_bridge.tables(nvivo_bridge.read(src))["Codings"]
        rows = list(zip(*[_python_values(df[c]) for c in df.columns]))
        header = list(df.columns)
        del df
    import nvivo_bridge.readers.qdpx  # noqa: F401  imports happen before the clock, as in benchmarks/_child.py
    import nvivo_bridge.writers.csv  # noqa: F401
    import nvivo_bridge.writers.xlsx  # noqa: F401
    import openpyxl  # noqa: F401

    base = _vm_kb("VmRSS")
    t0 = time.perf_counter()
    if task == "read":
        nvivo_bridge.read(src)
    elif task in ("xlsx", "csv"):
        nvivo_bridge.convert(src, out / ("out.xlsx" if task == "xlsx" else "csv"), to_format=task, force=True)
    elif task == "dump-xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Codings")
        ws.append(header)
        for row in rows:
            ws.append(row)
        wb.save(out / "dump.xlsx")
    elif task == "dump-csv":
        import csv

        with open(out / "dump.csv", "w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
    seconds = time.perf_counter() - t0
    return {"task": task, "seconds": round(seconds, 2), "peak_mb": round(_vm_kb("VmHWM") / 1024),
            "base_mb": round(base / 1024)}


def main(argv: list[str]) -> int:
    """Run every task in its own process and print the ratios."""
    from benchmarks.generate import generate

    src = generate(argv[0] if argv else "L")
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        for task in ("read", "dump-xlsx", "xlsx", "dump-csv", "csv"):
            line = subprocess.run([sys.executable, __file__, "--task", task, str(src), tmp], check=True,
                                  capture_output=True, text=True).stdout.strip().splitlines()[-1]
            res[task] = json.loads(line)
            print(line, flush=True)
    read = res["read"]["seconds"]
    print(f"xlsx ratio {res['xlsx']['seconds'] / (read + res['dump-xlsx']['seconds']):.2f} (target ≤ 1.3)")
    print(f"csv ratio {res['csv']['seconds'] / (read + res['dump-csv']['seconds']):.2f} (target ≤ 1.5)")
    read_mb = res["read"]["peak_mb"] - res["read"]["base_mb"]
    for t in ("xlsx", "csv"):
        extra = res[t]["peak_mb"] - res[t]["base_mb"] - read_mb
        print(f"{t} memory beyond the read: {extra} MB (the read itself: {read_mb} MB)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--task":
        print(json.dumps(_task(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
    else:
        sys.exit(main(sys.argv[1:]))
