"""Shared fixtures: real databases (SQLite and PostgreSQL), a fixed clock, settings."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.rules.phases import Role
from samverkan.storage.db import make_engine
from samverkan.storage.setup import initialise

PG_ADMIN = os.environ.get("SAMVERKAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _pg_admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)


def pg_url(dbname: str) -> str:
    base = PG_ADMIN.rsplit("/", 1)[0]
    return f"{base}/{dbname}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first: with the suite spread over the cores (pytest-xdist), a long test that
    starts last is the whole run's tail; started first, it runs while the rest is shared out."""

    def expected_seconds(item: pytest.Item) -> float:
        marker = item.get_closest_marker("slow")
        return float(marker.kwargs.get("seconds", 5)) if marker else 0.0

    items.sort(key=expected_seconds, reverse=True)  # stable: the rest keeps its order


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A database migrated once per run; each test copies it (CREATE DATABASE … TEMPLATE)."""
    name = f"samverkan_tmpl_{os.getpid()}_{secrets.token_hex(3)}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(pg_url(name))
    initialise(engine, Settings(_env_file=None), NOW)
    engine.dispose()
    yield name
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_database(pg_template: str) -> Iterator[str]:
    name = f"samverkan_t_{os.getpid()}_{secrets.token_hex(4)}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield pg_url(name)
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once per run; each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("template") / "samverkan.db"
    engine = make_engine(f"sqlite:///{path}")
    initialise(engine, Settings(_env_file=None), NOW)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An initialised database of each kind: every test using it runs on both."""
    if request.param == "sqlite":
        path = tmp_path / "samverkan.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return str(request.getfixturevalue("pg_database"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=db_url,
        maildir=tmp_path / "maildir",
        contact_address="samverkan@malmo.example",
        officials={
            "U0KARIN": Role.KONTAKTPERSON,
            "anna.berg@malmo.se": Role.SAMORDNARE,
        },
    )


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def pg_empty_database() -> Iterator[str]:
    """A PostgreSQL database with nothing in it, for tests of ``samverkan init`` itself."""
    name = f"samverkan_e_{os.getpid()}_{secrets.token_hex(4)}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_url(name)
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.host = "127.0.0.1"
        self.port = 0

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: object, session: object, envelope: Envelope
    ) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(bytes(e.content), policy=policy.default)  # type: ignore[arg-type]
            for e in self.envelopes
        ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(name="free_port")
def free_port_fixture() -> Callable[[], int]:
    """A loopback port nobody listens on (aiosmtpd cannot bind port 0 itself)."""
    return _free_port


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.port = _free_port()
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    yield sink
    controller.stop()
