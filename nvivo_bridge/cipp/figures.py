"""Figures F1–F4 of the CIPP summary (matplotlib, Agg backend; PNG + SVG).

F1 references per component stacked by group value, annotated with the number of informants;
F2 one panel per component with its top 10 codes (Product ordered by sub-component);
F3 heatmap codes × group values, % of cases coded; F4 informant × component presence grid.
Codes with no references are left out of every figure.
"""
from __future__ import annotations

import io
import math
import textwrap
from pathlib import Path
from typing import Any, Iterator, Optional

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from .labels import SUBCOMPONENTS, label, text  # noqa: E402

__all__ = ["render", "images", "write_figures", "png_bytes", "code_labels", "FIGURES"]

FIGURES = {"F1": "F1_references_by_component", "F2": "F2_codes_per_component",
           "F3": "F3_matrix_heatmap", "F4": "F4_informant_presence"}
_COLORS = {"context": "#1F77B4", "input": "#FF7F0E", "process": "#2CA02C", "product": "#D62728", "other": "#7F7F7F"}


_F4_MAX = 40  # informants shown in F4
_F3_MAX = 40  # codes shown in F3
_FONT = 9  # smallest text in a figure, in points (figures are drawn at the size they are shown)


def _no_codings(res: Any, title: str) -> Any:
    """A small figure saying there is nothing to draw (no empty axes with a -0.04…0.04 scale)."""
    fig, ax = plt.subplots(figsize=(6.5, 1.4))
    ax.set_axis_off()
    ax.set_title(title, fontsize=11)
    ax.text(0.5, 0.4, text("no_codings", res.lang), ha="center", va="center", fontsize=11, color="#555555",
            transform=ax.transAxes)
    return fig


def _component_rows(ov: Any) -> Any:
    return ov[~ov["component"].isin(("total",) + SUBCOMPONENTS)]


def _f1(res: Any) -> Any:
    if not res.total_units:
        return _no_codings(res, text("chart_title", res.lang))
    ov = _component_rows(res.frame("overview")).iloc[::-1]
    fig, ax = plt.subplots(figsize=(6.5, 0.5 * len(ov) + 1.6))
    labels = ov["label"].tolist()
    group_cols = [c for c in ov.columns if c.startswith("references: ")]
    left = [0.0] * len(ov)
    cmap = plt.get_cmap("tab20")
    if group_cols:
        for i, col in enumerate(group_cols):
            vals = ov[col].astype(float).tolist()
            ax.barh(labels, vals, left=left, color=cmap(i % 20), label=col[len("references: "):])
            left = [a + b for a, b in zip(left, vals)]
        ax.legend(title=res.group_by[0], fontsize=_FONT, title_fontsize=_FONT, loc="lower right")
    else:
        left = ov["references"].astype(float).tolist()
        ax.barh(labels, left, color=[_COLORS.get(c, "#555555") for c in ov["component"]])
    for y, (x, n) in enumerate(zip(left, ov["cases"].tolist())):
        ax.text(x, y, f"  n = {n} {text('informants', res.lang)}", va="center", fontsize=_FONT)
    ax.set_xlabel(text("references", res.lang), fontsize=_FONT)
    ax.tick_params(labelsize=_FONT)
    ax.set_xlim(0, max(left + [1]) * 1.35)
    ax.set_title(text("chart_title", res.lang), fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def code_labels(res: Any, codes: list[str]) -> dict[str, str]:
    """A short label per code: its name, with its parent's name where two kept codes share the
    name (``Anggaran`` under Input and under Process), cut to fit a panel."""
    names = res.project.codes
    seen: dict[str, int] = {}
    for g in res.kept:
        seen[names[g].name] = seen.get(names[g].name, 0) + 1
    out = {}
    for g in codes:
        name = names[g].name
        par = res.assignment.parent.get(g)
        if seen.get(name, 0) > 1 and par:
            name = f"{name} ({names[par].name})"
        out[g] = "\n".join(textwrap.wrap(name, 24, max_lines=2, placeholder="\u2026")) or name
    return out


def _f2(res: Any) -> Any:
    if not res.total_units:
        return _no_codings(res, text("fig_f2", res.lang))
    c, sub = res.counts, res.assignment.subcomponent
    comps = list(res.rows)
    sub_rank = {s: i for i, s in enumerate(SUBCOMPONENTS)}
    ncol = 2 if len(comps) > 1 else 1
    nrow = math.ceil(len(comps) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(6.5 * ncol / 2 + (3.25 if ncol == 1 else 0), 3.2 * nrow),
                             squeeze=False)
    for ax in axes.flat[len(comps):]:
        ax.set_axis_off()
    for ax, comp in zip(axes.flat, comps):
        codes = [g for g in res.comp_codes[comp] if c.direct.get(g)]
        ranked = sorted(codes, key=lambda g: -len(c.direct[g]))[:10]
        if comp == "product":
            ranked.sort(key=lambda g: (sub_rank.get(sub.get(g), 9), -len(c.direct[g])))
        ax.set_title(label(comp, res.lang), fontsize=10)
        if not ranked:
            ax.set_axis_off()
            ax.text(0.5, 0.5, text("no_codings", res.lang), ha="center", va="center", fontsize=_FONT,
                    color="#555555", transform=ax.transAxes)
            continue
        ranked = ranked[::-1]
        names = code_labels(res, ranked)
        colors = [_COLORS.get(comp, "#555555")] * len(ranked)
        if comp == "product":  # one shade per part of Product, named in the labels
            shades = {None: "#D62728", "impact": "#E377C2", "effectiveness": "#D62728",
                      "sustainability": "#8C564B", "transportability": "#BCBD22"}
            colors = [shades.get(sub.get(g), "#D62728") for g in ranked]
            for g in ranked:
                if sub.get(g) and res.project.codes[g].name != label(sub[g], res.lang):
                    names[g] = f"{names[g]} [{label(sub[g], res.lang)}]"
        ax.barh(range(len(ranked)), [len(c.direct[g]) for g in ranked], color=colors)
        ax.set_yticks(range(len(ranked)), [names[g] for g in ranked], fontsize=_FONT)
        ax.set_ylim(-0.6, max(len(ranked), 4) - 0.4)  # one bar must not fill a whole panel
        ax.tick_params(axis="x", labelsize=_FONT)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel(text("references", res.lang), fontsize=_FONT)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def _f3(res: Any) -> Any:
    if not res.group_by:
        return None
    m = res.frame(f"matrix:{res.group_by[0]}")
    m = m[(m["row_type"] == "code") & (m["references: Total"] > 0)]
    pcols = [c for c in m.columns if c.startswith("cases %: ") and c != "cases %: Total"]
    if m.empty or not pcols:
        return None
    title = f"{text('matrix', res.lang)}: {res.group_by[0]}"
    if len(m) > _F3_MAX:
        # 200 rows of 9-point labels fill no page: the codes with most references, in tree order.
        keep = m["references: Total"].nlargest(_F3_MAX, keep="first").index
        title += f" ({text('f3_top', res.lang).format(n=_F3_MAX, of=len(m))})"
        m = m.loc[sorted(keep)]
    data = m[pcols].astype(float).fillna(0.0).to_numpy()
    fig, ax = plt.subplots(figsize=(3.2 + 1.1 * len(pcols), 0.3 * len(m) + 1.9))
    # Cells as a mesh, not an image: imshow resamples the matrix to the canvas's pixels in float
    # arrays (43 MB for the 40-row figure at 150 dpi); a mesh draws the same cells as polygons.
    rows, cols = data.shape
    im = ax.pcolormesh(np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5, data, cmap="Blues", vmin=0, vmax=100)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)  # first row at the top, as a table reads
    ax.set_xticks(range(len(pcols)), [c[len("cases %: "):] for c in pcols], rotation=30, ha="right", fontsize=_FONT)
    names = ["  " * (lvl - 1) + (n if len(n) <= 40 else n[:39] + "\u2026") for n, lvl in zip(m["code_name"], m["level"])]
    ax.set_yticks(range(len(m)), names, fontsize=_FONT)
    for (i, j), v in np.ndenumerate(data):
        ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=_FONT - 1, color="white" if v > 60 else "black")
    fig.colorbar(im, ax=ax, label=text("pct_cases", res.lang))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def _f4(res: Any) -> Any:
    p, c = res.project, res.counts
    cases = list(p.cases)
    if not cases:
        return None
    if not res.total_units:
        return _no_codings(res, text("fig_f4", res.lang))
    comps = res.rows
    counts = {(cg, comp): 0 for cg in cases for comp in comps}
    for comp in comps:
        for u in res.comp_units[comp]:
            for cg in c.unit_cases[u]:
                if (cg, comp) in counts:
                    counts[(cg, comp)] += 1
    title = text("fig_f4", res.lang)
    if len(cases) > _F4_MAX:
        # A grid of 2,000 informants is neither drawable nor readable: the most-referenced ones.
        total = {cg: sum(counts[(cg, comp)] for comp in comps) for cg in cases}
        keep = set(sorted(cases, key=lambda cg: -total[cg])[:_F4_MAX])
        title += f" ({text('f4_top', res.lang).format(n=_F4_MAX, of=len(cases))})"
        cases = [cg for cg in cases if cg in keep]
    top = max(counts.values()) or 1

    def size(n: int) -> float:
        return 40 + 400 * n / top

    fig, ax = plt.subplots(figsize=(1.1 * len(comps) + 3.6, 0.34 * len(cases) + 1.9))
    xs, ys, sizes = [], [], []
    for yi, cg in enumerate(cases):
        for xi, comp in enumerate(comps):
            n = counts[(cg, comp)]
            if n:
                xs.append(xi)
                ys.append(yi)
                sizes.append(size(n))
                ax.annotate(str(n), (xi, yi), ha="center", va="center", fontsize=_FONT - 1, color="white")
    ax.scatter(xs, ys, s=sizes, c=[_COLORS.get(comps[x], "#555555") for x in xs])
    ax.set_xticks(range(len(comps)), [label(k, res.lang) for k in comps], fontsize=_FONT)
    ax.set_yticks(range(len(cases)), [p.cases[g].name or g for g in cases], fontsize=_FONT)
    ax.set_xlim(-0.6, len(comps) - 0.4)
    ax.set_ylim(len(cases) - 0.4, -0.6)
    ax.set_ylabel(text("informant", res.lang), fontsize=_FONT)
    ax.set_title(title, fontsize=11)
    ax.grid(True, color="#DDDDDD", linewidth=0.5)
    ax.set_axisbelow(True)
    steps = sorted({1, max(1, top // 2), top})
    handles = [ax.scatter([], [], s=size(n), color="#999999") for n in steps]
    ax.legend(handles, [str(n) for n in steps], title=text("dot_size", res.lang), fontsize=_FONT,
              title_fontsize=_FONT, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
              labelspacing=1.3, borderpad=0.8)
    fig.tight_layout()
    return fig


def render(res: Any) -> dict[str, Any]:
    """Build the figures that have data: ``{"F1": Figure, …}`` (F3/F4 need attributes/cases)."""
    return dict(_each(res))


def _each(res: Any) -> Iterator[tuple[str, Any]]:
    """``(id, Figure)`` for each figure with data, drawn when asked for."""
    for key, fn in (("F1", _f1), ("F2", _f2), ("F3", _f3), ("F4", _f4)):
        fig = fn(res)
        if fig is not None:
            yield key, fig


def png_bytes(fig: Any, dpi: int = 150) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def images(res: Any, formats: tuple = ("png",)) -> dict[str, dict[str, bytes]]:
    """Draw every figure once and keep it as bytes: ``{"F1": {"png": b"…", "svg": b"…"}, …}``.

    The figures folder, the HTML and the Word report share one drawing (matplotlib is the slow
    part of a small project's run)."""
    out: dict[str, dict[str, bytes]] = {}
    # One figure at a time, closed before the next is drawn: the four at once, with their
    # canvases, were about 90 MB at 200,000 codings.
    for key, fig in _each(res):
        try:
            out[key] = {}
            for ext in formats:
                buf = io.BytesIO()
                fig.savefig(buf, format=ext, dpi=150, bbox_inches="tight",
                            metadata={"Date": None} if ext == "svg" else None)
                out[key][ext] = buf.getvalue()
        finally:
            plt.close(fig)
    return out


def write_figures(res: Any, folder: Path, drawn: Optional[dict] = None) -> list[Path]:
    """Write each figure as ``<id>_<name>.png`` and ``.svg`` into ``folder``; return the paths.
    ``drawn`` is :func:`images` output with both formats, when the caller has it already."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    drawn = drawn if drawn is not None else images(res, ("png", "svg"))
    written = []
    for key, data in drawn.items():
        for ext in ("png", "svg"):
            path = folder / f"{FIGURES[key]}.{ext}"
            path.write_bytes(data[ext])
            written.append(path)
    return written
