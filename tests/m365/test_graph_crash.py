"""Crash safety of Graph intake with the real pipeline: SIGKILL mid-backlog, restart, nothing
lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from samverkan.storage.models import CaseRow, MessageRow
from tests.imap.support import make_message, wait_until
from tests.m365.conftest import MAILBOX
from tests.m365.entra import CLIENT_ID, CLIENT_SECRET, TENANT, Entra
from tests.m365.graph_standin import Graph

ROOT = Path(__file__).resolve().parents[2]
COUNT = 30
PROCESSED = "Samverkan/Behandlat"


def _start(entra: Entra, graph: Graph, db_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
    env.update(
        RUNNER_LOG=str(log),
        REQUESTS_CA_BUNDLE=str(entra.cafile),
        SAMVERKAN_DATABASE_URL=db_url,
        SAMVERKAN_MAIL_BACKEND="graph",
        SAMVERKAN_GRAPH_MAILBOX=MAILBOX,
        SAMVERKAN_GRAPH_URL=graph.url,
        SAMVERKAN_M365_AUTHORITY_URL=entra.authority_url,
        SAMVERKAN_M365_TENANT_ID=TENANT,
        SAMVERKAN_M365_CLIENT_ID=CLIENT_ID,
        SAMVERKAN_M365_CLIENT_SECRET=CLIENT_SECRET,
    )
    args = [sys.executable, "-m", "tests.m365.runner", "0.03", "1.5"]
    return subprocess.Popen(args, cwd=ROOT, env=env)


def _lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_kill_9_mid_backlog_then_restart_makes_every_message_one_case(
    entra: Entra, graph: Graph, sqlite_url: str, sqlite_engine: Engine, tmp_path: Path
) -> None:
    for n in range(1, COUNT + 1):
        graph.deliver(make_message(n))
    log = tmp_path / "calls.log"

    first = _start(entra, graph, sqlite_url, log)
    try:
        wait_until(lambda: len(_lines(log)) >= 12, 30, "the first run to be mid-backlog")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert len(_lines(log)) < COUNT, "killed too late to prove anything"
    assert graph.message_ids_in("inbox"), "nothing left for the second run"

    second = _start(entra, graph, sqlite_url, log)
    try:
        wait_until(lambda: len(graph.message_ids_in(PROCESSED)) == COUNT, 30, "all filed")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait()

    expected = sorted(f"<msg-{n}@example.org>" for n in range(1, COUNT + 1))
    assert sorted(graph.message_ids_in(PROCESSED)) == expected
    assert graph.message_ids_in("inbox") == []
    with Session(sqlite_engine) as session:
        cases = session.scalar(select(func.count()).select_from(CaseRow))
        stored = session.scalars(
            select(col(MessageRow.message_id)).where(col(MessageRow.direction) == "in")
        ).all()
    assert cases == COUNT, "one case per message, none doubled"
    assert sorted(m for m in stored if m) == expected
    outcomes = [line.split()[0] for line in _lines(log)]
    # Only the page being filed at the kill (at most the runner's 5) is handed over again.
    assert outcomes.count("created") == COUNT
    assert outcomes.count("duplicate") <= 5
