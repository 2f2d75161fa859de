"""The checks behind ``nvivo-bridge validate`` and ``nvivo-bridge info`` (``docs/validate-info.md``).

- :mod:`.validate`: :func:`validate_path`, schema validation of REFI-QDA files plus the model checks;
- :mod:`.rules` (with :mod:`.parts`): :func:`check_project`, the checks the schema cannot make;
- :mod:`.info`: :func:`project_info` and :func:`format_info`, the project summary.

``from nvivo_bridge.checks import validate_path`` works; :mod:`.validate` (and lxml with it) is
imported only when one of its names is first asked for, so ``info`` alone stays light.
"""
from __future__ import annotations

from typing import Any

from .info import format_info, project_info
from .rules import CHECK_CODES, check_project

__all__ = ["validate_path", "check_project", "problems", "SCHEMA_FILES", "CHECK_CODES", "project_info",
           "format_info"]

_FROM_VALIDATE = ("validate_path", "problems", "SCHEMA_FILES")


def __getattr__(name: str) -> Any:
    if name in _FROM_VALIDATE:
        from . import validate
        return getattr(validate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
