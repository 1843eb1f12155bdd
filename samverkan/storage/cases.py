"""Cases: references, the application's parts, phase history and evaluations.

Functions take an open :class:`Session` and leave committing to the caller, so one unit of
work (store a message, create its case, evaluate, queue the reply) commits or fails whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from samverkan.rules.model import Application
from samverkan.rules.phases import Phase, Transition
from samverkan.storage.db import CaseNotFound
from samverkan.storage.models import (
    ApplicantRow,
    CaseActorRow,
    CaseRow,
    CaseSequenceRow,
    DecisionRow,
    EvaluationRow,
    MeasurementRow,
    MessageRow,
    PhaseChangeRow,
    ReminderRow,
    SupportRequestRow,
)

REF_PREFIX = "SAM"


def _id(case: CaseRow) -> int:
    if case.id is None:
        raise ValueError("the case has not been flushed yet")
    return case.id


def format_ref(year: int, seq: int) -> str:
    return f"{REF_PREFIX}-{year}-{seq:04d}"


def next_reference(session: Session, year: int) -> tuple[str, int]:
    """Take the next number of ``year`` in one atomic upsert.

    The row lock the upsert takes is held until commit, so two processes creating cases at
    the same moment on PostgreSQL get consecutive numbers instead of the same one.
    """
    dialect = session.get_bind().dialect.name
    table = CaseSequenceRow.__table__  # type: ignore[attr-defined]
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(table).values(year=year, last=1)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).values(year=year, last=1)
    else:  # pragma: no cover - only the two supported databases
        raise NotImplementedError(dialect)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.year], set_={"last": table.c.last + 1}
    ).returning(table.c.last)
    seq = int(session.execute(stmt).scalar_one())
    return format_ref(year, seq), seq


def create_case(
    session: Session,
    app: Application,
    *,
    moves: Sequence[Transition],
    origin: str,
    now: datetime,
) -> CaseRow:
    """Open a case for an application; ``moves`` are the checked transitions it has made,
    starting with the one into ``inkommen`` (intake may move it on at once)."""
    year = now.year
    ref, seq = next_reference(session, year)
    case = CaseRow(
        ref=ref,
        year=year,
        seq=seq,
        title=app.title,
        phase=moves[-1].to_phase.value,
        origin=origin,
        created_at=now,
        updated_at=now,
    )
    _set_columns(case, app, now)
    session.add(case)
    session.flush()
    _save_parts(session, case, app, new=True)
    _insert_history(session, _id(case), moves)  # the row already holds the final phase
    return case


def get_case(session: Session, ref: str) -> CaseRow:
    case = session.exec(select(CaseRow).where(CaseRow.ref == ref.strip().upper())).first()
    if case is None:
        raise CaseNotFound(f"Det finns inget ärende {ref}.")
    return case


def list_cases(
    session: Session, *, phase: Phase | None = None, area: str | None = None
) -> Sequence[CaseRow]:
    query = select(CaseRow).order_by(col(CaseRow.year), col(CaseRow.seq))
    if phase is not None:
        query = query.where(CaseRow.phase == phase.value)
    if area:
        query = query.where(func.lower(CaseRow.area_name) == area.lower())
    return session.exec(query).all()


def application_of(case: CaseRow) -> Application:
    return Application.from_dict(case.application)


def save_application(session: Session, case: CaseRow, app: Application, *, now: datetime) -> None:
    """Store a changed application whole (with evidence) and in its queryable parts."""
    _set_columns(case, app, now)
    session.add(case)
    _save_parts(session, case, app, new=False)


def _set_columns(case: CaseRow, app: Application, now: datetime) -> None:
    case.application = app.to_dict()
    case.title = case.title or app.title
    case.area_name = app.area.name if app.area else None
    case.area_in_malmo = app.area.in_malmo if app.area else None
    case.duration_months = app.duration_months
    case.start_date = app.start
    case.updated_at = now


def _save_parts(session: Session, case: CaseRow, app: Application, *, new: bool) -> None:
    applicant = None
    if not new:
        applicant = session.exec(
            select(ApplicantRow).where(ApplicantRow.case_id == case.id)
        ).first()
        session.execute(delete(CaseActorRow).where(col(CaseActorRow.case_id) == case.id))
        session.execute(delete(SupportRequestRow).where(col(SupportRequestRow.case_id) == case.id))
    facts = {
        "organisation": app.organisation,
        "orgnr": app.orgnr,
        "orgnr_valid": app.orgnr_valid,
        "contact_name": app.contact_name,
        "email": app.email,
        "phone": app.phone,
    }
    if applicant is None:
        session.execute(insert(ApplicantRow), [{"case_id": _id(case), **facts}])
    else:
        for key, value in facts.items():
            setattr(applicant, key, value)
        session.add(applicant)
    if app.actors:
        session.execute(
            insert(CaseActorRow),
            [{"case_id": case.id, "category": a.value} for a in app.actors],
        )
    if app.support:
        session.execute(
            insert(SupportRequestRow),
            [
                {
                    "case_id": case.id,
                    "form": s.form.value,
                    "amount_sek": s.amount_sek,
                    "hours": s.hours,
                    "text": s.text,
                }
                for s in app.support
            ],
        )


def record_transition(session: Session, case: CaseRow, move: Transition) -> None:
    case.phase = move.to_phase.value
    case.updated_at = move.at
    session.add(case)
    _insert_history(session, _id(case), [move])


def _insert_history(session: Session, case_id: int, moves: Sequence[Transition]) -> None:
    session.execute(
        insert(PhaseChangeRow),
        [
            {
                "case_id": case_id,
                "at": move.at,
                "by": move.by,
                "from_phase": move.from_phase.value if move.from_phase else None,
                "to_phase": move.to_phase.value,
                "why": move.why,
            }
            for move in moves
        ],
    )


def save_evaluation(
    session: Session, case: CaseRow, evaluation: dict[str, Any], *, trigger: str, now: datetime
) -> None:
    """Keep every evaluation: the newest is the verdict, the older ones explain the past."""
    session.execute(
        insert(EvaluationRow),
        [
            {
                "case_id": _id(case),
                "ruleset": evaluation["ruleset"],
                "outcome": evaluation["outcome"],
                "results": list(evaluation["results"]),
                "trigger": trigger,
                "at": now,
            }
        ],
    )


def latest_evaluation(session: Session, case: CaseRow) -> EvaluationRow | None:
    return session.exec(
        select(EvaluationRow)
        .where(EvaluationRow.case_id == case.id)
        .order_by(col(EvaluationRow.at).desc(), col(EvaluationRow.id).desc())
    ).first()


def history(session: Session, case: CaseRow) -> Sequence[PhaseChangeRow]:
    return session.exec(
        select(PhaseChangeRow)
        .where(PhaseChangeRow.case_id == case.id)
        .order_by(col(PhaseChangeRow.at), col(PhaseChangeRow.id))
    ).all()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def case_view(session: Session, case: CaseRow) -> dict[str, Any]:
    """The case as SPEC §4 ``show --json`` describes it; the CLI and chat render from this."""
    app = application_of(case)
    evaluation = latest_evaluation(session, case)
    messages = session.exec(
        select(MessageRow)
        .where(MessageRow.case_id == case.id, MessageRow.channel != "notice")
        .order_by(col(MessageRow.at), col(MessageRow.id))
    ).all()
    reminders = session.exec(
        select(ReminderRow)
        .where(ReminderRow.case_id == case.id)
        .order_by(col(ReminderRow.due_at), col(ReminderRow.id))
    ).all()
    decisions = session.exec(
        select(DecisionRow).where(DecisionRow.case_id == case.id).order_by(col(DecisionRow.at))
    ).all()
    measurements = session.exec(
        select(MeasurementRow)
        .where(MeasurementRow.case_id == case.id)
        .order_by(col(MeasurementRow.at))
    ).all()
    return {
        "ref": case.ref,
        "phase": case.phase,
        "title": case.title,
        "origin": case.origin,
        "assigned_to": case.assigned_to,
        "created_at": _iso(case.created_at),
        "area": {"name": app.area.name, "in_malmo": app.area.in_malmo} if app.area else None,
        "area_text": app.area_text,
        "applicant": {
            "organisation": app.organisation,
            "orgnr": app.orgnr,
            "orgnr_valid": app.orgnr_valid,
            "contact_name": app.contact_name,
            "email": app.email,
            "phone": app.phone,
        },
        "actors": [a.value for a in app.actors],
        "support": [s.to_dict() for s in app.support],
        "start": app.start.isoformat() if app.start else None,
        "duration_months": app.duration_months,
        "purpose": app.purpose,
        "goals": app.goals,
        "own_contribution": app.own_contribution,
        "evidence": app.evidence,
        "meeting_at": _iso(case.meeting_at),
        "override_reason": case.override_reason,
        "criteria": (
            {
                "ruleset": evaluation.ruleset,
                "outcome": evaluation.outcome,
                "results": evaluation.results,
                "at": _iso(evaluation.at),
            }
            if evaluation
            else None
        ),
        "messages": [
            {
                "direction": m.direction,
                "channel": m.channel,
                "message_id": m.message_id,
                "subject": m.subject,
                "from": m.sender,
                "at": _iso(m.at),
                **({"state": m.send_state} if m.direction == "out" else {}),
            }
            for m in messages
        ],
        "reminders": [
            {"kind": r.kind, "due_at": _iso(r.due_at), "state": r.state} for r in reminders
        ],
        "decisions": [
            {"outcome": d.outcome, "support": d.support, "by": d.by, "at": _iso(d.at)}
            for d in decisions
        ],
        "followups": [
            {"kind": m.kind, "text": m.text, "by": m.by, "at": _iso(m.at)} for m in measurements
        ],
        "history": [
            {"at": _iso(h.at), "by": h.by, "from": h.from_phase, "to": h.to_phase, "why": h.why}
            for h in history(session, case)
        ],
    }
