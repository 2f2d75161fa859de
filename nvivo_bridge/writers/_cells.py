"""Turning DataFrame columns into plain cell values that spreadsheets accept, shared by the xlsx
and CSV writers.

Work is done column by column, so the common case (a clean column) costs one pass in C
(joining and searching the strings) rather than Python work per cell.  A long table is prepared
a chunk of rows at a time (:class:`TablePrep`); repairs are counted over the whole table and
reported once per table through :class:`~nvivo_bridge.errors.Diagnostics`.
"""
from __future__ import annotations

import datetime as _dt
import math
import operator
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np
import pandas as pd

from ..errors import Diagnostics

__all__ = ["excel_value", "ILLEGAL_CHARS", "FORMULA_START", "EXCEL_MAX_CHARS", "ERROR_TEXTS", "typed_as_text", "Column",
           "TablePrep", "cut_marker", "cut_text", "header_value", "progress_ticker"]

# Characters an .xlsx (XML 1.0) cannot hold: C0 controls except tab, LF, CR; lone surrogates;
# U+FFFE/U+FFFF.  openpyxl refuses the first group and lxml the rest.
ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A text cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@")
EXCEL_MAX_CHARS = 32_767
# Texts openpyxl would write as Excel error values (its ``ERROR_CODES``) instead of text.
ERROR_TEXTS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def typed_as_text(value: Any) -> bool:
    """Whether ``value`` is text that openpyxl would otherwise write as a formula (``=…``) or as
    an error value (``#N/A``…), so its cell must be typed as text explicitly."""
    return value.__class__ is str and ((len(value) > 1 and value[0] == "=") or value in ERROR_TEXTS)


def cut_marker(removed: int) -> str:
    """The visible marker put at the end of a cut cell."""
    return f" … [cut: {removed:,} more characters; the CSV export keeps the whole text]"


@dataclass
class Column:
    """One column ready to write: ``values`` are ``None``, ``str``, ``int``, ``float``, ``bool``,
    ``datetime.datetime`` or ``datetime.date``; ``formula_like`` lists the rows whose text starts
    like a formula (``FORMULA_START``); ``is_text`` tells whether the column holds any text."""

    name: str
    values: list
    formula_like: list = field(default_factory=list)
    is_text: bool = False
    plain: bool = False  # only None, str, int and float (no bool, date or other object)
    may_bool: bool = True  # False when the dtype rules booleans out


def excel_value(value: Any, marker: Callable[[int], str] = cut_marker) -> Any:
    """One value as openpyxl can store it, for writers that append rows themselves (the CIPP and
    agreement workbooks): no NaN/NA, no numpy scalars, no control characters, and no text longer
    than an Excel cell holds (cut with ``marker``'s visible note: openpyxl would cut it silently,
    and by code points, where Excel counts UTF-16 units)."""
    if value is None:
        return None
    t = type(value)
    if t is str:
        if ILLEGAL_CHARS.search(value):
            value = ILLEGAL_CHARS.sub("", value)
        return cut_text(value, EXCEL_MAX_CHARS, marker)
    if t is float:
        return None if math.isnan(value) else value
    if t is int or t is bool:
        return value
    if hasattr(value, "item"):
        value = value.item()
        return None if isinstance(value, float) and math.isnan(value) else value
    try:
        if value != value:  # pd.NA raises TypeError, NaT compares unequal
            return None
    except TypeError:
        return None
    return value


def _python_values(series: pd.Series, as_date: bool) -> list:
    """The column as Python values, every missing value (NaN, NaT, NA) as ``None``; datetimes as
    naive ``datetime``, or ``date`` when ``as_date`` (the whole column is at midnight, i.e. a
    date variable: see :func:`~nvivo_bridge.sheets._values.date_only`)."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind == "M":
        mask = series.isna().to_numpy()
        vals = list(series.dt.to_pydatetime()) if hasattr(series.dt, "to_pydatetime") else series.tolist()
        vals = [None if m else (v.date() if as_date else v) for v, m in zip(vals, mask)]
        return vals
    vals = series.tolist()
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iub":
        return vals
    mask = series.isna().to_numpy()
    if mask.any():
        for k in np.flatnonzero(mask):
            vals[k] = None
    if series.dtype == object:  # Project values and extra tables may hold numpy or pandas scalars
        for k, v in enumerate(vals):
            if isinstance(v, np.generic):
                vals[k] = v.item()
            elif isinstance(v, pd.Timestamp):
                vals[k] = v.to_pydatetime()
    return vals


_CHUNK = 2_000
def _any_formula_start(strs: list) -> bool:
    """Whether any text starts like a formula: the first characters joined (in C) and searched."""
    firsts = "".join(map(operator.itemgetter(0), filter(None, strs)))
    return any(c in firsts for c in FORMULA_START)


def _utf16_len(text: str) -> int:
    """The length of ``text`` as Excel counts it, in UTF-16 units (an emoji counts two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def cut_text(text: str, max_units: int, marker: Callable[[int], str] = cut_marker) -> str:
    """``text`` itself when it fits in ``max_units`` UTF-16 units (Excel's measure), else cut to
    fit, ending in ``marker(removed)`` (the number of characters cut off), which counts too."""
    # Text of at most max_units // 2 code points fits whatever it holds: no encoding needed.
    if len(text) <= max_units // 2 or _utf16_len(text) <= max_units:
        return text
    keep_units = max_units - _utf16_len(marker(len(text)))
    kept = text.encode("utf-16-le", "surrogatepass")[:2 * keep_units].decode("utf-16-le", "ignore")
    return kept + marker(len(text) - len(kept))


def _is_plain(dtype) -> bool:
    """Whether a column of this dtype holds only None, str, int and float values."""
    if isinstance(dtype, np.dtype):
        return dtype.kind in "iuf"
    return isinstance(dtype, pd.StringDtype) or str(dtype) in ("Int64", "Int32", "Float64", "UInt64")


@dataclass
class _Repairs:
    control: int = 0
    cut: int = 0
    as_text: int = 0
    first_control: Optional[str] = None
    first_cut: Optional[str] = None
    first_as_text: Optional[str] = None


#: Excel keeps 15 significant digits (a double): a larger integer is written as text, whole.
EXCEL_MAX_INT = 2 ** 53
#: The years an Excel date holds (it counts days from 1900); another date is written as ISO text.
EXCEL_YEARS = (1900, 9999)


def _excel_text(v: Any) -> Optional[str]:
    """The text a value Excel cannot hold is written as, or ``None`` when it fits."""
    cls = v.__class__
    if cls is int:
        return str(v) if not -EXCEL_MAX_INT <= v <= EXCEL_MAX_INT else None
    if isinstance(v, _dt.date) and not EXCEL_YEARS[0] <= v.year <= EXCEL_YEARS[1]:
        return v.isoformat()
    return None


def _excel_values(col: Column, series: pd.Series, rep: _Repairs, table: str, offset: int) -> None:
    """Write as text, in place, the integers and dates an Excel cell cannot hold (numbers beyond
    15 digits lose their last digits, dates before 1900 are refused); one vectorised look first."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fbMm":
        return  # datetime64[ns] holds 1677–2262: dates before 1900 come as objects, never here
    if (isinstance(dtype, np.dtype) and dtype.kind in "iu") or str(dtype) in ("Int64", "UInt64", "Int32"):
        try:
            if not len(series) or not series.abs().max() > EXCEL_MAX_INT:
                return
        except (TypeError, OverflowError):
            pass
    elif dtype != object:
        return
    vals = col.values
    for k, v in enumerate(vals):
        if v is None or v.__class__ is str or v.__class__ is float:
            continue
        text = _excel_text(v)
        if text is not None:
            vals[k] = text
            col.plain = False
            rep.as_text += 1
            rep.first_as_text = rep.first_as_text or f"{table} row {offset + k + 2} column {col.name}"


def _clean_text(col: Column, dtype, max_chars: Optional[int], rep: _Repairs, table: str, offset: int) -> None:
    """Remove illegal characters, cut over-long text, and note formula-like cells, in place
    (``offset``: the table row of the first value, for the place named in a warning)."""
    vals = col.values
    if isinstance(dtype, np.dtype) and dtype.kind in "iufbM":
        return  # numbers, booleans and datetimes hold no text
    if isinstance(dtype, pd.StringDtype):
        strs = list(filter(None, vals))  # C-level: every present value is a str
    else:
        strs = [v for v in vals if v.__class__ is str]
    if not strs:
        return
    col.is_text = True
    # A search over joined chunks of the column decides whether any cell needs a look (the usual
    # answer is no); chunks keep the joined copy small however long the column is.
    bad = any(ILLEGAL_CHARS.search("\n".join(strs[i:i + _CHUNK])) for i in range(0, len(strs), _CHUNK))
    long = max_chars is not None and max(map(len, strs)) > max_chars // 2
    # A removed control character may uncover a leading "=", so a bad column is checked cell by cell.
    formula = bad or _any_formula_start(strs)
    if not (bad or long or formula):
        return
    for k, v in enumerate(vals):
        if v.__class__ is not str:
            continue
        if bad:
            new = ILLEGAL_CHARS.sub("", v)
            if new != v:
                v = vals[k] = new
                rep.control += 1
                rep.first_control = rep.first_control or f"{table} row {offset + k + 2} column {col.name}"
        cut = cut_text(v, max_chars) if long else v
        if cut is not v:
            v = vals[k] = cut
            rep.cut += 1
            rep.first_cut = rep.first_cut or f"{table} row {offset + k + 2} column {col.name}"
        if formula and v[:1] in FORMULA_START:
            col.formula_like.append(k)


class TablePrep:
    """Prepares the rows of table ``name`` a chunk at a time (:meth:`columns`), counting repairs
    over the whole table; :meth:`finish` reports them once.

    ``max_chars`` (Excel: 32,767) cuts longer text with a visible marker; ``None`` keeps it whole.
    ``date_columns`` names the datetime columns written as dates (decided over the whole table)."""

    def __init__(self, name: str, diag: Diagnostics, max_chars: Optional[int] = None,
                 date_columns: frozenset = frozenset()) -> None:
        self.name, self.diag, self.max_chars, self.date_columns = name, diag, max_chars, date_columns
        self._rep = _Repairs()

    def columns(self, df: pd.DataFrame, offset: int = 0) -> list[Column]:
        """Every column of ``df``, whose first row is row ``offset`` of the table."""
        cols = []
        for k, cname in enumerate(df.columns):
            series = df.iloc[:, k]
            name = str(cname)
            col = Column(name, _python_values(series, name in self.date_columns), plain=_is_plain(series.dtype),
                         may_bool=series.dtype == object or series.dtype.kind == "b")
            _clean_text(col, series.dtype, self.max_chars, self._rep, self.name, offset)
            if self.max_chars is not None:  # an Excel workbook; CSV holds every digit and year
                _excel_values(col, series, self._rep, self.name, offset)
            cols.append(col)
        return cols

    def finish(self) -> None:
        """Report the table's repairs (once per kind) in ``diag``."""
        rep, name = self._rep, self.name
        if rep.control:
            self.diag.warn("control-characters-removed",
                           f"{rep.control} cell(s) of table {name} held control characters spreadsheets forbid; "
                           "they were removed", f"first: {rep.first_control}")
        if rep.as_text:
            self.diag.warn("value-as-text", f"{rep.as_text} cell(s) of table {name} hold an integer beyond Excel's "
                           "15 digits or a date outside the years 1900–9999; written as text, whole",
                           f"first: {rep.first_as_text}")
        if rep.cut:
            self.diag.warn("cell-cut", f"{rep.cut} cell(s) of table {name} were longer than Excel's "
                                       f"{EXCEL_MAX_CHARS:,} characters and were cut (marked '… [cut: …]'); the CSV "
                                       "export keeps them whole", f"first: {rep.first_cut}")


def header_value(name: Any) -> str:
    """A header cell's text, cleaned like any other text."""
    return ILLEGAL_CHARS.sub("", str(name))


def progress_ticker(progress: Optional[Callable[[int, int], None]], total: int,
                    every: int = 5_000) -> Callable[[int], None]:
    """A ``tick(rows)`` for a writer: calls ``progress(done, total)`` each ``every`` rows and
    when ``done`` reaches ``total``."""
    state = {"done": 0, "last": 0}

    def tick(n: int) -> None:
        state["done"] += n
        if progress is not None and (state["done"] - state["last"] >= every or state["done"] == total):
            state["last"] = state["done"]
            progress(state["done"], total)
    return tick
