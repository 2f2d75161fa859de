"""Coders' copies of the sample project for the merge tests, built without nvivo_bridge.merge.

``coder_copy`` gives a copy in which one coder made a chosen share of the sample's codings;
``fresh_guids`` gives every object a new GUID (as a re-export does); ``edit_sentence`` replaces
one sentence of one source and moves the selections after it; ``to_lf`` turns CRLF into LF with
positions kept on the same characters (QualCoder's texts).
"""
from __future__ import annotations

import copy
import re
import uuid
from pathlib import Path
from typing import Callable

from nvivo_bridge import api
from nvivo_bridge.model import Project, User

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "kp-widyaiswara.qdpx"
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def coder_copy(project: Project, coder: str, keep: Callable[[int], bool]) -> Project:
    """A deep copy in which ``coder`` (the only user) made the codings whose running number
    passes ``keep``; the other codings are removed, selections stay."""
    p = copy.deepcopy(project)
    user = str(uuid.uuid5(uuid.NAMESPACE_URL, "coder:" + coder))
    p.users = {user: User(user, coder)}
    n = 0
    for src in p.sources.values():
        for sel in src.selections:
            kept = []
            for c in sel.codings:
                if keep(n):
                    c.creating_user = user
                    kept.append(c)
                n += 1
            sel.codings = kept
            if "creatingUser" in sel.meta:
                sel.meta["creatingUser"] = user
        for c in src.codings:
            c.creating_user = user
    p.creating_user = user
    return p


def fresh_guids(project: Project, tmp: Path, salt: str) -> Project:
    """The project with every GUID replaced (consistently), through the canonical JSON."""
    path = tmp / f"guids-{salt}.json"
    api.write(project, path)
    text = _GUID.sub(lambda m: str(uuid.uuid5(uuid.NAMESPACE_URL, salt + m.group().lower())), path.read_text("utf-8"))
    path.write_text(text, "utf-8")
    return api.read(path)


def edit_sentence(project: Project, source_name: str, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in one source, in place; selections after it move with the text,
    a selection over it grows or shrinks with it."""
    src = next(s for s in project.sources.values() if s.name == source_name)
    text = src.text
    at = text.index(old)
    delta = len(new) - len(old)
    src.text = text[:at] + new + text[at + len(old):]
    for sel in src.selections:
        if sel.start >= at + len(old):
            sel.start += delta
        if sel.end >= at + len(old):
            sel.end += delta


def to_lf(project: Project) -> None:
    """CRLF → LF in every source text, in place, positions kept on the same characters."""
    for src in project.sources.values():
        text = src.text
        if not text or "\r\n" not in text:
            continue
        for sel in src.selections:
            if sel.start is not None:
                sel.start -= text.count("\r\n", 0, sel.start)
                sel.end -= text.count("\r\n", 0, sel.end)
        src.text = text.replace("\r\n", "\n")
