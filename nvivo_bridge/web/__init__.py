"""``nvivo-bridge web``: a local web page for researchers who do not use a terminal.

A Starlette app (server-rendered Jinja2 pages and a little plain JavaScript) served by uvicorn on
127.0.0.1 only: drop a project, see what was found, browse the codings, decide the CIPP mapping on
the code tree, and download every output the command line makes, through the same writers.
Install with ``pip install "nvivo-bridge[web]"``.  See docs/web.md.
"""
from __future__ import annotations

__all__ = ["create_app", "serve"]


def create_app(*args, **kwargs):
    """Build the ASGI app (see :func:`nvivo_bridge.web.app.create_app`)."""
    from .app import create_app as _create

    return _create(*args, **kwargs)


def serve(*args, **kwargs):
    """Run the server until interrupted (see :func:`nvivo_bridge.web.server.serve`)."""
    from .server import serve as _serve

    return _serve(*args, **kwargs)
