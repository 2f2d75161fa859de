"""The library's entry points: ``read``, ``write`` and ``convert``, over the format table."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from . import formats
from ._gc import gc_paused
from ._strings import python_strings
from ._io import check_output
from .errors import Diagnostics, Issue, ReadError, StrictError
from .model import Project
from .options import Limits, ReadOptions, WriteOptions

__all__ = ["read", "write", "convert", "Ledger"]

PathLike = Union[str, Path]


@dataclass
class Ledger:
    """What a conversion read and wrote, per element kind, and the issues it met."""

    input: str
    output: str
    read: dict[str, int]
    written: dict[str, int]
    issues: list[Issue] = field(default_factory=list)
    format: Optional[str] = None

    def lost(self) -> dict[str, tuple[int, int]]:
        """Element kinds written fewer times than read: ``kind → (read, written)``; a kind the
        output format does not carry at all (absent from ``written``) counts as none written."""
        return {k: (n, self.written.get(k, 0)) for k, n in self.read.items() if self.written.get(k, 0) < n}

    def not_carried(self) -> dict[str, int]:
        """Element kinds that were read but that the output format does not carry: ``kind → read``."""
        return {k: n for k, n in self.read.items() if n and k not in self.written}


def read(path: PathLike, format: Optional[str] = None, *, positions: str = "auto",
         limits: Optional[Limits] = None, strict: bool = False,
         diag: Optional[Diagnostics] = None, **extra: Any) -> Project:
    """Read any supported input into a :class:`Project`; its ``issues`` lists what was repaired.

    ``format`` overrides the suffix (``qdpx``, ``qde``, ``qdc``, ``json``, ``nvivo``…);
    ``positions`` forces the text position unit (``codepoint`` or ``utf16``).  With ``strict``
    any warning raises :class:`StrictError`.
    """
    path = Path(path)
    if not path.exists():
        raise ReadError("no such file or folder", str(path), hint="check the path")
    if not path.is_dir():
        from .readers._safe import check_regular_file
        check_regular_file(path)  # before any reader opens it: /dev/zero, FIFOs, devices → exit 4
    fmt = formats.get_format(format, "reader") if format else formats.guess_input_format(path)
    diag = diag if diag is not None else Diagnostics()
    options = ReadOptions(positions=positions, limits=limits or Limits.from_env(), extra=dict(extra))
    project = fmt.get_reader()(path, diag, options)
    project.source_file = project.source_file or str(path)
    project.issues = diag.finish()
    if strict and any(i.level != "info" for i in project.issues):
        first = next(i for i in project.issues if i.level != "info")
        raise StrictError(f"{len([i for i in project.issues if i.level != 'info'])} warning(s) under --strict; "
                          f"first: {first.message}", str(path), first.location)
    return project


def write(project: Project, path: PathLike, format: Optional[str] = None, *,
          target: str = "standard", diag: Optional[Diagnostics] = None, **extra: Any) -> dict[str, int]:
    """Write ``project`` to ``path`` (format from the suffix unless given); returns what was written."""
    path = Path(path)
    fmt = formats.get_format(format, "writer") if format else formats.guess_output_format(path)
    diag = diag if diag is not None else Diagnostics()
    opts = WriteOptions(target=target)
    for key in ("encoding", "raw_csv", "progress"):
        if key in extra:
            setattr(opts, key, extra.pop(key))
    opts.extra.update(extra)
    writer = fmt.get_writer()
    with gc_paused(), python_strings():
        return writer(project, path, diag, opts) or {}


def convert(src: PathLike, dst: PathLike, *, from_format: Optional[str] = None,
            to_format: Optional[str] = None, positions: str = "auto", strict: bool = False,
            force: bool = False, limits: Optional[Limits] = None,
            write_options: Optional[WriteOptions] = None, read_extra: Optional[dict] = None) -> Ledger:
    """Read ``src`` and write it to ``dst``; return the ledger of what was read and written.

    Nothing is written when reading fails, when ``strict`` and warnings were met, or when ``dst``
    exists and ``force`` is false.
    """
    src, dst = Path(src), Path(dst)
    check_output(dst, (src,), force=force)
    # The output format is settled before reading, so a wrong --to fails at once, not after a long read.
    fmt = formats.get_format(to_format, "writer") if to_format else formats.guess_output_format(dst)
    diag = Diagnostics()
    project = read(src, from_format, positions=positions, limits=limits, strict=strict, diag=diag,
                   **(read_extra or {}))
    opts = write_options or WriteOptions()
    opts.extra.setdefault("force", force)
    wdiag = Diagnostics()
    writer = fmt.get_writer()
    with gc_paused(), python_strings():
        if strict:
            written = _write_strict(writer, project, dst, wdiag, opts)
        else:
            written = writer(project, dst, wdiag, opts) or {}
    issues = list(project.issues) + wdiag.finish()
    return Ledger(str(src), str(dst), project.counts(), written, issues, fmt.name)


def _write_strict(writer: Any, project: Project, dst: Path, wdiag: Diagnostics, opts: WriteOptions) -> dict[str, int]:
    """Write to a staging name beside ``dst`` and move it into place only if the writer warned of
    nothing: under ``--strict`` a refused output must neither appear nor replace an existing one."""
    import os
    import shutil
    import uuid

    stage = dst.with_name(f".{dst.stem}.strict-{uuid.uuid4().hex[:8]}{dst.suffix}")

    def drop() -> None:
        if stage.is_dir():
            shutil.rmtree(stage, ignore_errors=True)
        elif stage.exists():
            stage.unlink()

    try:
        written = writer(project, stage, wdiag, opts) or {}
        if wdiag.warnings:
            raise StrictError(f"{len(wdiag.warnings)} warning(s) while writing under --strict; "
                              f"first: {wdiag.warnings[0].message}", str(dst))
        if dst.is_dir() and not dst.is_symlink():
            shutil.rmtree(dst)  # an existing output folder (check_output allowed it: --force)
        os.replace(stage, dst)
    except BaseException:
        drop()
        raise
    return written
