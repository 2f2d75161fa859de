"""Sources and notes: match each to one already merged, bring its selections onto the kept text,
or add it.

A source of a later input is the same source as a merged one when, in this order:

1. ``text``: their texts are equal once normalised (BOM, line endings; compared by hash);
2. ``guid``: it has the merged source's GUID (and kind);
3. ``name``: it has the merged source's name (case and spaces ignored) and kind.

The merged source keeps the text of the input that brought it (the first, or ``prefer``).  Under
``text`` the positions are converted between the two line-ending conventions; under ``guid`` and
``name`` with a different text the two texts are aligned (:class:`~.texts.Alignment`) and every
selection whose place or excerpt changed gets a row in the report, with both excerpts.
"""
from __future__ import annotations

import dataclasses
from typing import Optional

from ..model import Representation, Source, SyncPoint, Transcript
from ._state import Input, State, loose
from .selections import Mover, Spans, merge_selections, merge_whole
from .texts import Alignment, NormMap, normalize, text_key

__all__ = ["merge_sources", "merge_notes", "text_mover"]


def text_mover(kept: Optional[str], other: Optional[str]) -> tuple[Mover, bool]:
    """``(mover, aligned)``: how positions over ``other`` move onto ``kept`` (``None`` when they
    stay), and whether the texts differ beyond BOM and line endings."""
    move, aligned, _maps, _al = _text_mover(kept, other)
    return move, aligned


def _text_mover(kept: Optional[str], other: Optional[str]):
    """:func:`text_mover` plus the two texts' :class:`NormMap` (``None`` when not built)."""
    if kept is None or other is None or kept == other:
        return None, False, None, None
    km, om = NormMap(kept), NormMap(other)
    nk, no = normalize(kept), normalize(other)
    if nk == no:
        return (lambda s, e: (km.from_norm(om.to_norm(s), True), km.from_norm(om.to_norm(e)))), False, (km, om), None
    al = Alignment(nk, no)

    def move(s: int, e: int) -> tuple[int, int]:
        s2 = km.from_norm(al.start(om.to_norm(s)), True)
        return s2, max(s2, km.from_norm(al.end(om.to_norm(e))))

    return move, True, (km, om), al


def _difference(text: str, a: int, b: int, n: int) -> str:
    """How a text reads at its first difference from the other copy, with some context."""
    text = normalize(text)
    return f"{n:,} characters; first difference: …{text[max(0, a - 30):b + 30]}…"


def _placer(st: State, inp: Input, kept_text: str, other_text: str, where: str, maps):
    """The report callback for selections of an aligned source: a row for each one whose text
    changed or that moved (compared on the normalised texts: a line-ending difference alone is
    no move)."""
    paths = st.paths
    km, om = maps

    def place(sel, start: int, end: int, merged_guid: str) -> None:
        old = other_text[sel.start:sel.end]
        new = kept_text[start:end]
        changed = normalize(old) != normalize(new)
        moved = (km.to_norm(start), km.to_norm(end)) != (om.to_norm(sel.start), om.to_norm(sel.end))
        if changed or moved:
            codes = "; ".join(paths.get(inp.ref(c.code), c.code) for c in sel.codings)
            st.report.moved(inp.label, where, sel.guid, merged_guid, codes, sel.start, sel.end, start, end, changed,
                            old, new)
    return place


def _same_kind(a: Source, b: Source) -> bool:
    return a.kind == b.kind


def merge_sources(st: State, inp: Input) -> None:
    """Merge every source of ``inp`` into the merged project (see the module doc)."""
    merged = st.merged
    by_key: dict[bytes, list[str]] = {}
    by_name: dict[tuple, list[str]] = {}
    for g, s in merged.sources.items():
        _index(by_key, by_name, s)
    claimed: set[str] = set()
    for src in inp.project.sources.values():
        key = text_key(src.text)
        target = rule = None
        for g in by_key.get(key, ()) if key else ():
            if g not in claimed and _same_kind(merged.sources[g], src):
                target, rule = g, "text"
                break
        if target is None and src.guid in merged.sources and src.guid not in claimed \
                and _same_kind(merged.sources[src.guid], src):
            target, rule = src.guid, "guid"
        if target is None:
            target = next((g for g in by_name.get((src.kind, loose(src.name)), ()) if g not in claimed), None)
            rule = "name"
        if target is None:
            new = _add_source(st, inp, src)
            _index(by_key, by_name, new)
            claimed.add(new.guid)
        else:
            claimed.add(target)
            _merge_source(st, inp, merged.sources[target], src, rule)


def _index(by_key: dict, by_name: dict, s: Source) -> None:
    key = text_key(s.text)
    if key:
        by_key.setdefault(key, []).append(s.guid)
    if s.name:
        by_name.setdefault((s.kind, loose(s.name)), []).append(s.guid)


def _meta(inp: Input, meta: dict) -> dict:
    out = dict(meta)
    for k in ("creatingUser", "modifyingUser"):
        if k in out:
            out[k] = inp.user(out[k]) or out[k]
    return out


def _add_source(st: State, inp: Input, src: Source) -> Source:
    guid = st.claim(src.guid, inp.i)
    inp.gmap[src.guid] = guid
    new = dataclasses.replace(
        src, guid=guid, selections=[], codings=[], transcripts=[], note_refs=inp.refs(src.note_refs),
        variable_values=[], meta=_meta(inp, src.meta), extras=dict(src.extras),
        text_description=_copy_rep(st, inp, src.text_description) if src.text_description else None)
    st.merge_values("source", src.name, guid, new.variable_values, src.variable_values, inp)
    spans = st.spans[guid] = Spans()
    merge_selections(st, inp, spans, new.selections, src.selections, None, src.name or guid)
    merge_whole(st, inp, spans, new.codings, src.codings, src.name or guid)
    for tr in src.transcripts:
        new.transcripts.append(_copy_transcript(st, inp, tr, src.name))
    st.merged.sources[guid] = new
    st.report.match(inp.i, "sources", src.name, src.guid, "added", new.name, guid)
    return new


def _merge_source(st: State, inp: Input, target: Source, src: Source, rule: str) -> None:
    inp.gmap[src.guid] = target.guid
    st.report.match(inp.i, "sources", src.name, src.guid, rule, target.name, target.guid)
    frm = st.label_of(target.guid)
    if rule != "name" and loose(src.name) != loose(target.name):
        st.report.conflict("source", target.name, "name", target.name, frm, src.name, inp.label, target.guid)
    _fill_or_conflict(st, inp, "source", target, src, "description")
    if target.text is None and src.text is not None:
        target.text = src.text
    if target.text_description is None and src.text_description is not None:
        target.text_description = _copy_rep(st, inp, src.text_description)
    mover, aligned, maps, al = _text_mover(target.text, src.text)
    place = None
    if aligned:
        i1, i2, j1, j2 = al.first_change
        st.report.conflict("source", target.name, "text", _difference(target.text, i1, i2, len(target.text)), frm,
                           _difference(src.text, j1, j2, len(src.text)), inp.label, target.guid)
        place = _placer(st, inp, target.text, src.text, target.name, maps)
    spans = st.spans[target.guid]
    merge_selections(st, inp, spans, target.selections, src.selections, mover, target.name, place)
    merge_whole(st, inp, spans, target.codings, src.codings, target.name)
    target.note_refs = list(dict.fromkeys(target.note_refs + inp.refs(src.note_refs)))
    st.merge_values("source", target.name, target.guid, target.variable_values, src.variable_values, inp)
    _merge_transcripts(st, inp, target, src)


def _fill_or_conflict(st: State, inp: Input, kind: str, target, other, attr: str) -> None:
    mine, theirs = getattr(target, attr), getattr(other, attr)
    if not mine and theirs:
        setattr(target, attr, theirs)
    elif mine and theirs and mine.strip() != theirs.strip():
        st.report.conflict(kind, getattr(target, "name", None) or target.guid, attr, mine, st.label_of(target.guid),
                           theirs, inp.label, target.guid)


def _copy_rep(st: State, inp: Input, rep: Representation) -> Representation:
    """A copy of a nested text (picture description, note) with its selections and codings mapped."""
    guid = st.fresh(rep.guid)
    inp.gmap[rep.guid] = guid
    new = dataclasses.replace(rep, guid=guid, selections=[], codings=[], note_refs=inp.refs(rep.note_refs),
                              variable_values=[], meta=_meta(inp, rep.meta), extras=dict(rep.extras))
    st.merge_values("note", rep.name, guid, new.variable_values, rep.variable_values, inp)
    spans = st.spans[guid] = Spans()
    merge_selections(st, inp, spans, new.selections, rep.selections, None, rep.name or guid)
    merge_whole(st, inp, spans, new.codings, rep.codings, rep.name or guid)
    return new


def _copy_transcript(st: State, inp: Input, tr: Transcript, where: Optional[str]) -> Transcript:
    guid = st.fresh(tr.guid)
    inp.gmap[tr.guid] = guid
    points = []
    for sp in tr.sync_points:
        inp.gmap[sp.guid] = g = st.fresh(sp.guid)
        points.append(SyncPoint(g, sp.time_stamp, sp.position, dict(sp.extras)))
    new = dataclasses.replace(tr, guid=guid, sync_points=points, selections=[], note_refs=inp.refs(tr.note_refs),
                              meta=_meta(inp, tr.meta), extras=dict(tr.extras))
    st.spans[guid] = spans = Spans()
    merge_selections(st, inp, spans, new.selections, tr.selections, None, f"{where} (transcript)")
    return new


def _merge_transcripts(st: State, inp: Input, target: Source, src: Source) -> None:
    """Transcripts of a matched source: matched by name (or as the only one on both sides); sync
    points by time and position; anything else is added."""
    by_name = {loose(t.name): t for t in target.transcripts}
    single = len(target.transcripts) == 1 and len(src.transcripts) == 1
    for tr in src.transcripts:
        mine = by_name.get(loose(tr.name)) or (target.transcripts[0] if single else None)
        if mine is None:
            target.transcripts.append(_copy_transcript(st, inp, tr, target.name))
            continue
        inp.gmap[tr.guid] = mine.guid
        at = {(sp.time_stamp, sp.position): sp.guid for sp in mine.sync_points}
        for sp in tr.sync_points:
            g = at.get((sp.time_stamp, sp.position))
            if g is None:
                g = st.fresh(sp.guid)
                mine.sync_points.append(SyncPoint(g, sp.time_stamp, sp.position, dict(sp.extras)))
                at[(sp.time_stamp, sp.position)] = g
            inp.gmap[sp.guid] = g
        merge_selections(st, inp, st.spans[mine.guid], mine.selections, tr.selections, None,
                         f"{target.name} (transcript)")


def merge_notes(st: State, inp: Input) -> None:
    """Notes: matched by GUID, then by name, then (unnamed notes) by text; a matched note keeps the
    first text (a different one is a conflict row) and gains the other's codings."""
    merged = st.merged
    by_name = {loose(n.name): g for g, n in merged.notes.items() if n.name}
    by_key = {text_key(n.text): g for g, n in merged.notes.items() if not n.name and n.text}
    for note in inp.project.notes.values():
        rule, target = "guid", merged.notes.get(note.guid)
        if target is None and note.name:
            rule, target = "name", merged.notes.get(by_name.get(loose(note.name)))
        if target is None and not note.name and note.text:
            rule, target = "text", merged.notes.get(by_key.get(text_key(note.text)))
        if target is None:
            new = _copy_rep(st, inp, note)  # a Note again: dataclasses.replace keeps the class
            st.came_from[new.guid] = inp.i
            merged.notes[new.guid] = new
            if new.name:
                by_name.setdefault(loose(new.name), new.guid)
            st.report.match(inp.i, "notes", note.name, note.guid, "added", new.name, new.guid)
            continue
        inp.gmap[note.guid] = target.guid
        st.report.match(inp.i, "notes", note.name, note.guid, rule, target.name, target.guid)
        mover, aligned = text_mover(target.text, note.text)
        if aligned:
            st.report.conflict("note", target.name or target.guid, "text", target.text, st.label_of(target.guid),
                               note.text, inp.label, target.guid)
        spans = st.spans[target.guid]
        merge_selections(st, inp, spans, target.selections, note.selections, mover, target.name or target.guid)
        merge_whole(st, inp, spans, target.codings, note.codings, target.name or target.guid)
        target.note_refs = list(dict.fromkeys(target.note_refs + inp.refs(note.note_refs)))
