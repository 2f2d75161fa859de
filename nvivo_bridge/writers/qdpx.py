"""Write a REFI-QDA project: ``.qdpx`` (zip of ``project.qde`` + ``sources/``) or a bare ``.qde``.

* Plain text goes to ``sources/<guid>.txt`` (UTF-8, the profile's line endings and BOM) and is
  referenced as ``plainTextPath="internal://<guid>.txt"``; notes and picture descriptions stay
  inline.  Positions are converted from the model's code points to the profile's unit.
* Binary files (rich text ``.docx``, PDF, pictures, media) are copied byte for byte, streamed from
  where the model says they are (``Blob.data``, a member of ``Blob.archive``, or ``Blob.file``).
* Text selections with unknown positions (NVivo's own exports) need their source text rebuilt
  first: :func:`nvivo_bridge.transform.materialize_excerpts` does that when it is installed.
* The output appears only when complete (:func:`nvivo_bridge._io.atomic_file`).
"""
from __future__ import annotations

import importlib
import importlib.util
import io
import os
import shutil
import zipfile
from pathlib import Path
from typing import IO, Optional

from .._io import atomic_file
from ..errors import Diagnostics, WriteError
from ..model import Blob, Project
from ..options import Limits, WriteOptions
from ._profiles import Profile, get_profile
from ._qde import QdeWriter, Sink
from ._qualcoder import adapt as adapt_for_qualcoder

__all__ = ["write", "write_qde", "prepare"]

_MAX_MEMBER = 2**31 - 1  # §8: internal files are limited to 2^31-1 bytes
_STORED = {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".mp3", ".mp4", ".m4a", ".mov", ".docx", ".zip", ".wav"}


def prepare(project: Project, diag: Diagnostics) -> Project:
    """Return ``project`` ready to be written: text selections with unknown positions are
    materialised (source text rebuilt from the excerpts) or a :class:`WriteError` explains why not."""
    def unknown(sels) -> bool:
        return any(s.kind == "text" and (s.start is None or s.end is None) for s in sels)

    if not any(unknown(s.selections) for s in project.sources.values()) and \
            not any(unknown(n.selections) for n in project.notes.values()):
        return project
    if importlib.util.find_spec(f"{__package__.rsplit('.', 1)[0]}.transform") is None:
        raise WriteError("the project has coded excerpts without text positions (NVivo's own exports), "
                         "and REFI-QDA needs positions in a source text",
                         hint="this version cannot rebuild source texts from excerpts; export the project "
                              "from NVivo as REFI-QDA (File > Export > Project as REFI) instead")
    transform = importlib.import_module(f"{__package__.rsplit('.', 1)[0]}.transform")
    return transform.materialize_excerpts(project, diag)


class _ZipSink(Sink):
    """Collects the ``sources/`` members while the XML is written; checks blobs are readable first
    so that no path in ``project.qde`` points at a file that is not in the archive."""

    def __init__(self, profile: Profile, guid_fmt, diag: Diagnostics):
        self.profile, self.g, self.diag = profile, guid_fmt, diag
        # Encoded when queued: the texts wait until project.qde is written, and a str with one emoji
        # would hold all of them at 4 bytes per character.
        self.texts: list[tuple[str, bytes]] = []
        self.blobs: list[tuple[str, Blob]] = []
        self.names: set[str] = set()
        # Each input archive is opened once, for the checks and then for the copy.
        self.archives: dict[str, Optional[zipfile.ZipFile]] = {}

    def _name(self, stem: str, suffix: str) -> str:
        name, n = f"{stem}{suffix}", 1
        while name.lower() in self.names:
            n += 1
            name = f"{stem}-{n}{suffix}"
        self.names.add(name.lower())
        return name

    def text_path(self, guid: str, text: str) -> Optional[str]:
        """Queue ``sources/<guid>.txt``."""
        name = self._name(self.g(guid), ".txt")
        data = (("\ufeff" if self.profile.bom else "") + text).encode("utf-8", "surrogatepass")
        self.texts.append((name, data))
        return "internal://" + name

    def blob_path(self, guid: str, blob: Blob, suffix: str) -> Optional[str]:
        """Queue a binary file as ``sources/<guid><suffix>`` when its bytes can be found."""
        if not _available(blob, self.archives, self.diag):
            return None
        name = self._name(self.g(guid), suffix.lower())
        self.blobs.append((name, blob))
        return "internal://" + name

    def open(self, blob: Blob) -> IO[bytes]:
        """A stream of a queued blob's bytes (its archive is the one opened for the check)."""
        if blob.data is not None:
            return io.BytesIO(blob.data)
        if blob.archive and blob.member:
            return self.archives[blob.archive].open(blob.member)  # type: ignore[union-attr]
        return open(blob.file, "rb")  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the input archives."""
        for archive in self.archives.values():
            if archive is not None:
                archive.close()


def _available(blob: Blob, archives: dict, diag: Diagnostics) -> bool:
    """Whether the blob's bytes can be copied: the file exists, or its archive member opens and is
    plausible (not encrypted, within the member limit, not a zip bomb); otherwise warn and skip it."""
    if blob.data is not None:
        return True
    if not (blob.archive and blob.member):
        return bool(blob.file) and os.path.isfile(blob.file)
    if blob.archive not in archives:
        try:
            archives[blob.archive] = zipfile.ZipFile(blob.archive)
        except (OSError, zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
            archives[blob.archive] = None
    zf = archives[blob.archive]
    try:
        info = zf.getinfo(blob.member) if zf is not None else None
        if info is None:
            return False
        limits = Limits.from_env()
        if info.flag_bits & 0x1 or info.file_size > limits.max_member_bytes or (
                info.file_size > 1 << 20 and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
            raise ValueError("encrypted, larger than the member limit, or a zip bomb")
        zf.open(info).close()  # reads the local header: a damaged entry fails here, not mid-copy
        return True
    except (KeyError, OSError, ValueError, EOFError, RuntimeError, NotImplementedError, zipfile.BadZipFile) as exc:
        diag.warn("file-not-copied", f"{blob.member} of {blob.archive} was not copied ({exc})", blob.member)
        return False


def write(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Write ``project`` as a ``.qdpx`` for ``options.target``; return what was written per kind."""
    path = Path(path)
    profile = get_profile(options.target)
    project = prepare(project, diag)
    if profile.name == "qualcoder":
        project = adapt_for_qualcoder(project, diag)
    sink: Optional[_ZipSink] = None
    try:
        with atomic_file(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            writer = QdeWriter(project, profile, diag, None, options.progress)  # type: ignore[arg-type]
            sink = writer.sink = _ZipSink(profile, writer.g, diag)
            with zf.open("project.qde", "w") as stream:
                counts = writer.write(stream)
            d = profile.sources_dir
            for name, data in sink.texts:
                zf.writestr(f"{d}/{name}", data)
            for name, blob in sink.blobs:
                _copy_blob(zf, f"{d}/{name}", blob, sink, diag)
    except OSError as exc:
        raise WriteError(f"cannot write the archive ({exc.strerror or exc})", str(path),
                         hint="check free disk space, permissions, and that the source files are readable") from None
    finally:
        if sink is not None:
            sink.close()
    return counts


def _copy_blob(zf: zipfile.ZipFile, member: str, blob: Blob, sink: _ZipSink, diag: Diagnostics) -> None:
    """Stream one binary file into the archive, uncompressed when it is compressed already."""
    suffix = os.path.splitext(member)[1].lower()
    info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED if suffix in _STORED else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    big = (blob.size or 0) > _MAX_MEMBER
    try:
        with sink.open(blob) as src, zf.open(info, "w", force_zip64=big or (blob.size or 0) > 2**30) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except (zipfile.BadZipFile, EOFError, ValueError, RuntimeError) as exc:  # zlib.error is an OSError...
        raise WriteError(f"cannot copy {blob.member or blob.file} from the input ({exc})", member,
                         hint="the input archive is damaged; re-export it") from None
    if big:
        diag.warn("file-too-large", f"{member} is larger than the 2 GiB the standard allows", member)


class _QdeSink(Sink):
    """Bare ``.qde``: text inline; binary files only by an ``absolute://`` path to a file on disk."""

    def blob_path(self, guid: str, blob: Blob, suffix: str) -> Optional[str]:
        if blob.file and os.path.isfile(blob.file):
            return "absolute:///" + Path(blob.file).resolve().as_posix().lstrip("/")
        return None


def write_qde(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Write ``project`` as a bare ``project.qde`` XML file with every text inline."""
    path = Path(path)
    profile = get_profile(options.target)
    project = prepare(project, diag)
    if profile.name == "qualcoder":
        project = adapt_for_qualcoder(project, diag)
    try:
        with atomic_file(path) as tmp, open(tmp, "wb") as stream:
            counts = QdeWriter(project, profile, diag, _QdeSink(), options.progress).write(stream)
    except OSError as exc:
        raise WriteError(f"cannot write the file ({exc.strerror or exc})", str(path),
                         hint="check free disk space and permissions") from None
    return counts
