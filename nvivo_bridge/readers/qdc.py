"""Read a REFI-QDA codebook (``.qdc``) into a :class:`Project` with ``kind="codebook"``.

A codebook holds ``Codes`` and optional ``Sets`` of codes (refi-qda.md §1.4).  Accepted
variations: any ``urn:QDA-XML:codebook:*`` namespace (``1.0``, ATLAS.ti's ``0:4``, ``1:0``; Q5)
recorded as info; ``MemberCode`` naming its code with ``guid`` (the codebook schema) or
``targetGUID``; Taguette's empty ``<Sets/>`` (Q6).  A codebook is small, so it is parsed whole.
"""
from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..errors import Diagnostics, ReadError
from ..model import Code, Project
from ..options import ReadOptions
from . import _build_project as b
from ._producer import Evidence, detect
from ._safe import read_file_capped, xml_parser
from ._xml import Ctx

__all__ = ["read", "CODEBOOK_NS_PREFIX"]

CODEBOOK_NS_PREFIX = "urn:QDA-XML:codebook:"


def read(path: Path, diag: Diagnostics, options: ReadOptions) -> Project:
    """Read the codebook at ``path``."""
    path = Path(path)
    try:
        data = read_file_capped(path, options.limits)
    except OSError as exc:
        raise ReadError(f"cannot open ({exc.strerror})", str(path), hint="check the path") from None
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None)
        raise ReadError(f"malformed XML: {exc.msg}", str(path), f"line {line}" if line else None,
                        hint="the file is damaged or not a REFI-QDA codebook; export it again") from None
    tag = root.tag if isinstance(root.tag, str) else ""
    ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    if local != "CodeBook" or not ns.startswith(CODEBOOK_NS_PREFIX):
        found = f"<{local}> in namespace {ns!r}" if ns else f"<{local}> without a namespace"
        hint = (f"expected <CodeBook xmlns=\"{CODEBOOK_NS_PREFIX}1.0\">"
                + ("; this is a project: save it as .qde or read it with --from qde" if local == "Project" else ""))
        raise ReadError(f"not a REFI-QDA codebook: the root element is {found}", str(path),
                        f"line {root.sourceline}", hint=hint)
    ctx = Ctx(diag, path.name, ns)
    if ns != CODEBOOK_NS_PREFIX + "1.0":
        diag.info("namespace-version", f"namespace {ns!r} read as {CODEBOOK_NS_PREFIX}1.0", ctx.where(root))
    project = Project(name=path.stem, origin=root.get("origin"), kind="codebook",
                      extras=ctx.extras(root, frozenset(("origin",))))
    codes: list[Code] = []
    seen_codes = False
    for child in root:
        name = ctx.local(child)
        if name == "Codes":
            seen_codes = True
            b.codes(ctx, child, codes, codebook=True)
        elif name == "Sets":
            if len(child) == 0:
                diag.info("empty-container", "empty <Sets/> (invalid by the schema) read as no sets",
                          ctx.where(child))
            for el in child:
                if ctx.local(el) == "Set":
                    st = b.set_(ctx, el, codebook=True)
                    if (not ctx.register(st.guid, "set", el) and st.guid in project.sets) or not st.guid:
                        st.guid = ctx.fresh_guid(st.guid, "set", el)
                    project.sets[st.guid] = st
                else:
                    ctx.unknown_child(project.extras, el)
        else:
            ctx.unknown_child(project.extras, child)
    if not seen_codes:
        diag.warn("codebook-without-codes", "the codebook has no <Codes>", ctx.where(root))
    project.codes = {c.guid: c for c in codes}
    project.producer = detect(Evidence(origin=root.get("origin") or "")).producer
    project.position_unit = "unknown"
    project.guid_case = ctx.guid_case
    project.source_file = str(path)
    return project
