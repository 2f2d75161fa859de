"""The neutral model: every REFI-QDA 1.0 element (Project-mrt2019.xsd) as a plain dataclass.

Conventions that every reader and writer relies on:

* References between objects are GUID strings, normalised once by the reader with
  :func:`norm_guid` (braces stripped, lower case).  Lookups go through ``Project``
  indexes; there are no object pointers and no back-links.
* Text positions are Unicode code points, end-exclusive, over the source text as the
  model holds it (the reader strips a BOM and converts from the producer's unit).
  ``None`` means "position unknown" (NVivo's own exports): then ``Selection.text``
  holds the excerpt.
* Dates are kept as the lexical ``xsd:dateTime`` string they were read as.
* ``extras`` keeps what the model does not name: attribute keys in Clark notation
  (``{ns}name`` or plain ``name``) and, under the key ``"<elements>"``, a list of
  serialised unknown child elements.
* Some storage is compact without changing how attributes behave (``nvivo_bridge._compact``):
  long ``text`` of sources, representations, notes and transcripts is kept as UTF-8 when that
  is smaller and decoded on access; the empty ``note_refs``/``extras`` of selections and codings
  are created on first change; selections with equal ``meta`` share one record of it (reading
  ``meta`` gives a dict that is the selection's own from its first change).  Read texts source
  by source (a small cache serves repeats).
* This module does no I/O.  ``Blob`` only *names* where the bytes of a binary source
  file are (an archive member or a file on disk) or carries them in memory.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from ._compact import compact_text as _compact_text
from ._compact import LazyDict, LazyList
from ._compact import lazy_empty as _lazy_empty
from ._compact import meta_get as _meta_get
from ._compact import rare_fields as _rare_fields
from ._compact import shared_meta as _shared_meta

__all__ = [
    "norm_guid", "norm_name", "escape_name", "split_path", "Blob", "User", "Code", "Variable", "VariableValue",
    "Coding", "Selection", "SyncPoint", "Transcript", "Representation", "Source", "Case", "Note",
    "Link", "Set", "Vertex", "Edge", "Graph", "Table", "Project", "SOURCE_KINDS", "SELECTION_KINDS",
    "VARIABLE_TYPES", "MAX_CODE_DEPTH",
]

SOURCE_KINDS = ("text", "pdf", "picture", "audio", "video")
SELECTION_KINDS = ("text", "pdf", "picture", "audio", "video", "transcript")
VARIABLE_TYPES = ("Text", "Boolean", "Integer", "Float", "Date", "DateTime")
#: The deepest code tree (levels, 1 = top) that readers accept and writers nest: a .qde holds
#: ``Project/CodeBook/Codes`` above the codes and a ``Description`` below the deepest one, and
#: libxml2 refuses elements nested deeper than 256.  Writers put codes below it at this level.
MAX_CODE_DEPTH = 250

Guid = str
_RARE_SELECTION_FIELDS = ("page", "first_x", "first_y", "second_x", "second_y", "from_sync", "to_sync",
                          "description", "representation")


def norm_guid(value: str) -> Guid:
    """Return the comparison form of a GUID: surrounding braces and blanks stripped, lower case."""
    return value.strip().strip("{}").lower()


def norm_name(name: str) -> str:
    """The loose comparison form of a name (code, set, source): runs of white space as one space,
    trimmed, case-folded."""
    return " ".join(name.split()).casefold()


def escape_name(name: str) -> str:
    """Escape one code name for use inside a ``/``-joined path (``/`` becomes ``\\/``)."""
    return name.replace("\\", "\\\\").replace("/", "\\/")


def split_path(path: str) -> list[str]:
    """Split a ``/``-joined code path into names, honouring ``\\/`` and ``\\\\`` escapes."""
    parts: list[str] = []
    cur: list[str] = []
    it = iter(path)
    for ch in it:
        if ch == "\\":
            nxt = next(it, "")
            cur.append(nxt if nxt in ("/", "\\") else ch + nxt)
        elif ch == "/":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


@dataclass(slots=True)
class Blob:
    """A binary or text file that belongs to the project (rich text .docx, PDF, picture, media).

    ``name`` is the file name the writer uses inside ``sources/``; the bytes are either in
    ``data`` or in member ``member`` of the zip archive ``archive`` or at file ``file``.
    """

    name: str
    data: Optional[bytes] = None
    archive: Optional[str] = None
    member: Optional[str] = None
    file: Optional[str] = None
    size: Optional[int] = None


@dataclass(slots=True)
class User:
    """A REFI-QDA ``User``."""

    guid: Guid
    name: Optional[str] = None
    id: Optional[str] = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Code:
    """A code.  The tree is expressed by ``parent`` (``None`` at the top); order is ``Project.codes`` order."""

    guid: Guid
    name: str
    is_codable: bool = True
    color: Optional[str] = None  # always "#RRGGBB" (upper case) once read
    description: Optional[str] = None
    parent: Optional[Guid] = None
    note_refs: list[Guid] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Variable:
    """A variable (NVivo attribute); ``type`` is one of ``VARIABLE_TYPES``."""

    guid: Guid
    name: str
    type: str = "Text"
    description: Optional[str] = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class VariableValue:
    """A value of ``variable``; ``type`` names the value element used (``Text``, ``Integer``, …).

    ``value`` is the lexical value as written, ``None`` for a VariableValue with no value element.
    ``origin`` records where a reader found it (``"case"``, ``"source"``, ``"case-as-source"``).
    """

    variable: Guid
    value: Optional[str]
    type: str = "Text"
    origin: Optional[str] = None


@_lazy_empty(note_refs=LazyList, extras=LazyDict)
@dataclass(slots=True, init=False)
class Coding:
    """The application of one code (``code``) to a selection or a whole source."""

    guid: Guid
    code: Guid
    creating_user: Optional[Guid] = None
    created: Optional[str] = None
    note_refs: list[Guid] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    def __init__(self, guid: Guid, code: Guid, creating_user: Optional[Guid] = None, created: Optional[str] = None,
                 note_refs: Optional[list[Guid]] = None, extras: Optional[dict[str, Any]] = None) -> None:
        self.guid, self.code, self.creating_user, self.created = guid, code, creating_user, created
        # Left unset when not given: they read as empty (see nvivo_bridge._compact.lazy_empty).
        if note_refs is not None:
            self.note_refs = note_refs
        if extras is not None:
            self.extras = extras


@_compact_text
@dataclass(slots=True)
class Representation:
    """A ``TextSourceType`` nested in another element (PDF Representation, picture TextDescription);
    also the base of ``Note``, which has the same shape."""

    guid: Guid
    name: Optional[str] = None
    text: Optional[str] = None
    plain_text_path: Optional[str] = None
    rich_text_path: Optional[str] = None
    rich_text: Optional[Blob] = None
    description: Optional[str] = None
    selections: list["Selection"] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)
    note_refs: list[Guid] = field(default_factory=list)
    variable_values: list[VariableValue] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)


@_rare_fields(*_RARE_SELECTION_FIELDS)
@_shared_meta
@_lazy_empty(note_refs=LazyList, extras=LazyDict)
@dataclass(init=False)
class Selection:
    """Any selection: text (``start``/``end`` code points), PDF or picture region, audio/video
    time span (``start``/``end`` in ms), or transcript span (``from_sync``/``to_sync``).

    ``meta`` holds ``creatingUser``, ``creationDateTime``, ``modifyingUser``, ``modifiedDateTime``
    as written.  ``text`` holds the excerpt when positions are unknown (NVivo's own exports).

    Every field reads and writes as a plain attribute; the region, transcript, description and
    representation fields, ``None`` on nearly every text selection, share one slot (see
    :func:`nvivo_bridge._compact.rare_fields`), so a selection is 120 bytes instead of 184.
    """

    # Defaults are the __init__'s (a class-level default would clash with the slot).
    __slots__ = ("guid", "kind", "start", "end", "name", "text", "codings", "note_refs", "meta", "extras",
                 "_more")
    guid: Guid
    kind: str
    start: Optional[int]
    end: Optional[int]
    page: Optional[int]
    first_x: Optional[int]
    first_y: Optional[int]
    second_x: Optional[int]
    second_y: Optional[int]
    from_sync: Optional[Guid]
    to_sync: Optional[Guid]
    name: Optional[str]
    description: Optional[str]
    text: Optional[str]
    codings: list[Coding]
    note_refs: list[Guid]
    representation: Optional[Representation]
    meta: dict[str, str]
    extras: dict[str, Any]

    def __init__(self, guid: Guid, kind: str = "text", start: Optional[int] = None, end: Optional[int] = None,
                 page: Optional[int] = None, first_x: Optional[int] = None, first_y: Optional[int] = None,
                 second_x: Optional[int] = None, second_y: Optional[int] = None, from_sync: Optional[Guid] = None,
                 to_sync: Optional[Guid] = None, name: Optional[str] = None, description: Optional[str] = None,
                 text: Optional[str] = None, codings: Optional[list[Coding]] = None,
                 note_refs: Optional[list[Guid]] = None, representation: Optional[Representation] = None,
                 meta: Optional[dict[str, str]] = None, extras: Optional[dict[str, Any]] = None) -> None:
        self.guid, self.kind, self.start, self.end, self.name, self.text = guid, kind, start, end, name, text
        self._more = None
        if page is not None or first_x is not None or first_y is not None or second_x is not None \
                or second_y is not None or from_sync is not None or to_sync is not None \
                or description is not None or representation is not None:
            self.page, self.first_x, self.first_y, self.second_x, self.second_y = \
                page, first_x, first_y, second_x, second_y
            self.from_sync, self.to_sync, self.description, self.representation = \
                from_sync, to_sync, description, representation
        self.codings = [] if codings is None else codings
        self.meta = {} if meta is None else meta
        # Left unset when not given: they read as empty (see nvivo_bridge._compact.lazy_empty).
        if note_refs is not None:
            self.note_refs = note_refs
        if extras is not None:
            self.extras = extras

    @property
    def creating_user(self) -> Optional[Guid]:
        """The user who made the selection (not necessarily the coder: see ``Coding.creating_user``)."""
        return _meta_get(self, "creatingUser")


# The fields' defaults, for introspection (dataclasses.fields: the JSON dump leaves out default
# values); the class body cannot hold them beside __slots__, and __init__ applies them.
for _f in dataclasses.fields(Selection):
    if _f.name in ("codings", "note_refs"):
        _f.default_factory = list
    elif _f.name in ("meta", "extras"):
        _f.default_factory = dict
    elif _f.name != "guid":
        _f.default = "text" if _f.name == "kind" else None
del _f


@dataclass(slots=True)
class SyncPoint:
    """A transcript synchronisation point: ``time_stamp`` in ms, ``position`` in code points."""

    guid: Guid
    time_stamp: Optional[int] = None
    position: Optional[int] = None
    extras: dict[str, Any] = field(default_factory=dict)


@_compact_text
@dataclass(slots=True)
class Transcript:
    """A transcript of an audio or video source; its selections are ``kind="transcript"``."""

    guid: Guid
    name: Optional[str] = None
    text: Optional[str] = None
    plain_text_path: Optional[str] = None
    rich_text_path: Optional[str] = None
    rich_text: Optional[Blob] = None
    description: Optional[str] = None
    sync_points: list[SyncPoint] = field(default_factory=list)
    selections: list[Selection] = field(default_factory=list)
    note_refs: list[Guid] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)


@_compact_text
@dataclass(slots=True)
class Source:
    """A source of any kind (``SOURCE_KINDS``).

    For text sources ``text`` is the plain text; for PDF sources it is the Representation's text
    (``representation_guid`` names it) and ``selections`` mixes ``pdf`` regions with the ``text``
    selections of the representation.  ``file`` is the PDF/picture/media file, ``rich_text`` the .docx.
    """

    guid: Guid
    name: Optional[str] = None
    kind: str = "text"
    text: Optional[str] = None
    plain_text_path: Optional[str] = None
    rich_text_path: Optional[str] = None
    path: Optional[str] = None
    current_path: Optional[str] = None
    rich_text: Optional[Blob] = None
    file: Optional[Blob] = None
    description: Optional[str] = None
    representation_guid: Optional[Guid] = None
    representation_name: Optional[str] = None
    text_description: Optional[Representation] = None
    selections: list[Selection] = field(default_factory=list)
    transcripts: list[Transcript] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)
    note_refs: list[Guid] = field(default_factory=list)
    variable_values: list[VariableValue] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    def excerpt(self, sel: Selection) -> Optional[str]:
        """Return the exact text of a text selection (``None`` for other kinds or unknown text)."""
        if sel.kind == "text":
            text = self.text  # one read: a compactly stored text is fetched through a cache
            if sel.start is None or sel.end is None or text is None:
                return sel.text
            return text[sel.start:sel.end]
        if sel.kind == "transcript":
            return sel.text
        return None

    def all_selections(self) -> Iterator[Selection]:
        """Yield every selection of the source, transcript selections included."""
        yield from self.selections
        for tr in self.transcripts:
            yield from tr.selections


@dataclass(slots=True)
class Case:
    """A case (NVivo case / informant)."""

    guid: Guid
    name: Optional[str] = None
    description: Optional[str] = None
    code_refs: list[Guid] = field(default_factory=list)
    variable_values: list[VariableValue] = field(default_factory=list)
    source_refs: list[Guid] = field(default_factory=list)
    selection_refs: list[Guid] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Note(Representation):
    """A note (memo or annotation): a ``TextSourceType`` like ``Representation``, with inline ``text``
    or a file, and possibly its own selections and codings."""


@dataclass(slots=True)
class Link:
    """A typed relation between any two objects; ``direction`` is Associative|OneWay|Bidirectional."""

    guid: Guid
    name: Optional[str] = None
    direction: Optional[str] = None
    color: Optional[str] = None
    origin: Optional[Guid] = None
    target: Optional[Guid] = None
    note_refs: list[Guid] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Set:
    """A set / ATLAS.ti group / MAXQDA document set."""

    guid: Guid
    name: str
    description: Optional[str] = None
    member_codes: list[Guid] = field(default_factory=list)
    member_sources: list[Guid] = field(default_factory=list)
    member_notes: list[Guid] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Vertex:
    """A graph vertex."""

    guid: Guid
    represented: Optional[Guid] = None
    name: Optional[str] = None
    first_x: int = 0
    first_y: int = 0
    second_x: Optional[int] = None
    second_y: Optional[int] = None
    color: Optional[str] = None
    shape: Optional[str] = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Edge:
    """A graph edge between two vertices."""

    guid: Guid
    source_vertex: Guid
    target_vertex: Guid
    represented: Optional[Guid] = None
    name: Optional[str] = None
    color: Optional[str] = None
    direction: Optional[str] = None
    line_style: Optional[str] = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Graph:
    """A graph (network view / concept map)."""

    guid: Guid
    name: Optional[str] = None
    vertices: list[Vertex] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Table:
    """A table kept as-is from an export the model has no element for (NVivo matrix, framework matrix)."""

    name: str
    columns: list[str]
    rows: list[list[Any]]
    kind: str = "table"
    source_file: Optional[str] = None


@dataclass(slots=True)
class Project:
    """A whole project or codebook (``kind="codebook"``).

    Collections are dicts keyed by normalised GUID, in document order.  Besides the REFI-QDA
    content it records what the reader detected: ``producer``, ``position_unit`` (the unit the
    *input* used: ``"codepoint"``, ``"utf16"``, ``"codepoint-crlf1"``, or ``"unknown"`` when the
    input has no positions), ``guid_case`` (``"lower"``/``"upper"``) and the problems found
    (``issues``, filled by :func:`nvivo_bridge.read`).
    """

    name: str = ""
    origin: Optional[str] = None
    kind: str = "project"
    creating_user: Optional[Guid] = None
    created: Optional[str] = None
    modifying_user: Optional[Guid] = None
    modified: Optional[str] = None
    base_path: Optional[str] = None
    description: Optional[str] = None
    note_refs: list[Guid] = field(default_factory=list)
    users: dict[Guid, User] = field(default_factory=dict)
    codes: dict[Guid, Code] = field(default_factory=dict)
    variables: dict[Guid, Variable] = field(default_factory=dict)
    cases: dict[Guid, Case] = field(default_factory=dict)
    sources: dict[Guid, Source] = field(default_factory=dict)
    notes: dict[Guid, Note] = field(default_factory=dict)
    links: dict[Guid, Link] = field(default_factory=dict)
    sets: dict[Guid, Set] = field(default_factory=dict)
    graphs: dict[Guid, Graph] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    producer: Optional[str] = None
    position_unit: str = "codepoint"
    guid_case: str = "lower"
    source_file: Optional[str] = None
    issues: list[Any] = field(default_factory=list)

    # -- code tree -------------------------------------------------------------------------
    def children_index(self) -> dict[Optional[Guid], list[Guid]]:
        """Map each parent GUID (``None`` for the roots) to its children's GUIDs, in order."""
        index: dict[Optional[Guid], list[Guid]] = {}
        for code in self.codes.values():
            parent = code.parent if code.parent in self.codes else None
            index.setdefault(parent, []).append(code.guid)
        return index

    def children(self, guid: Optional[Guid]) -> list[Code]:
        """The direct children of code ``guid`` (the top-level codes for ``None``)."""
        key = None if guid is None else norm_guid(guid)
        return [self.codes[g] for g in self.children_index().get(key, [])]

    def parent(self, guid: Guid) -> Optional[Code]:
        """The parent code of ``guid``, or ``None`` for a top-level code."""
        code = self.codes[norm_guid(guid)]
        return self.codes.get(code.parent) if code.parent else None

    def ancestors(self, guid: Guid) -> list[Code]:
        """The ancestors of ``guid`` from its parent up to the root (cycle-safe)."""
        out: list[Code] = []
        seen = {norm_guid(guid)}
        code = self.codes.get(norm_guid(guid))
        while code is not None and code.parent and code.parent in self.codes and code.parent not in seen:
            seen.add(code.parent)
            code = self.codes[code.parent]
            out.append(code)
        return out

    def descendants(self, guid: Guid) -> list[Code]:
        """All codes below ``guid``, depth first, in document order."""
        index = self.children_index()
        out: list[Code] = []
        stack = list(reversed(index.get(norm_guid(guid), [])))
        seen: set[Guid] = set()
        while stack:
            g = stack.pop()
            if g in seen:
                continue
            seen.add(g)
            out.append(self.codes[g])
            stack.extend(reversed(index.get(g, [])))
        return out

    def code_path(self, guid: Guid) -> str:
        """The code's path: names from the root joined by ``/`` (a ``/`` in a name is ``\\/``)."""
        code = self.codes[norm_guid(guid)]
        names = [c.name for c in reversed(self.ancestors(code.guid))] + [code.name]
        return "/".join(escape_name(n) for n in names)

    def code_paths(self) -> dict[Guid, str]:
        """Every code's path, computed in one pass (use this in loops, not ``code_path``)."""
        paths: dict[Guid, str] = {}
        codes = self.codes
        for g in codes:  # iterative: a tree may be thousands of levels deep, or loop back on itself
            chain: list[Guid] = []
            on_chain: set[Guid] = set()
            prefix: Optional[str] = None
            cur = g
            while True:
                if cur in paths:
                    prefix = paths[cur]
                    break
                chain.append(cur)
                on_chain.add(cur)
                parent = codes[cur].parent
                if not parent or parent not in codes or parent in on_chain:
                    break
                cur = parent
            for c in reversed(chain):
                own = escape_name(codes[c].name)
                prefix = own if prefix is None else prefix + "/" + own
                paths[c] = prefix
        return paths

    def code_by_path(self, path: str) -> Optional[Code]:
        """Find a code by its ``/`` path (exact match)."""
        for g, p in self.code_paths().items():
            if p == path:
                return self.codes[g]
        return None

    # -- lookups ---------------------------------------------------------------------------
    def get(self, guid: Guid) -> Any:
        """Find any top-level object (user, code, variable, case, source, note, link, set, graph) by GUID."""
        g = norm_guid(guid)
        for coll in (self.codes, self.sources, self.cases, self.notes, self.variables, self.users,
                     self.sets, self.links, self.graphs):
            if g in coll:
                return coll[g]
        return None

    def iter_selections(self) -> Iterator[tuple[Source, Selection]]:
        """Yield ``(source, selection)`` for every selection of every source, in document order."""
        for src in self.sources.values():
            for sel in src.all_selections():
                yield src, sel

    def iter_codings(self) -> Iterator[tuple[Source, Optional[Selection], Coding]]:
        """Yield ``(source, selection, coding)`` for every coding; ``selection`` is ``None`` for a
        coding of a whole source."""
        for src in self.sources.values():
            for c in src.codings:
                yield src, None, c
            for sel in src.all_selections():
                for c in sel.codings:
                    yield src, sel, c

    def user_name(self, guid: Optional[Guid]) -> Optional[str]:
        """The name of user ``guid`` (the GUID itself when the user is not listed)."""
        if not guid:
            return None
        user = self.users.get(guid)
        return (user.name or user.id or guid) if user else guid

    def counts(self) -> dict[str, int]:
        """Number of elements of each kind (the ``read`` side of a conversion ledger)."""
        n_sel = n_cod = 0
        for src in self.sources.values():
            n_cod += len(src.codings)
            for sel in src.all_selections():
                n_sel += 1
                n_cod += len(sel.codings)
        return {
            "users": len(self.users), "codes": len(self.codes), "variables": len(self.variables),
            "cases": len(self.cases), "sources": len(self.sources), "selections": n_sel,
            "codings": n_cod, "notes": len(self.notes), "links": len(self.links),
            "sets": len(self.sets), "graphs": len(self.graphs),
        }
