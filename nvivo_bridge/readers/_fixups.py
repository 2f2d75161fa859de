"""Whole-project repairs after the stream parse: position units and vendor conventions.

* :func:`convert_positions`: every text position from the detected unit to code points, clamped
  into the text (refi-qda.md Q1, Q2), and transcript excerpts from their sync points.
* :func:`cases_as_codes`: NVivo's case coding (Q8).
* :func:`cases_as_source_attributes`: MAXQDA/Quirkos document variables written as cases (Q10).
"""
from __future__ import annotations

from typing import Any, Optional

from ..errors import Diagnostics
from ..model import Project
from ._positions import converter

__all__ = ["convert_positions", "transcript_excerpts", "cases_as_codes", "cases_as_source_attributes"]


def convert_positions(groups: list[tuple[Any, list, list]], unit: str, diag: Diagnostics) -> None:
    """Convert the text selections and sync points of each ``(holder, selections, sync_points)``
    group from ``unit`` to code points, over ``holder.text`` (no text when ``holder`` is ``None``);
    positions outside the text are clamped with a warning."""
    for holder, selections, syncs in groups:
        text = holder.text if holder is not None else None
        if text is None:
            if unit != "codepoint" and any(s.kind == "text" and s.start is not None for s in selections):
                diag.warn("positions-unconverted", f"{len(selections)} selection(s) over a missing text keep "
                          f"their {unit} positions (they cannot be converted without the text)")
            continue
        conv = converter(text, unit)
        n = len(text)
        for sel in selections:
            if sel.kind != "text" or sel.start is None or sel.end is None:
                continue
            s, e = sel.start, sel.end
            if conv is not None:
                s, e = conv(s), conv(e)
            if s > e:
                diag.warn("selection-reversed", f"selection {sel.guid} ends before it starts; swapped")
                s, e = e, s
            if s < 0 or e > n:
                diag.warn("position-out-of-range", f"selection {sel.guid} ({sel.start}–{sel.end}) lies outside "
                          f"its text of {n} characters; clamped")
                s, e = max(0, min(s, n)), max(0, min(e, n))
            sel.start, sel.end = s, e
        for sp in syncs:
            if sp.position is None:
                continue
            p = conv(sp.position) if conv is not None else sp.position
            if p < 0 or p > n:
                diag.warn("position-out-of-range", f"sync point {sp.guid} at {sp.position} lies outside its "
                          f"transcript of {n} characters; clamped")
                p = max(0, min(p, n))
            sp.position = p


def transcript_excerpts(project: Project) -> None:
    """Give each transcript selection the text between its two sync points (when both are known)."""
    for src in project.sources.values():
        for tr in src.transcripts:
            if not tr.selections or tr.text is None:
                continue
            pos = {sp.guid: sp.position for sp in tr.sync_points}
            for sel in tr.selections:
                a, z = pos.get(sel.from_sync), pos.get(sel.to_sync)
                if a is not None and z is not None and a <= z and sel.text is None:
                    sel.text = tr.text[a:z]


def cases_as_codes(project: Project, diag: Diagnostics) -> None:
    """NVivo case coding (Q8): a Code with a Case's GUID is dropped from the code tree (kept as the
    case), and a coding whose CodeRef names a Case becomes case membership of its selection."""
    cases = project.cases
    if not cases:
        return
    twins = [g for g in project.codes if g in cases]
    # One pass over the codes (not one per twin: NVivo writes a twin per case, thousands of them);
    # a code under a removed twin moves up to the nearest ancestor that stays.
    twin_parent = {g: project.codes.pop(g).parent for g in twins}
    if twin_parent:
        for child in project.codes.values():
            hops = 0
            while child.parent in twin_parent and hops <= len(twin_parent):
                child.parent, hops = twin_parent[child.parent], hops + 1
    if twins:
        diag.info("case-code-removed", f"{len(twins)} code(s) that are NVivo cases removed from the code tree "
                  "(kept as cases)")
    moved = 0
    codes = project.codes
    # Membership sets beside the lists: a case coded on many selections must not cost a list scan each.
    seen: dict[tuple[str, str], set] = {}

    def add(case: str, field: str, guid: str) -> None:
        refs = getattr(cases[case], field)
        known = seen.get((case, field))
        if known is None:
            known = seen[(case, field)] = set(refs)
        if guid not in known:
            known.add(guid)
            refs.append(guid)

    for src in project.sources.values():
        kept = [c for c in src.codings if c.code in codes or c.code not in cases]
        for c in src.codings:
            if c.code not in codes and c.code in cases:
                add(c.code, "source_refs", src.guid)
                moved += 1
        src.codings[:] = kept
        for sel in src.all_selections():
            if not sel.codings:
                continue
            keep = []
            for c in sel.codings:
                if c.code not in codes and c.code in cases:
                    add(c.code, "selection_refs", sel.guid)
                    moved += 1
                else:
                    keep.append(c)
            if len(keep) != len(sel.codings):
                sel.codings[:] = keep
    if moved:
        diag.info("case-coding", f"{moved} coding(s) that point at a case read as case membership")


def cases_as_source_attributes(project: Project, diag: Diagnostics) -> None:
    """A nameless Case with exactly one SourceRef and nothing but variable values holds that
    source's attributes (MAXQDA, Quirkos; Q10): the values move to the source, the case goes."""
    gone = []
    for case in project.cases.values():
        if (case.name or case.description or case.code_refs or case.selection_refs or case.extras
                or len(case.source_refs) != 1 or not case.variable_values):
            continue
        src = project.sources.get(case.source_refs[0])
        if src is None:
            continue
        for vv in case.variable_values:
            vv.origin = "case-as-source"
            src.variable_values.append(vv)
        gone.append(case.guid)
    for g in gone:
        del project.cases[g]
    if gone:
        diag.info("case-as-source", f"{len(gone)} nameless case(s) holding one source's variable values read as "
                  "attributes of that source")
