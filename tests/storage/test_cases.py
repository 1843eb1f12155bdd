"""Case storage on SQLite and PostgreSQL: references, parts, history, the show view."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import StatementError
from sqlmodel import Session, select

from samverkan.config import Settings
from samverkan.rules.model import ActorCategory, Application
from samverkan.rules.phases import Phase, Role, transition
from samverkan.storage import cases, migrate
from samverkan.storage.case_view import case_view
from samverkan.storage.db import CaseNotFound, make_engine, session_scope
from samverkan.storage.models import AreaRow, CaseActorRow, ProcessRow
from samverkan.storage.registry import registration_number
from samverkan.storage.setup import initialise
from tests.helpers.cases import APP, open_case


def test_init_twice_is_harmless_and_reaches_the_newest_schema(
    engine: Engine, now: datetime
) -> None:
    report = initialise(engine, Settings(_env_file=None), now)
    assert report.revision == migrate.head_revision()
    assert report.processes_added == 0  # the fixture already ran init once
    assert report.areas_changed == 0
    tables = set(inspect(engine).get_table_names())
    assert {"cases", "message", "reminder", "phase_change", "evaluation"} <= tables
    with Session(engine) as session:
        names = set(session.exec(select(ProcessRow.name)).all())
        assert {"BID Sofielund", "På Limhamn", "Citysamverkan", "Västra Hamnen"} <= names
        assert session.exec(select(AreaRow).where(AreaRow.name == "Seved")).first() is not None


def test_references_run_per_year(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        refs = [open_case(session, now).ref for _ in range(3)]
        next_year = open_case(session, now.replace(year=2027)).ref
    assert refs == ["SAM-2026-0001", "SAM-2026-0002", "SAM-2026-0003"]
    assert next_year == "SAM-2027-0001"


def test_a_rolled_back_case_does_not_leave_a_half_case(engine: Engine, now: datetime) -> None:
    def fails_after_creating() -> None:
        with session_scope(engine) as session:
            open_case(session, now)
            raise RuntimeError("the reply could not be queued")

    with pytest.raises(RuntimeError):
        fails_after_creating()
    with session_scope(engine) as session:
        assert cases.list_cases(session) == []
        assert open_case(session, now).ref == "SAM-2026-0001"


def test_case_view_has_the_documented_shape(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        case = open_case(session, now)
        cases.save_evaluation(
            session,
            case,
            {"ruleset": "2020-08-25.1", "outcome": "complete", "results": []},
            trigger="intake",
            now=now,
        )
    with session_scope(engine) as session:
        view = case_view(session, cases.get_case(session, "sam-2026-0001")).to_dict()
    assert view["ref"] == "SAM-2026-0001"
    assert view["phase"] == "inkommen"
    assert view["area"] == {"name": "Seved", "in_malmo": True}
    assert view["applicant"]["orgnr"] == "802457-3167"
    assert view["actors"] == ["fastighetsagare", "boende"]
    assert view["support"] == [{"form": "finansiering", "amount_sek": 350000}]
    assert view["duration_months"] == 24
    assert view["criteria"]["ruleset"] == "2020-08-25.1"
    assert view["history"] == [
        {"at": now.isoformat(), "by": "system", "from": None, "to": "inkommen", "why": "e-post"}
    ]
    assert set(view) >= {"messages", "reminders", "title"}


def test_case_view_has_the_diarienummer_once_registered(engine: Engine, now: datetime) -> None:
    """None until the registry numbers the case, then its number; read over a connection too."""
    with session_scope(engine) as session:
        case = open_case(session, now)
        before = case_view(session, case)
        number = registration_number(session, case)
    assert before.registration_number is None
    assert before.to_dict()["diarienummer"] is None
    with engine.connect() as conn:
        view = case_view(conn, cases.get_case(conn, case.ref))
    assert number == "TN-2026-0001"
    assert view.registration_number == number
    shown = view.to_dict()
    assert list(shown)[:3] == ["ref", "diarienummer", "phase"]
    assert shown["diarienummer"] == "TN-2026-0001"
    assert shown["history"][0]["to"] == "inkommen"


def test_saving_a_corrected_application_replaces_its_parts(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        case = open_case(session, now)
        corrected = APP.merged_with(Application(actors=(ActorCategory.NARINGSLIV,)))
        cases.save_application(session, case, corrected, now=now + timedelta(days=1))
    with session_scope(engine) as session:
        case = cases.get_case(session, "SAM-2026-0001")
        categories = session.exec(
            select(CaseActorRow.category).where(CaseActorRow.case_id == case.id)
        ).all()
        assert sorted(categories) == ["boende", "fastighetsagare", "naringsliv"]
        assert case.updated_at == now + timedelta(days=1)


def test_unknown_reference_is_named(engine: Engine) -> None:
    with session_scope(engine) as session, pytest.raises(CaseNotFound, match="SAM-2026-0099"):
        cases.get_case(session, "SAM-2026-0099")


def test_times_come_back_aware_in_utc(engine: Engine) -> None:
    stockholm_morning = datetime(2026, 6, 1, 8, 0, tzinfo=UTC) + timedelta(hours=0)
    with session_scope(engine) as session:
        open_case(session, stockholm_morning)
    with session_scope(engine) as session:
        case = cases.get_case(session, "SAM-2026-0001")
        assert case.created_at == stockholm_morning
        assert case.created_at.tzinfo is not None


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_processes_creating_cases_at_the_same_moment_get_distinct_references(
    db_url: str, now: datetime
) -> None:
    """Each thread has its own engine (its own connections), like two service instances."""
    workers, per_worker = 4, 10
    barrier = threading.Barrier(workers)
    refs: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        engine = make_engine(db_url)
        try:
            barrier.wait()
            for _ in range(per_worker):
                with session_scope(engine) as session:
                    ref = open_case(session, now).ref
                with lock:
                    refs.append(ref)
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    expected = [cases.format_ref(2026, n) for n in range(1, workers * per_worker + 1)]
    assert sorted(refs) == expected


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_second_creator_waits_for_the_first_instead_of_taking_its_number(
    db_url: str, now: datetime
) -> None:
    engine_a, engine_b = make_engine(db_url), make_engine(db_url)
    taken_b: list[str] = []
    try:
        with Session(engine_a) as session_a:
            ref_a = open_case(session_a, now).ref  # transaction A is open, row locked

            def second() -> None:
                with session_scope(engine_b) as session_b:
                    taken_b.append(open_case(session_b, now).ref)

            other = threading.Thread(target=second)
            other.start()
            other.join(timeout=0.5)
            assert other.is_alive(), "B must wait for A's number to be committed"
            session_a.commit()
        other.join(timeout=10)
        assert (ref_a, taken_b) == ("SAM-2026-0001", ["SAM-2026-0002"])
    finally:
        engine_a.dispose()
        engine_b.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_locked_case_makes_a_second_official_wait_and_see_the_first_ones_phase(
    db_url: str, now: datetime
) -> None:
    engine_a, engine_b = make_engine(db_url), make_engine(db_url)
    locked_read: list[Phase] = []
    try:
        with session_scope(engine_a) as session:
            open_case(session, now)
        with Session(engine_a) as session_a:
            case = cases.get_case(session_a, "SAM-2026-0001", lock=True)
            move = transition(
                case.phase, Phase.BEDOMNING, by="U0KARIN", role=Role.KONTAKTPERSON, why="", now=now
            )
            assert cases.record_transition(session_a, case, move).phase is Phase.BEDOMNING
            with session_scope(engine_b) as session_b:  # reading without the lock never waits
                assert cases.get_case(session_b, "SAM-2026-0001").phase is Phase.INKOMMEN

            def second() -> None:
                with session_scope(engine_b) as session_b:
                    locked_read.append(cases.get_case(session_b, "SAM-2026-0001", lock=True).phase)

            other = threading.Thread(target=second)
            other.start()
            other.join(timeout=0.5)
            assert other.is_alive(), "B must wait for A's change to be committed"
            session_a.commit()
        other.join(timeout=10)
        assert locked_read == [Phase.BEDOMNING]
    finally:
        engine_a.dispose()
        engine_b.dispose()


def test_naive_datetimes_are_refused_by_storage(engine: Engine) -> None:
    naive = datetime(2026, 1, 1)  # noqa: DTZ001 - the point of the test
    with session_scope(engine) as session:
        case = open_case(session, datetime(2026, 1, 1, tzinfo=UTC))
        with pytest.raises(StatementError, match="naive datetime"):
            cases.update_case(session, case, now=naive)
        session.rollback()


def test_the_migrations_build_exactly_the_tables_the_code_uses(engine: Engine) -> None:
    """A model change without a migration would break `samverkan init` on a real database."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
