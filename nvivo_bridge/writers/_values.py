"""Lexical checks and repairs for values written into REFI-QDA XML (GUIDs, colours, dates, numbers).

The model keeps values as they were read; the schema is strict.  Each function returns the value
to write, or ``None`` to leave the attribute out, and reports a repair to the diagnostics.
"""
from __future__ import annotations

import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Optional

from ..errors import Diagnostics

__all__ = ["GuidFormatter", "color", "datetime_value", "typed_value", "VALUE_ELEMENTS"]

_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")
_COLOR6 = re.compile(r"^#[0-9a-fA-F]{6}$")
_COLOR3 = re.compile(r"^#[0-9a-fA-F]{3}$")
_TZ = r"(Z|[+-]\d\d:\d\d)?"
_DATETIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?" + _TZ + "$")
_DATE = re.compile(r"^-?\d{4,}-\d\d-\d\d" + _TZ + "$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_BOOLEAN = {"true": "true", "false": "false", "1": "1", "0": "0", "yes": "true", "no": "false"}
# A fixed namespace so that a GUID the schema would reject is replaced by the same new GUID
# every time (deterministic output), and references to it are replaced alike.
_REPAIR_NS = uuid.UUID("6f1a3f1e-3b59-4c53-9f0e-6e7669766f62")

VALUE_ELEMENTS = {"Text": "TextValue", "Boolean": "BooleanValue", "Integer": "IntegerValue",
                  "Float": "FloatValue", "Date": "DateValue", "DateTime": "DateTimeValue"}


class GuidFormatter:
    """Writes model GUIDs in the profile's letter case; replaces ones the schema would reject."""

    def __init__(self, case: str, diag: Diagnostics):
        self.upper = case == "upper"
        self.diag = diag
        self._memo: dict[str, str] = {}

    def __call__(self, guid: Optional[str]) -> Optional[str]:
        """The written form of ``guid`` (``None`` stays ``None``; an empty one gets a new GUID)."""
        if guid is None:
            return None
        if not guid:
            # An object read without a GUID (a broken file, a hand-edited dump): the schema requires
            # one, and lxml refuses a None attribute.  Each gets its own, so none collide.
            out = str(uuid.uuid4())
            self.diag.warn("guid-missing", f"an element without a GUID was written with the new GUID {out}")
            return out.upper() if self.upper else out
        out = self._memo.get(guid)
        if out is None:
            bare = guid.strip().strip("{}")
            if _GUID.match(bare):
                out = bare
            else:
                out = str(uuid.uuid5(_REPAIR_NS, guid))
                self.diag.warn("guid-replaced", f"'{guid}' is not a GUID the schema accepts; written as {out}",
                               guid)
            out = out.upper() if self.upper else out.lower()
            self._memo[guid] = out
        return out


def color(value: Optional[str], diag: Diagnostics, where: str) -> Optional[str]:
    """``#RRGGBB`` (upper case) or ``None``; ``#RGB`` is expanded, anything else is dropped."""
    if not value:
        return None
    v = value.strip()
    if _COLOR6.match(v):
        return v.upper()
    if _COLOR3.match(v):
        return ("#" + "".join(c * 2 for c in v[1:])).upper()
    diag.warn("color-dropped", f"colour {value!r} is not #RRGGBB and was left out", where)
    return None


def datetime_value(value: Optional[str], diag: Diagnostics, where: str) -> Optional[str]:
    """An ``xsd:dateTime`` lexical value, or ``None`` (with a warning) for anything else."""
    if not value:
        return None
    v = value.strip()
    if _DATETIME.match(v):
        return v
    if _DATE.match(v):  # a bare date: midnight keeps the information and is valid
        return v[:10] + "T00:00:00" + v[10:]
    diag.warn("datetime-dropped", f"date {value!r} is not an xsd:dateTime and was left out", where)
    return None


def typed_value(vtype: str, value: str, diag: Diagnostics, where: str) -> tuple[str, str]:
    """``(element, text)`` for a variable value of ``vtype``; a value that does not fit its type is
    written as ``TextValue`` (so nothing is lost) with a warning."""
    v = value.strip()
    ok: Optional[str] = None
    if vtype == "Text":
        return "TextValue", value
    if vtype == "Boolean":
        ok = _BOOLEAN.get(v.lower())
    elif vtype == "Integer":
        ok = v if _INTEGER.match(v) else None
    elif vtype == "Float":
        try:
            d = Decimal(v)
            ok = format(d, "f") if d.is_finite() else None
        except InvalidOperation:
            ok = None
    elif vtype == "Date":
        ok = v if _DATE.match(v) else None
    elif vtype == "DateTime":
        ok = v if _DATETIME.match(v) else None
    if ok is None:
        diag.warn("value-type-mismatch", f"value {value!r} is not a valid {vtype}; written as text", where)
        return "TextValue", value
    return VALUE_ELEMENTS.get(vtype, "TextValue"), ok
