"""Read the canonical JSON dump written by :mod:`nvivo_bridge.writers.json` back into a Project.

Decoding is driven by the model's type annotations, so every field the model has is restored
without a hand-kept list.  A value of the wrong type is a :class:`ReadError` naming its JSON
path (``$.sources[1].selections[0].start``); an unknown key (a dump from a newer version) is
skipped with a ``json-unknown-field`` warning.  Blob paths that are relative are resolved
against the JSON file's folder, mirroring how the writer made them relative.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as _dt
import json as _json
import re
import typing
from pathlib import Path
from typing import Any, Callable, Optional

from .. import model as _model
from ..errors import Diagnostics, Issue, ReadError
from ..model import Blob, Project
from ..options import ReadOptions

__all__ = ["read", "loads", "from_data"]

FORMAT_NAME = "nvivo-bridge-model"
SUPPORTED_VERSIONS = (1,)
_KEYED = {"users": "guid", "codes": "guid", "variables": "guid", "cases": "guid", "sources": "guid",
          "notes": "guid", "links": "guid", "sets": "guid", "graphs": "guid", "tables": "name"}

_PLANS: dict[type, dict[str, Any]] = {}
#: Deepest nesting of an untyped value (extras, table cells); deeper is a ReadError, not a crash.
MAX_ANY_DEPTH = 100


def _plan(cls: type) -> dict[str, Any]:
    """Field name → resolved type annotation for dataclass ``cls`` (cached)."""
    plan = _PLANS.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls, vars(_model))
        plan = {f.name: hints[f.name] for f in dataclasses.fields(cls)}
        _PLANS[cls] = plan
    return plan


class _Decoder:
    """Type-directed decoding of the dump; ``where`` strings are JSON paths for error messages."""

    def __init__(self, path: str, diag: Diagnostics, folder: Optional[Path]):
        self.path = path
        self.diag = diag
        self.folder = folder

    def fail(self, where: str, what: str) -> ReadError:
        """The error for a value that does not fit the model."""
        return ReadError(what, self.path, where,
                         hint="the file is not a dump written by nvivo-bridge, or it was edited by hand")

    def obj(self, cls: type, data: Any, where: str, skip: tuple[str, ...] = ()) -> Any:
        """Decode one dataclass instance of ``cls``."""
        if not isinstance(data, dict):
            raise self.fail(where, f"expected an object for {cls.__name__}, found {type(data).__name__}")
        plan = _plan(cls)
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key in skip or key.startswith("$"):
                continue
            hint = plan.get(key)
            if hint is None:
                self.diag.warn("json-unknown-field", f"unknown field '{key}' of {cls.__name__} ignored",
                               f"{where}.{key}")
                continue
            kwargs[key] = self.value(hint, value, f"{where}.{key}")
        try:
            obj = cls(**kwargs)
        except TypeError as exc:  # a required field is missing
            raise self.fail(where, f"incomplete {cls.__name__}: {exc}") from None
        if isinstance(obj, Blob):
            self.resolve(obj)
        return obj

    def resolve(self, blob: Blob) -> None:
        """Make the Blob's relative paths absolute against the dump's folder."""
        for attr in ("archive", "file"):
            p = getattr(blob, attr)
            if p and self.folder is not None and not Path(p).is_absolute():
                setattr(blob, attr, str(self.folder / p))

    def value(self, hint: Any, data: Any, where: str) -> Any:
        """Decode ``data`` as type ``hint``."""
        origin = typing.get_origin(hint)
        if origin is typing.Union:
            if data is None:
                return None
            args = [a for a in typing.get_args(hint) if a is not type(None)]
            return self.value(args[0], data, where)
        if hint is Any:
            return self.any(data, where)
        if origin is list:
            if not isinstance(data, list):
                raise self.fail(where, f"expected a list, found {type(data).__name__}")
            (arg,) = typing.get_args(hint)
            return [self.value(arg, x, f"{where}[{i}]") for i, x in enumerate(data)]
        if origin is dict:
            if not isinstance(data, dict):
                raise self.fail(where, f"expected an object, found {type(data).__name__}")
            arg = typing.get_args(hint)[1]
            return {k: self.value(arg, x, f"{where}.{k}") for k, x in data.items()}
        if dataclasses.is_dataclass(hint):
            return self.obj(hint, data, where)
        if hint is bool:
            if not isinstance(data, bool):
                raise self.fail(where, f"expected true/false, found {data!r}")
            return data
        if hint is int:
            if isinstance(data, bool) or not isinstance(data, int):
                raise self.fail(where, f"expected an integer, found {data!r}")
            return data
        if hint is str:
            if not isinstance(data, str):
                raise self.fail(where, f"expected a string, found {data!r}")
            return data
        if hint is bytes:
            value = self.any(data, where)
            if not isinstance(value, bytes):  # a writer would fail on it much later
                raise self.fail(where, 'expected {"$bytes": "<base64>"}, found ' + type(data).__name__)
            return value
        return self.any(data, where)

    def any(self, data: Any, where: str, depth: int = 0) -> Any:
        """Decode an untyped value (extras, table cells), undoing the ``$`` encodings."""
        if depth > MAX_ANY_DEPTH and isinstance(data, (list, dict)):
            # The JSON parser accepts ~1000 levels; a recursive decoder (and the writers) would not.
            raise self.fail(where, f"values nested deeper than {MAX_ANY_DEPTH} levels")
        if isinstance(data, list):
            return [self.any(x, f"{where}[{i}]", depth + 1) for i, x in enumerate(data)]
        if isinstance(data, dict):
            if len(data) == 1:
                (key, raw), = data.items()
                if key in ("$bytes", "$datetime", "$date", "$time", "$float"):
                    return self.special(key, raw, where)
            return {k: self.any(x, f"{where}.{k}", depth + 1) for k, x in data.items()}
        return data

    def special(self, key: str, raw: Any, where: str) -> Any:
        """Decode one ``{"$kind": text}`` value."""
        try:
            if key == "$bytes":
                return base64.b64decode(raw, validate=True)
            if key == "$datetime":
                return _dt.datetime.fromisoformat(raw)
            if key == "$date":
                return _dt.date.fromisoformat(raw)
            if key == "$time":
                return _dt.time.fromisoformat(raw)
            return float(raw)
        except (TypeError, ValueError, binascii.Error):
            raise self.fail(where, f"bad {key} value {raw!r}") from None


class _Bad(Exception):
    """Raised by the fast decoder on anything unexpected; the located slow decoder then runs."""


def _check(t: type) -> Callable[[Any], Any]:
    def conv(v: Any) -> Any:
        if type(v) is not t:
            raise _Bad
        return v
    return conv


class _FastDecoder:
    """Decoders compiled once per type annotation, without per-value location strings: a dump of
    200,000 codings decodes in about a second.  Any surprise raises :class:`_Bad`, and the item is
    decoded again by :class:`_Decoder`, which names the place of the problem."""

    def __init__(self, slow: _Decoder):
        self.slow = slow
        self.cache: dict[Any, Callable[[Any], Any]] = {}

    def conv(self, hint: Any) -> Callable[[Any], Any]:
        """The decoder for values of type ``hint``."""
        key = hint if not isinstance(hint, type) or not dataclasses.is_dataclass(hint) else ("obj", hint)
        got = self.cache.get(key)
        if got is None:
            got = self.cache[key] = self._build(hint)
        return got

    def _build(self, hint: Any) -> Callable[[Any], Any]:
        origin = typing.get_origin(hint)
        if origin is typing.Union:
            (arg,) = [a for a in typing.get_args(hint) if a is not type(None)]
            inner = self.conv(arg)
            return lambda v: None if v is None else inner(v)
        if hint in (str, int, bool):
            return _check(hint)
        if origin is list:
            inner = self.conv(typing.get_args(hint)[0])

            def lst(v: Any) -> list:
                if type(v) is not list:
                    raise _Bad
                return [inner(x) for x in v]
            return lst
        if origin is dict:
            inner = self.conv(typing.get_args(hint)[1])

            def dct(v: Any) -> dict:
                if type(v) is not dict:
                    raise _Bad
                return {k: inner(x) for k, x in v.items()}
            return dct
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self._obj(hint)
        if hint is bytes:
            def raw(v: Any) -> bytes:
                out = self.slow.any(v, "$")
                if not isinstance(out, bytes):
                    raise _Bad
                return out
            return raw
        return lambda v: self.slow.any(v, "$")

    def _obj(self, cls: type) -> Callable[[Any], Any]:
        convs: dict[str, Callable[[Any], Any]] = {}

        def dec(v: Any) -> Any:
            if not convs:
                convs.update({name: self.conv(h) for name, h in _plan(cls).items()})
            if type(v) is not dict:
                raise _Bad
            try:
                obj = cls(**{k: convs[k](x) for k, x in v.items()})
            except (KeyError, TypeError):
                raise _Bad from None
            if cls is Blob:
                self.slow.resolve(obj)
            return obj
        return dec


def from_data(data: Any, diag: Diagnostics, path: str = "<json>", folder: Optional[Path] = None) -> Project:
    """Build a Project from the parsed JSON ``data`` of a dump."""
    dec = _Decoder(path, diag, folder)
    fast = _FastDecoder(dec)
    if not isinstance(data, dict) or data.get("$format") != FORMAT_NAME:
        raise ReadError("not an nvivo-bridge model dump (no \"$format\": \"nvivo-bridge-model\")", path,
                        hint="only JSON written by `nvivo-bridge convert … -o x.json` can be read")
    if data.get("$version") not in SUPPORTED_VERSIONS:
        raise ReadError(f"unsupported dump version {data.get('$version')!r}", path,
                        hint="upgrade nvivo-bridge to read this file")
    project = dec.obj(Project, data, "$", skip=tuple(_KEYED) + ("issues", "source_file"))
    plan = _plan(Project)
    for name, key in _KEYED.items():
        items = data.get(name, [])
        if not isinstance(items, list):
            raise dec.fail(f"$.{name}", f"expected a list, found {type(items).__name__}")
        (item_type,) = [a for a in typing.get_args(plan[name]) if a is not str]
        coll = getattr(project, name)
        fast_item = fast.conv(item_type)
        for i, item in enumerate(items):
            try:
                obj = fast_item(item)
            except _Bad:
                obj = dec.obj(item_type, item, f"$.{name}[{i}]")
            ident = getattr(obj, key)
            if ident in coll:
                diag.warn("json-duplicate-key", f"{name}: '{ident}' appears twice; the last one is kept",
                          f"$.{name}[{i}]")
            coll[ident] = obj
    for i, raw in enumerate(data.get("issues") or []):
        issue = dec.obj(Issue, raw, f"$.issues[{i}]")
        project.issues.append(issue)
        # Re-report them so that ``nvivo_bridge.read`` (which rebuilds ``issues`` from the
        # diagnostics) keeps what the original reader found.
        diag.add(issue.level, issue.code, issue.message, issue.location)
    return project


def loads(text: str, diag: Optional[Diagnostics] = None, path: str = "<json>") -> Project:
    """Parse a dump from a string (the inverse of :func:`nvivo_bridge.writers.json.dumps`)."""
    try:
        data = _json.loads(text)
    except _json.JSONDecodeError as exc:
        raise ReadError(f"invalid JSON: {exc.msg}", path, f"line {exc.lineno} column {exc.colno}",
                        hint="the file is damaged or not JSON") from None
    return from_data(data, diag if diag is not None else Diagnostics(), path)


def read(path: Path, diag: Diagnostics, options: ReadOptions) -> Project:
    """Read a canonical JSON dump; relative Blob paths are resolved against its folder."""
    path = Path(path)
    from ._safe import check_regular_file
    check_regular_file(path)
    try:
        size = path.stat().st_size
        if size > options.limits.max_member_bytes:
            raise ReadError(f"the file is too large ({size} bytes)", str(path),
                            hint="raise Limits.max_member_bytes if the file is trusted")
        with open(path, "rb") as fh:  # within the limit even if the file grew since it was looked at
            raw = fh.read(options.limits.max_member_bytes + 1)[: options.limits.max_member_bytes]
    except OSError as exc:
        raise ReadError(f"cannot read the file ({exc.strerror})", str(path), hint="check the path") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError("the file is not UTF-8", str(path), f"byte {exc.start}",
                        hint="only JSON written by nvivo-bridge can be read") from None
    try:
        data = _json.loads(text)
    except (_json.JSONDecodeError, RecursionError) as exc:
        where = f"line {exc.lineno} column {exc.colno}" if isinstance(exc, _json.JSONDecodeError) else None
        raise ReadError(f"invalid JSON: {getattr(exc, 'msg', 'nested too deeply')}", str(path), where,
                        hint="the file is damaged or not JSON") from None
    if _SURROGATE_ESCAPE.search(text):
        _repair_surrogates(data, diag, str(path))
    project = from_data(data, diag, str(path), path.parent.resolve())
    return project


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _repair_surrogates(data: Any, diag: Diagnostics, path: str) -> None:
    """Replace lone surrogates (``"\\ud800"`` escapes without their pair: valid JSON, but no
    UTF-8, XML or Excel file can hold them) by U+FFFD in place, one code point for one."""
    fixed = 0

    def fix(s: str) -> str:
        nonlocal fixed
        new, n = _SURROGATE.subn("\ufffd", s)
        fixed += n
        return new

    stack = [data]
    while stack:  # iterative: the nesting may be as deep as the JSON parser allows
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            if isinstance(value, str):
                if _SURROGATE.search(value):
                    node[key] = fix(value)
            elif isinstance(value, (dict, list)):
                stack.append(value)
            if isinstance(node, dict) and isinstance(key, str) and _SURROGATE.search(key):
                node[fix(key)] = node.pop(key)
    if fixed:
        diag.warn("lone-surrogate-replaced", f"{fixed} lone surrogate escape(s) (\\udXXX without its pair) read "
                  "as U+FFFD", path)
