"""The project as one SQLite database (``-o project.sqlite``), for SQL, DuckDB and Datasette.

One table per table of :func:`nvivo_bridge.tables` (snake_case names: ``codes``, ``codings``,
``code_x_case``…, the analysis matrices included) with primary keys on the GUIDs, foreign keys
from ``codings`` to ``codes`` and ``sources``, a ``case_sources`` link table, the source texts
(``source_texts``, so :mod:`nvivo_bridge.readers.sqlite` can rebuild the project), indexes on
every join column, views (``segments``: codings with source attributes; ``code_case_long`` and
``code_source_long``: the matrices in long form), full-text search over the excerpts and memos
(FTS5 table ``codings_fts``), and ``<name>.metadata.json`` beside it for Datasette (labels,
descriptions, the search box).  Dates are ISO 8601 text in UTC, booleans 0/1.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Optional

import numpy as np

from .._io import atomic_file
from ..coding_index import _source_cases
from ..errors import Diagnostics, WriteError
from ..model import Project
from ..options import WriteOptions
from ..sheets import TableRows, rows_to_write, writing_order, written_counts
from ..sheets._entities import SOURCES_FIXED
from ._cells import progress_ticker
from ._tabular import analysis_rows, column_kind, py_values, snake_names

__all__ = ["write", "metadata_path", "LINK_TABLES"]

LINK_TABLES = ("case_sources", "source_texts", "codings_fts", "segments", "code_case_long", "code_source_long")
_SQL_TYPE = {"integer": "INTEGER", "float": "REAL", "boolean": "INTEGER", "datetime": "TEXT", "date": "TEXT",
             "text": "TEXT", "mixed": ""}
_KEYED = {"Codes", "Sources", "Cases", "Variables", "Notes"}
# Segments is a view over codings and sources; a workbook's "Source Texts" (texts cut in parts
# that fit Excel's cells), where the tables have it, is source_texts here, whole.
_NOT_WRITTEN = {"Segments", "Source Texts"}
_LABELS = {"codes": "path", "sources": "name", "cases": "name", "variables": "name", "notes": "name"}
_DESCRIPTIONS = {
    "codes": "One row per code: its path in the code tree and its counts.",
    "sources": "One row per source (document, PDF, picture, audio, video) with its source attributes.",
    "codings": "One row per coding (selection × code) with the exact excerpt and the case attributes.",
    "cases": "One row per case with its attributes.",
    "segments": "View: codings with every case and source attribute (the coded-segments export).",
    "code_x_case": "Codings per code (rows) and case (columns).",
    "code_x_case_presence": "1 when the code is applied in a source of the case, else 0.",
    "code_x_source": "Codings per code (rows) and source (columns).",
    "co_occurrence": "Overlapping segment pairs per pair of codes; the diagonal is each code's segments.",
    "co_occurrence_long": "Pairs of co-occurring codes: count of overlapping segment pairs, Jaccard, sources, cases.",
    "code_case_long": "View: codings per code and case (Code x Case in long form).",
    "code_source_long": "View: codings per code and source (Code x Source in long form).",
    "case_sources": "Which sources belong to which case.",
    "source_texts": "The full text of each text source.",
}
_COLUMNS = {
    "codings": {"text": "the exact excerpt (or a locator for PDF, picture and media codings)",
                "start": "start position (code points; milliseconds for audio/video)",
                "end": "end position, exclusive", "coded_at": "when the coding was made (UTC)",
                "case": "the case(s) of the source", "code_path": "the code's path in the code tree"},
    "codes": {"references": "codings made directly at the code",
              "references_aggregate": "distinct passages coded at the code or below it"},
    "co_occurrence_long": {"count": "overlapping segment pairs (same source, at least one position shared)",
                           "jaccard": "share of the passages coded at either code that overlap one of the other"},
}
_COLUMNS["segments"] = _COLUMNS["codings"]


def metadata_path(path: Path) -> Path:
    """Where the Datasette metadata of the database ``path`` goes: ``<stem>.metadata.json``."""
    return Path(path).with_name(Path(path).stem + ".metadata.json")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_id_column(columns: list[str]) -> str:
    """The name of the integer primary key added to ``codings``: ``id`` unless a column (a case
    attribute) already has that name (SQLite compares names ignoring case)."""
    taken = {c.lower() for c in columns}
    return next(n for n in ("id", "row_id", "coding_row", "nvivo_bridge_row") if n not in taken)


def _create(con: sqlite3.Connection, name: str, sql_name: str, columns: list[str], kinds: list[str]) -> None:
    cols = [f"{_q(c)} {_SQL_TYPE[k]}".rstrip() for c, k in zip(columns, kinds)]
    if name in _KEYED and "guid" in columns:
        cols[columns.index("guid")] += " PRIMARY KEY"
    if name == "Codings":
        cols.insert(0, f"{_q(row_id_column(columns))} INTEGER PRIMARY KEY")
        for col, ref in (("code_guid", "codes"), ("source_guid", "sources")):
            if col in columns:
                cols.append(f"FOREIGN KEY ({_q(col)}) REFERENCES {ref}(guid)")
    con.execute(f"CREATE TABLE {_q(sql_name)} ({', '.join(cols)})")


def _max_columns(con: sqlite3.Connection) -> int:
    """The most columns a table may have (SQLite's default is 2,000)."""
    getlimit = getattr(con, "getlimit", None)   # Python 3.11+
    return getlimit(sqlite3.SQLITE_LIMIT_COLUMN) if getlimit else 2000


def _write_long(con: sqlite3.Connection, table: TableRows, sql_name: str, tick) -> None:
    """A table wider than SQLite allows (``Code x Case`` with thousands of cases), written in
    long form: its first column, then ``column`` (the wide table's column name) and ``value``;
    cells that are 0 or empty are left out (a matrix is mostly zeros)."""
    key = table.columns[0]
    insert = f"INSERT INTO {_q(sql_name)} VALUES (?, ?, ?)"
    con.execute(f'CREATE TABLE {_q(sql_name)} ({_q(key)} TEXT, "column" TEXT, "value")')
    names = table.columns[1:]
    for _first, df in table.chunks():
        keys = df.iloc[:, 0].tolist()
        body = df.iloc[:, 1:]
        if all(isinstance(t, np.dtype) and t.kind in "iu" for t in body.dtypes):
            rows, cols = np.nonzero(body.to_numpy())
            values = body.to_numpy()[rows, cols].tolist()
            con.executemany(insert, zip([keys[r] for r in rows.tolist()], [names[c] for c in cols.tolist()], values))
        else:
            for k, name in enumerate(names, 1):
                vals = py_values(df.iloc[:, k], column_kind(df.iloc[:, k]))
                con.executemany(insert, ((key_, name, v) for key_, v in zip(keys, vals) if v not in (None, 0, "")))
        tick(len(df))
    con.execute(f"CREATE INDEX {_q('idx_' + sql_name)} ON {_q(sql_name)} ({_q(key)})")


def _write_table(con: sqlite3.Connection, table: TableRows, sql_name: str, tick, diag: Diagnostics) -> None:
    """Create the table and insert its rows a chunk at a time."""
    limit = _max_columns(con)
    if len(table.columns) + 1 > limit and table.name != "Codings":
        diag.info("sqlite-long-table", f"table {table.name} has {len(table.columns):,} columns, more than SQLite's "
                                       f"{limit:,}: it is written in long form ({table.columns[0]}, column, value), "
                                       "without its zero cells",
                  sql_name)
        _write_long(con, table, sql_name, tick)
        return
    kinds: Optional[list[str]] = None
    marks = ", ".join("?" * (len(table.columns) + (table.name == "Codings")))
    for first, df in (table.chunks() if len(table) else [(0, table.frame(0, 0))]):
        if kinds is None:
            kinds = [column_kind(df.iloc[:, k], str(c) in table.date_columns) for k, c in enumerate(df.columns)]
            _create(con, table.name, sql_name, table.columns, kinds)
        cols = [py_values(df.iloc[:, k], kind) for k, kind in enumerate(kinds)]
        if table.name == "Codings":
            cols.insert(0, range(first + 1, first + len(df) + 1))
        con.executemany(f"INSERT INTO {_q(sql_name)} VALUES ({marks})", zip(*cols))
        tick(len(df))


def _links(con: sqlite3.Connection, project: Project) -> None:
    """``case_sources`` and ``source_texts``."""
    con.execute('CREATE TABLE case_sources (case_guid TEXT REFERENCES cases(guid), '
                'source_guid TEXT REFERENCES sources(guid), PRIMARY KEY (case_guid, source_guid))')
    con.executemany("INSERT OR IGNORE INTO case_sources VALUES (?, ?)",
                    ((c, s) for s, cases in _source_cases(project).items() for c in cases
                     if c in project.cases and s in project.sources))
    con.execute("CREATE TABLE source_texts (source_guid TEXT PRIMARY KEY REFERENCES sources(guid), text TEXT)")
    con.executemany("INSERT INTO source_texts VALUES (?, ?)",
                    ((g, s.text) for g, s in project.sources.items() if s.text is not None))


def _views(con: sqlite3.Connection, names: dict, seg_columns: Optional[list[str]], codings_columns: list[str],
           source_columns: list[str]) -> None:
    """Indexes, views and the full-text index."""
    codings = _q(names["Codings"])
    rid = _q(row_id_column(codings_columns))
    for col in ("code_guid", "source_guid", "coding_guid", "selection_guid"):
        con.execute(f"CREATE INDEX {_q('idx_codings_' + col)} ON {codings} ({_q(col)})")
    con.execute(f"CREATE INDEX idx_codes_path ON {_q(names['Codes'])} (path)")
    con.execute("CREATE INDEX idx_case_sources_source ON case_sources (source_guid)")
    if seg_columns is not None:
        extra = [c for c in seg_columns if c not in codings_columns]
        src_vars = [c for c in source_columns if c not in SOURCES_FIXED]
        select = [f"c.{_q(c)}" for c in codings_columns] + [f"s.{_q(a)} AS {_q(b)}" for a, b in zip(src_vars, extra)]
        con.execute(f"CREATE VIEW segments AS SELECT c.{rid} AS {rid}, {', '.join(select)} FROM {codings} c "
                    f"LEFT JOIN {_q(names['Sources'])} s ON s.guid = c.source_guid ORDER BY c.{rid}")
    con.execute(f"CREATE VIEW code_case_long AS SELECT c.code_guid, c.code_path, cs.case_guid, ca.name AS case_name, "
                f"COUNT(*) AS codings FROM {codings} c JOIN case_sources cs ON cs.source_guid = c.source_guid "
                f"JOIN {_q(names['Cases'])} ca ON ca.guid = cs.case_guid GROUP BY c.code_guid, cs.case_guid")
    con.execute(f"CREATE VIEW code_source_long AS SELECT code_guid, code_path, source_guid, source, "
                f"COUNT(*) AS codings FROM {codings} GROUP BY code_guid, source_guid")
    con.execute(f"CREATE VIRTUAL TABLE codings_fts USING fts5(text, memo, content={codings}, content_rowid={rid}, "
                "tokenize='unicode61 remove_diacritics 2')")
    con.execute("INSERT INTO codings_fts(codings_fts) VALUES ('rebuild')")


def _metadata(project: Project, db: str, names: dict, rid: str) -> dict:
    """Datasette metadata: title, table descriptions, label columns (so foreign keys show a code's
    path rather than its GUID) and the search box over the excerpts."""
    tables: dict = {}
    for sql_name in list(names.values()) + ["segments", "code_case_long", "code_source_long", "case_sources",
                                            "source_texts"]:
        entry: dict = {}
        if sql_name in _DESCRIPTIONS:
            entry["description"] = _DESCRIPTIONS[sql_name]
        if sql_name in _LABELS:
            entry["label_column"] = _LABELS[sql_name]
        if sql_name in ("codings", "segments"):
            entry.update(fts_table="codings_fts", fts_pk=rid)
        if sql_name in _COLUMNS:
            entry["columns"] = dict(_COLUMNS[sql_name])
        if entry:
            tables[sql_name] = entry
    tables["codings_fts"] = {"hidden": True}
    return {"title": project.name or db, "description": "Exported by nvivo-bridge; see docs/analysis.md",
            "databases": {db: {"tables": tables}}}


def write(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Write the database to ``path`` and its Datasette metadata beside it (both atomically)."""
    path = Path(path)
    tables = analysis_rows(project, diag)
    counts = written_counts(tables)
    names = snake_names(list(LINK_TABLES) + list(tables) + ["Warnings"])
    tick = progress_ticker(options.progress, rows_to_write(tables, project, diag))
    columns = {n: list(t.columns) for n, t in tables.items()}
    meta = metadata_path(path)
    if meta.exists() and not options.extra.get("force"):
        raise WriteError("the Datasette metadata file beside the database already exists", str(meta),
                         hint="use --force to replace it")
    try:
        with atomic_file(meta) as tmp_meta, atomic_file(path) as tmp:
            con = sqlite3.connect(tmp)
            try:
                con.execute("PRAGMA journal_mode = OFF")
                con.execute("PRAGMA synchronous = OFF")
                for table in writing_order(tables, project, diag):
                    if table.name not in _NOT_WRITTEN:
                        _write_table(con, table, names[table.name], tick, diag)
                _links(con, project)
                _views(con, names, columns.get("Segments"), columns["Codings"], columns["Sources"])
                con.commit()
            finally:
                con.close()
            meta_names = {k: names[k] for k in columns if k != "Segments"}
            tmp_meta.write_text(json.dumps(_metadata(project, path.stem, meta_names, row_id_column(columns["Codings"])),
                                           ensure_ascii=False, indent=2), encoding="utf-8")
    except (OSError, sqlite3.Error) as exc:
        raise WriteError(f"cannot write the SQLite database ({exc})", str(path),
                         hint="check the disk space and that the file is not open in another program") from None
    return counts
