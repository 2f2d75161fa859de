"""``nvivo-bridge batch``: convert many projects at once, in parallel, with a report."""
from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path
from typing import Iterator

import click

from . import main
from ._common import EscapedPath, echo_err, force_option, handle_errors, quiet_option, read_options, target_option

_NAMED = 10  # ignored files named in the summary


@contextlib.contextmanager
def _progress(total: int, quiet: bool) -> Iterator:
    """Yield an ``on_result(row)`` callback driving a tqdm bar (done, failed, time left) on a tty."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    failed = 0
    bar = tqdm(total=total, unit="file", file=sys.stderr, dynamic_ncols=True)

    def update(row) -> None:
        nonlocal failed
        failed += row.status == "failed"
        bar.set_postfix_str(f"failed {failed}", refresh=False)
        bar.update(1)

    try:
        yield update
    finally:
        bar.close()


def _summary(outcome, seconds: float, plan, quiet: bool) -> None:
    if quiet:
        return
    counts = ", ".join(f"{outcome.count(s)} {s}" for s in ("ok", "warnings", "failed", "skipped") if outcome.count(s))
    echo_err(f"batch: {counts or 'nothing to do'} in {seconds:.1f} s; report: {outcome.report}")
    for folder in plan.nvivo_folders:
        echo_err(f"  {folder}: a folder of NVivo's own exports, converted as one project (as --nvivo-folder "
                 "does), not one project per file")
    if plan.ignored:
        names = plan.ignored_files[:_NAMED]
        more = f" … and {plan.ignored - len(names)} more" if plan.ignored > len(names) else ""
        echo_err(f"  {plan.ignored} file(s) in the folders ignored (no reader for their suffix, see --pattern): "
                 + ", ".join(names) + more)
    failed = [r for r in outcome.results if r.status == "failed"]
    for row in failed[:10]:
        echo_err(f"  failed: {row.error}")
    if len(failed) > 10:
        echo_err(f"  … and {len(failed) - 10} more failure(s) (see the report)")


def _batch_formats() -> list[str]:
    from ..batch import OUTPUT_EXT

    return list(OUTPUT_EXT)


def _writer_options(target, encoding, raw_csv, map_file, group_by, lang, unmapped) -> dict:
    # Absolute: the tasks may run in another working folder (Dask workers).
    extra = {"map": str(map_file.resolve()) if map_file else None, "group_by": list(group_by) or None,
             "lang": lang, "unmapped": unmapped}
    return {"target": target, "encoding": encoding, "raw_csv": raw_csv,
            "extra": {k: v for k, v in extra.items() if v is not None}}


@main.command()
@click.argument("inputs", nargs=-1, type=EscapedPath(exists=True, path_type=Path))
@click.option("-o", "--outdir", type=EscapedPath(file_okay=False, path_type=Path), required=True,
              help="Output folder; outputs mirror the inputs' relative paths.")
@click.option("--to", "to_format", required=True, type=click.Choice(_batch_formats()),
              help="Output format of every input.")
@click.option("--recursive", is_flag=True, help="Search folders and all their subfolders.")
@click.option("--pattern", "patterns", multiple=True, metavar="GLOB",
              help="Only files in folders whose name (or relative path) matches GLOB; repeatable.")
@click.option("--nvivo-folder", "nvivo_folders", multiple=True, type=EscapedPath(exists=True, file_okay=False, path_type=Path),
              help="A folder of NVivo exports converted as ONE project; repeatable.")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: number of CPUs).")
@click.option("--report", type=EscapedPath(dir_okay=False, path_type=Path),
              help="Report file, .csv or .json (default: OUTDIR/batch-report.csv).")
@click.option("--resume", is_flag=True, help="Skip inputs converted ok by the previous run (per its report) and unchanged since.")
@click.option("--fail-fast", is_flag=True, help="Stop after the first failed input.")
@click.option("--dask-scheduler", metavar="ADDRESS", help="Run on an existing Dask cluster (needs nvivo-bridge[dask]).")
@force_option("Replace existing outputs.")
@read_options
@target_option("qdpx/qdc: program the output is meant for.")
@click.option("--map", "map_file", type=EscapedPath(exists=True, dir_okay=False, path_type=Path),
              help="cipp: mapping file (.yaml or .csv) of codes to CIPP components.")
@click.option("--group-by", multiple=True, metavar="ATTRIBUTE", help="cipp: case attribute to break down by; repeatable.")
@click.option("--lang", type=click.Choice(["en", "id"]), help="cipp: language of sheet names and labels.")
@click.option("--unmapped", type=click.Choice(["other", "drop", "error"]), help="cipp: what to do with unmapped codes.")
@click.option("--encoding", default="utf-8-sig", show_default=True, help="csv: encoding.")
@click.option("--raw-csv", is_flag=True, help="csv: do not prefix formula-like cells with an apostrophe.")
@quiet_option("No progress bar and no summary.")
@handle_errors
def batch(inputs, outdir, to_format, recursive, patterns, nvivo_folders, workers, report, resume, fail_fast,
          dask_scheduler, force, from_format, positions, strict, target, map_file, group_by, lang, unmapped,
          encoding, raw_csv, quiet) -> None:
    """Convert every INPUT (files, and the project files in folders) to --to format under OUTDIR,
    in parallel, one bad file never stopping the others; write a report with one row per input.

    Exit 0 when nothing failed (warnings allowed), 1 when any input failed, 130 on Ctrl-C.

    \b
    Example: nvivo-bridge batch archive/ --recursive -o out/ --to xlsx --workers 2
    """
    from ..batch import REPORT_NAME, load_report, plan_batch
    from .._io import make_output_dir
    from ..batch.run import run_batch

    if not inputs and not nvivo_folders:
        raise click.UsageError("give at least one INPUT (or --nvivo-folder)")
    report = report or outdir / REPORT_NAME
    previous = load_report(report) if resume and report.exists() else None
    plan = plan_batch(inputs, outdir, to_format, recursive=recursive, patterns=patterns, nvivo_folders=nvivo_folders,
                      from_format=from_format, positions=positions, strict=strict, force=force, resume_from=previous, report=report,
                      write=_writer_options(target, encoding, raw_csv, map_file, group_by, lang, unmapped))
    # Before any work, report folder first: a report that cannot be written fails at once.
    for folder in dict.fromkeys([report.parent, outdir]):
        make_output_dir(folder)
    start = time.perf_counter()
    try:
        with _progress(plan.total, quiet) as on_result:
            outcome = run_batch(plan, report, workers=workers, fail_fast=fail_fast,
                                dask_scheduler=dask_scheduler, on_result=on_result)
    except KeyboardInterrupt:
        # Unlike a single conversion, a batch keeps what it finished: say how to carry on.
        echo_err(f"Interrupted: finished outputs and the report {report} are kept — "
                 "run the same command with --resume to do the rest")
        sys.exit(130)
    _summary(outcome, time.perf_counter() - start, plan, quiet)
    sys.exit(1 if outcome.failed else 0)
