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

__all__ = ["CODE_SOURCE_COLUMNS", "kappa_columns", "code_source", "pair_union", "weighted"]

CODE_SOURCE_COLUMNS = ["code_path", "source", "coder_a", "coder_b", "units", "a_and_b", "a_not_b", "b_not_a",
                       "neither", "agreement_pct", "kappa", "disagreement_pct", "unit", "code_guid", "source_guid"]


def kappa_columns(tu: np.ndarray, a: np.ndarray, b: np.ndarray, both: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(agreement_pct, kappa)`` of NVivo's formulas, from integer unit counts.

    Multiplying numerator and denominator by TU keeps every step in exact integers up to one
    final division: K = (TA·TU − S) / (TU² − S) with S = A·B + (TU − A)(TU − B)."""
    tu, a, b, both = (np.asarray(x, dtype=np.int64) for x in (tu, a, b, both))
    neither = tu - a - b + both
    ta = both + neither
    s = a * b + (tu - a) * (tu - b)
    num = ta * tu - s
    den = tu * tu - s
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(den == 0, 1.0, num / np.where(den == 0, 1, den))
        pct = np.where(tu > 0, 100.0 * ta / np.where(tu > 0, tu, 1), np.nan)
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


def code_source(ex, merged: tuple, row_codes: np.ndarray, pairs: list) -> pd.DataFrame:
    """The ``Code x Source`` frame: one row per compared code × space with units × coder pair,
    also where neither coder coded."""
    m_code, m_coder, m_start, m_end = merged
    offset = np.asarray(ex.spaces.offset, dtype=np.int64)
    total = np.asarray(ex.spaces.total, dtype=np.int64)
    n_sp = len(offset)
    n_cells = len(ex.codes) * n_sp
    cells = cell_of(m_code, m_start, offset)
    per_coder = [group_lengths(cells[m_coder == k], m_start[m_coder == k], m_end[m_coder == k], n_cells)
                 for k in range(len(ex.coders))]
    spaces = np.flatnonzero(total > 0)
    grid = (row_codes[:, None] * n_sp + spaces[None, :]).ravel()
    code_rows = np.repeat(row_codes, len(spaces))
    space_rows = np.tile(spaces, len(row_codes))
    names = np.asarray(ex.spaces.source_name, dtype=object)
    guids = np.asarray(ex.spaces.source_guid, dtype=object)
    units = np.asarray(ex.spaces.unit, dtype=object)
    paths = np.asarray(ex.code_paths, dtype=object)
    code_guids = np.asarray(ex.codes, dtype=object)
    frames = []
    for a, b in pairs:
        union = pair_union(m_code, m_coder, m_start, m_end, a, b, offset, n_cells)[grid]
        ua, ub = per_coder[a][grid], per_coder[b][grid]
        both = ua + ub - union
        tu = total[space_rows]
        pct, kappa = kappa_columns(tu, ua, ub, both)
        neither = tu - union
        frames.append(pd.DataFrame({
            "code_path": paths[code_rows], "source": names[space_rows], "coder_a": ex.coders[a],
            "coder_b": ex.coders[b], "units": tu, "a_and_b": both, "a_not_b": ua - both, "b_not_a": ub - both,
            "neither": neither, "agreement_pct": pct, "kappa": kappa,
            "disagreement_pct": 100.0 - pct, "unit": units[space_rows], "code_guid": code_guids[code_rows],
            "source_guid": guids[space_rows]}))
    if not frames:
        return pd.DataFrame(columns=CODE_SOURCE_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def weighted(cs: pd.DataFrame, by: list) -> pd.DataFrame:
    """Kappa and agreement averaged over sources weighted by source size (units), per ``by``
    group; ``kappa_weighted_coded`` takes only the sources either coder coded."""
    w = cs["units"].astype(np.float64)
    coded = (cs["a_and_b"] + cs["a_not_b"] + cs["b_not_a"]) > 0
    tmp = pd.DataFrame({**{k: cs[k] for k in by}, "w": w, "wk": w * cs["kappa"], "wp": w * cs["agreement_pct"],
                        "cw": w.where(coded, 0.0), "cwk": (w * cs["kappa"]).where(coded, 0.0),
                        "n": 1, "nc": coded.astype(int)})
    g = tmp.groupby(by, sort=False).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame({"kappa_weighted": g["wk"] / g["w"], "agreement_pct_weighted": g["wp"] / g["w"],
                            "kappa_weighted_coded": (g["cwk"] / g["cw"]).where(g["cw"] > 0),
                            "sources": g["n"], "sources_coded": g["nc"], "units": g["w"].astype(np.int64)})
    return out.reset_index()
