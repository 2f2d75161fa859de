"""Hardened access to untrusted input, shared by every reader.

* :func:`iterparse_kwargs` / :func:`xml_parser`: lxml settings that never resolve entities, load a
  DTD or touch the network, and keep libxml2's default size limits (no ``huge_tree``).
* :class:`SafeZip`: a zip opened with every failure mapped to :class:`ReadError`, members found
  case-insensitively, and read by streaming with hard caps (size per member, compression ratio,
  total bytes, member count).  Members are never extracted to disk: their names (which may hold
  ``..``, absolute paths, backslashes or drive letters) are only ever used as lookup keys.
* :func:`decode_text`: bytes of a source ``.txt`` → ``str`` (BOM, NUL pattern, UTF-8, cp1252).
"""
from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO, Optional

from lxml import etree

from ..errors import ReadError
from ..options import Limits

__all__ = ["iterparse_kwargs", "xml_parser", "SafeZip", "CappedStream", "decode_text", "detect_encoding", "is_unsafe_name",
           "read_file_capped", "check_regular_file"]

_CHUNK = 1 << 20
#: Below this size a high compression ratio is harmless (a 1-byte or all-blank file compresses a lot).
_RATIO_FLOOR = 1 << 20
_RAISE_HINT = ("only if you trust this file, raise the limit: --max-member-mb, NVIVO_BRIDGE_MAX_MEMBER_MB "
               "or Limits.max_member_bytes")


def iterparse_kwargs() -> dict:
    """Keyword arguments for ``lxml.etree.iterparse`` on untrusted XML."""
    return dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                remove_comments=True, remove_pis=True)


def xml_parser(remove_blank_text: bool = False) -> etree.XMLParser:
    """A fresh lxml parser for untrusted XML (no entities, no DTD, no network, no huge tree);
    ``remove_blank_text`` drops the whitespace-only text between elements."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True, remove_pis=True, remove_blank_text=remove_blank_text)


def is_unsafe_name(name: str) -> bool:
    """True for a member name that must never become a filesystem path (``..``, absolute, ``\\``, drive)."""
    return (".." in name.split("/") or name.startswith("/") or "\\" in name
            or (len(name) > 1 and name[1] == ":"))


class CappedStream(io.RawIOBase):
    """A read-only stream over ``raw`` that raises :class:`ReadError` past ``cap`` bytes, or when the
    bytes produced exceed ``max_ratio`` times ``packed`` (so a lying zip header cannot inflate past
    the limits).  The first ``head_size`` bytes are kept in ``head`` for fingerprinting."""

    def __init__(self, raw: IO[bytes], cap: int, where: str, path: str, packed: int = 0,
                 max_ratio: float = 0.0, head_size: int = 65536):
        super().__init__()
        self._raw, self._cap, self._where, self._path = raw, cap, where, path
        self._packed, self._ratio = packed, max_ratio
        self.count = 0
        self.head = b""
        self._head_size = head_size

    def readable(self) -> bool:  # noqa: D401 - io protocol
        """Streams are readable."""
        return True

    def readinto(self, buf) -> int:
        """Fill ``buf`` from the underlying stream, enforcing the caps."""
        data = self.read(len(buf))
        buf[:len(data)] = data
        return len(data)

    def read(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes (all remaining, within the cap, for ``n < 0``)."""
        if n is None or n < 0:
            parts = []
            while True:
                chunk = self.read(_CHUNK)
                if not chunk:
                    return b"".join(parts)
                parts.append(chunk)
        try:
            data = self._raw.read(n)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise ReadError(f"the archive member is damaged ({exc})", self._path, self._where,
                            hint="re-export the project from the program that made it") from None
        self.count += len(data)
        if len(self.head) < self._head_size:
            self.head += data[: self._head_size - len(self.head)]
        if self.count > self._cap:
            raise ReadError(f"larger than the limit of {self._cap:,} bytes", self._path, self._where,
                            hint=_RAISE_HINT)
        if (self._ratio and self.count > _RATIO_FLOOR
                and self.count > self._ratio * max(self._packed, 1)):
            raise ReadError(f"compression ratio above {self._ratio:g} (a zip bomb?)", self._path,
                            self._where, hint="re-export the project; this member is not plausible")
        return data


class SafeZip:
    """A zip archive opened defensively.  Use as a context manager or call :meth:`close`."""

    def __init__(self, path: Path, limits: Limits, kind: str = "REFI-QDA project (.qdpx)"):
        self.path = str(path)
        self.limits = limits
        self._total = 0
        if isinstance(path, (str, os.PathLike)):
            check_regular_file(Path(path))
        try:
            self._zf = zipfile.ZipFile(path)
            infos = self._zf.infolist()
        except (zipfile.BadZipFile, NotImplementedError, struct.error, UnicodeDecodeError) as exc:
            raise ReadError(f"not a zip archive, or truncated or damaged ({exc})", self.path,
                            hint=f"a {kind} is a zip file; check the download or re-export it") from None
        except (OSError, EOFError, ValueError) as exc:
            raise ReadError(f"cannot open the archive ({exc})", self.path, hint="check the file") from None
        if len(infos) > limits.max_members:
            raise ReadError(f"the archive lists {len(infos):,} members (limit {limits.max_members:,})",
                            self.path, hint="this is not a plausible project archive")
        # ZipInfo.is_dir() fails on an empty name (a damaged directory): such entries name nothing.
        self.infos = [i for i in infos if i.filename and not i.filename.endswith("/")]
        # A name listed twice is ambiguous (zip tools disagree on which copy wins): the first copy
        # is read, and the reader reports the names in ``duplicates``.
        self._exact: dict[str, zipfile.ZipInfo] = {}
        self.duplicates: list[str] = []
        for info in self.infos:
            if self._exact.setdefault(info.filename, info) is not info:
                self.duplicates.append(info.filename)
        self._by_lower: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            self._by_lower.setdefault(info.filename.lower(), info)

    def __enter__(self) -> "SafeZip":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the archive."""
        self._zf.close()

    def names(self) -> list[str]:
        """Every member name (folders excluded), as stored."""
        return [i.filename for i in self.infos]

    def find(self, name: str) -> Optional[zipfile.ZipInfo]:
        """The member called ``name``, matched exactly first and then case-insensitively."""
        return self._exact.get(name) or self._by_lower.get(name.lower())

    def _check(self, info: zipfile.ZipInfo) -> None:
        lim = self.limits
        if info.flag_bits & 0x1:
            raise ReadError("the member is encrypted", self.path, info.filename,
                            hint="export the project again without a password")
        if info.file_size > lim.max_member_bytes:
            raise ReadError(f"member of {info.file_size:,} bytes exceeds the limit of "
                            f"{lim.max_member_bytes:,}", self.path, info.filename,
                            hint=_RAISE_HINT)
        if info.file_size > _RATIO_FLOOR and info.file_size > lim.max_ratio * max(info.compress_size, 1):
            raise ReadError(f"compression ratio above {lim.max_ratio:g} (a zip bomb?)", self.path,
                            info.filename, hint="re-export the project; this member is not plausible")

    def open(self, info: zipfile.ZipInfo) -> CappedStream:
        """A capped stream over member ``info`` (checked for encryption, size and ratio first)."""
        self._check(info)
        try:
            raw = self._zf.open(info)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError, EOFError,
                ValueError, struct.error) as exc:  # ValueError: a local header name that is not UTF-8
            raise ReadError(f"cannot read the archive member ({exc})", self.path, info.filename,
                            hint="the archive is damaged or uses an unsupported compression; re-export it") from None
        cap = min(self.limits.max_member_bytes, max(self.limits.max_total_bytes - self._total, 0))
        return CappedStream(raw, cap, info.filename, self.path, info.compress_size, self.limits.max_ratio)

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """All bytes of member ``info``, within the limits."""
        with self.open(info) as stream:
            data = stream.read()
        self._total += len(data)
        return data


def check_regular_file(path: Path) -> os.stat_result:
    """Refuse (``ReadError``, exit 4) an input that is not a regular file, before it is opened:
    ``/dev/zero`` or ``/dev/urandom`` never end, and opening a FIFO blocks until someone writes.
    Symbolic links are followed (a link to a regular file is fine).  Returns the file's stat."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ReadError("no such file", str(path), hint="check the path") from None
    except OSError as exc:
        raise ReadError(f"cannot read the file ({exc.strerror})", str(path), hint="check the path and permissions") from None
    if not stat.S_ISREG(st.st_mode):
        kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode)
                or stat.S_ISBLK(st.st_mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise ReadError(f"the input is {kind}, not a regular file", str(path),
                        hint="give a project or export file; to read from a pipe, save it to a file first")
    return st


def read_file_capped(path: Path, limits: Limits) -> bytes:
    """Read a regular file from disk, refusing one larger than ``limits.max_member_bytes``."""
    size = check_regular_file(path).st_size
    if size > limits.max_member_bytes:
        raise ReadError(f"file of {size:,} bytes exceeds the limit of {limits.max_member_bytes:,}",
                        str(path), hint=_RAISE_HINT)
    with open(path, "rb") as fh:
        # Read within the limit even if the file grows (a log, /proc) since it was looked at.
        return fh.read(limits.max_member_bytes + 1)[: limits.max_member_bytes]


# Longest first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xef\xbb\xbf", "utf-8-sig"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_SNIFF = 4096


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _top_share(data: bytes) -> float:
    """The share of ``data`` taken by its most common byte value."""
    return max(data.count(b) for b in set(data)) / len(data) if data else 0.0


def _nul_pattern(head: bytes) -> Optional[str]:
    """UTF-16/UTF-32 without a BOM, told by the pattern of the bytes (``None`` when unclear).

    Text in UTF-8 or a Windows code page holds almost no NUL or other control bytes; in UTF-16 the
    high byte of each unit is nearly constant (0 for Latin text, 0x04 for Cyrillic…) and in UTF-32
    two bytes of four are 0.  The high bytes' place tells little- from big-endian."""
    head = head[: len(head) - len(head) % 4]
    if len(head) < 4 or sum(map(head.count, _CONTROL_BYTES)) * 16 < len(head):
        return None
    # UTF-32: the top byte of every unit is 0 and the next one at most 0x10 (U+10FFFF is the last).
    if not any(head[3::4]) and max(head[2::4]) <= 0x10 and any(head[0::4]):
        return "utf-32-le"
    if not any(head[0::4]) and max(head[1::4]) <= 0x10 and any(head[3::4]):
        return "utf-32-be"
    odd, even = head[1::2].count(0) / (len(head) // 2), head[0::2].count(0) / (len(head) // 2)
    if odd > 0.3 and even * 2 < odd:  # Latin text: the NULs are the high bytes
        return "utf-16-le"
    if even > 0.3 and odd * 2 < even:
        return "utf-16-be"
    odd, even = _top_share(head[1::2]), _top_share(head[0::2])
    if odd > 0.5 and odd >= 2 * even:
        return "utf-16-le"
    if even > 0.5 and even >= 2 * odd:
        return "utf-16-be"
    return None


def detect_encoding(data: bytes) -> tuple[str, int, bool]:
    """How to decode a plain-text file: ``(codec, bom_length, guessed)``.

    A BOM decides, checked longest first (UTF-32 before UTF-16, whose BOM begins the same way);
    then UTF-16/UTF-32 by the pattern of NUL bytes (``guessed``); then strict UTF-8; otherwise
    cp1252, Windows "ANSI", what old exports use (``guessed``).  A statistical detector
    (charset-normalizer) was weighed and left out: on the short texts of interviews it often
    picks a wrong single-byte code page, and its verdict changes between releases, so the same
    file would convert differently on two machines; cp1252 plus a warning is predictable."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom), False
    wide = _nul_pattern(data[:_SNIFF])
    if wide is not None:
        return wide, 0, True
    try:
        data.decode("utf-8")
        return "utf-8", 0, False
    except UnicodeDecodeError:
        return "cp1252", 0, True


def decode_text(data: bytes) -> tuple[str, str, bool]:
    """Decode a plain-text file: ``(text, encoding, had_bom)`` (see :func:`detect_encoding`).

    The BOM is removed; bytes the encoding cannot read become U+FFFD, and undefined cp1252 bytes
    are taken as Latin-1.  The caller warns when the encoding is not UTF-8 (guessed or not).
    """
    codec, bom, _ = detect_encoding(data)
    if codec != "cp1252":
        name = "utf-8" if codec == "utf-8-sig" else codec
        return data[bom:].decode(name, errors="replace"), codec, bom > 0
    try:
        return data.decode("cp1252"), "cp1252", False
    except UnicodeDecodeError:
        return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data), "cp1252", False
