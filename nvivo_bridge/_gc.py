"""Pausing Python's cyclic garbage collector around bulk work.

Reading or writing a large project allocates millions of small objects and makes no reference
cycles worth collecting; each automatic full collection would rescan the whole model (at 200,000
codings about 0.5 s per pass).  The collector is restored as it was on exit.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (restored as it was on exit)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
