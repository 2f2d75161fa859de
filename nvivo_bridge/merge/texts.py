"""Source texts for merging: the comparison form of a text, its hash, and position maps from one
copy of a text onto another.

Two copies of a source are compared after *normalisation*: a leading BOM dropped, CRLF and lone CR
read as LF.  Positions (model code points) move between a text and its normalised form through
:class:`NormMap`; between two copies whose normalised forms differ they move through
:class:`Alignment`, built from :mod:`difflib` opcodes.

Why difflib: it is in the standard library (no new dependency) and, used in stages, it is fast
enough for transcripts of any length: the common head and tail are cut off first (one edited
sentence costs nothing more), the rest is aligned line by line, the lines that differ sentence by
sentence, the sentences that differ word by word, and only the words that differ character by
character (at most :data:`CHAR_LIMIT` characters a side, else that stretch is taken as replaced as
a whole).  A character-level diff of two whole 100,000-character texts would be quadratic;
rapidfuzz's opcodes need memory quadratic in the length, and diff-match-patch would add a
dependency for what these stages already do.
"""
from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from difflib import SequenceMatcher
from typing import Optional

__all__ = ["normalize", "text_key", "NormMap", "Alignment", "CHAR_LIMIT"]

BOM = "\ufeff"
CHAR_LIMIT = 20_000
_DELETED = re.compile("\r(?=\n)")


def normalize(text: str) -> str:
    """The comparison form of a text: leading BOM dropped, CRLF and lone CR as LF."""
    if text.startswith(BOM):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def text_key(text: Optional[str]) -> Optional[bytes]:
    """A hash of the normalised text, or ``None`` for no text or white space only (those never
    identify a source)."""
    if not text or text.isspace():
        return None
    return hashlib.blake2b(normalize(text).encode("utf-8", "surrogatepass"), digest_size=16).digest()


class NormMap:
    """Positions of a text ↔ positions of its normalised form (``normalize`` deletes a leading BOM
    and the CR of every CRLF; a lone CR becomes LF in place)."""

    __slots__ = ("text", "_deleted", "_at")

    def __init__(self, text: str):
        self.text = text
        deleted = [0] if text.startswith(BOM) else []
        if "\r\n" in text:
            deleted.extend(m.start() for m in _DELETED.finditer(text))
        self._deleted = deleted
        # the normalised index just before which the k-th deleted character sat
        self._at = [d - k for k, d in enumerate(deleted)]

    @property
    def identity(self) -> bool:
        """True when the text is its own normalised form position for position."""
        return not self._deleted

    def to_norm(self, p: int) -> int:
        """Text position → normalised position."""
        return p - bisect_left(self._deleted, p) if self._deleted else p

    def from_norm(self, q: int, start: bool = False) -> int:
        """Normalised position → text position; a line break keeps its CR on either side, and a
        start never falls before a BOM."""
        if not self._deleted:
            return q
        p = q + bisect_left(self._at, q)
        if start and p == 0 and self.text.startswith(BOM):
            return 1
        return p


def _common_prefix(a: str, b: str) -> int:
    """Length of the common head of ``a`` and ``b`` (binary search on slices: C-speed compares)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return lo


# Ever finer tokens for the stretches that differ: lines, then sentences (a transcript kept as
# one long line), then words; the last step compares characters.
_SPLITTERS = (lambda t: t.splitlines(keepends=True), re.compile(r"[^.!?\n]*[.!?]*\s*").findall,
              re.compile(r"\S*\s*").findall)


def _blocks(a: str, b: str) -> list[tuple[bool, int, int, int, int]]:
    """Aligned blocks ``(equal, i1, i2, j1, j2)`` covering ``a`` (kept) and ``b`` (other) in order."""
    head = _common_prefix(a, b)
    tail = _common_suffix(a, b, min(len(a), len(b)) - head)
    out: list[tuple[bool, int, int, int, int]] = []
    if head:
        out.append((True, 0, head, 0, head))
    if head < len(a) - tail or head < len(b) - tail:
        _align(a, b, head, len(a) - tail, head, len(b) - tail, 0, out)
    if tail:
        out.append((True, len(a) - tail, len(a), len(b) - tail, len(b)))
    return out


def _align(a: str, b: str, a1: int, a2: int, b1: int, b2: int, level: int, out: list) -> None:
    """Append the blocks of ``a[a1:a2]`` against ``b[b1:b2]``: tokens of ``_SPLITTERS[level]``,
    each differing stretch again one level finer, characters at the end (within CHAR_LIMIT)."""
    if a1 == a2 or b1 == b2:
        out.append((False, a1, a2, b1, b2))
        return
    if level == len(_SPLITTERS):
        if a2 - a1 <= CHAR_LIMIT and b2 - b1 <= CHAR_LIMIT:
            for tag, x1, x2, y1, y2 in SequenceMatcher(None, a[a1:a2], b[b1:b2], autojunk=False).get_opcodes():
                out.append((tag == "equal", a1 + x1, a1 + x2, b1 + y1, b1 + y2))
        else:
            out.append((False, a1, a2, b1, b2))
        return
    split = _SPLITTERS[level]
    ta, tb = [t for t in split(a[a1:a2]) if t], [t for t in split(b[b1:b2]) if t]
    if len(ta) == 1 and len(tb) == 1:  # nothing to split at this level
        _align(a, b, a1, a2, b1, b2, level + 1, out)
        return
    oa, ob = _offsets(ta), _offsets(tb)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        x1, x2, y1, y2 = a1 + oa[i1], a1 + oa[i2], b1 + ob[j1], b1 + ob[j2]
        if tag == "equal":
            out.append((True, x1, x2, y1, y2))
        else:
            _align(a, b, x1, x2, y1, y2, level + 1, out)


def _offsets(lines: list[str]) -> list[int]:
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    return offsets


class Alignment:
    """Maps positions in ``other`` onto ``kept`` (both normalised texts).  A position inside a
    changed stretch moves to that stretch's edge, so a selection over changed text grows to cover
    the whole replacement (and a selection inside inserted text shrinks to nothing)."""

    __slots__ = ("_j1", "_j2", "_i1", "_i2", "_eq", "_na", "_nb", "first_change")

    def __init__(self, kept: str, other: str):
        blocks = _blocks(kept, other)
        #: ``(i1, i2, j1, j2)`` of the first stretch that differs (``None`` for equal texts)
        self.first_change = next((b[1:] for b in blocks if not b[0]), None)
        blocks = [b for b in blocks if b[4] > b[3]]  # only blocks with text in ``other``
        self._eq = [b[0] for b in blocks]
        self._i1 = [b[1] for b in blocks]
        self._i2 = [b[2] for b in blocks]
        self._j1 = [b[3] for b in blocks]
        self._j2 = [b[4] for b in blocks]
        self._na, self._nb = len(kept), len(other)

    def start(self, p: int) -> int:
        """Where a selection starting at ``p`` in ``other`` starts in ``kept``."""
        if p >= self._nb:
            return self._na
        k = bisect_right(self._j1, p) - 1
        if k < 0:
            return 0
        return self._i1[k] + (p - self._j1[k]) if self._eq[k] else self._i1[k]

    def end(self, p: int) -> int:
        """Where a selection ending at ``p`` in ``other`` ends in ``kept``."""
        if p <= 0:
            return 0
        k = bisect_left(self._j2, p)
        if k >= len(self._j2):
            return self._na
        return self._i1[k] + (p - self._j1[k]) if self._eq[k] else self._i2[k]
