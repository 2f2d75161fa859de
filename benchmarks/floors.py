"""The floors: the least work any tool must do for each benchmark task, written directly.

* ``raw``: open the zip, stream-parse ``project.qde`` with lxml ``iterparse`` and slice the
  excerpt of every coding out of its source's ``.txt`` (UTF-16 code units, BOM stripped);
* ``csv``: ``raw`` + a bare ``csv.writer`` of the same rows: one file per table, as nvivo-bridge writes;
* ``xlsx``: ``raw`` + an openpyxl write-only workbook of the same rows: one sheet per table;
* ``qdpx``: unzip + a full lxml parse + the same slicing + serialising the same tree + zipping
  it with the source files.

"The same rows" for csv and xlsx means every table nvivo-bridge writes, with its rows and columns
and values of the same kinds (a time as a ``datetime``, a count as an ``int``), because writing
costs per cell: a floor of fewer cells compares unlike work.  The ``Codings`` rows are as wide as
nvivo-bridge's sheet (20 columns on these files, the empty coverage column included): besides the eight raw fields (the coder as a
name, the time parsed), each row gets the coding and source GUIDs, the code path and its three
levels, the case name and its three attributes, and the memo reference, each by one dict lookup;
the codings that only link a source to its case are left out, as nvivo-bridge leaves them out.
The other tables (Codes with their counts, Sources, Cases, Code x Case, Project, Variables,
Notes, Sets) are tallied during the same pass and written after it (``_floor_tables.py``).
Until 28 Nov 2026 (session 3) the floor wrote the ``Codings`` rows only: 90% of the workbook's
cells, the 400,000-cell ``Code x Case`` matrix among the missing 10%.

No checks, no model, no diagnostics: a floor is what "as fast as this machine allows" means, and
nvivo-bridge's time is reported as a ratio to it.
"""
from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Iterator, Optional

from lxml import etree

from ._floor_tables import END_TAGS, START_TAGS, TABLE_HEADERS, Q, Tally, when

__all__ = ["iter_rows", "iter_tables", "raw_rows", "WIDE_HEADER", "floor_raw", "floor_csv", "floor_xlsx",
           "floor_qdpx", "FLOORS"]

HEADER = ["source", "selection", "start", "end", "code", "coder", "created", "excerpt"]
WIDE_HEADER = HEADER + ["coding", "source_guid", "code_path", "case", "attr_1", "attr_2",
                        "attr_3", "memo", "level_1", "level_2", "level_3", "coverage"]


def _parser_kwargs() -> dict:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False}


def _qde_name(zf: zipfile.ZipFile) -> str:
    return next(n for n in zf.namelist() if n.lower().endswith(".qde"))


def _units(zf: zipfile.ZipFile, folder: dict[str, str], path: str) -> tuple[bytes, int]:
    """The UTF-16-LE bytes of a source text (2 bytes per code unit) for slicing by NVivo
    positions, and its length in characters."""
    name = path.split("internal://", 1)[-1]
    text = zf.read(folder[name.lower()]).decode("utf-8-sig")
    return text.encode("utf-16-le"), len(text)


def _free(el) -> None:
    """Drop a handled element and the already-handled siblings before it, so a streaming parse
    keeps no tree behind it (``clear()`` alone leaves the empty elements attached)."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def _note_text(zf: zipfile.ZipFile, folder: dict[str, str], path: Optional[str]) -> Optional[str]:
    name = (path or "").split("internal://", 1)[-1].lower()
    return zf.read(folder[name]).decode("utf-8-sig") if name in folder else None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:59] + "…"


def iter_rows(path: Path, wide: bool = False, tally: Optional[Tally] = None) -> Iterator[list]:
    """Stream the project and yield one row per coding with its excerpt, one source at a time;
    ``wide`` rows (given a ``tally``, which then also gathers the other tables) carry the
    columns of nvivo-bridge's Codings sheet, and leave out the codings at cases as it does
    (see the module doc).

    Nothing is kept but the current source's text and rows: this is the streaming floor
    ("about 2 s and 32 MB for 200k codings"), not a tree-holding one."""
    look = tally if tally is not None else (Tally() if wide else None)
    wide = look is not None
    no_case = [None] * 4
    with zipfile.ZipFile(path) as zf:
        folder = {n.rsplit("/", 1)[-1].lower(): n for n in zf.namelist() if "/" in n}
        if wide:
            look.note_text = lambda p: _note_text(zf, folder, p)
        with zf.open(_qde_name(zf)) as fh:
            units, src_name, src_guid, case, case_guid, src_row = b"", "", "", no_case, None, []
            pending: list[list] = []  # this source's rows: NVivo gives the case at the source's end
            for event, el in etree.iterparse(fh, events=("start", "end"), **_parser_kwargs()):
                tag = el.tag
                if event == "start":
                    if tag == Q + "TextSource":
                        units, chars = _units(zf, folder, el.get("plainTextPath"))
                        src_name, src_guid, case, case_guid = el.get("name"), el.get("guid"), no_case, None
                        if wide:
                            src_row = [src_guid, src_name, "text", chars, None,
                                       el.get("richTextPath") or el.get("plainTextPath")]
                    elif wide and tag in START_TAGS:
                        look.start(tag, el)
                    continue
                if tag == Q + "PlainTextSelection":
                    a, b = int(el.get("startPosition")), int(el.get("endPosition"))
                    excerpt = units[2 * a:2 * b].decode("utf-16-le", "replace")
                    if wide:
                        look.selections += 1
                        memo = el.find(Q + "NoteRef")
                        if memo is not None:
                            where = f"{src_name}: “{_short(excerpt)}”"
                            look.attached[memo.get("targetGUID")] = ("selection", where, el.get("guid"))
                    for coding in el.iterfind(Q + "Coding"):
                        code = coding.find(Q + "CodeRef").get("targetGUID")
                        user = coding.get("creatingUser")
                        row = [src_name, el.get("guid"), a, b, code, user, coding.get("creationDateTime"), excerpt]
                        if wide:
                            if code in look.cases:  # NVivo's link of the source to its case
                                case, case_guid = look.cases[code], code
                                continue
                            path_, levels = look.paths.get(code, ("", [None] * 3))
                            row[5], row[6] = look.users.get(user), when(row[6])  # as in the Codings sheet
                            row += [coding.get("guid"), src_guid, path_, *no_case,
                                    memo.get("targetGUID") if memo is not None else None, *levels,
                                    None]  # NVivo's coverage: empty in a REFI-QDA project
                        pending.append(row)
                    _free(el)
                elif tag == Q + "TextSource":
                    if wide:
                        look.source_done(src_row, case_guid, pending)
                    for row in pending:
                        if wide and case is not no_case:
                            row[11:15] = case
                        yield row
                    pending = []
                    units = b""
                    _free(el)
                elif wide and tag in END_TAGS:
                    look.end(tag, el)


def raw_rows(path: Path, wide: bool = False) -> list[list]:
    """All rows of :func:`iter_rows` as a list (for tests; the floors stream)."""
    return list(iter_rows(path, wide))


def floor_raw(path: Path, out: Path) -> int:
    """The raw floor; returns the number of rows."""
    return sum(1 for _ in iter_rows(path))


def iter_tables(path: Path) -> Iterator[tuple[str, list, Iterator[list]]]:
    """``(name, header, rows)`` for every table nvivo-bridge writes but Warnings: ``Codings``
    first, streamed; the others once its rows have been consumed (they are tallied meanwhile)."""
    tally = Tally()
    yield "Codings", WIDE_HEADER, iter_rows(path, wide=True, tally=tally)
    for name, header, rows in tally.tables():
        yield name, header, iter(rows)
    yield "Source Texts", TABLE_HEADERS["Source Texts"], _text_parts(path)


def _text_parts(path: Path) -> Iterator[list]:
    """The ``Source Texts`` rows: each text source's text read again, one source at a time, in
    parts of at most 2,500 characters ending at a line break (else a space) where one is near."""
    with zipfile.ZipFile(path) as zf:
        folder = {n.rsplit("/", 1)[-1].lower(): n for n in zf.namelist() if "/" in n}
        with zf.open(_qde_name(zf)) as fh:
            for _, el in etree.iterparse(fh, events=("end",), tag=Q + "TextSource", **_parser_kwargs()):
                name = el.get("plainTextPath").split("internal://", 1)[-1]
                text, a, part = zf.read(folder[name.lower()]).decode("utf-8-sig"), 0, 1
                while True:
                    lo, hi = a + 1_875, a + 2_500
                    b = len(text) if len(text) - a <= 2_500 else ((text.rfind("\n", lo, hi) + 1)
                                                                   or (text.rfind(" ", lo, hi) + 1) or hi)
                    yield [el.get("name"), part, text[a:b], el.get("guid")]
                    if b >= len(text):
                        break
                    a, part = b, part + 1
                _free(el)


def floor_csv(path: Path, out: Path) -> int:
    """``raw`` + a bare csv.writer of every table's rows, Codings streamed; returns its rows."""
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for name, header, rows in iter_tables(path):
        with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for row in rows:
                w.writerow(row)
                n += name == "Codings"
    return n


def floor_xlsx(path: Path, out: Path) -> int:
    """``raw`` + an openpyxl write-only dump of every table's rows, Codings streamed; returns its rows."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    n = 0
    for name, header, rows in iter_tables(path):
        ws = wb.create_sheet(name)
        ws.append(header)
        for row in rows:
            ws.append(row)
            n += name == "Codings"
    wb.save(out.with_suffix(".xlsx"))
    return n


def floor_qdpx(path: Path, out: Path) -> int:
    """Unzip + full lxml parse + slicing + serialise the same tree + zip it with the sources."""
    n = 0
    with zipfile.ZipFile(path) as zf:
        folder = {n_.rsplit("/", 1)[-1].lower(): n_ for n_ in zf.namelist() if "/" in n_}
        root = etree.fromstring(zf.read(_qde_name(zf)), etree.XMLParser(**_parser_kwargs()))
        texts: dict[str, bytes] = {}
        for ts in root.iter(Q + "TextSource"):
            units, _ = _units(zf, folder, ts.get("plainTextPath"))
            texts[ts.get("guid")] = units
            for sel in ts.iterfind(Q + "PlainTextSelection"):
                a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
                units[2 * a:2 * b].decode("utf-16-le", "replace")
                n += len(sel.findall(Q + "Coding"))
        data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
        with zipfile.ZipFile(out.with_suffix(".qdpx"), "w", zipfile.ZIP_DEFLATED) as zout:
            zout.writestr("project.qde", data)
            for name in zf.namelist():
                if "/" in name:
                    zout.writestr("sources/" + name.rsplit("/", 1)[-1], zf.read(name))
    return n


FLOORS = {"raw": floor_raw, "csv": floor_csv, "xlsx": floor_xlsx, "qdpx": floor_qdpx}
