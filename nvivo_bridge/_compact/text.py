"""Long texts kept as UTF-8 when that is clearly smaller than CPython's ``str`` (see the package doc)."""
from __future__ import annotations

import sys
import threading
from typing import Any

__all__ = ["compact_text"]


class _Utf8(bytes):
    """A long text held as UTF-8 (what :class:`_CompactText` stores instead of a wide ``str``)."""

    __slots__ = ()


_COMPACT_MIN_CHARS = 1024
_DECODED_KEEP = 8
_decoded: dict[int, tuple[_Utf8, str]] = {}
_decoded_lock = threading.Lock()


def _decode(obj: object, packed: _Utf8) -> str:
    """The text of ``packed``, decoded once and kept for the few objects read most recently.

    Readers and writers go through texts source by source, slicing many excerpts out of one text
    before moving on, so a small cache turns a decode per access into a decode per source.  The
    cache holds the packed bytes (checked by identity) but not ``obj``: an id reused by another
    object cannot match another object's bytes, and nothing is kept alive but the bytes.
    """
    key = id(obj)
    hit = _decoded.get(key)
    if hit is not None and hit[0] is packed:
        return hit[1]
    text = packed.decode("utf-8", "surrogatepass")
    with _decoded_lock:
        _decoded[key] = (packed, text)
        while len(_decoded) > _DECODED_KEEP:
            _decoded.pop(next(iter(_decoded)), None)
    return text


class _CompactText:
    """The ``text`` attribute of sources, representations and transcripts, stored compactly.

    CPython stores a whole ``str`` at 4 bytes per character as soon as it holds one character
    outside the Basic Multilingual Plane (an emoji), and at 2 bytes as soon as it holds one
    outside Latin-1 (a curly quote).  Interview transcripts are mostly ASCII with a few such
    characters, so a long text is kept as UTF-8 bytes when that is clearly smaller, and decoded
    (through :func:`_decode`'s cache) when read.  Reading and writing ``obj.text`` is unchanged:
    it is always a ``str`` or ``None``.
    """

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot  # the member descriptor of the real slot

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        return _decode(obj, value) if value.__class__ is _Utf8 else value

    def __set__(self, obj: Any, value: Any) -> None:
        if value.__class__ is str and len(value) >= _COMPACT_MIN_CHARS:
            size = sys.getsizeof(value)
            if size > len(value) * 3 // 2 + 200:  # 2 or 4 bytes per character
                packed = _Utf8(value.encode("utf-8", "surrogatepass"))
                if len(packed) * 4 < size * 3:
                    value = packed
        self.slot.__set__(obj, value)


def compact_text(cls: type) -> type:
    """Give dataclass ``cls`` a compactly stored ``text`` attribute (see :class:`_CompactText`)."""
    cls.text = _CompactText(cls.__dict__["text"])
    return cls
