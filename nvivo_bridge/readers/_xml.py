"""Shared state and helpers of the REFI-QDA XML parse: namespace, GUIDs, numbers, colours, extras.

One :class:`Ctx` lives for one file.  It normalises GUIDs through a cache (each distinct GUID
string is normalised and stored once, so 200,000 codings that cite 300 codes share 300 strings),
interns other repeated strings (dates), counts the GUID letter case for ``Project.guid_case``,
and keeps the per-kind GUID registry that finds duplicates.
"""
from __future__ import annotations

import re
import uuid
from typing import Any, Optional

from lxml import etree

from .._compact import meta_record
from ..errors import Diagnostics
from ..model import norm_guid

__all__ = ["Ctx", "META"]

META = ("creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime")
#: Every element name of Project-mrt2019.xsd and Codebook-mrt2019.xsd (for the tag → name table).
NAMES = ("Project", "Users", "User", "CodeBook", "Codes", "Code", "Variables", "Variable", "Cases", "Case",
         "Sources", "TextSource", "PDFSource", "PictureSource", "AudioSource", "VideoSource", "Notes", "Note",
         "Links", "Link", "Sets", "Set", "Graphs", "Graph", "Vertex", "Edge", "Description", "NoteRef",
         "CodeRef", "SourceRef", "SelectionRef", "VariableRef", "MemberCode", "MemberSource", "MemberNote",
         "PlainTextContent", "PlainTextSelection", "Coding", "VariableValue", "TextValue", "BooleanValue",
         "IntegerValue", "FloatValue", "DateValue", "DateTimeValue", "Representation", "PDFSelection",
         "PictureSelection", "TextDescription", "AudioSelection", "VideoSelection", "Transcript", "SyncPoint",
         "TranscriptSelection")
_META_KEYS = ("creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime")
_RGB = re.compile(r"^\s*rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+%?)\s*)?\)\s*$", re.I)
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


class Ctx:
    """Parse state for one REFI-QDA XML file (``ns`` is the namespace read from the root)."""

    def __init__(self, diag: Diagnostics, member: str, ns: str = "", max_depth: int = 256):
        self.diag = diag
        self.max_depth = max_depth
        self.member = member
        self.set_ns(ns)
        self._guids: dict[str, str] = {}
        self._strings: dict[str, str] = {}
        self.metas: dict[tuple, Any] = {}
        self.upper = 0
        self.lower = 0
        self._kinds: dict[str, str] = {}

    # -- names ---------------------------------------------------------------------------------
    def set_ns(self, ns: str) -> None:
        """Use namespace ``ns``: ``T`` maps each known element's Clark tag to its local name."""
        self.ns = ns
        self.nsb = "{%s}" % ns if ns else ""
        self.T = {self.nsb + n: n for n in NAMES}

    def local(self, el: Any) -> Optional[str]:
        """The local name of ``el`` if it is a REFI-QDA element of the file's namespace, else ``None``."""
        return self.T.get(el.tag)

    def name_of(self, el: Any) -> str:
        """A readable element name for messages (local name, or the Clark tag when foreign)."""
        return self.T.get(el.tag) or str(el.tag)

    def where(self, el: Any) -> str:
        """A location string: member name and line."""
        line = getattr(el, "sourceline", None)
        return f"{self.member} line {line}" if line else self.member

    # -- values --------------------------------------------------------------------------------
    def g(self, raw: Optional[str]) -> Optional[str]:
        """Normalise a GUID (cached; also counts its letter case)."""
        got = self._guids.get(raw)
        if got is None:
            if raw is None:
                return None
            got = norm_guid(raw)
            if any(c.isalpha() for c in got):
                if raw.strip().strip("{}").isupper():
                    self.upper += 1
                elif raw.strip().strip("{}").islower():
                    self.lower += 1
            self._guids[raw] = got
        return got

    def uid(self, raw: Optional[str]) -> str:
        """Normalise the GUID of a selection or coding: such GUIDs are unique, so they are not cached."""
        if not raw:
            return ""
        n = raw.lower()
        if n == raw:
            self.lower += 1
        else:
            self.upper += 1
        return n if len(n) == 36 else norm_guid(n)

    def s(self, value: Optional[str]) -> Optional[str]:
        """Intern a repeated string (dates, user names)."""
        if value is None:
            return None
        return self._strings.setdefault(value, value)

    def meta_of(self, raw: tuple) -> Any:
        """The ``meta`` a selection gets from its raw ``(creatingUser, creationDateTime,
        modifyingUser, modifiedDateTime)`` attributes: the shared record of :meth:`meta`'s dict
        (``None`` when there are none: each selection then makes its own empty dict), cached in
        :attr:`metas` for the selections that follow."""
        out = self._meta(raw)
        if len(self.metas) >= 4096:  # a coding session's worth; all distinct, they would pile up
            self.metas.clear()
        got = self.metas[raw] = meta_record(out) if out else None
        return got

    def meta(self, el: Any) -> dict[str, str]:
        """The creator/modifier attributes present on ``el`` (user GUIDs normalised)."""
        get = el.get
        return self._meta(tuple(get(k) for k in _META_KEYS))

    def _meta(self, raw: tuple) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, v in zip(_META_KEYS, raw):
            if v is not None:
                out[key] = (self._guids.get(v) or self.g(v)) if key.endswith("User") \
                    else self._strings.setdefault(v, v)
        return out

    def extras(self, el: Any, known: frozenset) -> dict[str, Any]:
        """Attributes of ``el`` not in ``known`` (Clark keys), as a new dict."""
        if known.issuperset(el.keys()):
            return {}
        return {k: v for k, v in el.attrib.items() if k not in known}

    def unknown_child(self, extras: dict[str, Any], child: Any) -> None:
        """Keep an unknown child element, serialised, under ``extras["<elements>"]``."""
        if not isinstance(child.tag, str):
            return
        extras.setdefault("<elements>", []).append(
            etree.tostring(child, encoding="unicode", with_tail=False))

    def desc(self, el: Any) -> Optional[str]:
        """The text of a ``Description`` element; empty means none (NVivo writes ``<Description />``)."""
        return el.text or None

    def num(self, el: Any, attr: str, required: bool = False) -> Optional[int]:
        """An integer attribute; a decimal is rounded with a warning, garbage or absence gives ``None``."""
        v = el.get(attr)
        if v is None:
            if required:
                self.diag.warn("missing-attribute", f"<{self.name_of(el)}> has no {attr}", self.where(el))
            return None
        try:
            return int(v)
        except ValueError:
            pass
        try:
            f = float(v)
            if f != f or f in (float("inf"), float("-inf")):
                raise ValueError(v)
            self.diag.warn("bad-number", f"{attr}={v!r} is not an integer; rounded", self.where(el))
            return round(f)
        except ValueError:
            self.diag.warn("bad-number", f"{attr}={v!r} is not a number; ignored", self.where(el))
            return None

    def color(self, value: Optional[str], el: Any) -> Optional[str]:
        """Normalise a colour to ``#RRGGBB`` (refi-qda.md Q6): ``#RGB``, ``rgb(r,g,b[,a])``, alpha dropped."""
        if value is None or not value.strip():
            return None
        m = _HEX.match(value.strip())
        if m:
            h = m.group(1)
            if len(h) == 3:
                h = "".join(c * 2 for c in h)
            elif len(h) == 8:
                self.diag.warn("color-alpha-dropped", f"colour {value!r}: alpha dropped", self.where(el))
                h = h[:6]
            return "#" + h.upper()
        m = _RGB.match(value)
        if m:
            r, g, b = (min(255, int(x)) for x in m.group(1, 2, 3))
            extra = "; alpha dropped" if m.group(4) is not None else ""
            self.diag.warn("color-rgb", f"colour {value!r} is not #RRGGBB; converted{extra}", self.where(el))
            return f"#{r:02X}{g:02X}{b:02X}"
        self.diag.warn("bad-color", f"colour {value!r} not understood; ignored", self.where(el))
        return None

    # -- identity ------------------------------------------------------------------------------
    def register(self, guid: Optional[str], kind: str, el: Any) -> bool:
        """Note that ``guid`` names an object of ``kind``.  A repeat within the kind is a warning
        (returns ``False``); a repeat across kinds is only info (ATLAS.ti reuses GUIDs, Q9)."""
        if not guid:
            self.diag.warn("missing-guid", f"<{self.name_of(el)}> without a guid", self.where(el))
            return True
        prev = self._kinds.get(guid)
        if prev is None:
            self._kinds[guid] = kind
            return True
        if prev == kind:
            self.diag.warn("duplicate-guid", f"two {kind} elements share GUID {guid}", self.where(el))
            return False
        self.diag.info("guid-reused-across-kinds", f"GUID {guid} names a {prev} and a {kind}", self.where(el))
        return True

    def fresh_guid(self, old: str, kind: str, el: Any) -> str:
        """A new GUID for a duplicate top-level object, so that both are kept (or for one without a
        GUID, so that two of them do not collide and writers have one to write)."""
        new = str(uuid.uuid4())
        if not old:  # ``register`` already warned that the GUID is missing
            self.diag.info("guid-assigned", f"the {kind} without a GUID is kept under {new}", self.where(el))
            self._kinds[new] = kind
            return new
        self.diag.warn("duplicate-guid-renamed", f"the second {kind} with GUID {old} is kept under {new}",
                       self.where(el))
        self._kinds[new] = kind
        return new

    @property
    def guid_case(self) -> str:
        """``"upper"`` when most GUIDs with letters were upper case, else ``"lower"``."""
        return "upper" if self.upper > self.lower else "lower"
