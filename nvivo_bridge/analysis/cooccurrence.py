"""Code co-occurrence: which codes are applied to overlapping passages of the same source.

Definitions (also in ``docs/analysis.md``):

* A **segment** of a code is a distinct coded place at it: a text span (source, start, end) in
  code points, an audio/video span in milliseconds, or, for places without positions (PDF and
  picture regions, transcript spans, whole sources), the region itself.  The same span coded
  twice at one code (two coders, or NVivo's one selection per coding) is one segment.
* Two segments **overlap** when they are in the same source and share at least one position:
  ``a.start < b.end and b.start < a.end``.  Touching spans (``a.end == b.start``) do not.
  Regions without positions overlap only when they are the same region.
* **count** (A, B): the overlapping pairs (segment of A, segment of B).  One selection coded at
  both codes is one pair.  The diagonal of the matrix holds each code's number of segments.
* **jaccard** (A, B): of the distinct passages (spans) coded at A or at B, the share that
  overlaps a passage of the other code — ``|co-coded| / |spans of A ∪ spans of B|``, between
  0 and 1; a span coded at both codes counts once.
* **sources**, **cases**: distinct sources, and cases of those sources, holding such a pair.

Only direct coding counts (a parent code is not credited with its children's segments).  The
pairs are found by a sweep over each source's segments sorted by start, holding only the
segments still open: time is linear in the codings plus the pairs found, never all pairs.
"""
from __future__ import annotations

import heapq
from typing import Optional

import numpy as np
import pandas as pd

from ..sheets._context import Context
from ..sheets._values import unique_names
from ._spread import distinct, factorize, ragged, spread

__all__ = ["Cooccurrence", "cooccurrence", "cooccurrence_matrix", "cooccurrence_long", "overlap_pairs",
           "LONG_COLUMNS"]

LONG_COLUMNS = ["code_a", "code_b", "count", "jaccard", "sources", "cases"]
_POSITIONAL = ("text", "audio", "video")


def overlap_pairs(group: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(i, j)`` of every pair of items in the same group whose ``[start, end)`` ranges
    overlap, by a sweep over the items sorted by (group, start): each item is paired with the
    items still open at its start (a heap by end drops the closed ones).  Groups are swept one at
    a time, so only one group's items are ever Python objects."""
    order = np.lexsort((end, start, group))
    ordered = group[order]
    bounds = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    out_i: list[int] = []
    out_j: list[int] = []
    push, pop = heapq.heappush, heapq.heappop
    for rows in np.split(order, bounds) if len(order) else ():
        active: list[tuple[int, int]] = []
        for k, s, e in zip(rows.tolist(), start[rows].tolist(), end[rows].tolist()):
            while active and active[0][0] <= s:
                pop(active)
            for _end, other in active:
                out_i.append(other)
                out_j.append(k)
            push(active, (max(e, s + 1), k))  # an empty span still holds its one position
    return np.array(out_i, dtype=np.int64), np.array(out_j, dtype=np.int64)


class Cooccurrence:
    """The co-occurrence of every pair of codes (positions in ``ctx.codes``): ``pairs`` (code a <
    code b, sorted) with ``count``, ``jaccard``, ``sources`` and ``cases``; ``segments`` per code."""

    def __init__(self, n_codes: int) -> None:
        self.n_codes = n_codes
        self.segments = np.zeros(n_codes, dtype=np.int64)
        self.code_a = np.zeros(0, dtype=np.int64)
        self.code_b = np.zeros(0, dtype=np.int64)
        self.count = np.zeros(0, dtype=np.int64)
        self.jaccard = np.zeros(0, dtype=np.float64)
        self.sources = np.zeros(0, dtype=np.int64)
        self.cases = np.zeros(0, dtype=np.int64)


def _places(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per coding: the group it can overlap within (source and kind, plus the region for places
    without positions) and its ``[start, end)``, built as arrays (no Python object per coding)."""
    idx = ctx.index
    n = len(idx)
    kinds = factorize(idx.kind)
    names = list(dict.fromkeys(idx.kind))
    start = np.fromiter((-1 if v is None else v for v in idx.start), dtype=np.int64, count=n)
    end = np.fromiter((-1 if v is None else v for v in idx.end), dtype=np.int64, count=n)
    positional = (np.isin(kinds, [k for k, name in enumerate(names) if name in _POSITIONAL])
                  & (start >= 0) & (end >= 0))
    start[~positional], end[~positional] = 0, 1
    group = ctx.source_pos * max(len(names), 1) + kinds
    other = np.flatnonzero(~positional)
    if len(other):
        # a transcript span without its own text is told apart by its selection only
        regions = factorize([(src, idx.kind[k], idx.selection_guid[k] if idx.kind[k] == "transcript" else idx.text[k])
                             for src, k in zip(ctx.source_pos[other].tolist(), other.tolist())])
        group[other] = int(group.max()) + 1 + regions
    return group, start, end


def cooccurrence(ctx: Context) -> Cooccurrence:
    """Count co-occurring segments for every pair of codes (see the module doc)."""
    n_codes = len(ctx.codes)
    res = Cooccurrence(n_codes)
    if not len(ctx.index) or not n_codes:
        return res
    group, start, end = _places(ctx)
    # distinct segments: (code, group, start, end); spans: (group, start, end) whatever the code
    span_key = np.lexsort((end, start, group))
    span = np.empty(len(group), dtype=np.int64)
    changed = np.zeros(len(group), dtype=bool)
    for key in (group, start, end):
        o = key[span_key]
        changed[1:] |= o[1:] != o[:-1]
    changed[0] = True
    span[span_key] = np.cumsum(changed) - 1
    n_span = int(span.max()) + 1
    seg = distinct(ctx.code_pos * n_span + span)
    seg_code, seg_span = seg // n_span, seg % n_span
    res.segments = np.bincount(seg_code, minlength=n_codes).astype(np.int64)
    # one representative coding per span, for its group, start, end and source
    rep = np.empty(n_span, dtype=np.int64)
    rep[span] = np.arange(len(span))
    i, j = overlap_pairs(group[rep][seg_span], start[rep][seg_span], end[rep][seg_span])
    ca, cb = seg_code[i], seg_code[j]
    keep = ca != cb
    i, j, ca, cb = i[keep], j[keep], ca[keep], cb[keep]
    swap = ca > cb
    a, b = np.where(swap, cb, ca), np.where(swap, ca, cb)
    pair = a * n_codes + b
    keys, counts = np.unique(pair, return_counts=True)
    if not len(keys):
        return res
    at = np.searchsorted(keys, pair)
    # co-coded spans per pair (each side's span once), and spans coded at both codes
    sa, sb = seg_span[i], seg_span[j]
    co = np.bincount(distinct(np.concatenate([at * n_span + sa, at * n_span + sb])) // n_span, minlength=len(keys))
    same = np.bincount(at[sa == sb], minlength=len(keys))
    res.code_a, res.code_b, res.count = keys // n_codes, keys % n_codes, counts.astype(np.int64)
    union = res.segments[res.code_a] + res.segments[res.code_b] - same
    res.jaccard = co / np.maximum(union, 1)
    src = ctx.source_pos[rep][sa]
    n_src = max(len(ctx.project.sources), 1)
    ps = distinct(at * n_src + src)
    res.sources = np.bincount(ps // n_src, minlength=len(keys)).astype(np.int64)
    case_at = {g: k for k, g in enumerate(ctx.project.cases)}
    first, flat = ragged([[case_at[c] for c in ctx.index.source_cases.get(s, ()) if c in case_at]
                          for s in ctx.project.sources])
    which, case = spread(ps % n_src, first, flat)
    n_case = max(len(case_at), 1)
    pc = distinct((ps // n_src)[which] * n_case + case)
    res.cases = np.bincount(pc // n_case, minlength=len(keys)).astype(np.int64)
    return res


def _paths(ctx: Context) -> list[str]:
    return [ctx.paths[c.guid] for c in ctx.codes]


def cooccurrence_matrix(ctx: Context, co: Optional[Cooccurrence] = None) -> pd.DataFrame:
    """``Co-occurrence``: code × code, the count of overlapping segment pairs (symmetric); the
    diagonal holds each code's number of segments."""
    co = co if co is not None else cooccurrence(ctx)
    n = co.n_codes
    m = np.zeros((n, n), dtype=np.int64)
    m[co.code_a, co.code_b] = co.count
    m[co.code_b, co.code_a] = co.count
    m[np.arange(n), np.arange(n)] = co.segments
    paths = _paths(ctx)
    df = pd.DataFrame(m, columns=unique_names(paths, taken=["code_path"]))
    df.insert(0, "code_path", pd.Series(paths, dtype="str"))
    return df


def cooccurrence_long(ctx: Context, co: Optional[Cooccurrence] = None) -> pd.DataFrame:
    """``Co-occurrence long``: one row per pair of codes that co-occur (code_a before code_b in
    the code tree's order), for network tools: code_a, code_b, count, jaccard, sources, cases."""
    co = co if co is not None else cooccurrence(ctx)
    paths = np.array(_paths(ctx), dtype=object)
    return pd.DataFrame({
        "code_a": pd.Series(paths[co.code_a].tolist(), dtype="str"),
        "code_b": pd.Series(paths[co.code_b].tolist(), dtype="str"),
        "count": co.count, "jaccard": np.round(co.jaccard, 6), "sources": co.sources, "cases": co.cases,
    }, columns=LONG_COLUMNS)
