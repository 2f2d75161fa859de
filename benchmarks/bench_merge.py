"""Benchmark: merging two coders' copies of a large project, against reading both.

Copy A is the generated NVivo-shaped project (``benchmarks/generate.py``; UTF-16 positions, CRLF,
``Sources/``).  Copy B is derived from it the way a second coder's copy arrives from another
program: every GUID new, every text with LF line ends, one sentence changed in every tenth
source, written with ``--target qualcoder``; both are cached in ``benchmarks/_work``.  Each
measurement runs in a fresh process (best time and highest peak of ``--repeat`` runs):

* ``read both``: ``nvivo_bridge.read`` of A and of B;
* ``merge``: the same reads plus ``nvivo_bridge.merge([a, b], coder_from_file=True)`` (the two
  coders kept apart, so no coding is a duplicate: the largest result).

Target (issue 18): ``merge`` within 3x ``read both``, peak memory within 600 MB.  Usage::

    .venv/bin/python benchmarks/bench_merge.py [--codings 100000] [--repeat 1]
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._child import vm_kb  # noqa: E402
from benchmarks.generate import WORK, generate  # noqa: E402

TIME_TARGET, MEMORY_TARGET_MB = 3.0, 600
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EDIT = " (kalimat ini diubah oleh koder kedua)"


def second_copy(a_path: Path) -> Path:
    """Build (or find) copy B of ``a_path`` (see the module doc)."""
    import nvivo_bridge

    b_path = a_path.with_name(a_path.stem + "-coder-b.qdpx")
    if b_path.exists():
        return b_path
    tmp = a_path.with_name(a_path.stem + "-coder-b.json")
    nvivo_bridge.write(nvivo_bridge.read(a_path), tmp, force=True)
    salt = uuid.uuid4().hex
    tmp.write_text(_GUID.sub(lambda m: str(uuid.uuid5(uuid.NAMESPACE_URL, salt + m.group())), tmp.read_text("utf-8")),
                   "utf-8")
    project = nvivo_bridge.read(tmp)
    for k, src in enumerate(project.sources.values()):
        text = src.text or ""
        at = text.find(".", len(text) // 2)
        if k % 10 == 0 and at > 0:
            text = text[:at] + EDIT + text[at:]
            for sel in src.selections:
                if sel.start is not None and sel.start >= at:
                    sel.start += len(EDIT)
                if sel.end is not None and sel.end >= at:
                    sel.end += len(EDIT)
        if "\r\n" in text:
            for sel in src.selections:
                if sel.start is not None:
                    sel.start -= text.count("\r\n", 0, sel.start)
                    sel.end -= text.count("\r\n", 0, sel.end)
            text = text.replace("\r\n", "\n")
        src.text = text
    nvivo_bridge.write(project, b_path, target="qualcoder")
    tmp.unlink()
    return b_path


def child(task: str, a: Path, b: Path) -> dict:
    """One measurement in this process (imports before the clock)."""
    import nvivo_bridge
    import nvivo_bridge.merge  # noqa: F401
    import pandas  # noqa: F401

    t0 = time.perf_counter()
    pa, pb = nvivo_bridge.read(a), nvivo_bridge.read(b)
    read_s = time.perf_counter() - t0
    out = {"read_s": read_s}
    if task == "merge":
        t1 = time.perf_counter()
        result = nvivo_bridge.merge([pa, pb], labels=["a.qdpx", "b.qdpx"], coder_from_file=True)
        out["merge_s"] = time.perf_counter() - t1
        out["codings"] = result.project.counts()["codings"]
        out["moved"] = len(result.report["Moved selections"])
    out["seconds"] = time.perf_counter() - t0
    out["peak_mb"] = vm_kb("VmHWM") / 1024
    return out


def measure(task: str, a: Path, b: Path, repeat: int) -> dict:
    """Best time and highest peak of ``repeat`` fresh processes."""
    best: dict = {}
    for _ in range(repeat):
        r = subprocess.run([sys.executable, __file__, "--child", task, str(a), str(b)], capture_output=True,
                           text=True, cwd=ROOT)
        if r.returncode != 0:
            return {"error": (r.stderr.strip().splitlines() or ["crashed"])[-1]}
        res = json.loads(r.stdout.strip().splitlines()[-1])
        if not best or res["seconds"] < best["seconds"]:
            best = dict(res, peak_mb=max(res["peak_mb"], best.get("peak_mb", 0)))
        else:
            best["peak_mb"] = max(best["peak_mb"], res["peak_mb"])
    return best


def main(argv: list[str]) -> int:
    """Build the copies, measure both tasks, print a Markdown table, save the results as JSON."""
    if argv[:1] == ["--child"]:
        print(json.dumps(child(argv[1], Path(argv[2]), Path(argv[3]))))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--codings", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    a = generate(args.codings)
    b = second_copy(a)
    print(f"inputs ready in {time.perf_counter() - t0:.0f} s: {a.name} ({a.stat().st_size / 1e6:.0f} MB), "
          f"{b.name} ({b.stat().st_size / 1e6:.0f} MB)", flush=True)
    floor = measure("read", a, b, args.repeat)
    task = measure("merge", a, b, args.repeat)
    if "error" in floor or "error" in task:
        print(f"error: {floor.get('error') or task.get('error')}")
        return 1
    ratio = task["seconds"] / floor["seconds"]
    print("| task | seconds | peak MB | ratio | target |\n|---|---|---|---|---|")
    print(f"| read both | {floor['seconds']:.1f} | {floor['peak_mb']:.0f} | 1.00 | |")
    print(f"| read both + merge | {task['seconds']:.1f} (merge {task['merge_s']:.1f}) | {task['peak_mb']:.0f} | "
          f"{ratio:.2f} | ≤ {TIME_TARGET}x {'✓' if ratio <= TIME_TARGET else '✗'}, ≤ {MEMORY_TARGET_MB} MB "
          f"{'✓' if task['peak_mb'] <= MEMORY_TARGET_MB else '✗'} |")
    print(f"merged codings: {task['codings']:,}; moved selections reported: {task['moved']:,}")
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / f"results-merge-{args.codings}.json").write_text(json.dumps({"read": floor, "merge": task}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
