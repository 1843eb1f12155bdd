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

from sqlalchemy import Connection, Row, bindparam, func, or_, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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

__all__ = [
    "asked_measurements",
    "case_facts",
    "case_ids",
    "cases_to_sync",
    "mark_synced",
    "reconcile",
]

GRANTED = "beviljad"
_CASES = CaseRow.__table__  # type: ignore[attr-defined]
_REMINDERS = ReminderRow.__table__  # type: ignore[attr-defined]
_MESSAGES = MessageRow.__table__  # type: ignore[attr-defined]
_MEASUREMENTS = MeasurementRow.__table__  # type: ignore[attr-defined]
_FACT_COLUMNS = (
    _CASES.c.id, _CASES.c.ref, _CASES.c.phase, _CASES.c.created_at, _CASES.c.assigned_to,
    _CASES.c.meeting_at,
)  # fmt: skip
_ZONE = ZoneInfo("Europe/Stockholm")
_NOT_SYNCED = or_(
    col(CaseRow.deadlines_at).is_(None), col(CaseRow.updated_at) > col(CaseRow.deadlines_at)
)  # committee days are Swedish days


def cases_to_sync(session: Session, *, limit: int = 500) -> list[int]:
    """Cases changed since their reminders were last reconciled (or never reconciled)."""
    rows = session.exec(
        select(CaseRow.id)
        .where(_NOT_SYNCED)
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
    """Note the version of each case (its ``updated_at``) its reminders now follow; a case
    already marked is not written again (the tick marks the cases it just acted on)."""
    ids = list(case_ids)
    if ids:
        session.execute(
            update(CaseRow)
            .where(col(CaseRow.id).in_(ids), _NOT_SYNCED)
            .values(deadlines_at=CaseRow.updated_at)
            .execution_options(synchronize_session="fetch")
        )


def case_facts(session: Session, case_ids: Sequence[int]) -> dict[int, CaseFacts]:
    """The facts of each case, in a few queries whatever the number of cases."""
    if not case_ids:
        return {}
    ids = list(case_ids)
    cases = session.execute(  # the columns it needs as plain rows: no ORM objects
        core_select(*_FACT_COLUMNS).where(_CASES.c.id.in_(ids))
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
        cid = int(case.id)
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
    session: Session, cases: Sequence[Row[Any]], since: Mapping[int, datetime]
) -> dict[int, date]:
    """The memo deadline of the committee meeting each case (sent on when it entered
    ``namnd``) can reach, from the committee's calendar."""
    if not cases:
        return {}
    calendar = committee.meetings(session)
    out = {}
    for case in cases:
        cid = int(case.id)
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
    """Make each case's pending reminders what ``wanted`` says; returns (added, cancelled).

    One ``SELECT`` of the cases' reminders, then one statement per kind of change (cancel,
    revive, new note, insert), each for all rows at once.
    """
    if not wanted:
        return 0, 0
    r = _REMINDERS.c
    existing = session.execute(
        core_select(r.id, r.case_id, r.kind, r.due_at, r.state, r.note).where(
            r.case_id.in_(list(wanted))
        )
    ).all()
    by_key = {(e.case_id, e.kind, e.due_at): e for e in existing}
    keys = {(cid, d.kind, d.due_at) for cid, dues in wanted.items() for d in dues}
    stale = [
        e.id
        for e in existing
        if e.state == PENDING and e.kind in POLICY_KINDS
        and (e.case_id, e.kind, e.due_at) not in keys
    ]  # fmt: skip
    new: list[dict[str, Any]] = []
    revived: list[dict[str, Any]] = []
    renamed: list[dict[str, Any]] = []
    for cid, dues in wanted.items():
        for due in dues:
            found = by_key.get((cid, due.kind, due.due_at))
            if found is None:
                new.append(
                    {"case_id": cid, "kind": due.kind, "due_at": due.due_at, "note": due.note,
                     "policy": policy, "state": PENDING}
                )  # fmt: skip
            elif found.state == CANCELLED:
                revived.append({"row_id": found.id, "new_note": due.note, "new_policy": policy})
            elif found.state == PENDING and found.note != due.note:
                renamed.append({"row_id": found.id, "new_note": due.note})
    _write(session, stale, revived, renamed, new, now)
    return len(new) + len(revived), len(stale)


def _write(
    session: Session,
    stale: list[int],
    revived: list[dict[str, Any]],
    renamed: list[dict[str, Any]],
    new: list[dict[str, Any]],
    now: datetime,
) -> None:
    """Each kind of change in one statement: cancel, revive, a new note, insert.

    Every statement holds when another process reconciled the same case a moment before
    (two instances on SQLite, which has no row locks): a row changes only from the state
    this one read, and a reminder already added is not added twice."""
    r = _REMINDERS.c
    if stale:
        session.execute(
            update(_REMINDERS)
            .where(r.id.in_(stale), r.state == PENDING)
            .values(state=CANCELLED, done_at=now)
        )
    by_id = r.id == bindparam("row_id")
    if revived:
        session.execute(
            update(_REMINDERS)
            .where(by_id, r.state == CANCELLED)
            .values(
                state=PENDING,
                done_at=None,
                note=bindparam("new_note"),
                policy=bindparam("new_policy"),
            ),
            revived,
        )
    if renamed:
        session.execute(
            update(_REMINDERS).where(by_id, r.state == PENDING).values(note=bindparam("new_note")),
            renamed,
        )
    if new:
        make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(make(_REMINDERS).on_conflict_do_nothing(), new)


def asked_measurements(
    conn: Connection, case_id: int, thread: Sequence[str]
) -> tuple[list[str], str | None]:
    """The measurements (``resultat``, ``effekt``) asked of the case's actor and not yet
    recorded, oldest request first, and the one whose request (or its reminder) is among
    the Message-IDs ``thread`` (what a reply answers by its thread), if any."""
    r, m = _REMINDERS.c, _MESSAGES.c
    kinds = {**MEASUREMENT_KINDS, **{f"{k}_paminnelse": v for k, v in MEASUREMENT_KINDS.items()}}
    measured = set(
        conn.execute(core_select(_MEASUREMENTS.c.kind).where(_MEASUREMENTS.c.case_id == case_id))
        .scalars()
        .all()
    )
    requests = conn.execute(
        core_select(r.kind, func.min(r.done_at))
        .where(r.case_id == case_id, r.kind.in_(list(MEASUREMENT_KINDS)), r.state == DONE)
        .group_by(r.kind)
        .order_by(func.min(r.done_at))
    ).all()
    asked = [MEASUREMENT_KINDS[k] for k, _ in requests if MEASUREMENT_KINDS[k] not in measured]
    replied = None
    if thread and asked:
        replied = conn.execute(
            core_select(m.kind)
            .where(m.case_id == case_id, m.direction == "out", m.message_id.in_(list(thread)))
            .where(m.kind.in_(list(kinds)))
            .order_by(m.id.desc())
        ).scalar()
    return asked, kinds.get(replied) if replied else None
