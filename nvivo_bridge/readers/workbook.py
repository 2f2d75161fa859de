"""Reading nvivo-bridge's own workbook back into the project it came from.

The workbook (``writers/xlsx.py``) is recognised by its ``Project`` sheet: ``field``/``value``
rows with ``converted_by`` naming nvivo-bridge.  Any other ``.xlsx`` goes to the NVivo export
reader as before, so the format table keeps one reader per suffix (:func:`read`).

What comes back, and from where: codes (``Codes``: GUID, name, parent by ``parent_path``,
description, colour, codable), variables, cases (with their sources and typed values turned back
into their lexical form), sources with their full texts (``Source Texts``), selections and
codings (``Codings``: GUIDs, positions, coder, time, NVivo's coverage), notes and what they are
attached to (``Notes.attached_guid``), sets and links.  What the workbook does not carry is
listed in :data:`NOT_CARRIED` and said once, as a warning, on every read.

The read refuses (:class:`ReadError`, naming what is missing) rather than guess: when a text
source's full text is absent or differs from its length in ``Sources``, when the project had
PDF, picture, audio or video sources or graphs, when an excerpt does not match the text it was
cut from, or when a sheet holds fewer rows than the ``Project`` sheet counts.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Iterable, Optional

from ..errors import Diagnostics, ReadError
from ..model import Project
from ..options import ReadOptions
from ._workbook_build import build

__all__ = ["read", "is_own_workbook", "read_sheets", "NOT_CARRIED", "MARK"]

MARK = "nvivo-bridge"
NOT_CARRIED = ("the rich-text (.docx) copies of sources and the original file paths; user GUIDs (users "
               "are re-created from the coder names); the creating user and times of selections; "
               "selections without codings (such as NVivo's case selections: cases keep their sources); "
               "unknown attributes kept from the input (extras); the GUID letter case")
_NEEDED = ("Project", "Codes", "Sources", "Codings", "Cases", "Variables", "Notes", "Sets")


def _open(path: Path, options: ReadOptions):
    """The workbook opened read-only, after the size and zip checks every reader makes."""
    from .nvivo import decode

    data = decode.read_bytes(path, options.limits)
    if decode.zip_kind(path, data, options.limits) != "xlsx":
        return None
    import openpyxl
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for damaged workbooks
        raise ReadError(f"cannot open the workbook ({exc.__class__.__name__})", str(path),
                        hint="open it in Excel and save it again") from None


def _project_fields(wb, path: Path, options: ReadOptions) -> Optional[dict[str, Any]]:
    """The ``Project`` sheet as ``{field: value}``, or ``None`` when it is not ours."""
    from .._xlsx import bounded_rows

    if "Project" not in wb.sheetnames:
        return None
    rows = list(bounded_rows(wb["Project"], str(path), options.limits, max_row=200, max_col=2))
    if not rows or tuple(rows[0][:2]) != ("field", "value"):
        return None
    fields = {r[0]: r[1] if len(r) > 1 else None for r in rows[1:] if r and isinstance(r[0], str)}
    by = fields.get("converted_by")
    return fields if isinstance(by, str) and by.startswith(MARK) else None


def is_own_workbook(path: Path, options: Optional[ReadOptions] = None) -> bool:
    """Whether ``path`` is a workbook nvivo-bridge wrote (its ``Project`` sheet says so)."""
    options = options or ReadOptions()
    wb = _open(Path(path), options)
    if wb is None:
        return False
    try:
        return _project_fields(wb, Path(path), options) is not None
    finally:
        wb.close()


def read_sheets(wb, path: Path, options: ReadOptions) -> dict[str, list[dict[str, Any]]]:
    """Every table of the workbook as a list of ``{column: value}`` rows; a table continued on
    ``Name (2)``… sheets is joined back."""
    from .._xlsx import bounded_rows

    out: dict[str, list[dict[str, Any]]] = {}
    for title in wb.sheetnames:
        base = title
        if title.endswith(")") and " (" in title:
            head, _, num = title[:-1].rpartition(" (")
            if num.isdigit() and head in out:
                base = head
        rows = bounded_rows(wb[title], str(path), options.limits)
        header = next(rows, None)
        if header is None:
            out.setdefault(base, [])
            continue
        names = [str(h) if h is not None else "" for h in header]
        table = out.setdefault(base, [])
        for r in rows:
            if any(v is not None for v in r):
                table.append(dict(zip(names, r)))
        out.setdefault("\0columns:" + base, [dict.fromkeys(names)])
    return out


def _missing(path: Path, what: Iterable[str]) -> ReadError:
    what = list(what)
    return ReadError("this nvivo-bridge workbook cannot be read back into its project completely: "
                     + "; ".join(what), str(path),
                     hint="convert the original project instead (a workbook written by an older nvivo-bridge "
                          "lacks the Source Texts sheet: write it again)")


def read(path: Path, diag: Diagnostics, options: Optional[ReadOptions] = None) -> Project:
    """Read an ``.xlsx``: nvivo-bridge's own workbook back into its project, any other workbook
    as NVivo's own export (:func:`nvivo_bridge.readers.nvivo.read`)."""
    options = options or ReadOptions()
    path = Path(path)
    wb = _open(path, options) if path.is_file() else None
    fields = None
    try:
        if wb is not None:
            fields = _project_fields(wb, path, options)
        if fields is None:
            from . import nvivo
            return nvivo.read(path, diag, options)
        absent = [n for n in _NEEDED if n not in wb.sheetnames]
        if absent:
            raise _missing(path, [f"the sheet(s) {', '.join(absent)} are not in it"])
        tables = read_sheets(wb, path, options)
    finally:
        if wb is not None:
            wb.close()
    problems: list[str] = []
    try:
        project = build(fields, tables, problems)
    except (TypeError, ValueError, AttributeError) as exc:  # a cell of the wrong kind in an edited sheet
        raise _missing(path, [f"a cell is not as nvivo-bridge wrote it ({type(exc).__name__}: {exc})"]) from None
    if problems:
        raise _missing(path, problems)
    project.source_file = str(path)
    diag.info("workbook-read-back", f"read back from the workbook {fields.get('converted_by')} wrote"
              + (f" on {fields['converted_at']}" if fields.get("converted_at") else "")
              + (f" from {fields['input']}" if fields.get("input") else ""), path.name)
    diag.warn("workbook-not-carried", "the workbook does not carry: " + NOT_CARRIED, path.name)
    return project



def refuse_own_csv_folder(folder: Path) -> None:
    """Raise :class:`ReadError` when ``folder`` is a CSV folder nvivo-bridge wrote: it is not NVivo's
    export, and reading it back is not supported (CSV cells cannot tell a text from a number)."""
    project_csv = Path(folder) / "Project.csv"
    if not project_csv.is_file() or project_csv.stat().st_size > 1_000_000:
        return
    import csv
    try:
        with open(project_csv, encoding="utf-8-sig", newline="") as fh:
            rows = [r for r in csv.reader(fh) if len(r) >= 2]
    except (OSError, UnicodeDecodeError, csv.Error):
        return
    if any(r[0] == "converted_by" and r[1].startswith(MARK) for r in rows):
        raise ReadError("this is a CSV folder nvivo-bridge wrote, not an NVivo export; reading it back is not "
                        "supported", str(folder),
                        hint="read back the .xlsx workbook (convert the project to .xlsx) or convert the original "
                             "project")
