"""How far a mailbox has been read: its UIDVALIDITY and the last UID handled.

The position lives here rather than in the \\Seen flag, which anyone opening the mailbox in
Outlook may set or clear. It is written only after a message has been handled, so after a crash
the reader resumes at the first message it had not finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from samverkan.storage.db import session_scope
from samverkan.storage.models import MailboxStateRow

_2_31 = 2**31
_2_32 = 2**32


def _to_column(value: int) -> int:
    """Fit an unsigned 32-bit IMAP number into the signed INTEGER column, losslessly.

    UIDVALIDITY and UID are 1..2**32-1 (RFC 3501); PostgreSQL's INTEGER stops at 2**31-1, and
    some servers do hand out UIDVALIDITY values above it.
    """
    if not 0 <= value < _2_32:
        raise ValueError(f"not an unsigned 32-bit number: {value}")
    return value - _2_32 if value >= _2_31 else value


def _from_column(value: int) -> int:
    return value + _2_32 if value < 0 else value


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
        return MailboxPosition(_from_column(row.uidvalidity), _from_column(row.last_uid))


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
        row.uidvalidity = _to_column(uidvalidity)
        row.last_uid = _to_column(last_uid)
        row.updated_at = now
        session.add(row)
