"""The ``Codings`` table: one row per coding (selection × code), built column by column."""
from __future__ import annotations

from typing import Any

import pandas as pd

from ..coding_index import format_ms
from ..model import split_path
from ._context import Context
from ._values import to_datetimes, typed_column, unique_names

__all__ = ["codings_table", "CODINGS_FIXED", "case_variable_names"]

CODINGS_FIXED = ["coding_guid", "selection_guid", "source", "source_guid", "code_path", "code_guid", "start",
                 "end", "text", "coder", "coded_at", "case"]


def case_variable_names(ctx: Context, taken: list[str]) -> list[str]:
    """Column names for the case variables, made unique against ``taken``."""
    return unique_names([v.name for v in ctx.case_vars], taken=taken, suffix=" (variable)")


def _joined(values: list) -> Any:
    """The value of a variable for a source with several cases: the one value when they agree,
    else the distinct values as text joined by ``"; "``."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    first = present[0]
    if all(v == first for v in present):
        return first
    seen: list[str] = []
    for v in present:
        if str(v) not in seen:
            seen.append(str(v))
    return "; ".join(seen)


def _per_source_case_values(ctx: Context) -> dict:
    """``source guid → tuple of case-variable values`` (in ``ctx.case_vars`` order)."""
    out: dict = {}
    for src, cases in ctx.index.source_cases.items():
        row = []
        for var in ctx.case_vars:
            row.append(_joined([ctx.case_values.get(c, {}).get(var.guid) for c in cases]))
        out[src] = tuple(row)
    return out


def _transcript_texts(ctx: Context) -> dict:
    """``selection guid → text`` for transcript selections: the transcript's text between the two
    sync points, or their time span when the positions are unknown."""
    out: dict = {}
    for src in ctx.project.sources.values():
        for tr in src.transcripts:
            sync = {sp.guid: sp for sp in tr.sync_points}
            for sel in tr.selections:
                a, b = sync.get(sel.from_sync), sync.get(sel.to_sync)
                if sel.text is not None or a is None or b is None:
                    continue
                if (tr.text is not None and a.position is not None and b.position is not None
                        and 0 <= a.position <= b.position <= len(tr.text)):
                    out[sel.guid] = tr.text[a.position:b.position]
                elif a.time_stamp is not None and b.time_stamp is not None:
                    out[sel.guid] = f"transcript {format_ms(a.time_stamp)}-{format_ms(b.time_stamp)}"
    return out


def _str_col(values: list) -> pd.Series:
    return pd.Series(values, dtype="str") if values else pd.Series([], dtype="str")


def codings_table(ctx: Context) -> pd.DataFrame:
    """The ``Codings`` table; ``code_level_1…N`` split the code path, N = the deepest code."""
    idx = ctx.index
    n = len(idx)
    cols: dict[str, pd.Series] = {}
    src_names, paths = ctx.source_names, ctx.paths
    cols["coding_guid"] = _str_col(idx.coding_guid)
    cols["selection_guid"] = _str_col(idx.selection_guid)
    cols["source"] = _str_col([src_names.get(s) for s in idx.source_guid])
    cols["source_guid"] = _str_col(idx.source_guid)
    cols["code_path"] = _str_col([paths.get(c) for c in idx.code_guid])
    cols["code_guid"] = _str_col(idx.code_guid)
    cols["start"] = pd.Series(idx.start, dtype="Int64")
    cols["end"] = pd.Series(idx.end, dtype="Int64")
    texts = idx.text
    if any(tr.selections for src in ctx.project.sources.values() for tr in src.transcripts):
        found = _transcript_texts(ctx)
        texts = [found.get(sel, t) if kind == "transcript" else t
                 for sel, kind, t in zip(idx.selection_guid, idx.kind, idx.text)]
    cols["text"] = _str_col(texts)
    cols["coder"] = _str_col(idx.coder)
    cols["coded_at"] = to_datetimes(idx.coded_at)
    cols["case"] = _str_col([ctx.source_case_names.get(s) for s in idx.source_guid])

    names = case_variable_names(ctx, CODINGS_FIXED + ["memo"])
    if ctx.case_vars:
        per_source = _per_source_case_values(ctx)
        empty = (None,) * len(ctx.case_vars)
        rows = [per_source.get(s, empty) for s in idx.source_guid]
        for j, (var, name) in enumerate(zip(ctx.case_vars, names)):
            cols[name] = typed_column([r[j] for r in rows], var.type)
    cols["memo"] = _str_col(idx.memo)

    levels = {c.guid: split_path(paths[c.guid]) for c in ctx.codes}
    depth = max((len(v) for v in levels.values()), default=0)
    level_names = unique_names([f"code_level_{k}" for k in range(1, depth + 1)], taken=list(cols))
    code_levels = [levels.get(c, ()) for c in idx.code_guid]
    for k, name in enumerate(level_names):
        cols[name] = _str_col([lv[k] if k < len(lv) else None for lv in code_levels])
    return pd.DataFrame(cols, index=pd.RangeIndex(n))
