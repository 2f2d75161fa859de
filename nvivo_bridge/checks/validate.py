"""``validate``: schema validation of REFI-QDA files plus the checks the schema cannot make.

:func:`validate_path` validates the ``.qde`` (for a ``.qdpx``, its single ``*.qde`` member, read
through the hardened zip access of the readers) or ``.qdc`` against the REFI-QDA 1.0 XSDs shipped as
package data, after rewriting vendor namespace variants (``urn:QDA-XML:codebook:0:4`` …, refi-qda.md
Q5) to ``1.0``; then it reads the file into the model and adds :func:`check_project`'s findings and
the reader's own warnings.  Any other input format is read and checked the same way, without an XSD.

Problems are :class:`~nvivo_bridge.errors.Issue` objects; an unreadable input raises
:class:`~nvivo_bridge.errors.ReadError`.  Only issues at level ``warning`` or ``error`` count as
validation problems (``info`` is context, such as the detected producer).
"""
from __future__ import annotations

import contextlib
import functools
import re
from importlib.resources import files
from pathlib import Path
from typing import Optional, Union

from lxml import etree

from ..errors import Diagnostics, Issue, ReadError
from ..options import ReadOptions
from .rules import CHECK_CODES, check_project

__all__ = ["validate_path", "check_project", "problems", "SCHEMA_FILES"]

SCHEMA_FILES = {"project": "Project-mrt2019.xsd", "codebook": "Codebook-mrt2019.xsd"}
_NS = {"project": "urn:QDA-XML:project:1.0", "codebook": "urn:QDA-XML:codebook:1.0"}
_VARIANT = re.compile(r"^urn:QDA-XML:(project|codebook):.*$", re.IGNORECASE)
_MAX_SCHEMA_ERRORS = 200


@functools.lru_cache(maxsize=None)
def _schema_doc(kind: str) -> etree._ElementTree:
    """The XSD document for ``project`` or ``codebook`` (from package data, parsed once)."""
    with (files("nvivo_bridge") / "data" / SCHEMA_FILES[kind]).open("rb") as fh:
        return etree.parse(fh)


@functools.lru_cache(maxsize=None)
def _schema(kind: str) -> etree.XMLSchema:
    """The compiled XSD for ``project`` or ``codebook`` (compiled once)."""
    return etree.XMLSchema(_schema_doc(kind))


def problems(issues: list[Issue]) -> list[Issue]:
    """The issues that make validation fail (warnings and errors)."""
    return [i for i in issues if i.level in ("warning", "error")]


def _qde_bytes(path: Path, options: ReadOptions) -> tuple[bytes, str]:
    """The bytes of the XML to validate and the name to report locations against."""
    from ..readers._safe import SafeZip, read_file_capped

    if path.suffix.lower() != ".qdpx":
        return read_file_capped(path, options.limits), path.name
    from ..readers.qdpx import _qde_member

    with SafeZip(path, options.limits) as archive:
        info = _qde_member(archive)
        return archive.read(info), info.filename


def _normalise(root: etree._Element, where: str, issues: list[Issue]) -> Optional[str]:
    """Rewrite a REFI namespace variant to ``1.0`` in place; return ``project``/``codebook``/None."""
    m = _VARIANT.match(etree.QName(root).namespace or "")
    if not m:
        issues.append(Issue("error", "not-refi-qda", f"root element {root.tag} is not a REFI-QDA project or "
                            "codebook", where))
        return None
    kind = m.group(1).lower()
    found, want = etree.QName(root).namespace, _NS[kind]
    if found != want:
        issues.append(Issue("info", "namespace-normalised", f"namespace {found} read as {want} (refi-qda.md Q5)",
                            where))
        for el in root.iter():
            if isinstance(el.tag, str) and etree.QName(el).namespace == found:
                el.tag = f"{{{want}}}{etree.QName(el).localname}"
    return kind


# Elements cleared once parsed while streaming: the ones that repeat (everything else is small).
_CLEARED = {"project": ("PlainTextSelection", "PDFSelection", "PictureSelection", "AudioSelection",
                        "VideoSelection", "TextSource", "PDFSource", "PictureSource", "AudioSource",
                        "VideoSource", "Case", "Note", "Link", "Set", "Code", "User", "Variable", "Graph"),
            "codebook": ("Code", "Set")}


def _streams_valid(path: Path, options: ReadOptions) -> bool:
    """Whether the XML in ``path`` is valid against the REFI-QDA 1.0 schema its suffix suggests,
    checked while it streams in and with each repeating element freed once parsed: about 25 MB
    at 200,000 codings, where the tree takes about 900 MB.

    libxml2 stops at the first problem and places some without a line, so this only answers
    yes or no: any problem (malformed XML, a schema error, a namespace variant, a limit) is a no,
    and :func:`xsd_issues` then validates the whole tree to find and place every problem."""
    kind = "codebook" if path.suffix.lower() == ".qdc" else "project"
    try:
        # With a schema attached, lxml drops a syntax error: the parse just stops as if the
        # document ended there.  So well-formedness gets a pass of its own (about 1 s at L).
        _stream(path, options, kind, None)
        # A schema object of its own (compiling takes about 1 ms): a shared one's error log
        # would carry this file's errors into the next validation.
        _stream(path, options, kind, etree.XMLSchema(_schema_doc(kind)))
    except (etree.LxmlError, ReadError, OSError):
        return False
    return True


def _stream(path: Path, options: ReadOptions, kind: str, schema: Optional[etree.XMLSchema]) -> None:
    """Parse the XML in ``path`` (a ``.qdpx``'s ``.qde`` member, within the limits), validating
    against ``schema`` when given and freeing repeating elements; raises on the first problem."""
    from ..readers._safe import SafeZip, iterparse_kwargs

    tags = [f"{{{_NS[kind]}}}{t}" for t in _CLEARED[kind]]
    with contextlib.ExitStack() as stack:
        if path.suffix.lower() == ".qdpx":
            from ..readers.qdpx import _qde_member

            archive = stack.enter_context(SafeZip(path, options.limits))
            stream = stack.enter_context(archive.open(_qde_member(archive)))
        else:
            from ..readers._safe import check_regular_file
            if check_regular_file(path).st_size > options.limits.max_member_bytes:
                raise ReadError("file too large", str(path))
            stream = stack.enter_context(open(path, "rb"))
        extra = {"schema": schema} if schema is not None else {}
        for _, el in etree.iterparse(stream, events=("end",), tag=tags, remove_blank_text=True, **extra,
                                     **iterparse_kwargs()):
            el.clear(keep_tail=False)
            parent = el.getparent()
            if parent is not None:
                while el.getprevious() is not None:
                    del parent[0]


def xsd_issues(path: Path, options: Optional[ReadOptions] = None) -> list[Issue]:
    """Schema problems of the REFI-QDA XML in ``path`` (``.qdpx``, ``.qde`` or ``.qdc``)."""
    from ..readers._safe import xml_parser

    options = options or ReadOptions()
    if _streams_valid(Path(path), options):
        return []
    data, member = _qde_bytes(Path(path), options)
    try:
        # The indentation between elements is not kept: no schema type reads it, and at 200,000
        # codings it is about 150 MB of the tree and a third of the validation time.
        root = etree.fromstring(data, xml_parser(remove_blank_text=True))
    except etree.XMLSyntaxError as exc:
        raise ReadError(f"not well-formed XML: {exc.msg}", str(path), f"{member} line {exc.lineno}",
                        hint="the file is damaged; export it again") from None
    issues: list[Issue] = []
    kind = _normalise(root, member, issues)
    if kind is None:
        return issues
    schema = _schema(kind)
    if not schema.validate(root.getroottree()):
        errors = list(schema.error_log)
        for err in errors[:_MAX_SCHEMA_ERRORS]:
            issues.append(Issue("error", "schema-invalid", err.message, f"{member} line {err.line}"))
        if len(errors) > _MAX_SCHEMA_ERRORS:
            issues.append(Issue("error", "schema-invalid", f"{len(errors) - _MAX_SCHEMA_ERRORS} more schema "
                                "error(s) not listed", member))
    return issues


def validate_path(path: Union[str, Path], options: Optional[ReadOptions] = None,
                  format: Optional[str] = None) -> list[Issue]:
    """Validate the file at ``path``: XSD (for REFI-QDA XML), the reader's warnings, and
    :func:`check_project`.  ``format`` overrides the suffix.  Raises :class:`ReadError` when the
    input cannot be read at all."""
    from .. import formats

    path = Path(path)
    options = options or ReadOptions()
    if not path.exists():
        raise ReadError("no such file or folder", str(path), hint="check the path")
    issues: list[Issue] = []
    fmt = formats.get_format(format, "reader") if format else formats.guess_input_format(path)
    if path.is_file() and fmt.name in ("qdpx", "qde", "qdc"):
        issues += xsd_issues(path, options)
    diag = Diagnostics()
    project = fmt.get_reader()(path, diag, options)
    own = set(CHECK_CODES)
    # The reader reports some of the same facts (a missing file); keep the checker's wording once.
    issues += [i for i in diag.finish() if i.code not in own]
    issues += check_project(project)
    return issues
