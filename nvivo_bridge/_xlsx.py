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

__all__ = ["bounded_rows", "save_workbook"]


def save_workbook(wb: Any, path: Any) -> None:
    """``wb.save(path)``, but a failed save (disk full…) closes the half-written archive at once
    and quietly: openpyxl leaves it open, and its finaliser then prints a traceback at exit when it
    tries once more to write to the full disk."""
    import datetime
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        wb.properties.modified = datetime.datetime.now(tz=datetime.timezone.utc).replace(tzinfo=None)
        ExcelWriter(wb, archive).write_data()
    except BaseException:
        try:
            archive.close()  # fails again on a full disk, but drops the file: nothing is left to retry
        except Exception:  # noqa: BLE001 - the first error is the one to report
            pass
        raise
    archive.close()


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
