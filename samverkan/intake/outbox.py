"""Queueing outbound e-mail: rendered and stored with the case, sent later by ``smtp.py``.

Storing the finished message (with its Message-ID) in the same transaction as the case means
a reply is never lost when SMTP is down, and never sent for a case that was rolled back.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from samverkan.render import render_email
from samverkan.storage.cases import Case
from samverkan.storage.messages import insert_message, message_values, recent_acks
from samverkan.storage.models import CaseRow, MessageRow

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
SENDER_NAME = "Malmö stad – samverkansstöd"


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "samverkan.invalid"


AUTO_REPLY_KINDS = frozenset({"ack"})
"""Kinds sent without a person's action: marked per RFC 3834 so responders stay quiet."""


def queue_email(
    session: Session,
    *,
    case: Case | CaseRow | None,
    template: str,
    context: dict[str, Any],
    sender: str,
    to: str,
    kind: str,
    now: datetime,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
) -> str:
    """Render ``template``, put the message in the outbox and return its Message-ID.

    The MIME message itself is built when it is sent (:func:`build_mime`): building it is
    the costly part, and intake should not pay for it.
    """
    message_id, row = email_row(
        case_id=case.id if case else None,
        tag=case.ref if case else kind,
        template=template,
        context=context,
        sender=sender,
        to=to,
        kind=kind,
        now=now,
        in_reply_to=in_reply_to,
        references=references,
    )
    insert_message(session, **row)
    return message_id


def email_row(
    *,
    case_id: int | None,
    tag: str,
    template: str,
    context: dict[str, Any],
    sender: str,
    to: str,
    kind: str,
    now: datetime,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
) -> tuple[str, dict[str, Any]]:
    """The rendered outbox row of an e-mail and its Message-ID, for a caller that inserts
    several rows at once; ``tag`` (the case reference) goes into the Message-ID."""
    rendered = render_email(template, **context)
    message_id = f"<{tag}.{kind}.{uuid.uuid4().hex}@{_domain(sender)}>"
    return message_id, message_values(
        case_id=case_id,
        direction="out",
        channel="email",
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=" ".join((*references, in_reply_to)) if in_reply_to else None,
        subject=rendered.subject,
        sender=sender,
        recipients=to,
        body_text=rendered.text,
        body_html=rendered.html,
        kind=kind,
        at=now,
        send_state=PENDING,
        next_attempt_at=now,
    )


def build_mime(row: MessageRow) -> bytes:
    """The message as it goes over SMTP (CRLF line ends), from a stored outbox row."""
    msg = EmailMessage()
    msg["From"] = formataddr((SENDER_NAME, row.sender or ""))
    msg["To"] = row.recipients or ""
    msg["Subject"] = row.subject or ""
    msg["Date"] = format_datetime(row.at)
    msg["Message-ID"] = row.message_id or ""
    if row.in_reply_to:
        msg["In-Reply-To"] = row.in_reply_to
    if row.references:
        msg["References"] = row.references
    if row.kind in AUTO_REPLY_KINDS:
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(row.body_text or "")
    if row.body_html is not None:
        msg.add_alternative(row.body_html, subtype="html")
    return msg.as_bytes(policy=policy.SMTP)


def queue_notice(
    session: Session, *, case: Case | CaseRow | None, text: str, kind: str, now: datetime
) -> None:
    """A notice for the officials' chat channel (new case, quarantine, overlap).

    Kept in the same outbox as e-mail; the chat adapters post and mark them. ``text`` must
    already be safe: actor text is quoted by the caller.
    """
    insert_message(
        session, **notice_row(case_id=case.id if case else None, text=text, kind=kind, now=now)
    )


def notice_row(*, case_id: int | None, text: str, kind: str, now: datetime) -> dict[str, Any]:
    """The outbox row of a notice (see :func:`queue_notice`)."""
    return message_values(
        case_id=case_id,
        direction="out",
        channel="notice",
        body_text=text,
        kind=kind,
        at=now,
        send_state=PENDING,
        next_attempt_at=now,
    )


def recent_auto_replies(session: Session | Connection, to: str, since: datetime) -> list[datetime]:
    """When we last auto-replied to ``to`` (for the per-sender limit)."""
    conn = session if isinstance(session, Connection) else session.connection()
    return recent_acks(conn, to, since)
