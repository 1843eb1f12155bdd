"""Replies through the whole intake: a new contact, a withdrawal, and komplettering=confirm."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from samverkan.config import KomplMode, Settings
from samverkan.intake.pipeline import Intake
from tests.helpers.chat import Chat
from tests.helpers.intake import COMPLETE, NO_ORGNR, mail, outbox, view

REF = "SAM-2026-0001"


@pytest.fixture
def clock(now: datetime) -> list[datetime]:
    return [now]


def reply(body: str, sender: str = "Lina Ek <lina@seved.example>", n: int = 1) -> bytes:
    return mail(
        body,
        subject=f"SV: [{REF}] Vi har tagit emot er ansökan om samverkansstöd",
        sender=sender,
        message_id=f"<reply-{n}@seved.example>",
    )


def test_a_reply_naming_a_new_contact_person_changes_the_contact(
    engine: Engine, settings: Settings, clock: list[datetime]
) -> None:
    intake = Intake(engine, settings, clock=lambda: clock[0])
    intake.process(mail(COMPLETE), source="a.eml")
    clock[0] += timedelta(days=3)
    body = (
        "Hej!\nJag går på föräldraledighet, så från och med nästa månad är det Omar Said som\n"
        "är kontaktperson för ansökan: omar.said@seved.example, 070-987 65 43.\n\nMvh Lina Ek"
    )
    intake.process(reply(body), source="r.eml")
    applicant = view(engine, REF)["applicant"]
    assert isinstance(applicant, dict)
    assert (applicant["contact_name"], applicant["email"]) == (
        "Omar Said",
        "omar.said@seved.example",
    )
    assert applicant["orgnr"] == "802457-3167"  # what the application said stays


def test_a_reply_signed_by_a_colleague_keeps_the_contact(
    engine: Engine, settings: Settings, clock: list[datetime]
) -> None:
    intake = Intake(engine, settings, clock=lambda: clock[0])
    intake.process(mail(NO_ORGNR), source="a.eml")
    body = "Hej, här är vårt organisationsnummer: 802457-3167\n\nHälsningar\nBo Kassör\nkassör"
    intake.process(reply(body, sender="Bo Kassör <bo@seved.example>"), source="r.eml")
    case = view(engine, REF)
    applicant = case["applicant"]
    assert isinstance(applicant, dict)
    assert (applicant["contact_name"], applicant["email"]) == ("Lina Ek", "lina@seved.example")
    assert case["phase"] == "bedomning"


def test_a_withdrawal_is_put_to_the_officials_with_the_command_that_confirms_it(
    engine: Engine, settings: Settings, clock: list[datetime]
) -> None:
    intake = Intake(engine, settings, clock=lambda: clock[0])
    intake.process(mail(COMPLETE), source="a.eml")
    body = "Hej,\n\nStyrelsen har beslutat att vi drar tillbaka vår ansökan.\n\nMvh Lina Ek"
    intake.process(reply(body), source="r.eml")
    assert view(engine, REF)["phase"] == "bedomning"  # an official confirms, mail does not
    (notice,) = [n for n in outbox(engine, "notice") if n.kind == "withdrawal"]
    assert f"återkalla {REF}" in notice.body_text
    assert "drar tillbaka vår ansökan" in notice.body_text

    Chat(engine, settings, intake, clock)(f"återkalla {REF} sökanden återkallar")
    assert view(engine, REF)["phase"] == "aterkallad"


def test_with_komplettering_confirm_the_request_waits_for_the_contact_person(
    engine: Engine, settings: Settings, clock: list[datetime]
) -> None:
    confirm = settings.model_copy(update={"komplettering": KomplMode.CONFIRM})
    intake = Intake(engine, confirm, clock=lambda: clock[0])
    intake.process(mail(NO_ORGNR), source="a.eml")

    assert view(engine, REF)["phase"] == "inkommen"
    (ack,) = outbox(engine)
    assert "organisationsnummer" not in ack.body_text.casefold()
    assert "går nu igenom ansökan" in ack.body_text
    (review,) = [n for n in outbox(engine, "notice") if n.kind == "review"]
    assert f"komplettera {REF}" in review.body_text

    Chat(engine, confirm, intake, clock)(f"komplettera {REF}")
    assert view(engine, REF)["phase"] == "komplettering"
    request = outbox(engine)[-1]
    assert request.kind == "request_info"
    assert "organisationsnummer" in request.body_text.casefold()
