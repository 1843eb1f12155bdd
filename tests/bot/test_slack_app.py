"""The Slack app around the commands: forms (modals) and the App Home, end to end.

Signed requests into ``/slack/events``; ``views.open``, ``views.publish`` and
``chat.postMessage`` land in the local :class:`FakeSlack`. The database is real.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from samverkan.bot.slack import EVENTS_PATH, build_slack
from samverkan.bot.slack_modals import DECISION_VIEW, NEW_CASE_SHORTCUT, NEW_CASE_VIEW
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from tests.helpers.chat import ANNA, KARIN, REF, STRANGER, Chat, snapshot
from tests.helpers.slack import (
    FakeSlack,
    click_body,
    home_body,
    json_of,
    serving,
    shortcut_global_body,
    signed,
    signed_json,
    slack_settings,
    submission_body,
)

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the DB


@dataclass
class World:
    chat: Chat
    fake: FakeSlack
    http: httpx.Client

    def post(self, body: str, *, as_json: bool = False) -> httpx.Response:
        headers = signed_json(body) if as_json else signed(body)
        return self.http.post(EVENTS_PATH, content=body, headers=headers)

    def opened(self) -> list[dict[str, Any]]:
        return [json_of(c.body["view"]) for c in self.fake.to("/views.open")]

    def posts(self) -> list[dict[str, Any]]:
        return [c.body for c in self.fake.to("/chat.postMessage")]


@pytest.fixture
def world(
    engine: Engine, settings: Settings, now: datetime, fake_slack: FakeSlack
) -> Iterator[World]:
    configured = slack_settings(settings, fake_slack)
    clock = [now]
    intake = Intake(engine, configured, clock=lambda: clock[0])
    bridge = build_slack(
        configured, engine, intake, clock=lambda: clock[0], process_before_response=True
    )
    assert bridge is not None
    with serving(bridge) as http:
        yield World(Chat(engine, configured, intake, clock), fake_slack, http)


DECIDE = {
    "action_id": "samverkan:ask:beslut",
    "value": f"beslut {REF} beviljad § … stödform=… belopp=…",
    "text": {"type": "plain_text", "text": "Registrera beslut"},
}


def test_the_decision_button_opens_a_form_whose_submission_records_the_decision(
    world: World,
) -> None:
    world.chat.apply()
    assert world.chat(f"godkänn {REF}").ok
    assert world.post(click_body(world.fake, DECIDE)).status_code == 200
    (form,) = world.opened()
    assert form["callback_id"] == DECISION_VIEW
    assert form["private_metadata"] == REF
    assert world.fake.to("/views.open")[0].body["trigger_id"]

    before = snapshot(world.chat.engine)
    wrong = world.post(
        submission_body(DECISION_VIEW, {"utfall": "beviljad", "paragraf": "45"}, meta=REF)
    )
    assert wrong.json()["response_action"] == "errors"  # shown in the form; nothing ran
    assert "Ange vilket stöd" in str(wrong.json()["errors"])
    assert snapshot(world.chat.engine) == before

    values = {"utfall": "beviljad", "paragraf": "45", "sammantrade": "2026-03-02",
              "stodform": ["finansiering", "processtod"], "belopp": "350000"}  # fmt: skip
    done = world.post(submission_body(DECISION_VIEW, values, meta=REF))
    assert (done.status_code, done.text) == (200, "")  # the form closes
    case = world.chat.case()
    assert case["phase"] == "genomforande"
    assert case["history"][-1]["by"] == KARIN
    (answer,) = world.posts()
    assert answer["channel"] == KARIN  # the answer comes as a direct message


def test_the_new_case_shortcut_opens_a_form_and_a_stranger_can_open_no_case(world: World) -> None:
    assert world.post(shortcut_global_body(NEW_CASE_SHORTCUT)).status_code == 200
    (form,) = world.opened()
    assert form["callback_id"] == NEW_CASE_VIEW
    values = {"titel": "Trygghet på Lindängen", "omrade": "Lindängen",
              "organisation": "Lindängens BID", "stodform": "processtöd"}  # fmt: skip

    before = snapshot(world.chat.engine)
    world.post(submission_body(NEW_CASE_VIEW, values, user=STRANGER))
    assert snapshot(world.chat.engine) == before
    assert "inte registrerad som handläggare" in world.posts()[-1]["text"]

    assert world.post(submission_body(NEW_CASE_VIEW, values)).status_code == 200
    case = world.chat.case()
    assert case["title"] == "Trygghet på Lindängen"
    assert case["area"]["name"] == "Lindängen"
    assert case["applicant"]["organisation"] == "Lindängens BID"


def test_the_app_home_lists_the_officials_cases_and_tells_others_how_to_apply(
    world: World,
) -> None:
    world.chat.apply()
    assert world.chat(f"tilldela {REF} @{KARIN}", who=ANNA).ok
    assert world.chat(f"möte {REF} 2026-03-10 10:00").ok
    assert world.post(home_body(KARIN), as_json=True).status_code == 200
    assert world.post(home_body(STRANGER), as_json=True).status_code == 200

    karin, stranger = world.fake.to("/views.publish")
    assert karin.body["user_id"] == KARIN
    home = json_of(karin.body["view"])
    assert home["type"] == "home"
    shown = str(home["blocks"])
    assert REF in shown
    assert "Förfaller" in shown
    assert "möte" in shown
    assert all(b["type"] != "actions" for b in home["blocks"])
    assert stranger.body["user_id"] == STRANGER
    assert "söka samverkansstöd" in str(json_of(stranger.body["view"]))
