"""The Slack adapter end to end: signed requests into /slack/events, a local fake Web API.

Requests are signed exactly as Slack signs them and go over HTTP to the Starlette route served
by uvicorn on loopback; every call the app makes to Slack lands in :class:`FakeSlack`, a
``ThreadingHTTPServer`` that answers like the Web API and doubles as the ``response_url``
target. The database is real (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any
from urllib.parse import parse_qsl

import docx
import httpx
import pytest
from pydantic import SecretStr
from slack_bolt import BoltRequest
from sqlalchemy.engine import Engine

from samverkan.bot.delivery.setup import delivery
from samverkan.bot.slack import (
    EVENTS_PATH,
    SlackBridge,
    SlackConfigError,
    build_slack,
)
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from tests.helpers.chat import APPLICATION, STRANGER, Chat, mail, snapshot
from tests.helpers.slack import (
    CHANNEL,
    HOSTILE,
    FakeSlack,
    click_body,
    command_body,
    serving,
    signed,
    slack_settings,
)

REF = "SAM-2026-0001"


# -- the fake Web API ---------------------------------------------------------------------------


# -- Slack's side: signed requests ----------------------------------------------------------


@dataclass
class SlackWorld:
    chat: Chat
    fake: FakeSlack
    bridge: SlackBridge
    http: httpx.Client

    def command(self, text: str, user: str = "U0KARIN") -> int:
        body = command_body(self.fake, text, user)
        response = self.http.post(EVENTS_PATH, content=body, headers=signed(body))
        assert response.text == ""  # acknowledged with nothing; the answer goes to response_url
        return response.status_code

    def click(self, element: dict[str, Any], user: str = "U0KARIN") -> int:
        body = click_body(self.fake, element, user)
        return self.http.post(EVENTS_PATH, content=body, headers=signed(body)).status_code

    def answers(self) -> list[dict[str, Any]]:
        return [c.body for c in self.fake.calls if c.path.startswith("/hooks/")]

    def phase(self) -> str:
        return str(self.chat.case()["phase"])


@pytest.fixture
def world(
    engine: Engine, settings: Settings, now: datetime, fake_slack: FakeSlack
) -> Iterator[SlackWorld]:
    configured = slack_settings(settings, fake_slack)
    clock = [now]
    intake = Intake(engine, configured, clock=lambda: clock[0])
    chat = Chat(engine, configured, intake, clock)
    bridge = build_slack(
        configured, engine, intake, clock=lambda: clock[0], process_before_response=True
    )
    assert bridge is not None
    with serving(bridge) as http:
        yield SlackWorld(chat, fake_slack, bridge, http)


def buttons(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        e["action_id"]: e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]
    }


def all_text(answer: dict[str, Any]) -> str:
    return json.dumps(answer, ensure_ascii=False)


# -- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_nothing_calls_slack_until_there_is_something_to_say(world: SlackWorld) -> None:
    assert world.fake.calls == []  # no auth.test at build time
    assert world.command("hjälp") == 200
    assert world.fake.paths() == ["/hooks/commands/T0MALMO01/1"]  # nor on the first request


def test_forged_and_stale_requests_get_401_and_change_nothing(world: SlackWorld) -> None:
    world.chat.apply()
    before = snapshot(world.chat.engine)
    body = command_body(world.fake, f"godkänn {REF}")
    forged = {"X-Slack-Signature": "v0=" + "0" * 64}
    attempts = [
        signed(body, secret="not-the-secret"),
        signed(body, age=6 * 60),  # replayed after Slack's five minutes
        {**signed(body), **forged},
        {"Content-Type": "application/x-www-form-urlencoded"},  # unsigned
    ]
    for headers in attempts:
        assert world.http.post(EVENTS_PATH, content=body, headers=headers).status_code == 401
    tampered = body.replace("godk", "avsl")
    assert world.http.post(EVENTS_PATH, content=tampered, headers=signed(body)).status_code == 401
    assert world.fake.calls == []
    assert snapshot(world.chat.engine) == before
    assert world.phase() == "bedomning"


def test_show_answers_the_official_alone_and_hostile_text_stays_text(world: SlackWorld) -> None:
    hostile = APPLICATION.replace("Organisation: Sevedsföreningen", f"Organisation: {HOSTILE}")
    result = world.chat.intake.process(mail(hostile, subject=f"Ansökan {HOSTILE}"), source="t.eml")
    assert result.case == REF
    assert world.command(f"visa {REF}") == 200
    (answer,) = world.answers()
    assert answer["response_type"] == "ephemeral"
    assert answer["unfurl_links"] is False
    everything = all_text(answer)
    assert "Malmö stad" in everything  # the actor's words are shown ...
    for danger in ("<!channel>", "<https://evil", "*bold*", "|Malmö stad>"):
        assert danger not in everything, danger  # ... but never as mention, link or markup
    assert "&lt;!channel&gt;" in everything
    texts = [b["text"] for b in answer["blocks"] if b["type"] == "section"]
    assert texts
    assert all(t["type"] == "mrkdwn" and t["verbatim"] is True for t in texts)
    assert "&lt;!channel&gt;" in answer["text"]  # the notification text too
    assert buttons(answer)["samverkan:run:godkann"]["value"] == f"godkänn {REF}"


def test_apply_show_and_approve_by_button_puts_the_case_before_the_committee(
    world: SlackWorld,
) -> None:
    assert world.chat.apply() == REF
    assert world.phase() == "bedomning"
    world.command(f"visa {REF}")
    (shown,) = world.answers()
    approve = buttons(shown)["samverkan:run:godkann"]

    assert world.click(approve) == 200

    assert world.phase() == "namnd"
    history = world.chat.case()["history"]
    assert history[-1]["by"] == "U0KARIN"
    approved = world.answers()[-1]
    assert approved["response_type"] == "in_channel"  # colleagues see who approved
    assert "tekniska nämnden" in all_text(approved)
    upload, word = world.fake.to("/upload/F0MEMO")
    memo = upload.raw.decode()
    assert REF in memo
    assert "Tjänsteskrivelse" in memo
    document = docx.Document(BytesIO(word.raw))  # the Word file arrives as Word
    assert any(p.text == "Förslag till beslut" for p in document.paragraphs)
    asked = world.fake.to("/files.getUploadURLExternal")
    assert [a.body["filename"] for a in asked] == [
        f"tjansteskrivelse-{REF}.md",
        f"tjansteskrivelse-{REF}.docx",
    ]
    assert asked[0].authorization == "Bearer xoxb-test"
    done = world.fake.to("/files.completeUploadExternal")
    assert [d.body["channel_id"] for d in done] == [CHANNEL, CHANNEL]


def test_someone_who_is_not_an_official_is_refused_politely_and_nothing_changes(
    world: SlackWorld,
) -> None:
    world.chat.apply()
    before = snapshot(world.chat.engine)
    world.command(f"godkänn {REF}", user=STRANGER)
    world.command(f"visa {REF}", user=STRANGER)
    element = {"action_id": "samverkan:run:godkann", "value": f"godkänn {REF}",
               "text": {"type": "plain_text", "text": "Godkänn"}}  # fmt: skip
    world.click(element, user=STRANGER)
    answers = world.answers()
    assert len(answers) == 3
    for answer in answers:
        assert answer["response_type"] == "ephemeral"
        assert "inte registrerad som handläggare" in answer["text"]
    assert snapshot(world.chat.engine) == before
    assert world.fake.to("/files.getUploadURLExternal") == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_a_button_that_needs_more_words_answers_with_the_command_to_type(
    world: SlackWorld,
) -> None:
    world.chat.apply()
    world.command(f"visa {REF}")
    meeting = buttons(world.answers()[0])["samverkan:ask:mote"]
    before = snapshot(world.chat.engine)
    assert world.click(meeting) == 200
    hint = world.answers()[-1]
    assert hint["response_type"] == "ephemeral"
    assert f"/samverkan möte {REF} ÅÅÅÅ-MM-DD TT:MM" in all_text(hint)
    assert snapshot(world.chat.engine) == before


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_a_button_whose_command_is_not_its_action_runs_nothing(world: SlackWorld) -> None:
    world.chat.apply()
    before = snapshot(world.chat.engine)
    mismatched = {"action_id": "samverkan:run:visa", "value": f"godkänn {REF}",
                  "text": {"type": "plain_text", "text": "Visa"}}  # fmt: skip
    assert world.click(mismatched) == 200
    assert "känns inte igen" in world.answers()[-1]["text"]
    assert snapshot(world.chat.engine) == before


def test_a_retried_or_repeated_request_runs_once(world: SlackWorld) -> None:
    world.chat.apply()
    body = command_body(world.fake, f"bedöm {REF} per telefon", trigger="7412.1.same")
    retry = signed(body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert world.http.post(EVENTS_PATH, content=body, headers=retry).status_code == 200
    assert world.fake.calls == []
    world.chat("komplettera SAM-2026-0001 budget tack")  # now bedöm is a change again
    assert world.phase() == "komplettering"
    for _ in range(2):  # the same delivery twice (same trigger_id)
        assert world.http.post(EVENTS_PATH, content=body, headers=signed(body)).status_code == 200
    assert len(world.answers()) == 1
    assert [h["to"] for h in world.chat.case()["history"]].count("bedomning") == 2


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_when_slack_refuses_the_memo_the_official_is_told_where_to_get_it(
    world: SlackWorld,
) -> None:
    world.chat.apply()
    world.fake.fail["/files.getUploadURLExternal"] = "not_in_channel"
    world.command(f"godkänn {REF}")
    assert world.phase() == "namnd"  # the approval stands
    approved, note = world.answers()
    assert approved["response_type"] == "in_channel"
    assert note["response_type"] == "ephemeral"
    assert f"samverkan memo {REF}" in note["text"]
    assert f"samverkan memo {REF} --docx FIL" in note["text"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_the_real_endpoint_acknowledges_first_and_answers_by_response_url(
    engine: Engine, settings: Settings, now: datetime, fake_slack: FakeSlack
) -> None:
    """The service's own mode: uvicorn on loopback, listeners after the ack."""
    configured = slack_settings(settings, fake_slack)
    intake = Intake(engine, configured, clock=lambda: now)
    bridge = build_slack(configured, engine, intake, clock=lambda: now)
    assert bridge is not None
    with serving(bridge) as http:
        body = command_body(fake_slack, "lista")
        assert http.post(EVENTS_PATH, content=body, headers=signed(body)).status_code == 200
        assert fake_slack.arrived.wait(5)  # the listener ran after the ack, in bolt's pool
        (answer,) = [c.body for c in fake_slack.calls if c.path.startswith("/hooks/")]
        assert answer["response_type"] == "ephemeral"
        assert "Inga ärenden" in answer["text"]
        forged = signed(body, secret="x")
        assert http.post(EVENTS_PATH, content=body, headers=forged).status_code == 401
        assert len(fake_slack.calls) == 1


def test_notices_go_to_the_configured_channel_only(
    world: SlackWorld, engine: Engine, now: datetime
) -> None:
    world.chat.apply()
    assert [n.send_state for n in world.chat.outbox("new_case")] == ["pending"]
    unconfigured = world.bridge.settings.model_copy(update={"slack_channel": None})
    assert len(delivery(unconfigured, engine).run(now).delivered) == 0
    assert world.fake.calls == []
    assert [n.send_state for n in world.chat.outbox("new_case")] == ["pending"]

    assert len(delivery(world.bridge.settings, engine).run(now).delivered) >= 1
    posted = world.fake.to("/chat.postMessage")
    assert {p.body["channel"] for p in posted} == {CHANNEL}
    assert {p.authorization for p in posted} == {"Bearer xoxb-test"}
    assert any(f"Nytt ärende {REF}" in p.body["text"] for p in posted)
    assert [n.send_state for n in world.chat.outbox("new_case")] == ["sent"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_configuration_decides_what_runs(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, now: datetime
) -> None:
    intake = Intake(engine, settings, clock=lambda: now)
    clock: Callable[[], datetime] = lambda: now  # noqa: E731
    assert build_slack(settings, engine, intake, clock=clock) is None  # no bot token
    half = slack_settings(fake_slack_settings := settings, fake_slack, slack_signing_secret=None)
    assert fake_slack_settings is settings
    with pytest.raises(SlackConfigError, match="SIGNING_SECRET"):
        build_slack(half, engine, intake, clock=clock)
    socket_only = slack_settings(
        settings, fake_slack, slack_signing_secret=None, slack_app_token=SecretStr("xapp-1-test")
    )
    bridge = build_slack(socket_only, engine, intake, clock=clock)
    assert bridge is not None
    assert bridge.routes() == []  # no unverifiable HTTP endpoint
    handler = bridge.socket_mode_handler()
    assert handler is not None
    assert handler.app is bridge.app
    assert fake_slack.calls == []  # built, not connected: no Slack at start-up


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_socket_mode_requests_run_the_same_command_core(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, now: datetime
) -> None:
    """What Socket Mode hands to the app (an unsigned request from the websocket) runs the
    same listener; the websocket itself cannot be tested without Slack."""
    configured = slack_settings(
        settings, fake_slack, slack_signing_secret=None, slack_app_token=SecretStr("xapp-1-test")
    )
    intake = Intake(engine, configured, clock=lambda: now)
    bridge = build_slack(
        configured, engine, intake, clock=lambda: now, process_before_response=True
    )
    assert bridge is not None
    fields = dict(parse_qsl(command_body(fake_slack, "hjälp")))
    response = bridge.app.dispatch(BoltRequest(body=fields, mode="socket_mode"))
    assert response.status == 200
    (answer,) = [c.body for c in fake_slack.calls if c.path.startswith("/hooks/")]
    assert "Kommandon i Samverkan" in answer["text"]
