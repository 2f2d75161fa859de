"""Text helpers of the NVivo-like fixture writer: the CRLF/2-space line builder and UTF-16 offsets."""
from __future__ import annotations

from typing import Iterable, Optional

__all__ = ["QdeLines", "attrs", "to_crlf", "utf16_offsets", "xml_attr", "xml_text"]

_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                       "\r": "&#xD;", "\n": "&#xA;", "\t": "&#x9;"})
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;"})


def xml_attr(value: str) -> str:
    """Escape an attribute value (line breaks and tabs as character references, so they survive)."""
    return value.translate(_ATTR)


def xml_text(value: str) -> str:
    """Escape element text; a CR becomes ``&#xD;`` because a parser would otherwise drop it."""
    return value.translate(_TEXT)


def attrs(pairs: Iterable[tuple[str, Optional[str]]]) -> str:
    """`` a="1" b="2"`` for the pairs whose value is not ``None``, in the given order."""
    return "".join(f' {k}="{xml_attr(v)}"' for k, v in pairs if v is not None)


class QdeLines:
    """Collects the lines of a ``.qde`` the way NVivo for Windows writes it: 2-space indent,
    ``<X />`` for empty elements, CRLF between lines and none after the last."""

    __slots__ = ("lines",)

    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, depth: int, s: str) -> None:
        """Append one raw line."""
        self.lines.append("  " * depth + s)

    def open(self, depth: int, tag: str, a: Iterable = ()) -> None:
        """``<tag a…>``."""
        self.lines.append(f"{'  ' * depth}<{tag}{attrs(a)}>")

    def close(self, depth: int, tag: str) -> None:
        """``</tag>``."""
        self.lines.append(f"{'  ' * depth}</{tag}>")

    def empty(self, depth: int, tag: str, a: Iterable = ()) -> None:
        """``<tag a… />``."""
        self.lines.append(f"{'  ' * depth}<{tag}{attrs(a)} />")

    def text(self, depth: int, tag: str, value: Optional[str]) -> None:
        """``<tag>value</tag>``, or ``<tag />`` when the value is empty or ``None``."""
        if value:
            self.lines.append(f"{'  ' * depth}<{tag}>{xml_text(value)}</{tag}>")
        else:
            self.lines.append(f"{'  ' * depth}<{tag} />")

    def getvalue(self) -> str:
        """The document text."""
        return "\r\n".join(self.lines)


def to_crlf(text: str) -> str:
    """The text as NVivo for Windows writes it: every line break a CRLF pair."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def utf16_offsets(text: str, positions: Iterable[int]) -> dict[int, int]:
    """Map code-point offsets into ``text`` to UTF-16 code-unit offsets into ``to_crlf(text)``.

    One pass over the sorted positions: each segment counts its UTF-16 length (a character
    outside the BMP is 2 units) plus one unit for every bare LF, which the written text turns
    into CRLF.  Positions past the end are clamped to the end.
    """
    out: dict[int, int] = {}
    prev = acc = 0
    n = len(text)
    for p in sorted(set(positions)):
        q = min(max(p, 0), n)
        seg = text[prev:q]
        acc += len(seg.encode("utf-16-le")) // 2
        bare = seg.count("\n") - seg.count("\r\n")
        if seg.startswith("\n") and prev > 0 and text[prev - 1] == "\r":
            bare -= 1  # the LF of a CRLF pair split by this boundary is not bare
        acc += bare
        out[p] = acc
        prev = q
    return out
