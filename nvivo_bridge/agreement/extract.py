"""From a project to flat arrays of coded intervals on one global axis, in one pass.

Every measurable thing a coder can select is laid out as a *space*: the characters of a text
(or of a PDF's text representation), the milliseconds of an audio/video file, or the area of a
picture / of a PDF's pages.  Spaces are placed end to end on one integer axis (``offset``), so a
coding becomes an interval ``[offset + start, offset + end)`` and all counting is interval
arithmetic over a few numpy arrays (no object per character, see :mod:`.intervals`).

Areas are made one-dimensional without losing exactness (see :mod:`.areas`).
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

import numpy as np

from ..errors import Diagnostics, UsageError
from ..model import Project, Source, norm_guid
from . import areas

__all__ = ["Spaces", "Extract", "extract", "UNKNOWN_CODER"]

UNKNOWN_CODER = "(unknown coder)"


@dataclass
class Spaces:
    """The measurable spaces, in project order: parallel lists."""

    source_guid: list = field(default_factory=list)
    source_name: list = field(default_factory=list)
    unit: list = field(default_factory=list)          # characters | ms | pixels | points
    total: list = field(default_factory=list)         # TU of NVivo's formulas
    offset: list = field(default_factory=list)        # start on the global axis
    grid: list = field(default_factory=list)          # area spaces: (xs, ys) of the compressed grid

    def add(self, guid: str, name: str, unit: str, total: int, grid=None) -> int:
        """Append a space after the last one; return its index."""
        off = (self.offset[-1] + self.total[-1]) if self.offset else 0
        for lst, v in ((self.source_guid, guid), (self.source_name, name), (self.unit, unit),
                       (self.total, int(total)), (self.offset, off), (self.grid, grid)):
            lst.append(v)
        return len(self.offset) - 1

    def __len__(self) -> int:
        return len(self.offset)


@dataclass
class Extract:
    """Every coding of the compared coders as global intervals (``code``, ``coder`` are indexes
    into ``codes``/``coders``), plus ``present[coder, space]``: whether the coder coded anything in
    that space (a coder who never touched a source is *missing* there for Krippendorff's alpha)."""

    spaces: Spaces
    coders: list
    codes: list            # code GUIDs, project order
    code_paths: list
    code: np.ndarray
    coder: np.ndarray
    start: np.ndarray
    end: np.ndarray
    present: np.ndarray
    project: Project


def _coder_names(project: Project) -> dict:
    names = {None: UNKNOWN_CODER}
    for g, u in project.users.items():
        names[g] = u.name or u.id or g
    return names


def pick_coders(found: Sequence[str], wanted: Optional[Sequence[str]], project: Project) -> list:
    """The coders to compare: ``wanted`` (names, ids or GUIDs of users) or every coder found."""
    if not found:
        raise UsageError("the project has no codings, so there is nothing to compare",
                         project.source_file, hint="agreement needs the codings of two or more coders")
    listed = ", ".join(found)
    if wanted:
        aliases = {}
        for g, u in project.users.items():
            for key in (g, u.id, u.name):
                if key:
                    aliases[key] = u.name or u.id or g
        out = []
        for w in wanted:
            name = aliases.get(w, w)
            if name not in found:
                raise UsageError(f"no coder named '{w}' has codings here", project.source_file,
                                 hint=f"coders with codings: {listed}")
            if name not in out:
                out.append(name)
        if len(out) < 2:
            raise UsageError(f"only one coder ({', '.join(out)}) was named; agreement needs two or more",
                             project.source_file, hint=f"coders with codings: {listed}")
        found = out
    if len(found) < 2:
        raise UsageError(f"only one coder ({listed}) has codings; agreement needs two or more",
                         project.source_file, hint="give several inputs, one per coder, or a project two coders coded")
    return list(found)


def _resolve_codes(project: Project, codes: Optional[Iterable[str]], paths: dict) -> Optional[set]:
    if codes is None:
        return None
    by_path = {p: g for g, p in paths.items()}
    out = set()
    for c in codes:
        g = norm_guid(c)
        if g in project.codes:
            out.add(g)
        elif c in by_path:
            out.add(by_path[c])
        else:
            import difflib
            close = difflib.get_close_matches(c, list(by_path), n=3)
            raise UsageError(f"no code '{c}' in the project", project.source_file,
                             hint=("did you mean " + " or ".join(repr(x) for x in close)) if close
                             else "give code paths as in the Codes sheet (Parent/Child) or GUIDs")
    return out


class _Collector:
    """Appends one interval per coding: project-wide code index, coder index, global span, space."""

    def __init__(self, code_index: dict, names: dict) -> None:
        self.code_index, self.names = code_index, names
        self.coder_index: dict = {}
        # array('q') holds 8 bytes an entry where a list of ints holds about 36.
        self.code, self.coder, self.start, self.end, self.space = (array("q") for _ in range(5))

    def add(self, coding, space: int, a: int, b: int) -> None:
        ci = self.code_index.get(coding.code)
        if ci is None or b <= a:
            return
        name = self.names.get(coding.creating_user, coding.creating_user)
        k = self.coder_index.get(name)
        if k is None:
            k = self.coder_index[name] = len(self.coder_index)
        self.code.append(ci)
        self.coder.append(k)
        self.start.append(a)
        self.end.append(b)
        self.space.append(space)


def _expansion(project: Project, scope: Optional[set], aggregate: bool) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """Codes compared (project order) and a table: project code index → (compared code index, own?).

    Returned as ``(codes, src, dst, own)`` arrays sorted by ``src``: a coding at project code
    ``src`` counts for compared code ``dst`` (itself, or with ``aggregate`` an ancestor)."""
    proj = list(project.codes)
    codes = [g for g in proj if scope is None or g in scope]
    index = {g: i for i, g in enumerate(codes)}
    src, dst, own = [], [], []
    for p, g in enumerate(proj):
        if g in index:
            src.append(p), dst.append(index[g]), own.append(True)
        if aggregate:
            for a in project.ancestors(g):
                if a.guid in index:
                    src.append(p), dst.append(index[a.guid]), own.append(False)
    return (codes, np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64),
            np.asarray(own, dtype=bool))


def _source(src: Source, spaces: Spaces, col: _Collector, diag: Diagnostics) -> None:
    whole, text_items, media, regions, other = [], [], [], [], 0
    for c in src.codings:
        whole.append(c)
    for sel in src.all_selections():
        if not sel.codings:
            continue
        kind = sel.kind
        for c in sel.codings:
            if kind == "text" and sel.start is not None and sel.end is not None:
                text_items.append((sel.start, sel.end, c))
            elif kind in ("audio", "video") and sel.start is not None and sel.end is not None:
                media.append((sel.start, sel.end, c))
            elif kind in ("picture", "pdf"):
                regions.append((sel, c))
            else:
                other += 1
    text = src.text
    mine = []
    if text is not None and (src.kind == "text" or text_items or not (media or regions)):
        n = len(text)
        sp = spaces.add(src.guid, src.name or src.guid, "characters", n)
        mine.append(sp)
        off = spaces.offset[sp]
        for a, b, c in text_items:
            col.add(c, sp, off + max(0, min(a, n)), off + max(0, min(b, n)))
        if any(b > n for _, b, _ in text_items):
            diag.warn("agreement-clipped", f"codings past the end of '{src.name}' were cut at its {n} characters",
                      src.name)
    elif text_items:
        other += len(text_items)
    if media:
        total = max(b for _, b, _ in media)
        diag.warn("agreement-duration-estimated", f"the duration of '{src.name}' is not in the project: its units "
                  f"are the milliseconds up to the last coded one ({total})", src.name)
        sp = spaces.add(src.guid, src.name or src.guid, "ms", total)
        mine.append(sp)
        off = spaces.offset[sp]
        for a, b, c in media:
            col.add(c, sp, off + max(0, a), off + b)
    if regions:
        before = len(spaces)
        areas.regions(src, spaces, col, regions, diag)
        mine.extend(range(before, len(spaces)))
    for c in whole:
        for sp in mine:
            col.add(c, sp, spaces.offset[sp], spaces.offset[sp] + spaces.total[sp])
    lost = other + (len(whole) if not mine else 0)
    if lost:
        diag.warn("agreement-not-counted", f"{lost} coding(s) of '{src.name}' have no units to count (no text, "
                  "no positions, or a transcript span) and are left out", src.name)


def extract(project: Project, *, coders: Optional[Sequence[str]] = None, codes: Optional[Iterable[str]] = None,
            aggregate: bool = False, diag: Optional[Diagnostics] = None) -> tuple[Extract, np.ndarray]:
    """Lay out ``project``'s codings as global intervals.

    Returns the extract and its ``own`` mask: False for the copies that ``aggregate`` adds at a
    coding's compared ancestors (Krippendorff's alpha per domain uses own codings only)."""
    diag = diag if diag is not None else Diagnostics()
    paths = project.code_paths()
    scope = _resolve_codes(project, codes, paths)
    spaces = Spaces()
    col = _Collector({g: i for i, g in enumerate(project.codes)}, _coder_names(project))
    for src in project.sources.values():
        _source(src, spaces, col, diag)
    found = list(col.coder_index)
    chosen = pick_coders(found, coders, project)
    raw_code = np.frombuffer(col.code, dtype=np.int64)
    remap = np.full(max(len(found), 1), -1, dtype=np.int64)
    for i, name in enumerate(chosen):
        remap[col.coder_index[name]] = i
    coder = remap[np.frombuffer(col.coder, dtype=np.int64)] if len(col.coder) else np.zeros(0, dtype=np.int64)
    space = np.frombuffer(col.space, dtype=np.int64)
    start, end = np.frombuffer(col.start, dtype=np.int64), np.frombuffer(col.end, dtype=np.int64)
    # A coder is present in a space when they coded anything there, at any code.
    present = np.zeros((len(chosen), len(spaces)), dtype=bool)
    keep = coder >= 0
    present[coder[keep], space[keep]] = True
    raw_code, coder, start, end = raw_code[keep], coder[keep], start[keep], end[keep]
    code_list, e_src, e_dst, e_own = _expansion(project, scope, aggregate)
    if len(e_src) == len(project.codes) and not aggregate:
        # Every code compared as itself: the join below would only copy the arrays.
        ex = Extract(spaces, chosen, code_list, [paths[g] for g in code_list], raw_code, coder, start, end,
                     present, project)
        return ex, np.ones(len(raw_code), dtype=bool)
    # Each interval is repeated once per compared code it counts for (itself and, with
    # aggregate, its compared ancestors): a vectorised join on the expansion table.
    lo = np.searchsorted(e_src, raw_code, side="left")
    hi = np.searchsorted(e_src, raw_code, side="right")
    n = hi - lo
    rows = np.repeat(np.arange(len(raw_code)), n)
    pick = np.repeat(lo - np.concatenate(([0], np.cumsum(n)[:-1])), n) + np.arange(int(n.sum()))
    ex = Extract(spaces, chosen, code_list, [paths[g] for g in code_list], e_dst[pick], coder[rows],
                 start[rows], end[rows], present, project)
    return ex, e_own[pick]
