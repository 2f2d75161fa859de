"""``nvivo-bridge web``."""
from __future__ import annotations

import click

from . import main
from ._common import echo_err, handle_errors


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0 = any free port).")
@click.option("--no-browser", is_flag=True, help="Do not open the browser; just print the address.")
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True,
              help="Language of the page (English or Indonesian); the page has a switch too.")
@click.option("--max-member-mb", type=click.FloatRange(min=0, min_open=True), metavar="MB",
              help="Largest file accepted or archive member read, in MiB (default 512; also "
                   "NVIVO_BRIDGE_MAX_MEMBER_MB).")
@handle_errors
def web(port: int, no_browser: bool, lang: str, max_member_mb) -> None:
    """Open a local web page to read a project, browse its codings, decide the CIPP mapping and
    download every output — for researchers who prefer not to use a terminal.

    The page is served on 127.0.0.1 only, with a secret token in the address; uploads stay in a
    private temporary folder that is removed when you stop the server (Ctrl-C). Needs the web
    extra: pip install "nvivo-bridge[web]".

    \b
    Example: nvivo-bridge web --lang id
    """
    from dataclasses import replace

    from ..errors import UsageError
    from ..options import MB, Limits

    try:
        import jinja2  # noqa: F401  (imported here only to say which extra is missing)
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401

        from ..web import serve
    except ImportError as exc:
        raise UsageError(f"the web page needs the web extra ({exc.name} is not installed)",
                         hint='pip install "nvivo-bridge[web]"') from None
    limits = Limits.from_env()
    if max_member_mb is not None:
        limits = replace(limits, max_member_bytes=max(1, int(max_member_mb * MB)))

    def announce(url: str) -> None:
        echo_err(f"nvivo-bridge web: open {url}  (Ctrl-C stops the server and deletes the uploads)")

    try:
        serve(port, open_browser=not no_browser, lang=lang, limits=limits, announce=announce)
    except KeyboardInterrupt:
        pass
    echo_err("nvivo-bridge web: stopped; uploaded files and outputs were deleted.")
