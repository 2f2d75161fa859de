"""A table as the writers take it: its columns, its row count, and any range of its rows as a
DataFrame typed like the whole table, so a large table is written a chunk at a time."""
from __future__ import annotations

from typing import Callable, Iterator, Optional

import pandas as pd

from ._values import date_only

__all__ = ["TableRows", "CHUNK_ROWS"]

# Rows per chunk when a writer walks a table: large enough that the per-chunk work (a small
# DataFrame, a prepared column per column) is negligible, small enough that a chunk of excerpts
# is a few MB however large the project.
CHUNK_ROWS = 5_000


class TableRows:
    """``rows`` rows under ``columns``; :meth:`frame` gives rows ``start:stop`` as a DataFrame
    with the whole table's dtypes.  ``date_columns`` names the datetime columns that hold dates
    only over the whole table (a chunk alone cannot tell)."""

    def __init__(self, name: str, columns: list[str], rows: int, frame: Callable[[int, int], pd.DataFrame],
                 date_columns: frozenset = frozenset(), whole: Optional[pd.DataFrame] = None) -> None:
        self.name, self.columns, self.rows = name, columns, rows
        self._frame, self.date_columns, self._whole = frame, date_columns, whole

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
        :data:`CHUNK_ROWS`)."""
        stop = self.rows if stop is None else min(stop, self.rows)
        size = size or CHUNK_ROWS
        for a in range(start, stop, size):
            yield a, self.frame(a, min(a + size, stop))
