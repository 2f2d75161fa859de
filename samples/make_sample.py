"""Build the shipped sample ``samples/kp-widyaiswara.qdpx`` from ``samples/kp_widyaiswara.py``.

The project model (the CIPP study of ``cipp.md`` §5) is written the way NVivo 12.6 for Windows
writes a REFI-QDA export (:mod:`samples.nvivo_like`).  The output is reproducible: running this
again gives the same bytes.

Usage::

    python samples/make_sample.py [OUTPUT]        # default: both samples at their paths below
    python samples/make_sample.py --team [OUTPUT] # only samples/kp-widyaiswara-team.qdpx
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(HERE.parent))

from samples.nvivo_like import write_qdpx  # noqa: E402

SAMPLE = HERE / "kp-widyaiswara.qdpx"
TEAM = HERE / "kp-widyaiswara-team.qdpx"

__all__ = ["SAMPLE", "TEAM", "build_sample", "build_team_sample"]


def build_sample(path: Path = SAMPLE) -> Path:
    """Write the sample project to ``path`` and return it."""
    from samples.kp_widyaiswara import build_project

    return write_qdpx(build_project(), Path(path))


def build_team_sample(path: Path = TEAM) -> Path:
    """Write the two-coder sample (R2 codes every transcript too) to ``path`` and return it."""
    from samples.kp_widyaiswara_team import build_team_project

    return write_qdpx(build_team_project(), Path(path))


def main(argv: list[str]) -> int:
    """Command-line entry: build the sample at ``argv[0]`` (or both samples at their default paths;
    ``--team OUTPUT`` builds only the two-coder one)."""
    if argv[:1] == ["--team"]:
        jobs = [(build_team_sample, Path(argv[1]) if len(argv) > 1 else TEAM)]
    elif argv:
        jobs = [(build_sample, Path(argv[0]))]
    else:
        jobs = [(build_sample, SAMPLE), (build_team_sample, TEAM)]
    for build, out in jobs:
        build(out)
        print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
