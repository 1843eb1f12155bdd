"""Reference data: the gazetteer, the registry of existing processes, and the officials."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from typing import Any

from sqlmodel import Session, col, select

from samverkan.rules.model import Area
from samverkan.rules.phases import Role
from samverkan.storage.models import AreaRow, ProcessRow
from samverkan.storage.officials import seed


def bundled_processes() -> list[dict[str, Any]]:
    """The processes running when the model was adopted (rules/data/processes.toml)."""
    text = (files("samverkan.rules") / "data" / "processes.toml").read_text(encoding="utf-8")
    return list(tomllib.loads(text)["process"])


def load_areas(session: Session, areas: Iterable[Area]) -> int:
    """Insert or update every gazetteer area; returns how many rows changed."""
    existing = {row.name: row for row in session.exec(select(AreaRow)).all()}
    changed = 0
    for area in areas:
        row = existing.get(area.name)
        parents = list(area.parents)
        if row is None:
            session.add(AreaRow(name=area.name, in_malmo=area.in_malmo, parents=parents))
            changed += 1
        elif row.in_malmo != area.in_malmo or row.parents != parents:
            row.in_malmo, row.parents = area.in_malmo, parents
            session.add(row)
            changed += 1
    return changed


def load_processes(session: Session, processes: Sequence[Mapping[str, Any]], now: datetime) -> int:
    """Seed the registry; a process that already exists (maybe edited) is left alone."""
    names = set(session.exec(select(ProcessRow.name)).all())
    added = 0
    for proc in processes:
        if proc["name"] in names:
            continue
        session.add(
            ProcessRow(
                name=proc["name"],
                areas=list(proc["areas"]),
                contact=proc.get("contact"),
                added_by="system",
                added_at=now,
            )
        )
        added += 1
    return added


def add_process(
    session: Session,
    *,
    name: str,
    areas: Sequence[str],
    contact: str | None,
    by: str,
    now: datetime,
) -> None:
    row = session.exec(select(ProcessRow).where(ProcessRow.name == name)).first()
    if row is None:
        row = ProcessRow(name=name, areas=list(areas), contact=contact, added_by=by, added_at=now)
    else:
        row.areas, row.contact, row.active = list(areas), contact, True
    session.add(row)


@dataclass(frozen=True)
class RegisteredProcess:
    """A collaboration already running, as the registry lists it (area names as stored)."""

    name: str
    areas: tuple[str, ...]
    contact: str | None


def active_processes(session: Session) -> list[RegisteredProcess]:
    rows = session.exec(
        select(ProcessRow).where(col(ProcessRow.active).is_(True)).order_by(col(ProcessRow.name))
    ).all()
    return [RegisteredProcess(p.name, tuple(p.areas), p.contact) for p in rows]


def sync_officials(session: Session, officials: Mapping[str, Role]) -> None:
    """Seed the officials' registry from the configured OFFICIALS (the registry is the truth
    once an official is in it: chat and CLI changes are kept)."""
    seed(session, officials)
