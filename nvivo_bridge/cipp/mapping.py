"""Mapping files (YAML canonical, CSV equivalent): which code belongs to which CIPP component.

A :class:`MappingConfig` holds path/GUID rules, extra synonyms and the unmapped policy.  The rules
are applied by :mod:`nvivo_bridge.cipp.assign`.  Every problem in a mapping file is a
:class:`~nvivo_bridge.errors.UsageError` (exit 2) naming the file, the rule and what to do.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

import yaml

from .._yaml import safe_load
from ..errors import UsageError
from ..model import norm_guid
from .labels import COMPONENTS, SUBCOMPONENTS
from .normalize import Synonyms, default_synonyms, normalize

__all__ = ["Rule", "MappingConfig", "load_mapping", "mapping_from_dict", "split_rule_path", "UNMAPPED_POLICIES"]

UNMAPPED_POLICIES = ("other", "drop", "error")
RULE_TARGETS = COMPONENTS + ("other", "exclude")
_WILDCARDS = set("*?[")


@dataclass
class Rule:
    """One rule: a code path pattern (segments, glob per segment, ``**`` = any depth) or a GUID."""

    component: str
    path: Optional[tuple[str, ...]] = None
    raw: str = ""
    guid: Optional[str] = None
    subcomponent: Optional[str] = None
    note: Optional[str] = None
    where: str = ""

    @property
    def is_glob(self) -> bool:
        """True when the path has wildcards (it may then match nothing without being an error)."""
        return self.path is not None and any(_WILDCARDS & set(seg) for seg in self.path)


@dataclass
class MappingConfig:
    """A parsed mapping file (or an empty one when none is given)."""

    rules: list[Rule] = field(default_factory=list)
    synonyms: Synonyms = field(default_factory=default_synonyms)
    unmapped: Optional[str] = None
    allow_multi_component: bool = True
    source: Optional[str] = None
    separator: str = "/"


def split_rule_path(path: str, sep: str = "/") -> tuple[str, ...]:
    """Split a rule path on ``sep``; a backslash escapes the separator or itself."""
    parts: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "\\" and i + 1 < len(path) and (path.startswith(sep, i + 1) or path[i + 1] == "\\"):
            nxt = sep if path.startswith(sep, i + 1) else "\\"
            cur.append(nxt)
            i += 1 + len(nxt)
            continue
        if path.startswith(sep, i):
            parts.append("".join(cur).strip())
            cur = []
            i += len(sep)
            continue
        cur.append(ch)
        i += 1
    parts.append("".join(cur).strip())
    return tuple(parts)


def _target(value: Any, synonyms: Synonyms, src: str, where: str) -> str:
    text = str(value or "").strip()
    key = text.lower()
    if key in RULE_TARGETS:
        return key
    hit = synonyms.component(text) if text else None
    if hit:
        return hit
    raise UsageError(f"unknown component '{text}'", src, where,
                     hint="use one of: " + ", ".join(RULE_TARGETS) + " (or a component synonym)")


def _sub(value: Any, synonyms: Synonyms, src: str, where: str) -> Optional[str]:
    text = str(value or "").strip()
    if not text:
        return None
    if text.lower() in SUBCOMPONENTS:
        return text.lower()
    hit = synonyms.subcomponent(text)
    if hit:
        return hit
    raise UsageError(f"unknown subcomponent '{text}'", src, where,
                     hint="use one of: " + ", ".join(SUBCOMPONENTS) + " (or leave it empty)")


def _rule(item: Any, cfg: MappingConfig, src: str, where: str) -> list[Rule]:
    if not isinstance(item, dict):
        raise UsageError("a rule must be a mapping such as {path: ..., component: ...}", src, where)
    unknown = set(item) - {"path", "guid", "component", "subcomponent", "note"}
    if unknown:
        raise UsageError(f"unknown rule key(s): {', '.join(sorted(map(str, unknown)))}", src, where,
                         hint="a rule has path or guid, component, and optionally subcomponent and note")
    if ("path" in item) == ("guid" in item):
        raise UsageError("a rule needs exactly one of 'path' and 'guid'", src, where)
    comps = item.get("component")
    comps = comps if isinstance(comps, list) else [comps]
    sub = _sub(item.get("subcomponent"), cfg.synonyms, src, where)
    out = []
    for comp in comps:
        target = _target(comp, cfg.synonyms, src, where)
        if "guid" in item:
            out.append(Rule(target, guid=norm_guid(str(item["guid"])), raw=str(item["guid"]),
                            subcomponent=sub, note=item.get("note"), where=where))
        else:
            raw = str(item["path"])
            segs = split_rule_path(raw, cfg.separator)
            if not raw.strip() or any(s == "" for s in segs):
                raise UsageError(f"empty name in rule path '{raw}'", src, where,
                                 hint=f"names are joined with '{cfg.separator}' from the top-level code")
            out.append(Rule(target, path=segs, raw=raw, subcomponent=sub, note=item.get("note"), where=where))
    return out


def _policy(value: Any, src: str, where: str) -> Optional[str]:
    if value is None:
        return None
    text = str(value).strip().lower()
    if text not in UNMAPPED_POLICIES:
        raise UsageError(f"unknown unmapped setting '{value}'", src, where,
                         hint="use one of: " + ", ".join(UNMAPPED_POLICIES))
    return text


def mapping_from_dict(data: Any, source: str = "<mapping>") -> MappingConfig:
    """Build a :class:`MappingConfig` from the YAML structure documented in docs/cipp.md."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError("the mapping must be a YAML mapping (version, rules, ...)", source)
    known = {"version", "path_separator", "synonyms", "subcomponent_synonyms", "rules", "unmapped",
             "allow_multi_component"}
    unknown = set(data) - known
    if unknown:
        raise UsageError(f"unknown key(s): {', '.join(sorted(map(str, unknown)))}", source,
                         hint="allowed keys: " + ", ".join(sorted(known)))
    if data.get("version", 1) not in (1, "1"):
        raise UsageError(f"unsupported mapping version {data.get('version')!r}", source, hint="use version: 1")
    cfg = MappingConfig(source=source)
    cfg.separator = str(data.get("path_separator") or "/")
    syn, subsyn = data.get("synonyms") or {}, data.get("subcomponent_synonyms") or {}
    for name, table, allowed in (("synonyms", syn, COMPONENTS), ("subcomponent_synonyms", subsyn, SUBCOMPONENTS)):
        if not isinstance(table, dict) or any(k not in allowed or not isinstance(v, list) for k, v in table.items()):
            raise UsageError(f"'{name}' must map {'/'.join(allowed)} to lists of names", source, name)
    cfg.synonyms = default_synonyms().extended(syn, subsyn)
    cfg.unmapped = _policy(data.get("unmapped"), source, "unmapped")
    cfg.allow_multi_component = bool(data.get("allow_multi_component", True))
    rules = data.get("rules") or []
    if not isinstance(rules, list):
        raise UsageError("'rules' must be a list", source, "rules")
    for i, item in enumerate(rules, start=1):
        cfg.rules.extend(_rule(item, cfg, source, f"rule {i}"))
    return cfg


def _read_csv(text: str, source: str) -> MappingConfig:
    reader = csv.DictReader(io.StringIO(text))
    cols = [c.strip().lower() for c in (reader.fieldnames or [])]
    if "code_path" not in cols or "component" not in cols:
        raise UsageError("a CSV mapping needs the columns code_path,component[,subcomponent,note]", source,
                         "row 1")
    reader.fieldnames = cols
    cfg = MappingConfig(source=source)
    for row_no, row in enumerate(reader, start=2):
        path = (row.get("code_path") or "").strip()
        if not path and not (row.get("component") or "").strip():
            continue
        item = {"path": path, "component": row.get("component"), "subcomponent": row.get("subcomponent"),
                "note": row.get("note") or None}
        cfg.rules.extend(_rule(item, cfg, source, f"row {row_no}"))
    return cfg


def load_mapping(mapping: Union[str, Path, dict, MappingConfig, None]) -> MappingConfig:
    """Load a mapping: a ``.yaml``/``.yml``/``.csv`` file, a dict in the YAML structure, a ready
    :class:`MappingConfig`, or ``None`` (no rules, default synonyms)."""
    if mapping is None:
        return MappingConfig()
    if isinstance(mapping, MappingConfig):
        return mapping
    if isinstance(mapping, dict):
        return mapping_from_dict(mapping)
    path = Path(mapping)
    if not path.is_file():
        raise UsageError("mapping file not found", str(path), hint="check the --map path")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the mapping file ({exc})", str(path), hint="save it as UTF-8") from None
    if path.suffix.lower() in (".csv", ".tsv"):
        return _read_csv(text, str(path))
    try:
        data = safe_load(text)  # no aliases: a YAML alias bomb must not hang the run
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise UsageError(f"not valid YAML ({getattr(exc, 'problem', None) or exc})", str(path), where,
                         hint="check indentation and quote paths that contain ':' or '#'") from None
    return mapping_from_dict(data, str(path))


def describe_rules(cfg: MappingConfig) -> str:
    """A one-line description of a mapping for the Metadata sheet."""
    if not cfg.source:
        return "none (synonyms only)"
    return f"{cfg.source} ({len(cfg.rules)} rule(s))"


def normalised_policy(value: Optional[str]) -> Optional[str]:
    """Check an ``unmapped`` value given by the caller (``None`` = use the file's or ``other``)."""
    return _policy(value, "unmapped", "option") if value is not None else None


__all__ += ["describe_rules", "normalised_policy", "normalize"]
