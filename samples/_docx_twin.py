"""The rich-text twin NVivo for Windows puts next to every exported ``.txt``: a small ``.docx``.

The package parts come from python-docx once per process (its default document with the heavy
parts dropped: styles, theme, thumbnail…), so each twin only re-renders ``word/document.xml``
with one paragraph per line.  Members get a fixed timestamp so the bytes are reproducible.
"""
from __future__ import annotations

import io
import zipfile
from functools import lru_cache
from xml.sax.saxutils import escape

__all__ = ["docx_twin", "FIXED_ZIP_TIME"]

FIXED_ZIP_TIME = (2024, 3, 1, 9, 0, 0)
_MARK = "NVIVO-LIKE-MARK"
_KEEP_RELS = ("settings",)  # the only part a tiny valid document keeps besides document.xml


@lru_cache(maxsize=1)
def _template() -> tuple[tuple[tuple[str, bytes], ...], str, str]:
    """Return (members in order, document.xml head, document.xml tail) of the python-docx template."""
    import docx  # python-docx; imported here so that importing this module stays cheap

    doc = docx.Document()
    doc.add_paragraph(_MARK)
    part = doc.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] not in _KEEP_RELS:
            part.drop_rel(rid)
    pkg_rels = part.package.rels
    for rid, rel in list(pkg_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            pkg_rels.pop(rid)
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as zf:
        members = tuple((info.filename, zf.read(info)) for info in zf.infolist())
    body = dict(members)["word/document.xml"].decode("utf-8")
    marker = f"<w:p><w:r><w:t>{_MARK}</w:t></w:r></w:p>"
    head, tail = body.split(marker)
    return members, head, tail


def _paragraph(line: str) -> str:
    if not line:
        return "<w:p/>"
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>'


def docx_twin(text: str) -> bytes:
    """A valid .docx holding ``text`` (one paragraph per line), with reproducible bytes."""
    members, head, tail = _template()
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    document = head + "".join(_paragraph(line) for line in lines) + tail
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            if name == "word/document.xml":
                data = document.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()
