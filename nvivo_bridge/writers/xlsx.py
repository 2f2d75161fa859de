"""The researcher's workbook: one sheet per table of :func:`nvivo_bridge.sheets.build_tables`,
written a chunk of rows at a time (:func:`nvivo_bridge.sheets.table_rows`).

openpyxl's write-only mode streams rows to disk, so memory stays flat however many codings
there are.  Only the cells that need a style get one (header, excerpt, code colour), all
sharing one style object each: per-cell styling is what makes spreadsheet writing slow.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Callable, Optional

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from .._io import atomic_file
from ..errors import Diagnostics, WriteError
from ..model import Project
from ..options import WriteOptions
from ..sheets import TableRows, rows_to_write, sheet_name, table_rows, writing_order, written_counts
from ._cells import (ERROR_TEXTS, EXCEL_MAX_CHARS, Column, TablePrep, header_value, progress_ticker,
                     typed_as_text)

__all__ = ["write", "EXCEL_MAX_ROWS", "EXCEL_MAX_COLUMNS", "WRAPPED"]

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
WRAPPED = {("Codings", "text"), ("Codings", "memo"), ("Notes", "text")}
_PROGRESS_EVERY = 5_000
_WIDTH_ROWS = 500  # rows a column's width is judged by


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
        hexa = value.lstrip("#") if isinstance(value, str) else ""
        if len(hexa) == 6 and all(c in "0123456789abcdefABCDEF" for c in hexa):
            r, g, b = (int(hexa[i:i + 2], 16) for i in (0, 2, 4))
            cell.fill = PatternFill("solid", fgColor="FF" + hexa.upper())
            if 0.299 * r + 0.587 * g + 0.114 * b < 128:
                cell.font = Font(color="FFFFFFFF")
        return cell


def _widths(table: TableRows, ncols: int) -> list[float]:
    """Column widths from the header and the first rows, taken in chunks like the rest of the
    table (wrapped text gets a wide column)."""
    # Prepared apart, so cut and cleaned text is measured as written; the repairs are reported
    # when the rows are written.
    prep = TablePrep(table.name, Diagnostics(), EXCEL_MAX_CHARS, table.date_columns)
    longest, first, text = [0] * ncols, [None] * ncols, [False] * ncols
    wrapped = [(table.name, c) in WRAPPED for c in table.columns[:ncols]]
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
            out.append(70)
            continue
        if first[j] is not None and not text[j] and hasattr(first[j], "year"):
            longest[j] = max(longest[j], 19)
        out.append(float(min(max(len(name) + 3, longest[j] + 2, 8), 60)))
    return out


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
        for first, df in table.chunks(start, stop):
            cols = prep.columns(df, first)[:ncols]
            for row in zip(*[_cells(ws, name, c, styles) for c in cols]):
                ws.append(row)
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
            _write_tables(wb, project, tables, diag, max_rows, tick)
            wb.save(tmp)
    except OSError as exc:
        raise WriteError(f"cannot write the workbook ({exc.strerror or exc})", str(path),
                         hint="check the disk space and that the file is not open in Excel") from None
    return counts
