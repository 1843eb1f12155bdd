"""The intake pipeline end to end on a real database: outcomes, threading, dedupe, replies."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from samverkan.bot.delivery import DeliveryReport, FakeTransport
from samverkan.bot.delivery.drain import Delivery
from samverkan.bot.delivery.mime import build_mime
from samverkan.bot.delivery.setup import delivery
from samverkan.config import Settings
from samverkan.intake.outcome import Outcome
from samverkan.intake.pipeline import Intake
from samverkan.storage.models import CaseRow, EvaluationRow, MessageRow
from samverkan.storage.outbox import OutboxItem
from tests.helpers.intake import COMPLETE, NO_ORGNR, mail, outbox, view


@pytest.fixture
def clock(now: datetime) -> list[datetime]:
    return [now]


@pytest.fixture
def intake(engine: Engine, settings: Settings, clock: list[datetime]) -> Intake:
    return Intake(engine, settings, clock=lambda: clock[0])


def send_pending(engine: Engine, settings: Settings, now: datetime) -> DeliveryReport:
    """What ``samverkan ingest`` does after reading: send the queued e-mail."""
    return delivery(settings, engine).run(now, channel="email")


def sent_by_fake(engine: Engine, to: str | None, now: datetime) -> OutboxItem:
    """The e-mail item to ``to`` as a transport is handed it."""
    fake = FakeTransport("email")
    Delivery(engine, {"email": fake}).run(now)
    return next(item for item in fake.delivered if item.to == to)


def test_an_application_becomes_a_case_with_its_facts_verdict_and_reply(
    intake: Intake, engine: Engine
) -> None:
    result = intake.process(mail(COMPLETE), source="test.eml")
    assert (result.outcome, result.case, result.reason) == (
        Outcome.CREATED,
        "SAM-2026-0001",
        None,
    )
    case = view(engine, "SAM-2026-0001")
    assert case["applicant"] == {
        "organisation": "Sevedsföreningen",
        "orgnr": "802457-3167",
        "orgnr_valid": True,
        "contact_name": "Lina Ek",
        "email": "lina@seved.example",
        "phone": "+46701234567",
    }
    assert case["area"] == {"name": "Seved", "in_malmo": True}
    criteria = case["criteria"]
    assert isinstance(criteria, dict)
    statuses = {r["id"]: r["status"] for r in criteria["results"]}
    assert statuses["overlapp"] == "warning"  # BID Sofielund covers Seved
    assert criteria["ruleset"] == "2020-08-25.1"
    (ack,) = outbox(engine)
    assert ack.recipients == "lina@seved.example"
    assert "[SAM-2026-0001]" in (ack.subject or "")
    assert ack.in_reply_to == "<app-1@seved.example>"
    assert b"Auto-Submitted: auto-replied" in build_mime(
        sent_by_fake(engine, ack.recipients, ack.at)
    )
    notices = outbox(engine, "notice")
    assert [n.kind for n in notices] == ["overlap", "new_case"]
    assert "BID Sofielund" in (notices[0].body_text or "")


def test_an_incomplete_application_asks_for_exactly_what_is_missing(
    intake: Intake, engine: Engine
) -> None:
    intake.process(mail(NO_ORGNR), source="a.eml")
    case = view(engine, "SAM-2026-0001")
    assert case["phase"] == "komplettering"
    (ack,) = outbox(engine)
    assert "organisationsnummer" in (ack.body_text or "").lower()


def test_the_same_message_twice_makes_one_case(intake: Intake, engine: Engine) -> None:
    first = intake.process(mail(COMPLETE), source="a.eml")
    again = intake.process(mail(COMPLETE), source="a-copy.eml")
    assert again.outcome is Outcome.DUPLICATE
    assert again.case == first.case
    with Session(engine) as session:
        assert len(session.exec(select(CaseRow)).all()) == 1
    assert len(outbox(engine)) == 1


def test_a_message_without_message_id_is_deduplicated_by_content(intake: Intake) -> None:
    raw = mail(COMPLETE, message_id=None)
    assert intake.process(raw, source="a").outcome is Outcome.CREATED
    assert intake.process(raw, source="a").outcome is Outcome.DUPLICATE


def test_a_reply_with_the_reference_completes_the_case(
    intake: Intake, engine: Engine, clock: list[datetime]
) -> None:
    intake.process(mail(NO_ORGNR), source="a.eml")
    clock[0] += timedelta(days=2)
    reply = mail(
        "Hej! Vårt organisationsnummer är 802457-3167.\n\nMvh Lina",
        subject="SV: [SAM-2026-0001] Vi har tagit emot er ansökan om samverkansstöd",
        message_id="<reply-1@seved.example>",
    )
    result = intake.process(reply, source="reply.eml")
    assert (result.outcome, result.case) == (Outcome.APPENDED, "SAM-2026-0001")
    case = view(engine, "SAM-2026-0001")
    applicant = case["applicant"]
    assert isinstance(applicant, dict)
    assert applicant["orgnr"] == "802457-3167"
    assert applicant["organisation"] == "Sevedsföreningen"  # earlier facts are kept
    assert case["phase"] == "bedomning"
    assert case["title"] != "SV: [SAM-2026-0001] Vi har tagit emot er ansökan om samverkansstöd"
    with Session(engine) as session:
        triggers = session.exec(select(EvaluationRow.trigger).order_by(col(EvaluationRow.id)))
        assert list(triggers) == ["ansökan", "svar"]
    history = case["history"]
    assert isinstance(history, list)
    assert [(h["from"], h["to"]) for h in history] == [
        (None, "inkommen"),
        ("inkommen", "komplettering"),
        ("komplettering", "bedomning"),
    ]
    assert len(outbox(engine)) == 1  # no auto-reply to a reply


def test_a_reply_found_by_in_reply_to_joins_its_case(intake: Intake, engine: Engine) -> None:
    intake.process(mail(NO_ORGNR), source="a.eml")
    (ack,) = outbox(engine)
    reply = mail(
        "Org.nr: 802457-3167",
        subject="Re: vår ansökan",
        message_id="<reply-2@seved.example>",
        headers={"In-Reply-To": ack.message_id or ""},
    )
    result = intake.process(reply, source="r.eml")
    assert (result.outcome, result.case) == (Outcome.APPENDED, "SAM-2026-0001")


@pytest.mark.parametrize(
    ("headers", "subject", "sender"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Frånvaro: Ansökan", "lina@seved.example"),
        ({}, "Frånvaro", "lina@seved.example"),
        ({"X-Autoreply": "yes"}, "Automatiskt svar", "lina@seved.example"),
        ({"List-Id": "<grannar.lists.example>", "Precedence": "list"}, "Nyhetsbrev", "x@y.se"),
        ({}, "Undeliverable: Ansökan", "MAILER-DAEMON@mx.example"),
    ],
)
def test_noise_makes_no_case_and_no_reply(
    intake: Intake,
    engine: Engine,
    headers: dict[str, str],
    subject: str,
    sender: str,
) -> None:
    result = intake.process(
        mail("Jag är borta till måndag.", subject=subject, sender=sender, headers=headers),
        source="n.eml",
    )
    assert result.outcome is Outcome.IGNORED
    assert result.reason
    assert outbox(engine) == []
    with Session(engine) as session:
        (kept,) = session.exec(select(MessageRow).where(MessageRow.direction == "in")).all()
        assert kept.outcome == "ignored"
        assert kept.raw  # nothing is lost


def test_a_noreply_sender_gets_no_case_and_no_auto_reply(intake: Intake, engine: Engine) -> None:
    result = intake.process(mail(COMPLETE, sender="no-reply@forms.example"), source="f.eml")
    assert result.outcome is Outcome.IGNORED
    assert outbox(engine) == []


def test_at_most_three_auto_replies_a_day_to_one_sender(
    intake: Intake, engine: Engine, clock: list[datetime]
) -> None:
    for n in range(5):
        clock[0] += timedelta(minutes=10)
        intake.process(mail(COMPLETE, message_id=f"<app-{n}@seved.example>"), source=f"{n}")
    assert len(outbox(engine)) == 3
    clock[0] += timedelta(days=1, hours=1)
    intake.process(mail(COMPLETE, message_id="<next-day@seved.example>"), source="n")
    assert len(outbox(engine)) == 4


@pytest.mark.parametrize("raw", [b"", b"\x00\x01\x02 not mail at all", b"\n\n\n"])
def test_unreadable_input_is_quarantined_with_its_reason_and_an_official_told(
    intake: Intake, engine: Engine, raw: bytes
) -> None:
    result = intake.process(raw, source="broken.eml")
    assert result.outcome is Outcome.QUARANTINED
    assert result.reason
    with Session(engine) as session:
        (kept,) = session.exec(select(MessageRow).where(MessageRow.direction == "in")).all()
        assert (kept.outcome, kept.reason, kept.raw) == ("quarantined", result.reason, raw)
    assert [n.kind for n in outbox(engine, "notice")] == ["quarantine"]


def test_the_acknowledgement_reaches_a_real_smtp_server(
    intake: Intake, engine: Engine, settings: Settings, smtp_sink: object, now: datetime
) -> None:
    from tests.conftest import SmtpSink

    assert isinstance(smtp_sink, SmtpSink)
    intake.process(mail(NO_ORGNR), source="a.eml")
    smtp = settings.model_copy(
        update={"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port, "smtp_tls": "none"}
    )
    report = send_pending(engine, smtp, now)
    assert len(report.delivered) == 1, outbox(engine)[0].last_error
    (env,) = smtp_sink.envelopes
    assert env.rcpt_tos == ["lina@seved.example"]
    (msg,) = smtp_sink.messages()
    assert msg["Subject"].startswith("[SAM-2026-0001]")
    assert msg["Auto-Submitted"] == "auto-replied"
    text = msg.get_body(preferencelist=("plain",))
    assert text is not None
    assert "organisationsnummer" in text.get_content().lower()
    assert send_pending(engine, smtp, now).delivered == []  # never sent twice


def test_a_failed_send_is_retried_later_and_never_blocks_intake(
    intake: Intake,
    engine: Engine,
    settings: Settings,
    smtp_sink: object,
    now: datetime,
    free_port: Callable[[], int],
) -> None:
    from tests.conftest import SmtpSink

    assert isinstance(smtp_sink, SmtpSink)
    intake.process(mail(COMPLETE), source="a.eml")
    down = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_tls": "none"}
    )
    report = send_pending(engine, down, now)
    assert report.delivered == []
    assert len(report.retrying) == 1
    (row,) = outbox(engine)
    assert (row.send_state, row.attempts) == ("pending", 1)
    assert row.next_attempt_at is not None
    assert row.next_attempt_at > now
    up = settings.model_copy(
        update={"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port, "smtp_tls": "none"}
    )
    assert send_pending(engine, up, now).delivered == []  # not due yet
    assert len(send_pending(engine, up, now + timedelta(minutes=2)).delivered) == 1
    assert len(smtp_sink.envelopes) == 1


def test_a_second_application_for_a_related_area_is_flagged_for_coordination(
    intake: Intake, engine: Engine
) -> None:
    moll = COMPLETE.replace("för Seved", "i Möllevången").replace("seved.example", "moll.se")
    first = intake.process(mail(moll, message_id="<m1@x>"), source="1")
    second = intake.process(mail(moll, message_id="<m2@x>", sender="Per <per@x.se>"), source="2")
    case = view(engine, str(second.case))
    criteria = case["criteria"]
    assert isinstance(criteria, dict)
    (overlap,) = [r for r in criteria["results"] if r["id"] == "overlapp"]
    assert overlap["status"] == "warning"
    assert str(first.case) in overlap["reason"]
    assert case["area"] == {"name": "Möllevången", "in_malmo": True}


def test_ingest_result_is_json_ready(intake: Intake) -> None:
    result = intake.process(mail(COMPLETE), source="a.eml")
    assert json.loads(json.dumps(result.to_dict())) == {
        "source": "a.eml",
        "outcome": "created",
        "case": "SAM-2026-0001",
        "reason": None,
    }


class RefusingSink:
    """An SMTP server that knows no such recipient (a permanent 5xx answer)."""

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: object, session: object, envelope: object, address: str, options: object
    ) -> str:
        return "550 5.1.1 No such user here"


def test_a_permanently_refused_mail_is_not_retried_and_the_officials_are_told(
    intake: Intake,
    engine: Engine,
    settings: Settings,
    now: datetime,
    free_port: Callable[[], int],
) -> None:
    from aiosmtpd.controller import Controller

    intake.process(mail(COMPLETE), source="a.eml")
    port = free_port()
    controller = Controller(RefusingSink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_tls": "none"}
        )
        report = send_pending(engine, smtp, now)
    finally:
        controller.stop()
    assert (report.delivered, report.retrying, len(report.failed)) == ([], [], 1)
    (row,) = outbox(engine)
    assert row.send_state == "failed"
    assert "550" in (row.last_error or "")
    (notice,) = [n for n in outbox(engine, "notice") if n.kind == "mail_failed"]
    assert "lina@seved.example" in (notice.body_text or "")


def test_a_mail_that_never_gets_through_ends_failed_and_the_officials_are_told(
    intake: Intake, engine: Engine, settings: Settings, now: datetime, free_port: Callable[[], int]
) -> None:
    from samverkan.bot.delivery import MAX_ATTEMPTS

    intake.process(mail(COMPLETE), source="a.eml")
    down = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_tls": "none"}
    )
    moment = now
    for _ in range(MAX_ATTEMPTS):
        send_pending(engine, down, moment)
        moment += timedelta(days=1)
    (row,) = outbox(engine)
    assert (row.send_state, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert [n.kind for n in outbox(engine, "notice")].count("mail_failed") == 1
    assert send_pending(engine, down, moment).failed == []  # given up: never tried again
