"""The CIPP summary as data: assignment + counts + one DataFrame per sheet.

:func:`build` returns a :class:`CippResult` that the workbook, figure and report writers share;
:func:`summarize` is the public entry point returning the DataFrames only.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import numpy as np

from ..errors import NvivoBridgeError, UsageError
from ..model import Project
from .assign import Assignment, assign
from .counting import Counts, count, sorted_units
from .labels import COMPONENTS, check_lang, sheet_name
from .mapping import MappingConfig, load_mapping, normalised_policy

__all__ = ["CippResult", "UnmappedCodesError", "build", "summarize"]


class UnmappedCodesError(NvivoBridgeError):
    """``unmapped="error"`` and some codes belong to no component (exit 1).  The message names a
    few; ``paths`` holds them all."""

    exit_code = 1

    def __init__(self, message: str, *args: Any, paths: Sequence[str] = (), **kwargs: Any):
        super().__init__(message, *args, **kwargs)
        self.paths = list(paths)


_LAZY = object()


class Frames(dict):
    """Sheet name → DataFrame, in sheet order.  The Quotations frame (one row per reference) is
    made on first access only: the workbook streams that sheet instead, so a large project's
    excerpts are not held a second time."""

    def __init__(self) -> None:
        super().__init__()
        self._lazy: dict = {}

    def set_lazy(self, name: str, make: Any) -> None:
        """Register ``make()`` as the frame of ``name`` (keeps the sheet's place in the order)."""
        dict.__setitem__(self, name, None)
        self._lazy[name] = make

    def is_lazy(self, name: str) -> bool:
        """Whether the frame of ``name`` has not been made yet."""
        return name in self._lazy

    def __getitem__(self, name: str) -> Any:
        if name in self._lazy:
            dict.__setitem__(self, name, self._lazy.pop(name)())
        return dict.__getitem__(self, name)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def items(self) -> Any:
        return [(k, self[k]) for k in self]

    def values(self) -> Any:
        return [self[k] for k in self]


@dataclass
class CippResult:
    """Everything the writers need: the frames (sheet name → DataFrame) and what they came from."""

    project: Project
    config: MappingConfig
    assignment: Assignment
    counts: Counts
    lang: str
    unmapped: str
    coder: Optional[str]
    coder_dedupe: bool
    group_by: list[str]
    rows: list[str] = field(default_factory=list)          # component rows shown, in order
    comp_codes: dict = field(default_factory=dict)        # component → codes (tree order)
    comp_units: dict = field(default_factory=dict)        # component → sorted array of units
    total_units: Any = field(default_factory=tuple)       # every kept component's units, sorted
    kept: list = field(default_factory=list)              # codes shown in Code Detail (tree order)
    attr_values: dict = field(default_factory=dict)       # attribute → ordered values
    case_value: dict = field(default_factory=dict)        # attribute → {case guid: value}
    case_typed: dict = field(default_factory=dict)        # attribute → {case guid: typed value}
    frames: Frames = field(default_factory=Frames)
    quote_no: Any = field(default_factory=list)           # reference → quotation number (Q00001), 0 = none
    quote_width: int = 5
    cache: dict = field(default_factory=dict)             # the writers' shared intermediate results
    sheet_keys: dict = field(default_factory=dict)        # logical key → sheet name

    def frame(self, key: str) -> Any:
        """The DataFrame of a logical sheet key (``overview``, ``detail``, ``matrix:Peran``…)."""
        return self.frames[self.sheet_keys[key]]


def _group_by(project: Project, group_by: Union[str, Sequence[str], None]) -> list[str]:
    case_vars: list[str] = []
    names = {v.guid: v.name for v in project.variables.values()}
    used = {vv.variable for c in project.cases.values() for vv in c.variable_values}
    for g, v in project.variables.items():
        if g in used:
            case_vars.append(v.name)
    if group_by is None or group_by == () or group_by == []:
        return case_vars[:1]
    wanted = [group_by] if isinstance(group_by, str) else list(group_by)
    for name in wanted:
        if name not in names.values():
            raise UsageError(f"no case attribute named '{name}'", project.source_file,
                             hint="attributes in this project: " + (", ".join(names.values()) or "none"))
    return list(dict.fromkeys(wanted))


def build(project: Project, mapping: Union[str, Path, dict, MappingConfig, None] = None,
          group_by: Union[str, Sequence[str], None] = None, lang: str = "en",
          unmapped: Optional[str] = None, coder: Optional[str] = None,
          coder_dedupe: bool = True) -> CippResult:
    """Map, count and tabulate ``project``; see :func:`summarize` for the arguments."""
    from . import sheets, sheets_more

    check_lang(lang)
    cfg = load_mapping(mapping)
    policy = normalised_policy(unmapped) or cfg.unmapped or "other"
    a = assign(project, cfg)
    unmapped_paths = [a.path[g] for g in a.order if a.components[g] == ()]
    if policy == "error" and unmapped_paths:
        more = len(unmapped_paths) - 5
        raise UnmappedCodesError(f"{len(unmapped_paths)} code(s) map to no CIPP component: "
                                 + ", ".join(unmapped_paths[:5]) + (f" … and {more} more" if more > 0 else ""),
                                 project.source_file,
                                 hint="add rules to the mapping file (--map); --unmapped other lists every "
                                      "unmapped code on the workbook's Unmapped sheet",
                                 paths=unmapped_paths)
    from . import synthesis

    comp_codes: dict = {comp: [] for comp in COMPONENTS + ("other",)}
    kept: list = []
    for g in a.order:
        comps = a.components[g]
        if comps == ("exclude",):
            continue
        if comps == ():
            if policy != "other":
                continue
            comps = ("other",)
        kept.append(g)
        for comp in comps:
            comp_codes[comp].append(g)
    # The agreement needs no counts: computed first, its working data (about 200 MB at 200,000
    # codings) is freed before the counts and frames are built instead of adding to them.
    agreement = synthesis.agreement_groups(project, comp_codes, coder)
    res = CippResult(project, cfg, a, count(project, a, coder, coder_dedupe), lang, policy, coder,
                     coder_dedupe, _group_by(project, group_by))
    res.comp_codes.update(comp_codes)
    res.kept.extend(kept)
    direct, ref_unit = res.counts.direct, res.counts.ref_unit
    for comp, codes in res.comp_codes.items():
        res.comp_units[comp] = sorted_units(ref_unit[r] for g in codes for r in direct.get(g, ()))
    # the union of sorted arrays in C: a set of every unit cost 15 MB at 200,000 codings
    every = [np.frombuffer(u, dtype=np.int64) for u in res.comp_units.values() if len(u)]
    res.total_units = array("q", np.unique(np.concatenate(every)).tobytes()) if every else array("q")
    del every
    res.rows = list(COMPONENTS) + (["other"] if res.comp_units["other"] else [])
    sheets.attribute_values(res)
    frames = [("metadata", None, sheets_more.metadata), ("overview", None, sheets.overview),
              ("synthesis", None, synthesis.synthesis), ("detail", None, sheets.code_detail)]
    frames += [("matrix", attr, sheets.matrix) for attr in res.group_by]
    frames += [("quotations", None, sheets_more.quotations), ("unmapped", None, sheets_more.unmapped),
               ("empty", None, sheets_more.empty_codes), ("warnings", None, sheets_more.warnings),
               ("ledger", None, synthesis.ledger_table), ("coders", None, synthesis.coders_table),
               ("agreement", None, lambda r: synthesis.agreement_table(r, agreement))]
    # The quotations are numbered first (the synthesis cites them); their frame is made on demand.
    from . import quotations

    quotations.order(res)
    built: dict = {}
    for key, attr, fn in frames:
        if key == "quotations":
            built[(key, attr)] = _LAZY
            continue
        df = fn(res, attr) if attr else fn(res)
        if df is not None:
            built[(key, attr)] = df
    for key, attr, _fn in frames:
        if (key, attr) not in built:
            continue
        name = sheet_name(key, lang, attr or "", res.sheet_keys.values())
        res.sheet_keys[f"{key}:{attr}" if attr else key] = name
        if built[(key, attr)] is _LAZY:
            res.frames.set_lazy(name, lambda: quotations.frame(res))
        else:
            res.frames[name] = built[(key, attr)]
    return res


def summarize(project: Project, mapping: Union[str, Path, dict, MappingConfig, None] = None,
              group_by: Union[str, Sequence[str], None] = None, lang: str = "en",
              unmapped: Optional[str] = None, coder: Optional[str] = None,
              coder_dedupe: bool = True) -> dict:
    """Summarise ``project`` by CIPP component; return ``{sheet name: DataFrame}`` in sheet order.

    ``mapping``: a YAML/CSV mapping file, a dict in its structure, or ``None`` (synonyms only).
    ``group_by``: case attribute name(s) for the ``references: <value>`` columns and the matrix
    sheets (default: the first case attribute).  ``lang``: ``en`` or ``id`` (sheet names and
    labels).  ``unmapped``: ``other``, ``drop`` or ``error`` (default: the mapping file's setting,
    else ``other``).  ``coder``: keep only that coder's codings.  ``coder_dedupe``: identical spans
    from different coders count once.  Raises :class:`UnmappedCodesError` under ``error`` and
    :class:`~nvivo_bridge.errors.UsageError` for a bad mapping.
    """
    return dict(build(project, mapping, group_by, lang, unmapped, coder, coder_dedupe).frames.items())
