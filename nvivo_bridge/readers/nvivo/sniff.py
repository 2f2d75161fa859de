"""Recognising which NVivo export a file is, from its content (BOM, headers, cell A1), not its suffix.

:func:`load` opens any supported container (text in any of NVivo's encodings, .docx, .htm/.html,
.xlsx), decides the export kind and returns the lines or grid the kind parser needs.  A file that
matches no known export raises a :class:`ReadError` whose hint lists what is supported.  The kind
can be forced with the read option ``nvivo_kind`` when a sheet is ambiguous (a classification
sheet with an empty A1 and only numbers looks like a matrix).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ...errors import Diagnostics, ReadError, UsageError
from ...options import ReadOptions
from . import decode
from .classification import special_value
from .codebook import is_codebook_header
from .listview import column_key
from .matrix import has_label_prefixes, is_numeric
from .node_export import SOURCE_HEADER, ref_header_re
from .words import Words

__all__ = ["KINDS", "SUPPORTED", "Loaded", "load", "grid_kind", "lines_are_node_export"]

KINDS = ("node-export", "codebook", "listview", "classification", "matrix", "framework-matrix",
         "group-query")
SUPPORTED = ("supported NVivo exports: Export Node/Code (.txt, .docx, .htm/.html), codebook "
             "(Mac .csv/.txt, .xlsx, .docx), classification sheet (.xlsx, .txt), list view (.txt, .xlsx), "
             "matrix coding query, framework matrix and group query results (.xlsx, .txt); "
             "REFI-QDA .qdpx/.qdc are read by their own readers")


@dataclass
class Loaded:
    """A recognised export: its ``kind`` and the shape its parser needs."""

    kind: str
    container: str
    lines: list[str] = field(default_factory=list)
    grid: list[list[Any]] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    title: str = ""


def lines_are_node_export(lines: list[str], words: Words) -> bool:
    """A source header (``… - § N …  [x% …]``) or reference header in the first lines."""
    ref_re = ref_header_re(words["coverage"])
    for line in lines[:400]:
        if ("§" in line and SOURCE_HEADER.match(line)) or ref_re.match(line):
            return True
    return False


def _mostly(cells: list[Any], test) -> bool:
    filled = [c for c in cells if decode.cell_text(c) is not None]
    return bool(filled) and sum(1 for c in filled if test(c)) >= 0.9 * len(filled)


def grid_kind(grid: list[list[Any]], words: Words) -> Optional[str]:
    """The export kind of a table (first row = headings), or ``None`` when it is none of them."""
    if not grid or len(grid[0]) < 2:
        return None
    header = [decode.cell_text(h) for h in grid[0]]
    if any(words.has("col_scope_item", h) for h in header):
        return "group-query"
    if is_codebook_header(header, words):
        return "codebook"
    if column_key(header[0], words) == "name":
        return "listview"
    body = [r for r in grid[1:] if any(decode.cell_text(v) is not None for v in r)]
    if not body:
        return "classification" if header[0] else None
    cells = [v for r in body for v in r[1:]]
    numeric = _mostly(cells, is_numeric)
    if has_label_prefixes(header[1:]) or has_label_prefixes([r[0] for r in body if r]):
        return "matrix" if numeric else "framework-matrix"
    if any(special_value(decode.cell_text(v), words) for v in cells):
        return "classification"
    if not header[0]:
        texts = [t for t in (decode.cell_text(v) for v in cells) if t]
        if numeric:
            return "matrix"
        if any("\n" in t for t in texts) or sum(map(len, texts)) > 40 * max(len(texts), 1):
            return "framework-matrix"
    return "classification"


def _own_workbook(title: str, grid: list[list[Any]]) -> bool:
    """Whether the first sheet is the ``Project`` sheet of nvivo-bridge's own workbook (whose
    ``field``/``value`` rows would otherwise pass for a classification sheet)."""
    return (title == "Project" and bool(grid) and [decode.cell_text(c) for c in grid[0][:2]] == ["field", "value"]
            and any(len(r) > 1 and r[0] == "converted_by" and str(r[1]).startswith("nvivo-bridge") for r in grid))


def _unknown(path: Path, why: str) -> ReadError:
    return ReadError(f"not a recognised NVivo export ({why})", str(path), hint=SUPPORTED)


def load(path: Path, diag: Diagnostics, options: ReadOptions, words: Words) -> Loaded:
    """Open ``path``, recognise its export kind and return what its parser needs."""
    forced = options.extra.get("nvivo_kind")
    if forced and forced not in KINDS:
        raise UsageError(f"unknown NVivo export kind '{forced}'", hint="choose one of: " + ", ".join(KINDS))
    data = decode.read_bytes(path, options.limits)
    zk = decode.zip_kind(path, data, options.limits)
    if zk == "docx":
        lines = decode.docx_lines(data, path, diag)
        if forced in (None, "node-export") and (forced or lines_are_node_export(lines, words)):
            return Loaded("node-export", "docx", lines=lines)
        tables = decode.docx_tables(data, path)
        if any(t and is_codebook_header(t[0], words) for t in tables):
            return Loaded("codebook", "docx", tables=tables)
        raise _unknown(path, "a Word document with neither node-export headers nor a codebook table")
    if zk == "xlsx":
        title, grid = decode.xlsx_grid(data, path, options.limits)
        if _own_workbook(title, grid):
            raise ReadError("a workbook nvivo-bridge wrote, not an NVivo export", str(path),
                            hint="read it on its own (nvivo-bridge reads its workbook back into its project)")
        kind = forced or grid_kind(grid, words)
        if kind is None or kind == "node-export":
            raise _unknown(path, "a workbook whose first sheet matches no export layout")
        return Loaded(kind, "xlsx", grid=grid, title=title)
    if zk is not None:
        raise _unknown(path, "a zip archive that is neither .docx nor .xlsx")
    text, enc = decode.decode_text(data, path, diag)
    if len(text) > options.limits.max_text_chars:
        raise ReadError(f"text too long ({len(text)} characters)", str(path), hint="raise the limit if trusted")
    if text.count("\x00") > 0 or sum(1 for c in text[:2000] if c < " " and c not in "\t\n") > 20:
        raise _unknown(path, "binary content")
    head = text.lstrip()[:300].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) and ("<html" in head or "<body" in text[:5000].lower()):
        lines = decode.html_lines(text, path)
        if forced or lines_are_node_export(lines, words):
            return Loaded("node-export", "html", lines=lines)
        raise _unknown(path, "an HTML page without node-export headers")
    lines = decode.text_lines(text)
    if forced == "node-export" or (not forced and lines_are_node_export(lines, words)):
        return Loaded("node-export", "text", lines=lines)
    first = next((ln for ln in lines if ln.strip()), "")
    if "\t" not in first:
        raise _unknown(path, "no node-export headers and no tab-separated table" if text.strip()
                       else "the file is empty")
    start = lines.index(first)
    lines = lines[start:]
    grid = decode.tsv_grid(lines)
    kind = forced or grid_kind(grid, words)
    if kind is None:
        raise _unknown(path, "a table that matches no export layout")
    return Loaded(kind, "text", lines=lines, grid=grid, title=path.stem)
