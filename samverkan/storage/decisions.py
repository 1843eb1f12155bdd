"""What officials record on a case besides its phase: assignment, meeting, decisions, follow-ups.

Every change also writes a history row. A change that does not move the case is recorded as a
row from the current phase to itself, so ``history`` stays the one answer to "who did what,
when and why".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, select

from samverkan.rules.model import SupportRequest
from samverkan.rules.phases import Phase, Transition
from samverkan.storage.cases import record_transition
from samverkan.storage.db import CaseNotFound
from samverkan.storage.models import CaseRow, DecisionRow, MeasurementRow

GRANTED = "beviljad"
REFUSED = "avslag"


def _case_id(case: CaseRow) -> int:
    if case.id is None:
        raise ValueError("the case has not been flushed yet")
    return case.id


def lock_case(session: Session, ref: str) -> CaseRow:
    """The case, locked for this transaction on PostgreSQL, so two officials acting at once
    take turns and the second sees the first one's phase (SQLite serialises writers anyway)."""
    case = session.exec(
        select(CaseRow).where(CaseRow.ref == ref.strip().upper()).with_for_update()
    ).first()
    if case is None:
        raise CaseNotFound(f"Det finns inget ärende {ref}.")
    return case


def record_change(session: Session, case: CaseRow, *, by: str, why: str, now: datetime) -> None:
    """A history row for a change that keeps the case in its phase."""
    phase = Phase(case.phase)
    record_transition(
        session, case, Transition(at=now, by=by, from_phase=phase, to_phase=phase, why=why)
    )


def assign(session: Session, case: CaseRow, assignee: str, *, by: str, now: datetime) -> None:
    case.assigned_to = assignee
    record_change(session, case, by=by, why=f"kontaktperson: {assignee}", now=now)


def set_meeting(session: Session, case: CaseRow, at: datetime, *, now: datetime) -> None:
    case.meeting_at = at
    case.updated_at = now
    session.add(case)


def set_override(session: Session, case: CaseRow, reason: str, *, now: datetime) -> None:
    case.override_reason = reason
    case.updated_at = now
    session.add(case)


def record_decision(
    session: Session,
    case: CaseRow,
    *,
    outcome: str,
    support: Sequence[SupportRequest],
    by: str,
    now: datetime,
    note: str | None,
) -> DecisionRow:
    row = DecisionRow(
        case_id=_case_id(case),
        outcome=outcome,
        support=[s.to_dict() for s in support],
        by=by,
        at=now,
        note=note or None,
    )
    session.add(row)
    return row


def record_measurement(
    session: Session, case: CaseRow, *, kind: str, text: str, by: str, now: datetime
) -> MeasurementRow:
    row = MeasurementRow(case_id=_case_id(case), kind=kind, text=text, by=by, at=now)
    session.add(row)
    return row


def measurement_kinds(session: Session, case: CaseRow) -> set[str]:
    return set(
        session.exec(select(MeasurementRow.kind).where(MeasurementRow.case_id == case.id)).all()
    )
