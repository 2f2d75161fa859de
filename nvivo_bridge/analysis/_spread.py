"""Small integer-array helpers shared by the matrices: counting over (row, group) pairs spread
over ragged lists (a source's cases, a case's attribute value) in C rather than per row."""
from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["ragged", "spread", "distinct", "factorize"]


def factorize(values: Sequence) -> np.ndarray:
    """One integer per value, equal values getting equal integers (0 for the first seen)."""
    ids: dict = {}
    return np.fromiter((ids.setdefault(v, len(ids)) for v in values), dtype=np.int64, count=len(values))


def ragged(lists: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """``(first, flat)``: list ``k`` is ``flat[first[k]:first[k + 1]]`` (``first`` has one more
    entry than ``lists``)."""
    sizes = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    first = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(sizes, out=first[1:])
    flat = np.fromiter((v for x in lists for v in x), dtype=np.int64, count=int(first[-1]))
    return first, flat


def spread(groups: np.ndarray, first: np.ndarray, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each entry ``i`` with group ``groups[i]``, one output per member of that group's list:
    ``(i repeated, member)``."""
    n = first[groups + 1] - first[groups]
    at = np.repeat(np.arange(len(groups), dtype=np.int64), n)
    # position of each output within its entry's run: 0, 1, … (a cumulative count reset per run)
    within = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    return at, flat[np.repeat(first[groups], n) + within]


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort is faster here than numpy's hash-based unique)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]
