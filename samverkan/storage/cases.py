"""Cases: references, the application's parts, phase history and evaluations.

There is one write path. :class:`CaseWrites` holds the rows of a unit of work not yet written
and writes them with prebuilt Core statements, each table in one ``executemany``: intake keeps
one open for a whole batch of messages. A chat command changes a single case, so the functions
below (:func:`create_case`, :func:`save_application`, :func:`record_transition`,
:func:`update_case`, :func:`save_evaluation`) run the same writes through the session's
connection at once. None of them commits: one unit of work (store a message, create its case,
evaluate, queue the reply) commits or fails whole.

Reads return :class:`Case`, a frozen read model; :func:`get_case` is the one way to read a case
by its reference, locked for the transaction or not. They live in :mod:`samverkan.storage.case_read`
(re-exported here), which reads without the ORM models. Rows never leave ``storage/``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, delete, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from samverkan.rules.model import Application
from samverkan.rules.phases import Transition
from samverkan.storage.case_read import (
    APPLICANT_FACTS,
    Case,
    case_of_messages,
    connection,
    find_case,
    get_case,
    list_cases,
)
from samverkan.storage.messages import ids_by_digest, insert_attachments, insert_messages
from samverkan.storage.models import (
    ApplicantRow,
    CaseActorRow,
    CaseRow,
    CaseSequenceRow,
    EvaluationRow,
    MeasurementRow,
    PhaseChangeRow,
    SupportRequestRow,
)

__all__ = [
    "APPLICANT_FACTS",
    "OFFICIAL_COLUMNS",
    "REF_PREFIX",
    "Case",
    "CaseWrites",
    "case_of_messages",
    "create_case",
    "find_case",
    "format_ref",
    "get_case",
    "list_cases",
    "next_reference",
    "record_transition",
    "save_application",
    "save_evaluation",
    "update_case",
]

REF_PREFIX = "SAM"

_CASE = CaseRow.__table__  # type: ignore[attr-defined]
_APPLICANT = ApplicantRow.__table__  # type: ignore[attr-defined]
_ACTOR = CaseActorRow.__table__  # type: ignore[attr-defined]
_SUPPORT = SupportRequestRow.__table__  # type: ignore[attr-defined]
_HISTORY = PhaseChangeRow.__table__  # type: ignore[attr-defined]
_EVALUATION = EvaluationRow.__table__  # type: ignore[attr-defined]


# ---- references -----------------------------------------------------------------------------


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


def next_reference(db: Session | Connection, year: int) -> tuple[str, int]:
    """Take the next number of ``year`` in one atomic upsert.

    The row lock the upsert takes is held until commit, so two processes creating cases at
    the same moment on PostgreSQL get consecutive numbers instead of the same one.
    """
    conn = connection(db)
    stmt = _next_reference_statement(conn.dialect.name)
    seq = int(conn.execute(stmt, {"year": year}).scalar_one())
    return format_ref(year, seq), seq


# ---- writing: one path ----------------------------------------------------------------------

_INSERT_CASE = insert(_CASE).returning(_CASE.c.id)
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
_MOVE_CASE = (
    update(_CASE)
    .where(_CASE.c.id == bindparam("case_id"))
    .values(phase=bindparam("new_phase"), updated_at=bindparam("new_updated_at"))
)
_UPDATE_APPLICANT = (
    update(_APPLICANT)
    .where(_APPLICANT.c.case_id == bindparam("of_case"))
    .values(**{c: bindparam(f"new_{c}") for c in APPLICANT_FACTS})
)
_INSERT: dict[str, Any] = {
    "applicant": insert(_APPLICANT),
    "actors": insert(_ACTOR),
    "support": insert(_SUPPORT),
    "history": insert(_HISTORY),
    "evaluation": insert(_EVALUATION),
    "measurement": insert(MeasurementRow.__table__),  # type: ignore[attr-defined]
}
_DELETE_ACTORS = delete(_ACTOR).where(_ACTOR.c.case_id == bindparam("case_id"))
_DELETE_SUPPORT = delete(_SUPPORT).where(_SUPPORT.c.case_id == bindparam("case_id"))
# What an official sets on a case besides its application and phase (storage.decisions).
OFFICIAL_COLUMNS = frozenset({"assigned_to", "meeting_at", "override_reason"})


def _columns(app: Application) -> dict[str, Any]:
    return {
        "application": app.to_dict(),
        "area_name": app.area.name if app.area else None,
        "area_in_malmo": app.area.in_malmo if app.area else None,
        "duration_months": app.duration_months,
        "start_date": app.start,
    }


def _applicant(app: Application) -> dict[str, Any]:
    return {name: getattr(app, name) for name in APPLICANT_FACTS}


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
    """The rows of one unit of work (one message, a batch of them, one command) not yet written.

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
    ) -> Case:
        """A new case in the phase of its last move; ``moves`` are the checked transitions it
        has made, starting with the one into ``inkommen``."""
        ref, seq = next_reference(conn, now.year)
        phase = moves[-1].to_phase
        columns = _columns(app)
        values = {
            "ref": ref, "year": now.year, "seq": seq, "title": app.title, "phase": phase.value,
            "origin": origin, "assigned_to": None, "override_reason": None, "meeting_at": None,
            "created_at": now, "updated_at": now, **columns,
        }  # fmt: skip
        case_id = int(conn.execute(_INSERT_CASE, values).scalar_one())
        self._cases.add(case_id)
        self._add("applicant", [{"case_id": case_id, **_applicant(app)}])
        self._add("actors", _actor_rows(case_id, app))
        self._add("support", _support_rows(case_id, app))
        self._add("history", _history_rows(case_id, moves))
        return Case(
            case_id, ref, phase, app.title, columns["application"], columns["area_name"],
            origin, None, None, None, now, now,
        )  # fmt: skip

    def change_case(
        self,
        conn: Connection,
        case: Case,
        app: Application,
        *,
        moves: Sequence[Transition] = (),
        now: datetime,
        title: str | None = None,
    ) -> Case:
        """Store a changed application whole and in its parts, and the phase it moved to."""
        if case.id in self._cases:
            self.flush(conn)  # its parts must be in the table before they are replaced
        phase = moves[-1].to_phase if moves else case.phase
        title = title or case.title or app.title
        columns = {**_columns(app), "phase": phase.value, "title": title, "updated_at": now}
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
        stored, area = columns["application"], columns["area_name"]
        return replace(
            case,
            phase=phase,
            title=title,
            stored_application=stored,
            area_name=area,
            updated_at=now,
        )

    def move(self, conn: Connection, case: Case, move: Transition) -> Case:
        """The case moved (or, from a phase to itself, changed) as ``move`` records."""
        values = {"case_id": case.id, "new_phase": move.to_phase.value, "new_updated_at": move.at}
        conn.execute(_MOVE_CASE, values)
        self._add("history", _history_rows(case.id, [move]))
        return replace(case, phase=move.to_phase, updated_at=move.at)

    def set_columns(self, conn: Connection, case: Case, *, now: datetime, **values: Any) -> Case:
        """Set what an official records on the case itself (:data:`OFFICIAL_COLUMNS`)."""
        unknown = values.keys() - OFFICIAL_COLUMNS
        if unknown:
            raise TypeError(f"not columns an official sets: {sorted(unknown)}")
        stmt = update(_CASE).where(_CASE.c.id == case.id).values(**values, updated_at=now)
        conn.execute(stmt)
        return replace(case, **values, updated_at=now)

    def evaluation(
        self, case_id: int, evaluation: dict[str, Any], *, trigger: str, now: datetime
    ) -> None:
        """Keep every evaluation: the newest is the verdict, the older ones explain the past."""
        row = {
            "case_id": case_id,
            "ruleset": evaluation["ruleset"],
            "outcome": evaluation["outcome"],
            "results": list(evaluation["results"]),
            "trigger": trigger,
            "at": now,
        }
        self._add("evaluation", [row])

    def measurement(self, case_id: int, *, kind: str, text: str, by: str, now: datetime) -> None:
        """A result or effect measurement (``resultat``, ``effekt``) recorded on the case."""
        self._add("measurement", [{"case_id": case_id, "kind": kind, "text": text, "by": by,
                                   "at": now}])  # fmt: skip
        self._cases.add(case_id)

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
            rows = [
                {"message_row_id": ids[digest], **file}
                for digest, files in with_files
                for file in files
            ]
            insert_attachments(conn, rows)


# ---- one change at once, for a command ------------------------------------------------------

_T = TypeVar("_T")


def _at_once(session: Session, write: Callable[[Connection, CaseWrites], _T]) -> _T:
    """Run one change through :class:`CaseWrites` and write its rows before returning."""
    conn = session.connection()
    writes = CaseWrites()
    result = write(conn, writes)
    writes.flush(conn)
    return result


def create_case(
    session: Session, app: Application, *, moves: Sequence[Transition], origin: str, now: datetime
) -> Case:
    """Open a case for an application (see :meth:`CaseWrites.open_case`)."""
    return _at_once(session, lambda c, w: w.open_case(c, app, moves=moves, origin=origin, now=now))


def save_application(
    session: Session, case: Case, app: Application, *, now: datetime, title: str | None = None
) -> Case:
    """Store a changed application whole (with evidence) and in its queryable parts."""
    return _at_once(session, lambda c, w: w.change_case(c, case, app, now=now, title=title))


def record_transition(session: Session, case: Case, move: Transition) -> Case:
    return _at_once(session, lambda c, w: w.move(c, case, move))


def update_case(session: Session, case: Case, *, now: datetime, **values: Any) -> Case:
    """Set an official's columns on the case (see :meth:`CaseWrites.set_columns`)."""
    return _at_once(session, lambda c, w: w.set_columns(c, case, now=now, **values))


def save_evaluation(
    session: Session, case: Case, evaluation: dict[str, Any], *, trigger: str, now: datetime
) -> None:
    """Keep every evaluation: the newest is the verdict, the older ones explain the past."""
    _at_once(session, lambda _, w: w.evaluation(case.id, evaluation, trigger=trigger, now=now))
