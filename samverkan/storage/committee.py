"""The committee's meeting calendar (reference data coordinators keep up to date).

Callers get :class:`~samverkan.rules.committee.CommitteeMeeting` values, never rows. The
reminders of memo deadlines (issue 10) and the memo's Beslutsplanering both read from here:
``next_meeting(session, after)`` is the first meeting after a day, ``meeting_for_memo`` the
first whose memo deadline has not passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from samverkan.rules import committee as calendar
from samverkan.rules.committee import CommitteeMeeting
from samverkan.storage.models import CaseRow, CommitteeMeetingRow

__all__ = [
    "add_meeting",
    "cases_before_committee",
    "latest_meeting",
    "meeting_for_memo",
    "meetings",
    "next_meeting",
    "remove_meeting",
    "upcoming",
]


def _value(row: CommitteeMeetingRow) -> CommitteeMeeting:
    return CommitteeMeeting(on=row.meeting_on, memo_deadline=row.memo_deadline)


def meetings(session: Session, *, from_day: date | None = None) -> list[CommitteeMeeting]:
    """The calendar in date order, from ``from_day`` on when given."""
    query = select(CommitteeMeetingRow).order_by(col(CommitteeMeetingRow.meeting_on))
    if from_day is not None:
        query = query.where(col(CommitteeMeetingRow.meeting_on) >= from_day)
    return [_value(row) for row in session.exec(query).all()]


def add_meeting(
    session: Session, meeting: CommitteeMeeting, *, by: str, now: datetime
) -> tuple[CommitteeMeeting, bool]:
    """Add a meeting, or move the memo deadline of one already there; True when new."""
    row = session.exec(
        select(CommitteeMeetingRow).where(CommitteeMeetingRow.meeting_on == meeting.on)
    ).first()
    created = row is None
    if row is None:
        row = CommitteeMeetingRow(
            meeting_on=meeting.on, memo_deadline=meeting.memo_deadline, added_by=by, added_at=now
        )
    else:
        row.memo_deadline, row.added_by, row.added_at = meeting.memo_deadline, by, now
    session.add(row)
    return meeting, created


def remove_meeting(session: Session, on: date) -> bool:
    row = session.exec(
        select(CommitteeMeetingRow).where(CommitteeMeetingRow.meeting_on == on)
    ).first()
    if row is None:
        return False
    session.delete(row)
    return True


def next_meeting(session: Session, after: date) -> CommitteeMeeting | None:
    """The first meeting held after ``after`` (a local date)."""
    return calendar.next_meeting(meetings(session, from_day=after), after)


def meeting_for_memo(session: Session, today: date) -> CommitteeMeeting | None:
    """The first meeting a memo written ``today`` can still reach."""
    return calendar.meeting_for_memo(meetings(session, from_day=today), today)


def latest_meeting(session: Session, on_or_before: date) -> CommitteeMeeting | None:
    """The newest meeting held on or before the day (the one whose decision is recorded)."""
    row = session.exec(
        select(CommitteeMeetingRow)
        .where(col(CommitteeMeetingRow.meeting_on) <= on_or_before)
        .order_by(col(CommitteeMeetingRow.meeting_on).desc())
    ).first()
    return _value(row) if row else None


def upcoming(session: Session, today: date) -> Sequence[CommitteeMeeting]:
    """Meetings from today on, for reminders of memo deadlines."""
    return meetings(session, from_day=today)


def cases_before_committee(session: Session) -> list[int]:
    """The cases waiting for the committee (phase ``namnd``): their memo deadline follows the
    calendar, so a change to it reconciles their reminders."""
    rows = session.exec(select(CaseRow.id).where(CaseRow.phase == "namnd")).all()
    return [int(i) for i in rows if i is not None]
