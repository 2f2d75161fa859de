"""Write a REFI-QDA codebook (``.qdc``, ``urn:QDA-XML:codebook:1.0``, Codebook-mrt2019.xsd).

The code tree is nested (the only way the schema expresses hierarchy), colours are ``#RRGGBB``,
and sets keep only their code members, which the codebook schema names by ``MemberCode/@guid``
(not ``targetGUID`` as in a project).  A codebook is small, so it is built as one tree.
"""
from __future__ import annotations

from pathlib import Path

from lxml import etree

from .. import __version__
from .._io import write_bytes
from ..errors import Diagnostics, WriteError
from ..model import Project
from ..options import WriteOptions
from ._profiles import get_profile
from ._qde import xml_safe
from ._code_tree import code_tree
from ._values import GuidFormatter, color

__all__ = ["write", "NS"]

NS = "urn:QDA-XML:codebook:1.0"


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def build(project: Project, diag: Diagnostics, target: str = "standard") -> tuple[etree._Element, dict[str, int]]:
    """The ``CodeBook`` root element for ``project``'s codes and code sets, and what it holds."""
    if not project.codes:
        raise WriteError("the project has no codes, and a codebook must hold at least one",
                         hint="write a .qdpx or .xlsx instead, or add codes")
    profile = get_profile(target)
    if profile.name == "qualcoder":
        from ._qualcoder import adapt_codebook
        project = adapt_codebook(project, diag)
    g = GuidFormatter(project.guid_case if profile.guid_case == "project" else profile.guid_case, diag)
    root = etree.Element(_q("CodeBook"), nsmap={None: NS},
                         origin=f"nvivo-bridge {__version__} (target={profile.name})")
    codes_el = etree.SubElement(root, _q("Codes"))
    n_codes = 0
    parents = [codes_el]  # the element each level's codes go into

    for step, guid, level in code_tree(project, diag):  # the .qde writer's tree: same depth limit
        if step == "close":
            parents.pop()
            continue
        code = project.codes[guid]
        attrs = {"guid": g(code.guid), "name": xml_safe(code.name or ""),
                 "isCodable": "true" if code.is_codable else "false"}
        c = color(code.color, diag, f"code {code.name}")
        if c:
            attrs["color"] = c
        el = etree.SubElement(parents[-1], _q("Code"), attrs)
        n_codes += 1
        if code.description:
            etree.SubElement(el, _q("Description")).text = xml_safe(code.description)
        if code.note_refs:
            diag.info("codebook-drops-notes", "a codebook cannot hold note references", f"code {code.name}")
        if step == "open":
            parents.append(el)
    sets = []
    for s in project.sets.values():
        members = [m for m in s.member_codes if m in project.codes]
        if not members:
            diag.info("set-skipped", f"set '{s.name}' has no code members; a codebook holds code sets only",
                      f"set {s.name}")
            continue
        if s.member_sources or s.member_notes or len(members) < len(s.member_codes):
            diag.info("set-members-dropped", f"set '{s.name}': only its code members are written", f"set {s.name}")
        el = etree.Element(_q("Set"), guid=g(s.guid), name=xml_safe(s.name or ""))
        if s.description:
            etree.SubElement(el, _q("Description")).text = xml_safe(s.description)
        for m in members:
            etree.SubElement(el, _q("MemberCode"), guid=g(m))
        sets.append(el)
    if sets:
        etree.SubElement(root, _q("Sets")).extend(sets)
    return root, {"codes": n_codes, "sets": len(sets)}


def write(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Write the codebook of ``project`` (its codes and code sets) to ``path``."""
    path = Path(path)
    root, counts = build(project, diag, options.target)
    write_bytes(path, etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True),
                "the codebook")
    return counts

