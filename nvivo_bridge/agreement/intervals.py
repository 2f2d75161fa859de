"""Interval arithmetic on numpy arrays: unions per group, lengths, elementary pieces.

Everything here works on whole arrays at once (sorting, running maxima, cumulative sums), so
counting 200,000 codings costs a few vectorised passes and never an object per character.
"""
from __future__ import annotations

import numpy as np

__all__ = ["merge", "group_lengths", "pieces"]


def merge(group: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The union of the intervals of each group: disjoint, sorted ``(group, start, end)``.

    Overlapping intervals of one group become one, so a character selected twice by the same
    coder at the same code counts once.  Intervals that only touch stay apart: the end of one
    source's text touches the start of the next one's on the global axis, and a union must never
    cross from one source into another."""
    if len(group) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order = np.lexsort((start, group))
    g, s, e = group[order], start[order], end[order]
    # A running maximum of the ends that restarts at each group: groups are sorted, so adding
    # group * big keeps every earlier group's values below the current group's.
    big = int(e.max()) + 1
    run = np.maximum.accumulate(g * big + e) - g * big
    new = np.ones(len(g), dtype=bool)
    new[1:] = (g[1:] != g[:-1]) | (s[1:] >= run[:-1])
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, len(g) - 1)
    return g[first], s[first], run[last]


def group_lengths(group: np.ndarray, start: np.ndarray, end: np.ndarray, n_groups: int) -> np.ndarray:
    """Total length per group of disjoint intervals (int64, exact)."""
    out = np.zeros(n_groups, dtype=np.int64)
    np.add.at(out, group, end - start)
    return out


def pieces(start: np.ndarray, end: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
           ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Cut the axis at every boundary of ``start``/``end`` into elementary pieces and give, per
    layer, the sum of the values of the intervals covering each piece.

    ``layers`` are ``(start, end, value, _)`` arrays of disjoint-or-not intervals whose bounds are
    among the cut points; returns ``(piece_start, piece_end, sums)`` with one uint64 array per
    layer (sums wrap around, which is what a set hash wants)."""
    bounds = np.unique(np.concatenate([start, end]))
    if len(bounds) < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, [np.zeros(0, dtype=np.uint64) for _ in layers]
    sums = []
    for s, e, v, _ in layers:
        diff = np.zeros(len(bounds), dtype=np.uint64)
        i0 = np.searchsorted(bounds, s)
        i1 = np.searchsorted(bounds, e)
        np.add.at(diff, i0, v)
        np.subtract.at(diff, i1, v)
        sums.append(np.cumsum(diff, dtype=np.uint64)[:-1])
    return bounds[:-1], bounds[1:], sums
