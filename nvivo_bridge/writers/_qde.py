"""Serialise a Project as REFI-QDA ``project.qde`` XML, streaming with ``lxml.etree.xmlfile``.

Only the containers (``Project``, ``Sources``, each source…) are open elements; every selection,
coding or code is built as a small element and written at once, so memory stays flat however many
codings there are.  Children follow the XSD sequences exactly; empty containers and empty
attributes are never written.

Small elements are built without a namespace and written inside the root, whose default
namespace is the REFI one: the serialised text is then in that namespace when parsed, without a
namespace declaration repeated on every element.
"""
from __future__ import annotations

import re
import uuid
from typing import IO, Any, Callable, Iterable, Iterator, Optional

from lxml import etree

from .. import __version__
from ..errors import Diagnostics
from ..model import Blob, Coding, Project, Representation, Selection, Source, VariableValue
from ._profiles import Profile, TextLayout
from ._values import GuidFormatter, datetime_value, typed_value

__all__ = ["NS", "Sink", "QdeWriter"]


class _Raw:
    """Stands for "no layout": the positions are written as the model has them."""

    text = ""
    identity = False


_RAW = _Raw()

NS = "urn:QDA-XML:project:1.0"
_META_USER = ("creatingUser", "modifyingUser")
_META_DATE = ("creationDateTime", "modifiedDateTime")
_SEL_TAG = {"picture": "PictureSelection", "audio": "AudioSelection", "video": "VideoSelection"}
_SRC_TAG = {"text": "TextSource", "pdf": "PDFSource", "picture": "PictureSource", "audio": "AudioSource",
            "video": "VideoSource"}
E = etree.Element
SE = etree.SubElement


class Sink:
    """Where text and binary files go.  The bare ``.qde`` writer keeps all text inline and has no
    files; the ``.qdpx`` writer overrides both methods to add members under ``sources/``."""

    def text_path(self, guid: str, text: str) -> Optional[str]:
        """Store ``text`` (already in the profile's layout) and return its ``plainTextPath``,
        or ``None`` to write it inline as ``PlainTextContent``."""
        return None

    def blob_path(self, guid: str, blob: Blob, suffix: str) -> Optional[str]:
        """Store ``blob`` and return the path to write for it, or ``None`` when it cannot be stored."""
        return None


_ATTR_KEY = re.compile(r"^(\{[^{}\s]+\})?[A-Za-z_][\w.\-]*$")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value: str) -> str:
    """``value`` with characters XML 1.0 cannot hold replaced by U+FFFD (one code point each, so
    positions over the text do not move)."""
    return _NOT_XML.sub("\ufffd", value) if _NOT_XML.search(value) else value


def _attrs(**kw: Any) -> dict[str, str]:
    """Attributes with the ``None`` / empty ones left out (the schema has no use for ``name=""``)."""
    return {k: xml_safe(v) if isinstance(v, str) else str(v) for k, v in kw.items() if v is not None and v != ""}


class QdeWriter:
    """Writes one project; ``counts`` records what was written per element kind."""

    def __init__(self, project: Project, profile: Profile, diag: Diagnostics, sink: Sink,
                 progress: Optional[Callable[[int, int], None]] = None):
        self.p, self.profile, self.diag, self.sink, self.progress = project, profile, diag, sink, progress
        case = project.guid_case if profile.guid_case == "project" else profile.guid_case
        self.g = GuidFormatter(case, diag)
        self._gmemo = self.g._memo
        self._dt: dict[str, Optional[str]] = {}
        self.counts = {k: 0 for k in project.counts()}

    # -- small pieces -------------------------------------------------------------------------
    def gg(self, guid: Optional[str]) -> Optional[str]:
        """The written GUID (fast path through the formatter's memo: this runs per coding)."""
        return self._gmemo.get(guid) or self.g(guid)  # type: ignore[arg-type]

    def dt(self, value: Optional[str], where: str) -> Optional[str]:
        """A checked ``xsd:dateTime`` (memoised: a few distinct dates repeat over many codings)."""
        if not value:
            return None
        try:
            return self._dt[value]
        except KeyError:
            out = self._dt[value] = datetime_value(value, self.diag, where)
            return out

    def meta(self, meta: dict[str, str], where: str) -> dict[str, str]:
        """The creator/modifier attributes of ``meta``, checked."""
        out = {}
        if not meta:
            return out
        for k in _META_USER:
            if meta.get(k):
                out[k] = self.gg(meta[k])
        for k in _META_DATE:
            v = self.dt(meta.get(k), where)
            if v:
                out[k] = v
        return out

    def extras(self, el_attrs: dict[str, str], extras: dict[str, Any]) -> list[etree._Element]:
        """Merge extra attributes into ``el_attrs``; return the extra child elements (standard profile only)."""
        if not extras or not self.profile.keep_extras:
            return []
        for k, v in extras.items():
            # Only XML attribute names: ``{ns}local`` or a plain name.  Keys such as
            # ``nvivo:folder`` are annotations other readers keep in the model, not attributes.
            if isinstance(v, str) and k not in el_attrs and _ATTR_KEY.match(k):
                el_attrs[k] = xml_safe(v)
        out = []
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        for raw in extras.get("<elements>", []) or []:
            try:
                out.append(etree.fromstring(raw.encode("utf-8") if isinstance(raw, str) else raw, parser))
            except (etree.XMLSyntaxError, ValueError):
                self.diag.warn("extra-element-dropped", "a kept unknown element is not well-formed XML")
        return out

    def refs(self, parent: etree._Element, tag: str, guids: Iterable[str]) -> None:
        """Append ``<tag targetGUID=…/>`` for each GUID."""
        for g in guids:
            SE(parent, tag, targetGUID=self.g(g))

    def desc(self, parent: Optional[etree._Element], text: Optional[str]) -> Optional[etree._Element]:
        """A ``Description`` element (or nothing for an empty description)."""
        if not text:
            return None
        el = E("Description") if parent is None else SE(parent, "Description")
        el.text = xml_safe(text)
        return el

    def coding(self, c: Coding, where: str) -> etree._Element:
        """One ``Coding`` element."""
        attrs = {"guid": self.gg(c.guid)}
        if c.creating_user:
            attrs["creatingUser"] = self.gg(c.creating_user)
        if c.created and (d := self.dt(c.created, where)):
            attrs["creationDateTime"] = d
        kids = self.extras(attrs, c.extras) if c.extras else None
        el = E("Coding", attrs)
        SE(el, "CodeRef", targetGUID=self.gg(c.code))
        if c.note_refs:
            self.refs(el, "NoteRef", c.note_refs)
        if kids:
            el.extend(kids)
        self.counts["codings"] += 1
        return el

    def value(self, vv: VariableValue, where: str) -> etree._Element:
        """One ``VariableValue`` element (the value element is left out when the value is unknown)."""
        el = E("VariableValue")
        SE(el, "VariableRef", targetGUID=self.g(vv.variable))
        if vv.value is not None:
            tag, text = typed_value(vv.type, vv.value, self.diag, where)
            SE(el, tag).text = xml_safe(text)
        return el

    # -- selections ---------------------------------------------------------------------------
    def selection(self, sel: Selection, layout: Optional[TextLayout], where: str) -> Optional[etree._Element]:
        """One selection element of any kind, or ``None`` (with a warning) when it cannot be written."""
        loc = where  # the selection's GUID is added only when there is something to report
        attrs = {"guid": self.gg(sel.guid)}
        if sel.name or (sel.name == "" and self.profile.name == "qualcoder"):  # QualCoder needs the attribute
            attrs["name"] = xml_safe(sel.name)
        kind = sel.kind
        if kind == "text":
            if sel.start is None or sel.end is None:
                self.diag.warn("selection-skipped", "text selection without positions not written",
                               f"{loc} selection {sel.guid}")
                return None
            if layout is None:  # the text is missing: the positions are written as read (text_children warns)
                attrs.update(startPosition=str(sel.start), endPosition=str(sel.end))
                layout = _RAW
            n = len(layout.text) if layout.identity else None
            start, end = sel.start, sel.end
            if n is not None and (end > n or start < 0 or start > end):
                self.diag.warn("position-out-of-range", f"selection {start}..{end} outside a text of {n} "
                               "characters; clamped", f"{loc} selection {sel.guid}")
                start, end = max(0, min(start, n)), max(0, min(end, n))
                start = min(start, end)
            tag = "PlainTextSelection"
            if layout is not _RAW:
                attrs.update(startPosition=str(layout.pos(start)), endPosition=str(layout.pos(end)))
        elif kind in ("pdf", "picture"):
            pts = (sel.first_x, sel.first_y, sel.second_x, sel.second_y) + ((sel.page,) if kind == "pdf" else ())
            if any(v is None for v in pts):
                self.diag.warn("selection-skipped", f"{kind} selection without its page/corners not written",
                               f"{loc} selection {sel.guid}")
                return None
            tag = "PDFSelection" if kind == "pdf" else "PictureSelection"
            if kind == "pdf":
                attrs["page"] = str(sel.page)
            attrs.update(firstX=str(sel.first_x), firstY=str(sel.first_y), secondX=str(sel.second_x),
                         secondY=str(sel.second_y))
        elif kind in ("audio", "video"):
            if sel.start is None or sel.end is None:
                self.diag.warn("selection-skipped", f"{kind} selection without begin/end not written",
                               f"{loc} selection {sel.guid}")
                return None
            tag = _SEL_TAG[kind]
            attrs.update(begin=str(sel.start), end=str(sel.end))
        elif kind == "transcript":
            tag = "TranscriptSelection"
            attrs.update(_attrs(fromSyncPoint=self.g(sel.from_sync), toSyncPoint=self.g(sel.to_sync)))
        else:
            self.diag.warn("selection-skipped", f"unknown selection kind {kind!r}", f"{loc} selection {sel.guid}")
            return None
        if sel.meta:
            attrs.update(self.meta(sel.meta, loc))
        kids = self.extras(attrs, sel.extras) if sel.extras else None
        el = E(tag, attrs)
        if sel.description:
            self.desc(el, sel.description)
        if kind == "pdf" and sel.representation is not None:
            el.append(self.representation("Representation", sel.representation, loc))
        for c in sel.codings:
            el.append(self.coding(c, loc))
        if sel.note_refs:
            self.refs(el, "NoteRef", sel.note_refs)
        if kids:
            el.extend(kids)
        self.counts["selections"] += 1
        return el

    # -- text-bearing elements (TextSourceType) ----------------------------------------------
    def text_children(self, text_guid: str, text: Optional[str], selections: list[Selection],
                      codings: list[Coding], note_refs: list[str], values: list[VariableValue], where: str,
                      attrs: dict[str, str], as_file: bool, keep_path: Optional[str] = None,
                      description: Optional[str] = None, rich: Optional[Blob] = None) -> Iterator[etree._Element]:
        """Children of a ``TextSourceType`` in schema order; fills ``plainTextPath``/``richTextPath``
        in ``attrs`` (which the caller has not written yet)."""
        if text is None and as_file and any(s.kind == "text" for s in selections):
            text = self.missing_text(keep_path, selections, where)
        layout = TextLayout(text, self.profile) if text is not None else None
        inline = None
        if layout is not None:
            path = self.sink.text_path(text_guid, layout.text) if as_file else None
            if path:
                attrs["plainTextPath"] = path
            else:
                inline = layout.text
        elif keep_path and (as_file or not keep_path.lower().startswith("internal:")):
            # A missing file keeps the path it had (even an internal one): it names what to put back.
            attrs["plainTextPath"] = keep_path
        if rich is not None and self.profile.rich_text:
            if rich.name.lower().endswith(".txt"):
                self.diag.info("rich-text-skipped", "a .txt is never written as richTextPath (ATLAS.ti rejects it)",
                               where)
            else:
                path = self.sink.blob_path(text_guid, rich, ".docx")
                if path:
                    attrs["richTextPath"] = path
        d = self.desc(None, description)
        if d is not None:
            yield d
        if inline is not None:
            el = E("PlainTextContent")
            el.text = xml_safe(inline)
            yield el
        for sel in selections:
            if sel.kind == "text":
                el = self.selection(sel, layout, where)
                if el is not None:
                    yield el
        for c in codings:
            yield self.coding(c, where)
        for g in note_refs:
            yield E("NoteRef", targetGUID=self.g(g))
        for vv in values:
            yield self.value(vv, where)

    def missing_text(self, path: Optional[str], selections: list[Selection], where: str) -> Optional[str]:
        """A text source whose text was not found: every selection is still written with the
        positions it had; for QualCoder (which cannot open a source without its text file) a
        stand-in text is returned: blanks, with each excerpt the model knows at its place."""
        unit = self.p.position_unit
        n = sum(1 for s in selections if s.kind == "text")
        msg = (f"the text file {path or '(no path)'} was missing when the project was read; its {n} selection(s) "
               f"keep their positions as read ({unit})")
        if unit not in ("unknown", self.profile.unit) and self.profile.name != "qualcoder":
            msg += f", not converted to this target's unit ({self.profile.unit})"
        if self.profile.name != "qualcoder":
            self.diag.warn("source-text-missing", msg + "; the source keeps its path", where)
            return None
        ends = [s.end for s in selections if s.kind == "text" and s.end is not None]
        chars = [" "] * max(ends, default=0)
        for s in selections:
            if s.kind == "text" and s.text and s.start is not None and s.end is not None \
                    and s.end - s.start == len(s.text) and s.start >= 0:
                chars[s.start:s.end] = list(s.text)
        self.diag.warn("source-text-missing", msg + "; QualCoder needs a text file, so a stand-in of blanks (with "
                       "the excerpts the input named) is written in its place", where)
        return "".join(chars)

    def representation(self, tag: str, rep: Representation, where: str, as_file: bool = False) -> etree._Element:
        """A nested ``TextSourceType`` (PDF selection Representation, picture TextDescription, Note),
        its text inline unless ``as_file``."""
        attrs = _attrs(guid=self.g(rep.guid), name=rep.name)
        attrs.update(self.meta(rep.meta, where))
        kids = list(self.text_children(rep.guid, rep.text, rep.selections, rep.codings, rep.note_refs,
                                       rep.variable_values, where, attrs, as_file=as_file,
                                       keep_path=rep.plain_text_path, description=rep.description,
                                       rich=rep.rich_text))
        kids += self.extras(attrs, rep.extras)
        el = E(tag, attrs)
        el.extend(kids)
        return el

    # -- top level ----------------------------------------------------------------------------
    def write(self, stream: IO[bytes]) -> dict[str, int]:
        """Write the whole ``project.qde`` to ``stream``; return the counts."""
        p = self.p
        root = _attrs(name=p.name or "project", origin=f"nvivo-bridge {__version__} (target={self.profile.name})",
                      creatingUserGUID=self.g(p.creating_user),
                      creationDateTime=datetime_value(p.created, self.diag, "Project"),
                      modifyingUserGUID=self.g(p.modifying_user),
                      modifiedDateTime=datetime_value(p.modified, self.diag, "Project"), basePath=p.base_path)
        root_kids = self.extras(root, p.extras)
        with etree.xmlfile(stream, encoding="utf-8") as xf:
            xf.write_declaration()
            with xf.element(f"{{{NS}}}Project", root, nsmap={None: NS}):
                from ._qde_parts import write_body
                write_body(self, xf)
                for el in root_kids:
                    xf.write(el)
        return self.counts

    def rep_guid(self, src: Source) -> str:
        """The PDF Representation's GUID (a stable one derived from the source when the model has none)."""
        return src.representation_guid or str(uuid.uuid5(uuid.UUID(int=0), "representation:" + src.guid))
