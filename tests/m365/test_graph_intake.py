"""Graph intake against the stand-ins, with the real pipeline: a backlog and then live mail
each become a case once, filed only after the commit, resumed from the stored delta link."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from samverkan.intake.feeders.graph import GraphWatcher
from samverkan.intake.feeders.watching import HealthState
from samverkan.intake.pipeline import Intake
from samverkan.storage.mailbox_state import load_cursor
from samverkan.storage.models import CaseRow
from tests.conftest import NOW
from tests.imap.support import QUARANTINE_MARK, FakeIntake, make_message, wait_until
from tests.m365.conftest import graph_client_for, graph_settings
from tests.m365.entra import Entra
from tests.m365.graph_standin import Graph

PROCESSED = "Samverkan/Behandlat"
QUARANTINE = "Samverkan/Karantän"


def _watcher(
    entra: Entra, graph: Graph, engine: Engine, intake: object, **kw: object
) -> GraphWatcher:
    client = graph_client_for(entra, graph, sleep=kw.pop("graph_sleep", lambda _s: None))
    kw.setdefault("poll_interval", 0.05)
    kw.setdefault("page_size", 10)
    kw.setdefault("backoff_base", 0.05)
    kw.setdefault("backoff_cap", 0.2)
    return GraphWatcher(graph_settings(entra, graph), engine, intake, client=client, **kw)  # type: ignore[arg-type]


def _cases(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(CaseRow)) or 0)


def test_a_backlog_then_live_mail_each_become_one_case(
    entra: Entra, graph: Graph, sqlite_engine: Engine
) -> None:
    for n in range(1, 26):  # three pages of the delta query
        graph.deliver(make_message(n))
    settings = graph_settings(entra, graph)
    w = _watcher(entra, graph, sqlite_engine, Intake(sqlite_engine, settings, clock=lambda: NOW))
    w.start()
    try:
        wait_until(lambda: len(graph.message_ids_in(PROCESSED)) == 25, 30, "the backlog")
        assert graph.message_ids_in("inbox") == []
        for n in (26, 27):  # live mail, after the first round
            graph.deliver(make_message(n))
        wait_until(lambda: len(graph.message_ids_in(PROCESSED)) == 27, 10, "live mail")
        wait_until(lambda: w.health.state is HealthState.OK)
    finally:
        w.stop()
    assert _cases(sqlite_engine) == 27
    expected = [f"<msg-{n}@example.org>" for n in range(1, 28)]
    assert sorted(graph.message_ids_in(PROCESSED)) == sorted(expected)
    cursor = load_cursor(sqlite_engine, w.key)
    assert cursor is not None
    assert "$deltatoken=" in cursor


def test_quarantined_mail_goes_to_the_quarantine_folder(
    entra: Entra, graph: Graph, sqlite_engine: Engine
) -> None:
    graph.deliver(make_message(1))
    graph.deliver(make_message(2, f"{QUARANTINE_MARK} reklam"))
    intake = FakeIntake()
    assert _watcher(entra, graph, sqlite_engine, intake).sync() == 2
    assert graph.message_ids_in(PROCESSED) == ["<msg-1@example.org>"]
    assert graph.message_ids_in(QUARANTINE) == ["<msg-2@example.org>"]


def test_a_restart_resumes_from_the_stored_delta_link(
    entra: Entra, graph: Graph, sqlite_engine: Engine
) -> None:
    graph.deliver(make_message(1))
    w = _watcher(entra, graph, sqlite_engine, FakeIntake())
    assert w.sync() == 1
    w.lease.release()  # as stop() does
    graph.deliver(make_message(2))
    second = FakeIntake()  # a new process: only the database remembers
    assert _watcher(entra, graph, sqlite_engine, second).sync() == 1
    assert second.message_ids == ["<msg-2@example.org>"]
    fetched = [path for method, path in graph.calls if path.endswith("/$value")]
    assert len(fetched) == 2  # nothing fetched twice


def test_throttling_is_waited_out_as_retry_after_asks(
    entra: Entra, graph: Graph, sqlite_engine: Engine
) -> None:
    graph.deliver(make_message(1))
    slept: list[float] = []
    w = _watcher(entra, graph, sqlite_engine, FakeIntake(), graph_sleep=slept.append)
    graph.throttle(3, retry_after="7")
    assert w.sync() == 1
    assert slept == [7.0, 7.0, 7.0]
    assert graph.message_ids_in(PROCESSED) == ["<msg-1@example.org>"]


def test_a_database_failure_leaves_the_mail_in_the_inbox_until_it_succeeds(
    entra: Entra, graph: Graph, sqlite_engine: Engine
) -> None:
    graph.deliver(make_message(1))
    intake = FakeIntake(fail=1)
    w = _watcher(entra, graph, sqlite_engine, intake)
    w.start()
    try:
        wait_until(lambda: graph.message_ids_in(PROCESSED) == ["<msg-1@example.org>"])
    finally:
        w.stop()
    assert intake.message_ids == ["<msg-1@example.org>"]
    assert graph.message_ids_in("inbox") == []


def test_no_token_is_one_line_in_health_and_the_watcher_recovers(
    entra: Entra, graph: Graph, sqlite_engine: Engine
) -> None:
    entra.refuse = "invalid_client"
    graph.deliver(make_message(1))
    w = _watcher(entra, graph, sqlite_engine, FakeIntake())
    w.start()
    try:
        wait_until(lambda: w.health.state is HealthState.LOGIN_FAILED)
        assert "invalid_client" in (w.health.last_error or "")
        entra.refuse = None
        wait_until(lambda: graph.message_ids_in(PROCESSED) == ["<msg-1@example.org>"])
    finally:
        w.stop()


def test_an_expired_delta_link_reads_the_folder_again_and_doubles_nothing(
    entra: Entra, graph: Graph, sqlite_engine: Engine
) -> None:
    graph.deliver(make_message(1))
    intake = FakeIntake()
    w = _watcher(entra, graph, sqlite_engine, intake)
    assert w.sync() == 1
    graph.expire_links()
    graph.deliver(make_message(2))
    assert w.sync() == 1  # 410: a new initial round finds what is still in the inbox
    assert intake.message_ids == ["<msg-1@example.org>", "<msg-2@example.org>"]
    assert graph.message_ids_in(PROCESSED) == ["<msg-1@example.org>", "<msg-2@example.org>"]
