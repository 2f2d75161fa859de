"""What keeps the local page private: only this machine's browser, only with this run's token.

The server binds 127.0.0.1, but a web page on another site can still make the browser send
requests to it (DNS rebinding, cross-site forms).  So every request must

* name ``localhost`` or ``127.0.0.1`` (with the server's port) in its ``Host`` header — a rebound
  domain name is refused;
* carry the run's random token: in the URL the command opens (``?token=…``), which is then swapped
  for an HttpOnly, SameSite=Strict cookie so it does not linger in the address bar;
* have no ``..`` segment in its path (raw or percent-encoded).

:func:`safe_join` is the one way a file under the private folder is named from request data.
"""
from __future__ import annotations

import hmac
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import parse_qsl, unquote, urlencode

__all__ = ["TOKEN_COOKIE", "SecurityMiddleware", "safe_join", "safe_filename", "local_next"]

TOKEN_COOKIE = "nb_token"
_HOSTS = ("localhost", "127.0.0.1")
_BAD_NAME = re.compile(r"[\x00-\x1f<>:\"/\\|?*]")

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


def host_allowed(host: Optional[str], port: Optional[int]) -> bool:
    """Whether a ``Host`` header value names this machine's server (any port when ``port`` is None)."""
    if not host:
        return False
    name, sep, given = host.strip().lower().rpartition(":")
    if not sep or not given.isdigit():
        name, given = host.strip().lower(), ""
    if name not in _HOSTS:
        return False
    return port is None or given in ("", str(port))


def _has_dotdot(path: str) -> bool:
    for candidate in (path, unquote(path), unquote(unquote(path))):
        if ".." in candidate.replace("\\", "/").split("/"):
            return True
    return False


def _cookie(headers: dict[bytes, bytes], name: str) -> Optional[str]:
    raw = headers.get(b"cookie", b"").decode("latin-1")
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class SecurityMiddleware:
    """ASGI middleware refusing foreign hosts, ``..`` paths and requests without the token."""

    def __init__(self, app: Any, token: str, port: Optional[int] = None) -> None:
        self.app, self.token, self.port = app, token, port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        host = headers.get(b"host", b"").decode("latin-1")
        if not host_allowed(host, self.port):
            await _plain(send, 421, "This page only answers on localhost / 127.0.0.1.")
            return
        raw = scope.get("raw_path") or scope.get("path", "").encode()
        if _has_dotdot(raw.decode("latin-1")) or _has_dotdot(scope.get("path", "")):
            await _plain(send, 400, "Paths with '..' are refused.")
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        given = query.get("token")
        if given is not None and hmac.compare_digest(given, self.token):
            # First visit from the opened URL: keep the token in a cookie and drop it from the URL.
            rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
            location = scope.get("path", "/") + (f"?{rest}" if rest else "")
            cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", location.encode("latin-1", "replace")),
                                    (b"set-cookie", cookie.encode()), (b"cache-control", b"no-store")]})
            await send({"type": "http.response.body", "body": b""})
            return
        cookie = _cookie(headers, TOKEN_COOKIE)
        if cookie is None or not hmac.compare_digest(cookie, self.token):
            await _plain(send, 403, "Missing or wrong session token: open the address nvivo-bridge web printed.")
            return
        await self.app(scope, receive, send)


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def safe_join(root: Path, *parts: str) -> Path:
    """``root/part/…`` resolved, or ``ValueError`` when it would leave ``root`` (``..``, absolute
    parts, symlinks pointing out)."""
    root = Path(root).resolve()
    for part in parts:
        if not part or part in (".", "..") or "/" in part or "\\" in part or "\x00" in part:
            raise ValueError(f"refused path part {part!r}")
    target = root.joinpath(*parts).resolve()
    if not target.is_relative_to(root) or target == root:
        raise ValueError("path outside the private folder")
    return target


def safe_filename(name: str, limit: int = 120) -> str:
    """An uploaded file's name reduced to a plain file name: last path part only, no control or
    reserved characters, no leading dot, at most ``limit`` characters (suffix kept)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _BAD_NAME.sub("_", base).strip().lstrip(".").strip() or "upload"
    if len(base) > limit:
        stem, dot, suffix = base.rpartition(".")
        base = (stem[: limit - len(suffix) - 1] + "." + suffix) if dot and len(suffix) < 12 else base[:limit]
    return base


def local_next(value: Optional[str], default: str = "/") -> str:
    """A redirect target that stays on this server (a path, never ``//host`` or a scheme)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or _has_dotdot(value):
        return default
    return value
