"""The small tables: ``Project``, ``Sources``, ``Cases``, ``Variables`` and ``Sets``."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

from ._context import Context
from ._values import extra_column_names, parse_datetime, typed_column

__all__ = ["project_table", "sources_table", "cases_table", "variables_table", "sets_table",
           "SOURCES_FIXED", "CASES_FIXED", "VARIABLES_COLUMNS", "SETS_COLUMNS"]

SOURCES_FIXED = ["guid", "name", "kind", "characters", "codings", "codes", "cases", "description", "file"]
CASES_FIXED = ["guid", "name", "description", "sources"]
VARIABLES_COLUMNS = ["guid", "name", "type", "description"]
SETS_COLUMNS = ["set", "description", "member_kind", "member", "member_guid", "set_guid"]


def project_table(ctx: Context, converted_by: str, converted_at: Optional[_dt.datetime]) -> pd.DataFrame:
    """``field, value`` rows describing the project and the conversion (times in UTC)."""
    p = ctx.project
    counts = p.counts()
    counts["codings"] = len(ctx.index)
    counts["codes"] = len(ctx.codes)
    rows = [("name", p.name), ("kind", p.kind), ("origin", p.origin), ("producer", p.producer),
            ("position_unit", p.position_unit), ("created", parse_datetime(p.created) or p.created),
            ("modified", parse_datetime(p.modified) or p.modified),
            ("created_by", ctx.user_names.get(p.creating_user, p.creating_user)),
            ("description", p.description)]
    rows += [(kind, n) for kind, n in counts.items()]
    # Only the file name: a full path would put the researcher's folder layout into a shared workbook.
    rows += [("tables", len(p.tables)), ("input", Path(p.source_file).name if p.source_file else None),
             ("converted_by", converted_by), ("converted_at", converted_at)]
    return pd.DataFrame({"field": pd.Series([r[0] for r in rows], dtype="str"),
                         "value": pd.Series([r[1] for r in rows], dtype=object)})


def _variable_columns(df: pd.DataFrame, variables: list, values: dict, owners: list) -> pd.DataFrame:
    """Append one typed column per variable to ``df`` (names made unique against its columns)."""
    names = extra_column_names(df.columns, [v.name for v in variables], "variable")
    extra = {name: typed_column([values.get(o, {}).get(var.guid) for o in owners], var.type)
             for var, name in zip(variables, names)}
    if extra:
        df = pd.concat([df, pd.DataFrame(extra, index=df.index)], axis=1)
    return df


def _file_of(src) -> Optional[str]:
    """Where the source's original file is: its path, else its rich text or plain text path."""
    return src.path or src.current_path or src.rich_text_path or src.plain_text_path or (
        src.file.name if src.file is not None else None)


def sources_table(ctx: Context) -> pd.DataFrame:
    """One row per source with its coding counts, its cases (names) and its source variables."""
    n_src, n_codes = len(ctx.project.sources), max(len(ctx.codes), 1)
    codings = np.bincount(ctx.source_pos, minlength=n_src)
    # distinct (source, code) pairs as integers: a set of 200,000 tuples cost 17 MB
    codes = np.bincount(np.unique(ctx.source_pos * n_codes + ctx.code_pos) // n_codes, minlength=n_src)
    rows = []
    owners = list(ctx.project.sources)
    for k, (g, src) in enumerate(ctx.project.sources.items()):
        rows.append((g, src.name, src.kind, len(src.text) if src.text is not None else None, int(codings[k]),
                     int(codes[k]), ctx.source_case_names.get(g), src.description, _file_of(src)))
    df = pd.DataFrame.from_records(rows, columns=SOURCES_FIXED)
    df["characters"] = df["characters"].astype("Int64")
    for col in ("codings", "codes"):
        df[col] = df[col].astype("int64")
    return _variable_columns(df, ctx.source_vars, ctx.source_values, owners)


def cases_table(ctx: Context) -> pd.DataFrame:
    """One row per case with its sources (names) and its case variables."""
    by_case: dict[str, list[str]] = {}
    for src, cases in ctx.index.source_cases.items():
        for c in cases:
            by_case.setdefault(c, []).append(src)
    rows = []
    for g, case in ctx.project.cases.items():
        names = [ctx.source_names.get(s, s) for s in by_case.get(g, [])]
        rows.append((g, case.name, case.description, "; ".join(names) or None))
    df = pd.DataFrame.from_records(rows, columns=CASES_FIXED)
    return _variable_columns(df, ctx.case_vars, ctx.case_values, list(ctx.project.cases))


def variables_table(ctx: Context) -> pd.DataFrame:
    """One row per variable (NVivo attribute)."""
    rows = [(g, v.name, v.type, v.description) for g, v in ctx.project.variables.items()]
    return pd.DataFrame.from_records(rows, columns=VARIABLES_COLUMNS)


def sets_table(ctx: Context) -> pd.DataFrame:
    """One row per set member (a set without members gets one row with empty member columns)."""
    p = ctx.project
    rows = []
    for s in p.sets.values():
        members = ([("code", ctx.paths.get(g, g), g) for g in s.member_codes]
                   + [("source", ctx.source_names.get(g, g), g) for g in s.member_sources]
                   + [("note", (p.notes[g].name if g in p.notes else None) or g, g) for g in s.member_notes])
        if not members:
            rows.append((s.name, s.description, None, None, None, s.guid))
        rows += [(s.name, s.description, kind, label, g, s.guid) for kind, label, g in members]
    return pd.DataFrame.from_records(rows, columns=SETS_COLUMNS)
