"""Figures for the registrar and the committee: cases per phase and area, lead times, support
granted and follow-ups. Read-only, computed from the history rather than stored."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from samverkan.rules.phases import Phase
from samverkan.storage.models import (
    CaseTallyRow,
    DecisionRow,
    MeasurementRow,
    PhaseChangeRow,
    ReminderRow,
)

GRANTED = "beviljad"
FOLLOW_UP_REMINDERS = ("resultatmatning", "effektmatning")


@dataclass(frozen=True)
class LeadTime:
    """Days between two steps of the process, over the cases that have taken both."""

    cases: int
    median_days: float | None
    longest_days: float | None


@dataclass(frozen=True)
class Statistics:
    total: int
    """Every case there is, whatever its phase."""
    per_phase: dict[str, int]
    per_area: dict[str, int]
    """Area name (or ``""`` for cases without one) -> number of cases."""
    granted_cases: int
    granted_sek: int
    to_committee: LeadTime
    """From received to approved by FGK for the committee (nämnd)."""
    to_decision: LeadTime
    """From received to the committee's decision (genomförande or avslag after nämnd)."""
    measurements: dict[str, int]
    """Follow-up measurements recorded, by kind (resultat, effekt)."""
    follow_ups_due: int
    """Follow-up reminders not yet acted on."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _lead_time(spans: list[float]) -> LeadTime:
    if not spans:
        return LeadTime(0, None, None)
    return LeadTime(len(spans), round(median(spans), 1), round(max(spans), 1))


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


def _counts(session: Session, column: Any) -> dict[Any, int]:
    rows = session.exec(select(column, func.count()).group_by(column)).all()
    return {key: int(n) for key, n in rows}


def _tally(session: Session, column: Any) -> dict[str, int]:
    """Cases per phase or area (``""``: none), summed from ``case_tally``, which the database
    keeps per hour, phase and area: its rows grow with the hours that had cases."""
    rows = session.exec(select(column, func.sum(CaseTallyRow.n)).group_by(column)).all()
    return {str(key): int(n) for key, n in rows}


def _lead_times(session: Session) -> tuple[list[float], list[float]]:
    """Days from received to the committee, and to its decision, per case that reached the
    committee: one row per such case (found by the ``to_phase`` index), never every case."""
    pc = PhaseChangeRow
    reached = select(pc.case_id).where(pc.to_phase == Phase.NAMND.value)

    def first(condition: Any) -> Any:
        return func.min(case((condition, col(pc.at))))

    decided = (col(pc.from_phase) == Phase.NAMND.value) & col(pc.to_phase).in_(
        [Phase.GENOMFORANDE.value, Phase.AVSLAG.value]
    )
    rows = session.exec(
        select(
            first(col(pc.to_phase) == Phase.INKOMMEN.value),
            first(col(pc.to_phase) == Phase.NAMND.value),
            first(decided),
        )
        .where(col(pc.case_id).in_(reached))
        .group_by(col(pc.case_id))
    ).all()
    to_committee = [_days(r, c) for r, c, _ in rows if r is not None and c is not None]
    to_decision = [_days(r, d) for r, _, d in rows if r is not None and d is not None]
    return to_committee, to_decision


def statistics(session: Session) -> Statistics:
    """Counted in SQL: cases per phase and area from the tally the database keeps, the rest
    by ``GROUP BY`` over indexed columns; only the cases that reached the committee and the
    granted decisions are read row by row, which grow with the committee's work, not with the
    number of applications."""
    per_phase = _tally(session, col(CaseTallyRow.phase))
    per_area = _tally(session, col(CaseTallyRow.area_name))
    granted = session.exec(
        select(DecisionRow.case_id, DecisionRow.support).where(DecisionRow.outcome == GRANTED)
    ).all()
    to_committee, to_decision = _lead_times(session)
    due = session.exec(
        select(func.count()).where(
            ReminderRow.state == "pending", col(ReminderRow.kind).in_(FOLLOW_UP_REMINDERS)
        )
    ).one()
    return Statistics(
        total=sum(per_phase.values()),
        per_phase=per_phase,
        per_area=per_area,
        granted_cases=len({case_id for case_id, _ in granted}),
        granted_sek=sum(int(s.get("amount_sek") or 0) for _, support in granted for s in support),
        to_committee=_lead_time(to_committee),
        to_decision=_lead_time(to_decision),
        measurements={str(k): n for k, n in _counts(session, col(MeasurementRow.kind)).items()},
        follow_ups_due=int(due),
    )
