"""What the outbox holds, for people: the read side of ``samverkan outbox``.

Outbox items are the outbound rows of the ``message`` table that have a ``send_state``: e-mail
(``channel = "email"``, to ``recipients``) and officials' notices (``channel = "notice"``,
``recipients`` ``"slack:C…"``, ``"teams:…"``, ``"email:…"`` once routed, empty before). The
list is one query that reads only the columns it shows, never the message bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from samverkan.storage.models import CaseRow, MessageRow

_MESSAGES = MessageRow.__table__  # type: ignore[attr-defined]
_CASES = CaseRow.__table__  # type: ignore[attr-defined]

STATES = ("pending", "sending", "sent", "failed", "folded")


def transport_of(channel: str, recipients: str | None) -> tuple[str, str]:
    """(transport, address): ``email`` to its address, or a notice's ``slack:C0123`` split."""
    if channel in ("email", "slack", "teams"):  # an e-mail, or an answer in a chat thread
        return channel, recipients or ""
    transport, sep, address = (recipients or "").partition(":")
    return (transport, address) if sep else ("", "")


@dataclass(frozen=True)
class OutboxLine:
    """One item as the list shows it."""

    id: int
    channel: str
    transport: str
    to: str
    ref: str | None
    kind: str | None
    subject: str | None
    state: str
    attempts: int
    queued_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel,
            "transport": self.transport or None,
            "to": self.to or None,
            "case": self.ref,
            "kind": self.kind,
            "subject": self.subject,
            "state": self.state,
            "attempts": self.attempts,
            "queued_at": self.queued_at.isoformat(),
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "last_error": self.last_error,
        }


@dataclass(frozen=True)
class OutboxItemView:
    """One item in full: the list's fields, the text and the mail headers."""

    line: OutboxLine
    message_id: str | None
    sender: str | None
    in_reply_to: str | None
    text: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.line.to_dict(),
            "message_id": self.message_id,
            "from": self.sender,
            "in_reply_to": self.in_reply_to,
            "text": self.text,
        }


def _line(row: Any) -> OutboxLine:
    transport, to = transport_of(row.channel, row.recipients)
    return OutboxLine(
        id=row.id,
        channel=row.channel,
        transport=transport,
        to=to,
        ref=row.ref,
        kind=row.kind,
        subject=row.subject,
        state=row.send_state,
        attempts=row.attempts,
        queued_at=row.at,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
    )


def _select(*extra: Any) -> Any:
    m, c = _MESSAGES.c, _CASES.c
    columns = [m.id, m.channel, m.recipients, c.ref, m.kind, m.subject, m.send_state]
    columns += [m.attempts, m.at, m.next_attempt_at, m.sent_at, m.last_error, *extra]
    return (
        select(*columns)
        .select_from(_MESSAGES.outerjoin(_CASES, m.case_id == c.id))
        .where(m.direction == "out", m.send_state.is_not(None))
    )


def outbox_lines(
    conn: Connection, *, states: tuple[str, ...] = (), limit: int | None = None
) -> list[OutboxLine]:
    """Items oldest first, in any of ``states`` (all when empty)."""
    query = _select().order_by(_MESSAGES.c.at, _MESSAGES.c.id)
    if states:
        query = query.where(_MESSAGES.c.send_state.in_(states))
    if limit is not None:
        query = query.limit(limit)
    return [_line(row) for row in conn.execute(query)]


def outbox_item(conn: Connection, item_id: int) -> OutboxItemView | None:
    """One item with its text, or ``None`` when no outbox item has that id."""
    m = _MESSAGES.c
    query = _select(m.message_id, m.sender, m.in_reply_to, m.body_text).where(m.id == item_id)
    row = conn.execute(query).first()
    if row is None:
        return None
    return OutboxItemView(_line(row), row.message_id, row.sender, row.in_reply_to, row.body_text)
