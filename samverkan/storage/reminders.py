"""Reminders: what is due when, for which case. The scheduler's tick sends them; this stores them.

A reminder moves ``pending`` -> ``claimed`` -> ``done``. Commands add one more end state,
``cancelled``, for reminders that no longer make sense (a meeting moved, a case withdrawn);
only a pending reminder is ever cancelled, so a cancelled one was never sent.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as core_select
from sqlalchemy import update
from sqlmodel import Session, col, select

from samverkan.storage.cases import Case
from samverkan.storage.models import CaseRow, ReminderRow

PENDING = "pending"
DONE = "done"
CANCELLED = "cancelled"

_R = ReminderRow.__table__  # type: ignore[attr-defined]
_C = CaseRow.__table__  # type: ignore[attr-defined]

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

    One ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`` takes the batch
    and one ``SELECT`` reads what its cases say, whatever the batch's size. On PostgreSQL the
    lock covers the reminder and its case, so instances ticking at once never take the same
    row, and never wait on a case a chat command or the other tick's reconciling holds (both
    lock the case first): such a reminder waits for the next tick. On SQLite the ``UPDATE``
    takes the write lock first, so a second instance waits and then finds the rows done.
    The caller queues the reminder's effects (e-mail, notices) in the same transaction, so a
    reminder is acted on exactly once: never twice, and - because a missed tick leaves it
    pending and due - never not at all.
    """
    due = (
        core_select(_R.c.id)
        .join(_C, _C.c.id == _R.c.case_id)
        .where(_R.c.state == PENDING, _R.c.due_at <= now)
        .order_by(_R.c.due_at, _R.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=(_R, _C))
        .scalar_subquery()
    )
    claimed = session.execute(
        update(_R)
        .where(_R.c.id.in_(due))
        .values(state=DONE, claimed_by=holder, claimed_at=now, done_at=now)
        .returning(_R.c.id, _R.c.case_id, _R.c.kind, _R.c.due_at, _R.c.note)
    ).all()
    if not claimed:
        return []
    case_ids = sorted({r.case_id for r in claimed})
    cases = {
        c.id: c
        for c in session.execute(
            core_select(
                _C.c.id, _C.c.ref, _C.c.phase,
                _C.c.application["email"].as_string().label("email"),
                _C.c.application["contact_name"].as_string().label("contact_name"),
            ).where(_C.c.id.in_(case_ids))
        )
    }  # fmt: skip
    out = [
        DueReminder(
            id=r.id, case_id=r.case_id, ref=cases[r.case_id].ref, phase=cases[r.case_id].phase,
            kind=r.kind, due_at=r.due_at, note=r.note,
            applicant_email=cases[r.case_id].email, contact_name=cases[r.case_id].contact_name,
        )
        for r in claimed
    ]  # fmt: skip
    return sorted(out, key=lambda d: (d.due_at, d.id))  # RETURNING keeps no order
