"""The ``Notes`` table: every note with what it is attached to (by NoteRef or by a Link)."""
from __future__ import annotations

from typing import Optional

import pandas as pd

from ..coding_index import locator
from ._context import Context

__all__ = ["notes_table", "describer", "NOTES_COLUMNS", "PROJECT_TOKEN"]

NOTES_COLUMNS = ["guid", "name", "text", "attached_kind", "attached_to", "attached_guid"]
# ``attached_guid`` of a note attached to the project itself (which has no GUID).
PROJECT_TOKEN = "project"
_EXCERPT = 60


def _short(text: Optional[str]) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= _EXCERPT else text[:_EXCERPT - 1] + "…"


class _Describer:
    """Names any object by GUID for a reader of the table: ``(kind, label)``."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._parts: Optional[dict] = None

    def selection(self, src, sel) -> tuple[str, str, str]:
        """A selection as ``source: “excerpt”`` (or ``source: locator``)."""
        text = src.excerpt(sel)
        where = f"“{_short(text)}”" if text is not None else locator(sel)
        return "selection", f"{self.ctx.source_names.get(src.guid)}: {where}", sel.guid

    def coding(self, src, coding) -> tuple[str, str, str]:
        """A coding as ``code path @ source``."""
        return ("coding", f"{self.ctx.paths.get(coding.code, coding.code)} @ {self.ctx.source_names.get(src.guid)}",
                coding.guid)

    def _index_parts(self) -> dict:
        parts: dict = {}
        for src in self.ctx.project.sources.values():
            for c in src.codings:
                parts[c.guid] = self.coding(src, c)
            for sel in src.all_selections():
                parts[sel.guid] = self.selection(src, sel)
                for c in sel.codings:
                    parts.setdefault(c.guid, self.coding(src, c))
            for tr in src.transcripts:
                parts.setdefault(tr.guid, ("transcript", tr.name or tr.guid, tr.guid))
        return parts

    def __call__(self, guid: str) -> tuple[str, str, str]:
        """``(kind, label, guid)`` of any object."""
        p = self.ctx.project
        for kind, coll, label in (("code", p.codes, lambda o: self.ctx.paths.get(o.guid)),
                                  ("source", p.sources, lambda o: self.ctx.source_names[o.guid]),
                                  ("case", p.cases, lambda o: self.ctx.case_names[o.guid]),
                                  ("note", p.notes, lambda o: o.name or o.guid),
                                  ("set", p.sets, lambda o: o.name), ("graph", p.graphs, lambda o: o.name),
                                  ("link", p.links, lambda o: o.name or o.guid),
                                  ("user", p.users, lambda o: self.ctx.user_names[o.guid])):
            obj = coll.get(guid)
            if obj is not None:
                return kind, label(obj), guid
        if self._parts is None:
            self._parts = self._index_parts()
        return self._parts.get(guid, ("unknown", guid, guid))


def describer(ctx: Context) -> _Describer:
    """A function naming any object by GUID for a reader: ``(kind, label, guid)``."""
    return _Describer(ctx)


def _attachments(ctx: Context) -> dict[str, list[tuple[str, str, str]]]:
    """``note guid → [(kind, label, guid), …]`` from every NoteRef and every Link with a note at one end."""
    p = ctx.project
    out: dict[str, list] = {}
    describe = _Describer(ctx)

    def add(refs, what) -> None:
        for n in refs:
            if n in p.notes:
                lst = out.setdefault(n, [])
                item = what() if callable(what) else what
                if item not in lst:
                    lst.append(item)

    add(p.note_refs, ("project", p.name or "(project)", PROJECT_TOKEN))
    for c in p.codes.values():
        if c.note_refs:
            add(c.note_refs, ("code", ctx.paths.get(c.guid), c.guid))
    for src in p.sources.values():
        add(src.note_refs, ("source", ctx.source_names[src.guid], src.guid))
        for c in src.codings:
            if c.note_refs:
                add(c.note_refs, lambda: describe.coding(src, c))
        for tr in src.transcripts:
            add(tr.note_refs, ("transcript", tr.name or tr.guid, tr.guid))
        if src.text_description is not None:
            add(src.text_description.note_refs, ("source", ctx.source_names[src.guid], src.text_description.guid))
        for sel in src.all_selections():
            if sel.note_refs:
                add(sel.note_refs, lambda: describe.selection(src, sel))
            for c in sel.codings:
                if c.note_refs:
                    add(c.note_refs, lambda: describe.coding(src, c))
    for note in p.notes.values():
        add(note.note_refs, ("note", note.name or note.guid, note.guid))
    for link in p.links.values():
        if link.note_refs:
            add(link.note_refs, ("link", link.name or link.guid, link.guid))
        for a, b in ((link.origin, link.target), (link.target, link.origin)):
            if a in p.notes and b and b not in p.notes:
                add([a], lambda: describe(b))
    return out


def notes_table(ctx: Context) -> pd.DataFrame:
    """One row per note; a note attached to several objects lists them joined by ``"; "``, the
    labels in ``attached_to`` and, in the same order, their GUIDs in ``attached_guid``."""
    att = _attachments(ctx)
    rows = []
    for g, note in ctx.project.notes.items():
        items = att.get(g, [])
        kinds = list(dict.fromkeys(k for k, _, _ in items))
        rows.append((g, note.name, note.text, "; ".join(kinds) or None,
                     "; ".join(str(label) for _, label, _ in items) or None,
                     "; ".join(str(guid) for _, _, guid in items) or None))
    return pd.DataFrame.from_records(rows, columns=NOTES_COLUMNS)
