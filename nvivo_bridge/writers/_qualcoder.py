"""Reshape a project for QualCoder's REFI-QDA import (``--target qualcoder``; docs/export-profiles.md).

QualCoder's import (``refi.py``) reads less than the standard allows and is strict where the schema
is lenient.  :func:`adapt` returns a copy of the project (the input model is never changed) that
QualCoder can take in without losing what it can hold:

* a code with children becomes a category (``isCodable="false"``); codings made at it go to a new
  code inside it called ``"<name> (direct)"``;
* code names are unique per table (codes, categories): a clash gets its parent's name in
  brackets, then a number; every rename is in the ledger (``code-renamed``);
* cases are linked to text the way NVivo does and QualCoder reads: a code with the case's GUID
  and a coding of it on each case selection (a whole-source case link is a selection over the
  whole text);
* a selection carries one coder (QualCoder reads the coder from the selection), so codings by
  different coders of one selection are split into one selection per coder;
* notes become journals (named, dated, in files); the text of a note attached to a code, a source,
  a coding or a selection is also copied into that item's memo (``Description``);
* every source, note, case, variable and user is named, uniquely where QualCoder requires it;
* a coding of a whole source becomes a coding of a selection over its whole text.
"""
from __future__ import annotations

import dataclasses
import uuid
from typing import Iterable, Optional

from ..errors import Diagnostics
from ..model import Code, Coding, Project, Selection, Source
from ._qualcoder_names import dated, fill_names, short, unique_names

__all__ = ["adapt", "adapt_codebook", "DIRECT_SUFFIX"]

#: Name suffix of the code that receives the codings made at a code that became a category.
DIRECT_SUFFIX = " (direct)"
_NS = uuid.UUID("6f1c3a52-4a7e-4d1e-9a56-0c5d1e2f7a11")


def _uid(*parts: str) -> str:
    """A stable GUID derived from ``parts`` (the same input gives the same output file)."""
    return str(uuid.uuid5(_NS, "\x1f".join(parts)))


def adapt(project: Project, diag: Diagnostics) -> Project:
    """A copy of ``project`` shaped for QualCoder's import (see the module docstring); each change
    that renames or moves something is recorded in ``diag``."""
    p = dataclasses.replace(project)
    fill_names(p, diag)
    direct = _codes(p, diag)
    _sources(p, direct, diag)
    _unique_code_names(p, diag)
    _cases(p, diag)
    _memos(p)
    _cannot_hold(p, diag)
    return p


def _cannot_hold(p: Project, diag: Diagnostics) -> None:
    """Name in the ledger what QualCoder's import reads no further (it is still written)."""
    notes = p.notes
    lost = [(len(p.graphs), "graph(s): QualCoder's import skips graphs"),
            (len(p.sets), "set(s): QualCoder reads a set of sources as a file attribute and skips sets of codes"),
            (sum(1 for ln in p.links.values() if ln.origin not in notes and ln.target not in notes),
             "link(s) between items that are not notes: QualCoder keeps links only as note annotations"),
            (sum(1 for c in p.cases.values() if c.code_refs), "case(s) with code references: QualCoder has none")]
    for n, what in lost:
        if n:
            diag.warn("qualcoder-cannot-hold", f"{n} {what}")


def adapt_codebook(project: Project, diag: Diagnostics) -> Project:
    """A copy of a codebook shaped for QualCoder's codebook import: codes with children become
    categories and names are made unique (no codings, so no "(direct)" codes)."""
    p = dataclasses.replace(project)
    _codes(p, diag, coded=set())
    _unique_code_names(p, diag)
    return p


def _codes(p: Project, diag: Diagnostics, coded: Optional[set] = None) -> dict[str, str]:
    """Codes with children become categories; return parent GUID → GUID of its "(direct)" code."""
    index = p.children_index()
    coded = _coded_codes(p) if coded is None else coded
    codes: dict[str, Code] = {}
    direct: dict[str, str] = {}
    for g, code in p.codes.items():
        has_children = bool(index.get(g))
        if has_children:
            codes[g] = dataclasses.replace(code, is_codable=False)
            if g in coded:
                d = _uid("direct", g)
                direct[g] = d
                codes[d] = Code(guid=d, name=(code.name or "") + DIRECT_SUFFIX, color=code.color, parent=g,
                                description=code.description)
                diag.info("code-direct", f"code {code.name!r} has sub-codes, so QualCoder holds it as a category; "
                          f"its own codings go to the code {code.name + DIRECT_SUFFIX!r} inside it", f"code {g}")
        elif not code.is_codable and g in coded:
            codes[g] = dataclasses.replace(code, is_codable=True)
        else:
            codes[g] = code
        if not codes[g].name:
            codes[g] = dataclasses.replace(codes[g], name=f"Code {short(g)}")
    p.codes = codes
    return direct


def _coded_codes(p: Project) -> set[str]:
    out: set[str] = set()
    for s in p.sources.values():
        out.update(c.code for c in s.codings)
        for sel in s.all_selections():
            out.update(c.code for c in sel.codings)
    return out


def _sources(p: Project, direct: dict[str, str], diag: Diagnostics) -> None:
    """Point codings at "(direct)" codes, give each selection one coder, turn whole-source codings
    into whole-text selections."""
    moved = split = whole = twins = 0
    date = p.created or p.modified
    for s in p.sources.values():
        seen: set = set()
        if s.codings and s.kind == "text" and s.text is not None:
            for c in s.codings:
                s.selections.append(Selection(_uid("whole", s.guid, c.guid), start=0, end=len(s.text),
                                              codings=[c], meta=_user_meta(c.creating_user)))
                whole += 1
            s.codings = []
        if s.transcripts:
            s.transcripts = [dataclasses.replace(tr, meta=dated(tr.meta, date)) for tr in s.transcripts]
        out: list[Selection] = []
        for sel in s.selections:
            codings = sel.codings
            if direct and any(c.code in direct for c in codings):
                codings = [dataclasses.replace(c, code=direct[c.code]) if c.code in direct else c for c in codings]
                moved += sum(1 for c in sel.codings if c.code in direct)
            if sel.kind != "text" or not codings:
                # A copy even when unchanged: case codings and memos are added to it later.
                out.append(_copy_sel(sel, list(codings)))
                if sel.kind == "picture":
                    # QualCoder reads a picture area's date unconditionally, and its name as the memo
                    # (its own export then fails on a missing one).
                    out[-1].meta = dated(out[-1].meta, date)
                    if out[-1].name is None:
                        out[-1].name = sel.description or ""
                continue
            groups: dict[Optional[str], list[Coding]] = {}
            for c in codings:
                # A coding without a coder stays without one (QualCoder then shows "default"),
                # even when the selection names who made it.
                groups.setdefault(c.creating_user, []).append(c)
            for i, (user, group) in enumerate(groups.items()):
                if i == 0:
                    new = _copy_sel(sel, group)
                else:
                    new = _copy_sel(sel, group, _uid("coder", sel.guid, user or ""))
                    split += 1
                if user != sel.creating_user:
                    new.meta = {k: v for k, v in new.meta.items() if k not in ("creatingUser", "modifyingUser")}
                    new.meta.update(_user_meta(user))
                for c in group:
                    key = (c.code, sel.start, sel.end, user)
                    twins += key in seen
                    seen.add(key)
                out.append(new)
        s.selections = out
    if moved:
        diag.info("code-direct", f"{moved} coding(s) made at a code with sub-codes moved to its '(direct)' code")
    if split:
        diag.info("selection-split", f"{split} selection(s) coded by more than one coder written once per coder "
                  "(QualCoder reads the coder from the selection)")
    if twins:
        diag.warn("coding-duplicate", f"{twins} coding(s) repeat another of the same code, span and coder in the "
                  "same source; QualCoder keeps one of each such pair")
    if whole:
        diag.info("whole-source-coding", f"{whole} coding(s) of a whole source written as a selection over its "
                  "whole text (QualCoder codes text spans only)")


def _user_meta(user: Optional[str]) -> dict[str, str]:
    return {"creatingUser": user} if user else {}


def _copy_sel(sel: Selection, codings: list[Coding], guid: Optional[str] = None) -> Selection:
    """A copy of ``sel`` (every field: PDF page and corners, sync points…) with ``codings``."""
    return dataclasses.replace(sel, guid=guid or sel.guid, codings=codings, note_refs=list(sel.note_refs),
                               meta=dict(sel.meta), extras=dict(sel.extras))


def _cases(p: Project, diag: Diagnostics) -> None:
    """Link cases to text as QualCoder reads it: a code with the case's GUID, coded on the case's
    selections (QualCoder turns those codings into ``case_text`` and drops the code)."""
    if not p.cases:
        return
    by_guid: dict[str, tuple[Source, Selection]] = {}
    for s in p.sources.values():
        for sel in s.selections:
            by_guid.setdefault(sel.guid, (s, sel))
    lost = 0
    taken = {c.name for c in p.codes.values()}
    for g, case in p.cases.items():
        if not case.name or not (case.selection_refs or case.source_refs):
            continue
        links = 0
        for ref in case.selection_refs:
            hit = by_guid.get(ref)
            if hit is None or hit[1].kind != "text":
                lost += 1
                continue
            hit[1].codings.append(Coding(_uid("case", g, ref), code=g, creating_user=hit[1].creating_user))
            links += 1
        for ref in case.source_refs:
            s = p.sources.get(ref)
            if s is None or s.kind != "text" or s.text is None:
                lost += 1
                continue
            s.selections.append(Selection(_uid("casesrc", g, ref), start=0, end=len(s.text),
                                          codings=[Coding(_uid("case", g, ref), code=g)]))
            links += 1
        if links and g not in p.codes:
            # QualCoder drops this code once it has made the case links; its name only has to be free.
            name, n = f"Case: {case.name}", 1
            while name in taken:
                n += 1
                name = f"Case: {case.name} [{n}]"
            taken.add(name)
            p.codes[g] = Code(guid=g, name=name)
    if lost:
        diag.warn("case-link-lost", f"{lost} case link(s) to something other than a text (a picture, a PDF area, "
                  "a missing text) cannot be held by QualCoder's case_text")


def _unique_code_names(p: Project, diag: Diagnostics) -> None:
    """QualCoder keeps one code per name (and one category per name): rename clashes visibly."""
    cats = [(g, c.name, _parent_name(p, c)) for g, c in p.codes.items() if not c.is_codable]
    leaves = [(g, c.name, _parent_name(p, c)) for g, c in p.codes.items() if c.is_codable]
    for table in (cats, leaves):
        for g, new in unique_names(table).items():
            old = p.codes[g].name
            if new != old:
                diag.warn("code-renamed", f"code name {old!r} is used twice; QualCoder keeps one code per name, "
                          f"so it is written as {new!r}", f"code {g}")
                p.codes[g] = dataclasses.replace(p.codes[g], name=new)


def _parent_name(p: Project, code: Code) -> str:
    parent = p.codes.get(code.parent) if code.parent else None
    return parent.name if parent is not None and parent.name else "top level"


def _memos(p: Project) -> None:
    """Copy the text of attached notes into the memo QualCoder shows for the item."""
    notes = p.notes
    if not notes:
        return

    def joined(own: Optional[str], refs: Iterable[str]) -> Optional[str]:
        texts = [own] if own else []
        for r in refs:
            n = notes.get(r)
            if n is not None and n.text and n.text not in texts:
                texts.append(n.text)
        return "\n\n".join(texts) if texts else own

    link_notes: dict[str, list[str]] = {}
    for ln in p.links.values():
        if ln.origin in notes and ln.target:
            link_notes.setdefault(ln.target, []).append(ln.origin)
        elif ln.target in notes and ln.origin:
            link_notes.setdefault(ln.origin, []).append(ln.target)
    for g, code in list(p.codes.items()):
        refs = list(code.note_refs) + link_notes.get(g, [])
        if refs:
            p.codes[g] = dataclasses.replace(code, description=joined(code.description, refs))
    for s in p.sources.values():
        refs = list(s.note_refs) + link_notes.get(s.guid, [])
        if refs:
            s.description = joined(s.description, refs)
        # A source NoteRef makes QualCoder take the note for an annotation and skip the journal.
        s.note_refs = []
        for sel in s.selections:
            refs = list(sel.note_refs) + link_notes.get(sel.guid, [])
            for c in sel.codings:
                refs += list(c.note_refs) + link_notes.get(c.guid, [])
            if refs:
                sel.description = joined(sel.description, refs)
