"""The series behind the statistics chart: cases over time by phase and area, support by year."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from samverkan.storage.models import CaseRow, DecisionRow

__all__ = ["ChartSeries", "chart_series"]

GRANTED = "beviljad"


@dataclass(frozen=True)
class ChartSeries:
    months: tuple[str, ...]
    """``2026-01`` … the months cases arrived in, oldest first, gaps filled."""
    by_phase: dict[str, tuple[int, ...]]
    """Phase (as it is now) -> cases that arrived each month."""
    by_area: dict[str, tuple[int, ...]]
    """Area -> cases that arrived each month (``""``: no area)."""
    granted_by_year: dict[int, int]
    """Year of the decision -> SEK granted as financing."""


def _month_range(first: str, last: str) -> tuple[str, ...]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)


def chart_series(session: Session, timezone: str) -> ChartSeries:
    zone = ZoneInfo(timezone)
    cases = [
        (f"{at.astimezone(zone):%Y-%m}", phase, area or "")
        for at, phase, area in session.exec(
            select(CaseRow.created_at, CaseRow.phase, CaseRow.area_name)
        ).all()
    ]
    months = _month_range(min(c[0] for c in cases), max(c[0] for c in cases)) if cases else ()
    by_phase = Counter((m, p) for m, p, _ in cases)
    by_area = Counter((m, a) for m, _, a in cases)
    granted: Counter[int] = Counter()
    for at, support in session.exec(
        select(DecisionRow.at, DecisionRow.support).where(DecisionRow.outcome == GRANTED)
    ).all():
        granted[at.astimezone(zone).year] += sum(int(s.get("amount_sek") or 0) for s in support)
    return ChartSeries(
        months=months,
        by_phase={
            p: tuple(by_phase[(m, p)] for m in months) for p in sorted({c[1] for c in cases})
        },
        by_area={a: tuple(by_area[(m, a)] for m in months) for a in sorted({c[2] for c in cases})},
        granted_by_year=dict(sorted(granted.items())),
    )
