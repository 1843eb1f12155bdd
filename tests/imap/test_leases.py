"""The mailbox lease and position tables, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from samverkan.storage import leases
from samverkan.storage.mailbox_state import load_position, save_position

TTL = timedelta(seconds=60)
NAME = "imap://bot@mail.example/INBOX"


def test_first_holder_gets_the_lease_and_others_wait(engine: Engine, now: datetime) -> None:
    assert leases.acquire(engine, NAME, "a", TTL, now)
    assert not leases.acquire(engine, NAME, "b", TTL, now + timedelta(seconds=30))
    assert leases.holder_of(engine, NAME, now) == "a"


def test_holder_extends_its_own_lease(engine: Engine, now: datetime) -> None:
    assert leases.acquire(engine, NAME, "a", TTL, now)
    assert leases.acquire(engine, NAME, "a", TTL, now + timedelta(seconds=50))
    assert leases.renew(engine, NAME, "a", TTL, now + timedelta(seconds=100))
    # Still held at 150 s: the renewal at 100 s moved the expiry to 160 s.
    assert not leases.acquire(engine, NAME, "b", TTL, now + timedelta(seconds=150))


def test_expired_lease_of_a_dead_holder_is_taken_over(engine: Engine, now: datetime) -> None:
    assert leases.acquire(engine, NAME, "a", TTL, now)
    later = now + TTL + timedelta(seconds=1)
    assert leases.acquire(engine, NAME, "b", TTL, later)
    assert leases.holder_of(engine, NAME, later) == "b"
    assert not leases.renew(engine, NAME, "a", TTL, later), "the old holder must notice"


def test_release_frees_the_lease_at_once(engine: Engine, now: datetime) -> None:
    assert leases.acquire(engine, NAME, "a", TTL, now)
    leases.release(engine, NAME, "b")  # not b's to release
    assert not leases.acquire(engine, NAME, "b", TTL, now)
    leases.release(engine, NAME, "a")
    assert leases.acquire(engine, NAME, "b", TTL, now)


def _race(engine: Engine, at: datetime, names: list[str]) -> list[str]:
    """Let every name try to acquire the lease at the same instant; return the winners."""
    barrier = threading.Barrier(len(names))
    winners: list[str] = []

    def contend(who: str) -> None:
        barrier.wait()
        if leases.acquire(engine, NAME, who, TTL, at):
            winners.append(who)

    threads = [threading.Thread(target=contend, args=(who,)) for who in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return winners


def test_racing_instances_never_both_win(engine: Engine, now: datetime) -> None:
    for round_ in range(3):  # a fresh row, then takeovers of an expired one
        at = now + round_ * (TTL + timedelta(seconds=1))
        winners = _race(engine, at, [f"r{round_}-{i}" for i in range(6)])
        assert len(winners) == 1, winners


def test_position_round_trip_keeps_large_uidvalidity(engine: Engine, now: datetime) -> None:
    assert load_position(engine, NAME) is None
    save_position(engine, NAME, 4_000_000_000, 7, now)
    position = load_position(engine, NAME)
    assert position is not None
    assert (position.uidvalidity, position.last_uid) == (4_000_000_000, 7)
    save_position(engine, NAME, 4_000_000_000, 2**32 - 1, now)
    position = load_position(engine, NAME)
    assert position is not None
    assert position.last_uid == 2**32 - 1
