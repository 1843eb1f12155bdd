"""What officials record on a case besides its phase: assignment, meeting, decisions, follow-ups.

Every change also writes a history row. A change that does not move the case is recorded as a
row from the current phase to itself, so ``history`` stays the one answer to "who did what,
when and why". Each function returns the case as it is afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, select

from samverkan.rules.model import SupportRequest
from samverkan.rules.phases import Transition
from samverkan.storage.cases import Case, record_transition, update_case
from samverkan.storage.models import DecisionRow, MeasurementRow

GRANTED = "beviljad"
REFUSED = "avslag"


def record_change(session: Session, case: Case, *, by: str, why: str, now: datetime) -> Case:
    """A history row for a change that keeps the case in its phase."""
    change = Transition(at=now, by=by, from_phase=case.phase, to_phase=case.phase, why=why)
    return record_transition(session, case, change)


def assign(session: Session, case: Case, assignee: str, *, by: str, now: datetime) -> Case:
    case = update_case(session, case, now=now, assigned_to=assignee)
    return record_change(session, case, by=by, why=f"kontaktperson: {assignee}", now=now)


def set_meeting(session: Session, case: Case, at: datetime, *, now: datetime) -> Case:
    return update_case(session, case, now=now, meeting_at=at)


def set_override(session: Session, case: Case, reason: str, *, now: datetime) -> Case:
    return update_case(session, case, now=now, override_reason=reason)


def record_decision(
    session: Session,
    case: Case,
    *,
    outcome: str,
    support: Sequence[SupportRequest],
    by: str,
    now: datetime,
    note: str | None,
    meeting_on: date | None = None,
    paragraph: str | None = None,
) -> None:
    """The committee's decision: outcome, support, reasons, and the meeting and § of the
    minutes it stands in (from which the appeal period runs)."""
    row = DecisionRow(
        case_id=case.id,
        outcome=outcome,
        support=[s.to_dict() for s in support],
        by=by,
        at=now,
        note=note or None,
        meeting_on=meeting_on,
        paragraph=paragraph,
    )
    session.add(row)


def record_measurement(
    session: Session, case: Case, *, kind: str, text: str, by: str, now: datetime
) -> None:
    session.add(MeasurementRow(case_id=case.id, kind=kind, text=text, by=by, at=now))


def measurement_kinds(session: Session, case: Case) -> set[str]:
    return set(
        session.exec(select(MeasurementRow.kind).where(MeasurementRow.case_id == case.id)).all()
    )
