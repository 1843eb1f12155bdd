"""Building the e-mail as it goes over the wire, from an outbox item.

Built when it is sent rather than when it is queued: building MIME is the costly part, and
intake should not pay for it. Whatever carries the mail (SMTP, Microsoft Graph) sends these
bytes, and the outbox keeps them on record.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from samverkan.storage.outbox import OutboxItem

__all__ = ["AUTO_REPLY_KINDS", "SENDER_NAME", "build_mime"]

SENDER_NAME = "Malmö stad – samverkansstöd"
AUTO_REPLY_KINDS = frozenset({"ack"})
"""Kinds sent without a person's action: marked per RFC 3834 so responders stay quiet."""


def build_mime(item: OutboxItem, *, sender: str | None = None) -> bytes:
    """The message with CRLF line ends; ``sender`` stands in when the item has none (a
    notice e-mailed to an official)."""
    msg = EmailMessage()
    msg["From"] = formataddr((SENDER_NAME, item.sender or sender or ""))
    msg["To"] = item.to
    msg["Subject"] = item.subject or _subject_of(item.text)
    msg["Date"] = format_datetime(item.at)
    if item.message_id:
        msg["Message-ID"] = item.message_id
    if item.in_reply_to:
        msg["In-Reply-To"] = item.in_reply_to
    if item.references:
        msg["References"] = item.references
    if item.kind in AUTO_REPLY_KINDS or item.channel != "email":
        msg["Auto-Submitted"] = "auto-generated" if item.channel != "email" else "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(item.text)
    if item.html is not None:
        msg.add_alternative(item.html, subtype="html")
    return msg.as_bytes(policy=policy.SMTP)


def _subject_of(text: str) -> str:
    """A notice's first line, as the subject of the e-mail that carries it to an official."""
    first = text.strip().splitlines()[0] if text.strip() else "Samverkan"
    return "Samverkan: " + (first if len(first) <= 120 else first[:119] + "…")
