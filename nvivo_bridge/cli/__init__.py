"""The ``nvivo-bridge`` command: a thin click layer over the library."""
from __future__ import annotations

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="nvivo-bridge")
def main() -> None:
    """Convert NVivo and REFI-QDA projects to Excel, CSV, CIPP summaries and back to REFI-QDA.

    \b
    Example: nvivo-bridge convert project.qdpx -o project.xlsx
    """


def _register() -> None:
    import importlib

    # One module per command family keeps each command thin and lets them grow apart.
    for name in ("convert", "inspect", "cipp", "codebook", "batch", "agreement", "merge", "web"):
        try:
            importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise


_register()
