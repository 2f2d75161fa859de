"""Assigning every code to a CIPP component.

Precedence per code (first match wins): mapping-file rule > a Set / ATLAS.ti code group whose name
is a component synonym > the top-level ancestor's name > unmapped.  A code inherits the decision of
its nearest decided ancestor; a more specific rule (more path segments, then fewer wildcards, then
GUID) overrides a less specific one.  NVivo cases exported as codes (a Code whose GUID is a Case's)
are not codes and are left out, with their subtree.
"""
from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Optional

from ..errors import UsageError
from ..model import Project, escape_name
from .mapping import MappingConfig, Rule

__all__ = ["Assignment", "assign"]


@dataclass
class Assignment:
    """The code tree as the summary sees it, and each code's component(s).

    ``components[g]`` is a tuple of components (``()`` when unmapped, ``("exclude",)`` when excluded,
    ``("other",)`` when a rule sends it to Other); ``origin[g]`` is ``map``, ``set``, ``name`` or
    ``unmapped``; ``multi`` holds codes counted under two or more components.
    """

    order: list[str] = field(default_factory=list)
    parent: dict = field(default_factory=dict)
    children: dict = field(default_factory=dict)
    path: dict = field(default_factory=dict)
    level: dict = field(default_factory=dict)
    components: dict = field(default_factory=dict)
    subcomponent: dict = field(default_factory=dict)
    origin: dict = field(default_factory=dict)
    multi: set = field(default_factory=set)
    case_codes: list = field(default_factory=list)
    unused_globs: list = field(default_factory=list)


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip()


def _glob(pattern: tuple[str, ...], segs: tuple[str, ...]) -> bool:
    """Segment-wise glob; ``**`` matches any number of segments (zero included)."""
    if not pattern:
        return not segs
    head = pattern[0]
    if head == "**":
        return any(_glob(pattern[1:], segs[i:]) for i in range(len(segs) + 1))
    return bool(segs) and fnmatchcase(segs[0], head) and _glob(pattern[1:], segs[1:])


def _specificity(rule: Rule, level: int) -> tuple:
    if rule.guid is not None:
        return (level, level, 1, 1)
    segs = [s for s in rule.path if s != "**"]
    literal = sum(1 for s in segs if not (set("*?[") & set(s)))
    return (len(segs), literal, 0 if rule.is_glob else 1, 0)


def _tree(project: Project, a: Assignment) -> dict[str, tuple[str, ...]]:
    index = project.children_index()
    case_guids = set(project.cases)
    segs: dict[str, tuple[str, ...]] = {}
    seen: set[str] = set()

    def walk(roots: list[str], parent: Optional[str]) -> None:
        stack = [(g, parent) for g in reversed(roots)]
        while stack:
            g, par = stack.pop()
            if g in seen:
                continue
            seen.add(g)
            if g in case_guids:  # NVivo case exported as a code: case membership, not a theme
                a.case_codes.append(g)
                continue
            code = project.codes[g]
            segs[g] = (segs[par] if par else ()) + (_key(code.name),)
            a.order.append(g)
            a.parent[g] = par
            a.children.setdefault(par, []).append(g)
            a.path[g] = (a.path[par] + "/" if par else "") + escape_name(code.name)
            a.level[g] = len(segs[g])
            stack.extend((c, g) for c in reversed(index.get(g, [])))

    walk(index.get(None, []), None)
    leftovers = [g for g in project.codes if g not in seen]  # parent cycles: treat as roots
    walk(leftovers, None)
    return segs


def _check_literals(cfg: MappingConfig, a: Assignment, segs: dict, project: Project) -> None:
    existing = {s: g for g, s in segs.items()}
    problems = []
    first_where = None
    for rule in cfg.rules:
        if rule.guid is not None:
            if rule.guid not in a.path:
                problems.append(f"GUID '{rule.raw}' ({rule.where}) is not a code of this project")
                first_where = first_where or rule.where
            continue
        if rule.is_glob or tuple(_key(s) for s in rule.path) in existing:
            continue
        want = cfg.separator.join(rule.path)
        pool = {cfg.separator.join(s): s for s in segs.values()}
        close = difflib.get_close_matches(want, list(pool), n=3, cutoff=0.5)
        if not close:  # fall back to the same last name anywhere in the tree
            close = [p for p, s in pool.items() if s[-1].casefold() == rule.path[-1].casefold()][:3]
        hint = "; closest existing: " + ", ".join(f"'{c}'" for c in close) if close else "; no similar code path"
        problems.append(f"code path '{want}' ({rule.where}) does not exist{hint}")
        first_where = first_where or rule.where
    if problems:
        raise UsageError("mapping names missing code(s): " + " | ".join(problems), cfg.source, None,
                         hint=f"paths are code names from the top-level code joined by '{cfg.separator}'; "
                              "fix the rule or use a glob (*, **)")


def assign(project: Project, cfg: MappingConfig) -> Assignment:
    """Decide the component(s), sub-component and origin of every code of ``project``."""
    a = Assignment()
    segs = _tree(project, a)
    _check_literals(cfg, a, segs, project)
    syn = cfg.synonyms
    # 1. mapping-file rules: best rule(s) matching each code itself, then inherited downwards.
    used: set[int] = set()
    own: dict[str, tuple] = {}
    for g in a.order:
        best, hits = None, []
        for i, rule in enumerate(cfg.rules):
            ok = rule.guid == g if rule.guid is not None else _glob(rule.path, segs[g])
            if not ok:
                continue
            used.add(i)
            spec = _specificity(rule, a.level[g])
            if best is None or spec > best:
                best, hits = spec, [rule]
            elif spec == best:
                hits.append(rule)
        if hits:
            own[g] = (best, hits, g)
    a.unused_globs = [r for i, r in enumerate(cfg.rules) if i not in used and r.is_glob]
    # 2. sets whose name is a component synonym.
    set_comps: dict[str, list[str]] = {}
    for s in project.sets.values():
        comp = syn.component(s.name)
        if comp:
            for g in s.member_codes:
                if g in a.path and comp not in set_comps.setdefault(g, []):
                    set_comps[g].append(comp)
    eff_map: dict[str, tuple] = {}
    eff_set: dict[str, tuple] = {}
    for g in a.order:
        par = a.parent[g]
        inherited = eff_map.get(par) if par else None
        mine = own.get(g)
        eff_map[g] = mine if mine and (inherited is None or mine[0] >= inherited[0]) else inherited
        eff_set[g] = (set_comps[g], g) if g in set_comps else (eff_set.get(par) if par else None)
    multi_errors = []
    for g in a.order:
        root = g
        while a.parent[root]:
            root = a.parent[root]
        decided = eff_map[g]
        sub: Optional[str] = None
        if decided:
            comps = tuple(dict.fromkeys(r.component for r in decided[1]))
            anchor, origin = decided[2], "map"
            sub = next((r.subcomponent for r in decided[1] if r.subcomponent), None)
        elif eff_set[g]:
            comps, anchor, origin = tuple(eff_set[g][0]), eff_set[g][1], "set"
        else:
            comp = syn.component(project.codes[root].name)
            comps, anchor, origin = ((comp,), root, "name") if comp else ((), None, "unmapped")
        if "exclude" in comps:
            comps = ("exclude",)
        if "product" in comps and sub is None and anchor is not None:
            sub = _subcomponent(a, g, anchor, project, syn)
        a.components[g] = comps
        a.subcomponent[g] = sub if "product" in comps else None
        a.origin[g] = origin
        if len([c for c in comps if c not in ("other",)]) > 1:
            a.multi.add(g)
            multi_errors.append(a.path[g])
    if multi_errors and not cfg.allow_multi_component:
        raise UsageError("code(s) mapped to two components: " + ", ".join(multi_errors), cfg.source,
                         hint="set allow_multi_component: true or keep one component per code")
    return a


def _subcomponent(a: Assignment, g: str, anchor: str, project: Project, syn) -> Optional[str]:
    """Product sub-component from the anchor's own name or its child on the way down to ``g``."""
    chain = [g]
    while chain[-1] != anchor and a.parent.get(chain[-1]):
        chain.append(a.parent[chain[-1]])
    if chain[-1] != anchor:
        return None
    for cand in (anchor, chain[-2] if len(chain) > 1 else None):
        if cand is not None:
            hit = syn.subcomponent(project.codes[cand].name)
            if hit:
                return hit
    return None
