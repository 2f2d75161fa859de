"""Writer for the CIPP summary workbook (``--to cipp`` in convert/batch, and the ``cipp`` command).

``options.extra`` carries the summary settings: ``map`` (mapping file), ``group_by`` (attribute
name or list), ``lang``, ``unmapped``, ``coder``, ``coder_dedupe``, and optional ``figures``
(folder for F1–F4) and ``report`` (HTML file); ``force`` lets those extra outputs be replaced.
"""
from __future__ import annotations

from pathlib import Path

from .._io import atomic_dir, atomic_file, check_output
from ..errors import Diagnostics
from ..model import Project
from ..options import WriteOptions

__all__ = ["write"]


def write(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Summarise ``project`` by CIPP component into the workbook ``path`` (plus figures/report when
    asked); warnings (unmapped codes, multi-component codes) go to ``diag``."""
    from ..cipp import build
    from ..cipp.figures import write_figures
    from ..cipp.report import write_report
    from ..cipp.workbook import write_workbook

    x = options.extra
    force = bool(x.get("force", False))
    figures = Path(x["figures"]) if x.get("figures") else None
    report = Path(x["report"]) if x.get("report") else None
    if report is not None:
        check_output(report, (Path(path),), force=force)
    res = build(project, mapping=x.get("map"), group_by=x.get("group_by") or None, lang=x.get("lang", "en"),
                unmapped=x.get("unmapped"), coder=x.get("coder"), coder_dedupe=x.get("coder_dedupe", True))
    a = res.assignment
    unmapped = [a.path[g] for g in a.order if a.components[g] == ()]
    if unmapped:
        verb = "counted as Other" if res.unmapped == "other" else "left out of the tables"
        diag.warn("cipp-unmapped", f"{len(unmapped)} code(s) map to no CIPP component ({verb}): "
                  + ", ".join(unmapped[:50]) + (" …" if len(unmapped) > 50 else ""), str(path))
    for g in a.order:
        if g in a.multi:
            diag.warn("cipp-multi-component", f"code '{a.path[g]}' counted under "
                      + " and ".join(a.components[g]), str(path))
    write_workbook(res, Path(path))
    if figures is not None:
        with atomic_dir(figures, force=force) as tmp:
            write_figures(res, tmp)
    if report is not None:
        with atomic_file(report) as tmp:
            write_report(res, tmp)
    return {"codes": len(res.kept), "cases": len(project.cases), "sources": len(project.sources),
            "codings": res.counts.n_raw}
