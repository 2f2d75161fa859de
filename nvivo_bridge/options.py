"""Options shared by readers and writers, and the resource limits for untrusted input."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

__all__ = ["Limits", "ReadOptions", "WriteOptions"]

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile or broken input from exhausting time, memory or disk.

    ``max_member_bytes``: largest uncompressed zip member read (default 512 MB).
    ``max_ratio``: largest compression ratio of a member before it is treated as a bomb.
    ``max_members``: most members a zip may list.  ``max_total_bytes``: sum of uncompressed sizes read.
    ``max_xml_depth``: deepest element nesting accepted.  ``max_text_chars``: longest source text.
    """

    max_member_bytes: int = 512 * MB
    max_ratio: float = 1000.0
    max_members: int = 100_000
    max_total_bytes: int = 8 * 1024 * MB
    max_xml_depth: int = 256
    max_text_chars: int = 256 * MB


@dataclass
class ReadOptions:
    """What a reader may be told: the position unit to assume (``auto``, ``codepoint``, ``utf16``),
    resource limits, and format-specific settings (``extra``, e.g. translated NVivo UI words)."""

    positions: str = "auto"
    limits: Limits = field(default_factory=Limits)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class WriteOptions:
    """What a writer may be told: the target profile for .qdpx/.qdc (``standard``, ``nvivo``,
    ``atlasti``, ``maxqda``, ``qualcoder``), CSV encoding and formula escaping, a progress callback
    ``progress(done, total)``, and format-specific settings (``extra``)."""

    target: str = "standard"
    encoding: str = "utf-8-sig"
    raw_csv: bool = False
    progress: Optional[Callable[[int, int], None]] = None
    extra: dict[str, Any] = field(default_factory=dict)
