"""The CIPP workbook: one sheet per DataFrame, styled like a thesis table, with a native bar chart.

openpyxl's write-only mode streams rows to disk, so a 200k-reference Quotations sheet costs
little memory; styling is limited to headers, subtotal/total rows and number formats.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .._io import atomic_write
from .._xlsx import save_workbook as save_xlsx
from ..writers._cells import EXCEL_MAX_CHARS, excel_value, typed_as_text
from ..errors import WriteError
from .headers import headers
from .labels import SUBCOMPONENTS, text

__all__ = ["write_workbook"]

_THIN = Side(style="thin", color="000000")
_MED = Side(style="medium", color="000000")
# One family for header and body: a Font without a name is shown by LibreOffice in its own
# default (a serif header over a sans-serif body).
_FAMILY = "Calibri"
_HEAD_FONT = Font(name=_FAMILY, bold=True)
_PART_FONT = Font(name=_FAMILY, italic=True)
_HEAD_ALIGN = Alignment(wrap_text=True, vertical="bottom")  # long headers wrap in their column
_HEAD_BORDER = Border(top=_MED, bottom=_THIN)
_TOTAL_BORDER = Border(top=_THIN, bottom=_MED)
_SUB_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_PCT_COLS = ("references_pct", "cases_pct", "pct_of_component")
_WIDE = {"text": 80, "memo": 40, "detail": 70, "value": 100, "top_codes": 60, "description": 50,
         "guiding_question": 40, "evidence": 50, "top_quotations": 70, "note": 70,
         **{role: 40 for role in ("judgement", "strengths", "weaknesses", "recommendations", "lessons_learned")}}


def _cut_marker(removed: int) -> str:
    return f" … [cut: {removed:,} more characters; an Excel cell holds {EXCEL_MAX_CHARS:,}]"


def _clean(value: Any) -> Any:
    """A value openpyxl can store (see :func:`excel_value`), long text cut with this workbook's note."""
    return excel_value(value, _cut_marker)


def _row(ws: Any, values: list, font: Optional[Font] = None, border: Optional[Border] = None,
         fill: Optional[PatternFill] = None, formats: Optional[dict] = None,
         align: Optional[Alignment] = None) -> None:
    """Append one row; strings that look like formulas or error values are kept as text."""
    out = []
    for i, v in enumerate(values):
        v = _clean(v)
        fmt = formats.get(i) if formats else None
        if font or border or fill or fmt or align or typed_as_text(v):
            cell = WriteOnlyCell(ws, value=v)
            if typed_as_text(v):
                cell.data_type = "s"
            if font:
                cell.font = font
            if border:
                cell.border = border
            if fill:
                cell.fill = fill
            if fmt:
                cell.number_format = fmt
            if align:
                cell.alignment = align
            out.append(cell)
        else:
            out.append(v)
    ws.append(out)


def _widths(ws: Any, df: Any, cap: int = 60, wide: Optional[dict] = None, lang: str = "en") -> None:
    sample = df.head(200)
    for i, (col, head) in enumerate(zip(df.columns, headers(df.columns, lang)), start=1):
        width = max(len(w) for w in head.split()) + 2 if head.strip() else 8
        if len(sample):
            longest = sample[col].map(lambda v: len(str(v)) if v is not None else 0).max()
            width = max(width, min(int(longest) + 2, cap))
        if wide and col in wide:
            width = wide[col]
        ws.column_dimensions[get_column_letter(i)].width = max(8, min(width, cap if not wide or col not in wide else width))


def _table(ws: Any, df: Any, lang: str = "en") -> None:
    """Header with booktabs-style rules, then the rows (fast path: plain values)."""
    cols = list(df.columns)
    _row(ws, headers(cols, lang), _HEAD_FONT, _HEAD_BORDER, align=_HEAD_ALIGN)
    pct = {i: "0.0" for i, c in enumerate(cols) if c in _PCT_COLS or str(c).startswith("cases %")}
    columns = [df[c].tolist() for c in cols]
    kinds = df["row_type"].tolist() if "row_type" in df.columns else None
    for r, values in enumerate(zip(*columns)):
        kind = kinds[r] if kinds else None
        if kind == "total":
            _row(ws, list(values), _HEAD_FONT, _TOTAL_BORDER, formats=pct)
        elif kind == "subtotal":
            _row(ws, list(values), _HEAD_FONT, fill=_SUB_FILL, formats=pct)
        elif pct:
            _row(ws, list(values), formats=pct)
        else:
            _append_plain(ws, values)


def _append_plain(ws: Any, values: Any) -> None:
    """Append one unstyled row; a row holding formula-like or error-code text gets text cells."""
    row = [_clean(v) for v in values]
    if any(typed_as_text(v) for v in row):
        row = _formula_safe(ws, row)
    ws.append(row)


def _formula_safe(ws: Any, values: Any) -> list:
    out = []
    for v in values:
        v = _clean(v)
        if typed_as_text(v):
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(v)
    return out


def _overview(ws: Any, df: Any, res: Any) -> None:
    cols = list(df.columns)
    pct = {i: "0.0" for i, c in enumerate(cols) if c in _PCT_COLS}
    _row(ws, headers(cols, res.lang), _HEAD_FONT, _HEAD_BORDER, align=_HEAD_ALIGN)
    for values in df.itertuples(index=False, name=None):
        if values[0] == "total":
            _row(ws, list(values), _HEAD_FONT, _TOTAL_BORDER, formats=pct)
        elif values[0] in SUBCOMPONENTS:
            _row(ws, list(values), _PART_FONT, formats=pct)
        else:
            _row(ws, list(values), formats=pct)
    ws.append([])
    foot = WriteOnlyCell(ws, value=text("footnote", res.lang))
    foot.font = Font(name=_FAMILY, italic=True, size=9)
    ws.append([foot])
    n = len(res.rows)  # the component rows come first; Total and Product's parts stay out of the chart
    if n <= 0 or not res.total_units:
        return
    chart = BarChart()
    chart.type = "col"
    chart.style = 10
    chart.title = text("chart_title", res.lang)
    chart.y_axis.title = text("references", res.lang)
    chart.legend = None
    ref_col = cols.index("references") + 1
    chart.add_data(Reference(ws, min_col=ref_col, min_row=1, max_row=n + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=n + 1))
    chart.width, chart.height = 16, 8
    ws.add_chart(chart, f"B{len(df) + 5}")


def _matrix(ws: Any, df: Any, res: Any) -> None:
    n_cases = df.attrs.get("n_cases", {})
    head = []
    for col in df.columns:
        value = None
        for prefix in ("references: ", "cases: "):
            if str(col).startswith(prefix):
                value = n_cases.get(str(col)[len(prefix):])
        head.append(value)
    head[0] = text("cases_in_group", res.lang)
    _row(ws, head, _PART_FONT)
    _table(ws, df, res.lang)


def _build_workbook(res: Any) -> Workbook:
    """Lay out every frame of ``res`` as a sheet of a write-only workbook."""
    wb = Workbook(write_only=True)
    keys = {v: k for k, v in res.sheet_keys.items()}
    for name in res.frames:
        ws = wb.create_sheet(title=name)
        key = keys[name].split(":")[0]
        if res.frames.is_lazy(name):
            _streamed(ws, res)
            continue
        df = res.frames[name]
        _widths(ws, df, wide=_WIDE, lang=res.lang)
        ws.freeze_panes = "A3" if key == "matrix" else "A2"
        if key == "overview":
            _overview(ws, df, res)
        elif key == "matrix":
            _matrix(ws, df, res)
        elif key in ("synthesis", "ledger"):
            # Few rows of several lines each: wrapped, so the evaluator reads them in place.
            _row(ws, headers(df.columns, res.lang), _HEAD_FONT, _HEAD_BORDER, align=_WRAP)
            _row_heights(ws, df, 2)
            for values in df.itertuples(index=False, name=None):
                _row(ws, list(values), _PART_FONT if values[0] in SUBCOMPONENTS else None, align=_WRAP)
        else:
            if len(df.columns) and len(df) and key not in ("metadata",):
                ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{len(df) + 1}"
            _table(ws, df, res.lang)
    return wb


def _row_heights(ws: Any, df: Any, first: int) -> None:
    """Heights for wrapped rows (a spreadsheet does not grow a row written without one, and the
    lines would run over the next row): lines per cell from its column's width, 15 points a line."""
    widths = [ws.column_dimensions[get_column_letter(i)].width or 10 for i in range(1, len(df.columns) + 1)]
    for n, values in enumerate(df.itertuples(index=False, name=None)):
        lines = 1
        for v, w in zip(values, widths):
            if isinstance(v, str) and v:
                per = max(1, int(w * 1.1) - 1)  # characters per line in a column of width w
                lines = max(lines, sum(-(-max(len(part), 1) // per) for part in v.split("\n")))
        ws.row_dimensions[first + n].height = 15 * min(lines, 27)


def _streamed(ws: Any, res: Any) -> None:
    """The Quotations sheet row by row from :func:`nvivo_bridge.cipp.quotations.rows` (no frame)."""
    import itertools

    import pandas as pd

    from . import quotations

    cols = quotations.columns(res)
    it = quotations.rows(res)
    head = list(itertools.islice(it, 200))   # the widths are taken from the first rows
    _widths(ws, pd.DataFrame(head, columns=cols), wide=_WIDE, lang=res.lang)
    ws.freeze_panes = "A2"
    n = len(res.cache.get("quotation_refs", ()))
    if n:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{n + 1}"
    _row(ws, headers(cols, res.lang), _HEAD_FONT, _HEAD_BORDER, align=_HEAD_ALIGN)
    for values in itertools.chain(head, it):
        _append_plain(ws, values)


def save_workbook(res: Any, tmp: Path, path: Optional[Path] = None) -> None:
    """Lay out and save the workbook to ``tmp`` (a temporary name the caller renames to
    ``path``); a failed save is a :class:`WriteError` naming ``path``."""
    try:
        save_xlsx(_build_workbook(res), tmp)
    except OSError as exc:
        raise WriteError(f"cannot write the workbook ({exc.strerror or exc})", str(path or tmp),
                         hint="check free disk space and permissions") from None


def write_workbook(res: Any, path: Path) -> None:
    """Write every frame of ``res`` to ``path`` (.xlsx), atomically."""
    # The output folder is checked (by atomic_file) before any sheet exists: a write-only
    # workbook abandoned half-built spews lxml errors when it is garbage-collected.
    atomic_write(Path(path), lambda tmp: save_xlsx(_build_workbook(res), tmp), "the workbook")
