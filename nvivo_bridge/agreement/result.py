"""Putting the measures together: :func:`compute` returns an :class:`AgreementResult`."""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Iterable, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from ..errors import Diagnostics, UsageError
from ..model import Project, norm_guid
from .alpha import code_keys, domain_alpha
from .extract import Extract, extract
from .intervals import merge
from .kappa import code_source, group_weighted, weighted
from .segments import Stretches, disagreements, segments

__all__ = ["AgreementResult", "Frames", "compute", "by_group", "SHEETS", "SUMMARY_COLUMNS", "GROUP_COLUMNS"]

SHEETS = ["Summary", "Code x Source", "Segments", "Disagreements", "Coders", "Warnings"]
SUMMARY_COLUMNS = ["scope", "code_path", "coder_a", "coder_b", "kappa_weighted", "agreement_pct_weighted", "alpha",
                   "kappa_weighted_coded", "sources", "sources_coded", "units", "segments_agreeing",
                   "segment_agreement_pct", "kappa_bp"]
GROUP_COLUMNS = ["group", "coders", "alpha", "kappa_weighted", "agreement_pct_weighted"]
CODER_COLUMNS = ["coder", "codings", "codes", "sources", "characters_coded"]


class Frames(MutableMapping):
    """The result's DataFrames by sheet name, in sheet order.  ``Disagreements`` is built on first
    access (its excerpts are cut from the texts then); writers take it a slice at a time through
    :meth:`chunks`, so writing never holds every excerpt at once."""

    def __init__(self, items: Mapping) -> None:
        self._data = dict(items)

    def __getitem__(self, name: str) -> pd.DataFrame:
        value = self._data[name]
        if isinstance(value, Stretches):
            value = self._data[name] = value.frame()
        return value

    def __setitem__(self, name: str, value: Any) -> None:
        self._data[name] = value

    def __delitem__(self, name: str) -> None:
        del self._data[name]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def rows(self, name: str) -> int:
        """Number of rows of a frame, without building it."""
        return len(self._data[name])

    def chunks(self, name: str, size: int = 20_000):
        """A frame as consecutive DataFrames of at most ``size`` rows (at least one)."""
        value = self._data[name]
        if isinstance(value, Stretches):
            yield from value.chunks(size)
        else:
            yield value

    def raw(self, name: str) -> Any:
        """The stored value: a DataFrame, or the ``Stretches`` a ``Disagreements`` frame is built from."""
        return self._data[name]


@dataclass
class AgreementResult:
    """The agreement tables (``frames``: a :class:`Frames` mapping of DataFrames named as the
    sheets) and the ``issues`` met.

    The other attributes keep what :func:`by_group` and the report need: the extract, the
    per-code-and-coder unions (``merged``: code, coder, start, end), the compared ``pairs`` and
    the ``overlap`` used."""

    frames: dict
    issues: list
    ex: Any = None
    merged: tuple = ()
    own_merged: tuple = ()
    pairs: list = field(default_factory=list)
    overlap: float = 90.0
    aggregate: bool = False

    @property
    def coders(self) -> list:
        """The compared coders' names."""
        return list(self.ex.coders) if self.ex is not None else []


def _merged(ex: Extract, mask: Optional[np.ndarray] = None) -> tuple:
    nc = max(len(ex.coders), 1)
    code, coder, start, end = ex.code, ex.coder, ex.start, ex.end
    if mask is not None:
        code, coder, start, end = code[mask], coder[mask], start[mask], end[mask]
    g, s, e = merge(code * nc + coder, start, end)
    return g // nc, g % nc, s, e


def _text_only(ex: Extract, merged: tuple) -> tuple[tuple, np.ndarray]:
    """Intervals and coder presence restricted to text (character) spaces: alpha's units."""
    is_text = np.asarray([u == "characters" for u in ex.spaces.unit], dtype=bool)
    offset = np.asarray(ex.spaces.offset, dtype=np.int64)
    if len(merged[0]):
        sp = np.searchsorted(offset, merged[2], side="right") - 1
        keep = is_text[sp]
        merged = tuple(x[keep] for x in merged)
    return merged, ex.present & is_text[None, :]


def _domains(ex: Extract, row_codes: np.ndarray) -> dict:
    """Top-level code path → compared code indexes under it (itself included), for the top-level
    codes that have compared codes below them (a lone code's domain alpha is its own)."""
    proj = ex.project
    index = {g: i for i, g in enumerate(ex.codes)}
    out: dict = {}
    for i in row_codes.tolist():
        g = ex.codes[i]
        anc = proj.ancestors(g)
        top = anc[-1].guid if anc else g
        out.setdefault(top, []).append(i)
    return {proj.code_paths()[t] if t in proj.codes else t: np.asarray(v, dtype=np.int64)
            for t, v in out.items() if any(i != index.get(t) for i in v)}


def _coders_frame(ex: Extract, own: np.ndarray) -> pd.DataFrame:
    rows = []
    is_text = np.asarray([u == "characters" for u in ex.spaces.unit], dtype=bool)
    offset = np.asarray(ex.spaces.offset, dtype=np.int64)
    merged = _merged(ex, own)
    for k, name in enumerate(ex.coders):
        mine = ex.coder[own] == k
        sp = np.searchsorted(offset, ex.start[own][mine], side="right") - 1
        mm = merged[1] == k
        # Characters coded at any code: the union over codes of this coder's text intervals.
        _, s, e = merge(np.zeros(int(mm.sum()), dtype=np.int64), merged[2][mm], merged[3][mm])
        text_sp = np.searchsorted(offset, s, side="right") - 1
        chars = int((e - s)[is_text[text_sp]].sum()) if len(s) else 0
        rows.append((name, int(mine.sum()), int(len(np.unique(ex.code[own][mine]))),
                     int(len(np.unique(np.asarray(ex.spaces.source_guid, dtype=object)[sp]))) if len(sp) else 0,
                     chars))
    return pd.DataFrame(rows, columns=CODER_COLUMNS)


def _summary(res: AgreementResult, cs: pd.DataFrame, seg: pd.DataFrame, row_codes: np.ndarray) -> pd.DataFrame:
    ex = res.ex
    keys = code_keys(len(ex.codes))
    text_merged, text_present = _text_only(ex, res.merged)
    own_text, _ = _text_only(ex, res.own_merged)
    per_code = weighted(cs, ["code_path", "coder_a", "coder_b"]) if len(cs) else pd.DataFrame(
        columns=["code_path", "coder_a", "coder_b"])
    # Unions come sorted by code, so each code's intervals are one slice (no search per code).
    lo = np.searchsorted(text_merged[0], row_codes, side="left")
    hi = np.searchsorted(text_merged[0], row_codes, side="right")
    alphas = {ex.code_paths[c]: domain_alpha(ex, tuple(x[a:b] for x in text_merged), None, text_present, keys)
              for c, a, b in zip(row_codes.tolist(), lo.tolist(), hi.tolist())}
    per_code.insert(0, "scope", "code")
    per_code["alpha"] = per_code["code_path"].map(alphas)
    domains = _domains(ex, row_codes)
    frames = [per_code]
    if domains and len(cs):
        # One grouping over every row, keyed by the row's domain (a code is in one domain).
        domain_of = {ex.code_paths[c]: p for p, m in domains.items() for c in m.tolist()}
        cat = cs["code_path"].cat
        per_category = pd.Categorical([domain_of.get(c) for c in cat.categories], categories=list(domains))
        d = weighted(cs, ["code_path", "coder_a", "coder_b"],
                     code_path=pd.Categorical.from_codes(np.asarray(per_category.codes)[cat.codes.to_numpy()],
                                                         categories=list(domains)))
        order = {p: i for i, p in enumerate(domains)}
        d = d.sort_values("code_path", key=lambda col: col.map(order), kind="stable", ignore_index=True)
        d.insert(0, "scope", "domain")
        d["alpha"] = d["code_path"].map({p: domain_alpha(ex, own_text, m, text_present, keys)
                                         for p, m in domains.items()})
        frames.append(d)
    if len(cs):
        d = weighted(cs, ["code_path", "coder_a", "coder_b"], code_path="(all codes)")
        d.insert(0, "scope", "project")
        d["alpha"] = domain_alpha(ex, own_text, None, text_present, keys)
        frames.append(d)
    out = pd.concat(frames, ignore_index=True)
    # Segment counts: a code's own Segments row; a domain sums its codes' rows; the project row
    # sums them all (joins on the pair, not a loop over rows).
    seg_codes = seg[seg["code_path"] != "(all codes)"]
    pair = ["coder_a", "coder_b"]
    counts = ["agreeing", "a_only", "b_only"]
    domain_of = {ex.code_paths[c]: p for p, m in domains.items() for c in m.tolist()}
    parts = [seg_codes[["code_path"] + pair + counts].assign(scope="code"),
             seg_codes.assign(code_path=seg_codes["code_path"].map(domain_of)).dropna(subset=["code_path"])
             .groupby(["code_path"] + pair, as_index=False)[counts].sum().assign(scope="domain"),
             seg_codes.groupby(pair, as_index=False)[counts].sum().assign(code_path="(all codes)", scope="project")]
    found = out[["scope", "code_path"] + pair].merge(pd.concat(parts, ignore_index=True),
                                                     on=["scope", "code_path"] + pair, how="left")
    agreeing = found["agreeing"].fillna(0).to_numpy(dtype=np.int64)
    n = agreeing + found["a_only"].fillna(0).to_numpy(dtype=np.int64) + found["b_only"].fillna(0).to_numpy(dtype=np.int64)
    q = len(row_codes)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = np.where(n > 0, agreeing / np.maximum(n, 1), np.nan)
    out["segments_agreeing"] = agreeing
    out["segment_agreement_pct"] = 100.0 * p_o
    out["kappa_bp"] = (p_o - 1.0 / q) / (1.0 - 1.0 / q) if q > 1 else np.nan
    return out.reindex(columns=SUMMARY_COLUMNS)


def _start(project: Project, diag: Diagnostics, *, coders: Optional[Sequence[str]] = None,
           codes: Optional[Iterable[str]] = None, aggregate: bool = False, overlap: float = 90.0
           ) -> tuple[AgreementResult, np.ndarray, Optional[np.ndarray]]:
    """The part of :func:`compute` every measure needs: the extract, the per-coder unions, the
    coder pairs (on a result without frames yet), the compared codes and the mask of the
    coders' own codings (see :func:`~.extract.extract`)."""
    if not 0 < overlap <= 100:
        raise UsageError(f"--overlap must be a percentage above 0 and at most 100, not {overlap}")
    ex, own = extract(project, coders=coders, codes=codes, aggregate=aggregate, diag=diag)
    res = AgreementResult(Frames({}), [], ex, overlap=overlap, aggregate=aggregate)
    res.merged = _merged(ex)
    res.own_merged = _merged(ex, own) if aggregate else res.merged
    res.pairs = list(combinations(range(len(ex.coders)), 2))
    row_codes = (np.arange(len(ex.codes), dtype=np.int64) if codes is not None
                 else np.unique(res.merged[0]).astype(np.int64))
    if len(row_codes) == 0:
        raise UsageError("the compared coders made no codings that can be counted", project.source_file,
                         hint="see the warnings above: codings need text positions, media times or regions")
    return res, row_codes, own


def compute(project: Project, *, coders: Optional[Sequence[str]] = None, codes: Optional[Iterable[str]] = None,
            aggregate: bool = False, overlap: float = 90.0) -> AgreementResult:
    """Compute every agreement table of ``project`` (see :func:`nvivo_bridge.agreement`)."""
    diag = Diagnostics()
    res, row_codes, own = _start(project, diag, coders=coders, codes=codes, aggregate=aggregate, overlap=overlap)
    ex = res.ex
    for sp in np.flatnonzero(np.asarray(ex.spaces.total) == 0).tolist():
        diag.warn("agreement-empty-source", f"'{ex.spaces.source_name[sp]}' has no {ex.spaces.unit[sp]} to count; "
                  "it is left out", ex.spaces.source_name[sp])
    big = int(ex.spaces.offset[-1] + ex.spaces.total[-1] + 1) if len(ex.spaces) else 1
    cs = code_source(ex, res.merged, row_codes, res.pairs)
    unit = np.asarray(ex.spaces.unit, dtype=object)
    offset = np.asarray(ex.spaces.offset, dtype=np.int64)
    seg_mask = np.isin(unit[np.searchsorted(offset, res.merged[2], side="right") - 1], ["characters", "ms"]) \
        if len(res.merged[0]) else np.zeros(0, dtype=bool)
    seg = segments(ex, res.merged, seg_mask, row_codes, res.pairs, overlap, big)
    if (~seg_mask).any():
        diag.info("agreement-regions-no-segments", "picture and PDF regions count in Code x Source and the "
                  "weighted kappa but not in Segments (a region is not a stretch)")
    res.frames = Frames({"Summary": _summary(res, cs, seg, row_codes), "Code x Source": cs, "Segments": seg,
                         "Disagreements": disagreements(ex, res.merged, row_codes, res.pairs, big),
                         "Coders": _coders_frame(ex, own)})
    res.issues = diag.finish()
    res.frames["Warnings"] = pd.DataFrame([(i.level, i.code, i.message, i.location) for i in res.issues],
                                          columns=["level", "code", "message", "location"])
    return res


def by_group(project: Project, groups: Mapping[str, Sequence[str]], **options: Any) -> pd.DataFrame:
    """Agreement per group of codes (e.g. a CIPP component → its code GUIDs): one row per group
    and coder pair with ``group, coders, alpha, kappa_weighted, agreement_pct_weighted``.

    ``alpha`` takes the group's codes as the values (own codings, all compared coders); the
    weighted kappa and agreement average the group's Code x Source rows by source size.  Options
    are those of :func:`compute` (``coders``, ``aggregate``…)."""
    # Every code is compared, as in the Summary: a group's weighted kappa then averages the rows
    # of its codes that were coded, the same rows the Summary's domain rows average.  Only the
    # unions are computed: no Code x Source, Segments or Disagreements frame (cipp calls this on
    # projects of hundreds of thousands of codings).
    res, row_codes, _ = _start(project, Diagnostics(), **options)
    ex = res.ex
    keys = code_keys(len(ex.codes))
    index = {g: i for i, g in enumerate(ex.codes)}
    _, text_present = _text_only(ex, res.merged)
    own_text, _ = _text_only(ex, res.own_merged)
    members = [np.asarray(sorted({index[norm_guid(g)] for g in guids if norm_guid(g) in index}), dtype=np.int64)
               for guids in groups.values()]
    kw = group_weighted(ex, res.merged, row_codes, res.pairs, members)
    rows = []
    for k, (name, m) in enumerate(zip(groups, members)):
        a = domain_alpha(ex, own_text, m, text_present, keys) if len(m) else np.nan
        for p, (i, j) in enumerate(res.pairs):
            rows.append((name, f"{ex.coders[i]} × {ex.coders[j]}", a, kw[k, p, 0], kw[k, p, 1]))
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)
