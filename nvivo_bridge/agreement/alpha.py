"""Krippendorff's alpha (nominal) at character level, from coincidence counts over intervals.

Units are the characters of every text; a coder's value at a character is the *set* of the
domain's codes they applied there (the empty set when none): for one code this is the binary
coded / not coded alpha, for a top-level code or CIPP component its codes are the values, and
the whole codebook gives alpha over all codes.  A coder who coded nothing at all in a text is
missing there (not "coded nothing"), so units may have any number of values.

Krippendorff (2011, "Computing Krippendorff's alpha-reliability", §C): with ``m_u`` values in unit
``u`` and ``o_ck = Σ_u (number of c–k pairs of values in u) / (m_u − 1)``, ``n_c = Σ_k o_ck``,
``n = Σ_c n_c``, nominal alpha is ``1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k``.  Characters
that carry the same values give the same coincidences, so the sums are taken over elementary
pieces of text weighted by their length, and the untouched rest of each text (everyone present
there has the empty set) enters only ``n_∅``, computed as ``n − Σ_{c≠∅} n_c``.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .intervals import pieces

__all__ = ["alpha", "code_keys"]


def code_keys(n_codes: int) -> np.ndarray:
    """A fixed random 64-bit key per code: the sum of the keys of a set identifies the set (a
    collision needs two different sets with equal sums, chance about 2⁻⁶⁴ per pair)."""
    rng = np.random.default_rng(20240517)
    return rng.integers(1, np.iinfo(np.int64).max, size=max(n_codes, 1), dtype=np.int64).astype(np.uint64)


_BATCH = 40_000


def _coincidences(code, coder, start, end, n_coders, present, space_offset, keys, counts: dict) -> float:
    """Disagreeing coincidences Σ_{c≠k} o_ck of the given intervals; adds each non-empty value's
    pairable count n_c to ``counts``."""
    layers = [(start[coder == k], end[coder == k], keys[code[coder == k]], None) for k in range(n_coders)]
    p0, p1, values = pieces(start, end, layers)
    if not len(p0):
        return 0.0
    length = (p1 - p0).astype(np.float64)
    space = np.searchsorted(space_offset, p0, side="right") - 1
    here = present[:, space]                      # coder × piece
    m = here.sum(axis=0)
    touched = np.zeros(len(p0), dtype=bool)
    for v in values:
        touched |= v != 0
    use = touched & (m >= 2)
    length, here, m = length[use], here[:, use], m[use]
    vals = [v[use] for v in values]
    unequal = np.zeros(len(length), dtype=np.float64)
    for i in range(n_coders):
        for j in range(i + 1, n_coders):
            unequal += 2.0 * (here[i] & here[j] & (vals[i] != vals[j]))
    all_vals = np.concatenate([v[h & (v != 0)] for v, h in zip(vals, here)])
    all_len = np.concatenate([length[h & (v != 0)] for v, h in zip(vals, here)])
    if len(all_vals):
        uniq, inv = np.unique(all_vals, return_inverse=True)
        for value, total in zip(uniq.tolist(), np.bincount(inv, weights=all_len).tolist()):
            counts[value] = counts.get(value, 0.0) + total
    return float((unequal * length / np.maximum(m - 1, 1)).sum())


def alpha(code: np.ndarray, coder: np.ndarray, start: np.ndarray, end: np.ndarray, n_coders: int,
          present: np.ndarray, space_offset: np.ndarray, space_total: np.ndarray, keys: np.ndarray) -> float:
    """Nominal alpha over the given intervals (already merged per code and coder, text spaces
    only: pass ``present`` with the non-text spaces switched off).  NaN when undefined (fewer than
    two pairable values, or every value the same).

    Units in different sources never share a piece, so the sums are taken source range by source
    range, about ``_BATCH`` intervals at a time: the temporaries stay small however large the
    project."""
    m_space = present.sum(axis=0)
    pairable = m_space >= 2
    n_total = float((m_space[pairable] * space_total[pairable]).sum())
    if n_total <= 1 or n_coders == 0:
        return math.nan
    counts: dict = {}
    d_o = 0.0
    if len(start) <= _BATCH:
        d_o = _coincidences(code, coder, start, end, n_coders, present, space_offset, keys, counts)
    else:
        space = np.searchsorted(space_offset, start, side="right") - 1
        order = np.argsort(space, kind="stable")
        sorted_space = space[order]
        cuts = np.flatnonzero(np.diff(sorted_space)) + 1      # where a new source starts
        edges = [0]
        for cut in cuts.tolist():
            if cut - edges[-1] >= _BATCH:
                edges.append(cut)
        edges.append(len(order))
        for lo, hi in zip(edges[:-1], edges[1:]):
            part = order[lo:hi]
            d_o += _coincidences(code[part], coder[part], start[part], end[part], n_coders, present,
                                 space_offset, keys, counts)
    n_empty = n_total - sum(counts.values())
    d_e = n_total * n_total - n_empty * n_empty - sum(c * c for c in counts.values())
    if d_e <= 0:
        return math.nan
    return 1.0 - (n_total - 1.0) * d_o / d_e


def domain_alpha(ex, merged: tuple, codes: Optional[np.ndarray], text_present: np.ndarray,
                 keys: np.ndarray) -> float:
    """Alpha over the domain of compared codes ``codes`` (all when ``None``), from ``merged``
    ``(code, coder, start, end)`` intervals."""
    code, coder, start, end = merged
    if codes is not None:
        sel = np.isin(code, codes)
        code, coder, start, end = code[sel], coder[sel], start[sel], end[sel]
    return alpha(code, coder, start, end, len(ex.coders), text_present,
                 np.asarray(ex.spaces.offset, dtype=np.int64), np.asarray(ex.spaces.total, dtype=np.int64), keys)
