"""The coded segments as an SPSS data file (``-o segments.sav``): one case (row) per coding,
the ``Segments`` table of :mod:`nvivo_bridge.analysis` (excerpt, code, source, coder, time and
every case and source attribute).

- **Names** are made legal for SPSS (ASCII letters, digits and ``_``; a letter first; at most
  64 bytes; no reserved word such as ``BY`` or ``TO``; unique ignoring case).  Each variable's
  label is the table's column name, so nothing is lost, and every renamed column is listed as
  an info issue (``spss-name``) in the ledger.
- **Value labels**: ``code_id`` numbers the codes in code-tree order, labelled with their paths
  (the codebook); Text attributes become numbered categories labelled with their values, and
  Boolean attributes 0/1 labelled ``false``/``true`` (nominal measure); the attribute's
  description joins its variable label.
- Texts longer than SPSS's 32,767 bytes are cut (a warning says how many).

Needs pyreadstat: ``pip install "nvivo-bridge[spss]"``.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from .._io import atomic_file
from ..errors import Diagnostics, WriteError
from ..model import Project
from ..options import WriteOptions
from ..sheets import table_rows
from ._tabular import column_kind, require

__all__ = ["write", "spss_names", "RESERVED", "MAX_STRING_BYTES"]

RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
MAX_STRING_BYTES = 32_767
_BAD = re.compile(r"[^A-Za-z0-9_]+")


def spss_names(columns: list[str]) -> dict[str, str]:
    """``column → SPSS variable name`` (see the module doc for the rules)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        ascii_ = unicodedata.normalize("NFKD", col).encode("ascii", "ignore").decode()
        base = _BAD.sub("_", ascii_).strip("_") or "v"
        if not base[0].isalpha():
            base = "v_" + base
        if base.upper() in RESERVED:
            base += "_"
        base = base[:60]
        cand, n = base, 2
        while cand.upper() in used:
            cand, n = f"{base}_{n}", n + 1
        used.add(cand.upper())
        out[col] = cand
    return out


def _cut_bytes(values: pd.Series) -> tuple[pd.Series, int]:
    """Strings cut to SPSS's longest string (bytes of UTF-8); also returns how many were cut."""
    cut = 0

    def fit(v):
        nonlocal cut
        if isinstance(v, str) and len(v) > MAX_STRING_BYTES // 4 and len(v.encode("utf-8")) > MAX_STRING_BYTES:
            cut += 1
            return v.encode("utf-8")[:MAX_STRING_BYTES].decode("utf-8", "ignore")
        return v
    return values.map(fit), cut


def write(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Write the ``Segments`` table to the ``.sav`` file ``path`` (atomically)."""
    pyreadstat = require("pyreadstat", "spss", "SPSS output", path)
    tables = table_rows(project, diag=diag, extra=("Segments",))
    seg = tables["Segments"].frame()
    codes = tables["Codes"].frame()
    variables = {v.name: v for v in project.variables.values()}
    dates = tables["Segments"].date_columns
    df = pd.DataFrame(index=seg.index)
    labels: dict[str, str] = {}
    value_labels: dict[str, dict] = {}
    measure: dict[str, str] = {}
    code_ids = {p: k + 1 for k, p in enumerate(codes["path"].tolist())} if "path" in codes else {}
    cut = 0
    for name in seg.columns:
        s = seg[name]
        kind = column_kind(s, name in dates)
        var = variables.get(name.removesuffix(" (source)").removesuffix(" (variable)"))
        label = name if var is None or not var.description else f"{name} — {var.description}"
        if name == "code_path" and code_ids:
            df["code_id"] = s.map(code_ids).astype("float64")
            labels["code_id"] = "code (value labels: code paths)"
            value_labels["code_id"] = {float(k): p for p, k in code_ids.items()}
            measure["code_id"] = "nominal"
        if var is not None and var.type == "Boolean" and kind == "boolean":
            df[name] = s.astype("float64")
            value_labels[name] = {0.0: "false", 1.0: "true"}
            measure[name] = "nominal"
        elif var is not None and var.type == "Text" and kind == "text":
            cats = list(dict.fromkeys(v for v in s.tolist() if isinstance(v, str)))
            ids = {v: float(k + 1) for k, v in enumerate(cats)}
            df[name] = s.map(ids).astype("float64")
            value_labels[name] = {k: v for v, k in ids.items()}
            measure[name] = "nominal"
        elif kind in ("integer", "float", "boolean"):
            df[name] = s.astype("float64")
        elif kind in ("datetime", "date"):
            df[name] = s.astype("datetime64[ns]")
        else:
            texts = s.astype(object).where(s.notna(), None)
            texts = texts.map(lambda v: v if v is None or isinstance(v, str) else str(v))
            df[name], n = _cut_bytes(texts)
            cut += n
        labels[name] = label
    names = spss_names(list(df.columns))
    renamed = [f"'{c}' → {n}" for c, n in names.items() if c != n]
    if renamed:
        diag.info("spss-name", "SPSS variable names (the label keeps the column name): " + "; ".join(renamed),
                  Path(path).name)
    if cut:
        diag.warn("spss-string-cut", f"{cut} text(s) longer than SPSS's {MAX_STRING_BYTES:,} bytes were cut",
                  Path(path).name)
    df = df.rename(columns=names)
    try:
        with atomic_file(Path(path)) as tmp:
            pyreadstat.write_sav(df, str(tmp), file_label=(project.name or "")[:64],
                                 column_labels={names[c]: labels[c] for c in labels},
                                 variable_value_labels={names[c]: v for c, v in value_labels.items()},
                                 variable_measure={names[c]: v for c, v in measure.items()})
    except (OSError, getattr(pyreadstat, "ReadstatError", OSError)) as exc:
        raise WriteError(f"cannot write the SPSS file ({exc})", str(path), hint="check the disk space") from None
    # what the file holds: the codings, and the codes as value labels (no notes, sets or links)
    return {"codings": len(df), "codes": len(code_ids)}
