"""Read an edited codebook sheet (``.xlsx`` or ``.csv`` written by ``nvivo-bridge codebook``)
back into a codebook Project.

Rules for an edited sheet (also in ``docs/codebooks.md``):

* One row per code; blank rows are skipped.  Row order is the order of codes (and siblings).
* ``path`` is authoritative for the tree: a code's parent is the row whose ``path`` is this
  path without its last name, so a move is a changed parent part.  The parent must have its own
  row (in any position).
* ``name`` empty → the last part of ``path``.  ``name`` differing from the last part of ``path``
  is a rename done in the ``name`` column only if the path's last part is still the code's
  original name (known from the hidden ``_original`` sheet of the ``.xlsx``, by GUID); if instead
  ``name`` is still the original name, the rename was done in ``path``.  Anything else (both
  changed differently, or a CSV / new row where the two differ) is an error.
* ``guid`` kept → same code; blank → a new random GUID (uuid4).
* ``sets``: set names separated by ``;``; an unknown name makes a new set.

Problems (duplicate paths or GUIDs, missing parent, bad colour or codable value, bad GUID…) are
collected for the whole sheet and raised as one :class:`~nvivo_bridge.errors.UsageError` that
lists each with its sheet row number.
"""
from __future__ import annotations

import re
import uuid
import zipfile
from pathlib import Path
from typing import Any, Optional

from ..errors import Diagnostics, ReadError, UsageError
from ..model import Code, Project, Set, escape_name, norm_guid, split_path
from ..options import Limits
from ._sheet_read import read_tables
from .sheet_write import (COLUMNS, write_codebook_csv,  # noqa: F401 - re-exported
                          write_codebook_xlsx)

__all__ = ["COLUMNS", "read_codebook_sheet", "is_codebook_sheet", "parse_color", "parse_codable",
           "write_codebook_xlsx", "write_codebook_csv"]

_GUID_RE = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")
# A bare 3-digit form is refused: words like "bad" or "fed" would pass for colours.
_HEX_RE = re.compile(r"^(?:#([0-9a-fA-F]{3})|#?([0-9a-fA-F]{6}))$")
_RGB_RE = re.compile(r"^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[\d.]+%?\s*)?\)$", re.I)
_TRUE = {"true", "yes", "y", "1", "x", "ja", "ya", "oui", "sí", "si", "wahr", "vrai"}
_FALSE = {"false", "no", "n", "0", "nein", "tidak", "non", "faux", "falsch"}
MAX_ERRORS_LISTED = 100


def parse_color(value: str) -> Optional[str]:
    """``#RRGGBB`` (upper case) from ``#RGB``, ``#RRGGBB``, ``RRGGBB`` or ``rgb(r,g,b[,a])``;
    ``None`` for an empty cell; :class:`ValueError` otherwise."""
    text = value.strip()
    if not text:
        return None
    m = _HEX_RE.match(text)
    if m:
        h = m.group(2) or "".join(ch * 2 for ch in m.group(1))
        return "#" + h.upper()
    m = _RGB_RE.match(text)
    if m and all(int(x) <= 255 for x in m.groups()):
        return "#" + "".join(f"{int(x):02X}" for x in m.groups())
    raise ValueError(value)


def parse_codable(value: Any) -> bool:
    """The ``codable`` cell as a bool (empty = codable); :class:`ValueError` for anything else."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if not text or text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def is_codebook_sheet(path: Path) -> bool:
    """Whether ``path`` is a codebook sheet: an ``.xlsx`` with a "Codebook" sheet (or a sheet
    whose header has ``path`` and ``guid``), or a ``.csv``/``.tsv`` whose header has ``path`` and
    ``name``.  NVivo's own exports never have a ``path`` column, so they are not mistaken."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() not in (".xlsx", ".xlsm", ".csv", ".tsv"):
        return False
    try:
        return read_tables(path, Limits.from_env(), header_only=True).main is not None
    except (ReadError, OSError, zipfile.BadZipFile):
        return False


class _Errors:
    """Collects sheet problems; raises them all at once."""

    def __init__(self, path: Path):
        self.path = path
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if not self.items:
            return
        lines = self.items[:MAX_ERRORS_LISTED]
        more = len(self.items) - len(lines)
        if more:
            lines.append(f"… and {more} more")
        raise UsageError(f"{len(self.items)} problem(s) in the codebook sheet:\n  " + "\n  ".join(lines),
                         str(self.path), hint="fix these rows and run the command again")


def _segments(raw: str) -> list[str]:
    return [s.strip() for s in split_path(raw.strip())]


def read_codebook_sheet(path: Path, diag: Diagnostics, limits: Optional[Limits] = None) -> Project:
    """Read a codebook sheet into a ``kind="codebook"`` Project (rules in the module docstring).

    Raises :class:`ReadError` when the file is not a codebook sheet and one
    :class:`UsageError` listing every problem row when its content is wrong."""
    path = Path(path)
    tables = read_tables(path, limits or Limits.from_env())
    if tables.main is None:
        raise ReadError("no codebook sheet found (a sheet named 'Codebook' with a 'path' column)", str(path),
                        hint="write one with: nvivo-bridge codebook PROJECT -o codebook.xlsx")
    errs = _Errors(path)
    sheet = tables.main_name
    originals = tables.originals
    by_key: dict[str, int] = {}        # canonical path column → row
    by_guid: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    letters = {"upper": 0, "lower": 0}
    for rownum, cells in tables.main:
        where = f"sheet {sheet} row {rownum}" if sheet else f"row {rownum}"
        raw_path = str(cells.get("path", "")).strip()
        if not raw_path:
            errs.add(where, "the path cell is empty (every code needs a path)")
            continue
        segs = _segments(raw_path)
        if any(not s for s in segs):
            errs.add(where, f"path '{raw_path}' has an empty name (two / in a row, or / at an end)")
            continue
        key = "/".join(escape_name(s) for s in segs)
        if key in by_key:
            errs.add(where, f"duplicate path '{key}' (also on row {by_key[key]})")
            continue
        by_key[key] = rownum
        raw_guid = str(cells.get("guid", "")).strip()
        guid = None
        if raw_guid:
            if not _GUID_RE.match(raw_guid):
                errs.add(where, f"'{raw_guid}' is not a GUID (8-4-4-4-12 hex digits); leave it empty for a new code")
            else:
                guid = norm_guid(raw_guid)
                if raw_guid != guid:
                    letters["upper" if raw_guid.strip("{}") == raw_guid.strip("{}").upper() else "lower"] += 1
                elif any(ch.isalpha() for ch in guid):
                    letters["lower"] += 1
                if guid in by_guid:
                    errs.add(where, f"duplicate GUID {raw_guid} (also on row {by_guid[guid]}); "
                                    "clear it on the copied row to make a new code")
                by_guid.setdefault(guid, rownum)
        try:
            color = parse_color(str(cells.get("color", "") or ""))
        except ValueError:
            color = None
            errs.add(where, f"bad colour '{cells.get('color')}' (use #RRGGBB, e.g. #1F77B4, or leave it empty)")
        try:
            codable = parse_codable(cells.get("codable", ""))
        except ValueError:
            codable = True
            errs.add(where, f"bad codable value '{cells.get('codable')}' (use TRUE or FALSE)")
        name = _final_name(segs[-1], str(cells.get("name", "") or "").strip(), originals.get(guid or ""),
                           where, errs)
        desc = str(cells.get("description", "") or "")
        sets = [s.strip() for s in str(cells.get("sets", "") or "").split(";") if s.strip()]
        rows.append({"row": rownum, "key": key, "segs": segs, "name": name, "guid": guid, "color": color,
                     "codable": codable, "description": desc if desc.strip() else None, "sets": sets,
                     "where": where})
    book = _build(rows, by_key, errs, tables, path)
    # GUIDs that were all upper case (ATLAS.ti, MAXQDA) are written upper case again.
    book.guid_case = "upper" if letters["upper"] and not letters["lower"] else "lower"
    errs.raise_if_any()
    book.issues = diag.finish() if diag is not None else []
    return book


def _final_name(last: str, name: str, original: Optional[tuple[str, str]], where: str, errs: _Errors) -> str:
    """Apply the rename rule of the module docstring."""
    if not name or name == last:
        return last
    if original is not None:
        orig_name = original[1]
        if last == orig_name:
            return name       # renamed in the name column only
        if name == orig_name:
            return last       # renamed in the path column only
        errs.add(where, f"name '{name}' and the last part of the path '{last}' were both changed and differ; "
                        "make them equal")
        return last
    errs.add(where, f"name '{name}' differs from the last part of the path '{last}'; "
                    "make them equal (or clear the name cell)")
    return last


def _build(rows: list[dict[str, Any]], by_key: dict[str, int], errs: _Errors, tables: Any, path: Path) -> Project:
    """Turn validated rows into the codebook Project (parents resolved, sets collected)."""
    book = Project(name=tables.about.get("codebook") or path.stem, origin=tables.about.get("origin") or None,
                   kind="codebook", source_file=str(path))
    guid_of: dict[str, str] = {}
    for r in rows:
        guid_of[r["key"]] = r["guid"] or str(uuid.uuid4())
    final_paths: dict[str, int] = {}
    for r in rows:
        parent = None
        if len(r["segs"]) > 1:
            pkey = "/".join(escape_name(s) for s in r["segs"][:-1])
            if pkey not in by_key:
                errs.add(r["where"], f"parent '{pkey}' has no row (add a row for it, or fix this path; "
                                     "a code renamed in the path column must be renamed in its children's paths too)")
                continue
            parent = guid_of.get(pkey)
        g = guid_of[r["key"]]
        book.codes[g] = Code(g, r["name"], r["codable"], r["color"], r["description"], parent)
    paths = book.code_paths()
    row_of = {guid_of[r["key"]]: r for r in rows}
    for g, p in paths.items():
        if p in final_paths:
            errs.add(row_of[g]["where"], f"after renaming, two codes would be '{p}' (also row {final_paths[p]})")
        else:
            final_paths[p] = row_of[g]["row"]
    _build_sets(book, rows, guid_of, tables, errs)
    return book


def _build_sets(book: Project, rows: list[dict[str, Any]], guid_of: dict[str, str], tables: Any,
                errs: _Errors) -> None:
    by_name: dict[str, Set] = {}
    seen_guid: dict[str, int] = {}
    for rownum, cells in tables.sets:
        where = f"sheet {tables.sets_name} row {rownum}"
        name = str(cells.get("name", "") or "").strip()
        raw_guid = str(cells.get("guid", "") or "").strip()
        if not name:
            errs.add(where, "the set has no name")
            continue
        if name in by_name:
            errs.add(where, f"duplicate set name '{name}'")
            continue
        if raw_guid and not _GUID_RE.match(raw_guid):
            errs.add(where, f"'{raw_guid}' is not a GUID; leave it empty for a new set")
            continue
        g = norm_guid(raw_guid) if raw_guid else str(uuid.uuid4())
        if g in seen_guid or g in book.codes:
            errs.add(where, f"GUID {raw_guid} is already used (row {seen_guid.get(g, '?')} or by a code)")
            continue
        seen_guid[g] = rownum
        desc = str(cells.get("description", "") or "")
        by_name[name] = book.sets[g] = Set(g, name, desc if desc.strip() else None)
    for r in rows:
        g = guid_of[r["key"]]
        if g not in book.codes:
            continue
        for name in r["sets"]:
            s = by_name.get(name)
            if s is None:
                s = by_name[name] = Set(str(uuid.uuid4()), name)
                book.sets[s.guid] = s
            if g not in s.member_codes:
                s.member_codes.append(g)
