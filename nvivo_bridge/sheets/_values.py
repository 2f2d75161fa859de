"""Typed values for the tables: dates as naive UTC datetimes, variable values by their type,
and unique column names."""
from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any, Iterable, Optional

import numpy as np
import pandas as pd

__all__ = ["to_datetimes", "parse_datetime", "typed_value", "typed_column", "value_kinds", "date_only",
           "unique_names", "extra_column_names", "kept_as_text", "EXCEL_YEARS", "INT64_RANGE"]

#: The years a date in a table holds: Excel counts days from 1900, and pandas' datetime64[ns]
#: stops in April 2262 (Python's datetime has no year 0 or below).  A date outside them is kept
#: as its text.
EXCEL_YEARS = (1900, 2261)
#: The integers an Int64 column (and so a table) holds; a larger one is kept as its text.
INT64_RANGE = (-2 ** 63, 2 ** 63 - 1)


def _excel_year(year: int) -> bool:
    return EXCEL_YEARS[0] <= year <= EXCEL_YEARS[1]


def to_datetimes(values: list) -> pd.Series:
    """Parse lexical ``xsd:dateTime`` strings into naive UTC datetimes (``NaT`` when missing); a
    value without a zone is taken as UTC.

    Excel has no time zones, so every time is shown in UTC.  A value that is unreadable or outside
    :data:`EXCEL_YEARS` (year 0, -0001, 10000…) is kept as its text: the column is then of object
    dtype, datetimes and texts mixed (see :func:`kept_as_text`)."""
    s = pd.Series(values, dtype=object)
    if s.empty or s.isna().all():
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    parsed = pd.to_datetime(s, utc=True, errors="coerce", format="ISO8601").dt.tz_localize(None)
    years = parsed.dt.year
    bad = ((years < EXCEL_YEARS[0]) | (years > EXCEL_YEARS[1])).fillna(False).to_numpy(dtype=bool, copy=True)
    for k in np.flatnonzero((parsed.isna() & s.notna()).to_numpy()):  # unreadable, unless blank
        bad[k] = bool(str(s.iat[k]).strip())
    if not bad.any():
        return parsed.astype("datetime64[ns]")
    good = parsed.where(~bad).astype("datetime64[ns]")
    out = pd.Series([None if v is pd.NaT else v.to_pydatetime() for v in good], dtype=object)
    for k in np.flatnonzero(bad):
        out.iat[k] = s.iat[k]
    return out


def kept_as_text(series: pd.Series) -> int:
    """How many values of a :func:`to_datetimes` column were kept as text."""
    if series.dtype != object:
        return 0
    return sum(1 for v in series if isinstance(v, str))


def parse_datetime(value: Optional[str]) -> Optional[_dt.datetime]:
    """One lexical ``xsd:dateTime`` as a naive UTC :class:`datetime.datetime` (``None`` when unreadable)."""
    if not value:
        return None
    try:
        ts = pd.to_datetime(value, utc=True, format="ISO8601")
    except (ValueError, TypeError, OverflowError):
        return None
    if ts is pd.NaT or not _excel_year(ts.year):
        return None
    return ts.tz_localize(None).to_pydatetime()


_TRUE = {"true", "1", "yes", "ya", "y"}
_FALSE = {"false", "0", "no", "tidak", "n"}


def typed_value(value: Optional[str], vtype: str) -> tuple[Any, bool]:
    """Convert a lexical variable value by the variable's type.

    Returns ``(value, ok)``: ``ok`` is false when the text does not fit the type, and then the
    text itself is returned so nothing is lost.  That includes values a table cannot hold:
    integers outside :data:`INT64_RANGE`, dates outside :data:`EXCEL_YEARS`."""
    if value is None:
        return None, True
    text = value.strip()
    if vtype == "Text" or not text:
        return value, True
    try:
        if vtype == "Integer":
            n = int(text)
            return (n, True) if INT64_RANGE[0] <= n <= INT64_RANGE[1] else (value, False)
        if vtype == "Float":
            f = float(text)
            return (f, True) if math.isfinite(f) else (value, False)
        if vtype == "Boolean":
            low = text.lower()
            if low in _TRUE:
                return True, True
            if low in _FALSE:
                return False, True
            return value, False
        if vtype == "Date":
            day = _dt.date.fromisoformat(text[:10])
            if not _excel_year(day.year) or text[10:11].isdigit():  # "10000-01-01" is not "1000-0…"
                return value, False
            return _dt.datetime.combine(day, _dt.time()), True
        if vtype == "DateTime":
            parsed = parse_datetime(text)
            return (parsed, True) if parsed is not None else (value, False)
    except (ValueError, OverflowError):
        return value, False
    return value, True


def value_kinds(values: Iterable) -> set:
    """The types of the values present (what :func:`typed_column` decides a dtype by)."""
    return {type(v) for v in values if v is not None}


def typed_column(values: list, vtype: str, kinds: Optional[set] = None) -> pd.Series:
    """A Series for one variable: a typed dtype when every value fits, else object dtype.

    ``kinds`` (:func:`value_kinds` of the whole column) lets a part of a column get the whole
    column's dtype; by default it is taken from ``values``."""
    kinds = value_kinds(values) if kinds is None else kinds
    if vtype == "Integer" and kinds <= {int}:
        return pd.Series(values, dtype="Int64")
    if vtype == "Float" and kinds <= {float, int}:
        return pd.Series([None if v is None else float(v) for v in values], dtype="float64")
    if vtype == "Boolean" and kinds <= {bool}:
        return pd.Series(values, dtype="boolean")
    if vtype in ("Date", "DateTime") and kinds <= {_dt.datetime}:
        return pd.Series(values, dtype="datetime64[ns]") if values else pd.Series([], dtype="datetime64[ns]")
    if kinds <= {str}:
        return pd.Series(values, dtype="str") if values else pd.Series([], dtype="str")
    return pd.Series(values, dtype=object)


def date_only(series: pd.Series) -> bool:
    """Whether a datetime column holds dates only (some value, every value at midnight): such a
    column is written as dates, e.g. a ``Date`` variable."""
    if not (isinstance(series.dtype, np.dtype) and series.dtype.kind == "M"):
        return False
    present = series[~series.isna().to_numpy()]
    return len(present) > 0 and bool((present == present.dt.normalize()).all())


def unique_names(wanted: Iterable[str], taken: Iterable[str] = (), suffix: str = "") -> list[str]:
    """Make each name unique against ``taken`` and each other: a clash gets ``suffix`` and then
    `` (2)``, `` (3)``… (compared case-insensitively, as Excel and file systems do)."""
    used = {t.lower() for t in taken}
    out: list[str] = []
    for name in wanted:
        name = name or "(unnamed)"
        cand = name
        if cand.lower() in used and suffix:
            cand = f"{name}{suffix}"
        n = 2
        base = cand
        while cand.lower() in used:
            cand = f"{base} ({n})"
            n += 1
        used.add(cand.lower())
        out.append(cand)
    return out


# What a header cell cannot hold (XML 1.0 controls, surrogates, U+FFFE/U+FFFF), removed before
# names are compared, so two names differing only there cannot end up as equal headers.
_HEADER_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def extra_column_names(fixed: Iterable[str], names: Iterable[Optional[str]], kind: str = "") -> list[str]:
    """The one column-naming rule of every table writer: header names for the columns that follow
    a table's ``fixed`` columns (variables, case attributes, cases, a matrix's own columns).

    Each name is cleaned as a header cell is (control characters removed, empty → ``(unnamed)``);
    one that takes the name of a fixed column or of an earlier one gets `` (<kind>)``
    (``kind="variable"`` → ``source (variable)``); any further clash gets `` (2)``, `` (3)``…  Names are compared
    case-insensitively, as Excel, pandas users and file systems confuse them.  The result never
    repeats a fixed name nor itself, and has one entry per name, in order."""
    clean = [_HEADER_BAD.sub("", str(n)) if n is not None else "" for n in names]
    return unique_names(clean, taken=list(fixed), suffix=f" ({kind})" if kind else "")
