"""Crash safety with the real pipeline: SIGKILL mid-backlog, restart, nothing lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from samverkan.storage.models import CaseRow, MessageRow
from tests.imap.dovecot import Dovecot
from tests.imap.support import PROCESSED, folder_ids, make_message, wait_until

ROOT = Path(__file__).resolve().parents[2]
COUNT = 30


def _start(box: Dovecot, db_url: str, log: Path) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "tests.imap.runner", db_url, box.host, str(box.port)]
    args += [box.user, box.password, "0.03", "1.5"]
    env = {**os.environ, "RUNNER_LOG": str(log)}
    return subprocess.Popen(args, cwd=ROOT, env=env)


def _lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.slow
def test_kill_9_mid_backlog_then_restart_handles_every_message_once(
    dovecot: Dovecot, sqlite_url: str, sqlite_engine: Engine, tmp_path: Path
) -> None:
    c = dovecot.client()
    try:
        for n in range(1, COUNT + 1):
            c.append("INBOX", make_message(n))
    finally:
        c.logout()
    log = tmp_path / "calls.log"

    first = _start(dovecot, sqlite_url, log)
    try:
        wait_until(lambda: len(_lines(log)) >= 12, 20, "the first run to be mid-backlog")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    handled_before = len(_lines(log))
    assert handled_before < COUNT, "killed too late to prove anything"

    second = _start(dovecot, sqlite_url, log)
    try:
        wait_until(lambda: len(folder_ids(dovecot, PROCESSED)) == COUNT, 20, "all filed")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait()

    expected = [f"<msg-{n}@example.org>" for n in range(1, COUNT + 1)]
    assert sorted(folder_ids(dovecot, PROCESSED)) == sorted(expected)
    assert folder_ids(dovecot, "INBOX") == []
    with Session(sqlite_engine) as session:
        cases = session.scalar(select(func.count()).select_from(CaseRow))
        stored = session.scalars(
            select(col(MessageRow.message_id)).where(col(MessageRow.direction) == "in")
        ).all()
    assert cases == COUNT, "one case per message, none doubled"
    assert sorted(m for m in stored if m) == sorted(expected)
    outcomes = [line.split()[0] for line in _lines(log)]
    # Only messages processed but not yet moved at the kill (at most one of the runner's
    # batches of 10) are handed over again, and then found to be duplicates.
    assert outcomes.count("created") == COUNT
    assert outcomes.count("duplicate") <= 10
