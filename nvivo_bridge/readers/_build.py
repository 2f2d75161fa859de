"""Build source-side model objects from small, complete XML subtrees (a selection, a coding…).

The stream driver (:mod:`._qde`) calls these at an element's end event and then discards the
element, so only one selection's subtree is in memory at a time.  Unknown attributes and child
elements go to ``extras``; optional parts are treated as possibly absent (refi-qda.md Q11).
"""
from __future__ import annotations

from typing import Any, Optional

from ..model import Coding, Representation, Selection, SyncPoint, VariableValue, VARIABLE_TYPES
from ._xml import META, Ctx

__all__ = ["coding", "selection", "text_selection", "variable_value", "sync_point", "text_source_type",
           "SELECTION_TAGS"]

K = frozenset
SELECTION_TAGS = {"PlainTextSelection": "text", "PDFSelection": "pdf", "PictureSelection": "picture",
                  "AudioSelection": "audio", "VideoSelection": "video", "TranscriptSelection": "transcript"}
_SEL_KNOWN = K(("guid", "name", "startPosition", "endPosition", "page", "firstX", "firstY", "secondX",
                "secondY", "begin", "end", "fromSyncPoint", "toSyncPoint") + META)
_CODING_KNOWN = K(("guid", "creatingUser", "creationDateTime"))
_VALUE_TAGS = {t + "Value": t for t in VARIABLE_TYPES}


def _nonempty(v: Optional[str]) -> Optional[str]:
    return v if v else None


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
               notes or None)
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


def _selection_children(ctx: Ctx, el: Any, sel: Selection, kind: str) -> None:
    """A selection's children: its codings, description, note references (and a PDF selection's
    Representation); anything else goes to ``extras``."""
    T = ctx.T
    for child in el:
        tag = T.get(child.tag)
        if tag == "Coding":
            c = coding(ctx, child)
            if c is not None:
                sel.codings.append(c)
        elif tag == "Description":
            if child.text:  # unset reads as None already
                sel.description = child.text
        elif tag == "NoteRef":
            sel.note_refs.append(ctx.g(child.get("targetGUID")))
        elif tag == "Representation" and kind == "pdf":
            sel.representation = text_source_type(ctx, child, "representation")
        else:
            ctx.unknown_child(sel.extras, child)
    if sel.codings:
        # A copy has no room for appends it will not get: 24 bytes less per selection (5 MB at
        # 200,000 codings, most selections holding one).
        sel.codings = sel.codings[:]


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
    _selection_children(ctx, el, sel, kind)
    return sel


def text_selection(ctx: Ctx, el: Any) -> Selection:
    """``<PlainTextSelection>``: :func:`selection` for the one kind that comes by the hundred
    thousand, with the attribute reads inlined (it is most of a large file's parse time)."""
    get = el.get
    guid = ctx.uid(get("guid"))
    # Selections of one coding session carry the same creator and dates: the shared record
    # (nvivo_bridge._compact.meta_record) is looked up by the raw attribute values.
    raw = (get("creatingUser"), get("creationDateTime"), get("modifyingUser"), get("modifiedDateTime"))
    meta = ctx.metas.get(raw)
    if meta is None:
        meta = ctx.meta_of(raw)
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
    _selection_children(ctx, el, sel, "text")
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


