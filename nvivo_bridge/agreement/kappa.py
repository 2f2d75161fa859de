"""NVivo's Coding Comparison per code × source × coder pair, and its weighted averages.

NVivo 12 Help, "Run a coding comparison query" → "How Cohen's kappa is calculated": for a code
and a source of TU units, TA = units both coded + units neither coded, EF1 = A·B / TU (A, B the
units each coder coded), EF2 = (TU − A)(TU − B) / TU, ΣEF = EF1 + EF2 and
K = (TA − ΣEF) / (TU − ΣEF); K = 1 where the coders agree completely (then TU − ΣEF = 0).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .intervals import group_lengths, merge

__all__ = ["CODE_SOURCE_COLUMNS", "kappa_columns", "code_source", "group_weighted", "pair_union", "weighted"]

CODE_SOURCE_COLUMNS = ["code_path", "source", "coder_a", "coder_b", "units", "a_and_b", "a_not_b", "b_not_a",
                       "neither", "agreement_pct", "kappa", "disagreement_pct", "unit", "code_guid", "source_guid"]


def kappa_columns(tu: np.ndarray, a: np.ndarray, b: np.ndarray, both: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(agreement_pct, kappa)`` of NVivo's formulas, from integer unit counts.

    Multiplying numerator and denominator by TU keeps every step in exact integers up to one
    final division: K = (TA·TU − S) / (TU² − S) with S = A·B + (TU − A)(TU − B)."""
    tu, a, b, both = (np.asarray(x, dtype=np.int64) for x in (tu, a, b, both))
    ta = tu - a - b + 2 * both                     # both + neither
    s = a * b
    s += (tu - a) * (tu - b)
    num = ta * tu
    num -= s
    den = tu * tu
    den -= s
    del s
    zero = den == 0
    den[zero] = 1
    kappa = num / den                              # K = (TA·TU − S) / (TU² − S)
    kappa[zero] = 1.0
    del num, den
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * ta / np.where(tu > 0, tu, 1)
    pct[tu <= 0] = np.nan
    return pct, kappa


def pair_union(m_code: np.ndarray, m_coder: np.ndarray, m_start: np.ndarray, m_end: np.ndarray,
               a: int, b: int, cell: np.ndarray, n_cells: int) -> np.ndarray:
    """Units coded by coder ``a`` or ``b`` per cell (code × space), from per-coder unions."""
    sel = (m_coder == a) | (m_coder == b)
    g, s, e = merge(m_code[sel], m_start[sel], m_end[sel])
    # A union never crosses a space (spaces are disjoint stretches of the axis), so the cell of
    # a merged interval is that of its start.
    cells = cell_of(g, s, cell)
    return group_lengths(cells, s, e, n_cells)


def cell_of(code: np.ndarray, start: np.ndarray, space_offset: np.ndarray) -> np.ndarray:
    """Flat cell index code × space of intervals (``space_offset`` sorted)."""
    space = np.searchsorted(space_offset, start, side="right") - 1
    return code * len(space_offset) + space


def _per_coder(ex, merged: tuple) -> tuple[np.ndarray, np.ndarray, int, list[np.ndarray]]:
    """``(offset, total, n_cells, per_coder)``: the spaces' offsets and sizes, and the units each
    coder coded per cell (code × space), one dense array per coder."""
    m_code, m_coder, m_start, m_end = merged
    offset = np.asarray(ex.spaces.offset, dtype=np.int64)
    total = np.asarray(ex.spaces.total, dtype=np.int64)
    n_cells = len(ex.codes) * len(offset)
    cells = cell_of(m_code, m_start, offset)
    per_coder = [group_lengths(cells[m_coder == k], m_start[m_coder == k], m_end[m_coder == k], n_cells)
                 for k in range(len(ex.coders))]
    return offset, total, n_cells, per_coder


def code_source(ex, merged: tuple, row_codes: np.ndarray, pairs: list) -> pd.DataFrame:
    """The ``Code x Source`` frame: one row per compared code × space with units × coder pair,
    also where neither coder coded."""
    m_code, m_coder, m_start, m_end = merged
    offset, total, n_cells, per_coder = _per_coder(ex, merged)
    n_sp = len(offset)
    spaces = np.flatnonzero(total > 0)
    grid = (row_codes[:, None] * n_sp + spaces[None, :]).ravel()
    code_rows = np.repeat(np.arange(len(row_codes)), len(spaces))
    space_rows = np.tile(np.arange(len(spaces)), len(row_codes))
    # Repeated names as categoricals: one small integer per row instead of an object pointer.
    src_names = _codes_cat([ex.spaces.source_name[i] for i in spaces], space_rows)
    src_guids = [ex.spaces.source_guid[i] for i in spaces]
    units = [ex.spaces.unit[i] for i in spaces]
    paths = _codes_cat([ex.code_paths[i] for i in row_codes], code_rows)
    code_guids = _codes_cat([ex.codes[i] for i in row_codes], code_rows)
    frames = []
    for a, b in pairs:
        union = pair_union(m_code, m_coder, m_start, m_end, a, b, offset, n_cells)[grid]
        ua, ub = per_coder[a][grid], per_coder[b][grid]
        both = ua + ub - union
        tu = total[spaces][space_rows]
        pct, kappa = kappa_columns(tu, ua, ub, both)
        # Counts fit 32 bits unless a source has over two billion units: half the memory.
        small = np.int32 if len(tu) == 0 or int(tu.max()) < 2**31 else np.int64
        tu, ua, ub, both, union = (x.astype(small) for x in (tu, ua, ub, both, union))
        frames.append(pd.DataFrame({
            "code_path": paths, "source": src_names,
            "coder_a": pd.Categorical.from_codes(np.zeros(len(grid), dtype=np.int8), [ex.coders[a]]),
            "coder_b": pd.Categorical.from_codes(np.zeros(len(grid), dtype=np.int8), [ex.coders[b]]),
            "units": tu, "a_and_b": both, "a_not_b": ua - both, "b_not_a": ub - both,
            "neither": tu - union, "agreement_pct": pct, "kappa": kappa, "disagreement_pct": 100.0 - pct,
            "unit": _codes_cat(units, space_rows), "code_guid": code_guids,
            "source_guid": _codes_cat(src_guids, space_rows)}, copy=False))  # the arrays are ours alone
    if not frames:
        return pd.DataFrame(columns=CODE_SOURCE_COLUMNS)
    if len(frames) == 1:
        return frames[0]
    out = pd.concat(frames, ignore_index=True)
    for col in ("code_path", "source", "coder_a", "coder_b", "unit", "code_guid", "source_guid"):
        out[col] = out[col].astype("category")
    return out


def group_weighted(ex, merged: tuple, row_codes: np.ndarray, pairs: list, groups: list[np.ndarray]
                   ) -> np.ndarray:
    """``(kappa_weighted, agreement_pct_weighted)`` per group of code indexes and coder pair, shape
    ``(groups, pairs, 2)``: what :func:`weighted` gives on the group's ``Code x Source`` rows
    (its compared codes × every space with units), NaN for a group without such rows.

    The rows are never built: each pair's cells live in a few arrays of codes × spaces, so the
    cost does not grow with the number of pairs × rows that the full frame holds."""
    m_code, m_coder, m_start, m_end = merged
    offset, total, n_cells, per_coder = _per_coder(ex, merged)
    n_sp = len(offset)
    spaces = np.flatnonzero(total > 0)
    out = np.full((len(groups), len(pairs), 2), np.nan)
    grids = []
    for members in groups:
        codes = np.intersect1d(row_codes, members)
        grids.append((codes[:, None] * n_sp + spaces[None, :]).ravel() if len(codes) and len(spaces) else None)
    for p, (a, b) in enumerate(pairs):
        union = pair_union(m_code, m_coder, m_start, m_end, a, b, offset, n_cells)
        for g, grid in enumerate(grids):
            if grid is None:
                continue
            ua, ub = per_coder[a][grid], per_coder[b][grid]
            tu = np.tile(total[spaces], len(grid) // len(spaces))
            pct, kappa = kappa_columns(tu, ua, ub, ua + ub - union[grid])
            w = tu.astype(np.float64)
            with np.errstate(divide="ignore", invalid="ignore"):
                out[g, p] = (w @ kappa / w.sum(), w @ pct / w.sum())
    return out


def _codes_cat(values: list, rows: np.ndarray) -> pd.Categorical:
    """``values[rows]`` as a categorical, repeated values sharing one category."""
    if not values:
        return pd.Categorical.from_codes(np.zeros(0, dtype=np.int64), categories=[])
    uniq, inv = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    return pd.Categorical.from_codes(inv.reshape(-1)[rows], categories=list(uniq))


def _key_codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (−1 for missing) and labels of one grouping column; a categorical's own
    codes (small integers, no copy of the labels per row)."""
    cat = values if isinstance(values, pd.Categorical) else getattr(values, "cat", None)
    if cat is not None:
        return np.asarray(cat.codes), np.asarray(cat.categories, dtype=object)
    codes, labels = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), np.asarray(labels, dtype=object)


_ROWS = 100_000


def weighted(cs: pd.DataFrame, by: list, **fixed) -> pd.DataFrame:
    """Kappa and agreement averaged over sources weighted by source size (units), per ``by``
    group; ``kappa_weighted_coded`` takes only the sources either coder coded.  ``fixed`` gives a
    ``by`` column one value for every row (a string: the project's name) or values of its own
    (e.g. each row's domain as a categorical; rows whose value is missing are left out).

    Sums are taken by ``bincount`` on integer group keys, ``_ROWS`` rows at a time: on 400,000
    rows a pandas groupby over text keys cost tens of megabytes more."""
    n = len(cs)
    codes, labels = [], []
    for k in by:
        if isinstance(fixed.get(k), str):
            codes.append(None)
            labels.append(np.asarray([fixed[k]], dtype=object))
        else:
            c, lab = _key_codes(fixed[k] if k in fixed else cs[k])
            codes.append(c)
            labels.append(lab)
    dims = tuple(max(len(lab), 1) for lab in labels)

    def chunk_keys(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        parts = [np.zeros(hi - lo, dtype=np.int64) if c is None else c[lo:hi].astype(np.int64) for c in codes]
        valid = np.ones(hi - lo, dtype=bool)
        for c in parts:
            valid &= c >= 0
        return np.ravel_multi_index(tuple(c[valid] for c in parts), dims), valid

    # Pass 1: the groups that occur, and the row each first occurs at (groups keep row order).
    first_row: dict = {}
    for lo in range(0, n, _ROWS):
        key, valid = chunk_keys(lo, min(n, lo + _ROWS))
        uniq, idx = np.unique(key, return_index=True)
        for k, r in zip(uniq.tolist(), (np.flatnonzero(valid)[idx] + lo).tolist()):
            first_row.setdefault(k, r)
    used = np.asarray(sorted(first_row), dtype=np.int64)
    m = len(used)
    # Pass 2: sums per group by bincount on compact group numbers.
    sums = np.zeros((6, m), dtype=np.float64)   # w, w·K, w·pct, coded w, coded w·K, rows
    coded_rows = np.zeros(m, dtype=np.float64)
    cols = [cs[c].to_numpy() for c in ("units", "kappa", "agreement_pct", "a_and_b", "a_not_b", "b_not_a")]
    for lo in range(0, n, _ROWS):
        hi = min(n, lo + _ROWS)
        key, valid = chunk_keys(lo, hi)
        group = np.searchsorted(used, key)
        w = cols[0][lo:hi][valid].astype(np.float64)
        kappa = cols[1][lo:hi][valid].astype(np.float64)
        coded = (cols[3][lo:hi] + cols[4][lo:hi] + cols[5][lo:hi])[valid] > 0
        for i, x in enumerate((w, w * kappa, w * cols[2][lo:hi][valid], np.where(coded, w, 0.0),
                               np.where(coded, w * kappa, 0.0), np.ones(len(w)))):
            sums[i] += np.bincount(group, weights=x, minlength=m)
        coded_rows += np.bincount(group[coded], minlength=m)
    seen = np.asarray(sorted(range(m), key=lambda g: first_row[int(used[g])]), dtype=np.int64)
    keys = np.unravel_index(used[seen], dims)
    sw, cw = sums[0][seen], sums[3][seen]
    out = {k: lab[kc] for k, lab, kc in zip(by, labels, keys)}
    with np.errstate(divide="ignore", invalid="ignore"):
        out.update({"kappa_weighted": sums[1][seen] / sw, "agreement_pct_weighted": sums[2][seen] / sw,
                    "kappa_weighted_coded": np.where(cw > 0, sums[4][seen] / np.where(cw > 0, cw, 1), np.nan),
                    "sources": sums[5][seen].astype(np.int64), "sources_coded": coded_rows[seen].astype(np.int64),
                    "units": sw.astype(np.int64)})
    return pd.DataFrame(out)
