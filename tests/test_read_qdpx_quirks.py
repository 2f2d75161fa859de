"""Reader quirks beyond the container: position units (Q1, Q2, Q16), PDF/picture/media sources,
notes and links (Q8), cases (Q8, Q10) and duplicate GUIDs (Q9)."""
from __future__ import annotations

from nvivo_bridge import api
from qde_fixtures import G, codebook, pts, qdpx, text_source

C1, C2, S1 = G(1, "c"), G(2, "c"), G(1, "5")
EMOJI_TEXT = "Hi 😀 there\r\nSecond 😀😀 line\r\nThird line here\r\n"


def issue_codes(p, level=None):
    return [i.code for i in p.issues if level is None or i.level == level]


def u16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


def crlf1(text: str, cp: int) -> int:
    return cp - text[:cp].count("\r\n")


def _lines():
    t = EMOJI_TEXT
    a = t.index("Second")
    b = t.index("Third")
    return [(a, t.index("\r\n", a)), (b, t.index("\r\n", b))]


def _nvivo_win(tmp_path, unit_fn=u16, origin="NVivo for Windows 12.6", name="n.qdpx"):
    """An NVivo-Win-shaped archive: CRLF + indented .qde, Sources/ folder, BOM + CRLF text."""
    sels = "".join(pts(G(i, "e"), unit_fn(EMOJI_TEXT, s), unit_fn(EMOJI_TEXT, e), C1) for i, (s, e) in
                   enumerate(_lines(), 1))
    body = ("\r\n  " + codebook((C1, "a")) + "\r\n  <Sources>\r\n    "
            + text_source(S1, sels, path=f"internal://{S1}.txt") + "\r\n  </Sources>\r\n")
    files = {f"Sources/{S1}.txt": "\ufeff" + EMOJI_TEXT}
    return qdpx(tmp_path, body, files, name=name, origin=origin)


def _excerpts(p):
    src = p.sources[S1]
    return [src.excerpt(s) for s in src.selections]


def test_nvivo_utf16_positions_converted(tmp_path):
    p = api.read(_nvivo_win(tmp_path))
    assert p.producer == "nvivo-win" and p.position_unit == "utf16"
    assert _excerpts(p) == ["Second 😀😀 line", "Third line here"]
    assert p.sources[S1].text == EMOJI_TEXT  # BOM stripped, CRLF kept
    assert "position-unit" in issue_codes(p, "info")


def test_positions_option_overrides(tmp_path):
    p = api.read(_nvivo_win(tmp_path, unit_fn=lambda t, cp: cp), positions="codepoint")
    assert p.position_unit == "codepoint" and _excerpts(p) == ["Second 😀😀 line", "Third line here"]


def test_nvivo_origin_contradicted_by_data(tmp_path):
    # Positions in code points although the structure is NVivo's: the data wins, with a warning.
    p = api.read(_nvivo_win(tmp_path, unit_fn=lambda t, cp: cp))
    assert p.position_unit == "codepoint"
    assert "position-unit-contradicts-producer" in issue_codes(p, "warning")
    assert _excerpts(p) == ["Second 😀😀 line", "Third line here"]


def test_nvivo_origin_without_nvivo_structure_is_scored(tmp_path):
    sels = "".join(pts(G(i, "e"), u16(EMOJI_TEXT, s), u16(EMOJI_TEXT, e), C1) for i, (s, e) in enumerate(_lines(), 1))
    body = codebook((C1, "a")) + "<Sources>" + text_source(S1, sels, path=f"internal://{S1}.txt") + "</Sources>"
    p = api.read(qdpx(tmp_path, body, {f"sources/{S1}.txt": EMOJI_TEXT}, origin="NVivo for Windows 12.6"))
    assert p.producer == "nvivo-rewritten"
    assert {"producer-origin-mismatch", "position-unit-guessed"} <= set(issue_codes(p, "warning"))
    assert p.position_unit == "utf16" and _excerpts(p)[0] == "Second 😀😀 line"


def test_atlas_counts_crlf_as_one(tmp_path):
    text = "First line\r\nSecond line\r\nThird line\r\n"
    s, e = text.index("Third"), text.index("Third") + len("Third line")
    body = (f'<Users><User guid="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B" name="ATLAS.ti"/></Users>'
            + codebook((C1, "a")) + "<Sources>"
            + text_source(S1, pts(G(1, "e"), crlf1(text, s), crlf1(text, e), C1), path=f"internal://{S1}.txt")
            + "</Sources>")
    p = api.read(qdpx(tmp_path, body, {f"sources/{S1}.txt": text}, origin="ATLAS.ti 8.4.0 573 , macOS"))
    assert p.producer == "atlasti" and p.position_unit == "codepoint-crlf1"
    assert _excerpts(p) == ["Third line"]


def test_unknown_producer_guesses_with_warning(tmp_path):
    lf = EMOJI_TEXT.replace("\r\n", "\n")  # inline XML text: the parser turns CRLF into LF anyway
    spans = [(lf.index("Second"), lf.index(" line\nThird")), (lf.index("Third"), len(lf) - 1)]
    sels = "".join(pts(G(i, "e"), u16(lf, s), u16(lf, e), C1) for i, (s, e) in enumerate(spans, 1))
    body = codebook((C1, "a")) + "<Sources>" + text_source(S1, sels, text=lf) + "</Sources>"
    p = api.read(qdpx(tmp_path, body, origin="SomeTool 2.0"))
    assert p.producer == "unknown" and p.position_unit == "utf16"
    assert "position-unit-guessed" in issue_codes(p, "warning")


def test_positions_outside_text_clamped(tmp_path):
    body = codebook((C1, "a")) + "<Sources>" + text_source(S1, pts(G(1, "e"), 3, 99, C1), text="short") + "</Sources>"
    p = api.read(qdpx(tmp_path, body))
    sel = p.sources[S1].selections[0]
    assert (sel.start, sel.end) == (3, 5) and "position-out-of-range" in issue_codes(p, "warning")


def test_no_positions_means_unknown_unit(tmp_path):
    p = api.read(qdpx(tmp_path, codebook((C1, "a"))))
    assert p.position_unit == "unknown"


# -- PDF, picture, audio, video ----------------------------------------------------------------
def test_pdf_source_representation_and_selections(tmp_path):
    rep_text = "Laporan tahunan.\nHalaman dua."
    pdf_sel_rep = (f'<Representation guid="{G(9, "7")}" name="sel-rep"><PlainTextContent>Halaman</PlainTextContent>'
                   f'</Representation>')
    body = (codebook((C1, "a"), (C2, "b")) + "<Sources>"
            f'<PDFSource guid="{G(2, "5")}" name="Laporan.pdf" path="internal://{G(2, "5")}.pdf" currentPath="C:/x.pdf">'
            f'<PDFSelection guid="{G(1, "e")}" page="1" firstX="1" firstY="2" secondX="30" secondY="40">'
            f'{pdf_sel_rep}<Coding guid="{G(1, "f")}"><CodeRef targetGUID="{C1}"/></Coding></PDFSelection>'
            f'<Representation guid="{G(3, "7")}" name="Laporan.txt" plainTextPath="internal://{G(3, "7")}.txt">'
            + pts(G(1, "e"), 0, 7, C2, coding_guid=G(2, "f")) + "</Representation></PDFSource></Sources>")
    files = {f"sources/{G(2, '5')}.pdf": b"%PDF-1.4 fake", f"sources/{G(3, '7')}.txt": rep_text}
    p = api.read(qdpx(tmp_path, body, files))
    src = p.sources[G(2, "5")]
    assert src.kind == "pdf" and src.text == rep_text and src.representation_guid == G(3, "7")
    assert src.representation_name == "Laporan.txt" and src.current_path == "C:/x.pdf"
    assert src.file.member == f"sources/{G(2, '5')}.pdf" and src.file.size == 13 and src.file.data is None
    pdf_sel, text_sel = src.selections
    assert (pdf_sel.kind, pdf_sel.page, pdf_sel.second_y) == ("pdf", 1, 40)
    assert pdf_sel.representation.text == "Halaman"
    assert text_sel.kind == "text" and src.excerpt(text_sel) == "Laporan"
    # ATLAS.ti reuses a GUID for the PDF selection and the representation's selection: info only.
    assert "guid-reused-across-kinds" in issue_codes(p, "info")
    assert "duplicate-guid" not in issue_codes(p)


def test_picture_and_media_sources(tmp_path):
    transcript = "M: Mulai.\nP: Waktu kami sempit.\n"
    body = (codebook((C1, "a")) + "<Sources>"
            f'<PictureSource guid="{G(4, "5")}" name="Foto" path="internal://{G(4, "5")}.png">'
            f'<TextDescription guid="{G(5, "7")}" name="cap"><PlainTextContent>Peserta</PlainTextContent></TextDescription>'
            f'<PictureSelection guid="{G(3, "e")}" firstX="1" firstY="2" secondX="3" secondY="4"/></PictureSource>'
            f'<AudioSource guid="{G(5, "5")}" name="" path="relative:///fgd.mp3">'
            f'<Transcript guid="{G(6, "7")}" name="Transkrip FGD"><PlainTextContent>{transcript}</PlainTextContent>'
            f'<SyncPoint guid="{G(1, "8")}" timeStamp="5000" position="10"/>'
            f'<SyncPoint guid="{G(2, "8")}" timeStamp="9000" position="31"/>'
            f'<TranscriptSelection guid="{G(4, "e")}" fromSyncPoint="{G(1, "8")}" toSyncPoint="{G(2, "8")}">'
            f'<Coding guid="{G(3, "f")}"><CodeRef targetGUID="{C1}"/></Coding></TranscriptSelection></Transcript>'
            f'<AudioSelection guid="{G(5, "e")}" begin="80500" end="130000"/></AudioSource>'
            f'<VideoSource guid="{G(6, "5")}" name="Video" path="internal://v.mp4">'
            f'<VideoSelection guid="{G(6, "e")}" begin="1000" end="2500"/></VideoSource></Sources>')
    media = tmp_path / "t Media"
    media.mkdir()
    (media / "fgd.mp3").write_bytes(b"ID3fake")
    p = api.read(qdpx(tmp_path, body, {f"sources/{G(4, '5')}.png": b"\x89PNG", "sources/v.mp4": b"mp4"}))
    pic, audio, video = (p.sources[G(i, "5")] for i in (4, 5, 6))
    assert pic.text_description.text == "Peserta" and pic.file.name == f"{G(4, '5')}.png"
    assert pic.selections[0].kind == "picture" and pic.selections[0].second_y == 4
    assert audio.name == "Transkrip FGD"  # Q9: nameless media source takes the transcript name
    assert audio.file.file.endswith("fgd.mp3")  # ATLAS.ti "<name> Media" folder beside the project
    tr = audio.transcripts[0]
    assert [sp.position for sp in tr.sync_points] == [10, 31]
    assert tr.selections[0].kind == "transcript" and tr.selections[0].text == transcript[10:31]
    assert (audio.selections[0].kind, audio.selections[0].start, audio.selections[0].end) == ("audio", 80500, 130000)
    assert video.selections[0].kind == "video" and video.file.member == "sources/v.mp4"


def test_notes_links_and_variable_values(tmp_path):
    body = (codebook((C1, "a"))
            + '<Variables><Variable guid="' + G(1, "d") + '" name="Peran" typeOfVariable="Text"/></Variables>'
            + "<Sources>" + text_source(S1, pts(G(1, "e"), 0, 2),
                                        text="ab cd", extra="") .replace(
                "</TextSource>", f'<VariableValue><VariableRef targetGUID="{G(1, "d")}"/><TextValue>x</TextValue>'
                                 f'</VariableValue></TextSource>')
            + "</Sources>"
            f'<Notes><Note guid="{G(1, "9")}" name="Anotasi" plainTextPath="internal://{G(1, "9")}.txt"/></Notes>'
            f'<Links><Link guid="{G(1, "b")}" direction="OneWay" originGUID="{G(1, "9")}" targetGUID="{G(1, "e")}"/></Links>'
            f'<NoteRef targetGUID="{G(1, "9")}"/>')
    p = api.read(qdpx(tmp_path, body, {f"sources/{G(1, '9')}.txt": "Ironic tone."}))
    assert p.notes[G(1, "9")].text == "Ironic tone."
    link = p.links[G(1, "b")]
    assert (link.origin, link.target) == (G(1, "9"), G(1, "e"))
    vv = p.sources[S1].variable_values[0]
    assert (vv.variable, vv.value, vv.type, vv.origin) == (G(1, "d"), "x", "Text", "source")
    assert p.note_refs == [G(1, "9")]


# -- cases (Q8, Q10) ---------------------------------------------------------------------------
def test_nvivo_cases_as_codes(tmp_path):
    case = G(1, "ca")
    sels = pts(G(1, "e"), 0, 2, C1) + pts(G(2, "e"), 0, 2, case) + pts(G(3, "e"), 3, 5, case)
    body = (codebook((C1, "theme"), (case, "I1")) + f'<Cases><Case guid="{case}" name="I1"/></Cases>'
            + "<Sources>" + text_source(S1, sels, text="ab cd") + "</Sources>")
    p = api.read(qdpx(tmp_path, body))
    assert list(p.codes) == [C1]
    assert p.cases[case].selection_refs == [G(2, "e"), G(3, "e")]
    assert [len(s.codings) for s in p.sources[S1].selections] == [1, 0, 0]
    assert {"case-code-removed", "case-coding"} <= set(issue_codes(p, "info"))


def test_nameless_case_is_source_attributes(tmp_path):
    var = G(1, "d")
    cases = (f'<Cases><Case guid="{G(1, "ca")}"><VariableValue><VariableRef targetGUID="{var}"/>'
             f'<IntegerValue>24</IntegerValue></VariableValue><SourceRef targetGUID="{S1}"/></Case>'
             f'<Case guid="{G(2, "ca")}" name="Kept"><SourceRef targetGUID="{S1}"/></Case></Cases>')
    body = (f'<Variables><Variable guid="{var}" name="Masa" typeOfVariable="Integer"/></Variables>' + cases
            + "<Sources>" + text_source(S1, text="x") + "</Sources>")
    p = api.read(qdpx(tmp_path, body))
    assert list(p.cases) == [G(2, "ca")]
    vv = p.sources[S1].variable_values[0]
    assert (vv.value, vv.type, vv.origin) == ("24", "Integer", "case-as-source")
    assert "case-as-source" in issue_codes(p, "info")


# -- duplicate GUIDs ---------------------------------------------------------------------------
def test_duplicate_guids_within_a_kind(tmp_path):
    body = (codebook((C1, "a"), (C1, "b")) + "<Sources>" + text_source(S1, pts(G(1, "e"), 0, 1, C1)
                                                                       + pts(G(1, "e"), 1, 2, C1, coding_guid=G(9, "f")),
                                                                       text="ab")
            + text_source(S1, text="second source") + "</Sources>")
    p = api.read(qdpx(tmp_path, body))
    assert len(p.codes) == 2 and len(p.sources) == 2  # both kept, the second under a new GUID
    assert sorted(s.text for s in p.sources.values()) == ["ab", "second source"]
    assert issue_codes(p, "warning").count("duplicate-guid") >= 2
    assert "duplicate-guid-renamed" in issue_codes(p, "warning")


def test_positions_over_a_missing_text_are_flagged(tmp_path):
    sels = pts(G(1, "e"), 0, 4, C1)
    body = codebook((C1, "a")) + "<Sources>" + text_source(S1, sels, path="internal://gone.txt") + "</Sources>"
    p = api.read(qdpx(tmp_path, body), positions="utf16")
    sel = p.sources[S1].selections[0]
    assert (sel.start, sel.end) == (0, 4) and p.sources[S1].text is None
    assert {"source-text-missing", "positions-unconverted"} <= set(issue_codes(p, "warning"))
