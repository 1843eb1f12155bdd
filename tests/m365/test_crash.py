"""Crash safety without passwords, with the real pipeline: SIGKILL mid-backlog, restart,
nothing lost or doubled - through Graph, and over IMAP with Samverkan's own XOAUTH2 token."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from imapclient import IMAPClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from samverkan.intake.m365.token import EXCHANGE_SCOPE, M365Auth
from samverkan.storage.models import CaseRow, MessageRow
from tests.imap.dovecot import DovecotServer
from tests.imap.support import make_message, wait_until
from tests.m365.conftest import MAILBOX, m365_settings, trusting
from tests.m365.entra import CLIENT_ID, CLIENT_SECRET, TENANT, Entra
from tests.m365.graph_standin import Graph

ROOT = Path(__file__).resolve().parents[2]
COUNT = 30
PROCESSED = "Samverkan/Behandlat"


def _graph(graph: Graph) -> dict[str, str]:
    return {
        "SAMVERKAN_MAIL_BACKEND": "graph",
        "SAMVERKAN_GRAPH_MAILBOX": MAILBOX,
        "SAMVERKAN_GRAPH_URL": graph.url,
    }


def _start(
    entra: Entra, db_url: str, log: Path, mailbox: dict[str, str]
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
    env.update(mailbox)
    env.update(
        RUNNER_LOG=str(log),
        REQUESTS_CA_BUNDLE=str(entra.cafile),
        SAMVERKAN_DATABASE_URL=db_url,
        SAMVERKAN_M365_AUTHORITY_URL=entra.authority_url,
        SAMVERKAN_M365_TENANT_ID=TENANT,
        SAMVERKAN_M365_CLIENT_ID=CLIENT_ID,
        SAMVERKAN_M365_CLIENT_SECRET=CLIENT_SECRET,
    )
    args = [sys.executable, "-m", "tests.m365.runner", "0.03", "1.5"]
    return subprocess.Popen(args, cwd=ROOT, env=env)


def _lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.slow
def test_kill_9_mid_backlog_then_restart_makes_every_message_one_case(
    entra: Entra, graph: Graph, sqlite_url: str, sqlite_engine: Engine, tmp_path: Path
) -> None:
    for n in range(1, COUNT + 1):
        graph.deliver(make_message(n))
    log = tmp_path / "calls.log"

    first = _start(entra, sqlite_url, log, _graph(graph))
    try:
        wait_until(lambda: len(_lines(log)) >= 12, 30, "the first run to be mid-backlog")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert len(_lines(log)) < COUNT, "killed too late to prove anything"
    assert graph.message_ids_in("inbox"), "nothing left for the second run"

    second = _start(entra, sqlite_url, log, _graph(graph))
    try:
        wait_until(lambda: len(graph.message_ids_in(PROCESSED)) == COUNT, 30, "all filed")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait()

    expected = sorted(f"<msg-{n}@example.org>" for n in range(1, COUNT + 1))
    assert sorted(graph.message_ids_in(PROCESSED)) == expected
    assert graph.message_ids_in("inbox") == []
    _assert_one_case_each(sqlite_engine, log)


def _assert_one_case_each(sqlite_engine: Engine, log: Path) -> None:
    expected = sorted(f"<msg-{n}@example.org>" for n in range(1, COUNT + 1))
    with Session(sqlite_engine) as session:
        cases = session.scalar(select(func.count()).select_from(CaseRow))
        stored = session.scalars(
            select(col(MessageRow.message_id)).where(col(MessageRow.direction) == "in")
        ).all()
    assert cases == COUNT, "one case per message, none doubled"
    assert sorted(m for m in stored if m) == expected
    outcomes = [line.split()[0] for line in _lines(log)]
    # Only what was being filed at the kill (a Graph page of 5, an IMAP batch of 10) comes again.
    assert outcomes.count("created") == COUNT
    assert outcomes.count("duplicate") <= 10


@pytest.mark.slow
def test_kill_9_mid_backlog_over_imap_xoauth2_loses_and_doubles_nothing(
    entra: Entra, oauth_dovecot: DovecotServer, sqlite_url: str, sqlite_engine: Engine,
    tmp_path: Path,
) -> None:  # fmt: skip
    entra.mailbox_user = "kontakt-krasch@malmo.example"
    auth = M365Auth(m365_settings(entra), app_factory=trusting(entra))
    c = IMAPClient(oauth_dovecot.host, port=oauth_dovecot.port, ssl=False, timeout=10)
    c.oauth2_login(entra.mailbox_user, auth.token(EXCHANGE_SCOPE))
    for n in range(1, COUNT + 1):
        c.append("INBOX", make_message(n))
    env = {
        "SAMVERKAN_MAIL_BACKEND": "imap",
        "SAMVERKAN_IMAP_HOST": oauth_dovecot.host,
        "SAMVERKAN_IMAP_PORT": str(oauth_dovecot.port),
        "SAMVERKAN_IMAP_USER": entra.mailbox_user,
        "SAMVERKAN_IMAP_TLS": "none",
    }
    log = tmp_path / "calls.log"
    first = _start(entra, sqlite_url, log, env)
    try:
        wait_until(lambda: len(_lines(log)) >= 12, 30, "the first run to be mid-backlog")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert len(_lines(log)) < COUNT, "killed too late to prove anything"

    def filed() -> int:
        return int(c.folder_status(PROCESSED, [b"MESSAGES"])[b"MESSAGES"])

    second = _start(entra, sqlite_url, log, env)
    try:
        wait_until(lambda: filed() == COUNT, 30, "all filed")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait()
    c.logout()
    _assert_one_case_each(sqlite_engine, log)
