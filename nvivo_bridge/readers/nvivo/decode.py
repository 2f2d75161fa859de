"""Turning an export file into lines or a grid of cells, whatever its container.

NVivo writes the same content as text (UTF-16LE with BOM on Windows, UTF-8 with BOM on the Mac),
Word, HTML or Excel.  Every kind parser works on one of two shapes built here:

* ``lines``: a list of strings (text lines, Word paragraphs, HTML block texts), newlines normalised;
* ``grid``: a list of rows of cell values (tab-separated text or the first non-empty worksheet).

Zip containers (.docx/.xlsx) are checked against ``options.limits`` before any library opens them.
"""
from __future__ import annotations

import datetime as _dt
import re
import struct
import zipfile
from pathlib import Path
from typing import Any, Optional

from ...errors import Diagnostics, ReadError
from .._safe import check_regular_file, detect_encoding
from ...options import Limits

__all__ = ["read_bytes", "decode_text", "zip_kind", "text_lines", "docx_lines", "docx_tables",
           "html_lines", "xlsx_grid", "tsv_grid", "cell_text"]

_BLANKS = re.compile(r"[ \t]+")
_BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "pre",
               "blockquote", "section", "article", "body", "title", "hr"}


def read_bytes(path: Path, limits: Limits) -> bytes:
    """The file's bytes, refusing files larger than the member limit."""
    check_regular_file(path)
    try:
        size = path.stat().st_size
        if size > limits.max_member_bytes:
            raise ReadError(f"file too large ({size} bytes)", str(path),
                            hint="raise the limit if the file is trusted")
        with open(path, "rb") as fh:  # within the limit even if the file grew since it was looked at
            return fh.read(limits.max_member_bytes + 1)[: limits.max_member_bytes]
    except OSError as exc:
        raise ReadError(f"cannot read the file ({exc.strerror})", str(path),
                        hint="check the path and permissions") from None


def decode_text(data: bytes, path: Path, diag: Diagnostics) -> tuple[str, str]:
    """Decode export text by its BOM (UTF-32, UTF-8, UTF-16), else UTF-16/32 by NUL pattern, UTF-8,
    cp1252 (:func:`~nvivo_bridge.readers._safe.detect_encoding`).  Returns ``(text, encoding)`` with the BOM removed and all newlines as ``\\n``."""
    enc, bom, guessed = detect_encoding(data)
    if enc == "cp1252":
        enc = "utf-8"  # tried strictly below, so that the info names the decoding error
    body = data[bom:]
    if guessed and enc.startswith("utf-"):  # Windows exports whose BOM was lost
        diag.info("encoding-guessed", f"no byte-order mark: read as {enc} by its NUL bytes", str(path))
    try:
        text = body.decode(enc.replace("-sig", ""))
    except UnicodeDecodeError as exc:
        if enc != "utf-8":
            text = body.decode(enc.replace("-sig", ""), errors="replace")
            diag.warn("encoding-errors", f"bytes that are not valid {enc} were replaced ({exc.reason})",
                      str(path))
        else:
            enc, text = "cp1252", body.decode("cp1252", errors="replace")
            diag.info("encoding-guessed", "not UTF-8 and no BOM: read as Windows-1252", str(path))
    # A lone CR is a line break inside a field on the Mac (seen in codebook descriptions).
    return text.replace("\r\n", "\n").replace("\r", "\n"), enc


def zip_kind(path: Path, data: bytes, limits: Limits) -> Optional[str]:
    """``"docx"``/``"xlsx"``/``"zip"`` for a zip container (after the size/ratio checks), else ``None``."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    import io
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError, struct.error) as exc:
        # zipfile raises all of these for damaged directories (e.g. NotImplementedError for a
        # "version needed" it does not know); UnicodeDecodeError is a ValueError.
        raise ReadError(f"the file looks like a zip (.docx/.xlsx) but is damaged ({exc})", str(path),
                        hint="export it again from NVivo") from None
    if len(infos) > limits.max_members:
        raise ReadError(f"too many zip members ({len(infos)})", str(path), hint="not an NVivo export")
    total = 0
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        total += info.file_size
        if info.file_size > limits.max_member_bytes or ratio > limits.max_ratio or total > limits.max_total_bytes:
            raise ReadError("a zip member is too large or too compressed (possible zip bomb)", str(path),
                            f"member {info.filename}", hint="not a genuine NVivo export")
    names = {i.filename for i in infos}
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def text_lines(text: str) -> list[str]:
    """The text's lines (a final newline does not make an extra empty line)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def docx_lines(data: bytes, path: Path, diag: Optional[Diagnostics] = None) -> list[str]:
    """Every line of text in a Word document's body, in order: paragraphs (soft breaks make
    separate lines), table rows (cells joined by tabs), content controls, tracked insertions,
    hyperlinks, fields and text boxes.  What is left out (tracked deletions, embedded documents
    or objects, unknown elements) is reported once per kind in ``diag``."""
    from ._docx_text import body_lines

    doc = _open_docx(data, path)
    lines, skipped = body_lines(doc.element.body)
    if diag is not None:
        for what, n in skipped.items():
            diag.warn("docx-skipped", f"{n} {what} in the Word document were not read", str(path))
    return lines


def docx_tables(data: bytes, path: Path) -> list[list[list[str]]]:
    """Every table of a Word document as rows of cell texts."""
    doc = _open_docx(data, path)
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def _open_docx(data: bytes, path: Path):
    import io

    import docx
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for a bad package
        raise ReadError(f"cannot open the Word document ({exc.__class__.__name__})", str(path),
                        hint="open it in Word and save it again, or export as .txt") from None


def html_lines(text: str, path: Path) -> list[str]:
    """Text lines of an HTML export: one per block element or ``<br>``, scripts and styles dropped."""
    import lxml.html
    from lxml import etree
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        raise ReadError("cannot parse the HTML", str(path), hint="export the node as .txt instead") from None
    for bad in root.xpath("//script|//style|//head"):
        bad.getparent().remove(bad)
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag.lower() in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(root)
    joined = "".join(parts).replace("\r\n", "\n")
    # HTML collapses white space: a run of blanks inside a block is one space (NBSP is kept).
    return [_BLANKS.sub(" ", line).strip(" \t") for line in joined.split("\n") if line.strip()]


def tsv_grid(lines: list[str]) -> list[list[str]]:
    """Tab-separated lines as rows (no quoting: NVivo writes fields raw)."""
    return [line.split("\t") for line in lines]


def xlsx_grid(data: bytes, path: Path, limits: Optional[Limits] = None) -> tuple[str, list[list[Any]]]:
    """``(sheet title, rows)`` of the first worksheet that has any value (within ``limits.max_cells``)."""
    from ..._xlsx import bounded_rows, check_row_counts

    limits = limits or Limits.from_env()
    check_row_counts(data, str(path), limits)
    import io

    import openpyxl
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise ReadError(f"cannot open the workbook ({exc.__class__.__name__})", str(path),
                        hint="open it in Excel and save it again") from None
    try:
        for ws in wb.worksheets:
            rows = [list(r) for r in bounded_rows(ws, str(path), limits)]
            while rows and all(v is None or v == "" for v in rows[-1]):
                rows.pop()
            if rows:
                # Rows are as wide as their own cells; the kind parsers expect a rectangle.
                width = max(map(len, rows))
                if width * len(rows) > limits.max_cells:
                    raise ReadError(f"sheet {ws.title} spans more than {limits.max_cells:,} cells", str(path),
                                    f"sheet {ws.title}", hint="not a plausible NVivo export")
                for r in rows:
                    if len(r) < width:
                        r.extend([None] * (width - len(r)))
                return ws.title, rows
        return (wb.worksheets[0].title if wb.worksheets else ""), []
    finally:
        wb.close()


def cell_text(value: Any) -> Optional[str]:
    """A cell as text: ``None`` for empty, ISO text for dates, ``3`` (not ``3.0``) for whole floats."""
    if value is None:
        return None
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() != "" else None
