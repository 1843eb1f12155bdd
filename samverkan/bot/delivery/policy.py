"""The one retry policy for everything in the outbox.

Backs off from a minute to six hours and gives up after ten attempts (about a day and a
quarter): long enough to ride out a mail server's or a chat platform's outage, short enough
that the officials hear of an address that never works while the case is still fresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["DEFAULT_POLICY", "MAX_ATTEMPTS", "RetryPolicy"]

MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class RetryPolicy:
    delays: tuple[timedelta, ...] = (
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(hours=1),
        timedelta(hours=2),
        timedelta(hours=6),
    )
    max_attempts: int = MAX_ATTEMPTS

    def next_attempt(
        self, attempts: int, now: datetime, after: timedelta | None = None
    ) -> datetime | None:
        """When to try again after ``attempts`` failed tries, or None: give up.

        ``after`` (a platform's ``Retry-After``) wins when it is longer than the back-off.
        """
        if attempts >= self.max_attempts:
            return None
        delay = self.delays[min(attempts, len(self.delays)) - 1]
        return now + max(delay, after or timedelta(0))


DEFAULT_POLICY = RetryPolicy()
