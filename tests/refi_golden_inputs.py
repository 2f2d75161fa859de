"""Build the hand-made REFI-QDA inputs of the golden tests into tests/data/refi/.

Run ``python tests/refi_golden_inputs.py`` to rebuild them (they are committed; no third-party
data).  Each imitates one producer's shape: NVivo for Windows (UTF-16 positions over a BOM+CRLF
text with emoji, case coding, an annotation link), ATLAS.ti (CRLF counted once, PDF with a
representation whose selection reuses the PDF selection's GUID, picture, audio with a
transcript), MAXQDA as a bare .qde (nameless case holding document variables, rgb() colour),
and an ATLAS.ti codebook in the 0:4 namespace.
"""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from qde_fixtures import G, pts, qde  # noqa: E402

OUT = HERE / "data" / "refi"
TEXT = "Pewawancara: Apa kebutuhan utama?\r\nInforman: Pelatihan 😀 yang sesuai.\r\nInforman: Waktu 🕒 sempit.\r\n"


def u16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


def span(text: str, start_word: str, end_word: str) -> tuple[int, int]:
    s = text.index(start_word)
    return s, text.index(end_word, s) + len(end_word)


def nvivo_win() -> None:
    src, case, code, note = G(1, "5"), G(1, "ca"), G(1, "c"), G(1, "9")
    s1, s2 = span(TEXT, "Informan: Pel", "sesuai."), span(TEXT, "Informan: Wak", "sempit.")
    sels = (pts(G(1, "e"), u16(TEXT, s1[0]), u16(TEXT, s1[1]), code, G(1, "f"))
            + pts(G(2, "e"), u16(TEXT, s1[0]), u16(TEXT, s1[1]), case, G(2, "f"))
            + pts(G(3, "e"), u16(TEXT, s2[0]), u16(TEXT, s2[1])))
    body = (f'\r\n  <Users>\r\n    <User guid="{G(1, "a")}" name="R1" />\r\n  </Users>\r\n  <CodeBook><Codes>'
            f'<Code guid="{code}" name="Kebutuhan" isCodable="true" color="#1f77b4"><Description /></Code>'
            f'<Code guid="{case}" name="I1" isCodable="true" /></Codes></CodeBook>\r\n'
            f'  <Cases>\r\n    <Case guid="{case}" name="I1"><Description /></Case>\r\n  </Cases>\r\n'
            f'  <Sources>\r\n    <TextSource guid="{src}" name="Wawancara I1" plainTextPath="internal://{src}.txt" '
            f'richTextPath="internal://{src}.docx"><Description />{sels}</TextSource>\r\n  </Sources>\r\n'
            f'  <Notes>\r\n    <Note guid="{note}" name="Annotation" plainTextPath="internal://{note}.txt" />\r\n  </Notes>\r\n'
            f'  <Links>\r\n    <Link guid="{G(1, "b")}" direction="OneWay" originGUID="{note}" targetGUID="{G(3, "e")}" />'
            f'\r\n  </Links>\r\n')
    with zipfile.ZipFile(OUT / "nvivo-win-emoji.qdpx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde(body, origin="NVivo for Windows 12.6").encode("utf-8"))
        zf.writestr(f"Sources/{src}.txt", ("\ufeff" + TEXT).encode("utf-8"))
        zf.writestr(f"Sources/{src}.docx", b"PK fake docx")
        zf.writestr(f"Sources/{note}.txt", "\ufeffIronic tone.".encode("utf-8"))


def atlas_media() -> None:
    up = lambda g: g.upper()  # noqa: E731 - ATLAS.ti writes upper-case GUIDs
    pdf, rep, pic, aud, code = (up(G(i, "5")) for i in (1, 2, 3, 4, 5))
    text = "Laporan tahunan.\r\nHalaman dua.\r\n"
    s = span(text, "Halaman", "dua")
    crlf1 = lambda cp: cp - text[:cp].count("\r\n")  # noqa: E731
    shared = up(G(7, "e"))
    body = (f'<Users><User guid="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B" name="ATLAS.ti"/></Users>'
            f'<CodeBook><Codes><Code guid="{code}" name="Masukan" isCodable="true" color="#F80"/></Codes></CodeBook>'
            f'<Sources><PDFSource guid="{pdf}" name="Laporan.pdf" path="internal://{pdf}.pdf">'
            f'<PDFSelection guid="{shared}" name="Laporan…" page="0" firstX="10" firstY="20" secondX="200" secondY="60">'
            f'<Coding guid="{up(G(1, "f"))}"><CodeRef targetGUID="{code}"/></Coding></PDFSelection>'
            f'<Representation guid="{rep}" name="Laporan.txt" plainTextPath="internal://{rep}.txt">'
            f'<PlainTextSelection guid="{shared}" name="Halaman dua" startPosition="{crlf1(s[0])}" endPosition="{crlf1(s[1])}">'
            f'<Coding guid="{up(G(2, "f"))}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
            f'</Representation></PDFSource>'
            f'<PictureSource guid="{pic}" name="Foto" path="internal://{pic}.png">'
            f'<PictureSelection guid="{up(G(8, "e"))}" firstX="1" firstY="2" secondX="30" secondY="40"/></PictureSource>'
            f'<AudioSource guid="{aud}" name="" path="relative:///{aud}.mp3">'
            f'<Transcript guid="{up(G(6, "7"))}" name="FGD transcript" plainTextPath="internal://{rep}.txt">'
            f'<SyncPoint guid="{up(G(1, "8"))}" timeStamp="0" position="0"/>'
            f'<SyncPoint guid="{up(G(2, "8"))}" timeStamp="4000" position="{crlf1(s[0])}"/>'
            f'<TranscriptSelection guid="{up(G(9, "e"))}" fromSyncPoint="{up(G(1, "8"))}" toSyncPoint="{up(G(2, "8"))}"/>'
            f'</Transcript><AudioSelection guid="{up(G(10, "e"))}" begin="0" end="4000"/></AudioSource></Sources>')
    with zipfile.ZipFile(OUT / "atlas-media.qdpx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("atlas media.qde", qde(body, origin="ATLAS.ti 8.4.0 573 , macOS").encode("utf-8"))
        zf.writestr(f"sources/{pdf}.pdf", b"%PDF-1.4 fake")
        zf.writestr(f"sources/{rep}.txt", text.encode("utf-8"))
        zf.writestr(f"sources/{pic}.png", b"\x89PNG fake")


def maxqda_bare() -> None:
    up = lambda g: g.upper()  # noqa: E731
    src, var, code = up(G(1, "5")), up(G(1, "d")), up(G(1, "c"))
    body = (f'<CodeBook><Codes><Code guid="{code}" name="Themes" isCodable="true" color="rgb(31,119,180,0.5)">'
            f'<Description>all themes</Description></Code></Codes></CodeBook>'
            f'<Variables><Variable guid="{var}" name="Role" typeOfVariable="Text"/></Variables>'
            f'<Cases><Case guid="{up(G(1, "ca"))}"><VariableValue><VariableRef targetGUID="{var}"/>'
            f'<TextValue>Teacher</TextValue></VariableValue><SourceRef targetGUID="{src}"/></Case></Cases>'
            f'<Sources><TextSource guid="{src}" name="Doc 1" plainTextPath="internal://{src}.txt">'
            + pts(up(G(1, "e")), 0, 5).replace("></PlainTextSelection>", "><Description>memo</Description>"
                                                                       "</PlainTextSelection>")
            + '</TextSource></Sources>'
            f'<Sets><Set guid="{up(G(1, "f"))}" name="Docs"><MemberSource targetGUID="{src}"/></Set></Sets>')
    (OUT / "maxqda-bare.qde").write_text(qde(body, origin="MAXQDA 24 (Release 24.7.0)"), encoding="utf-8")
    (OUT / "sources").mkdir(exist_ok=True)
    (OUT / "sources" / f"{src}.txt").write_text("Hello world\n", encoding="utf-8")


def codebook_04() -> None:
    c1, c2 = G(1, "c").upper(), G(2, "c").upper()
    (OUT / "atlas-codebook-0-4.qdc").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:0:4" origin="ATLAS.ti Win 26.1.1">'
        f'<Codes><Code guid="{{{c1}}}" name="Konteks" isCodable="true" color="#46AA00"><Description>CIPP context</Description>'
        f'<Code guid="{c2}" name="Kebutuhan" isCodable="true"/></Code></Codes>'
        f'<Sets><Set guid="{G(1, "f").upper()}" name="group"><MemberCode guid="{c2}"/></Set></Sets></CodeBook>',
        encoding="utf-8")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for build in (nvivo_win, atlas_media, maxqda_bare, codebook_04):
        build()
