"""Building the project back from the tables of nvivo-bridge's workbook (see :mod:`.workbook`).

Every check that fails adds a sentence to ``problems`` (what is missing, where) instead of
guessing; the caller refuses the read when there is any.
"""
from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any, Optional

from ..model import (Case, Code, Coding, Link, Note, Project, Selection, Set, Source, Table, User, Variable,
                     VariableValue, norm_guid)

__all__ = ["build", "user_guid", "lexical_time", "lexical_value"]

_COVERAGE = "nvivo:coverage"
_PROJECT = "project"  # Notes.attached_guid of a note on the project (sheets._notes.PROJECT_TOKEN)
_KNOWN = {"Project", "Codes", "Sources", "Codings", "Cases", "Variables", "Notes", "Sets", "Links", "Code x Case",
          "Source Texts", "Warnings"}
_SOURCES_FIXED = 9  # guid … file (sheets._entities.SOURCES_FIXED)
_CASES_FIXED = 4    # guid, name, description, sources
_SHOWN = 3          # problems of one kind named before "… and N more"


def user_guid(name: str) -> str:
    """A stable GUID for a coder known only by name (the same name gives the same GUID)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "nvivo-bridge:user:" + name))


def lexical_time(value: Any) -> Optional[str]:
    """A time cell (a naive datetime in UTC) as ``xsd:dateTime`` text; text is kept as it is."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.isoformat(timespec="microseconds" if value.microsecond else "seconds") + "Z"
    return str(value)


def lexical_value(value: Any, vtype: str) -> Optional[str]:
    """A typed cell back in the lexical form of a ``VariableValue`` of type ``vtype``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and vtype != "Float":
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if vtype == "Date" else lexical_time(value)
    return str(value)


def _text(value: Any) -> Optional[str]:
    return None if value is None else str(value)


def _g(value: Any) -> Optional[str]:
    """A GUID cell in the model's form (an edited sheet may have changed its letter case)."""
    return None if value is None else norm_guid(str(value))


class _Build:
    def __init__(self, fields: dict, tables: dict, problems: list[str]) -> None:
        self.f, self.t, self.problems = fields, tables, problems
        self.p = Project(name=_text(fields.get("name")) or "", kind=_text(fields.get("kind")) or "project",
                         origin=_text(fields.get("origin")), producer=_text(fields.get("producer")),
                         position_unit=_text(fields.get("position_unit")) or "codepoint",
                         created=lexical_time(fields.get("created")), modified=lexical_time(fields.get("modified")),
                         description=_text(fields.get("description")))
        self.selections: dict[str, Selection] = {}
        self.codings: dict[str, Coding] = {}

    def rows(self, name: str) -> list[dict]:
        return self.t.get(name, [])

    def columns(self, name: str) -> list[str]:
        head = self.t.get("\0columns:" + name)
        return list(head[0]) if head else []

    def problem(self, kind: str, where: list[str]) -> None:
        if where:
            more = f" … and {len(where) - _SHOWN} more" if len(where) > _SHOWN else ""
            self.problems.append(f"{kind} ({', '.join(where[:_SHOWN])}{more})")

    def user(self, name: Any) -> Optional[str]:
        if name is None:
            return None
        g = user_guid(str(name))
        self.p.users.setdefault(g, User(g, name=str(name)))
        return g

    # -- the tables -----------------------------------------------------------------------
    def codes(self) -> None:
        by_path: dict[Any, list[str]] = {}
        for r in self.rows("Codes"):
            g = _g(r["guid"])
            self.p.codes[g] = Code(g, _text(r["name"]) or "", is_codable=r.get("codable") is not False,
                                   color=_text(r.get("color")), description=_text(r.get("description")))
            by_path.setdefault(r["path"], []).append(g)
        lost = []
        for r in self.rows("Codes"):
            parent = r.get("parent_path")
            if parent is not None:
                if len(by_path.get(parent, ())) == 1:
                    self.p.codes[_g(r["guid"])].parent = by_path[parent][0]
                else:  # no code, or two codes of the same path: which one cannot be told
                    lost.append(f"'{r['path']}'")
        self.problem("codes whose parent_path names no single code", lost)

    def variables(self) -> None:
        for r in self.rows("Variables"):
            g = _g(r["guid"])
            self.p.variables[g] = Variable(g, _text(r["name"]) or "", type=_text(r.get("type")) or "Text",
                                           description=_text(r.get("description")))

    def values(self, table: str, fixed: int, rows: list[dict], owners: list) -> None:
        """Variable values from the columns after the ``fixed`` ones, matched to variables by name
        (a clash with a fixed column adds `` (variable)``)."""
        names: dict[str, list[Variable]] = {}
        for v in self.p.variables.values():
            for n in (v.name, v.name + " (variable)"):
                names.setdefault(n, []).append(v)
        bad = []
        for col in self.columns(table)[fixed:]:
            found = names.get(col, [])
            if len(found) != 1:
                bad.append(f"'{col}'")
                continue
            var = found[0]
            for r, owner in zip(rows, owners):
                value = lexical_value(r.get(col), var.type)
                if value is not None:
                    # A value that did not fit its type was written as text, and stays text.
                    kind = var.type if isinstance(r.get(col), str) is (var.type == "Text") else "Text"
                    owner.variable_values.append(VariableValue(var.guid, value, kind))
        self.problem(f"{table} columns that name no single variable", bad)

    def sources(self) -> None:
        texts: dict[str, list[tuple[int, str]]] = {}
        for r in self.rows("Source Texts"):
            texts.setdefault(_g(r["source_guid"]), []).append((int(r["part"]), r.get("text") or ""))
        other, no_text, differs = [], [], []
        rows = self.rows("Sources")
        for r in rows:
            g = _g(r["guid"])
            src = Source(g, name=_text(r["name"]), kind=_text(r.get("kind")) or "text",
                         description=_text(r.get("description")))
            self.p.sources[g] = src
            if src.kind != "text":
                other.append(f"'{src.name}' ({src.kind})")
            chars = r.get("characters")
            if chars is None:
                continue
            parts = texts.get(g)
            if parts is None:
                no_text.append(f"'{src.name}'")
                continue
            src.text = "".join(t for _, t in sorted(parts))
            if len(src.text) != chars:
                differs.append(f"'{src.name}': {len(src.text)} of {chars} characters")
        self.problem("PDF, picture, audio and video sources: a workbook holds their coded regions and time "
                     "spans only as readable text, and not their files or transcripts", other)
        if no_text and "Source Texts" not in self.t:
            no_text = [f"{len(no_text)} source(s), as the workbook has no Source Texts sheet (an older "
                       "nvivo-bridge wrote it)"]
        self.problem("the full text of sources", no_text)
        self.problem("source texts that differ from their length in Sources (edited, cut or cleaned)", differs)
        self.values("Sources", _SOURCES_FIXED, rows, list(self.p.sources.values()))

    def cases(self) -> None:
        by_name: dict[str, list[str]] = {}
        for g, s in self.p.sources.items():
            by_name.setdefault(s.name if s.name is not None else g, []).append(g)
        unknown = []
        rows = self.rows("Cases")
        for r in rows:
            g = _g(r["guid"])
            case = Case(g, name=_text(r["name"]), description=_text(r.get("description")))
            self.p.cases[g] = case
            for name in (str(r["sources"]).split("; ") if r.get("sources") is not None else []):
                found = by_name.get(name, [])
                if len(found) == 1:
                    case.source_refs.append(found[0])
                else:
                    unknown.append(f"'{name}' of case '{case.name}'")
        self.problem("case sources that name no single source", unknown)
        self.values("Cases", _CASES_FIXED, rows, list(self.p.cases.values()))

    def coding_rows(self) -> None:
        missing, differs = [], []
        for k, r in enumerate(self.rows("Codings"), 2):
            src = self.p.sources.get(_g(r.get("source_guid")))
            code = _g(r.get("code_guid"))
            if src is None or code not in self.p.codes:
                missing.append(f"row {k}")
                continue
            coding = Coding(_g(r["coding_guid"]), code, creating_user=self.user(r.get("coder")),
                            created=lexical_time(r.get("coded_at")))
            self.codings[coding.guid] = coding
            sel_guid = r.get("selection_guid")
            if sel_guid is None:
                src.codings.append(coding)
                continue
            sel = self.selections.get(_g(sel_guid))
            if sel is None:
                start, end, text = r.get("start"), r.get("end"), _text(r.get("text"))
                # Without positions the excerpt is the selection's text; an empty cell is an empty
                # excerpt (NVivo exports such references), as a text selection always has one.
                sel = Selection(_g(sel_guid), start=start, end=end, text=(text or "") if start is None else None)
                if start is not None and (src.text is None or src.text[start:end] != (text or "")):
                    differs.append(f"row {k}")
                if r.get("coverage_pct") is not None:
                    sel.extras[_COVERAGE] = r["coverage_pct"]
                self.selections[sel.guid] = sel
                src.selections.append(sel)
            sel.codings.append(coding)
        self.problem("Codings rows whose source or code is not in the workbook", missing)
        self.problem("excerpts that differ from their source's text at their positions", differs)

    def notes(self) -> None:
        linked = {(lk.origin, lk.target) for lk in self.p.links.values()}
        unknown = []
        p = self.p
        for r in self.rows("Notes"):
            g = _g(r["guid"])
            p.notes[g] = Note(g, name=_text(r.get("name")), text=_text(r.get("text")))
        for r in self.rows("Notes"):
            g = _g(r["guid"])
            for target in (str(r["attached_guid"]).split("; ") if r.get("attached_guid") is not None else []):
                target = target if target == _PROJECT else _g(target)
                if (g, target) in linked or (target, g) in linked:
                    continue  # attached by that link, not by a NoteRef
                if target == _PROJECT:
                    p.note_refs.append(g)
                    continue
                obj = (p.codes.get(target) or p.sources.get(target) or p.notes.get(target) or p.links.get(target)
                       or self.selections.get(target) or self.codings.get(target))
                if obj is None:
                    unknown.append(f"note '{r.get('name') or g}' on {target}")
                else:
                    obj.note_refs.append(g)
        self.problem("notes attached to something not in the workbook", unknown)

    def sets(self) -> None:
        add = {"code": "member_codes", "source": "member_sources", "note": "member_notes"}
        for r in self.rows("Sets"):
            g = _g(r["set_guid"])
            s = self.p.sets.setdefault(g, Set(g, _text(r["set"]) or "", description=_text(r.get("description"))))
            kind = r.get("member_kind")
            if kind in add:
                getattr(s, add[kind]).append(_g(r["member_guid"]))

    def links(self) -> None:
        for r in self.rows("Links"):
            g = _g(r["guid"])
            self.p.links[g] = Link(g, name=_text(r.get("name")), direction=_text(r.get("direction")),
                                   color=_text(r.get("color")), origin=_g(r.get("origin_guid")),
                                   target=_g(r.get("target_guid")))

    def extra_tables(self) -> None:
        for name, rows in self.t.items():
            if name.startswith("\0") or name in _KNOWN:
                continue
            cols = self.columns(name)
            self.p.tables[name] = Table(name, cols, [[r.get(c) for c in cols] for r in rows])

    def counts(self) -> None:
        """Compare with what the ``Project`` sheet counted when the workbook was written."""
        have = self.p.counts()
        have["tables"] = len(self.p.tables)
        short = []
        for kind in ("codes", "variables", "cases", "sources", "codings", "notes", "links", "sets", "graphs",
                     "tables"):
            want = self.f.get(kind)
            if isinstance(want, (int, float)) and have.get(kind, 0) != want:
                what = "graphs (not carried by a workbook)" if kind == "graphs" else kind
                short.append(f"{what}: {have.get(kind, 0)} of {int(want)}")
        self.problem("elements the Project sheet counts but the sheets do not hold", short)


# The columns the read needs, per table (an edited sheet may have lost one).
REQUIRED = {"Codes": ("guid", "path", "name", "parent_path"), "Sources": ("guid", "name", "kind", "characters"),
            "Codings": ("source_guid", "code_guid", "coding_guid", "selection_guid", "start", "end", "text"),
            "Cases": ("guid", "name", "sources"), "Variables": ("guid", "name", "type"),
            "Notes": ("guid", "attached_guid"), "Sets": ("set", "member_kind", "member_guid", "set_guid"),
            "Links": ("guid", "origin_guid", "target_guid"), "Source Texts": ("source_guid", "part", "text")}


def build(fields: dict, tables: dict, problems: list[str]) -> Project:
    """The project the workbook's tables describe; ``problems`` gets what cannot be read back."""
    b = _Build(fields, tables, problems)
    lacking = [f"{name}.{col}" for name, cols in REQUIRED.items() if name in tables
               for col in cols if col not in b.columns(name)]
    b.problem("columns the read needs", lacking)
    keys = {"Codes": "guid", "Sources": "guid", "Codings": "coding_guid", "Cases": "guid", "Variables": "guid",
            "Notes": "guid", "Sets": "set_guid", "Links": "guid", "Source Texts": "source_guid"}
    empty = [f"{name} row {k}" for name, key in keys.items() for k, r in enumerate(b.rows(name), 2)
             if r.get(key) is None]
    b.problem("rows without their identifier", empty)
    if lacking or empty:
        return b.p
    for step in (b.codes, b.variables, b.sources, b.cases, b.coding_rows, b.links, b.notes, b.sets,
                 b.extra_tables, b.counts):
        step()
    created_by = fields.get("created_by")
    if created_by is not None:
        b.p.creating_user = b.user(created_by)
    return b.p
