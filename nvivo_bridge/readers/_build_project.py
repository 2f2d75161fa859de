"""Build project-level model objects from complete XML subtrees: users, the code tree,
variables, cases, links, sets and graphs (see :mod:`._build` for the source side)."""
from __future__ import annotations

from typing import Any, Optional

from ..errors import ReadError
from ..model import MAX_CODE_DEPTH, Case, Code, Edge, Graph, Link, Set, User, Variable, Vertex, VARIABLE_TYPES
from ._build import K, _nonempty, variable_value
from ._xml import Ctx

__all__ = ["user", "codes", "variable", "case", "link", "set_", "graph", "vertex"]


def user(ctx: Ctx, el: Any) -> User:
    """``<User guid name id/>``."""
    return User(ctx.g(el.get("guid")) or "", el.get("name"), el.get("id"),
                ctx.extras(el, K(("guid", "name", "id"))))


def codes(ctx: Ctx, codes_el: Any, out: list[Code], parent: Optional[str] = None,
          codebook: bool = False) -> None:
    """Append every ``Code`` under ``codes_el`` (a ``Codes`` or ``Code`` element) to ``out``, depth
    first, with ``parent`` set from the nesting (the only way the schema expresses the tree).

    Iterative; a tree deeper than :data:`~nvivo_bridge.model.MAX_CODE_DEPTH` levels (or the XML
    depth limit) is refused, the limit every writer nests up to."""
    limit = min(ctx.max_depth, MAX_CODE_DEPTH)
    stack = [(iter(codes_el), parent, 0)]
    while stack:
        it, parent, depth = stack[-1]
        el = next(it, None)
        if el is None:
            stack.pop()
            continue
        if ctx.local(el) != "Code":
            if parent is None and isinstance(el.tag, str):  # children of a Code are read with the Code
                ctx.diag.warn("unexpected-element", f"<{el.tag}> inside the code tree ignored", ctx.where(el))
            continue
        raw = el.get("isCodable", "true").strip().lower()
        guid = ctx.g(el.get("guid")) or ""
        if not ctx.register(guid, "code", el) or not guid:
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
        if depth + 1 >= limit and any(ctx.local(c) == "Code" for c in el):
            raise ReadError(f"codes nested deeper than {limit} levels", None, ctx.where(el),
                            hint="this is not a plausible code tree")
        stack.append((iter(el), code.guid, depth + 1))


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


_EDGE_KNOWN = K(("guid", "representedGUID", "name", "sourceVertex", "targetVertex", "color", "direction",
                 "lineStyle"))
_VERTEX_KNOWN = K(("guid", "representedGUID", "name", "firstX", "firstY", "secondX", "secondY", "color",
                   "shape"))



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



def vertex(ctx: Ctx, el: Any) -> Vertex:
    """``<Vertex>``."""
    return Vertex(ctx.g(el.get("guid")) or "", ctx.g(el.get("representedGUID")), _nonempty(el.get("name")),
                  ctx.num(el, "firstX", True) or 0, ctx.num(el, "firstY", True) or 0, ctx.num(el, "secondX"),
                  ctx.num(el, "secondY"), ctx.color(el.get("color"), el), el.get("shape"),
                  ctx.extras(el, _VERTEX_KNOWN))
