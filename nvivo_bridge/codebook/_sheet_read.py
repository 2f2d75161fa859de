"""Low-level reading of codebook sheets: find the sheets/files and return their rows as dicts
keyed by normalised column names, with sheet row numbers.  No validation here (see ``sheet.py``)."""
from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..errors import ReadError
from ..readers._safe import check_regular_file
from ..model import norm_guid
from ..options import Limits
from .sheet_write import ABOUT_SHEET, ORIGINAL_SHEET, SETS_SHEET, SHEET, sets_csv_path

__all__ = ["Tables", "read_tables"]

Rows = list[tuple[int, dict[str, Any]]]
_ALIASES = {"colour": "color", "is codable": "codable", "iscodable": "codable", "set": "sets",
            "code path": "path", "set name": "name"}


@dataclass
class Tables:
    """What a codebook sheet file holds: the main table (``None`` if there is none), the sets
    table, the original names by GUID (``.xlsx`` only) and the About key/values."""

    main: Optional[Rows] = None
    main_name: str = ""
    sets: Rows = field(default_factory=list)
    sets_name: str = ""
    originals: dict[str, tuple[str, str]] = field(default_factory=dict)
    about: dict[str, str] = field(default_factory=dict)


def _header(values: tuple) -> list[str]:
    out = []
    for v in values:
        key = " ".join(str(v).split()).casefold() if v is not None else ""
        out.append(_ALIASES.get(key, key))
    return out


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


def _records(header: list[str], rows, first_row: int = 2) -> Rows:
    out: Rows = []
    for n, values in enumerate(rows, start=first_row):
        cells = {h: _cell(v) for h, v in zip(header, values) if h}
        if any(v not in ("", None) for v in cells.values()):
            out.append((n, cells))
    return out


def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse zip bombs before openpyxl inflates anything."""
    check_regular_file(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError, EOFError, struct.error) as exc:
        raise ReadError(f"not a readable .xlsx workbook ({exc})", str(path), hint="open and re-save it in Excel") from None
    if len(infos) > limits.max_members:
        raise ReadError(f"the workbook has {len(infos)} parts (limit {limits.max_members})", str(path))
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.max_member_bytes or (info.file_size > 1 << 20 and ratio > limits.max_ratio):
            raise ReadError(f"workbook part {info.filename} is too large or too compressed", str(path),
                            hint="this does not look like a codebook workbook")
    if total > limits.max_total_bytes:
        raise ReadError("the workbook is too large once unpacked", str(path))


def _read_xlsx(path: Path, limits: Limits, header_only: bool) -> Tables:
    _check_zip(path, limits)
    from openpyxl import load_workbook

    from .._xlsx import bounded_rows, check_row_counts

    if not header_only:
        check_row_counts(path, str(path), limits)

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise ReadError(f"cannot open the workbook ({type(exc).__name__}: {exc})", str(path),
                        hint="open and re-save it in Excel") from None
    try:
        tables = Tables()
        heads = {}
        for ws in wb.worksheets:
            first = next(bounded_rows(ws, str(path), limits, min_row=1, max_row=1), ())
            heads[ws.title] = _header(first)
        named = [t for t in heads if t.casefold() == SHEET.casefold() and "path" in heads[t]]
        other = [t for t in heads if {"path", "guid"} <= set(heads[t]) and t != ORIGINAL_SHEET]
        title = (named or other or [None])[0]
        if title is None:
            return tables
        tables.main_name = title
        if header_only:
            tables.main = []
            return tables
        tables.main = _records(heads[title], bounded_rows(wb[title], str(path), limits, min_row=2))
        for t in heads:
            if t.casefold() == SETS_SHEET.casefold() and "name" in heads[t]:
                tables.sets_name = t
                tables.sets = _records(heads[t], bounded_rows(wb[t], str(path), limits, min_row=2))
        if ORIGINAL_SHEET in heads and {"guid", "name"} <= set(heads[ORIGINAL_SHEET]):
            for _, cells in _records(heads[ORIGINAL_SHEET], bounded_rows(wb[ORIGINAL_SHEET], str(path), limits, min_row=2)):
                if cells.get("guid"):
                    tables.originals[norm_guid(str(cells["guid"]))] = (str(cells.get("path", "")),
                                                                      str(cells.get("name", "")))
        if ABOUT_SHEET in heads:
            for key, value, *_ in bounded_rows(wb[ABOUT_SHEET], str(path), limits, max_row=2, max_col=2):
                if key in ("codebook", "origin") and value:
                    tables.about[key] = str(value)
        return tables
    finally:
        wb.close()


def _decode(path: Path, limits: Limits) -> str:
    size = check_regular_file(path).st_size
    if size > limits.max_member_bytes:
        raise ReadError(f"the file is too large for a codebook ({size} bytes)", str(path))
    with open(path, "rb") as fh:  # within the limit even if the file grew since it was looked at
        data = fh.read(limits.max_member_bytes + 1)[: limits.max_member_bytes]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _unescape(value: str) -> str:
    # Undo the apostrophe that the CSV writer puts before formula-like cells.
    return value[1:] if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@") else value


def _csv_rows(text: str) -> tuple[list[str], Rows]:
    first = text.split("\n", 1)[0]
    delim = "\t" if "\t" in first else (";" if first.count(";") > first.count(",") else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header = _header(tuple(next(reader, ())))
    return header, _records(header, ([_unescape(v) for v in row] for row in reader))


def _read_csv(path: Path, limits: Limits, header_only: bool) -> Tables:
    text = _decode(path, limits)
    tables = Tables()
    header, rows = _csv_rows(text if not header_only else text.split("\n", 1)[0])
    if not {"path", "name"} <= set(header):
        return tables
    tables.main = rows
    companion = sets_csv_path(path)
    if not header_only and companion.is_file():
        sheader, srows = _csv_rows(_decode(companion, limits))
        if "name" in sheader:
            tables.sets, tables.sets_name = srows, companion.name
    return tables


def read_tables(path: Path, limits: Limits, header_only: bool = False) -> Tables:
    """Read the codebook tables of an ``.xlsx``/``.xlsm`` or ``.csv``/``.tsv`` file."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, limits, header_only)
    return _read_csv(path, limits, header_only)
