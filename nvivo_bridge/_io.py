"""Safe output: every file or folder is written under a temporary name and renamed at the end,
so an interrupted or failed write never leaves a half-finished output and never touches the input."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from .errors import WriteError

__all__ = ["atomic_file", "atomic_write", "atomic_dir", "check_output", "write_bytes", "make_output_dir",
           "check_replaceable"]


def make_output_dir(path: Path) -> Path:
    """Create the output folder ``path`` (and its parents) and make sure files can be written in
    it; a :class:`WriteError` naming it otherwise (a file in the way, a read-only or full disk…)."""
    path = Path(path)
    if os.path.lexists(path) and not path.is_dir():
        raise WriteError("the output folder is a file or something else, not a folder", str(path),
                         hint="choose another output folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".nvivo-bridge-probe.", suffix=".tmp", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise WriteError(f"cannot create or write in the output folder ({exc.strerror or exc})", str(path),
                         hint="choose a folder you can write to") from None
    return path


def check_output(output: Path, inputs: tuple[Path, ...] = (), force: bool = False) -> None:
    """Refuse an output that is one of the inputs or a folder holding one (``--force`` would delete
    it), or that exists when ``force`` is false."""
    out = Path(output)
    for inp in inputs:
        if _same_file(out, Path(inp)):
            raise WriteError("the output is the input file", str(out),
                             hint="choose another output name; inputs are never overwritten")
        if _inside(Path(inp), out):
            # --force replaces an output folder as a whole: it would delete the input with it.
            raise WriteError(f"the output folder contains the input {inp}", str(out),
                             hint="choose an output folder that does not hold your inputs")
    if os.path.lexists(out):
        if not force:
            raise WriteError("the output already exists", str(out), hint="use --force to replace it")
        check_replaceable(out)


def check_replaceable(path: Path) -> None:
    """Refuse to replace ``path`` unless it is a regular file or a folder like the ones we write
    (regular files only, no subfolder): ``--force`` must never replace a device (``/dev/full``), a
    FIFO, a socket, a symbolic link or a folder tree such as a home folder."""
    import stat

    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise WriteError(f"cannot check the existing output ({exc.strerror})", str(path)) from None
    if stat.S_ISREG(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):
        try:
            with os.scandir(path) as entries:
                odd = next((e.name for e in entries if not e.is_file(follow_symlinks=False)), None)
        except OSError as exc:
            raise WriteError(f"cannot list the existing output folder ({exc.strerror})", str(path)) from None
        if odd is None:
            return
        raise WriteError(f"the existing output folder holds {odd!r}, which is not a plain file; --force "
                         "replaces only folders of files such as the ones nvivo-bridge writes", str(path),
                         hint="remove the folder yourself or choose another output")
    kind = ("a symbolic link" if stat.S_ISLNK(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode)
            or stat.S_ISBLK(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
            else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
    raise WriteError(f"the output is {kind}; --force replaces only regular files and output folders", str(path),
                     hint="choose another output name")


def _inside(inp: Path, folder: Path) -> bool:
    """Whether ``inp`` lies inside the existing folder ``folder`` (at any depth)."""
    try:
        return folder.is_dir() and inp.resolve().is_relative_to(folder.resolve()) \
            and inp.resolve() != folder.resolve()
    except (OSError, ValueError):
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name the same file: same resolved path, or (both existing) the same
    inode, which also catches hard links and case-insensitive file systems."""
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise WriteError("the output folder does not exist", str(parent), hint="create it first")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise WriteError(f"cannot write in the output folder ({exc.strerror})", str(parent),
                         hint="choose a folder you can write to") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates 0600; a finished output should get the permissions any new file gets.
        os.chmod(tmp_path, 0o666 & ~_umask())
        check_replaceable(path)  # also for writers called without check_output (the library)
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def atomic_write(path: Path, fill: Callable[[Path], object], what: str) -> None:
    """Call ``fill(tmp)`` to write a temporary file beside ``path`` and rename it onto ``path``; a
    failed write is a :class:`WriteError` naming ``what`` (e.g. "the codebook") and the path."""
    path = Path(path)
    with atomic_file(path) as tmp:
        try:
            fill(tmp)
        except OSError as exc:
            raise WriteError(f"cannot write {what} ({exc.strerror or exc})", str(path),
                             hint="check free disk space and permissions") from None


def write_bytes(path: Path, data: bytes, what: str) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`)."""
    atomic_write(path, lambda tmp: tmp.write_bytes(data), what)


@contextlib.contextmanager
def atomic_dir(path: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; move it to ``path`` only if the block succeeds.

    With ``force`` an existing folder at ``path`` is replaced."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise WriteError("the output folder's parent does not exist", str(parent), hint="create it first")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise WriteError(f"cannot write in the output folder ({exc.strerror})", str(parent),
                         hint="choose a folder you can write to") from None
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        check_replaceable(path)
        if path.exists():
            if not force and any(path.iterdir()):
                raise WriteError("the output folder exists and is not empty", str(path),
                                 hint="use --force to replace it")
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
