"""Model checks the REFI-QDA schema cannot make (it has no keys or keyrefs, refi-qda.md §1.1).

Every check is one pass over the project with dicts built once, so a 200,000-coding project is
checked in about a second.  Each problem is an :class:`Issue` with a stable ``code`` and a
``location`` naming the element (``source 'Interview 1' selection <guid>``).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Optional

from ..errors import Diagnostics, Issue
from ..model import Project, Selection, VARIABLE_TYPES

__all__ = ["check_project", "CHECK_CODES"]

#: The values NVivo gives an attribute of any type that has no value (the NVivo export reader
#: keeps them as Text values, whatever the attribute's type).
NVIVO_MARKERS = frozenset({"Unassigned", "Not Applicable"})

#: Every code :func:`check_project` can report.
CHECK_CODES = (
    "duplicate-guid", "duplicate-guid-cross-kind", "dangling-code-ref", "dangling-note-ref",
    "dangling-source-ref", "dangling-selection-ref", "dangling-variable-ref", "dangling-set-member",
    "dangling-link-end", "dangling-graph-vertex", "dangling-graph-ref", "dangling-parent", "dangling-user-ref",
    "dangling-sync-point", "code-cycle", "selection-out-of-range", "selection-position-unknown",
    "source-file-missing", "source-text-missing", "source-text-empty", "source-name-is-guid",
    "coding-to-non-codable", "value-type-mismatch", "value-type-differs",
)

_GUID_LIKE = re.compile(r"^\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$")
_VALUE = {
    "Integer": re.compile(r"^\s*[+-]?\d+\s*$"),
    "Float": re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$"),
    "Boolean": re.compile(r"^\s*(true|false|1|0)\s*$"),
    "Date": re.compile(r"^\s*-?\d{4,}-\d\d-\d\d(Z|[+-]\d\d:\d\d)?\s*$"),
    "DateTime": re.compile(r"^\s*-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?\s*$"),
}
#: Below this many non-blank characters a source "has no text" (NVivo Mac 15's 1-byte files, Q14).
MIN_TEXT = 3


class _Checker:
    def __init__(self, project: Project):
        self.p = project
        self.d = Diagnostics(max_per_code=500)
        self.selections: dict[str, Selection] = {}
        self.kinds: dict[str, list[str]] = {}

    # -- GUID inventory --------------------------------------------------------------------
    def add(self, kind: str, guid: Optional[str]) -> None:
        if guid:
            self.kinds.setdefault(guid, []).append(kind)

    def inventory(self) -> None:
        p = self.p
        for kind in ("users", "codes", "variables", "cases", "sources", "notes", "links", "sets", "graphs"):
            for g in getattr(p, kind):
                self.add(kind[:-1], g)
        for src in p.sources.values():
            if src.kind == "pdf" and src.representation_guid:
                self.add("representation", src.representation_guid)
            if src.text_description is not None:
                self.add("representation", src.text_description.guid)
            for tr in src.transcripts:
                self.add("transcript", tr.guid)
                for sp in tr.sync_points:
                    self.add("syncpoint", sp.guid)
            for c in src.codings:
                self.add("coding", c.guid)
            for sel in src.all_selections():
                self.selections[sel.guid] = sel
                self.add("selection", sel.guid)
                for c in sel.codings:
                    self.add("coding", c.guid)
        for note in p.notes.values():
            for sel in note.selections:
                self.selections[sel.guid] = sel
                self.add("selection", sel.guid)
        for gr in p.graphs.values():
            for v in gr.vertices:
                self.add("vertex", v.guid)
            for e in gr.edges:
                self.add("edge", e.guid)
        for guid, kinds in self.kinds.items():
            if len(kinds) < 2:
                continue
            same = [k for k, n in Counter(kinds).items() if n > 1]
            if same:
                self.d.warn("duplicate-guid", f"GUID used by {len(kinds)} elements ({', '.join(kinds)})", guid)
            else:  # ATLAS.ti shares a GUID between a PDF selection and its text selection (Q9)
                self.d.info("duplicate-guid-cross-kind", f"GUID shared by {', '.join(kinds)}", guid)

    # -- references --------------------------------------------------------------------------
    def refs(self, guids: Iterable[str], target: dict, code: str, what: str, where: str) -> None:
        for g in guids:
            if g not in target:
                self.d.warn(code, f"{what} {g} does not exist", where)

    def user(self, guid: Optional[str], where: str) -> None:
        if guid and self.p.users and guid not in self.p.users:
            self.d.warn("dangling-user-ref", f"user {guid} is not in the user list", where)

    def codings(self, codings, where: str) -> None:
        codes, cases = self.p.codes, self.p.cases
        for c in codings:
            code = codes.get(c.code)
            if code is None:
                if c.code not in cases:  # a CodeRef to a Case is NVivo case coding (Q8)
                    self.d.warn("dangling-code-ref", f"coding {c.guid} refers to code {c.code}, which does not exist",
                                where)
            elif not code.is_codable:
                self.d.warn("coding-to-non-codable", f"coding {c.guid} applies code '{code.name}', which is "
                            "marked not codable", where)
            self.user(c.creating_user, where)
            if c.note_refs:
                self.refs(c.note_refs, self.p.notes, "dangling-note-ref", "note", where)

    def values(self, values, where: str) -> None:
        variables = self.p.variables
        for vv in values:
            var = variables.get(vv.variable)
            if var is None:
                self.d.warn("dangling-variable-ref", f"value of variable {vv.variable}, which does not exist", where)
                continue
            if vv.value is None or (vv.type == "Text" and vv.value in NVIVO_MARKERS):
                continue  # NVivo's "no value" markers stand in any attribute's type, as text
            if vv.type != var.type and var.type in VARIABLE_TYPES:
                self.d.warn("value-type-differs", f"'{var.name}' is {var.type} but this value is written as "
                            f"{vv.type}", where)
            pattern = _VALUE.get(var.type)
            if pattern is not None and not pattern.match(vv.value):
                self.d.warn("value-type-mismatch", f"{vv.value!r} is not a valid {var.type} for '{var.name}'", where)

    def selection_ranges(self, text: Optional[str], sels: Iterable[Selection], where: str) -> None:
        n = len(text) if text is not None else None
        for sel in sels:
            loc = f"{where} selection {sel.guid}"
            if sel.kind == "text":
                if sel.start is None or sel.end is None:
                    if sel.text is None:
                        self.d.warn("selection-position-unknown", "text selection with neither positions nor text",
                                    loc)
                    continue
                if sel.start < 0 or sel.start > sel.end or (n is not None and sel.end > n):
                    self.d.error("selection-out-of-range", f"selection {sel.start}..{sel.end} lies outside a text "
                                 f"of {n} characters" if n is not None else
                                 f"selection {sel.start}..{sel.end} is not a valid range", loc)
            elif sel.kind in ("audio", "video") and sel.start is not None and sel.end is not None:
                if sel.start < 0 or sel.start > sel.end:
                    self.d.error("selection-out-of-range", f"time span {sel.start}..{sel.end} ms is not valid", loc)
            elif sel.kind in ("pdf", "picture") and None not in (sel.first_x, sel.first_y, sel.second_x, sel.second_y):
                if sel.first_x < 0 or sel.first_y < 0 or sel.second_x < sel.first_x or sel.second_y < sel.first_y:
                    self.d.warn("selection-out-of-range", "region corners are not top-left / bottom-right", loc)
            self.codings(sel.codings, loc)
            self.refs(sel.note_refs, self.p.notes, "dangling-note-ref", "note", loc)
            self.user(sel.meta.get("creatingUser"), loc)


def check_project(project: Project) -> list[Issue]:
    """Check references, ranges, types and usability of ``project``; return the problems found."""
    from .parts import check_all

    ck = _Checker(project)
    ck.inventory()
    check_all(ck)
    return ck.d.finish()
