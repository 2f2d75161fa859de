"""Other Python REFI-QDA libraries, timed reading the same file (each in its own venv).

Each peer is pip-installed into ``benchmarks/_work/peers/<name>`` with the newest Python found
(pyqdpx needs 3.12+).  A peer that does not install, or fails to read the file, is reported as
such with the reason; nothing is estimated.  "Read" means what the library offers for it: load
the project and, where the API exposes it, take the text of every coded selection.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["PEERS", "peer_read"]

_PRELUDE = """
import json, sys, time, tempfile
def hwm():
    try:
        for line in open('/proc/self/status'):
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    except OSError:
        return 0
    return 0
path = sys.argv[1]
"""

# name → (import line, code that reads ``path`` and sets ``n`` = items seen)
PEERS = {
    "pyqdpx": ("from pyqdpx import QDPX", """
proj = QDPX(path).get_project()
n = 0
for s in proj.sources.values():
    for sel in s.coded_selections.values():
        sel.text
        n += 1
"""),
    "pyrefiqda": ("from pyrefiqda import RefiProject", """
proj = RefiProject.load(path, extract_dir=tempfile.mkdtemp())
n = sum(len(ts.plain_text_selection) for ts in proj.sources.text_source)
"""),
    "portableqda": ("import portableqda.refi_qda as r", """
cb = r.codebookCls(input=path)
res = cb.readQdcFile()
if getattr(res, 'error', 0):
    raise RuntimeError(str(res))
n = len(cb.tree.getroot()) if getattr(cb, 'tree', None) is not None else 0
"""),
}


def _pythons() -> list[str]:
    """Candidate interpreters, newest first (a peer may need a newer Python than ours)."""
    found = []
    for name in ("python3.13", "python3.12"):
        exe = shutil.which(name)
        if exe:
            found.append(exe)
    found += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[2-9]*/bin/python3")), reverse=True)
    found.append(sys.executable)
    good = []
    for exe in found:
        try:
            if subprocess.run([exe, "-c", "import venv"], capture_output=True, timeout=30).returncode == 0:
                good.append(exe)
        except (OSError, subprocess.TimeoutExpired):
            continue
    return good


def _venv(name: str, work: Path) -> tuple[Path | None, str]:
    """The peer's interpreter (installing it on first use) or ``None`` and the reason."""
    env = work / "peers" / name
    py = env / "bin" / "python"
    marker = env / ".installed"
    if marker.exists():
        return py, ""
    if env.exists() and (env / ".failed").exists():
        return None, (env / ".failed").read_text()
    shutil.rmtree(env, ignore_errors=True)
    reason = "no Python could make a venv"
    for base in _pythons():
        r = subprocess.run([base, "-m", "venv", str(env)], capture_output=True, text=True)
        if r.returncode != 0:
            continue
        r = subprocess.run([str(py), "-m", "pip", "install", "-q", name], capture_output=True, text=True)
        if r.returncode == 0:
            marker.write_text(base)
            return py, ""
        reason = (r.stderr.strip().splitlines() or ["pip install failed"])[-1]
        shutil.rmtree(env, ignore_errors=True)
    env.mkdir(parents=True, exist_ok=True)
    (env / ".failed").write_text(f"does not install: {reason}")
    return None, (env / ".failed").read_text()


def peer_read(name: str, path: Path, work: Path) -> dict:
    """Time peer ``name`` reading ``path``: ``{"seconds", "peak_mb", "items"}`` or ``{"error"}``."""
    py, why = _venv(name, work)
    if py is None:
        return {"error": why}
    imp, body = PEERS[name]
    code = (_PRELUDE + imp + "\nt0 = time.perf_counter()\n" + body
            + "\nprint(json.dumps({'seconds': time.perf_counter() - t0, 'peak_mb': hwm(), 'items': n}))\n")
    try:
        r = subprocess.run([str(py), "-c", code, str(path)], capture_output=True, text=True, timeout=1800)
    except subprocess.TimeoutExpired:
        return {"error": "did not finish in 30 minutes"}
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": f"failed to read: {last[:200]}"}
    return json.loads(r.stdout.strip().splitlines()[-1])
