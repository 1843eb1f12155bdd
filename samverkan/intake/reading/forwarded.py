"""Which words in a message are the application: the sender's own, or a message they passed on.

City offices and association boards pass applications on: "VB: Ansökan …" with two lines of
their own above an Outlook ``Från: … Skickat: …`` block, a Gmail "Vidarebefordrat meddelande",
a forward of a forward, or the original attached as a message (message/rfc822). When the
forwarder's own text is short, the forwarded message is the application and its writer is the
applicant; the forwarder is kept apart, and counts as the contact person only when they say so
("jag är kontaktperson", "kontakta mig"). The system's own mail (an acknowledgement carrying a
case reference, or sent from the contact address) is never read as an application.

Pure: a :class:`ParsedMessage` in, an :class:`ApplicationSource` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from samverkan.intake.reading.parse import ParsedMessage
from samverkan.intake.reading.quoting import InlineForward, split_reply

__all__ = ["ApplicationSource", "application_source"]

# Own text up to this many words is a cover note ("Hej, se ansökan nedan. /Lina").
_SHORT_NOTE_WORDS = 80
_MAX_FORWARD_DEPTH = 5
_WORD = re.compile(r"\w+")
_OUR_REF = re.compile(r"\bSAM-\d{4}-\d{4}\b", re.IGNORECASE)
_FORWARDER_IS_CONTACT = re.compile(
    r"\b(?:jag är (?:\w+ )?kontaktperson|kontaktperson är jag|kontakta (?:gärna )?mig"
    r"|jag är kontakt|i am the contact|i'm the contact|contact me|please contact me)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ApplicationSource:
    """The application's own words and who wrote them."""

    text: str
    """The writer's new text followed by the text of attachments."""
    signature: str
    subject: str
    sender_name: str | None
    sender_addr: str | None
    forwarded_by: tuple[str | None, str | None] | None = None
    """(name, address) of whoever passed the application on, when it was forwarded."""
    forwarder_note: str = ""
    forwarder_signature: str = ""
    forwarder_is_contact: bool = False


@dataclass(frozen=True)
class _Layer:
    text: str
    signature: str
    subject: str
    sender_name: str | None
    sender_addr: str | None
    forwards: tuple[InlineForward, ...]
    attached: tuple[ParsedMessage, ...]


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _of_message(msg: ParsedMessage) -> _Layer:
    return _Layer(msg.new_text, msg.signature, msg.subject, msg.sender_name, msg.sender_addr,
                  msg.forwards, msg.attached_messages)  # fmt: skip


def _of_forward(forward: InlineForward, outer: _Layer) -> _Layer:
    split = split_reply(forward.text, forward=True)
    return _Layer(
        split.new_text,
        split.signature,
        forward.subject or outer.subject,
        forward.sender_name if forward.sender_addr or forward.sender_name else outer.sender_name,
        forward.sender_addr or outer.sender_addr,
        split.forwards,
        (),
    )


def _is_ours(subject: str | None, addr: str | None, own_address: str | None) -> bool:
    """The system's own mail: it carries a case reference or came from the contact address."""
    if subject and _OUR_REF.search(subject):
        return True
    return bool(own_address and addr and addr.lower() == own_address.lower())


def _inner(layer: _Layer, own_address: str | None) -> _Layer | None:
    """The message this layer passes on, when its own words are only a cover note."""
    if _words(layer.text) > _SHORT_NOTE_WORDS:
        return None
    for forward in layer.forwards:
        if _is_ours(forward.subject, forward.sender_addr, own_address):
            continue
        inner = _of_forward(forward, layer)
        if _words(inner.text) > _words(layer.text):
            return inner
    for attached in layer.attached:
        if _is_ours(attached.subject, attached.sender_addr, own_address):
            continue
        inner = _of_message(attached)
        if _words(inner.text) > _words(layer.text) or inner.forwards or inner.attached:
            return inner
    return None


def application_source(msg: ParsedMessage, *, own_address: str | None = None) -> ApplicationSource:
    """The words to read as the application, and their writer.

    Attachment texts (a .docx or PDF application) always count, whichever layer they came in.
    Attached messages that are not the application are read too, after the main text, as the
    intake has always done.
    """
    outer = layer = _of_message(msg)
    for _ in range(_MAX_FORWARD_DEPTH):
        inner = _inner(layer, own_address)
        if inner is None:
            break
        layer = inner
    attachments = [a.text for a in msg.attachments if a.text]
    extra = [m.new_text for m in msg.attached_messages if m.new_text and m.new_text != layer.text]
    text = "\n\n".join(p for p in [layer.text, *attachments, *extra] if p)
    if layer is outer:
        return ApplicationSource(text, layer.signature, msg.subject, msg.sender_name,
                                 msg.sender_addr)  # fmt: skip
    return ApplicationSource(
        text=text,
        signature=layer.signature,
        subject=layer.subject,
        sender_name=layer.sender_name,
        sender_addr=layer.sender_addr,
        forwarded_by=(msg.sender_name, msg.sender_addr),
        forwarder_note=outer.text,
        forwarder_signature=outer.signature,
        forwarder_is_contact=bool(_FORWARDER_IS_CONTACT.search(outer.text)),
    )
