"""Hypothesis strategies for whole projects (used by the JSON, QDPX and validate tests).

The projects are valid by construction (every reference resolves, every position lies inside its
text, text is XML-safe), so a writer → reader round trip must give back an equal model.
"""
from __future__ import annotations

from hypothesis import strategies as st

from nvivo_bridge.model import (Case, Code, Coding, Note, Project, Selection, Set, Source, User, Variable,
                                VariableValue)

# XML 1.0 cannot hold control characters, surrogates or U+FFFE/U+FFFF; a leading U+FEFF would be
# taken for a BOM.  Line breaks come only as "\n" or "\r\n" (a lone "\r" is not a line break any
# program agrees on).
_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co"), blacklist_characters="\ufeff")
TEXT = st.lists(st.one_of(_CHARS, _CHARS, _CHARS, st.sampled_from(["\n", "\r\n", " ", "😀", "é"])),
                min_size=1, max_size=60).map("".join)
NAME = st.text(_CHARS, min_size=1, max_size=12)
DATE = st.sampled_from([None, "2024-03-01T10:00:00Z", "2023-12-31T23:59:59Z"])
COLOR = st.sampled_from([None, "#1F77B4", "#000000", "#FFAA00"])
VALUES = {
    "Text": NAME,
    "Integer": st.integers(-10**6, 10**6).map(str),
    "Boolean": st.sampled_from(["true", "false"]),
    "Float": st.decimals(-1000, 1000, places=2, allow_nan=False, allow_infinity=False).map(str),
    "Date": st.sampled_from(["2024-01-31", "1999-12-01"]),
    "DateTime": st.sampled_from(["2024-01-31T08:00:00Z"]),
}


def guid(prefix: int, n: int) -> str:
    """A deterministic GUID; ``prefix`` keeps each element kind apart."""
    return f"{prefix:08x}-0000-4000-8000-{n:012x}"


def _unsplit(text: str, p: int) -> int:
    """Move a position that would split a CRLF pair past the pair (no program makes such a selection)."""
    return p + 1 if 0 < p < len(text) and text[p - 1] == "\r" and text[p] == "\n" else p


@st.composite
def projects(draw) -> Project:
    """A random, consistent project: users, a code tree, text sources with coded selections,
    variables with cases, notes and sets."""
    p = Project(name=draw(NAME), origin=draw(st.sampled_from([None, "hypothesis"])), created=draw(DATE))
    n_users = draw(st.integers(0, 3))
    p.users = {guid(1, i): User(guid(1, i), draw(st.one_of(st.none(), NAME))) for i in range(n_users)}
    users = list(p.users) or [None]
    n_codes = draw(st.integers(0, 8))
    for i in range(n_codes):
        parent = draw(st.one_of(st.none(), st.sampled_from(list(p.codes)))) if p.codes else None
        p.codes[guid(2, i)] = Code(guid(2, i), draw(NAME), is_codable=draw(st.booleans()), color=draw(COLOR),
                                   description=draw(st.one_of(st.none(), NAME)), parent=parent)
    codable = [c.guid for c in p.codes.values() if c.is_codable]
    n_sel = 0
    for i in range(draw(st.integers(0, 4))):
        text = draw(TEXT)
        src = Source(guid(3, i), draw(NAME), kind="text", text=text,
                     meta={"creatingUser": u} if (u := draw(st.sampled_from(users))) else {})
        for _ in range(draw(st.integers(0, 4))):
            start = _unsplit(text, draw(st.integers(0, len(text))))
            end = _unsplit(text, draw(st.integers(start, len(text))))
            codings = [Coding(guid(5, n_sel * 10 + k), draw(st.sampled_from(codable)),
                              draw(st.sampled_from(users)), draw(DATE))
                       for k in range(draw(st.integers(0, 2)) if codable else 0)]
            src.selections.append(Selection(guid(4, n_sel), "text", start, end, codings=codings))
            n_sel += 1
        p.sources[src.guid] = src
    for i, vtype in enumerate(draw(st.lists(st.sampled_from(sorted(VALUES)), max_size=3))):
        p.variables[guid(6, i)] = Variable(guid(6, i), draw(NAME), vtype)
    for i in range(draw(st.integers(0, 2))):
        values = [VariableValue(v.guid, draw(VALUES[v.type]), v.type) for v in p.variables.values()]
        refs = draw(st.lists(st.sampled_from(list(p.sources)), unique=True)) if p.sources else []
        p.cases[guid(7, i)] = Case(guid(7, i), draw(NAME), variable_values=values, source_refs=refs)
    for i in range(draw(st.integers(0, 2))):
        p.notes[guid(8, i)] = Note(guid(8, i), draw(NAME), text=draw(TEXT))
    if p.codes and draw(st.booleans()):
        members = draw(st.lists(st.sampled_from(list(p.codes)), min_size=1, unique=True))
        p.sets[guid(9, 0)] = Set(guid(9, 0), draw(NAME), member_codes=members)
    return p
