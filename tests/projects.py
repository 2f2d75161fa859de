"""Canonical projects built in code, for writer round trips and table tests.

``small_project``: two interview transcripts (one with CRLF, emoji and non-ASCII text), a
three-level code tree, two coders, two cases with typed attributes, a memo and a set.
``rich_project``: ``small_project`` plus every other REFI-QDA element kind (PDF, picture, audio
and video sources with their selections, transcripts with sync points, a note with a selection,
an annotation link, a graph, source-level variable values, a coding of a whole source).
"""
from __future__ import annotations

from nvivo_bridge.model import (Blob, Case, Code, Coding, Edge, Graph, Link, Note, Project, Representation, Vertex,
                                Selection, Set, Source, SyncPoint, Transcript, User, Variable,
                                VariableValue)


def g(prefix: str, n: int) -> str:
    """A deterministic lower-case GUID such as ``c0000000-0000-4000-8000-000000000003``."""
    return f"{prefix:0<8}-0000-4000-8000-{n:012d}"


TEXT_1 = ("Pewawancara: Apa kebutuhan utama Anda?\r\n"
          "Informan: Kami butuh pelatihan yang sesuai — bukan sekadar seremonial 😀.\r\n"
          "Informan: Anggarannya terbatas, jadwalnya sering bentrok.\r\n")
TEXT_2 = ("Q: How did the sessions go?\n"
          "A: Sharing sessions were lively; \"belajar bareng\" is how we call it.\n"
          "A: Time was the main obstacle 🕒 for most members.\n")


def _sel(n: int, text: str, fragment: str, code: str, user: str, when: str = "2024-03-01T10:00:00Z") -> Selection:
    start = text.index(fragment)
    return Selection(guid=g("5e1", n), kind="text", start=start, end=start + len(fragment),
                     codings=[Coding(guid=g("c1", n), code=code, creating_user=user, created=when)],
                     meta={"creatingUser": user, "creationDateTime": when})


def small_project() -> Project:
    """Build the small canonical project (all positions in code points)."""
    p = Project(name="Studi KP Widyaiswara", origin="nvivo-bridge tests", created="2024-03-01T09:00:00Z",
                creating_user=g("a", 1))
    p.users = {g("a", 1): User(g("a", 1), "R1"), g("a", 2): User(g("a", 2), "R2", id="R2")}
    codes = [
        Code(g("c", 1), "Konteks (Context)", color="#1F77B4", description="CIPP context"),
        Code(g("c", 2), "Kebutuhan kompetensi", parent=g("c", 1), description="Training needs"),
        Code(g("c", 3), "Masukan (Input)", color="#FF7F0E", is_codable=False),
        Code(g("c", 4), "Anggaran", parent=g("c", 3)),
        Code(g("c", 5), "Proses (Process)"),
        Code(g("c", 6), "Partisipasi/keterlibatan", parent=g("c", 5)),
        Code(g("c", 7), "belajar bareng", parent=g("c", 6), description="in vivo"),
        Code(g("c", 8), "Hambatan waktu", parent=g("c", 6)),
    ]
    p.codes = {c.guid: c for c in codes}
    s1 = Source(g("50", 1), "Wawancara_I1", kind="text", text=TEXT_1,
                plain_text_path=f"internal://{g('50', 1)}.txt",
                meta={"creatingUser": g("a", 1), "creationDateTime": "2024-03-01T09:00:00Z"})
    s1.selections = [
        _sel(1, TEXT_1, "Kami butuh pelatihan yang sesuai — bukan sekadar seremonial 😀.", g("c", 2), g("a", 1)),
        _sel(2, TEXT_1, "Anggarannya terbatas", g("c", 4), g("a", 1)),
        _sel(3, TEXT_1, "jadwalnya sering bentrok", g("c", 8), g("a", 2), "2024-03-02T11:30:00Z"),
    ]
    s1.selections[1].codings.append(Coding(g("c1", 99), g("c", 2), g("a", 2), "2024-03-02T11:31:00Z"))
    s2 = Source(g("50", 2), "Wawancara_I2", kind="text", text=TEXT_2,
                plain_text_path=f"internal://{g('50', 2)}.txt")
    s2.selections = [
        _sel(4, TEXT_2, "\"belajar bareng\"", g("c", 7), g("a", 1)),
        _sel(5, TEXT_2, "Time was the main obstacle 🕒 for most members.", g("c", 8), g("a", 1)),
    ]
    p.sources = {s1.guid: s1, s2.guid: s2}
    p.variables = {
        g("d", 1): Variable(g("d", 1), "Peran", "Text", description="role in the community"),
        g("d", 2): Variable(g("d", 2), "Masa_kerja", "Integer"),
    }
    p.cases = {
        g("ca", 1): Case(g("ca", 1), "I1", source_refs=[s1.guid], variable_values=[
            VariableValue(g("d", 1), "Pengurus", "Text"), VariableValue(g("d", 2), "24", "Integer")]),
        g("ca", 2): Case(g("ca", 2), "I2", source_refs=[s2.guid], variable_values=[
            VariableValue(g("d", 1), "Anggota", "Text"), VariableValue(g("d", 2), "7", "Integer")]),
    }
    memo = Note(g("e", 1), "Memo anggaran", text="Budget appears in Input and in Process.",
                meta={"creatingUser": g("a", 1)})
    p.notes = {memo.guid: memo}
    s1.selections[1].note_refs.append(memo.guid)
    p.sets = {g("f", 1): Set(g("f", 1), "Hambatan", description="all obstacles",
                             member_codes=[g("c", 4), g("c", 8)], member_sources=[s1.guid])}
    return p


def rich_project() -> Project:
    """Build ``small_project`` extended with every other element kind."""
    p = small_project()
    p.description = "Every REFI-QDA element kind"
    p.base_path = "/data/kp"
    p.variables[g("d", 3)] = Variable(g("d", 3), "Tanggal", "Date")
    p.variables[g("d", 4)] = Variable(g("d", 4), "Aktif", "Boolean")
    p.variables[g("d", 5)] = Variable(g("d", 5), "Skor", "Float")
    p.variables[g("d", 6)] = Variable(g("d", 6), "Direkam", "DateTime")
    pdf_text = "Laporan tahunan komunitas praktisi.\nHalaman dua."
    pdf = Source(g("51", 1), "Laporan.pdf", kind="pdf", text=pdf_text, path="internal://" + g("51", 1) + ".pdf",
                 representation_guid=g("52", 1), representation_name="Laporan.txt",
                 file=Blob(g("51", 1) + ".pdf", data=b"%PDF-1.4\n%fake\n"))
    pdf.selections = [
        Selection(g("5f", 1), kind="pdf", page=1, first_x=12, first_y=40, second_x=300, second_y=90,
                  codings=[Coding(g("c2", 1), g("c", 2), g("a", 1))]),
        Selection(g("5f", 2), kind="text", start=0, end=34,
                  codings=[Coding(g("c2", 2), g("c", 4), g("a", 1))]),
    ]
    pdf.variable_values = [VariableValue(g("d", 3), "2023-12-31", "Date"),
                           VariableValue(g("d", 4), "true", "Boolean")]
    pic = Source(g("53", 1), "Foto sesi", kind="picture", path="internal://" + g("53", 1) + ".png",
                 file=Blob(g("53", 1) + ".png", data=b"\x89PNG\r\n\x1a\nfake"),
                 text_description=Representation(g("54", 1), "Keterangan", text="Peserta berdiskusi."))
    pic.selections = [Selection(g("5f", 3), kind="picture", first_x=10, first_y=10, second_x=200, second_y=120,
                                codings=[Coding(g("c2", 3), g("c", 7), g("a", 2))])]
    audio = Source(g("55", 1), "Rekaman FGD", kind="audio", path="relative:///fgd.mp3",
                   current_path="C:/data/fgd.mp3")
    audio.selections = [Selection(g("5f", 4), kind="audio", start=80500, end=130000,
                                  codings=[Coding(g("c2", 4), g("c", 8), g("a", 1))])]
    tr = Transcript(g("56", 1), "Transkrip FGD", text="M: Mulai.\nP: Waktu kami sempit.\n",
                    sync_points=[SyncPoint(g("57", 1), 0, 0), SyncPoint(g("57", 2), 5000, 10),
                                 SyncPoint(g("57", 3), 9000, 31)])
    tr.selections = [Selection(g("5f", 5), kind="transcript", from_sync=g("57", 2), to_sync=g("57", 3),
                               codings=[Coding(g("c2", 5), g("c", 8), g("a", 1))])]
    audio.transcripts = [tr]
    video = Source(g("58", 1), "Video sesi", kind="video", path="absolute:///C:/data/sesi.mp4")
    video.selections = [Selection(g("5f", 6), kind="video", start=1000, end=2500, codings=[])]
    video.codings = [Coding(g("c2", 6), g("c", 5), g("a", 1))]
    for s in (pdf, pic, audio, video):
        p.sources[s.guid] = s
    ann = Note(g("e", 2), "Anotasi", text="Ironic tone here.")
    ann.selections = [Selection(g("5f", 7), kind="text", start=0, end=6)]
    p.notes[ann.guid] = ann
    anchor = Selection(g("5f", 8), kind="text", start=0, end=11, codings=[])
    p.sources[g("50", 2)].selections.append(anchor)
    p.links = {g("b", 1): Link(g("b", 1), "annotates", "OneWay", origin=ann.guid, target=anchor.guid),
               g("b", 2): Link(g("b", 2), "related", "Associative", "#00AA00", g("c", 4), g("c", 8),
                               note_refs=[g("e", 1)])}
    p.graphs = {g("9", 1): Graph(g("9", 1), "Peta CIPP", vertices=[
        Vertex(g("91", 1), g("c", 1), "Konteks", 0, 0, 100, 40, "#1F77B4", "Rectangle"),
        Vertex(g("91", 2), g("c", 3), "Masukan", 150, 0, 250, 40, None, "Oval"),
    ], edges=[Edge(g("92", 1), g("91", 1), g("91", 2), name="leads to", direction="OneWay", line_style="solid")])}
    p.cases[g("ca", 1)].selection_refs.append(g("5e1", 1))
    p.cases[g("ca", 1)].variable_values.append(VariableValue(g("d", 5), "3.75", "Float"))
    p.cases[g("ca", 1)].variable_values.append(VariableValue(g("d", 6), "2024-03-01T09:00:00Z", "DateTime"))
    p.note_refs = [g("e", 1)]
    return p
