"""Reading cases: the :class:`Case` read model and the one way to read a case by reference.

It reads through the light tables of :mod:`samverkan.storage.tables`, never the ORM models, so
a command that shows one case (``samverkan show``) does not build every model first. Writing
is :mod:`samverkan.storage.cases`, which re-exports what is here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, func, select

from samverkan.rules.model import Application
from samverkan.rules.phases import Phase
from samverkan.storage.db import CaseNotFound
from samverkan.storage.tables import CASES, MESSAGE

if TYPE_CHECKING:
    from sqlmodel import Session

# The applicant's facts as the applicant table holds them and ``show --json`` names them.
APPLICANT_FACTS = ("organisation", "orgnr", "orgnr_valid", "contact_name", "email", "phone")


@dataclass(frozen=True)
class Case:
    """One case as intake and the commands act on it: its columns, its application parsed
    when first asked for. A write returns the case as it is afterwards."""

    id: int
    ref: str
    phase: Phase
    title: str | None
    stored_application: dict[str, Any]
    area_name: str | None
    origin: str
    assigned_to: str | None
    override_reason: str | None
    meeting_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @cached_property
    def application(self) -> Application:
        return Application.from_dict(self.stored_application)


_CASE_FIELDS = tuple(
    CASES.c[name]
    for name in (
        "id", "ref", "phase", "title", "application", "area_name", "origin", "assigned_to",
        "override_reason", "meeting_at", "created_at", "updated_at",
    )
)  # fmt: skip


def _case(row: Any) -> Case:
    return Case(row[0], row[1], Phase(row[2]), *row[3:])


_CASE_BY_REF = select(*_CASE_FIELDS).where(CASES.c.ref == bindparam("ref"))
_CASE_BY_REF_LOCKED = _CASE_BY_REF.with_for_update()
_CASE_OF_MESSAGES = (
    select(*_CASE_FIELDS)
    .select_from(MESSAGE.join(CASES, CASES.c.id == MESSAGE.c.case_id))
    .where(MESSAGE.c.message_id.in_(bindparam("ids", expanding=True)))
    .order_by(MESSAGE.c.id.desc())
    .limit(1)
)


def connection(db: Session | Connection) -> Connection:
    """The connection a session runs on (a connection is its own). Rows the session holds are
    flushed first, so a Core read sees them as an ORM query would (autoflush)."""
    if isinstance(db, Connection):
        return db
    db.flush()
    return db.connection()


def find_case(db: Session | Connection, ref: str, *, lock: bool = False) -> Case | None:
    """The case with reference ``ref`` (any case, spaces around allowed), or ``None``.

    ``lock`` holds it for this transaction on PostgreSQL, so two officials acting at once take
    turns and the second sees the first one's phase (SQLite serialises writers anyway).
    """
    stmt = _CASE_BY_REF_LOCKED if lock else _CASE_BY_REF
    row = connection(db).execute(stmt, {"ref": ref.strip().upper()}).first()
    return _case(row) if row is not None else None


def get_case(db: Session | Connection, ref: str, *, lock: bool = False) -> Case:
    """Like :func:`find_case`, for a reference someone gave: unknown is ``CaseNotFound``."""
    case = find_case(db, ref, lock=lock)
    if case is None:
        raise CaseNotFound(f"Det finns inget ärende {ref}.")
    return case


def case_of_messages(conn: Connection, message_ids: Sequence[str]) -> Case | None:
    """The case of the newest stored message with one of these Message-IDs."""
    row = conn.execute(_CASE_OF_MESSAGES, {"ids": list(message_ids)}).first()
    return _case(row) if row is not None else None


def list_cases(
    db: Session | Connection,
    *,
    phase: Phase | None = None,
    area: str | None = None,
    assigned_to: str | None = None,
) -> list[Case]:
    """Cases in reference order, of one phase or area or contact person if asked."""
    c = CASES.c
    query = select(*_CASE_FIELDS).order_by(c.year, c.seq)
    if assigned_to is not None:
        query = query.where(c.assigned_to == assigned_to)
    if phase is not None:
        query = query.where(c.phase == phase.value)
    if area:
        query = query.where(func.lower(c.area_name) == area.lower())
    return [_case(row) for row in connection(db).execute(query)]
