"""Leases: which instance runs a singleton job (the mailbox reader) and until when.

Several instances may share one database. A lease row names the holder and an expiry; the
holder renews it while it works, and anyone may take it over once it has expired (its holder
died without releasing it). Every change is one atomic statement, so two instances racing for
the same lease can never both win, on SQLite or on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from samverkan.storage.models import LeaseRow

_TABLE: Any = LeaseRow.__table__  # type: ignore[attr-defined]


def _insert_if_absent(conn: Connection, name: str, holder: str, expires_at: datetime) -> Any:
    dialect = conn.dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(_TABLE)
    elif dialect == "sqlite":
        stmt = sqlite.insert(_TABLE)
    else:  # pragma: no cover - only the two supported databases
        raise NotImplementedError(dialect)
    stmt = stmt.values(name=name, holder=holder, expires_at=expires_at)
    return stmt.on_conflict_do_nothing(index_elements=[_TABLE.c.name]).returning(_TABLE.c.name)


def acquire(engine: Engine, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take or extend the lease ``name`` for ``holder`` until ``now + ttl``; True when held.

    The UPDATE takes over an expired lease (or extends our own); on PostgreSQL a concurrent
    UPDATE waits for the row lock and then re-checks the condition, so only one wins. When no
    row exists yet, the INSERT … ON CONFLICT DO NOTHING lets exactly one inserter win.
    """
    expires_at = now + ttl
    with engine.begin() as conn:
        taken = conn.execute(
            update(_TABLE)
            .where(_TABLE.c.name == name)
            .where(or_(_TABLE.c.expires_at < now, _TABLE.c.holder == holder))
            .values(holder=holder, expires_at=expires_at)
        )
        if taken.rowcount == 1:
            return True
        # RETURNING rather than rowcount: with psycopg the rowcount of this INSERT was not 1.
        inserted = conn.execute(_insert_if_absent(conn, name, holder, expires_at))
        return inserted.first() is not None


def renew(engine: Engine, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Extend a lease we still hold; False when another instance has taken it over meanwhile."""
    with engine.begin() as conn:
        result = conn.execute(
            update(_TABLE)
            .where(_TABLE.c.name == name, _TABLE.c.holder == holder)
            .values(expires_at=now + ttl)
        )
        return bool(result.rowcount == 1)


def release(engine: Engine, name: str, holder: str) -> None:
    """Give the lease up at once (a clean stop), so another instance need not wait for expiry."""
    with engine.begin() as conn:
        conn.execute(delete(_TABLE).where(_TABLE.c.name == name, _TABLE.c.holder == holder))


def holder_of(engine: Engine, name: str, now: datetime) -> str | None:
    """Who holds ``name`` at ``now`` (None when free or expired): for health output and tests."""
    with engine.connect() as conn:
        row = conn.execute(
            _TABLE.select().where(_TABLE.c.name == name, _TABLE.c.expires_at >= now)
        ).first()
    return None if row is None else str(row.holder)
