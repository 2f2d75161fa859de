"""Read a database written by :mod:`nvivo_bridge.writers.sqlite` back into a project, as far as
its tables allow: the code tree, variables, cases with their attributes and sources, sources
with their text and attributes, every coding (text spans, audio/video spans, PDF and picture
regions, codings of whole sources) with its coder and time, notes and sets.

Not in the tables, so not read back (an info issue says so): users' GUIDs (coders come back by
name), what notes are attached to, links, graphs, transcripts and source files.
"""
from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any, Optional

from ..errors import Diagnostics, ReadError
from ..model import Case, Code, Coding, Note, Project, Selection, Set, Source, User, Variable, VariableValue
from ..options import ReadOptions
from ..sheets._entities import CASES_FIXED, SOURCES_FIXED

__all__ = ["read"]

_NS = uuid.UUID("6f1d6c7e-5b8a-4c1e-9d4e-2a7b9c0d1e2f")
_REGION = re.compile(r"^(?:page (\d+) )?(?:region )?\((-?\d+),(-?\d+)\)-\((-?\d+),(-?\d+)\)$")
_KNOWN = ("project", "codes", "sources", "codings", "cases", "variables", "notes", "sets", "case_sources",
          "source_texts")


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "\x1f".join(parts)))


def _rows(con: sqlite3.Connection, table: str) -> tuple[list[str], list[tuple]]:
    cur = con.execute(f'SELECT * FROM "{table}"')
    return [d[0] for d in cur.description], cur.fetchall()


def _lexical(value: Any, vtype: str) -> Optional[str]:
    """A stored attribute value back in its lexical (REFI-QDA) form."""
    if value is None:
        return None
    if vtype == "Boolean" and isinstance(value, int):
        return "true" if value else "false"
    if vtype == "DateTime" and isinstance(value, str) and len(value) == 19:
        return value.replace(" ", "T") + "Z"
    if vtype == "Date" and isinstance(value, str):
        return value[:10]
    return str(value)


def _time(value: Optional[str]) -> Optional[str]:
    return value.replace(" ", "T") + "Z" if isinstance(value, str) and len(value) == 19 else value


def _values(row: dict, fixed: list[str], variables: dict[str, Variable]) -> list[VariableValue]:
    out = []
    for col, value in row.items():
        if col in fixed or value is None:
            continue
        var = variables.get(col) or variables.get(re.sub(r" \((variable|source)\)$", "", col))
        if var is not None:
            out.append(VariableValue(var.guid, _lexical(value, var.type), var.type))
    return out


def _selection(src: Source, row: dict, guid: str) -> Selection:
    start, end, text = row.get("start"), row.get("end"), row.get("text") or ""
    if start is not None and end is not None:
        kind = src.kind if src.kind in ("audio", "video") else "text"
        return Selection(guid, kind=kind, start=int(start), end=int(end))
    m = _REGION.match(text)
    if m:
        page, x1, y1, x2, y2 = m.groups()
        return Selection(guid, kind="pdf" if page else "picture", page=int(page) if page else None,
                         first_x=int(x1), first_y=int(y1), second_x=int(x2), second_y=int(y2))
    return Selection(guid, kind="text")


def read(path: Path, diag: Diagnostics, options: ReadOptions) -> Project:
    """Read the SQLite database ``path`` (see the module doc)."""
    try:
        con = sqlite3.connect(f"file:{Path(path).resolve().as_posix()}?mode=ro", uri=True)
        have = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as exc:
        raise ReadError(f"not a readable SQLite database ({exc})", str(path),
                        hint="give a database written by `nvivo-bridge convert … -o project.sqlite`") from None
    missing = [t for t in _KNOWN if t not in have]
    if missing:
        con.close()
        raise ReadError(f"not an nvivo-bridge database: table(s) {', '.join(missing)} missing", str(path),
                        hint="only databases written by nvivo-bridge can be read back")
    try:
        return _build(con, diag)
    except (sqlite3.Error, KeyError, ValueError, TypeError) as exc:
        raise ReadError(f"cannot read the database ({type(exc).__name__}: {exc})", str(path),
                        hint="the database may have been edited; write it again from the project") from None
    finally:
        con.close()


def _build(con: sqlite3.Connection, diag: Diagnostics) -> Project:
    facts = dict(con.execute("SELECT field, value FROM project").fetchall())
    p = Project(name=facts.get("name") or "", origin=facts.get("origin"), description=facts.get("description"),
                created=_time(facts.get("created")), modified=_time(facts.get("modified")))
    cols, rows = _rows(con, "variables")
    for r in (dict(zip(cols, x)) for x in rows):
        p.variables[r["guid"]] = Variable(r["guid"], r["name"], r["type"] or "Text", r["description"])
    by_name = {v.name: v for v in p.variables.values()}
    cols, rows = _rows(con, "codes")
    codes = [dict(zip(cols, x)) for x in rows]
    at_path = {c["path"]: c["guid"] for c in codes}
    for c in codes:
        p.codes[c["guid"]] = Code(c["guid"], c["name"], bool(c["codable"]), c["color"], c["description"],
                                  at_path.get(c["parent_path"]) if c["parent_path"] else None)
    texts = dict(con.execute("SELECT source_guid, text FROM source_texts").fetchall())
    cols, rows = _rows(con, "sources")
    for r in (dict(zip(cols, x)) for x in rows):
        p.sources[r["guid"]] = Source(r["guid"], r["name"], r["kind"] or "text", texts.get(r["guid"]),
                                      description=r["description"], path=r["file"],
                                      variable_values=_values(r, SOURCES_FIXED, by_name))
    links = con.execute("SELECT case_guid, source_guid FROM case_sources").fetchall()
    cols, rows = _rows(con, "cases")
    for r in (dict(zip(cols, x)) for x in rows):
        p.cases[r["guid"]] = Case(r["guid"], r["name"], r["description"],
                                  variable_values=_values(r, CASES_FIXED, by_name))
    for case, src in links:
        if case in p.cases:
            p.cases[case].source_refs.append(src)
    users: dict[str, str] = {}
    cur = con.execute("SELECT rowid AS nvivo_bridge_rowid, * FROM codings ORDER BY rowid")
    cols = [d[0] for d in cur.description]
    selections: dict[str, Selection] = {}
    for x in cur:
        r = dict(zip(cols, x))
        src = p.sources.get(r["source_guid"])
        if src is None or r["code_guid"] not in p.codes:
            continue
        who = r.get("coder")
        if who is not None and who not in users:
            users[who] = _guid("user", who)
            p.users[users[who]] = User(users[who], who)
        coding = Coding(r["coding_guid"] or _guid("coding", str(r["nvivo_bridge_rowid"])), r["code_guid"], users.get(who),
                        _time(r.get("coded_at")))
        sel_guid = r["selection_guid"]
        if sel_guid is None:
            src.codings.append(coding)
            continue
        sel = selections.get(sel_guid)
        if sel is None:
            sel = selections[sel_guid] = _selection(src, r, sel_guid)
            src.selections.append(sel)
        sel.codings.append(coding)
    cols, rows = _rows(con, "notes")
    for r in (dict(zip(cols, x)) for x in rows):
        p.notes[r["guid"]] = Note(r["guid"], r["name"], text=r["text"])
    cols, rows = _rows(con, "sets")
    for r in (dict(zip(cols, x)) for x in rows):
        g = r.get("set_guid") or _guid("set", r["set"])   # tables from before set_guid: made up
        st = p.sets.setdefault(g, Set(g, r["set"], r["description"]))
        kind, member = r["member_kind"], r["member_guid"]
        if member is not None and kind in ("code", "source", "note"):
            getattr(st, f"member_{kind}s").append(member)
    diag.info("sqlite-partial", "read back from the tables: note attachments, links, graphs, transcripts, "
                                "source files and user GUIDs are not stored there")
    p.producer = "nvivo-bridge (SQLite)"
    return p

