"""The outbox: every message that leaves the system waits here until a transport took it.

Outbound rows live in the ``message`` table beside the mail that came in, so a case's record
shows what was sent and whether it went. Two kinds of row are outbox items:

``channel = "email"``
    A rendered e-mail to ``recipients`` (an actor, or an official), sent by the e-mail
    transport.
``channel = "notice"``
    A short text for the officials (new case, quarantine, reminder...). It is queued without
    an address (``recipients`` NULL: *unrouted*); routing then gives it one destination per
    configured place (``"slack:C0123"``, ``"teams:19:abc"``, ``"email:anna@malmo.se"``),
    copying the row for each destination after the first, or folds a flood of them into
    one summary.

``channel = "slack"`` or ``"teams"``
    An answer to an actor in the conversation their message came from (the acknowledgement, a
    request for more information): ``recipients`` the conversation, ``in_reply_to`` the
    thread, and for Teams ``sender`` the Bot Connector. That platform's transport posts it.

Every item moves through one state machine (``send_state``)::

    pending ──claim──▶ sending ──Delivered──▶ sent
       ▲                  │ ├──GiveUp / last attempt──▶ failed
       └──Retry (later)───┘ └──unknown error──▶ failed   (it may have gone: never again)

    (routing)  pending, unrouted ──fold──▶ folded   (its text went out in a summary)

A claim is a short transaction of its own (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, and a
conditional update only one claimer can win on any database), committed before the transport
is called, so no lock is held across a network call and no item goes out twice. The result is
recorded in a second short transaction. An item whose claimer died stays ``sending``: counted
by :func:`stale_count`, never sent again automatically. The policy (when to retry, when to
give up) is the caller's, in ``samverkan.bot.delivery``; this module only moves rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import false, or_, true, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from samverkan.rules.personal import mask_private_contact
from samverkan.storage.db import session_scope
from samverkan.storage.messages import insert_message, message_values
from samverkan.storage.models import CaseRow, MessageRow

__all__ = [
    "CHAT",
    "EMAIL",
    "FAILED",
    "FOLDED",
    "NOTICE",
    "PENDING",
    "SENDING",
    "SENT",
    "Finish",
    "OutboxItem",
    "Routing",
    "Summary",
    "UnroutedNotice",
    "claim",
    "email_values",
    "finish",
    "notice_values",
    "pending_counts",
    "route",
    "stale_count",
]

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
FOLDED = "folded"

EMAIL = "email"
NOTICE = "notice"
CHAT = ("slack", "teams")
"""Channels of answers posted in a chat thread; the transport has the channel's name."""
AUDIENCE = "@"
"""A notice's ``recipients`` before routing: NULL (all officials) or ``@`` and an audience."""


def email_values(**values: Any) -> dict[str, Any]:
    """A pending e-mail row (all columns), due at once."""
    return message_values(
        direction="out", channel=EMAIL, send_state=PENDING, next_attempt_at=values["at"], **values
    )


def notice_values(
    *, case_id: int | None, text: str, kind: str, now: datetime, to: str | None = None
) -> dict[str, Any]:
    """A pending notice row; ``to`` is a destination (``slack:C0123``), an audience for
    routing (``@samordnare``, ``@U0KARIN``), or None: routing sends it to the officials."""
    return message_values(
        case_id=case_id,
        direction="out",
        channel=NOTICE,
        recipients=to,
        body_text=text,
        kind=kind,
        at=now,
        send_state=PENDING,
        next_attempt_at=now,
    )


@dataclass(frozen=True)
class OutboxItem:
    """One claimed item: what a transport needs to deliver it, and nothing of the row."""

    id: int
    channel: str
    transport: str
    """``email``, ``slack``, ``teams``...: which transport delivers it."""
    to: str
    """The address on that transport: an e-mail address, a Slack channel or user id..."""
    case_id: int | None
    ref: str | None
    kind: str | None
    text: str
    """As queued. Notices quote actors, so a transport escapes all of it for its platform."""
    at: datetime
    attempts: int
    """Including this one."""
    subject: str | None = None
    html: str | None = None
    sender: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: str | None = None
    raw: bytes | None = None


def _destination(row: MessageRow) -> tuple[str, str]:
    if row.channel == EMAIL:
        return EMAIL, row.recipients or ""
    if row.channel in CHAT:
        return row.channel, row.recipients or ""
    transport, _, address = (row.recipients or "").partition(":")
    return transport, address


def _item(row: MessageRow, ref: str | None, *, attempts: int) -> OutboxItem:
    """The item a transport gets. A notice's identity numbers, phone numbers and street
    addresses are masked here, as it leaves storage: a channel is read by many."""
    transport, to = _destination(row)
    text = row.body_text or ""
    return OutboxItem(
        id=row.id,  # type: ignore[arg-type]
        channel=row.channel,
        transport=transport,
        to=to,
        case_id=row.case_id,
        ref=ref,
        kind=row.kind,
        text=mask_private_contact(text) if row.channel == NOTICE else text,
        at=row.at,
        attempts=attempts,
        subject=row.subject,
        html=row.body_html,
        sender=row.sender,
        message_id=row.message_id,
        in_reply_to=row.in_reply_to,
        references=row.references,
        raw=row.raw,
    )


def _for_transports(transports: Collection[str]) -> Any:
    """Rows a drainer with these transports can deliver (routed notices only)."""
    wanted = []
    if EMAIL in transports:
        wanted.append(col(MessageRow.channel) == EMAIL)
    chat = [name for name in transports if name in CHAT]
    if chat:
        wanted.append(col(MessageRow.channel).in_(chat))
    wanted += [
        (col(MessageRow.channel) == NOTICE) & col(MessageRow.recipients).startswith(f"{name}:")
        for name in transports
    ]
    return or_(*wanted) if wanted else false()


def claim(
    engine: Engine,
    now: datetime,
    *,
    transports: Collection[str],
    channel: str | None = None,
    limit: int = 50,
) -> list[OutboxItem]:
    """Claim the items due at ``now`` for ``transports`` (of one ``channel``, when given),
    oldest first, and commit the claim."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(MessageRow, CaseRow.ref)
            .outerjoin(CaseRow, col(CaseRow.id) == col(MessageRow.case_id))
            .where(
                MessageRow.direction == "out",
                MessageRow.send_state == PENDING,
                col(MessageRow.next_attempt_at) <= now,
                _for_transports(transports),
                col(MessageRow.channel) == channel if channel else true(),
            )
            .order_by(col(MessageRow.id))
            .limit(limit)
            .with_for_update(skip_locked=True, of=MessageRow)
        ).all()
        claimed = []
        for row, ref in rows:
            item = _item(row, ref, attempts=row.attempts + 1)
            won = session.execute(
                update(MessageRow)
                .where(col(MessageRow.id) == row.id, col(MessageRow.send_state) == PENDING)
                .values(send_state=SENDING, attempts=MessageRow.attempts + 1, next_attempt_at=now)
            )
            if won.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(item)
    return claimed


@dataclass(frozen=True)
class Finish:
    """What became of one claimed item, as the delivery policy decided it."""

    id: int
    state: str
    """``sent``, ``pending`` (try again at ``next_attempt_at``) or ``failed``."""
    now: datetime
    next_attempt_at: datetime | None = None
    error: str | None = None
    external_id: str | None = None
    """The platform's id of a chat post (kept in ``message_id``); None for e-mail."""
    raw: bytes | None = None
    """The bytes that went out, kept on record (e-mail)."""
    followups: Sequence[dict[str, Any]] = field(default_factory=tuple)
    """Rows to queue in the same transaction (a notice that a mail was given up)."""


def finish(engine: Engine, results: Iterable[Finish]) -> None:
    """Record results in one transaction; only a row still ``sending`` is moved."""
    with session_scope(engine) as session:
        for result in results:
            values: dict[str, Any] = {
                "send_state": result.state,
                "last_error": result.error[:500] if result.error else None,
            }
            if result.state == SENT:
                values["sent_at"] = result.now
                if result.external_id:
                    values["message_id"] = result.external_id[:998]
                if result.raw is not None:
                    values["raw"] = result.raw
            elif result.state == PENDING:
                values["next_attempt_at"] = result.next_attempt_at
            session.execute(
                update(MessageRow)
                .where(col(MessageRow.id) == result.id, col(MessageRow.send_state) == SENDING)
                .values(**values)
            )
            for row in result.followups:
                insert_message(session, **row)


def stale_count(engine: Engine, before: datetime) -> int:
    """Items claimed before ``before`` whose result was never recorded (a drainer died)."""
    with session_scope(engine) as session:
        return int(
            session.exec(
                select(func.count())
                .select_from(MessageRow)
                .where(
                    MessageRow.direction == "out",
                    MessageRow.send_state == SENDING,
                    col(MessageRow.next_attempt_at) <= before,
                )
            ).one()
        )


def pending_counts(engine: Engine) -> dict[str, int]:
    """How many items wait, per channel (unrouted notices included), for reports."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(MessageRow.channel, func.count())
            .where(MessageRow.direction == "out", MessageRow.send_state == PENDING)
            .group_by(col(MessageRow.channel))
        ).all()
    return {channel: int(n) for channel, n in rows}


@dataclass(frozen=True)
class UnroutedNotice:
    """A notice that has no destination yet, with what routing decides by."""

    id: int
    case_id: int | None
    ref: str | None
    kind: str | None
    text: str
    at: datetime
    assigned_to: str | None
    """The case's contact person (a Slack id, Teams id or e-mail address), if any."""
    audience: str | None = None
    """Who it is for when not all officials: ``samordnare``, or one official's id."""


@dataclass(frozen=True)
class Summary:
    """One message that stands for several notices to one destination (a flood folded)."""

    to: str
    text: str
    notice_ids: Sequence[int]


@dataclass(frozen=True)
class Routing:
    """Where the notices of one routing pass go: the plan, made by pure code elsewhere."""

    destinations: Mapping[int, Sequence[str]]
    """Per notice id, the destinations it goes to on its own (none: it waits, unrouted)."""
    summaries: Sequence[Summary] = ()


def route(
    engine: Engine,
    now: datetime,
    plan: Callable[[Sequence[UnroutedNotice]], Routing | None],
    *,
    limit: int = 10_000,
) -> int:
    """Give unrouted notices their destinations by ``plan`` in one transaction; returns how
    many notices were routed or folded. ``plan`` returning None leaves them all for later."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(MessageRow, CaseRow.ref, CaseRow.assigned_to)
            .outerjoin(CaseRow, col(CaseRow.id) == col(MessageRow.case_id))
            .where(
                MessageRow.channel == NOTICE,
                MessageRow.send_state == PENDING,
                _unrouted(),
            )
            .order_by(col(MessageRow.id))
            .limit(limit)
            .with_for_update(skip_locked=True, of=MessageRow)
        ).all()
        notices = [
            UnroutedNotice(
                id=row.id,  # type: ignore[arg-type]
                case_id=row.case_id,
                ref=ref,
                kind=row.kind,
                text=row.body_text or "",
                at=row.at,
                assigned_to=assigned,
                audience=(row.recipients or "").removeprefix(AUDIENCE) or None,
            )
            for row, ref, assigned in rows
        ]
        routing = plan(notices) if notices else None
        if routing is None:
            return 0
        return _apply(session, notices, routing, now)


def _apply(
    session: Session, notices: Sequence[UnroutedNotice], routing: Routing, now: datetime
) -> int:
    """Write a routing: the first destination on the notice's own row, copies for the rest,
    ``folded`` for a notice that only goes out in a summary; then the summaries."""
    folded_into = {i: s.to for s in routing.summaries for i in s.notice_ids}
    routed = 0
    for notice in notices:
        alone = list(routing.destinations.get(notice.id, ()))
        if alone:
            values: dict[str, Any] = {"recipients": alone[0]}
        elif notice.id in folded_into:
            values = {"recipients": folded_into[notice.id], "send_state": FOLDED}
        else:
            continue
        won = session.execute(
            update(MessageRow)
            .where(
                col(MessageRow.id) == notice.id,
                col(MessageRow.send_state) == PENDING,
                _unrouted(),
            )
            .values(**values)
        )
        if won.rowcount != 1:  # type: ignore[attr-defined]
            continue
        routed += 1
        for to in alone[1:]:
            insert_message(session, **_copy(notice, to, now))
    for summary in routing.summaries:
        insert_message(
            session,
            **notice_values(
                case_id=None, text=summary.text, kind="summary", now=now, to=summary.to
            ),
        )
    return routed


def _unrouted() -> Any:
    return or_(
        col(MessageRow.recipients).is_(None), col(MessageRow.recipients).startswith(AUDIENCE)
    )


def _copy(notice: UnroutedNotice, to: str, now: datetime) -> dict[str, Any]:
    return notice_values(
        case_id=notice.case_id, text=notice.text, kind=notice.kind or "notice", now=now, to=to
    ) | {"at": notice.at}
