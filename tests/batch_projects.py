"""Generated mid-size projects for the batch tests and benchmark (deterministic, no files needed)."""
from __future__ import annotations

import random

from nvivo_bridge.model import Case, Code, Coding, Project, Selection, Source, User

WORDS = ("pelatihan anggaran jadwal kompetensi widyaiswara evaluasi konteks masukan proses produk "
         "training budget time schedule mentoring feedback outcome motivation").split()


def mid_project(seed: int, sources: int = 20, codings_per_source: int = 100, codes: int = 40) -> Project:
    """A project with ``sources`` text sources of ~60 lines and ``codings_per_source`` codings each."""
    rnd = random.Random(seed)
    p = Project(name=f"Generated {seed}", origin="nvivo-bridge batch tests")
    user = f"a0000000-0000-4000-8000-{seed:012d}"
    p.users = {user: User(user, "R1")}
    code_ids = [f"c{seed % 1000:03d}0000-0000-4000-8000-{i:012d}" for i in range(codes)]
    for i, cid in enumerate(code_ids):
        p.codes[cid] = Code(cid, f"Code {i}", parent=code_ids[i // 5] if i >= 8 else None)
    n = 0
    for s in range(sources):
        text = "\n".join(" ".join(rnd.choice(WORDS) for _ in range(12)) for _ in range(60))
        sid = f"50{seed % 1000:03d}000-0000-4000-8000-{s:012d}"
        src = Source(sid, f"Interview {s}", kind="text", text=text)
        for _ in range(codings_per_source):
            n += 1
            start = rnd.randrange(0, len(text) - 50)
            src.selections.append(Selection(guid=f"5e{seed % 1000:03d}000-0000-4000-8000-{n:012d}", kind="text",
                                            start=start, end=start + rnd.randrange(5, 50),
                                            codings=[Coding(f"c1{seed % 1000:03d}000-0000-4000-8000-{n:012d}",
                                                            rnd.choice(code_ids), user)]))
        p.sources[sid] = src
        cid = f"ca{seed % 1000:03d}000-0000-4000-8000-{s:012d}"
        p.cases[cid] = Case(cid, f"Informant {s}", source_refs=[sid])
    return p


def die_on_marker(task):
    """A batch task that kills its worker process for inputs named ``*die*`` (tests a crashing
    worker), else converts normally."""
    import os

    from nvivo_bridge.batch.run import run_task

    if "die" in os.path.basename(task.input):
        os._exit(3)
    return run_task(task)
