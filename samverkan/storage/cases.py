"""Cases: references, the application's parts, phase history and evaluations.

Functions take an open :class:`Session` and leave committing to the caller, so one unit of
work (store a message, create its case, evaluate, queue the reply) commits or fails whole.
Intake, which writes a case for nearly every e-mail it reads, uses :class:`CaseWrites`
instead: plain Core statements on a :class:`Connection`, rows gathered per table and written
in one ``executemany`` each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from samverkan.rules.model import Application
from samverkan.rules.phases import Phase, Transition
from samverkan.storage.db import CaseNotFound
from samverkan.storage.messages import ids_by_digest, insert_attachments, insert_messages
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


_NEXT_REFERENCE: dict[str, Any] = {}


def _next_reference_statement(dialect: str) -> Any:
    if dialect not in _NEXT_REFERENCE:
        table = CaseSequenceRow.__table__  # type: ignore[attr-defined]
        stmt: Any
        if dialect == "postgresql":
            stmt = postgresql.insert(table)
        elif dialect == "sqlite":
            stmt = sqlite.insert(table)
        else:  # pragma: no cover - only the two supported databases
            raise NotImplementedError(dialect)
        _NEXT_REFERENCE[dialect] = (
            stmt.values(year=bindparam("year"), last=1)
            .on_conflict_do_update(index_elements=[table.c.year], set_={"last": table.c.last + 1})
            .returning(table.c.last)
        )
    return _NEXT_REFERENCE[dialect]


def next_reference(session: Session | Connection, year: int) -> tuple[str, int]:
    """Take the next number of ``year`` in one atomic upsert.

    The row lock the upsert takes is held until commit, so two processes creating cases at
    the same moment on PostgreSQL get consecutive numbers instead of the same one.
    """
    conn = session if isinstance(session, Connection) else session.connection()
    stmt = _next_reference_statement(conn.dialect.name)
    seq = int(conn.execute(stmt, {"year": year}).scalar_one())
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
    for key, value in _columns(app).items():
        setattr(case, key, value)
    case.title = case.title or app.title
    case.updated_at = now


def _save_parts(session: Session, case: CaseRow, app: Application, *, new: bool) -> None:
    applicant = None
    if not new:
        applicant = session.exec(
            select(ApplicantRow).where(ApplicantRow.case_id == case.id)
        ).first()
        session.execute(delete(CaseActorRow).where(col(CaseActorRow.case_id) == case.id))
        session.execute(delete(SupportRequestRow).where(col(SupportRequestRow.case_id) == case.id))
    facts = _applicant(app)
    if applicant is None:
        session.execute(insert(ApplicantRow), [{"case_id": _id(case), **facts}])
    else:
        for key, value in facts.items():
            setattr(applicant, key, value)
        session.add(applicant)
    if app.actors:
        session.execute(insert(CaseActorRow), _actor_rows(_id(case), app))
    if app.support:
        session.execute(insert(SupportRequestRow), _support_rows(_id(case), app))


def record_transition(session: Session, case: CaseRow, move: Transition) -> None:
    case.phase = move.to_phase.value
    case.updated_at = move.at
    session.add(case)
    _insert_history(session, _id(case), [move])


def _insert_history(session: Session, case_id: int, moves: Sequence[Transition]) -> None:
    session.execute(insert(PhaseChangeRow), _history_rows(case_id, moves))


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


# ---- the intake write path: Core statements on a Connection --------------------------------

_CASE = CaseRow.__table__  # type: ignore[attr-defined]
_APPLICANT = ApplicantRow.__table__  # type: ignore[attr-defined]
_ACTOR = CaseActorRow.__table__  # type: ignore[attr-defined]
_SUPPORT = SupportRequestRow.__table__  # type: ignore[attr-defined]
_HISTORY = PhaseChangeRow.__table__  # type: ignore[attr-defined]
_EVALUATION = EvaluationRow.__table__  # type: ignore[attr-defined]
_MESSAGE = MessageRow.__table__  # type: ignore[attr-defined]

_CASE_FIELDS = (_CASE.c.id, _CASE.c.ref, _CASE.c.phase, _CASE.c.title, _CASE.c.application)
_INSERT_CASE = insert(_CASE).returning(_CASE.c.id)
_CASE_BY_REF = core_select(*_CASE_FIELDS).where(_CASE.c.ref == bindparam("ref"))
_CASE_OF_MESSAGES = (
    core_select(*_CASE_FIELDS)
    .select_from(_MESSAGE.join(_CASE, _CASE.c.id == _MESSAGE.c.case_id))
    .where(_MESSAGE.c.message_id.in_(bindparam("ids", expanding=True)))
    .order_by(_MESSAGE.c.id.desc())
    .limit(1)
)
_ACTIVE_IN_AREAS = (
    core_select(_CASE.c.area_name, _CASE.c.id, _CASE.c.ref)
    .where(
        _CASE.c.area_name.in_(bindparam("areas", expanding=True)),
        _CASE.c.phase.not_in(bindparam("closed", expanding=True)),
    )
    .order_by(_CASE.c.area_name, _CASE.c.id)
)
_CHANGED_COLUMNS = (
    "phase",
    "title",
    "application",
    "area_name",
    "area_in_malmo",
    "duration_months",
    "start_date",
    "updated_at",
)
# Bound names must differ from column names in an UPDATE's SET clause: hence the "new_".
_UPDATE_CASE = (
    update(_CASE)
    .where(_CASE.c.id == bindparam("case_id"))
    .values(**{c: bindparam(f"new_{c}") for c in _CHANGED_COLUMNS})
)
_APPLICANT_FACTS = ("organisation", "orgnr", "orgnr_valid", "contact_name", "email", "phone")
_UPDATE_APPLICANT = (
    update(_APPLICANT)
    .where(_APPLICANT.c.case_id == bindparam("of_case"))
    .values(**{c: bindparam(f"new_{c}") for c in _APPLICANT_FACTS})
)
_INSERT: dict[str, Any] = {
    "applicant": insert(_APPLICANT),
    "actors": insert(_ACTOR),
    "support": insert(_SUPPORT),
    "history": insert(_HISTORY),
    "evaluation": insert(_EVALUATION),
}
_DELETE_ACTORS = delete(_ACTOR).where(_ACTOR.c.case_id == bindparam("case_id"))
_DELETE_SUPPORT = delete(_SUPPORT).where(_SUPPORT.c.case_id == bindparam("case_id"))


@dataclass
class StoredCase:
    """What intake needs of a case, as plain values."""

    id: int
    ref: str
    phase: str
    title: str | None
    application: dict[str, Any]

    @property
    def app(self) -> Application:
        return Application.from_dict(self.application)


def _stored(row: Any) -> StoredCase | None:
    return StoredCase(row[0], row[1], row[2], row[3], row[4]) if row is not None else None


def case_by_ref(conn: Connection, ref: str) -> StoredCase | None:
    return _stored(conn.execute(_CASE_BY_REF, {"ref": ref}).first())


def case_of_messages(conn: Connection, message_ids: Sequence[str]) -> StoredCase | None:
    """The case of the newest stored message with one of these Message-IDs."""
    return _stored(conn.execute(_CASE_OF_MESSAGES, {"ids": list(message_ids)}).first())


def active_cases_in(
    conn: Connection, areas: Sequence[str], *, closed: Sequence[str]
) -> list[tuple[str, int, str]]:
    """(area, id, ref) of every case in one of ``areas`` whose phase is not in ``closed``,
    ordered by area and then id."""
    rows = conn.execute(_ACTIVE_IN_AREAS, {"areas": list(areas), "closed": list(closed)}).all()
    return [(area, case_id, ref) for area, case_id, ref in rows if area]


def _columns(app: Application) -> dict[str, Any]:
    return {
        "application": app.to_dict(),
        "area_name": app.area.name if app.area else None,
        "area_in_malmo": app.area.in_malmo if app.area else None,
        "duration_months": app.duration_months,
        "start_date": app.start,
    }


def _applicant(app: Application) -> dict[str, Any]:
    return {
        "organisation": app.organisation,
        "orgnr": app.orgnr,
        "orgnr_valid": app.orgnr_valid,
        "contact_name": app.contact_name,
        "email": app.email,
        "phone": app.phone,
    }


def _actor_rows(case_id: int, app: Application) -> list[dict[str, Any]]:
    return [{"case_id": case_id, "category": a.value} for a in app.actors]


def _support_rows(case_id: int, app: Application) -> list[dict[str, Any]]:
    return [
        {
            "case_id": case_id,
            "form": s.form.value,
            "amount_sek": s.amount_sek,
            "hours": s.hours,
            "text": s.text,
        }
        for s in app.support
    ]


def _history_rows(case_id: int, moves: Sequence[Transition]) -> list[dict[str, Any]]:
    return [
        {
            "case_id": case_id,
            "at": move.at,
            "by": move.by,
            "from_phase": move.from_phase.value if move.from_phase else None,
            "to_phase": move.to_phase.value,
            "why": move.why,
        }
        for move in moves
    ]


@dataclass
class CaseWrites:
    """The rows of one unit of work (one message, or a batch of them) not yet written.

    A case row is written at once: later statements need its id and later messages of a
    batch must find it (threading by reference, coordination). Everything else waits for
    :meth:`flush`, which writes each table in one ``executemany``, messages in the order they
    were given. Before a case that has rows waiting is changed, they are flushed, so a reply in
    the same batch as its application replaces the parts the application wrote; a caller
    that looks messages up by Message-ID flushes first.
    """

    _tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _cases: set[int] = field(default_factory=set)  # cases with parts among the waiting rows
    _messages: list[tuple[dict[str, Any], Sequence[dict[str, Any]]]] = field(default_factory=list)

    def _add(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self._tables.setdefault(table, []).extend(rows)

    def open_case(
        self,
        conn: Connection,
        app: Application,
        *,
        moves: Sequence[Transition],
        origin: str,
        now: datetime,
    ) -> StoredCase:
        """A new case in the phase of its last move; like :func:`create_case`."""
        year = now.year
        ref, seq = next_reference(conn, year)
        values = {
            "ref": ref,
            "year": year,
            "seq": seq,
            "title": app.title,
            "phase": moves[-1].to_phase.value,
            "origin": origin,
            "assigned_to": None,
            "override_reason": None,
            "meeting_at": None,
            "created_at": now,
            "updated_at": now,
            **_columns(app),
        }
        case_id = int(conn.execute(_INSERT_CASE, values).scalar_one())
        self._cases.add(case_id)
        self._add("applicant", [{"case_id": case_id, **_applicant(app)}])
        self._add("actors", _actor_rows(case_id, app))
        self._add("support", _support_rows(case_id, app))
        self._add("history", _history_rows(case_id, moves))
        return StoredCase(case_id, ref, values["phase"], app.title, values["application"])

    def change_case(
        self,
        conn: Connection,
        case: StoredCase,
        app: Application,
        *,
        moves: Sequence[Transition],
        now: datetime,
    ) -> None:
        """Store a changed application whole and in its parts, and the phase it moved to."""
        if case.id in self._cases:
            self.flush(conn)  # its parts must be in the table before they are replaced
        phase = moves[-1].to_phase.value if moves else case.phase
        title = case.title or app.title
        columns = {**_columns(app), "phase": phase, "title": title, "updated_at": now}
        conn.execute(
            _UPDATE_CASE, {"case_id": case.id, **{f"new_{k}": v for k, v in columns.items()}}
        )
        conn.execute(_DELETE_ACTORS, {"case_id": case.id})
        conn.execute(_DELETE_SUPPORT, {"case_id": case.id})
        facts = _applicant(app)
        changed = {"of_case": case.id, **{f"new_{k}": v for k, v in facts.items()}}
        if conn.execute(_UPDATE_APPLICANT, changed).rowcount == 0:
            conn.execute(_INSERT["applicant"], [{"case_id": case.id, **facts}])
        self._add("actors", _actor_rows(case.id, app))
        self._add("support", _support_rows(case.id, app))
        self._add("history", _history_rows(case.id, moves))
        self._cases.add(case.id)
        case.phase, case.title, case.application = phase, title, columns["application"]

    def evaluation(
        self, case_id: int, evaluation: dict[str, Any], *, trigger: str, now: datetime
    ) -> None:
        """Like :func:`save_evaluation`."""
        self._add(
            "evaluation",
            [
                {
                    "case_id": case_id,
                    "ruleset": evaluation["ruleset"],
                    "outcome": evaluation["outcome"],
                    "results": list(evaluation["results"]),
                    "trigger": trigger,
                    "at": now,
                }
            ],
        )

    def message(self, row: dict[str, Any], attachments: Sequence[dict[str, Any]] = ()) -> None:
        """A full message row (``message_values``, ``outbox.email_row``, ``notice_row``) and
        the attachment rows that will point at it (an inbound row: found by its digest)."""
        if attachments and not row["digest"]:
            raise ValueError("a message with attachments needs its digest")
        self._messages.append((row, attachments))

    def flush(self, conn: Connection) -> None:
        """Write every waiting row, parents before children."""
        tables, messages = self._tables, self._messages
        self._tables, self._cases, self._messages = {}, set(), []
        for name, stmt in _INSERT.items():  # in order: parents before children
            if tables.get(name):
                conn.execute(stmt, tables[name])
        insert_messages(conn, [row for row, _ in messages])
        with_files = [(row["digest"], files) for row, files in messages if files]
        if with_files:
            ids = ids_by_digest(conn, [digest for digest, _ in with_files])
            insert_attachments(
                conn,
                [
                    {"message_row_id": ids[digest], **file}
                    for digest, files in with_files
                    for file in files
                ],
            )
