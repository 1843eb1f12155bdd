"""The audit log of reads: who looked at a case's personal data through chat, and when.

Reading a case in chat shows the applicant's name, address and phone; the data-protection
rules ask that such access can be accounted for, so every read is a row (who, when, which case,
by which command). The log is kept with the case and is never shown in chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from samverkan.storage.models import PersonalDataReadRow

__all__ = ["Read", "reads_of", "record_read"]


@dataclass(frozen=True)
class Read:
    who: str
    command: str
    at: datetime


def record_read(session: Session, case_id: int, *, who: str, command: str, now: datetime) -> None:
    """Log one read of ``case_id``'s personal data; committed with the command's session."""
    session.add(PersonalDataReadRow(case_id=case_id, who=who, command=command, at=now))


def reads_of(session: Session, case_id: int) -> list[Read]:
    """The reads of one case, oldest first (for ``person export`` and the registrar)."""
    rows = session.exec(
        select(PersonalDataReadRow)
        .where(PersonalDataReadRow.case_id == case_id)
        .order_by(col(PersonalDataReadRow.at), col(PersonalDataReadRow.id))
    ).all()
    return [Read(r.who, r.command, r.at) for r in rows]
