"""Write a codebook as a spreadsheet the researcher can edit: an ``.xlsx`` with a "Codebook"
sheet (one row per code), a "Sets" sheet and an "About" sheet, or a ``.csv`` (plus
``<name>.sets.csv`` when the codebook has sets).

The ``.xlsx`` also carries a hidden sheet ``_original`` (GUID, path and name of every code as
written), which lets :func:`~nvivo_bridge.codebook.sheet.read_codebook_sheet` tell a rename done
in the ``name`` column from one done in the ``path`` column.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Optional

from .._io import atomic_write
from ..errors import Diagnostics
from ..model import Project
from ..writers._cells import typed_as_text
from .extract import tree_order

__all__ = ["COLUMNS", "SET_COLUMNS", "codebook_rows", "write_codebook_xlsx", "write_codebook_csv",
           "sets_csv_path", "write_table", "SHEET", "SETS_SHEET", "ORIGINAL_SHEET", "ABOUT_SHEET", "SET_SEPARATOR"]

COLUMNS = ("path", "name", "description", "color", "codable", "guid", "sets")
SET_COLUMNS = ("name", "description", "guid")
SHEET, SETS_SHEET, ORIGINAL_SHEET, ABOUT_SHEET = "Codebook", "Sets", "_original", "About"
SET_SEPARATOR = "; "

_ABOUT = [
    "Edit the Codebook sheet, then run: nvivo-bridge codebook THIS.xlsx -o codebook.qdc",
    "path: the code's place in the tree, names joined by / (write \\/ for a / inside a name). "
    "Change the part before the last / to move a code; every code's parent must have its own row.",
    "name: the code's name. Rename a code in the name column OR in the last part of its path.",
    "color: #RRGGBB (or #RGB, or rgb(r,g,b)); empty for none.  codable: TRUE/FALSE (yes/no, 1/0).",
    "guid: keep it to keep the code's identity; leave it empty on a new row (a new GUID is made).",
    "sets: names of the sets (code groups) the code belongs to, separated by ; (new names make new sets).",
    "Delete a row to delete the code. Do not edit the hidden _original sheet.",
]


def codebook_rows(book: Project) -> list[dict[str, Any]]:
    """One dict per code in tree order, keyed by :data:`COLUMNS` (``codable`` is a bool)."""
    paths = book.code_paths()
    member_of: dict[str, list[str]] = {}
    for s in book.sets.values():
        for g in dict.fromkeys(s.member_codes):
            member_of.setdefault(g, []).append(s.name)
    rows = []
    upper = book.guid_case == "upper"   # keep the producer's GUID spelling (ATLAS.ti, MAXQDA: upper case)
    for g in tree_order(book):
        c = book.codes[g]
        rows.append({"path": paths[g], "name": c.name, "description": c.description or "",
                     "color": c.color or "", "codable": bool(c.is_codable), "guid": g.upper() if upper else g,
                     "sets": SET_SEPARATOR.join(member_of.get(g, []))})
    return rows


def _guid(book: Project, guid: str) -> str:
    return guid.upper() if book.guid_case == "upper" else guid


def _clean(value: Any, diag: Diagnostics, where: str) -> Any:
    """Drop characters an .xlsx cannot hold (control characters), and cut text longer than an
    Excel cell holds with a visible marker (openpyxl would cut it silently), each with a warning."""
    if not isinstance(value, str):
        return value
    # Imported here: writers._cells pulls in pandas, which reading a codebook sheet does not need.
    # lxml also refuses U+FFFE/FFFF, hence not openpyxl's own ILLEGAL_CHARACTERS_RE.
    from ..writers._cells import EXCEL_MAX_CHARS, ILLEGAL_CHARS, cut_text

    cleaned = ILLEGAL_CHARS.sub("", value)
    if cleaned != value:
        diag.warn("xlsx-illegal-characters", "control characters removed (Excel cannot store them)", where)
    cut = cut_text(cleaned, EXCEL_MAX_CHARS, _cut_marker)
    if cut is not cleaned:
        cleaned = cut
        diag.warn("xlsx-cell-cut", f"text longer than an Excel cell holds ({EXCEL_MAX_CHARS:,} characters) was cut; "
                  "reading this sheet back keeps the cut text, so edit a CSV codebook to keep it whole", where)
    return cleaned


def _cut_marker(removed: int) -> str:
    return f" … [cut: {removed:,} more characters; a CSV codebook keeps them]"


def _put_rows(ws, header: tuple[str, ...], rows: list[list[Any]], diag: Diagnostics) -> None:
    from openpyxl.styles import Font

    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(r, col, _clean(value, diag, f"sheet {ws.title} row {r}"))
            if typed_as_text(cell.value):
                cell.data_type = "s"  # a name like "=x" or "#N/A" is text, never a formula or an error
    ws.freeze_panes = "A2"


def write_codebook_xlsx(book: Project, path: Path, diag: Optional[Diagnostics] = None) -> dict[str, int]:
    """Write the codebook workbook to ``path`` (atomically); return ``{"codes": n, "sets": m}``."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    diag = diag if diag is not None else Diagnostics()
    rows = codebook_rows(book)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _put_rows(ws, COLUMNS, [[r[c] for c in COLUMNS] for r in rows], diag)
    color_col = COLUMNS.index("color") + 1
    for r, row in enumerate(rows, start=2):
        if row["color"]:
            # A swatch in the colour cell lets the researcher see the colour while editing it.
            ws.cell(r, color_col).fill = PatternFill("solid", fgColor=row["color"].lstrip("#"))
    for letter, width in zip("ABCDEFG", (48, 28, 60, 10, 9, 38, 30)):
        ws.column_dimensions[letter].width = width
    ws.auto_filter.ref = f"A1:G{max(1, len(rows) + 1)}"
    ss = wb.create_sheet(SETS_SHEET)
    _put_rows(ss, SET_COLUMNS, [[s.name, s.description or "", _guid(book, s.guid)] for s in book.sets.values()],
              diag)
    about = wb.create_sheet(ABOUT_SHEET)
    about.append(["codebook", _clean(book.name or "", diag, "About")])
    about.append(["origin", _clean(book.origin or "", diag, "About")])
    about.append([])
    for line in _ABOUT:
        about.append([line])
    about.column_dimensions["A"].width = 120
    orig = wb.create_sheet(ORIGINAL_SHEET)
    _put_rows(orig, ("guid", "path", "name"), [[r["guid"], r["path"], r["name"]] for r in rows], diag)
    orig.sheet_state = "hidden"
    _save(wb, Path(path))
    return {"codes": len(rows), "sets": len(book.sets)}


def _save(wb, path: Path) -> None:
    """Save an openpyxl workbook atomically; a failed write is a WriteError naming the file."""
    from .._xlsx import save_workbook  # closes the archive quietly on a full disk

    atomic_write(Path(path), lambda tmp: save_workbook(wb, tmp), "the workbook")


def sets_csv_path(path: Path) -> Path:
    """The companion file that holds the sets of a codebook CSV: ``codebook.csv`` → ``codebook.sets.csv``."""
    path = Path(path)
    return path.with_name(path.stem + ".sets" + path.suffix)


def _csv_cell(value: Any, raw: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = "" if value is None else str(value)
    # Excel runs cells starting with = + - @ as formulas; the apostrophe is stripped on reading.
    if not raw and text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


def _write_csv(path: Path, header: tuple[str, ...], rows: list[list[Any]], encoding: str, raw: bool) -> None:
    def fill(tmp: Path) -> None:
        with open(tmp, "w", encoding=encoding, newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows([_csv_cell(v, raw) for v in row] for row in rows)

    atomic_write(path, fill, "the table")


def write_codebook_csv(book: Project, path: Path, diag: Optional[Diagnostics] = None,
                       encoding: str = "utf-8-sig", raw: bool = False) -> dict[str, int]:
    """Write the codebook table to ``path`` and, when it has sets, their names, descriptions and
    GUIDs to :func:`sets_csv_path` beside it; return ``{"codes": n, "sets": m}``."""
    rows = codebook_rows(book)
    _write_csv(Path(path), COLUMNS, [[r[c] for c in COLUMNS] for r in rows], encoding, raw)
    if book.sets:
        _write_csv(sets_csv_path(path), SET_COLUMNS,
                   [[s.name, s.description or "", _guid(book, s.guid)] for s in book.sets.values()], encoding, raw)
    return {"codes": len(rows), "sets": len(book.sets)}


def write_table(path: Path, title: str, header: tuple[str, ...], rows: list[list[Any]],
                diag: Optional[Diagnostics] = None) -> None:
    """Write one plain table as ``.csv`` (by suffix; UTF-8 with BOM, formula-like cells escaped)
    or as a one-sheet ``.xlsx`` named ``title`` (formula-like cells kept as text), atomically."""
    path = Path(path)
    if path.suffix.lower() in (".csv", ".tsv"):
        _write_csv(path, header, rows, "utf-8-sig", False)
        return
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    _put_rows(ws, header, rows, diag if diag is not None else Diagnostics())
    _save(wb, path)
