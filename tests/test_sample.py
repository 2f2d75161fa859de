"""The shipped sample samples/kp-widyaiswara.qdpx: reproducible, XSD-valid, reads back exactly."""
from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from samples._qde_text import to_crlf
from samples.make_sample import SAMPLE, build_sample
from samples.nvivo_like import write_qdpx

ROOT = Path(__file__).resolve().parents[1]
XSD = ROOT / "nvivo_bridge" / "data" / "Project-mrt2019.xsd"

needs_model = pytest.mark.skipif(importlib.util.find_spec("samples.kp_widyaiswara") is None,
                                 reason="samples/kp_widyaiswara.py not written yet")
needs_reader = pytest.mark.skipif(importlib.util.find_spec("nvivo_bridge.readers.qdpx") is None,
                                  reason="REFI reader nvivo_bridge/readers/qdpx.py not written yet")


@pytest.fixture(scope="module")
def model():
    from samples.kp_widyaiswara import build_project

    return build_project()


def _docx_text(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("word/document.xml")


@needs_model
def test_committed_sample_equals_fresh_build(tmp_path):
    """Member by member (the .docx by its document part): the zip bytes themselves may differ
    with another zlib or python-docx version, the content may not."""
    assert SAMPLE.is_file(), "run: python samples/make_sample.py"
    fresh = build_sample(tmp_path / "fresh.qdpx")
    with zipfile.ZipFile(SAMPLE) as old, zipfile.ZipFile(fresh) as new:
        assert old.namelist() == new.namelist()
        for name in old.namelist():
            a, b = old.read(name), new.read(name)
            if name.endswith(".docx"):
                a, b = _docx_text(a), _docx_text(b)
            assert a == b, name


@needs_model
def test_sample_build_is_byte_reproducible(tmp_path):
    assert build_sample(tmp_path / "a.qdpx").read_bytes() == build_sample(tmp_path / "b.qdpx").read_bytes()


def test_sample_validates_against_xsd():
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    with zipfile.ZipFile(SAMPLE) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    assert schema.validate(root), schema.error_log
    assert root.get("origin") == "NVivo for Windows 12.6"


def _assert_reads_back(path: Path, expected, exact: bool) -> None:
    """Every coding of ``expected`` comes back on the same source with the same excerpt."""
    import nvivo_bridge

    got = nvivo_bridge.read(path)
    assert set(got.codes) == set(expected.codes)  # cases-as-codes are not theme codes (Q8)
    assert set(got.cases) == set(expected.cases)
    read_back = {c.guid: (s.guid, s.excerpt(sel)) for s, sel, c in got.iter_codings() if sel is not None}
    for src, sel, coding in expected.iter_codings():
        want = src.excerpt(sel) if exact else to_crlf(src.excerpt(sel))
        assert read_back[coding.guid] == (src.guid, want), coding.guid
    for case in expected.cases.values():
        back = got.cases[case.guid]
        assert [v.value for v in back.variable_values] == [v.value for v in case.variable_values]
        sel_sources = {s.guid for s, sel in got.iter_selections() if sel.guid in set(back.selection_refs)}
        assert set(case.source_refs) <= set(back.source_refs) | sel_sources


@needs_model
@needs_reader
def test_sample_reads_back_with_exact_excerpts(model):
    # The texts are CRLF throughout and some excerpts follow an emoji, so both the CR and the
    # surrogate pairs must be undone for these excerpts to match.
    assert all("\n" not in s.text.replace("\r\n", "") for s in model.sources.values())
    after_emoji = [sel for s, sel, _ in model.iter_codings()
                   if any(ord(ch) > 0xFFFF for ch in s.text[:sel.start])]
    assert after_emoji
    _assert_reads_back(SAMPLE, model, exact=True)


@needs_reader
def test_small_project_reads_back(tmp_path, small_project):
    """LF text is written as CRLF (as NVivo for Windows does); excerpts come back with CRLF."""
    _assert_reads_back(write_qdpx(small_project, tmp_path / "s.qdpx"), small_project, exact=False)
