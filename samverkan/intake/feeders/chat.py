"""Chat messages into the intake: a Slack or Teams message becomes what a mail would be.

The feeder knows the intake only through its one port, ``process_batch``: each message is
written as the RFC 822 message it would have been had the actor mailed it, so reading,
extraction, criteria, overlap and the acknowledgement are the e-mail path's, and the same
text gives the same case. What makes a chat message a mail:

- ``Message-ID`` is derived from the platform's own ids (``<slack.C0123.1772443800.000100@…>``),
  so a message Slack or Teams delivers twice is a duplicate, not a second case;
- the thread is the conversation: a message in a thread names the thread's first message in
  ``In-Reply-To`` and ``References``, so the pipeline appends it to that message's case like
  an e-mail reply. In a personal chat (no threads) the conversation's latest message stands
  in for the thread's first;
- ``From`` carries the author's name, and their e-mail address only when the platform gave
  one (then the acknowledgement also goes by e-mail); without one, no mail is sent;
- the subject is the text's first line, the files are attachments, and ``X-Samverkan-Chat-*``
  headers keep the platform, conversation and author on record with the raw message;
- ``X-Samverkan-Chat-Reply-To``, ``-Thread`` and ``-Service`` say where the answers go (the
  conversation, the message or thread replied to, Teams' connector): the intake queues the
  acknowledgement there through the outbox, as it queues the acknowledgement e-mail. The
  intake trusts these headers only on a message whose source is this feeder's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Protocol

from samverkan.intake.outcome import IngestResult

__all__ = [
    "CHAT_DOMAIN",
    "BatchPort",
    "ChatFeeder",
    "ChatFile",
    "ChatMessage",
    "chat_message_id",
    "to_rfc822",
]

CHAT_DOMAIN = "chat.samverkan.invalid"
"""The domain of the Message-IDs chat messages get (``.invalid``: never a real host)."""
SUBJECT_CHARS = 78
_POLICY = SMTP.clone(max_line_length=998)
"""RFC 5322's hard limit: a Message-ID is one unbroken word, and folding a longer header than
78 characters would turn it into an encoded word no reader takes for an id."""
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9._-]")


class BatchPort(Protocol):
    """The intake as a feeder sees it: ``samverkan.intake.pipeline.Intake.process_batch``."""

    def process_batch(self, items: Sequence[tuple[bytes, str]]) -> list[IngestResult]: ...


@dataclass(frozen=True)
class ChatFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ChatMessage:
    """One chat message as every platform can describe it.

    ``conversation`` is the channel or chat, ``message_id`` the platform's id of this message
    (Slack's ``ts``, Teams' activity id), ``thread_root`` the id of the first message of the
    thread it answers (None when it starts one). ``author_id`` is the platform's user id.
    """

    platform: str
    conversation: str
    message_id: str
    author_id: str
    text: str
    at: datetime
    thread_root: str | None = None
    author_name: str | None = None
    author_email: str | None = None
    files: tuple[ChatFile, ...] = field(default=())
    html: str | None = None
    """The message as HTML when the platform gives only that (the intake reads it as a mail's
    HTML part); ``text`` is then the subject's source."""
    reply_to: str | None = None
    """Where answers are posted when not ``conversation`` (Teams: the conversation id as the
    activity gave it, with its ``;messageid=`` thread)."""
    reply_thread: str | None = None
    """The message answers reply to when not the thread's first (or this) message."""
    service_url: str | None = None
    """Teams: the Bot Connector the activity came through, which the answer goes back to."""

    @property
    def source(self) -> str:
        """Where the message came from, for the record: ``slack:C0123/1772443800.000100``."""
        return f"{self.platform}:{self.conversation}/{self.message_id}"


def _token(value: str) -> str:
    """A platform id made safe inside a Message-ID; long ids are hashed (Teams' are long)."""
    safe = _UNSAFE_ID.sub("_", value)
    if len(safe) <= 80:
        return safe
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _header(value: str) -> str:
    """A platform id as one header word: no whitespace or control characters, bounded."""
    return "".join(c for c in value if c.isprintable() and not c.isspace())[:900]


def chat_message_id(platform: str, conversation: str, message_id: str) -> str:
    """The Message-ID a chat message is stored under; the same ids give the same one."""
    return f"<{platform}.{_token(conversation)}.{_token(message_id)}@{CHAT_DOMAIN}>"


def _subject(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= SUBJECT_CHARS:
        return first or "Meddelande i chatten"
    return first[: SUBJECT_CHARS - 1].rstrip() + "…"


def _sender(message: ChatMessage) -> str:
    name = (message.author_name or message.author_id).replace("\n", " ").strip()
    if message.author_email:
        return str(Address(display_name=name, addr_spec=message.author_email))
    return str(Address(display_name=name))  # a name without an address: no mail goes back


def to_rfc822(message: ChatMessage, *, answers: str | None = None) -> bytes:
    """The message as the mail it would have been. ``answers`` is the Message-ID it replies
    to when that is not the thread's first message (a personal chat's latest message)."""
    mail = EmailMessage(policy=_POLICY)
    mail["Message-ID"] = chat_message_id(message.platform, message.conversation, message.message_id)
    parent = answers
    if parent is None and message.thread_root and message.thread_root != message.message_id:
        parent = chat_message_id(message.platform, message.conversation, message.thread_root)
    if parent is not None:
        mail["In-Reply-To"] = parent
        mail["References"] = parent
    mail["From"] = _sender(message)
    mail["Subject"] = _subject(message.text)
    mail["Date"] = format_datetime(message.at)
    mail["X-Samverkan-Chat"] = message.platform
    mail["X-Samverkan-Chat-Conversation"] = _token(message.conversation)
    mail["X-Samverkan-Chat-User"] = _token(message.author_id)
    mail["X-Samverkan-Chat-Reply-To"] = _header(message.reply_to or message.conversation)
    thread = message.reply_thread or message.thread_root or message.message_id
    mail["X-Samverkan-Chat-Thread"] = _header(thread)
    if message.service_url:
        mail["X-Samverkan-Chat-Service"] = _header(message.service_url)
    if message.html is not None:
        mail.set_content(message.html, subtype="html")
    else:
        mail.set_content(message.text or "")
    for file in message.files:
        maintype, _, subtype = file.content_type.partition("/")
        mail.add_attachment(
            file.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=file.filename,
        )
    return mail.as_bytes()


class ChatFeeder:
    """Hands chat messages to the intake; the adapters answer in the thread with the result."""

    def __init__(self, intake: BatchPort) -> None:
        self.intake = intake

    def feed(
        self, messages: Sequence[ChatMessage], *, answers: Sequence[str | None] = ()
    ) -> list[IngestResult]:
        """One result per message, committed. ``answers[i]`` is what message ``i`` replies to
        when the platform has no thread for it (see :func:`to_rfc822`)."""
        parents = [*answers, *([None] * (len(messages) - len(answers)))]
        items = [
            (to_rfc822(m, answers=p), m.source) for m, p in zip(messages, parents, strict=True)
        ]
        return self.intake.process_batch(items)
