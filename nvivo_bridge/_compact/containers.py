"""Empty ``note_refs``/``extras`` containers left unallocated until their first change."""
from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["lazy_empty", "LazyList", "LazyDict"]


def _claim(lazy: Any) -> Any:
    """The container a change to ``lazy`` must go to: ``lazy`` itself, stored in its owner's
    unset slot by this first change, or whatever the slot holds if it was set meanwhile."""
    owner = getattr(lazy, "_owner", None)
    if owner is None:
        return lazy
    name = lazy._name
    lazy._owner = None  # no reference cycle once stored
    try:
        return object.__getattribute__(owner, name)
    except AttributeError:
        object.__setattr__(owner, name, lazy)
        return lazy


class LazyList(list):
    """The empty list read from an unset ``note_refs`` slot; its first change stores it there."""

    __slots__ = ("_owner", "_name")

    def append(self, item: Any) -> None:
        """``list.append``, after attaching the list to its owner."""
        list.append(_claim(self), item)

    def extend(self, items: Any) -> None:
        """``list.extend``, after attaching the list to its owner."""
        list.extend(_claim(self), items)

    def insert(self, index: Any, item: Any) -> None:
        """``list.insert``, after attaching the list to its owner."""
        list.insert(_claim(self), index, item)

    def __setitem__(self, index: Any, value: Any) -> None:
        list.__setitem__(_claim(self), index, value)

    def __iadd__(self, items: Any) -> Any:
        target = _claim(self)
        list.extend(target, items)
        return target

    def __reduce__(self) -> Any:
        return list, (list(self),)  # copies and pickles are plain lists


class LazyDict(dict):
    """The empty dict read from an unset ``extras`` slot; its first change stores it there.

    Every change goes through :meth:`_claim`, which a subclass may give another rule of where the
    dict belongs (:class:`~.fields.MetaDict`)."""

    __slots__ = ("_owner", "_name")

    def _claim(self) -> dict:
        return _claim(self)

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self._claim(), key, value)

    def __delitem__(self, key: Any) -> None:
        dict.__delitem__(self._claim(), key)

    def pop(self, *args: Any) -> Any:
        """``dict.pop``, after attaching the dict to its owner."""
        return dict.pop(self._claim(), *args)

    def popitem(self) -> Any:
        """``dict.popitem``, after attaching the dict to its owner."""
        return dict.popitem(self._claim())

    def clear(self) -> None:
        """``dict.clear``, after attaching the dict to its owner."""
        dict.clear(self._claim())

    def update(self, *args: Any, **kwargs: Any) -> None:
        """``dict.update``, after attaching the dict to its owner."""
        dict.update(self._claim(), *args, **kwargs)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        """``dict.setdefault``, after attaching the dict to its owner."""
        return dict.setdefault(self._claim(), key, default)

    def __ior__(self, other: Any) -> Any:
        target = self._claim()
        dict.update(target, other)
        return target

    def __reduce__(self) -> Any:
        return dict, (dict(self),)  # copies and pickles are plain dicts


def lazy_empty(**kinds: type) -> Any:
    """Class decorator: the slots named in ``kinds`` (``name=LazyList`` or ``name=LazyDict``) may
    stay unset, and then read as an empty container that attaches itself on its first change.

    A selection or coding almost never has notes or unknown attributes, and at 200,000 of each the
    two empty containers per object are about 50 MB.  The class's ``__init__`` leaves such a slot
    unset when it gets ``None``.
    """
    def getattr_(self: Any, name: str) -> Any:
        kind = kinds.get(name)
        if kind is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        empty = kind()
        empty._owner, empty._name = self, name
        return empty

    def decorate(cls: type) -> type:
        names = [f.name for f in dataclasses.fields(cls)]

        def getstate(self: Any) -> dict[str, Any]:
            # Only the slots that are set: a copy or unpickled object gets its own empty containers
            # (a read-out LazyList would still point at the original object).
            state = {}
            for name in names:
                try:
                    state[name] = object.__getattribute__(self, name)
                except AttributeError:
                    pass
            return state

        def setstate(self: Any, state: dict[str, Any]) -> None:
            for name, value in state.items():
                object.__setattr__(self, name, value)

        cls.__getattr__ = getattr_
        cls.__getstate__ = getstate
        cls.__setstate__ = setstate
        return cls

    return decorate
