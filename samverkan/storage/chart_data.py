"""The series behind the statistics chart: cases over time by phase and area, support by year."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from samverkan.storage.models import CaseTallyRow, DecisionRow

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
    """Read from ``case_tally`` (cases per UTC hour, phase and area, kept by the database),
    so what is read grows with the hours that had new cases rather than with the cases; each
    hour falls in one local month (Sweden's offsets are whole hours)."""
    zone = ZoneInfo(timezone)
    t = CaseTallyRow
    by_phase: Counter[tuple[str, str]] = Counter()
    by_area: Counter[tuple[str, str]] = Counter()
    for hour, phase, area, n in session.exec(select(t.hour, t.phase, t.area_name, t.n)).all():
        utc = datetime.fromisoformat(hour).replace(tzinfo=UTC)
        month = f"{utc.astimezone(zone):%Y-%m}"
        by_phase[(month, phase)] += n
        by_area[(month, area)] += n
    seen_months = [m for m, _ in by_phase]
    months = _month_range(min(seen_months), max(seen_months)) if seen_months else ()
    granted: Counter[int] = Counter()
    for at, support in session.exec(
        select(DecisionRow.at, DecisionRow.support).where(DecisionRow.outcome == GRANTED)
    ).all():
        granted[at.astimezone(zone).year] += sum(int(s.get("amount_sek") or 0) for s in support)
    return ChartSeries(
        months=months,
        by_phase={
            p: tuple(by_phase[(m, p)] for m in months) for p in sorted({p for _, p in by_phase})
        },
        by_area={
            a: tuple(by_area[(m, a)] for m in months) for a in sorted({a for _, a in by_area})
        },
        granted_by_year=dict(sorted(granted.items())),
    )
