"""Shared fixtures: real databases (SQLite and PostgreSQL), a fixed clock, settings."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
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


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An initialised database of each kind: every test using it runs on both."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'samverkan.db'}"
        engine = make_engine(url)
        initialise(engine, Settings(_env_file=None), NOW)
        engine.dispose()
        return url
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
