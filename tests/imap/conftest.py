"""Fixtures: a real Dovecot per test session (a fresh mail user per test), an SQLite database.

``dovecot`` is meant for reuse by other tests: it has ``host``, ``port``, ``user``,
``password``, ``append(raw, folder="INBOX")``, ``client()`` (a logged-in IMAPClient) and
``restart()``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from samverkan.storage.db import make_engine
from tests.imap.dovecot import Dovecot, DovecotServer

# Everything but IDLE and MOVE: the polling and COPY fallbacks run against this one.
LIMITED_CAPABILITY = "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE UIDPLUS NAMESPACE"


def _server(capability: str | None = None) -> Iterator[DovecotServer]:
    if shutil.which("dovecot") is None and not Path("/usr/sbin/dovecot").exists():
        pytest.fail("dovecot is not installed: apt-get install -y dovecot-imapd")
    server = DovecotServer(capability=capability)
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[DovecotServer]:
    yield from _server()


@pytest.fixture(scope="session")
def limited_dovecot_server() -> Iterator[DovecotServer]:
    yield from _server(LIMITED_CAPABILITY)


@pytest.fixture
def dovecot(dovecot_server: DovecotServer) -> Dovecot:
    if dovecot_server.proc is None or dovecot_server.proc.poll() is not None:
        dovecot_server.start()  # a test that stopped it must not take the others down
    return dovecot_server.mailbox()


@pytest.fixture
def limited_dovecot(limited_dovecot_server: DovecotServer) -> Dovecot:
    return limited_dovecot_server.mailbox()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "samverkan.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()
