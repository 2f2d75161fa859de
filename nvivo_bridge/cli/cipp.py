"""``nvivo-bridge cipp``."""
from __future__ import annotations

from pathlib import Path

import click

from . import main
from ._common import echo_err, force_option, handle_errors, print_issues, quiet_option, read_options


@main.command()
@click.argument("input", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Summary workbook (.xlsx).")
@click.option("--map", "mapping", type=click.Path(path_type=Path), help="Mapping file (.yaml or .csv).")
@click.option("--group-by", multiple=True, metavar="ATTRIBUTE",
              help="Case attribute for the per-value columns and a Matrix sheet (repeatable; default: the first).")
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True,
              help="Sheet names and labels: English or Indonesian.")
@click.option("--unmapped", type=click.Choice(["other", "drop", "error"]),
              help="Codes in no component: an Other row (default), left out, or an error (exit 1).")
@click.option("--coder", metavar="NAME", help="Count only this coder's codings.")
@click.option("--coder-dedupe/--no-coder-dedupe", default=True, show_default=True,
              help="Count identical spans from different coders once (NVivo counts them per coder).")
@click.option("--figures", type=click.Path(path_type=Path), metavar="DIR", help="Write figures F1–F4 (PNG+SVG) here.")
@click.option("--report", type=click.Path(path_type=Path), help="Write a self-contained HTML report.")
@click.option("--docx", "docx", type=click.Path(path_type=Path), metavar="FILE",
              help="Write the report as a Word document (.docx), tables and figures numbered for a thesis.")
@read_options
@force_option("Replace existing outputs.")
@quiet_option("No warnings on stderr.")
@handle_errors
def cipp(input, output, mapping, group_by, lang, unmapped, coder, coder_dedupe, figures, report, docx,
         from_format, positions, strict, force, quiet) -> None:
    """Summarise INPUT by CIPP component (Context, Input, Process, Product) into an Excel workbook.

    Codes are mapped by the mapping file, then by sets/code groups named after a component, then
    by the top-level code's name (Konteks, Masukan, Proses, Produk and other synonyms).

    \b
    Example: nvivo-bridge cipp interviews.qdpx -o cipp.xlsx --group-by Peran --lang id --report cipp.html --docx cipp.docx
    """
    from .._io import check_output
    from ..api import read, write
    from ..errors import Diagnostics, UsageError

    check_output(output, (input,), force=force)  # first: `-o` naming the input is refused as such (exit 1)
    # The summary is always a workbook: `-o cipp.csv` used to write an .xlsx under a .csv name.
    if output.suffix.lower() != ".xlsx":
        raise UsageError(f"the CIPP summary is an Excel workbook, not '{output.suffix or output.name}'",
                         str(output), hint="give -o a name ending in .xlsx (figures: --figures DIR; HTML: --report x.html)")
    # Every output is checked before the input is read (no workbook left behind when the figures
    # folder is refused) and against the input (``--report in.json --force`` destroyed it).
    from ..cipp.outputs import Outputs, check_outputs

    if docx and docx.suffix.lower() != ".docx":
        raise UsageError(f"the Word report must end in .docx, not '{docx.suffix or docx.name}'", str(docx),
                         hint="e.g. --docx report.docx")
    check_outputs(Outputs(output, figures, report, docx), (input,), force=force)
    project = read(input, from_format, positions=positions, strict=strict)
    diag = Diagnostics()
    extra = dict(map=mapping, group_by=list(group_by), lang=lang, unmapped=unmapped, coder=coder,
                 coder_dedupe=coder_dedupe, figures=figures, report=report, docx=docx, force=force,
                 written={})
    write(project, output, "cipp", diag=diag, **extra)
    print_issues(list(project.issues) + diag.finish(), quiet)
    if not quiet:
        written = extra["written"]
        echo_err(f"{input} → {output} (workbook)")
        if written.get("report"):
            echo_err(f"  HTML report: {written['report']}")
        if written.get("docx"):
            echo_err(f"  Word report: {written['docx']}")
        if written.get("figures") is not None:
            echo_err(f"  figures: {figures}{'/' if not str(figures).endswith('/') else ''} "
                     f"({len(written['figures'])} files: PNG and SVG)")
