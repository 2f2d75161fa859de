"""Picture and PDF regions as runs on one axis, exact in area.

The region corners of a picture (or of a PDF page) cut it into a grid of cells (coordinate
compression); cells are laid out row by row, each as a run as long as its area, so a rectangle
becomes one run per grid row it spans and the length of any union or intersection of rectangles
equals its area.  No object per pixel.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..errors import Diagnostics
from ..model import Source

__all__ = ["regions"]


def _grid(rects: list, width: int, height: int) -> tuple:
    xs = sorted({0, width, *(x for r in rects for x in (r[0], r[2]))})
    ys = sorted({0, height, *(y for r in rects for y in (r[1], r[3]))})
    return np.asarray(xs, dtype=np.int64), np.asarray(ys, dtype=np.int64)


def _rect_runs(rect: tuple, xs: np.ndarray, ys: np.ndarray) -> list:
    """The runs (start, end) of one rectangle on its area space's own axis (see module doc)."""
    x0, y0, x1, y1 = rect
    cols0, cols1 = int(np.searchsorted(xs, x0)), int(np.searchsorted(xs, x1))
    width = int(xs[-1] - xs[0])
    out = []
    for r in range(int(np.searchsorted(ys, y0)), int(np.searchsorted(ys, y1))):
        row_start, h = int(ys[r]) * width, int(ys[r + 1] - ys[r])
        out.append((row_start + int(xs[cols0]) * h, row_start + int(xs[cols1]) * h))
    return out


def _picture_size(src: Source) -> Optional[tuple]:
    blob = src.file
    if blob is None:
        return None
    try:
        import io
        import zipfile

        from PIL import Image  # pillow comes with matplotlib
        if blob.data is not None:
            fh = io.BytesIO(blob.data)
        elif blob.archive and blob.member:
            with zipfile.ZipFile(blob.archive) as zf:
                fh = io.BytesIO(zf.read(blob.member))
        elif blob.file:
            fh = open(blob.file, "rb")
        else:
            return None
        with fh, Image.open(fh) as im:
            return im.size
    except Exception:  # noqa: BLE001 - any unreadable picture: fall back to the regions' extent
        return None


def _rect(sel) -> Optional[tuple]:
    vals = (sel.first_x, sel.first_y, sel.second_x, sel.second_y)
    if any(v is None for v in vals):
        return None
    x0, y0, x1, y1 = (int(v) for v in vals)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def regions(src: Source, spaces, col, items: list, diag: Diagnostics) -> None:
    """Picture regions, or PDF regions page by page, as runs on area spaces."""
    pages: dict = {}
    for sel, coding in items:
        rect = _rect(sel)
        if rect is None:
            diag.warn("agreement-no-units", f"a region coding in '{src.name}' has no corners; not counted",
                      src.name)
            continue
        pages.setdefault(sel.page if sel.kind == "pdf" else None, []).append((rect, coding))
    for page, found in pages.items():
        rects = [r for r, _ in found]
        size = _picture_size(src) if page is None else None
        if size is None:
            size = (max(r[2] for r in rects), max(r[3] for r in rects))
            diag.warn("agreement-area-estimated",
                      f"the size of '{src.name}'{'' if page is None else f' page {page}'} is unknown: its units are "
                      f"the area from (0,0) to the farthest coded corner {size}", src.name)
        xs, ys = _grid(rects, *size)
        unit = "pixels" if page is None else "points"
        name = src.name if page is None else f"{src.name} (page {page})"
        sp = spaces.add(src.guid, name, unit, int(xs[-1]) * int(ys[-1]), (xs, ys))
        off = spaces.offset[sp]
        for rect, coding in found:
            for a, b in _rect_runs(rect, xs, ys):
                col.add(coding, sp, off + a, off + b)


