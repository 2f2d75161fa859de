"""The project as a folder of Parquet files (``--to parquet``), one ``<table>.parquet`` per
table of :func:`nvivo_bridge.tables` with the analysis tables (snake_case names: ``codings``,
``segments``, ``co_occurrence_long``…), for pandas, polars, DuckDB and R's arrow.

Typed columns: integers as int64 (missing values stay missing), numbers as double, booleans as
bool, times as timestamps in UTC, date attributes as dates, and repeated text (code paths,
sources, coders, cases, attribute values) dictionary-encoded, so it reads back as a
categorical / factor; excerpts, memos, descriptions and GUIDs are plain strings.  Needs pyarrow:
``pip install "nvivo-bridge[parquet]"``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import pandas as pd

from .._io import atomic_dir
from ..errors import Diagnostics, WriteError
from ..model import Project
from ..options import WriteOptions
from ..sheets import TableRows, rows_to_write, writing_order, written_counts
from ._cells import progress_ticker
from ._tabular import analysis_rows, column_kind, require, snake_names

__all__ = ["write", "arrow_type", "PLAIN_TEXT"]

# Text columns that are mostly distinct per row: dictionary encoding would only cost.
PLAIN_TEXT = {"text", "memo", "description", "message", "value", "file", "location", "sources", "coders",
              "top_codes"}


def _dictionary(name: str) -> bool:
    return name not in PLAIN_TEXT and not name.endswith("guid") and name != "guid"


def arrow_type(pa: Any, kind: str, name: str) -> Any:
    """The Arrow type of a column of :func:`~nvivo_bridge.writers._tabular.column_kind` ``kind``."""
    if kind == "integer":
        return pa.int64()
    if kind == "float":
        return pa.float64()
    if kind == "boolean":
        return pa.bool_()
    if kind == "datetime":
        return pa.timestamp("us", tz="UTC")
    if kind == "date":
        return pa.date32()
    if kind == "text" and _dictionary(name):
        return pa.dictionary(pa.int32(), pa.string())
    return pa.string()


def _array(pa: Any, series: pd.Series, kind: str, typ: Any) -> Any:
    """One column of a chunk as an Arrow array of type ``typ``."""
    if kind in ("datetime", "date"):
        # the model's times are naive UTC: the stored instant is the same, now marked as UTC
        return pa.array(series.astype("datetime64[us]"), type=pa.timestamp("us"), from_pandas=True).cast(typ)
    if kind == "mixed":
        values = [None if v is None or (isinstance(v, float) and v != v) or v is pd.NaT or v is pd.NA
                  else (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in series.tolist()]
        return pa.array(values, type=pa.string())
    if pa.types.is_dictionary(typ):
        return pa.array(series, type=pa.string(), from_pandas=True).dictionary_encode()
    if kind == "integer":
        return pa.array(series.astype("Int64"), type=typ, from_pandas=True)
    if kind == "boolean":
        return pa.array(series.astype("boolean"), type=typ, from_pandas=True)
    return pa.array(series, type=typ, from_pandas=True)


def _write_table(pa: Any, pq: Any, table: TableRows, files: list[tuple[Path, Optional[list[str]]]], tick) -> None:
    """Write one table a chunk (row group) at a time to each of ``files``: ``(file, columns)``,
    ``columns`` a subset of the table's (``None``: all), so a table that extends another (Segments
    extends Codings) is built once for both files."""
    writers: list[Any] = []
    kinds: list[str] = []
    try:
        for _first, df in (table.chunks() if len(table) else [(0, table.frame(0, 0))]):
            if not writers:
                kinds = [column_kind(df.iloc[:, k], str(c) in table.date_columns) for k, c in enumerate(df.columns)]
                schema = pa.schema([pa.field(c, arrow_type(pa, k, c)) for c, k in zip(table.columns, kinds)])
                for file, cols in files:
                    sub = schema if cols is None else pa.schema([schema.field(c) for c in cols])
                    writers.append(pq.ParquetWriter(file, sub, compression="zstd"))
            arrays = [_array(pa, df.iloc[:, k], kind, arrow_type(pa, kind, c))
                      for k, (c, kind) in enumerate(zip(table.columns, kinds))]
            whole = pa.Table.from_arrays(arrays, names=list(table.columns))
            for (file, cols), writer in zip(files, writers):
                writer.write_table(whole if cols is None else whole.select(cols))
                tick(len(df))
    finally:
        for writer in writers:
            writer.close()


def write(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Write every table to ``path/<table>.parquet`` (the folder is written atomically)."""
    pa = require("pyarrow", "parquet", "Parquet output", path)
    pq = require("pyarrow.parquet", "parquet", "Parquet output", path)
    tables = analysis_rows(project, diag)
    counts = written_counts(tables)
    names = snake_names(list(tables) + ["Warnings"])
    tick = progress_ticker(options.progress, rows_to_write(tables, project, diag))
    # Arrow's own allocator (mimalloc) keeps freed chunks for reuse: about 45 MB more peak memory
    # at 200,000 codings than the system allocator, which hands them back.
    pool = pa.default_memory_pool()
    system = pa.system_memory_pool() if hasattr(pa, "system_memory_pool") else pool
    pa.set_memory_pool(system)
    try:
        with atomic_dir(Path(path), force=bool(options.extra.get("force"))) as tmp:
            segments = tables.get("Segments")
            for table in writing_order(tables, project, diag):
                file = tmp / f"{names[table.name]}.parquet"
                if table.name == "Codings" and segments is not None:
                    # Segments is Codings plus columns: one pass over its rows writes both
                    _write_table(pa, pq, segments, [(file, list(table.columns)),
                                                    (tmp / f"{names['Segments']}.parquet", None)], tick)
                elif table.name != "Segments" or segments is None:
                    _write_table(pa, pq, table, [(file, None)], tick)
                # Hand what the table's arrays freed back to the system before the next one
                # (glibc keeps it otherwise: about 10 MB of peak memory at 200,000 codings).
                system.release_unused()
    except OSError as exc:
        raise WriteError(f"cannot write the Parquet files ({exc.strerror or exc})", str(path),
                         hint="check the disk space") from None
    finally:
        pa.set_memory_pool(pool)
    return counts
