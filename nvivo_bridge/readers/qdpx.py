"""Read a REFI-QDA project: a ``.qdpx`` archive, or a bare ``.qde`` XML file (with an optional
``sources`` folder beside it).

Stages: open the container safely (:mod:`._safe`) → stream the ``.qde`` into the model with
positions still in the file's unit (:mod:`._qde`) → decide the producer from ``origin`` and
structural fingerprints (:mod:`._producer`) → decide the position unit, scoring the candidates
when the producer is unknown or contradicted (:mod:`._positions`) → convert positions and apply
vendor conventions (:mod:`._fixups`).  See ``docs/reading-refi-qda.md``.
"""
from __future__ import annotations

from pathlib import Path

from .._gc import gc_paused
from ..errors import Diagnostics, ReadError, UsageError
from ..model import Project
from ..options import ReadOptions
from . import _fixups, _positions
from ._content import Content
from ._producer import Evidence, detect
from ._qde import QdeParser
from ._safe import CappedStream, SafeZip, check_regular_file
from ._xml import Ctx

__all__ = ["read"]

_FORCED = {"codepoint": "codepoint", "utf16": "utf16", "utf-16": "utf16", "codepoint-crlf1": "codepoint-crlf1"}


def _qde_member(archive: SafeZip):
    """The single ``*.qde`` member (any letter case; macOS ``._`` shadow files ignored), Q4."""
    found = [i for i in archive.infos if i.filename.lower().endswith(".qde")
             and not i.filename.rsplit("/", 1)[-1].startswith("._") and "__macosx/" not in i.filename.lower()]
    if not found:
        raise ReadError("the archive holds no .qde project file", archive.path,
                        hint="a .qdpx must contain project.qde; export the project again as REFI-QDA")
    if len(found) > 1:
        raise ReadError("the archive holds several .qde files: " + ", ".join(i.filename for i in found),
                        archive.path, hint="a .qdpx must contain exactly one project; unpack it and keep one")
    return found[0]


def _parse(path: Path, diag: Diagnostics, options: ReadOptions, ev: Evidence) -> tuple[Project, QdeParser]:
    limits = options.limits
    if path.suffix.lower() == ".qde":
        ctx = Ctx(diag, path.name, max_depth=limits.max_xml_depth)
        parser = QdeParser(ctx, Content(path, None, limits, diag, ev), str(path), limits.max_xml_depth)
        check_regular_file(path)
        try:
            raw = open(path, "rb")
        except OSError as exc:
            raise ReadError(f"cannot open ({exc.strerror})", str(path), hint="check the path") from None
        with raw, CappedStream(raw, limits.max_member_bytes, path.name, str(path)) as stream:
            project = parser.parse(stream)
            ev.head = stream.head
        return project, parser
    with SafeZip(path, limits) as archive:
        info = _qde_member(archive)
        ev.members = archive.names()
        for name in dict.fromkeys(archive.duplicates):
            diag.warn("duplicate-member", f"the archive holds {name} more than once; the first copy is read",
                      name)
        ctx = Ctx(diag, info.filename, max_depth=limits.max_xml_depth)
        parser = QdeParser(ctx, Content(path, archive, limits, diag, ev), str(path), limits.max_xml_depth)
        with archive.open(info) as stream:
            project = parser.parse(stream)
            ev.head = stream.head
    return project, parser


_SAMPLE_SELECTIONS = 5000


def _choose_unit(project: Project, parser: QdeParser, verdict, options: ReadOptions, diag: Diagnostics) -> str:
    groups = parser.groups
    has_positions = any(syncs for _, _, syncs in groups) or any(
        s.kind == "text" and s.start is not None and s.end is not None for _, sels, _ in groups for s in sels)
    if options.positions != "auto":
        unit = _FORCED.get(options.positions.lower())
        if unit is None:
            raise UsageError(f"unknown position unit {options.positions!r}",
                             hint="use auto, codepoint, utf16 or codepoint-crlf1")
        diag.info("position-unit", f"positions read as {unit} (forced by the positions option)")
        return unit
    # Only texts over which the units can disagree are scored, sampled evenly (about 5,000
    # selections) before their positions are listed: no list of every position is built, and
    # only the sampled texts are held decoded at once.
    useful = [(h, sels) for h, sels, _ in groups
              if h is not None and sels and any(_positions.differs(h.text or "", u) for u in _positions.UNITS)]
    every = max(1, sum(len(sels) for _, sels in useful) // _SAMPLE_SELECTIONS)
    samples = [(h.text, [(s.start, s.end) for s in sels if s.kind == "text" and s.start is not None
                         and s.end is not None]) for h, sels in useful[::every]]
    scores = _positions.score_units(samples, max_pairs=_SAMPLE_SELECTIONS)
    unit, how = _positions.choose_unit(scores, verdict.expected_unit)
    shown = ", ".join(f"{u} {v:.0%}" for u, v in scores.items())
    if how == "guessed":
        diag.warn("position-unit-guessed", f"the producer ({project.origin or 'unknown'}) does not tell the text "
                  f"position unit; {unit} fits best (boundaries on word/line breaks: {shown})")
    elif how == "contradicted":
        diag.warn("position-unit-contradicts-producer", f"positions fit {unit}, not the {verdict.expected_unit} "
                  f"expected from {verdict.producer} (boundaries on word/line breaks: {shown}); read as {unit}")
    elif has_positions:
        diag.info("position-unit", f"positions read as {unit} (producer {verdict.producer})"
                  + (f"; boundary scores: {shown}" if scores and len(set(scores.values())) > 1 else ""))
    return unit if has_positions else "unknown"


def read(path: Path, diag: Diagnostics, options: ReadOptions) -> Project:
    """Read a ``.qdpx`` or ``.qde`` file into a :class:`Project` (positions in code points)."""
    path = Path(path)
    ev = Evidence()
    # The read allocates hundreds of thousands of small objects and no reference cycles; the
    # cyclic collector would rescan them all again and again (2-3x slower), so it pauses for the
    # parse and for the whole-project steps after it, whose allocations (the unit-scoring samples:
    # a tuple per selection) would otherwise trigger full scans of the model just built (at
    # 200k codings: 1.05 s instead of 0.06 s at 20k).
    with gc_paused():
        project, parser = _parse(path, diag, options, ev)
        _finish(project, parser, ev, options, diag)
    project.source_file = str(path)
    return project


def _finish(project: Project, parser: QdeParser, ev: Evidence, options: ReadOptions, diag: Diagnostics) -> None:
    """Producer, position unit and vendor conventions, once the stream is parsed."""
    if b"<!DOCTYPE" in ev.head or b"<!doctype" in ev.head:
        # Entities and DTDs are never loaded or expanded (they are how XXE and entity bombs work);
        # references to them read as nothing, so the user must know text may be missing.
        diag.warn("xml-doctype-ignored", "the project file declares a DOCTYPE; its DTD and entities were "
                  "ignored (never loaded or expanded), so entity references read as empty text")
    ev.user_guids = set(project.users)
    ev.guid_case = project.guid_case
    verdict = detect(ev)
    project.producer = verdict.producer
    diag.info("producer", f"written by {verdict.producer}: " + "; ".join(verdict.reasons))
    if verdict.origin_mismatch:
        diag.warn("producer-origin-mismatch", "origin names NVivo but the file's structure is not NVivo's; "
                  "the position unit is decided from the data")
    unit = _choose_unit(project, parser, verdict, options, diag)
    project.position_unit = unit
    # Also run for code points: it clamps positions that fall outside their text.
    _fixups.convert_positions(parser.groups, "codepoint" if unit == "unknown" else unit, diag)
    _fixups.transcript_excerpts(project)
    _fixups.cases_as_codes(project, diag)
    _fixups.cases_as_source_attributes(project, diag)
