"""Analysis-ready tables: code co-occurrence, code matrices and the coded-segments table.

``nvivo_bridge.tables(project, extra="matrices")`` adds, after the workbook's tables (``Code x Case``…):

- ``Segments``: one row per coding with every case and source attribute (:mod:`.segments`);
- ``Code x Case presence``: 0/1; ``Code x Source``: codings per source (:mod:`.matrices`);
- ``Code x <attribute>`` for every case variable: references and cases per value;
- ``Co-occurrence`` (code × code) and ``Co-occurrence long`` (:mod:`.cooccurrence`).

The writers (xlsx, CSV with ``--matrices``; SQLite, Parquet and R always) take the same tables,
so every format holds the same numbers.  See ``docs/analysis.md`` for the definitions.
"""
from __future__ import annotations

from typing import Iterable, Optional, Union

from ..errors import UsageError
from ..sheets._context import Context, TableRows

__all__ = ["EXTRA_TABLES", "MATRICES", "wanted_extra", "analysis_tables"]

# Names of the tables (``Code x <attribute>`` stands for one table per case variable).
EXTRA_TABLES = ("Segments", "Code x Case presence", "Code x Source", "Code x <attribute>", "Co-occurrence",
                "Co-occurrence long")
MATRICES = "matrices"


def wanted_extra(extra: Union[None, str, Iterable[str]]) -> tuple[str, ...]:
    """The extra tables asked for: ``"matrices"`` (or ``True``) is all of :data:`EXTRA_TABLES`,
    otherwise a list of their names (case-insensitive).  An unknown name is a ``UsageError``."""
    if extra is None or extra is False:
        return ()
    if extra is True:
        extra = MATRICES
    items = [extra] if isinstance(extra, str) else list(extra)
    known = {t.lower(): t for t in EXTRA_TABLES}
    out: list[str] = []
    for item in items:
        key = str(item).strip().lower()
        if key == MATRICES:
            out.extend(EXTRA_TABLES)
        elif key in known:
            out.append(known[key])
        else:
            raise UsageError(f"unknown extra table '{item}'",
                             hint="use 'matrices' or some of: " + ", ".join(EXTRA_TABLES))
    return tuple(t for t in EXTRA_TABLES if t in out)


def analysis_tables(ctx: Context, extra: Iterable[str], taken: Iterable[str] = (),
                    codings: Optional[TableRows] = None,
                    code_case: Optional[object] = None) -> dict[str, TableRows]:
    """The extra tables named by ``extra`` (see :func:`wanted_extra`), in their documented order,
    as :class:`TableRows`; ``taken`` are the table names already used (a ``Code x <attribute>``
    clashing with one gets a number).  ``codings`` and ``code_case`` reuse the ``Codings`` rows
    and the ``Code x Case`` frame when already built."""
    from ..sheets import sheet_name
    from .cooccurrence import cooccurrence, cooccurrence_long, cooccurrence_matrix
    from .matrices import code_attribute_table, code_case_presence, code_source_table
    from .segments import segments_rows

    want = set(wanted_extra(tuple(extra)))
    names = list(taken)
    out: dict[str, TableRows] = {}

    def add(name: str, table) -> None:
        name = sheet_name(name, names)
        names.append(name)
        out[name] = table if isinstance(table, TableRows) else TableRows.of(name, table)
        out[name].name = name

    if "Segments" in want:
        add("Segments", segments_rows(ctx, codings))
    if "Code x Case presence" in want:
        add("Code x Case presence", code_case_presence(ctx, code_case))
    if "Code x Source" in want:
        add("Code x Source", code_source_table(ctx))
    if "Code x <attribute>" in want:
        for var in ctx.case_vars:
            add(f"Code x {var.name}", code_attribute_table(ctx, var))
    if want & {"Co-occurrence", "Co-occurrence long"}:
        co = cooccurrence(ctx)
        if "Co-occurrence" in want:
            add("Co-occurrence", cooccurrence_matrix(ctx, co))
        if "Co-occurrence long" in want:
            add("Co-occurrence long", cooccurrence_long(ctx, co))
    return out
