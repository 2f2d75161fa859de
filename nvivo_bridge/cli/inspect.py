"""``nvivo-bridge info`` and ``nvivo-bridge validate``."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import ValidationFailed
from . import main
from ._common import echo_out, escaped, handle_errors, read_options


@main.command()
@click.argument("input", type=click.Path(path_type=Path))
@read_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@handle_errors
def info(input: Path, from_format, positions, strict, as_json) -> None:
    """Summarise INPUT: producer (origin and detected), position unit, counts of every element
    kind, and the warnings met while reading.

    \b
    Example: nvivo-bridge info interviews.qdpx --json
    """
    from ..api import read
    from ..checks.info import format_info, project_info

    summary = project_info(read(input, from_format, positions=positions, strict=strict))
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=1))
    else:  # names escaped before the lines are laid out: a name cannot add a line
        for line in format_info(escaped(summary)).split("\n"):
            echo_out(line)


@main.command()
@click.argument("input", type=click.Path(path_type=Path))
@read_options
@click.option("--json", "as_json", is_flag=True, help="Print the issues as JSON.")
@handle_errors
def validate(input: Path, from_format, positions, strict, as_json) -> None:
    """Validate INPUT: the REFI-QDA schema (.qdpx/.qde/.qdc) and what the schema cannot check
    (dangling references, duplicate GUIDs, selections outside their text, missing files, value
    types, lost text).  Exit 0 when clean, 5 when problems are found, 4 when unreadable.
    Every warning counts as a problem, so --strict changes nothing here.

    \b
    Example: nvivo-bridge validate interviews.qdpx
    """
    from ..options import ReadOptions
    from ..checks.validate import problems, validate_path

    issues = validate_path(input, ReadOptions(positions=positions), from_format)
    bad = problems(issues)
    if as_json:
        click.echo(json.dumps({"file": str(input), "ok": not bad, "issues": [
            {"level": i.level, "code": i.code, "message": i.message, "location": i.location} for i in issues]},
            ensure_ascii=False, indent=1))
    else:
        for i in issues:
            echo_out(str(i))
        echo_out(f"{input}: " + (f"{len(bad)} problem(s)" if bad else "valid"))
    if bad:
        raise ValidationFailed(f"{len(bad)} validation problem(s)", str(input))
