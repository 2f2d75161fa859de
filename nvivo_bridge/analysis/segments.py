"""``Segments``: the coded-segments export — one row per coding with every case and source
attribute.  It is the ``Codings`` table (taken by column name, so its column order is whatever
``Codings`` has) with one column per source variable added at the end, built a chunk of rows
at a time like ``Codings``."""
from __future__ import annotations

import pandas as pd

from ..sheets._codings import codings_rows
from ..sheets._context import Context, TableRows
from ..sheets._values import date_only, typed_column, unique_names, value_kinds

__all__ = ["segments_rows", "source_variable_names"]


def source_variable_names(ctx: Context, taken: list[str]) -> list[str]:
    """Column names of the source variables, made unique against ``taken`` (a clash with a case
    variable of the same name gets `` (source)``)."""
    return unique_names([v.name for v in ctx.source_vars], taken=taken, suffix=" (source)")


def segments_rows(ctx: Context, codings: TableRows | None = None) -> TableRows:
    """The ``Segments`` table as :class:`TableRows` (``codings``: the ``Codings`` rows, if built)."""
    codings = codings if codings is not None else codings_rows(ctx)
    names = source_variable_names(ctx, list(codings.columns))
    owners = ctx.index.source_guid
    per_source = {g: tuple(ctx.source_values.get(g, {}).get(v.guid) for v in ctx.source_vars)
                  for g in ctx.project.sources}
    used = [per_source[s] for s in set(owners)]
    kinds = [value_kinds(r[j] for r in used) for j in range(len(names))]
    dates = set(codings.date_columns)
    for j, (var, name) in enumerate(zip(ctx.source_vars, names)):
        if date_only(typed_column([r[j] for r in used], var.type, kinds[j])):
            dates.add(name)
    empty = (None,) * len(names)

    def frame(start: int, stop: int) -> pd.DataFrame:
        df = codings.frame(start, stop)
        if not names:
            return df
        rows = [per_source.get(s, empty) for s in owners[start:stop]]
        extra = {name: typed_column([r[j] for r in rows], var.type, kinds[j])
                 for j, (var, name) in enumerate(zip(ctx.source_vars, names))}
        return pd.concat([df, pd.DataFrame(extra).set_axis(df.index)], axis=1)

    return TableRows("Segments", list(codings.columns) + names, len(codings), frame, frozenset(dates),
                     sizes=getattr(codings, "_sizes", None))
