"""Where the files of a project's sources are, and loading them (refi-qda.md §1.10, Q3, Q9, Q13).

Paths are resolved in this order: ``internal://`` → the ``sources`` folder (any letter case);
``relative://`` → ``Project/@basePath`` (or the ATLAS.ti convention ``<project name> Media`` beside
the input); ``absolute://`` → the filesystem; a bare name → ``sources/<name>``.  Plain text is
decoded into memory; rich text, PDF, pictures and media only become :class:`Blob` references.
Names taken from the project file are matched against listings, never joined into a path to
open inside the archive or the ``sources`` folder.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional

from ..errors import Diagnostics, ReadError
from ..model import Blob
from ..options import Limits
from ._producer import Evidence
from ._safe import SafeZip, decode_text, read_file_capped

__all__ = ["Content"]

_DRIVE = re.compile(r"^/?([A-Za-z]:[/\\].*)$")


def _split(ref: str) -> tuple[str, str]:
    """``("internal"|"relative"|"absolute"|"bare", rest)`` of a REFI-QDA path attribute."""
    for scheme in ("internal", "relative", "absolute"):
        prefix = scheme + ":"
        if ref[: len(prefix)].lower() == prefix:
            return scheme, ref[len(prefix):].lstrip("/") if scheme != "absolute" else ref[len(prefix):]
    return "bare", ref


class Content:
    """Access to the files a project refers to, inside a zip (``archive``) or beside a bare .qde."""

    def __init__(self, input_path: Path, archive: Optional[SafeZip], limits: Limits, diag: Diagnostics,
                 evidence: Evidence):
        self.input = Path(input_path)
        self.archive = archive
        self.limits = limits
        self.diag = diag
        self.ev = evidence
        self.base_path: Optional[str] = None
        self._chars = 0
        self._by_base: dict[str, list[str]] = {}
        self._dir_files: dict[str, Path] = {}
        if archive is not None:
            for name in archive.names():
                self._by_base.setdefault(name.rsplit("/", 1)[-1].lower(), []).append(name)
        else:
            for folder in self._sibling_sources():
                for entry in os.scandir(folder):
                    if entry.is_file():
                        self._dir_files.setdefault(entry.name.lower(), Path(entry.path))

    def _sibling_sources(self) -> list[Path]:
        parent = self.input.parent
        try:
            return [Path(e.path) for e in os.scandir(parent) if e.is_dir() and e.name.lower() == "sources"]
        except OSError:
            return []

    # -- lookup --------------------------------------------------------------------------------
    def _inside(self, name: str) -> Optional[tuple[str, str]]:
        """Find ``name`` in the ``sources`` folder: ``("member", member)`` or ``("file", path)``."""
        if self.archive is not None:
            info = self.archive.find("sources/" + name) or self.archive.find(name)
            if info is None:
                # Flat folder by the spec; tolerate another folder when the base name is unique.
                hits = self._by_base.get(name.rsplit("/", 1)[-1].lower(), [])
                info = self.archive.find(hits[0]) if len(hits) == 1 else None
            return ("member", info.filename) if info is not None else None
        path = self._dir_files.get(name.rsplit("/", 1)[-1].lower()) if "/" not in name.strip("/") else None
        return ("file", str(path)) if path is not None else None

    def _on_disk(self, path: str) -> Optional[tuple[str, str]]:
        try:
            p = Path(path)
            found = p.is_file()
        except (OSError, ValueError):
            return None
        if found:
            # Said once per file: the project makes the converter open a file outside itself.
            self.diag.info("external-file", f"the project refers to {p}, outside the project file", str(p))
        return ("file", str(p)) if found else None

    def resolve(self, ref: Optional[str]) -> Optional[tuple[str, str]]:
        """Locate the file a path attribute names, or ``None``."""
        if not ref:
            return None
        scheme, rest = _split(ref.strip())
        if scheme == "internal":
            return self._inside(rest)
        if scheme == "bare":
            self.ev.bare_paths += 1
            return self._inside(rest.lstrip("/")) or (self._on_disk(rest) if os.path.isabs(rest) else None)
        if scheme == "absolute":
            rest = rest[2:] if rest.startswith("//") else rest
            m = _DRIVE.match(rest)
            return self._on_disk(m.group(1) if m else rest)
        # relative:// against basePath, then the ATLAS.ti "<name> Media" folder, then the archive.
        bases = []
        if self.base_path:
            _, base = _split(self.base_path)
            bases.append(Path(base[2:] if base.startswith("//") else base))
        bases.append(self.input.parent / f"{self.input.stem} Media")
        for base in bases:
            try:
                cand = (base / rest).resolve()
                if cand.is_file() and cand.is_relative_to(base.resolve()):
                    return self._on_disk(str(cand))
            except (OSError, ValueError):
                continue
        return self._inside(rest.rsplit("/", 1)[-1])

    # -- loading -------------------------------------------------------------------------------
    def _bytes(self, where: tuple[str, str]) -> bytes:
        if where[0] == "member":
            return self.archive.read(self.archive.find(where[1]))
        return read_file_capped(Path(where[1]), self.limits)

    def text(self, ref: Optional[str], what: str) -> Optional[str]:
        """Load the plain text ``ref`` names (``None`` + a warning when it is missing or unreadable)."""
        where = self.resolve(ref)
        if where is None:
            self.diag.warn("source-text-missing", f"the text of {what} was not found ({ref}); kept without text",
                           ref)
            return None
        if where[0] == "file" and not where[1].lower().endswith(".txt"):
            # Only .txt files are read from outside the archive: a hostile project must not be able
            # to pull arbitrary files (keys, configs) into a conversion's output.
            self.diag.warn("source-text-not-txt", f"{what}: {ref} is not a .txt file outside the project; "
                           "its text was not read", ref)
            return None
        try:
            data = self._bytes(where)
        except ReadError as exc:
            self.diag.warn("source-text-unreadable", f"{what}: {exc}", ref)
            return None
        except OSError as exc:
            self.diag.warn("source-text-unreadable", f"{what}: cannot read {where[1]} ({exc})", ref)
            return None
        text, encoding, bom = decode_text(data)
        if encoding not in ("utf-8", "utf-8-sig"):
            how = "by its byte-order mark" if bom else "a guess, as it has no byte-order mark"
            self.diag.warn("text-encoding", f"{what}: {ref} is not UTF-8; read as {encoding} ({how}); check "
                           "its excerpts", ref)
        self.ev.texts += 1
        self.ev.texts_bom += bom
        self.ev.texts_crlf += "\r\n" in text
        self._chars += len(text)
        if len(text) > self.limits.max_text_chars or self._chars > self.limits.max_text_chars * 4:
            self.diag.warn("source-text-too-long", f"{what}: text of {len(text):,} characters is over the "
                           f"limit ({self.limits.max_text_chars:,}); kept without text", ref)
            return None
        return text

    def blob(self, ref: Optional[str], what: str, warn: bool = True) -> Optional[Blob]:
        """A :class:`Blob` naming the file ``ref`` points to (its bytes are not read)."""
        where = self.resolve(ref)
        if where is None:
            if warn and ref:
                self.diag.warn("source-file-missing", f"the file of {what} was not found ({ref})", ref)
            return None
        name = where[1].replace("\\", "/").rsplit("/", 1)[-1]
        if where[0] == "member":
            info = self.archive.find(where[1])
            return Blob(name, archive=self.archive.path, member=info.filename, size=info.file_size)
        try:
            size = os.path.getsize(where[1])
        except OSError:
            size = None
        return Blob(name, file=where[1], size=size)
