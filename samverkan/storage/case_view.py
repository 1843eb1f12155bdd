"""One case with everything that happened to it: the read model ``show``, chat and the memo use.

:func:`case_view` reads it; :meth:`CaseView.to_dict` is ``samverkan show --json`` as SPEC §4
describes it, so the JSON keeps its keys and meaning while the code reads typed fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from samverkan.rules.model import SupportRequest
from samverkan.rules.phases import Phase
from samverkan.storage.case_read import APPLICANT_FACTS, Case, connection
from samverkan.storage.tables import (
    DECISION,
    EVALUATION,
    MEASUREMENT,
    MESSAGE,
    PHASE_CHANGE,
    REGISTRATION,
    REMINDER,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from samverkan.rules.criteria import Evaluation


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Criteria:
    """The newest evaluation as stored, with the rule-set id it used."""

    ruleset: str
    outcome: str
    results: tuple[dict[str, Any], ...]
    at: datetime

    @property
    def evaluation(self) -> Evaluation:
        from samverkan.rules.criteria import Evaluation  # the rules only when a verdict is shown

        return Evaluation.from_dict(
            {"ruleset": self.ruleset, "outcome": self.outcome, "results": self.results}
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset,
            "outcome": self.outcome,
            "results": list(self.results),
            "at": _iso(self.at),
        }


@dataclass(frozen=True)
class MessageEntry:
    direction: str
    channel: str
    message_id: str | None
    subject: str | None
    sender: str | None
    at: datetime
    send_state: str | None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "direction": self.direction,
            "channel": self.channel,
            "message_id": self.message_id,
            "subject": self.subject,
            "from": self.sender,
            "at": _iso(self.at),
        }
        return out | ({"state": self.send_state} if self.direction == "out" else {})


@dataclass(frozen=True)
class ReminderEntry:
    kind: str
    due_at: datetime
    state: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "due_at": _iso(self.due_at), "state": self.state}


@dataclass(frozen=True)
class DecisionEntry:
    outcome: str
    support: tuple[dict[str, Any], ...]  # as stored
    by: str
    at: datetime
    note: str | None = None
    meeting_on: date | None = None
    paragraph: str | None = None

    @property
    def requests(self) -> tuple[SupportRequest, ...]:
        return tuple(SupportRequest.from_dict(s) for s in self.support)

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "support": list(self.support), "by": self.by,
                "at": _iso(self.at), "reasons": self.note,
                "meeting": self.meeting_on.isoformat() if self.meeting_on else None,
                "paragraph": self.paragraph}  # fmt: skip


@dataclass(frozen=True)
class FollowUpEntry:
    kind: str
    text: str
    by: str
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "by": self.by, "at": _iso(self.at)}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    by: str
    from_phase: Phase | None
    to_phase: Phase
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": _iso(self.at),
            "by": self.by,
            "from": self.from_phase.value if self.from_phase else None,
            "to": self.to_phase.value,
            "why": self.why,
        }


@dataclass(frozen=True)
class CaseView:
    """A case, its newest verdict and its messages, reminders, decisions, follow-ups and
    history, each in the order it happened, and its registration number."""

    case: Case
    criteria: Criteria | None
    messages: tuple[MessageEntry, ...]
    reminders: tuple[ReminderEntry, ...]
    decisions: tuple[DecisionEntry, ...]
    followups: tuple[FollowUpEntry, ...]
    history: tuple[HistoryEntry, ...]
    registration_number: str | None
    """The diarienummer (``TN-2026-0001``); ``None`` while the case is not registered."""

    def to_dict(self) -> dict[str, Any]:
        """``samverkan show --json`` (SPEC §4), with the diarienummer beside the reference."""
        return {
            **_case_dict(self.case, self.registration_number),
            "criteria": self.criteria.to_dict() if self.criteria else None,
            "messages": [m.to_dict() for m in self.messages],
            "reminders": [r.to_dict() for r in self.reminders],
            "decisions": [d.to_dict() for d in self.decisions],
            "followups": [f.to_dict() for f in self.followups],
            "history": [h.to_dict() for h in self.history],
        }


def _case_dict(case: Case, registration_number: str | None) -> dict[str, Any]:
    app = case.application
    return {
        "ref": case.ref,
        "diarienummer": registration_number,
        "phase": case.phase.value,
        "title": case.title,
        "origin": case.origin,
        "assigned_to": case.assigned_to,
        "created_at": _iso(case.created_at),
        "area": {"name": app.area.name, "in_malmo": app.area.in_malmo} if app.area else None,
        "area_text": app.area_text,
        "applicant": {name: getattr(app, name) for name in APPLICANT_FACTS},
        "actors": [a.value for a in app.actors],
        "support": [s.to_dict() for s in app.support],
        "start": app.start.isoformat() if app.start else None,
        "duration_months": app.duration_months,
        "purpose": app.purpose,
        "goals": app.goals,
        "own_contribution": app.own_contribution,
        "evidence": app.evidence,
        "provenance": {
            name: {**found.to_dict(), "check": found.to_check}
            for name, found in app.provenance.items()
        },
        "to_check": app.to_check(),
        "meeting_at": _iso(case.meeting_at),
        "override_reason": case.override_reason,
    }


def case_view(db: Session | Connection, case: Case) -> CaseView:
    """Everything stored about ``case``; the CLI, chat and the memo render from this.

    It reads with Core statements over the light tables (``storage.tables``), so ``show`` does
    not build the ORM models; a session is read through its connection.
    """
    conn = connection(db)
    return CaseView(
        case=case,
        criteria=latest_evaluation(conn, case),
        messages=_messages(conn, case.id),
        reminders=_reminders(conn, case.id),
        decisions=_decisions(conn, case.id),
        followups=_followups(conn, case.id),
        history=history(conn, case),
        registration_number=registration_number(conn, case.id),
    )


def latest_evaluation(db: Session | Connection, case: Case) -> Criteria | None:
    e = EVALUATION.c
    row = (
        connection(db)
        .execute(
            select(e.ruleset, e.outcome, e.results, e.at)
            .where(e.case_id == case.id)
            .order_by(e.at.desc(), e.id.desc())
            .limit(1)
        )
        .first()
    )
    return Criteria(row.ruleset, row.outcome, tuple(row.results), row.at) if row else None


def history(db: Session | Connection, case: Case) -> tuple[HistoryEntry, ...]:
    h = PHASE_CHANGE.c
    rows = connection(db).execute(
        select(h.at, h.by, h.from_phase, h.to_phase, h.why)
        .where(h.case_id == case.id)
        .order_by(h.at, h.id)
    )
    return tuple(
        HistoryEntry(at, by, Phase(from_phase) if from_phase else None, Phase(to_phase), why)
        for at, by, from_phase, to_phase, why in rows
    )


def registration_number(db: Session | Connection, case_id: int) -> str | None:
    """The case's diarienummer, or ``None`` while it is not registered (``storage.registry``
    numbers it)."""
    r = REGISTRATION.c
    found = connection(db).execute(select(r.number).where(r.case_id == case_id)).scalar()
    return str(found) if found is not None else None


def _messages(conn: Connection, case_id: int) -> tuple[MessageEntry, ...]:
    m = MESSAGE.c
    rows = conn.execute(
        select(m.direction, m.channel, m.message_id, m.subject, m.sender, m.at, m.send_state)
        .where(m.case_id == case_id, m.channel != "notice")
        .order_by(m.at, m.id)
    )
    return tuple(MessageEntry(*row) for row in rows)


def _reminders(conn: Connection, case_id: int) -> tuple[ReminderEntry, ...]:
    r = REMINDER.c
    rows = conn.execute(
        select(r.kind, r.due_at, r.state).where(r.case_id == case_id).order_by(r.due_at, r.id)
    )
    return tuple(ReminderEntry(*row) for row in rows)


def _decisions(conn: Connection, case_id: int) -> tuple[DecisionEntry, ...]:
    d = DECISION.c
    rows = conn.execute(
        select(d.outcome, d.support, d.by, d.at, d.note, d.meeting_on, d.paragraph)
        .where(d.case_id == case_id)
        .order_by(d.at, d.id)
    )
    return tuple(
        DecisionEntry(outcome, tuple(support), by, at, note, meeting_on, paragraph)
        for outcome, support, by, at, note, meeting_on, paragraph in rows
    )


def _followups(conn: Connection, case_id: int) -> tuple[FollowUpEntry, ...]:
    f = MEASUREMENT.c
    rows = conn.execute(
        select(f.kind, f.text, f.by, f.at).where(f.case_id == case_id).order_by(f.at, f.id)
    )
    return tuple(FollowUpEntry(*row) for row in rows)
