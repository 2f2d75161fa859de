"""Build the shipped sample ``samples/kp-widyaiswara.qdpx`` from ``samples/kp_widyaiswara.py``.

The project model (the CIPP study of ``cipp.md`` §5) is written the way NVivo 12.6 for Windows
writes a REFI-QDA export (:mod:`samples.nvivo_like`).  The output is reproducible: running this
again gives the same bytes.

Usage::

    python samples/make_sample.py [OUTPUT]        # default: samples/kp-widyaiswara.qdpx
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(HERE.parent))

from samples.nvivo_like import write_qdpx  # noqa: E402

SAMPLE = HERE / "kp-widyaiswara.qdpx"

__all__ = ["SAMPLE", "build_sample"]


def build_sample(path: Path = SAMPLE) -> Path:
    """Write the sample project to ``path`` and return it."""
    from samples.kp_widyaiswara import build_project

    return write_qdpx(build_project(), Path(path))


def main(argv: list[str]) -> int:
    """Command-line entry: build the sample at ``argv[0]`` (or the default path)."""
    out = Path(argv[0]) if argv else SAMPLE
    build_sample(out)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
