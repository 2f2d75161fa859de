"""``nvivo-bridge codebook``, ``merge-codebooks`` and ``apply-codebook``."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import Diagnostics
from . import main
from ._common import (echo_err, escape_controls, force_option, handle_errors, print_issues, quiet_option, read_options,
                      target_option)

_target = target_option("Program the codebook is meant for (taguette: a .csv Taguette's codebook import takes).",
                        extra=("taguette",))
_force = force_option()
_quiet = quiet_option()


@main.command()
@click.argument("input", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Codebook to write: .qdc, .xlsx (editable sheet), .csv or .json.")
@read_options
@_target
@_force
@_quiet
@handle_errors
def codebook(input: Path, output: Path, from_format, positions, strict, target, force, quiet) -> None:
    """Write the codebook (codes, their tree, colours, descriptions and code sets) of INPUT: any
    project, a .qdc, an NVivo codebook export, or a codebook sheet edited in Excel.

    \b
    Example: nvivo-bridge codebook project.qdpx -o codebook.xlsx
    (edit it in Excel, then) nvivo-bridge codebook codebook.xlsx -o codebook.qdc
    """
    from ..codebook import check_codebook_output, load_codebook, save_codebook

    diag = Diagnostics()
    book = load_codebook(input, diag, format=from_format, positions=positions, strict=strict)
    check_codebook_output(book, output, (input,), force)
    written = save_codebook(book, output, diag, target=target)
    if not quiet:
        echo_err(f"{input} → {output}: codes {written.get('codes', 0)}, sets {written.get('sets', 0)}")
    print_issues(diag.finish(), quiet)


@main.command("merge-codebooks")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Merged codebook: .qdc, .xlsx, .csv or .json.")
@click.option("--conflicts", "conflicts_path", type=click.Path(path_type=Path),
              help="Conflicts table (.xlsx or .csv); default: OUTPUT-conflicts.xlsx beside the output.")
@_target
@_force
@_quiet
@handle_errors
def merge_codebooks(inputs, output: Path, conflicts_path, target, force, quiet) -> None:
    """Merge codebooks: codes matched by GUID, then by path (ignoring case and spaces); no code is
    ever dropped. Different descriptions, colours or places of the same code are written to a
    conflicts table (the first codebook's value is kept).

    \b
    Example: nvivo-bridge merge-codebooks team_a.qdc team_b.xlsx -o merged.qdc
    """
    from ..codebook import check_codebook_output, load_codebook, merge_codebooks as merge, save_codebook
    from ..codebook.merge import default_conflicts_path, write_conflicts

    diag = Diagnostics()
    merged, frame = merge([load_codebook(p, diag) for p in inputs], diag)
    check_codebook_output(merged, output, inputs, force)
    conflicts_path = conflicts_path or default_conflicts_path(output)
    if len(frame):
        check_codebook_output(merged, conflicts_path, inputs, force)
    written = save_codebook(merged, output, diag, target=target)
    if len(frame):
        write_conflicts(frame, conflicts_path)
    if not quiet:
        echo_err(f"{len(inputs)} codebooks → {output}: codes {written.get('codes', 0)}, sets "
                 f"{written.get('sets', 0)}, conflicts {len(frame)}" + (f" (see {conflicts_path})" if len(frame) else ""))
        if len(frame):
            shown = frame.head(20).map(lambda v: escape_controls(v) if isinstance(v, str) else v)
            for line in shown.to_string(index=False, max_colwidth=40).split("\n"):
                echo_err(line)
    print_issues([i for i in diag.finish() if i.code != "merge-conflicts"], quiet)


@main.command("apply-codebook")
@click.argument("project", type=click.Path(path_type=Path))
@click.argument("codebook_file", metavar="CODEBOOK", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Updated project (.qdpx, .qde or .json).")
@click.option("--prune", is_flag=True, help="Remove codes missing from the codebook that have no codings.")
@click.option("--drop-unused", is_flag=True,
              help="Remove every code missing from the codebook, WITH its codings.")
@click.option("--report", "report_path", type=click.Path(path_type=Path),
              help="Write the list of changes (.xlsx or .csv).")
@read_options
@_target
@_force
@_quiet
@handle_errors
def apply_codebook(project: Path, codebook_file: Path, output: Path, prune, drop_unused, report_path,
                   from_format, positions, strict, target, force, quiet) -> None:
    """Bring PROJECT's codes in line with CODEBOOK (a .qdc, a project, or an edited codebook
    sheet): renames and moves by GUID, new codes added, descriptions and colours updated. Codes
    missing from the codebook are kept (and listed when still used) unless --prune/--drop-unused.

    \b
    Example: nvivo-bridge apply-codebook project.qdpx codebook.xlsx -o project-new.qdpx
    """
    from .. import api
    from .._io import check_output
    from ..codebook import apply_codebook as apply, load_codebook
    from ..codebook.apply import REPORT_COLUMNS
    from ..codebook.sheet_write import write_table

    check_output(output, (project, codebook_file), force=force)
    if report_path:
        check_output(report_path, (project, codebook_file, output), force=force)
    diag = Diagnostics()
    proj = api.read(project, from_format, positions=positions, strict=strict, diag=diag)
    report = apply(proj, load_codebook(codebook_file, diag), diag, prune=prune, drop_unused=drop_unused)
    api.write(proj, output, target=target, diag=diag, force=True)
    if report_path:
        write_table(report_path, "Changes", REPORT_COLUMNS,
                    [[c.get(k, "") for k in REPORT_COLUMNS] for c in report.changes])
    if not quiet:
        summary = ", ".join(f"{k} {n}" for k, n in report.summary().items()) or "no change"
        echo_err(f"{project} + {codebook_file} → {output}: {summary}")
    print_issues(diag.finish(), quiet)
