"""What the page offers to download: one registry line per entry, each calling the CLI's writer.

Every entry writes into a fresh ``out/<job id>/`` folder of its workspace through the library's
own writers (``nvivo_bridge.write`` and the format table, ``cipp``, ``codebook``), with the job's
progress callback where the writer has one, so a cancelled job stops inside the writer and its
atomic output leaves nothing behind.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .._io import atomic_file
from ..api import Ledger, write
from ..errors import Diagnostics
from .mapping import FIGURE_LOCK

__all__ = ["Download", "DOWNLOADS", "run_download"]


@dataclass(frozen=True)
class Download:
    """One download: key, file name pattern (``{stem}``, ``{target}``), label key and writer."""

    key: str
    filename: str
    label: str
    run: Callable[[Any, Path, Any, dict], dict]


def _project(ws: Any, out: Path, job: Any, opts: dict, fmt: str) -> dict:
    """Any format of the format table, written from the workspace's project (convert's writer)."""
    wdiag = Diagnostics()
    written = write(ws.project, out, fmt, target=opts.get("target", "standard"), diag=wdiag,
                    progress=job.progress, force=True)
    return {"ledger": Ledger(ws.files[0], out.name, ws.project.counts(), written, wdiag.finish())}


def _csv_zip(ws: Any, out: Path, job: Any, opts: dict) -> dict:
    """The CSV tables (convert --to csv), in one zip for the browser."""
    folder = out.with_suffix("")
    result = _project(ws, folder, job, opts, "csv")
    with atomic_file(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            job.check()
            zf.write(f, f.name)
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    return result


def _codebook(ws: Any, out: Path, job: Any, opts: dict) -> dict:
    """The codebook (``nvivo-bridge codebook``) as .qdc or as the editable sheet."""
    from ..codebook import extract_codebook, save_codebook

    diag = Diagnostics()
    book = extract_codebook(ws.project, diag)
    save_codebook(book, out, diag, target=opts.get("target", "standard"))
    return {}


def _cipp_result(ws: Any, job: Any, opts: dict) -> Any:
    job.check()
    return ws.mapping.result(opts.get("lang", "en"))


def _cipp(ws: Any, out: Path, job: Any, opts: dict) -> dict:
    """The CIPP workbook (``nvivo-bridge cipp --map``) with the mapping decided on the page."""
    mapping = out.with_name("cipp-mapping.yaml")
    mapping.write_text(ws.mapping.yaml_text(), encoding="utf-8")
    job.check()
    write(ws.project, out, "cipp", map=mapping, lang=opts.get("lang", "en"), force=True)
    mapping.unlink()
    return {}


def _cipp_html(ws: Any, out: Path, job: Any, opts: dict) -> dict:
    """The CIPP HTML report (``cipp --report``)."""
    from ..cipp import write_report

    res = _cipp_result(ws, job, opts)
    with FIGURE_LOCK, atomic_file(out) as tmp:  # the report draws with pyplot, which is not thread-safe
        write_report(res, tmp)
    return {}


def _cipp_docx(ws: Any, out: Path, job: Any, opts: dict) -> dict:
    """The CIPP Word report (``cipp --docx``)."""
    from ..cipp import write_docx

    res = _cipp_result(ws, job, opts)
    with FIGURE_LOCK, atomic_file(out) as tmp:
        write_docx(res, tmp)
    return {}


def _agreement(ws: Any, out: Path, job: Any, opts: dict) -> dict:
    """The inter-coder agreement workbook (``nvivo-bridge agreement``)."""
    from ..agreement import agreement, write_workbook

    result = agreement(ws.project)  # every coder, as the CLI's default
    job.check()
    write_workbook(result, out)  # atomic itself
    return {}


def _mapping(ws: Any, out: Path, job: Any, opts: dict) -> dict:
    """The mapping file itself (what ``cipp --map`` reads)."""
    text = ws.mapping.yaml_text()
    with atomic_file(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return {}


def _fmt(name: str) -> Callable:
    return lambda ws, out, job, opts: _project(ws, out, job, opts, name)


DOWNLOADS: tuple[Download, ...] = (
    Download("workbook", "{stem}.xlsx", "dl_workbook", _fmt("xlsx")),
    Download("csv", "{stem}-csv.zip", "dl_csv", _csv_zip),
    Download("qdpx", "{stem}-{target}.qdpx", "dl_qdpx", _fmt("qdpx")),
    Download("json", "{stem}.json", "dl_json", _fmt("json")),
    Download("codebook-qdc", "{stem}-codebook.qdc", "dl_codebook_qdc", _codebook),
    Download("codebook-xlsx", "{stem}-codebook.xlsx", "dl_codebook_xlsx", _codebook),
    Download("mapping", "{stem}-cipp-mapping.yaml", "dl_mapping", _mapping),
    Download("cipp", "{stem}-cipp.xlsx", "dl_cipp", _cipp),
    Download("cipp-html", "{stem}-cipp.html", "dl_cipp_html", _cipp_html),
    Download("cipp-docx", "{stem}-cipp.docx", "dl_cipp_docx", _cipp_docx),
    Download("agreement", "{stem}-agreement.xlsx", "dl_agreement", _agreement),
)


def run_download(entry: Download, ws: Any, job: Any, opts: dict) -> dict:
    """Write ``entry`` for workspace ``ws`` in job ``job``; returns the file name and URL (and the
    ledger for project conversions) for the page."""
    name = entry.filename.format(stem=ws.stem, target=opts.get("target", "standard"))
    out = ws.out_dir(job.id) / name
    with ws.lock:  # one writer at a time per project; other workspaces are not held up
        result = entry.run(ws, out, job, opts)
    job.check()
    ledger = result.get("ledger")
    info: dict = {"file": name, "url": f"/p/{ws.id}/files/{job.id}/{name}"}
    if ledger is not None:
        info["ledger"] = {"read": ledger.read, "written": ledger.written,
                          "lost": {k: list(v) for k, v in ledger.lost().items()},
                          "warnings": [i.message for i in ledger.issues if i.level != "info"][:20]}
    return info
