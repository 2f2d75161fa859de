"""The ``Codes`` table (the code tree with its counts) and the ``Code x Case`` matrix.

Counts are taken over integer arrays (each coding's code and source as positions) rather than
sets and counters of GUID tuples: at 200,000 codings a set of (code, source) pairs alone takes
more memory than a chunk of the workbook being written.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._context import Context
from ._values import extra_column_names

__all__ = ["codes_table", "code_case_table", "CODES_COLUMNS"]

CODES_COLUMNS = ["guid", "path", "name", "level", "parent_path", "description", "color", "codable",
                 "references", "references_aggregate", "sources", "cases", "coders"]


def _factorize(values: list, start: int = 0) -> np.ndarray:
    """One integer per value, equal values getting equal integers (``start`` for the first seen)."""
    ids: dict = {}
    return np.fromiter((ids.setdefault(v, len(ids) + start) for v in values), dtype=np.int64, count=len(values))


def _int_column(values: list) -> np.ndarray:
    """Integers with ``None`` as -1."""
    return np.fromiter((-1 if v is None else v for v in values), dtype=np.int64, count=len(values))


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort is faster here than numpy's hash-based unique)."""
    values = np.sort(values)
    if len(values) == 0:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _segment_ids(ctx: Context) -> np.ndarray:
    """One integer per coding naming its coded segment, so that the same span coded twice (NVivo
    writes one selection per coding) counts once: a text or time span by (source, kind, start,
    end), anything else by (source, kind, excerpt or locator)."""
    idx = ctx.index
    n = len(idx)
    start, end = _int_column(idx.start), _int_column(idx.end)
    # the excerpt only matters where there is no position (it is the only thing to compare)
    texts = _factorize([t if s is None else None for s, t in zip(idx.start, idx.text)])
    kinds = _factorize(idx.kind)
    group = (ctx.source_pos * (int(kinds.max(initial=0)) + 1) + kinds) * (int(texts.max(initial=0)) + 1) + texts
    order = np.lexsort((end, start, group))
    new = np.zeros(n, dtype=bool)
    for key in (group, start, end):
        ordered = key[order]
        new[1:] |= ordered[1:] != ordered[:-1]
    ids = np.empty(n, dtype=np.int64)
    ids[order] = np.cumsum(new)
    return ids


def _aggregate_counts(ctx: Context) -> np.ndarray:
    """Distinct segments coded at each code or any of its descendants (index = position in ``ctx.codes``)."""
    n_codes = len(ctx.codes)
    if not len(ctx.index) or not n_codes:
        return np.zeros(n_codes, dtype=np.int64)
    pos = {c.guid: k for k, c in enumerate(ctx.codes)}
    parent = np.array([pos.get(c.parent, -1) if c.parent else -1 for c in ctx.codes], dtype=np.int64)
    seg = _segment_ids(ctx)
    n_seg = int(seg.max()) + 1
    pairs = [_distinct(ctx.code_pos * n_seg + seg)]
    anc = pairs[0] // n_seg
    segs = pairs[0] % n_seg
    # Walk up one level at a time; the bound stops a (broken) cyclic tree.
    for _ in range(n_codes):
        anc = parent[anc]
        keep = anc >= 0
        if not keep.any():
            break
        anc, segs = anc[keep], segs[keep]
        pairs.append(anc * n_seg + segs)
    uniq = _distinct(np.concatenate(pairs))
    return np.bincount(uniq // n_seg, minlength=n_codes)


def _code_cases(ctx: Context, weights: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(code position, case position, codings)`` for every code coded in a source of a case:
    each (code, source) pair spread over the source's cases (``codings`` is 1 unless ``weights``)."""
    n_src = len(ctx.project.sources)
    pairs, counts = np.unique(ctx.code_pos * n_src + ctx.source_pos, return_counts=True)
    col_of = {g: k for k, g in enumerate(ctx.project.cases)}
    found = [[col_of[c] for c in ctx.index.source_cases.get(s, ())] for s in ctx.project.sources]
    n_cases = np.array([len(f) for f in found], dtype=np.int64)
    flat = np.array([c for f in found for c in f], dtype=np.int64)
    first = np.cumsum(n_cases) - n_cases
    src = pairs % n_src
    per_pair = n_cases[src]
    # Position of each spread entry among its pair's cases: 0, 1, … within each run.
    within = np.arange(int(per_pair.sum())) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    cases = flat[np.repeat(first[src], per_pair) + within]
    return np.repeat(pairs // n_src, per_pair), cases, np.repeat(counts if weights else np.ones_like(counts), per_pair)


def codes_table(ctx: Context) -> pd.DataFrame:
    """One row per code (cases-as-codes left out), in the project's order."""
    idx = ctx.index
    project = ctx.project
    n_codes, n_src = len(ctx.codes), len(project.sources)
    refs = np.bincount(ctx.code_pos, minlength=n_codes)
    sources = np.bincount(_distinct(ctx.code_pos * n_src + ctx.source_pos) // n_src, minlength=n_codes)
    codes, cases, _ = _code_cases(ctx, weights=False)
    n_cases = max(len(project.cases), 1)
    cases = np.bincount(_distinct(codes * n_cases + cases) // n_cases, minlength=n_codes)
    coders: dict = {}
    for c, who in set(zip(idx.code_guid, idx.coder)):
        if who is not None:
            coders.setdefault(c, set()).add(who)
    aggregate = _aggregate_counts(ctx)
    pos = {c.guid for c in ctx.codes}
    rows = []
    for k, code in enumerate(ctx.codes):
        level = len(project.ancestors(code.guid)) + 1
        parent = ctx.paths.get(code.parent) if code.parent in pos else None
        rows.append((code.guid, ctx.paths[code.guid], code.name, level, parent, code.description, code.color,
                     bool(code.is_codable), int(refs[k]), int(aggregate[k]), int(sources[k]), int(cases[k]),
                     "; ".join(sorted(coders.get(code.guid, ()))) or None))
    df = pd.DataFrame.from_records(rows, columns=CODES_COLUMNS)
    for col in ("level", "references", "references_aggregate", "sources", "cases"):
        df[col] = df[col].astype("int64")
    df["codable"] = df["codable"].astype(bool)
    return df


def code_case_table(ctx: Context) -> pd.DataFrame:
    """One row per code path, one column per case: the codings at that code in that case's sources."""
    n_codes, n_cases = len(ctx.codes), len(ctx.project.cases)
    codes, cases, weights = _code_cases(ctx, weights=True)
    counts = np.bincount(codes * n_cases + cases, weights=weights, minlength=n_codes * n_cases)
    counts = counts.astype(np.int64).reshape(n_codes, n_cases)
    names = extra_column_names(["code_path"], [ctx.case_names[g] for g in ctx.project.cases])
    df = pd.DataFrame(counts, columns=names)
    df.insert(0, "code_path", pd.Series([ctx.paths[c.guid] for c in ctx.codes], dtype="str"))
    return df
