"""``/healthz``: the database, the mailbox (and who reads it) and each configured connection.

The answer is JSON. HTTP 503 when the database does not answer (nothing works without it),
else 200 with ``status`` ``ok`` or ``degraded``: a mailbox that is away, a token that cannot
be had or a connection whose last delivery failed degrade the service but do not stop it
(chat, reminders and the outbox go on). Nothing here calls a chat platform: a connection's
state is what its last delivery found (and, for Slack Socket Mode, whether the socket is up),
so a load balancer may ask as often as it likes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from samverkan.intake.feeders.watching import MailWatcher
from samverkan.intake.m365.token import TokenStatus
from samverkan.storage.outbox import Finish, OutboxItem

UNCHECKED = "unchecked"
"""A connection nothing has been sent over yet."""
FAILING = "failing"


@dataclass(frozen=True)
class Connection:
    """``state`` is what the last delivery found; ``last_error`` the last failure's reason."""

    state: str = UNCHECKED
    last_error: str | None = None
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "last_error": self.last_error,
            "last_success_at": _iso(self.last_success_at),
            "last_failure_at": _iso(self.last_failure_at),
        }


class Connections:
    """What the last delivery over each transport found; fed by the drainer's observer."""

    def __init__(self, names: list[str], clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._by_name = {name: Connection() for name in names}

    def observe(self, item: OutboxItem, finish: Finish) -> None:
        now = self.clock()
        with self._lock:
            current = self._by_name.get(item.transport, Connection())
            if finish.state == "sent":
                self._by_name[item.transport] = Connection(
                    "ok", current.last_error, now, current.last_failure_at
                )
            else:
                self._by_name[item.transport] = Connection(
                    FAILING, finish.error, current.last_success_at, now
                )

    def snapshot(self) -> dict[str, Connection]:
        with self._lock:
            return dict(self._by_name)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def database_state(engine: Engine) -> str:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return f"fel: {type(exc).__name__}"
    return "ok"


def mailbox_state(watcher: MailWatcher) -> dict[str, Any]:
    h = watcher.health
    lease = watcher.lease
    holder = lease.current_holder() if lease is not None else None
    return {
        "state": h.state.value,
        "last_error": h.last_error,
        "last_success_at": _iso(h.last_success_at),
        "holder": holder,
        "this_instance": lease.holder if lease is not None else None,
        "reading_here": lease is not None and lease.held,
        "fast_takeover": lease is not None and lease.lock is not None,
    }


def report(
    engine: Engine,
    watcher: MailWatcher | None,
    token: TokenStatus | None,
    connections: dict[str, Connection],
    extra: dict[str, dict[str, Any]] | None = None,
) -> tuple[int, dict[str, Any]]:
    """The status code and body of ``/healthz``."""
    database = database_state(engine)
    body: dict[str, Any] = {"database": database}
    if watcher is not None:
        body["mailbox"] = mailbox_state(watcher)
    if token is not None:  # Microsoft 365: whether Samverkan can get its tokens
        body["m365"] = {
            "state": "ok" if token.ok else "token_failed",
            "last_error": token.error,
            "expires_at": _iso(token.expires_at),
        }
    body["connections"] = {name: c.to_dict() for name, c in sorted(connections.items())}
    for name, more in (extra or {}).items():
        body["connections"].setdefault(name, Connection().to_dict()).update(more)
    degraded = (
        database != "ok"
        or body.get("mailbox", {}).get("state") not in (None, "ok", "standby")
        or (token is not None and not token.ok)
        or any(c.state == FAILING for c in connections.values())
        or any(c.get("socket_connected") is False for c in body["connections"].values())
    )
    body["status"] = "degraded" if degraded else "ok"
    return (503 if database != "ok" else 200), body
