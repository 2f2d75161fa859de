"""Running the page: a private temporary folder, a random token, uvicorn on 127.0.0.1, the browser.

The folder (mode 0700, under the system's temporary folder) holds every upload and output of the
run and is removed when the server stops, however it stops (Ctrl-C, an error, the end of the
process).  The socket is bound here, before uvicorn starts, so port 0 picks a free port and the
URL (with its token) is known before the browser is opened.
"""
from __future__ import annotations

import atexit
import contextlib
import secrets
import shutil
import socket
import tempfile
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from ..errors import UsageError
from ..options import Limits

__all__ = ["serve", "running", "bind", "Running"]


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:``port`` (0 = any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror})",
                         hint="choose another --port, or leave it out to take a free one") from None
    sock.listen(64)
    return sock


@dataclass
class Running:
    """A server that is up: its address (with the token), private folder, app and uvicorn server."""

    url: str
    root: Path
    port: int
    app: Any
    server: Any


def _prepare(port: int, lang: str, limits: Optional[Limits]) -> tuple[socket.socket, Running]:
    import uvicorn

    from .app import create_app

    sock = bind(port)
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(24)
    root = Path(tempfile.mkdtemp(prefix="nvivo-bridge-web-"))  # mkdtemp makes it 0700
    atexit.register(shutil.rmtree, root, True)
    app = create_app(root, token, port=port, lang=lang, limits=limits)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=2)
    return sock, Running(f"http://127.0.0.1:{port}/?token={token}", root, port, app, uvicorn.Server(config))


def serve(port: int = 0, *, open_browser: bool = True, lang: str = "en", limits: Optional[Limits] = None,
          announce: Callable[[str], None] = lambda url: None) -> None:
    """Serve the page in this thread until interrupted; ``announce(url)`` is told the address."""
    sock, run = _prepare(port, lang, limits)
    try:
        announce(run.url)
        if open_browser:
            threading.Timer(0.5, webbrowser.open, (run.url,)).start()
        run.server.run(sockets=[sock])
    finally:
        sock.close()
        shutil.rmtree(run.root, ignore_errors=True)


@contextlib.contextmanager
def running(port: int = 0, *, lang: str = "en", limits: Optional[Limits] = None) -> Iterator[Running]:
    """Serve the page in a background thread for the ``with`` block (tests, the benchmark); the
    private folder is removed when the block ends."""
    sock, run = _prepare(port, lang, limits)
    thread = threading.Thread(target=run.server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if run.server.started:
                break
            threading.Event().wait(0.025)
        yield run
    finally:
        run.server.should_exit = True
        thread.join(10)
        sock.close()
        shutil.rmtree(run.root, ignore_errors=True)
