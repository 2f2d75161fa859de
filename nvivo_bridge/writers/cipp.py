"""Writer for the CIPP summary workbook (``--to cipp`` in convert/batch, and the ``cipp`` command).

``options.extra`` carries the summary settings: ``map`` (mapping file), ``group_by`` (attribute
name or list), ``lang``, ``unmapped``, ``coder``, ``coder_dedupe``, and optional ``figures``
(folder for F1–F4), ``report`` (HTML file) and ``docx`` (Word report); ``force`` lets those
outputs be replaced.  Every output is checked before the summary is built and all are written
together (see :mod:`nvivo_bridge.cipp.outputs`): a failure leaves none of them.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import Diagnostics
from ..model import Project
from ..options import WriteOptions

__all__ = ["write", "SHOWN_PATHS"]

SHOWN_PATHS = 5  # code paths named in a warning; the rest are on the Unmapped sheet


def write(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Summarise ``project`` by CIPP component into the workbook ``path`` (plus figures and reports
    when asked); warnings (unmapped codes, multi-component codes) go to ``diag``.  A dict given as
    ``options.extra["written"]`` receives the paths written."""
    from ..cipp import build
    from ..cipp.labels import sheet_name
    from ..cipp.outputs import Outputs, check_outputs, write_outputs

    x = options.extra
    force = bool(x.get("force", False))
    out = Outputs(Path(path), x.get("figures"), x.get("report"), x.get("docx"))
    inputs = (Path(project.source_file),) if project.source_file else ()
    check_outputs(out, inputs, force=force)
    res = build(project, mapping=x.get("map"), group_by=x.get("group_by") or None, lang=x.get("lang", "en"),
                unmapped=x.get("unmapped"), coder=x.get("coder"), coder_dedupe=x.get("coder_dedupe", True))
    a = res.assignment
    unmapped = [a.path[g] for g in a.order if a.components[g] == ()]
    if unmapped:
        verb = "counted as Other" if res.unmapped == "other" else "left out of the tables"
        more = len(unmapped) - SHOWN_PATHS
        diag.warn("cipp-unmapped", f"{len(unmapped)} code(s) map to no CIPP component ({verb}): "
                  + ", ".join(unmapped[:SHOWN_PATHS])
                  + (f" … and {more} more" if more > 0 else "")
                  + f"; all are listed on the sheet '{sheet_name('unmapped', res.lang)}'", str(path))
    multi = [g for g in a.order if g in a.multi]
    for g in multi[:SHOWN_PATHS]:
        diag.warn("cipp-multi-component", f"code '{a.path[g]}' counted under "
                  + " and ".join(a.components[g]), str(path))
    if len(multi) > SHOWN_PATHS:
        diag.warn("cipp-multi-component", f"… and {len(multi) - SHOWN_PATHS} more code(s) under several "
                  f"components; see the sheet '{sheet_name('warnings', res.lang)}'", str(path))
    written = write_outputs(res, out, force=force)
    if isinstance(x.get("written"), dict):  # the caller's record of where things went
        x["written"].update(written)
    return {"codes": len(res.kept), "cases": len(project.cases), "sources": len(project.sources),
            "codings": res.counts.n_raw}
