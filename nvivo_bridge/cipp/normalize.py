"""Code-name normalisation and the synonym tables that recognise CIPP components by name."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Optional

import yaml

__all__ = ["normalize", "name_candidates", "Synonyms", "default_synonyms"]

# Leading numbering or lettering: "1.", "1.2)", "A)", "a.", "I -", "IV." — a single letter or a
# roman numeral only counts when a delimiter follows, so "Input" keeps its "I".
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*(?:[.)]\s*|\s*[-:\u2013\u2014]\s*|\s+)"
                        r"|(?:[ivx]+|[a-z])[.)]\s*|(?:[ivx]+|[a-z])\s+[-:\u2013\u2014]\s*)")
_PAREN = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]\s*$")
_PREFIX = re.compile(r"^(?:evaluasi|evaluation|komponen|component|aspek|aspect|dimensi|dimension)\s+")
_SPACE = re.compile(r"\s+")


def _clean(text: str) -> str:
    text = _NUMBERING.sub("", text, count=1)
    text = _PREFIX.sub("", text.strip(), count=1)
    return _SPACE.sub(" ", text).strip()


def normalize(name: str) -> str:
    """Normalise a code name for synonym matching (the bare name, parenthetical removed)."""
    return name_candidates(name)[0]


@lru_cache(maxsize=65536)
def _candidates(name: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _SPACE.sub(" ", text).strip()
    text = _NUMBERING.sub("", text, count=1)
    paren: Optional[str] = None
    m = _PAREN.search(text)
    if m and m.start() > 0:
        paren = m.group(1)
        text = text[:m.start()]
    out = [_clean(text)]
    if paren is not None and _clean(paren):
        out.append(_clean(paren))
    return tuple(out)


def name_candidates(name: str) -> tuple[str, ...]:
    """The normalised forms of ``name`` to test against synonyms: the bare name, then the text
    of one trailing parenthetical (so ``Konteks (Context)`` gives ``konteks`` and ``context``)."""
    return _candidates(name or "")


class Synonyms:
    """Synonym → component and synonym → sub-component tables (keys normalised)."""

    def __init__(self, components: dict[str, list[str]], subcomponents: dict[str, list[str]]):
        self.components = {k: list(v) for k, v in components.items()}
        self.subcomponents = {k: list(v) for k, v in subcomponents.items()}
        self._comp = self._index(self.components)
        self._sub = self._index(self.subcomponents)

    @staticmethod
    def _index(table: dict[str, list[str]]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, words in table.items():
            out[normalize(key)] = key
            for w in words:
                out[normalize(str(w))] = key
        return out

    def extended(self, components: Optional[dict] = None, subcomponents: Optional[dict] = None) -> "Synonyms":
        """A copy with extra synonyms added (a mapping file's ``synonyms:``)."""
        comp = {k: list(v) for k, v in self.components.items()}
        sub = {k: list(v) for k, v in self.subcomponents.items()}
        for table, extra in ((comp, components or {}), (sub, subcomponents or {})):
            for key, words in extra.items():
                table.setdefault(key, []).extend(str(w) for w in words)
        return Synonyms(comp, sub)

    def component(self, name: str) -> Optional[str]:
        """The component a code or set name stands for, or ``None`` (exact match after normalisation)."""
        for cand in name_candidates(name):
            hit = self._comp.get(cand)
            if hit:
                return hit
        return None

    def subcomponent(self, name: str) -> Optional[str]:
        """The Product sub-component a code name stands for, or ``None``."""
        for cand in name_candidates(name):
            hit = self._sub.get(cand)
            if hit:
                return hit
        return None


@lru_cache(maxsize=1)
def default_synonyms() -> Synonyms:
    """The shipped synonym tables (``nvivo_bridge/data/cipp_synonyms.yaml``)."""
    raw = resources.files("nvivo_bridge").joinpath("data/cipp_synonyms.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    return Synonyms(data["components"], data["subcomponents"])
