"""The HTML pages: projects (upload), overview, codings, CIPP mapping, downloads, and files.

Pages that compute (the overview, the codings table, the CIPP summary and its figures) are
plain functions, which Starlette runs in its thread pool, so a slow summary never holds up the
other requests.  Each project page looks its workspace up by the id in the URL; an unknown id is a 404 and a
project still being read shows a short "not open yet" page.  Files are served only from the
workspace's ``out/`` folder (:meth:`Workspace.output_file`).
"""
from __future__ import annotations

from typing import Any, Optional

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ..checks.info import project_info
from .app import render
from .browse import Filters
from .downloads import DOWNLOADS
from .mapping import CHOICES, FIGURE_KEYS

__all__ = ["ROUTES", "home"]

TARGETS = ("standard", "nvivo", "atlasti", "maxqda", "qualcoder")


def _workspace(request: Request, ready: bool = True) -> tuple[Any, Optional[Response]]:
    state = request.app.state.web
    ws = state.workspaces.get(request.path_params.get("ws", ""))
    if ws is None:
        return None, render(request, "message.html", {"heading": "not_found", "text": ""}, 404)
    if ready and ws.status != "ready":
        heading = ws.status if ws.status in ("failed", "cancelled") else "not_ready"
        return None, render(request, "message.html", {"heading": heading, "text": ws.error or "", "ws": ws}, 409)
    return ws, None


async def home(request: Request) -> Response:
    """The start page: drop or choose a project; the projects opened in this session."""
    return render(request, "home.html", {"workspaces": request.app.state.web.workspaces.all()})


def ledger_rows(ws: Any, jobs: list) -> tuple[list, list]:
    """The ledger table: one row per element kind read, one column per finished conversion."""
    read = ws.project.counts()
    done = [j for j in jobs if j.status == "done" and isinstance(j.result, dict) and j.result.get("ledger")]
    rows = []
    for kind, n in read.items():
        cells = []
        for j in done:
            w = j.result["ledger"]["written"].get(kind)
            cells.append({"n": "–" if w is None else w, "lost": w is not None and w < n})
        rows.append({"kind": kind, "read": n, "cells": cells})
    return rows, [j.result["file"] for j in done]


def overview(request: Request) -> Response:
    """Producer, counts, ledger and warnings of one project, in plain words."""
    ws, refused = _workspace(request)
    if refused:
        return refused
    info = project_info(ws.project)
    issues = ws.project.issues or []
    rows, columns = ledger_rows(ws, request.app.state.web.jobs.of_workspace(ws.id)[::-1])
    return render(request, "overview.html", {
        "ws": ws, "info": info, "counts": [(k, v) for k, v in info["counts"].items() if v],
        "warnings": [i for i in issues if i.level != "info"], "notes": [i for i in issues if i.level == "info"],
        "ledger": rows, "ledger_columns": columns, "nav": "overview"})


def _int(value: Optional[str]) -> Optional[int]:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def filters_from(params: Any) -> Filters:
    """The codings filters from a query string (bad numbers are ignored)."""
    f = Filters(code=_int(params.get("code")), source=_int(params.get("source")), case=_int(params.get("case")),
                coder=_int(params.get("coder")), q=params.get("q", "")[:200], page=_int(params.get("page")) or 1)
    attr, sep, value = params.get("av", "").partition(":")
    if sep and _int(attr) is not None:
        f.attribute, f.value = _int(attr), value
    return f


def codings(request: Request) -> Response:
    """The codings table: filters, search and one page of rows, computed on the server."""
    ws, refused = _workspace(request)
    if refused:
        return refused
    f = filters_from(request.query_params)
    view = ws.view
    total, pages, rows = view.page(f)
    page = min(max(1, f.page), pages)
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}

    def link(p: int) -> str:
        from urllib.parse import urlencode
        return f"/p/{ws.id}/codings?" + urlencode({**params, "page": p})

    codes = [{"n": i, "label": "\u00a0\u00a0" * (view.code_levels[i] - 1) + view.project.codes[g].name,
              "count": int(view.subtree_counts[i])} for i, g in enumerate(view.code_guids)]
    attrs = [{"n": k, "name": v.name, "vals": list(view.values[k])} for k, v in enumerate(view.variables)
             if view.values[k]]
    return render(request, "codings.html", {
        "ws": ws, "nav": "codings", "f": f, "av": request.query_params.get("av", ""), "rows": rows,
        "total": total, "pages": pages, "page": page, "codes": codes, "sources": view.source_names,
        "cases": view.case_names, "coders": view.coders, "attrs": attrs,
        "prev": link(page - 1) if page > 1 else None, "next": link(page + 1) if page < pages else None})


def overview_table(res: Any) -> list[dict]:
    """The CIPP overview rows shown on the page (from the summary's ``overview`` frame)."""
    ov = res.frame("overview")
    keep = ["component", "label", "codes", "references", "sources", "cases", "cases_pct", "top_codes"]
    return [{k: ("" if r.get(k) is None else r.get(k)) for k in keep} for r in ov.to_dict("records")]


def cipp(request: Request) -> Response:
    """The CIPP mapping on the code tree, with the overview and figures it gives."""
    ws, refused = _workspace(request)
    if refused:
        return refused
    lang = request.app.state.web.lang_of(request)
    res = ws.mapping.result(lang)
    ws.mapping.figures(lang, wait=False)  # the <img> requests wait for them
    return render(request, "cipp.html", {"ws": ws, "nav": "cipp", "tree": ws.mapping.tree_rows(lang),
                                         "choices": CHOICES, "overview": overview_table(res),
                                         "figures": FIGURE_KEYS, "version": ws.mapping.version})


def downloads(request: Request) -> Response:
    """Every download the registry offers, and the files made in this session."""
    ws, refused = _workspace(request)
    if refused:
        return refused
    entries = list(DOWNLOADS)
    jobs = [j for j in request.app.state.web.jobs.of_workspace(ws.id) if j.kind != "open"]
    return render(request, "downloads.html", {"ws": ws, "nav": "downloads", "entries": entries,
                                              "targets": TARGETS, "jobs": jobs})


def figure(request: Request) -> Response:
    """A CIPP figure (PNG) of the current mapping."""
    ws, refused = _workspace(request)
    if refused:
        return refused
    data = ws.mapping.figures(request.app.state.web.lang_of(request)).get(request.path_params["key"])
    if data is None:
        return Response("not found", status_code=404)
    return Response(data, media_type="image/png", headers={"cache-control": "no-store"})


async def output_file(request: Request) -> Response:
    """A finished download, only from the workspace's ``out/<job>/`` folder."""
    ws, refused = _workspace(request)
    if refused:
        return refused
    try:
        path = ws.output_file(request.path_params["job"], request.path_params["name"])
    except (ValueError, FileNotFoundError):
        return Response("not found", status_code=404)
    return FileResponse(path, filename=path.name, headers={"cache-control": "no-store"})


ROUTES = [
    Route("/p/{ws}/", overview), Route("/p/{ws}/codings", codings), Route("/p/{ws}/cipp", cipp),
    Route("/p/{ws}/cipp/figure/{key}.png", figure), Route("/p/{ws}/downloads", downloads),
    Route("/p/{ws}/files/{job}/{name}", output_file),
]
