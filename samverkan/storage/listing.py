"""Case lists answered by SQL: only the columns a list shows, filtered and ordered in the query.

A list never builds the full case rows (their application JSON included), so listing stays
cheap as the cases pile up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from samverkan.storage.models import CaseRow

_CASES = CaseRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CaseLine:
    """One case as a list shows it."""

    ref: str
    phase: str
    title: str | None
    area: str | None
    assigned_to: str | None
    created_at: datetime

    def to_dict(self) -> dict[str, str | None]:
        return {
            "ref": self.ref,
            "phase": self.phase,
            "title": self.title,
            "area": self.area,
            "assigned_to": self.assigned_to,
            "created_at": self.created_at.isoformat(),
        }


def case_lines(
    conn: Connection, *, phase: str | None = None, area: str | None = None
) -> list[CaseLine]:
    """Cases in reference order, optionally in one phase and/or one area (any letter case)."""
    c = _CASES.c
    query = select(c.ref, c.phase, c.title, c.area_name, c.assigned_to, c.created_at).order_by(
        c.year, c.seq
    )
    if phase is not None:
        query = query.where(c.phase == phase)
    if area:
        query = query.where(func.lower(c.area_name) == area.lower())
    return [CaseLine(*row) for row in conn.execute(query)]
