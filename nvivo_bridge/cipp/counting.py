"""Counting references, sources, cases and words per code and per CIPP component.

Built on :mod:`nvivo_bridge.coding_index` in one pass.  A *segment* is a distinct coded place
(source, kind, start, end — or the locator/excerpt when positions are unknown).  A *unit* is what
one reference counts: the segment (coder dedupe on), or the segment per coder (dedupe off, as
NVivo counts).  A *reference* of a code is a distinct (code, unit) pair.  Aggregated counts are
unions of units over a subtree, component totals unions over the component's codes, and the
grand total the union over every kept component — all deduplicated.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ..coding_index import CodingIndex, build_index
from ..errors import UsageError
from ..model import Project
from .assign import Assignment

__all__ = ["Counts", "count", "sorted_units"]


def _ints() -> array:
    return array("q")


@dataclass
class Counts:
    """Per-reference, per-unit and per-code tables (parallel sequences indexed by reference/unit id).

    Integer columns are ``array("q")``: 8 bytes an entry where a list of ints took 36 (at 200,000
    codings the lists and sets of ints were about 60 MB of cipp's peak).  A code's ``direct``
    references and ``aggregated`` units are arrays too, the units sorted and distinct."""

    index: CodingIndex
    n_raw: int = 0
    n_segments: int = 0
    # per unit
    unit_source: list = field(default_factory=list)
    unit_cases: list = field(default_factory=list)
    unit_words: array = field(default_factory=_ints)
    unit_entry: array = field(default_factory=_ints)
    unit_segment: array = field(default_factory=_ints)
    # per reference (code, unit)
    ref_code: list = field(default_factory=list)
    ref_unit: array = field(default_factory=_ints)
    ref_entries: list = field(default_factory=list)
    # per code
    direct: dict = field(default_factory=dict)       # code → array of its references
    aggregated: dict = field(default_factory=dict)   # code → sorted array of its subtree's units
    seg_codes: list = field(default_factory=list)   # per segment: its code, or a list of codes
    overlaps: list = field(default_factory=list)
    multi_coder: list = field(default_factory=list)
    dropped_case_codings: int = 0

    def stats(self, units: Iterable[int]) -> tuple[int, set, set, int]:
        """``(references, sources, cases, words)`` of a collection of distinct units."""
        n = 0
        sources: set = set()
        cases: set = set()
        words = 0
        src, cs, wd = self.unit_source, self.unit_cases, self.unit_words
        for u in units:
            n += 1
            sources.add(src[u])
            cases.update(cs[u])
            words += wd[u]
        return n, sources, cases, words

    def entries(self, r: int) -> Any:
        """The index entries (codings) of reference ``r`` — stored as one int when there is one,
        as most references have: a list per reference cost 15 MB at 200,000 codings."""
        x = self.ref_entries[r]
        return (x,) if x.__class__ is int else x

    def codes_on(self, seg: int) -> Any:
        """The codes of the references on segment ``seg`` (a code once per reference)."""
        x = self.seg_codes[seg]
        return (x,) if x.__class__ is str else x

    def excerpt(self, e: int) -> Optional[str]:
        """The text of index entry ``e``: the index keeps no copy of text excerpts (at 200,000
        codings they were a second copy of the texts), so they are cut from the source here."""
        t = self.index.text[e]
        if t is None and self.sources is not None:
            sel = self.index.selection[e]
            if sel is not None:
                return self.sources[self.index.source_guid[e]].excerpt(sel)
        return t

    def coders(self, g: str) -> list[str]:
        """Distinct coder names of the references of code ``g`` and its subcodes, sorted."""
        names = set()
        coder = self.index.coder
        for r in self.aggregated_refs.get(g, ()):
            for e in self.entries(r):
                names.add(coder[e] or "(unknown)")
        return sorted(names)

    aggregated_refs: dict = field(default_factory=dict)   # code → array of its subtree's references
    sources: Optional[dict] = None   # project.sources, to cut excerpts (see excerpt)


def _segment_key(idx: CodingIndex, i: int) -> tuple:
    start = idx.start[i]
    if start is not None:
        return (idx.source_guid[i], idx.kind[i], start, idx.end[i])
    kind = idx.kind[i]
    text = idx.text[i]
    if kind == "transcript" and (text is None or text == "transcript span"):
        return (idx.source_guid[i], kind, idx.selection_guid[i])
    return (idx.source_guid[i], kind, text)


def count(project: Project, a: Assignment, coder: Optional[str] = None, coder_dedupe: bool = True) -> Counts:
    """Index and count every coding of ``project`` at the codes kept by ``a`` (excluded codes and
    cases-as-codes are left out)."""
    if coder is not None:
        known = {u.name for u in project.users.values()} | {u.id for u in project.users.values()} | set(project.users)
        if coder not in known:
            raise UsageError(f"no coder named '{coder}'", project.source_file,
                             hint="coders in this project: " + (", ".join(sorted(
                                 u.name or u.id or g for g, u in project.users.items())) or "none"))
    idx = build_index(project, coder, excerpts=False)
    c = Counts(index=idx, sources=project.sources)
    excluded = {g for g, comps in a.components.items() if comps == ("exclude",)}
    case_codes = set(a.case_codes)
    # A segment, and so a unit and a reference, belongs to one source, and the index lists the
    # codings source by source: the lookups that make them distinct are kept for the current
    # source only (at 200,000 codings they would hold about 130 MB at once).
    current: object = object()
    seg_ids: dict[tuple, int] = {}
    unit_ids: dict = {}
    ref_ids: dict[tuple, int] = {}
    seg_coders: dict[tuple, object] = {}   # (code, segment) -> its coder, or a set once there are several
    n_segments = n_units = 0
    words_of = _words
    for i in range(len(idx)):
        g = idx.code_guid[i]
        if g in case_codes:
            c.dropped_case_codings += 1
            continue
        if g in excluded or g not in a.path:
            continue
        c.n_raw += 1
        if idx.source_guid[i] != current:
            current = idx.source_guid[i]
            _add_multi_coder(c, seg_coders)
            seg_ids, unit_ids, ref_ids, seg_coders = {}, {}, {}, {}
        key = _segment_key(idx, i)
        seg = seg_ids.get(key)
        if seg is None:
            seg = seg_ids[key] = n_segments
            n_segments += 1
        who = idx.coder[i]
        ukey = seg if coder_dedupe else (seg, who)
        unit = unit_ids.get(ukey)
        if unit is None:
            unit = unit_ids[ukey] = n_units
            n_units += 1
            c.unit_source.append(idx.source_guid[i])
            c.unit_cases.append(idx.cases[i])
            c.unit_words.append(words_of(c.excerpt(i)) if idx.kind[i] == "text" else 0)
            c.unit_entry.append(i)
            c.unit_segment.append(seg)
        rkey = (g, unit)
        ref = ref_ids.get(rkey)
        if ref is None:
            ref = ref_ids[rkey] = len(c.ref_code)
            c.ref_code.append(g)
            c.ref_unit.append(unit)
            c.ref_entries.append(i)
            refs = c.direct.get(g)
            if refs is None:
                refs = c.direct[g] = array("q")
            refs.append(ref)
            if seg == len(c.seg_codes):
                c.seg_codes.append(g)
            elif c.seg_codes[seg].__class__ is str:
                c.seg_codes[seg] = [c.seg_codes[seg], g]
            else:
                c.seg_codes[seg].append(g)
        else:
            x = c.ref_entries[ref]
            if x.__class__ is int:
                c.ref_entries[ref] = [x, i]
            else:
                x.append(i)
        # One coder is stored as itself; a set is made only when a second one codes the segment.
        skey = (g, seg)
        seen = seg_coders.get(skey, seg_coders)
        if seen is seg_coders:
            seg_coders[skey] = who
        elif isinstance(seen, set):
            seen.add(who)
        elif seen != who:
            seg_coders[skey] = {seen, who}
    _add_multi_coder(c, seg_coders)
    c.n_segments = n_segments
    _aggregate(c, a)
    c.overlaps = _overlaps(c, idx)
    return c


def _add_multi_coder(c: Counts, seg_coders: dict) -> None:
    """Add the (code, segment) pairs of one source that several coders coded to ``c.multi_coder``."""
    c.multi_coder.extend((g, seg, sorted(w or "(unknown)" for w in who))
                         for (g, seg), who in seg_coders.items() if isinstance(who, set))


def _words(text: Optional[str]) -> int:
    return len(text.split()) if text else 0


def _aggregate(c: Counts, a: Assignment) -> None:
    """Units (and references) per code over its subtree, children before parents."""
    ref_unit = c.ref_unit
    for g in reversed(a.order):
        refs = array("q", c.direct.get(g, ()))
        units = {ref_unit[r] for r in refs}
        for child in a.children.get(g, ()):
            units.update(c.aggregated.get(child, ()))
            refs.extend(c.aggregated_refs.get(child, ()))
        c.aggregated[g] = array("q", sorted(units))  # sorted_units, without copying the set
        c.aggregated_refs[g] = refs


def sorted_units(units: Iterable[int]) -> array:
    """A collection of units as the sorted array of its distinct members (how counts keep them)."""
    return array("q", sorted(set(units)))


def _overlaps(c: Counts, idx: CodingIndex) -> list[tuple[str, str, int, int, int, int]]:
    """Pairs of different spans at the same code and source, by the same coder, that overlap.

    References are numbered source by source, so the spans are gathered and checked one source
    at a time (all at once they were 40 MB at 200,000 codings)."""
    out: list = []
    groups: dict[tuple, list[tuple[int, int]]] = {}
    current: object = None
    for r, g in enumerate(c.ref_code):
        for e in c.entries(r):
            src = idx.source_guid[e]
            if src != current:
                _flush_overlaps(groups, out)
                groups, current = {}, src
            if idx.kind[e] == "text" and idx.start[e] is not None:
                groups.setdefault((g, src, idx.coder[e]), []).append((idx.start[e], idx.end[e]))
    _flush_overlaps(groups, out)
    return out


def _flush_overlaps(groups: dict, out: list) -> None:
    for (g, src, _who), spans in groups.items():
        if len(spans) < 2:
            continue
        spans = sorted(set(spans))
        far_start, far_end = spans[0]
        for s, e in spans[1:]:
            if s < far_end:
                out.append((g, src, far_start, far_end, s, e))
            if e > far_end:
                far_start, far_end = s, e
