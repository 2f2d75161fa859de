"""Every real REFI-QDA file of ../shared/corpus/refi reads, with sane counts (skipped when absent)."""
from __future__ import annotations

import pytest

from conftest import CORPUS, corpus_files, needs_corpus
from nvivo_bridge import api

REFI = corpus_files("refi", ".qdpx", ".qdc", ".qde")
pytestmark = [needs_corpus, pytest.mark.corpus]


@pytest.mark.parametrize("path", REFI, ids=[p.name for p in REFI])
def test_every_corpus_file_reads(path):
    p = api.read(path)
    n = p.counts()
    assert n["codes"] > 0 or path.name.startswith("ponte-atlas-blank")
    assert n["codings"] <= max(n["selections"], 1) * 4
    assert all(i.level != "error" for i in p.issues)
    for src in p.sources.values():
        for sel in src.selections:
            if sel.kind == "text" and src.text is not None:
                assert 0 <= sel.start <= sel.end <= len(src.text)
            for c in sel.codings:
                assert c.code in p.codes, f"coding {c.guid} points at no code"


EXPECTED = {  # file: (producer, position unit, codes, sources, selections, codings)
    "maxqda24-icls-themes.qdpx": ("maxqda", "unknown", 307, 10, 0, 0),
    "pyqdpx-nvivowin126-oltas.qdpx": ("nvivo-win", "utf16", 60, 1, 97, 97),
    "pyqdpx-oltas0517.qdpx": ("nvivo-win", "utf16", 152, 2, 303, 303),
    "pyqdpx-oltas_teszt.qdpx": ("nvivo-rewritten", "utf16", 152, 2, 330, 330),
    "qualcoding-nvivo-mac15.qdpx": ("nvivo-mac", "unknown", 262, 2, 0, 0),
    "qualcoding-qc-demo.qdpx": ("qc", "codepoint", 262, 2, 158, 205),
    "requal-atlas23win-codebook.qdc": ("atlasti", "unknown", 1, 0, 0, 0),
    "taguette141-utotag.qdc": ("taguette", "unknown", 3, 0, 0, 0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_producer_unit_and_counts(name):
    path = CORPUS / "refi" / name
    if not path.exists():
        pytest.skip(f"{name} not in the corpus")
    p = api.read(path)
    n = p.counts()
    assert (p.producer, p.position_unit, n["codes"], n["sources"], n["selections"], n["codings"]) == EXPECTED[name]


def test_nvivo_win_excerpts_start_after_a_line_break():
    """Q1: with UTF-16 positions converted, each of the 97 excerpts starts a line (or the text)."""
    path = CORPUS / "refi" / "pyqdpx-nvivowin126-oltas.qdpx"
    if not path.exists():
        pytest.skip("file not in the corpus")
    p = api.read(path)
    (src,) = p.sources.values()
    sels = [s for s in src.selections if s.kind == "text"]
    assert len(sels) == 97
    assert all(s.start == 0 or src.text[s.start - 1] == "\n" for s in sels)
    assert src.text[:1] != "\ufeff" and "\r\n" in src.text
    assert src.rich_text is not None and src.rich_text.member.startswith("Sources/")


def test_nvivo_mac_root_marker_and_qc_bare_paths():
    mac = CORPUS / "refi" / "qualcoding-nvivo-mac15.qdpx"
    qc = CORPUS / "refi" / "qualcoding-qc-demo.qdpx"
    if not (mac.exists() and qc.exists()):
        pytest.skip("files not in the corpus")
    p = api.read(qc)
    assert all(s.text for s in p.sources.values())
    assert max(len(s.codings) for src in p.sources.values() for s in src.selections) > 1  # Q7
    m = api.read(mac)
    assert all(s.text == "\n" for s in m.sources.values())  # Q14: the re-export lost the text
