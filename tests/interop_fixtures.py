"""Fixtures of our own for the real-client round trips (QualCoder, Taguette): every shape QualCoder's
import is known to mishandle, built in code (no third-party data)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import nvivo_bridge as nb
from nvivo_bridge.model import Code, Coding, Note, Selection, Source, VariableValue
from projects import g, small_project


def tricky_project():
    """``small_project`` (CRLF + emoji text, three-level tree, two coders on one selection, cases,
    typed attributes, a memo) plus: a code name used twice, codings made at a code with children,
    a coded non-codable leaf, a source without a name, two sources with one name, notes on a code
    and a source, a note without name or date, a coding of a whole source, a case linked to a
    selection, and source attributes."""
    p = small_project()
    text = p.sources[g("50", 1)].text
    p.codes[g("c", 9)] = Code(g("c", 9), "Anggaran", parent=g("c", 5))  # also under "Masukan (Input)"
    p.codes[g("c", 10)] = Code(g("c", 10), "Catatan", is_codable=False)
    s1 = p.sources[g("50", 1)]
    start = text.index("Pewawancara")
    s1.selections.append(Selection(g("5e1", 20), start=start, end=start + 37,
                                   codings=[Coding(g("c1", 20), g("c", 1), g("a", 1)),   # parent with children
                                            Coding(g("c1", 21), g("c", 9), g("a", 2)),   # the second "Anggaran"
                                            Coding(g("c1", 22), g("c", 10), g("a", 1))],  # non-codable leaf
                                   meta={"creatingUser": g("a", 1)}))
    crlf = text.index("\r\n") + 2  # a selection across a Windows line break
    s1.selections.append(Selection(g("5e1", 21), start=crlf - 10, end=crlf + 8,
                                   codings=[Coding(g("c1", 23), g("c", 8), g("a", 1))],
                                   meta={"creatingUser": g("a", 1)}))
    s1.codings.append(Coding(g("c1", 24), g("c", 5), g("a", 2)))  # the whole source
    nameless = Source(g("50", 3), None, text="Catatan lapangan.\nTanpa nama berkas.\n",
                      plain_text_path="relative://catatan_lapangan.txt")
    nameless.selections = [Selection(g("5e1", 30), start=0, end=17,
                                     codings=[Coding(g("c1", 30), g("c", 4), g("a", 1))])]
    twin = Source(g("50", 4), "Wawancara_I2", text="Second file with the name of another.\n",
                  plain_text_path="internal://x.txt")
    twin.selections = [Selection(g("5e1", 40), start=0, end=11, codings=[Coding(g("c1", 40), g("c", 7))])]
    twin.variable_values = [VariableValue(g("d", 1), "Lampiran", "Text")]
    p.sources.update({nameless.guid: nameless, twin.guid: twin})
    code_note = Note(g("e", 2), "Definisi", text="Kode ini untuk hambatan waktu.", meta={"creatingUser": g("a", 2)})
    src_note = Note(g("e", 3), "Tentang I2", text="Wawancara kedua, via telepon.")
    bare_note = Note(g("e", 4), None, text="A note with no name and no date.\r\nSecond line.")
    p.notes.update({n.guid: n for n in (code_note, src_note, bare_note)})
    p.codes[g("c", 8)].note_refs.append(code_note.guid)
    p.sources[g("50", 2)].note_refs.append(src_note.guid)
    p.cases[g("ca", 2)].selection_refs.append(g("5e1", 21))
    return p


def missing_text_qde(tmp: Path) -> Path:
    """A bare ATLAS.ti-style ``.qde`` whose text files are not beside it: ``tricky_project``
    written with ``--target atlasti`` and its ``project.qde`` taken out of the archive alone."""
    full = tmp / "atlas.qdpx"
    project = tricky_project()
    nb.write(project, full, target="atlasti")
    bare = tmp / "atlas-bare.qde"
    with zipfile.ZipFile(full) as zf:
        bare.write_bytes(zf.read("project.qde"))
    return bare
