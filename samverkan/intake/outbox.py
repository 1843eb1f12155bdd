"""Queueing what Samverkan sends: rendered e-mail and officials' notices, into the outbox.

Storing the finished message (with its Message-ID) in the same transaction as the case means
a reply is never lost when the mail server is down, and never sent for a case that was rolled
back. Delivery is someone else's work: ``samverkan.bot.delivery`` drains the outbox
(``samverkan.storage.outbox``) through its transports.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlmodel import Session

from samverkan.render import render_email
from samverkan.storage.messages import insert_message, recent_acks
from samverkan.storage.outbox import AUDIENCE, email_values, notice_values

__all__ = [
    "CaseKey",
    "email_row",
    "notice_row",
    "queue_email",
    "queue_notice",
    "recent_auto_replies",
]


class CaseKey(Protocol):
    """What queueing needs of a case: its row id and its reference."""

    @property
    def id(self) -> int | None: ...

    @property
    def ref(self) -> str: ...


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "samverkan.invalid"


def queue_email(
    session: Session,
    *,
    case: CaseKey | None,
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

    The MIME message itself is built when it is sent: building it is the costly part, and
    intake should not pay for it.
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
    return message_id, email_values(
        case_id=case_id,
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
    )


def queue_notice(
    session: Session,
    *,
    case: CaseKey | None,
    text: str,
    kind: str,
    now: datetime,
    audience: str | None = None,
) -> None:
    """A notice for the officials (new case, quarantine, overlap, reminder).

    Queued without an address: routing sends it to every place the officials work, and to
    the case's contact person when it concerns them; ``audience`` narrows it to the
    coordinators (``samordnare``) or one official (their id). ``text`` is plain text; every
    transport escapes all of it, since it quotes actors.
    """
    row = notice_row(case_id=case.id if case else None, text=text, kind=kind, now=now)
    if audience:
        row["recipients"] = f"{AUDIENCE}{audience}"
    insert_message(session, **row)


def notice_row(*, case_id: int | None, text: str, kind: str, now: datetime) -> dict[str, Any]:
    """The outbox row of a notice (see :func:`queue_notice`)."""
    return notice_values(case_id=case_id, text=text, kind=kind, now=now)


def recent_auto_replies(session: Session | Connection, to: str, since: datetime) -> list[datetime]:
    """When we last auto-replied to ``to`` (for the per-sender limit)."""
    conn = session if isinstance(session, Connection) else session.connection()
    return recent_acks(conn, to, since)
