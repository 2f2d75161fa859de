"""The merge report: what each input brought, what matched what and by which rule, what was added,
every conflict, every moved or changed selection and every coding not added because the merged
project already had it.

Rows are collected as tuples while merging and become pandas DataFrames at the end (one per
table, fixed columns, see :data:`TABLES`); :func:`write_report` writes them as one ``.xlsx`` with a
sheet per table, or as CSV files (``merge.csv`` → ``merge-Matches.csv``…).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UnknownFormatError

__all__ = ["TABLES", "Report", "write_report", "report_paths", "csv_path", "LEDGER_KINDS"]

LEDGER_KINDS = ("users", "codes", "variables", "cases", "sources", "selections", "codings", "notes", "links",
                "sets", "graphs", "tables")

TABLES: dict[str, tuple[str, ...]] = {
    "Ledger": ("input", "kind", "read", "matched", "added", "duplicates"),
    "Matches": ("input", "kind", "name", "guid", "rule", "merged_name", "merged_guid"),
    "Conflicts": ("kind", "item", "field", "kept", "kept_from", "other", "other_from", "guid"),
    "Moved selections": ("input", "source", "selection_guid", "merged_selection_guid", "codes", "start", "end",
                         "merged_start", "merged_end", "text_changed", "excerpt", "merged_excerpt"),
    "Duplicates": ("input", "source", "code_path", "coder", "start", "end", "coding_guid", "kept_coding_guid"),
}


class Report:
    """Row collector for one merge; ``frames()`` gives the DataFrames."""

    def __init__(self, labels: list[str]):
        self.labels = labels
        self.rows: dict[str, list[tuple]] = {name: [] for name in TABLES}
        self.ledger: list[dict[str, list[int]]] = [{k: [0, 0, 0, 0] for k in LEDGER_KINDS} for _ in labels]

    def count(self, i: int, kind: str, what: str, n: int = 1) -> None:
        """Add ``n`` to input ``i``'s ``read``/``matched``/``added``/``duplicates`` count of ``kind``."""
        self.ledger[i][kind][("read", "matched", "added", "duplicates").index(what)] += n

    def match(self, i: int, kind: str, name: Any, guid: str, rule: str, merged_name: Any, merged_guid: str) -> None:
        """One item of input ``i`` and what it became (``rule`` ``added`` for a new item)."""
        self.rows["Matches"].append((self.labels[i], kind, name, guid, rule, merged_name, merged_guid))
        self.count(i, kind, "read")
        self.count(i, kind, "added" if rule == "added" else "matched")

    def conflict(self, kind: str, item: Any, field: str, kept: Any, kept_from: str, other: Any, other_from: str,
                 guid: str) -> None:
        """Two inputs disagree on ``field`` of ``item``: ``kept`` is in the merged project."""
        self.rows["Conflicts"].append((kind, item, field, kept, kept_from, other, other_from, guid))

    def moved(self, *row: Any) -> None:
        """A selection put at another place (or over changed text) in the kept copy of its source."""
        self.rows["Moved selections"].append(row)

    def duplicate(self, *row: Any) -> None:
        """A coding the merged project already had (same coder, code, source and span)."""
        self.rows["Duplicates"].append(row)

    def frames(self) -> dict[str, Any]:
        """The report as ``{table name: DataFrame}`` in :data:`TABLES` order."""
        import pandas as pd

        ledger = self.rows["Ledger"] = []
        for label, kinds in zip(self.labels, self.ledger):
            ledger.extend((label, kind, *counts) for kind, counts in kinds.items() if any(counts))
        out = {}
        for name, columns in TABLES.items():
            frame = pd.DataFrame(self.rows[name], columns=list(columns))
            out[name] = frame
        return out


def write_report(frames: dict[str, Any], path: Path, force: bool = False) -> list[Path]:
    """Write the report to ``path``: ``.xlsx`` (a sheet per table) or ``.csv`` (one file per table
    beside it, ``<stem>-<table>.csv``, UTF-8 with BOM); atomically.  Returns the files written."""
    from ..codebook.sheet_write import write_table

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _write_xlsx(frames, path)
        return [path]
    if suffix != ".csv":
        raise UnknownFormatError(f"a merge report cannot be written as '{path.suffix or path.name}'", str(path),
                                 hint="use .xlsx or .csv")
    written = []
    for name, frame in frames.items():
        target = csv_path(path, name)
        write_table(target, name, tuple(frame.columns), _cells(frame))
        written.append(target)
    return written


def csv_path(path: Path, table: str) -> Path:
    """The CSV file of one report table: ``merge.csv`` → ``merge-Moved-selections.csv``."""
    return path.with_name(f"{path.stem}-{table.replace(' ', '-')}{path.suffix}")


def report_paths(path: Path) -> list[Path]:
    """Every file :func:`write_report` writes for ``path`` (to check them before merging)."""
    path = Path(path)
    return [csv_path(path, t) for t in TABLES] if path.suffix.lower() == ".csv" else [path]


def _cells(frame) -> list[list[Any]]:
    import pandas as pd

    return [["" if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in rec]
            for rec in frame.itertuples(index=False, name=None)]


def _write_xlsx(frames: dict[str, Any], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from .._io import atomic_write
    from ..codebook.sheet_write import _clean
    from ..errors import Diagnostics
    from ..writers._cells import typed_as_text

    diag = Diagnostics()
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in frames.items():
        ws = wb.create_sheet(name)
        ws.append(list(frame.columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r, values in enumerate(_cells(frame), start=2):
            for col, value in enumerate(values, start=1):
                cell = ws.cell(r, col, _clean(value, diag, f"sheet {name} row {r}"))
                if typed_as_text(cell.value):
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        wrapped = []
        for k, column in enumerate(frame.columns):
            # As wide as the header and the first rows need, within 8 and 60 characters.
            sample = [len(str(v)) for v in frame[column].head(200) if v is not None]
            width = min(60, max(8, len(column) + 2, *(n + 1 for n in sample)))
            letter = ws.cell(1, k + 1).column_letter
            ws.column_dimensions[letter].width = width
            if "excerpt" in column or column in ("kept", "other"):
                wrapped.append((k + 1, width))
        for r in range(2, len(frame) + 2) if wrapped else ():
            lines = 1
            for col, width in wrapped:
                cell = ws.cell(r, col)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                text = str(cell.value or "")
                lines = max(lines, sum(len(line) // width + 1 for line in text.split("\n")))
            # A row height, since not every spreadsheet program fits rows of wrapped text itself.
            ws.row_dimensions[r].height = 15 * min(lines, 40)
    atomic_write(path, wb.save, "the merge report")

