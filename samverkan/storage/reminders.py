"""Reminders: what is due when, for which case. The scheduler's tick sends them; this stores them.

A reminder moves ``pending`` -> ``claimed`` -> ``done``. Commands add one more end state,
``cancelled``, for reminders that no longer make sense (a meeting moved, a case withdrawn);
only a pending reminder is ever cancelled, so a cancelled one was never sent.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from samverkan.rules.model import Application
from samverkan.storage.cases import Case
from samverkan.storage.models import CaseRow, ReminderRow

PENDING = "pending"
DONE = "done"
CANCELLED = "cancelled"

MEETING = "mote"
RESULT = "resultatmatning"
EFFECT = "effektmatning"


@dataclass(frozen=True)
class PendingReminder:
    ref: str
    title: str | None
    kind: str
    due_at: datetime
    note: str | None
    policy: str | None = None


def schedule(
    session: Session, case: Case, *, kind: str, due_at: datetime, note: str | None
) -> None:
    """Add a pending reminder; the same case, kind and moment twice gives the one row."""
    row = session.exec(
        select(ReminderRow).where(
            ReminderRow.case_id == case.id, ReminderRow.kind == kind, ReminderRow.due_at == due_at
        )
    ).first()
    if row is None:
        row = ReminderRow(case_id=case.id, kind=kind, due_at=due_at, note=note)
    elif row.state == CANCELLED:  # rebooked back to the same time: never sent, so safe to revive
        row.state, row.done_at, row.note = PENDING, None, note
    session.add(row)


def cancel_pending(
    session: Session, case: Case, *, now: datetime, kinds: Collection[str] | None = None
) -> int:
    """Cancel the case's pending reminders (of ``kinds``, or all); returns how many."""
    query = select(ReminderRow).where(ReminderRow.case_id == case.id, ReminderRow.state == PENDING)
    if kinds is not None:
        query = query.where(col(ReminderRow.kind).in_(list(kinds)))
    rows = session.exec(query).all()
    for row in rows:
        row.state, row.done_at = CANCELLED, now
        session.add(row)
    return len(rows)


def cancel_claimed(session: Session, ids: Collection[int], *, now: datetime) -> None:
    """Claimed reminders that no longer applied when they fell due: cancelled, not done."""
    if ids:
        session.execute(
            update(ReminderRow)
            .where(col(ReminderRow.id).in_(list(ids)))
            .values(state=CANCELLED, done_at=now)
        )


def complete_pending(session: Session, case: Case, *, kind: str, now: datetime) -> bool:
    """Mark the soonest pending reminder of ``kind`` done (its work was reported)."""
    row = session.exec(
        select(ReminderRow)
        .where(
            ReminderRow.case_id == case.id,
            ReminderRow.kind == kind,
            ReminderRow.state == PENDING,
        )
        .order_by(col(ReminderRow.due_at))
    ).first()
    if row is None:
        return False
    row.state, row.done_at = DONE, now
    session.add(row)
    return True


def pending_reminders(session: Session, *, limit: int | None = 50) -> list[PendingReminder]:
    """Reminders not yet sent, soonest first (all of them with ``limit=None``)."""
    rows = session.exec(
        select(ReminderRow, CaseRow)
        .join(CaseRow, col(CaseRow.id) == col(ReminderRow.case_id))
        .where(ReminderRow.state == PENDING)
        .order_by(col(ReminderRow.due_at), col(ReminderRow.id))
        .limit(limit)
    ).all()
    return [
        PendingReminder(
            ref=c.ref, title=c.title, kind=r.kind, due_at=r.due_at, note=r.note, policy=r.policy
        )
        for r, c in rows
    ]


@dataclass(frozen=True)
class DueReminder:
    id: int
    case_id: int
    ref: str
    phase: str
    kind: str
    due_at: datetime
    note: str | None
    applicant_email: str | None = None
    contact_name: str | None = None


def claim_due(
    session: Session, *, now: datetime, holder: str, limit: int = 100
) -> list[DueReminder]:
    """Claim reminders that are due, marking them done in the caller's transaction.

    ``FOR UPDATE SKIP LOCKED`` lets several instances tick at once on PostgreSQL without two of
    them taking the same row; the caller queues the reminder's effects (e-mail, notices) in the
    same transaction, so a reminder is acted on exactly once: never twice, and - because a
    missed tick leaves it pending and due - never not at all.
    """
    rows = session.exec(
        select(ReminderRow, CaseRow)
        .join(CaseRow, col(CaseRow.id) == col(ReminderRow.case_id))
        .where(ReminderRow.state == PENDING, col(ReminderRow.due_at) <= now)
        .order_by(col(ReminderRow.due_at), col(ReminderRow.id))
        .limit(limit)
        .with_for_update(skip_locked=True, of=ReminderRow)
    ).all()
    claimed = []
    for reminder, case in rows:
        reminder.state, reminder.claimed_by, reminder.claimed_at = DONE, holder, now
        reminder.done_at = now
        session.add(reminder)
        app = Application.from_dict(case.application)
        claimed.append(
            DueReminder(
                id=reminder.id,  # type: ignore[arg-type]
                case_id=case.id,  # type: ignore[arg-type]
                ref=case.ref,
                phase=case.phase,
                kind=reminder.kind,
                due_at=reminder.due_at,
                note=reminder.note,
                applicant_email=app.email,
                contact_name=app.contact_name,
            )
        )
    return claimed
