"""The project for R (``--to r``): a folder of plain CSV files, one per table of
:func:`nvivo_bridge.tables` with the analysis tables (snake_case names), and ``load.R``, which
reads them with base R only and gives every column its type::

    source("project_r/load.R")      # → a list `nb`: nb$codings, nb$segments, nb$co_occurrence_long…

The CSV files are UTF-8 without a byte-order mark, never formula-escaped, missing values empty,
booleans ``TRUE``/``FALSE``, times ``YYYY-MM-DD HH:MM:SS`` in UTC.  ``load.R`` turns integers
into integer (double when beyond R's 32-bit integers), numbers into double, booleans into
logical, times into POSIXct (UTC), date attributes into Date and repeated text (codes, sources,
cases, coders, attribute values) into factors; column names are kept as they are.
"""
from __future__ import annotations

import csv
from pathlib import Path

from .._io import atomic_dir
from ..errors import Diagnostics, WriteError
from ..model import Project
from ..options import WriteOptions
from ..sheets import TableRows, rows_to_write, writing_order, written_counts
from ._cells import progress_ticker
from ._tabular import analysis_rows, column_kind, py_values, snake_names
from .parquet import PLAIN_TEXT

__all__ = ["write", "r_type", "load_script", "R_TYPES"]

R_TYPES = ("character", "factor", "integer", "double", "logical", "POSIXct", "Date")
_INT_MAX = 2**31 - 1

_HELPER = '''# Written by nvivo-bridge: reads the CSV files beside this script with their types (base R only).
# Usage: source("path/to/load.R") gives `nb`, a list of data frames: nb$codings, nb$segments,
# nb$codes, nb$co_occurrence_long, ... (the CSV files are found beside this script).
.nb_dir <- tryCatch(dirname(sys.frame(1)$ofile), error = function(e) ".")
if (!file.exists(file.path(.nb_dir, "load.R"))) .nb_dir <- "."
.nb_read <- function(file, types) {
  df <- utils::read.csv(file.path(.nb_dir, file), colClasses = "character", na.strings = "",
                        check.names = FALSE, encoding = "UTF-8", fileEncoding = "UTF-8")
  for (col in names(types)) {
    x <- df[[col]]
    df[[col]] <- switch(types[[col]],
      integer = as.integer(x), double = as.numeric(x), logical = as.logical(x),
      POSIXct = as.POSIXct(x, tz = "UTC", format = "%Y-%m-%d %H:%M:%S"),
      Date = as.Date(x), factor = factor(x, levels = unique(x[!is.na(x)])), x)
  }
  df
}
nb <- list()
'''


def r_type(kind: str, name: str, big: bool = False) -> str:
    """The R type ``load.R`` gives a column of ``kind`` (``big``: integers beyond 32 bits)."""
    if kind == "integer":
        return "double" if big else "integer"
    return {"float": "double", "boolean": "logical", "datetime": "POSIXct", "date": "Date",
            "mixed": "character"}.get(kind, "character" if name in PLAIN_TEXT or name.endswith("guid") else "factor")


def load_script(specs: list[tuple[str, str, list[tuple[str, str]]]]) -> str:
    """``load.R`` for ``[(r name, file, [(column, R type)])]``."""
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = [_HELPER]
    for name, file, cols in specs:
        body = ", ".join(f"{q(c)} = {q(t)}" for c, t in cols)
        lines.append(f"nb[[{q(name)}]] <- .nb_read({q(file)}, c({body}))")
    return "\n".join(lines) + "\n"


def _write_table(fh, table: TableRows, tick) -> list[tuple[str, str]]:
    """Write one table as CSV; returns its columns with their R types."""
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(table.columns)
    kinds: list[str] = []
    big: list[bool] = []
    for _first, df in (table.chunks() if len(table) else [(0, table.frame(0, 0))]):
        if not kinds:
            kinds = [column_kind(df.iloc[:, k], str(c) in table.date_columns) for k, c in enumerate(df.columns)]
            big = [False] * len(kinds)
        cols = []
        for k, kind in enumerate(kinds):
            vals = py_values(df.iloc[:, k], kind)
            if kind == "boolean":
                vals = [None if v is None else ("TRUE" if v else "FALSE") for v in vals]
            elif kind == "integer" and not big[k]:
                big[k] = any(v is not None and abs(v) > _INT_MAX for v in vals)
            cols.append(vals)
        writer.writerows(zip(*cols))
        tick(len(df))
    return [(c, r_type(k, c, b)) for c, k, b in zip(table.columns, kinds, big)]


def write(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Write every table to ``path/<table>.csv`` and ``path/load.R`` (the folder atomically)."""
    tables = analysis_rows(project, diag)
    counts = written_counts(tables)
    names = snake_names(["load"] + list(tables) + ["Warnings"])
    tick = progress_ticker(options.progress, rows_to_write(tables, project, diag))
    specs = []
    try:
        with atomic_dir(Path(path), force=bool(options.extra.get("force"))) as tmp:
            for table in writing_order(tables, project, diag):
                file = f"{names[table.name]}.csv"
                with open(tmp / file, "w", encoding="utf-8", errors="replace", newline="") as fh:
                    specs.append((names[table.name], file, _write_table(fh, table, tick)))
            (tmp / "load.R").write_text(load_script(specs), encoding="utf-8")
    except OSError as exc:
        raise WriteError(f"cannot write the R files ({exc.strerror or exc})", str(path),
                         hint="check the disk space") from None
    return counts
