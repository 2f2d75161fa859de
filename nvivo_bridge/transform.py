"""Model-level transforms that prepare a project for a writer.

:func:`materialize_excerpts` is what makes a project read from NVivo's own exports (no source
texts, no positions: only coded excerpts) writable as REFI-QDA ``.qdpx``.  For each source
without text it builds a plain text by joining the source's coded excerpts, in order, separated
by a blank line, each distinct excerpt once, and sets every text selection's code-point
``start``/``end`` into that text.  The text is not the original document: the source description
says so, and a ``text-reconstructed`` warning is reported.  Non-text references (PDF regions,
picture regions, media spans) have no text; they become a bracketed locator line such as
``[Page 1 : (100,58) - (473,108)]`` so their codings survive, and the source becomes a text source.

The input project is not changed: sources and selections are copied (codings are shared).
"""
from __future__ import annotations

import dataclasses
from typing import Optional

from .errors import Diagnostics
from .model import Project, Selection, Source

__all__ = ["materialize_excerpts", "RECONSTRUCTED_NOTE", "SEPARATOR"]

SEPARATOR = "\n\n"
RECONSTRUCTED_NOTE = ("Text reconstructed by nvivo-bridge from the coded excerpts in NVivo's exports only "
                      "(each distinct excerpt once, separated by blank lines); it is not the full document.")


def _locator(sel: Selection) -> str:
    """The bracketed placeholder line for a non-text selection."""
    loc = sel.extras.get("nvivo:locator")
    if not loc:
        if sel.kind in ("audio", "video"):
            loc = f"{sel.kind} {sel.start} ms - {sel.end} ms"
        else:
            page = f"Page {sel.page} : " if sel.page is not None else ""
            loc = f"{page}({sel.first_x},{sel.first_y}) - ({sel.second_x},{sel.second_y})"
    return f"[{loc}]"


def _as_text_selection(sel: Selection) -> Selection:
    """A copy of a region/media selection turned into a text selection holding its locator line
    (plus any text NVivo printed under the locator)."""
    new = dataclasses.replace(sel, kind="text", page=None, first_x=None, first_y=None, second_x=None,
                              second_y=None, start=None, end=None, extras=dict(sel.extras))
    new.extras["nvivo:original_kind"] = sel.kind
    new.text = _locator(sel) + (("\n" + sel.text) if sel.text else "")
    return new


def _rebuild(src: Source) -> tuple[Source, int]:
    """A copy of ``src`` with a text built from its excerpts; returns it and the placeholder count."""
    parts: list[str] = []
    length = 0
    placed: dict[str, tuple[int, int]] = {}
    selections: list[Selection] = []
    placeholders = 0
    for sel in src.selections:
        if sel.kind != "text":
            sel = _as_text_selection(sel)
            placeholders += 1
        else:
            sel = dataclasses.replace(sel, extras=dict(sel.extras))
        excerpt = sel.text or ""
        span = placed.get(excerpt)
        if span is None:
            if excerpt:
                if parts:
                    parts.append(SEPARATOR)
                    length += len(SEPARATOR)
                parts.append(excerpt)
                span = (length, length + len(excerpt))
                length += len(excerpt)
            else:
                span = (length, length)  # an empty reference: zero-length, at the current end
            placed[excerpt] = span
        sel.start, sel.end = span
        selections.append(sel)
    note = RECONSTRUCTED_NOTE if not src.description else src.description + "\n\n" + RECONSTRUCTED_NOTE
    new = dataclasses.replace(src, text="".join(parts), kind="text", selections=selections, description=note,
                              extras=dict(src.extras))
    if src.kind != "text":
        new.extras["nvivo:original_kind"] = src.kind
    new.extras["nvivo:text_reconstructed"] = True
    return new, placeholders


def _locate(src: Source, diag: Diagnostics) -> Optional[Source]:
    """For a source that has text: find unpositioned excerpts in it (a copy, or ``None`` if nothing to do)."""
    todo = [s for s in src.selections if s.kind == "text" and s.start is None and s.text]
    if not todo:
        return None
    selections = []
    for sel in src.selections:
        if sel.kind == "text" and sel.start is None and sel.text:
            at = src.text.find(sel.text)
            sel = dataclasses.replace(sel)
            if at >= 0:
                sel.start, sel.end = at, at + len(sel.text)
            else:
                diag.warn("excerpt-not-found", "a coded excerpt is not in the source text; its position stays unknown",
                          src.name)
        selections.append(sel)
    return dataclasses.replace(src, selections=selections)


def materialize_excerpts(project: Project, diag: Diagnostics) -> Project:
    """A copy of ``project`` in which every coded excerpt has code-point positions (see module doc)."""
    sources: dict[str, Source] = {}
    rebuilt = placeholders = located = 0
    for guid, src in project.sources.items():
        if src.text is None and src.file is None and src.selections:
            sources[guid], n = _rebuild(src)
            rebuilt += 1
            placeholders += n
        elif src.text is not None:
            found = _locate(src, diag)
            located += found is not None
            sources[guid] = found or src
        else:
            sources[guid] = src
    if not rebuilt and not located:
        return project
    out = dataclasses.replace(project, sources=sources, extras=dict(project.extras))
    if not rebuilt:
        return out
    out.position_unit = "codepoint"
    out.extras["nvivo:positions"] = "reconstructed"
    diag.warn("text-reconstructed", f"{rebuilt} source text(s) rebuilt from coded excerpts only: they are not "
              "the full documents, and positions refer to the rebuilt texts")
    if placeholders:
        diag.warn("region-as-placeholder", f"{placeholders} PDF/picture/media reference(s) have no text and "
                  "became bracketed locator lines in the rebuilt texts")
    return out
