"""Build model objects from small, complete XML subtrees (a selection, a code tree, a case…).

The stream driver (:mod:`._qde`) calls these at an element's end event and then discards the
element, so only one selection's subtree is in memory at a time.  Unknown attributes and child
elements go to ``extras``; optional parts are treated as possibly absent (refi-qda.md Q11).
"""
from __future__ import annotations

from typing import Any, Optional

from ..model import (Case, Code, Coding, Edge, Graph, Link, Representation, Selection, Set, SyncPoint,
                     User, Vertex, Variable, VariableValue, VARIABLE_TYPES)
from ..errors import ReadError
from ._xml import META, Ctx

__all__ = ["user", "codes", "variable", "case", "coding", "selection", "text_selection", "variable_value", "link", "set_",
           "graph", "sync_point", "text_source_type", "SELECTION_TAGS"]

K = frozenset
SELECTION_TAGS = {"PlainTextSelection": "text", "PDFSelection": "pdf", "PictureSelection": "picture",
                  "AudioSelection": "audio", "VideoSelection": "video", "TranscriptSelection": "transcript"}
_SEL_KNOWN = K(("guid", "name", "startPosition", "endPosition", "page", "firstX", "firstY", "secondX",
                "secondY", "begin", "end", "fromSyncPoint", "toSyncPoint") + META)
_CODING_KNOWN = K(("guid", "creatingUser", "creationDateTime"))
_VALUE_TAGS = {t + "Value": t for t in VARIABLE_TYPES}


def _nonempty(v: Optional[str]) -> Optional[str]:
    return v if v else None


def user(ctx: Ctx, el: Any) -> User:
    """``<User guid name id/>``."""
    return User(ctx.g(el.get("guid")) or "", el.get("name"), el.get("id"),
                ctx.extras(el, K(("guid", "name", "id"))))


def codes(ctx: Ctx, codes_el: Any, out: list[Code], parent: Optional[str] = None,
          codebook: bool = False, depth: int = 0) -> None:
    """Append every ``Code`` under ``codes_el`` (a ``Codes`` or ``Code`` element) to ``out``, depth
    first, with ``parent`` set from the nesting (the only way the schema expresses the tree)."""
    for el in codes_el:
        if ctx.local(el) != "Code":
            if parent is None and isinstance(el.tag, str):  # children of a Code are read with the Code
                ctx.diag.warn("unexpected-element", f"<{el.tag}> inside the code tree ignored", ctx.where(el))
            continue
        raw = el.get("isCodable", "true").strip().lower()
        guid = ctx.g(el.get("guid")) or ""
        if not ctx.register(guid, "code", el):
            guid = ctx.fresh_guid(guid, "code", el)
        code = Code(guid, el.get("name") or "", raw not in ("false", "0"),
                    ctx.color(el.get("color"), el), parent=parent,
                    extras=ctx.extras(el, K(("guid", "name", "isCodable", "color"))))
        if el.get("name") is None:
            ctx.diag.warn("missing-attribute", "a code has no name", ctx.where(el))
        out.append(code)
        for child in el:
            tag = ctx.local(child)
            if tag == "Description":
                code.description = ctx.desc(child)
            elif tag == "NoteRef" and not codebook:
                code.note_refs.append(ctx.g(child.get("targetGUID")))
            elif tag != "Code":
                ctx.unknown_child(code.extras, child)
        if depth >= ctx.max_depth:
            raise ReadError(f"codes nested deeper than {ctx.max_depth}", None, ctx.where(el),
                            hint="this is not a plausible code tree")
        codes(ctx, el, out, code.guid, codebook, depth + 1)


def variable(ctx: Ctx, el: Any) -> Variable:
    """``<Variable guid name typeOfVariable>``; an unknown type is kept as Text with a warning."""
    vtype = el.get("typeOfVariable") or "Text"
    if vtype not in VARIABLE_TYPES:
        ctx.diag.warn("bad-variable-type", f"variable type {vtype!r} unknown; read as Text", ctx.where(el))
        vtype = "Text"
    var = Variable(ctx.g(el.get("guid")) or "", el.get("name") or "", vtype,
                   extras=ctx.extras(el, K(("guid", "name", "typeOfVariable"))))
    for child in el:
        if ctx.local(child) == "Description":
            var.description = ctx.desc(child)
        else:
            ctx.unknown_child(var.extras, child)
    return var


def variable_value(ctx: Ctx, el: Any, origin: str) -> Optional[VariableValue]:
    """``<VariableValue><VariableRef/><XxxValue>…</XxxValue></VariableValue>``."""
    ref, vtype, value = None, "Text", None
    for child in el:
        tag = ctx.local(child)
        if tag == "VariableRef":
            ref = ctx.g(child.get("targetGUID"))
        elif tag in _VALUE_TAGS:
            vtype, value = _VALUE_TAGS[tag], child.text or ""
    if not ref:
        ctx.diag.warn("variable-value-without-variable", "a VariableValue has no VariableRef; dropped",
                      ctx.where(el))
        return None
    return VariableValue(ref, value, vtype, origin)


def case(ctx: Ctx, el: Any) -> Case:
    """``<Case>`` with its code, source and selection references and variable values."""
    c = Case(ctx.g(el.get("guid")) or "", _nonempty(el.get("name")),
             extras=ctx.extras(el, K(("guid", "name"))))
    refs = {"CodeRef": c.code_refs, "SourceRef": c.source_refs, "SelectionRef": c.selection_refs}
    for child in el:
        tag = ctx.local(child)
        if tag in refs:
            refs[tag].append(ctx.g(child.get("targetGUID")))
        elif tag == "VariableValue":
            vv = variable_value(ctx, child, "case")
            if vv is not None:
                c.variable_values.append(vv)
        elif tag == "Description":
            c.description = ctx.desc(child)
        else:
            ctx.unknown_child(c.extras, child)
    return c


def coding(ctx: Ctx, el: Any) -> Optional[Coding]:
    """``<Coding guid creatingUser creationDateTime><CodeRef/><NoteRef/>*</Coding>`` (hot path)."""
    T, G, code, notes, extras = ctx.T, ctx._guids, None, [], None
    for child in el:
        tag = T.get(child.tag)
        if tag == "CodeRef":
            raw = child.get("targetGUID")
            code = G.get(raw) or ctx.g(raw)
        elif tag == "NoteRef":
            notes.append(ctx.g(child.get("targetGUID")))
        else:
            extras = extras if extras is not None else {}
            ctx.unknown_child(extras, child)
    get = el.get
    guid = ctx.uid(get("guid"))
    if not code:
        ctx.diag.warn("coding-without-code", f"coding {guid} has no CodeRef; dropped", ctx.where(el))
        return None
    if guid in ctx._kinds or not guid:
        ctx.register(guid, "coding", el)
    else:
        ctx._kinds[guid] = "coding"
    user, when = get("creatingUser"), get("creationDateTime")
    c = Coding(guid, code, user and (G.get(user) or ctx.g(user)), when and ctx._strings.setdefault(when, when),
               notes)
    if extras or not _CODING_KNOWN.issuperset(el.keys()):
        c.extras = ctx.extras(el, _CODING_KNOWN)
        if extras:
            c.extras.update(extras)
    return c


def _int(ctx: Ctx, el: Any, attr: str) -> Optional[int]:
    v = el.get(attr)
    try:
        return int(v)
    except (TypeError, ValueError):
        return ctx.num(el, attr, True)


def selection(ctx: Ctx, el: Any, kind: str) -> Selection:
    """Any selection element; positions are kept *raw* (the caller converts text units later)."""
    get = el.get
    guid = ctx.uid(get("guid"))
    sel = Selection(guid, kind, name=get("name") or None, meta=ctx.meta(el))
    if guid in ctx._kinds or not guid:
        ctx.register(guid, "selection:" + kind, el)
    else:
        ctx._kinds[guid] = "selection:" + kind
    if kind == "text":
        sel.start, sel.end = _int(ctx, el, "startPosition"), _int(ctx, el, "endPosition")
    elif kind in ("audio", "video"):
        sel.start, sel.end = _int(ctx, el, "begin"), _int(ctx, el, "end")
    elif kind == "transcript":
        sel.from_sync, sel.to_sync = ctx.g(get("fromSyncPoint")), ctx.g(get("toSyncPoint"))
    else:
        sel.page = _int(ctx, el, "page") if kind == "pdf" else None
        sel.first_x, sel.first_y = _int(ctx, el, "firstX"), _int(ctx, el, "firstY")
        sel.second_x, sel.second_y = _int(ctx, el, "secondX"), _int(ctx, el, "secondY")
    if not _SEL_KNOWN.issuperset(el.keys()):
        sel.extras = ctx.extras(el, _SEL_KNOWN)
    T = ctx.T
    for child in el:
        tag = T.get(child.tag)
        if tag == "Coding":
            c = coding(ctx, child)
            if c is not None:
                sel.codings.append(c)
        elif tag == "Description":
            sel.description = child.text or None
        elif tag == "NoteRef":
            sel.note_refs.append(ctx.g(child.get("targetGUID")))
        elif tag == "Representation" and kind == "pdf":
            sel.representation = text_source_type(ctx, child, "representation")
        else:
            ctx.unknown_child(sel.extras, child)
    return sel


def text_selection(ctx: Ctx, el: Any) -> Selection:
    """``<PlainTextSelection>``: :func:`selection` for the one kind that comes by the hundred
    thousand, with the attribute reads inlined (it is most of a large file's parse time)."""
    get, G, S = el.get, ctx._guids, ctx._strings
    guid = ctx.uid(get("guid"))
    meta: dict[str, str] = {}
    v = get("creatingUser")
    if v is not None:
        meta["creatingUser"] = G.get(v) or ctx.g(v)
    v = get("creationDateTime")
    if v is not None:
        meta["creationDateTime"] = S.setdefault(v, v)
    v = get("modifyingUser")
    if v is not None:
        meta["modifyingUser"] = G.get(v) or ctx.g(v)
    v = get("modifiedDateTime")
    if v is not None:
        meta["modifiedDateTime"] = S.setdefault(v, v)
    try:
        start = int(get("startPosition"))
    except (TypeError, ValueError):
        start = ctx.num(el, "startPosition", True)
    try:
        end = int(get("endPosition"))
    except (TypeError, ValueError):
        end = ctx.num(el, "endPosition", True)
    sel = Selection(guid, "text", start, end, name=get("name") or None, meta=meta)
    kinds = ctx._kinds
    if guid in kinds or not guid:
        ctx.register(guid, "selection:text", el)
    else:
        kinds[guid] = "selection:text"
    if not _SEL_KNOWN.issuperset(el.keys()):
        sel.extras = ctx.extras(el, _SEL_KNOWN)
    T = ctx.T
    for child in el:
        tag = T.get(child.tag)
        if tag == "Coding":
            c = coding(ctx, child)
            if c is not None:
                sel.codings.append(c)
        elif tag == "Description":
            sel.description = child.text or None
        elif tag == "NoteRef":
            sel.note_refs.append(ctx.g(child.get("targetGUID")))
        else:
            ctx.unknown_child(sel.extras, child)
    return sel


def text_source_type(ctx: Ctx, el: Any, kind: str) -> Representation:
    """A whole ``TextSourceType`` subtree as a :class:`Representation` (text loaded by the caller)."""
    rep = Representation(ctx.g(el.get("guid")) or "", _nonempty(el.get("name")),
                         plain_text_path=el.get("plainTextPath"), rich_text_path=el.get("richTextPath"),
                         meta=ctx.meta(el), extras=ctx.extras(el, _TST_KNOWN))
    ctx.register(rep.guid, kind, el)
    for child in el:
        tag = ctx.local(child)
        if tag == "Description":
            rep.description = ctx.desc(child)
        elif tag == "PlainTextContent":
            rep.text = child.text or ""
        elif tag == "PlainTextSelection":
            rep.selections.append(selection(ctx, child, "text"))
        elif tag == "Coding":
            c = coding(ctx, child)
            if c is not None:
                rep.codings.append(c)
        elif tag == "NoteRef":
            rep.note_refs.append(ctx.g(child.get("targetGUID")))
        elif tag == "VariableValue":
            vv = variable_value(ctx, child, "source")
            if vv is not None:
                rep.variable_values.append(vv)
        else:
            ctx.unknown_child(rep.extras, child)
    return rep


_TST_KNOWN = K(("guid", "name", "richTextPath", "plainTextPath") + META)


def sync_point(ctx: Ctx, el: Any) -> SyncPoint:
    """``<SyncPoint guid timeStamp position/>`` (position raw, converted later)."""
    return SyncPoint(ctx.g(el.get("guid")) or "", ctx.num(el, "timeStamp"), ctx.num(el, "position"),
                     ctx.extras(el, K(("guid", "timeStamp", "position"))))


def link(ctx: Ctx, el: Any) -> Link:
    """``<Link>``: kept as written (annotation links Note→Selection included, Q8)."""
    lk = Link(ctx.g(el.get("guid")) or "", _nonempty(el.get("name")), el.get("direction"),
              ctx.color(el.get("color"), el), ctx.g(el.get("originGUID")), ctx.g(el.get("targetGUID")),
              extras=ctx.extras(el, K(("guid", "name", "direction", "color", "originGUID", "targetGUID"))))
    for child in el:
        if ctx.local(child) == "NoteRef":
            lk.note_refs.append(ctx.g(child.get("targetGUID")))
        else:
            ctx.unknown_child(lk.extras, child)
    return lk


def set_(ctx: Ctx, el: Any, codebook: bool = False) -> Set:
    """``<Set>``; in a codebook ``MemberCode`` names its code with ``guid``, not ``targetGUID`` (§1.4)."""
    st = Set(ctx.g(el.get("guid")) or "", el.get("name") or "", extras=ctx.extras(el, K(("guid", "name"))))
    members = {"MemberCode": st.member_codes, "MemberSource": st.member_sources, "MemberNote": st.member_notes}
    for child in el:
        tag = ctx.local(child)
        if tag in members:
            ref = child.get("targetGUID") or (child.get("guid") if codebook or tag == "MemberCode" else None)
            if ref:
                members[tag].append(ctx.g(ref))
            else:
                ctx.diag.warn("missing-attribute", f"<{tag}> without a target", ctx.where(child))
        elif tag == "Description":
            st.description = ctx.desc(child)
        else:
            ctx.unknown_child(st.extras, child)
    return st


def graph(ctx: Ctx, el: Any) -> Graph:
    """``<Graph>`` with its vertices and edges."""
    gr = Graph(ctx.g(el.get("guid")) or "", _nonempty(el.get("name")), extras=ctx.extras(el, K(("guid", "name"))))
    for child in el:
        tag = ctx.local(child)
        if tag == "Vertex":
            gr.vertices.append(vertex(ctx, child))
        elif tag == "Edge":
            gr.edges.append(Edge(ctx.g(child.get("guid")) or "", ctx.g(child.get("sourceVertex")) or "",
                                 ctx.g(child.get("targetVertex")) or "", ctx.g(child.get("representedGUID")),
                                 _nonempty(child.get("name")), ctx.color(child.get("color"), child),
                                 child.get("direction"), child.get("lineStyle"),
                                 ctx.extras(child, _EDGE_KNOWN)))
        else:
            ctx.unknown_child(gr.extras, child)
    return gr


_EDGE_KNOWN = K(("guid", "representedGUID", "name", "sourceVertex", "targetVertex", "color", "direction",
                 "lineStyle"))
_VERTEX_KNOWN = K(("guid", "representedGUID", "name", "firstX", "firstY", "secondX", "secondY", "color",
                   "shape"))


def vertex(ctx: Ctx, el: Any) -> Vertex:
    """``<Vertex>``."""
    return Vertex(ctx.g(el.get("guid")) or "", ctx.g(el.get("representedGUID")), _nonempty(el.get("name")),
                  ctx.num(el, "firstX", True) or 0, ctx.num(el, "firstY", True) or 0, ctx.num(el, "secondX"),
                  ctx.num(el, "secondY"), ctx.color(el.get("color"), el), el.get("shape"),
                  ctx.extras(el, _VERTEX_KNOWN))
