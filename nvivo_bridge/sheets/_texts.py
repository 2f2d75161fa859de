"""The ``Source Texts`` and ``Links`` tables: what the researcher's tables need beyond the coded
passages so that the workbook can be read back into the project it came from
(:mod:`nvivo_bridge.readers.workbook`).

``Source Texts`` holds every text source's full text, cut into parts a reader can take in at a
glance (a cell of at most :data:`PART_CHARS` characters, well within what Excel holds), ending at
a line break where one is near, else after a space, so a part reads as whole paragraphs or at
least whole words.  The parts of a source joined in order give back its text exactly.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._context import CHUNK_CHARS, Context, TableRows
from ._notes import describer

__all__ = ["source_texts_rows", "links_table", "SOURCE_TEXTS_COLUMNS", "LINKS_COLUMNS", "PART_CHARS",
           "split_parts"]

SOURCE_TEXTS_COLUMNS = ["source", "part", "text", "source_guid"]
LINKS_COLUMNS = ["name", "direction", "origin", "target", "color", "guid", "origin_guid", "target_guid"]
# About as much as a row of Excel's tallest height shows at the sheet's column width (Excel
# itself would hold 32,767 UTF-16 units a cell).
PART_CHARS = 2_500
# A part ends at the last line break in its final quarter, else after its last space there,
# else at PART_CHARS.
_BREAK_WINDOW = PART_CHARS // 4


def split_parts(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each part of ``text`` (one empty part for an empty text)."""
    out: list[tuple[int, int]] = []
    a, n = 0, len(text)
    while True:
        if n - a <= PART_CHARS:
            out.append((a, n))
            return out
        lo, hi = a + PART_CHARS - _BREAK_WINDOW, a + PART_CHARS
        b = (text.rfind("\n", lo, hi) + 1) or (text.rfind(" ", lo, hi) + 1) or hi
        out.append((a, b))
        a = b


class _Parts:
    """Where each part is (source, part number, span), found once; a chunk of rows is cut from
    the sources' texts when it is asked for, so the texts are never all held at once."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.where: list[tuple[str, int, int, int]] = []
        for g, src in ctx.project.sources.items():
            text = src.text
            if src.kind != "text" or text is None:
                continue
            for k, (a, b) in enumerate(split_parts(text), 1):
                self.where.append((g, k, a, b))
        self.sizes = np.fromiter((b - a for _, _, a, b in self.where), dtype=np.int64, count=len(self.where))

    def frame(self, start: int, stop: int) -> pd.DataFrame:
        """Rows ``start:stop``."""
        sources, names = self.ctx.project.sources, self.ctx.source_names
        rows = self.where[start:stop]
        texts, text_of = [], None
        for g, _, a, b in rows:
            if text_of is None or text_of[0] != g:
                text_of = (g, sources[g].text)  # one read per source: texts may be stored compactly
            texts.append(text_of[1][a:b])
        df = pd.DataFrame({"source": pd.Series([names.get(g) for g, *_ in rows], dtype="str"),
                           "part": pd.Series([k for _, k, _, _ in rows], dtype="int64"),
                           "text": pd.Series(texts, dtype="str"),
                           "source_guid": pd.Series([g for g, *_ in rows], dtype="str")},
                          columns=SOURCE_TEXTS_COLUMNS)
        df.index = pd.RangeIndex(start, stop)
        return df


def source_texts_rows(ctx: Context) -> TableRows:
    """The ``Source Texts`` table as :class:`TableRows` (chunks of at most a few MB of text)."""
    parts = _Parts(ctx)
    table = TableRows("Source Texts", list(SOURCE_TEXTS_COLUMNS), len(parts.where), parts.frame, sizes=parts.sizes)
    # Every row is long text: chunks of a quarter of the usual characters keep this table's share
    # of the writer's peak small (at 20,000 codings: +4 MB, against +21 MB with whole chunks).
    table.chunk_chars = CHUNK_CHARS // 4
    return table


def links_table(ctx: Context) -> pd.DataFrame:
    """One row per link (a relation between two objects; NVivo's annotations are links from a
    note to a passage), with both ends named for a reader and by GUID."""
    describe = describer(ctx)
    rows = []
    for g, link in ctx.project.links.items():
        ends = [describe(e)[1] if e else None for e in (link.origin, link.target)]
        rows.append((link.name, link.direction, ends[0], ends[1], link.color, g, link.origin, link.target))
    return pd.DataFrame.from_records(rows, columns=LINKS_COLUMNS).astype(object)
