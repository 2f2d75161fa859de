"""The one format table: name → suffixes, reader and writer, and guessing a format from a path.

Readers are ``read(path, diag, options) -> Project``; writers are
``write(project, path, diag, options) -> dict[str, int]`` (what they wrote, per element kind).
Modules are imported only when their format is used, so the CLI starts fast.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from .errors import UnknownFormatError

__all__ = ["Format", "FORMATS", "get_format", "guess_input_format", "guess_output_format"]


@dataclass(frozen=True)
class Format:
    """One format: its name, the suffixes that select it, and ``module:function`` of its reader/writer."""

    name: str
    suffixes: tuple[str, ...]
    description: str
    reader: Optional[str] = None
    writer: Optional[str] = None
    output_is_dir: bool = False
    batch_ext: Optional[str] = None  # what `batch` appends to an input's stem (formats listed in batch.OUTPUT_EXT aside)

    def _load(self, spec: Optional[str], what: str) -> Callable:
        if spec is None:
            raise UnknownFormatError(f"format '{self.name}' cannot be {what}",
                                     hint=f"formats that can be {what}: "
                                          + ", ".join(f.name for f in FORMATS.values()
                                                      if (f.reader if what == 'read' else f.writer)))
        module, func = spec.split(":")
        return getattr(importlib.import_module(module, __package__), func)

    def get_reader(self) -> Callable:
        """Import and return the reader function."""
        return self._load(self.reader, "read")

    def get_writer(self) -> Callable:
        """Import and return the writer function."""
        return self._load(self.writer, "written")


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("qdpx", (".qdpx",), "REFI-QDA project (zip with project.qde and sources/)",
           ".readers.qdpx:read", ".writers.qdpx:write"),
    Format("qde", (".qde",), "REFI-QDA project XML without sources",
           ".readers.qdpx:read", ".writers.qdpx:write_qde"),
    Format("qdc", (".qdc",), "REFI-QDA codebook", ".readers.qdc:read", ".writers.qdc:write"),
    Format("json", (".json",), "canonical JSON dump of the whole model",
           ".readers.json:read", ".writers.json:write"),
    Format("xlsx", (".xlsx", ".xlsm"), "Excel workbook (nvivo-bridge's own workbook read back, NVivo exports or "
           "codebook sheets in; the researcher's workbook out)", ".readers.workbook:read", ".writers.xlsx:write"),
    Format("csv", (".csv", ".tsv"), "CSV tables (one file per table, in a folder); NVivo codebook CSV in",
           ".readers.nvivo:read", ".writers.csv:write", output_is_dir=True),
    Format("nvivo", (".txt", ".docx", ".htm", ".html"), "NVivo's own exports (node/code, codebook, classification, list view, matrix), or a folder of them",
           ".readers.nvivo:read", None),
    Format("cipp", (), "CIPP-grouped summary workbook", None, ".writers.cipp:write"),
    Format("taguette", (), "Taguette's codebook or highlights export (.csv/.xlsx; its .qdc reads as qdc)",
           ".readers.taguette:read", None),
    Format("sqlite", (".sqlite", ".sqlite3", ".db"), "SQLite database: tables with keys, matrix views, full-text "
           "search, Datasette metadata", ".readers.sqlite:read", ".writers.sqlite:write", batch_ext=".sqlite"),
    Format("parquet", (), "Parquet files (one per table, in a folder; needs nvivo-bridge[parquet])", None,
           ".writers.parquet:write", output_is_dir=True, batch_ext="_parquet"),
    Format("sav", (".sav",), "SPSS data file of the Segments table (needs nvivo-bridge[spss])", None,
           ".writers.spss:write", batch_ext=".sav"),
    Format("r", (), "CSV files and a load.R script that reads them with the right types", None,
           ".writers.r:write", output_is_dir=True, batch_ext="_r"),
)}


def get_format(name: str, want: Optional[str] = None) -> Format:
    """Look a format up by name; ``want`` (``"reader"`` or ``"writer"``) limits it to formats that
    can be read (``--from``) or written (``--to``), and the error lists just those."""
    fmt = FORMATS.get(name.lower().lstrip("."))
    if fmt is None or (want and getattr(fmt, want) is None):
        option = {"reader": "--from", "writer": "--to"}.get(want or "", "format")
        valid = [f.name for f in FORMATS.values() if not want or getattr(f, want)]
        raise UnknownFormatError(f"{option} '{name}' is not a format that can be "
                                 f"{'read' if want == 'reader' else 'written' if want else 'used'}",
                                 hint="choose one of: " + ", ".join(valid))
    return fmt


def _by_suffix(path: Path, want: str) -> Optional[Format]:
    suffix = path.suffix.lower()
    for fmt in FORMATS.values():
        if suffix in fmt.suffixes and getattr(fmt, want):
            return fmt
    return None


def guess_input_format(path: Path) -> Format:
    """The reader for ``path``: a folder is a folder of NVivo exports (or of a .qde and its
    sources), otherwise the suffix decides."""
    path = Path(path)
    if path.is_dir():
        from .readers.workbook import refuse_own_csv_folder
        refuse_own_csv_folder(path)
        return FORMATS["nvivo"]
    fmt = _by_suffix(path, "reader")
    if fmt is None:
        raise UnknownFormatError(f"cannot tell the format of '{path.name}' from its suffix", str(path),
                                 hint="use --from with one of: "
                                      + ", ".join(f.name for f in FORMATS.values() if f.reader))
    return fmt


def guess_output_format(path: Path) -> Format:
    """The writer for ``path``: by suffix; a path without a suffix is a folder of CSV files."""
    path = Path(path)
    if not path.suffix:
        return FORMATS["csv"]
    fmt = _by_suffix(path, "writer")
    if fmt is None:
        raise UnknownFormatError(f"cannot tell the output format of '{path.name}' from its suffix",
                                 str(path), hint="use --to with one of: "
                                 + ", ".join(f.name for f in FORMATS.values() if f.writer))
    return fmt
