"""Text position units: conversion to the model's unit and detection of the unit a file used.

The model counts Unicode code points, end-exclusive, over the text with its BOM stripped and CRLF
kept.  Producers differ (refi-qda.md Q1, Q2):

* ``"codepoint"``: the standard's unit (MAXQDA, QualCoder, qc, Taguette, nvivo-bridge);
* ``"utf16"``: UTF-16 code units, so a character outside the BMP (emoji) counts twice (NVivo);
* ``"codepoint-crlf1"``: code points, but a CRLF pair counts as one character (ATLAS.ti).

Conversion is per text through :class:`PositionMap`, which precomputes the offsets of astral
characters and CRLF pairs once and then converts each position with a binary search; a text
without either converts by identity at no cost.
"""
from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from typing import Callable, Iterable, Optional, Sequence

__all__ = ["UNITS", "PositionMap", "converter", "differs", "boundary_score", "score_units", "choose_unit"]

UNITS = ("codepoint", "utf16", "codepoint-crlf1")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def _has_astral(text: str) -> bool:
    """Does ``text`` hold a character outside the BMP?  O(1) on CPython for long texts: a string is
    stored with 4 bytes per character only when it holds such a character (PEP 393)."""
    if text.isascii():
        return False
    n = len(text)
    if n > 64 and sys.implementation.name == "cpython":
        return sys.getsizeof(text) >= 4 * n + 4
    return _ASTRAL.search(text) is not None


class PositionMap:
    """Position conversions for one text (all methods take and return ints)."""

    __slots__ = ("text", "_astral_cp", "_astral_end16", "_crlf_norm", "_lf_cp")

    def __init__(self, text: str):
        self.text = text
        self._astral_cp: Optional[list[int]] = None
        self._astral_end16: list[int] = []
        self._crlf_norm: Optional[list[int]] = None
        self._lf_cp: list[int] = []

    def _astral(self) -> list[int]:
        if self._astral_cp is None:
            cps = [m.start() for m in _ASTRAL.finditer(self.text)] if _has_astral(self.text) else []
            self._astral_cp = cps
            # UTF-16 offset just past the k-th astral character: its code point index + k + 2.
            self._astral_end16 = [c + k + 2 for k, c in enumerate(cps)]
        return self._astral_cp

    def _crlf(self) -> list[int]:
        if self._crlf_norm is None:
            cr = [m.start() for m in re.finditer("\r\n", self.text)] if "\r\n" in self.text else []
            # In the CRLF-as-one text the k-th line break sits at (index of its CR) - k.
            self._crlf_norm = [c - k for k, c in enumerate(cr)]
            self._lf_cp = [c + 1 for c in cr]
        return self._crlf_norm

    def from_utf16(self, u: int) -> int:
        """UTF-16 offset → code point offset (an offset inside a surrogate pair rounds up)."""
        if not self._astral():
            return u
        return u - bisect_right(self._astral_end16, u)

    def to_utf16(self, cp: int) -> int:
        """Code point offset → UTF-16 offset."""
        cps = self._astral()
        return cp + bisect_left(cps, cp) if cps else cp

    def from_crlf1(self, p: int) -> int:
        """Offset counting CRLF as one → code point offset over the text with CRLF kept."""
        norm = self._crlf()
        return p + bisect_left(norm, p) if norm else p

    def to_crlf1(self, cp: int) -> int:
        """Code point offset → offset counting CRLF as one (inside a CRLF pair rounds up)."""
        if not self._crlf():
            return cp
        return cp - bisect_left(self._lf_cp, cp)

    def convert(self, pos: int, unit: str) -> int:
        """Convert ``pos`` from ``unit`` to code points."""
        if unit == "utf16":
            return self.from_utf16(pos)
        if unit == "codepoint-crlf1":
            return self.from_crlf1(pos)
        return pos

    def convert_to(self, cp: int, unit: str) -> int:
        """Convert code point ``cp`` to ``unit`` (what a writer targeting that producer needs)."""
        if unit == "utf16":
            return self.to_utf16(cp)
        if unit == "codepoint-crlf1":
            return self.to_crlf1(cp)
        return cp


def converter(text: Optional[str], unit: str) -> Optional[Callable[[int], int]]:
    """A function converting positions in ``unit`` over ``text`` to code points, or ``None`` when the
    conversion is the identity (no text, unit ``codepoint``, or nothing in the text to shift)."""
    if not text or unit == "codepoint" or not differs(text, unit):
        return None
    pm = PositionMap(text)
    return pm.from_utf16 if unit == "utf16" else pm.from_crlf1


def differs(text: str, unit: str) -> bool:
    """True when positions in ``unit`` and in code points can disagree over ``text``."""
    if unit == "utf16":
        return _has_astral(text)
    if unit == "codepoint-crlf1":
        return "\r\n" in text
    return False


def _good(text: str, pos: int) -> bool:
    """Is ``pos`` a plausible selection boundary: inside the text, not splitting a word or a CRLF?"""
    n = len(text)
    if pos < 0 or pos > n:
        return False
    if pos == 0 or pos == n:
        return True
    before, after = text[pos - 1], text[pos]
    if before == "\r" and after == "\n":
        return False
    return not (before.isalnum() and after.isalnum())


def boundary_score(text: str, pairs: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """``(good, total)`` boundaries among the ``(start, end)`` code point pairs over ``text``."""
    good = total = 0
    for s, e in pairs:
        total += 2
        good += _good(text, s) + _good(text, e)
    return good, total


def score_units(samples: Sequence[tuple[str, Sequence[tuple[int, int]]]],
                units: Sequence[str] = UNITS, max_pairs: int = 5000) -> dict[str, float]:
    """Score each unit by the share of selection boundaries that fall on word/line boundaries once
    converted.  ``samples`` are ``(text, [(start, end), …])`` in the file's unknown unit; only texts
    where some unit differs from code points take part; at most ``max_pairs`` pairs are used."""
    useful = [(t, p) for t, p in samples if t and p and any(differs(t, u) for u in units)]
    n_pairs = sum(len(p) for _, p in useful)
    # Sample whole texts evenly (building a text's map is the cost), then pairs within them.
    every = max(1, n_pairs // max_pairs)
    picked = useful[::every] if every > 1 else useful
    good = dict.fromkeys(units, 0)
    total = 0
    for text, pairs in picked:
        pm = PositionMap(text)
        for unit in units:
            g, t = boundary_score(text, [(pm.convert(s, unit), pm.convert(e, unit)) for s, e in pairs])
            good[unit] += g
        total += 2 * len(pairs)
    return {u: (good[u] / total if total else 1.0) for u in units}


def choose_unit(scores: dict[str, float], expected: Optional[str],
                tolerance: float = 0.05) -> tuple[str, str]:
    """Pick the unit from boundary ``scores`` and the producer's ``expected`` unit (``None`` =
    producer unknown).  Returns ``(unit, how)`` where ``how`` is ``"expected"`` (scores agree or
    cannot tell), ``"guessed"`` (producer unknown, scores decided) or ``"contradicted"`` (scores
    clearly beat the producer's unit)."""
    if not scores or len(set(scores.values())) == 1:
        return expected or "codepoint", "expected"
    best = max(scores.values())
    if expected is not None and scores.get(expected, 0.0) >= best - tolerance:
        return expected, "expected"
    # Ties prefer the standard's unit, then UTF-16 (the most common deviation).
    unit = next(u for u in UNITS if u in scores and scores[u] == best)
    return unit, ("guessed" if expected is None else "contradicted")
