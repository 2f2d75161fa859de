"""What every table needs, computed once per project: the coding index (without cases-as-codes),
code paths, display names, and which variables belong to cases and which to sources; and
:class:`TableRows`, the shape a table is handed to the writers in (any range of its rows as a
DataFrame typed like the whole table, so a large table is written a chunk at a time)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

import numpy as np
import pandas as pd

from ..coding_index import CodingIndex, build_index
from ..errors import Diagnostics
from ..model import Project, Variable
from ._values import date_only, typed_value

__all__ = ["Context", "make_context", "TableRows", "CHUNK_ROWS", "CHUNK_CHARS"]


@dataclass
class Context:
    """Shared lookups for building the tables (see :func:`make_context`)."""

    project: Project
    diag: Diagnostics
    index: CodingIndex
    codes: list = field(default_factory=list)            # kept Code objects, project order
    paths: dict = field(default_factory=dict)            # code guid → "/" path
    source_names: dict = field(default_factory=dict)     # source guid → display name
    case_names: dict = field(default_factory=dict)       # case guid → display name
    source_case_names: dict = field(default_factory=dict)  # source guid → "I1; I2"
    case_vars: list = field(default_factory=list)        # Variable objects shown on cases
    source_vars: list = field(default_factory=list)      # Variable objects shown on sources
    case_values: dict = field(default_factory=dict)      # case guid → {var guid: typed value}
    source_values: dict = field(default_factory=dict)    # source guid → {var guid: typed value}
    user_names: dict = field(default_factory=dict)       # user guid → display name
    # Per coding, the position of its code in ``codes`` and of its source in ``project.sources``,
    # so counts are taken over integers in C.
    code_pos: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    source_pos: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _filter_index(idx: CodingIndex, drop: set) -> CodingIndex:
    """A copy of ``idx`` without the codings whose code is in ``drop``."""
    keep = [k for k, c in enumerate(idx.code_guid) if c not in drop]
    out = CodingIndex(source_cases=idx.source_cases, dangling=idx.dangling + len(idx) - len(keep),
                      excerpts=idx.excerpts)
    for name in ("coding_guid", "selection_guid", "selection", "source_guid", "code_guid", "kind", "start", "end",
                 "text", "coder", "coded_at", "cases", "memo"):
        col = getattr(idx, name)
        setattr(out, name, [col[k] for k in keep])
    return out


def _values_of(owners: dict, variables: dict[str, Variable], diag: Diagnostics, what: str) -> dict:
    """``owner guid → {variable guid: typed value}``; a value that does not fit its type is kept as
    text and reported once per variable."""
    out: dict[str, dict[str, Any]] = {}
    reported: set = set()
    for guid, obj in owners.items():
        vals: dict[str, Any] = {}
        for vv in obj.variable_values:
            var = variables.get(vv.variable)
            if var is None:
                continue
            value, ok = typed_value(vv.value, var.type)
            if not ok and var.guid not in reported:
                reported.add(var.guid)
                diag.warn("variable-value-type",
                          f"variable '{var.name}' is {var.type} but its value {vv.value!r} is not one a table "
                          f"can hold as {var.type} (dates 1900–2261, integers below 2^63); kept as text",
                          f"{what} {getattr(obj, 'name', None) or guid}")
            vals[var.guid] = value
        if vals:
            out[guid] = vals
    return out


def make_context(project: Project, diag: Optional[Diagnostics] = None) -> Context:
    """Build the shared lookups.  Codes whose GUID is also a case (NVivo cases exported as
    codes) are left out everywhere, and so are codings at them.

    The index leaves the excerpts out (``excerpts=False``): the ``Codings`` rows cut them a chunk
    at a time, so a large project's excerpts are never all held at once by a writer."""
    diag = diag if diag is not None else Diagnostics()
    idx = build_index(project, excerpts=False)
    case_codes = {g for g in project.codes if g in project.cases}
    if case_codes:
        idx = _filter_index(idx, case_codes)
    ctx = Context(project, diag, idx)
    ctx.codes = [c for g, c in project.codes.items() if g not in case_codes]
    code_at = {c.guid: k for k, c in enumerate(ctx.codes)}
    source_at = {g: k for k, g in enumerate(project.sources)}
    ctx.code_pos = np.fromiter(map(code_at.__getitem__, idx.code_guid), dtype=np.int64, count=len(idx))
    ctx.source_pos = np.fromiter(map(source_at.__getitem__, idx.source_guid), dtype=np.int64, count=len(idx))
    ctx.paths = project.code_paths()
    ctx.source_names = {g: s.name if s.name is not None else g for g, s in project.sources.items()}
    ctx.case_names = {g: c.name if c.name is not None else g for g, c in project.cases.items()}
    ctx.source_case_names = {s: "; ".join(ctx.case_names[c] for c in cases)
                             for s, cases in idx.source_cases.items() if cases}
    ctx.user_names = {g: u.name or u.id or g for g, u in project.users.items()}

    on_sources = {vv.variable for s in project.sources.values() for vv in s.variable_values}
    on_cases = {vv.variable for c in project.cases.values() for vv in c.variable_values}
    ctx.source_vars = [v for g, v in project.variables.items() if g in on_sources]
    # A variable valued nowhere is shown on cases: NVivo attributes are mostly case attributes.
    ctx.case_vars = [v for g, v in project.variables.items() if g in on_cases or g not in on_sources]
    ctx.case_values = _values_of(project.cases, project.variables, diag, "case")
    ctx.source_values = _values_of(project.sources, project.variables, diag, "source")
    return ctx


# Rows per chunk when a writer walks a table: large enough that the per-chunk work (a small
# DataFrame, a prepared column per column) is negligible, small enough that a chunk of excerpts
# is a few MB however large the project.
CHUNK_ROWS = 5_000
# Characters of excerpt per chunk at most (a chunk has one row at least): codings of whole
# transcripts would otherwise put thousands of long texts in one chunk.
CHUNK_CHARS = 4_000_000


class TableRows:
    """``rows`` rows under ``columns``; :meth:`frame` gives rows ``start:stop`` as a DataFrame
    with the whole table's dtypes.  ``date_columns`` names the datetime columns that hold dates
    only over the whole table (a chunk alone cannot tell).  ``sizes`` (characters per row, where
    known) keeps a chunk of long rows small."""

    def __init__(self, name: str, columns: list[str], rows: int, frame: Callable[[int, int], pd.DataFrame],
                 date_columns: frozenset = frozenset(), whole: Optional[pd.DataFrame] = None,
                 sizes: Optional[np.ndarray] = None) -> None:
        self.name, self.columns, self.rows = name, columns, rows
        self._frame, self.date_columns, self._whole, self._sizes = frame, date_columns, whole, sizes
        # Element kinds the rows carry beyond one per row (``Codings``: selections, users), for the ledger.
        self.carries: dict[str, int] = {}
        # Characters a chunk holds at most (a table of long rows may want less than CHUNK_CHARS).
        self.chunk_chars = CHUNK_CHARS

    @classmethod
    def of(cls, name: str, df: pd.DataFrame) -> "TableRows":
        """A table already built as a DataFrame."""
        dates = frozenset(str(c) for k, c in enumerate(df.columns) if date_only(df.iloc[:, k]))
        return cls(name, [str(c) for c in df.columns], len(df), lambda a, b: df.iloc[a:b], dates, df)

    def __len__(self) -> int:
        return self.rows

    def frame(self, start: int = 0, stop: Optional[int] = None) -> pd.DataFrame:
        """Rows ``start:stop`` (default: all) as a DataFrame."""
        stop = self.rows if stop is None else min(stop, self.rows)
        if self._whole is not None and start == 0 and stop == self.rows:
            return self._whole
        return self._frame(start, stop)

    def chunks(self, start: int = 0, stop: Optional[int] = None, size: Optional[int] = None
               ) -> Iterator[tuple[int, pd.DataFrame]]:
        """``(first row, DataFrame)`` for rows ``start:stop`` in chunks of ``size`` rows (default
        :data:`CHUNK_ROWS`) and, where the row sizes are known, :data:`CHUNK_CHARS` characters
        (or one row)."""
        stop = self.rows if stop is None else min(stop, self.rows)
        size = size or CHUNK_ROWS
        ends = np.cumsum(self._sizes) if self._sizes is not None else None
        a = start
        while a < stop:
            b = min(a + size, stop)
            if ends is not None:
                before = int(ends[a - 1]) if a else 0
                b = max(a + 1, min(b, int(np.searchsorted(ends, before + self.chunk_chars, side="right"))))
            yield a, self.frame(a, b)
            a = b
