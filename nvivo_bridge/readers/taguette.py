"""Read Taguette's own exports (``--from taguette``): the codebook CSV/xlsx and the highlights
CSV/xlsx.  (Taguette's ``.qdc`` codebook is read by the REFI-QDA codebook reader.)

* Codebook (``tag, description, number of highlights, number of documents``): one code per tag,
  kind ``codebook``.
* Highlights (``id, document, tag, content``): one source per document, one text selection per
  highlight id carrying its excerpt (Taguette exports no positions and no full text: the writers
  rebuild the texts from the excerpts, as for NVivo's own exports), one coding per tag; a
  highlight without a tag is a selection without codings.

A tag's path is kept whole as the code name (Taguette's tags are flat; a ``.`` or ``/`` inside is
part of the name).  Code GUIDs are Taguette's own (uuid5 of the path in Taguette's namespace,
upper case), so the codes match those of Taguette's ``.qdc`` of the same project.
"""
from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Optional

from ..errors import Diagnostics, ReadError
from ..model import Code, Coding, Project, Selection, Source
from ..options import ReadOptions
from .nvivo.decode import cell_text, decode_text, read_bytes, xlsx_grid

__all__ = ["read", "TAGUETTE_NAMESPACE"]

#: Taguette's namespace for code GUIDs (``taguette/export.py``).
TAGUETTE_NAMESPACE = uuid.UUID("51B2B2B7-27EB-4ECB-9D56-E75B0A0496C2")
_CODEBOOK = ("tag", "description")
_HIGHLIGHTS = ("id", "document", "tag", "content")


def read(path: Path, diag: Diagnostics, options: Optional[ReadOptions] = None) -> Project:
    """Read a Taguette codebook or highlights export (``.csv`` or ``.xlsx``)."""
    options = options or ReadOptions()
    path = Path(path)
    data = read_bytes(path, options.limits)
    if data.startswith(b"PK\x03\x04"):
        _title, grid = xlsx_grid(data, path, options.limits)
        rows = [[cell_text(v) or "" for v in row] for row in grid]
    else:
        text, _enc = decode_text(data, path, diag)
        rows = [row for row in csv.reader(io.StringIO(text, newline=""))]
    if not rows:
        raise ReadError("the file is empty", str(path), hint="export the codebook or highlights from Taguette again")
    header = tuple(c.strip().lower() for c in rows[0])
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    if header[:2] == _CODEBOOK:
        return _codebook(path, body, diag)
    if header[:4] == _HIGHLIGHTS:
        return _highlights(path, body, diag)
    raise ReadError(f"not a Taguette export: the header is {', '.join(rows[0][:6])}", str(path),
                    hint="expected Taguette's codebook (tag, description, …) or highlights (id, document, tag, "
                         "content) export")


def _code(codes: dict[str, Code], tag: str, description: str = "") -> str:
    guid = str(uuid.uuid5(TAGUETTE_NAMESPACE, tag)).lower()
    if guid not in codes:
        codes[guid] = Code(guid=guid, name=tag, description=description or None)
    return guid


def _codebook(path: Path, rows: list[list[str]], diag: Diagnostics) -> Project:
    project = Project(name=path.stem, origin="Taguette (codebook CSV)", kind="codebook", producer="taguette",
                      guid_case="upper")
    for n, row in enumerate(rows, 2):
        tag = row[0].strip() if row else ""
        if not tag:
            diag.warn("tag-empty", "a row without a tag name is skipped", f"{path.name} row {n}")
            continue
        _code(project.codes, tag, row[1].strip() if len(row) > 1 else "")
    return project


def _highlights(path: Path, rows: list[list[str]], diag: Diagnostics) -> Project:
    project = Project(name=path.stem, origin="Taguette (highlights export)", producer="taguette",
                      guid_case="upper", position_unit="unknown")
    sources: dict[str, Source] = {}
    selections: dict[tuple[str, str], Selection] = {}
    for n, row in enumerate(rows, 2):
        hid, doc, tag, content = (row + ["", "", "", ""])[:4]
        hid, doc = hid.strip(), doc.strip()
        if not hid or not doc:
            diag.warn("highlight-incomplete", "a row without a highlight id or document is skipped",
                      f"{path.name} row {n}")
            continue
        src = sources.get(doc)
        if src is None:
            g = str(uuid.uuid5(TAGUETTE_NAMESPACE, "document:" + doc))
            src = sources[doc] = Source(guid=g, name=doc)
        sel = selections.get((doc, hid))
        if sel is None:
            g = str(uuid.uuid5(TAGUETTE_NAMESPACE, f"highlight:{doc}:{hid}"))
            sel = selections[(doc, hid)] = Selection(g, kind="text", text=content, name=f"highlight {hid}")
            src.selections.append(sel)
        if tag.strip():
            code = _code(project.codes, tag.strip())
            sel.codings.append(Coding(str(uuid.uuid5(TAGUETTE_NAMESPACE, f"coding:{doc}:{hid}:{tag}")), code))
    project.sources = {s.guid: s for s in sources.values()}
    if sources:
        diag.info("excerpts-only", "Taguette's highlights export holds excerpts, not the documents or positions; "
                  "writing REFI-QDA rebuilds each text from its excerpts")
    return project
