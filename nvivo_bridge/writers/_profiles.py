"""Export profiles: what each target program expects from a REFI-QDA file (see docs/export-profiles.md).

A profile is a small table of switches.  This module also holds the two transformations the
switches drive: rewriting a text's line endings for the ``.txt`` it is written to, and converting
the model's code-point positions into the profile's position unit over that written text.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Optional

from ..errors import UsageError

__all__ = ["Profile", "PROFILES", "get_profile", "TextLayout"]


@dataclass(frozen=True)
class Profile:
    """Switches for one target program.

    ``unit``: ``codepoint`` (the spec), ``utf16`` (UTF-16 code units, CRLF = 2: NVivo, Q1) or
    ``codepoint-crlf1`` (code points, a CRLF pair counts as one: ATLAS.ti, Q2).
    ``newline``: ``keep``, ``crlf`` (every lone ``\\n`` becomes ``\\r\\n`` in written text) or ``lf``
    (every ``\\r\\n`` and lone ``\\r`` becomes ``\\n``, as QualCoder's universal-newline reading does).
    ``bom``: start each ``.txt`` with a UTF-8 BOM.  ``rich_text``: write ``richTextPath`` for
    ``.docx`` rich text (a ``.txt`` is never put there, Q9).  ``guid_case``: ``project`` (keep the
    case the input used), ``lower`` or ``upper``.  ``keep_extras``: write back attributes and
    elements the model kept in ``extras`` (they may not be schema-valid, so only the standard
    profile does).
    """

    name: str
    sources_dir: str = "sources"
    unit: str = "codepoint"
    newline: str = "keep"
    bom: bool = False
    rich_text: bool = True
    guid_case: str = "project"
    keep_extras: bool = False


PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("standard", keep_extras=True),
    Profile("nvivo", unit="utf16", newline="crlf", bom=True, guid_case="lower"),
    Profile("atlasti", unit="codepoint-crlf1", newline="crlf", guid_case="upper"),
    Profile("maxqda", newline="crlf", guid_case="upper"),
    Profile("qualcoder", newline="lf"),
)}


def get_profile(name: Optional[str]) -> Profile:
    """The profile called ``name`` (``standard`` for ``None``); the error lists the valid names."""
    profile = PROFILES.get((name or "standard").lower())
    if profile is None:
        raise UsageError(f"unknown export target '{name}'", hint="choose one of: " + ", ".join(PROFILES))
    return profile


_LONE_LF = re.compile(r"(?<!\r)\n")
_EVENTS = re.compile(r"[\U00010000-\U0010FFFF]|\r\n|\n")


class TextLayout:
    """One text as the profile writes it, and the position map from model code points into it.

    Built once per text; ``pos(p)`` is then a bisection, so 200,000 selections stay cheap.
    """

    __slots__ = ("text", "_idx", "_cum")

    def __init__(self, text: str, profile: Profile):
        if profile.newline == "crlf":
            self.text = _LONE_LF.sub("\r\n", text)
        elif profile.newline == "lf" and "\r" in text:
            self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        else:
            self.text = text
        # Each event at model index i shifts every position > i by a delta; cumulative sums
        # over the sorted indexes give the shift of any position by one bisection.
        idx: list[int] = []
        cum: list[int] = []
        total = 0
        crlf = profile.newline == "crlf"
        utf16 = profile.unit == "utf16"
        # Under "lf" a CRLF pair is written as one LF: positions after the CR move back one, as
        # when the unit counts the pair as one.
        crlf1 = profile.unit == "codepoint-crlf1" or profile.newline == "lf"
        if crlf or utf16 or crlf1:
            for m in _EVENTS.finditer(text):
                s = m.group()
                if s == "\n":  # a lone LF; becomes CRLF when converting
                    delta = 1 if crlf and not crlf1 else 0
                    at = m.start()  # the CR goes before the LF: positions after the LF shift
                elif s == "\r\n":  # the pair counts as one under crlf1: positions after the CR shift
                    delta = -1 if crlf1 else 0
                    at = m.start()
                else:  # a character outside the BMP is two UTF-16 units
                    delta = 1 if utf16 else 0
                    at = m.start()
                if delta:
                    total += delta
                    idx.append(at)
                    cum.append(total)
        self._idx = idx
        self._cum = cum

    def pos(self, p: int) -> int:
        """The written position of model position ``p`` (code points, end-exclusive)."""
        if not self._idx:
            return p
        k = bisect.bisect_left(self._idx, p)
        return p + (self._cum[k - 1] if k else 0)

    @property
    def identity(self) -> bool:
        """True when positions are written unchanged."""
        return not self._idx
