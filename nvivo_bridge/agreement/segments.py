"""Segment agreement (as MAXQDA reports it) and the stretches where two coders disagree.

Segments are a coder's coded stretches at a code (overlapping selections of one coder at one
code joined first, as MAXQDA joins them).  A segment agrees when the other coder coded the
same code over at least ``overlap`` % of it.  Per code: agreeing segments (of either coder),
segments only A's, only B's, percentage = agreeing / all, and Brennan & Prediger's kappa
(1981), the one MAXQDA shows: κ = (P_o − P_c) / (1 − P_c) with P_c = 1 / number of codes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..coding_index import format_ms
from .intervals import pieces

__all__ = ["SEGMENT_COLUMNS", "DISAGREEMENT_COLUMNS", "segments", "disagreements", "keyed", "Stretches"]

SEGMENT_COLUMNS = ["code_path", "coder_a", "coder_b", "segments_a", "segments_b", "agreeing", "a_only", "b_only",
                   "agreement_pct", "kappa_bp"]
DISAGREEMENT_COLUMNS = ["source", "code_path", "start", "end", "units", "unit", "text", "coded_by", "not_coded_by",
                        "source_guid", "code_guid"]


def keyed(code: np.ndarray, start: np.ndarray, end: np.ndarray, big: int) -> tuple[np.ndarray, np.ndarray]:
    """Put each code on its own stretch of one axis (``code · big + position``), so one sorted
    array serves every code at once."""
    return code * big + start, code * big + end


def _coverage(ks: np.ndarray, ke: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Length of disjoint sorted intervals ``[ks, ke)`` lying below each ``x``."""
    if len(ks) == 0:
        return np.zeros(len(x), dtype=np.int64)
    before = np.concatenate(([0], np.cumsum(ke - ks)[:-1]))
    i = np.searchsorted(ks, x, side="right") - 1
    safe = np.maximum(i, 0)
    part = before[safe] + np.clip(x - ks[safe], 0, ke[safe] - ks[safe])
    return np.where(i >= 0, part, 0)


def segments(ex, merged: tuple, seg_mask: np.ndarray, row_codes: np.ndarray, pairs: list, overlap: float,
             big: int) -> pd.DataFrame:
    """The ``Segments`` frame: per code × coder pair, then an ``(all codes)`` row per pair."""
    code, coder, start, end = (x[seg_mask] for x in merged)
    q = len(row_codes)
    rows = []
    for a, b in pairs:
        counts = {}
        for who, other in ((a, b), (b, a)):
            mine, theirs = coder == who, coder == other
            ks, ke = keyed(code[mine], start[mine], end[mine], big)
            os_, oe = keyed(code[theirs], start[theirs], end[theirs], big)
            inter = _coverage(os_, oe, ke) - _coverage(os_, oe, ks)
            agree = inter * 100.0 >= overlap * (ke - ks)
            n = len(ex.codes)
            counts[who] = (np.bincount(code[mine], minlength=n), np.bincount(code[mine][agree], minlength=n))
        (sa, aa), (sb, ab) = counts[a], counts[b]
        for c in row_codes.tolist() + [None]:
            if c is None:
                va, vb, xa, xb = (int(v[row_codes].sum()) for v in (sa, sb, aa, ab))
                path = "(all codes)"
            else:
                va, vb, xa, xb = int(sa[c]), int(sb[c]), int(aa[c]), int(ab[c])
                path = ex.code_paths[c]
            agreeing, a_only, b_only = xa + xb, va - xa, vb - xb
            total = agreeing + a_only + b_only
            p_o = agreeing / total if total else np.nan
            p_c = 1.0 / q if q else np.nan
            kappa = (p_o - p_c) / (1 - p_c) if total and q > 1 else np.nan
            rows.append((path, ex.coders[a], ex.coders[b], va, vb, agreeing, a_only, b_only,
                         100.0 * p_o if total else np.nan, kappa))
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


def _locate(ex, space: np.ndarray, s: np.ndarray, e: np.ndarray) -> list:
    """The text (or a locator) of each stretch, read space by space."""
    out = [None] * len(space)
    order = np.argsort(space, kind="stable")
    cur, text = -1, None
    for i in order.tolist():
        sp = int(space[i])
        unit = ex.spaces.unit[sp]
        if unit == "characters":
            if sp != cur:
                cur, text = sp, ex.project.sources[ex.spaces.source_guid[sp]].text or ""
            out[i] = text[int(s[i]):int(e[i])]
        elif unit == "ms":
            out[i] = f"{format_ms(int(s[i]))}-{format_ms(int(e[i]))}"
        else:
            out[i] = f"area of {int(e[i] - s[i]):,} {unit}"
    return out


_BATCH = 40_000


def _stretches(ex, merged: tuple, ranges: list, pairs: list, big: int, offset: np.ndarray) -> list:
    """Stretch arrays for the intervals in ``ranges`` (slices of the code-sorted unions), per pair."""
    idx = np.concatenate([np.arange(lo, hi) for lo, hi in ranges]) if ranges else np.zeros(0, dtype=np.int64)
    code, coder, start, end = (x[idx] for x in merged)
    out = []
    for a, b in pairs:
        ia, ib = coder == a, coder == b
        ka = keyed(code[ia], start[ia], end[ia], big)
        kb = keyed(code[ib], start[ib], end[ib], big)
        one = np.ones(1, dtype=np.uint64)
        p0, p1, (va, vb) = pieces(np.concatenate([ka[0], kb[0]]), np.concatenate([ka[1], kb[1]]),
                                  [(ka[0], ka[1], np.repeat(one, len(ka[0])), None),
                                   (kb[0], kb[1], np.repeat(one, len(kb[0])), None)])
        state = (va > 0).astype(np.int8) - (vb > 0).astype(np.int8)   # 1: A only, -1: B only
        use = state != 0
        p0, p1, state = p0[use], p1[use], state[use]
        if len(p0) == 0:
            continue
        # Join neighbouring pieces of the same state into one stretch, never across sources.
        sp_of = np.searchsorted(offset, p0 % big, side="right")
        new = np.ones(len(p0), dtype=bool)
        new[1:] = (p0[1:] != p1[:-1]) | (state[1:] != state[:-1]) | (sp_of[1:] != sp_of[:-1])
        first = np.flatnonzero(new)
        last = np.append(first[1:] - 1, len(p0) - 1)
        s_key, e_key, st = p0[first], p1[last], state[first]
        c = s_key // big
        s_pos, e_pos = s_key - c * big, e_key - c * big
        space = np.searchsorted(offset, s_pos, side="right") - 1
        out.append((space, s_pos - offset[space], e_pos - offset[space], c,
                    np.where(st > 0, a, b).astype(np.int64), np.where(st > 0, b, a).astype(np.int64)))
    return out


def disagreements(ex, merged: tuple, row_codes: np.ndarray, pairs: list, big: int) -> "Stretches":
    """The stretches one coder coded at a code and the other did not (one row of ``Disagreements``
    each), per coder pair, in source and position order."""
    code, coder, start, end = merged
    offset = np.asarray(ex.spaces.offset, dtype=np.int64)
    frames = []
    # Unions come sorted by code: take the codes in batches of about _BATCH intervals, so the
    # cutting into pieces never holds more than a batch's temporaries.
    bounds = np.searchsorted(code, row_codes, side="left"), np.searchsorted(code, row_codes, side="right")
    batch: list = []
    size = 0
    for lo, hi in zip(*(b.tolist() for b in bounds)):
        batch.append((lo, hi))
        size += hi - lo
        if size >= _BATCH:
            frames += _stretches(ex, merged, batch, pairs, big, offset)
            batch, size = [], 0
    if batch:
        frames += _stretches(ex, merged, batch, pairs, big, offset)
    if not frames:
        empty = np.zeros(0, dtype=np.int64)
        return Stretches(ex, empty, empty, empty, empty, empty, empty)
    space, s_loc, e_loc, c, by, notby = (np.concatenate(parts) for parts in zip(*frames))
    # Sorted on the arrays (source, start, code), so every slice of the frame is in order.
    order = np.lexsort((c, s_loc, space))
    return Stretches(ex, *(x[order] for x in (space, s_loc, e_loc, c, by, notby)))


class Stretches:
    """The disagreement stretches as arrays; their excerpts are cut from the texts only when a
    frame of some rows is asked for (:meth:`frame`), so writing 200,000 of them never holds every
    excerpt at once (as the researcher's workbook does with its Codings)."""

    def __init__(self, ex, space, start, end, code, by, notby) -> None:
        self.ex, self.space, self.start, self.end, self.code, self.by, self.notby = (
            ex, space, start, end, code, by, notby)

    def __len__(self) -> int:
        return len(self.space)

    @property
    def units(self) -> np.ndarray:
        """Length of each stretch in its unit."""
        return self.end - self.start

    def frame(self, rows=None) -> pd.DataFrame:
        """The ``Disagreements`` frame of ``rows`` (a slice or index array; all rows by default)."""
        rows = slice(None) if rows is None else rows
        ex = self.ex
        space, s_loc, e_loc = self.space[rows], self.start[rows], self.end[rows]
        c, by, notby = self.code[rows], self.by[rows], self.notby[rows]
        return pd.DataFrame({
            "source": _cat(space, ex.spaces.source_name), "code_path": _cat(c, ex.code_paths),
            "start": s_loc, "end": e_loc, "units": e_loc - s_loc, "unit": _cat(space, ex.spaces.unit),
            "text": _locate(ex, space, s_loc, e_loc), "coded_by": _cat(by, ex.coders),
            "not_coded_by": _cat(notby, ex.coders), "source_guid": _cat(space, ex.spaces.source_guid),
            "code_guid": _cat(c, ex.codes)}, columns=DISAGREEMENT_COLUMNS)

    def chunks(self, size: int = 20_000):
        """The frame a slice of ``size`` rows at a time (at least one, possibly empty, frame)."""
        if len(self) == 0:
            yield self.frame()
        for first in range(0, len(self), size):
            yield self.frame(slice(first, first + size))


def _cat(rows: np.ndarray, values: list) -> pd.Categorical:
    """``values[rows]`` as a categorical (equal values share a category)."""
    if len(values) == 0:
        return pd.Categorical.from_codes(np.zeros(len(rows), dtype=np.int64) - 1, categories=[])
    uniq, inv = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    return pd.Categorical.from_codes(inv.reshape(-1)[rows], categories=list(uniq))
