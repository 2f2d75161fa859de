"""The researcher's workbook: one sheet per table of :func:`nvivo_bridge.sheets.build_tables`.

openpyxl's write-only mode streams rows to disk, so memory stays flat however many codings
there are.  Only the cells that need a style get one (header, excerpt, code colour), all
sharing one style object each: per-cell styling is what makes spreadsheet writing slow.
"""
from __future__ import annotations

from bisect import bisect_left
from pathlib import Path
from typing import Callable, Optional

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .._io import atomic_file
from ..errors import Diagnostics, WriteError
from ..model import Project
from ..options import WriteOptions
from ..sheets import build_tables, sheet_name, warnings_table, written_counts
from ._cells import EXCEL_MAX_CHARS, Column, header_value, prepare_table

__all__ = ["write", "EXCEL_MAX_ROWS", "EXCEL_MAX_COLUMNS", "WRAPPED"]

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
WRAPPED = {("Codings", "text"), ("Codings", "memo"), ("Notes", "text")}
_PROGRESS_EVERY = 5_000


class _Styles:
    """One style object per kind of styled cell, created once per workbook."""

    def __init__(self, ws) -> None:
        self.bold = Font(bold=True)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        proto = WriteOnlyCell(ws, "")
        proto.alignment = self.wrap
        # Copying the style array of a prototype cell is ~3x cheaper than assigning an
        # Alignment per cell (which hashes it each time); fall back if openpyxl changes.
        self._wrap_array = getattr(proto, "_style", None)

    def wrapped(self, ws, value):
        """A wrapped-text cell."""
        cell = WriteOnlyCell(ws, value)
        if self._wrap_array is not None:
            cell._style = self._wrap_array
        else:
            cell.alignment = self.wrap
        return cell

    def colour(self, ws, value):
        """A cell showing a ``#RRGGBB`` code colour as its fill (white text on dark colours)."""
        cell = WriteOnlyCell(ws, value)
        hexa = value.lstrip("#") if isinstance(value, str) else ""
        if len(hexa) == 6 and all(c in "0123456789abcdefABCDEF" for c in hexa):
            r, g, b = (int(hexa[i:i + 2], 16) for i in (0, 2, 4))
            cell.fill = PatternFill("solid", fgColor="FF" + hexa.upper())
            if 0.299 * r + 0.587 * g + 0.114 * b < 128:
                cell.font = Font(color="FFFFFFFF")
        return cell


def _width(col: Column, wrapped: bool) -> float:
    """A column width from the header and the first rows (wrapped text gets a wide column)."""
    if wrapped:
        return 70
    sample = [v for v in col.values[:500] if v is not None]
    longest = max((len(str(v)) for v in sample), default=0)
    if sample and not col.is_text and hasattr(sample[0], "year"):
        longest = max(longest, 19)
    return float(min(max(len(col.name) + 3, longest + 2, 8), 60))


def _cells(ws, table: str, col: Column, start: int, stop: int, styles: _Styles):
    """The values of one column for rows ``start:stop``, as cells where a style or type is needed."""
    values = col.values[start:stop]
    if (table, col.name) in WRAPPED:
        out = [None if v is None else styles.wrapped(ws, v) for v in values]
    elif table == "Codes" and col.name == "color":
        out = [None if v is None else styles.colour(ws, v) for v in values]
    else:
        out = values if not col.formula_like else list(values)
    fl = col.formula_like
    for k in fl[bisect_left(fl, start):bisect_left(fl, stop)]:
        if col.values[k].startswith("=") and len(col.values[k]) > 1:
            cell = out[k - start]
            if not isinstance(cell, Cell):
                cell = out[k - start] = WriteOnlyCell(ws, col.values[k])
            cell.data_type = "s"  # text that looks like a formula stays text
    return out


def _write_sheet(ws, table: str, cols: list[Column], start: int, stop: int, styles: _Styles,
                 tick: Callable[[int], None]) -> None:
    """Write rows ``start:stop`` of a prepared table to the new sheet ``ws``."""
    ws.freeze_panes = "A2"
    for j, col in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(j)].width = _width(col, (table, col.name) in WRAPPED)
    if cols:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{stop - start + 1}"
    header = []
    for col in cols:
        cell = WriteOnlyCell(ws, header_value(col.name))
        cell.font = styles.bold
        cell.data_type = "s"
        header.append(cell)
    ws.append(header)
    for a in range(start, stop, _PROGRESS_EVERY):
        b = min(a + _PROGRESS_EVERY, stop)
        for row in zip(*[_cells(ws, table, c, a, b, styles) for c in cols]):
            ws.append(row)
        tick(b - a)


def _write_tables(wb, project: Project, tables: dict, diag: Diagnostics, max_rows: int,
                  tick: Callable[[int], None]) -> None:
    """Add one sheet per table (more for a table longer than ``max_rows``) to ``wb``."""
    styles: Optional[_Styles] = None
    titles: list[str] = []
    for name in list(tables):
        df = tables.pop(name)  # freed once written: peak memory is one table, not all
        if name == "Warnings":
            df = warnings_table(list(project.issues) + diag.finish())
        cols = prepare_table(name, df, diag, max_chars=EXCEL_MAX_CHARS)
        if len(cols) > EXCEL_MAX_COLUMNS:
            diag.warn("columns-cut", f"table {name} has {len(cols)} columns; Excel shows {EXCEL_MAX_COLUMNS:,}, "
                                     "the rest are only in the CSV export", name)
            cols = cols[:EXCEL_MAX_COLUMNS]
        n = len(df)
        parts = max(1, -(-n // max_rows))
        if parts > 1:
            diag.warn("table-split", f"table {name} has {n:,} rows, more than a sheet holds; it continues on "
                                     f"sheets '{name} (2)'…'{name} ({parts})'", name)
        for p in range(parts):
            title = sheet_name(name if p == 0 else f"{name} ({p + 1})", titles)
            titles.append(title)
            ws = wb.create_sheet(title)
            styles = styles or _Styles(ws)
            _write_sheet(ws, name, cols, p * max_rows, min(n, (p + 1) * max_rows), styles, tick)


def write(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Write the researcher's workbook to ``path`` (atomically); returns the counts written."""
    tables = build_tables(project, diag=diag)
    counts = written_counts(tables)
    max_rows = max(1, int(options.extra.get("max_rows", EXCEL_MAX_ROWS)) - 1)  # the header takes a row
    total = sum(len(df) for df in tables.values())
    state = {"done": 0, "last": 0}
    progress: Optional[Callable[[int, int], None]] = options.progress

    def tick(n: int) -> None:
        state["done"] += n
        if progress is not None and (state["done"] - state["last"] >= _PROGRESS_EVERY or state["done"] == total):
            state["last"] = state["done"]
            progress(state["done"], total)

    try:
        with atomic_file(path) as tmp:
            wb = Workbook(write_only=True)
            _write_tables(wb, project, tables, diag, max_rows, tick)
            wb.save(tmp)
    except OSError as exc:
        raise WriteError(f"cannot write the workbook ({exc.strerror or exc})", str(path),
                         hint="check the disk space and that the file is not open in Excel") from None
    return counts
