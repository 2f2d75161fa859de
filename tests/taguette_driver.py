"""Run Taguette's own codebook import and export code (in Taguette's environment, not ours).

    python taguette_driver.py import-codebook FILE.csv        → JSON list of {path, description} on stdout
    python taguette_driver.py export SPEC.json OUTDIR          → Taguette's own export files in OUTDIR

SPEC: {"tags": [{"path", "description"}], "documents": [{"name", "text",
"highlights": [{"start", "end", "tags": [path, ...]}]}]}.  The export step builds a Taguette project
in a fresh SQLite database with Taguette's models, then calls its export functions unchanged:
``codebook_xml`` (.qdc), ``codebook_csv``, ``highlights_csv`` and ``highlights_xslx``.
"""
from __future__ import annotations

import html
import json
import sys
import types
from pathlib import Path


def import_codebook(path: str) -> None:
    from taguette.import_codebook import list_tags

    with open(path, "rb") as fh:
        print(json.dumps(list_tags(fh), ensure_ascii=False))


def export(spec_path: str, out: str) -> None:
    from taguette import database, export as tg_export

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    db = database.connect(f"sqlite:///{outdir / 'taguette.sqlite3'}")()
    project = database.Project(name="nvivo-bridge test", description="")
    db.add(project)
    db.flush()
    tags = {}
    for t in spec["tags"]:
        tag = database.Tag(project=project, path=t["path"], description=t.get("description", ""))
        db.add(tag)
        tags[t["path"]] = tag
    counts = {p: [0, set()] for p in tags}
    for d in spec["documents"]:
        doc = database.Document(name=d["name"], description="", filename=d["name"] + ".txt", project=project,
                                text_direction=database.TextDirection.LEFT_TO_RIGHT,
                                contents=html.escape(d["text"]))
        db.add(doc)
        db.flush()
        for h in d["highlights"]:
            snippet = html.escape(d["text"][h["start"]:h["end"]])
            hl = database.Highlight(document=doc, start_offset=h["start"], end_offset=h["end"], snippet=snippet,
                                    tags=[tags[p] for p in h["tags"]])
            db.add(hl)
            for p in h["tags"]:
                counts[p][0] += 1
                counts[p][1].add(d["name"])
    db.commit()
    rows = [types.SimpleNamespace(path=p, description=t.description, highlights_count=counts[p][0],
                                  documents_count=len(counts[p][1])) for p, t in tags.items()]
    with open(outdir / "codebook.qdc", "wb") as fh:
        tg_export.codebook_xml(rows, fh)
    with open(outdir / "codebook.csv", "w", encoding="utf-8", newline="") as fh:
        tg_export.codebook_csv(rows, fh)
    with open(outdir / "highlights.csv", "w", encoding="utf-8", newline="") as fh:
        tg_export.highlights_csv(db, project.id, None, fh)
    tg_export.highlights_xslx(db, project.id, None, str(outdir / "highlights.xlsx"))


if __name__ == "__main__":
    if sys.argv[1] == "import-codebook":
        import_codebook(sys.argv[2])
    else:
        export(sys.argv[2], sys.argv[3])
