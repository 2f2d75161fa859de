"""The JSON endpoints the page's script calls: upload, open, jobs, mapping, downloads.

Every call that changes something is a POST or PUT carrying the header ``X-Nvivo-Bridge: 1``: a
page on another site cannot add that header without a CORS preflight this server never grants,
so (with the SameSite cookie and the Host check) it cannot drive this server.  Uploads are the
request body itself, streamed into the workspace with the limits checked as bytes arrive (no
multipart parser spooling to the system's temporary folder).
"""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import NvivoBridgeError
from .downloads import DOWNLOADS, run_download
from .mapping import FIGURE_KEYS
from .workspace import UploadRefused

__all__ = ["ROUTES", "describe_error"]

_TARGETS = ("standard", "nvivo", "atlasti", "maxqda", "qualcoder")


def describe_error(exc: BaseException) -> str:
    """One line for the page: the library's own message, or the kind of an unexpected failure."""
    if isinstance(exc, NvivoBridgeError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "out of memory while processing the input — try a smaller file"
    return f"internal error ({type(exc).__name__}: {exc}) — please report it with the input file"


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _checked(request: Request) -> Any:
    """The workspace of the URL, or a JSON refusal (foreign caller, unknown id)."""
    if request.headers.get("x-nvivo-bridge") != "1" and request.method != "GET":
        return None, _refuse(403, "missing X-Nvivo-Bridge header")
    ws = request.app.state.web.workspaces.get(request.path_params.get("ws", ""))
    if ws is None and "ws" in request.path_params:
        return None, _refuse(404, "no such project")
    return ws, None


async def new_workspace(request: Request) -> Response:
    """Start a new project (an empty workspace that files are uploaded into)."""
    _, refused = _checked(request)
    if refused:
        return refused
    ws = request.app.state.web.workspaces.create()
    return JSONResponse({"id": ws.id})


async def upload(request: Request) -> Response:
    """``PUT /api/workspaces/<id>/files?name=…``: one file, the body streamed to disk."""
    ws, refused = _checked(request)
    if refused:
        return refused
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > ws.limits.max_member_bytes:
        return _refuse(413, f"the file is larger than the limit of {ws.limits.max_member_bytes // 1048576} MiB "
                            "per file (--max-member-mb)")
    try:
        up = ws.add_file(request.query_params.get("name", "upload"))
        try:
            async for chunk in request.stream():
                up.write(chunk)
        except UploadRefused:
            raise
        except BaseException:
            up.abort()  # the browser went away mid-upload: no partial file stays
            raise
        path = up.finish()
    except UploadRefused as exc:
        return _refuse(exc.status, str(exc))
    except (OSError, ValueError) as exc:  # a name clashing with a folder, a refused path
        return _refuse(400, f"cannot store this file ({exc})")
    return JSONResponse({"file": path.name, "files": ws.files})


async def open_project(request: Request) -> Response:
    """Read the uploaded file(s) as one project, in a job the page polls."""
    ws, refused = _checked(request)
    if refused:
        return refused
    if ws.status != "uploading" or not ws.files:
        return _refuse(409, "nothing to open" if not ws.files else "already opened")
    ws.status = "reading"
    job = request.app.state.web.jobs.start(ws.id, "open", ws.name, ws.open, lambda e: ws.plain(describe_error(e)))
    return JSONResponse(job.as_json())


async def close_project(request: Request) -> Response:
    """Close a project: cancel its jobs, delete its files, free its memory."""
    ws, refused = _checked(request)
    if refused:
        return refused
    state = request.app.state.web
    for job in state.jobs.of_workspace(ws.id):
        job.cancel()
    await run_in_threadpool(state.workspaces.close, ws.id)
    return JSONResponse({"closed": ws.id})


async def job_state(request: Request) -> Response:
    """A job's state and progress."""
    job = request.app.state.web.jobs.get(request.path_params["job"])
    if job is None:
        return _refuse(404, "no such job")
    return JSONResponse(job.as_json())


async def cancel_job(request: Request) -> Response:
    """Ask a job to stop."""
    _, refused = _checked(request)
    job = request.app.state.web.jobs.get(request.path_params["job"])
    if refused or job is None:
        return refused or _refuse(404, "no such job")
    job.cancel()
    return JSONResponse(job.as_json())


async def set_mapping(request: Request) -> Response:
    """Set one code's component; answers with the new overview rows and each code's component."""
    from .pages import overview_table

    ws, refused = _checked(request)
    if refused:
        return refused
    if ws.status != "ready":
        return _refuse(409, "the project is not open")
    try:
        body = await request.json()
        ws.mapping.set_choice(str(body["guid"]), str(body.get("component") or ""))
    except (ValueError, KeyError, TypeError):
        return _refuse(400, "expected {guid, component} with a known code and component")
    lang = request.app.state.web.lang_of(request)

    def summary() -> dict:  # seconds on a large project: off the event loop
        rows = overview_table(ws.mapping.result(lang))
        ws.mapping.figures(lang, wait=False)
        current = {r["guid"]: r["current_label"] for r in ws.mapping.tree_rows(lang)}
        return {"version": ws.mapping.version, "overview": rows, "current": current, "figures": list(FIGURE_KEYS)}

    return JSONResponse(await run_in_threadpool(summary))


async def start_download(request: Request) -> Response:
    """Make one registry entry in a job the page polls."""
    ws, refused = _checked(request)
    if refused:
        return refused
    entry = next((e for e in DOWNLOADS if e.key == request.path_params["key"]), None)
    if entry is None or ws.status != "ready":
        return _refuse(404 if entry is None else 409, "no such download" if entry is None else "not open")
    try:
        body = await request.json()
    except ValueError:
        body = {}
    target = body.get("target") if isinstance(body, dict) else None
    opts = {"target": target if target in _TARGETS else "standard",
            "lang": request.app.state.web.lang_of(request)}
    job = request.app.state.web.jobs.start(ws.id, entry.key, entry.label,
                                           lambda job: run_download(entry, ws, job, opts),
                                           lambda e: ws.plain(describe_error(e)))
    return JSONResponse(job.as_json())


ROUTES = [
    Route("/api/workspaces", new_workspace, methods=["POST"]),
    Route("/api/workspaces/{ws}/files", upload, methods=["PUT"]),
    Route("/api/workspaces/{ws}/open", open_project, methods=["POST"]),
    Route("/api/workspaces/{ws}/close", close_project, methods=["POST"]),
    Route("/api/jobs/{job}", job_state), Route("/api/jobs/{job}/cancel", cancel_job, methods=["POST"]),
    Route("/api/p/{ws}/mapping", set_mapping, methods=["POST"]),
    Route("/api/p/{ws}/downloads/{key}", start_download, methods=["POST"]),
]
