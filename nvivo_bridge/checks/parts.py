"""The per-element part of :func:`nvivo_bridge.checks.rules.check_project` (codes, cases, sources,
notes, sets, links, graphs)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .rules import _GUID_LIKE, MIN_TEXT

if TYPE_CHECKING:  # pragma: no cover
    from .rules import _Checker

__all__ = ["check_all"]


def _src_where(src) -> str:
    return f"source '{src.name}' ({src.guid})" if src.name else f"source {src.guid}"


def check_all(ck: "_Checker") -> None:
    """Run every element check."""
    p, d = ck.p, ck.d
    notes = p.notes
    ck.refs(p.note_refs, notes, "dangling-note-ref", "note", "project")
    ck.user(p.creating_user, "project")
    for code in p.codes.values():
        where = f"code '{code.name}'"
        if code.parent and code.parent not in p.codes:
            d.warn("dangling-parent", f"parent {code.parent} does not exist", where)
        ck.refs(code.note_refs, notes, "dangling-note-ref", "note", where)
    _cycles(ck)
    for case in p.cases.values():
        where = f"case '{case.name or case.guid}'"
        ck.refs(case.code_refs, p.codes, "dangling-code-ref", "code", where)
        ck.refs(case.source_refs, p.sources, "dangling-source-ref", "source", where)
        ck.refs(case.selection_refs, ck.selections, "dangling-selection-ref", "selection", where)
        ck.values(case.variable_values, where)
    has_codes = bool(p.codes)
    no_positions = p.position_unit == "unknown"
    for src in p.sources.values():
        where = _src_where(src)
        if src.name and _GUID_LIKE.match(src.name.strip()):
            d.warn("source-name-is-guid", "the source's name looks like a GUID: names were probably lost in a "
                   "round trip through another program (as NVivo for Mac 15 re-exports do) — "
                   "check the source names in the program that wrote the file", where)
        if src.kind == "text":
            if src.text is None:
                # Without positions (NVivo's own exports) no text is expected: the reader said so once.
                if not no_positions or any(s.start is not None for s in src.selections):
                    d.warn("source-text-missing", "the source's text could not be found", where)
            elif has_codes and len(src.text.strip()) < MIN_TEXT:
                d.warn("source-text-empty", f"the source's text has {len(src.text.strip())} character(s) while the "
                       "project has codes: the text was probably lost in a round trip through another "
                       "program — re-export the project from the program that has the text", where)
        elif src.file is None and src.path and src.path.lower().startswith("internal:"):
            d.warn("source-file-missing", f"the {src.kind} file {src.path} is not in the project", where)
        ck.selection_ranges(src.text, src.selections, where)
        for tr in src.transcripts:
            twhere = f"{where} transcript {tr.guid}"
            points = {sp.guid for sp in tr.sync_points}
            n = len(tr.text) if tr.text is not None else None
            for sp in tr.sync_points:
                if sp.position is not None and (sp.position < 0 or (n is not None and sp.position > n)):
                    d.error("selection-out-of-range", f"sync point at {sp.position} lies outside a transcript of "
                            f"{n} characters", f"{twhere} syncpoint {sp.guid}")
            for sel in tr.selections:
                for g in (sel.from_sync, sel.to_sync):
                    if g and g not in points:
                        d.warn("dangling-sync-point", f"sync point {g} is not in the transcript",
                               f"{twhere} selection {sel.guid}")
            ck.selection_ranges(tr.text, tr.selections, twhere)
            ck.refs(tr.note_refs, notes, "dangling-note-ref", "note", twhere)
        if src.text_description is not None:
            td = src.text_description
            ck.selection_ranges(td.text, td.selections, f"{where} text description")
            ck.codings(td.codings, f"{where} text description")
        ck.codings(src.codings, where)
        ck.refs(src.note_refs, notes, "dangling-note-ref", "note", where)
        ck.values(src.variable_values, where)
        ck.user(src.meta.get("creatingUser"), where)
    for note in notes.values():
        where = f"note '{note.name or note.guid}'"
        ck.selection_ranges(note.text, note.selections, where)
        ck.codings(note.codings, where)
        ck.refs(note.note_refs, notes, "dangling-note-ref", "note", where)
        ck.values(note.variable_values, where)
    for s in p.sets.values():
        where = f"set '{s.name}'"
        ck.refs(s.member_codes, p.codes, "dangling-set-member", "code", where)
        ck.refs(s.member_sources, p.sources, "dangling-set-member", "source", where)
        ck.refs(s.member_notes, notes, "dangling-set-member", "note", where)
    for ln in p.links.values():
        where = f"link '{ln.name or ln.guid}'"
        for end in (ln.origin, ln.target):
            if end and end not in ck.kinds:
                d.warn("dangling-link-end", f"link end {end} does not exist", where)
        ck.refs(ln.note_refs, notes, "dangling-note-ref", "note", where)
    for gr in p.graphs.values():
        where = f"graph '{gr.name or gr.guid}'"
        vertices = {v.guid for v in gr.vertices}
        for v in gr.vertices:
            if v.represented and v.represented not in ck.kinds:
                d.warn("dangling-graph-ref", f"vertex {v.guid} represents {v.represented}, which does not exist", where)
        for e in gr.edges:
            for g in (e.source_vertex, e.target_vertex):
                if g not in vertices:
                    d.warn("dangling-graph-vertex", f"edge {e.guid} ends at vertex {g}, which is not in the graph",
                           where)
            if e.represented and e.represented not in ck.kinds:
                d.warn("dangling-graph-ref", f"edge {e.guid} represents {e.represented}, which does not exist", where)


def _cycles(ck: "_Checker") -> None:
    """Report each code whose chain of parents loops back (it would vanish from a nested tree)."""
    codes = ck.p.codes
    state: dict[str, int] = {}  # 1 = on the current chain, 2 = known to reach a root
    for start in codes:
        chain: list[str] = []
        g = start
        while g in codes and state.get(g) is None:
            state[g] = 1
            chain.append(g)
            g = codes[g].parent
        if g in codes and state.get(g) == 1:
            ck.d.warn("code-cycle", "the code's parents form a cycle", f"code '{codes[g].name}'")
        for c in chain:
            state[c] = 2
