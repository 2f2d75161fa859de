"""nvivo-bridge: get qualitative research data out of NVivo and other QDA programs, and move it
between them through the REFI-QDA standard, without losing anything.

>>> import nvivo_bridge
>>> project = nvivo_bridge.read("samples/kp-widyaiswara.qdpx")      # doctest: +SKIP
>>> frames = nvivo_bridge.tables(project)                            # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

from .api import Ledger, convert, read, write
from .errors import (Diagnostics, Issue, NvivoBridgeError, ReadError, StrictError, UnknownFormatError,
                     UsageError, ValidationFailed, WriteError)
from .model import Project
from . import agreement  # a callable module: nvivo_bridge.agreement(project)
# The name ``merge`` is the function, not the subpackage: importing a submodule later
# (``nvivo_bridge.merge.report``) leaves it bound, since the package is already imported here.
from .merge import merge

__version__ = "0.1.0"

__all__ = [
    "__version__", "read", "write", "convert", "tables", "merge", "Ledger", "Project", "Diagnostics", "Issue",
    "NvivoBridgeError", "ReadError", "WriteError", "UnknownFormatError", "UsageError", "StrictError",
    "ValidationFailed", "agreement",
]


def tables(project: Project, **options: Any):
    """Return the researcher's tables (``Project``, ``Codes``, ``Codings``…) as pandas DataFrames.

    ``extra="matrices"`` adds the analysis tables (``Segments``, ``Code x Case presence``,
    ``Code x Source``, ``Code x <attribute>``, ``Co-occurrence``, ``Co-occurrence long``; see
    :mod:`nvivo_bridge.analysis`), or give a list of their names."""
    from ._strings import python_strings
    from .sheets import build_tables

    with python_strings():   # the same dtypes whether or not pyarrow is installed
        return build_tables(project, **options)
