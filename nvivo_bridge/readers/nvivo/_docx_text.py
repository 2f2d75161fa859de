"""The text of a Word document's body, read from its XML so that nothing python-docx's
``Document.paragraphs`` leaves out is lost: paragraphs inside tables, content controls
(``w:sdt``), tracked insertions (``w:ins``), hyperlinks, simple fields and text boxes.

The walks use explicit stacks; only a table inside a table cell recurses, and the XML itself is
never deeper than libxml2's 256 levels.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterator

__all__ = ["body_lines"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
P, TBL, TR, TC, T = _W + "p", _W + "tbl", _W + "tr", _W + "tc", _W + "t"
_BREAKS = {_W + "br": "\n", _W + "cr": "\n", _W + "tab": "\t", _W + "noBreakHyphen": "-"}
# Inside a paragraph: what is not text of the document as it reads now.
_SKIP_SILENTLY = {_W + "pPr", _W + "rPr", _W + "instrText", _W + "delInstrText", _MC + "Fallback",
                  _W + "footnoteReference", _W + "endnoteReference", _W + "commentReference"}
_SKIP_TOLD = {_W + "del": "tracked deletion(s)", _W + "moveFrom": "tracked move(s) (the old place)",
              _W + "object": "embedded object(s)"}
# Block level: containers whose children are blocks again.
_BLOCK_CONTAINERS = {_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "moveTo", _W + "smartTag"}
_BLOCK_SILENT = {_W + "sectPr", _W + "sdtPr", _W + "sdtEndPr", _W + "bookmarkStart", _W + "bookmarkEnd",
                 _W + "proofErr", _W + "permStart", _W + "permEnd", _W + "commentRangeStart",
                 _W + "commentRangeEnd", _W + "tblPr", _W + "tblGrid", _W + "trPr", _W + "tcPr", _W + "tblPrEx"}
_TEXTBOX = _W + "txbxContent"


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else "comment"


def _opened(el: Any) -> Iterator[Any]:
    """The children of ``el`` in order, with content controls, insertions and the like opened
    (their children stand in their place); iterative, so nesting depth costs no recursion."""
    stack = [iter(el)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag in _BLOCK_CONTAINERS:
            stack.append(iter(child))
        else:
            yield child


def _blocks(container: Any, skipped: Counter) -> Iterator[Any]:
    """The paragraphs and tables of ``container``, in order, content controls and the like opened."""
    for el in _opened(container):
        tag = el.tag
        if tag == P or tag == TBL:
            yield el
        elif tag == _W + "del":
            skipped["tracked deletion(s)"] += 1
        elif tag == _W + "altChunk":
            skipped["embedded document(s) (altChunk)"] += 1
        elif tag not in _BLOCK_SILENT and isinstance(tag, str):
            skipped[f"element(s) <{_local(tag)}>"] += 1


def _children(el: Any, tag: str) -> Iterator[Any]:
    """The children of ``el`` called ``tag``, looking through content controls and the like."""
    return (child for child in _opened(el) if child.tag == tag)


def _paragraph(p: Any, skipped: Counter, boxes: list) -> str:
    """The text of one paragraph (every run, inserted or in a field, control or link); the
    paragraphs of its text boxes are put in ``boxes``."""
    parts: list[str] = []
    stack = [iter(p)]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            continue
        tag = el.tag
        if tag == T:
            parts.append(el.text or "")
        elif tag in _BREAKS:
            parts.append(_BREAKS[tag])
        elif tag == _TEXTBOX:
            boxes.append(el)
        elif tag in _SKIP_TOLD:
            skipped[_SKIP_TOLD[tag]] += 1
        elif tag not in _SKIP_SILENTLY and isinstance(tag, str):
            stack.append(iter(el))
    return "".join(parts)


def _cell_text(tc: Any, skipped: Counter) -> str:
    """A table cell's text on one line (its paragraphs joined by spaces)."""
    lines, _ = _lines(tc, skipped)
    return " ".join(line.strip() for line in lines if line.strip())


def _lines(container: Any, skipped: Counter) -> tuple[list[str], Counter]:
    out: list[str] = []
    pending = [container]
    while pending:  # text boxes are read after the block holding them
        boxes: list = []
        for block in _blocks(pending.pop(0), skipped):
            if block.tag == P:
                out.extend(_paragraph(block, skipped, boxes).replace("\r", "\n").split("\n"))
            else:  # a row is a line, its cells joined by tabs (a nested table stays in its cell)
                for tr in _children(block, TR):
                    out.append("\t".join(_cell_text(tc, skipped) for tc in _children(tr, TC)))
        pending.extend(boxes)
    return out, skipped


def body_lines(body: Any) -> tuple[list[str], Counter]:
    """``(lines, skipped)``: every line of text in ``body`` (a ``w:body`` element) and, per kind,
    how many things were left out."""
    return _lines(body, Counter())
