"""Slack messages become applications through the e-mail intake, and the thread is the case.

Signed Events API envelopes and message shortcuts go over HTTP into ``/slack/events``; the
Web API (``users.info``, ``chat.postMessage``, file downloads, ``response_url``) is the local
:class:`FakeSlack`, which records every call. The database is real. The answer in the thread
is queued in the outbox with the case; ``World.posts`` drains the outbox through the real Slack
transport first, as the service's delivery does every few seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from samverkan.bot.deadlines import policy_of
from samverkan.bot.delivery.setup import delivery
from samverkan.bot.slack import EVENTS_PATH, build_slack
from samverkan.bot.tick import run_reminders
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.storage.models import AttachmentRow, MessageRow
from samverkan.storage.registry import documents_of, register_documents
from tests.helpers.chat import (
    APPLICATION,
    KARIN,
    REF,
    STRANGER,
    WITHOUT_ORGNR,
    Chat,
    snapshot,
    text_of,
)
from tests.helpers.intake import by_mail, verdict
from tests.helpers.intake import mail as by_mail_bytes
from tests.helpers.slack import (
    CHANNEL,
    FakeSlack,
    event_body,
    serving,
    shortcut_body,
    signed,
    signed_json,
    slack_settings,
)

INTAKE = "C0ANSOKAN"
LINA = "U0LINA"
LINA_PROFILE = {
    "id": LINA,
    "name": "lina.ek",
    "real_name": "Lina Ek",
    "profile": {"real_name": "Lina Ek", "email": "lina@seved.example"},
}


@dataclass
class World:
    chat: Chat
    fake: FakeSlack
    http: httpx.Client

    def event(self, **event: Any) -> int:
        body = event_body(**event)
        return self.http.post(EVENTS_PATH, content=body, headers=signed_json(body)).status_code

    def shortcut(self, message: dict[str, Any], user: str = KARIN) -> int:
        body = shortcut_body(self.fake, message, user)
        return self.http.post(EVENTS_PATH, content=body, headers=signed(body)).status_code

    def posts(self) -> list[dict[str, Any]]:
        """Every post Slack got outside the officials' channel (where the new-case notices
        go), after the outbox was drained as the service drains it."""
        delivery(self.chat.settings, self.chat.engine).run(self.chat.clock[0])
        posts = [c.body for c in self.fake.to("/chat.postMessage")]
        return [p for p in posts if p.get("channel") != CHANNEL]

    def inbound(self) -> list[MessageRow]:
        with Session(self.chat.engine) as session:
            query = select(MessageRow).where(MessageRow.direction == "in")
            return list(session.exec(query.order_by(col(MessageRow.id))).all())


@pytest.fixture
def world(
    engine: Engine, settings: Settings, now: datetime, fake_slack: FakeSlack
) -> Iterator[World]:
    fake_slack.people[LINA] = LINA_PROFILE
    configured = slack_settings(settings, fake_slack, slack_intake_channel=INTAKE)
    clock = [now]
    intake = Intake(engine, configured, clock=lambda: clock[0])
    bridge = build_slack(
        configured, engine, intake, clock=lambda: clock[0], process_before_response=True
    )
    assert bridge is not None
    with serving(bridge) as http:
        yield World(Chat(engine, configured, intake, clock), fake_slack, http)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # compared with a mailed copy
def test_a_message_in_the_intake_channel_becomes_the_case_the_same_mail_becomes(
    world: World, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    assert world.event(channel=INTAKE, text=APPLICATION, ts="1772443800.000100") == 200

    chat_case = world.chat.case(REF)
    mailed = by_mail(APPLICATION, "Hej!", settings, now, tmp_path)
    assert verdict(chat_case) == verdict(mailed)
    assert chat_case["applicant"]["email"] == "lina@seved.example"
    (answer,) = world.posts()
    assert answer["channel"] == INTAKE
    assert answer["thread_ts"] == "1772443800.000100"  # answered in the message's thread
    assert REF in answer["text"]
    (ack,) = world.chat.outbox("ack")  # Slack gave her address: the e-mail goes too
    assert ack.recipients == "lina@seved.example"
    (stored,) = world.inbound()
    assert stored.source == f"slack:{INTAKE}/1772443800.000100"
    assert stored.raw is not None
    assert b"X-Samverkan-Chat: slack" in stored.raw


def test_a_reply_in_the_thread_joins_the_case_and_officials_talk_freely(world: World) -> None:
    root = "1772443800.000100"
    world.event(channel=INTAKE, text=WITHOUT_ORGNR, ts=root)
    assert world.chat.case()["phase"] == "komplettering"
    (asked,) = world.posts()
    assert "Organisationsnummer" in asked["text"] or "organisationsnummer" in str(asked["blocks"])

    world.event(channel=INTAKE, text="Vi ska kolla det här", user=KARIN, ts="1772443801.0001",
                thread_ts=root)  # fmt: skip
    assert len(world.inbound()) == 1  # an official in the thread is not the actor
    world.event(channel=INTAKE, text="Organisationsnummer: 802457-3167", ts="1772443900.000200",
                thread_ts=root)  # fmt: skip

    case = world.chat.case()
    assert case["phase"] == "bedomning"
    assert case["applicant"]["orgnr"] == "802457-3167"
    assert len(world.inbound()) == 2
    answered = world.posts()[-1]
    assert answered["thread_ts"] == root
    assert f"tillagt i ärende {REF} (diarienummer TN-2026-0001)" in answered["text"]


def test_a_direct_message_is_an_application_from_an_actor_and_a_command_from_an_official(
    world: World,
) -> None:
    dm = "D0LINA"
    world.event(channel=dm, channel_type="im", text=WITHOUT_ORGNR, ts="1772443800.000100")
    assert world.chat.case()["phase"] == "komplettering"
    # a personal chat has no threads: her next message answers the conversation
    world.event(channel=dm, channel_type="im", text="Orgnr 802457-3167", ts="1772443950.000300")
    assert world.chat.case()["phase"] == "bedomning"
    assert [m.case_id for m in world.inbound()] == [world.inbound()[0].case_id] * 2

    before = snapshot(world.chat.engine)
    world.event(channel="D0KARIN", channel_type="im", text="lista", user=KARIN, ts="1772444000.1")
    assert snapshot(world.chat.engine) == before  # an official's message is a command
    (listed,) = [p for p in world.posts() if p["channel"] == "D0KARIN"]
    assert REF in listed["text"] or REF in str(listed["blocks"])


def test_the_shortcut_turns_any_message_with_its_file_into_a_case_for_officials_only(
    world: World,
) -> None:
    world.fake.files["/files-pri/T0MALMO01-F0BUDGET/budget.txt"] = b"Budget: 350 000 kr\n"
    message = {
        "text": APPLICATION,
        "ts": "1772443700.000200",
        "files": [{
            "id": "F0BUDGET", "name": "budget.txt", "mimetype": "text/plain", "size": 19,
            "url_private_download": f"{world.fake.url}files-pri/T0MALMO01-F0BUDGET/budget.txt",
        }],
    }  # fmt: skip
    before = snapshot(world.chat.engine)
    assert world.shortcut(message, user=STRANGER) == 200
    assert snapshot(world.chat.engine) == before
    (refusal,) = [c.body for c in world.fake.calls if c.path.startswith("/hooks/")]
    assert "bara användas av handläggare" in refusal["text"]

    assert world.shortcut(message, user=KARIN) == 200
    case = world.chat.case()
    assert case["applicant"]["contact_name"] == "Lina Ek"  # the message's author, not Karin
    (answer,) = world.posts()
    assert (answer["channel"], answer["thread_ts"]) == ("C0GRANNAR", "1772443700.000200")
    with Session(world.chat.engine) as session:
        (file,) = session.exec(select(AttachmentRow)).all()
    assert file.filename == "budget.txt"
    assert file.data == b"Budget: 350 000 kr\n"
    download = world.fake.to("/files-pri/T0MALMO01-F0BUDGET/budget.txt")
    assert [d.authorization for d in download] == ["Bearer xoxb-test"]

    assert world.shortcut(message, user=KARIN) == 200  # twice on one message: one case
    assert len(world.inbound()) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_other_channels_bots_edits_and_redeliveries_make_no_case(world: World) -> None:
    world.event(channel="C0ANNAT", text=APPLICATION, ts="1772443800.000100")
    world.event(channel=INTAKE, text=APPLICATION, ts="1772443800.000200", bot_id="B0OTHER")
    world.event(channel=INTAKE, text=APPLICATION, ts="1772443800.000300",
                subtype="message_changed")  # fmt: skip
    world.event(channel="C0ANNAT", text="svar", ts="1772443800.4", thread_ts="1772443800.000100")
    assert world.inbound() == []
    assert world.posts() == []
    for _ in range(2):  # the same message delivered twice
        world.event(channel=INTAKE, text=APPLICATION, ts="1772443800.000500")
    assert len(world.inbound()) == 1
    assert len(world.posts()) == 1


# -- the answer goes through the outbox, the case says where it came from ------------------------

NO_ADDRESS = WITHOUT_ORGNR.replace(", lina@seved.example", "")
OLLE = "U0OLLE"  # an actor whose Slack profile has no e-mail address


def test_the_answer_waits_in_the_outbox_with_the_case_and_the_case_says_it_came_by_slack(
    world: World,
) -> None:
    root = "1772443800.000100"
    world.event(channel=INTAKE, text=WITHOUT_ORGNR, ts=root)
    assert world.fake.to("/chat.postMessage") == []  # nothing is posted from the request
    (queued,) = world.chat.outbox("chat_ack")
    assert (queued.channel, queued.recipients, queued.in_reply_to, queued.send_state) == (
        "slack", INTAKE, root, "pending",
    )  # fmt: skip
    (asked,) = world.posts()
    assert (asked["channel"], asked["thread_ts"]) == (INTAKE, root)
    assert REF in asked["text"]
    assert "rganisationsnummer" in asked["text"]
    assert [row.send_state for row in world.chat.outbox("chat_ack")] == ["sent"]
    assert [row.recipients for row in world.chat.outbox("ack")] == ["lina@seved.example"]

    case = world.chat.case()
    assert case["origin"] == "slack"
    assert case["history"][0]["why"] == "ansökan via Slack"
    assert sorted((m["direction"], m["channel"]) for m in case["messages"]) == [
        ("in", "slack"), ("out", "email"), ("out", "slack"),
    ]  # fmt: skip
    with Session(world.chat.engine) as session:
        register_documents(session, now=world.chat.clock[0])
        session.commit()
        kinds = [(d.kind, d.direction) for d in documents_of(session, 1)]
    assert ("Slack-meddelande", "in") in kinds
    assert ("brev", "ut") in kinds


def olle_applies(world: World) -> str:
    """Olle, whose Slack profile has no e-mail address, applies in the intake channel; the
    thread's root is returned."""
    world.fake.people[OLLE] = {"id": OLLE, "real_name": "Olle", "profile": {"real_name": "Olle"}}
    root = "1772443800.000100"
    world.event(channel=INTAKE, text=NO_ADDRESS, ts=root, user=OLLE)
    return root


def test_a_request_for_more_information_goes_to_the_thread_of_a_case_without_an_address(
    world: World,
) -> None:
    root = olle_applies(world)
    world.posts()  # the acknowledgement
    assert world.chat.outbox("ack") == []  # no address: no e-mail

    answer = world.chat(f"komplettera {REF} Skicka gärna budgeten.")
    assert "tråden i Slack" in text_of(answer)
    asked = world.posts()[-1]
    assert (asked["channel"], asked["thread_ts"]) == (INTAKE, root)
    assert "Skicka gärna budgeten." in asked["text"]
    assert REF in asked["text"]
    assert world.chat.outbox("request_info") == []


def test_the_reminder_of_an_unanswered_request_goes_to_the_thread_of_a_case_without_an_address(
    world: World,
) -> None:
    root = olle_applies(world)
    world.chat(f"komplettera {REF} Skicka gärna budgeten.")
    before = len(world.posts())
    days = policy_of(world.chat.settings).offset("komplettering").amount

    world.chat.clock[0] += timedelta(days=days, hours=1)
    done = run_reminders(world.chat.engine, world.chat.settings, world.chat.clock[0])

    assert any(REF in line for line in done)
    reminded = world.posts()[before:]
    (to_actor,) = [p for p in reminded if p.get("thread_ts") == root]
    assert to_actor["channel"] == INTAKE
    assert f"För {days} dagar sedan bad vi om" in to_actor["text"]
    assert REF in to_actor["text"]
    assert [m.channel for m in world.chat.outbox("komplettering")] == ["slack"]  # no e-mail
    assert run_reminders(world.chat.engine, world.chat.settings, world.chat.clock[0]) == []


def test_a_direct_message_after_a_decision_is_a_new_application_and_threads_still_join(
    world: World,
) -> None:
    dm, first = "D0LINA", "1772443800.000100"
    world.event(channel=dm, channel_type="im", text=WITHOUT_ORGNR, ts=first)
    world.chat(f"avsla {REF} Ansökan ligger utanför modellen.")
    assert world.chat.case()["phase"] == "avslag"

    world.event(channel=dm, channel_type="im", text=APPLICATION, ts="1772450000.000100")
    second = world.chat.case("SAM-2026-0002")
    assert second["phase"] == "bedomning"  # a new case, not a late reply to the refused one
    world.event(channel=dm, channel_type="im", text="Vi kan träffas på tisdag.",
                ts="1772450100.000100")  # fmt: skip
    assert len(world.chat.case("SAM-2026-0002")["messages"]) > len(second["messages"])

    # her reply in the refused case's own thread is still a reply to it
    world.event(channel=dm, channel_type="im", text="Varför?", ts="1772450200.1", thread_ts=first)
    assert [m.case_id for m in world.inbound()] == [1, 2, 2, 1]
    assert len(world.chat.outbox("reply_closed")) == 1
    told = world.posts()[-1]
    assert told["thread_ts"] == first
    assert "avslutat" in told["text"]


def test_an_officials_message_in_the_intake_channel_is_a_command_or_a_hint_never_a_case(
    world: World,
) -> None:
    world.event(channel=INTAKE, user=KARIN, text=APPLICATION, ts="1772443800.000100")
    world.event(channel=INTAKE, user=KARIN, text="lista", ts="1772443800.000200")
    assert world.inbound() == []
    hint, listed = [c.body for c in world.fake.to("/chat.postEphemeral")]
    assert (hint["channel"], hint["user"]) == (INTAKE, KARIN)
    assert "inget ärende" in hint["text"]
    assert "Skapa ärende" in hint["text"]
    assert listed["user"] == KARIN
    assert "Inga ärenden" in listed["text"]
    assert world.posts() == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_a_mail_that_carries_the_chat_headers_is_read_as_mail_and_posts_nowhere(
    world: World,
) -> None:
    forged = {"X-Samverkan-Chat": "slack", "X-Samverkan-Chat-Reply-To": "C0STYRELSEN",
              "X-Samverkan-Chat-Thread": "1772443800.000100"}  # fmt: skip
    raw = by_mail_bytes(APPLICATION, headers=forged)
    assert world.chat.intake.process(raw, source="imap://mail/INBOX;UID=7").case == REF
    assert world.chat.outbox("chat_ack") == []
    case = world.chat.case()
    assert (case["origin"], case["history"][0]["why"]) == ("email", "ansökan via e-post")
    assert world.posts() == []


def test_a_direct_message_with_only_a_file_is_an_application_read_from_the_file(
    world: World,
) -> None:
    path = "/files-pri/T0MALMO01-F0ANSOKAN/ansokan.txt"
    world.fake.files[path] = APPLICATION.encode()
    files = [{"id": "F0ANSOKAN", "name": "ansokan.txt", "mimetype": "text/plain",
              "size": len(APPLICATION.encode()),
              "url_private_download": world.fake.url + path[1:]}]  # fmt: skip
    world.event(channel="D0LINA", channel_type="im", text="", ts="1772443800.000100",
                subtype="file_share", files=files)  # fmt: skip
    case = world.chat.case()
    assert case["applicant"]["orgnr"] == "802457-3167"  # read from the file, as from a mail's
    (answer,) = world.posts()
    assert REF in answer["text"]


def test_a_lone_picture_is_quarantined_and_the_actor_is_told_it_arrived_in_the_thread(
    world: World,
) -> None:
    path = "/files-pri/T0MALMO01-F0BILD/bild.png"
    world.fake.files[path] = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    files = [{"id": "F0BILD", "name": "bild.png", "mimetype": "image/png", "size": 72,
              "url_private_download": world.fake.url + path[1:]}]  # fmt: skip
    world.event(channel="D0LINA", channel_type="im", text="", ts="1772443800.000100",
                subtype="file_share", files=files)  # fmt: skip
    (stored,) = world.inbound()
    assert (stored.outcome, stored.case_id) == ("quarantined", None)
    (told,) = world.posts()
    assert told["thread_ts"] == "1772443800.000100"
    assert "tagit emot ert meddelande" in told["text"]
    assert len(world.chat.outbox("quarantine")) == 1  # and an official looks
