"""CIPP-grouped summaries (Stufflebeam's Context, Input, Process, Product) of a coded project.

``summarize(project, ...)`` returns one DataFrame per sheet; ``write_workbook``, ``write_figures``
and ``write_report`` turn a :class:`CippResult` from :func:`build` into the .xlsx workbook, the
F1–F4 figures and the self-contained HTML report.  See docs/cipp.md.
"""
from __future__ import annotations

from .labels import COMPONENTS, SUBCOMPONENTS, label, sheet_name
from .mapping import MappingConfig, load_mapping, mapping_from_dict
from .normalize import default_synonyms, name_candidates, normalize
from .summary import CippResult, UnmappedCodesError, build, summarize

__all__ = ["summarize", "build", "CippResult", "UnmappedCodesError", "MappingConfig", "load_mapping",
           "mapping_from_dict", "normalize", "name_candidates", "default_synonyms", "COMPONENTS",
           "SUBCOMPONENTS", "label", "sheet_name", "write_workbook", "write_figures", "write_report"]


def write_workbook(result: CippResult, path) -> None:
    """Write the summary workbook (see :mod:`nvivo_bridge.cipp.workbook`)."""
    from .workbook import write_workbook as _w
    _w(result, path)


def write_figures(result: CippResult, folder) -> list:
    """Write figures F1–F4 as PNG and SVG into ``folder``; return the paths written."""
    from .figures import write_figures as _w
    return _w(result, folder)


def write_report(result: CippResult, path) -> None:
    """Write the self-contained HTML report."""
    from .report import write_report as _w
    _w(result, path)
