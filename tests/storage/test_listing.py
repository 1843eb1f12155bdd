"""A page of a case list comes from SQL, in reference order, and stops early."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.rules.model import Application, Area
from samverkan.rules.phases import TERMINAL, Phase, Role, transition
from samverkan.storage import cases
from samverkan.storage.db import make_engine, session_scope
from samverkan.storage.listing import case_page
from samverkan.storage.setup import initialise

APP = Application(title="Trygghet", area=Area("Seved", True, ("Sofielund",)), area_text="Seved")


def open_cases(engine: Engine, now: datetime, areas: list[str]) -> None:
    with session_scope(engine) as session:
        for name in areas:
            move = transition(None, Phase.INKOMMEN, by="system", role=Role.SYSTEM, why="e", now=now)
            app = replace(APP, area=Area(name, True, ()))
            cases.create_case(session, app, moves=[move], origin="email", now=now)


def test_a_page_is_the_first_cases_and_a_bounded_count(engine: Engine, now: datetime) -> None:
    open_cases(engine, now, ["Seved", "Limhamn", "Seved", "Hyllie", "Seved"])
    with engine.connect() as conn:
        page = case_page(conn, limit=2, count_up_to=3)
        assert [line.ref for line in page.lines] == ["SAM-2026-0001", "SAM-2026-0002"]
        assert (page.count, page.more_than) == (3, True)
        page = case_page(conn, areas=["Seved"], limit=2, count_up_to=10)
        assert [line.ref for line in page.lines] == ["SAM-2026-0001", "SAM-2026-0003"]
        assert (page.count, page.more_than) == (3, False)
        page = case_page(conn, area_any_case="hYLLIE")
        assert [line.ref for line in page.lines] == ["SAM-2026-0004"]
        page = case_page(conn, exclude=[p.value for p in TERMINAL], phases=["inkommen"])
        assert page.count == 5
        assert case_page(conn, phases=["avslag"]).lines == []


def test_the_page_reads_along_the_reference_index(tmp_path: Path, now: datetime) -> None:
    """No sort of every matching case: SQLite's plan walks ix_cases_year_seq and stops."""
    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    initialise(engine, Settings(_env_file=None), now)
    open_cases(engine, now, ["Seved"])
    with engine.connect() as conn:
        plan = conn.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT ref FROM cases WHERE phase NOT IN ('avslag') "
                "ORDER BY year, seq LIMIT 50"
            )
        ).all()
    engine.dispose()
    described = " ".join(str(row[-1]) for row in plan)
    assert "ix_cases_year_seq" in described
    assert "TEMP B-TREE" not in described
