"""The researcher's workbook: one sheet per table of :func:`nvivo_bridge.sheets.build_tables`,
written a chunk of rows at a time (:func:`nvivo_bridge.sheets.table_rows`).

openpyxl's write-only mode streams rows to disk, so memory stays flat however many codings
there are.  Only the cells that need a style get one (header, excerpt, code colour), all
sharing one style object each: per-cell styling is what makes spreadsheet writing slow.

Neither Excel nor LibreOffice fits a row's height to wrapped text when it opens a file (only
when a cell is edited), so a row of wrapped text gets its height written: the lines its longest
wrapped cell takes at the column's width (:func:`_line_counts`), 15 points a line, at most
Excel's 409.  Every cell is in the workbook's one font (:data:`FONT`), the header in its bold.
"""
from __future__ import annotations

import datetime as _dt
import functools
from pathlib import Path
from typing import Callable, Optional

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from .._io import atomic_file
from .._xlsx import save_workbook
from ..errors import Diagnostics, WriteError
from ..model import Project
from ..options import WriteOptions
from ..sheets import TableRows, rows_to_write, sheet_name, table_rows, writing_order, written_counts
from ._cells import (ERROR_TEXTS, EXCEL_MAX_CHARS, Column, TablePrep, header_value, progress_ticker,
                     typed_as_text)

__all__ = ["write", "EXCEL_MAX_ROWS", "EXCEL_MAX_COLUMNS", "WRAPPED"]

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
# Wrapped columns and their width (in Excel's units: about one character of the body font).
WRAPPED = {("Codings", "text"): 70, ("Codings", "memo"): 50, ("Notes", "text"): 70, ("Notes", "attached_to"): 50,
           ("Source Texts", "text"): 100, ("Warnings", "message"): 90, ("Warnings", "location"): 40,
           ("Links", "target"): 50}
FONT = "Calibri"  # openpyxl's default body font: the header names it too, so both look the same
_PROGRESS_EVERY = 5_000
_WIDTH_ROWS = 500  # rows a column's width is judged by
_LINE_POINTS = 15.0  # a line of 11 pt text
_MAX_POINTS = 409.0  # the tallest row Excel allows
# Characters a wrapped line holds per unit of column width: proportional text is narrower than
# the digit "0" that defines the unit (about 1.2 a unit in Calibri 11, measured in LibreOffice),
# but a line breaks at a word, which loses part of a line; a row may keep a blank line rather
# than hide one.
_CHARS_PER_UNIT = 1.1


class _Styles:
    """One style object per kind of styled cell, created once per workbook."""

    def __init__(self, ws) -> None:
        self.bold = Font(name=FONT, size=11, bold=True)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        proto = WriteOnlyCell(ws, "")
        proto.alignment = self.wrap
        # Copying the style array of a prototype cell is ~3x cheaper than assigning an
        # Alignment per cell (which hashes it each time); fall back if openpyxl changes.
        self._wrap_array = getattr(proto, "_style", None)
        # Likewise a date cell: openpyxl otherwise looks up and registers the date format per
        # cell.  Made on first use, so a workbook without dates registers no date format.
        self._date_arrays: dict = {}

    def wrapped(self, ws, value):
        """A wrapped-text cell."""
        cell = WriteOnlyCell(ws, value)
        if self._wrap_array is not None:
            cell._style = self._wrap_array
        else:
            cell.alignment = self.wrap
        return cell

    def dated(self, ws, value):
        """A date or naive datetime cell, written as openpyxl writes it (the Excel serial number
        under the default date format) without its per-cell format lookup."""
        kind = value.__class__
        if kind not in self._date_arrays:
            proto = WriteOnlyCell(ws, kind(2000, 1, 1)) if kind in (_dt.datetime, _dt.date) else None
            if proto is not None:
                proto.alignment = self.top  # styled cells do not take the default's alignment
            self._date_arrays[kind] = getattr(proto, "_style", None)
        array = self._date_arrays[kind]
        if array is None or getattr(value, "tzinfo", None) is not None:
            return value  # openpyxl's own handling (and its refusal of time zones)
        cell = WriteOnlyCell(ws, to_excel(value))
        cell._style = array
        return cell

    def colour(self, ws, value):
        """A cell showing a ``#RRGGBB`` code colour as its fill (white text on dark colours)."""
        cell = WriteOnlyCell(ws, value)
        cell.alignment = self.top
        hexa = value.lstrip("#") if isinstance(value, str) else ""
        if len(hexa) == 6 and all(c in "0123456789abcdefABCDEF" for c in hexa):
            r, g, b = (int(hexa[i:i + 2], 16) for i in (0, 2, 4))
            cell.fill = PatternFill("solid", fgColor="FF" + hexa.upper())
            if 0.299 * r + 0.587 * g + 0.114 * b < 128:
                cell.font = Font(name=FONT, size=11, color="FFFFFFFF")
        return cell


def _widths(table: TableRows, ncols: int) -> list[float]:
    """Column widths from the header and the first rows, taken in chunks like the rest of the
    table (wrapped text gets a wide column)."""
    # Prepared apart, so cut and cleaned text is measured as written; the repairs are reported
    # when the rows are written.
    prep = TablePrep(table.name, Diagnostics(), EXCEL_MAX_CHARS, table.date_columns)
    longest, first, text = [0] * ncols, [None] * ncols, [False] * ncols
    wrapped = [WRAPPED.get((table.name, c)) for c in table.columns[:ncols]]
    for at, df in table.chunks(0, min(len(table), _WIDTH_ROWS)):
        for j, col in enumerate(prep.columns(df, at)[:ncols]):
            present = [] if wrapped[j] else [v for v in col.values if v is not None]
            if present:
                if first[j] is None:
                    first[j] = present[0]
                longest[j] = max(longest[j], max(len(str(v)) for v in present))
            text[j] = text[j] or col.is_text
    out: list[float] = []
    for j, name in enumerate(table.columns[:ncols]):
        if wrapped[j]:
            out.append(float(wrapped[j]))
            continue
        if first[j] is not None and not text[j] and hasattr(first[j], "year"):
            longest[j] = max(longest[j], 19)
        # The header needs room for its name and the autofilter's drop-down button beside it.
        out.append(float(min(max(len(name) + 5, longest[j] + 2, 8), 60)))
    return out


def _line_counts(values: list, width: float) -> list[int]:
    """The lines each text of a wrapped column takes at ``width`` (at least 1)."""
    per_line = max(1, int(width * _CHARS_PER_UNIT))
    out = []
    for v in values:
        if v.__class__ is not str:
            out.append(1)
        elif "\n" not in v:
            out.append(-(-len(v) // per_line) or 1)
        else:
            out.append(sum(-(-len(part) // per_line) or 1 for part in v.split("\n")))
    return out


def _heights(cols: list[Column], widths: list[float], table: str) -> Optional[list[int]]:
    """Per row, the lines its tallest wrapped cell takes (``None`` when the table wraps nothing)."""
    lines = None
    for col, width in zip(cols, widths):
        if (table, col.name) in WRAPPED:
            counts = _line_counts(col.values, width)
            lines = counts if lines is None else list(map(max, lines, counts))
    return lines


@functools.lru_cache(maxsize=None)
def _row_height(lines: int) -> dict[str, str]:
    """The ``<row>`` attributes of a row ``lines`` lines tall."""
    return {"ht": f"{min(lines * _LINE_POINTS, _MAX_POINTS):g}", "customHeight": "1"}


def _cells(ws, table: str, col: Column, styles: _Styles) -> list:
    """The values of one prepared column, as cells where a style or type is needed."""
    values = col.values
    if (table, col.name) in WRAPPED:
        out = [None if v is None else styles.wrapped(ws, v) for v in values]
    elif table == "Codes" and col.name == "color":
        out = [None if v is None else styles.colour(ws, v) for v in values]
    elif not col.is_text and not col.plain and any(isinstance(v, _dt.date) for v in values):
        out = [styles.dated(ws, v) if isinstance(v, _dt.date) else v for v in values]
    else:
        out = values
    # Formula-like rows are listed already; an error code ("#N/A") is looked for only when the
    # column holds one (a set lookup in C).
    maybe = range(len(values)) if col.is_text and not ERROR_TEXTS.isdisjoint(values) else col.formula_like
    as_text = [k for k in maybe if typed_as_text(values[k])]
    if as_text and out is values:
        out = list(values)  # the prepared column stays as it is
    for k in as_text:
        cell = out[k]
        if not isinstance(cell, Cell):
            cell = out[k] = WriteOnlyCell(ws, values[k])
        cell.data_type = "s"  # text that looks like a formula or an error value stays text
    return out


def _start_sheet(ws, names: list[str], widths: list[float], rows: int, styles: _Styles) -> None:
    """Freeze the header, set the widths and the autofilter over ``rows`` rows, write the header."""
    ws.freeze_panes = "A2"
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    if names:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(names))}{rows + 1}"
    header = []
    for name in names:
        cell = WriteOnlyCell(ws, header_value(name))
        cell.font = styles.bold
        cell.data_type = "s"
        header.append(cell)
    ws.append(header)


def _write_table(wb, table: TableRows, diag: Diagnostics, max_rows: int, titles: list[str],
                 styles: Optional[_Styles], tick: Callable[[int], None]) -> _Styles:
    """Add the sheets of one table (more than one when it is longer than ``max_rows``), a chunk
    of rows at a time; returns the workbook's shared styles."""
    name, n = table.name, len(table)
    prep = TablePrep(name, diag, EXCEL_MAX_CHARS, table.date_columns)
    ncols = min(len(table.columns), EXCEL_MAX_COLUMNS)
    names, widths = table.columns[:ncols], _widths(table, ncols)
    parts = max(1, -(-n // max_rows))
    for p in range(parts):
        title = sheet_name(name if p == 0 else f"{name} ({p + 1})", titles)
        titles.append(title)
        ws = wb.create_sheet(title)
        styles = styles or _Styles(ws)
        start, stop = p * max_rows, min(n, (p + 1) * max_rows)
        _start_sheet(ws, names, widths, stop - start, styles)
        dims, at = ws.row_dimensions, 2  # the sheet row the next data row goes to
        for first, df in table.chunks(start, stop):
            cols = prep.columns(df, first)[:ncols]
            lines = _heights(cols, widths, name)
            rows = zip(*[_cells(ws, name, c, styles) for c in cols])
            if lines is None:
                for row in rows:
                    ws.append(row)
                at += len(df)
            else:
                # openpyxl writes a row's entry of row_dimensions as the row's attributes; a
                # shared plain dict per height, there only while its row is written, costs
                # neither an object nor memory per row.
                for row, tall in zip(rows, lines):
                    if tall > 1:
                        dims[at] = _row_height(tall)
                        ws.append(row)
                        del dims[at]
                    else:
                        ws.append(row)
                    at += 1
            tick(len(df))
    prep.finish()
    # Said after the repairs, as when the table was prepared whole before being written.
    if len(table.columns) > EXCEL_MAX_COLUMNS:
        diag.warn("columns-cut", f"table {name} has {len(table.columns)} columns; Excel shows {EXCEL_MAX_COLUMNS:,}, "
                                 "the rest are only in the CSV export", name)
    if parts > 1:
        diag.warn("table-split", f"table {name} has {n:,} rows, more than a sheet holds; it continues on "
                                 f"sheets '{name} (2)'…'{name} ({parts})'", name)
    return styles


def _write_tables(wb, project: Project, tables: dict, diag: Diagnostics, max_rows: int,
                  tick: Callable[[int], None]) -> None:
    """Add the sheets of every table to ``wb``, then ``Warnings`` with the writing's own warnings."""
    styles: Optional[_Styles] = None
    titles: list[str] = []
    for table in writing_order(tables, project, diag):
        styles = _write_table(wb, table, diag, max_rows, titles, styles, tick)


def _top_aligned(wb) -> None:
    """Make the workbook's default cell format align to the top, so that in a row made tall by
    a wrapped excerpt every cell starts on its first line (styling each cell instead would cost
    a style per cell).  openpyxl has no public way to change the default format; if its inner
    lists change, the cells simply keep Excel's default (bottom) alignment."""
    try:
        top = wb._alignments.add(Alignment(vertical="top"))
        default = wb._cell_styles[0]
        wb._cell_styles[0] = default.__class__(default)  # a copy: the list indexes its items
        wb._cell_styles[0].alignmentId = top
    except (AttributeError, IndexError, TypeError):  # pragma: no cover - another openpyxl
        pass


def write(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Write the researcher's workbook to ``path`` (atomically); returns the counts written."""
    tables = table_rows(project, diag=diag, extra=options.extra.get("tables"))
    counts = written_counts(tables)
    max_rows = max(1, int(options.extra.get("max_rows", EXCEL_MAX_ROWS)) - 1)  # the header takes a row
    total = rows_to_write(tables, project, diag)
    tick = progress_ticker(options.progress, total, _PROGRESS_EVERY)
    try:
        with atomic_file(path) as tmp:
            wb = Workbook(write_only=True)
            _top_aligned(wb)
            _write_tables(wb, project, tables, diag, max_rows, tick)
            save_workbook(wb, tmp)  # a disk-full error closes quietly
    except OSError as exc:
        raise WriteError(f"cannot write the workbook ({exc.strerror or exc})", str(path),
                         hint="check the disk space and that the file is not open in Excel") from None
    return counts
