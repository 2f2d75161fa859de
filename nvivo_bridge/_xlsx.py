"""Reading worksheet rows from untrusted workbooks within a cell budget.

openpyxl's read-only mode pads every row to the sheet's declared ``<dimension>`` and yields every
missing row: a 5 KB workbook declaring ``A1:XFD1048576`` (or holding one cell at XFD1 and one at
A1048576) would make it produce seventeen billion empty cells.  :func:`bounded_rows` forgets the
declared dimension, so rows are only as wide as their own cells, and stops with a
:class:`ReadError` once ``limits.max_cells`` cells (an empty row counts one) have been produced.
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

from .errors import ReadError
from .options import Limits

__all__ = ["bounded_rows"]


def bounded_rows(ws: Any, path: str, limits: Limits, min_row: int = 1, max_row: Optional[int] = None,
                 max_col: Optional[int] = None) -> Iterator[tuple]:
    """Yield the value rows of read-only worksheet ``ws`` (``path`` names the file in errors)."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    budget = limits.max_cells
    used = 0
    try:
        for row in ws.iter_rows(min_row=min_row, max_row=max_row, max_col=max_col, values_only=True):
            used += len(row) or 1
            if used > budget:
                raise ReadError(f"sheet {ws.title} holds more than {budget:,} cells", path, f"sheet {ws.title}",
                                hint="not a plausible export; raise NVIVO_BRIDGE_MAX_CELLS only if you trust it")
            yield row
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged sheet
        raise ReadError(f"cannot read sheet {ws.title} ({type(exc).__name__})", path, f"sheet {ws.title}",
                        hint="open it in Excel and save it again") from None
