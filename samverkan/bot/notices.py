"""Posting the officials' notices (new case, quarantine, overlap, reminder, reply) to chat.

Intake, commands and the tick queue notices as ``message`` rows (``channel="notice"``,
``send_state="pending"``); this drains them to a *poster*, a callable a chat adapter provides.
The aim is that a notice is posted at most once, and, unless the chat platform is lost for
good, exactly once:

``pending -> sending``
    Claimed in a short transaction of its own (``next_attempt_at`` then holds the claim
    time): ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so two drainers never wait on or take the
    same row, and a conditional update (``WHERE send_state = 'pending'``) that only one
    drainer can win on any database. The claim is committed *before* the post, so no lock is
    held across a network call.
``sending -> sent``
    The post worked: recorded with its time and the platform's message id, in one transaction.
``sending -> pending`` (later)
    The poster raised :class:`NoticeNotPosted`: the platform certainly did not post it (it
    answered with an error, or could not be reached). ``attempts`` counts up and
    ``next_attempt_at`` backs off; after ``MAX_ATTEMPTS`` the notice is ``failed``.
``sending -> failed``
    Any other error (a timeout after the request went out, a bug): whether it was posted is
    unknown, and trying again could post it twice, so it is not retried. ``last_error`` says
    why, for the operator.

A process that dies between the claim and recording the result leaves the row ``sending``:
never posted twice, and visible (the drain logs such rows once they are old).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from samverkan.intake.outbox import FAILED, PENDING, SENT
from samverkan.rules.personal import mask_private_contact
from samverkan.storage.db import session_scope
from samverkan.storage.models import MessageRow

__all__ = [
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "SENDING",
    "Notice",
    "NoticeNotPosted",
    "Poster",
    "post_pending_notices",
]

log = logging.getLogger(__name__)

SENDING = "sending"
CHANNEL = "notice"
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
MAX_ATTEMPTS = 8
STALE_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Notice:
    id: int
    case_id: int | None
    kind: str | None
    text: str
    """As queued: plain text that quotes actors, so the poster must escape all of it.

    Identity numbers, phone numbers and street addresses are masked: a channel is read by many.
    """
    at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", mask_private_contact(self.text))


class NoticeNotPosted(Exception):
    """The platform certainly did not post the notice; it is safe to try again later."""


Poster = Callable[[Notice], "str | None"]
"""Posts one notice and returns the platform's id for it (if any); raises to say it did not."""


def post_pending_notices(engine: Engine, poster: Poster, now: datetime, *, limit: int = 50) -> int:
    """Post the notices due at ``now``, oldest first; returns how many were posted."""
    _warn_about_stale(engine, now)
    posted = 0
    for notice in _claim(engine, now, limit):
        try:
            platform_id = poster(notice)
        except NoticeNotPosted as exc:
            log.warning("notis %d postades inte, försöker igen senare: %s", notice.id, exc)
            _retry_later(engine, notice, str(exc), now)
        except Exception as exc:  # unknown whether it reached the channel: never again
            log.exception("notis %d: okänt om den postades; den försöks inte igen", notice.id)
            _finish(engine, notice, FAILED, now, error=f"osäkert om den postades: {exc!r}")
        else:
            _finish(engine, notice, SENT, now, platform_id=platform_id)
            posted += 1
    return posted


def _claim(engine: Engine, now: datetime, limit: int) -> list[Notice]:
    with session_scope(engine) as session:
        rows = session.exec(
            select(MessageRow)
            .where(
                MessageRow.channel == CHANNEL,
                MessageRow.send_state == PENDING,
                col(MessageRow.next_attempt_at) <= now,
            )
            .order_by(col(MessageRow.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        claimed = []
        for row in rows:
            won = session.execute(
                update(MessageRow)
                .where(col(MessageRow.id) == row.id, col(MessageRow.send_state) == PENDING)
                .values(send_state=SENDING, attempts=MessageRow.attempts + 1, next_attempt_at=now)
            )
            if won.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(
                    Notice(
                        id=row.id,  # type: ignore[arg-type]
                        case_id=row.case_id,
                        kind=row.kind,
                        text=row.body_text or "",
                        at=row.at,
                    )
                )
    return claimed


def _finish(
    engine: Engine,
    notice: Notice,
    state: str,
    now: datetime,
    *,
    platform_id: str | None = None,
    error: str | None = None,
) -> None:
    values: dict[str, object] = {"send_state": state, "last_error": error[:500] if error else None}
    if state == SENT:
        values["sent_at"] = now
        if platform_id:
            values["message_id"] = platform_id[:998]
    with session_scope(engine) as session:
        session.execute(
            update(MessageRow)
            .where(col(MessageRow.id) == notice.id, col(MessageRow.send_state) == SENDING)
            .values(**values)
        )


def _retry_later(engine: Engine, notice: Notice, error: str, now: datetime) -> None:
    with session_scope(engine) as session:
        row = session.get(MessageRow, notice.id)
        if row is None or row.send_state != SENDING:  # pragma: no cover - only we move it
            return
        row.last_error = error[:500]
        if row.attempts >= MAX_ATTEMPTS:
            row.send_state = FAILED
        else:
            row.send_state = PENDING
            row.next_attempt_at = now + RETRY_DELAYS[min(row.attempts, len(RETRY_DELAYS)) - 1]
        session.add(row)


def _warn_about_stale(engine: Engine, now: datetime) -> None:
    """Claims nobody finished: a drainer died mid-post. Said once per drain, not retried."""
    with session_scope(engine) as session:
        stale = session.exec(
            select(func.count())
            .select_from(MessageRow)
            .where(
                MessageRow.channel == CHANNEL,
                MessageRow.send_state == SENDING,
                col(MessageRow.next_attempt_at) <= now - STALE_AFTER,
            )
        ).one()
    if stale:
        log.warning(
            "%d notiser har väntat på svar från chatten i mer än %s; de kan ha gått förlorade "
            "(send_state='sending') och postas inte igen automatiskt",
            stale,
            STALE_AFTER,
        )
