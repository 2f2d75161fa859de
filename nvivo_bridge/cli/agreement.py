"""``nvivo-bridge agreement``."""
from __future__ import annotations

from pathlib import Path

import click

from . import main
from ._common import force_option, handle_errors, print_issues, quiet_option, read_options


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="INPUT [INPUT…]")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Workbook (.xlsx) or, for any other name or with --to csv, a folder of CSV files.")
@click.option("--to", "to_format", type=click.Choice(["xlsx", "csv"]), help="Output format (default: from -o).")
@click.option("--coders", metavar="A,B", help="Coders to compare (names, comma-separated; default: all).")
@click.option("--codes", multiple=True, metavar="PATH", help="Compare only these code paths (repeatable).")
@click.option("--aggregate", is_flag=True, help="Count the codings of a code's descendants at the code too.")
@click.option("--overlap", type=click.FloatRange(0, 100, min_open=True), default=90.0, show_default=True,
              help="Segment agreement: % of a segment the other coder must have coded.")
@click.option("--report", type=click.Path(path_type=Path), help="Write a self-contained HTML report too.")
@read_options
@force_option("Replace existing outputs.")
@quiet_option("No summary on stderr.")
@handle_errors
def agreement(inputs, output, to_format, coders, codes, aggregate, overlap, report, from_format, positions,
              strict, force, quiet) -> None:
    """Inter-coder agreement of the coders of INPUT (or of several inputs, one per coder).

    NVivo's coding comparison (Cohen's kappa per code × source, weighted by source size),
    Krippendorff's alpha at character level, MAXQDA's segment agreement, and where the coders
    disagree.

    \b
    Example: nvivo-bridge agreement team.qdpx -o agreement.xlsx --coders R1,R2 --report agreement.html
    """
    from .._io import check_output
    from ..agreement import agreement as compute, from_inputs, write_csv, write_report, write_workbook

    as_csv = to_format == "csv" or (to_format is None and output.suffix.lower() != ".xlsx")
    check_output(output, tuple(inputs), force=force)
    if not as_csv and output.suffix.lower() != ".xlsx":
        from ..errors import UsageError
        raise UsageError("an Excel workbook needs a name ending in .xlsx", str(output),
                         hint="give -o a .xlsx name, or --to csv for a folder of CSV files")
    if report:
        check_output(report, tuple(inputs) + (output,), force=force)
    project, issues = from_inputs(list(inputs), read_options=dict(format=from_format, positions=positions,
                                                                  strict=strict))
    wanted = [c.strip() for c in coders.split(",") if c.strip()] if coders else None
    res = compute(project, coders=wanted, codes=list(codes) or None, aggregate=aggregate, overlap=overlap)
    if as_csv:
        write_csv(res, output, force=force)
    else:
        write_workbook(res, output)
    if report:
        write_report(res, report)
    print_issues(issues + res.issues, quiet)
    if not quiet:
        total = res.frames["Summary"]
        row = total[total["scope"] == "project"].head(1)
        if len(row):
            r = row.iloc[0]
            click.echo(f"{', '.join(map(str, inputs))} → {output}: {len(res.coders)} coders, kappa (weighted) "
                       f"{r['kappa_weighted']:.3f}, agreement {r['agreement_pct_weighted']:.1f} %, "
                       f"alpha {r['alpha']:.3f}", err=True)
