"""case_tally, kept by triggers on cases, equals a direct count over the cases after every
kind of write: ORM and Core, phase moves, area edits, erasure, deletion, on both databases."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from samverkan.rules.model import Area
from samverkan.rules.phases import Phase, Role, transition
from samverkan.storage import cases, migrate
from samverkan.storage.db import session_scope
from samverkan.storage.erasure import erase_case_text
from samverkan.storage.models import CaseRow, CaseTallyRow
from samverkan.storage.statistics import statistics
from tests.helpers.cases import APP, open_case

_CASES = CaseRow.__table__  # type: ignore[attr-defined]
_TALLY = CaseTallyRow.__table__  # type: ignore[attr-defined]


def _counted(engine: Engine) -> Counter[tuple[str, str, str]]:
    """The cases counted here, in Python, per UTC hour, phase and area."""
    with engine.connect() as conn:
        rows = conn.execute(select(_CASES.c.created_at, _CASES.c.phase, _CASES.c.area_name))
        return Counter(
            (f"{at.astimezone(UTC):%Y-%m-%d %H}:00:00", phase, area or "")
            for at, phase, area in rows
        )


def _tally(engine: Engine) -> Counter[tuple[str, str, str]]:
    with engine.connect() as conn:
        t = _TALLY.c
        return Counter(
            {(h, p, a): n for h, p, a, n in conn.execute(select(t.hour, t.phase, t.area_name, t.n))}
        )


def _assert_in_step(engine: Engine) -> None:
    counted = _counted(engine)
    assert _tally(engine) == counted
    assert all(n > 0 for n in _tally(engine).values())  # emptied keys leave no zero rows


def test_the_tally_follows_every_write_to_the_cases(engine: Engine, now: datetime) -> None:
    hours = [now, now + timedelta(minutes=10), now + timedelta(hours=1), now + timedelta(days=40)]
    with session_scope(engine) as session:
        opened = [open_case(session, at) for at in hours]
        open_case(session, now, replace(APP, area=None))
    _assert_in_step(engine)
    assert sum(_tally(engine).values()) == 5
    with session_scope(engine) as session:  # a phase move, through the ORM session
        case = cases.get_case(session, opened[0].ref)
        move = transition(
            case.phase, Phase.BEDOMNING, by="U0KARIN", role=Role.KONTAKTPERSON, why="", now=now
        )
        cases.record_transition(session, case, move)
    _assert_in_step(engine)
    with session_scope(engine) as session:  # an area edit: the application saved anew
        case = cases.get_case(session, opened[1].ref)
        edited = replace(APP, area=Area("Rosengård", True, ()))
        cases.save_application(session, case, edited, now=now)
    _assert_in_step(engine)
    with engine.begin() as conn:  # Core writes, as bulk jobs make them
        c = _CASES.c
        conn.execute(update(_CASES).where(c.id == opened[2].id).values(area_name=None))
        conn.execute(
            update(_CASES).where(c.id == opened[3].id).values(created_at=now - timedelta(days=3))
        )
        conn.execute(update(_CASES).where(c.id == opened[0].id).values(title="ingen ändring"))
    _assert_in_step(engine)
    with engine.begin() as conn:  # erasure rewrites the case's texts
        erase_case_text(conn, opened[1].id, ["Lina Ek", "Rosengård"])
    _assert_in_step(engine)
    with engine.begin() as conn:
        conn.execute(delete(_CASES).where(_CASES.c.id.in_([opened[0].id, opened[3].id])))
    _assert_in_step(engine)
    with Session(engine) as session:
        stats = statistics(session)
    assert stats.total == sum(_counted(engine).values()) == 3
    assert stats.per_phase == {"inkommen": 3}


def test_the_migration_fills_the_tally_from_the_cases_there_are(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        for k in range(3):
            open_case(session, now + timedelta(hours=k))
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007_overlap_indexes")
    with session_scope(engine) as session:  # no triggers now: this case is not counted
        open_case(session, now)
    migrate.upgrade(engine)
    _assert_in_step(engine)
    assert sum(_tally(engine).values()) == 4
