"""The NVivo-for-Windows-shaped fixture writer (samples/nvivo_like.py): layout, bytes, positions."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from samples._qde_text import to_crlf, utf16_offsets
from samples.nvivo_like import ORIGIN, write_qdpx

ROOT = Path(__file__).resolve().parents[1]
XSD = ROOT / "nvivo_bridge" / "data" / "Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture
def written(tmp_path, small_project):
    path = write_qdpx(small_project, tmp_path / "small.qdpx")
    return small_project, zipfile.ZipFile(path)


def test_layout_and_surface(written, schema):
    project, zf = written
    names = zf.namelist()
    assert names[0] == "project.qde"
    expected = {f"Sources/{g}.{ext}" for g in list(project.sources) + list(project.notes) for ext in ("txt", "docx")}
    assert set(names[1:]) == expected
    raw = zf.read("project.qde")
    assert raw.startswith(b'<?xml version="1.0" encoding="utf-8"?>\r\n<Project xmlns:xsd=')
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line break is CRLF, none bare
    assert raw.endswith(b"</Project>")
    assert b"\r\n  <Users>\r\n    <User " in raw
    root = etree.fromstring(raw)
    assert schema.validate(root), schema.error_log
    assert root.get("origin") == ORIGIN
    assert root.find("q:Sources/q:TextSource/q:PlainTextContent", NS) is None
    for ts in root.iterfind("q:Sources/q:TextSource", NS):
        g = ts.get("guid")
        assert ts.get("plainTextPath") == f"internal://{g}.txt"
        assert ts.get("richTextPath") == f"internal://{g}.docx"
        assert ts[0].tag == f"{{{NS['q']}}}Description" and not len(ts[0]) and ts[0].text is None
    for pts in root.iter(f"{{{NS['q']}}}PlainTextSelection"):
        assert pts.get("name") == ""
        assert pts[0].tag.endswith("Description")
        assert len(pts.findall("q:Coding", NS)) <= 1  # one selection per code application (Q7)
    guids = [e.get("guid") for e in root.iter() if e.get("guid")]
    assert all(g == g.lower() for g in guids)


def test_texts_have_bom_and_crlf_and_docx_twin(written):
    project, zf = written
    for g, src in project.sources.items():
        data = zf.read(f"Sources/{g}.txt")
        assert data.startswith(b"\xef\xbb\xbf")
        text = data[3:].decode("utf-8")
        assert text == to_crlf(src.text) and "\r\n" in text
        doc = docx.Document(io.BytesIO(zf.read(f"Sources/{g}.docx")))
        assert [p.text for p in doc.paragraphs] == src.text.replace("\r\n", "\n").rstrip("\n").split("\n")


def test_positions_are_utf16_units_over_written_text(written):
    """Slice the .txt independently (UTF-16 code units, BOM stripped) and compare with the model."""
    project, zf = written
    want = {c.guid: (src.guid, to_crlf(src.excerpt(sel))) for src, sel, c in project.iter_codings() if sel}
    root = etree.fromstring(zf.read("project.qde"))
    seen = 0
    for ts in root.iterfind("q:Sources/q:TextSource", NS):
        units = zf.read(f"Sources/{ts.get('guid')}.txt")[3:].decode("utf-8").encode("utf-16-le")
        for pts in ts.iterfind("q:PlainTextSelection", NS):
            a, b = int(pts.get("startPosition")), int(pts.get("endPosition"))
            coding = pts.find("q:Coding", NS)
            if coding is not None and coding.get("guid") in want:
                assert want[coding.get("guid")] == (ts.get("guid"), units[2 * a:2 * b].decode("utf-16-le"))
                seen += 1
    assert seen == len(want) == 6
    # The emoji (outside the BMP) and the CRLFs make UTF-16 differ from code points here.
    sel = project.sources["50000000-0000-4000-8000-000000000001"].selections[2]
    pts = root.find(f".//q:PlainTextSelection[@guid='{sel.guid}']", NS)
    assert int(pts.get("startPosition")) == sel.start + 1


def test_cases_as_codes_and_whole_text_case_coding(written):
    project, zf = written
    root = etree.fromstring(zf.read("project.qde"))
    code_guids = {c.get("guid") for c in root.iter(f"{{{NS['q']}}}Code")}
    assert set(project.cases) <= code_guids
    for case in project.cases.values():
        (sg,) = case.source_refs
        ts = root.find(f"q:Sources/q:TextSource[@guid='{sg}']", NS)
        n_units = len(zf.read(f"Sources/{sg}.txt")[3:].decode("utf-8").encode("utf-16-le")) // 2
        hits = [p for p in ts.iterfind("q:PlainTextSelection", NS)
                if p.find("q:Coding/q:CodeRef", NS).get("targetGUID") == case.guid]
        assert [(p.get("startPosition"), p.get("endPosition")) for p in hits] == [("0", str(n_units))]
        values = root.findall(f"q:Cases/q:Case[@guid='{case.guid}']/q:VariableValue", NS)
        assert len(values) == len(case.variable_values)


def test_annotation_note_and_link(tmp_path, rich_project, schema):
    """Annotations: a Note with a .txt in Sources/, linked to a selection without Coding (Q8)."""
    p = rich_project
    for g in [g for g, s in p.sources.items() if s.kind != "text"]:
        del p.sources[g]
    zf = zipfile.ZipFile(write_qdpx(p, tmp_path / "rich.qdpx"))
    root = etree.fromstring(zf.read("project.qde"))
    assert schema.validate(root), schema.error_log
    link = root.find("q:Links/q:Link[@name='annotates']", NS)
    note = root.find(f"q:Notes/q:Note[@guid='{link.get('originGUID')}']", NS)
    assert note.get("plainTextPath") == f"internal://{note.get('guid')}.txt"
    assert zf.read(f"Sources/{note.get('guid')}.txt") == b"\xef\xbb\xbfIronic tone here."
    anchor = root.find(f".//q:PlainTextSelection[@guid='{link.get('targetGUID')}']", NS)
    assert anchor is not None and anchor.find("q:Coding", NS) is None


def test_reproducible_bytes(tmp_path, small_project):
    a = write_qdpx(small_project, tmp_path / "a.qdpx").read_bytes()
    b = write_qdpx(small_project, tmp_path / "b.qdpx").read_bytes()
    assert a == b


def test_rejects_non_text_sources(tmp_path, rich_project):
    with pytest.raises(ValueError, match="text sources only"):
        write_qdpx(rich_project, tmp_path / "x.qdpx")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab\r\n😀é—"), max_size=40), st.data())
def test_utf16_offsets_match_brute_force(text, data):
    positions = data.draw(st.lists(st.integers(0, len(text)), max_size=8))
    got = utf16_offsets(text, positions)
    for p in positions:
        assert got[p] == len(to_crlf(text[:p]).encode("utf-16-le")) // 2 or (
            # a boundary inside a CRLF pair: the written prefix ends with the CR of that pair
            text[p - 1:p + 1] == "\r\n" and got[p] == len(to_crlf(text[:p - 1]).encode("utf-16-le")) // 2 + 1)
