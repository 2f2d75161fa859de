"""Matrix coding query, framework matrix and group query exports, kept as tables of the project.

The model has no element for query results, so they become :class:`~nvivo_bridge.model.Table`
objects in ``Project.tables`` (writers put each on its own sheet).  NVivo prefixes row and column
labels with a letter or number (``A : Context``, ``1 : Teacher``); the prefix is stripped.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from ...model import Table
from .decode import cell_text
from .words import Words

__all__ = ["strip_label", "has_label_prefixes", "is_numeric", "parse_matrix", "parse_group_query"]

_PREFIX = re.compile(r"^\s*[A-Za-z0-9]{1,4}\s+:\s+")


def strip_label(label: Any) -> Optional[str]:
    """A row or column label without NVivo's ``A : `` / ``12 : `` prefix."""
    text = cell_text(label)
    return _PREFIX.sub("", text, count=1).strip() if text is not None else None


def has_label_prefixes(labels: list[Any]) -> bool:
    """Whether most of the non-empty labels carry a ``X : `` prefix."""
    texts = [t for t in (cell_text(v) for v in labels) if t]
    return bool(texts) and sum(1 for t in texts if _PREFIX.match(t)) * 2 >= len(texts)


def is_numeric(value: Any) -> bool:
    """A number, or text that reads as one (decimal comma, a trailing ``%``)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    text = cell_text(value)
    if text is None:
        return False
    try:
        float(text.strip().rstrip("%").replace(",", "."))
    except ValueError:
        return False
    return True


def _number(value: Any) -> Any:
    """Numbers as int/float (text with a decimal comma too); anything else unchanged."""
    if isinstance(value, (int, float)) or value is None:
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text.rstrip("%").replace(",", "."))
    except ValueError:
        return cell_text(value)


def parse_matrix(grid: list[list[Any]], name: str, file: str, framework: bool) -> Table:
    """A matrix (numbers in the cells) or framework matrix (summary text in the cells)."""
    header = grid[0]
    columns = [cell_text(header[0]) or ""] + [strip_label(h) or "" for h in header[1:]]
    rows: list[list[Any]] = []
    for row in grid[1:]:
        if not row or all(cell_text(v) is None for v in row):
            continue
        cells = list(row[1:len(columns)]) + [None] * (len(columns) - len(row))
        values = [cell_text(v) for v in cells] if framework else [_number(v) for v in cells]
        rows.append([strip_label(row[0]) or ""] + values)
    return Table(name, columns, rows, kind="framework-matrix" if framework else "matrix", source_file=file)


def parse_group_query(grid: list[list[Any]], name: str, file: str, words: Words) -> Table:
    """A group query result: scope rows each followed by a ``Range Item`` sub-header and range rows,
    flattened to one row per (scope item, range item)."""
    columns = ["Scope Item", "Scope Folder", "Finds", "Range Item", "Range Folder",
               "Created on", "Created by", "Modified on", "Modified by"]
    rows: list[list[Any]] = []
    scope: list[Any] = [None, None, None]
    for row in grid:
        cells = [cell_text(v) for v in row] + [None] * 8
        if words.has("col_scope_item", cells[1]) or words.has("col_range_item", cells[2]):
            continue  # a heading or sub-heading row
        if cells[1]:
            scope = [cells[1], cells[2], _number(row[3]) if len(row) > 3 else None]
        elif cells[2]:
            rows.append(scope + [cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]])
    return Table(name, columns, rows, kind="group-query", source_file=file)
