"""The overlap check reads a page of the area's open cases in one query, however many there are."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.rules.model import Application
from samverkan.rules.phases import Phase
from samverkan.storage.models import CaseRow
from tests.helpers.intake import COMPLETE, mail, view

OPEN = 12  # more than the reason names (5)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _fill(intake: Intake, n: int, start: int = 0) -> list[str]:
    refs = []
    for i in range(start, start + n):
        raw = mail(COMPLETE, message_id=f"<o-{i}@x>", sender=f"A {i} <a{i}@seved.example>")
        refs.append(str(intake.process(raw, source=f"{i}.eml").case))
    return refs


def test_a_busy_area_names_the_newest_open_cases_and_counts_every_other_one(
    engine: Engine, settings: Settings, now: datetime
) -> None:
    intake = Intake(engine, settings, clock=lambda: now)
    refs = _fill(intake, OPEN + 1)
    with engine.begin() as conn:  # the newest is closed: it overlaps with nothing
        conn.execute(
            update(CaseRow).where(CaseRow.ref == refs[-1]).values(phase=Phase.AVSLUTAD.value)
        )
    (newest,) = _fill(intake, 1, start=100)
    overlap = next(
        r
        for r in view(engine, newest)["criteria"]["results"]  # type: ignore[index]
        if r["id"] == "overlapp"
    )
    assert overlap["status"] == "warning"
    named = [ref for ref in refs if ref in overlap["reason"]]
    assert named == refs[OPEN - 5 : OPEN], "the five newest open ones, not the closed one"
    assert f"{OPEN - 5} ärenden till" in overlap["reason"]


def test_the_check_is_one_query_of_a_page_whatever_the_number_of_cases(
    engine: Engine, settings: Settings, now: datetime
) -> None:
    intake = Intake(engine, settings, clock=lambda: now)
    _fill(intake, OPEN)
    app = intake.assessor.gazetteer.resolve("Seved")
    assert app is not None
    with engine.connect() as conn:
        intake.assessor.context(conn, Application(area=app))  # the registry, cached after
        with statements(engine) as seen:
            context = intake.assessor.context(conn, Application(area=app))
    assert len(seen) == 1, seen
    assert "LIMIT" in seen[0].upper()
    assert len(context.active_cases) == 5
    assert context.active_total == OPEN
