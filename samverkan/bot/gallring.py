"""Disposal by the retention plan as one call, for the nightly job and ``samverkan gallra``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.rules.retention_plan import RetentionPlan, bundled_plan, load_plan
from samverkan.storage.db import session_scope
from samverkan.storage.disposal import Disposal, dispose, due_for_disposal

__all__ = ["disposal_lines", "retention_plan", "run_disposal"]


def retention_plan(settings: Settings) -> RetentionPlan:
    """``SAMVERKAN_RETENTION_FILE``, or the bundled plan; raises ``RetentionError``."""
    return load_plan(settings.retention_file) if settings.retention_file else bundled_plan()


def disposal_lines(items: list[Disposal], *, dry_run: bool) -> list[str]:
    verb = "skulle gallras" if dry_run else "gallrat"
    return [f"{verb} enligt {item.rule}: {item.what}" for item in items]


def run_disposal(
    engine: Engine, settings: Settings, now: datetime, *, dry_run: bool = False
) -> list[str]:
    """Dispose of what is due at ``now`` in one transaction (or, dry, only say what)."""
    plan = retention_plan(settings)
    with session_scope(engine) as session:
        if dry_run:
            return disposal_lines(due_for_disposal(session, plan, now), dry_run=True)
        items = dispose(session, plan, now)
        session.commit()
    return disposal_lines(items, dry_run=False)
