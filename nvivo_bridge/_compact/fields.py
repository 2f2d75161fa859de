"""A selection's ``meta`` shared between equal ones, and its rarely set fields kept in one slot."""
from __future__ import annotations

from typing import Any

from .containers import LazyDict

__all__ = ["shared_meta", "meta_get", "meta_record", "rare_fields", "MetaDict"]


class _Meta(tuple):
    """A ``meta`` dict as stored: ``(keys, value, value…)`` with ``keys`` a shared tuple of names;
    selections with equal items hold the same object (see :func:`shared_meta`)."""

    __slots__ = ()


_META_KEEP = 4096
_metas: dict[tuple, _Meta] = {}
_meta_keys: dict[tuple, tuple] = {}


class MetaDict(LazyDict):
    """What reading a shared ``meta`` gives: a dict of its items; its first change stores it in
    its owner's slot (from then on the owner's own dict), so changes in place are kept."""

    __slots__ = ("_slot",)

    def _claim(self) -> dict:
        owner = getattr(self, "_owner", None)
        if owner is None:
            return self
        self._owner = None  # no reference cycle once stored
        held = self._slot.__get__(owner)
        if held.__class__ is _Meta:
            self._slot.__set__(owner, self)
            return self
        return held  # the owner got a dict of its own meanwhile: change that one


class _SharedMeta:
    """The ``meta`` attribute of selections (see :func:`shared_meta`)."""

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if value.__class__ is not _Meta:
            return value
        view = MetaDict(zip(value[0], value[1:]))
        view._owner, view._slot = obj, self.slot
        return view

    def __set__(self, obj: Any, value: Any) -> None:
        if value.__class__ in (dict, MetaDict):
            value = meta_record(value)
        self.slot.__set__(obj, value)


def meta_record(value: dict) -> Any:
    """What a selection's ``meta`` slot keeps of dict ``value``: the record shared by every equal
    one (a non-empty plain dict of text values), else the dict itself.  Readers may pass the
    record itself to ``Selection(meta=…)``; it is immutable, so one may serve many selections."""
    # Only a plain dict of text values is shared: it is what readers build, and a dict the
    # caller keeps no reference to (a MetaDict read from another selection is copied too).
    if not 0 < len(value) <= 8:
        return value
    key = tuple(value.items())
    shared = _metas.get(key)
    if shared is None:
        if not all(v.__class__ is str for v in value.values()):
            return value
        names = tuple(value)
        names = _meta_keys.setdefault(names, names)
        if len(_metas) >= _META_KEEP:  # recent ones are shared: codings come in sessions
            _metas.clear()
        shared = _metas[key] = _Meta((names, *value.values()))
    return shared


def shared_meta(cls: type) -> type:
    """Give dataclass ``cls`` a ``meta`` attribute whose equal contents are stored once.

    At 200,000 selections their ``meta`` dicts (creator, modifier and two dates each) were 37 MB,
    while a project has few distinct ones: a coder codes many passages in one session.  A plain
    dict of text values set on the attribute is kept as a shared immutable record; reading it
    gives a dict, which attaches itself to the selection on its first change.  Read a single
    value with :func:`meta_get`, which makes no dict."""
    cls.meta = _SharedMeta(cls.__dict__["meta"])
    return cls


def meta_get(obj: Any, key: str) -> Any:
    """``obj.meta.get(key)`` without making a dict of a shared ``meta``."""
    desc = type(obj).__dict__.get("meta")
    value = desc.slot.__get__(obj) if isinstance(desc, _SharedMeta) else obj.meta
    if value.__class__ is _Meta:
        try:
            return value[value[0].index(key) + 1]
        except ValueError:
            return None
    return value.get(key)


class _Rare:
    """A field kept in its owner's shared ``_more`` slot: ``None`` there when unset."""

    __slots__ = ("name", "more")

    def __init__(self, name: str, more: Any) -> None:
        self.name, self.more = name, more

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        try:
            more = self.more.__get__(obj, owner)
        except AttributeError:  # made by copy/pickle and not filled yet
            return None
        return None if more is None else more.get(self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        try:
            more = self.more.__get__(obj)
        except AttributeError:
            more = None
        if value is None:
            if more is not None:
                more.pop(self.name, None)
                if not more:
                    self.more.__set__(obj, None)
            else:
                self.more.__set__(obj, None)
            return
        if more is None:
            more = {}
            self.more.__set__(obj, more)
        more[self.name] = value


def rare_fields(*names: str) -> Any:
    """Class decorator: the fields ``names`` of a dataclass whose ``__slots__`` leave them out
    (and hold ``_more``) live in one dict in ``_more``, made only when one of them is set.

    A text selection never has a page, a region, sync points, a description or a representation:
    nine slots of ``None`` were 72 bytes per selection (14 MB at 200,000 codings).  Reading an
    unset one gives ``None``; the dataclass's fields, ``__init__``, ``replace``, ``==`` and
    ``repr`` are unchanged."""
    def decorate(cls: type) -> type:
        more = cls.__dict__["_more"]
        for name in names:
            setattr(cls, name, _Rare(name, more))
        return cls

    return decorate
