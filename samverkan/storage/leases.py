"""Leases: which instance runs a singleton job (the mailbox reader) and until when.

Several instances may share one database. A lease row names the holder and an expiry; the
holder renews it while it works, and anyone may take it over once it has expired (its holder
died without releasing it). Every change is one atomic statement, so two instances racing for
the same lease can never both win, on SQLite or on PostgreSQL.

On PostgreSQL the holder also keeps a session-level advisory lock (:class:`SessionLock`) on a
connection of its own. The lock dies with that connection, so a standby that finds it free
knows the holder is gone and takes the lease at once (:func:`take_over`) instead of waiting
for it to expire.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from samverkan.storage.models import LeaseRow

log = logging.getLogger(__name__)

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


def take_over(engine: Engine, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take the lease ``name`` whatever its expiry: for a holder that has *proved* the previous
    one dead (its session lock was free). True when held afterwards."""
    with engine.begin() as conn:
        taken = conn.execute(
            update(_TABLE).where(_TABLE.c.name == name).values(holder=holder, expires_at=now + ttl)
        )
        if taken.rowcount == 1:
            return True
        inserted = conn.execute(_insert_if_absent(conn, name, holder, now + ttl))
        return inserted.first() is not None


def claim_once(engine: Engine, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """True for exactly one caller ever asking for ``name`` (a once-a-day job's day): the
    first insert wins, whoever asks again (the winner too) is refused."""
    with engine.begin() as conn:
        kind = name.partition(":")[0] + ":"
        old = _TABLE.c.name.startswith(kind) & (_TABLE.c.expires_at < now)
        conn.execute(delete(_TABLE).where(old))  # the days gone by
        inserted = conn.execute(_insert_if_absent(conn, name, holder, now + ttl))
        return inserted.first() is not None


def lock_key(name: str) -> int:
    """A lease's name as a PostgreSQL advisory-lock key (a signed 64-bit number)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class SessionLock:
    """A PostgreSQL session-level advisory lock on a connection of its own.

    PostgreSQL releases it the moment that connection ends, so when a holder is killed
    (SIGKILL, a lost machine: the kernel closes its socket) a standby sees the lock free at
    once instead of waiting for the lease to expire. Only PostgreSQL has it; on SQLite the
    lease alone decides (:func:`supported`).
    """

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.key = lock_key(name)
        self._conn: Connection | None = None

    @staticmethod
    def supported(engine: Engine) -> bool:
        return engine.dialect.name == "postgresql"

    @property
    def held(self) -> bool:
        return self._conn is not None

    def try_acquire(self) -> bool:
        """True when this process now holds the lock (at once, never waiting)."""
        if self._conn is not None:
            return self.alive()
        conn = self.engine.connect()
        try:
            got = bool(conn.execute(select(func.pg_try_advisory_lock(self.key))).scalar_one())
            conn.commit()  # the lock is the session's: it outlives the transaction
        except BaseException:
            conn.close()
            raise
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def alive(self) -> bool:
        """Whether the connection holding the lock still works (if not, the lock is gone)."""
        if self._conn is None:
            return False
        try:
            self._conn.execute(select(1)).scalar_one()
            self._conn.commit()
        except SQLAlchemyError:
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(select(func.pg_advisory_unlock(self.key)))
            self._conn.commit()
        except SQLAlchemyError as exc:  # the connection is gone, and the lock with it
            log.debug("unlocking %s on a dead connection: %s", self.key, exc)
        self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except SQLAlchemyError:
                conn.invalidate()
