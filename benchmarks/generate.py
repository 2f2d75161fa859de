"""Generate NVivo-shaped benchmark projects (``.qdpx`` as NVivo 12.6 for Windows writes them).

Sizes count the theme-code codings: S ≈ 2,000 (20 transcripts × 100), M ≈ 20,000 (200 × 100),
L ≈ 200,000 (2,000 × 100); any other number of codings may be asked for (100 per transcript).
Each transcript is Indonesian-like interview text (CRLF, emoji outside the BMP), coded with a
200-code CIPP-like tree (Konteks/Masukan/Proses/Produk + Temuan Lain), one informant case per
transcript with attributes Peran, Jenjang and Masa_kerja, and a few memos and a set.  About a
fifth of the codings re-code the range of the previous one with another code (NVivo writes one
selection per code application, so identical ranges repeat).  Each transcript also gets the
whole-text case-coding selection NVivo writes; that one is not counted as a coding.

The project is built as an nvivo_bridge model and written by :mod:`samples.nvivo_like`, so the
benchmark files have every quirk of the shipped sample.  Output is cached in
``benchmarks/_work/`` and is deterministic for a given size and seed.

Usage::

    python benchmarks/generate.py [S|M|L|<codings>] [--force]
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nvivo_bridge.model import (Case, Code, Coding, Note, Project, Selection, Set, Source,  # noqa: E402
                                User, Variable, VariableValue)
from samples.nvivo_like import write_qdpx  # noqa: E402

__all__ = ["SIZES", "WORK", "PER_SOURCE", "codings_for", "build_project", "generate"]

WORK = ROOT / "benchmarks" / "_work"
SIZES = {"S": 2_000, "M": 20_000, "L": 200_000}
PER_SOURCE = 100
GEN_VERSION = 1  # bump when the generated content changes, so cached files are rebuilt
CRLF = "\r\n"

_TOP = [("Konteks (Context)", "#1F77B4"), ("Masukan (Input)", "#FF7F0E"), ("Proses (Process)", "#2CA02C"),
        ("Produk (Product)", "#D62728"), ("Temuan Lain (Other findings)", "#7F7F7F")]
_WORDS = ("kami widyaiswara pelatihan komunitas praktisi sesi berbagi pengetahuan anggaran jadwal modul "
          "peserta fasilitator kompetensi pembelajaran daring kegiatan lembaga rencana evaluasi hasil "
          "dampak keberlanjutan bersama sering belum sudah sangat juga karena tetapi sehingga untuk "
          "dengan dalam pada dari yang ini itu tidak ada lebih baik praktik kelas materi diskusi waktu "
          "koordinator kebijakan mutu sarana platform narasumber artikel jurnal umpan balik alumni").split()
_EXTRA = ["\u2014", "\u201cbelajar bareng\u201d", "k\u00f6ordinasi", "na\u00efve", "\U0001F600", "\U0001F4DA", "\U0001F552"]
_PERAN = ("Pengurus", "Anggota", "Anggota", "Anggota", "Pimpinan")
_JENJANG = ("Ahli Pertama", "Ahli Muda", "Ahli Madya", "Ahli Utama")


def _g(prefix: str, n: int) -> str:
    """A patterned lower-case GUID (fast and reproducible; it only has to be pattern-valid)."""
    return f"{prefix:0<8}-0000-4000-8000-{n:012x}"


def codings_for(size: str | int) -> int:
    """The number of codings of a size name (``S``/``M``/``L``) or of an explicit count."""
    if isinstance(size, str) and size.upper() in SIZES:
        return SIZES[size.upper()]
    n = int(size)
    if n < 1:
        raise ValueError("the number of codings must be positive")
    return n


def _code_tree() -> list[Code]:
    """200 codes: 5 top-level, 9 children each (45), and 150 grandchildren (3 or 4 per child)."""
    codes: list[Code] = []
    n = 0
    for t, (name, color) in enumerate(_TOP):
        n += 1
        top = Code(_g("c0de", n), name, color=color, description=f"Komponen {name.split()[0]}", is_codable=t != 4)
        codes.append(top)
        for i in range(9):
            n += 1
            child = Code(_g("c0de", n), f"{name.split()[0]} {i + 1}", parent=top.guid)
            codes.append(child)
            for j in range(4 if (t * 9 + i) < 15 else 3):
                n += 1
                codes.append(Code(_g("c0de", n), f"{child.name}.{j + 1}", parent=child.guid))
    assert len(codes) == 200, len(codes)
    return codes


def _line_pool(rng: random.Random, n: int = 4000) -> list[str]:
    """Sentences to draw answers from (drawing from a pool keeps generation fast)."""
    pool = []
    for _ in range(n):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 22))]
        if rng.random() < 0.25:
            words.insert(rng.randrange(len(words)), rng.choice(_EXTRA))
        pool.append(" ".join(words).capitalize() + ".")
    return pool


def _source(k: int, n_codings: int, pool: list[str], rng: random.Random, leaves: list[str],
            coders: list[str]) -> Source:
    """One transcript whose ``n_codings`` codings each cover an answer (or part of one)."""
    n_lines = max(1, n_codings - n_codings // 5)
    parts: list[str] = [f"Pewawancara: Wawancara dengan informan {k + 1} \U0001F4DD{CRLF}"]
    pos = len(parts[0])
    spans: list[tuple[int, int]] = []
    for i in range(n_lines):
        question = f"Pewawancara: {rng.choice(pool)}{CRLF}"
        answer = f"I{k + 1}: " + rng.choice(pool) + " " + rng.choice(pool)
        start = pos + len(question) + len(f"I{k + 1}: ")
        spans.append((start, pos + len(question) + len(answer)))
        parts.append(question + answer + CRLF)
        pos += len(question) + len(answer) + 2
    text = "".join(parts)
    src = Source(_g("50ce", k), f"Wawancara_{k + 1:04d}", text=text,
                 meta={"creatingUser": coders[0], "creationDateTime": "2024-05-01T08:00:00Z"})
    sels = []
    base = k * PER_SOURCE * 2
    prev = spans[0]
    for i in range(n_codings):
        # Every fifth coding re-codes the previous range (NVivo repeats the range per code).
        a, b = prev if (i % 5 == 4 and i) else spans[min(i - i // 5, len(spans) - 1)]
        if i % 7 == 3:  # a part of the answer, not all of it
            b = a + (b - a) // 2
        prev = (a, b)
        who = coders[i % len(coders)]
        when = f"2024-05-{1 + i % 28:02d}T{8 + i % 9:02d}:{i % 60:02d}:00Z"
        sels.append(Selection(_g("5e1", base + i), start=a, end=b, meta={"creatingUser": who, "creationDateTime": when},
                              codings=[Coding(_g("c1", base + i), rng.choice(leaves), who, when)]))
    src.selections = sels
    return src


def build_project(n_codings: int, seed: int = 0, n_coders: int = 3) -> Project:
    """The benchmark project with exactly ``n_codings`` theme-code codings, made in turn by
    ``n_coders`` coders (two for the agreement benchmark)."""
    rng = random.Random(seed)
    pool = _line_pool(rng)
    p = Project(name=f"Benchmark {n_codings} codings", created="2024-05-01T08:00:00Z", creating_user=_g("05e4", 1))
    coders = [_g("05e4", i) for i in range(1, n_coders + 1)]
    p.users = {g: User(g, f"R{i + 1}") for i, g in enumerate(coders)}
    codes = _code_tree()
    p.codes = {c.guid: c for c in codes}
    leaves = [c.guid for c in codes if c.is_codable and c.parent is not None]
    p.variables = {_g("da7a", 1): Variable(_g("da7a", 1), "Peran"), _g("da7a", 2): Variable(_g("da7a", 2), "Jenjang"),
                   _g("da7a", 3): Variable(_g("da7a", 3), "Masa_kerja", "Integer")}
    n_sources = max(1, -(-n_codings // PER_SOURCE))
    for k in range(n_sources):
        share = n_codings // n_sources + (1 if k < n_codings % n_sources else 0)
        src = _source(k, share, pool, rng, leaves, coders)
        p.sources[src.guid] = src
        case = Case(_g("ca5e", k), f"I{k + 1}", source_refs=[src.guid], variable_values=[
            VariableValue(_g("da7a", 1), _PERAN[k % 5]), VariableValue(_g("da7a", 2), _JENJANG[k % 4]),
            VariableValue(_g("da7a", 3), str(1 + k % 30), "Integer")])
        p.cases[case.guid] = case
        if k % 50 == 0:
            memo = Note(_g("0e7e", k), f"Memo {case.name}", text=f"Catatan analitis untuk {case.name}.{CRLF}Anggaran muncul lagi.")
            p.notes[memo.guid] = memo
            src.selections[0].note_refs.append(memo.guid)
    p.sets = {_g("5e7", 1): Set(_g("5e7", 1), "Hambatan", member_codes=leaves[:10],
                                member_sources=list(p.sources)[:5])}
    return p


def generate(size: str | int, *, seed: int = 0, force: bool = False, work: Path = WORK, coders: int = 3) -> Path:
    """Return the cached benchmark file for ``size`` (made by ``coders`` coders), building it
    first if needed."""
    n = codings_for(size)
    work.mkdir(parents=True, exist_ok=True)
    extra = "" if coders == 3 else f"-c{coders}"
    path = work / f"nvivo-{n}-s{seed}-v{GEN_VERSION}{extra}.qdpx"
    if force or not path.exists():
        write_qdpx(build_project(n, seed, coders), path)
    return path


def main(argv: list[str]) -> int:
    """Command line: build (or find) the file for the size given, print its path and timing."""
    force = "--force" in argv
    args = [a for a in argv if a != "--force"] or ["S"]
    for size in args:
        t0 = time.perf_counter()
        path = generate(size, force=force)
        print(f"{size}: {path} ({path.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
