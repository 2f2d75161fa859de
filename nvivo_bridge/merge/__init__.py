"""Merge coders' projects into one team project (``nvivo-bridge merge``, docs/merge.md).

Team members code copies of one project, often in different programs, which change GUIDs, line
endings and position units on every export.  :func:`merge` matches what is the same across the
copies (sources by text, codes by GUID then path, users by name, the rest by GUID then name), moves
each coder's selections onto the kept text, keeps every coder's codings (the same coding twice is
one) and reports every match, addition, conflict, moved selection and left-out duplicate.

``nvivo_bridge.merge`` (the package attribute) is the function :func:`merge`; this subpackage is
reached as ``from nvivo_bridge.merge import MergeResult`` or through ``sys.modules``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from .._gc import gc_paused
from ..errors import Diagnostics, Issue, UsageError
from ..model import Project
from ._state import Input, State
from .entities import (merge_cases, merge_code_notes, merge_codes, merge_graphs, merge_links, merge_project_fields,
                       merge_sets, merge_tables, merge_users, merge_variables)
from .report import TABLES, Report, write_report
from .sources import merge_notes, merge_sources

__all__ = ["merge", "MergeResult", "TABLES", "write_report", "input_labels", "coder_name"]

_SUFFIXES = (".qdpx", ".qde", ".qdc", ".json", ".xlsx", ".csv", ".docx", ".txt")


@dataclass
class MergeResult:
    """What :func:`merge` returns: the merged ``project``, the ``report`` (``{table: DataFrame}``
    with the tables of :data:`TABLES`: Ledger, Matches, Conflicts, Moved selections, Duplicates),
    the ``issues`` met, and the input ``labels`` in the order they were merged (preferred first)."""

    project: Project
    report: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def input_labels(projects: Sequence[Project], labels: Optional[Sequence[str]] = None) -> list[str]:
    """One distinct label per input: ``labels`` when given, else each project's file name (or its
    name, or ``input N``); a repeated label gets `` (2)``, `` (3)``…"""
    if labels is not None and len(labels) != len(projects):
        raise UsageError(f"{len(labels)} label(s) for {len(projects)} project(s)", hint="give one label per project")
    raw = list(labels) if labels is not None else [
        Path(p.source_file).name if p.source_file else (p.name or f"input {i + 1}") for i, p in enumerate(projects)]
    out: list[str] = []
    for label in raw:
        label = str(label) or f"input {len(out) + 1}"
        n, unique = 1, label
        while unique in out:
            n += 1
            unique = f"{label} ({n})"
        out.append(unique)
    return out


def coder_name(label: str) -> str:
    """The coder named after an input: its label's file name without a known suffix (``ani.qdpx`` →
    ``ani``, ``team/ani.qdpx`` → ``ani``)."""
    path = Path(label)
    return path.stem if path.suffix.lower() in _SUFFIXES and path.stem else path.name or label


def _order(n: int, labels: list[str], prefer: Union[int, str, None]) -> list[int]:
    if prefer is None:
        return list(range(n))
    if isinstance(prefer, str):
        if prefer not in labels:
            raise UsageError(f"--prefer names no input: '{prefer}'", hint="choose one of: " + ", ".join(labels))
        first = labels.index(prefer)
    else:
        first = int(prefer)
        if not 0 <= first < n:
            raise UsageError(f"prefer={prefer} is not an input index", hint=f"choose 0 to {n - 1}")
    return [first] + [i for i in range(n) if i != first]


def _common(values: list, default: Any) -> Any:
    return values[0] if values and all(v == values[0] for v in values) else default


def merge(projects: Sequence[Union[Project, str, Path]], *, labels: Optional[Sequence[str]] = None,
          coder_from_file: bool = False, prefer: Union[int, str, None] = None) -> MergeResult:
    """Merge ``projects`` (models, or paths to anything :func:`nvivo_bridge.read` reads) into one.

    ``labels`` name the inputs in the report (default: their file names); with ``coder_from_file``
    every coding of an input is made by one user named after its label (``ani.qdpx`` → ``ani``);
    ``prefer`` (an index into ``projects`` or a label) names the input whose values win conflicts
    and whose texts are kept (default: the first).  The inputs are not modified; the merged
    project may share unchanged codings and file blobs with them.
    """
    if not projects:
        raise UsageError("nothing to merge", hint="give at least one project")
    from ..api import read

    projects = [p if isinstance(p, Project) else read(p) for p in projects]
    names = input_labels(projects, labels)
    order = _order(len(projects), names, prefer)
    # Hundreds of thousands of new selections and codings, no cycles: automatic collections
    # would rescan the growing model again and again.
    with gc_paused():
        return _merge(projects, names, order, coder_from_file)


def _merge(projects: list[Project], names: list[str], order: list[int], coder_from_file: bool) -> MergeResult:
    """The merge proper (see :func:`merge`), inputs in ``order``."""
    diag = Diagnostics()
    first = projects[order[0]]
    merged = Project(name=first.name, origin=first.origin, created=first.created, modified=first.modified,
                     creating_user=None, base_path=first.base_path, description=None,
                     extras=dict(first.extras), guid_case=first.guid_case,
                     producer=_common([p.producer for p in projects], None),
                     position_unit=_common([p.position_unit for p in projects], "codepoint"))
    ordered_labels = [names[i] for i in order]
    st = State(merged, Report(ordered_labels), ordered_labels, diag)
    inputs = [Input(k, projects[i], names[i]) for k, i in enumerate(order)]
    merge_codes(st, inputs)
    coders = [coder_name(inp.label) for inp in inputs]
    for inp, coder in zip(inputs, coders):
        # Two files with one name (a/ani.qdpx, b/ani.qdpx) keep their whole labels as coders.
        merge_users(st, inp, (coder if coders.count(coder) == 1 else inp.label) if coder_from_file else None)
    steps = (merge_variables, merge_notes, merge_sources, merge_cases, merge_sets, merge_links, merge_graphs,
             merge_tables, merge_code_notes, merge_project_fields)
    for inp in inputs:
        for step in steps:
            step(st, inp)
    frames = st.report.frames()
    n = len(frames["Conflicts"])
    if n:
        diag.warn("merge-conflicts", f"{n} conflict(s) between the inputs: the value of {ordered_labels[0]} was kept "
                  "(see the report's Conflicts table)")
    changed = int(frames["Moved selections"]["text_changed"].sum()) if len(frames["Moved selections"]) else 0
    if changed:
        diag.warn("merge-changed-selections", f"{changed} selection(s) cover text that differs between the copies "
                  "(see the report's Moved selections table, both excerpts)")
    merged.issues = diag.finish()
    return MergeResult(merged, frames, merged.issues, ordered_labels)
