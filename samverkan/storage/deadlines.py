"""Keeping each case's reminders in step with its facts (see ``rules/deadlines.py``).

:func:`case_facts` gathers what the deadlines depend on for many cases in a few queries;
:func:`reconcile` makes the pending reminders match what the pure rules want: it cancels a
pending reminder that no longer applies and adds one that is missing. A reminder that was
sent (``done``) is never added again; a cancelled one comes back only if the very same moment
is wanted again (a meeting moved away and back: it was never sent). ``cases.deadlines_at``
says when a case was last reconciled, so the tick only looks at cases changed since.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, or_, update
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from samverkan.rules.committee import meeting_for_memo
from samverkan.rules.deadlines import MEASUREMENT_KINDS, POLICY_KINDS, CaseFacts, Due
from samverkan.rules.phases import Phase
from samverkan.storage import committee
from samverkan.storage.models import (
    CaseRow,
    DecisionRow,
    MeasurementRow,
    MessageRow,
    PhaseChangeRow,
    ReminderRow,
)
from samverkan.storage.reminders import CANCELLED, DONE, PENDING

__all__ = ["case_facts", "case_ids", "cases_to_sync", "mark_synced", "reconcile"]

GRANTED = "beviljad"
_FACT_COLUMNS = (
    CaseRow.id, CaseRow.ref, CaseRow.phase, CaseRow.created_at, CaseRow.assigned_to,
    CaseRow.meeting_at,
)  # fmt: skip
_ZONE = ZoneInfo("Europe/Stockholm")  # committee days are Swedish days


def cases_to_sync(session: Session, *, limit: int = 500) -> list[int]:
    """Cases changed since their reminders were last reconciled (or never reconciled)."""
    rows = session.exec(
        select(CaseRow.id)
        .where(
            or_(
                col(CaseRow.deadlines_at).is_(None),
                col(CaseRow.updated_at) > col(CaseRow.deadlines_at),
            )
        )
        .order_by(col(CaseRow.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    return [int(i) for i in rows if i is not None]


def case_ids(session: Session, refs: Sequence[str]) -> list[int]:
    """The row ids of the cases with these references."""
    wanted = [r.strip().upper() for r in refs]
    rows = session.exec(select(CaseRow.id).where(col(CaseRow.ref).in_(wanted))).all()
    return [int(i) for i in rows if i is not None]


def mark_synced(session: Session, case_ids: Iterable[int]) -> None:
    """Note the version of each case (its ``updated_at``) its reminders now follow."""
    ids = list(case_ids)
    if ids:
        session.execute(
            update(CaseRow)
            .where(col(CaseRow.id).in_(ids))
            .values(deadlines_at=CaseRow.updated_at)
            .execution_options(synchronize_session="fetch")
        )


def case_facts(session: Session, case_ids: Sequence[int]) -> dict[int, CaseFacts]:
    """The facts of each case, in a few queries whatever the number of cases."""
    if not case_ids:
        return {}
    ids = list(case_ids)
    cases = session.exec(  # the columns it needs, not the application documents
        select(CaseRow)
        .options(load_only(*_FACT_COLUMNS))  # type: ignore[arg-type]
        .where(col(CaseRow.id).in_(ids))
    ).all()
    since = _phase_since(session, ids)
    last_in = dict(
        session.exec(
            select(MessageRow.case_id, func.max(MessageRow.at))
            .where(col(MessageRow.case_id).in_(ids), MessageRow.direction == "in")
            .group_by(col(MessageRow.case_id))
        ).all()
    )
    granted = dict(
        session.exec(
            select(DecisionRow.case_id, func.max(DecisionRow.at))
            .where(col(DecisionRow.case_id).in_(ids), DecisionRow.outcome == GRANTED)
            .group_by(col(DecisionRow.case_id))
        ).all()
    )
    requested, measured = _follow_ups(session, ids)
    memo = _memo_deadlines(session, [c for c in cases if c.phase == Phase.NAMND.value], since)
    out = {}
    for case in cases:
        cid = int(case.id)  # type: ignore[arg-type]
        phase_since = since.get(cid, case.created_at)
        inbound = last_in.get(cid)
        out[cid] = CaseFacts(
            case_id=cid,
            ref=case.ref,
            phase=Phase(case.phase),
            received_at=case.created_at,
            phase_since=phase_since,
            assigned_to=case.assigned_to,
            meeting_at=case.meeting_at,
            answered_since=inbound is not None and inbound > phase_since,
            granted_at=granted.get(cid),
            measured=frozenset(measured.get(cid, ())),
            requested=requested.get(cid, {}),
            last_inbound=inbound,
            memo_deadline=memo.get(cid),
        )
    return out


def _follow_ups(
    session: Session, ids: list[int]
) -> tuple[dict[int, dict[str, datetime]], dict[int, set[str]]]:
    """When each measurement was asked for, and which measurements are recorded."""
    requested: dict[int, dict[str, datetime]] = {}
    for case_id, kind, at in session.exec(
        select(ReminderRow.case_id, ReminderRow.kind, func.max(ReminderRow.done_at))
        .where(
            col(ReminderRow.case_id).in_(ids),
            col(ReminderRow.kind).in_(list(MEASUREMENT_KINDS)),
            ReminderRow.state == DONE,
        )
        .group_by(col(ReminderRow.case_id), col(ReminderRow.kind))
    ).all():
        if at is not None:
            requested.setdefault(case_id, {})[kind] = at
    measured: dict[int, set[str]] = {}
    for case_id, kind in session.exec(
        select(MeasurementRow.case_id, MeasurementRow.kind).where(
            col(MeasurementRow.case_id).in_(ids)
        )
    ).all():
        measured.setdefault(case_id, set()).add(kind)
    return requested, measured


def _memo_deadlines(
    session: Session, cases: Sequence[CaseRow], since: Mapping[int, datetime]
) -> dict[int, date]:
    """The memo deadline of the committee meeting each case (sent on when it entered
    ``namnd``) can reach, from the committee's calendar."""
    if not cases:
        return {}
    calendar = committee.meetings(session)
    out = {}
    for case in cases:
        cid = int(case.id)  # type: ignore[arg-type]
        sent = since.get(cid, case.created_at).astimezone(_ZONE).date()
        meeting = meeting_for_memo(calendar, sent)
        if meeting is not None:
            out[cid] = meeting.memo_deadline
    return out


def _phase_since(session: Session, ids: list[int]) -> dict[int, datetime]:
    """When each case entered its current phase (the last move into it from elsewhere)."""
    rows = session.exec(
        select(PhaseChangeRow.case_id, func.max(PhaseChangeRow.at))
        .join(CaseRow, col(CaseRow.id) == col(PhaseChangeRow.case_id))
        .where(
            col(PhaseChangeRow.case_id).in_(ids),
            col(PhaseChangeRow.to_phase) == col(CaseRow.phase),
            or_(
                col(PhaseChangeRow.from_phase).is_(None),
                col(PhaseChangeRow.from_phase) != col(PhaseChangeRow.to_phase),
            ),
        )
        .group_by(col(PhaseChangeRow.case_id))
    ).all()
    return {int(c): at for c, at in rows}


def reconcile(
    session: Session, wanted: Mapping[int, Sequence[Due]], *, policy: str, now: datetime
) -> tuple[int, int]:
    """Make each case's pending reminders what ``wanted`` says; returns (added, cancelled)."""
    if not wanted:
        return 0, 0
    existing = session.exec(
        select(ReminderRow).where(col(ReminderRow.case_id).in_(list(wanted)))
    ).all()
    by_key = {(r.case_id, r.kind, r.due_at): r for r in existing}
    keys = {(cid, d.kind, d.due_at) for cid, dues in wanted.items() for d in dues}
    added = cancelled = 0
    new: list[dict[str, Any]] = []
    for row in existing:
        stale = (row.case_id, row.kind, row.due_at) not in keys
        if row.state == PENDING and row.kind in POLICY_KINDS and stale:
            row.state, row.done_at = CANCELLED, now
            session.add(row)
            cancelled += 1
    for cid, dues in wanted.items():
        for due in dues:
            found = by_key.get((cid, due.kind, due.due_at))
            if found is None:
                new.append(
                    {"case_id": cid, "kind": due.kind, "due_at": due.due_at, "note": due.note,
                     "policy": policy, "state": PENDING}
                )  # fmt: skip
            elif found.state == CANCELLED:
                found.state, found.done_at, found.note, found.policy = (
                    PENDING, None, due.note, policy,
                )  # fmt: skip
                session.add(found)
                added += 1
            elif found.state == PENDING and found.note != due.note:
                found.note = due.note
                session.add(found)
    if new:  # one executemany, not an ORM object per reminder
        session.execute(insert(ReminderRow.__table__), new)  # type: ignore[attr-defined]
    return added + len(new), cancelled
