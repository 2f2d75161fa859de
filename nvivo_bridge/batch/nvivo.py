"""Batch discovery of folders of NVivo's own exports: such a folder is one project (the node
exports of one project, often each in both .docx and .txt), not one project per file.

A folder is taken for an NVivo export folder when it directly holds at least one file that
reads as an NVivo node/code export (recognised by its content, as the NVivo reader does) and no
REFI-QDA project, codebook or JSON dump (those are projects of their own).  The highest such
folder wins: its sub-folders are the code tree of the same export.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

__all__ = ["NODE_SUFFIXES", "is_nvivo_export_folder", "fold_nvivo_folders"]

NODE_SUFFIXES = {".txt", ".docx", ".htm", ".html"}
_PROJECT_SUFFIXES = {".qdpx", ".qde", ".qdc", ".json"}
_SNIFF_LIMIT = 20  # node-export candidates looked at per folder
_HEAD_BYTES = 256 * 1024  # of a text file: a node export's headers come in its first lines
_DOCX_BYTES = 50 * 1024 * 1024  # a Word file is read whole; a larger one is not looked into


def _is_node_export(path: Path) -> bool:
    """Whether ``path`` reads as an NVivo node/code export, judged from the head of a text file
    or the paragraphs of a Word file (any failure: no)."""
    from ..errors import Diagnostics, NvivoBridgeError
    from ..readers.nvivo import decode
    from ..readers.nvivo.sniff import lines_are_node_export
    from ..readers.nvivo.words import load_words

    try:
        if path.suffix.lower() == ".docx":
            if path.stat().st_size > _DOCX_BYTES:
                return False
            lines = decode.docx_lines(path.read_bytes(), path)
        else:
            with open(path, "rb") as fh:
                head = fh.read(_HEAD_BYTES)
            if len(head) == _HEAD_BYTES:  # cut at a line end, so no character is cut in two
                head = head[:head.rfind(b"\n") + 1] or head
            text, _ = decode.decode_text(head, path, Diagnostics())
            if "<html" in text[:5000].lower() or "<body" in text[:5000].lower():
                lines = decode.html_lines(text, path)
            else:
                lines = decode.text_lines(text)
        return lines_are_node_export(lines, load_words({}))
    except (NvivoBridgeError, OSError, ValueError):
        return False


def is_nvivo_export_folder(folder: Path) -> bool:
    """Whether ``folder`` is a folder of NVivo's own exports (see the module doc)."""
    try:
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    except OSError:
        return False
    if any(p.suffix.lower() in _PROJECT_SUFFIXES for p in files):
        return False
    candidates = [p for p in files if p.suffix.lower() in NODE_SUFFIXES][:_SNIFF_LIMIT]
    return any(_is_node_export(p) for p in candidates)


def _under(path: Path, folders: Iterable[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def fold_nvivo_folders(found: list[tuple[Path, Path]], ignored: list[Path]
                       ) -> tuple[list[tuple[Path, Path]], list[Path], list[Path]]:
    """Replace the files of every NVivo export folder among ``found`` (``(input, root)`` pairs)
    by the folder itself.  Returns the new inputs, the folders detected, and ``ignored`` without
    the files inside them (they belong to the folder's project)."""
    parents = sorted({p.parent for p, _ in found if p.suffix.lower() in NODE_SUFFIXES},
                     key=lambda f: (len(f.parts), str(f)))
    folders: list[Path] = []
    for folder in parents:
        if not _under(folder, folders) and is_nvivo_export_folder(folder):
            folders.append(folder)
    if not folders:
        return found, [], ignored
    out: list[tuple[Path, Path]] = []
    added: set[Path] = set()
    for path, root in found:
        home = next((f for f in folders if _under(path, [f])), None)
        if home is None:
            out.append((path, root))
        elif home not in added:
            added.add(home)
            out.append((home, home.parent if home == root else root))
    return out, folders, [p for p in ignored if not _under(p, folders)]
