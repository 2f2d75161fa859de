"""Selections and codings of one merged container (a source, a note or a transcript): copy them over
with mapped references, and leave out a coding the merged project already has.

A coding is identified by its span, its code and its coder.  Within one input every coding is kept,
repeats included (the program made them); across inputs a coding is added only as many times as no
earlier input already has it — the merged project holds, per (span, code, coder), the largest
number any input has.  So merging a project with itself adds nothing, the same span coded by two
coders stays two codings, and the result does not depend on the order of the inputs.
"""
from __future__ import annotations

from collections import Counter
from typing import Callable, Optional

from ..model import Coding, Guid, Selection
from ._state import Input, State

__all__ = ["Spans", "span_of", "copy_coding", "merge_selections", "Mover"]

# (start, end) of a text selection in the other copy → (start, end) in the kept copy
Mover = Optional[Callable[[int, int], tuple[int, int]]]
WHOLE = ("source",)


def span_of(sel: Selection, start: Optional[int], end: Optional[int], inp: Input) -> tuple:
    """The identity of a selection's place (positions already in the merged copy's text)."""
    kind = sel.kind
    if kind in ("pdf", "picture"):
        return (kind, sel.page, sel.first_x, sel.first_y, sel.second_x, sel.second_y)
    if kind == "transcript":
        return (kind, inp.ref(sel.from_sync), inp.ref(sel.to_sync), start, end)
    return (kind, start, end)


class Spans:
    """Per merged container: how many of each coding key it holds, the first coding and the first
    selection of each key/span (the report names them, and duplicates' references point there)."""

    __slots__ = ("counts", "first_coding", "first_selection")

    def __init__(self) -> None:
        self.counts: dict[tuple, int] = {}
        self.first_coding: dict[tuple, Guid] = {}
        self.first_selection: dict[tuple, Guid] = {}


def copy_coding(st: State, inp: Input, c: Coding) -> Coding:
    """``c`` with its code, coder and notes mapped; ``c`` itself when nothing changes (codings are
    never changed in place by the merge, so sharing them with the input is safe)."""
    code, user = inp.ref(c.code), inp.user(c.creating_user)
    notes = inp.refs(c.note_refs) if c.note_refs else None
    guid = st.fresh(c.guid)
    if guid == c.guid and code == c.code and user == c.creating_user and (notes is None or notes == c.note_refs):
        return c
    return Coding(guid, code, user, c.created, notes, dict(c.extras) if c.extras else None)


def _copy_selection(st: State, inp: Input, sel: Selection, start, end, codings: list[Coding]) -> Selection:
    meta = dict(sel.meta)
    for key in ("creatingUser", "modifyingUser"):
        if key in meta:
            meta[key] = inp.user(meta[key]) or meta[key]
    return Selection(st.fresh(sel.guid), sel.kind, start, end, sel.page, sel.first_x, sel.first_y, sel.second_x,
                     sel.second_y, inp.ref(sel.from_sync), inp.ref(sel.to_sync), sel.name, sel.description,
                     sel.text, codings, inp.refs(sel.note_refs) if sel.note_refs else None, sel.representation,
                     meta, dict(sel.extras) if sel.extras else None)


def merge_selections(st: State, inp: Input, spans: Spans, target_selections: list[Selection],
                     selections: list[Selection], mover: Mover, where: str, on_move=None) -> None:
    """Append to ``target_selections`` what ``selections`` (of input ``inp``) add; map each input
    selection's GUID to its copy or to the merged selection with the same span.  ``mover`` places
    text selections in the kept text (``None``: positions unchanged); ``on_move(sel, start, end,
    merged_guid)`` is called for each text selection whose place changed.  ``where`` names the
    container in the report."""
    before = spans.counts
    local: Counter = Counter()
    report = st.report
    for sel in selections:
        start, end = sel.start, sel.end
        if mover is not None and sel.kind == "text" and start is not None and end is not None:
            start, end = mover(start, end)
        span = span_of(sel, start, end, inp)
        kept: list[Coding] = []
        keys = []
        for c in sel.codings or (None,):
            key = span + ((inp.ref(c.code), inp.user(c.creating_user)) if c is not None else (None, None))
            local[key] += 1
            new_here = local[key] > before.get(key, 0)
            if new_here:
                keys.append(key)
            if c is None:
                continue
            report.count(inp.i, "codings", "read")
            if new_here:
                kept.append(copy_coding(st, inp, c))
                report.count(inp.i, "codings", "added")
            else:
                _report_duplicate(st, inp, where, key, start, end, c, spans.first_coding.get(key))
        report.count(inp.i, "selections", "read")
        if keys:
            new = _copy_selection(st, inp, sel, start, end, kept)
            target_selections.append(new)
            inp.gmap[sel.guid] = new.guid
            spans.first_selection.setdefault(span, new.guid)
            for key, c in zip(keys, kept):
                spans.first_coding.setdefault(key, c.guid)
            report.count(inp.i, "selections", "added")
        else:
            inp.gmap[sel.guid] = spans.first_selection.get(span, sel.guid)
            report.count(inp.i, "selections", "matched")
        if on_move is not None and sel.kind == "text" and (start, end) != (sel.start, sel.end):
            on_move(sel, start, end, inp.gmap[sel.guid])
    _remember(before, local)


def merge_whole(st: State, inp: Input, spans: Spans, target_codings: list[Coding], codings: list[Coding],
                where: str) -> None:
    """The codings of a whole source (no selection), with the same rule."""
    local: Counter = Counter()
    for c in codings:
        key = WHOLE + (inp.ref(c.code), inp.user(c.creating_user))
        local[key] += 1
        if local[key] > spans.counts.get(key, 0):
            new = copy_coding(st, inp, c)
            target_codings.append(new)
            spans.first_coding.setdefault(key, new.guid)
            st.report.count(inp.i, "codings", "added")
        else:
            _report_duplicate(st, inp, where, key, None, None, c, spans.first_coding.get(key))
        st.report.count(inp.i, "codings", "read")
    _remember(spans.counts, local)


def _remember(counts: dict, local: Counter) -> None:
    for key, n in local.items():
        if n > counts.get(key, 0):
            counts[key] = n


def _report_duplicate(st: State, inp: Input, where: str, key: tuple, start, end, c: Coding,
                      kept: Optional[Guid]) -> None:
    code, user = key[-2], key[-1]
    path = st.paths.get(code, code)
    st.report.duplicate(inp.label, where, path, st.merged.user_name(user), start, end, c.guid, kept)
    st.report.count(inp.i, "codings", "duplicates")
