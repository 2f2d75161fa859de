"""Shared pieces of the commands: error → exit code mapping, option bundles, the ledger printout."""
from __future__ import annotations

import contextlib
import functools
import re
import sys
from typing import Any, Callable, Iterator, Optional

import click

from ..errors import EXIT_FAILED, NvivoBridgeError

__all__ = ["handle_errors", "read_options", "target_option", "force_option", "quiet_option", "echo_err", "echo_out",
           "escape_controls", "escaped", "EscapedPath",
           "print_ledger", "print_issues"]


# C0/C1 controls, DEL, Unicode line/paragraph separators and the bidirectional overrides: a file
# name or a code name holding them could start a forged line ("\nError: …") or reorder what the
# terminal shows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_one(m: re.Match) -> str:
    ch = m.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def escape_controls(text: str) -> str:
    """``text`` with every control character written as an escape (``\\n``, ``\\x1b``, ``\\u202e``),
    so that whatever a path or a name holds, what the CLI prints stays one honest line."""
    return _CONTROL.sub(_escape_one, text) if _CONTROL.search(text) else text


def escaped(obj: Any) -> Any:
    """``obj`` (strings, lists, dicts) with :func:`escape_controls` applied to every string."""
    if isinstance(obj, str):
        return escape_controls(obj)
    if isinstance(obj, dict):
        return {escaped(k): escaped(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(escaped(v) for v in obj)
    return obj


class EscapedPath(click.Path):
    """``click.Path`` whose checks (``exists=True``, ``file_okay=False``…) name the path with its
    control characters escaped: click prints these messages itself, before any command runs."""

    def fail(self, message: str, param: Any = None, ctx: Any = None) -> Any:
        """Fail with the message escaped (see :func:`escape_controls`)."""
        return super().fail(escape_controls(str(message)), param, ctx)


def echo_err(message: str) -> None:
    """Write one line to stderr (control characters escaped: see :func:`escape_controls`)."""
    click.echo(escape_controls(str(message)), err=True)


def echo_out(message: str) -> None:
    """Write one line to stdout (control characters escaped)."""
    click.echo(escape_controls(str(message)))


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every ``finally`` and ``except BaseException`` runs:
    temporary outputs are removed (batch keeps its finished rows and report, as on Ctrl-C)."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Make SIGTERM raise :class:`Terminated` while a command runs (by default it kills the
    process at once, leaving ``*.tmp`` files beside the output)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread (tests may run commands elsewhere)
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def handle_errors(func: Callable) -> Callable:
    """Run a command body; turn library errors into one-line messages and the documented exit codes.

    Unexpected exceptions become exit 1 with a one-line message too (no traceback), unless the
    environment variable ``NVIVO_BRIDGE_DEBUG`` is set.  SIGTERM is handled like Ctrl-C (exit 143)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with _sigterm_raises():
                return func(*args, **kwargs)
        except NvivoBridgeError as exc:
            echo_err(f"Error: {exc}")
            sys.exit(exc.exit_code)
        except Terminated:
            echo_err("Terminated: no partial output was left behind.")
            sys.exit(143)
        except KeyboardInterrupt:
            echo_err("Interrupted: no partial output was left behind.")
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except MemoryError:
            echo_err("Error: out of memory while processing the input — try a smaller file or raise the machine's memory")
            sys.exit(EXIT_FAILED)
        except Exception as exc:  # noqa: BLE001 - last line of defence: never a traceback
            import os
            if os.environ.get("NVIVO_BRIDGE_DEBUG"):
                raise
            echo_err(f"Error: internal error ({type(exc).__name__}: {exc}) — please report it with the input file; "
                     "set NVIVO_BRIDGE_DEBUG=1 for details")
            sys.exit(EXIT_FAILED)

    return wrapper


def _with_limits(func: Callable) -> Callable:
    """Apply ``--max-member-mb`` through its environment variable for the command's duration, so
    that every reader (and batch worker processes, which inherit the environment) sees it."""

    @functools.wraps(func)
    def wrapper(*args: Any, max_member_mb: Optional[float] = None, **kwargs: Any) -> Any:
        if max_member_mb is None:
            return func(*args, **kwargs)
        import os
        var = "NVIVO_BRIDGE_MAX_MEMBER_MB"
        old = os.environ.get(var)
        os.environ[var] = repr(max_member_mb)
        try:
            return func(*args, **kwargs)
        finally:
            if old is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = old

    return wrapper


def read_options(func: Callable) -> Callable:
    """The options every command that reads a project takes: --from, --positions, --strict,
    --max-member-mb (the other limits are environment variables, see docs/hostile-input.md)."""
    func = _with_limits(func)
    func = click.option("--max-member-mb", type=click.FloatRange(min=0, min_open=True), metavar="MB",
                        help="Largest file or archive member read, in MiB (default 512; also "
                             "NVIVO_BRIDGE_MAX_MEMBER_MB).")(func)
    func = click.option("--strict", is_flag=True,
                        help="Treat warnings as errors (exit 3, nothing written).")(func)
    func = click.option("--positions", type=click.Choice(["auto", "codepoint", "utf16"]), default="auto",
                        show_default=True,
                        help="Unit of text positions in the input; auto detects it from the producer.")(func)
    func = click.option("--from", "from_format", metavar="FORMAT",
                        help="Input format (qdpx, qde, qdc, json, nvivo, xlsx, csv); default: from the suffix.")(func)
    return func


def target_option(help: str = "Program the .qdpx/.qdc is meant for.", extra: tuple[str, ...] = ()) -> Callable:
    """``--target``: the migration profile of the REFI-QDA writers (choices from their table, plus ``extra``)."""
    from ..writers._profiles import PROFILES

    return click.option("--target", type=click.Choice(list(PROFILES) + list(extra)), default="standard",
                        show_default=True, help=help)


def force_option(help: str = "Replace an existing output.") -> Callable:
    """``--force``: outputs that exist are refused unless it is given."""
    return click.option("--force", is_flag=True, help=help)


def quiet_option(help: str = "No summary on stderr.") -> Callable:
    """``-q/--quiet``: nothing on stderr but errors."""
    return click.option("-q", "--quiet", is_flag=True, help=help)


def print_issues(issues: list, quiet: bool = False, limit: int = 20) -> None:
    """Print warnings (not info) to stderr, at most ``limit`` of them."""
    if quiet:
        return
    shown = [i for i in issues if i.level != "info"]
    for issue in shown[:limit]:
        echo_err(f"  {issue}")
    if len(shown) > limit:
        echo_err(f"  … and {len(shown) - limit} more warning(s) (see the Warnings table or `info --json`)")


def print_ledger(ledger: Any, quiet: bool = False) -> None:
    """Print the conversion ledger: per element kind, how many were read and written."""
    if quiet:
        return
    from ..formats import FORMATS

    parts = []
    for kind, n in ledger.read.items():
        if n == 0 and not ledger.written.get(kind):
            continue
        w = ledger.written.get(kind, 0)
        parts.append(f"{kind} {n}" if w == n else f"{kind} {n}→{w}")
    echo_err(f"{ledger.input} → {ledger.output}: " + (", ".join(parts) or "empty project"))
    absent = ledger.not_carried()
    if absent:
        fmt = FORMATS.get(getattr(ledger, "format", None) or "")
        what = f"{fmt.name} ({fmt.description})" if fmt else "the output format"
        echo_err(f"  warning: {what} does not carry " + ", ".join(f"{k} ({n})" for k, n in absent.items())
                 + f": they are not in {ledger.output}")
    for kind, (n, w) in ledger.lost().items():
        if kind not in absent:
            echo_err(f"  warning: {n - w} of {n} {kind} were not carried over to {ledger.output}")
    print_issues(ledger.issues)
