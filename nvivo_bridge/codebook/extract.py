"""A project → its codebook (codes and code sets only), and loading a codebook from any file.

A codebook is a :class:`~nvivo_bridge.model.Project` with ``kind="codebook"`` that holds only
``codes`` and ``sets`` (REFI-QDA Codebook schema, ``refi-qda.md`` 1.4): code notes, sources,
cases and the rest are left behind.  Sets keep only their member codes; a set that grouped
sources or notes only (an NVivo/MAXQDA document set) has no place in a codebook and is dropped,
with an info issue.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Optional

from ..errors import Diagnostics
from ..model import Guid, Project, Set, escape_name, norm_name, split_path

__all__ = ["extract_codebook", "load_codebook", "norm_name", "norm_path", "tree_order"]


def norm_path(path: str) -> str:
    """Comparison form of a ``/`` code path: each name normalised with :func:`norm_name`."""
    return "/".join(escape_name(norm_name(n)) for n in split_path(path))


def tree_order(project: Project) -> list[Guid]:
    """Every code GUID, parents before children (depth first, siblings in document order).

    Codes caught in a parent cycle (only a broken input has them) come last, in document order,
    so no code is ever lost."""
    index = project.children_index()
    out: list[Guid] = []
    seen: set[Guid] = set()
    stack = list(reversed(index.get(None, [])))
    while stack:
        g = stack.pop()
        if g in seen:
            continue
        seen.add(g)
        out.append(g)
        stack.extend(reversed(index.get(g, [])))
    out.extend(g for g in project.codes if g not in seen)
    return out


def extract_codebook(project: Project, diag: Optional[Diagnostics] = None) -> Project:
    """Return the codebook of ``project``: a new ``kind="codebook"`` Project with copies of its
    codes (GUIDs, names, colours, descriptions, codable flags and tree kept) and its code sets.

    The input project is not modified."""
    diag = diag if diag is not None else Diagnostics()
    book = Project(name=project.name, origin=project.origin, kind="codebook", producer=project.producer,
                   guid_case=project.guid_case, source_file=project.source_file)
    for g in tree_order(project):
        code = project.codes[g]
        # A codebook Code has no NoteRef (Codebook schema), so code memos stay with the project.
        book.codes[g] = dataclasses.replace(code, note_refs=[], extras=dict(code.extras))
    noted = sum(1 for c in project.codes.values() if c.note_refs)
    if noted:
        diag.info("codebook-code-notes-dropped",
                  f"{noted} code memo link(s) are not part of a codebook and were left out")
    for s in project.sets.values():
        members = [m for m in s.member_codes if m in book.codes]
        if not members and (s.member_sources or s.member_notes):
            diag.info("codebook-set-not-codes",
                      f"set '{s.name}' groups documents or notes, not codes, and was left out of the codebook")
            continue
        book.sets[s.guid] = Set(s.guid, s.name, s.description, member_codes=members, extras=dict(s.extras))
    return book


def load_codebook(path: Path, diag: Diagnostics, **read_kwargs) -> Project:
    """Read a codebook from any supported file: a codebook sheet (``.xlsx``/``.csv`` written by
    ``nvivo-bridge codebook``), or anything :func:`nvivo_bridge.read` reads (``.qdc``, ``.qdpx``,
    NVivo codebook exports…), whose codes and code sets are then extracted.

    The codebook sheet is recognised by its sheet name / header row before any other reader is
    tried, so an edited sheet is never mistaken for an NVivo export."""
    from .sheet import is_codebook_sheet, read_codebook_sheet

    path = Path(path)
    if is_codebook_sheet(path):
        return read_codebook_sheet(path, diag)
    from ..api import read

    project = read(path, diag=diag, **read_kwargs)
    book = project if project.kind == "codebook" and not project.sources else extract_codebook(project, diag)
    book.kind = "codebook"
    book.issues = diag.finish()
    return book

