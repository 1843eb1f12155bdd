"""The open cases an application may overlap: the newest few of its related areas, counted.

The overlap criterion names the newest few open cases in the areas related to an
application's and counts the rest; this reads exactly that, in one statement whose cost does
not grow with the cases (intake asks it for every message).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, union_all
from sqlalchemy import select as core_select

from samverkan.storage.models import CaseRow

_CASE: Any = CaseRow.__table__  # type: ignore[attr-defined]


def overlapping_cases(
    conn: Connection,
    areas: Sequence[str],
    *,
    closed: Sequence[str],
    but: int | None,
    limit: int,
    count_up_to: int,
) -> tuple[list[tuple[str, str]], int]:
    """The newest ``limit`` cases (area, ref) in one of ``areas`` whose phase is not in
    ``closed``, other than the case ``but``; and how many such cases there are, counted up
    to ``count_up_to + 1`` (more than that is "more than ``count_up_to``").

    One statement whose cost does not grow with the cases: per area the newest few along
    the (area, year, seq) index, and a count that stops at its bound.
    """
    if not areas:
        return [], 0
    params: dict[str, Any] = {f"area_{i}": area for i, area in enumerate(areas)}
    params.update(closed=list(closed), case_id=but or 0, limit=limit, bound=count_up_to + 1)
    rows = conn.execute(_overlapping_statement(len(areas)), params).all()
    return [(area, ref) for area, ref, _ in rows], int(rows[0].total) if rows else 0


_OVERLAPPING: dict[int, Any] = {}


def _overlapping_statement(n: int) -> Any:
    """Built once per number of areas: building it per message cost more than running it."""
    if n not in _OVERLAPPING:
        c = _CASE.c
        open_ = [
            c.phase.not_in(bindparam("closed", expanding=True)),
            c.id != bindparam("case_id"),
        ]
        names: list[Any] = [bindparam(f"area_{i}") for i in range(n)]
        pages = [
            core_select(c.area_name, c.ref, c.year, c.seq)
            .where(c.area_name == name, *open_)
            .order_by(c.year.desc(), c.seq.desc())
            .limit(bindparam("limit"))
            .subquery()
            for name in names
        ]
        newest = union_all(*(core_select(*p.c) for p in pages)).subquery()
        bounded = (
            core_select(c.id).where(c.area_name.in_(names), *open_).limit(bindparam("bound"))
        ).subquery()
        total = core_select(func.count()).select_from(bounded).scalar_subquery()
        _OVERLAPPING[n] = (
            core_select(newest.c.area_name, newest.c.ref, total.label("total"))
            .order_by(newest.c.year.desc(), newest.c.seq.desc())
            .limit(bindparam("limit"))
        )
    return _OVERLAPPING[n]
