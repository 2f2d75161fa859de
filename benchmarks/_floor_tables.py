"""What the csv and xlsx floors write besides ``Codings``: the other tables of nvivo-bridge's
workbook and CSV folder (Project, Codes, Sources, Cases, Variables, Notes, Sets, Links, Code x Case),
tallied during the floor's one streaming pass and written after it.

Each table has nvivo-bridge's rows and columns, with values of the same kinds (counts as ints,
``codable`` as a bool, times as ``datetime``, attribute values typed by their variable), so the
writing costs the same per cell.  The tallying is the least work that gives them: a dict or
Counter update per coding, nothing checked.  Cases that NVivo also exports as codes are left out
of the codes, as nvivo-bridge leaves them out; ``Warnings`` has no floor (a floor checks nothing).
"""
from __future__ import annotations

import datetime as _dt
from collections import Counter, defaultdict
from functools import lru_cache
from operator import itemgetter
from typing import Any, Callable, Optional

__all__ = ["Q", "Tally", "TABLE_HEADERS", "START_TAGS", "END_TAGS", "when"]

Q = "{urn:QDA-XML:project:1.0}"
TABLE_HEADERS = {
    "Project": ["field", "value"],
    "Codes": ["guid", "path", "name", "level", "parent_path", "description", "color", "codable", "references",
              "references_aggregate", "sources", "cases", "coders"],
    "Sources": ["guid", "name", "kind", "characters", "codings", "codes", "cases", "description", "file"],
    "Cases": ["guid", "name", "description", "sources"],
    "Variables": ["guid", "name", "type", "description"],
    "Notes": ["guid", "name", "text", "attached_kind", "attached_to", "attached_guid"],
    "Sets": ["set", "description", "member_kind", "member", "member_guid", "set_guid"],
    "Links": ["name", "direction", "origin", "target", "color", "guid", "origin_guid", "target_guid"],
    "Source Texts": ["source", "part", "text", "source_guid"],
}
_TYPED: dict[str, Callable[[str], Any]] = {
    Q + "TextValue": str, Q + "IntegerValue": int, Q + "FloatValue": float,
    Q + "BooleanValue": lambda t: t.strip().lower() == "true",
    Q + "DateValue": lambda t: _dt.datetime.fromisoformat(t[:10]),
    Q + "DateTimeValue": lambda t: _dt.datetime.fromisoformat(t).replace(tzinfo=None),
}


@lru_cache(maxsize=1 << 16)
def when(text: Optional[str]) -> Optional[_dt.datetime]:
    """An XML ``dateTime`` as a naive UTC ``datetime`` (what nvivo-bridge writes)."""
    return _dt.datetime.fromisoformat(text).replace(tzinfo=None) if text else None


def _text(el, tag: str) -> Optional[str]:
    child = el.find(tag)
    return child.text if child is not None and child.text else None


START_TAGS = frozenset({Q + "Code", Q + "Project"})
END_TAGS = frozenset({Q + "Code", Q + "Description", Q + "User", Q + "Variable", Q + "Case", Q + "Note", Q + "Set"})


class Tally:
    """Lookups for the wide Codings rows (users, code paths, cases) and tallies for the other
    tables, fed by :meth:`start`/:meth:`end` for the elements in ``START_TAGS``/``END_TAGS`` and
    by :meth:`source_done` for each source while the floor streams the project."""

    def __init__(self) -> None:
        # plainTextPath -> the note's text; set by the floor once the archive is open
        self.note_text: Callable[[Optional[str]], Optional[str]] = lambda path: None
        self.project: dict[str, Optional[str]] = {}
        self.users: dict[str, Optional[str]] = {}
        self.paths: dict[str, tuple[str, list]] = {}  # code guid -> (path, levels padded to 3)
        self.codes: list[list] = []  # the Codes rows up to the counts
        self.variables: list[list] = []
        self.cases: dict[str, list] = {}  # case guid -> [name, attr 1, attr 2, attr 3] (Codings rows)
        self.case_rows: dict[str, list] = {}  # case guid -> Cases row
        self.sources: list[list] = []
        self.source_names: dict[str, str] = {}
        self.notes: list[list] = []
        self.attached: dict[str, tuple[str, str]] = {}  # note guid -> (kind, what it is attached to)
        self.sets: list[list] = []
        self.selections = self.codings = 0
        self.refs: Counter = Counter()
        self.code_sources: dict[str, set] = defaultdict(set)
        self.code_cases: dict[str, set] = defaultdict(set)
        self.coders: set = set()  # (code, coder name)
        self.matrix: Counter = Counter()  # (code, case) -> codings
        self.spans: dict[str, set] = defaultdict(set)  # code -> (source, start, end): coded twice counts once
        self.case_sources: dict[str, list] = defaultdict(list)
        self._names: list[str] = []
        self._code_row: list[list] = []

    def start(self, tag: str, el) -> None:
        """An element opens."""
        if tag == Q + "Code":
            self._names.append(el.get("name") or "")
            path = "/".join(self._names)
            self.paths[el.get("guid")] = (path, (self._names + [None, None, None])[:3])
            row = [el.get("guid"), path, el.get("name"), len(self._names),
                   "/".join(self._names[:-1]) or None, None, el.get("color"), el.get("isCodable") == "true"]
            self.codes.append(row)
            self._code_row.append(row)
        elif tag == Q + "Project":
            self.project = dict(el.attrib)

    def end(self, tag: str, el) -> None:
        """An element closes (a Case is cleared here; the rest are small or freed by the floor)."""
        if tag == Q + "Code":
            self._names.pop()
            self._code_row.pop()
        elif tag == Q + "Description" and self._code_row and el.getparent().tag == Q + "Code":
            self._code_row[-1][5] = el.text or None
        elif tag == Q + "User":
            self.users[el.get("guid")] = el.get("name")
        elif tag == Q + "Variable":
            self.variables.append([el.get("guid"), el.get("name"), el.get("typeOfVariable"),
                                   _text(el, Q + "Description")])
        elif tag == Q + "Case":
            values = [_TYPED[v.tag](v.text or "") for vv in el.iterfind(Q + "VariableValue") for v in vv
                      if v.tag in _TYPED]
            guid = el.get("guid")
            self.cases[guid] = ([el.get("name")] + values + [None] * 3)[:4]
            self.case_rows[guid] = [guid, el.get("name"), _text(el, Q + "Description"), None] + values
            el.clear()
        elif tag == Q + "Note":
            kind, to, on = self.attached.get(el.get("guid"), (None, None, None))
            self.notes.append([el.get("guid"), el.get("name"), self.note_text(el.get("plainTextPath")), kind, to, on])
        elif tag == Q + "Set":
            members = [("code", self.paths.get(m.get("targetGUID"), ("",))[0], m.get("targetGUID"))
                       for m in el.iterfind(Q + "MemberCode")]
            members += [("source", self.source_names.get(m.get("targetGUID")), m.get("targetGUID"))
                        for m in el.iterfind(Q + "MemberSource")]
            desc = _text(el, Q + "Description")
            g = el.get("guid")
            self.sets += ([[el.get("name"), desc, *m, g] for m in members]
                          or [[el.get("name"), desc, None, None, None, g]])

    def source_done(self, row: list, case: Optional[str], rows: list[list]) -> None:
        """A source has been streamed: ``row`` is its Sources row up to the counts, ``rows`` its
        Codings rows, tallied a source at a time."""
        codes = list(map(itemgetter(4), rows))
        per_code = Counter(codes)
        self.refs.update(per_code)
        self.codings += len(rows)
        for code, n in per_code.items():
            self.code_sources[code].add(row[0])
            if case:
                self.matrix[code, case] += n
                self.code_cases[code].add(case)
        self.coders.update(zip(codes, map(itemgetter(5), rows)))
        src = len(self.sources)
        for code, a, b in zip(codes, map(itemgetter(2), rows), map(itemgetter(3), rows)):
            self.spans[code].add((src, a, b))
        if case:
            self.case_sources[case].append(row[1])
        self.source_names[row[0]] = row[1]
        self.sources.append(row[:4] + [len(rows), len(per_code), self.cases[case][0] if case else None] + row[4:])

    def tables(self) -> list[tuple[str, list, list]]:
        """``(name, header, rows)`` of every table but Codings, once the pass is over."""
        codes = [r for r in self.codes if r[0] not in self.cases]
        # Distinct spans coded at a code or any code below it.
        under: dict[str, list] = defaultdict(list)
        for code, spans in self.spans.items():
            parts = self.paths[code][0].split("/")
            for k in range(1, len(parts) + 1):
                under["/".join(parts[:k])].append(spans)
        aggregate = {path: len(set().union(*sets)) for path, sets in under.items()}
        coders: dict[str, set] = defaultdict(set)
        for code, who in self.coders:
            coders[code].add(who)
        code_rows = [r + [self.refs[r[0]], aggregate.get(r[1], 0), len(self.code_sources.get(r[0], ())),
                          len(self.code_cases.get(r[0], ())),
                          "; ".join(sorted(filter(None, coders.get(r[0], ())))) or None] for r in codes]
        for guid, row in self.case_rows.items():
            row[3] = "; ".join(self.case_sources.get(guid, ())) or None
        case_names = [r[1] for r in self.case_rows.values()]
        matrix = [[r[1]] + [self.matrix[r[0], c] for c in self.case_rows] for r in codes]
        p = self.project
        counts = {"users": len(self.users), "codes": len(codes), "variables": len(self.variables),
                  "cases": len(self.cases), "sources": len(self.sources), "selections": self.selections,
                  "codings": self.codings, "notes": len(self.notes), "links": 0, "sets": len({r[-1] for r in self.sets}),
                  "graphs": 0}
        project = [["name", p.get("name")], ["kind", "project"], ["origin", p.get("origin")], ["producer", None],
                   ["position_unit", None], ["created", when(p.get("creationDateTime"))],
                   ["modified", when(p.get("modifiedDateTime"))],
                   ["created_by", self.users.get(p.get("creatingUserGUID"))], ["description", None]]
        project += [[k, n] for k, n in counts.items()]
        project += [["tables", 0], ["input", None], ["converted_by", "floor"], ["converted_at", _dt.datetime.now()]]
        variables = [v[1] for v in self.variables]
        return [("Project", TABLE_HEADERS["Project"], project), ("Codes", TABLE_HEADERS["Codes"], code_rows),
                ("Sources", TABLE_HEADERS["Sources"], self.sources),
                ("Cases", TABLE_HEADERS["Cases"] + variables, list(self.case_rows.values())),
                ("Variables", TABLE_HEADERS["Variables"], self.variables),
                ("Notes", TABLE_HEADERS["Notes"], self.notes), ("Sets", TABLE_HEADERS["Sets"], self.sets),
                ("Links", TABLE_HEADERS["Links"], []), ("Code x Case", ["code_path"] + case_names, matrix)]
