"""Codebooks on the neutral model: extract one from any project, edit it as a spreadsheet,
merge several, and apply an edited codebook back to a project.

Everything here works on :class:`~nvivo_bridge.model.Project` objects (``kind="codebook"`` for a
codebook), so it does not care whether the codebook came from a ``.qdc``, a ``.qdpx``, an NVivo
export or a codebook sheet; files are read and written through the format table.
"""
from __future__ import annotations

from .apply import ApplyReport, apply_codebook
from .extract import extract_codebook, load_codebook, norm_path, tree_order
from .merge import CONFLICT_COLUMNS, merge_codebooks, write_conflicts
from .save import check_codebook_output, save_codebook
from .sheet import (COLUMNS, is_codebook_sheet, read_codebook_sheet, write_codebook_csv,
                    write_codebook_xlsx)

__all__ = [
    "extract_codebook", "load_codebook", "norm_path", "tree_order", "read_codebook_sheet",
    "is_codebook_sheet", "write_codebook_xlsx", "write_codebook_csv", "COLUMNS",
    "merge_codebooks", "write_conflicts", "CONFLICT_COLUMNS", "apply_codebook", "ApplyReport",
    "save_codebook", "check_codebook_output",
]
