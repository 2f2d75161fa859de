"""``nvivo-bridge merge``: coders' copies of a project → one team project and a merge report."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import Diagnostics, StrictError, UsageError
from . import main
from ._common import echo_err, force_option, handle_errors, print_issues, quiet_option, read_options, target_option


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The merged project: .qdpx, .qde, .json, .xlsx or a CSV folder (format from the suffix).")
@click.option("--report", "report_path", type=click.Path(path_type=Path),
              help="Merge report: .xlsx (one sheet per table) or .csv (one file per table beside it).")
@click.option("--coder-from-file", is_flag=True,
              help="Name each input's coder after its file (ani.qdpx → ani), whatever user it names.")
@click.option("--prefer", type=click.IntRange(min=1), metavar="N",
              help="Input N (1 = the first) wins conflicts and keeps its texts (default: the first).")
@read_options
@target_option("Program the merged .qdpx is meant for.")
@force_option()
@quiet_option()
@handle_errors
def merge(inputs, output: Path, report_path, coder_from_file, prefer, from_format, positions, strict, target,
          force, quiet) -> None:
    """Merge coders' copies of a project (INPUTS: two or more .qdpx/.qde/.json projects or NVivo
    export folders, from any program) into one project with everybody's coding.

    Sources are matched by their text (line endings and BOM ignored), then by name: a copy whose
    text was edited has its selections moved onto the first copy's text. Codes are matched by GUID,
    then by path; users by name; cases, variables, sets, notes and links by name. The same coding
    made twice is kept once; the same passage coded by two coders stays two codings.

    \b
    Example: nvivo-bridge merge ani.qdpx budi.qdpx -o team.qdpx --report merge.xlsx --coder-from-file
    """
    from .. import api
    from .._io import check_output
    from ..merge import merge as run_merge
    from ..merge.report import report_paths, write_report

    if len(inputs) < 2:
        raise UsageError("merge needs at least two inputs", hint="nvivo-bridge merge A.qdpx B.qdpx -o team.qdpx")
    if prefer is not None and prefer > len(inputs):
        raise UsageError(f"--prefer {prefer}: there are only {len(inputs)} inputs", hint=f"choose 1 to {len(inputs)}")
    check_output(output, tuple(inputs), force=force)
    extra = (output,) if report_path else ()
    for path in report_paths(report_path) if report_path else ():
        if path.suffix.lower() not in (".xlsx", ".csv"):
            raise UsageError(f"a merge report cannot be written as '{path.suffix or path.name}'", str(path),
                             hint="use .xlsx or .csv")
        check_output(path, tuple(inputs) + extra, force=force)
    diag = Diagnostics()
    projects = [api.read(p, from_format, positions=positions, strict=strict, diag=diag) for p in inputs]
    names = [p.name for p in inputs]
    labels = names if len(set(names)) == len(names) else [str(p) for p in inputs]  # a/ani.qdpx, b/ani.qdpx
    result = run_merge(projects, labels=labels, coder_from_file=coder_from_file,
                       prefer=None if prefer is None else prefer - 1)
    warnings = [i for i in result.issues if i.level != "info"]
    if strict and warnings:
        raise StrictError(f"{len(warnings)} warning(s) while merging under --strict; first: {warnings[0].message}",
                          str(output))
    written = api.write(result.project, output, target=target, diag=diag, force=force)
    if report_path:
        write_report(result.report, report_path, force=force)
    if not quiet:
        _summary(result, output, written, report_path)
    print_issues(result.issues + diag.finish(), quiet)


def _summary(result, output: Path, written: dict, report_path) -> None:
    ledger = result.report["Ledger"]
    for label in result.labels:
        rows = ledger[ledger["input"] == label]
        # Codings are never "matched": each is added or, being there already, left out.
        parts = [f"{r.kind} {r.read} (" + (f"{r.matched} matched, " if r.kind != "codings" else "") + f"{r.added} added"
                 + (f", {r.duplicates} already there" if r.duplicates else "") + ")"
                 for r in rows.itertuples() if r.kind in ("sources", "codes", "codings")]
        echo_err(f"{label}: " + ", ".join(parts))
    counts = result.project.counts()
    body = ", ".join(f"{k} {written.get(k, n)}" for k, n in counts.items() if n)
    moved = result.report["Moved selections"]
    echo_err(f"→ {output}: {body}; conflicts {len(result.report['Conflicts'])}, moved selections {len(moved)}"
             + (f" (see {report_path})" if report_path else ""))
