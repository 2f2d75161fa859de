"""Reader for NVivo's own exports, one file or a folder of them joined into one project.

``read(path, diag, options)`` recognises each file from its content (:mod:`.sniff`) and hands it
to the parser of its kind: node/code reference exports (:mod:`.node_export`), codebooks
(:mod:`.codebook`), classification sheets (:mod:`.classification`), list views (:mod:`.listview`),
matrix / framework matrix / group query results (:mod:`.matrix`).  A folder is walked recursively
(sorted, hidden files skipped); files that are not NVivo exports are reported and skipped, and the
parts are joined by :mod:`.join`.  A node export's code is named after its file (or the read
option ``code_name`` for a single file); the sub-folders between the folder read and the file
give the code's parents, and a ``Parent\\\\Child`` file name does too.

Read options (``options.extra``): ``ui_words`` (translated UI words, a mapping or a YAML path, see
``nvivo_bridge/data/nvivo_ui_words.yaml``), ``nvivo_kind`` (force the export kind of a file),
``code_name`` (the code of a single node export file).  Without ``ui_words``, a file named
``nvivo-ui-words.yaml`` in the folder read (or beside the file read) is used, so command-line
users can give translations without an option.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from ...errors import Diagnostics, ReadError
from ...model import Project
from ...options import ReadOptions
from . import classification, codebook, listview, matrix, node_export
from .join import Part, build_project
from .sniff import SUPPORTED, load
from .words import Words, load_words

__all__ = ["read", "parse_file", "CONFIG_NAME"]

CONFIG_NAME = "nvivo-ui-words.yaml"

_SKIP_SUFFIXES = {".qdpx", ".qde", ".qdc", ".nvp", ".nvpx", ".pdf", ".rtf", ".png", ".jpg", ".jpeg",
                  ".gif", ".mp3", ".mp4", ".wav", ".m4a", ".zip", ".md", ".yaml", ".yml", ".json"}


def _code_path(rel: Path, options: ReadOptions, single: bool) -> list[str]:
    """The code path of a node export: sub-folders, then the file name split on backslashes."""
    given = options.extra.get("code_name") if single else None
    stem = str(given) if given else rel.stem
    names = [p for p in rel.parent.parts if p not in ("", ".")]
    return names + listview.split_any(stem)


def parse_file(path: Path, rel: Path, diag: Diagnostics, options: ReadOptions, words: Words,
               single: bool = True) -> tuple[str, Part]:
    """Recognise and parse one export file; ``rel`` is its path relative to the folder read."""
    loaded = load(path, diag, options, words)
    file = str(rel)
    if loaded.kind == "node-export":
        part = node_export.parse_lines(loaded.lines, file, _code_path(rel, options, single), words, diag)
        part.from_folder = len(rel.parts) > 1
        if not part.blocks:
            diag.warn("empty-export", "the node export holds no references", file)
        return loaded.kind, part
    if loaded.kind == "codebook":
        if loaded.container == "docx":
            return loaded.kind, codebook.parse_docx_tables(loaded.tables, file, words, diag)
        if loaded.container == "text":
            return loaded.kind, codebook.parse_text(loaded.lines, file, words, diag)
        return loaded.kind, codebook.parse_grid(loaded.grid, file, words, diag)
    if loaded.kind == "listview":
        part = listview.parse_grid(rel.stem, loaded.grid, file, words, diag)
        if isinstance(part, classification.Classification) and not part.name:
            part.name = rel.stem
        return ("classification" if isinstance(part, classification.Classification) else loaded.kind), part
    if loaded.kind == "classification":
        return loaded.kind, classification.parse_grid(loaded.grid, file, rel.stem, words, diag)
    if loaded.kind == "group-query":
        return loaded.kind, matrix.parse_group_query(loaded.grid, rel.stem, file, words)
    return loaded.kind, matrix.parse_matrix(loaded.grid, rel.stem, file, loaded.kind == "framework-matrix")


def _walk(folder: Path) -> list[Path]:
    """Every file below ``folder`` (sorted, hidden and lock files skipped, symlinked folders not followed)."""
    out: list[Path] = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part.startswith((".", "~$")) for part in rel.parts):
            continue
        if p.is_file():
            out.append(p)
    return out


def read(path: Path, diag: Diagnostics, options: Optional[ReadOptions] = None) -> Project:
    """Read one NVivo export file, or a folder of them joined into one project."""
    options = options or ReadOptions()
    path = Path(path)
    extra = dict(options.extra)
    config = (path if path.is_dir() else path.parent) / CONFIG_NAME
    if not extra.get("ui_words") and config.is_file():
        extra["ui_words"] = str(config)
        diag.info("ui-words-config", f"UI words read from {CONFIG_NAME}", str(config))
    words = load_words(extra)
    if not path.is_dir():
        kind, part = parse_file(path, Path(path.name), diag, options, words, single=True)
        project = build_project([(kind, part)], path.stem, diag, words)
        project.source_file = str(path)
        return project
    parts: list[tuple[str, Part]] = []
    for file in _walk(path):
        rel = file.relative_to(path)
        if file.suffix.lower() in _SKIP_SUFFIXES:
            diag.info("file-skipped", "not an NVivo export this reader joins (read .qdpx/.qdc on their own)",
                      str(rel))
            continue
        try:
            parts.append(parse_file(file, rel, diag, options, words, single=False))
        except ReadError as exc:
            diag.warn("file-skipped", f"skipped: {exc.message}", str(rel))
    if not parts:
        raise ReadError("the folder holds no recognised NVivo export", str(path), hint=SUPPORTED)
    project = build_project(parts, path.name, diag, words)
    project.source_file = str(path)
    return project
