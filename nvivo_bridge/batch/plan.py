"""Batch conversion: find the inputs, plan one output per input, run, and write the report.

Rules (also in ``docs/batch.md``):

* **Inputs.**  A file named on the command line is always an input.  A folder named on the
  command line is searched for files whose suffix a reader of the format table knows (only its own
  files, or its whole tree with ``recursive``); with ``patterns`` the file names must match one of
  the globs instead, and a matching file no reader knows is reported ``skipped``.  Hidden files and
  folders (leading ``.``), Office lock files (``~$``) and the output folder are never searched.
  A folder is one input (a folder of NVivo exports) only when given with ``nvivo_folders``.
* **Outputs** mirror the inputs' paths relative to the deepest folder holding every input (a folder
  named on the command line counts as holding itself), under ``outdir``; the name is the input's
  stem plus the extension of :data:`OUTPUT_EXT`.
* **Collisions** (``a.qdpx`` and ``a.qde`` in one folder, or an output that would be an input):
  every input of the clash keeps its own suffix in the name (``a.qdpx.xlsx``, ``a.qde.xlsx``); a clash
  still left (names differing only in case) numbers the later ones in path order (``a.qdpx~2.xlsx``).
"""
from __future__ import annotations

import csv
import fnmatch
import io
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from .._io import atomic_file, make_output_dir
from ..errors import ReadError, UsageError
from ..formats import FORMATS

__all__ = ["OUTPUT_EXT", "REPORT_NAME", "Task", "Result", "Plan", "discover", "plan_batch",
           "load_report", "write_report", "UP_TO_DATE", "STATUSES"]

OUTPUT_EXT = {"xlsx": ".xlsx", "csv": "_csv", "json": ".json", "qdpx": ".qdpx", "qdc": ".qdc",
              "cipp": ".cipp.xlsx"}
OUTPUT_EXT.update({f.name: f.batch_ext for f in FORMATS.values() if f.batch_ext and f.name not in OUTPUT_EXT})
REPORT_NAME = "batch-report.csv"
STATUSES = ("ok", "warnings", "failed", "skipped")
# The message of a row skipped by --resume; such a row still counts as done for the next --resume.
UP_TO_DATE = "up to date (--resume): output newer than input and converted before"
_DONE = ("ok", "warnings")


@dataclass(frozen=True)
class Task:
    """One conversion, picklable (it travels to worker processes or Dask workers): absolute paths,
    the output format and the options of ``api.convert``; ``write`` holds ``WriteOptions`` fields."""

    input: str
    output: str
    to_format: str
    from_format: Optional[str] = None
    positions: str = "auto"
    strict: bool = False
    force: bool = False
    write: dict = field(default_factory=dict)


@dataclass
class Result:
    """One report row: ``status`` is ok, warnings, failed or skipped; ``error`` a one-line message."""

    input: str
    output: str
    status: str
    seconds: float = 0.0
    warnings: int = 0
    error: str = ""


@dataclass
class Plan:
    """What a batch will do: ``tasks`` to run, ``skipped`` rows decided up front (unsupported file,
    up to date under --resume), ``ignored`` files seen in folders that are not inputs."""

    tasks: list[Task]
    skipped: list[Result]
    ignored: int = 0
    order: list[str] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    nvivo_folders: list[str] = field(default_factory=list)  # found in the folders searched

    @property
    def total(self) -> int:
        """Number of report rows the batch will produce."""
        return len(self.tasks) + len(self.skipped)


def _readable(path: Path) -> bool:
    suffix = path.suffix.lower()
    return any(suffix in f.suffixes for f in FORMATS.values() if f.reader)


def _hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$")


def discover(inputs: Sequence[os.PathLike | str], *, outdir: Optional[Path] = None, recursive: bool = False,
             patterns: Sequence[str] = (), nvivo_folders: Sequence[os.PathLike | str] = (),
             exclude: Sequence[os.PathLike | str] = (), ignored_files: Optional[list[Path]] = None,
             nvivo_found: Optional[list[Path]] = None) -> tuple[list[tuple[Path, Path]], int]:
    """Return ``[(input, root)]`` in a stable order and the number of ignored files (listed in
    ``ignored_files`` when given).  A folder of NVivo's own exports met while searching is one
    input (:mod:`.nvivo`), listed in ``nvivo_found`` when given.  ``root`` is the folder an input's path is mirrored from (the folder it was found in, as named on
    the command line, or the input's own folder).  Paths are absolute, not resolved (symlinks kept).
    Files in ``exclude`` (the report) are never inputs found in folders.
    """
    out_abs = Path(os.path.abspath(outdir)) if outdir is not None else None
    excluded = {Path(os.path.abspath(p)) for p in exclude}
    found: list[tuple[Path, Path]] = []
    ignored: list[Path] = []
    for folder in nvivo_folders:
        folder = Path(os.path.abspath(folder))
        if not folder.is_dir():
            raise UsageError("not a folder", str(folder), hint="--nvivo-folder takes a folder of NVivo exports")
        found.append((folder, folder.parent))
    for item in inputs:
        item = Path(os.path.abspath(item))
        if not item.exists():
            raise UsageError("no such file or folder", str(item), hint="check the path")
        if not item.is_dir():
            found.append((item, item.parent))
            continue
        for dirpath, dirnames, filenames in os.walk(item):
            here = Path(dirpath)
            # Prune in place so os.walk never enters hidden folders or the output folder.
            dirnames[:] = sorted(d for d in dirnames if not _hidden(d) and (out_abs is None or here / d != out_abs))
            if not recursive:
                dirnames[:] = []
            for name in sorted(filenames):
                path = here / name
                if _hidden(name) or path in excluded:
                    continue
                rel = path.relative_to(item).as_posix()
                if patterns:
                    chosen = any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns)
                else:
                    chosen = _readable(path)
                if chosen:
                    found.append((path, item))
                else:
                    ignored.append(path)
    if not patterns:
        from .nvivo import fold_nvivo_folders
        found, folders, ignored = fold_nvivo_folders(found, ignored)
        (nvivo_found if nvivo_found is not None else []).extend(folders)
    (ignored_files if ignored_files is not None else []).extend(ignored)
    seen: set[Path] = set()
    unique = []
    for path, root in found:
        key = Path(os.path.realpath(path))
        if key not in seen:   # the same file named twice (or through a link) is converted once
            seen.add(key)
            unique.append((path, root))
    return unique, len(ignored)


def _base(roots: Iterable[Path]) -> Optional[Path]:
    try:
        return Path(os.path.commonpath([str(r) for r in roots]))
    except ValueError:   # different drives (Windows): no common folder, names are used alone
        return None


def _outputs(found: list[tuple[Path, Path]], outdir: Path, ext: str) -> list[Path]:
    """Plan the output path of each input, resolving collisions as the module docstring says."""
    base = _base({root for _, root in found}) if found else None
    rel = []
    for path, _root in found:
        parent = path.parent.relative_to(base) if base is not None else Path()
        rel.append(parent)
    inputs_taken = {os.path.normcase(str(p)).casefold() for p, _ in found}

    def key(p: Path) -> str:
        return os.path.normcase(str(p)).casefold()

    stems = [p.name if p.is_dir() else p.stem for p, _ in found]
    outs = [outdir / r / (s + ext) for r, s in zip(rel, stems)]
    groups: dict[str, list[int]] = {}
    for i, out in enumerate(outs):
        groups.setdefault(key(out), []).append(i)
    for k, members in groups.items():
        if len(members) > 1 or k in inputs_taken:
            for i in members:
                outs[i] = outdir / rel[i] / (found[i][0].name + ext)
    taken: set[str] = set()
    order = sorted(range(len(outs)), key=lambda i: key(found[i][0]))
    for i in order:
        out, n = outs[i], 1
        name = out.name[: -len(ext)] if ext else out.name
        while key(out) in taken or key(out) in inputs_taken:
            n += 1
            out = out.with_name(f"{name}~{n}{ext}")
        taken.add(key(out))
        outs[i] = out
    return outs


def plan_batch(inputs: Sequence[os.PathLike | str], outdir: os.PathLike | str, to_format: str, *,
               recursive: bool = False, patterns: Sequence[str] = (), nvivo_folders: Sequence = (),
               from_format: Optional[str] = None, positions: str = "auto", strict: bool = False,
               force: bool = False, write: Optional[dict] = None,
               resume_from: Optional[Sequence[Result]] = None, report: Optional[os.PathLike | str] = None) -> Plan:
    """Plan a batch: one :class:`Task` per input found, or a skipped :class:`Result`.

    ``resume_from`` is the previous report: an input whose row there is ok/warnings (or
    up to date), whose output is the one planned now, exists and is newer than the input, is skipped;
    outputs listed in that report are replaced when their input is converted again.  ``report`` is
    never taken as an input.
    """
    if to_format not in OUTPUT_EXT:
        raise UsageError(f"batch cannot write '{to_format}'", hint="choose one of: " + ", ".join(OUTPUT_EXT))
    outdir = Path(os.path.abspath(outdir))
    ignored_files: list[Path] = []
    detected: list[Path] = []
    found, ignored = discover(inputs, outdir=outdir, recursive=recursive, patterns=patterns,
                              nvivo_folders=nvivo_folders, exclude=[report] if report else (),
                              ignored_files=ignored_files, nvivo_found=detected)
    if not found:
        raise UsageError("no input files found", hint="name .qdpx/.qde/.qdc/.json/NVivo export files or folders "
                                                      "holding them; use --recursive for subfolders")
    outs = _outputs(found, outdir, OUTPUT_EXT[to_format])
    previous = {r.input: r for r in (resume_from or ())}
    listed = {r.output for r in (resume_from or ())}
    nvivo = {Path(os.path.abspath(f)) for f in nvivo_folders} | set(detected)
    tasks, skipped = [], []
    for (path, _root), out in zip(found, outs):
        src, dst = str(path), str(out)
        if from_format is None and path not in nvivo and not _readable(path):
            skipped.append(Result(src, "", "skipped", error=f"unsupported file type '{path.suffix or path.name}'"))
            continue
        prev = previous.get(src)
        if prev is not None and _up_to_date(prev, path, out):
            skipped.append(Result(src, dst, "skipped", error=UP_TO_DATE))
            continue
        tasks.append(Task(src, dst, to_format, from_format="nvivo" if path in nvivo else from_format,
                          positions=positions, strict=strict, force=force or dst in listed,
                          write=dict(write or {})))
    return Plan(tasks, skipped, ignored, [str(p) for p, _ in found], [str(p) for p in ignored_files],
                [str(p) for p in detected])


def _up_to_date(prev: Result, src: Path, dst: Path) -> bool:
    if prev.output != str(dst) or not (prev.status in _DONE or (prev.status == "skipped" and prev.error == UP_TO_DATE)):
        return False
    try:
        return dst.stat().st_mtime > _mtime(src)
    except OSError:
        return False


def _mtime(path: Path) -> float:
    """Newest modification time of a file, or of a folder input and its files."""
    newest = path.stat().st_mtime
    if path.is_dir():
        for child in path.rglob("*"):
            newest = max(newest, child.stat().st_mtime)
    return newest


_COLUMNS = [f.name for f in fields(Result)]


def write_report(results: Sequence[Result], path: os.PathLike | str) -> Path:
    """Write the report atomically: JSON (a list of row objects) for ``.json``, CSV otherwise."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        text = json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1) + "\n"
    else:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(r) for r in results)
        text = buf.getvalue()
    make_output_dir(path.parent)
    with atomic_file(path) as tmp:
        # utf-8-sig: Excel opens the CSV with the right encoding; json.loads/csv read it back unchanged.
        tmp.write_text(text, encoding="utf-8-sig" if path.suffix.lower() != ".json" else "utf-8", newline="")
    return path


def load_report(path: os.PathLike | str) -> list[Result]:
    """Read a report written by :func:`write_report` (CSV or JSON by suffix)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".json":
            rows: list[dict[str, Any]] = json.loads(text)
        else:
            rows = list(csv.DictReader(io.StringIO(text)))
        return [Result(input=r["input"], output=r.get("output") or "", status=r["status"],
                       seconds=float(r.get("seconds") or 0), warnings=int(r.get("warnings") or 0),
                       error=r.get("error") or "") for r in rows]
    except (OSError, ValueError, KeyError, TypeError, csv.Error) as exc:
        raise ReadError(f"cannot read the previous batch report ({exc})", str(path),
                        hint="give the report of an earlier run with --report, or run without --resume") from None
