"""The actor's answer to a request for a measurement, through the Maildir feeder into the case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from samverkan.bot.tick import run_tick
from samverkan.config import Settings
from samverkan.intake.feeders.maildir import MaildirWatcher, open_maildir
from samverkan.intake.pipeline import Intake
from tests.helpers.chat import REF, Chat

GRANTED_AT = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
RESULT_DUE = datetime(2026, 9, 7, 6, 0, tzinfo=UTC)
ANSWER = """Hej Karin!

Här kommer vår resultatmätning.

- Antal trygghetsvandringar: 12
- Antal deltagare: 340

Vi har också hållit 4 workshops med 85 boende. Andelen som känner sig trygga på kvällen
ökade från 54 % till 61 % enligt vår enkät.

Med vänliga hälsningar
Lina Ek
Sevedsföreningen
"""


@pytest.fixture
def chat(engine: Engine, settings: Settings, now: datetime) -> Chat:
    clock = [now]
    return Chat(engine, settings, Intake(engine, settings, clock=lambda: clock[0]), clock)


def granted_and_asked(chat: Chat) -> str:
    """A granted case whose result measurement was just asked for; the request's Message-ID."""
    chat.apply()
    assert chat(f"godkänn {REF}").ok
    chat.clock[0] = GRANTED_AT
    assert chat(f"beslut {REF} beviljad § 1 sammanträde=2026-03-02 stödform=processtöd").ok
    lines = run_tick(chat.engine, chat.settings, RESULT_DUE)  # a Monday: the digest goes too
    assert [line for line in lines if not line.startswith("veckobrev")] == [
        f"{REF}: resultatmätning begärd av sökanden"
    ]
    (request,) = chat.outbox("resultatmatning")
    assert request.message_id
    return request.message_id


def reply_to(request_id: str, body: str, n: int = 1) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Lina Ek <lina@seved.example>"
    msg["To"] = "samverkan@malmo.example"
    msg["Subject"] = f"SV: [{REF}] Uppföljning av ert samverkansstöd"
    msg["Message-ID"] = f"<answer-{n}@seved.example>"
    msg["In-Reply-To"] = request_id
    msg["References"] = request_id
    msg.set_content(
        body + "\n> Nu är det dags för resultatmätning.\n> Svara på det här meddelandet.\n"
    )
    return msg.as_bytes()


def deliver(chat: Chat, tmp_path: Path, raw: bytes, at: datetime) -> None:
    path = tmp_path / "inkorg"
    open_maildir(path).add(raw)
    chat.clock[0] = at
    assert MaildirWatcher(path, chat.engine, chat.intake, clock=lambda: at).drain() == 1


def test_the_actors_answer_becomes_the_result_measurement_and_its_reminder_never_fires(
    chat: Chat, tmp_path: Path
) -> None:
    request_id = granted_and_asked(chat)
    answered = RESULT_DUE + timedelta(days=3)
    deliver(chat, tmp_path, reply_to(request_id, ANSWER), answered)

    case = chat.case()
    assert case["phase"] == "uppfoljning"
    (measurement,) = case["followups"]
    assert measurement["kind"] == "resultat"
    assert measurement["by"] == "sökanden (e-post)"
    assert "Antal deltagare: 340" in measurement["text"]
    assert "Med vänliga hälsningar" not in measurement["text"]  # the sign-off is not the answer
    assert "dags för resultatmätning" not in measurement["text"]  # nor what it quotes
    (notice,) = chat.outbox("reply")
    assert notice.body_text == (
        f"Svar i ärende {REF}: sökandens resultatmätning är registrerad (Antal "
        "trygghetsvandringar: 12; Antal deltagare: 340; 4 workshops; 85 boende; Andelen som "
        f"känner sig trygga på kvällen: 54 % → 61 %). Rätta med: uppföljning {REF} resultat <text>"
    )

    # Weeks later: no reminder about the result, which came; the effect is still to come.
    lines = run_tick(chat.engine, chat.settings, RESULT_DUE + timedelta(days=30))
    assert [line for line in lines if not line.startswith("veckobrev")] == []
    assert chat.outbox("resultatmatning_paminnelse") == []
    assert [(kind, state) for kind, _, state in chat.reminders()] == [
        ("resultatmatning", "done"),
        ("resultatmatning_paminnelse", "cancelled"),
        ("effektmatning", "pending"),
    ]


def test_a_reply_that_promises_the_figures_later_records_nothing(
    chat: Chat, tmp_path: Path
) -> None:
    request_id = granted_and_asked(chat)
    later = (
        "Hej!\n\nVi har inte hunnit sammanställa siffrorna, vi återkommer nästa vecka.\n\nMvh Lina"
    )
    deliver(chat, tmp_path, reply_to(request_id, later), RESULT_DUE + timedelta(days=2))
    case = chat.case()
    assert case["followups"] == []
    assert case["phase"] == "genomforande"
    (notice,) = chat.outbox("reply")
    assert notice.body_text == f"Svar i ärende {REF}"


def test_a_second_answer_in_the_same_thread_is_not_a_second_measurement(
    chat: Chat, tmp_path: Path
) -> None:
    request_id = granted_and_asked(chat)
    deliver(chat, tmp_path, reply_to(request_id, ANSWER), RESULT_DUE + timedelta(days=1))
    deliver(chat, tmp_path, reply_to(request_id, ANSWER.replace("340", "345"), n=2),
            RESULT_DUE + timedelta(days=2))  # fmt: skip
    assert [f["kind"] for f in chat.case()["followups"]] == ["resultat"]
    assert [n.body_text for n in chat.outbox("reply")][-1] == f"Svar i ärende {REF}"
