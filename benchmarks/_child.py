"""One measurement, in its own process: ``python -m benchmarks._child TASK INPUT OUTDIR``.

Prints one JSON line: ``{"seconds", "peak_mb", "base_mb", "rows"}`` on success,
``{"missing": "<module>"}`` when a module the task needs is not written yet, or
``{"error": "<message>"}`` when the task failed.  Imports happen before the clock starts (the
task's own modules included), so the time is the work, not the interpreter start-up; the peak
memory is the process's high-water mark (``VmHWM``) read at the end, imports included.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# task → modules (and attributes) it needs; checked before anything runs.
NEEDS = {
    "read": ["nvivo_bridge.readers.qdpx"],
    "csv": ["nvivo_bridge.readers.qdpx", "nvivo_bridge.writers.csv"],
    "xlsx": ["nvivo_bridge.readers.qdpx", "nvivo_bridge.writers.xlsx"],
    "qdpx": ["nvivo_bridge.readers.qdpx", "nvivo_bridge.writers.qdpx"],
    "cipp": ["nvivo_bridge.readers.qdpx", "nvivo_bridge.cipp:summarize", "nvivo_bridge.writers.cipp"],
    "cipp-docx": ["nvivo_bridge.readers.qdpx", "nvivo_bridge.cipp:write_docx", "nvivo_bridge.writers.cipp",
                  "nvivo_bridge.cipp.docx_report", "nvivo_bridge.cipp.figures"],
    "validate": ["nvivo_bridge.checks.validate:validate_path"],
    "agreement": ["nvivo_bridge.readers.qdpx", "nvivo_bridge.agreement.result"],
    "csv-matrices": ["nvivo_bridge.readers.qdpx", "nvivo_bridge.writers.csv", "nvivo_bridge.analysis"],
    "sqlite": ["nvivo_bridge.readers.qdpx", "nvivo_bridge.writers.sqlite", "nvivo_bridge.analysis"],
    "parquet": ["nvivo_bridge.readers.qdpx", "nvivo_bridge.writers.parquet", "pyarrow.parquet"],
    "cooccurrence": ["nvivo_bridge.readers.qdpx", "nvivo_bridge.analysis.cooccurrence"],
}


def vm_kb(field: str) -> int:
    """A ``/proc/self/status`` field in kB (0 where /proc is not available)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def missing_module(task: str) -> str | None:
    """The first module (or ``module:attribute``) the task needs that cannot be imported."""
    for need in NEEDS.get(task, []):
        mod, _, attr = need.partition(":")
        try:
            if importlib.util.find_spec(mod) is None:
                return need
            if attr and not hasattr(importlib.import_module(mod), attr):
                return need
        except ImportError:
            return need
    return None


def _prepare(task: str, src: Path, out: Path):
    """Import what the task needs and return a zero-argument callable doing the measured work."""
    if task.startswith("floor-"):
        from benchmarks.floors import FLOORS

        fn = FLOORS[task[len("floor-"):]]
        if task == "floor-xlsx":
            import openpyxl  # noqa: F401  (import outside the clock, as for the tool)
        return lambda: fn(src, out / "floor")
    import nvivo_bridge

    for need in NEEDS[task]:
        importlib.import_module(need.partition(":")[0])
    if task == "read":
        return lambda: nvivo_bridge.read(src).counts()["codings"]
    if task == "agreement":
        import nvivo_bridge.agreement as agreement

        return lambda: len(agreement(nvivo_bridge.read(src)).frames["Code x Source"])
    if task == "validate":
        from nvivo_bridge.checks.validate import validate_path

        return lambda: validate_path(src)
    from nvivo_bridge.options import WriteOptions

    if task == "cipp-docx":  # the workbook and the Word report (figures drawn for it)
        def both():
            opts = WriteOptions()
            opts.extra.update(docx=out / "cipp.docx", force=True)
            return nvivo_bridge.convert(src, out / "cipp.xlsx", to_format="cipp", force=True,
                                        write_options=opts).read.get("codings")
        return both
    if task == "cooccurrence":
        # the co-occurrence alone, on a project read and indexed before the clock starts
        from nvivo_bridge.analysis.cooccurrence import cooccurrence
        from nvivo_bridge.sheets._context import make_context

        ctx = make_context(nvivo_bridge.read(src))
        return lambda: len(cooccurrence(ctx).count)
    target = {"csv": out / "codings", "xlsx": out / "out.xlsx", "qdpx": out / "out.qdpx",
              "cipp": out / "cipp.xlsx", "csv-matrices": out / "matrices", "sqlite": out / "out.sqlite",
              "parquet": out / "parquet"}[task]
    fmt = {"csv": "csv", "xlsx": "xlsx", "qdpx": "qdpx", "cipp": "cipp", "csv-matrices": "csv", "sqlite": "sqlite",
           "parquet": "parquet"}[task]
    extra = {"tables": "matrices"} if task == "csv-matrices" else {}
    return lambda: nvivo_bridge.convert(src, target, to_format=fmt, force=True,
                                        write_options=WriteOptions(extra=dict(extra))).read.get("codings")


def measure(task: str, src: Path, out: Path) -> dict:
    """Run one task once and return its measurement (or why there is none)."""
    if not task.startswith("floor-"):
        missing = missing_module(task)
        if missing:
            return {"missing": missing}
    out.mkdir(parents=True, exist_ok=True)
    try:
        work = _prepare(task, src, out)
        base = vm_kb("VmRSS")
        t0 = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - t0
    except Exception as exc:  # a failure is reported as such, never as a number
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}
    rows = result if isinstance(result, int) else None
    return {"seconds": seconds, "peak_mb": vm_kb("VmHWM") / 1024, "base_mb": base / 1024, "rows": rows}


if __name__ == "__main__":
    task_, src_, out_ = sys.argv[1:4]
    print(json.dumps(measure(task_, Path(src_), Path(out_))))
