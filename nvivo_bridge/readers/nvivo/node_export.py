"""Export Node / Export Code files ("Reference view"): one file = one code.

Grammar (nvivo-exports.md §2.1), the same in .txt, .docx and .html once turned into lines::

    <Files\\\\Interviews\\\\Interview 1> - § 2 references coded  [5,43% Coverage]   (Windows)
    Files\\\\Interviews\\\\Interview 1 - § 2 references coded [ 5.43% Coverage]     (Mac)
    Reference 1 - 1,23% Coverage            or   References 1-2 - 1.88% Coverage
    <the coded text, its own paragraph breaks kept>  or  Page 1 : (100,58) - (473,108)

The source header is recognised from its structural anchors only (``§``, ``[``, ``%``, ``]``), so a
translated UI still reads; the reference header needs a known coverage word, and the coverage
words seen in the source headers of the same file are learned on the way.  Windows pads each
header and each reference with one empty line; that padding is detected per file and removed.
"""
from __future__ import annotations

import re
from typing import Optional

from ...errors import Diagnostics
from .parts import NodeExport, Ref, SourceBlock
from .words import Words

__all__ = ["SOURCE_HEADER", "parse_lines", "is_source_header", "split_nvivo_path", "ref_header_re",
           "parse_number"]

# Numbers are bounded ({1,9} digits): an absurd one is no header (and int() of thousands of
# digits raises), so such a line is reported as unparsed text instead.
_NUM = r"\d+(?:[.,]\d+)?"
SOURCE_HEADER = re.compile(
    r"^\s*(?P<lt><)?(?P<path>.+?)(?(lt)>) - § ?(?P<n>\d{1,9})\s+(?P<word>[^\[]*?)\s*"
    r"\[\s*(?P<cov>" + _NUM + r")\s*%\s*(?P<covword>[^\]]*?)\s*\]\s*$")
_REGION = r"\(\s*(-?\d{1,9})\s*,\s*(-?\d{1,9})\s*\)\s*-\s*\(\s*(-?\d{1,9})\s*,\s*(-?\d{1,9})\s*\)"
PDF_LOCATOR = re.compile(r"^\s*([^\s:]+(?: [^\s:]+)?)\s+(\d{1,9})\s*:\s*" + _REGION + r"\s*$")
PICTURE_LOCATOR = re.compile(r"^\s*([^\s:]+(?: [^\s:]+)?)\s*:\s*" + _REGION + r"\s*$")
_TIME = r"\d{1,9}(?::\d{1,2}){1,2}(?:[.,]\d{1,9})?"
MEDIA_LOCATOR = re.compile(r"^\s*([^\s:]+(?: [^\s:]+)?)\s*:\s*(" + _TIME + r")\s*-\s*(" + _TIME + r")\s*$")


#: Most references one "References a-b" header may merge (NVivo merges adjacent ones: a handful).
MAX_MERGED_REFERENCES = 1000


def parse_number(text: str) -> Optional[float]:
    """A coverage number written with a decimal comma or point (``0,85`` or ``4.16``)."""
    try:
        return float(text.replace(",", "."))
    except (TypeError, ValueError):
        return None


def is_source_header(line: str) -> bool:
    """Whether ``line`` is a node-export source header (cheap pre-check on ``§`` first)."""
    return "§" in line and SOURCE_HEADER.match(line) is not None


def ref_header_re(coverage_words: tuple[str, ...] | list[str]) -> re.Pattern:
    """The reference-header pattern for the given coverage words (any word before the number)."""
    alts = "|".join(re.escape(w) for w in sorted(set(coverage_words), key=len, reverse=True) if w)
    return re.compile(r"^\s*(?P<word>\S+)\s+(?P<a>\d{1,9})(?:\s*-\s*(?P<b>\d{1,9}))?\s+-\s+(?P<cov>" + _NUM
                      + r")\s*%\s*(?:" + alts + r")\s*$", re.IGNORECASE)


def split_nvivo_path(path: str) -> list[str]:
    """Split ``Files\\\\A\\\\B`` (NVivo writes the two characters ``\\\\``); a single ``\\`` if that is all."""
    sep = "\\\\" if "\\\\" in path else "\\"
    return [p.strip() for p in path.split(sep) if p.strip()] or [path.strip()]


def _ms(text: str) -> int:
    """``h:mm:ss.f`` or ``m:ss,f`` → milliseconds."""
    main, _, frac = text.replace(",", ".").partition(".")
    total = 0
    for part in main.split(":"):
        total = total * 60 + int(part)
    return total * 1000 + (int((frac + "000")[:3]) if frac else 0)


def _locate(ref: Ref, body: list[str], words: Words) -> None:
    """Fill the reference's kind/locator from its first line, and its text from the rest."""
    first = body[0] if body else ""
    m = PDF_LOCATOR.match(first)
    if m:
        ref.kind, ref.page = "pdf", int(m.group(2))
        ref.coords = tuple(int(m.group(i)) for i in range(3, 7))  # type: ignore[assignment]
    elif (m := MEDIA_LOCATOR.match(first)) and (words.has("media", m.group(1)) or words.has("video", m.group(1))):
        ref.kind = "video" if words.has("video", m.group(1)) else "audio"
        ref.start_ms, ref.end_ms = _ms(m.group(2)), _ms(m.group(3))
    elif (m := PICTURE_LOCATOR.match(first)) and words.has("region", m.group(1)):
        ref.kind = "picture"
        ref.coords = tuple(int(m.group(i)) for i in range(2, 6))  # type: ignore[assignment]
    else:
        ref.text = "\n".join(body)
        return
    ref.locator = first.strip()
    ref.text = "\n".join(body[1:]).strip("\n")


def _padded(lines: list[str], ref_re: re.Pattern) -> bool:
    """Windows style: the line after a header is empty (checked on the first few headers)."""
    votes = 0
    for i, line in enumerate(lines[:-1]):
        if is_source_header(line) or ref_re.match(line):
            votes += 1 if lines[i + 1].strip() == "" else -1
            if abs(votes) >= 3:
                break
    return votes > 0


def parse_lines(lines: list[str], file: str, code_path: list[str], words: Words,
                diag: Diagnostics) -> NodeExport:
    """Parse a node export's lines into source blocks of references (problems become warnings)."""
    learned = {m.group("covword") for line in lines if "§" in line
               for m in [SOURCE_HEADER.match(line)] if m and m.group("covword")}
    ref_re = ref_header_re(list(words["coverage"]) + sorted(learned))
    padded = _padded(lines, ref_re)
    blocks: list[SourceBlock] = []
    block: Optional[SourceBlock] = None
    ref: Optional[Ref] = None
    body: list[str] = []
    stray = 0

    def close_ref() -> None:
        nonlocal ref, body
        if ref is None:
            return
        if padded and body and body[0].strip() == "":
            body = body[1:]
        if padded and body and body[-1].strip() == "":
            body = body[:-1]
        _locate(ref, body, words)
        ref, body = None, []

    for i, line in enumerate(lines, 1):
        m = SOURCE_HEADER.match(line) if "§" in line else None
        if m:
            close_ref()
            comps = split_nvivo_path(m.group("path"))
            block = SourceBlock(comps[:-1], comps[-1], int(m.group("n")), parse_number(m.group("cov")), i)
            blocks.append(block)
            continue
        r = ref_re.match(line)
        if r:
            close_ref()
            if block is None:
                diag.warn("reference-without-source", "references before any source header: kept under "
                          "an 'Unknown source' (the file may be cut at the start)", f"{file} line {i}")
                block = SourceBlock([], "Unknown source", None, None, i)
                blocks.append(block)
            a = int(r.group("a"))
            b = int(r.group("b")) if r.group("b") else a
            if b - a >= MAX_MERGED_REFERENCES:
                # Each reference of a merged range becomes one coding: "References 1-999999999"
                # would allocate a billion of them.
                diag.warn("implausible-reference-range", f"reference range {a}-{b} is implausible; read as "
                          "one reference", f"{file} line {i}")
                b = a
            ref = Ref(a, max(a, b), parse_number(r.group("cov")), i)
            block.refs.append(ref)
            continue
        if ref is not None:
            body.append(line)
        elif line.strip():
            stray += 1
            if stray == 1:
                diag.warn("unparsed-text", "text outside any reference was skipped", f"{file} line {i}")
    close_ref()
    if stray > 1:
        diag.warn("unparsed-text", f"{stray} lines outside any reference were skipped in all", file)
    _check_counts(blocks, file, diag)
    return NodeExport(file, code_path, blocks)


def _check_counts(blocks: list[SourceBlock], file: str, diag: Diagnostics) -> None:
    """Compare each ``§ N references`` with the reference headers found under it."""
    for blk in blocks:
        found = sum(r.last - r.first + 1 for r in blk.refs)
        where = f"{file} line {blk.line}"
        if not blk.refs:
            diag.warn("source-without-references", f"source '{blk.name}' has a header but no references",
                      where)
        elif blk.declared is not None and found != blk.declared:
            diag.warn("reference-count-mismatch", f"source '{blk.name}' declares {blk.declared} "
                      f"reference(s) but {found} were found (file truncated or edited?)", where)
