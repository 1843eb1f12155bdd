"""Reminders fire once when due: set the clock, tick, and look at what was queued."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from samverkan.bot import deadlines, tick
from samverkan.bot.tick import run_tick
from samverkan.config import Settings
from samverkan.storage.db import make_engine
from samverkan.storage.models import (
    CaseRow,
    DecisionRow,
    MessageRow,
    PhaseChangeRow,
    ReminderRow,
)
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


def at_once(count: int, db_url: str, run: Callable[[Engine], list[str]]) -> list[str]:
    """``count`` instances, each with its own engine, started together; every line they
    report. An instance that failed fails the test."""
    results: list[list[str]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def instance() -> None:
        engine = make_engine(db_url)
        try:
            barrier.wait()
            results.append(run(engine))
        except BaseException as exc:  # the assertion below names it
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=instance) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(results) == count
    return [line for lines in results for line in lines]


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
    lines = at_once(3, db_url, lambda engine: run_tick(engine, chat.settings, later))
    assert sorted(line for line in lines if not line.startswith("veckobrev")) == [
        "SAM-2026-0001: effektmätning begärd av sökanden",
        "SAM-2026-0001: resultatmätning begärd av sökanden",
    ]
    assert len(followup_mail(chat)) == 2


def granted_cases(engine: Engine, count: int, *, later: int) -> None:
    """``count`` cases granted at GRANTED_AT and ``later`` granted a month after, as stored
    rows whose reminders the tick's own reconciling has not yet worked out."""
    tables = [m.__table__ for m in (CaseRow, PhaseChangeRow, DecisionRow)]  # type: ignore[attr-defined]
    cases, moves, decisions = [], [], []
    for i in range(1, count + later + 1):
        at = GRANTED_AT if i <= count else GRANTED_AT + timedelta(days=30)
        ref = f"SAM-2026-{i:04d}"
        cases.append(
            {"id": i, "ref": ref, "year": 2026, "seq": i, "title": ref, "phase": "genomforande",
             "origin": "email", "application": {"email": f"aktor{i}@example.org"},
             "assigned_to": "U0KARIN", "created_at": at, "updated_at": at}
        )  # fmt: skip
        moves.append({"case_id": i, "at": at, "by": "U0KARIN", "from_phase": "namnd",
                      "to_phase": "genomforande", "why": "beviljat"})  # fmt: skip
        decisions.append({"case_id": i, "outcome": "beviljad", "support": [], "by": "U0KARIN",
                          "at": at})  # fmt: skip
    with engine.begin() as conn:
        for table, rows in zip(tables, (cases, moves, decisions), strict=True):
            conn.execute(insert(table), rows)


def test_four_instances_ticking_at_once_send_each_of_many_reminders_once(
    engine: Engine, settings: Settings, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """60 granted cases due for their result measurement, four tickers started together,
    small batches so that they claim turn about: every request goes out once, to its own
    actor, and each is followed by its one reminder; the cases not yet due wait."""
    granted_cases(engine, 60, later=20)
    deadlines.sync_changed(engine, settings, GRANTED_AT)  # the reminders stand; now the claims
    monkeypatch.setattr(tick, "BATCH", 7)
    lines = at_once(4, db_url, lambda engine: tick.run_reminders(engine, settings, RESULT_DUE))
    assert sorted(lines) == [
        f"SAM-2026-{i:04d}: resultatmätning begärd av sökanden" for i in range(1, 61)
    ]
    with Session(engine) as session:
        mail = session.exec(
            select(MessageRow.case_id, MessageRow.recipients).where(
                MessageRow.kind == "resultatmatning"
            )
        ).all()
        states = session.exec(
            select(ReminderRow.kind, ReminderRow.state, func.count()).group_by(
                col(ReminderRow.kind), col(ReminderRow.state)
            )
        ).all()
    assert sorted(mail) == [(i, f"aktor{i}@example.org") for i in range(1, 61)]
    assert sorted(states) == [
        ("effektmatning", "pending", 80),
        ("resultatmatning", "done", 60),
        ("resultatmatning", "pending", 20),
        ("resultatmatning_paminnelse", "pending", 60),
    ]
