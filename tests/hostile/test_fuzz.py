"""Fuzzing every reader: mutated bytes of generated inputs (and of the corpus files, when present)
either read (and then write) or raise one of the project's own errors — nothing else escapes.

CI runs a short pass (``NVIVO_BRIDGE_FUZZ_EXAMPLES`` examples per seed kind, default 12, about
half a minute in all); ``pytest -m slow tests/hostile/test_fuzz.py`` runs a long one (or set the
environment variable higher).  Zip containers are fuzzed twice: as raw bytes, and by mutating the
inflated XML of a member and zipping it again (which reaches the parsers past the CRC check).
"""
from __future__ import annotations

import io
import os
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nvivo_bridge import api
from nvivo_bridge.errors import NvivoBridgeError
from nvivo_bridge.options import Limits
from projects import rich_project, small_project

from ._kit import CORPUS_MAX, simple_doc
from .test_nvivo_exports import NODE

EXAMPLES = int(os.environ.get("NVIVO_BRIDGE_FUZZ_EXAMPLES", "12"))
LONG = int(os.environ.get("NVIVO_BRIDGE_FUZZ_LONG", "1500"))
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
#: Small limits keep one example fast whatever the mutation makes of the sizes.
LIMITS = Limits(max_member_bytes=16 << 20, max_total_bytes=64 << 20, max_text_chars=8 << 20)


@lru_cache(maxsize=1)
def seeds() -> dict[str, bytes]:
    """Seed files by name (the suffix chooses the reader)."""
    import tempfile

    out: dict[str, bytes] = {"simple.qde": simple_doc(3).encode()}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        for name, proj in (("rich.qdpx", rich_project()), ("small.qdpx", small_project()),
                           ("rich.json", rich_project()), ("small.qdc", small_project()),
                           ("small.xlsx", small_project())):
            if name.endswith(".qdc"):
                proj.kind = "codebook"
            if name.endswith(".xlsx"):
                from nvivo_bridge.codebook import save_codebook
                save_codebook(proj, t / name)
            else:
                api.write(proj, t / name)
            out[name] = (t / name).read_bytes()
        import docx
        d = docx.Document()
        for line in NODE.splitlines():
            d.add_paragraph(line)
        d.save(t / "node.docx")
        out["node.docx"] = (t / "node.docx").read_bytes()
    out["node.txt"] = b"\xff\xfe" + NODE.encode("utf-16-le")
    out["person.txt"] = "Person\tRole\tSite\nInterview 1\tTeacher\tNorth\n".encode("utf-8-sig")
    data = Path(__file__).resolve().parents[1] / "data" / "nvivo"
    for p in sorted(data.rglob("*")):
        if p.is_file() and p.suffix in (".txt", ".csv"):
            out[f"data-{p.name}"] = p.read_bytes()
    if CORPUS.is_dir():
        for p in sorted(CORPUS.rglob("*")):
            if p.is_file() and p.suffix.lower() in (".qdpx", ".qdc", ".txt", ".csv", ".docx", ".xlsx") \
                    and p.stat().st_size <= CORPUS_MAX:
                out[f"corpus-{p.name}"] = p.read_bytes()
    return out


def _mutate(data: bytes, edits) -> bytes:
    buf = bytearray(data)
    for kind, where, length, junk in edits:
        if not buf:
            buf += junk
            continue
        i = int(where * (len(buf) - 1))
        if kind == 0:
            buf[i:i + len(junk)] = junk  # overwrite
        elif kind == 1:
            buf[i:i] = junk  # insert
        elif kind == 2:
            del buf[i:i + length]  # delete
        elif kind == 3:
            buf[i:i] = bytes(buf[i:i + length]) * 3  # repeat a slice (nesting, duplicates)
        else:
            del buf[i:]  # truncate
    return bytes(buf)


_EDITS = st.lists(st.tuples(st.integers(0, 4), st.floats(0, 1), st.integers(1, 200),
                            st.binary(min_size=1, max_size=24)), min_size=1, max_size=4)


def _remember(name: str, data: bytes) -> None:
    """Keep the last example on disk so a failure found in a long run can be replayed."""
    out = Path(os.environ.get("NVIVO_BRIDGE_FUZZ_KEEP", "")) if os.environ.get("NVIVO_BRIDGE_FUZZ_KEEP") else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"last-{name}").write_bytes(data)


def check_one(tmp: Path, name: str, data: bytes) -> None:
    """Read ``data`` as file ``name``; on success write it out too.  Only our errors may escape."""
    _remember(name, data)
    path = tmp / ("in-" + name.replace("data-", "").replace("corpus-", ""))
    path.write_bytes(data)
    try:
        project = api.read(path, limits=LIMITS)
    except NvivoBridgeError as exc:
        assert str(exc)
        return
    finally:
        assert path.read_bytes() == data  # the input is never modified
    for out in ("o.json", "o.qdpx"):
        target = tmp / out
        try:
            api.write(project, target, force=True)
        except NvivoBridgeError as exc:
            assert str(exc)
        if target.exists():
            target.unlink()
    leftovers = [p.name for p in tmp.iterdir() if p.name.startswith(".")]
    assert not leftovers, leftovers


def _inner_targets(name: str, data: bytes) -> list[str]:
    if not name.endswith((".qdpx", ".xlsx", ".docx")):
        return []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [n for n in zf.namelist() if n.endswith((".qde", ".xml", ".txt"))]


def _rezip(data: bytes, member: str, edits) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, _mutate(body, edits) if info.filename == member else body)
    return out.getvalue()


def _run(tmp_path_factory, examples: int) -> None:
    names = sorted(seeds())

    @settings(max_examples=examples * len(names), deadline=None, derandomize=examples < 50,
              suppress_health_check=list(HealthCheck), database=None)
    @given(name=st.sampled_from(names), edits=_EDITS, inner=st.booleans(), pick=st.integers(0, 1000))
    def body(name, edits, inner, pick):
        data = seeds()[name]
        members = _inner_targets(name, data) if inner else []
        mutated = _rezip(data, members[pick % len(members)], edits) if members else _mutate(data, edits)
        tmp = tmp_path_factory.mktemp("fuzz")
        check_one(tmp, name, mutated)
        for p in tmp.iterdir():
            p.unlink() if p.is_file() else None

    body()


def test_fuzz_every_reader(tmp_path_factory):
    _run(tmp_path_factory, EXAMPLES)


@pytest.mark.slow
def test_fuzz_every_reader_long(tmp_path_factory):
    _run(tmp_path_factory, LONG)


def test_every_seed_reads(tmp_path):
    """The seeds themselves read (so the fuzz starts from meaningful inputs)."""
    for name, data in seeds().items():
        check_one(tmp_path, name, data)
