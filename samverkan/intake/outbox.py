"""Queueing outbound e-mail: rendered and stored with the case, sent later by ``smtp.py``.

Storing the finished message (with its Message-ID) in the same transaction as the case means
a reply is never lost when SMTP is down, and never sent for a case that was rolled back.
"""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from sqlmodel import Session, col, select

from samverkan.render import render_email
from samverkan.storage.models import CaseRow, MessageRow

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "samverkan.invalid"


def queue_email(
    session: Session,
    *,
    case: CaseRow | None,
    template: str,
    context: dict[str, Any],
    sender: str,
    to: str,
    kind: str,
    now: datetime,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    auto_reply: bool = False,
) -> MessageRow:
    """Render ``template`` and put the message in the outbox (``send_state`` pending)."""
    rendered = render_email(template, **context)
    msg = EmailMessage()
    msg["From"] = f"Malmö stad – samverkansstöd <{sender}>"
    msg["To"] = to
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(now)
    message_id = make_msgid(idstring=case.ref if case else kind, domain=_domain(sender))
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = " ".join((*references, in_reply_to))
    if auto_reply:
        # RFC 3834: tells well-behaved responders not to answer us, which breaks mail loops.
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(rendered.text)
    if rendered.html is not None:
        msg.add_alternative(rendered.html, subtype="html")
    row = MessageRow(
        case_id=case.id if case else None,
        direction="out",
        channel="email",
        message_id=message_id,
        in_reply_to=in_reply_to,
        subject=rendered.subject,
        sender=sender,
        recipients=to,
        body_text=rendered.text,
        body_html=rendered.html,
        raw=msg.as_bytes(policy=policy.SMTP),  # CRLF line ends, as SMTP wants them
        kind=kind,
        at=now,
        send_state=PENDING,
        next_attempt_at=now,
    )
    session.add(row)
    return row


def queue_notice(
    session: Session, *, case: CaseRow | None, text: str, kind: str, now: datetime
) -> MessageRow:
    """A notice for the officials' chat channel (new case, quarantine, overlap).

    Kept in the same outbox as e-mail; the chat adapters post and mark them. ``text`` must
    already be safe: actor text is quoted by the caller.
    """
    row = MessageRow(
        case_id=case.id if case else None,
        direction="out",
        channel="notice",
        body_text=text,
        kind=kind,
        at=now,
        send_state=PENDING,
        next_attempt_at=now,
    )
    session.add(row)
    return row


def recent_auto_replies(session: Session, to: str, since: datetime) -> list[datetime]:
    """When we last auto-replied to ``to`` (for the per-sender limit)."""
    rows = session.exec(
        select(MessageRow.at).where(
            MessageRow.direction == "out",
            MessageRow.channel == "email",
            MessageRow.recipients == to,
            col(MessageRow.kind).in_(("ack",)),
            col(MessageRow.at) >= since,
        )
    ).all()
    return list(rows)
