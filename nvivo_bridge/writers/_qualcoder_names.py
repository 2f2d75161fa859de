"""Names (and dates) for QualCoder's import (``--target qualcoder``): QualCoder reads a name for every source,
note, user, variable and case unconditionally, and keeps one source, journal, case, attribute and
coder per name.  A missing name is filled (its file name, first line or a short GUID) and a name used
twice is made unique, visibly, with the ledger naming each change (docs/export-profiles.md)."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Iterable, Optional

from ..errors import Diagnostics
from ..model import Project

__all__ = ["fill_names", "unique_names", "short", "dated"]


def unique_names(names: Iterable[tuple[str, str, Optional[str]]]) -> dict[str, str]:
    """Map key → a unique name: ``(key, name, qualifier)`` in order; a name used more than once
    gets ``" [qualifier]"`` on every use, then ``" [2]"``… while it still clashes."""
    items = list(names)
    count: dict[str, int] = {}
    for _, name, _q in items:
        count[name] = count.get(name, 0) + 1
    taken = {name for _, name, _q in items if count[name] == 1}
    out: dict[str, str] = {}
    for key, name, qual in items:
        if count[name] == 1:
            out[key] = name
            continue
        cand = f"{name} [{qual}]" if qual else name
        base, n = cand, 1
        while cand in taken:
            n += 1
            cand = f"{base} [{n}]"
        taken.add(cand)
        out[key] = cand
    return out


def short(guid: str) -> str:
    """The first 8 hex digits of a GUID, for a visible stand-in name."""
    return guid.replace("-", "")[:8]


def _file_name(path: Optional[str]) -> Optional[str]:
    """The last part of a ``plainTextPath``/``path`` (``internal://x.txt`` → ``x.txt``)."""
    if not path:
        return None
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name or None


def dated(meta: dict, date: Optional[str]) -> dict:
    """``meta`` with a ``creationDateTime`` when it has no date: QualCoder reads the date of a note, a
    transcript and a picture selection unconditionally.  The project's date is the closest known,
    else the time of the conversion."""
    if meta.get("creationDateTime") or meta.get("modifiedDateTime"):
        return meta
    return {**meta, "creationDateTime": date or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}


def fill_names(p: Project, diag: Diagnostics) -> None:
    """Fill the names QualCoder's import reads unconditionally; make the unique ones unique."""
    # QualCoder knows a coder by name only: two users must not share one.
    users = {g: u.name or u.id or f"user {short(g)}" for g, u in p.users.items()}
    renamed = unique_names([(g, name, None) for g, name in users.items()])
    for g, new in renamed.items():
        if p.users[g].name and new != p.users[g].name:
            diag.warn("user-renamed", f"user name {p.users[g].name!r} is used twice; QualCoder tells coders apart "
                      f"by name, so it is written as {new!r}", f"user {g}")
    p.users = {g: (u if u.name == renamed[g] else dataclasses.replace(u, name=renamed[g]))
               for g, u in p.users.items()}
    date = p.created or p.modified
    sources = {}
    for g, s in p.sources.items():
        name = s.name or _file_name(s.plain_text_path or s.path or s.current_path) or g
        if name != s.name:
            diag.info("source-named", f"a source without a name is called {name!r} (its file name, else its GUID)",
                      f"source {g}")
        sources[g] = dataclasses.replace(s, name=name, selections=list(s.selections), codings=list(s.codings))
    renamed = unique_names([(g, s.name, None) for g, s in sources.items()])
    for g, s in sources.items():
        if renamed[g] != s.name:
            diag.warn("source-renamed", f"source name {s.name!r} is used twice; QualCoder needs unique names, "
                      f"written as {renamed[g]!r}", f"source {g}")
            s.name = renamed[g]
    p.sources = sources
    notes = {}
    for g, n in p.notes.items():
        name = n.name or _first_line(n.text) or f"Note {short(g)}"
        notes[g] = dataclasses.replace(n, name=name, meta=dated(n.meta, date),
                                       text=n.text if n.text is not None else "")
    renamed = unique_names([(g, n.name, None) for g, n in notes.items()])
    for g, n in notes.items():
        if renamed[g] != n.name:
            diag.info("note-renamed", f"note name {n.name!r} is used twice; written as {renamed[g]!r} "
                      "(QualCoder's journal names are unique)", f"note {g}")
            n.name = renamed[g]
    p.notes = notes
    variables = {g: (v if v.name else dataclasses.replace(v, name=f"Variable {short(g)}"))
                 for g, v in p.variables.items()}
    # QualCoder's attribute types are keyed by name: a second variable of one name would be lost.
    renamed = unique_names([(g, v.name, None) for g, v in variables.items()])
    for g, new in renamed.items():
        if new != variables[g].name:
            diag.warn("variable-renamed", f"variable name {variables[g].name!r} is used twice; written as "
                      f"{new!r}", f"variable {g}")
            variables[g] = dataclasses.replace(variables[g], name=new)
    p.variables = variables
    cases = {}
    for g, c in p.cases.items():
        if not c.name and (c.selection_refs or c.code_refs or len(c.source_refs) != 1):
            c = dataclasses.replace(c, name=f"Case {short(g)}")
        cases[g] = c
    renamed = unique_names([(g, c.name, None) for g, c in cases.items() if c.name])
    for g, new in renamed.items():
        if new != cases[g].name:
            diag.warn("case-renamed", f"case name {cases[g].name!r} is used twice; written as {new!r}", f"case {g}")
            cases[g] = dataclasses.replace(cases[g], name=new)
    p.cases = cases


def _first_line(text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    line = text.strip().split("\n", 1)[0].strip()
    return (line[:60] + "…") if len(line) > 60 else (line or None)


