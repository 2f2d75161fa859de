"""The CIPP report as a Word document (python-docx), ready to paste into a thesis chapter.

Same content as the HTML report (:mod:`nvivo_bridge.cipp.content`): Word headings (so the
navigation pane and a table of contents see them), real tables with the caption above them
("Tabel 4.1 …" with ``lang="id"``, "Table 4.1 …" in English, in Word's Caption style), figures
as pictures with their caption below, and quotations in the Quote style.  A4 pages; each
component starts on a new page.
"""
from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import Any, Optional

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .content import Figure, Heading, Items, PageBreak, Para, Quote, Table, blocks

__all__ = ["write_docx", "document"]

_TEXT_WIDTH_CM = 15.0   # A4 (21 cm) less 3.5 cm left and 2.5 cm right margins
_LANG = {"en": "en-US", "id": "id-ID"}


def _png_width_cm(data: bytes, dpi: int = 150) -> float:
    """The width a PNG was drawn at (its IHDR width at the figures' 150 dpi), in cm."""
    width = struct.unpack(">I", data[16:20])[0] if data[:8] == b"\x89PNG\r\n\x1a\n" else 0
    return width / dpi * 2.54


def _set_language(doc: Any, lang: str) -> None:
    """Mark the text's language (spell check, hyphenation) on the default run properties."""
    tag = _LANG.get(lang, "en-US")
    doc.core_properties.language = tag
    rpr = doc.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is not None:
        el = rpr.find(qn("w:lang"))
        if el is None:
            el = OxmlElement("w:lang")
            rpr.append(el)
        el.set(qn("w:val"), tag)


def _border(cell: Any, edge: str, size: int) -> None:
    """A horizontal rule on one edge of a cell (thesis tables: rules, no grid)."""
    tcpr = cell._tc.get_or_add_tcPr()
    borders = tcpr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tcpr.append(borders)
    el = OxmlElement(f"w:{edge}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size))
    el.set(qn("w:color"), "000000")
    borders.append(el)


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


_PAD_CM = 0.25        # a cell's left and right margins (set on the table, see _margins)


def _margins(table: Any, cm: float) -> None:
    """Narrow left/right cell margins: a thesis table of eight columns must fit the text width."""
    tblpr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(cm / 2 * 567)))  # twentieths of a point: 567 per cm
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tblpr.append(mar)


def _auto_widths(t: Table, cm_per_char: float) -> list[float]:
    """Column widths in cm that fill the text width: every column gets room for its longest
    word (a number, a header word), text columns share what is left by their content's length."""
    natural, least = [], []
    for i, h in enumerate(t.header):
        cells = [str(r[i]) for r in t.rows[:200]]
        words = [len(w) for x in [str(h)] + cells for w in x.split()] or [4]
        longest_word = max(words) + 2  # bold header letters are wider than the average
        if i in t.numeric:
            n = max(longest_word, max((len(x) for x in cells), default=0))
            natural.append(n)
            least.append(n)
        else:
            natural.append(max(longest_word, min(max((len(x) for x in cells), default=0), 40)))
            least.append(min(longest_word, 14))
    nat = [n * cm_per_char + _PAD_CM for n in natural]
    low = [n * cm_per_char + _PAD_CM for n in least]
    if sum(nat) <= _TEXT_WIDTH_CM:
        spare = _TEXT_WIDTH_CM - sum(nat)
        text_cols = [i for i in range(len(nat)) if i not in t.numeric] or list(range(len(nat)))
        share = sum(nat[i] for i in text_cols)
        return [w + (spare * w / share if i in text_cols else 0) for i, w in enumerate(nat)]
    room = _TEXT_WIDTH_CM - sum(low)
    if room <= 0:  # even the longest words do not fit: scale everything
        return [w * _TEXT_WIDTH_CM / sum(low) for w in low]
    extra = sum(n - lo for n, lo in zip(nat, low)) or 1
    return [lo + (n - lo) * room / extra for n, lo in zip(nat, low)]


def _table(doc: Any, t: Table) -> None:
    cap = doc.add_paragraph(t.caption, style="Caption")
    cap.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=len(t.header))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    wide = len(t.header) > 5
    size = Pt(8) if wide else Pt(10)
    _margins(table, _PAD_CM)
    last = len(t.rows)

    def fill(row: Any, values: list, bold: bool = False, italic: bool = False) -> None:
        for i, (cell, v) in enumerate(zip(row.cells, values)):
            par = cell.paragraphs[0]
            run = par.add_run(str(v))
            run.font.size = size
            run.bold, run.italic = bold or None, italic or None
            if i in t.numeric:
                par.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    head = table.rows[0]
    fill(head, t.header, bold=True)
    _repeat_header(head)
    for cell in head.cells:
        _border(cell, "top", 12)
        _border(cell, "bottom", 6)
    for n, (kind, values) in enumerate(zip(t.kinds, t.rows), start=1):
        row = table.add_row()
        fill(row, values, bold=kind in ("total", "subtotal"), italic=kind == "part")
        for cell in row.cells:
            if kind == "total":
                _border(cell, "top", 6)
            if n == last:
                _border(cell, "bottom", 12)
    widths = _auto_widths(t, 0.16 if wide else 0.2)  # cm per character at 8 / 10 pt
    total = sum(widths)
    table.autofit = False
    for i, w in enumerate(widths):
        # LibreOffice lays a table out by its grid columns, Word by the cells: set both.
        table.columns[i].width = Cm(_TEXT_WIDTH_CM * w / total)
        for cell in table.columns[i].cells:
            cell.width = Cm(_TEXT_WIDTH_CM * w / total)
    doc.add_paragraph()


def document(res: Any, images: Optional[dict] = None, chapter: Optional[int] = 4) -> Any:
    """The report as a python-docx ``Document``; ``images`` is
    :func:`nvivo_bridge.cipp.figures.images` output (drawn here when not given)."""
    if images is None:
        from .figures import images as draw
        images = draw(res)
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin, sec.right_margin = Cm(3.5), Cm(2.5)
    sec.top_margin = sec.bottom_margin = Cm(2.5)
    _set_language(doc, res.lang)
    first_page = True
    for b in blocks(res, chapter):
        if isinstance(b, Heading):
            if b.level == 1:
                doc.core_properties.title = b.text
                doc.add_heading(b.text, level=0)
            else:
                doc.add_heading(b.text, level=b.level - 1)
        elif isinstance(b, PageBreak):
            if not first_page:
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            first_page = False
        elif isinstance(b, Para):
            par = doc.add_paragraph()
            if b.lead:
                par.add_run(f"{b.lead}: ").bold = True
            run = par.add_run(b.text)
            if b.style == "question":
                run.italic = True
            elif b.style == "note":
                run.font.size = Pt(9)
        elif isinstance(b, Table):
            _table(doc, b)
        elif isinstance(b, Figure):
            data = images.get(b.key, {}).get("png")
            if data:
                width = min(_png_width_cm(data) or _TEXT_WIDTH_CM, _TEXT_WIDTH_CM)
                doc.add_picture(io.BytesIO(data), width=Cm(width))
                doc.paragraphs[-1].paragraph_format.keep_with_next = True
                doc.add_paragraph(b.caption, style="Caption")
        elif isinstance(b, Quote):
            doc.add_paragraph(f"\u201c{b.text}\u201d", style="Quote")
            att = doc.add_paragraph(b.attribution)
            att.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in att.runs:
                run.font.size = Pt(9)
        elif isinstance(b, Items):
            for item in b.items:
                doc.add_paragraph(str(item), style="List Bullet")
    return doc


def write_docx(res: Any, path: Path, images: Optional[dict] = None, chapter: Optional[int] = 4) -> None:
    """Write the Word report for ``res`` to ``path`` (the caller makes it atomic)."""
    buf = io.BytesIO()
    document(res, images, chapter).save(buf)
    Path(path).write_bytes(buf.getvalue())
