"""List View exports ("Export List") and the name → path rules shared with codebook exports.

A list view is a table whose first heading is ``Name``; the hierarchy is shown by leading spaces
(Mac: 2 per level) or, perhaps on Windows, by ``\\\\``-joined paths; both are detected.  A list of
codes (it has ``Files``/``References`` columns and no ``Classification`` column) gives codes with
NVivo's counts; a list of cases (it has a ``Classification`` column) gives cases; any other list
is kept as a table of the project.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from ...errors import Diagnostics
from ...model import Table
from .decode import cell_text
from .parts import CaseRow, Classification, CodeList, CodeRow
from .words import Words

__all__ = ["paths_from_names", "split_any", "code_rows", "parse_grid", "column_key"]

_SEP = re.compile(r"\\\\|\\")


def split_any(name: str) -> list[str]:
    """Split a hierarchical name on ``\\\\`` or ``\\`` (exports use either)."""
    return [p.strip() for p in _SEP.split(name) if p.strip()] or [name.strip()]


def paths_from_names(names: list[str]) -> list[list[str]]:
    """Each name's path: backslash-joined names are split; otherwise leading spaces give the depth
    (relative indentation, so 2 or 4 spaces per level both work)."""
    if any("\\" in n for n in names):
        return [split_any(n) for n in names]
    out: list[list[str]] = []
    stack: list[tuple[int, str]] = []
    for raw in names:
        indent = len(raw) - len(raw.lstrip(" \t\u00a0"))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        name = raw.strip()
        out.append([n for _, n in stack] + [name])
        stack.append((indent, name))
    return out


def column_key(heading: Any, words: Words) -> Optional[str]:
    """The role of a column heading (``folder``, ``name``, ``description``, ``files``, ``references``,
    ``classification``), or ``None`` for any other column."""
    for key in ("folder", "name", "description", "files", "references", "classification"):
        if words.has("col_" + key, heading):
            return key
    return None


def _count(value: Any, file: str, where: str, diag: Diagnostics) -> Optional[int]:
    text = cell_text(value)
    if text is None:
        return None
    try:
        return int(text.strip().replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        diag.warn("bad-count", f"count '{text}' is not a whole number; ignored", f"{file} {where}")
        return None


def code_rows(header: list[Any], rows: list[list[Any]], file: str, words: Words, diag: Diagnostics,
              first_row: int = 2) -> list[CodeRow]:
    """Rows of a codebook or code list (``header`` = the headings) as :class:`CodeRow` records."""
    roles = [column_key(h, words) for h in header]
    idx = {r: i for i, r in reversed(list(enumerate(roles))) if r}
    name_i = idx.get("name", 0)
    kept = [(n, r) for n, r in enumerate(rows) if name_i < len(r) and cell_text(r[name_i])]
    paths = paths_from_names([str(r[name_i]) for _, r in kept])
    out: list[CodeRow] = []
    for (n, row), path in zip(kept, paths):
        where = f"row {n + first_row}"

        def get(role: str) -> Any:
            i = idx.get(role)
            return row[i] if i is not None and i < len(row) else None

        folder = cell_text(get("folder"))
        if folder is None and len(path) > 1 and (words.has("code_folders", path[0])):
            folder, path = path[0], path[1:]
        extras = {f"nvivo:{cell_text(h) or f'column {i + 1}'}": cell_text(row[i])
                  for i, (h, role) in enumerate(zip(header, roles))
                  if role is None and i < len(row) and cell_text(row[i]) is not None}
        out.append(CodeRow(path, folder, cell_text(get("description")), _count(get("files"), file, where, diag),
                           _count(get("references"), file, where, diag), extras))
    return out


def parse_grid(title: str, grid: list[list[Any]], file: str, words: Words,
               diag: Diagnostics) -> CodeList | Classification | Table:
    """A list view (first heading ``Name``) as codes, cases or a plain table."""
    header = [cell_text(h) or "" for h in grid[0]]
    roles = [column_key(h, words) for h in header]
    body = grid[1:]
    if "classification" in roles:
        ci = roles.index("classification")
        names = [str(r[0]) for r in body if r and cell_text(r[0])]
        paths = paths_from_names(names)
        rows = [CaseRow(p, [cell_text(r[ci]) if ci < len(r) else None], n + 2)
                for n, (r, p) in enumerate(zip([r for r in body if r and cell_text(r[0])], paths))]
        return Classification(file, "", [header[ci]], rows)
    if "files" in roles or "references" in roles:
        return CodeList(file, "listview", code_rows(header, body, file, words, diag))
    diag.info("listview-as-table", "a list view that is neither codes nor cases: kept as a table", file)
    return Table(title, header, [[cell_text(v) for v in r] for r in body], kind="list", source_file=file)
