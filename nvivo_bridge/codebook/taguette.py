"""The codebook as a CSV that Taguette's own codebook import takes (``codebook … -o x.csv
--target taguette``): one ``tag`` column and a ``description`` column, as Taguette exports them.

Taguette refuses a CSV with more than one of the columns ``tag``, ``name`` and ``path`` (our
editable codebook sheet has both ``path`` and ``name``), and its tags are flat: each code becomes
the tag named by its whole path (``Parent/Child``), so codes with one name in different branches
stay apart.  Cells are written raw (no formula escaping: an apostrophe would become part of the tag).
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Optional

from .._io import atomic_write
from ..errors import Diagnostics
from ..model import Project
from .sheet_write import codebook_rows

__all__ = ["write_taguette_csv", "HEADER"]

HEADER = ("tag", "description")


def write_taguette_csv(book: Project, path: Path, diag: Optional[Diagnostics] = None) -> dict[str, int]:
    """Write ``book`` as Taguette's codebook CSV (UTF-8); return ``{"codes": n, "sets": 0}``."""
    diag = diag if diag is not None else Diagnostics()
    rows, seen = [], set()
    for r in codebook_rows(book):
        # Taguette strips each cell and refuses an empty tag; a line break would split its row.
        tag = " ".join(r["path"].split()) or r["guid"]
        base, n = tag, 1
        while tag in seen:
            n += 1
            tag = f"{base} [{n}]"
        if tag != base:
            diag.warn("tag-renamed", f"two codes have the path {base!r}; Taguette needs unique tags, "
                      f"the second is written as {tag!r}", f"code {r['guid']}")
        seen.add(tag)
        rows.append((tag, r["description"] or ""))
    if book.sets:
        diag.info("sets-not-written", f"{len(book.sets)} set(s) left out: Taguette's codebook has no sets")

    def fill(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(HEADER)
            w.writerows(rows)

    atomic_write(Path(path), fill, "the codebook")
    return {"codes": len(rows), "sets": 0}
