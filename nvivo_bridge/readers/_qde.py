"""Stream a ``project.qde`` into a :class:`Project` with ``lxml.etree.iterparse``.

The document is walked with start/end events.  "Frames" are the elements whose children can be
many (``Sources`` and each source, ``Notes``, ``Cases``, ``Links``…): they become model objects
at their start tag.  Every other child of a frame is built from its (small) subtree at its end
tag by :mod:`._build`, attached to the frame's object, and removed from the tree, so memory holds
one selection at a time however large the file is.  Text positions are left in the file's unit;
:attr:`QdeParser.groups` lists every object holding a text (``None`` for a missing text) with the
selections and sync points counted over it, for :mod:`._positions` to convert once the unit is
known.  It holds the objects, not their texts: a text is stored compactly in the model and only
decoded while it is used.
"""
from __future__ import annotations

from typing import IO, Any

from lxml import etree

from ..errors import ReadError
from ..model import Code, Note, Project, Representation, Source, Transcript
from . import _build as b
from . import _build_project as bp
from ._content import Content
from ._safe import iterparse_kwargs
from ._xml import META, Ctx

__all__ = ["QdeParser", "PROJECT_NS_PREFIX"]

PROJECT_NS_PREFIX = "urn:QDA-XML:project:"
_SOURCE_KINDS = {"TextSource": "text", "PDFSource": "pdf", "PictureSource": "picture",
                 "AudioSource": "audio", "VideoSource": "video"}
_FRAMES = {
    "Project": {"Users", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs"},
    "Sources": set(_SOURCE_KINDS), "Notes": {"Note"}, "PDFSource": {"Representation"},
    "PictureSource": {"TextDescription"}, "AudioSource": {"Transcript"}, "VideoSource": {"Transcript"},
}
_TST = {"Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"}
_MEDIA = {"Description", "Coding", "NoteRef", "VariableValue"}
_CHILDREN = {  # what each frame accepts as a built child
    "TextSource": _TST, "Note": _TST, "Representation": _TST, "TextDescription": _TST,
    "PDFSource": _MEDIA | {"PDFSelection"}, "PictureSource": _MEDIA | {"PictureSelection"},
    "AudioSource": _MEDIA | {"AudioSelection"}, "VideoSource": _MEDIA | {"VideoSelection"},
    "Transcript": {"Description", "PlainTextContent", "SyncPoint", "TranscriptSelection", "NoteRef"},
}
# Coding, Description and NoteRef produce no events: most of them sit inside selections (built
# whole at the selection's end), and the few that are a frame's own children are taken at the
# frame's end (``_leftovers``).  At 200,000 selections that is 800,000 fewer events to handle.
_QUIET = {"Coding", "Description", "NoteRef"}
_EVENT_TAGS = ["{*}" + t for t in sorted(set().union(*_FRAMES.values(), *_CHILDREN.values(), {
    "Project", "CodeBook", "User", "Variable", "Case", "Link", "Set", "Graph"}) - _QUIET)]
_TEXT_FRAMES = frozenset(("TextSource", "Note", "Representation", "TextDescription"))
_TOP = {"User": ("users", bp.user, "user"), "Variable": ("variables", bp.variable, "variable"),
        "Case": ("cases", bp.case, "case"), "Link": ("links", bp.link, "link"), "Set": ("sets", bp.set_, "set"),
        "Graph": ("graphs", bp.graph, "graph")}
_TOP_PARENT = {"User": "Users", "Variable": "Variables", "Case": "Cases", "Link": "Links", "Set": "Sets",
               "Graph": "Graphs"}
_PROJECT_ATTRS = frozenset(("name", "origin", "creatingUserGUID", "creationDateTime", "modifyingUserGUID",
                            "modifiedDateTime", "basePath"))
_SOURCE_ATTRS = frozenset(("guid", "name", "path", "currentPath", "richTextPath", "plainTextPath") + META)


class QdeParser:
    """One parse of one ``.qde`` stream; ``content`` loads the texts and files it names."""

    def __init__(self, ctx: Ctx, content: Content, path: str, max_depth: int = 256):
        self.ctx, self.content, self.path, self.max_depth = ctx, content, path, max_depth
        self.project = Project()
        self.groups: list[tuple[Any, list, list]] = []  # (text holder or None, selections, sync points)
        self._pending: list[tuple[str, Any]] = []
        self._opened = False  # nested text parts waiting for their source's end

    # -- driver --------------------------------------------------------------------------------
    def parse(self, stream: IO[bytes]) -> Project:
        """Consume ``stream`` and return the project (positions still in the file's unit)."""
        stack: list[list[Any]] = []  # [tag, object, element]
        inside = 0  # depth (in filtered elements) inside a subtree that is built whole at its end
        wrapped = False  # that subtree sits inside an unknown element: leave it to the frame's extras
        ctx = self.ctx
        # Only elements that can be frames or children of frames produce events (lxml filters in C);
        # everything else is reached through its subtree.
        it = etree.iterparse(stream, events=("start", "end"), tag=_EVENT_TAGS, **iterparse_kwargs())
        try:
            for event, el in it:
                if event == "start":
                    if inside:
                        inside += 1
                        if inside + len(stack) > self.max_depth:
                            raise ReadError(f"elements nested deeper than {self.max_depth}", self.path,
                                            ctx.where(el), hint="this is not a plausible REFI-QDA project")
                        continue
                    if not stack:
                        stack.append(["Project", self._open_root(el), el])
                        continue
                    frame = stack[-1]
                    tag = ctx.T.get(el.tag)
                    wrapped = el.getparent() is not frame[2]
                    if not wrapped and tag in _FRAMES.get(frame[0], ()):
                        stack.append([tag, self._open(tag, el, frame), el])
                    else:
                        inside = 1
                    continue
                if inside > 1:
                    inside -= 1
                    continue
                if inside == 1:
                    inside = 0
                    if wrapped:
                        continue
                    self._child(stack[-1], el)
                else:
                    frame = stack.pop()
                    if len(el):  # children that produced no events (_QUIET, unknown elements)
                        self._leftovers(frame, el)
                    self._close(frame)
                el.clear()
                parent = el.getparent()
                if parent is not None:
                    parent.remove(el)
        except etree.XMLSyntaxError as exc:
            line = getattr(exc, "lineno", None)
            raise ReadError(f"malformed XML: {exc.msg}", self.path,
                            f"{ctx.member} line {line}" if line else ctx.member,
                            hint="the file is damaged or not a REFI-QDA export; re-export it") from None
        if not self._opened:
            self._open_root(it.root)  # raises: the root is not <Project>
        self.project.guid_case = ctx.guid_case
        return self.project

    def _leftovers(self, frame: list, el: Any) -> None:
        """A frame's children that produced no events: its own codings, description and note
        references (``_QUIET``), and unknown elements (kept in ``extras`` by :meth:`_child`)."""
        for child in el:
            if isinstance(child.tag, str):
                self._child(frame, child)

    def _open_root(self, el: Any) -> Project:
        self._opened = True
        tag = el.tag if isinstance(el.tag, str) else ""
        ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if el.getparent() is not None:  # the first filtered element is not the root: report the root
            el = el.getroottree().getroot()
            tag = el.tag if isinstance(el.tag, str) else ""
            ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
            local = local if local != "Project" else "Project (nested)"
        if local != "Project" or not ns.startswith(PROJECT_NS_PREFIX):
            found = f"<{local}> in namespace {ns!r}" if ns else f"<{local}> without a namespace"
            raise ReadError(f"not a REFI-QDA project: the root element is {found}", self.path, self.ctx.where(el),
                            hint=f"expected <Project xmlns=\"{PROJECT_NS_PREFIX}1.0\">; is this the right file?")
        self.ctx.set_ns(ns)
        if ns != PROJECT_NS_PREFIX + "1.0":
            self.ctx.diag.info("namespace-version", f"namespace {ns!r} read as {PROJECT_NS_PREFIX}1.0",
                               self.ctx.where(el))
        p, g = self.project, self.ctx.g
        p.name = el.get("name") or ""
        p.origin = el.get("origin")
        p.creating_user, p.modifying_user = g(el.get("creatingUserGUID")), g(el.get("modifyingUserGUID"))
        p.created, p.modified = el.get("creationDateTime"), el.get("modifiedDateTime")
        p.base_path = el.get("basePath") or None
        p.extras = self.ctx.extras(el, _PROJECT_ATTRS)
        self.content.base_path = p.base_path
        self.content.ev.origin = p.origin or ""
        return p

    # -- frames --------------------------------------------------------------------------------
    def _open(self, tag: str, el: Any, parent: list) -> Any:
        ctx = self.ctx
        if tag in _SOURCE_KINDS or tag == "Note":
            guid = ctx.g(el.get("guid")) or ""
            kind = "source" if tag != "Note" else "note"
            coll = self.project.sources if tag != "Note" else self.project.notes
            if (not ctx.register(guid, kind, el) and guid in coll) or not guid:
                guid = ctx.fresh_guid(guid, kind, el)
            cls = Source if tag != "Note" else Note
            obj = cls(guid, el.get("name") or None, meta=ctx.meta(el), extras=ctx.extras(el, _SOURCE_ATTRS))
            obj.plain_text_path, obj.rich_text_path = el.get("plainTextPath"), el.get("richTextPath")
            if tag in _SOURCE_KINDS:
                obj.kind, obj.path, obj.current_path = _SOURCE_KINDS[tag], el.get("path"), el.get("currentPath")
            return obj
        if tag in ("Representation", "TextDescription"):
            # Only attributes are reliable at a start event; the children arrive streamed.
            rep = Representation(ctx.g(el.get("guid")) or "", el.get("name") or None,
                                 plain_text_path=el.get("plainTextPath"), rich_text_path=el.get("richTextPath"),
                                 meta=ctx.meta(el), extras=ctx.extras(el, _SOURCE_ATTRS))
            ctx.register(rep.guid, tag.lower(), el)
            return rep
        if tag == "Transcript":
            tr = Transcript(ctx.g(el.get("guid")) or "", el.get("name") or None,
                            plain_text_path=el.get("plainTextPath"), rich_text_path=el.get("richTextPath"),
                            meta=ctx.meta(el), extras=ctx.extras(el, _SOURCE_ATTRS))
            ctx.register(tr.guid, "transcript", el)
            return tr
        return self.project  # a container (Users, Sources, …): its children go to project collections

    def _child(self, frame: list, el: Any) -> None:
        ctx, (ftag, obj, _) = self.ctx, frame
        tag = ctx.T.get(el.tag)
        if tag == "PlainTextSelection" and ftag in _TEXT_FRAMES:  # the hot path, first
            obj.selections.append(b.text_selection(ctx, el))
            return
        if ftag == "Project":
            if tag == "CodeBook":
                self._codebook(el)
            elif tag == "Description":
                obj.description = ctx.desc(el)
            elif tag == "NoteRef":
                obj.note_refs.append(ctx.g(el.get("targetGUID")))
            else:
                ctx.unknown_child(obj.extras, el)
            return
        if tag in _TOP and _TOP_PARENT[tag] == ftag:
            coll_name, build, kind = _TOP[tag]
            item = build(ctx, el)
            coll = getattr(self.project, coll_name)
            if (not ctx.register(item.guid, kind, el) and item.guid in coll) or not item.guid:
                item.guid = ctx.fresh_guid(item.guid, kind, el)
            coll[item.guid] = item
            return
        if tag not in _CHILDREN.get(ftag, ()):
            target = obj.extras if hasattr(obj, "extras") else self.project.extras
            ctx.unknown_child(target, el)
            return
        origin = "source" if isinstance(obj, (Source, Representation)) else "note"
        if tag in b.SELECTION_TAGS:
            sel = b.selection(ctx, el, b.SELECTION_TAGS[tag])
            if sel.representation is not None:
                self._load(sel.representation, f"representation of PDF selection {sel.guid}")
            obj.selections.append(sel)
        elif tag == "Coding":
            c = b.coding(ctx, el)
            if c is not None:
                obj.codings.append(c)
        elif tag == "Description":
            obj.description = ctx.desc(el)
        elif tag == "PlainTextContent":
            obj.text = el.text or ""
        elif tag == "NoteRef":
            obj.note_refs.append(ctx.g(el.get("targetGUID")))
        elif tag == "VariableValue":
            vv = b.variable_value(ctx, el, origin)
            if vv is not None:
                obj.variable_values.append(vv)
        elif tag == "SyncPoint":
            obj.sync_points.append(b.sync_point(ctx, el))

    def _codebook(self, el: Any) -> None:
        out: list[Code] = []
        for child in el:
            if self.ctx.local(child) == "Codes":
                bp.codes(self.ctx, child, out)
            else:
                self.ctx.unknown_child(self.project.extras, child)
        self.project.codes.update((c.guid, c) for c in out)

    def _load(self, obj: Any, what: str) -> None:
        """Load the text (and rich-text reference) of a TextSourceType-like object."""
        if obj.text is None and obj.plain_text_path:
            obj.text = self.content.text(obj.plain_text_path, what)
        if obj.rich_text_path:
            obj.rich_text = self.content.blob(obj.rich_text_path, what)
        self.groups.append((obj if obj.text is not None else None, obj.selections,
                            getattr(obj, "sync_points", [])))

    def _close(self, frame: list) -> None:
        tag, obj, _ = frame
        if tag == "Project" or obj is self.project:
            return
        if tag == "Note":
            self._load(obj, f"note '{obj.name or ''}' ({obj.guid})")
            self.project.notes[obj.guid] = obj
            return
        if tag in ("Representation", "TextDescription", "Transcript"):
            self._load(obj, f"{tag.lower()} {obj.guid}")
            self._pending.append((tag, obj))
            return
        self._finish_source(obj)

    def _finish_source(self, src: Source) -> None:
        what = f"source '{src.name or ''}' ({src.guid})"
        pending, self._pending = self._pending, []
        for tag, obj in pending:
            if tag == "Transcript":
                src.transcripts.append(obj)
            elif tag == "TextDescription":
                src.text_description = obj
            else:
                self._merge_representation(src, obj)
        if src.kind == "text":
            self._load(src, what)
        elif src.path:
            src.file = self.content.blob(src.path, what)
        if src.kind in ("audio", "video") and not src.name and src.transcripts:
            src.name = next((t.name for t in src.transcripts if t.name), None)
        if src.kind not in ("text", "pdf"):
            self.groups.append((None, src.selections, []))
        self.project.sources[src.guid] = src

    def _merge_representation(self, src: Source, rep: Representation) -> None:
        """A PDF's Representation supplies the source's text and its text selections (§1.5)."""
        src.text, src.representation_guid, src.representation_name = rep.text, rep.guid, rep.name
        src.plain_text_path, src.rich_text_path, src.rich_text = rep.plain_text_path, rep.rich_text_path, rep.rich_text
        src.selections.extend(rep.selections)
        # The representation's position group now covers the source's list (only kind "text" converts).
        self.groups = [(src if src.text is not None else None, src.selections, []) if grp[1] is rep.selections
                       else grp for grp in self.groups]
        rep.selections = src.selections
        if rep.codings:
            self.ctx.diag.info("representation-coding", f"{len(rep.codings)} coding(s) of the text of PDF "
                               f"{src.guid} kept as codings of the PDF source")
            src.codings.extend(rep.codings)
        src.note_refs.extend(rep.note_refs)
        src.variable_values.extend(rep.variable_values)
        for key, value in (("representation:description", rep.description), ("representation:meta", rep.meta or None),
                           ("representation:extras", rep.extras or None)):
            if value:
                src.extras[key] = value
