"""Cases walked through months with the clock set: every reminder on its working day, once,
to every place the officials work, and nothing for a case that is closed."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from samverkan.bot.tick import run_tick
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.rules.gazetteer import Gazetteer
from tests.conftest import SmtpSink
from tests.helpers.chat import ANNA, APPLICATION, KARIN, Chat
from tests.helpers.slack import CHANNEL, FakeSlack, fake_slack, slack_settings

__all__ = ["fake_slack"]  # the fixture, used by name

BACKFILL = 3000
AREAS = [a.name for a in Gazetteer.bundled().areas() if a.in_malmo]
TEAMS_USER = "29:1f0a6c5e-4d7b-4a8e-9f3c-2b1d0e9a8c7f"
TEAMS_CHANNEL = "19:officials@thread.tacv2"


def application(n: int) -> bytes:
    """Mail of a backlog: every tenth an application (spread over Malmö), the rest empty
    mail that the intake quarantines; each tells the officials something."""
    msg = EmailMessage()
    msg["From"] = f"Aktör {n} <aktor{n}@example.org>"
    msg["To"] = "samverkan@malmo.example"
    msg["Subject"] = f"Ansökan om samverkansstöd {n}"
    msg["Message-ID"] = f"<backfill-{n}@example.org>"
    area = AREAS[n % len(AREAS)]
    body = APPLICATION.replace("lina@seved.example", f"aktor{n}@example.org")
    msg.set_content(body.replace("för Seved", f"för {area}") if n % 10 == 0 else "")
    return msg.as_bytes()


def at(y: int, m: int, d: int, h: int, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=UTC)


def walk(chat: Chat, *moments: datetime) -> list[list[str]]:
    """Tick at each moment; the lines of each tick, weekly digests left out."""
    return [
        [line for line in run_tick(chat.engine, chat.settings, moment) if "veckobrev" not in line]
        for moment in moments
    ]


def test_a_new_case_reminds_of_assignment_after_two_working_days_over_easter(
    engine: Engine, settings: Settings
) -> None:
    clock = [at(2026, 4, 2, 8)]
    chat = Chat(engine, settings, Intake(engine, settings, clock=lambda: clock[0]), clock)
    chat.apply()
    # Thursday before Easter; Friday and Monday are holidays: Wednesday 8 April, 08:00 CEST.
    early, due, again = walk(chat, at(2026, 4, 8, 5, 59), at(2026, 4, 8, 6), at(2026, 4, 8, 7))
    assert early == []
    assert due == ["SAM-2026-0001: påminnelse ej tilldelat köad (2026-04-08 08:00)"]
    assert again == []
    (notice,) = chat.outbox("deadline")
    assert "tilldela SAM-2026-0001" in (notice.body_text or "")
    # Not assessed within ten working days: the coordinators hear of it, by e-mail here.
    (lines,) = walk(chat, at(2026, 4, 20, 6))
    assert lines == ["SAM-2026-0001: påminnelse ej bedömt köad (2026-04-20 08:00)"]
    (coordinators,) = [n for n in chat.outbox("reminder") if "bedömt" in (n.body_text or "")]
    assert coordinators.recipients == f"email:{ANNA}"


def test_an_unanswered_request_reminds_the_actor_once_then_asks_to_close(chat: Chat) -> None:
    chat.apply()
    assert chat(f"tilldela SAM-2026-0001 @{KARIN}", who=ANNA).ok
    chat.clock[0] = at(2026, 6, 9, 9)
    assert chat("komplettera SAM-2026-0001 Skicka budgeten.").ok
    # Ten days land on midsummer eve (19 June 2026): the reminder waits for Monday.
    before, due, twice = walk(chat, at(2026, 6, 19, 12), at(2026, 6, 22, 6), at(2026, 6, 23, 6))
    assert before == ["SAM-2026-0001: påminnelse ej bedömt köad (2026-03-16 08:00)"]  # late
    assert twice == []
    assert due == ["SAM-2026-0001: påminnelse komplettering obesvarad köad (2026-06-22 08:00)"]
    (mail,) = chat.outbox("komplettering")
    assert mail.recipients == "lina@seved.example"
    assert (mail.subject or "").startswith("[SAM-2026-0001] Påminnelse")
    (close,) = walk(chat, at(2026, 7, 9, 6))
    assert close == [
        "SAM-2026-0001: påminnelse komplettering obesvarad, avsluta? köad (2026-07-09 08:00)"
    ]
    assert any("avsluta SAM-2026-0001" in (n.body_text or "") for n in chat.outbox("reminder"))
    assert walk(chat, at(2026, 12, 1, 6)) == [[]]


def test_a_meeting_moved_or_a_case_withdrawn_cancels_what_no_longer_applies(chat: Chat) -> None:
    chat.apply()
    assert chat("möte SAM-2026-0001 2026-03-10 10:00").ok
    assert chat("möte SAM-2026-0001 2026-03-17 10:00").ok
    assert walk(chat, at(2026, 3, 9, 7)) == [[]]  # the first date's reminder is gone
    (lines,) = walk(chat, at(2026, 3, 16, 7))
    assert lines == ["SAM-2026-0001: påminnelse möte köad (2026-03-16 08:00)"]
    (mail,) = chat.outbox("mote")
    assert "2026-03-17 kl. 10:00" in (mail.subject or "")
    second = str(chat.intake.process(application(10), source="b.eml").case)
    assert chat(f"möte {second} 2026-03-24 10:00").ok
    assert chat(f"återkalla {second} vi drar tillbaka").ok
    assert walk(chat, at(2026, 3, 23, 7), at(2027, 3, 1, 7)) == [[], []]
    assert [s for kind, _, s in chat.reminders(second) if kind == "mote"] == ["cancelled"]


def test_a_service_down_for_weeks_sends_each_reminder_once_marked_late(chat: Chat) -> None:
    chat.apply()
    (lines,) = walk(chat, at(2026, 4, 1, 12))  # both intake deadlines passed meanwhile
    assert sorted(lines) == [
        "SAM-2026-0001: påminnelse ej bedömt köad (2026-03-16 08:00)",
        "SAM-2026-0001: påminnelse ej tilldelat köad (2026-03-04 08:00)",
    ]
    (late,) = chat.outbox("deadline")
    assert "försenad: skulle ha kommit 2026-03-04 08:00" in (late.body_text or "")
    assert walk(chat, at(2026, 4, 1, 12), at(2026, 4, 2, 12)) == [[], []]


def test_reminders_reach_the_slack_channel_and_the_contact_person(
    engine: Engine, settings: Settings, now: datetime, fake_slack: FakeSlack
) -> None:
    configured = slack_settings(settings, fake_slack)
    clock = [now]
    chat = Chat(engine, configured, Intake(engine, configured, clock=lambda: clock[0]), clock)
    chat.apply()
    assert chat(f"tilldela SAM-2026-0001 @{KARIN}", who=ANNA).ok
    assert chat("möte SAM-2026-0001 2026-03-10 10:00").ok
    fake_slack.calls.clear()
    lines = run_tick(engine, configured, at(2026, 3, 9, 7))
    assert "SAM-2026-0001: påminnelse möte köad (2026-03-09 08:00)" in lines
    posted = [c.body for c in fake_slack.to("/chat.postMessage")]
    reminders = [p for p in posted if "Påminnelse SAM-2026-0001" in p["text"]]
    assert sorted(p["channel"] for p in reminders) == sorted([CHANNEL, KARIN])
    assert any(line.startswith("notis till slack:U0KARIN") for line in lines)


@dataclass
class FakeConnector:
    """The Bot Connector's REST API, as far as proactive messages need it; records requests."""

    server: ThreadingHTTPServer
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    box: list[FakeConnector] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
            box[0].calls.append((self.path, body))
            activity = f"act-{len(box[0].calls)}"  # the connector's id of the message
            answer = {"id": "a:dm-karin" if self.path == "/v3/conversations" else activity}
            payload = json.dumps(answer).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(FakeConnector(server))
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    yield box[0]
    server.shutdown()
    server.server_close()


def test_reminders_reach_teams_proactively_in_the_channel_and_to_the_contact_person(
    engine: Engine, settings: Settings, now: datetime, connector: FakeConnector
) -> None:
    teams = settings.model_copy(
        update={
            "teams_service_url": connector.url,
            "teams_channel": TEAMS_CHANNEL,
            "teams_anonymous": True,
            "teams_app_id": "app-samverkan",
            "teams_tenant_id": "tenant-malmo",
            "officials": {**settings.officials, TEAMS_USER: "kontaktperson"},
        }
    )
    clock = [now]
    chat = Chat(engine, teams, Intake(engine, teams, clock=lambda: clock[0]), clock)
    chat.apply(subject="Ansökan <at>alla</at> **nu**")
    assert chat(f"tilldela SAM-2026-0001 @{TEAMS_USER}", who=ANNA).ok
    assert chat("möte SAM-2026-0001 2026-03-10 10:00").ok
    lines = run_tick(engine, teams, at(2026, 3, 9, 7))
    assert "SAM-2026-0001: påminnelse möte köad (2026-03-09 08:00)" in lines
    paths = [path for path, _ in connector.calls]
    assert "/v3/conversations" in paths  # the one-to-one chat with the contact person
    (created,) = [body for path, body in connector.calls if path == "/v3/conversations"]
    assert created["members"] == [{"id": TEAMS_USER}]
    assert created["tenantId"] == "tenant-malmo"
    to_channel = [
        b for p, b in connector.calls if p == f"/v3/conversations/{TEAMS_CHANNEL}/activities"
    ]
    to_person = [b for p, b in connector.calls if p == "/v3/conversations/a:dm-karin/activities"]
    assert any("Påminnelse SAM-2026-0001" in b["text"] for b in to_channel)
    assert any("Påminnelse SAM-2026-0001" in b["text"] for b in to_person)
    card = to_person[-1]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    # Notices quote the actor's subject: escaped, it can neither mention nor format.
    assert all("<at>" not in b["text"] for b in to_channel + to_person)
    assert run_tick(engine, teams, at(2026, 3, 9, 8)) == []


def test_without_chat_the_official_gets_the_reminder_by_e_mail(
    chat: Chat, smtp_sink: SmtpSink
) -> None:
    mailing = chat.settings.model_copy(
        update={"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port, "smtp_tls": "none"}
    )
    chat.apply()
    assert chat(f"tilldela SAM-2026-0001 @{ANNA}", who=ANNA).ok
    assert chat("möte SAM-2026-0001 2026-03-10 10:00").ok
    run_tick(chat.engine, mailing, at(2026, 3, 9, 7))
    to_anna = [m for m in smtp_sink.messages() if m["To"] == ANNA]
    assert any(m["Subject"].startswith("Samverkan: Påminnelse SAM-2026-0001") for m in to_anna)
    assert [m["To"] for m in smtp_sink.messages()].count("lina@seved.example") >= 1  # the actor


@pytest.mark.slow(seconds=20)
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_a_backfill_of_3000_mails_is_one_summary_not_3000_posts(
    engine: Engine, settings: Settings, now: datetime, fake_slack: FakeSlack
) -> None:
    configured = slack_settings(settings, fake_slack)
    intake = Intake(engine, configured, clock=lambda: now)
    mails = [application(n) for n in range(BACKFILL)]
    results = list(intake.process_all((raw, f"{n}.eml") for n, raw in enumerate(mails)))
    assert len(results) == BACKFILL
    report = run_tick(engine, configured, now + timedelta(minutes=10))
    posted = fake_slack.to("/chat.postMessage")
    assert len(posted) == 1, report[:5]
    text = posted[0].body["text"]
    # A notice per mail (new case or quarantine, and coordination warnings), in one post.
    assert re.match(r"\d{4} notiser på en gång \(", text), text
    assert f"{BACKFILL * 9 // 10} i karantän" in text
    assert f"{BACKFILL // 10} nya ärenden" in text
    assert "SAM-2026-0001" in text
    assert f"och {BACKFILL // 10 - 50} till" in text


def test_each_official_gets_a_weekly_digest_once_on_monday_morning(chat: Chat) -> None:
    chat.apply()
    assert chat(f"tilldela SAM-2026-0001 @{KARIN}", who=ANNA).ok
    assert chat("möte SAM-2026-0001 2026-03-12 10:00").ok
    sunday, monday, again = (
        run_tick(chat.engine, chat.settings, moment)
        for moment in (at(2026, 3, 8, 20), at(2026, 3, 9, 7), at(2026, 3, 9, 8))
    )
    assert [line for line in sunday if "veckobrev" in line] == []
    assert "veckobrev 2026-W11 till U0KARIN köat" in monday
    assert [line for line in again if "veckobrev" in line] == []
    (digest,) = chat.outbox("digest")
    text = digest.body_text or ""
    assert "SAM-2026-0001 (möte)" in text
    assert "ons 11/03 08:00 SAM-2026-0001 möte" in text  # the reminder due this week
