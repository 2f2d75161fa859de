"""Damaged inputs never end in a traceback: the reader either reads them or raises ReadError."""
from __future__ import annotations

import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nvivo_bridge import api
from nvivo_bridge.errors import ReadError

DATA = Path(__file__).resolve().parent / "data" / "refi"
SEEDS = {p.name: p for p in sorted(DATA.iterdir()) if p.is_file()}


def _qde_text(path: Path) -> bytes:
    if path.suffix == ".qdpx":
        with zipfile.ZipFile(path) as zf:
            return zf.read(next(n for n in zf.namelist() if n.endswith(".qde")))
    return path.read_bytes()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.sampled_from(sorted(SEEDS)), cuts=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 40),
                                                                      st.binary(max_size=12)), max_size=4))
def test_mutated_xml_reads_or_raises_read_error(tmp_path, seed, cuts):
    src = SEEDS[seed]
    data = bytearray(_qde_text(src))
    for where, length, insert in cuts:
        i = int(where * len(data))
        data[i:i + length] = insert
    suffix = ".qdc" if src.suffix == ".qdc" else ".qde"
    out = tmp_path / f"m{suffix}"
    out.write_bytes(bytes(data))
    try:
        api.read(out)
    except ReadError as exc:
        assert str(exc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.sampled_from([n for n in SEEDS if n.endswith(".qdpx")]), where=st.floats(0, 1),
       junk=st.binary(min_size=1, max_size=64))
def test_damaged_archives_read_or_raise_read_error(tmp_path, seed, where, junk):
    data = bytearray(SEEDS[seed].read_bytes())
    i = int(where * (len(data) - 1))
    data[i:i + len(junk)] = junk
    out = tmp_path / "d.qdpx"
    out.write_bytes(bytes(data))
    try:
        api.read(out)
    except ReadError as exc:
        assert str(exc)
