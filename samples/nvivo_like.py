"""Write a :class:`nvivo_bridge.model.Project` the way NVivo for Windows 12.6 writes a ``.qdpx``.

A fixture generator that imitates a producer (``refi-qda.md`` §2.1, Q1–Q3, Q7, Q8 and
``nvivo-exports.md`` §1.3); it deliberately shares no code with nvivo_bridge's writers, so that
reading its output tests the readers against an independent producer.  What it imitates:

* ``project.qde`` with ``encoding="utf-8"``, CRLF, 2-space indent, an unused ``xmlns:xsd``,
  ``<X />`` empty elements, empty ``<Description />`` on every source, note and selection,
  ``name=""`` on selections, lower-case GUIDs, no final newline;
* ``Sources/<guid>.txt`` (UTF-8 **with BOM**, **CRLF**) plus a ``Sources/<guid>.docx`` twin; both
  ``richTextPath`` and ``plainTextPath``, never inline ``PlainTextContent``;
* one ``PlainTextSelection`` per code application (a model selection with three codings becomes
  three selections over the same range); positions in **UTF-16 code units** over the text as
  written (BOM stripped, CRLF = 2), end-exclusive;
* every case also written as a ``Code`` with the same GUID, and case membership as a case-coding
  selection (``Coding/CodeRef`` → case GUID) covering the whole text of each of its sources (or
  the range of each selection it refers to);
* memos and annotations as ``Note``s whose text is a ``.txt``/``.docx`` pair in ``Sources/``;
  an annotation's anchor is the ``PlainTextSelection`` its ``Link`` targets.

Only text sources are supported (a producer's fixture, not a general writer).
"""
from __future__ import annotations

import uuid
import zipfile
from pathlib import Path
from typing import Iterable, Optional

from nvivo_bridge.model import Coding, Project, Selection

from ._docx_twin import FIXED_ZIP_TIME, docx_twin
from ._qde_text import QdeLines, to_crlf, utf16_offsets

__all__ = ["ORIGIN", "write_qdpx", "render_qde", "derived_guid"]

ORIGIN = "NVivo for Windows 12.6"
DEFAULT_TIME = "2024-03-01T09:00:00Z"
_NS = "urn:QDA-XML:project:1.0"
_VALUE_ELEMENT = {"Text": "TextValue", "Boolean": "BooleanValue", "Integer": "IntegerValue",
                  "Float": "FloatValue", "Date": "DateValue", "DateTime": "DateTimeValue"}


def derived_guid(*parts: str) -> str:
    """A reproducible lower-case GUID for an element the model does not have (split selections)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "nvivo-like:" + "/".join(parts)))


class _Writer:
    """Renders one project; keeps the per-source UTF-16 position maps."""

    def __init__(self, project: Project):
        self.p = project
        self.out = QdeLines()
        self.sel_ranges: dict[str, tuple[str, int, int]] = {}
        for src in project.sources.values():
            if src.kind != "text":
                raise ValueError(f"nvivo_like writes text sources only; {src.guid} is {src.kind}")
            for sel in src.selections:
                if sel.start is not None and sel.end is not None:
                    self.sel_ranges[sel.guid] = (src.guid, sel.start, sel.end)
        # Case membership, per source: whole-text case codings and case codings of one range.
        self.case_whole: dict[str, list[str]] = {}
        self.case_ranges: dict[str, list[tuple[str, int, int]]] = {}
        for case in project.cases.values():
            for sg in case.source_refs:
                self.case_whole.setdefault(sg, []).append(case.guid)
            for sel_guid in case.selection_refs:
                if sel_guid in self.sel_ranges:
                    sg, a, b = self.sel_ranges[sel_guid]
                    self.case_ranges.setdefault(sg, []).append((case.guid, a, b))

    # -- project-level parts -----------------------------------------------------------------
    def render(self) -> str:
        p, o = self.p, self.out
        o.line(0, '<?xml version="1.0" encoding="utf-8"?>')
        o.open(0, "Project", [
            ("xmlns:xsd", "http://www.w3.org/2001/XMLSchema"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("name", p.name or "Untitled"), ("origin", ORIGIN),
            ("creatingUserGUID", p.creating_user), ("creationDateTime", p.created or DEFAULT_TIME),
            ("modifyingUserGUID", p.modifying_user or p.creating_user),
            ("modifiedDateTime", p.modified or p.created or DEFAULT_TIME),
            ("basePath", p.base_path or ""), ("xmlns", _NS)])
        if p.users:
            o.open(1, "Users")
            for u in p.users.values():
                o.empty(2, "User", [("guid", u.guid), ("name", u.name)])
            o.close(1, "Users")
        if p.codes or p.cases:
            o.open(1, "CodeBook")
            o.open(2, "Codes")
            self._codes(None, 3, p.children_index())
            for case in p.cases.values():  # NVivo cases are nodes too (Q8)
                o.empty(3, "Code", [("guid", case.guid), ("name", case.name or ""), ("isCodable", "true")])
            o.close(2, "Codes")
            o.close(1, "CodeBook")
        if p.variables:
            o.open(1, "Variables")
            for v in p.variables.values():
                a = [("guid", v.guid), ("name", v.name), ("typeOfVariable", v.type)]
                if v.description:
                    o.open(2, "Variable", a)
                    o.text(3, "Description", v.description)
                    o.close(2, "Variable")
                else:
                    o.empty(2, "Variable", a)
            o.close(1, "Variables")
        if p.cases:
            o.open(1, "Cases")
            for case in p.cases.values():
                o.open(2, "Case", [("guid", case.guid), ("name", case.name)])
                if case.description:
                    o.text(3, "Description", case.description)
                for ref in case.code_refs:
                    o.empty(3, "CodeRef", [("targetGUID", ref)])
                self._values(3, case.variable_values)
                o.close(2, "Case")
            o.close(1, "Cases")
        if p.sources:
            o.open(1, "Sources")
            for src in p.sources.values():
                self._text_source(2, "TextSource", src, src.text or "")
            o.close(1, "Sources")
        if p.notes:
            o.open(1, "Notes")
            for note in p.notes.values():
                self._text_source(2, "Note", note, note.text or "")
            o.close(1, "Notes")
        if p.links:
            o.open(1, "Links")
            for ln in p.links.values():
                a = [("guid", ln.guid), ("name", ln.name), ("direction", ln.direction), ("color", ln.color),
                     ("originGUID", ln.origin), ("targetGUID", ln.target)]
                self._with_refs(2, "Link", a, ln.note_refs)
            o.close(1, "Links")
        if p.sets:
            o.open(1, "Sets")
            for st in p.sets.values():
                o.open(2, "Set", [("guid", st.guid), ("name", st.name)])
                if st.description:
                    o.text(3, "Description", st.description)
                for tag, refs in (("MemberCode", st.member_codes), ("MemberSource", st.member_sources),
                                  ("MemberNote", st.member_notes)):
                    for ref in refs:
                        o.empty(3, tag, [("targetGUID", ref)])
                o.close(2, "Set")
            o.close(1, "Sets")
        o.text(1, "Description", p.description)
        for ref in p.note_refs:
            o.empty(1, "NoteRef", [("targetGUID", ref)])
        o.close(0, "Project")
        return o.getvalue()

    def _codes(self, parent: Optional[str], depth: int, index: dict) -> None:
        for g in index.get(parent, []):
            c = self.p.codes[g]
            a = [("guid", c.guid), ("name", c.name), ("isCodable", "true" if c.is_codable else "false"),
                 ("color", c.color)]
            kids = index.get(g, [])
            if not (c.description or c.note_refs or kids):
                self.out.empty(depth, "Code", a)
                continue
            self.out.open(depth, "Code", a)
            if c.description:
                self.out.text(depth + 1, "Description", c.description)
            for ref in c.note_refs:
                self.out.empty(depth + 1, "NoteRef", [("targetGUID", ref)])
            self._codes(g, depth + 1, index)
            self.out.close(depth, "Code")

    def _values(self, depth: int, values: Iterable) -> None:
        for vv in values:
            self.out.open(depth, "VariableValue")
            self.out.empty(depth + 1, "VariableRef", [("targetGUID", vv.variable)])
            if vv.value is not None:
                self.out.text(depth + 1, _VALUE_ELEMENT.get(vv.type, "TextValue"), vv.value)
            self.out.close(depth, "VariableValue")

    def _with_refs(self, depth: int, tag: str, a: list, note_refs: list[str]) -> None:
        if not note_refs:
            self.out.empty(depth, tag, a)
            return
        self.out.open(depth, tag, a)
        for ref in note_refs:
            self.out.empty(depth + 1, "NoteRef", [("targetGUID", ref)])
        self.out.close(depth, tag)

    # -- sources, notes and their selections ---------------------------------------------------
    def _text_source(self, depth: int, tag: str, obj, text: str) -> None:
        o, meta = self.out, obj.meta
        who = meta.get("creatingUser") or self.p.creating_user
        when = meta.get("creationDateTime") or self.p.created or DEFAULT_TIME
        o.open(depth, tag, [
            ("guid", obj.guid), ("name", obj.name or ""),
            ("richTextPath", f"internal://{obj.guid}.docx"), ("plainTextPath", f"internal://{obj.guid}.txt"),
            ("creatingUser", who), ("creationDateTime", when),
            ("modifyingUser", meta.get("modifyingUser") or who),
            ("modifiedDateTime", meta.get("modifiedDateTime") or when)])
        o.empty(depth + 1, "Description")
        rows = self._selection_rows(obj, text)
        needed = [x for r in rows for x in (r[1], r[2])]
        u16 = utf16_offsets(text, needed)
        for guid, start, end, sel, coding, note_refs in rows:
            self._pts(depth + 1, guid, u16[start], u16[end], sel, coding, note_refs)
        # Whole-source codings are written by NVivo as selections over the whole text (above);
        # Coding directly under the source is never used.
        for ref in obj.note_refs:
            o.empty(depth + 1, "NoteRef", [("targetGUID", ref)])
        self._values(depth + 1, getattr(obj, "variable_values", ()))
        o.close(depth, tag)

    def _selection_rows(self, obj, text: str) -> list[tuple]:
        """One row per code application: (guid, start, end, selection, coding or case GUID, note refs)."""
        rows: list[tuple] = []
        n = len(text)
        for sel in obj.selections:
            if sel.kind != "text" or sel.start is None or sel.end is None:
                raise ValueError(f"nvivo_like writes text selections with positions only; {sel.guid}")
            if not sel.codings:  # an annotation anchor or a commented span
                rows.append((sel.guid, sel.start, sel.end, sel, None, sel.note_refs))
            for i, coding in enumerate(sel.codings):
                guid = sel.guid if i == 0 else derived_guid(sel.guid, coding.guid)
                rows.append((guid, sel.start, sel.end, sel, coding, sel.note_refs if i == 0 else []))
        for coding in getattr(obj, "codings", ()):
            rows.append((derived_guid(obj.guid, "whole", coding.guid), 0, n, None, coding, []))
        for case in self.case_whole.get(obj.guid, ()):
            rows.append((derived_guid(obj.guid, "case", case), 0, n, None, case, []))
        for case, a, b in self.case_ranges.get(obj.guid, ()):
            rows.append((derived_guid(obj.guid, "case", case, str(a), str(b)), a, b, None, case, []))
        return rows

    def _pts(self, depth: int, guid: str, start: int, end: int, sel: Optional[Selection],
             coding, note_refs: list[str]) -> None:
        o = self.out
        meta = sel.meta if sel is not None else {}
        is_code = isinstance(coding, Coding)
        who = meta.get("creatingUser") or (coding.creating_user if is_code else None) or self.p.creating_user
        when = meta.get("creationDateTime") or (coding.created if is_code else None) or self.p.created \
            or DEFAULT_TIME
        o.open(depth, "PlainTextSelection", [
            ("guid", guid), ("name", ""), ("startPosition", str(start)), ("endPosition", str(end)),
            ("creatingUser", who), ("creationDateTime", when),
            ("modifyingUser", meta.get("modifyingUser") or who),
            ("modifiedDateTime", meta.get("modifiedDateTime") or when)])
        o.empty(depth + 1, "Description")
        if coding is not None:
            if is_code:
                a = [("guid", coding.guid), ("creatingUser", coding.creating_user),
                     ("creationDateTime", coding.created)]
                target, refs = coding.code, coding.note_refs
            else:  # case coding: the CodeRef names the case
                a = [("guid", derived_guid(guid, "coding")), ("creatingUser", who), ("creationDateTime", when)]
                target, refs = coding, []
            o.open(depth + 1, "Coding", a)
            o.empty(depth + 2, "CodeRef", [("targetGUID", target)])
            for ref in refs:
                o.empty(depth + 2, "NoteRef", [("targetGUID", ref)])
            o.close(depth + 1, "Coding")
        for ref in note_refs:
            o.empty(depth + 1, "NoteRef", [("targetGUID", ref)])
        o.close(depth, "PlainTextSelection")


def render_qde(project: Project) -> str:
    """The ``project.qde`` text (CRLF line ends, no final newline) NVivo 12.6 for Windows would write."""
    return _Writer(project).render()


def _member(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def write_qdpx(project: Project, path: Path) -> Path:
    """Write ``project`` to ``path`` as an NVivo-for-Windows-shaped ``.qdpx`` (reproducible bytes)."""
    path = Path(path)
    qde = render_qde(project)
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        _member(zf, "project.qde", qde.encode("utf-8"))
        for obj in list(project.sources.values()) + list(project.notes.values()):
            written = to_crlf(obj.text or "")
            _member(zf, f"Sources/{obj.guid}.docx", docx_twin(written))
            _member(zf, f"Sources/{obj.guid}.txt", b"\xef\xbb\xbf" + written.encode("utf-8"))
    tmp.replace(path)
    return path
