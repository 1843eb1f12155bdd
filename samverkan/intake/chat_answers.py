"""Chat-born messages in the intake: their channel on record, and the answers in their thread.

The chat feeder (``intake/feeders/chat.py``) writes a Slack or Teams message as a mail with
``X-Samverkan-Chat`` headers: the platform, and where answers go. Only a message whose
*source* is the feeder's (``slack:…``, ``teams:…``; the mail feeders' are ``imap://…``, Graph
ids and paths) is taken for one, so a mail that merely carries such headers cannot make the
system post anywhere: it is read as the mail it is.

An answer in the thread is an outbox row like the acknowledgement e-mail, queued in the same
transaction as its case: ``channel`` the platform, ``recipients`` the conversation,
``in_reply_to`` the thread (Slack's ``thread_ts``; in Teams the activity replied to) and, for
Teams, ``sender`` the Bot Connector the message came through. The delivery's Slack and Teams
transports post it, with its retries and its record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import default
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from samverkan.intake.outbox import CaseKey
from samverkan.intake.unit import Incoming
from samverkan.render import render
from samverkan.storage.cases import CaseWrites
from samverkan.storage.messages import first_inbound_of, insert_message, message_values
from samverkan.storage.outbox import PENDING

__all__ = [
    "PLATFORMS",
    "ChatThread",
    "answer",
    "answer_row",
    "case_thread",
    "case_threads",
    "channel",
    "chat_platform",
    "queue_answer",
    "thread_of",
    "via",
]

PLATFORMS = {"slack": "Slack", "teams": "Teams"}
"""The chat platforms a message can come from, with the name a person reads."""
SUBJECT_CHARS = 78


@dataclass(frozen=True)
class ChatThread:
    """Where the answers to a chat-born message go."""

    platform: str
    conversation: str
    thread: str | None
    service_url: str | None = None

    @property
    def label(self) -> str:
        return PLATFORMS[self.platform]


def chat_platform(source: str, headers: Mapping[str, str]) -> str | None:
    """``slack`` or ``teams`` for a message the chat feeder handed over; None for mail."""
    platform = (headers.get("x-samverkan-chat") or "").strip().lower()
    if platform in PLATFORMS and source.startswith(f"{platform}:"):
        return platform
    return None


def channel(source: str, headers: Mapping[str, str]) -> str:
    """The channel a message is on record with: ``email``, ``slack`` or ``teams``."""
    return chat_platform(source, headers) or "email"


def via(source: str, headers: Mapping[str, str]) -> str:
    """How an application came, for its history: ``e-post``, ``Slack`` or ``Teams``."""
    platform = chat_platform(source, headers)
    return PLATFORMS[platform] if platform else "e-post"


def thread_of(source: str, headers: Mapping[str, str]) -> ChatThread | None:
    """Where answers to this message go; None for mail, or a chat message without a place."""
    platform = chat_platform(source, headers)
    conversation = (headers.get("x-samverkan-chat-reply-to") or "").strip()
    if platform is None or not conversation:
        return None
    return ChatThread(
        platform,
        conversation,
        (headers.get("x-samverkan-chat-thread") or "").strip() or None,
        (headers.get("x-samverkan-chat-service") or "").strip() or None,
    )


def answer_row(
    thread: ChatThread,
    *,
    case_id: int | None,
    template: str,
    context: Mapping[str, Any],
    kind: str,
    now: datetime,
) -> dict[str, Any]:
    """The outbox row of an answer in ``thread``, from ``templates/chat/<template>.txt``."""
    text = render(f"chat/{template}.txt", **context).strip()
    first = text.splitlines()[0] if text else ""
    subject = first if len(first) <= SUBJECT_CHARS else first[: SUBJECT_CHARS - 1] + "…"
    return message_values(
        case_id=case_id,
        direction="out",
        channel=thread.platform,
        recipients=thread.conversation,
        in_reply_to=thread.thread,
        sender=thread.service_url,
        subject=subject,
        body_text=text,
        kind=kind,
        at=now,
        send_state=PENDING,
        next_attempt_at=now,
    )


def answer(
    writes: CaseWrites,
    mail: Incoming,
    headers: Mapping[str, str],
    case_id: int | None,
    template: str,
    **context: Any,
) -> None:
    """Queue the answer to a chat-born message in its thread (kind ``chat_<template>``), with
    the rows of its case; nothing for a mail. ``closed`` and ``missing`` default to nothing."""
    thread = thread_of(mail.source, headers)
    if thread is not None:
        context = {"closed": False, "missing": [], **context}
        kind = f"chat_{template}"
        writes.message(
            answer_row(
                thread,
                case_id=case_id,
                template=template,
                context=context,
                kind=kind,
                now=mail.now,
            )
        )


def case_thread(conn: Connection, case_id: int) -> ChatThread | None:
    """The thread of a chat-born case: where its first Slack or Teams message came from."""
    return case_threads(conn, [case_id]).get(case_id)


def case_threads(conn: Connection, case_ids: Sequence[int]) -> dict[int, ChatThread]:
    """Case id -> its thread, for the chat-born ones among ``case_ids`` (one statement)."""
    threads = {}
    for case_id, (source, raw) in first_inbound_of(conn, case_ids, tuple(PLATFORMS)).items():
        parsed = BytesHeaderParser(policy=default).parsebytes(raw)
        headers = {name.lower(): str(value) for name, value in parsed.items()}
        if (thread := thread_of(source, headers)) is not None:
            threads[case_id] = thread
    return threads


def queue_answer(
    session: Session,
    case: CaseKey,
    *,
    template: str,
    context: Mapping[str, Any],
    kind: str,
    now: datetime,
) -> ChatThread | None:
    """Queue an answer in the case's thread, when the case came by chat; where it went."""
    if case.id is None:
        return None
    thread = case_thread(session.connection(), case.id)
    if thread is not None:
        row = answer_row(
            thread, case_id=case.id, template=template, context=context, kind=kind, now=now
        )
        insert_message(session, **row)
    return thread
