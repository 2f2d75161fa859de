"""CIPP-grouped summaries (Stufflebeam's Context, Input, Process, Product) of a coded project.

``summarize(project, ...)`` returns one DataFrame per sheet; ``write_workbook``, ``write_figures``,
``write_report`` and ``write_docx`` turn a :class:`CippResult` from :func:`build` into the .xlsx
workbook, the F1–F4 figures, the self-contained HTML report and the Word report; ``write_all``
writes any of them together (nothing is left when one fails).  See docs/cipp.md.
"""
from __future__ import annotations

from typing import Optional

from .labels import COMPONENTS, SUBCOMPONENTS, label, sheet_name
from .mapping import MappingConfig, load_mapping, mapping_from_dict
from .normalize import default_synonyms, name_candidates, normalize
from .summary import CippResult, UnmappedCodesError, build, summarize

__all__ = ["summarize", "build", "CippResult", "UnmappedCodesError", "MappingConfig", "load_mapping",
           "mapping_from_dict", "normalize", "name_candidates", "default_synonyms", "COMPONENTS",
           "SUBCOMPONENTS", "label", "sheet_name", "write_workbook", "write_figures", "write_report", "write_docx",
           "write_all", "draw_figures"]


def write_workbook(result: CippResult, path) -> None:
    """Write the summary workbook (see :mod:`nvivo_bridge.cipp.workbook`)."""
    from .workbook import write_workbook as _w
    _w(result, path)


def write_figures(result: CippResult, folder, images: Optional[dict] = None) -> list:
    """Write figures F1–F4 as PNG and SVG into ``folder``; return the paths written.  ``images``:
    figures already drawn by :func:`draw_figures` with ``("png", "svg")``."""
    from .figures import write_figures as _w
    return _w(result, folder, images)


def draw_figures(result: CippResult, formats: tuple = ("png",)) -> dict:
    """Draw F1–F4 once: ``{"F1": {"png": bytes, …}, …}`` — pass it to the report writers to
    share one drawing."""
    from .figures import images
    return images(result, formats)


def write_report(result: CippResult, path, images: Optional[dict] = None, chapter: Optional[int] = 4) -> None:
    """Write the self-contained HTML report (written in place: use :func:`write_all` for an
    all-or-nothing write).  ``chapter`` numbers tables and figures "4.1, 4.2…" (``None``: 1, 2…)."""
    from .report import write_report as _w
    _w(result, path, images, chapter)


def write_docx(result: CippResult, path, images: Optional[dict] = None, chapter: Optional[int] = 4) -> None:
    """Write the Word report (.docx): the HTML report's content with Word headings, real tables
    captioned "Table 4.1 …" ("Tabel 4.1 …" when the summary was built with ``lang="id"``),
    figures as pictures and the quotations.  ``images`` as for :func:`write_report`."""
    from .docx_report import write_docx as _w
    _w(result, path, images, chapter)


def write_all(result: CippResult, workbook, figures=None, report=None, docx=None, force: bool = False,
              inputs: tuple = ()) -> dict:
    """Check every output first, write them under temporary names and move them into place
    together; returns ``{"workbook": path, "report": path, "docx": path, "figures": [paths]}``."""
    from .outputs import Outputs, check_outputs, write_outputs
    out = Outputs(workbook, figures, report, docx)
    check_outputs(out, inputs, force=force)
    return write_outputs(result, out, force=force)
