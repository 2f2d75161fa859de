"""Errors and diagnostics.

Fatal problems raise a subclass of :class:`NvivoBridgeError` whose message names the file, the
place (zip member, XML line, sheet row) and what to do.  Recoverable problems are collected as
:class:`Issue` objects in a :class:`Diagnostics`.  The library never prints or exits: the CLI maps
``exit_code`` of each error class to the process exit code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

__all__ = [
    "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_STRICT", "EXIT_UNREADABLE", "EXIT_INVALID",
    "NvivoBridgeError", "ReadError", "WriteError", "UnknownFormatError", "UsageError",
    "StrictError", "ValidationFailed", "Issue", "Diagnostics",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_STRICT = 3
EXIT_UNREADABLE = 4
EXIT_INVALID = 5


class NvivoBridgeError(Exception):
    """Base of every error the library raises on purpose.

    ``path`` is the file concerned, ``location`` the place inside it (``"project.qde line 12"``,
    ``"sheet Codes row 7"``), ``hint`` what the user can do.
    """

    exit_code = EXIT_FAILED

    def __init__(self, message: str, path: Optional[str] = None, location: Optional[str] = None,
                 hint: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path and self.location:
            where = f"{self.path} ({self.location}): "
        elif self.path:
            where = f"{self.path}: "
        elif self.location:
            where = f"{self.location}: "
        text = where + self.message
        if self.hint:
            text += f" — {self.hint}"
        return text


class ReadError(NvivoBridgeError):
    """The input cannot become a model (not a zip, no .qde, malformed XML, unsupported file…)."""

    exit_code = EXIT_UNREADABLE


class WriteError(NvivoBridgeError):
    """The output cannot be written (folder not writable, refused overwrite, unrepresentable data)."""

    exit_code = EXIT_FAILED


class UnknownFormatError(NvivoBridgeError):
    """A format name or suffix that no reader/writer handles; the message lists the valid ones."""

    exit_code = EXIT_USAGE


class UsageError(NvivoBridgeError):
    """Options that do not fit together, or a bad mapping/config file given by the user."""

    exit_code = EXIT_USAGE


class StrictError(NvivoBridgeError):
    """Raised in strict mode when warnings were collected."""

    exit_code = EXIT_STRICT


class ValidationFailed(NvivoBridgeError):
    """``validate`` found problems."""

    exit_code = EXIT_INVALID


@dataclass(slots=True)
class Issue:
    """One non-fatal problem: ``level`` is ``"info"``, ``"warning"`` or ``"error"``; ``code`` a stable
    machine-readable identifier (``"position-out-of-range"``); ``location`` where it was found."""

    level: str
    code: str
    message: str
    location: Optional[str] = None

    def __str__(self) -> str:
        loc = f" [{self.location}]" if self.location else ""
        return f"{self.level}: {self.message}{loc}"


@dataclass
class Diagnostics:
    """Collector of issues.  ``max_per_code`` caps how many issues of one code are kept (the rest
    are counted in ``suppressed``) so a broken 200k-coding file cannot flood memory."""

    issues: list[Issue] = field(default_factory=list)
    max_per_code: int = 200
    suppressed: dict[str, int] = field(default_factory=dict)
    _per_code: dict[str, int] = field(default_factory=dict)

    def add(self, level: str, code: str, message: str, location: Optional[str] = None) -> None:
        """Record an issue (or count it as suppressed once ``max_per_code`` is reached)."""
        n = self._per_code.get(code, 0) + 1
        self._per_code[code] = n
        if n > self.max_per_code:
            self.suppressed[code] = self.suppressed.get(code, 0) + 1
            return
        self.issues.append(Issue(level, code, message, location))

    def info(self, code: str, message: str, location: Optional[str] = None) -> None:
        """Record an informational issue."""
        self.add("info", code, message, location)

    def warn(self, code: str, message: str, location: Optional[str] = None) -> None:
        """Record a warning."""
        self.add("warning", code, message, location)

    def error(self, code: str, message: str, location: Optional[str] = None) -> None:
        """Record a non-fatal error (something was lost or is wrong, but work can go on)."""
        self.add("error", code, message, location)

    @property
    def warnings(self) -> list[Issue]:
        """Issues at level warning or error."""
        return [i for i in self.issues if i.level in ("warning", "error")]

    def count(self, code: str) -> int:
        """How many issues with ``code`` were reported, suppressed ones included."""
        return self._per_code.get(code, 0)

    def finish(self) -> list[Issue]:
        """Return the issues, with one summary issue per code whose repeats were suppressed."""
        out = list(self.issues)
        for code, n in self.suppressed.items():
            out.append(Issue("warning", code, f"{n} more issue(s) of this kind not listed"))
        return out
