"""The CIPP mapping decided on the page, kept as the mapping file ``cipp --map`` reads.

The page starts from the automatic mapping (sets and top-level code names, exactly as ``cipp``
without ``--map``) and records only what the researcher changes: one rule per code whose
component was chosen by hand.  Those rules are the ``rules`` list of the documented YAML
structure; it is parsed by :func:`nvivo_bridge.cipp.mapping_from_dict` (so the page and
``cipp --map`` apply the very same rules) and written with PyYAML.  The summary, the overview and
the figures come from :func:`nvivo_bridge.cipp.build` with that mapping.
"""
from __future__ import annotations

import atexit
import threading
from typing import Any, Optional

import yaml

from ..cipp import COMPONENTS, build, load_mapping, mapping_from_dict
from ..cipp.assign import Assignment, assign
from ..cipp.summary import CippResult
from ..model import Project

__all__ = ["MappingState", "CHOICES", "FIGURE_KEYS", "FIGURE_LOCK"]

#: What a code can be set to on the page ("" = inherit / automatic).
CHOICES = COMPONENTS + ("other", "exclude")
_GLOB = set("*?[")
FIGURE_KEYS = ("F1", "F2", "F3", "F4")
FIGURE_LOCK = threading.Lock()  # matplotlib's pyplot state is not thread-safe


def _quiesce() -> None:
    """At exit, wait for a figure being drawn: killing a daemon thread inside matplotlib's C++
    code aborts the process ("terminate called without an active exception")."""
    FIGURE_LOCK.acquire(timeout=60)


atexit.register(_quiesce)


class MappingState:
    """The researcher's per-code choices for one project, and the summary they give."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.choices: dict[str, str] = {}     # code guid → component chosen on the page
        self.version = 0
        self._lock = threading.RLock()
        self.auto: Assignment = assign(project, load_mapping(None))
        self._result: Optional[tuple[int, str, CippResult]] = None
        self._fig_key: Optional[tuple[int, str]] = None
        self._fig_done = threading.Event()
        self._fig_data: dict[str, bytes] = {}

    # -- the mapping --------------------------------------------------------------------------
    def set_choice(self, guid: str, component: str) -> None:
        """Choose ``component`` for code ``guid`` (``""`` goes back to automatic / inherited)."""
        if guid not in self.auto.path:
            raise KeyError(guid)
        if component and component not in CHOICES:
            raise ValueError(component)
        with self._lock:
            if component:
                self.choices[guid] = component
            else:
                self.choices.pop(guid, None)
            self.version += 1

    def as_dict(self) -> dict:
        """The mapping in the documented YAML structure (version, rules, unmapped)."""
        a = self.auto
        paths = list(a.path.values())
        rules: list[dict] = []
        for g in a.order:  # tree order keeps the file readable
            comp = self.choices.get(g)
            if not comp:
                continue
            path = a.path[g]
            # A path rule is what a researcher reads and edits; a name with glob characters or a
            # path two codes share could match the wrong code, so those get a GUID rule.
            if _GLOB & set(path) or paths.count(path) > 1:
                rules.append({"guid": g, "component": comp, "note": path})
            else:
                rules.append({"path": path, "component": comp})
        return {"version": 1, "rules": rules, "unmapped": "other"}

    def yaml_text(self) -> str:
        """The mapping file's text; checked by parsing it back as ``cipp --map`` would."""
        text = ("# CIPP mapping made with nvivo-bridge web; use it with: nvivo-bridge cipp INPUT --map FILE\n"
                + yaml.safe_dump(self.as_dict(), sort_keys=False, allow_unicode=True, width=1000))
        from .._yaml import safe_load
        mapping_from_dict(safe_load(text), "<web mapping>")
        return text

    def effective(self) -> Assignment:
        """Each code's component(s) under the current choices."""
        return assign(self.project, mapping_from_dict(self.as_dict(), "<web mapping>"))

    # -- the summary --------------------------------------------------------------------------
    def result(self, lang: str) -> CippResult:
        """The CIPP summary under the current choices (cached per version and language)."""
        with self._lock:
            cached = self._result
            if cached is not None and cached[0] == self.version and cached[1] == lang:
                return cached[2]
            version = self.version
            res = build(self.project, mapping_from_dict(self.as_dict(), "<web mapping>"), lang=lang)
            self._result = (version, lang, res)
            return res

    def figures(self, lang: str, wait: bool = True) -> dict[str, bytes]:
        """PNG bytes of figures F1–F4 for the current choices.  Drawing them takes seconds on a
        large code tree (F3 has a cell per code and group), so they are drawn in a background
        thread once per mapping version and language; ``wait=False`` only starts that."""
        key = (self.version, lang)
        with self._lock:
            if self._fig_key != key:
                self._fig_key, self._fig_done, self._fig_data = key, threading.Event(), {}
                threading.Thread(target=self._draw, args=(lang, self._fig_data, self._fig_done),
                                 daemon=True).start()
            done, data = self._fig_done, self._fig_data
        if wait:
            done.wait(600)
        return data

    def _draw(self, lang: str, out: dict, done: threading.Event) -> None:
        from ..cipp.figures import png_bytes, render

        try:
            res = self.result(lang)
            with FIGURE_LOCK:
                import matplotlib.pyplot as plt
                for name, fig in render(res).items():
                    try:
                        out[name] = png_bytes(fig, dpi=90)
                    finally:
                        plt.close(fig)
        except Exception:  # noqa: BLE001 - a figure that cannot be drawn is left out, the page goes on
            pass
        finally:
            done.set()

    def tree_rows(self, lang: str = "en") -> list[dict[str, Any]]:
        """The code tree as the mapping page lists it: level, name, path, automatic and current
        component (as keys and in the page's words), the page's own choice, and the code's
        number of codings."""
        from .i18n import components_label

        a, eff = self.auto, self.effective()
        refs: dict[str, int] = {}
        for _src, _sel, coding in self.project.iter_codings():
            refs[coding.code] = refs.get(coding.code, 0) + 1
        rows = []
        for g in a.order:
            rows.append({"guid": g, "level": a.level[g], "name": self.project.codes[g].name, "path": a.path[g],
                         "auto": "+".join(a.components[g]) or "", "auto_origin": a.origin[g],
                         "current": "+".join(eff.components[g]) or "", "choice": self.choices.get(g, ""),
                         "references": refs.get(g, 0),
                         "auto_label": components_label(lang, "+".join(a.components[g])),
                         "current_label": components_label(lang, "+".join(eff.components[g]))})
        return rows
