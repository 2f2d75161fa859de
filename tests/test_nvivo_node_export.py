"""Node/code reference exports: every documented variant, read through the public reader."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvivo_bridge.errors import Diagnostics, ReadError
from nvivo_bridge.options import ReadOptions
from nvivo_bridge.readers.nvivo import read

DATA = Path(__file__).parent / "data" / "nvivo"


def _read(path: Path, **extra):
    diag = Diagnostics()
    return read(path, diag, ReadOptions(extra=extra)), diag


def _codes(diag: Diagnostics) -> list[str]:
    return [i.code for i in diag.finish()]


def _texts(project, source_name: str) -> list:
    src = next(s for s in project.sources.values() if s.name == source_name)
    return [(s.kind, s.text, len(s.codings), s.extras.get("nvivo:coverage")) for s in src.selections]


def _win(text: str) -> bytes:
    return b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le")


def _mac(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def test_windows_utf16_crlf_decimal_comma_and_reference_range():
    project, diag = _read(DATA / "Community needs.txt")
    assert project.position_unit == "unknown"
    assert [c.name for c in project.codes.values()] == ["Community needs"]
    assert [s.name for s in project.sources.values()] == ["Interview 1", "Interview 2"]
    assert _texts(project, "Interview 1") == [
        ("text", "We never had a youth centre in this part of town.", 1, 1.23),
        ("text", "Staff were hired before the budget was confirmed.\nNobody asked us.", 2, 4.20)]
    src = next(iter(project.sources.values()))
    assert src.extras["nvivo:folder"] == "Files\\\\Interviews"
    assert all(s.start is None and s.end is None for _, s in project.iter_selections())
    assert src.selections[1].extras["nvivo:reference"] == "2-3"
    assert project.counts()["codings"] == 4  # § 3 + § 1
    assert not diag.warnings


def test_mac_utf8_bom_lf_with_pdf_and_media_locators():
    project, diag = _read(DATA / "Input" / "Timing.txt")
    sels = [s for _, s in project.iter_selections()]
    assert [s.kind for s in sels] == ["text", "pdf", "audio"]
    pdf = sels[1]
    assert (pdf.page, pdf.first_x, pdf.first_y, pdf.second_x, pdf.second_y) == (3, 72, 140, 510, 222)
    assert pdf.text is None and pdf.extras["nvivo:locator"] == "Page 3 : (72,140) - (510,222)"
    assert (sels[2].start, sels[2].end) == (80_500, 130_000)
    kinds = {s.name: s.kind for s in project.sources.values()}
    assert kinds == {"Interview 1": "pdf", "interview  3": "audio"}
    assert not diag.warnings


def test_picture_region_and_video_and_internals_folder(tmp_path):
    f = tmp_path / "Images.txt"
    f.write_bytes(_mac("Internals\\\\Photos\\\\Yard - § 1 reference coded [ 3.00% Coverage]\n"
                       "Reference 1 - 3.00% Coverage\nRegion: (10,20) - (200,140)\n"
                       "Externals\\\\Clip - § 1 reference coded [ 1.00% Coverage]\n"
                       "Reference 1 - 1.00% Coverage\nVideo: 1:02 - 1:05,5\n"))
    project, diag = _read(f)
    sels = [s for _, s in project.iter_selections()]
    assert [(s.kind, s.first_x, s.second_y) for s in sels[:1]] == [("picture", 10, 140)]
    assert (sels[1].kind, sels[1].start, sels[1].end) == ("video", 62_000, 65_500)
    assert [s.extras["nvivo:folder"] for s in project.sources.values()] == ["Internals\\\\Photos", "Externals"]


def test_docx_same_grammar_as_text(tmp_path):
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    for line in ["<Files\\\\Interviews\\\\Interview 1> - § 2 references coded  [5,43% Coverage]", "",
                 "Reference 1 - 1,23% Coverage", "", "First paragraph.", "", "Second paragraph.", "",
                 "Reference 2 - 4,20% Coverage", "", "Last one.", ""]:
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    f = tmp_path / "Budget.docx"
    f.write_bytes(buf.getvalue())
    project, diag = _read(f)
    assert [c.name for c in project.codes.values()] == ["Budget"]
    assert _texts(project, "Interview 1") == [("text", "First paragraph.\n\nSecond paragraph.", 1, 1.23),
                                              ("text", "Last one.", 1, 4.20)]
    assert not diag.warnings


def test_html_best_effort(tmp_path):
    f = tmp_path / "Process.htm"
    f.write_text("<!DOCTYPE html><html><head><title>x</title><style>p{}</style></head><body>"
                 "<p>&lt;Codes\\\\Files\\\\Site visit&gt; - § 1 reference coded  [2.50% Coverage]</p>"
                 "<p>Reference 1 - 2.50% Coverage</p><p>The  hall was <b>cold</b>.</p></body></html>",
                 encoding="utf-8")
    project, diag = _read(f)
    assert _texts(project, "Site visit") == [("text", "The hall was cold.", 1, 2.5)]


def test_code_name_option_and_parent_child_file_name(tmp_path):
    f = tmp_path / "x.txt"
    f.write_bytes((DATA / "Community needs.txt").read_bytes())
    project, _ = _read(f, code_name="Context\\Needs")
    assert list(project.code_paths().values()) == ["Context", "Context/Needs"]


def test_translated_words_via_option(tmp_path):
    f = tmp_path / "Bedarf.txt"
    f.write_bytes(_win("<Dateien\\\\Interview 1> - § 1 Referenz codiert  [1,00% Abdeckung]\n\n"
                       "Referenz 1 - 1,00% Abdeckung\n\nText eins.\n\n"))
    project, diag = _read(f, ui_words={"source_folders": ["Dateien"]})
    assert _texts(project, "Interview 1") == [("text", "Text eins.", 1, 1.0)]
    yaml_file = tmp_path / "words.yaml"
    yaml_file.write_text("coverage: [Abdeckung]\n", encoding="utf-8")
    g = tmp_path / "OhneKopf.txt"
    g.write_bytes(_mac("Referenz 1 - 1,00% Abdeckung\nNur Text.\n"))
    project, diag = _read(g, ui_words=str(yaml_file))
    assert [s.text for _, s in project.iter_selections()] == ["Nur Text."]
    assert "reference-without-source" in _codes(diag)


def test_truncated_file_warns_with_counts(tmp_path):
    f = tmp_path / "Cut.txt"
    raw = (DATA / "Community needs.txt").read_bytes()
    f.write_bytes(raw[: raw.index("References 2-3".encode("utf-16-le"))])  # cut inside Interview 1
    project, diag = _read(f)
    assert "reference-count-mismatch" in _codes(diag)
    assert project.counts()["selections"] >= 1


def test_header_without_references_and_stray_text(tmp_path):
    f = tmp_path / "Odd.txt"
    f.write_bytes(_mac("stray words\nFiles\\\\A - § 2 references coded [ 1.00% Coverage]\n"
                       "Files\\\\B - § 1 reference coded [ 1.00% Coverage]\nReference 1 - 1.00% Coverage\nok\n"))
    project, diag = _read(f)
    codes = _codes(diag)
    assert "source-without-references" in codes and "unparsed-text" in codes
    assert [s.name for s in project.sources.values()] == ["A", "B"]


def test_utf16_without_bom(tmp_path):
    f = tmp_path / "NoBom.txt"
    f.write_bytes((DATA / "Community needs.txt").read_bytes()[2:])
    project, _ = _read(f)
    assert project.counts()["codings"] == 4


def test_unknown_file_lists_supported_formats(tmp_path):
    f = tmp_path / "letter.txt"
    f.write_text("Dear committee,\nplease find attached.\n")
    with pytest.raises(ReadError) as err:
        _read(f)
    assert "Export Node/Code" in str(err.value) and "classification sheet" in str(err.value)
    b = tmp_path / "blob.docx"
    b.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ReadError):
        _read(b)


_LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="§\u0085"),
                min_size=1, max_size=30).map(str.strip).filter(lambda s: s and not s[0].isdigit())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_LINE, st.lists(st.lists(_LINE, min_size=1, max_size=3), min_size=1, max_size=4)),
                min_size=1, max_size=4, unique_by=lambda t: t[0]), st.booleans())
def test_render_parse_roundtrip(tmp_path_factory, blocks, windows):
    """Whatever the excerpts, rendering them in NVivo's grammar and reading back gives them back."""
    out = []
    for name, refs in blocks:
        name = name.replace("\\", "/").replace(">", ")").replace("<", "(")
        cov = "1,00" if windows else "1.00"
        head = f"<Files\\\\{name}> - § {len(refs)} references coded  [{cov}% Coverage]" if windows else \
            f"Files\\\\{name} - § {len(refs)} references coded [ {cov}% Coverage]"
        out.append(head)
        for i, paras in enumerate(refs, 1):
            out.append(f"Reference {i} - {cov}% Coverage")
            out.append("\n".join(paras))
    sep = "\n\n" if windows else "\n"
    text = sep.join(out) + sep
    f = tmp_path_factory.mktemp("rt") / "Code.txt"
    f.write_bytes(_win(text) if windows else _mac(text))
    diag = Diagnostics()
    project = read(f, diag, ReadOptions())
    got = [s.text for _, s in project.iter_selections()]
    assert got == ["\n".join(p) for _, refs in blocks for p in refs]
    assert not diag.warnings
