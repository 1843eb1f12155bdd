"""Is this database at the schema the code expects? Answered without loading Alembic.

Every command that reads the database asks this first. Alembic (with Mako and its script
loader) costs a command line about a fifth of a second to import, so the head revision is read
straight from the migration files' ``revision``/``down_revision`` lines and the current one from
the ``alembic_version`` table; a test keeps both answers equal to Alembic's own.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from samverkan.storage.db import NotInitialised, check_connection

_REVISION = re.compile(r"^revision(?:\s*:\s*[\w\[\]| ]+)?\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision(?:\s*:\s*[\w\[\]| ]+)?\s*=\s*(.+)$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@cache
def head_revision() -> str | None:
    """The newest revision of the bundled migrations (the one no other revision revises)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    versions = files("samverkan.storage") / "migrations" / "versions"
    for entry in versions.iterdir():
        if not entry.name.endswith(".py") or entry.name.startswith("__"):
            continue
        source = entry.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN.search(source)
        if down is not None:
            revised.update(_QUOTED.findall(down.group(1)))
    heads = sorted(revisions - revised)
    if len(heads) > 1:
        raise RuntimeError(f"migrations have several heads: {', '.join(heads)}")
    return heads[0] if heads else None


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database, or ``None`` before ``samverkan init``."""
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except SQLAlchemyError:
        return None
    return str(row[0]) if row else None


def require_current_schema(engine: Engine) -> None:
    """Refuse to run on a database that ``samverkan init`` has not created or upgraded."""
    check_connection(engine)
    current = current_revision(engine)
    if current is None:
        raise NotInitialised("Databasen är inte initierad. Kör först: samverkan init")
    if current != head_revision():
        raise NotInitialised("Databasen har en äldre version. Kör: samverkan init")
