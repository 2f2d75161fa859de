"""Inter-coder agreement: NVivo's Coding Comparison (Cohen's kappa per code × source), Krippendorff's
alpha at character level, MAXQDA's segment agreement, and where coders disagree.  See
docs/agreement.md for every formula and its source.

The module itself is callable, so ``nvivo_bridge.agreement(project)`` works however it was
imported (``import nvivo_bridge.agreement.kappa`` included), beside
``nvivo_bridge.agreement.by_group``, ``write_workbook``, ``write_csv`` and ``write_report``.
This file imports nothing heavy: numpy and pandas load on the first call.
"""
from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

__all__ = ["agreement", "by_group", "write_workbook", "write_csv", "write_report", "from_inputs"]


def agreement(project: Any, *, coders: Optional[Sequence[str]] = None, codes: Optional[Iterable[str]] = None,
              aggregate: bool = False, overlap: float = 90.0) -> Any:
    """Compare the coders of ``project``; return an ``AgreementResult`` with ``.frames`` (the
    DataFrames ``Summary``, ``Code x Source``, ``Segments``, ``Disagreements``, ``Coders``,
    ``Warnings``) and ``.issues``.

    ``coders`` names two or more coders (user names, ids or GUIDs; default every coder with
    codings), ``codes`` limits the comparison to these code paths or GUIDs, ``aggregate`` counts
    a code's descendants' codings at it too, ``overlap`` is the percentage a segment must be
    covered by the other coder to agree.  Raises :class:`~nvivo_bridge.errors.UsageError` for one
    coder only, no codings, or an unknown coder (the message lists the coders that exist)."""
    from .result import compute

    return compute(project, coders=coders, codes=codes, aggregate=aggregate, overlap=overlap)


def by_group(project: Any, groups: Mapping[str, Sequence[str]], **options: Any) -> Any:
    """Agreement per group of codes: a DataFrame with ``group, coders, alpha, kappa_weighted,
    agreement_pct_weighted`` (``groups`` maps a name, e.g. a CIPP component, to code GUIDs)."""
    from .result import by_group as _by_group

    return _by_group(project, groups, **options)


def from_inputs(paths: Sequence[Any], *, read_options: Optional[dict] = None, labels: Optional[list] = None) -> Any:
    """Read one project, or several (one per coder) merged by ``nvivo_bridge.merge``; return
    ``(project, issues)``.  Inputs that share coder names get the coder from the file name."""
    from ..api import read

    projects = [read(p, **(read_options or {})) for p in paths]
    if len(projects) == 1:
        return projects[0], list(projects[0].issues)
    try:
        from ..merge import merge
    except ImportError:
        from ..errors import UsageError
        raise UsageError("several inputs need the merge of projects (nvivo_bridge.merge), which this "
                         "installation lacks", hint="merge the projects first, or give one project") from None
    names = [{u.name or u.id or g for g, u in p.users.items()} for p in projects]
    shared = any(a & b for i, a in enumerate(names) for b in names[i + 1:])
    res = merge(projects, labels=labels, coder_from_file=shared)
    return res.project, [i for p in projects for i in p.issues] + list(res.issues)


def write_workbook(result: Any, path: Any) -> None:
    """Write the agreement workbook (.xlsx, house conventions), atomically."""
    from .workbook import write_workbook as _w

    _w(result, Path(path))


def write_csv(result: Any, folder: Any, *, force: bool = False) -> None:
    """Write one UTF-8 (BOM) CSV per sheet into ``folder``, atomically."""
    from .workbook import write_csv as _w

    _w(result, Path(folder), force=force)


def write_report(result: Any, path: Any) -> None:
    """Write the self-contained HTML report with the kappa-by-code chart, atomically."""
    from .report import write_report as _w

    _w(result, Path(path))


class _CallableModule(types.ModuleType):
    """``nvivo_bridge.agreement(...)`` calls :func:`agreement`.

    A callable module rather than the package attribute rebound to the function: importing a
    submodule (``import nvivo_bridge.agreement.kappa as k``) looks the package attribute up and
    must find this module, and ``from nvivo_bridge.agreement import by_group`` must work too."""

    def __call__(self, project: Any, *, coders: Optional[Sequence[str]] = None,
                 codes: Optional[Iterable[str]] = None, aggregate: bool = False, overlap: float = 90.0) -> Any:
        return agreement(project, coders=coders, codes=codes, aggregate=aggregate, overlap=overlap)


sys.modules[__name__].__class__ = _CallableModule
