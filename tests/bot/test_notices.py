"""Notices drained to Slack: each posted once, escaped, retried only when surely not posted."""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from samverkan.bot.delivery import MAX_ATTEMPTS, Delivery, FakeTransport, Result, Transport
from samverkan.bot.delivery.slack import SlackTransport
from samverkan.bot.slack import make_client
from samverkan.config import Settings
from samverkan.intake.outbox import queue_notice
from samverkan.intake.pipeline import Intake
from samverkan.storage.db import session_scope
from samverkan.storage.models import MessageRow
from samverkan.storage.outbox import SENDING, OutboxItem, Routing, UnroutedNotice
from tests.helpers.chat import APPLICATION, mail
from tests.helpers.slack import CHANNEL, HOSTILE, FakeSlack, fake_slack, slack_settings

__all__ = ["fake_slack"]  # the fixture, used by name


def to_channel(notices: Sequence[UnroutedNotice], now: datetime) -> Routing:
    """Routing as Slack settings make it here: every notice to the officials' channel."""
    return Routing({n.id: [f"slack:{CHANNEL}"] for n in notices})


def drainer(engine: Engine, transport: Transport) -> Delivery:
    return Delivery(engine, {"slack": transport}, planner=to_channel)


def post_pending_notices(engine: Engine, delivery: Delivery, now: datetime, limit: int = 50) -> int:
    """How many notices one drain round posted."""
    return len(delivery.run(now, limit=limit).delivered)


def queue(engine: Engine, now: datetime, *texts: str) -> list[int]:
    with session_scope(engine) as session:
        for text in texts:
            queue_notice(session, case=None, text=text, kind="quarantine", now=now)
    return [n.id for n in notices(engine) if n.body_text in texts]  # type: ignore[misc]


def notices(engine: Engine) -> list[MessageRow]:
    with Session(engine) as session:
        query = select(MessageRow).where(MessageRow.channel == "notice")
        return list(session.exec(query.order_by(col(MessageRow.id))).all())


def test_a_new_case_is_announced_once_with_the_actor_text_escaped(
    engine: Engine, settings: Settings, now: datetime, fake_slack: FakeSlack
) -> None:
    configured = slack_settings(settings, fake_slack)
    intake = Intake(engine, configured, clock=lambda: now)
    intake.process(mail(APPLICATION, subject=f"Ansökan {HOSTILE}"), source="t.eml")
    queued = notices(engine)
    assert queued
    post = drainer(engine, SlackTransport(make_client(configured)))

    assert post_pending_notices(engine, post, now) == len(queued)
    assert post_pending_notices(engine, post, now + timedelta(hours=1)) == 0

    posted = fake_slack.to("/chat.postMessage")
    assert len(posted) == len(queued)
    new_case = next(p.body for p in posted if "Nytt ärende" in p.body["text"])
    assert new_case["channel"] == CHANNEL
    assert new_case["unfurl_links"] is False
    for danger in ("<!channel>", "<https://evil", "*bold*"):
        assert danger not in new_case["text"], danger
        assert danger not in str(new_case["blocks"]), danger
    assert "&lt;!channel&gt;" in new_case["text"]
    assert new_case["blocks"][0]["text"]["verbatim"] is True
    rows = notices(engine)
    assert {r.send_state for r in rows} == {"sent"}
    assert all(r.sent_at == now and r.attempts == 1 for r in rows)
    ids = [r.message_id or "" for r in rows]
    assert all(i.startswith(f"slack:{CHANNEL}:1772443800.") for i in ids)  # channel and ts
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_when_slack_says_no_the_notice_waits_and_is_posted_once_later(
    engine: Engine, settings: Settings, now: datetime, fake_slack: FakeSlack
) -> None:
    (notice_id,) = queue(engine, now, "Ett e-postmeddelande lades i karantän: trasig MIME")
    post = drainer(engine, SlackTransport(make_client(slack_settings(settings, fake_slack))))
    fake_slack.fail["/chat.postMessage"] = "channel_not_found"

    assert post_pending_notices(engine, post, now) == 0
    (row,) = notices(engine)
    assert (row.send_state, row.attempts, row.last_error) == ("pending", 1, "channel_not_found")
    assert row.next_attempt_at == now + timedelta(minutes=1)
    assert post_pending_notices(engine, post, now + timedelta(seconds=30)) == 0
    assert len(fake_slack.to("/chat.postMessage")) == 1  # not asked again before it is due

    del fake_slack.fail["/chat.postMessage"]
    later = now + timedelta(minutes=1)
    assert post_pending_notices(engine, post, later) == 1
    assert post_pending_notices(engine, post, later + timedelta(days=1)) == 0
    (row,) = notices(engine)
    assert row.id == notice_id
    assert (row.send_state, row.attempts, row.sent_at) == ("sent", 2, later)
    assert row.last_error is None
    assert len(fake_slack.to("/chat.postMessage")) == 2  # one refused, one posted


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_slack_out_of_reach_is_retried_and_gives_up_after_the_last_attempt(
    engine: Engine, settings: Settings, now: datetime
) -> None:
    with socket.socket() as sock:  # a port nobody listens on: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    unreachable = settings.model_copy(
        update={"slack_bot_token": SecretStr("xoxb-test"),
                "slack_api_url": f"http://127.0.0.1:{port}/"}
    )  # fmt: skip
    queue(engine, now, "Svar i ärende SAM-2026-0001")
    post = drainer(engine, SlackTransport(make_client(unreachable)))
    moment = now
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert post_pending_notices(engine, post, moment) == 0
        (row,) = notices(engine)
        assert row.attempts == attempt
        assert "kunde inte nås" in (row.last_error or "")
        moment = row.next_attempt_at or moment
    assert row.send_state == "failed"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_an_unknown_outcome_is_never_retried(engine: Engine, now: datetime) -> None:
    """A timeout after the post went out may mean Slack has it: trying again could post twice."""
    queue(engine, now, "Påminnelse SAM-2026-0001: möte")

    def timing_out(item: OutboxItem) -> Result:
        raise TimeoutError("read timed out")

    fake = FakeTransport("slack", answer=timing_out)
    assert post_pending_notices(engine, drainer(engine, fake), now) == 0
    for later in (now + timedelta(minutes=5), now + timedelta(days=2)):
        assert post_pending_notices(engine, drainer(engine, fake), later) == 0
    assert len(fake.tried) == 1
    (row,) = notices(engine)
    assert row.send_state == "failed"
    assert "osäkert" in (row.last_error or "")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_a_claim_left_by_a_dead_drainer_is_not_posted_again(
    engine: Engine, now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    (notice_id,) = queue(engine, now, "Nytt ärende SAM-2026-0002")
    with session_scope(engine) as session:
        row = session.get(MessageRow, notice_id)
        assert row is not None
        row.send_state, row.attempts = SENDING, 1  # claimed, then the process died
        session.add(row)
    fake = FakeTransport("slack")
    assert post_pending_notices(engine, drainer(engine, fake), now + timedelta(hours=1)) == 0
    assert fake.tried == []
    assert "kan ha gått förlorade" in caplog.text


def test_two_drainers_at_once_post_each_notice_once(
    engine: Engine, settings: Settings, now: datetime, fake_slack: FakeSlack
) -> None:
    texts = [f"Nytt ärende SAM-2026-{n:04d}" for n in range(1, 41)]
    ids = queue(engine, now, *texts)
    client = make_client(slack_settings(settings, fake_slack))
    start = threading.Barrier(2)
    posted: dict[str, list[int]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def drain(name: str) -> None:
        slack = SlackTransport(client)

        def post(item: OutboxItem) -> Result:
            posted[name].append(item.id)
            return slack.deliver(item)

        recording = drainer(engine, FakeTransport("slack", answer=post))
        try:
            start.wait(5)
            while post_pending_notices(engine, recording, now, limit=3):
                pass
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=drain, args=(name,)) for name in posted]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    both = posted["a"] + posted["b"]
    assert sorted(both) == sorted(ids)  # every notice, none twice
    sent_texts = [c.body["text"] for c in fake_slack.to("/chat.postMessage")]
    assert sorted(sent_texts) == sorted(texts)
    assert {r.send_state for r in notices(engine)} == {"sent"}
