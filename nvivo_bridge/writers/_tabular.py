"""What the analysis writers (SQLite, Parquet, SPSS, R) share: the tables they write (every
table of :func:`nvivo_bridge.sheets.table_rows` with the analysis tables), machine-friendly
names, column kinds, plain Python values, and a clear error when an optional extra is missing."""
from __future__ import annotations

import importlib
import re
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..errors import Diagnostics, WriteError
from ..model import Project
from ..sheets import TableRows, table_rows

__all__ = ["MissingExtraError", "require", "snake_names", "analysis_rows", "column_kind", "py_values",
           "KINDS"]

# A column's kind decides its type in every format (SQLite, Arrow, SPSS, R).
KINDS = ("integer", "float", "boolean", "datetime", "date", "text", "mixed")


class MissingExtraError(WriteError):
    """An output format needs an optional package that is not installed (exit 1)."""


def require(module: str, extra: str, what: str, path: Any = None) -> Any:
    """Import ``module`` or raise :class:`MissingExtraError` (naming the output ``path``) saying
    which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(f"{what} needs the Python package '{module.split('.')[0]}', which is not installed",
                                str(path) if path is not None else None,
                                hint=f'pip install "nvivo-bridge[{extra}]"') from None


_NOT_WORD = re.compile(r"[^0-9a-z]+")


def snake_names(names: Iterable[str]) -> dict[str, str]:
    """``name → snake_case`` for table and file names (``Code x Case`` → ``code_x_case``), unique,
    never starting with a digit, letters outside ASCII dropped (an empty result is ``table``)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = _NOT_WORD.sub("_", name.lower()).strip("_") or "table"
        if base[0].isdigit():
            base = "t_" + base
        cand, n = base, 2
        while cand in used:
            cand, n = f"{base}_{n}", n + 1
        used.add(cand)
        out[name] = cand
    return out


def analysis_rows(project: Project, diag: Diagnostics) -> dict[str, TableRows]:
    """Every table but ``Warnings``, the analysis tables included, as :class:`TableRows`."""
    return table_rows(project, diag=diag, extra="matrices")


def column_kind(series: pd.Series, as_date: bool = False) -> str:
    """One of :data:`KINDS` for a column (a datetime column at midnight throughout is ``date``)."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind == "b":
            return "boolean"
        if dtype.kind in "iu":
            return "integer"
        if dtype.kind == "f":
            return "float"
        if dtype.kind == "M":
            return "date" if as_date else "datetime"
    name = str(dtype)
    if name in ("Int64", "Int32", "UInt64"):
        return "integer"
    if name in ("Float64",):
        return "float"
    if name == "boolean":
        return "boolean"
    if isinstance(dtype, pd.StringDtype):
        return "text"
    present = [v for v in series.tolist() if v is not None and not (isinstance(v, float) and v != v)]
    return "text" if all(isinstance(v, str) for v in present) else "mixed"


def py_values(series: pd.Series, kind: str) -> list:
    """The column as plain Python values (``None`` for missing): datetimes as ISO text
    (``YYYY-MM-DD HH:MM:SS``, or ``YYYY-MM-DD`` for ``date``), booleans as 0/1, numpy scalars
    as Python numbers; mixed columns keep numbers and write anything else as text."""
    mask = series.isna().to_numpy()
    if kind in ("datetime", "date"):
        vals = series.dt.strftime("%Y-%m-%d" if kind == "date" else "%Y-%m-%d %H:%M:%S").tolist()
    elif kind == "boolean":
        vals = [int(v) if not m else None for v, m in zip(series.tolist(), mask)]
        return vals
    elif kind == "mixed":
        vals = [_plain(v) for v in series.tolist()]
    else:
        vals = series.tolist()
    if mask.any():
        for k in np.flatnonzero(mask):
            vals[k] = None
    return vals


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or isinstance(v, (int, float, str)) and not isinstance(v, bool):
        return v
    if isinstance(v, bool):
        return int(v)
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
    return str(v)
