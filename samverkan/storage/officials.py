"""The officials' registry: who may change cases, and by what name and title they sign.

``SAMVERKAN_OFFICIALS`` seeds the registry (:func:`seed` adds whom it does not know yet);
from then on coordinators keep it in chat or with ``samverkan officials``, and the registry is
the truth. A removed official stays as an inactive row, so the seed never brings them back.
An id that the registry has never seen falls back to the configuration, so a fresh
installation works before ``samverkan init`` has copied it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from samverkan.rules.officials import Official, Platform, normalise_ident, platform_of
from samverkan.rules.phases import Role
from samverkan.storage.db import StorageError
from samverkan.storage.models import OfficialRow

__all__ = [
    "OfficialChange",
    "RegistryError",
    "find",
    "list_officials",
    "reachable",
    "register",
    "remove",
    "role_of",
    "seed",
    "update",
]

_PLATFORM_COLUMN = {Platform.EMAIL: "email", Platform.SLACK: "slack_id", Platform.TEAMS: "teams_id"}


class RegistryError(StorageError):
    """A registry change that cannot be made; ``str()`` says why, in Swedish."""


@dataclass(frozen=True)
class OfficialChange:
    """What to set on an official; None leaves a field as it is."""

    role: Role | None = None
    name: str | None = None
    title: str | None = None
    email: str | None = None
    slack_id: str | None = None
    teams_id: str | None = None


def _value(row: OfficialRow) -> Official:
    return Official(
        ident=row.ident,
        role=Role(row.role),
        name=row.name,
        title=row.title,
        email=row.email,
        slack_id=row.slack_id,
        teams_id=row.teams_id,
        active=row.active,
    )


def _row(session: Session, who: str) -> OfficialRow | None:
    ident = normalise_ident(who)
    return session.exec(
        select(OfficialRow).where(
            or_(
                col(OfficialRow.ident) == ident,
                col(OfficialRow.email) == ident,
                col(OfficialRow.slack_id) == ident,
                col(OfficialRow.teams_id) == ident,
            )
        )
    ).first()


def find(session: Session, who: str) -> Official | None:
    """The official known by any of their ids, removed ones included."""
    row = _row(session, who)
    return _value(row) if row else None


def role_of(session: Session, who: str, configured: Mapping[str, Role]) -> Role | None:
    """The role of an active official; the configuration answers for ids never registered."""
    row = _row(session, who)
    if row is not None:
        return Role(row.role) if row.active else None
    return configured.get(normalise_ident(who))


def list_officials(session: Session, *, include_removed: bool = False) -> list[Official]:
    query = select(OfficialRow).order_by(col(OfficialRow.name), col(OfficialRow.ident))
    if not include_removed:
        query = query.where(col(OfficialRow.active).is_(True))
    return [_value(row) for row in session.exec(query).all()]


def reachable(session: Session, configured: Mapping[str, Role]) -> list[Official]:
    """Everyone notices go to: the active officials, and the configured ids the registry has
    never seen (a removed official is not brought back by the configuration)."""
    rows = session.exec(select(OfficialRow)).all()
    known = {i for row in rows for i in _value(row).ids}
    found = [_value(row) for row in rows if row.active]
    for ident, role in sorted(configured.items()):
        if normalise_ident(ident) not in known:
            found.append(Official(ident=normalise_ident(ident), role=role))
    return found


def seed(session: Session, configured: Mapping[str, Role], *, now: datetime | None = None) -> int:
    """Add the configured officials the registry does not know; returns how many."""
    added = 0
    for ident, role in configured.items():
        if _row(session, ident) is None:
            row = OfficialRow(ident=normalise_ident(ident), role=role.value, source="config")
            _set_platform_id(row, row.ident)
            row.updated_at = now
            session.add(row)
            session.flush()
            added += 1
    return added


def _set_platform_id(row: OfficialRow, ident: str) -> None:
    column = _PLATFORM_COLUMN.get(platform_of(ident))
    if column and getattr(row, column) is None:
        setattr(row, column, ident)


def _check_free(session: Session, row: OfficialRow, change: OfficialChange) -> None:
    """An id belongs to one official only."""
    for value in (change.email, change.slack_id, change.teams_id):
        if value is None:
            continue
        other = _row(session, value)
        if other is not None and other.id != row.id:
            raise RegistryError(f"{value} hör redan till handläggaren {other.name or other.ident}.")


def _keeps_a_coordinator(session: Session, row: OfficialRow) -> None:
    """Someone must be left who can add officials again."""
    others = session.exec(
        select(OfficialRow).where(
            col(OfficialRow.active).is_(True),
            OfficialRow.role == Role.SAMORDNARE.value,
            OfficialRow.id != row.id,
        )
    ).first()
    if others is None:
        raise RegistryError(
            f"{row.name or row.ident} är den enda samordnaren; lägg först till en till."
        )


def _apply(row: OfficialRow, change: OfficialChange, *, by: str, now: datetime) -> None:
    for name in ("name", "title", "slack_id", "teams_id"):
        value = getattr(change, name)
        if value is not None:
            setattr(row, name, value.strip() or None)
    if change.email is not None:
        row.email = normalise_ident(change.email) or None
    if change.role is not None:
        row.role = change.role.value
    row.updated_by, row.updated_at = by, now


def register(
    session: Session, ident: str, change: OfficialChange, *, by: str, now: datetime
) -> tuple[Official, bool]:
    """Add an official (or bring a removed one back); True when they were not active before."""
    if change.role is None:
        raise RegistryError("Ange rollen: kontaktperson eller samordnare.")
    row = _row(session, ident)
    new = row is None or not row.active
    if row is None:
        row = OfficialRow(ident=normalise_ident(ident), role=change.role.value, source="chat")
    _check_free(session, row, change)
    row.active = True
    _apply(row, change, by=by, now=now)
    _set_platform_id(row, row.ident)
    session.add(row)
    session.flush()
    return _value(row), new


def update(
    session: Session, who: str, change: OfficialChange, *, by: str, now: datetime
) -> Official:
    row = _row(session, who)
    if row is None or not row.active:
        raise RegistryError(f"{who} finns inte i handläggarregistret.")
    _check_free(session, row, change)
    demoted = change.role not in (None, Role.SAMORDNARE) and row.role == Role.SAMORDNARE.value
    if demoted:
        _keeps_a_coordinator(session, row)
    _apply(row, change, by=by, now=now)
    session.add(row)
    session.flush()
    return _value(row)


def remove(session: Session, who: str, *, by: str, now: datetime) -> Official:
    """Mark the official removed; their name stays on the memos they signed."""
    row = _row(session, who)
    if row is None or not row.active:
        raise RegistryError(f"{who} finns inte i handläggarregistret.")
    if row.role == Role.SAMORDNARE.value:
        _keeps_a_coordinator(session, row)
    row.active = False
    row.updated_by, row.updated_at = by, now
    session.add(row)
    return _value(row)
