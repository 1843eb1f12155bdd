"""What the weekly digest reads, and the record that makes it go once per official and week."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from samverkan.rules.phases import TERMINAL
from samverkan.storage.models import CaseRow, DigestSentRow, ReminderRow
from samverkan.storage.reminders import PENDING

__all__ = ["DigestCase", "DigestDue", "cases_of", "claim", "due_for"]

_OPEN = [p.value for p in TERMINAL]


@dataclass(frozen=True)
class DigestCase:
    ref: str
    phase: str
    title: str | None


@dataclass(frozen=True)
class DigestDue:
    ref: str
    kind: str
    due_at: datetime
    note: str | None


def claim(session: Session, official: str, week: str, now: datetime) -> bool:
    """Record that ``official`` gets the digest of ``week``; False when someone already did."""
    table = DigestSentRow.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        make(table)
        .values(official=official, week=week, at=now)
        .on_conflict_do_nothing()
        .returning(table.c.official)
    )
    return session.execute(statement).first() is not None  # rowcount is -1 on psycopg


def cases_of(session: Session, ids: Sequence[str]) -> list[DigestCase]:
    """The open cases whose contact person is the official known by ``ids``."""
    rows = session.exec(
        select(CaseRow.ref, CaseRow.phase, CaseRow.title)
        .where(col(CaseRow.assigned_to).in_(list(ids)), col(CaseRow.phase).not_in(_OPEN))
        .order_by(col(CaseRow.ref))
    ).all()
    return [DigestCase(ref, phase, title) for ref, phase, title in rows]


def due_for(session: Session, ids: Sequence[str], until: datetime) -> list[DigestDue]:
    rows = session.exec(
        select(CaseRow.ref, ReminderRow.kind, ReminderRow.due_at, ReminderRow.note)
        .join(CaseRow, col(CaseRow.id) == col(ReminderRow.case_id))
        .where(
            col(CaseRow.assigned_to).in_(list(ids)),
            ReminderRow.state == PENDING,
            col(ReminderRow.due_at) < until,
        )
        .order_by(col(ReminderRow.due_at))
    ).all()
    return [DigestDue(ref, kind, due_at, note) for ref, kind, due_at, note in rows]
