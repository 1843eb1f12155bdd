"""What every command shares: settings, the database, one-line errors and JSON output.

Kept light on purpose (no rich, no Alembic): a command that prints JSON pays only for Typer,
the settings and the storage it reads. Human tables import rich where they are drawn.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from samverkan.config import Settings

from samverkan.bot.cli import EXIT_DATABASE, EXIT_FAILED, EXIT_NOT_FOUND, EXIT_USAGE


def error_line(message: str) -> None:
    """One Swedish line on standard error, the form every failure takes."""
    red = sys.stderr.isatty()
    prefix = "\033[1;31mFel:\033[0m" if red else "Fel:"
    sys.stderr.write(f"{prefix} {message}\n")
    sys.stderr.flush()


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    error_line(message)
    raise typer.Exit(code)


def say(message: str) -> None:
    """A line of progress or result for the person at the terminal (standard output)."""
    sys.stdout.write(message + "\n")


def load_settings() -> Settings:
    from pydantic import ValidationError

    from samverkan.config import Settings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"SAMVERKAN_{'_'.join(str(p) for p in e['loc']).upper()}: "
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        )
        fail(f"Ogiltig konfiguration – {problems}", EXIT_USAGE)


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn storage failures into one clear line and the documented exit code."""
    from samverkan.storage.db import (
        CaseNotFound,
        DatabaseUnavailable,
        NotInitialised,
        StorageError,
    )

    try:
        yield
    except CaseNotFound as exc:
        fail(str(exc), EXIT_NOT_FOUND)
    except (DatabaseUnavailable, NotInitialised) as exc:
        fail(str(exc), EXIT_DATABASE)
    except StorageError as exc:
        fail(str(exc))


@contextmanager
def database(settings: Settings) -> Iterator[Engine]:
    """The configured, initialised database, with storage errors turned into exit codes.

    An SQLite file that does not exist is refused instead of created empty.
    """
    from samverkan.storage.db import make_engine, require_existing_sqlite
    from samverkan.storage.schema import require_current_schema

    with storage_errors():
        require_existing_sqlite(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            require_current_schema(engine)
            yield engine
        finally:
            engine.dispose()


def print_json(data: Any) -> None:
    """Indented JSON; a long list of objects (``cases --json``) one object a line, which the
    C encoder writes ten times faster than an indented one and which reads well with grep."""
    if isinstance(data, list) and len(data) > LONG_LIST:
        lines = ",\n".join(f"  {json.dumps(item, ensure_ascii=False)}" for item in data)
        sys.stdout.write(f"[\n{lines}\n]\n")
        return
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


LONG_LIST = 100
