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

__all__ = ["bounded_rows", "save_workbook", "check_row_counts"]

_SML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def check_row_counts(source: Any, path: str, limits: Limits) -> None:
    """Refuse a workbook with a worksheet of more than ``limits.max_rows`` rows holding a value,
    before openpyxl reads it: counting ``<row>`` elements with lxml's streaming parser takes
    seconds where openpyxl takes minutes for a full 1,048,576-row sheet.  ``source`` is the
    workbook's path or bytes (its zip members were size-checked already)."""
    import io
    import zipfile

    from lxml import etree

    from .readers._safe import iterparse_kwargs

    raw = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    try:
        zf = zipfile.ZipFile(raw)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl reports a damaged workbook in its own words
    value_cell = f"{_SML}c/{_SML}v"
    inline_cell = f"{_SML}c/{_SML}is"
    with zf:
        for info in zf.infolist():
            name = info.filename
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            filled = 0
            try:
                with zf.open(info) as fh:
                    for _, row in etree.iterparse(fh, events=("end",), tag=f"{_SML}row", **iterparse_kwargs()):
                        if row.find(value_cell) is not None or row.find(inline_cell) is not None:
                            filled += 1
                            if filled > limits.max_rows:
                                raise ReadError(f"a sheet has more than {limits.max_rows:,} rows", path, name,
                                                hint="not a plausible NVivo export or codebook; raise "
                                                     "NVIVO_BRIDGE_MAX_ROWS only if you trust it")
                        row.clear(keep_tail=False)
                        while row.getprevious() is not None:
                            del row.getparent()[0]
            except ReadError:
                raise
            except Exception:  # noqa: BLE001 - damaged XML: left to openpyxl, which says so
                continue


def save_workbook(wb: Any, path: Any) -> None:
    """``wb.save(path)``; when the save fails (disk full…), the zip archive openpyxl leaves open
    is closed at once and quietly.  Left alone, its finaliser tries once more to write to the
    full disk when the program ends and prints a traceback after the one-line error."""
    import zipfile

    try:
        wb.save(path)
    except BaseException as exc:
        tb = exc.__traceback__
        while tb is not None:  # openpyxl's save_workbook holds the archive in a local
            for value in list(tb.tb_frame.f_locals.values()):
                archive = value if isinstance(value, zipfile.ZipFile) else getattr(value, "_archive", None)
                if isinstance(archive, zipfile.ZipFile) and archive.fp is not None:
                    try:
                        archive.close()  # fails again on a full disk, but lets go of the file
                    except Exception:  # noqa: BLE001 - the first error is the one to report
                        pass
            tb = tb.tb_next
        raise


def bounded_rows(ws: Any, path: str, limits: Limits, min_row: int = 1, max_row: Optional[int] = None,
                 max_col: Optional[int] = None) -> Iterator[tuple]:
    """Yield the value rows of read-only worksheet ``ws`` (``path`` names the file in errors),
    streamed: at most ``limits.max_cells`` cells and ``limits.max_rows`` rows holding a value."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    budget, max_rows = limits.max_cells, limits.max_rows
    used = filled = 0
    try:
        rows = ws.iter_rows(min_row=min_row, max_row=max_row, max_col=max_col, values_only=True)
        for number, row in enumerate(rows, start=min_row):
            used += len(row) or 1
            if used > budget:
                raise ReadError(f"sheet {ws.title} holds more than {budget:,} cells", path, f"sheet {ws.title}",
                                hint="not a plausible export; raise NVIVO_BRIDGE_MAX_CELLS only if you trust it")
            # Rows only formatted (Excel extends a style down a whole column) do not count.
            if any(v is not None for v in row):
                filled += 1
                if filled > max_rows:
                    raise ReadError(f"sheet {ws.title} has more than {max_rows:,} rows", path,
                                    f"sheet {ws.title} row {number:,}",
                                    hint="not a plausible NVivo export or codebook; raise NVIVO_BRIDGE_MAX_ROWS "
                                         "only if you trust it")
            yield row
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged sheet
        raise ReadError(f"cannot read sheet {ws.title} ({type(exc).__name__})", path, f"sheet {ws.title}",
                        hint="open it in Excel and save it again") from None
