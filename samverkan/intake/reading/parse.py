"""One raw e-mail in, one ``ParsedMessage`` out: the only place intake touches MIME.

Mail from the public is messy (mislabelled charsets, 8-bit headers, broken base64, HTML-only
bodies, forwarded and attached messages), and every message that reached the mailbox must lead
somewhere. So everything degrades part by part: a bad header becomes None, a bad part is
skipped or kept without text, and ``ParseError`` is raised only when nothing usable is left. Its
``str()`` is the Swedish quarantine reason an official reads.

The message is parsed once with the stdlib parser (``policy.default``). Header values are read
raw and decoded here rather than through the policy's header objects: that is faster, and it
survives charsets the stdlib refuses.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import Message
from email.parser import BytesParser
from functools import lru_cache
from types import MappingProxyType
from typing import Any, TypeVar

from samverkan.intake.reading.attachments import decode_text, extract_text, sniff_content_type
from samverkan.intake.reading.headers import (
    _PART_ERRORS,
    _addresses,
    _date,
    _guard,
    _header_values,
    _message_id,
    _parse_parameterised,
    _sender,
    _unfold,
    decode_header_value,
)
from samverkan.intake.reading.htmltext import html_to_text
from samverkan.intake.reading.quoting import (
    InlineForward,
    is_forward_subject,
    split_reply,
    strip_subject_prefixes,
)

__all__ = [
    "Attachment",
    "InlineForward",
    "Limits",
    "ParseError",
    "ParsedMessage",
    "parse_message",
    "strip_subject_prefixes",
]

_T = TypeVar("_T")

# Headers at least one of which any real e-mail carries; without them the bytes are something else.
_MAIL_HEADERS = frozenset(
    {
        "from", "to", "cc", "subject", "date", "message-id", "mime-version", "content-type",
        "received", "return-path", "sender", "reply-to", "delivered-to", "in-reply-to",
    }
)  # fmt: skip
_MAX_ATTACHED_DEPTH = 3  # message/rfc822 inside message/rfc822 ...
_MAX_MIME_DEPTH = 20  # multipart nesting
_MAX_PARTS = 500
# Multipart or message/* parts a message may declare before it is refused unparsed: Python's
# parser recurses once per nesting level, and a mail nested a few hundred deep would exhaust
# the stack. Real mail has a handful; counting is linear and runs before the parser does.
_MAX_NESTING_DECLARED = 100
_NESTING_TYPE = re.compile(rb"(?im)^content-type:[ \t]*(?:multipart|message)/")
_TOO_DEEP = "meddelandet är nästlat i för många nivåer för att kunna läsas säkert"
_MAX_HTML_FACTOR = 20  # HTML input considered, in multiples of max_text_chars
_PART_HEADERS = frozenset({"content-type", "content-disposition", "content-id"})
_VALID_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
_MAX_PARSED_HEADER = 4000
_ANGLE_ID = re.compile(r"<[^<>\s]{1,900}>")


class _BoundedHeaderRegistry(HeaderRegistry):
    """``policy.default``'s header objects, built from at most the first few thousand characters.

    The parser itself asks for Content-Type to find boundaries, and the stdlib's structured
    header parser is quadratic in the length of a value: a 250 kB Content-Type would take
    minutes. It also recurses on nested comments "((((…". Real MIME headers are short, and the
    raw values stay complete for our own decoding.
    """

    def __call__(self, name: str, value: Any) -> BaseHeader:
        if not isinstance(value, str):
            return self._build(name, value)
        if len(value) > _MAX_PARSED_HEADER:
            value = value[:_MAX_PARSED_HEADER]
        return self._cached(name, value)

    @lru_cache(maxsize=4096)  # noqa: B019 - one registry for the process; bounded
    def _cached(self, name: str, value: str) -> BaseHeader:
        """The stdlib parses a header again on every access, and its own parser asks for
        Content-Type many times per part; header objects are immutable, so a parse is reused
        (within a message, and across messages for the common "text/plain; charset=utf-8")."""
        return self._build(name, value)

    def _build(self, name: str, value: Any) -> BaseHeader:
        try:
            return super().__call__(name, value)
        except RecursionError:  # nested comments "((((…": read as if the header were empty
            return super().__call__(name, "")


_POLICY = policy.default.clone(header_factory=_BoundedHeaderRegistry())


class ParseError(Exception):
    """The message cannot be understood; str() is the quarantine reason (Swedish)."""


@dataclass(frozen=True)
class Limits:
    """Size limits that keep one hostile or huge message from exhausting the service."""

    max_message_bytes: int = 30_000_000
    max_attachment_bytes: int = 15_000_000
    max_text_chars: int = 200_000


@dataclass(frozen=True)
class Attachment:
    """A file that came with the message, typed by its content rather than by its label."""

    filename: str | None
    content_type: str  # sniffed from content, not the claimed type
    claimed_type: str  # what the message said
    size: int
    data: bytes
    text: str | None  # text of .txt, .pdf and .docx files; None otherwise
    skipped_reason: str | None = None  # set when the data was not kept (e.g. too large)
    inline: bool = False  # shown inside the body (a logo in a signature), not attached
    content_id: str | None = None


@dataclass(frozen=True)
class ParsedMessage:
    """Everything intake needs from one e-mail, decoded and with quotes separated."""

    message_id: str | None  # normalised "<...>"
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str  # RFC 2047 decoded
    sender_name: str | None
    sender_addr: str | None  # lowercased address
    to: tuple[str, ...]
    date: datetime | None  # aware
    headers: Mapping[str, str]  # lowercased names -> decoded first value
    content_type: str  # top-level, e.g. "multipart/report"
    text: str  # the whole readable body (HTML converted to text)
    new_text: str  # the new text only: quotes and signature removed
    attachments: tuple[Attachment, ...]
    attached_messages: tuple[ParsedMessage, ...]  # attached .eml (message/rfc822)
    digest: str  # sha256 hex of the raw bytes
    signature: str = ""  # the sender's signature (after the body, before quotes)
    quoted_text: str = ""  # quoted earlier messages
    forwards: tuple[InlineForward, ...] = ()  # messages forwarded inline in the body
    cc: tuple[str, ...] = ()
    reply_to: str | None = None  # lowercased Reply-To address, when given
    defects: tuple[str, ...] = ()  # what could not be read (Swedish), for the case log


def parse_message(raw: bytes, limits: Limits = Limits()) -> ParsedMessage:
    """Parse one e-mail; raise ``ParseError`` only when there is nothing usable in it."""
    if not raw or not raw.strip():
        raise ParseError("tomt meddelande")
    if len(raw) > limits.max_message_bytes:
        raise ParseError(
            f"meddelandet är för stort ({len(raw)} byte, högst {limits.max_message_bytes})"
        )
    if len(_NESTING_TYPE.findall(raw, 0, limits.max_message_bytes)) > _MAX_NESTING_DECLARED:
        raise ParseError(_TOO_DEEP)
    try:
        message = BytesParser(policy=_POLICY).parsebytes(raw)
        names = {name.lower() for name in message}
        if not names & _MAIL_HEADERS:
            raise ParseError("inte ett e-postmeddelande (inga e-postrubriker hittades)")
        parsed = _build(message, hashlib.sha256(raw).hexdigest(), limits, depth=0)
    except RecursionError:  # a structure the count above did not see (headers folded oddly)
        raise ParseError(_TOO_DEEP) from None
    if not (
        parsed.sender_addr
        or parsed.subject.strip()
        or parsed.text.strip()
        or parsed.attachments
        or parsed.attached_messages
    ):
        raise ParseError("inget läsbart innehåll (varken avsändare, ämne, text eller bilagor)")
    return parsed


# Headers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PartHeaders:
    """A part's MIME headers, read once from the raw values."""

    content_type: str
    params: Mapping[str, str]
    disposition: str | None
    filename: str | None
    content_id: str | None

    @classmethod
    def of(cls, part: Message, default_type: str = "text/plain") -> _PartHeaders:
        raw: dict[str, str] = {}
        for name, value in part.raw_items():
            key = str(name).strip().lower()
            if key in _PART_HEADERS and key not in raw and isinstance(value, str):
                raw[key] = _unfold(value)
        ctype, params = _parse_parameterised(raw.get("content-type", ""))
        if not _VALID_TYPE.fullmatch(ctype):
            ctype = default_type  # missing or invalid: text/plain, as RFC 2045 says
        disposition, dparams = _parse_parameterised(raw.get("content-disposition", ""))
        filename = dparams.get("filename") or params.get("name")
        if filename:
            filename = decode_header_value(filename).strip() or None
        return cls(
            content_type=ctype,
            params=params,
            disposition=disposition or None,
            filename=filename,
            content_id=_message_id(raw.get("content-id")),
        )


def _payload_bytes(part: Message) -> bytes:
    data = _guard(lambda: part.get_payload(decode=True), None)
    return data if isinstance(data, bytes) else b""


def _unflow(text: str, delsp: bool) -> str:
    """Join RFC 3676 format=flowed soft line breaks (Apple Mail, Thunderbird).

    A line ending in a space continues on the next line of the same quote depth.
    """
    out: list[str] = []
    pending: list[str] = []
    pending_depth = -1
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing, or the space after the quote marks
        if pending_depth not in (-1, depth):
            out.append(_quoted(pending_depth, "".join(pending)))
            pending, pending_depth = [], -1
        if content.endswith(" ") and content != "-- ":
            pending.append(content[:-1] if delsp else content)
            pending_depth = depth
            continue
        pending.append(content)
        out.append(_quoted(depth, "".join(pending)))
        pending, pending_depth = [], -1
    if pending_depth != -1:
        out.append(_quoted(pending_depth, "".join(pending)))
    return "\n".join(out)


def _quoted(depth: int, content: str) -> str:
    return f"{'>' * depth} {content}".rstrip() if depth else content


class _Collector:
    """Walks the MIME tree once, sorting leaves into body text, attachments, attached mail."""

    def __init__(self, limits: Limits, depth: int) -> None:
        self.limits = limits
        self.depth = depth
        self.texts: list[str] = []
        self.attachments: list[Attachment] = []
        self.attached: list[ParsedMessage] = []
        self.defects: list[str] = []
        self.parts = 0
        self.truncated = False

    def visit(self, part: Message, mime_depth: int = 0, default_type: str = "text/plain") -> None:
        self.parts += 1
        if self.parts > _MAX_PARTS or mime_depth > _MAX_MIME_DEPTH:
            if not self.truncated:
                self.defects.append("för många delar; resten lästes inte")
                self.truncated = True
            return
        info = _PartHeaders.of(part, default_type)
        ctype = info.content_type
        if ctype in ("message/rfc822", "message/global"):
            self._attached_message(part)
            return
        if part.is_multipart():
            payload = part.get_payload()
            children = [c for c in payload if isinstance(c, Message)] if payload else []
            child_default = "message/rfc822" if ctype == "multipart/digest" else "text/plain"
            if ctype.startswith("message/"):
                self._report_part(ctype, children)
            elif ctype == "multipart/alternative":
                self._alternative(children, mime_depth + 1)
            else:
                for child in children:
                    self.visit(child, mime_depth + 1, child_default)
            return
        data = _payload_bytes(part)
        if (
            ctype in ("text/plain", "text/html")
            and info.disposition != "attachment"
            and not (info.filename)
        ):
            self._body_part(data, info)
        else:
            self._attachment(data, info)

    def _alternative(self, children: list[Message], mime_depth: int) -> None:
        """Plain text when it has content (the sender's own words), else HTML, else the rest."""
        plain = html = other = None
        for child in children:
            if child.is_multipart():
                other = other or child
                continue
            info = _PartHeaders.of(child)
            if info.content_type == "text/plain" and plain is None:
                data = _payload_bytes(child)
                if data.strip():
                    plain = (data, info)
            elif info.content_type == "text/html" and html is None:
                html = (child, info)
        self.parts += len(children)
        if plain is not None:
            self._body_part(*plain)
        elif html is not None:
            self._body_part(_payload_bytes(html[0]), html[1])
        elif other is not None:
            self.visit(other, mime_depth)
        elif children:
            self.visit(children[-1], mime_depth)

    def _body_part(self, data: bytes, info: _PartHeaders) -> None:
        text = decode_text(data, info.params.get("charset"))
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
        if info.content_type == "text/html":
            text = html_to_text(text[: self.limits.max_text_chars * _MAX_HTML_FACTOR])
        elif info.params.get("format", "").lower() == "flowed":
            text = _unflow(text, info.params.get("delsp", "").lower() == "yes")
        if text.strip():
            self.texts.append(text.strip("\n"))

    def _attachment(self, data: bytes, info: _PartHeaders) -> None:
        ctype = info.content_type
        sniffed = sniff_content_type(data)
        if sniffed == "text/plain" and (ctype == "text/html" or _is_html(data)):
            sniffed = "text/html"
        limit = self.limits.max_attachment_bytes
        text: str | None = None
        skipped: str | None = None
        if len(data) > limit:
            skipped = _too_large(len(data), limit)
        elif sniffed == "text/plain":
            text = decode_text(data, info.params.get("charset"))[: self.limits.max_text_chars]
        elif sniffed == "text/html":
            text = html_to_text(decode_text(data)[: self.limits.max_text_chars * _MAX_HTML_FACTOR])
        else:
            text = extract_text(sniffed, data, self.limits.max_text_chars)
        disposition = info.disposition
        self.attachments.append(
            Attachment(
                filename=info.filename,
                content_type=sniffed,
                claimed_type=ctype,
                size=len(data),
                data=b"" if skipped else data,
                text=text,
                skipped_reason=skipped,
                inline=disposition == "inline" or (disposition is None and bool(info.content_id)),
                content_id=info.content_id,
            )
        )

    def _attached_message(self, part: Message) -> None:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, Message):
            return
        if self.depth >= _MAX_ATTACHED_DEPTH:
            self.defects.append("bifogat meddelande i för många nivåer; lästes inte")
            return
        data = _message_bytes(inner)
        self.attached.append(
            _build(inner, hashlib.sha256(data).hexdigest(), self.limits, self.depth + 1)
        )

    def _report_part(self, ctype: str, blocks: list[Message]) -> None:
        """message/delivery-status and friends: header blocks kept as a text attachment."""
        text = "\n\n".join(
            "\n".join(f"{name}: {_unfold(str(value))}" for name, value in block.raw_items())
            for block in blocks
        )
        data = text.encode("utf-8")
        limit = self.limits.max_attachment_bytes
        too_large = len(data) > limit
        self.attachments.append(
            Attachment(
                filename=None,
                content_type="text/plain",
                claimed_type=ctype,
                size=len(data),
                data=b"" if too_large else data,
                text=None if too_large else text[: self.limits.max_text_chars],
                skipped_reason=_too_large(len(data), limit) if too_large else None,
            )
        )


def _too_large(size: int, limit: int) -> str:
    return f"bilagan är för stor ({size} byte, högst {limit})"


def _is_html(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


_REGENERATE = _POLICY.clone(refold_source="none", max_line_length=0)


def _message_bytes(message: Message) -> bytes:
    """Bytes of an attached message for its digest; the source bytes are gone after parsing."""
    try:
        return message.as_bytes(policy=_REGENERATE)
    except _PART_ERRORS:
        return b""


def _build(message: Message, digest: str, limits: Limits, depth: int) -> ParsedMessage:
    raw, headers = _header_values(message)
    subject = headers.get("subject", "")
    sender_name, sender_addr = _sender(raw.get("from"))
    reply_to = _addresses(raw.get("reply-to"))

    collector = _Collector(limits, depth)
    collector.visit(message)
    text = "\n\n".join(collector.texts)
    if len(text) > limits.max_text_chars:
        text = text[: limits.max_text_chars]
        collector.defects.append(f"texten kortades till {limits.max_text_chars} tecken")
    split = split_reply(text, forward=is_forward_subject(subject))

    references = tuple(_ANGLE_ID.findall(raw.get("references", "")))
    return ParsedMessage(
        message_id=_message_id(raw.get("message-id")),
        in_reply_to=_message_id(raw.get("in-reply-to")),
        references=references,
        subject=subject,
        sender_name=sender_name,
        sender_addr=sender_addr,
        to=tuple(addr for _, addr in _addresses(raw.get("to"))),
        date=_date(raw.get("date")),
        headers=MappingProxyType(headers),
        content_type=_PartHeaders.of(message).content_type,
        text=text,
        new_text=split.new_text,
        attachments=tuple(collector.attachments),
        attached_messages=tuple(collector.attached),
        digest=digest,
        signature=split.signature,
        quoted_text=split.quoted_text,
        forwards=split.forwards,
        cc=tuple(addr for _, addr in _addresses(raw.get("cc"))),
        reply_to=reply_to[0][1] if reply_to else None,
        defects=tuple(collector.defects),
    )
