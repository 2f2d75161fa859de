"""Writing the CIPP outputs together: workbook, figures folder, HTML and Word report.

Every output path is checked before anything is read or written; all outputs are written under
temporary names beside their targets and renamed into place only once every one of them is
complete.  A failure anywhere (a refused folder, a full disk, a bad mapping) leaves no output.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Optional

from .._io import atomic_dir, atomic_file, check_output
from ..errors import WriteError

__all__ = ["Outputs", "check_outputs", "write_outputs"]


class Outputs:
    """Where the summary goes: the workbook and, optionally, figures folder, HTML and Word report."""

    def __init__(self, workbook: Path, figures: Optional[Path] = None, report: Optional[Path] = None,
                 docx: Optional[Path] = None):
        self.workbook = Path(workbook)
        self.figures = Path(figures) if figures else None
        self.report = Path(report) if report else None
        self.docx = Path(docx) if docx else None

    def files(self) -> list[tuple[str, Path]]:
        """The single-file outputs, with what they are."""
        out = [("the workbook", self.workbook)]
        if self.report:
            out.append(("the HTML report", self.report))
        if self.docx:
            out.append(("the Word report", self.docx))
        return out


def _writable_parent(path: Path, what: str) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise WriteError(f"the output folder does not exist (for {what})", str(parent), hint="create it first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise WriteError(f"cannot write {what} in this folder (permission denied)", str(parent),
                         hint="choose a folder you can write to")


def check_outputs(out: Outputs, inputs: tuple = (), force: bool = False) -> None:
    """Refuse, before anything is written, every output that cannot be written: one that is an
    input or a folder holding one, exists without ``force``, is a folder where a file goes (or a
    file where the figures folder goes), names the same path as another output, or lies in a
    folder that is missing or not writable."""
    seen: dict[Path, str] = {}
    entries = out.files() + ([("the figures folder", out.figures)] if out.figures else [])
    for what, path in entries:
        key = Path(os.path.abspath(path))
        if key in seen:
            raise WriteError(f"{what} and {seen[key]} are the same path", str(path),
                             hint="give each output its own name")
        seen[key] = what
        folder = what == "the figures folder"
        if folder and path.is_dir() and not any(path.iterdir()):
            check_output(path, tuple(inputs), force=True)  # an empty folder may be filled
        else:
            check_output(path, tuple(inputs), force=force)
        if folder and path.exists() and not path.is_dir():
            raise WriteError("the figures folder is a file", str(path), hint="give --figures a folder name")
        if not folder and path.is_dir():
            raise WriteError(f"{what} would replace a folder", str(path), hint="give a file name")
        if folder:
            # --force replaces the folder as a whole: it must not hold the other outputs.
            for other, p in out.files():
                if Path(os.path.abspath(p)).is_relative_to(key):
                    raise WriteError(f"the figures folder would hold {other} ({p})", str(path),
                                     hint="give the figures a folder of their own")
        _writable_parent(path, what)


def write_outputs(res: Any, out: Outputs, force: bool = False) -> dict[str, Any]:
    """Write every output of ``res`` to temporary names, then move them all into place.

    Returns ``{"workbook": path, "figures": [paths], "report": path, "docx": path}`` for what was
    written.  The figures are drawn once and shared by the folder and both reports."""
    from .workbook import save_workbook

    # matplotlib (figures) and python-docx are imported only when an output needs them: for the
    # workbook alone they were about 34 MB of the peak (issue 16).
    drawn = None
    if out.figures or out.report or out.docx:
        from .figures import images

        drawn = images(res, ("png", "svg") if out.figures else ("png",))
    written: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        # Files first, the folder last: the stack renames in reverse, so the folder (the one
        # rename that can still be refused) goes first and a refusal leaves nothing behind.
        tmp = stack.enter_context(atomic_file(out.workbook))
        jobs = [(lambda t=tmp: save_workbook(res, t, out.workbook))]
        written["workbook"] = out.workbook
        if out.report:
            from .report import write_report

            t_rep = stack.enter_context(atomic_file(out.report))
            jobs.append(lambda t=t_rep: _fill(lambda: write_report(res, t, drawn), out.report, "the HTML report"))
            written["report"] = out.report
        if out.docx:
            from .docx_report import write_docx

            t_doc = stack.enter_context(atomic_file(out.docx))
            jobs.append(lambda t=t_doc: _fill(lambda: write_docx(res, t, drawn), out.docx, "the Word report"))
            written["docx"] = out.docx
        if out.figures:
            from .figures import write_figures

            t_fig = stack.enter_context(atomic_dir(out.figures, force=force))
            jobs.append(lambda t=t_fig: _fill(lambda: write_figures(res, t, drawn), out.figures, "the figures"))
            written["figures"] = [out.figures / p.name for p in _names(drawn)]
        for job in jobs:
            job()
    return written


def _names(drawn: dict) -> list[Path]:
    from .figures import FIGURES
    return [Path(f"{FIGURES[k]}.{ext}") for k in drawn for ext in ("png", "svg")]


def _fill(fn: Any, path: Path, what: str) -> None:
    try:
        fn()
    except OSError as exc:
        raise WriteError(f"cannot write {what} ({exc.strerror or exc})", str(path),
                         hint="check free disk space and permissions") from None
