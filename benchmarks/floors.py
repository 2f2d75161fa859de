"""The floors: the least work any tool must do for each benchmark task, written directly.

* ``raw``: open the zip, stream-parse ``project.qde`` with lxml ``iterparse`` and slice the
  excerpt of every coding out of its source's ``.txt`` (UTF-16 code units, BOM stripped);
* ``csv``: ``raw`` + a bare ``csv.writer`` of the same Codings rows;
* ``xlsx``: ``raw`` + an openpyxl write-only workbook of the same rows;
* ``qdpx``: unzip + a full lxml parse + the same slicing + serialising the same tree + zipping
  it with the source files.

"The same rows" for csv and xlsx means as wide as nvivo-bridge's ``Codings`` sheet (19 columns on
these files): besides the eight raw fields (the coder as a name), each row gets the coding and
source GUIDs, the code path and its three levels, the case name and its three attributes, and the
memo reference, each by one dict lookup.  Writing costs per cell, so an 8-column floor (as this
suite had first) compares unlike work.

No checks, no model, no diagnostics: a floor is what "as fast as this machine allows" means, and
nvivo-bridge's time is reported as a ratio to it.
"""
from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Iterator

from lxml import etree

__all__ = ["iter_rows", "raw_rows", "WIDE_HEADER", "floor_raw", "floor_csv", "floor_xlsx", "floor_qdpx", "FLOORS"]

Q = "{urn:QDA-XML:project:1.0}"
HEADER = ["source", "selection", "start", "end", "code", "coder", "created", "excerpt"]
WIDE_HEADER = HEADER + ["coding", "source_guid", "code_path", "case", "attr_1", "attr_2",
                        "attr_3", "memo", "level_1", "level_2", "level_3"]


def _parser_kwargs() -> dict:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False}


def _qde_name(zf: zipfile.ZipFile) -> str:
    return next(n for n in zf.namelist() if n.lower().endswith(".qde"))


def _units(zf: zipfile.ZipFile, folder: dict[str, str], path: str) -> bytes:
    """The UTF-16-LE bytes of a source text (2 bytes per code unit) for slicing by NVivo positions."""
    name = path.split("internal://", 1)[-1]
    return zf.read(folder[name.lower()]).decode("utf-8-sig").encode("utf-16-le")


class _Lookups:
    """What a wide row needs besides the raw fields: users, code paths, cases (NVivo links a
    source to its case by a coding at the case, so a source's rows get their case at its end)."""

    def __init__(self) -> None:
        self.users: dict[str, str] = {}
        self.paths: dict[str, tuple[str, list[str]]] = {}  # code guid -> (path, levels padded to 3)
        self.cases: dict[str, list] = {}  # case guid -> [case name, attr 1, attr 2, attr 3]
        self._names: list[str] = []

    def start(self, tag: str, el) -> None:
        if tag == Q + "Code":
            self._names.append(el.get("name") or "")
            path = "/".join(self._names)
            self.paths[el.get("guid")] = (path, (self._names + [None, None, None])[:3])

    def end(self, tag: str, el) -> None:
        if tag == Q + "Code":
            self._names.pop()
        elif tag == Q + "User":
            self.users[el.get("guid")] = el.get("name")
        elif tag == Q + "Case":
            values = [v.text for v in el.iter(Q + "TextValue", Q + "IntegerValue")][:3]
            self.cases[el.get("guid")] = [el.get("name")] + values + [None] * (3 - len(values))
            el.clear()


def _free(el) -> None:
    """Drop a handled element and the already-handled siblings before it, so a streaming parse
    keeps no tree behind it (``clear()`` alone leaves the empty elements attached)."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def iter_rows(path: Path, wide: bool = False) -> Iterator[list]:
    """Stream the project and yield one row per coding with its excerpt, one source at a time;
    ``wide`` rows also carry the columns of nvivo-bridge's Codings sheet (see the module doc).

    Nothing is kept but the current source's text and rows: this is the streaming floor
    ("about 2 s and 32 MB for 200k codings"), not a tree-holding one."""
    look = _Lookups()
    no_case = [None] * 4
    with zipfile.ZipFile(path) as zf:
        folder = {n.rsplit("/", 1)[-1].lower(): n for n in zf.namelist() if "/" in n}
        with zf.open(_qde_name(zf)) as fh:
            units, src_name, src_guid, case = b"", "", "", no_case
            pending: list[list] = []  # this source's rows: NVivo gives the case at the source's end
            for event, el in etree.iterparse(fh, events=("start", "end"), **_parser_kwargs()):
                tag = el.tag
                if event == "start":
                    if tag == Q + "TextSource":
                        units, src_name = _units(zf, folder, el.get("plainTextPath")), el.get("name")
                        src_guid, case = el.get("guid"), no_case
                    elif wide:
                        look.start(tag, el)
                    continue
                if tag == Q + "PlainTextSelection":
                    a, b = int(el.get("startPosition")), int(el.get("endPosition"))
                    excerpt = units[2 * a:2 * b].decode("utf-16-le", "replace")
                    for coding in el.iterfind(Q + "Coding"):
                        code = coding.find(Q + "CodeRef").get("targetGUID")
                        user = coding.get("creatingUser")
                        row = [src_name, el.get("guid"), a, b, code, user, coding.get("creationDateTime"), excerpt]
                        if wide:
                            path_, levels = look.paths.get(code, ("", [None] * 3))
                            memo = el.find(Q + "NoteRef")
                            case = look.cases.get(code, case)
                            row[5] = look.users.get(user)  # the coder's name, as in the Codings sheet
                            row += [coding.get("guid"), src_guid, path_, *no_case,
                                    memo.get("targetGUID") if memo is not None else None, *levels]
                        pending.append(row)
                    _free(el)
                elif tag == Q + "TextSource":
                    for row in pending:
                        if wide and case is not no_case:
                            row[11:15] = case
                        yield row
                    pending = []
                    units = b""
                    _free(el)
                elif wide:
                    look.end(tag, el)


def raw_rows(path: Path, wide: bool = False) -> list[list]:
    """All rows of :func:`iter_rows` as a list (for tests; the floors stream)."""
    return list(iter_rows(path, wide))


def floor_raw(path: Path, out: Path) -> int:
    """The raw floor; returns the number of rows."""
    return sum(1 for _ in iter_rows(path))


def floor_csv(path: Path, out: Path) -> int:
    """``raw`` + a bare csv.writer of the rows, streamed."""
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(out / "Codings.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(WIDE_HEADER)
        for row in iter_rows(path, wide=True):
            w.writerow(row)
            n += 1
    return n


def floor_xlsx(path: Path, out: Path) -> int:
    """``raw`` + an openpyxl write-only dump of the rows, streamed."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Codings")
    ws.append(WIDE_HEADER)
    n = 0
    for row in iter_rows(path, wide=True):
        ws.append(row)
        n += 1
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
            units = _units(zf, folder, ts.get("plainTextPath"))
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
