"""Engines and sessions. SQLite by default (foreign keys on, WAL); PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

if TYPE_CHECKING:  # imported when a session is opened: a command that only lists needs none
    from sqlmodel import Session


class StorageError(Exception):
    """Base of storage failures; ``str()`` is a Swedish message an operator can act on.

    StorageError
     ├── DatabaseUnavailable   the URL is wrong or the server cannot be reached
     ├── NotInitialised        ``samverkan init`` has not been run on this database
     └── CaseNotFound          no case with that reference
    """


class DatabaseUnavailable(StorageError):
    """The URL is wrong or the server cannot be reached."""


class NotInitialised(StorageError):
    """``samverkan init`` has not been run, or the schema is older than the code."""


class CaseNotFound(StorageError):
    """No case with that reference."""


def _normalise_url(url: str) -> str:
    """Let operators write ``postgresql://`` and still get the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Build the engine for a database URL, refusing a malformed one with a clear message."""
    try:
        parsed = make_url(_normalise_url(url))
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"Ogiltig databas-URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except ModuleNotFoundError as exc:
        raise DatabaseUnavailable(f"Saknar databasdrivrutin för {parsed.drivername}") from exc


def sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL points at, made absolute; ``None`` for other databases."""
    try:
        parsed = make_url(_normalise_url(url))
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


def require_existing_sqlite(url: str) -> None:
    """Refuse to create an empty SQLite file by accident (a command run in another folder).

    SQLite makes a new file on first connect, so without this a command started in the wrong
    directory would answer from an empty database as if there were no cases.
    """
    path = sqlite_file(url)
    if path is not None and not path.exists():
        raise NotInitialised(
            f"Det finns ingen databas i {path} (SAMVERKAN_DATABASE_URL={url}). "
            "Kör kommandot i mappen där du körde samverkan init, ange "
            "SAMVERKAN_DATABASE_URL, eller skapa databasen här med: samverkan init"
        )


def check_connection(engine: Engine) -> None:
    """Fail early with an operator-readable message when the database cannot be reached."""
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        url = engine.url.render_as_string(hide_password=True)
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnavailable(f"Kan inte ansluta till databasen {url}: {detail}") from exc


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on any error."""
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
