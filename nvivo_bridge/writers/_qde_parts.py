"""The body of ``project.qde``: each top-level container in the order of ``ProjectType``'s sequence
(Users, CodeBook, Variables, Cases, Sources, Notes, Links, Sets, Graphs, Description, NoteRef)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree

from ..model import Source
from ._qde import _SRC_TAG, E, SE, _attrs, xml_safe
from ._code_tree import code_tree
from ._values import color

if TYPE_CHECKING:  # pragma: no cover
    from ._qde import QdeWriter

__all__ = ["write_body"]


def write_body(w: "QdeWriter", xf: Any) -> None:
    """Write every container of the project, skipping empty ones."""
    p = w.p
    if p.users:
        with xf.element("Users"):
            for u in p.users.values():
                attrs = _attrs(guid=w.g(u.guid), name=u.name, id=u.id)
                kids = w.extras(attrs, u.extras)
                el = E("User", attrs)
                el.extend(kids)
                xf.write(el)
                w.counts["users"] += 1
    if p.codes:
        with xf.element("CodeBook"), xf.element("Codes"):
            _codes(w, xf)
    if p.variables:
        with xf.element("Variables"):
            for v in p.variables.values():
                attrs = _attrs(guid=w.g(v.guid), name=v.name, typeOfVariable=v.type)
                if v.type not in ("Text", "Boolean", "Integer", "Float", "Date", "DateTime"):
                    w.diag.warn("variable-type-unknown", f"type {v.type!r} written as Text", f"variable {v.name}")
                    attrs["typeOfVariable"] = "Text"
                attrs.setdefault("name", "")
                kids = w.extras(attrs, v.extras)
                el = E("Variable", attrs)
                w.desc(el, v.description)
                el.extend(kids)
                xf.write(el)
                w.counts["variables"] += 1
    if p.cases:
        with xf.element("Cases"):
            for c in p.cases.values():
                attrs = _attrs(guid=w.g(c.guid), name=c.name)
                kids = w.extras(attrs, c.extras)
                el = E("Case", attrs)
                w.desc(el, c.description)
                w.refs(el, "CodeRef", c.code_refs)
                for vv in c.variable_values:
                    el.append(w.value(vv, f"case {c.name or c.guid}"))
                w.refs(el, "SourceRef", c.source_refs)
                w.refs(el, "SelectionRef", c.selection_refs)
                el.extend(kids)
                xf.write(el)
                w.counts["cases"] += 1
    if p.sources:
        with xf.element("Sources"):
            total = len(p.sources)
            for i, src in enumerate(p.sources.values(), 1):
                _source(w, xf, src)
                if w.progress is not None:
                    w.progress(i, total)
    if p.notes:
        with xf.element("Notes"):
            for n in p.notes.values():
                # Project.counts() counts the selections and codings of sources only.
                before = (w.counts["selections"], w.counts["codings"])
                # A Note is a TextSourceType like a Representation: same element shape.
                # QualCoder reads a journal only from a note's text file.
                xf.write(w.representation("Note", n, f"note {n.name or n.guid}",
                                          as_file=w.profile.name == "qualcoder"))
                w.counts["notes"] += 1
                w.counts["selections"], w.counts["codings"] = before
    if p.links:
        with xf.element("Links"):
            for ln in p.links.values():
                direction = ln.direction if ln.direction in ("Associative", "OneWay", "Bidirectional") else None
                attrs = _attrs(guid=w.g(ln.guid), name=ln.name, direction=direction,
                               color=color(ln.color, w.diag, f"link {ln.guid}"),
                               originGUID=w.g(ln.origin), targetGUID=w.g(ln.target))
                kids = w.extras(attrs, ln.extras)
                el = E("Link", attrs)
                w.refs(el, "NoteRef", ln.note_refs)
                el.extend(kids)
                xf.write(el)
                w.counts["links"] += 1
    if p.sets:
        with xf.element("Sets"):
            for s in p.sets.values():
                attrs = _attrs(guid=w.g(s.guid), name=s.name)
                attrs.setdefault("name", "")
                kids = w.extras(attrs, s.extras)
                el = E("Set", attrs)
                w.desc(el, s.description)
                w.refs(el, "MemberCode", s.member_codes)
                w.refs(el, "MemberSource", s.member_sources)
                w.refs(el, "MemberNote", s.member_notes)
                el.extend(kids)
                xf.write(el)
                w.counts["sets"] += 1
    if p.graphs:
        with xf.element("Graphs"):
            for gr in p.graphs.values():
                xf.write(_graph(w, gr))
                w.counts["graphs"] += 1
    if p.description:
        d = E("Description")
        d.text = xml_safe(p.description)
        xf.write(d)
    for g in p.note_refs:
        xf.write(E("NoteRef", targetGUID=w.g(g)))


def _code_element(w: "QdeWriter", code: Any) -> tuple[dict[str, str], list]:
    attrs = _attrs(guid=w.g(code.guid), name=code.name, isCodable="true" if code.is_codable else "false",
                   color=color(code.color, w.diag, f"code {code.name}"))
    attrs.setdefault("name", "")
    return attrs, w.extras(attrs, code.extras)


def _codes(w: "QdeWriter", xf: Any) -> None:
    """The nested code tree (see :func:`code_tree`), streamed into ``xf``."""
    open_: list[tuple[Any, list]] = []
    for step, guid, _ in code_tree(w.p, w.diag):
        if step == "close":
            cm, kids = open_.pop()
            for k in kids:
                xf.write(k)
            cm.__exit__(None, None, None)
            continue
        code = w.p.codes[guid]
        attrs, kids = _code_element(w, code)
        w.counts["codes"] += 1
        if step == "leaf":
            el = E("Code", attrs)
            w.desc(el, code.description)
            w.refs(el, "NoteRef", code.note_refs)
            el.extend(kids)
            xf.write(el)
            continue
        cm = xf.element("Code", attrs)
        cm.__enter__()
        if code.description:
            xf.write(w.desc(None, code.description))
        for g in code.note_refs:
            xf.write(E("NoteRef", targetGUID=w.g(g)))
        open_.append((cm, kids))


def _file_path(w: "QdeWriter", src: Source) -> str | None:
    """The ``path`` of a PDF, picture or media source: its file inside the archive when the model
    has the bytes, else the path it had (a relative/absolute one still points somewhere)."""
    if src.file is not None:
        suffix = "." + src.file.name.rsplit(".", 1)[1] if "." in src.file.name else ""
        path = w.sink.blob_path(src.guid, src.file, suffix)
        if path:
            return path
    if src.path and src.path.lower().startswith("internal:"):
        w.diag.warn("source-file-missing", f"the file of {src.kind} source '{src.name}' is not available; "
                    "its internal path is kept but points nowhere", f"source {src.guid}")
    return src.path


def _source(w: "QdeWriter", xf: Any, src: Source) -> None:
    """One source element of any kind."""
    where = f"source {src.name or src.guid}"
    tag = _SRC_TAG.get(src.kind)
    if tag is None:
        w.diag.warn("source-skipped", f"unknown source kind {src.kind!r}", where)
        return
    attrs = _attrs(guid=w.g(src.guid), name=src.name)
    attrs.update(w.meta(src.meta, where))
    wrong = [s for s in src.selections if not _fits(src.kind, s.kind)]
    if wrong:
        w.diag.warn("selection-skipped", f"{len(wrong)} selection(s) of a kind a {src.kind} source cannot hold",
                    where)
    if src.kind == "text":
        kids = w.text_children(src.guid, src.text, src.selections, src.codings, src.note_refs,
                               src.variable_values, where, attrs, as_file=True, keep_path=src.plain_text_path,
                               description=src.description, rich=src.rich_text)
        first = list(_take_head(kids))  # runs the generator far enough to fill the path attributes
        extra = w.extras(attrs, src.extras)
        with xf.element(tag, attrs):
            for el in first:
                xf.write(el)
            for el in kids:
                xf.write(el)
            for el in extra:
                xf.write(el)
        w.counts["sources"] += 1
        return
    attrs.update(_attrs(path=_file_path(w, src), currentPath=src.current_path))
    extra = w.extras(attrs, src.extras)
    with xf.element(tag, attrs):
        if src.description:
            xf.write(w.desc(None, src.description))
        if src.kind == "pdf":
            for s in src.selections:
                if s.kind == "pdf" and (el := w.selection(s, None, where)) is not None:
                    xf.write(el)
            if src.text is not None or any(s.kind == "text" for s in src.selections):
                # QualCoder reads a PDF's attributes only from its Representation (the text source it makes).
                moved = list(src.variable_values) if w.profile.name == "qualcoder" else []
                rattrs = _attrs(guid=w.g(w.rep_guid(src)), name=src.representation_name)
                rkids = w.text_children(w.rep_guid(src), src.text, src.selections, [], [], moved, where, rattrs,
                                        as_file=True, keep_path=src.plain_text_path, rich=src.rich_text)
                first = list(_take_head(rkids))
                with xf.element("Representation", rattrs):
                    for el in first:
                        xf.write(el)
                    for el in rkids:
                        xf.write(el)
        elif src.kind == "picture":
            if src.text_description is not None:
                xf.write(w.representation("TextDescription", src.text_description, where))
            for s in src.selections:
                if s.kind == "picture" and (el := w.selection(s, None, where)) is not None:
                    xf.write(el)
        else:
            for tr in src.transcripts:
                xf.write(_transcript(w, tr, where))
            for s in src.selections:
                if s.kind == src.kind and (el := w.selection(s, None, where)) is not None:
                    xf.write(el)
        for c in src.codings:
            xf.write(w.coding(c, where))
        for g in src.note_refs:
            xf.write(E("NoteRef", targetGUID=w.g(g)))
        if not (src.kind == "pdf" and w.profile.name == "qualcoder" and (
                src.text is not None or any(s.kind == "text" for s in src.selections))):
            for vv in src.variable_values:
                xf.write(w.value(vv, where))
        for el in extra:
            xf.write(el)
    w.counts["sources"] += 1


def _fits(src_kind: str, sel_kind: str) -> bool:
    if src_kind == "pdf":
        return sel_kind in ("pdf", "text")
    return sel_kind == src_kind


def _take_head(kids):
    """Yield the children up to the first selection: by then the text and rich-text paths are set."""
    for el in kids:
        yield el
        if el.tag in ("PlainTextContent", "Description"):
            continue
        break


def _transcript(w: "QdeWriter", tr: Any, where: str) -> etree._Element:
    """A ``Transcript`` with its text (a file in a .qdpx), sync points and selections."""
    from ._profiles import TextLayout

    loc = f"{where} transcript {tr.name or tr.guid}"
    attrs = _attrs(guid=w.g(tr.guid), name=tr.name)
    layout = TextLayout(tr.text, w.profile) if tr.text is not None else None
    inline = None
    if layout is not None:
        path = w.sink.text_path(tr.guid, layout.text)
        if path:
            attrs["plainTextPath"] = path
        else:
            inline = layout.text
    elif tr.plain_text_path and not tr.plain_text_path.lower().startswith("internal:"):
        attrs["plainTextPath"] = tr.plain_text_path
    if tr.rich_text is not None and w.profile.rich_text and not tr.rich_text.name.lower().endswith(".txt"):
        path = w.sink.blob_path(tr.guid, tr.rich_text, ".docx")
        if path:
            attrs["richTextPath"] = path
    attrs.update(w.meta(tr.meta, loc))
    kids = w.extras(attrs, tr.extras)
    el = E("Transcript", attrs)
    w.desc(el, tr.description)
    if inline is not None:
        SE(el, "PlainTextContent").text = xml_safe(inline)
    for sp in tr.sync_points:
        pos = layout.pos(sp.position) if (layout is not None and sp.position is not None) else sp.position
        SE(el, "SyncPoint", _attrs(guid=w.g(sp.guid), timeStamp=sp.time_stamp, position=pos))
    for s in tr.selections:
        if (sel := w.selection(s, layout, loc)) is not None:
            el.append(sel)
    w.refs(el, "NoteRef", tr.note_refs)
    el.extend(kids)
    return el


_SHAPES = {"Person", "Oval", "Rectangle", "RoundedRectangle", "Star", "LeftTriangle", "RightTriangle",
           "UpTriangle", "DownTriangle", "Note"}
_DIRECTIONS = {"Associative", "OneWay", "Bidirectional"}


def _graph(w: "QdeWriter", gr: Any) -> etree._Element:
    """A ``Graph`` with its vertices, then its edges; enumerated values outside the schema are left out."""
    where = f"graph {gr.name or gr.guid}"
    attrs = _attrs(guid=w.g(gr.guid), name=gr.name)
    kids = w.extras(attrs, gr.extras)
    el = E("Graph", attrs)
    for v in gr.vertices:
        va = _attrs(guid=w.g(v.guid), representedGUID=w.g(v.represented), name=v.name, firstX=v.first_x,
                    firstY=v.first_y, secondX=v.second_x, secondY=v.second_y,
                    shape=v.shape if v.shape in _SHAPES else None, color=color(v.color, w.diag, where))
        vk = w.extras(va, v.extras)
        SE(el, "Vertex", va).extend(vk)
    for e in gr.edges:
        ea = _attrs(guid=w.g(e.guid), representedGUID=w.g(e.represented), name=e.name,
                    sourceVertex=w.g(e.source_vertex), targetVertex=w.g(e.target_vertex),
                    color=color(e.color, w.diag, where), direction=e.direction if e.direction in _DIRECTIONS else None,
                    lineStyle=e.line_style if e.line_style in ("dotted", "dashed", "solid") else None)
        ek = w.extras(ea, e.extras)
        SE(el, "Edge", ea).extend(ek)
    el.extend(kids)
    return el
