"""Tiny REFI-QDA fixtures built in code for the reader tests (no third-party data)."""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Optional, Union

NS = "urn:QDA-XML:project:1.0"


def qde(body: str, origin: Optional[str] = "nvivo-bridge tests", ns: str = NS, attrs: str = "",
        decl: bool = True) -> str:
    """Wrap ``body`` (children of <Project>) in the Project boilerplate."""
    o = f' origin="{origin}"' if origin is not None else ""
    head = '<?xml version="1.0" encoding="utf-8"?>\n' if decl else ""
    return f'{head}<Project xmlns="{ns}" name="T"{o}{attrs}>{body}</Project>'


def qdpx(tmp_path: Path, body_or_xml: str, files: Optional[dict[str, Union[str, bytes]]] = None,
         name: str = "t.qdpx", member: str = "project.qde", wrap: bool = True, **kw) -> Path:
    """Write a .qdpx holding ``member`` (the wrapped ``body``) and ``files`` (name → text or bytes)."""
    path = tmp_path / name
    xml = qde(body_or_xml, **kw) if wrap else body_or_xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, xml.encode("utf-8") if isinstance(xml, str) else xml)
        for fname, data in (files or {}).items():
            zf.writestr(fname, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def G(n: int, prefix: str = "a") -> str:
    """A deterministic lower-case GUID."""
    return f"{prefix:0<8}-0000-4000-8000-{n:012d}"


def text_source(guid: str, selections: str = "", text: Optional[str] = None, path: Optional[str] = None,
                name: str = "S", extra: str = "") -> str:
    """A <TextSource> with inline text or a plainTextPath."""
    p = f' plainTextPath="{path}"' if path else ""
    content = f"<PlainTextContent>{text}</PlainTextContent>" if text is not None else ""
    return f'<TextSource guid="{guid}" name="{name}"{p}{extra}>{content}{selections}</TextSource>'


def pts(guid: str, start: int, end: int, code: Optional[str] = None, coding_guid: Optional[str] = None,
        extra: str = "") -> str:
    """A <PlainTextSelection> with one coding (when ``code`` is given)."""
    cod = (f'<Coding guid="{coding_guid or guid[:-3] + "c0d"}"><CodeRef targetGUID="{code}"/></Coding>'
           if code else "")
    return f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}"{extra}>{cod}</PlainTextSelection>'


def codebook(*codes: tuple[str, str]) -> str:
    """<CodeBook> with flat codes ``(guid, name)``."""
    inner = "".join(f'<Code guid="{g}" name="{n}" isCodable="true"/>' for g, n in codes)
    return f"<CodeBook><Codes>{inner}</Codes></CodeBook>"
