"""Running the page: a private temporary folder, a random token, uvicorn on 127.0.0.1, the browser.

The folder (mode 0700, under the system's temporary folder) holds every upload and output of the
run and is removed when the server stops, however it stops (Ctrl-C, an error, the end of the
process).  The socket is bound here, before uvicorn starts, so port 0 picks a free port and the
URL (with its token) is known before the browser is opened.
"""
from __future__ import annotations

import atexit
import secrets
import shutil
import socket
import tempfile
import threading
import webbrowser
from pathlib import Path
from typing import Callable, Optional

from ..errors import UsageError
from ..options import Limits

__all__ = ["serve", "bind"]


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:``port`` (0 = any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror})",
                         hint="choose another --port, or leave it out to take a free one") from None
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(port: int = 0, *, open_browser: bool = True, lang: str = "en", limits: Optional[Limits] = None,
          announce: Callable[[str], None] = lambda url: None) -> None:
    """Serve the page until interrupted; ``announce(url)`` is told the address (with its token)."""
    import uvicorn

    from .app import create_app

    sock = bind(port)
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(24)
    root = Path(tempfile.mkdtemp(prefix="nvivo-bridge-web-"))  # mkdtemp makes it 0700
    cleanup = lambda: shutil.rmtree(root, ignore_errors=True)  # noqa: E731
    atexit.register(cleanup)
    url = f"http://127.0.0.1:{port}/?token={token}"
    try:
        app = create_app(root, token, port=port, lang=lang, limits=limits)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=2)
        server = uvicorn.Server(config)
        announce(url)
        if open_browser:
            threading.Timer(0.5, lambda: webbrowser.open(url)).start()
        server.run(sockets=[sock])
    finally:
        sock.close()
        cleanup()
