"""Codebook exports: the Mac "csv" (UTF-16 tab-separated, multi-line records), .xlsx and .docx.

Columns (any order): ``Folder``, ``Name`` (the path below the folder, ``\\``-joined), ``Description``,
``Files``, ``References``.  NVivo writes descriptions with raw newlines and no quoting, so one
record can span several physical lines: records are rebuilt until they hold as many fields as the
header, and a line that starts with a known folder word (``Nodes``/``Codes``) and is complete on
its own starts a new record even if the previous one was short (that one is reported).
"""
from __future__ import annotations

from typing import Any

from ...errors import Diagnostics
from .decode import cell_text
from .listview import code_rows, column_key
from .parts import CodeList
from .words import Words

__all__ = ["is_codebook_header", "records", "parse_text", "parse_grid", "parse_docx_tables"]


def is_codebook_header(header: list[Any], words: Words) -> bool:
    """A codebook heading row: it has ``Name`` and ``Description`` (plus usually counts and Folder)."""
    roles = {column_key(h, words) for h in header}
    return "name" in roles and "description" in roles


def records(lines: list[str], ncols: int, file: str, words: Words, diag: Diagnostics) -> list[tuple[int, list[str]]]:
    """Physical lines → ``(first line number, fields)`` records of ``ncols`` fields."""
    out: list[tuple[int, list[str]]] = []
    cur: list[str] | None = None
    start = 0
    for n, line in enumerate(lines, 1):
        fields = line.split("\t")
        if cur is None:
            cur, start = fields, n
        elif len(cur) < ncols:
            if len(fields) >= ncols and words.has("code_folders", fields[0]):
                diag.warn("short-record", f"record has {len(cur)} of {ncols} fields", f"{file} line {start}")
                out.append((start, cur))
                cur, start = fields, n
            else:
                # The newline belonged to the last field (a multi-line description).
                cur = cur[:-1] + [cur[-1] + "\n" + fields[0]] + fields[1:]
        else:
            out.append((start, cur))
            cur, start = fields, n
        if cur is not None and len(cur) > ncols:
            diag.warn("extra-fields", f"record has {len(cur)} fields, {ncols} expected; extra ones ignored",
                      f"{file} line {start}")
            out.append((start, cur[:ncols]))
            cur = None
    if cur is not None:
        if len(cur) < ncols:
            diag.warn("short-record", f"last record has {len(cur)} of {ncols} fields (file truncated?)",
                      f"{file} line {start}")
        out.append((start, cur))
    return [(n, r) for n, r in out if any(f.strip() for f in r)]


def parse_text(lines: list[str], file: str, words: Words, diag: Diagnostics) -> CodeList:
    """A tab-separated codebook (the Mac ``.csv``/``.txt``)."""
    header = lines[0].split("\t")
    recs = records(lines[1:], len(header), file, words, diag)
    rows = [r for _, r in recs]
    out = code_rows(header, rows, file, words, diag)
    for row, (n, _) in zip(out, recs):
        row.extras["nvivo:line"] = n + 1
    return CodeList(file, "codebook", out)


def parse_grid(grid: list[list[Any]], file: str, words: Words, diag: Diagnostics) -> CodeList:
    """A codebook worksheet: headings in the first row."""
    header = [cell_text(h) or "" for h in grid[0]]
    return CodeList(file, "codebook", code_rows(header, grid[1:], file, words, diag))


def parse_docx_tables(tables: list[list[list[str]]], file: str, words: Words, diag: Diagnostics) -> CodeList:
    """A Word codebook: every table whose first row is a codebook heading row (they are concatenated)."""
    rows: list = []
    for table in tables:
        if table and is_codebook_header(table[0], words):
            rows.extend(code_rows(table[0], table[1:], file, words, diag))
    return CodeList(file, "codebook", rows)
