"""Code matrices: ``Code x Case presence`` (0/1), ``Code x Source`` (codings) and one
``Code x <attribute>`` per case variable (references and cases per value).

Counts are direct: a coding counts for its own code, not for the code's parents (the
``Codes`` table's ``references_aggregate`` has the rolled-up view).  Everything is counted over
integer arrays, one pass per matrix, whatever the number of codings.

:func:`counts_by_value` is the one implementation of "references and cases per attribute value";
the CIPP matrix takes the same function over its own rows (components, aggregated codes).
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Collection, Hashable, Optional, Sequence

import numpy as np
import pandas as pd

from ..sheets._codes import code_case_table
from ..sheets._context import Context
from ..sheets._values import unique_names
from ._spread import distinct, ragged, spread

__all__ = ["counts_by_value", "counts_for_collections", "value_label", "attribute_values", "code_case_presence", "code_source_table",
           "code_attribute_table", "NO_VALUE"]

NO_VALUE = "(no value)"


def counts_by_value(item_row: np.ndarray, item_group: np.ndarray, group_cases: Sequence[Sequence[Hashable]],
                    case_value: dict, values: Sequence[str], n_rows: int,
                    no_case: Optional[str] = None) -> tuple[np.ndarray, np.ndarray]:
    """References and cases per (row, attribute value), as two ``n_rows × len(values)`` arrays.

    Each item (a coding, a CIPP unit…) belongs to a row (a code, a component…) and to a group
    (its source, its unit) whose cases are ``group_cases[group]``.  ``case_value`` maps a case to
    its value label (one of ``values``); cases missing from it are not counted.

    - *references*: items per row in groups having a case with the value; an item whose group
      holds cases of several values counts once for each distinct value.  With ``no_case`` (a
      label among ``values``) items of groups without any case count under it.
    - *cases*: distinct cases with the value whose group holds an item of the row.
    """
    nv = len(values)
    refs = np.zeros(n_rows * nv, dtype=np.int64)
    cases_out = np.zeros(n_rows * nv, dtype=np.int64)
    if nv == 0 or len(item_row) == 0:
        return refs.reshape(n_rows, nv), cases_out.reshape(n_rows, nv)
    col = {v: k for k, v in enumerate(values)}
    case_ids: dict = {}
    group_case_ids = [[case_ids.setdefault(c, len(case_ids)) for c in cs] for cs in group_cases]
    case_vid = np.full(max(len(case_ids), 1), -1, dtype=np.int64)
    for c, k in case_ids.items():
        v = case_value.get(c)
        if v is not None and v in col:
            case_vid[k] = col[v]
    none_col = col.get(no_case, -1) if no_case is not None else -1
    group_vids = []
    for ids in group_case_ids:
        vids = {int(case_vid[k]) for k in ids} - {-1}
        group_vids.append(sorted(vids) if ids else ([none_col] if none_col >= 0 else []))
    n_groups = len(group_cases)
    rows = np.asarray(item_row, dtype=np.int64)
    groups = np.asarray(item_group, dtype=np.int64)
    pairs, weight = np.unique(rows * n_groups + groups, return_counts=True)
    p_row, p_group = pairs // n_groups, pairs % n_groups
    first, flat = ragged(group_vids)
    at, vid = spread(p_group, first, flat)
    refs += np.bincount(p_row[at] * nv + vid, weights=weight[at], minlength=n_rows * nv).astype(np.int64)
    first, flat = ragged(group_case_ids)
    at, case = spread(p_group, first, flat)
    n_case = max(len(case_ids), 1)
    rc = distinct(p_row[at] * n_case + case)
    r, c = rc // n_case, rc % n_case
    keep = case_vid[c] >= 0
    cases_out += np.bincount(r[keep] * nv + case_vid[c][keep], minlength=n_rows * nv)
    return refs.reshape(n_rows, nv), cases_out.reshape(n_rows, nv)


def counts_for_collections(collections: Sequence[Collection[int]], group_cases: Sequence[Sequence[Hashable]],
                           case_value: dict, values: Sequence[str],
                           no_case: Optional[str] = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`counts_by_value` for rows given as collections of groups (one item per member), as
    the CIPP matrix has them: a component's or a code's set of units."""
    # Groups with the same cases count alike, so each distinct case list is one group: the CIPP
    # units share their source's tuple, and one group per unit made the CIPP matrix's working
    # memory three times larger (12.7 against 4.1 MB at 20,000 codings).
    distinct_cases: dict = {}
    group_of = np.fromiter((distinct_cases.setdefault(tuple(cs), len(distinct_cases)) for cs in group_cases),
                           dtype=np.int64, count=len(group_cases))
    groups = list(distinct_cases)
    # Rows are counted a batch at a time (each row's counts are its own): all at once, a code
    # tree's nested collections made a million items and 35 MB of index arrays at 200,000 codings.
    refs, cases = [], []
    lo = 0
    while lo < len(collections) or not refs:
        hi, items = lo, 0
        while hi < len(collections) and (hi == lo or items + len(collections[hi]) <= _BATCH_ITEMS):
            items += len(collections[hi])
            hi += 1
        part = collections[lo:hi]
        sizes = [len(c) for c in part]
        item_row = np.repeat(np.arange(len(part), dtype=np.int64), sizes)
        item_group = group_of[np.fromiter((u for c in part for u in c), dtype=np.int64, count=int(sum(sizes)))]
        r, k = counts_by_value(item_row, item_group, groups, case_value, values, len(part), no_case)
        refs.append(r)
        cases.append(k)
        lo = hi
    return np.concatenate(refs), np.concatenate(cases)


_BATCH_ITEMS = 200_000


def value_label(value: Any) -> Optional[str]:
    """An attribute value as a column label: dates without a time as ``YYYY-MM-DD``, booleans as
    ``true``/``false``, numbers without a trailing ``.0``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value == _dt.datetime.combine(value.date(), _dt.time()) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def attribute_values(ctx: Context, var) -> tuple[dict, list[str]]:
    """``(case guid → value label, ordered labels)`` of a case variable: numbers, dates and
    booleans in their order, text in order of first appearance over the cases; ``(no value)``
    last when some case has none."""
    per_case = {}
    typed: dict[str, Any] = {}
    for g in ctx.project.cases:
        v = ctx.case_values.get(g, {}).get(var.guid)
        lab = value_label(v)
        if lab is not None:
            per_case[g] = lab
            typed.setdefault(lab, v)
    labels = list(typed)
    kinds = {type(v) for v in typed.values()}
    if len(kinds) == 1 and kinds <= {int, float, bool, _dt.datetime}:
        labels.sort(key=typed.__getitem__)
    if len(per_case) < len(ctx.project.cases):
        labels.append(NO_VALUE)
        for g in ctx.project.cases:
            per_case.setdefault(g, NO_VALUE)
    return per_case, labels


def _code_paths(ctx: Context) -> pd.Series:
    return pd.Series([ctx.paths[c.guid] for c in ctx.codes], dtype="str")


def code_case_presence(ctx: Context, counts: Optional[pd.DataFrame] = None) -> pd.DataFrame:
    """``Code x Case`` as 0/1: whether any coding at the code lies in a source of the case."""
    df = (counts if counts is not None else code_case_table(ctx)).copy()
    for col in df.columns[1:]:
        df[col] = (df[col] > 0).astype("int64")
    return df


def code_source_table(ctx: Context) -> pd.DataFrame:
    """One row per code path, one column per source: the codings at the code in the source."""
    n_codes, n_src = len(ctx.codes), len(ctx.project.sources)
    counts = np.bincount(ctx.code_pos * n_src + ctx.source_pos, minlength=n_codes * n_src)
    names = unique_names([ctx.source_names[g] for g in ctx.project.sources], taken=["code_path"])
    df = pd.DataFrame(counts.astype(np.int64).reshape(n_codes, n_src), columns=names)
    df.insert(0, "code_path", _code_paths(ctx))
    return df


def code_attribute_table(ctx: Context, var) -> pd.DataFrame:
    """One row per code path; per value of the case variable ``var``: ``references: <value>``
    (codings at the code in sources of cases with the value) and ``cases: <value>`` (cases with
    the value coded at the code).  Codings in sources without a case are not counted."""
    per_case, labels = attribute_values(ctx, var)
    sources = list(ctx.project.sources)
    group_cases = [ctx.index.source_cases.get(s, ()) for s in sources]
    refs, cases = counts_by_value(ctx.code_pos, ctx.source_pos, group_cases, per_case, labels, len(ctx.codes))
    names = unique_names([f"references: {v}" for v in labels] + [f"cases: {v}" for v in labels],
                         taken=["code_path"])
    df = pd.DataFrame(np.hstack([refs, cases]) if labels else np.zeros((len(ctx.codes), 0), dtype=np.int64),
                      columns=names)
    df.insert(0, "code_path", _code_paths(ctx))
    return df
