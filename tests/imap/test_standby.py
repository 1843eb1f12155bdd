"""A standby takes the mailbox over within seconds when its holder dies (PostgreSQL).

On PostgreSQL the holder keeps a session-level advisory lock beside the lease; it dies with
the holder's connection, so a standby need not wait out the 60-second lease. On SQLite the
lease alone decides.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy.engine import Engine

from samverkan.intake.feeders.watching import LeaseKeeper
from samverkan.storage.db import make_engine
from tests.conftest import PG_ADMIN
from tests.helpers.serve import clean_environment, cli, healthz, serving, wait_for
from tests.imap.dovecot import Dovecot
from tests.imap.support import PROCESSED, folder_ids, make_message

NAME = "imap://bot@mail.example/INBOX"
TTL = timedelta(seconds=60)


def _keeper(engine: Engine, holder: str, clock: Callable[[], datetime]) -> LeaseKeeper:
    return LeaseKeeper(engine, NAME, holder, TTL, clock)


def _kill_lock_holder(url: str) -> None:
    """End, from outside, the one connection holding an advisory lock in the database at
    ``url``: what the holder's death does to it."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(l.pid) FROM pg_locks l "
            "JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s",
            (url.rsplit("/", 1)[1],),
        ).fetchall()
    assert ended == [(True,)], ended


def test_a_standby_takes_over_at_once_when_the_holders_connection_dies(
    pg_database: str, now: datetime
) -> None:
    a_engine, b_engine = make_engine(pg_database), make_engine(pg_database)
    at = [now]
    a, b = _keeper(a_engine, "a", lambda: at[0]), _keeper(b_engine, "b", lambda: at[0])
    try:
        assert a.hold()
        assert not b.hold(), "the lease and the lock are a's"
        assert b.current_holder() == "a"
        _kill_lock_holder(pg_database)
        at[0] = now + timedelta(seconds=1)  # far inside a's 60-second lease
        assert b.hold(), "the lock was free: a is gone, b need not wait for the lease"
        assert b.current_holder() == "b"
        at[0] = now + TTL / 2  # a's next renewal finds the lease taken
        assert not a.hold()
        assert b.hold()
    finally:
        a.release()
        b.release()
        a_engine.dispose()
        b_engine.dispose()


def test_a_clean_stop_frees_lease_and_lock(pg_database: str, now: datetime) -> None:
    a_engine, b_engine = make_engine(pg_database), make_engine(pg_database)
    a, b = _keeper(a_engine, "a", lambda: now), _keeper(b_engine, "b", lambda: now)
    try:
        assert a.hold()
        a.release()
        assert b.hold()
        assert not a.hold()
    finally:
        b.release()
        a_engine.dispose()
        b_engine.dispose()


def test_on_sqlite_a_standby_waits_for_the_lease(sqlite_engine: Engine, now: datetime) -> None:
    at = [now]
    a, b = _keeper(sqlite_engine, "a", lambda: at[0]), _keeper(sqlite_engine, "b", lambda: at[0])
    assert a.lock is None
    assert a.standby_wait(5.0) == 5.0
    assert a.hold()
    at[0] = now + TTL - timedelta(seconds=1)
    assert not b.hold()
    at[0] = now + TTL + timedelta(seconds=1)
    assert b.hold()


def _mailbox(port: int) -> dict[str, object]:
    health = healthz(port)
    box = health.get("mailbox") if health else None
    return dict(box) if isinstance(box, dict) else {}


def test_kill_9_of_the_mailbox_holder_a_standby_reads_the_next_mail_within_5_s(
    dovecot: Dovecot, pg_database: str, tmp_path: Path, free_port: Callable[[], int]
) -> None:
    ports = free_port(), free_port()
    common = {
        "SAMVERKAN_DATABASE_URL": pg_database,
        "SAMVERKAN_IMAP_HOST": dovecot.host,
        "SAMVERKAN_IMAP_PORT": str(dovecot.port),
        "SAMVERKAN_IMAP_USER": dovecot.user,
        "SAMVERKAN_IMAP_PASSWORD": dovecot.password,
        "SAMVERKAN_IMAP_TLS": "none",
    }
    envs = [clean_environment(**common, SAMVERKAN_HTTP_PORT=str(p)) for p in ports]
    dirs = [tmp_path / "a", tmp_path / "b"]
    for d in dirs:
        d.mkdir()
    with serving(dirs[0], envs[0]) as first:
        wait_for(lambda: _mailbox(ports[0]).get("reading_here") is True)
        holder = _mailbox(ports[0])["this_instance"]
        with serving(dirs[1], envs[1]):
            wait_for(lambda: _mailbox(ports[1]).get("state") == "standby")
            assert _mailbox(ports[1])["holder"] == holder, "the standby names who reads"
            dovecot.append(make_message(1))
            # Delivered just as the holder leaves its short after-start IDLEs, Dovecot may not
            # announce it; the holder's catch-up search (every 30 s) then finds it.
            wait_for(lambda: folder_ids(dovecot, PROCESSED) == ["<msg-1@example.org>"], 40)

            first.send_signal(signal.SIGKILL)
            first.wait()
            killed_at = time.monotonic()
            dovecot.append(make_message(2))
            wait_for(lambda: len(folder_ids(dovecot, PROCESSED)) == 2, 10)
            took = time.monotonic() - killed_at
            assert took < 5, f"the standby took {took:.1f} s"
            standby = _mailbox(ports[1])
            assert standby["reading_here"] is True
            assert standby["holder"] == standby["this_instance"] != holder
            cases = cli(dirs[1], envs[1], "cases", "--json")
            assert cases.returncode == 0, cases.stderr
            assert cases.stdout.count('"ref"') == 2
