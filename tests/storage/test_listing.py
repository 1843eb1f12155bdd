"""A page of a case list comes from SQL, in reference order, and stops early."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
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
        page = case_page(conn, areas=["Hyllie", "Seved", "Seved"], limit=3, count_up_to=10)
        assert [line.ref for line in page.lines] == [
            "SAM-2026-0001",
            "SAM-2026-0003",
            "SAM-2026-0004",
        ]
        assert (page.count, page.more_than) == (4, False)
        page = case_page(conn, areas=["Hyllie", "Limhamn"], exclude=["inkommen"])
        assert (page.lines, page.count) == ([], 0)
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


def test_an_areas_page_and_count_read_along_its_indexes(tmp_path: Path, now: datetime) -> None:
    """Several areas: each area's first cases along ix_cases_area_year_seq, merged, with no sort
    of all their cases; the bounded count reads ix_cases_area_phase alone."""
    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    initialise(engine, Settings(_env_file=None), now)
    open_cases(engine, now, ["Seved", "Sofielund", "Seved"])
    seen: list[str] = []

    def explain(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.startswith("SELECT"):
            plan = cursor.connection.execute(f"EXPLAIN QUERY PLAN {statement}", params).fetchall()
            seen.append(" ".join(str(row[-1]) for row in plan))

    event.listen(engine, "before_cursor_execute", explain)
    with engine.connect() as conn:
        page = case_page(conn, exclude=[p.value for p in TERMINAL], areas=["Seved", "Sofielund"])
    event.remove(engine, "before_cursor_execute", explain)
    engine.dispose()
    assert [line.ref for line in page.lines] == ["SAM-2026-0001", "SAM-2026-0002", "SAM-2026-0003"]
    listed, counted = seen
    assert listed.count("SEARCH cases USING INDEX ix_cases_area_year_seq (area_name=?)") == 2
    # one sort only, of the merged arms (at most a page per area), after the last index search
    assert listed.count("TEMP B-TREE") == 1
    assert listed.index("TEMP B-TREE") > listed.rindex("ix_cases_area_year_seq")
    assert "COVERING INDEX ix_cases_area_phase" in counted
