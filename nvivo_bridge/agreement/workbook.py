"""The agreement workbook and CSV folder: one sheet / file per frame of an ``AgreementResult``.

House conventions (as the researcher's workbook and the CIPP workbook): bold header with rules,
frozen, with an autofilter; column widths from the first rows; numbers as numbers (kappa and
alpha to three decimals, percentages to one on the small sheets); text that looks like a
formula or an error value stored as text; control characters removed; a cell longer than Excel
holds cut with a visible marker; a sheet longer than Excel holds continues on ``<sheet> (2)``.
CSV: UTF-8 with BOM, formula-like cells with a leading apostrophe.  Outputs are atomic.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Border, Font, Side
from openpyxl.utils import get_column_letter

from .._io import atomic_dir, atomic_write
from .._xlsx import save_workbook as save_xlsx
from ..errors import WriteError
from ..writers._cells import FORMULA_START, excel_value, typed_as_text

__all__ = ["write_workbook", "write_csv", "MAX_ROWS"]

MAX_ROWS = 1_048_575  # data rows per sheet (Excel's 1,048,576 less the header)
_HEAD_FONT = Font(bold=True)
_HEAD_BORDER = Border(top=Side(style="medium"), bottom=Side(style="thin"))
_SMALL = {"Summary", "Segments", "Coders"}   # sheets short enough to format cell by cell
_WIDE = {"text": 70, "message": 80, "code_path": 45, "source": 28}


def _cut_marker(removed: int) -> str:
    return f" … [cut: {removed:,} more characters; the CSV export keeps the whole text]"


def _clean(v: Any) -> Any:
    """A value openpyxl can store (see :func:`excel_value`), long text cut with this workbook's note."""
    return excel_value(v, _cut_marker)


def _fmt(col: str) -> str | None:
    if col.endswith("_pct") or col.endswith("_pct_weighted"):
        return "0.0"
    if "kappa" in col or col == "alpha":
        return "0.000"
    return None


def _sheet(wb: Workbook, title: str, chunks: Any, n_rows: int, first: Any) -> None:
    """One sheet: header, then the rows of every DataFrame in ``chunks`` (``first`` is the first
    of them, already taken, which the column widths are judged by)."""
    cols = [str(c) for c in first.columns]
    ws = wb.create_sheet(title=title)
    sample = first.head(200)
    for i, c in enumerate(cols, start=1):
        width = len(c) + 2
        if len(sample):
            width = max(width, min(int(sample[c].astype(object).map(lambda v: len(str(v))).max()) + 2, 60))
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), _WIDE.get(c, 60))
    ws.freeze_panes = "A2"
    if n_rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{n_rows + 1}"
    head = []
    for c in cols:
        cell = WriteOnlyCell(ws, value=c)
        cell.font, cell.border = _HEAD_FONT, _HEAD_BORDER
        head.append(cell)
    ws.append(head)
    formats = {i: _fmt(c) for i, c in enumerate(cols)} if title.split(" (")[0] in _SMALL else {}
    for df in chunks:
        for values in zip(*[df[c].tolist() for c in df.columns]):
            row = [_clean(v) for v in values]
            for i, v in enumerate(row):
                if typed_as_text(v) or (formats.get(i) and isinstance(v, float)):
                    cell = WriteOnlyCell(ws, value=v)
                    if typed_as_text(v):
                        cell.data_type = "s"
                    else:
                        cell.number_format = formats[i]
                    row[i] = cell
            ws.append(row)


def _pieces(frames: Any, name: str):
    """The DataFrames of one frame, a slice at a time when the mapping can give them so."""
    if hasattr(frames, "raw") and hasattr(frames.raw(name), "chunks"):
        return frames.chunks(name), frames.rows(name)
    df = frames[name]
    return _slices(df), len(df)


def _slices(df: Any, size: int = 20_000):
    """A frame as slices of ``size`` rows (at least one): cells become Python objects a slice at
    a time, not for 400,000 rows at once."""
    yield df.iloc[:size]
    for first in range(size, len(df), size):
        yield df.iloc[first:first + size]


def _rechunk(chunks: Any, size: int):
    """The rows of ``chunks`` regrouped into DataFrames of at most ``size`` rows each, per sheet."""
    import pandas as pd

    buf, n = [], 0
    for df in chunks:
        while len(df):
            take = df.iloc[:size - n]
            buf.append(take)
            n += len(take)
            df = df.iloc[len(take):]
            if n == size:
                yield pd.concat(buf) if len(buf) > 1 else buf[0]
                buf, n = [], 0
    if buf:
        yield pd.concat(buf) if len(buf) > 1 else buf[0]


def _build(result: Any) -> Workbook:
    wb = Workbook(write_only=True)
    for name in result.frames:
        chunks, n = _pieces(result.frames, name)
        first = next(chunks)
        if n <= MAX_ROWS:
            _sheet(wb, name, _chain(first, chunks), n, first)
            continue
        for k, part in enumerate(_rechunk(_chain(first, chunks), MAX_ROWS)):
            _sheet(wb, name if k == 0 else f"{name} ({k + 1})", iter([part]), len(part), part)
    return wb


def _chain(first: Any, rest: Any):
    yield first
    yield from rest


def write_workbook(result: Any, path: Path) -> None:
    """Write every frame of ``result`` as a sheet of ``path`` (.xlsx), atomically."""
    atomic_write(Path(path), lambda tmp: save_xlsx(_build(result), tmp), "the agreement workbook")


def _csv_cell(v: Any) -> Any:
    v = _clean(v) if not isinstance(v, str) else v
    if isinstance(v, str) and v[:1] in FORMULA_START:
        return "'" + v
    return "" if v is None else v


def write_csv(result: Any, folder: Path, *, force: bool = False) -> None:
    """Write one ``<sheet>.csv`` per frame into ``folder`` (UTF-8 with BOM), atomically."""
    try:
        with atomic_dir(Path(folder), force=force) as tmp:
            for name in result.frames:
                chunks, _ = _pieces(result.frames, name)
                with open(tmp / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
                    fh.write("\ufeff")
                    w = csv.writer(fh)
                    for k, df in enumerate(chunks):
                        if k == 0:
                            w.writerow(list(df.columns))
                        w.writerows([_csv_cell(v) for v in row]
                                    for row in zip(*[df[c].tolist() for c in df.columns]))
    except OSError as exc:
        raise WriteError(f"cannot write the CSV files ({exc.strerror or exc})", str(folder),
                         hint="check the disk space and that no file in the folder is open in Excel") from None
