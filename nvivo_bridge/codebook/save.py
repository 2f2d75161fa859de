"""Write a codebook to a file chosen by its suffix: ``.xlsx``/``.xlsm`` and ``.csv``/``.tsv``
as the editable codebook sheet, anything else through the format table (``.qdc``, ``.json``…)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from .._io import check_output
from ..errors import Diagnostics, UnknownFormatError
from ..model import Project

__all__ = ["save_codebook", "check_codebook_output"]

SHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv")
OTHER_SUFFIXES = (".qdc", ".json")


def check_codebook_output(book: Project, path: Path, inputs: Sequence[Path] = (), force: bool = False) -> None:
    """Refuse to overwrite an input, or an existing output (and its ``.sets.csv``) without ``force``."""
    from .sheet_write import sets_csv_path

    path = Path(path)
    if path.suffix.lower() not in SHEET_SUFFIXES + OTHER_SUFFIXES:
        raise UnknownFormatError(f"a codebook cannot be written as '{path.suffix or path.name}'", str(path),
                                 hint="use .qdc, .xlsx, .csv or .json")
    check_output(path, tuple(Path(p) for p in inputs), force=force)
    if path.suffix.lower() in (".csv", ".tsv") and book.sets:
        check_output(sets_csv_path(path), tuple(Path(p) for p in inputs), force=force)


def save_codebook(book: Project, path: Path, diag: Optional[Diagnostics] = None, *, target: str = "standard",
                  encoding: str = "utf-8-sig") -> dict[str, int]:
    """Write ``book`` to ``path`` by suffix; return what was written (``codes``, ``sets``)."""
    path = Path(path)
    diag = diag if diag is not None else Diagnostics()
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from .sheet_write import write_codebook_xlsx
        return write_codebook_xlsx(book, path, diag)
    if suffix == ".csv" and target == "taguette":
        from .taguette import write_taguette_csv
        return write_taguette_csv(book, path, diag)
    if target == "taguette":  # Taguette reads a .qdc like any REFI-QDA codebook
        target = "standard"
    if suffix in (".csv", ".tsv"):
        from .sheet_write import write_codebook_csv
        return write_codebook_csv(book, path, diag, encoding=encoding)
    from ..api import write

    book.kind = "codebook"
    return write(book, path, target=target, diag=diag, force=True)
