"""The ``Codes`` table (the code tree with its counts) and the ``Code x Case`` matrix."""
from __future__ import annotations

from collections import Counter
from operator import itemgetter

import numpy as np
import pandas as pd

from ._context import Context
from ._values import unique_names

__all__ = ["codes_table", "code_case_table", "CODES_COLUMNS"]

CODES_COLUMNS = ["guid", "path", "name", "level", "parent_path", "description", "color", "codable",
                 "references", "references_aggregate", "sources", "cases", "coders"]


def _segment_ids(ctx: Context) -> np.ndarray:
    """One integer per coding naming its coded segment, so that the same span coded twice (NVivo
    writes one selection per coding) counts once: a text or time span by (source, kind, start,
    end), anything else by (source, kind, excerpt or locator)."""
    idx = ctx.index
    start = pd.Series(idx.start, dtype="Int64")
    keys = pd.DataFrame({
        "source": pd.Series(idx.source_guid, dtype=object), "kind": pd.Series(idx.kind, dtype=object),
        "start": start.fillna(-1), "end": pd.Series(idx.end, dtype="Int64").fillna(-1),
        # the excerpt only matters where there is no position (it is the only thing to compare)
        "text": pd.Series(idx.text, dtype=object).where(start.isna().to_numpy(), None)})
    return keys.groupby(list(keys.columns), dropna=False, sort=False).ngroup().to_numpy(dtype=np.int64)


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort is faster here than numpy's hash-based unique)."""
    values = np.sort(values)
    if len(values) == 0:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _aggregate_counts(ctx: Context, pos: dict) -> np.ndarray:
    """Distinct segments coded at each code or any of its descendants (index = position in ``ctx.codes``)."""
    n_codes = len(ctx.codes)
    idx = ctx.index
    if not idx.code_guid or not n_codes:
        return np.zeros(n_codes, dtype=np.int64)
    parent = np.array([pos.get(c.parent, -1) if c.parent else -1 for c in ctx.codes], dtype=np.int64)
    code_pos = np.fromiter((pos[c] for c in idx.code_guid), dtype=np.int64, count=len(idx))
    seg = _segment_ids(ctx)
    n_seg = int(seg.max()) + 1
    pairs = [_distinct(code_pos * n_seg + seg)]
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


def codes_table(ctx: Context) -> pd.DataFrame:
    """One row per code (cases-as-codes left out), in the project's order."""
    idx = ctx.index
    project = ctx.project
    pos = {c.guid: k for k, c in enumerate(ctx.codes)}
    refs = Counter(idx.code_guid)
    code_source = set(zip(idx.code_guid, idx.source_guid))
    sources = Counter(map(itemgetter(0), code_source))  # map/itemgetter keep the count loop in C
    cases: dict = {}
    for c, s in code_source:
        found = idx.source_cases.get(s)
        if found:
            cases.setdefault(c, set()).update(found)
    coders: dict = {}
    for c, who in set(zip(idx.code_guid, idx.coder)):
        if who is not None:
            coders.setdefault(c, set()).add(who)
    aggregate = _aggregate_counts(ctx, pos)
    rows = []
    for k, code in enumerate(ctx.codes):
        level = len(project.ancestors(code.guid)) + 1
        parent = ctx.paths.get(code.parent) if code.parent in pos else None
        rows.append((code.guid, ctx.paths[code.guid], code.name, level, parent, code.description, code.color,
                     bool(code.is_codable), refs.get(code.guid, 0), int(aggregate[k]), sources.get(code.guid, 0),
                     len(cases.get(code.guid, ())), "; ".join(sorted(coders.get(code.guid, ()))) or None))
    df = pd.DataFrame.from_records(rows, columns=CODES_COLUMNS)
    for col in ("level", "references", "references_aggregate", "sources", "cases"):
        df[col] = df[col].astype("int64")
    df["codable"] = df["codable"].astype(bool)
    return df


def code_case_table(ctx: Context) -> pd.DataFrame:
    """One row per code path, one column per case: the codings at that code in that case's sources."""
    idx = ctx.index
    cases = list(ctx.project.cases)
    col_of = {g: k for k, g in enumerate(cases)}
    row_of = {c.guid: k for k, c in enumerate(ctx.codes)}
    counts = np.zeros((len(ctx.codes), len(cases)), dtype=np.int64)
    # Counted per (code, source) in C, then spread to the source's cases: a source's cases are the
    # same for all its codings, and hashing two cached-hash strings beats hashing a tuple of cases.
    source_cases = idx.source_cases
    for (code, src), n in Counter(zip(idx.code_guid, idx.source_guid)).items():
        r = row_of.get(code)
        if r is None:
            continue
        for case in source_cases.get(src, ()):
            counts[r, col_of[case]] += n
    names = unique_names([ctx.case_names[g] for g in cases], taken=["code_path"])
    df = pd.DataFrame(counts, columns=names)
    df.insert(0, "code_path", pd.Series([ctx.paths[c.guid] for c in ctx.codes], dtype="str"))
    return df
