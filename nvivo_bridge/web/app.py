"""The Starlette application: routes, templates, the security middleware and the run's state.

:func:`create_app` builds the app for one private folder and token; :mod:`nvivo_bridge.web.server`
runs it with uvicorn.  Pages are rendered on the server (Jinja2); ``static/app.js`` adds uploads,
progress polling and the mapping's live update.  The two static files are served by fixed routes
(no path from the request ever names a file), and downloads only from a workspace's ``out/``
folder through :func:`~nvivo_bridge.web.security.safe_join`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Optional

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ..options import Limits
from .i18n import LANGS, kind_label, translate
from .jobs import Jobs
from .security import SecurityMiddleware, local_next
from .workspace import Workspaces

__all__ = ["create_app", "WebState", "LANG_COOKIE"]

LANG_COOKIE = "nb_lang"
_HERE = resources.files(__package__)


@dataclass
class WebState:
    """Everything one server run holds: its private folder's workspaces, its jobs, its settings."""

    workspaces: Workspaces
    jobs: Jobs = field(default_factory=Jobs)
    lang: str = "en"
    token: str = ""

    def lang_of(self, request: Request) -> str:
        """The page language: the switch's cookie, else ``--lang``."""
        chosen = request.cookies.get(LANG_COOKIE)
        return chosen if chosen in LANGS else self.lang


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(_HERE / "templates"))
    templates.env.autoescape = True
    return templates


def render(request: Request, name: str, context: dict, status: int = 200) -> Response:
    """A page: ``context`` plus the language, its translator and the current path."""
    state: WebState = request.app.state.web
    lang = state.lang_of(request)
    ctx = {"lang": lang, "t": lambda key, **kw: translate(lang, key, **kw), "kind": lambda k: kind_label(lang, k),
           "path": request.url.path,
           "query": request.url.query, **context}
    response = request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status)
    response.headers["cache-control"] = "no-store"
    response.headers["x-frame-options"] = "DENY"
    response.headers["content-security-policy"] = ("default-src 'self'; img-src 'self' data:; "
                                                   "style-src 'self'; script-src 'self'; frame-ancestors 'none'")
    return response


def _static(name: str, media: str) -> Route:
    body = (_HERE / "static" / name).read_bytes()

    async def serve(request: Request) -> Response:
        return Response(body, media_type=media, headers={"cache-control": "no-store"})

    return Route(f"/static/{name}", serve)


async def switch_lang(request: Request) -> Response:
    """``/lang/en`` or ``/lang/id``: remember the language, go back to the page."""
    lang = request.path_params["lang"]
    if lang not in LANGS:
        return PlainTextResponse("unknown language", status_code=404)
    response = RedirectResponse(local_next(request.query_params.get("next")), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="strict")
    return response


def create_app(root: Path, token: str, *, port: Optional[int] = None, lang: str = "en",
               limits: Optional[Limits] = None) -> Any:
    """The ASGI app for one server run: workspaces under ``root`` (a private folder, made 0700),
    every request checked for ``token`` and a local ``Host`` (with ``port`` when given)."""
    from . import api, pages

    routes = [Route("/", pages.home), Route("/lang/{lang}", switch_lang),
              _static("app.js", "text/javascript"), _static("style.css", "text/css")]
    routes += pages.ROUTES + api.ROUTES
    app = Starlette(routes=routes)
    app.state.web = WebState(Workspaces(Path(root), limits), lang=lang, token=token)
    app.state.templates = _templates()
    return SecurityMiddleware(app, token, port)
