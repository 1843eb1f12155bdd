"""Counts an operator watches, read from the database at the moment they are asked for.

The database is the one truth several instances share, so ``/metrics`` on any instance and the
daily intake-health message give the same figures: cases by phase, the outbox by state and
transport, reminders by state, quarantined mail. Each is one ``GROUP BY`` over indexed
columns; nothing is loaded row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from samverkan.storage.models import CaseTallyRow, MessageRow, ReminderRow

_TALLY: Any = CaseTallyRow.__table__  # type: ignore[attr-defined]
_MESSAGES: Any = MessageRow.__table__  # type: ignore[attr-defined]
_REMINDERS: Any = ReminderRow.__table__  # type: ignore[attr-defined]

OUTBOX_CHANNELS = ("email", "notice")
UNROUTED = "unrouted"
"""The transport of a notice not yet given a destination."""


def cases_by_phase(conn: Connection) -> dict[str, int]:
    """Summed from the tally the database keeps per hour, phase and area, not every case."""
    t = _TALLY.c
    rows = conn.execute(select(t.phase, func.sum(t.n)).group_by(t.phase))
    return {str(phase): int(n) for phase, n in rows}


def _transport() -> Any:
    """An outbox row's transport in SQL: ``email`` for mail, a notice's destination prefix
    (``slack:C0123`` -> ``slack``), or ``unrouted`` before routing."""
    m = _MESSAGES.c
    recipients = func.coalesce(m.recipients, "")
    return case(
        (m.channel == "email", literal("email")),
        (or_(recipients == "", recipients.startswith("@")), literal(UNROUTED)),
        (recipients.startswith("slack:"), literal("slack")),
        (recipients.startswith("teams:"), literal("teams")),
        (recipients.startswith("email:"), literal("email")),
        else_=literal("other"),
    )


def outbox_by_state(conn: Connection) -> dict[tuple[str, str], int]:
    """``(state, transport) -> items`` over everything that was ever queued to leave."""
    m = _MESSAGES.c
    transport = _transport().label("transport")
    rows = conn.execute(
        select(m.send_state, transport, func.count())
        .where(m.direction == "out", m.channel.in_(OUTBOX_CHANNELS), m.send_state.is_not(None))
        .group_by(m.send_state, transport)
    )
    return {(str(state), str(where)): int(n) for state, where, n in rows}


def _later_than(conn: Connection, late: Any, early: Any, margin: timedelta) -> Any:
    """``late - early > margin`` in SQL, on SQLite (Julian days) and PostgreSQL (intervals)."""
    if conn.dialect.name == "sqlite":
        days = margin.total_seconds() / 86400
        return func.julianday(late) - func.julianday(early) > days
    return late - early > margin


@dataclass(frozen=True)
class ReminderCounts:
    waiting: int
    """Pending, not yet due."""
    due: int
    """Pending and due: the next tick acts on them."""
    overdue: int
    """Pending and due for longer than ``late_after``: the tick is not running."""
    sent: int
    sent_late: int
    """Acted on more than ``late_after`` after they fell due (the service was down)."""
    cancelled: int


def reminder_counts(conn: Connection, now: datetime, late_after: timedelta) -> ReminderCounts:
    r = _REMINDERS.c
    pending, done = r.state == "pending", r.state == "done"

    def n(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = conn.execute(
        select(
            n(and_(pending, r.due_at > now)),
            n(and_(pending, r.due_at <= now)),
            n(and_(pending, r.due_at <= now - late_after)),
            n(done),
            n(and_(done, _later_than(conn, r.done_at, r.due_at, late_after))),
            n(r.state == "cancelled"),
        )
    ).one()
    return ReminderCounts(*(int(v) for v in row))


def quarantined_since(conn: Connection, since: datetime) -> int:
    """Incoming mail quarantined since ``since``."""
    m = _MESSAGES.c
    query = select(func.count()).where(
        m.direction == "in", m.outcome == "quarantined", m.at >= since
    )
    return int(conn.execute(query).scalar_one())


@dataclass(frozen=True)
class OutboxTrouble:
    failed: int
    """Items that could not be sent, in all (``samverkan outbox --failed`` lists them)."""
    failed_recent: int
    """Of those, the ones queued since ``since``."""
    retrying: int
    """Items waiting for another try after a failed one."""


def outbox_trouble(conn: Connection, since: datetime) -> OutboxTrouble:
    m = _MESSAGES.c
    outbound = [m.direction == "out", m.channel.in_(OUTBOX_CHANNELS)]
    failed = m.send_state == "failed"
    row = conn.execute(
        select(
            func.coalesce(func.sum(case((failed, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(failed, m.at >= since), 1), else_=0)), 0),
            func.coalesce(
                func.sum(case((and_(m.send_state == "pending", m.attempts > 0), 1), else_=0)), 0
            ),
        ).where(*outbound, m.send_state.in_(("failed", "pending")))
    ).one()
    return OutboxTrouble(*(int(v) for v in row))
