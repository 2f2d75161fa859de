"""Coverage-guided fuzzing of the readers with atheris (libFuzzer), by hand, never in CI.

    .venv/bin/pip install atheris
    .venv/bin/python benchmarks/fuzz_atheris.py --suffix .qde  CORPUS_DIR [libFuzzer flags, e.g. -max_total_time=600]

``--suffix`` picks the reader (``.qdpx``, ``.qde``, ``.qdc``, ``.json``, ``.txt`` NVivo export,
``.xlsx``, ``.docx``, ``.csv``).  CORPUS_DIR holds seed files (e.g. the corpus, or files written by
``nvivo-bridge convert``); libFuzzer adds the inputs it finds interesting there.  Any exception that
is not an :class:`nvivo_bridge.errors.NvivoBridgeError` is a crash: libFuzzer writes the input as
``crash-*`` for replaying with ``python benchmarks/fuzz_atheris.py --suffix .qde crash-…``.
A successful read is also written to JSON and QDPX, so writer crashes are found too.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["nvivo_bridge"]):
    from nvivo_bridge import api
    from nvivo_bridge.errors import NvivoBridgeError
    from nvivo_bridge.options import Limits
    # The format table imports readers lazily: import them here so that they are instrumented.
    from nvivo_bridge.readers import json as _r1, nvivo as _r2, qdc as _r3, qdpx as _r4  # noqa: F401
    from nvivo_bridge.writers import json as _w1, qdpx as _w2  # noqa: F401

LIMITS = Limits(max_member_bytes=16 << 20, max_total_bytes=64 << 20, max_text_chars=8 << 20)
TMP = Path(tempfile.mkdtemp(prefix="nvb-atheris-"))


def main() -> None:
    """Parse ``--suffix`` and hand the rest of the arguments to libFuzzer."""
    args = sys.argv[1:]
    suffix = ".qde"
    if "--suffix" in args:
        i = args.index("--suffix")
        suffix = args[i + 1]
        del args[i:i + 2]
    target = TMP / f"input{suffix}"

    def one(data: bytes) -> None:
        target.write_bytes(data)
        try:
            project = api.read(target, limits=LIMITS)
        except NvivoBridgeError:
            return
        for out in ("out.json", "out.qdpx"):
            try:
                api.write(project, TMP / out)
            except NvivoBridgeError:
                pass
            (TMP / out).unlink(missing_ok=True)

    atheris.Setup([sys.argv[0], *args], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
