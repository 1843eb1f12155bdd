"""Database set-up: migrations plus reference data, safe to run any number of times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.rules.gazetteer import Gazetteer
from samverkan.storage import migrate
from samverkan.storage.db import check_connection, session_scope
from samverkan.storage.reference import (
    bundled_processes,
    load_areas,
    load_processes,
    sync_officials,
)
from samverkan.storage.schema import require_current_schema


@dataclass(frozen=True)
class InitReport:
    revision: str | None
    areas_changed: int
    processes_added: int


def initialise(engine: Engine, settings: Settings, now: datetime) -> InitReport:
    check_connection(engine)
    migrate.upgrade(engine)
    with session_scope(engine) as session:
        areas = load_areas(session, Gazetteer.bundled().areas())
        processes = load_processes(session, bundled_processes(), now)
        sync_officials(session, settings.officials)
    return InitReport(migrate.current_revision(engine), areas, processes)


__all__ = ["InitReport", "initialise", "require_current_schema"]
