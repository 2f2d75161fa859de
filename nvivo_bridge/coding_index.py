"""A flat, column-wise index of every coding in a project, built in one pass.

Tables, the CIPP summary and validation all ask the same questions per coding — which source,
which code, which span, which coder, which cases, what text, which memo — so the answers are
computed once here instead of by repeated lookups per row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from .model import Project, Selection, Source

__all__ = ["CodingIndex", "build_index", "coder_names", "locator", "format_ms"]


def format_ms(ms: Optional[int]) -> str:
    """Format milliseconds as ``HH:MM:SS.mmm``."""
    if ms is None:
        return "?"
    ms = int(ms)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, milli = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{milli:03d}"


def locator(sel: Selection) -> str:
    """A readable locator for a non-text selection (page region, picture region, time span)."""
    if sel.kind == "pdf":
        return f"page {sel.page} ({sel.first_x},{sel.first_y})-({sel.second_x},{sel.second_y})"
    if sel.kind == "picture":
        return f"region ({sel.first_x},{sel.first_y})-({sel.second_x},{sel.second_y})"
    if sel.kind in ("audio", "video"):
        return f"{format_ms(sel.start)}-{format_ms(sel.end)}"
    if sel.kind == "transcript":
        return "transcript span"
    return ""


@dataclass
class CodingIndex:
    """One entry per coding (selection × code, or a coding of a whole source), in document order.

    All attributes are parallel lists.  ``start``/``end`` are code points for text selections,
    milliseconds for audio/video, ``None`` otherwise or when unknown.  ``text`` is the exact
    excerpt for text selections and a locator for other kinds; in an index built with
    ``excerpts=False`` it is ``None`` where an excerpt is still to be cut from its source's text,
    which :meth:`texts` does for any range of entries.  ``selection`` holds the ``Selection``
    objects (``None`` for a coding of a whole source).  ``cases`` holds the GUIDs of the source's
    cases.  ``memo`` holds the text of notes attached to the coding or its selection.
    ``dangling`` counts codings whose code is not in the project (they are left out).
    """

    coding_guid: list = field(default_factory=list)
    selection_guid: list = field(default_factory=list)
    selection: list = field(default_factory=list)
    source_guid: list = field(default_factory=list)
    code_guid: list = field(default_factory=list)
    kind: list = field(default_factory=list)
    start: list = field(default_factory=list)
    end: list = field(default_factory=list)
    text: list = field(default_factory=list)
    coder: list = field(default_factory=list)
    coded_at: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    memo: list = field(default_factory=list)
    source_cases: dict = field(default_factory=dict)
    dangling: int = 0
    excerpts: bool = True

    def __len__(self) -> int:
        return len(self.coding_guid)

    def texts(self, sources: dict, start: int = 0, stop: Optional[int] = None) -> list:
        """``text`` of entries ``start:stop`` with every excerpt present: those an index built with
        ``excerpts=False`` left out are cut now from ``sources`` (``project.sources``).

        Entries are in document order, so the texts are read source by source, as the model's
        text cache expects."""
        out = self.text[start:stop]
        if self.excerpts:
            return out
        src = None
        for k, (text, sel, guid) in enumerate(zip(out, self.selection[start:stop], self.source_guid[start:stop])):
            if text is None and sel is not None and sel.kind == "text":
                if src is None or src.guid != guid:
                    src = sources[guid]
                out[k] = src.excerpt(sel)
        return out


def _source_cases(project: Project) -> dict[str, tuple[str, ...]]:
    """Map each source GUID to the GUIDs of its cases (by SourceRef, or by a SelectionRef inside it)."""
    sel_to_source: dict[str, str] = {}
    needs_sel = any(c.selection_refs for c in project.cases.values())
    if needs_sel:
        for src, sel in project.iter_selections():
            sel_to_source[sel.guid] = src.guid
    out: dict[str, list[str]] = {}
    for case in project.cases.values():
        for s in case.source_refs:
            lst = out.setdefault(s, [])
            if case.guid not in lst:
                lst.append(case.guid)
        for sel in case.selection_refs:
            s = sel_to_source.get(sel)
            if s is not None:
                lst = out.setdefault(s, [])
                if case.guid not in lst:
                    lst.append(case.guid)
    return {k: tuple(v) for k, v in out.items()}


def _note_links(project: Project) -> dict[str, list[str]]:
    """Map a selection/coding GUID to the notes linked to it (NVivo annotations are Links)."""
    out: dict[str, list[str]] = {}
    for link in project.links.values():
        if link.origin in project.notes and link.target and link.target not in project.notes:
            out.setdefault(link.target, []).append(link.origin)
        elif link.target in project.notes and link.origin and link.origin not in project.notes:
            out.setdefault(link.origin, []).append(link.target)
    return out


class _Coders:
    """A coding's coder as the index shows it (the user's name, else id, else GUID; an unknown
    user's reference as it is) and whether it passes a ``coder`` filter (by name or GUID)."""

    def __init__(self, project: Project, coder: Optional[str]) -> None:
        self.coder = coder
        self.names: dict[Optional[str], Optional[str]] = {None: None}
        for g, u in project.users.items():
            self.names[g] = u.name or u.id or g

    def name(self, coding: Any) -> Optional[str]:
        """The coder's name, or ``None``."""
        name = self.names.get(coding.creating_user)
        return coding.creating_user if name is None and coding.creating_user is not None else name

    def kept(self, coding: Any, name: Optional[str]) -> bool:
        """Whether ``coding`` (its coder called ``name``) passes the filter."""
        return self.coder is None or self.coder in (name, coding.creating_user)


def _all_codings(project: Project) -> Iterator[tuple]:
    """``(source, selection or None, coding)`` for every coding, source-level ones first."""
    for src in project.sources.values():
        for c in src.codings:
            yield src, None, c
        for sel in src.all_selections():
            for c in sel.codings:
                yield src, sel, c


def build_index(project: Project, coder: Optional[str] = None, *, excerpts: bool = True) -> CodingIndex:
    """Index every coding of ``project``; with ``coder`` keep only that coder's codings (by name or GUID).

    ``excerpts=False`` leaves out the excerpts that are slices of a source's text (they are most
    of the index's memory on a large project); :meth:`CodingIndex.texts` cuts them when needed."""
    idx = CodingIndex(excerpts=excerpts)
    idx.source_cases = _source_cases(project)
    links = _note_links(project)
    codes = project.codes
    notes = project.notes
    coders = _Coders(project, coder)

    def memo_for(*guid_lists: list) -> Optional[str]:
        texts = []
        for guids in guid_lists:
            for n in guids:
                note = notes.get(n)
                if note is not None and note.text and note.text not in texts:
                    texts.append(note.text)
        return "\n\n".join(texts) if texts else None

    def add(src: Source, sel: Optional[Selection], coding) -> None:
        if coding.code not in codes:
            idx.dangling += 1
            return
        name = coders.name(coding)
        if not coders.kept(coding, name):
            return
        idx.coding_guid.append(coding.guid)
        idx.code_guid.append(coding.code)
        idx.source_guid.append(src.guid)
        idx.coder.append(name)
        idx.coded_at.append(coding.created)
        idx.cases.append(idx.source_cases.get(src.guid, ()))
        idx.selection.append(sel)
        if sel is None:
            idx.selection_guid.append(None)
            idx.kind.append("source")
            idx.start.append(None)
            idx.end.append(None)
            idx.text.append("(whole source)")
            idx.memo.append(memo_for(coding.note_refs, links.get(coding.guid, ())))
            return
        idx.selection_guid.append(sel.guid)
        idx.kind.append(sel.kind)
        if sel.kind in ("text", "audio", "video"):
            idx.start.append(sel.start)
            idx.end.append(sel.end)
        else:
            idx.start.append(None)
            idx.end.append(None)
        if sel.kind == "text":
            deferred = not excerpts and sel.start is not None and sel.end is not None
            idx.text.append(None if deferred else src.excerpt(sel))
        elif sel.kind == "transcript" and sel.text is not None:
            idx.text.append(sel.text)
        else:
            idx.text.append(locator(sel))
        has_memo = coding.note_refs or sel.note_refs or (links and (sel.guid in links or coding.guid in links))
        idx.memo.append(memo_for(coding.note_refs, sel.note_refs, links.get(sel.guid, ()),
                                 links.get(coding.guid, ())) if has_memo else None)

    for src, sel, c in _all_codings(project):
        add(src, sel, c)
    return idx


def coder_names(project: Project, coder: Optional[str] = None) -> set:
    """The distinct ``coder`` values :func:`build_index` would give ``project``'s codings (with
    the same ``coder`` filter), without building the index."""
    codes = project.codes
    coders = _Coders(project, coder)
    out: set = set()
    for _src, _sel, c in _all_codings(project):
        if c.code in codes:
            name = coders.name(c)
            if coders.kept(c, name):
                out.add(name)
    return out
