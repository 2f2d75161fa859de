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
    if start is None:
        # No position (NVivo's own exports): the excerpt is the only identity of the place.
        return (kind, None, None, sel.text)
    return (kind, start, end)


class Spans:
    """Per merged container: how many of each coding key it holds, the first coding and the first
    selection of each key/span (the report names them, and duplicates' references point there)."""

    __slots__ = ("counts", "first_coding", "first_selection", "notes")

    def __init__(self) -> None:
        self.counts: dict[tuple, int] = {}
        self.first_coding: dict[tuple, Guid] = {}
        # span → (the first merged selection there, index of the input that brought it)
        self.first_selection: dict[tuple, tuple[Selection, int]] = {}
        # span → notes attached there (by selections or codings): a later input's coding memo
        # already attached at the place is not attached again (QualCoder allows one per place)
        self.notes: dict[tuple, set[Guid]] = {}


def copy_coding(st: State, inp: Input, c: Coding, attached=(), notes_out: Optional[list] = None) -> Coding:
    """``c`` with its code, coder and notes mapped (less the notes ``attached`` at its place
    already; the notes it keeps are added to ``notes_out``); ``c`` itself when nothing changes
    (codings are never changed in place by the merge, so sharing them with the input is safe)."""
    code, user = inp.ref(c.code), inp.user(c.creating_user)
    own = c.note_refs  # read once: an empty one is made on each read (nvivo_bridge._compact)
    notes = [g for g in inp.refs(own) if g not in attached] if own else None
    if notes and notes_out is not None:
        notes_out.extend(notes)
    guid = st.fresh(c.guid)
    if guid == c.guid and code == c.code and user == c.creating_user and (notes is None or notes == own):
        return c
    extras = c.extras
    return Coding(guid, code, user, c.created, notes or None, dict(extras) if extras else None)


def _copy_selection(st: State, inp: Input, sel: Selection, start, end, codings: list[Coding], notes) -> Selection:
    meta = sel.meta
    if meta:
        meta = dict(meta)
        for key in ("creatingUser", "modifyingUser"):
            if key in meta:
                meta[key] = inp.user(meta[key]) or meta[key]
    else:
        meta = {}
    extras = sel.extras
    return Selection(st.fresh(sel.guid), sel.kind, start, end, sel.page, sel.first_x, sel.first_y, sel.second_x,
                     sel.second_y, inp.ref(sel.from_sync), inp.ref(sel.to_sync), sel.name, sel.description,
                     sel.text, codings, notes or None, sel.representation, meta, dict(extras) if extras else None)


def merge_selections(st: State, inp: Input, spans: Spans, target_selections: list[Selection],
                     selections: list[Selection], mover: Mover, where: str, on_place=None) -> None:
    """Append to ``target_selections`` what ``selections`` (of input ``inp``) add; map each input
    selection's GUID to its copy or to the merged selection with the same span.  ``mover`` places
    text selections in the kept text (``None``: positions unchanged); ``on_place(sel, start, end,
    merged_guid)`` is called for each text selection placed by it.  ``where`` names the container
    in the report."""
    before, first_sel, first_coding, notes_at = spans.counts, spans.first_selection, spans.first_coding, spans.notes
    local: Counter = Counter()
    gmap, ref, user_of, i = inp.gmap, inp.ref, inp.user, inp.i
    n_codings = n_added = n_sel_added = 0
    for sel in selections:
        start, end = sel.start, sel.end
        if mover is not None and sel.kind == "text" and start is not None and end is not None:
            start, end = mover(start, end)
        span = span_of(sel, start, end, inp)
        kept: list[Coding] = []
        keys = []
        here: list = []
        earlier = first_sel.get(span)
        attached = notes_at.get(span, ()) if earlier is not None and earlier[1] != i else ()
        for c in sel.codings or (None,):
            key = span + ((ref(c.code), user_of(c.creating_user)) if c is not None else (None, None))
            local[key] += 1
            new_here = local[key] > before.get(key, 0)
            if new_here:
                keys.append(key)
            if c is None:
                continue
            n_codings += 1
            if new_here:
                kept.append(copy_coding(st, inp, c, attached, here))
                n_added += 1
            else:
                _report_duplicate(st, inp, where, key, start, end, c, first_coding.get(key))
        notes = sel.note_refs
        notes = inp.refs(notes) if notes else ()
        if earlier is not None and earlier[1] != i:
            # A place an earlier input already has: this input's links, case references and
            # annotations attach there, so a second coder's copy does not double them.
            gmap[sel.guid] = earlier[0].guid
            if notes:
                earlier[0].note_refs = list(dict.fromkeys(list(earlier[0].note_refs) + notes))
                notes_at.setdefault(span, set()).update(notes)
                notes = ()
        if keys:
            new = _copy_selection(st, inp, sel, start, end, kept, notes)
            target_selections.append(new)
            gmap.setdefault(sel.guid, new.guid)
            first_sel.setdefault(span, (new, i))
            if here or notes:
                notes_at.setdefault(span, set()).update(here, notes)
            for key, c in zip(keys, kept):
                first_coding.setdefault(key, c.guid)
            n_sel_added += 1
        else:
            gmap.setdefault(sel.guid, earlier[0].guid if earlier else sel.guid)
        if on_place is not None and sel.kind == "text" and sel.start is not None and sel.end is not None:
            on_place(sel, start, end, gmap[sel.guid])
    _remember(before, local)
    report = st.report
    report.count(i, "codings", "read", n_codings)
    report.count(i, "codings", "added", n_added)
    report.count(i, "selections", "read", len(selections))
    report.count(i, "selections", "added", n_sel_added)
    report.count(i, "selections", "matched", len(selections) - n_sel_added)


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
