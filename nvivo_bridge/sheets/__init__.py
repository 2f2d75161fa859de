"""The researcher's tables: the project as pandas DataFrames, one per sheet of the workbook.

:func:`build_tables` returns, in this order, ``Project``, ``Codes``, ``Sources``, ``Codings``,
``Cases``, ``Variables``, ``Notes``, ``Sets``, ``Links``, ``Code x Case``, ``Source Texts``, then one table per
``project.tables`` entry (NVivo matrix/framework exports, under a sheet-safe name), then
``Warnings``.  The names and column order are a contract (``docs/excel-csv.md``); the xlsx and
CSV writers write exactly these tables.  Values are typed: numbers as numbers, times as naive
datetimes in UTC, variable values by the variable's type.

The writers take the same tables from :func:`table_rows`, which builds ``Codings`` (the one
table as long as the project) a chunk of rows at a time from the same row definition, so a
large project's excerpts are never all held at once.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Callable, Iterable, Iterator, Optional, Union

import pandas as pd

from ..errors import Diagnostics
from ..model import Project
from ._codes import CODES_COLUMNS, code_case_table, codes_table
from ._codings import CODINGS_FIXED, codings_rows
from ._context import CHUNK_ROWS, TableRows, make_context
from ._entities import (CASES_FIXED, SETS_COLUMNS, SOURCES_FIXED, VARIABLES_COLUMNS, cases_table,
                        project_table, sets_table, sources_table, variables_table)
from ._notes import NOTES_COLUMNS, notes_table
from ._texts import LINKS_COLUMNS, SOURCE_TEXTS_COLUMNS, links_table, source_texts_rows
from ._values import extra_column_names, unique_names

__all__ = ["build_tables", "table_rows", "rows_to_write", "writing_order", "TableRows", "CHUNK_ROWS",
           "warnings_table", "sheet_name", "written_counts", "TABLE_ORDER", "FIXED_COLUMNS", "extra_column_names"]

TABLE_ORDER = ["Project", "Codes", "Sources", "Codings", "Cases", "Variables", "Notes", "Sets", "Links",
               "Code x Case", "Source Texts", "Warnings"]
WARNINGS_COLUMNS = ["level", "code", "message", "location"]
# The leading columns of each table (variable, case and code-level columns follow where documented).
FIXED_COLUMNS = {"Project": ["field", "value"], "Codes": CODES_COLUMNS, "Sources": SOURCES_FIXED,
                 "Codings": CODINGS_FIXED, "Cases": CASES_FIXED, "Variables": VARIABLES_COLUMNS,
                 "Notes": NOTES_COLUMNS, "Sets": SETS_COLUMNS, "Links": LINKS_COLUMNS, "Code x Case": ["code_path"],
                 "Source Texts": SOURCE_TEXTS_COLUMNS, "Warnings": WARNINGS_COLUMNS}

_SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters as Excel counts them, in UTF-16 units;
    none of ``[]:*?/\\``; no apostrophe at either end; not ``History``) that is also a safe
    file name for the CSV folder."""
    base = _SHEET_BAD.sub("_", name or "").strip().strip("'").lstrip(".") or "Table"
    if base.lower() == "history":
        base = "History table"
    used = {t.lower() for t in taken}
    cand, n = _cut_name(base, 31), 2
    while cand.lower() in used:
        tail = f" ({n})"
        cand = _cut_name(base, 31 - len(tail)) + tail
        n += 1
    return cand


def _cut_name(name: str, units: int) -> str:
    """``name`` cut to ``units`` UTF-16 units (an emoji takes two), never ending in an apostrophe
    or a space (Excel refuses the first, and the second would hide in the cut)."""
    out, used = [], 0
    for ch in name:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            break
        out.append(ch)
    return "".join(out).rstrip("' ") or "Table"


def warnings_table(issues: Iterable[Any]) -> pd.DataFrame:
    """The ``Warnings`` table from :class:`~nvivo_bridge.errors.Issue` objects."""
    rows = [(i.level, i.code, i.message, i.location) for i in issues]
    return pd.DataFrame.from_records(rows, columns=WARNINGS_COLUMNS).astype(object)


def written_counts(tables: dict[str, Union[pd.DataFrame, TableRows]]) -> dict[str, int]:
    """What the tables (DataFrames or :class:`TableRows`) carry, per element kind (keys of
    ``Project.counts()``), for the ledger."""
    sets = tables["Sets"]
    sets = sets.frame() if isinstance(sets, TableRows) else sets
    return {**getattr(tables["Codings"], "carries", {}),"codes": len(tables["Codes"]), "sources": len(tables["Sources"]), "codings": len(tables["Codings"]),
            "cases": len(tables["Cases"]), "variables": len(tables["Variables"]), "notes": len(tables["Notes"]),
            "sets": int(sets["set_guid"].nunique()), "links": len(tables["Links"])}


def _extra_table(table) -> pd.DataFrame:
    """A ``model.Table`` (NVivo matrix export…) as a DataFrame, ragged rows padded or cut."""
    width = len(table.columns)
    cols = extra_column_names((), table.columns)
    rows = [(list(r) + [None] * width)[:width] for r in table.rows]
    return pd.DataFrame.from_records(rows, columns=cols) if width else pd.DataFrame()


def build_tables(project: Project, *, diag: Optional[Diagnostics] = None,
                 converted_at: Optional[_dt.datetime] = None, extra: Any = None,
                 **_: Any) -> dict[str, pd.DataFrame]:
    """Build every table of the researcher's workbook from ``project`` (see the module doc).

    ``diag`` collects what building met (values that do not fit their variable's type…); those
    issues also appear, after the reader's ``project.issues``, in ``Warnings``.  ``converted_at``
    (default: now, UTC) is written to ``Project``.  ``extra="matrices"`` (or a list of names)
    adds the analysis tables of :mod:`nvivo_bridge.analysis` after the others (before ``Warnings``).
    """
    diag = diag if diag is not None else Diagnostics()
    out = {name: table.frame() for name, table in table_rows(project, diag=diag, converted_at=converted_at,
                                                             extra=extra).items()}
    out["Warnings"] = warnings_table(list(project.issues) + diag.finish())
    return out


def table_rows(project: Project, *, diag: Diagnostics,
               converted_at: Optional[_dt.datetime] = None, extra: Any = None) -> dict[str, TableRows]:
    """Every table of :func:`build_tables` but ``Warnings`` (which a writer builds last, once its
    own warnings are in ``diag``), as :class:`TableRows` for writing a chunk at a time; ``extra``
    as for :func:`build_tables`.

    The small tables are built at once; ``Codings`` is built as its rows are asked for."""
    from .. import __version__

    if converted_at is None:
        converted_at = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    ctx = make_context(project, diag)
    steps: list[tuple[str, Callable[[], Union[pd.DataFrame, TableRows]]]] = [
        ("Project", lambda: project_table(ctx, f"nvivo-bridge {__version__}", converted_at)),
        ("Codes", lambda: codes_table(ctx)), ("Sources", lambda: sources_table(ctx)),
        ("Codings", lambda: codings_rows(ctx)), ("Cases", lambda: cases_table(ctx)),
        ("Variables", lambda: variables_table(ctx)), ("Notes", lambda: notes_table(ctx)),
        ("Sets", lambda: sets_table(ctx)), ("Links", lambda: links_table(ctx)),
        ("Code x Case", lambda: code_case_table(ctx)), ("Source Texts", lambda: source_texts_rows(ctx)),
    ]
    out: dict[str, TableRows] = {}
    for name, make in steps:
        table = make()
        out[name] = table if isinstance(table, TableRows) else TableRows.of(name, table)
    if extra:
        from ..analysis import analysis_tables, wanted_extra

        out.update(analysis_tables(ctx, wanted_extra(extra), list(out) + ["Warnings"], out["Codings"],
                                   out["Code x Case"].frame()))
    for table in project.tables.values():
        name = sheet_name(table.name, list(out) + ["Warnings"])
        if name != table.name:
            diag.info("table-renamed", f"table '{table.name}' is named '{name}' (sheet names are limited)",
                      table.source_file)
        out[name] = TableRows.of(name, _extra_table(table))
    return out


def rows_to_write(tables: dict[str, TableRows], project: Project, diag: Diagnostics) -> int:
    """The rows a writer will write from :func:`table_rows`: every table's, and the ``Warnings``
    known so far (the total a progress report counts towards)."""
    return sum(len(t) for t in tables.values()) + len(project.issues) + len(diag.finish())


def writing_order(tables: dict[str, TableRows], project: Project, diag: Diagnostics) -> Iterator[TableRows]:
    """The tables of :func:`table_rows` in order, each dropped from ``tables`` as it is handed
    out (so it is freed once written), then ``Warnings``, built from ``project.issues`` and
    ``diag`` as they stand once the others are written (their repairs included)."""
    while tables:
        yield tables.pop(next(iter(tables)))
    yield TableRows.of("Warnings", warnings_table(list(project.issues) + diag.finish()))
