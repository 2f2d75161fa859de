"""Figures F1–F4 of the CIPP summary (matplotlib, Agg backend; PNG + SVG).

F1 references per component stacked by group value, annotated with the number of informants;
F2 one panel per component with its top 10 codes (Product ordered by sub-component);
F3 heatmap codes × group values, % of cases coded; F4 informant × component presence grid.
Codes with no references are left out of every figure.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from .labels import SUBCOMPONENTS, label, text  # noqa: E402

__all__ = ["render", "write_figures", "png_bytes", "FIGURES"]

FIGURES = {"F1": "F1_references_by_component", "F2": "F2_codes_per_component",
           "F3": "F3_matrix_heatmap", "F4": "F4_informant_presence"}
_COLORS = {"context": "#1F77B4", "input": "#FF7F0E", "process": "#2CA02C", "product": "#D62728", "other": "#7F7F7F"}


def _f1(res: Any) -> Any:
    ov = res.frame("overview")
    ov = ov[ov["component"] != "total"].iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(ov) + 1.6))
    labels = ov["label"].tolist()
    group_cols = [c for c in ov.columns if c.startswith("references: ")]
    left = [0.0] * len(ov)
    cmap = plt.get_cmap("tab20")
    if group_cols:
        for i, col in enumerate(group_cols):
            vals = ov[col].astype(float).tolist()
            ax.barh(labels, vals, left=left, color=cmap(i % 20), label=col[len("references: "):])
            left = [a + b for a, b in zip(left, vals)]
        ax.legend(title=res.group_by[0], fontsize=8, loc="lower right")
    else:
        left = ov["references"].astype(float).tolist()
        ax.barh(labels, left, color=[_COLORS.get(c, "#555555") for c in ov["component"]])
    for y, (x, n) in enumerate(zip(left, ov["cases"].tolist())):
        ax.text(x, y, f"  n = {n} {text('informants', res.lang)}", va="center", fontsize=8)
    ax.set_xlabel(text("references", res.lang))
    ax.set_xlim(0, max(left + [1]) * 1.3)
    ax.set_title(text("chart_title", res.lang))
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _f2(res: Any) -> Any:
    detail = res.frame("detail")
    comps = [c for c in res.rows]
    fig, axes = plt.subplots(1, len(comps), figsize=(4.2 * len(comps), 4.8), squeeze=False)
    sub_rank = {s: i for i, s in enumerate(SUBCOMPONENTS)}
    for ax, comp in zip(axes[0], comps):
        rows = detail[detail["component"].str.split("; ").map(lambda cs, c=comp: c in cs)
                      & (detail["refs_direct"] > 0)]
        rows = rows.sort_values("refs_direct", ascending=False, kind="stable").head(10)
        if comp == "product":
            rows = rows.assign(_s=rows["subcomponent"].map(lambda s: sub_rank.get(s, 9)))
            rows = rows.sort_values(["_s", "refs_direct"], ascending=[True, False], kind="stable")
        rows = rows.iloc[::-1]
        names = [n if len(n) <= 32 else n[:31] + "\u2026" for n in rows["code_name"]]
        ax.barh(range(len(rows)), rows["refs_direct"], color=_COLORS.get(comp, "#555555"))
        ax.set_yticks(range(len(rows)), names, fontsize=8)
        ax.set_title(label(comp, res.lang))
        ax.set_xlabel(text("references", res.lang), fontsize=8)
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
    data = m[pcols].astype(float).fillna(0.0).to_numpy()
    fig, ax = plt.subplots(figsize=(2.2 + 1.1 * len(pcols), 0.32 * len(m) + 1.8))
    im = ax.imshow(data, cmap="Blues", vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(len(pcols)), [c[len("cases %: "):] for c in pcols], rotation=30, ha="right", fontsize=8)
    names = ["  " * (lvl - 1) + n for n, lvl in zip(m["code_name"], m["level"])]
    ax.set_yticks(range(len(m)), names, fontsize=7)
    for (i, j), v in __import__("numpy").ndenumerate(data):
        ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=6, color="white" if v > 60 else "black")
    fig.colorbar(im, ax=ax, label=text("pct_cases", res.lang))
    ax.set_title(f"{text('matrix', res.lang)}: {res.group_by[0]}")
    fig.tight_layout()
    return fig


def _f4(res: Any) -> Any:
    p, c = res.project, res.counts
    cases = list(p.cases)
    if not cases:
        return None
    comps = res.rows
    counts = {(cg, comp): 0 for cg in cases for comp in comps}
    for comp in comps:
        for u in res.comp_units[comp]:
            for cg in c.unit_cases[u]:
                if (cg, comp) in counts:
                    counts[(cg, comp)] += 1
    fig, ax = plt.subplots(figsize=(1.3 * len(comps) + 2.5, 0.45 * len(cases) + 1.6))
    xs, ys, sizes = [], [], []
    for yi, cg in enumerate(cases):
        for xi, comp in enumerate(comps):
            n = counts[(cg, comp)]
            if n:
                xs.append(xi)
                ys.append(yi)
                sizes.append(60 + 60 * n)
                ax.annotate(str(n), (xi, yi), ha="center", va="center", fontsize=7, color="white")
    ax.scatter(xs, ys, s=sizes, c=[_COLORS.get(comps[x], "#555555") for x in xs])
    ax.set_xticks(range(len(comps)), [label(k, res.lang) for k in comps])
    ax.set_yticks(range(len(cases)), [p.cases[g].name or g for g in cases])
    ax.set_xlim(-0.6, len(comps) - 0.4)
    ax.set_ylim(len(cases) - 0.4, -0.6)
    ax.set_ylabel(text("informant", res.lang))
    ax.grid(True, color="#DDDDDD", linewidth=0.5)
    ax.set_axisbelow(True)
    fig.tight_layout()
    return fig


def render(res: Any) -> dict[str, Any]:
    """Build the figures that have data: ``{"F1": Figure, …}`` (F3/F4 need attributes/cases)."""
    out = {}
    for key, fn in (("F1", _f1), ("F2", _f2), ("F3", _f3), ("F4", _f4)):
        fig = fn(res)
        if fig is not None:
            out[key] = fig
    return out


def png_bytes(fig: Any, dpi: int = 150) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def write_figures(res: Any, folder: Path) -> list[Path]:
    """Write each figure as ``<id>_<name>.png`` and ``.svg`` into ``folder``; return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for key, fig in render(res).items():
        try:
            for ext in ("png", "svg"):
                path = folder / f"{FIGURES[key]}.{ext}"
                fig.savefig(path, format=ext, dpi=150, bbox_inches="tight", metadata={"Date": None}
                            if ext == "svg" else None)
                written.append(path)
        finally:
            plt.close(fig)
    return written
