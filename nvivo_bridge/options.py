"""Options shared by readers and writers, and the resource limits for untrusted input."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any, Callable, Optional, Mapping

__all__ = ["Limits", "ReadOptions", "WriteOptions", "ENV_LIMITS"]

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile or broken input from exhausting time, memory or disk.

    ``max_member_bytes``: largest uncompressed zip member read (default 512 MB).
    ``max_ratio``: largest compression ratio of a member before it is treated as a bomb.
    ``max_members``: most members a zip may list.  ``max_total_bytes``: sum of uncompressed sizes read.
    ``max_xml_depth``: deepest element nesting accepted.  ``max_text_chars``: longest source text.
    ``max_cells``: most cells (empty rows count one) read from one worksheet.
    ``max_rows``: most rows holding a value read from one worksheet (an NVivo export or codebook
    sheet); checked while the sheet is streamed, so a 1,048,576-row sheet stops early.
    """

    max_member_bytes: int = 512 * MB
    max_ratio: float = 1000.0
    max_members: int = 100_000
    max_total_bytes: int = 8 * 1024 * MB
    max_xml_depth: int = 256
    max_text_chars: int = 256 * MB
    max_cells: int = 20_000_000
    max_rows: int = 200_000

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Limits":
        """The defaults, overridden by the environment variables of :data:`ENV_LIMITS`
        (``NVIVO_BRIDGE_MAX_MEMBER_MB=2048``…): the one way to set limits for every command,
        batch workers included.  A value that is not a positive number is a ``UsageError``."""
        env = os.environ if environ is None else environ
        changes: dict[str, Any] = {}
        for var, (name, scale) in ENV_LIMITS.items():
            raw = env.get(var)
            if raw is None or not raw.strip():
                continue
            try:
                value = float(raw)
                if not value > 0 or value == float("inf"):
                    raise ValueError(raw)
            except ValueError:
                from .errors import UsageError
                raise UsageError(f"{var}={raw!r} is not a positive number", hint="unset it or give a number") from None
            changes[name] = value if name == "max_ratio" else max(1, int(value * scale))
        return replace(cls(), **changes) if changes else cls()


#: Environment variable → (Limits field, unit multiplier).  Sizes are in MiB, counts plain.
ENV_LIMITS: dict[str, tuple[str, int]] = {
    "NVIVO_BRIDGE_MAX_MEMBER_MB": ("max_member_bytes", MB),
    "NVIVO_BRIDGE_MAX_TOTAL_MB": ("max_total_bytes", MB),
    "NVIVO_BRIDGE_MAX_RATIO": ("max_ratio", 1),
    "NVIVO_BRIDGE_MAX_MEMBERS": ("max_members", 1),
    "NVIVO_BRIDGE_MAX_XML_DEPTH": ("max_xml_depth", 1),
    "NVIVO_BRIDGE_MAX_TEXT_CHARS": ("max_text_chars", 1),
    "NVIVO_BRIDGE_MAX_CELLS": ("max_cells", 1),
    "NVIVO_BRIDGE_MAX_ROWS": ("max_rows", 1),
}
assert {f for f, _ in ENV_LIMITS.values()} == {f.name for f in fields(Limits)}


@dataclass
class ReadOptions:
    """What a reader may be told: the position unit to assume (``auto``, ``codepoint``, ``utf16``),
    resource limits, and format-specific settings (``extra``, e.g. translated NVivo UI words)."""

    positions: str = "auto"
    limits: Limits = field(default_factory=Limits.from_env)
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
