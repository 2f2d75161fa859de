"""The researcher's tables as a folder of CSV files, one ``<table>.csv`` per table.

UTF-8 with a byte-order mark by default, because Excel only shows non-ASCII text right in a
CSV when the file starts with one.  Text that a spreadsheet would run as a formula (starting
with ``=``, ``+``, ``-`` or ``@``) gets a leading apostrophe unless ``raw_csv`` is set: a CSV
has no cell types, so that apostrophe is the only way to keep Excel from evaluating a coded
excerpt such as ``=HYPERLINK(...)`` (CSV injection).  Text is never cut.
"""
from __future__ import annotations

import codecs
import csv as _csv
from pathlib import Path
from typing import Callable

from .._io import atomic_dir
from ..errors import Diagnostics, UsageError, WriteError
from ..model import Project
from ..options import WriteOptions
from ..sheets import TableRows, rows_to_write, table_rows, writing_order, written_counts
from ._cells import Column, TablePrep, progress_ticker

__all__ = ["write", "csv_values"]

_PROGRESS_EVERY = 5_000
_REPLACE = "nvivo-bridge-csv-replace"
_replaced = [0]


def _count_and_replace(exc: UnicodeError):
    """Encoding error handler: write '?' and count, so the loss is reported, not silent."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    _replaced[0] += exc.end - exc.start
    return "?" * (exc.end - exc.start), exc.end


def _take_replaced() -> int:
    n, _replaced[0] = _replaced[0], 0
    return n


codecs.register_error(_REPLACE, _count_and_replace)


def csv_values(col: Column, raw: bool) -> list:
    """The column as CSV fields: booleans as ``TRUE``/``FALSE`` (which spreadsheets read as
    booleans), missing as empty, dates and times in ISO form (``str`` of a datetime, done by
    the csv module in C), and (unless ``raw``) formula-like text prefixed with an apostrophe."""
    out = col.values
    if col.may_bool:
        out = [("TRUE" if v else "FALSE") if v is True or v is False else v for v in out]
    if col.formula_like and not raw:
        out = list(out) if out is col.values else out
        for k in col.formula_like:
            out[k] = "'" + out[k]
    return out


def _write_table(fh, table: TableRows, diag: Diagnostics, raw: bool, tick: Callable[[int], None]) -> None:
    """Write one table to the open file ``fh``, a chunk of rows at a time."""
    prep = TablePrep(table.name, diag, date_columns=table.date_columns)
    writer = _csv.writer(fh)
    writer.writerow(table.columns)
    for first, df in table.chunks():
        cols = prep.columns(df, first)
        writer.writerows(zip(*[csv_values(c, raw) for c in cols]))
        tick(len(df))
    prep.finish()


def write(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Write every table to ``path/<table>.csv`` (the folder is written atomically)."""
    try:
        codecs.lookup(options.encoding)
    except LookupError:
        raise UsageError(f"unknown encoding '{options.encoding}'", hint="try utf-8-sig, utf-8 or cp1252") from None
    # utf-8-sig's encoder is Python code; the BOM written by hand lets the C utf-8 codec do the work.
    bom = codecs.lookup(options.encoding).name == "utf-8-sig"
    encoding = "utf-8" if bom else options.encoding
    tables = table_rows(project, diag=diag, extra=options.extra.get("tables"))
    counts = written_counts(tables)
    _take_replaced()
    total = rows_to_write(tables, project, diag)
    tick = progress_ticker(options.progress, total, _PROGRESS_EVERY)
    try:
        with atomic_dir(Path(path), force=bool(options.extra.get("force"))) as tmp:
            for table in writing_order(tables, project, diag):
                name = table.name
                with open(tmp / f"{name}.csv", "w", encoding=encoding, errors=_REPLACE, newline="") as fh:
                    if bom:
                        fh.write("\ufeff")
                    _write_table(fh, table, diag, options.raw_csv, tick)
                lost = _take_replaced()
                if lost:
                    diag.warn("encoding-replaced", f"{lost} character(s) of table {name} cannot be written in "
                                                   f"{options.encoding} and were replaced by '?'",
                              f"{name}.csv")
    except OSError as exc:
        raise WriteError(f"cannot write the CSV files ({exc.strerror or exc})", str(path),
                         hint="check the disk space and that no file in the folder is open in Excel") from None
    return counts
