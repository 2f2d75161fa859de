"""The floors: the least work any tool must do for each benchmark task, written directly.

* ``raw``: open the zip, stream-parse ``project.qde`` with lxml ``iterparse`` and slice the
  excerpt of every coding out of its source's ``.txt`` (UTF-16 code units, BOM stripped);
* ``csv``: ``raw`` + a bare ``csv.writer`` of the same Codings rows;
* ``xlsx``: ``raw`` + an openpyxl write-only workbook of the same rows;
* ``qdpx``: unzip + a full lxml parse + the same slicing + serialising the same tree + zipping
  it with the source files.

No checks, no model, no diagnostics: a floor is what "as fast as this machine allows" means, and
nvivo-bridge's time is reported as a ratio to it.
"""
from __future__ import annotations

import csv
import zipfile
from pathlib import Path

from lxml import etree

__all__ = ["raw_rows", "floor_raw", "floor_csv", "floor_xlsx", "floor_qdpx", "FLOORS"]

Q = "{urn:QDA-XML:project:1.0}"
HEADER = ["source", "selection", "start", "end", "code", "coder", "created", "excerpt"]


def _parser_kwargs() -> dict:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False}


def _qde_name(zf: zipfile.ZipFile) -> str:
    return next(n for n in zf.namelist() if n.lower().endswith(".qde"))


def _units(zf: zipfile.ZipFile, folder: dict[str, str], path: str) -> bytes:
    """The UTF-16-LE bytes of a source text (2 bytes per code unit) for slicing by NVivo positions."""
    name = path.split("internal://", 1)[-1]
    return zf.read(folder[name.lower()]).decode("utf-8-sig").encode("utf-16-le")


def raw_rows(path: Path) -> list[list]:
    """Stream the project and return one row per coding with its excerpt."""
    rows: list[list] = []
    with zipfile.ZipFile(path) as zf:
        folder = {n.rsplit("/", 1)[-1].lower(): n for n in zf.namelist() if "/" in n}
        with zf.open(_qde_name(zf)) as fh:
            units, src_name = b"", ""
            for event, el in etree.iterparse(fh, events=("start", "end"), **_parser_kwargs()):
                tag = el.tag
                if event == "start":
                    if tag == Q + "TextSource":
                        units, src_name = _units(zf, folder, el.get("plainTextPath")), el.get("name")
                    continue
                if tag == Q + "PlainTextSelection":
                    a, b = int(el.get("startPosition")), int(el.get("endPosition"))
                    excerpt = units[2 * a:2 * b].decode("utf-16-le", "replace")
                    for coding in el.iterfind(Q + "Coding"):
                        ref = coding.find(Q + "CodeRef")
                        rows.append([src_name, el.get("guid"), a, b, ref.get("targetGUID"),
                                     coding.get("creatingUser"), coding.get("creationDateTime"), excerpt])
                    el.clear()
                elif tag == Q + "TextSource":
                    el.clear()
                    units = b""
    return rows


def floor_raw(path: Path, out: Path) -> int:
    """The raw floor; returns the number of rows."""
    return len(raw_rows(path))


def floor_csv(path: Path, out: Path) -> int:
    """``raw`` + a bare csv.writer of the rows."""
    rows = raw_rows(path)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "Codings.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return len(rows)


def floor_xlsx(path: Path, out: Path) -> int:
    """``raw`` + an openpyxl write-only dump of the rows."""
    from openpyxl import Workbook

    rows = raw_rows(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Codings")
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(out.with_suffix(".xlsx"))
    return len(rows)


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
