"""Classification sheet exports (.xlsx, .txt): cases or files with their attribute values.

Layout (nvivo-exports.md §2.4): cell A1 holds the classification name, the rest of row 1 the
attribute names, column A the case (or file) names, plain or hierarchical (``Cases\\\\Youth\\\\P02``).
NVivo's pseudo-values ``Unassigned`` and ``Not Applicable`` are kept as themselves, so they stay
distinct from each other and from an empty cell (which gives no value at all).
"""
from __future__ import annotations

from typing import Any, Optional

from ...errors import Diagnostics
from .decode import cell_text
from .listview import split_any
from .parts import CaseRow, Classification
from .words import Words

__all__ = ["parse_grid", "special_value", "infer_type"]


def special_value(value: Optional[str], words: Words) -> Optional[str]:
    """``"Unassigned"``/``"Not Applicable"`` (the canonical English word) for NVivo's pseudo-values
    in any configured language, else ``None``."""
    if words.has("unassigned", value):
        return "Unassigned"
    if words.has("not_applicable", value):
        return "Not Applicable"
    return None


def _is_int(text: str) -> bool:
    t = text.strip()
    return t.lstrip("+-").isdigit()


def _is_float(text: str) -> bool:
    t = text.strip().replace(",", ".", 1) if text.count(",") == 1 and "." not in text else text.strip()
    try:
        float(t)
    except ValueError:
        return False
    return True


def infer_type(values: list[str]) -> str:
    """REFI variable type from the ordinary (non-special, non-empty) values: Integer, Float or Text.
    Dates stay Text because NVivo writes them in the user's locale."""
    if not values:
        return "Text"
    if all(_is_int(v) for v in values):
        return "Integer"
    if all(_is_float(v) for v in values):
        return "Float"
    return "Text"


def parse_grid(grid: list[list[Any]], file: str, stem: str, words: Words,
               diag: Diagnostics) -> Classification:
    """Rows of a classification sheet (the first row holds the name and the attribute names)."""
    header = [cell_text(h) for h in grid[0]]
    name = (header[0] or "").strip() or stem
    attributes: list[str] = []
    for i, h in enumerate(header[1:], 2):
        if not h:
            diag.warn("unnamed-attribute", f"column {i} has no attribute name; named 'Attribute {i - 1}'",
                      f"{file} row 1")
            h = f"Attribute {i - 1}"
        attributes.append(h.strip())
    width = len(attributes)
    rows: list[CaseRow] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(grid[1:], 2):
        label = cell_text(row[0]) if row else None
        values = [cell_text(v) for v in (row[1:width + 1] if row else [])]
        if label is None:
            if any(v is not None for v in values):
                diag.warn("unnamed-case", "row with values but no case name skipped", f"{file} row {n}")
            continue
        if len(row) > width + 1 and any(cell_text(v) for v in row[width + 1:]):
            diag.warn("extra-cells", "values beyond the last attribute column ignored", f"{file} row {n}")
        values += [None] * (width - len(values))
        key = label.strip()
        if key in seen:
            diag.warn("duplicate-case", f"case '{key}' listed twice (rows {seen[key]} and {n}); both kept",
                      f"{file} row {n}")
        seen.setdefault(key, n)
        rows.append(CaseRow(split_any(key), [v.strip() if v else None for v in values], n))
    return Classification(file, name, attributes, rows)
