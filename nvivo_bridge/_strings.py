"""Keeping pandas' text columns in Python storage while nvivo-bridge writes.

pandas 3 stores text columns in PyArrow when pyarrow is installed (as it is with the Parquet
extra).  For the writers, which turn every table back into Python values a chunk at a time, that
storage only costs: at 200,000 codings the CSV conversion took 442 MB and about 10% longer with
it, 371 MB without.  So the writers, and ``nvivo_bridge.tables()``, build text columns in Python
storage whatever is installed: the same dtypes everywhere, and a long-running process (a test
session, a notebook) does not keep Arrow's allocator's retained memory.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

__all__ = ["python_strings"]


@contextmanager
def python_strings() -> Iterator[None]:
    """Python string storage for pandas in the block, if pandas is loaded (a writer that uses it
    has imported it by then; the others are not made to import it)."""
    pd = sys.modules.get("pandas")
    if pd is None:
        yield
        return
    try:
        ctx = pd.option_context("mode.string_storage", "python")
    except Exception:  # noqa: BLE001 - an old or future pandas without the option: nothing to do
        yield
        return
    with ctx:
        yield
