"""How far a mailbox has been read: its UIDVALIDITY and the last UID handled (IMAP), or the
Graph delta link to resume from.

The position lives here rather than in the \\Seen flag, which anyone opening the mailbox in
Outlook may set or clear. It is written only after a message has been handled, so after a crash
the reader resumes at the first message it had not finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from samverkan.storage.db import session_scope
from samverkan.storage.models import MailboxCursorRow, MailboxStateRow

_2_32 = 2**32


def _checked(value: int) -> int:
    """UIDVALIDITY and UID are unsigned 32-bit (RFC 3501); the columns are BIGINT."""
    if not 0 <= value < _2_32:
        raise ValueError(f"not an unsigned 32-bit number: {value}")
    return value


@dataclass(frozen=True)
class MailboxPosition:
    uidvalidity: int
    last_uid: int


def load_position(engine: Engine, mailbox: str) -> MailboxPosition | None:
    """The stored position of ``mailbox``, or None when it has never been read."""
    with session_scope(engine) as session:
        row = session.get(MailboxStateRow, mailbox)
        if row is None:
            return None
        return MailboxPosition(row.uidvalidity, row.last_uid)


def save_position(
    engine: Engine, mailbox: str, uidvalidity: int, last_uid: int, now: datetime
) -> None:
    """Record that every message of ``mailbox`` up to ``last_uid`` has been handled.

    Only the lease holder writes here, so a read-then-write is enough.
    """
    with session_scope(engine) as session:
        row = session.get(MailboxStateRow, mailbox)
        if row is None:
            row = MailboxStateRow(mailbox=mailbox, uidvalidity=0, last_uid=0, updated_at=now)
        row.uidvalidity = _checked(uidvalidity)
        row.last_uid = _checked(last_uid)
        row.updated_at = now
        session.add(row)


def load_cursor(engine: Engine, mailbox: str) -> str | None:
    """The stored Graph link (``deltaLink``, or a ``nextLink`` mid-round) of ``mailbox``."""
    with session_scope(engine) as session:
        row = session.get(MailboxCursorRow, mailbox)
        return row.link if row is not None else None


def save_cursor(engine: Engine, mailbox: str, link: str | None, now: datetime) -> None:
    """Record where reading ``mailbox`` resumes; None forgets it (start a full round).

    Written only after every message before it was handled, so a crash repeats work at most.
    """
    with session_scope(engine) as session:
        row = session.get(MailboxCursorRow, mailbox)
        if link is None:
            if row is not None:
                session.delete(row)
            return
        if row is None:
            row = MailboxCursorRow(mailbox=mailbox, link=link, updated_at=now)
        row.link = link
        row.updated_at = now
        session.add(row)
