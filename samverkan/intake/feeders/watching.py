"""What the IMAP watcher and the Maildir drop folder share: the pipeline port, health, the lease,
backoff, and the one entry point the service calls.

Both watchers follow one rule: a message leaves the inbox only after ``process()`` returned,
that is after its case is committed; the pipeline's dedupe makes handling it again harmless.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from samverkan.clock import utc_now
from samverkan.storage import leases

log = logging.getLogger(__name__)


class HandledMessage(Protocol):
    """The part of ``IngestResult`` a watcher needs: where to file the message."""

    @property
    def outcome(self) -> str: ...


class MessageProcessor(Protocol):
    """The intake pipeline as a watcher sees it (``samverkan.intake.pipeline.Intake``).

    ``process`` commits before it returns, is idempotent, and raises only on database failure.
    """

    def process(self, raw: bytes, *, source: str) -> HandledMessage: ...

    def process_batch(self, items: Sequence[tuple[bytes, str]]) -> Sequence[HandledMessage]:
        """``(raw, source)`` pairs in one transaction, committed before it returns."""
        ...


class HealthState(StrEnum):
    OK = "ok"
    CONNECTING = "connecting"
    LOGIN_FAILED = "login_failed"
    UNREACHABLE = "unreachable"
    STANDBY = "standby"  # another instance holds the mailbox lease
    STOPPED = "stopped"


@dataclass(frozen=True)
class MailboxHealth:
    state: HealthState
    last_error: str | None = None
    last_success_at: datetime | None = None


class MailWatcher(Protocol):
    def start(self) -> None: ...

    @property
    def lease(self) -> LeaseKeeper | None:
        """The mailbox's lease (who reads it), when the watcher takes one."""
        ...

    def stop(self, timeout: float = 10.0) -> None: ...

    @property
    def health(self) -> MailboxHealth: ...


def default_holder() -> str:
    """An id naming this process, readable in the lease table when an operator looks."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Backoff:
    """Exponential delays with jitter, so many instances do not reconnect in lockstep."""

    def __init__(
        self,
        base: float = 1.0,
        cap: float = 300.0,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.base = base
        self.cap = cap
        self.rand = rand
        self.attempt = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * 2.0**self.attempt)
        self.attempt += 1
        return ceiling / 2 + self.rand() * ceiling / 2

    def reset(self) -> None:
        self.attempt = 0


class LeaseKeeper:
    """Holds a lease for a watcher: acquires it, renews it a third of the way into its term.

    On PostgreSQL it also holds the lease's session lock (``leases.SessionLock``): a standby
    that gets the lock knows the holder's connection is gone (it was killed) and takes the
    lease at once rather than after the lease's term, so ``standby_wait`` is short there. A
    holder whose lock connection broke takes the lock again, or gives the lease up if someone
    else has it. A database error counts as not holding the lease: better to pause than to
    read the mailbox alongside another instance.
    """

    def __init__(
        self,
        engine: Engine,
        name: str,
        holder: str,
        ttl: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self.engine = engine
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self.clock = clock
        self._renewed_at: datetime | None = None
        self._seen_holder: str | None = None
        self.lock = (
            leases.SessionLock(engine, name) if leases.SessionLock.supported(engine) else None
        )

    @property
    def held(self) -> bool:
        return self._renewed_at is not None

    def standby_wait(self, slow: float) -> float:
        """How long a standby waits between tries: a second with a session lock (a try is
        one cheap query), else ``slow`` (only expiry frees the lease)."""
        return min(slow, 1.0) if self.lock is not None else slow

    def hold(self) -> bool:
        """True when this instance holds the lease now; cheap unless a renewal is due."""
        now = self.clock()
        if self._renewed_at is not None and now - self._renewed_at < self.ttl / 3:
            return True
        try:
            ok = self._renew(now) if self._renewed_at is not None else self._acquire(now)
        except SQLAlchemyError as exc:
            log.warning("Kunde inte förnya låset %s: %s", self.name, exc)
            ok = False
        if ok and self._renewed_at is None:
            log.info("Brevlådan %s läses nu av %s (den här instansen)", self.name, self.holder)
        elif not ok and self._renewed_at is not None:
            log.warning("Låset %s förlorat; en annan instans läser brevlådan", self.name)
        if not ok and self.lock is not None:
            self.lock.release()  # so whoever holds the lease can take the lock too
        self._renewed_at = now if ok else None
        if not ok:
            self._announce_standby()
        return ok

    def _announce_standby(self) -> None:
        """Log who reads the mailbox instead of us, once per holder."""
        holder = self.current_holder()
        if holder is not None and holder != self._seen_holder:
            log.info(
                "Brevlådan %s läses av %s; den här instansen (%s) står i reserv",
                self.name,
                holder,
                self.holder,
            )
        self._seen_holder = holder

    def _acquire(self, now: datetime) -> bool:
        if self.lock is not None and self.lock.try_acquire():
            # The lock was free: whoever held the lease has lost its connection (it died).
            return leases.take_over(self.engine, self.name, self.holder, self.ttl, now)
        return leases.acquire(self.engine, self.name, self.holder, self.ttl, now)

    def _renew(self, now: datetime) -> bool:
        if not leases.renew(self.engine, self.name, self.holder, self.ttl, now):
            return False
        if self.lock is None or self.lock.alive() or self.lock.try_acquire():
            return True
        log.warning("Låset %s har tagits av en annan instans", self.name)
        return False

    def current_holder(self) -> str | None:
        """Who holds the lease now, by the database (None when free or unknown)."""
        try:
            return leases.holder_of(self.engine, self.name, self.clock())
        except SQLAlchemyError:
            return None

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
        if self._renewed_at is None:
            return
        self._renewed_at = None
        try:
            leases.release(self.engine, self.name, self.holder)
        except SQLAlchemyError as exc:
            log.warning(
                "Kunde inte släppa låset %s (det löper ut av sig självt): %s", self.name, exc
            )


class BackgroundWatcher:
    """A watcher's thread, stop signal and health; subclasses write ``_run``.

    ``sleep`` is injectable for tests; by default waiting ends early when ``stop()`` is called,
    which is what makes ``stop()`` prompt.
    """

    thread_name = "mail-watcher"

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.clock = clock
        self._stop = threading.Event()
        self._sleep = sleep
        self._thread: threading.Thread | None = None
        self._health = MailboxHealth(HealthState.CONNECTING)
        self._lock = threading.Lock()

    @property
    def health(self) -> MailboxHealth:
        with self._lock:
            return self._health

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _set_health(
        self, state: HealthState, error: str | None = None, *, success: bool = False
    ) -> None:
        with self._lock:
            current = self._health
            self._health = replace(
                current,
                state=state,
                last_error=error if error is not None else current.last_error,
                last_success_at=self.clock() if success else current.last_success_at,
            )

    def _wait(self, seconds: float) -> bool:
        """Wait ``seconds`` (or until stopped); True when the watcher should stop."""
        if self._sleep is not None:
            self._sleep(seconds)
            return self._stop.is_set()
        return self._stop.wait(seconds)

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._guarded_run, name=self.thread_name, daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("Brevlådebevakningen stannade inte inom %.0f s", timeout)

    def run_forever(self) -> None:
        """Run in the calling thread until ``stop()``: for a process that only watches mail."""
        self._guarded_run()

    def _guarded_run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # the last line of defence: say so loudly, never die silently
            log.exception("Brevlådebevakningen avbröts av ett oväntat fel")
            self._set_health(HealthState.UNREACHABLE, f"oväntat fel: {exc}")
            raise
        else:
            self._set_health(HealthState.STOPPED)

    def _run(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
