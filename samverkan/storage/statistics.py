"""Figures for the registrar and the committee: cases per phase and area, lead times, support
granted and follow-ups. Read-only, computed from the history rather than stored."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from statistics import median
from typing import Any

from sqlmodel import Session, col, select

from samverkan.rules.phases import Phase
from samverkan.storage.models import (
    CaseRow,
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


def statistics(session: Session) -> Statistics:
    cases = session.exec(select(CaseRow.phase, CaseRow.area_name)).all()
    granted = session.exec(
        select(DecisionRow).where(DecisionRow.outcome == GRANTED).order_by(col(DecisionRow.id))
    ).all()
    first: dict[tuple[int, str], datetime] = {}
    decided: dict[int, datetime] = {}
    for case_id, from_phase, to_phase, at in session.exec(
        select(
            PhaseChangeRow.case_id,
            PhaseChangeRow.from_phase,
            PhaseChangeRow.to_phase,
            PhaseChangeRow.at,
        ).order_by(col(PhaseChangeRow.at), col(PhaseChangeRow.id))
    ).all():
        first.setdefault((case_id, to_phase), at)
        if from_phase == Phase.NAMND and to_phase in (Phase.GENOMFORANDE, Phase.AVSLAG):
            decided.setdefault(case_id, at)
    received = {cid: at for (cid, phase), at in first.items() if phase == Phase.INKOMMEN}
    to_committee = [
        _days(received[cid], at)
        for (cid, phase), at in first.items()
        if phase == Phase.NAMND and cid in received
    ]
    to_decision = [_days(received[cid], at) for cid, at in decided.items() if cid in received]
    measurements = Counter(session.exec(select(MeasurementRow.kind)).all())
    due = session.exec(
        select(ReminderRow.id).where(
            ReminderRow.state == "pending", col(ReminderRow.kind).in_(FOLLOW_UP_REMINDERS)
        )
    ).all()
    return Statistics(
        total=len(cases),
        per_phase=dict(Counter(phase for phase, _ in cases)),
        per_area=dict(Counter(area or "" for _, area in cases)),
        granted_cases=len({d.case_id for d in granted}),
        granted_sek=sum(int(s.get("amount_sek") or 0) for d in granted for s in d.support),
        to_committee=_lead_time(to_committee),
        to_decision=_lead_time(to_decision),
        measurements=dict(measurements),
        follow_ups_due=len(due),
    )
