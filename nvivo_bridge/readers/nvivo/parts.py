"""What each export kind yields before the parts are joined into one Project.

Parsers return these plain records (no GUIDs, no cross references); :mod:`.join` turns a list of
them into a model :class:`~nvivo_bridge.model.Project`.  Keeping them apart is what lets a folder
of exports become one project: codes, sources and cases are matched by path and name only once,
after every file has been read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ["Ref", "SourceBlock", "NodeExport", "CodeRow", "CodeList", "CaseRow", "Classification"]


@dataclass(slots=True)
class Ref:
    """One reference (coded segment) of a node export.

    ``first``..``last`` is the header's number range (``References 1-2`` = two codings of one span).
    ``kind`` is ``text``, ``pdf``, ``picture``, ``audio`` or ``video``; locator fields hold the region
    (page, x/y) or the time span in ms.  ``text`` is the excerpt (for a PDF region: any text after it).
    """

    first: int
    last: int
    coverage: Optional[float]
    line: int
    kind: str = "text"
    text: str = ""
    page: Optional[int] = None
    coords: Optional[tuple[int, int, int, int]] = None
    start_ms: Optional[int] = None
    end_ms: Optional[int] = None
    locator: Optional[str] = None


@dataclass(slots=True)
class SourceBlock:
    """One ``<Files\\\\…\\\\name> - § N references coded [x% Coverage]`` block."""

    folder: list[str]
    name: str
    declared: Optional[int]
    coverage: Optional[float]
    line: int
    refs: list[Ref] = field(default_factory=list)


@dataclass(slots=True)
class NodeExport:
    """One node/code export file: the code's path (from the file name or the folder) and its blocks."""

    file: str
    code_path: list[str]
    blocks: list[SourceBlock]
    from_folder: bool = False


@dataclass(slots=True)
class CodeRow:
    """One code of a codebook or list view: path below the top folder, description and NVivo's counts."""

    path: list[str]
    folder: Optional[str] = None
    description: Optional[str] = None
    files: Optional[int] = None
    references: Optional[int] = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CodeList:
    """A codebook export (``kind="codebook"``) or a list view of codes (``kind="listview"``)."""

    file: str
    kind: str
    rows: list[CodeRow]


@dataclass(slots=True)
class CaseRow:
    """One row of a classification sheet: the name's path components and the values by attribute."""

    path: list[str]
    values: list[Optional[str]]
    row: int


@dataclass(slots=True)
class Classification:
    """A classification sheet (or a list view of cases): its name, attribute names and rows."""

    file: str
    name: str
    attributes: list[str]
    rows: list[CaseRow]
