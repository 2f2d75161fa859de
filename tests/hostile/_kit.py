"""Builders of hostile inputs and the checks every hostile case shares.

* :func:`cli` runs a command in-process (CliRunner) and :func:`expect_error` checks the documented
  exit code and the one-line ``Error:`` message naming the file (and place), without a traceback.
* :func:`run_bounded` runs a command in a child process with a timeout and an address-space cap,
  and returns its exit code, stderr, peak RSS and time: the bounded time/memory guarantees.
* :func:`snapshot` / :func:`assert_same_tree` prove that inputs are untouched and nothing stray
  (temp files, partial outputs) is left beside the output.
* :func:`qde`, :func:`write_zip`, :func:`deflate_zeros_member` build projects and archives; a
  bomb is a small repeated raw-deflate stream, never gigabytes on disk.
"""
from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from click.testing import CliRunner

from nvivo_bridge.cli import main

NS = "urn:QDA-XML:project:1.0"
MB = 1 << 20
U1 = "a0000000-0000-4000-8000-000000000001"
C1 = "c0000000-0000-4000-8000-000000000001"
C2 = "c0000000-0000-4000-8000-000000000002"
S1 = "50000000-0000-4000-8000-000000000001"
TEXT = "Hello world. The second sentence is coded too.\n"


def guid(prefix: str, n: int) -> str:
    """A well-formed GUID ``<prefix>0000000-0000-4000-8000-<n>``."""
    return f"{prefix}0000000-0000-4000-8000-{n:012d}"


# -- running -------------------------------------------------------------------------------------
def cli(*args: str, env: Optional[dict] = None):
    """Run ``nvivo-bridge ARGS`` in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=True)


def assert_clean(stderr: str, stdout: str = "") -> None:
    """No traceback and no 'internal error' fallback anywhere in the output."""
    both = stderr + stdout
    assert "Traceback" not in both, both
    assert "internal error" not in both, both


def expect_error(result, code: int, *names: str) -> str:
    """The command failed with exit ``code`` and exactly one ``Error:`` line naming ``names``."""
    stderr = result.stderr
    assert result.exit_code == code, (result.exit_code, stderr, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert_clean(stderr, result.stdout)
    lines = [ln for ln in stderr.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1, stderr
    for name in names:
        assert str(name) in lines[0], (name, lines[0])
    return lines[0]


def expect_ok(result) -> str:
    """The command succeeded (exit 0) without a traceback; returns stderr."""
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    assert_clean(result.stderr, result.stdout)
    return result.stderr


_CHILD = r"""
import json, resource, sys, time
cap = int(sys.argv[2])
if cap:
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from nvivo_bridge.cli import main
start = time.perf_counter()
rc = 0
try:
    main(args=sys.argv[3:], prog_name="nvivo-bridge")
except SystemExit as exc:
    rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
def peak_mb():
    # Linux's ru_maxrss survives exec, so it would report the parent pytest's peak; VmHWM is
    # this process image's own high-water mark.
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
with open(sys.argv[1], "w") as fh:
    json.dump({"rc": rc, "rss_mb": peak_mb(),
               "seconds": time.perf_counter() - start}, fh)
"""


@dataclass
class Bounded:
    """What a bounded child run did."""

    rc: int
    stderr: str
    rss_mb: float
    seconds: float


def run_bounded(tmp: Path, *args: str, timeout: float = 60, address_gb: float = 4.0,
                env: Optional[dict] = None) -> Bounded:
    """Run ``nvivo-bridge ARGS`` in a child with a wall-clock ``timeout`` (the test fails on
    expiry) and an address-space cap (so a runaway reader cannot take the machine down)."""
    report = tmp / f".bounded-{time.monotonic_ns()}.json"
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("NVIVO_BRIDGE_DEBUG", None)
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(report), str(int(address_gb * 1024 ** 3)),
                           *map(str, args)], capture_output=True, text=True, timeout=timeout, env=full_env)
    assert report.exists(), f"the child died: rc {proc.returncode}\n{proc.stderr[-3000:]}"
    data = json.loads(report.read_text())
    report.unlink()
    assert_clean(proc.stderr, proc.stdout)
    return Bounded(data["rc"], proc.stderr, data["rss_mb"], data["seconds"])


# -- file system ---------------------------------------------------------------------------------
def snapshot(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file below ``folder`` (folders as ``<dir>``)."""
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
    return out


def assert_same_tree(before: dict[str, str], folder: Path, new: Iterable[str] = ()) -> None:
    """``folder`` holds what it held (byte-identical) plus exactly the ``new`` top-level names."""
    after = snapshot(folder)
    new = set(new)
    for rel, digest in before.items():
        assert after.get(rel) == digest, f"{rel} was modified or removed"
    extra = {rel for rel in after if rel not in before}
    tops = {rel.split(os.sep, 1)[0] for rel in extra}
    assert tops <= new, f"stray files: {sorted(tops - new)}"
    for name in new - tops:
        raise AssertionError(f"expected output {name} is missing")


# -- REFI-QDA documents --------------------------------------------------------------------------
def qde(body: str = "", *, ns: str = NS, attrs: str = 'name="P" origin="hostile-tests"',
        codes: Optional[str] = None, prolog: str = "<?xml version='1.0' encoding='utf-8'?>\n") -> str:
    """A project document: one user, codes C1/C2 (unless ``codes``), then ``body``."""
    if codes is None:
        codes = (f'<Code guid="{C1}" name="Needs" isCodable="true"/>'
                 f'<Code guid="{C2}" name="Barriers" isCodable="true"/>')
    return (f'{prolog}<Project xmlns="{ns}" {attrs}><Users><User guid="{U1}" name="R1"/></Users>'
            f"<CodeBook><Codes>{codes}</Codes></CodeBook>{body}</Project>")


def selection(n: int, start, end, code: str = C1, extra: str = "") -> str:
    """A PlainTextSelection coded with ``code`` (positions as given, even garbage)."""
    pos = "".join(f' {k}="{v}"' for k, v in (("startPosition", start), ("endPosition", end)) if v is not None)
    return (f'<PlainTextSelection guid="{guid("e", n)}"{pos}{extra}>'
            f'<Coding guid="{guid("f", n)}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>')


def text_source(selections: str = "", *, guid_: str = S1, name: str = "Interview 1",
                path: str = f"internal://{S1}.txt") -> str:
    """A TextSource whose text is the member ``sources/<guid>.txt``."""
    return (f'<Sources><TextSource guid="{guid_}" name="{name}" plainTextPath="{path}">'
            f"{selections}</TextSource></Sources>")


def write_zip(path: Path, members: dict[str, bytes] | list[tuple[str, bytes]]) -> Path:
    """A deflated zip of ``members`` (a list allows duplicate names)."""
    items = members.items() if isinstance(members, dict) else members
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are wanted here
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in items:
                zf.writestr(name, data)
    return path


def qdpx(path: Path, doc: str, text: str | bytes = TEXT, extra: Optional[dict] = None) -> Path:
    """A .qdpx holding ``doc`` as project.qde and ``text`` as the source S1's text."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    members = {"project.qde": doc.encode("utf-8"), f"sources/{S1}.txt": data}
    members.update(extra or {})
    return write_zip(path, members)


def simple_doc(n_sel: int = 2) -> str:
    """A valid project: one text source with ``n_sel`` coded selections."""
    sels = "".join(selection(i, 0 if i % 2 else 13, 5 if i % 2 else 30, C1 if i % 2 else C2)
                   for i in range(1, n_sel + 1))
    return qde(text_source(sels))


# -- bombs ---------------------------------------------------------------------------------------
_ZERO_CHUNK = bytes(MB)
_CRC_CACHE: dict[int, int] = {}


def _zeros_crc(n_mb: int) -> int:
    crc = _CRC_CACHE.get(n_mb)
    if crc is None:
        crc = 0
        for _ in range(n_mb):
            crc = zlib.crc32(_ZERO_CHUNK, crc)
        _CRC_CACHE[n_mb] = crc
    return crc


def deflate_zeros(n_mb: int) -> bytes:
    """A raw deflate stream of ``n_mb`` MiB of zeros, built from one compressed MiB repeated
    (a full flush makes every MiB compress to the same bytes): ~1 KB per MiB."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(_ZERO_CHUNK) + comp.flush(zlib.Z_FULL_FLUSH)
    return block * n_mb + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)


def bomb_zip(path: Path, members: list[tuple[str, bytes | int]], declared: Optional[dict] = None,
             encrypted: Iterable[str] = ()) -> Path:
    """Write a zip by hand: a ``bytes`` member is stored deflated as is; an ``int`` member is that
    many MiB of zeros (a bomb).  ``declared`` maps names to a lying uncompressed size; names in
    ``encrypted`` get the "encrypted" flag (their data stays plain: the flag alone must stop a reader)."""
    declared = declared or {}
    encrypted = set(encrypted)
    out = bytearray()
    central = bytearray()
    for name, data in members:
        raw = name.encode("utf-8")
        if isinstance(data, int):
            comp, size, crc = deflate_zeros(data), data * MB, _zeros_crc(data)
        else:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            comp, size, crc = c.compress(data) + c.flush(), len(data), zlib.crc32(data)
        size = declared.get(name, size)
        assert size < 2 ** 32 and len(comp) < 2 ** 32, "zip64 not needed by these tests"
        offset = len(out)
        flags = 0x800 | (0x1 if name in encrypted else 0)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, 0, 0x21, crc, len(comp), size,
                           len(raw), 0) + raw + comp
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, 8, 0, 0x21, crc, len(comp),
                               size, len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path

#: Corpus files larger than this are not fuzzed (one example must stay fast).
CORPUS_MAX = 200_000
