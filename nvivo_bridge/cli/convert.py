"""``nvivo-bridge convert``."""
from __future__ import annotations

from pathlib import Path

import click

from ..api import convert as run_convert
from ..options import WriteOptions
from . import main
from ._common import force_option, handle_errors, print_ledger, quiet_option, read_options, target_option


@main.command()
@click.argument("input", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Output file (.xlsx, .qdpx, .qdc, .json, .sqlite, .sav) or folder (CSV, Parquet, R).")
@click.option("--to", "to_format", metavar="FORMAT",
              help="Output format (xlsx, csv, qdpx, qde, qdc, json, sqlite, parquet, sav, r); default: from the suffix.")
@read_options
@target_option()
@click.option("--encoding", default="utf-8-sig", show_default=True, help="CSV encoding (utf-8-sig adds a BOM for Excel).")
@click.option("--raw-csv", is_flag=True, help="Do not prefix formula-like CSV cells with an apostrophe.")
@click.option("--matrices", is_flag=True,
              help="xlsx/CSV: add Segments, Code x Case presence, Code x Source, Code x <attribute> and "
                   "Co-occurrence tables (SQLite, Parquet and R always have them).")
@force_option()
@quiet_option("No progress bar and no ledger.")
@handle_errors
def convert(input: Path, output: Path, to_format, from_format, positions, strict, target, encoding,
            raw_csv, matrices, force, quiet) -> None:
    """Convert INPUT (a .qdpx/.qde/.qdc project or codebook, a canonical .json, a workbook
    nvivo-bridge wrote, or NVivo's own exports: a file or a folder of them) to OUTPUT.

    Every conversion ends with a ledger on stderr: per element kind, how many were read and how
    many were written, and a warning for anything not carried over.

    \b
    Example: nvivo-bridge convert interviews.qdpx -o interviews.xlsx
    """
    from ._progress import progress_callback

    with progress_callback(quiet) as progress:
        opts = WriteOptions(target=target, encoding=encoding, raw_csv=raw_csv, progress=progress)
        if matrices:
            opts.extra["tables"] = "matrices"
        ledger = run_convert(input, output, from_format=from_format, to_format=to_format,
                             positions=positions, strict=strict, force=force, write_options=opts)
    print_ledger(ledger, quiet)
