"""One case with everything that happened to it: the read model ``show``, chat and the memo use.

:func:`case_view` reads it; :meth:`CaseView.to_dict` is ``samverkan show --json`` as SPEC §4
describes it, so the JSON keeps its keys and meaning while the code reads typed fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from samverkan.rules.criteria import Evaluation
from samverkan.rules.model import SupportRequest
from samverkan.rules.phases import Phase
from samverkan.storage.cases import APPLICANT_FACTS, Case
from samverkan.storage.models import (
    DecisionRow,
    EvaluationRow,
    MeasurementRow,
    MessageRow,
    PhaseChangeRow,
    ReminderRow,
)


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
    history, each in the order it happened."""

    case: Case
    criteria: Criteria | None
    messages: tuple[MessageEntry, ...]
    reminders: tuple[ReminderEntry, ...]
    decisions: tuple[DecisionEntry, ...]
    followups: tuple[FollowUpEntry, ...]
    history: tuple[HistoryEntry, ...]

    def to_dict(self) -> dict[str, Any]:
        """``samverkan show --json`` (SPEC §4)."""
        return {
            **_case_dict(self.case),
            "criteria": self.criteria.to_dict() if self.criteria else None,
            "messages": [m.to_dict() for m in self.messages],
            "reminders": [r.to_dict() for r in self.reminders],
            "decisions": [d.to_dict() for d in self.decisions],
            "followups": [f.to_dict() for f in self.followups],
            "history": [h.to_dict() for h in self.history],
        }


def _case_dict(case: Case) -> dict[str, Any]:
    app = case.application
    return {
        "ref": case.ref,
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


def case_view(session: Session, case: Case) -> CaseView:
    """Everything stored about ``case``; the CLI, chat and the memo render from this."""
    return CaseView(
        case=case,
        criteria=latest_evaluation(session, case),
        messages=_messages(session, case.id),
        reminders=_reminders(session, case.id),
        decisions=_decisions(session, case.id),
        followups=_followups(session, case.id),
        history=history(session, case),
    )


def latest_evaluation(session: Session, case: Case) -> Criteria | None:
    row = session.exec(
        select(EvaluationRow)
        .where(EvaluationRow.case_id == case.id)
        .order_by(col(EvaluationRow.at).desc(), col(EvaluationRow.id).desc())
    ).first()
    return Criteria(row.ruleset, row.outcome, tuple(row.results), row.at) if row else None


def history(session: Session, case: Case) -> tuple[HistoryEntry, ...]:
    rows = session.exec(
        select(PhaseChangeRow)
        .where(PhaseChangeRow.case_id == case.id)
        .order_by(col(PhaseChangeRow.at), col(PhaseChangeRow.id))
    ).all()
    return tuple(
        HistoryEntry(
            h.at, h.by, Phase(h.from_phase) if h.from_phase else None, Phase(h.to_phase), h.why
        )
        for h in rows
    )


def _messages(session: Session, case_id: int) -> tuple[MessageEntry, ...]:
    rows = session.exec(
        select(MessageRow)
        .where(MessageRow.case_id == case_id, MessageRow.channel != "notice")
        .order_by(col(MessageRow.at), col(MessageRow.id))
    ).all()
    return tuple(
        MessageEntry(m.direction, m.channel, m.message_id, m.subject, m.sender, m.at, m.send_state)
        for m in rows
    )


def _reminders(session: Session, case_id: int) -> tuple[ReminderEntry, ...]:
    rows = session.exec(
        select(ReminderRow)
        .where(ReminderRow.case_id == case_id)
        .order_by(col(ReminderRow.due_at), col(ReminderRow.id))
    ).all()
    return tuple(ReminderEntry(r.kind, r.due_at, r.state) for r in rows)


def _decisions(session: Session, case_id: int) -> tuple[DecisionEntry, ...]:
    rows = session.exec(
        select(DecisionRow).where(DecisionRow.case_id == case_id).order_by(col(DecisionRow.at))
    ).all()
    return tuple(
        DecisionEntry(d.outcome, tuple(d.support), d.by, d.at, d.note, d.meeting_on, d.paragraph)
        for d in rows
    )


def _followups(session: Session, case_id: int) -> tuple[FollowUpEntry, ...]:
    rows = session.exec(
        select(MeasurementRow)
        .where(MeasurementRow.case_id == case_id)
        .order_by(col(MeasurementRow.at))
    ).all()
    return tuple(FollowUpEntry(m.kind, m.text, m.by, m.at) for m in rows)
