"""``info``: a summary of a project — who wrote it, how much of everything it holds, its warnings."""
from __future__ import annotations

from collections import Counter
from typing import Any

from ..model import Project

__all__ = ["project_info", "format_info"]

_SHOWN_NOTES = ("positions-unknown", "workbook-read-back")


def _counts(p: Project) -> dict[str, int]:
    """Counts of every element kind, beyond :meth:`Project.counts` (one pass)."""
    c = dict(p.counts())
    sel_kinds: Counter = Counter()
    src_kinds: Counter = Counter(s.kind for s in p.sources.values())
    transcripts = sync_points = source_codings = unknown_positions = values = 0
    coded_segments: set = set()
    for src in p.sources.values():
        source_codings += len(src.codings)
        values += len(src.variable_values)
        transcripts += len(src.transcripts)
        sync_points += sum(len(t.sync_points) for t in src.transcripts)
        for sel in src.all_selections():
            sel_kinds[sel.kind] += 1
            if sel.kind == "text" and sel.start is None:
                unknown_positions += 1
            if sel.codings:
                # Identical ranges are one segment (NVivo writes one selection per code, Q7).
                coded_segments.add((src.guid, sel.kind, sel.start, sel.end, sel.page, sel.first_x, sel.first_y,
                                    sel.from_sync, sel.to_sync, sel.text if sel.start is None else None))
    values += sum(len(cs.variable_values) for cs in p.cases.values())
    c.update({
        "text_sources": src_kinds.get("text", 0), "pdf_sources": src_kinds.get("pdf", 0),
        "picture_sources": src_kinds.get("picture", 0), "audio_sources": src_kinds.get("audio", 0),
        "video_sources": src_kinds.get("video", 0),
        **{f"{k}_selections": n for k, n in sorted(sel_kinds.items())},
        "coded_segments": len(coded_segments), "source_codings": source_codings,
        "selections_without_positions": unknown_positions, "transcripts": transcripts,
        "sync_points": sync_points, "variable_values": values,
        "top_level_codes": sum(1 for code in p.codes.values() if not code.parent or code.parent not in p.codes),
        "vertices": sum(len(g.vertices) for g in p.graphs.values()),
        "edges": sum(len(g.edges) for g in p.graphs.values()),
        "tables": len(p.tables),
        "coders": len({cd.creating_user for _, _, cd in p.iter_codings() if cd.creating_user}),
    })
    return c


def project_info(project: Project) -> dict[str, Any]:
    """A JSON-able summary: name, kind, producer (``origin`` as written and ``detected``), position
    unit, GUID case, counts of every element kind, and the warnings collected while reading."""
    issues = project.issues or []
    levels = Counter(getattr(i, "level", "warning") for i in issues)
    return {
        "name": project.name,
        "kind": project.kind,
        "file": project.source_file,
        "producer": {"origin": project.origin, "detected": project.producer},
        "position_unit": project.position_unit,
        "guid_case": project.guid_case,
        "created": project.created,
        "modified": project.modified,
        "counts": _counts(project),
        "issues": {"error": levels.get("error", 0), "warning": levels.get("warning", 0),
                   "info": levels.get("info", 0)},
        "warnings": [{"level": i.level, "code": i.code, "message": i.message, "location": i.location}
                     for i in issues if i.level != "info"],
        # Notes that say what the input lacks by its nature, shown once beside the warnings.
        "notes": [{"code": i.code, "message": i.message} for i in issues
                  if i.level == "info" and i.code in _SHOWN_NOTES],
    }


def format_info(info: dict[str, Any]) -> str:
    """The summary as readable text (what ``nvivo-bridge info`` prints)."""
    prod = info["producer"]
    lines = [f"{info['kind'].capitalize()}: {info['name']}" + (f"  ({info['file']})" if info.get("file") else ""),
             f"Producer: {prod['detected'] or 'unknown'}" + (f"  (origin: {prod['origin']})" if prod["origin"] else ""),
             f"Positions: {info['position_unit']}; GUIDs: {info['guid_case']} case"]
    shown = [(k, n) for k, n in info["counts"].items() if n]
    lines.append("Counts: " + (", ".join(f"{k.replace('_', ' ')} {n}" for k, n in shown) or "empty"))
    iss = info["issues"]
    lines.append(f"Issues: {iss['error']} error(s), {iss['warning']} warning(s), {iss['info']} note(s)")
    for note in info.get("notes", []):
        lines.append(f"  note: {note['message']}")
    for w in info["warnings"][:20]:
        lines.append(f"  {w['level']}: {w['message']}" + (f" [{w['location']}]" if w["location"] else ""))
    if len(info["warnings"]) > 20:
        lines.append(f"  … and {len(info['warnings']) - 20} more (use --json for all)")
    return "\n".join(lines)
