"""The KP Widyaiswara study coded by a team: R2 codes every transcript on its own, beside R1.

``build_team_project()`` takes the sample of :mod:`samples.kp_widyaiswara` (R1's coding, the one
re-coded I3 span of R2 removed) and adds R2's independent coding of all six transcripts, made by
a fixed rule over R1's codings, so that every kind of (dis)agreement appears and the numbers can
be checked by hand.  For R1's codings in document order, number ``i``:

* ``i % 6 in (0, 5)``: R2 codes the same span at the same code (agreement);
* ``i % 6 == 1``: the same code from 5 characters later (a segment that still agrees at 90 %
  when it is long enough);
* ``i % 6 == 2``: the same code on the first half only (a partial agreement);
* ``i % 6 == 3``: the same span at the next code of the codebook's order (a different code);
* ``i % 6 == 4``: nothing (R1 only).

R2 also codes, in I4, an answer R1 left uncoded (``Temuan Lain/Motivasi pribadi``).  No I/O,
deterministic.  Written by ``samples/make_sample.py`` to ``samples/kp-widyaiswara-team.qdpx``.
"""
from __future__ import annotations

from nvivo_bridge.model import Coding, Project, Selection

from samples.kp_widyaiswara import CODE_KEYS, R2, _g, build_project

__all__ = ["build_team_project"]

_WHEN = "2024-06-10T10:00:00Z"


def _r2(sel_n: int, cod_n: int, start: int, end: int, code: str) -> Selection:
    return Selection(_g("5e20", sel_n), kind="text", start=start, end=end,
                     meta={"creatingUser": R2, "creationDateTime": _WHEN},
                     codings=[Coding(_g("c0d2", cod_n), code, creating_user=R2, created=_WHEN)])


def build_team_project() -> Project:
    """The sample with R2's independent coding of every transcript (see the module doc)."""
    p = build_project()
    p.name = "KP Widyaiswara (team)"
    order = list(CODE_KEYS.values())
    i = n = 0
    for src in p.sources.values():
        own = [s for s in src.selections if s.creating_user != R2]
        added = []
        for sel in own:
            for coding in sel.codings:
                rule = i % 6
                i += 1
                a, b, code = sel.start, sel.end, coding.code
                if rule == 4:
                    continue
                if rule == 1:
                    a = min(a + 5, b - 1)
                elif rule == 2:
                    b = a + (b - a) // 2
                elif rule == 3:
                    code = order[(order.index(code) + 1) % len(order)]
                n += 1
                added.append(_r2(n, n, a, b, code))
        if src.name == "Wawancara_I4":
            text = src.text
            k = text.index("Pewawancara:", 10)
            n += 1
            added.append(_r2(n, n, k, k + 40, CODE_KEYS["T1"]))
        src.selections = own + added
    return p
