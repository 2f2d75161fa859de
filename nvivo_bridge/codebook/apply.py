"""Bring a project's codes in line with an (edited) codebook.

Each codebook code is matched to a project code by GUID, then (for codebooks made elsewhere)
by path compared case- and whitespace-insensitively; a path match keeps the project's GUID.
A matched code takes the codebook's name, place (parent), description, colour and codable
flag: the codebook is authoritative, so a description cleared in the codebook is cleared.  An
unmatched codebook code is added with its GUID.  The project's codings never change code, so
renames and moves keep every coding.

Project codes that the codebook no longer lists ("missing") are handled so that nothing is lost
silently:

* by default all are kept (after the codebook's codes, under their old parent); those that are
  still used (codings on them or on a missing code below them) are listed in a warning;
* ``prune=True`` removes the missing codes that are unused;
* ``drop_unused=True`` removes every missing code, used or not, *with its codings*; the
  number of codings removed is reported.  (The name says: drop the codes the codebook does not
  use.)

Code sets follow the codebook too (matched by GUID then name; member codes replaced by the
codebook's, document/note members kept).  A project set holding only codes that the codebook
no longer has is removed; one that also groups documents or notes is kept.  References to
removed codes (set members, case code references, links, graph vertices) are cleaned up.
"""
from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator, Optional

from ..errors import Diagnostics
from ..model import Code, Coding, Guid, Project, Set
from .extract import norm_name, norm_path, tree_order

__all__ = ["ApplyReport", "apply_codebook", "coding_lists"]

REPORT_COLUMNS = ("action", "path", "old_path", "guid", "codings")


@dataclass
class ApplyReport:
    """What :func:`apply_codebook` changed: one dict per code or set touched (:data:`REPORT_COLUMNS`)."""

    changes: list[dict] = field(default_factory=list)
    codings_removed: int = 0

    def summary(self) -> dict[str, int]:
        """How many codes/sets per action (``renamed``, ``moved``, ``added``, ``kept-missing``…)."""
        out: Counter = Counter()
        for c in self.changes:
            for action in c["action"].split(", "):
                out[action] += 1
        return dict(sorted(out.items()))

    def frame(self):
        """The changes as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.changes, columns=list(REPORT_COLUMNS))


def coding_lists(project: Project) -> Iterator[list[Coding]]:
    """Every list of codings in the project (sources, their selections, representations and
    transcripts, notes and their selections), so callers can count or filter them in place."""
    def of_text(obj) -> Iterator[list[Coding]]:
        yield obj.codings
        for sel in obj.selections:
            yield sel.codings
            if sel.representation is not None:
                yield from of_text(sel.representation)

    for src in project.sources.values():
        yield src.codings
        for sel in src.all_selections():
            yield sel.codings
            if sel.representation is not None:
                yield from of_text(sel.representation)
        if src.text_description is not None:
            yield from of_text(src.text_description)
    for note in project.notes.values():
        yield from of_text(note)


def _match(project: Project, book: Project) -> dict[Guid, Guid]:
    """Codebook GUID → project GUID for the codes that exist in both."""
    matched = {g: g for g in book.codes if g in project.codes}
    taken = set(matched.values())
    by_npath: dict[str, Guid] = {}
    for g, p in project.code_paths().items():
        by_npath.setdefault(norm_path(p), g)
    for g, p in book.code_paths().items():
        if g not in matched:
            pg = by_npath.get(norm_path(p))
            if pg is not None and pg not in taken and pg not in book.codes:
                matched[g] = pg
                taken.add(pg)
    return matched


def apply_codebook(project: Project, book: Project, diag: Optional[Diagnostics] = None, *,
                   prune: bool = False, drop_unused: bool = False) -> ApplyReport:
    """Apply codebook ``book`` to ``project`` **in place** (rules in the module docstring) and
    return the report of what changed."""
    diag = diag if diag is not None else Diagnostics()
    report = ApplyReport()
    old_paths = project.code_paths()
    matched = _match(project, book)
    mapping = dict(matched)
    for g in book.codes:
        if g not in mapping:
            clash = g in project.codes or project.get(g) is not None
            mapping[g] = str(uuid.uuid4()) if clash else g
    new_codes: dict[Guid, Code] = {}
    for g in tree_order(book):
        cb = book.codes[g]
        pg = mapping[g]
        parent = mapping.get(cb.parent) if cb.parent in book.codes else None
        old = project.codes.get(pg) if g in matched else None
        if old is None:
            new_codes[pg] = Code(pg, cb.name, cb.is_codable, cb.color, cb.description, parent,
                                 extras=dict(cb.extras))
            report.changes.append({"action": "added", "guid": pg, "codings": 0})
            continue
        actions = []
        if old.name != cb.name:
            actions.append("renamed")
        if (old.parent if old.parent in project.codes else None) != parent:
            actions.append("moved")
        if (old.description, old.color, old.is_codable) != (cb.description, cb.color, cb.is_codable):
            actions.append("updated")
        old.name, old.parent, old.description = cb.name, parent, cb.description
        old.color, old.is_codable = cb.color, cb.is_codable
        new_codes[pg] = old
        if actions:
            report.changes.append({"action": ", ".join(actions), "guid": pg, "old_path": old_paths[pg]})
    removed = _missing(project, new_codes, old_paths, report, diag, prune, drop_unused)
    project.codes = new_codes
    _apply_sets(project, book, mapping, removed, report)
    _clean_references(project, removed, report, diag)
    paths = project.code_paths()
    for c in report.changes:
        c["path"] = paths.get(c["guid"], c.get("path", ""))
    return report


def _missing(project: Project, new_codes: dict[Guid, Code], old_paths: dict[Guid, str], report: ApplyReport,
             diag: Diagnostics, prune: bool, drop_unused: bool) -> set[Guid]:
    """Decide the fate of the project codes the codebook does not list; return the removed GUIDs."""
    missing = [g for g in tree_order(project) if g not in new_codes]
    if not missing:
        return set()
    counts: Counter = Counter()
    for lst in coding_lists(project):
        for c in lst:
            counts[c.code] += 1
    in_use = {g: counts[g] for g in missing}
    for g in reversed(missing):  # children first: a code is used if a missing code below it is
        parent = project.codes[g].parent
        if parent in in_use and in_use[g]:
            in_use[parent] += in_use[g]
    removed: set[Guid] = set()
    used_paths = []
    for g in missing:
        code = project.codes[g]
        used = in_use[g] > 0
        if drop_unused or (prune and not used):
            removed.add(g)
            report.changes.append({"action": "dropped" if counts[g] else "pruned", "guid": g,
                                   "path": old_paths[g], "old_path": old_paths[g], "codings": counts[g]})
            continue
        new_codes[g] = code
        if used:
            used_paths.append(f"{old_paths[g]} ({counts[g]} coding(s))")
        report.changes.append({"action": "kept-missing", "guid": g, "old_path": old_paths[g], "codings": counts[g]})
    if used_paths and not drop_unused:
        diag.warn("codebook-missing-used", f"{len(used_paths)} code(s) not in the codebook are still used and were "
                  "kept: " + "; ".join(used_paths[:50]) + (" …" if len(used_paths) > 50 else ""))
    unused_kept = len(missing) - len(removed) - len(used_paths)
    if unused_kept:
        diag.info("codebook-missing-unused", f"{unused_kept} unused code(s) not in the codebook were kept "
                  "(--prune removes them)")
    if drop_unused:
        dropped = 0
        for lst in coding_lists(project):
            before = len(lst)
            lst[:] = [c for c in lst if c.code not in removed]
            dropped += before - len(lst)
        report.codings_removed = dropped
        if dropped:
            diag.warn("codebook-codings-dropped", f"{dropped} coding(s) of {len(removed)} code(s) not in the codebook "
                      "were removed (--drop-unused)")
    return removed


def _apply_sets(project: Project, book: Project, mapping: dict[Guid, Guid], removed: set[Guid],
                report: ApplyReport) -> None:
    by_name = {norm_name(s.name): s for s in project.sets.values()}
    in_book = set(mapping.values())
    seen: set[Guid] = set()
    new_sets: dict[Guid, Set] = {}
    for s in book.sets.values():
        target = project.sets.get(s.guid) or by_name.get(norm_name(s.name))
        members = [mapping[m] for m in s.member_codes if m in mapping]
        if target is None or target.guid in seen:
            g = s.guid if project.get(s.guid) is None and s.guid not in new_sets else str(uuid.uuid4())
            new_sets[g] = Set(g, s.name, s.description, member_codes=members, extras=dict(s.extras))
            report.changes.append({"action": "set-added", "guid": g, "path": f"set: {s.name}"})
            continue
        seen.add(target.guid)
        # Codes the codebook does not know (kept missing codes) stay in the set.
        kept = [m for m in target.member_codes if m not in in_book and m not in removed and m in project.codes]
        if target.name != s.name or target.description != s.description or target.member_codes != members + kept:
            report.changes.append({"action": "set-updated", "guid": target.guid, "path": f"set: {s.name}"})
        target.name, target.description, target.member_codes = s.name, s.description, members + kept
        new_sets[target.guid] = target
    for g, s in project.sets.items():
        if g in seen:
            continue
        if s.member_codes and not (s.member_sources or s.member_notes):
            report.changes.append({"action": "set-removed", "guid": g, "path": f"set: {s.name}"})
            continue
        s.member_codes = [m for m in s.member_codes if m not in removed]
        new_sets[g] = s
    project.sets = new_sets


def _clean_references(project: Project, removed: set[Guid], report: ApplyReport, diag: Diagnostics) -> None:
    """Remove references to removed codes from cases, links and graphs."""
    if not removed:
        return
    for case in project.cases.values():
        case.code_refs = [r for r in case.code_refs if r not in removed]
    dead = [g for g, ln in project.links.items() if ln.origin in removed or ln.target in removed]
    for g in dead:
        del project.links[g]
    if dead:
        diag.info("codebook-links-removed", f"{len(dead)} link(s) to removed codes were removed")
    for graph in project.graphs.values():
        for v in graph.vertices:
            if v.represented in removed:
                v.represented = None
        for e in graph.edges:
            if e.represented in removed:
                e.represented = None
