"""Writing and finding message rows on the intake hot path.

Plain Core statements built once at import: building an ORM object or a fresh ``insert()``
per row costs more than the insert itself, and intake writes several message rows for every
e-mail it reads. Every row is passed with all its columns, so one compiled statement (and one
``executemany``) serves every kind of message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, or_, select
from sqlmodel import Session

from samverkan.storage.models import AttachmentRow, CaseRow, MessageRow

_MESSAGE = MessageRow.__table__  # type: ignore[attr-defined]
_ATTACHMENT = AttachmentRow.__table__  # type: ignore[attr-defined]
_CASE = CaseRow.__table__  # type: ignore[attr-defined]

_MESSAGE_DEFAULTS: dict[str, Any] = {c.name: None for c in _MESSAGE.columns if c.name != "id"} | {
    "channel": "email",
    "attempts": 0,
}

_INSERT_MESSAGE = insert(_MESSAGE)
_INSERT_MESSAGE_ID = insert(_MESSAGE).returning(_MESSAGE.c.id)
_IDS_BY_DIGEST = select(_MESSAGE.c.digest, _MESSAGE.c.id).where(
    _MESSAGE.c.digest.in_(bindparam("digests", expanding=True))
)
_INSERT_ATTACHMENT = insert(_ATTACHMENT)
_SEEN = (
    select(_MESSAGE.c.digest, _MESSAGE.c.message_id, _CASE.c.ref)
    .select_from(_MESSAGE.outerjoin(_CASE, _CASE.c.id == _MESSAGE.c.case_id))
    .where(
        or_(
            _MESSAGE.c.digest.in_(bindparam("digests", expanding=True)),
            _MESSAGE.c.message_id.in_(bindparam("ids", expanding=True)),
        )
    )
)
_RECENT_ACKS = select(_MESSAGE.c.recipients, _MESSAGE.c.at).where(
    _MESSAGE.c.direction == "out",
    _MESSAGE.c.channel == "email",
    _MESSAGE.c.recipients.in_(bindparam("to", expanding=True)),
    _MESSAGE.c.kind == "ack",
    _MESSAGE.c.at >= bindparam("since"),
)


def message_values(**values: Any) -> dict[str, Any]:
    """A full message row: the given columns, every other one at its default."""
    unknown = values.keys() - _MESSAGE_DEFAULTS.keys()
    if unknown:
        raise TypeError(f"not message columns: {sorted(unknown)}")
    return _MESSAGE_DEFAULTS | values


def insert_message(session: Session | Connection, **values: Any) -> int:
    """Insert one message row and return its id."""
    conn = session if isinstance(session, Connection) else session.connection()
    result = conn.execute(_INSERT_MESSAGE_ID, message_values(**values))
    return int(result.scalar_one())


def insert_messages(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert full rows from :func:`message_values` in one ``executemany``."""
    if rows:
        conn.execute(_INSERT_MESSAGE, list(rows))


def ids_by_digest(conn: Connection, digests: Sequence[str]) -> dict[str, int]:
    """The row ids of stored inbound messages (a digest is unique), in one query.

    Cheaper than RETURNING from an ``executemany``, which SQLAlchemy runs row by row on
    SQLite to keep the ids in order.
    """
    if not digests:
        return {}
    return {d: int(i) for d, i in conn.execute(_IDS_BY_DIGEST, {"digests": list(digests)})}


def insert_attachments(session: Session | Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn = session if isinstance(session, Connection) else session.connection()
        conn.execute(_INSERT_ATTACHMENT, list(rows))


def seen_messages(
    conn: Connection, digests: Iterable[str], message_ids: Iterable[str]
) -> list[tuple[str | None, str | None, str | None]]:
    """Stored messages with one of these digests or Message-IDs: (digest, id, case ref)."""
    rows = conn.execute(_SEEN, {"digests": list(digests), "ids": list(message_ids)})
    return [(d, m, r) for d, m, r in rows]


def latest_inbound_from(conn: Connection, source_prefix: str) -> str | None:
    """The Message-ID of the newest incoming message whose source starts with the prefix: a
    personal chat has no threads, so its latest message is what the next one answers."""
    prefix = func.substr(_MESSAGE.c.source, 1, len(source_prefix))
    query = (
        select(_MESSAGE.c.message_id)
        .where(_MESSAGE.c.direction == "in", prefix == source_prefix)
        .order_by(_MESSAGE.c.id.desc())
        .limit(1)
    )
    value = conn.execute(query).scalar()
    return str(value) if value else None


def first_inbound_of(
    conn: Connection, case_ids: Sequence[int], channels: Sequence[str]
) -> dict[int, tuple[str, bytes]]:
    """Case id -> (source, raw) of its first incoming message on one of ``channels``, for
    several cases in one statement (the reminder tick asks for a batch at once)."""
    if not case_ids:
        return {}
    on = (_MESSAGE.c.direction == "in", _MESSAGE.c.channel.in_(list(channels)))
    first = (
        select(func.min(_MESSAGE.c.id))
        .where(_MESSAGE.c.case_id.in_(list(case_ids)), *on)
        .group_by(_MESSAGE.c.case_id)
    )
    query = select(_MESSAGE.c.case_id, _MESSAGE.c.source, _MESSAGE.c.raw).where(
        _MESSAGE.c.id.in_(first)
    )
    return {
        int(case_id): (str(source or ""), bytes(raw))
        for case_id, source, raw in conn.execute(query)
        if raw is not None
    }


def recent_acks(conn: Connection, to: str, since: datetime) -> list[datetime]:
    """When we auto-replied to ``to`` since ``since`` (for the per-sender limit)."""
    return recent_acks_to(conn, [to], since).get(to, [])


def recent_acks_to(
    conn: Connection, recipients: Iterable[str], since: datetime
) -> dict[str, list[datetime]]:
    """When we auto-replied to each of ``recipients`` since ``since``, in one query."""
    found: dict[str, list[datetime]] = {}
    wanted = sorted(set(recipients))
    if wanted:
        for to, at in conn.execute(_RECENT_ACKS, {"to": wanted, "since": since}):
            found.setdefault(to, []).append(at)
    return found
