"""Reminders fire once when due: set the clock, tick, and look at what was queued."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from samverkan.bot.tick import run_tick
from samverkan.storage.db import make_engine
from samverkan.storage.models import MessageRow
from tests.helpers.chat import Chat

GRANTED_AT = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
RESULT_DUE = datetime(2026, 9, 7, 6, 0, tzinfo=UTC)
EFFECT_DUE = datetime(2027, 3, 5, 7, 0, tzinfo=UTC)


def granted(chat: Chat) -> None:
    chat.apply()
    assert chat("godkänn SAM-2026-0001").ok
    chat.clock[0] = GRANTED_AT
    assert chat("beslut SAM-2026-0001 beviljad § 1 sammanträde=2026-03-02 stödform=processtöd").ok


def followup_mail(chat: Chat) -> list[MessageRow]:
    with Session(chat.engine) as session:
        return list(
            session.exec(
                select(MessageRow)
                .where(col(MessageRow.kind).in_(["resultatmatning", "effektmatning"]))
                .order_by(col(MessageRow.id))
            ).all()
        )


def test_nothing_fires_before_it_is_due(chat: Chat) -> None:
    granted(chat)
    assert run_tick(chat.engine, chat.settings, RESULT_DUE - timedelta(minutes=1)) == []
    assert followup_mail(chat) == []


def test_a_due_follow_up_asks_the_applicant_once(chat: Chat) -> None:
    granted(chat)
    lines = run_tick(chat.engine, chat.settings, RESULT_DUE)
    # (the approver became contact person, so her weekly digest goes out too)
    assert [line for line in lines if not line.startswith("veckobrev")] == [
        "SAM-2026-0001: resultatmätning begärd av sökanden"
    ]
    (request,) = followup_mail(chat)
    assert request.recipients == "lina@seved.example"
    assert (request.subject or "").startswith("[SAM-2026-0001] Uppföljning")
    assert "resultatmätning" in (request.body_text or "")
    assert run_tick(chat.engine, chat.settings, RESULT_DUE + timedelta(hours=1)) == []
    assert len(followup_mail(chat)) == 1
    # Sent once; one reminder 14 days after the request if nothing comes; the effect later.
    assert [(kind, state) for kind, _, state in chat.reminders()] == [
        ("resultatmatning", "done"),
        ("resultatmatning_paminnelse", "pending"),
        ("effektmatning", "pending"),
    ]


def test_a_service_that_was_down_catches_up_on_everything_due(chat: Chat) -> None:
    granted(chat)
    lines = run_tick(chat.engine, chat.settings, EFFECT_DUE + timedelta(days=30))
    assert len(lines) == 2
    assert [m.kind for m in followup_mail(chat)] == ["resultatmatning", "effektmatning"]


def test_a_meeting_reminder_tells_the_officials(chat: Chat) -> None:
    chat.apply()
    assert chat("möte SAM-2026-0001 2026-03-12 10:00").ok
    (kind, due, _), *_ = chat.reminders()
    assert kind == "mote"
    lines = run_tick(chat.engine, chat.settings, due)
    assert len(lines) == 1
    notices = chat.outbox("reminder")
    assert len(notices) == 1
    assert "SAM-2026-0001" in (notices[0].body_text or "")


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_instances_ticking_at_once_act_on_each_reminder_once(chat: Chat, db_url: str) -> None:
    granted(chat)
    later = EFFECT_DUE + timedelta(days=1)
    results: list[list[str]] = []
    barrier = threading.Barrier(3)

    def tick() -> None:
        engine = make_engine(db_url)
        try:
            barrier.wait()
            results.append(run_tick(engine, chat.settings, later))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=tick) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    done = sorted(line for lines in results for line in lines if not line.startswith("veckobrev"))
    assert done == [
        "SAM-2026-0001: effektmätning begärd av sökanden",
        "SAM-2026-0001: resultatmätning begärd av sökanden",
    ]
    assert len(followup_mail(chat)) == 2
