"""Writing message rows on the intake hot path.

Plain Core inserts: building an ORM object per row costs more than the insert itself, and
intake writes several message rows for every e-mail it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from samverkan.storage.models import AttachmentRow, MessageRow

_MESSAGE = MessageRow.__table__  # type: ignore[attr-defined]
_ATTACHMENT = AttachmentRow.__table__  # type: ignore[attr-defined]


def insert_message(session: Session, **values: Any) -> int:
    """Insert one message row and return its id."""
    values.setdefault("attempts", 0)
    result = session.execute(insert(_MESSAGE).values(**values).returning(_MESSAGE.c.id))
    return int(result.scalar_one())


def insert_attachments(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(_ATTACHMENT), list(rows))
