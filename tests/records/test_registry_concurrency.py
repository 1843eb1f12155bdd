"""The registry with several processes at once, on real PostgreSQL: every case and every
document is numbered once, with no number taken twice and none skipped."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import delete, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.storage.db import make_engine
from samverkan.storage.models import (
    CaseRow,
    MessageRow,
    RegisteredDocumentRow,
    RegistrationRow,
)
from samverkan.storage.registry import register_documents
from tests.helpers.chat import APPLICATION

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORKERS = 4


@pytest.fixture
def pg(pg_database: str, tmp_path: Path) -> Iterator[tuple[Engine, Settings]]:
    settings = Settings(
        _env_file=None,
        database_url=pg_database,
        maildir=tmp_path / "maildir",
        contact_address="samverkan@malmo.example",
    )
    engine = make_engine(pg_database)
    yield engine, settings
    engine.dispose()


def _mail(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Lina Ek <lina{n}@seved.example>"
    msg["To"] = "samverkan@malmo.example"
    msg["Subject"] = f"Ansökan om samverkansstöd {n}"
    msg["Message-ID"] = f"<conc-{n}@seved.example>"
    msg.set_content(APPLICATION.replace("lina@", f"lina{n}@"))
    msg.add_attachment(b"Budget\n", maintype="text", subtype="plain", filename=f"budget{n}.txt")
    return msg.as_bytes()


def _intake(engine: Engine, settings: Settings, n: int) -> Intake:
    at = START + timedelta(minutes=n)
    return Intake(engine, settings, clock=lambda: at)


def _backlog(engine: Engine, settings: Settings, cases: int) -> int:
    """Cases whose documents wait to be registered (as on a database from before intake
    registered them): how many documents wait."""
    for n in range(cases):
        assert _intake(engine, settings, n).process(_mail(n), source=f"{n}.eml").case
    with Session(engine) as session:
        register_documents(session, now=START)
        session.commit()
        waiting = len(session.exec(select(RegisteredDocumentRow)).all())
        session.execute(delete(RegisteredDocumentRow))
        session.commit()
    return waiting


def _check_registry(engine: Engine) -> None:
    """One registration per case, numbered 1..n; per case the documents 1..m, each once."""
    with Session(engine) as session:
        numbers = session.exec(select(RegistrationRow.seq).order_by(RegistrationRow.seq)).all()
        cases = session.exec(select(CaseRow.id)).all()
        docs = session.exec(select(RegisteredDocumentRow)).all()
        mails = session.exec(
            select(MessageRow.id).where(
                col(MessageRow.case_id).is_not(None), MessageRow.channel == "email"
            )
        ).all()
    assert numbers == list(range(1, len(cases) + 1))
    by_case: dict[int, list[int]] = {}
    for doc in docs:
        by_case.setdefault(doc.case_id, []).append(doc.doc_seq)
    assert set(by_case) == set(cases)
    for seqs in by_case.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
    assert {d.source_id for d in docs if d.source == "message"} == set(mails)


def _in_threads(work: Callable[[int], object], count: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            work(i)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _waiting_for_a_lock(engine: Engine) -> bool:
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
    return int(found) > 0


def test_a_ticker_that_waited_for_another_registers_nothing_twice(
    pg: tuple[Engine, Settings],
) -> None:
    """The race behind the UniqueViolation: both tickers read the same unregistered
    documents; the second waits for the first one's lock and must not insert them again."""
    engine, settings = pg
    waiting = _backlog(engine, settings, 3)
    first = Session(engine)
    assert register_documents(first, now=START + timedelta(hours=1)) == waiting
    result: list[int] = []

    def second() -> None:
        with Session(engine) as session:
            result.append(register_documents(session, now=START + timedelta(hours=1)))
            session.commit()

    errors: list[BaseException] = []

    def run_second() -> None:
        try:
            second()
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=run_second)
    thread.start()
    deadline = time.monotonic() + 10
    while not _waiting_for_a_lock(engine):
        assert time.monotonic() < deadline, "the second ticker never waited for the first"
        time.sleep(0.01)
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert errors == []
    assert result == [0]
    _check_registry(engine)


def test_four_tickers_at_once_register_each_document_once(pg: tuple[Engine, Settings]) -> None:
    engine, settings = pg
    waiting = _backlog(engine, settings, 6)
    counts: list[int] = []

    def tick(_: int) -> None:
        with Session(engine) as session:
            counts.append(register_documents(session, now=START + timedelta(hours=1)))
            session.commit()

    assert _in_threads(tick, WORKERS) == []
    assert sum(counts) == waiting
    _check_registry(engine)


def test_cases_arriving_at_once_get_unique_gap_free_numbers(pg: tuple[Engine, Settings]) -> None:
    engine, settings = pg
    per_worker = 3

    def arrive(worker: int) -> None:
        for k in range(per_worker):
            n = worker * per_worker + k
            assert _intake(engine, settings, n).process(_mail(n), source=f"{n}.eml").case

    def tick(_: int) -> None:
        with Session(engine) as session:
            register_documents(session, now=START + timedelta(hours=1))
            session.commit()

    assert _in_threads(lambda i: arrive(i) if i < WORKERS - 1 else tick(i), WORKERS) == []
    _check_registry(engine)
    with Session(engine) as session:
        rows = session.exec(select(RegistrationRow)).all()
    assert len(rows) == (WORKERS - 1) * per_worker
    assert len({r.number for r in rows}) == len(rows)
