"""Canonical JSON dump of the whole model (pandoc's "native" idea: used for golden tests).

The dump is deterministic: object keys are sorted, collections keep document order (the
GUID-keyed dicts of :class:`~nvivo_bridge.model.Project` become lists), fields equal to their
default are left out (so adding an optional field to the model does not change old dumps), and
nothing about the conversion itself (time, input path) is written.

Encodings that plain JSON lacks:

* ``bytes`` (``Blob.data``) → ``{"$bytes": "<base64>"}``;
* ``datetime``/``date``/``time`` values in tables → ``{"$datetime"|"$date"|"$time": "<iso>"}``;
* non-finite floats → ``{"$float": "nan"|"inf"|"-inf"}``.

``Project.source_file`` is not written (it is where the project was read from, not part of it);
``Project.issues`` are written, so a dump of a project read from a file records what the
reader reported.  Blob paths (``archive``, ``file``) under ``base`` are written relative to it.
"""
from __future__ import annotations

import base64
import re
import dataclasses
import datetime as _dt
import json as _json
import math
import os
from pathlib import Path
from typing import Any, Optional

import orjson

from .._io import write_bytes
from ..errors import Diagnostics, WriteError
from ..model import Blob, Project
from ..options import WriteOptions

__all__ = ["dumps", "write", "to_data", "FORMAT_NAME", "FORMAT_VERSION"]

FORMAT_NAME = "nvivo-bridge-model"
FORMAT_VERSION = 1

# Project fields that are runtime facts about one reading, not content of the project.
_SKIP_PROJECT = {"source_file"}
# Project collections keyed by GUID (or name for tables) that are written as lists.
_KEYED = {"users", "codes", "variables", "cases", "sources", "notes", "links", "sets", "graphs", "tables"}

_FIELDS_CACHE: dict[type, list[tuple[str, Any]]] = {}


def _defaults(cls: type) -> list[tuple[str, Any]]:
    """``(name, default)`` for each field of dataclass ``cls``; ``default`` is a factory result."""
    cached = _FIELDS_CACHE.get(cls)
    if cached is None:
        cached = []
        for f in dataclasses.fields(cls):
            if f.default is not dataclasses.MISSING:
                cached.append((f.name, f.default))
            elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
                cached.append((f.name, f.default_factory()))  # type: ignore[misc]
            else:
                cached.append((f.name, dataclasses.MISSING))
        _FIELDS_CACHE[cls] = cached
    return cached


_MODEL_TYPES: set[type] = set()


class _Encoder:
    """Turns model objects into plain JSON-able data."""

    def __init__(self, base: Optional[Path]):
        self.base = os.path.abspath(base) if base is not None else None

    def path(self, value: Optional[str]) -> Optional[str]:
        """A Blob path, relative to ``base`` when it lies under it (``/`` separators)."""
        if value is None or self.base is None:
            return value
        absolute = os.path.abspath(value)
        try:
            rel = os.path.relpath(absolute, self.base)
        except ValueError:  # other drive on Windows
            return value
        if rel.startswith(".."):
            return value
        return rel.replace(os.sep, "/")

    def obj(self, value: Any, skip: frozenset = frozenset()) -> dict:
        """Encode one dataclass instance, leaving out fields equal to their default."""
        out: dict[str, Any] = {}
        enc = self.value
        for name, default in _defaults(type(value)):
            v = getattr(value, name)
            if default is not dataclasses.MISSING and (v is default or v == default):
                continue
            if name in skip:
                continue
            t = type(v)
            out[name] = v if t is str or t is int or t is bool else enc(v)
        if type(value) is Blob:
            for key in ("archive", "file"):
                if key in out:
                    out[key] = self.path(out[key])
        return out

    def value(self, v: Any) -> Any:
        """Encode any value found in the model."""
        t = type(v)
        if v is None or t is str or t is bool or t is int:
            return v
        if t in _MODEL_TYPES:
            return self.obj(v)
        if t is list or t is tuple:
            return [self.value(x) for x in v]
        if t is dict:
            return {str(k): self.value(x) for k, x in v.items()}
        if isinstance(v, float):
            if math.isfinite(v):
                return v
            return {"$float": "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")}
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            _MODEL_TYPES.add(t)
            return self.obj(v)
        if isinstance(v, (str, int)):  # subclasses (str enums, numpy ints are handled below)
            return v
        if isinstance(v, (list, tuple)):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {str(k): self.value(x) for k, x in v.items()}
        if isinstance(v, (bytes, bytearray)):
            return {"$bytes": base64.b64encode(bytes(v)).decode("ascii")}
        if isinstance(v, _dt.datetime):
            return {"$datetime": v.isoformat()}
        if isinstance(v, _dt.date):
            return {"$date": v.isoformat()}
        if isinstance(v, _dt.time):
            return {"$time": v.isoformat()}
        if hasattr(v, "item"):  # numpy / pandas scalars from table readers
            return self.value(v.item())
        raise WriteError(f"cannot write a value of type {type(v).__name__} to JSON",
                         hint="report this: a reader put an unexpected value into the model")


def to_data(project: Project, base: Optional[Path] = None) -> dict:
    """The JSON-able form of ``project`` (see the module docstring for the conventions)."""
    enc = _Encoder(base)
    body = enc.obj(project, skip=frozenset(_SKIP_PROJECT | _KEYED))
    for name in sorted(_KEYED):
        coll = getattr(project, name)
        if coll:
            body[name] = [enc.obj(item) for item in coll.values()]
    body["$format"] = FORMAT_NAME
    body["$version"] = FORMAT_VERSION
    return body


def dumps(project: Project, base: Optional[Path] = None) -> str:
    """The canonical JSON text of ``project``: sorted keys, two-space indent, UTF-8, final newline.

    orjson makes a 200,000-coding dump take a fraction of a second (the standard library's
    indenting encoder is pure Python); both give the same text."""
    data = to_data(project, base)
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode("utf-8") + "\n"
    except TypeError:  # an integer beyond 64 bits in a table cell
        return _json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


_SURROGATE = re.compile("[\ud800-\udfff]")


def write(project: Project, path: Path, diag: Diagnostics, options: WriteOptions) -> dict[str, int]:
    """Write the canonical dump of ``project`` to ``path`` (atomically); Blob paths relative to its folder."""
    path = Path(path)
    text = dumps(project, base=path.parent)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (from a hand-edited dump or a library caller) cannot be UTF-8; each
        # becomes U+FFFD, one code point for one, so text positions stay right.
        fixed, n = _SURROGATE.subn("\ufffd", text)
        diag.warn("lone-surrogate-replaced", f"{n} lone surrogate character(s) written as U+FFFD", str(path))
        data = fixed.encode("utf-8")
    write_bytes(path, data, "the JSON dump")
    counts = project.counts()
    counts["tables"] = len(project.tables)
    return counts
