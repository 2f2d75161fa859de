"""Benchmark ``nvivo-bridge web`` on a generated project: opening it against the CLI's read time,
and the codings table's pages.

Usage::

    python benchmarks/web.py [--size S|M|L|<codings>] [--repeat N]

The CLI's read time is ``nvivo_bridge.read`` in a fresh process (best of ``--repeat``).  The web
server then runs in this process (``nvivo_bridge.web.server.running``) and is driven over real
HTTP: the file is uploaded, "open" is timed from the request until the overview page with the
counts has answered, and every table page (no filter, a deep page, each filter, text search, all
combined) is timed as the median of ``--repeat`` requests, and its first request alone (a search
is cached after it).  Targets: open ≤ 2× the read time, each
table page < 300 ms.  Results also go to ``benchmarks/_work/results-web-<size>.json``.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import resource
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import WORK, codings_for, generate  # noqa: E402

OPEN_TARGET = 2.0
PAGE_TARGET_MS = 300.0


def cli_read_seconds(path: Path, repeat: int) -> float:
    """Best time of ``nvivo_bridge.read(path)`` in a fresh process."""
    code = ("import sys,time,nvivo_bridge as nb; t=time.perf_counter(); nb.read(sys.argv[1]); "
            "print(time.perf_counter()-t)")
    return min(float(subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                                    check=True, cwd=ROOT).stdout) for _ in range(repeat))


def main(argv: list[str]) -> int:
    """Run the benchmark and print a Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="S")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    from nvivo_bridge.web.server import running

    path = generate(args.size)
    n = codings_for(args.size)
    read_s = cli_read_seconds(path, args.repeat)
    results: dict = {"codings": n, "file_mb": round(path.stat().st_size / 1e6, 1), "cli_read_s": round(read_s, 2)}
    with running() as run:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        base = run.url.split("/?")[0]
        opener.open(run.url).read()

        def call(method: str, url: str, data: bytes | None = None) -> bytes:
            req = urllib.request.Request(base + url, data=data, method=method, headers={"X-Nvivo-Bridge": "1"})
            with opener.open(req) as resp:
                return resp.read()

        ws = json.loads(call("POST", "/api/workspaces"))["id"]
        t0 = time.perf_counter()
        call("PUT", f"/api/workspaces/{ws}/files?name={path.name}", path.read_bytes())
        results["upload_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        job = json.loads(call("POST", f"/api/workspaces/{ws}/open"))
        while json.loads(call("GET", f"/api/jobs/{job['id']}"))["status"] == "running":
            time.sleep(0.05)
        page = call("GET", f"/p/{ws}/").decode()
        results["open_s"] = round(time.perf_counter() - t0, 2)
        assert f"<strong>{n}</strong> codings" in page.replace(",", ""), "counts not shown"
        results["open_ratio"] = round(results["open_s"] / read_s, 2)
        state = run.app.app.state.web
        view = state.workspaces.get(ws).view
        t0 = time.perf_counter()
        view.prepare_search()  # built in the background after opening; waits for it
        results["search_index_wait_s"] = round(time.perf_counter() - t0, 2)
        attr = next((f"{k}:{next(iter(v))}" for k, v in enumerate(view.values) if v), "")
        queries = {"first page": "", "page 2000": "page=2000", "code subtree": "code=1",
                   "source": "source=7", "case": "case=3", "attribute": f"av={attr}", "coder": "coder=0",
                   "search": "q=pelatihan", "search (rare word)": "q=zzqq", "all combined":
                   f"code=1&source=7&case=3&coder=0&q=a&av={attr}"}
        pages, firsts = {}, {}
        for name, q in queries.items():
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                call("GET", f"/p/{ws}/codings?{q}")
                times.append(1000 * (time.perf_counter() - t0))
            # The first request of a search is the uncached one; later pages reuse its answer.
            firsts[name], pages[name] = round(times[0], 1), round(statistics.median(times), 1)
        results["pages_first_ms"] = firsts
        results["pages_ms"] = pages
        guid = state.workspaces.get(ws).mapping.auto.order[0]
        t0 = time.perf_counter()
        call("POST", f"/api/p/{ws}/mapping", json.dumps({"guid": guid, "component": "input"}).encode())
        results["mapping_change_s"] = round(time.perf_counter() - t0, 2)
        results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / f"results-web-{n}.json").write_text(json.dumps(results, indent=2))
    ok = "✓" if results["open_ratio"] <= OPEN_TARGET else "✗"
    print(f"| {n:,} codings | time | target |\n|---|---:|---|")
    print(f"| CLI read | {read_s:.2f} s | |")
    print(f"| web open (read + indexes, counts shown) | {results['open_s']:.2f} s ({results['open_ratio']}×) "
          f"| ≤ {OPEN_TARGET}× {ok} |")
    for name, ms in pages.items():
        worst = max(ms, firsts[name])
        print(f"| codings page: {name} | {ms:.0f} ms (first {firsts[name]:.0f} ms) "
              f"| < {PAGE_TARGET_MS:.0f} ms {'✓' if worst < PAGE_TARGET_MS else '✗'} |")
    print(f"| upload ({results['file_mb']} MB, same machine) | {results['upload_s']:.2f} s | |")
    print(f"| search index (background, after open) | +{results['search_index_wait_s']:.2f} s | |")
    print(f"| CIPP mapping change (summary rebuilt) | {results['mapping_change_s']:.2f} s | |")
    print(f"| peak memory (server process) | {results['peak_rss_mb']} MB | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
