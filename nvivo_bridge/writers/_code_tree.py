"""The code tree in writing order, shared by the REFI-QDA writers (.qde/.qdpx and .qdc), so that
both nest exactly as deep as the readers accept (:data:`~nvivo_bridge.model.MAX_CODE_DEPTH`)."""
from __future__ import annotations

from typing import Any, Iterator

from ..model import MAX_CODE_DEPTH

__all__ = ["code_tree"]


def code_tree(project: Any, diag: Any) -> Iterator[tuple[str, str, int]]:
    """The code tree in writing order, shared by the .qde and .qdc writers: ``("open", guid,
    level)`` for a code with children written inside it, ``("leaf", guid, level)`` for one
    written whole, ``("close", guid, level)`` after an opened code's children.

    Iterative, so every depth up to :data:`~nvivo_bridge.model.MAX_CODE_DEPTH` (the readers'
    limit) is nested as it is; codes below it are written at that level, under the deepest
    ancestor that fits (warning ``code-too-deep``); codes whose parents form a cycle are written at
    the top (warning ``code-cycle``)."""
    index = project.children_index()
    done: set[str] = set()
    flattened = 0
    for top, cyclic in [(g, False) for g in index.get(None, [])] + [(g, True) for g in project.codes]:
        if top in done:
            continue
        if cyclic:
            diag.warn("code-cycle", "a code whose parents form a cycle is written at the top level",
                      f"code {project.codes[top].name}")
        stack: list[tuple[str, Iterator[str], int]] = []
        pending = [(top, 1)]
        while pending or stack:
            if pending:
                guid, level = pending.pop()
                done.add(guid)
                children = [c for c in index.get(guid, []) if c not in done]
                if children and level < MAX_CODE_DEPTH:
                    yield "open", guid, level
                    stack.append((guid, iter(children), level))
                elif children:  # the deepest level: the code's subtree follows it, flat
                    yield "leaf", guid, level
                    below = [c for c in _subtree(index, children, done)]
                    flattened += len(below)
                    for c in below:
                        done.add(c)
                        yield "leaf", c, level
                else:
                    yield "leaf", guid, level
                continue
            guid, it, level = stack[-1]
            child = next((c for c in it if c not in done), None)
            if child is None:
                stack.pop()
                yield "close", guid, level
            else:
                pending.append((child, level + 1))
    if flattened:
        diag.warn("code-too-deep", f"{flattened} code(s) lie deeper than {MAX_CODE_DEPTH} levels, the most a "
                  f"REFI-QDA file holds; they were written at level {MAX_CODE_DEPTH}, after their ancestor there")


def _subtree(index: dict, children: list, done: set) -> Iterator[str]:
    """Every code below ``children`` (depth first, in order), iteratively."""
    stack = list(reversed(children))
    seen: set[str] = set()
    while stack:
        g = stack.pop()
        if g in done or g in seen:
            continue
        seen.add(g)
        yield g
        stack.extend(reversed(index.get(g, [])))
