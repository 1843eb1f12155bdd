"""Bytes to text: charsets as people really send them, file types from content, document text.

A sender's claims are hints, not facts. A part labelled ``iso-8859-1`` is often Windows-1252
(Outlook's en dash 0x96) or even UTF-8; an attachment called ``ansokan.png`` may be a PDF. So
text is decoded by trying what the bytes can be, types are sniffed from magic bytes, and document
extraction failures end as ``None`` rather than as an exception that would sink the message.
"""

from __future__ import annotations

import codecs
import io
import logging
import zipfile
from collections.abc import Callable

import filetype
from pypdf import PdfReader

__all__ = [
    "decode_text",
    "extract_text",
    "sniff_content_type",
]

log = logging.getLogger(__name__)

# Single-byte charsets whose labels senders get wrong most often: their bytes are decoded as
# UTF-8 when that works (mislabelled UTF-8) and otherwise as Windows-1252, a superset of
# ISO-8859-1's printable characters that also knows Outlook's dashes and quotes.
_LATIN_FAMILY = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252", "iso8859-15"})
_MAX_PDF_PAGES = 50
_SNIFF_TEXT_BYTES = 4096
_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_OCTET = "application/octet-stream"
_MAX_DOCX_XML_BYTES = 50_000_000


def _codec_name(charset: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when the label is unknown or bogus."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").lower()
    if not label or label.startswith("unknown"):
        return None
    for candidate in (label, label.removeprefix("x-")):
        try:
            return codecs.lookup(candidate).name
        except (LookupError, ValueError):
            continue
    return None


def _decode_cp1252(data: bytes) -> str:
    # The five bytes cp1252 leaves undefined are kept as their Latin-1 code points.
    return data.decode("cp1252", errors="samverkan-latin1")


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return bytes(chunk).decode("latin-1"), error.end


codecs.register_error("samverkan-latin1", _latin1_fallback)


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Decode bytes as text whatever the label says; never raises.

    Order: a byte-order mark wins; a known multibyte label is trusted (errors replaced); a
    Latin-family or missing/unknown label means UTF-8 if the bytes are valid UTF-8, otherwise
    Windows-1252.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    codec = _codec_name(charset)
    if codec is not None and codec != "utf-8" and codec not in _LATIN_FAMILY:
        try:
            return data.decode(codec, errors="replace")
        except (LookupError, UnicodeError, TypeError, ValueError):
            pass  # a codec that cannot decode at all (e.g. a text transform): guess below
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if codec == "iso8859-15":
            return data.decode("iso8859-15", errors="replace")
        return _decode_cp1252(data)


def _looks_like_text(data: bytes) -> bool:
    head = data[:_SNIFF_TEXT_BYTES]
    if not head:
        return True
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    if controls * 100 > len(head):
        return False
    if head.isascii():
        return True
    try:
        data[: _SNIFF_TEXT_BYTES + 3].decode("utf-8")
        return True
    except UnicodeDecodeError as error:
        if error.start >= _SNIFF_TEXT_BYTES:  # only the cut through a character failed
            return True
    # Legacy 8-bit text (Windows-1252) is mostly ASCII; binary is not.
    high = sum(1 for b in head if b >= 0x80)
    return high * 4 <= len(head)


def sniff_content_type(data: bytes) -> str:
    """The MIME type the bytes really have (magic bytes), ``text/plain`` for text, else octet."""
    if not data:
        return _OCTET
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return str(kind.mime)
    if data[:5] == b"%PDF-" or b"%PDF-" in data[:1024]:
        return "application/pdf"
    if _looks_like_text(data):
        return "text/plain"
    return _OCTET


def _pdf_text(data: bytes) -> str | None:
    reader = PdfReader(io.BytesIO(data), strict=False)
    # An owner-password-only PDF opens with the empty password; anything else stays closed.
    if reader.is_encrypted and not reader.decrypt(""):
        return None
    pages = []
    for number, page in enumerate(reader.pages):
        if number >= _MAX_PDF_PAGES:
            break
        pages.append(page.extract_text() or "")
    return "\n\n".join(p.strip() for p in pages if p.strip())


def _docx_main_part(archive: zipfile.ZipFile) -> str:
    """The main document's name inside the package (almost always word/document.xml)."""
    from docx.oxml import parse_xml

    try:
        rels = parse_xml(archive.read("_rels/.rels"))
    except KeyError:
        return "word/document.xml"
    for rel in rels:
        if str(rel.get("Type", "")).endswith("/officeDocument") and rel.get("Target"):
            return str(rel.get("Target")).lstrip("/")
    return "word/document.xml"


def _docx_text(data: bytes) -> str | None:
    """Paragraphs and table rows of a .docx, in document order.

    Only the main document part is parsed, with python-docx's XML layer: loading the whole
    package (styles, numbering, themes) would cost several times more and adds no text.
    """
    from docx.oxml import parse_xml  # python-docx is slow to import; pay only when needed
    from docx.oxml.ns import qn

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = _docx_main_part(archive)
        if archive.getinfo(name).file_size > _MAX_DOCX_XML_BYTES:
            return None  # a zip bomb, or a document far beyond an application's size
        root = parse_xml(archive.read(name))
    body = root.find(qn("w:body"))
    if body is None:
        return None
    paragraph, table, row, cell = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
    blocks: list[str] = []
    for element in body.iterchildren():
        if element.tag == paragraph:
            if element.text.strip():
                blocks.append(element.text)
        elif element.tag == table:
            for tr in element.iter(row):
                cells: list[str] = []
                for tc in tr.iterchildren(cell):
                    value = "\n".join(p.text for p in tc.iter(paragraph)).strip()
                    if value and (not cells or cells[-1] != value):
                        cells.append(value)
                if cells:
                    blocks.append(" | ".join(cells))
    return "\n".join(blocks)


_EXTRACTORS: dict[str, Callable[[bytes], str | None]] = {
    "application/pdf": _pdf_text,
    _DOCX_TYPE: _docx_text,
}


def extract_text(content_type: str, data: bytes, max_chars: int) -> str | None:
    """Readable text of a .txt, .pdf or .docx attachment (by sniffed type); None otherwise.

    A broken or encrypted document gives None: the message is still worth reading without it.
    """
    if content_type == "text/plain":
        return decode_text(data)[:max_chars]
    extractor = _EXTRACTORS.get(content_type)
    if extractor is None:
        return None
    try:
        text = extractor(data)
    # Third-party parsers on hostile input can fail in any way; one bad file must not sink
    # the message, and the failure is logged for the operator.
    except Exception as exc:
        log.info("text extraction failed for %s: %s", content_type, type(exc).__name__)
        return None
    return None if text is None else text[:max_chars]
