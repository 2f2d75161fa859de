"""The UI words NVivo writes into its exports: English defaults plus user translations.

The defaults live in package data (``nvivo_bridge/data/nvivo_ui_words.yaml``).  A user whose NVivo
speaks another language passes ``ui_words`` in the read options: either a mapping of the same keys
to lists of words, or the path of a YAML file holding such a mapping.  Given words are added to the
defaults (never replace them) so an export mixing English and translated words still reads.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..._yaml import safe_load
from ...errors import UsageError

__all__ = ["Words", "load_words"]

KEYS = ("reference", "coverage", "references_coded", "page", "media", "video", "region",
        "source_folders", "code_folders", "case_folders", "unassigned", "not_applicable",
        "col_folder", "col_name", "col_description", "col_files", "col_references",
        "col_classification", "col_scope_item", "col_range_item")


@dataclass(frozen=True)
class Words:
    """Each key of the YAML file as a tuple of words; ``has(key, text)`` compares case-insensitively."""

    table: Mapping[str, tuple[str, ...]]

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self.table.get(key, ())

    def has(self, key: str, text: Any) -> bool:
        """Whether ``text`` (stripped, case-insensitive) is one of the words of ``key``."""
        if not isinstance(text, str):
            return False
        t = text.strip().casefold()
        return any(t == w.casefold() for w in self.table.get(key, ()))


@lru_cache(maxsize=1)
def _defaults() -> dict[str, tuple[str, ...]]:
    raw = resources.files("nvivo_bridge").joinpath("data/nvivo_ui_words.yaml").read_text("utf-8")
    data = yaml.safe_load(raw) or {}
    return {k: tuple(str(w) for w in data.get(k, ())) for k in KEYS}


def _user_table(spec: Any) -> Mapping[str, Any]:
    """The user's mapping, loading it from a YAML file when ``spec`` is a path."""
    if isinstance(spec, Mapping):
        return spec
    path = Path(str(spec))
    if path.exists() and not path.is_file():  # a FIFO would block, a device never end
        raise UsageError("the UI words file is not a regular file", str(path), hint="give a YAML file")
    try:
        data = safe_load(path.read_text("utf-8"))
    except UnicodeDecodeError:
        raise UsageError("the UI words file is not UTF-8", str(path), hint="save it as UTF-8") from None
    except OSError as exc:
        raise UsageError(f"cannot read the UI words file ({exc.strerror})", str(path),
                         hint="give the path of a YAML file, see docs/nvivo-exports.md") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"the UI words file is not valid YAML ({exc.__class__.__name__})", str(path),
                         hint="see nvivo_bridge/data/nvivo_ui_words.yaml for the layout") from None
    if not isinstance(data, Mapping):
        raise UsageError("the UI words file must hold a mapping of keys to lists of words", str(path),
                         hint="valid keys: " + ", ".join(KEYS))
    return data


def load_words(extra: Mapping[str, Any] | None) -> Words:
    """The words to use for a read: defaults plus ``extra["ui_words"]`` (mapping or YAML path)."""
    table = dict(_defaults())
    spec = (extra or {}).get("ui_words")
    if spec:
        user = _user_table(spec)
        unknown = [k for k in user if k not in KEYS]
        if unknown:
            raise UsageError(f"unknown UI word key(s): {', '.join(map(str, unknown))}",
                             hint="valid keys: " + ", ".join(KEYS))
        for key, value in user.items():
            more = [value] if isinstance(value, str) else list(value or ())
            table[key] = tuple(dict.fromkeys(list(table[key]) + [str(w) for w in more]))
    return Words(table)
