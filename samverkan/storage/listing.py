"""Case lists answered by SQL: only the columns a list shows, filtered and ordered in the query.

A list never builds the full case rows (their application JSON included), so listing stays
cheap as the cases pile up; it reads the light cases table (``storage.tables``), so a command
that lists cases does not build every ORM model first (a fifth of its start-up).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, literal, select, union_all

from samverkan.storage.tables import CASES


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


@dataclass(frozen=True)
class CasePage:
    """The first cases of a list, and how many there are (counted up to ``count_up_to``)."""

    lines: list[CaseLine]
    count: int
    more_than: bool
    """True when there are more than ``count`` (the count stopped at its bound)."""


def _page_query(where: list[Any], areas: list[str], limit: int) -> Any:
    """The first ``limit`` cases in reference order. For several areas, the first ``limit`` of
    each along ix_cases_area_year_seq, merged: ``area_name IN (…) ORDER BY year, seq`` would
    sort every case of those areas instead."""
    c = CASES.c
    shown = (c.ref, c.phase, c.title, c.area_name, c.assigned_to, c.created_at)
    if len(areas) <= 1:
        only = [c.area_name == name for name in areas]
        return select(*shown).where(*where, *only).order_by(c.year, c.seq).limit(limit)
    arms = [
        select(*shown, c.year, c.seq)
        .where(*where, c.area_name == name)
        .order_by(c.year, c.seq)
        .limit(limit)
        .subquery()
        for name in areas
    ]
    merged = union_all(*(select(*arm.c) for arm in arms)).subquery()
    m = merged.c
    return (
        select(m.ref, m.phase, m.title, m.area_name, m.assigned_to, m.created_at)
        .order_by(m.year, m.seq)
        .limit(limit)
    )


def case_page(
    conn: Connection,
    *,
    phases: Collection[str] = (),
    exclude: Collection[str] = (),
    areas: Collection[str] = (),
    area_any_case: str | None = None,
    limit: int = 50,
    count_up_to: int = 1000,
) -> CasePage:
    """A page of cases in reference order, in ``phases`` (or not in ``exclude``), in ``areas``
    (names as the gazetteer writes them) or in an area the gazetteer does not know
    (``area_any_case``, compared in any letter case).

    Both queries stop early (``LIMIT``), so a page costs the same at 1,000 cases as at
    100,000: the list reads its page along the reference index, the count stops at its bound.
    """
    c = CASES.c
    where: list[Any] = []
    if phases:
        where.append(c.phase.in_(list(phases)))
    if exclude:
        where.append(c.phase.not_in(list(exclude)))
    if area_any_case:
        where.append(func.lower(c.area_name) == area_any_case.lower())
    names = list(dict.fromkeys(areas))
    lines = [CaseLine(*row) for row in conn.execute(_page_query(where, names, limit))]
    if names:
        where.append(c.area_name.in_(names))
    # Selecting no column lets an index answer alone (ix_cases_area_phase for an area).
    bounded = select(literal(1)).select_from(CASES).where(*where).limit(count_up_to + 1)
    count = int(conn.execute(select(func.count()).select_from(bounded.subquery())).scalar_one())
    return CasePage(lines, min(count, count_up_to), count > count_up_to)


def case_lines(
    conn: Connection, *, phase: str | None = None, area: str | None = None
) -> list[CaseLine]:
    """Cases in reference order, optionally in one phase and/or one area (any letter case)."""
    c = CASES.c
    query = select(c.ref, c.phase, c.title, c.area_name, c.assigned_to, c.created_at).order_by(
        c.year, c.seq
    )
    if phase is not None:
        query = query.where(c.phase == phase)
    if area:
        query = query.where(func.lower(c.area_name) == area.lower())
    return [CaseLine(*row) for row in conn.execute(query)]
