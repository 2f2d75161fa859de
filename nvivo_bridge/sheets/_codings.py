"""The ``Codings`` table: one row per coding (selection × code), built column by column for any
range of codings, so a writer can take it a chunk at a time and :func:`codings_table` whole."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..coding_index import format_ms
from ..model import split_path
from ._context import Context, TableRows
from ._values import date_only, extra_column_names, kept_as_text, to_datetimes, typed_column, unique_names, value_kinds

__all__ = ["codings_table", "codings_rows", "CODINGS_FIXED", "CODINGS_GUIDS", "case_variable_names"]

# What a researcher reads comes first (the excerpt third, beside its source and code); the case
# variables, memo and code levels follow, and the GUIDs a program joins on come last.
CODINGS_FIXED = ["source", "code_path", "text", "start", "end", "coverage_pct", "coder", "coded_at", "case"]
CODINGS_GUIDS = ["coding_guid", "selection_guid", "source_guid", "code_guid"]
_TAKEN = CODINGS_FIXED + ["memo"] + CODINGS_GUIDS
# Where the NVivo export reader keeps a reference's coverage (and, per code, its source's).
COVERAGE_KEY = "nvivo:coverage"


def case_variable_names(ctx: Context, taken: list[str]) -> list[str]:
    """Column names for the case variables, made unique against ``taken``."""
    return extra_column_names(taken, [v.name for v in ctx.case_vars], "variable")


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


class _CodingRows:
    """What every range of rows needs, computed once for the whole table: the case-variable
    values per source and each variable column's kinds (so every chunk gets the whole column's
    dtype), the code levels, the transcript excerpts and the parsed coding times."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        idx = ctx.index
        self.var_names = case_variable_names(ctx, _TAKEN)
        self.per_source = _per_source_case_values(ctx) if ctx.case_vars else {}
        # The variable values a column holds are those of the sources that have codings.
        self.used = [self.per_source[s] for s in set(idx.source_guid) if s in self.per_source]
        self.var_kinds = [value_kinds(r[j] for r in self.used) for j in range(len(ctx.case_vars))]
        self.levels = {c.guid: split_path(ctx.paths[c.guid]) for c in ctx.codes}
        depth = max((len(v) for v in self.levels.values()), default=0)
        self.level_names = unique_names([f"code_level_{k}" for k in range(1, depth + 1)],
                                        taken=_TAKEN + self.var_names)
        has_transcripts = any(tr.selections for src in ctx.project.sources.values() for tr in src.transcripts)
        self.transcripts = _transcript_texts(ctx) if has_transcripts else None
        # Parsed once: 8 bytes a row, and a chunk alone cannot tell whether the column is dates only.
        coded_at = to_datetimes(idx.coded_at)
        if kept_as_text(coded_at):
            ctx.diag.warn("datetime-as-text", f"{kept_as_text(coded_at)} coding time(s) are unreadable or outside "
                          "the years a spreadsheet holds (1900–9999); kept as text", "table Codings column coded_at")
        self.coded_at = coded_at.to_numpy()
        # Only NVivo's own node exports give a coverage, and then their sources say so too: one
        # look over the sources spares a REFI-QDA project the per-row lookup.
        self.has_coverage = any(COVERAGE_KEY in src.extras for src in ctx.project.sources.values())
        self.columns = CODINGS_FIXED + self.var_names + ["memo"] + self.level_names + CODINGS_GUIDS

    def coverage(self, start: int, stop: int) -> pd.Series:
        """NVivo's coverage of each reference, in % of its source (as NVivo's node export gives
        it: ``Reference 1 - 1,23% Coverage``); empty where the input does not say (REFI-QDA)."""
        if not self.has_coverage:
            return pd.Series([None] * (stop - start), dtype="Float64")
        return pd.Series([None if sel is None else sel.extras.get(COVERAGE_KEY)
                          for sel in self.ctx.index.selection[start:stop]], dtype="Float64")

    def date_columns(self) -> frozenset:
        """The datetime columns holding dates only over the whole table."""
        out = {"coded_at"} if date_only(pd.Series(self.coded_at)) else set()
        for j, (var, name) in enumerate(zip(self.ctx.case_vars, self.var_names)):
            if date_only(typed_column([r[j] for r in self.used], var.type, self.var_kinds[j])):
                out.add(name)
        return frozenset(out)

    def frame(self, start: int, stop: int) -> pd.DataFrame:
        """Rows ``start:stop`` of the table."""
        ctx, idx, rows = self.ctx, self.ctx.index, slice(start, stop)
        sources, codes = idx.source_guid[rows], idx.code_guid[rows]
        src_names, paths = ctx.source_names, ctx.paths
        cols: dict[str, pd.Series] = {}
        cols["source"] = _str_col([src_names.get(s) for s in sources])
        cols["code_path"] = _str_col([paths.get(c) for c in codes])
        texts = idx.texts(ctx.project.sources, start, stop)
        if self.transcripts is not None:
            found = self.transcripts
            texts = [found.get(sel, t) if kind == "transcript" else t
                     for sel, kind, t in zip(idx.selection_guid[rows], idx.kind[rows], texts)]
        cols["text"] = _str_col(texts)
        cols["start"] = pd.Series(idx.start[rows], dtype="Int64")
        cols["end"] = pd.Series(idx.end[rows], dtype="Int64")
        cols["coverage_pct"] = self.coverage(start, stop)
        cols["coder"] = _str_col(idx.coder[rows])
        cols["coded_at"] = pd.Series(self.coded_at[rows])
        cols["case"] = _str_col([ctx.source_case_names.get(s) for s in sources])
        if ctx.case_vars:
            empty = (None,) * len(ctx.case_vars)
            values = [self.per_source.get(s, empty) for s in sources]
            for j, (var, name) in enumerate(zip(ctx.case_vars, self.var_names)):
                cols[name] = typed_column([r[j] for r in values], var.type, self.var_kinds[j])
        cols["memo"] = _str_col(idx.memo[rows])
        code_levels = [self.levels.get(c, ()) for c in codes]
        for k, name in enumerate(self.level_names):
            cols[name] = _str_col([lv[k] if k < len(lv) else None for lv in code_levels])
        cols["coding_guid"] = _str_col(idx.coding_guid[rows])
        cols["selection_guid"] = _str_col(idx.selection_guid[rows])
        cols["source_guid"] = _str_col(sources)
        cols["code_guid"] = _str_col(codes)
        df = pd.DataFrame(cols)
        df.index = pd.RangeIndex(start, stop)
        return df


def _excerpt_sizes(ctx: Context) -> np.ndarray:
    """Characters of each row's excerpt where its span tells (text selections), else 0."""
    idx = ctx.index
    return np.fromiter((e - s if k == "text" and s is not None and e is not None and e > s else 0
                        for k, s, e in zip(idx.kind, idx.start, idx.end)), dtype=np.int64, count=len(idx))


def codings_rows(ctx: Context) -> TableRows:
    """The ``Codings`` table as :class:`TableRows`: any range of rows, typed like the whole table."""
    rows = _CodingRows(ctx)
    table = TableRows("Codings", rows.columns, len(ctx.index), rows.frame, rows.date_columns(),
                      sizes=_excerpt_sizes(ctx))
    # What the rows carry besides codings, for the ledger: the passages, and the users (as coders).
    idx = ctx.index
    table.carries = {"selections": len(set(idx.selection_guid) - {None}), "users": len(set(idx.coder) - {None})}
    return table


def codings_table(ctx: Context) -> pd.DataFrame:
    """The ``Codings`` table; ``code_level_1…N`` split the code path, N = the deepest code."""
    return codings_rows(ctx).frame()
