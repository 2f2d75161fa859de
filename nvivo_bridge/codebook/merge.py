"""Merge several codebooks into one, never dropping a code.

Codebooks are taken in the order given; the first one sets the tree.  Each code of a later
codebook (parents first) is matched to a code already in the result:

1. by GUID;
2. otherwise by path, compared case- and whitespace-insensitively (``Process / Budget`` =
   ``process/budget``).

A matched code keeps the result's name, place, description, colour and codable flag; an empty
description or colour is filled from the later codebook, and a different non-empty value is a
*conflict* (one row of the conflicts table; the first value is kept).  A GUID match whose path
differs, and a path match whose GUID differs, are reported in the same table.  An unmatched code
is added under its (mapped) parent, with its own GUID.  Sets are matched by GUID then by name
(same normalisation), and their member codes united.
"""
from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path
from typing import Optional, Sequence

from ..errors import Diagnostics
from ..model import Code, Guid, Project, Set, escape_name
from .extract import norm_name, norm_path, tree_order

__all__ = ["merge_codebooks", "merge_code_trees", "write_conflicts", "CONFLICT_COLUMNS", "conflicts_frame"]

CONFLICT_COLUMNS = ("path", "field", "kept", "kept_from", "other", "other_from", "guid")


def _label(book: Project, i: int) -> str:
    return Path(book.source_file).name if book.source_file else (book.name or f"codebook {i + 1}")


def merge_codebooks(books: Sequence[Project], diag: Optional[Diagnostics] = None):
    """Merge ``books`` (codebook or project Projects); return ``(merged, conflicts)`` where
    ``conflicts`` is a pandas DataFrame with :data:`CONFLICT_COLUMNS` (possibly empty).

    The inputs are not modified; the result's order is deterministic (first codebook's order,
    then each later codebook's new codes in its own tree order)."""
    diag = diag if diag is not None else Diagnostics()
    labels = [_label(book, i) for i, book in enumerate(books)]
    merged, rows, mappings, _rules = merge_code_trees(books, labels, diag)
    set_from: dict[Guid, str] = {}
    for book, label, mapping in zip(books, labels, mappings):
        _merge_sets(merged, book, mapping, label, set_from, rows)
    frame = conflicts_frame(rows, merged)
    if len(frame):
        diag.warn("merge-conflicts", f"{len(frame)} conflict(s) between the codebooks (first value kept)")
    return merged, frame


def merge_code_trees(books: Sequence[Project], labels: Sequence[str], diag: Diagnostics):
    """The code matching of :func:`merge_codebooks` (codes only, no sets), for callers that need to
    know what became of each code (``nvivo_bridge.merge`` builds on it).

    Returns ``(merged, rows, mappings, rules)``: the codebook Project holding the merged codes
    (copies, with empty ``note_refs``), the conflict rows (dicts; see :func:`conflicts_frame`),
    and per book ``GUID → merged GUID`` and ``GUID → rule`` (``"guid"``, ``"path"`` or ``"added"``)."""
    merged = Project(name=books[0].name if books else "merged", kind="codebook",
                     origin=books[0].origin if books else None)
    rows: list[dict] = []
    mappings: list[dict[Guid, Guid]] = []
    rules: list[dict[Guid, str]] = []
    npath_index: dict[str, Guid] = {}   # normalised path in the result → result GUID
    npath_of: dict[Guid, str] = {}
    origin_of: dict[Guid, str] = {}     # result GUID → label of the codebook it came from
    for book, label in zip(books, labels):
        paths = book.code_paths()
        mapping: dict[Guid, Guid] = {}  # this book's GUID → result GUID
        rule: dict[Guid, str] = {}
        claimed: set[Guid] = set()
        for g in tree_order(book):
            code = book.codes[g]
            parent = mapping.get(code.parent) if code.parent in book.codes else None
            own_npath = (npath_of[parent] + "/" if parent else "") + escape_name(norm_name(code.name))
            target = g if g in merged.codes and g not in claimed else None
            how = "guid"
            if target is None:
                target = npath_index.get(own_npath)
                how = "path"
                if target in claimed:
                    target = None
            if target is None:
                new_g = g
                if g in merged.codes or g in merged.sets:
                    new_g = str(uuid.uuid4())
                    diag.warn("merge-guid-reused", f"code '{paths[g]}' of {label} reuses a GUID already taken in "
                                                   f"this codebook; it got the new GUID {new_g}")
                merged.codes[new_g] = dataclasses.replace(code, guid=new_g, parent=parent, note_refs=[],
                                                          extras=dict(code.extras))
                npath_of[new_g] = own_npath
                npath_index.setdefault(own_npath, new_g)
                origin_of[new_g] = label
                mapping[g] = new_g
                rule[g] = "added"
                claimed.add(new_g)
                continue
            mapping[g] = target
            rule[g] = how
            claimed.add(target)
            _reconcile(merged, target, code, paths[g], how, label, origin_of[target], rows)
        mappings.append(mapping)
        rules.append(rule)
    return merged, rows, mappings, rules


def _reconcile(merged: Project, target: Guid, code: Code, other_path: str, how: str, label: str,
               kept_from: str, rows: list[dict]) -> None:
    """Fill empty fields of the result code from ``code``; record differences as conflict rows."""
    kept = merged.codes[target]

    def conflict(field: str, a, b) -> None:
        rows.append({"guid_": target, "field": field, "kept": a, "kept_from": kept_from, "other": b,
                     "other_from": label})

    for attr, field in (("description", "description"), ("color", "color")):
        mine, theirs = getattr(kept, attr), getattr(code, attr)
        if not mine and theirs:
            setattr(kept, attr, theirs)
        elif mine and theirs and (mine.strip() if attr == "description" else mine.upper()) != \
                (theirs.strip() if attr == "description" else theirs.upper()):
            conflict(field, mine, theirs)
    if kept.is_codable != code.is_codable:
        conflict("codable", kept.is_codable, code.is_codable)
    if how == "guid" and norm_path(merged.code_path(target)) != norm_path(other_path):
        conflict("path", merged.code_path(target), other_path)
    elif how == "guid" and kept.name != code.name:
        conflict("name", kept.name, code.name)
    if how == "path" and target != code.guid:
        conflict("guid", target, code.guid)


def _merge_sets(merged: Project, book: Project, mapping: dict[Guid, Guid], label: str,
                set_from: dict[Guid, str], rows: list[dict]) -> None:
    by_name = {norm_name(s.name): s for s in merged.sets.values()}
    for s in book.sets.values():
        members = [mapping[m] for m in s.member_codes if m in mapping]
        target = merged.sets.get(s.guid) or by_name.get(norm_name(s.name))
        if target is None:
            g = s.guid if s.guid not in merged.codes else str(uuid.uuid4())
            target = merged.sets[g] = Set(g, s.name, s.description, extras=dict(s.extras))
            set_from[g] = label
            by_name[norm_name(s.name)] = target
        elif s.description and target.description and s.description.strip() != target.description.strip():
            rows.append({"path": f"set: {target.name}", "field": "set description", "kept": target.description,
                         "kept_from": set_from.get(target.guid, ""), "other": s.description,
                         "other_from": label, "guid": target.guid})
        elif s.description and not target.description:
            target.description = s.description
        for m in members:
            if m not in target.member_codes:
                target.member_codes.append(m)


def conflicts_frame(rows: list[dict], merged: Project):
    """The conflicts table as a DataFrame (paths are those of the merged codebook)."""
    import pandas as pd

    paths = merged.code_paths()
    out = []
    for r in rows:
        if "guid_" in r:
            r = dict(r, path=paths.get(r["guid_"], ""), guid=r.pop("guid_"))
        out.append({c: r.get(c, "") for c in CONFLICT_COLUMNS})
    return pd.DataFrame(out, columns=list(CONFLICT_COLUMNS))


def write_conflicts(frame, path: Path) -> None:
    """Write the conflicts table as ``.csv`` (UTF-8 with BOM) or ``.xlsx`` (by suffix), atomically."""
    from .sheet_write import write_table

    rows = [["" if v is None else v for v in rec] for rec in frame.itertuples(index=False, name=None)]
    write_table(Path(path), "Conflicts", tuple(frame.columns), rows)


def default_conflicts_path(output: Path) -> Path:
    """Where the conflicts table goes when not given: ``merged.qdc`` → ``merged-conflicts.xlsx``."""
    output = Path(output)
    return output.with_name(output.stem + "-conflicts.xlsx")
