"""What a merge carries from step to step: the merged project, the GUIDs it has used, the report,
and for each input the map from its GUIDs to the merged project's."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ..errors import Diagnostics
from ..model import Guid, Project, VariableValue, norm_name
from .report import Report

__all__ = ["State", "Input", "loose"]


def loose(name: Optional[str]) -> str:
    """The comparison form of a name (case and runs of white space ignored); ``""`` for none."""
    return norm_name(name) if name else ""


@dataclass
class Input:
    """One input project during the merge: its index, label and GUID map (every kind of object
    shares one map: GUIDs are unique within a project, and links may point at anything)."""

    i: int
    project: Project
    label: str
    gmap: dict[Guid, Guid] = field(default_factory=dict)
    coder: Optional[Guid] = None  # with coder_from_file: the merged user every coding gets

    def ref(self, guid: Optional[Guid]) -> Optional[Guid]:
        """The merged GUID of ``guid`` (a reference the input could not resolve stays as it was)."""
        return None if guid is None else self.gmap.get(guid, guid)

    def refs(self, guids: Iterable[Guid]) -> list[Guid]:
        """``ref`` of each, in order, without repeats."""
        return list(dict.fromkeys(self.gmap.get(g, g) for g in guids))

    def user(self, guid: Optional[Guid]) -> Optional[Guid]:
        """The merged user of a coding or selection made by ``guid``."""
        return self.coder if self.coder is not None else self.ref(guid)


@dataclass
class State:
    """The merge in progress."""

    merged: Project
    report: Report
    labels: list[str]
    diag: Diagnostics
    taken: set[Guid] = field(default_factory=set)
    came_from: dict[Guid, int] = field(default_factory=dict)  # merged GUID → input that brought it
    paths: dict[Guid, str] = field(default_factory=dict)       # merged code GUID → path (for the report)
    spans: dict[Guid, Any] = field(default_factory=dict)       # merged container GUID → selections.Spans

    def claim(self, guid: Guid, i: int) -> Guid:
        """``guid`` for a new merged object from input ``i``, or a fresh one when it is taken."""
        if guid in self.taken:
            guid = str(uuid.uuid4())
        self.taken.add(guid)
        self.came_from[guid] = i
        return guid

    def fresh(self, guid: Guid) -> Guid:
        """Like :meth:`claim` for objects the report does not name (selections, codings…)."""
        if guid in self.taken:
            guid = str(uuid.uuid4())
        self.taken.add(guid)
        return guid

    def label_of(self, merged_guid: Guid) -> str:
        """The label of the input a merged object came from."""
        return self.labels[self.came_from.get(merged_guid, 0)]

    def merge_values(self, kind: str, item: str, guid: Guid, kept: list[VariableValue],
                     other: list[VariableValue], inp: Input) -> None:
        """Add ``other``'s variable values (variables mapped) that ``kept`` lacks; a different value
        for a variable ``kept`` already has is a conflict row (the kept value stays)."""
        have = {v.variable: v for v in kept}
        names = {g: v.name for g, v in self.merged.variables.items()}
        for value in other:
            var = inp.ref(value.variable)
            mine = have.get(var)
            if mine is None:
                new = VariableValue(var, value.value, value.type, value.origin)
                kept.append(new)
                have[var] = new
            elif mine.value is None and value.value is not None:
                mine.value, mine.type = value.value, value.type  # ``kept`` holds the merge's own copies
            elif value.value is not None and _value_text(mine.value) != _value_text(value.value):
                self.report.conflict(kind, item, f"value of {names.get(var, var)}", mine.value, self.label_of(guid),
                                     value.value, inp.label, guid)


def _value_text(value: Optional[str]) -> str:
    return "" if value is None else value.strip()
