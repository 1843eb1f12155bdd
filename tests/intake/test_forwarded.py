"""Forwarded applications, quotes of our own mail, and mail nested too deep to read.

The mails are built here with the standard library, in styles the .eml fixtures do not have:
a district office passing an application on with two lines of its own, a board forwarding a
member's forward, an application attached as a message.
"""

from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage

import pytest
from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.intake.extraction.message import application_text, extract_message
from samverkan.intake.outcome import Outcome
from samverkan.intake.pipeline import Intake
from samverkan.intake.reading.parse import ParseError, parse_message
from samverkan.rules.model import SupportForm

APPLICATION = """Hej,

Stiftelsen Gröna Gårdar (org.nr 802475-6416) ansöker om samverkansstöd för Holma.
Vi gör det tillsammans med bostadsbolaget som äger husen och Holmaskolan.

Gårdarna är kala och tomma, och ingen vill vara ute efter skolan.
Mål: 30 nya träd och två odlingsgårdar som används varje vecka.
Tidsram: 14 månader från 1 mars 2027.
Egen insats: 60 timmar ideellt arbete i månaden.
Vi söker 140 000 kr.

Vänligen
Ingrid Svärd
Stiftelsen Gröna Gårdar
"""


def _mail(subject: str, body: str, sender: str = "Kim Ohlsson <kim.ohlsson@malmo.se>") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "samverkan@malmo.se"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{abs(hash(subject + body))}@forward.example>"
    msg.set_content(body)
    return bytes(msg)


def _outlook_forward(note: str, inner: str) -> str:
    return (
        f"{note}\n\n"
        "Från: Ingrid Svärd <ingrid.svard@gronagardar.se>\n"
        "Skickat: den 12 januari 2027 09:40\n"
        "Till: Ohlsson Kim <kim.ohlsson@malmo.se>\n"
        "Ämne: Ansökan samverkansstöd Holma\n\n"
        f"{inner}"
    )


def test_an_office_forward_with_a_short_note_is_read_as_the_application() -> None:
    body = _outlook_forward("Till rätt brevlåda. /Kim, stadsområde Väster", APPLICATION)
    app = extract_message(parse_message(_mail("VB: Ansökan samverkansstöd Holma", body)))
    assert app.organisation == "Stiftelsen Gröna Gårdar"
    assert app.orgnr == "802475-6416"
    assert (app.contact_name, app.email) == ("Ingrid Svärd", "ingrid.svard@gronagardar.se")
    assert app.area is not None
    assert app.area.name == "Holma"
    assert [s.amount_sek for s in app.support if s.form is SupportForm.FINANSIERING] == [140_000]
    assert app.duration_months == 14


def test_a_twice_forwarded_application_is_read_from_the_innermost_message() -> None:
    inner = (
        "Kan du skicka den här vidare?\n\n"
        "---------- Forwarded message ---------\n"
        "From: Ingrid Svärd <ingrid.svard@gronagardar.se>\n"
        "Date: Mon, 11 Jan 2027 at 20:15\n"
        "Subject: Ansökan samverkansstöd Holma\n"
        "To: Styrelsen <styrelsen@gronagardar.se>\n\n"
        f"{APPLICATION}"
    )
    outer = (
        "Vidare till er från styrelsen.\n\n"
        "---------- Vidarebefordrat meddelande ---------\n"
        "Från: Styrelsen <styrelsen@gronagardar.se>\n"
        "Date: tis 12 jan. 2027 kl 08:02\n"
        "Subject: Fwd: Ansökan samverkansstöd Holma\n"
        "To: Kim Ohlsson <kim.ohlsson@malmo.se>\n\n"
        f"{inner}"
    )
    app = extract_message(parse_message(_mail("Fwd: Fwd: Ansökan Holma", outer)))
    assert app.contact_name == "Ingrid Svärd"
    assert app.email == "ingrid.svard@gronagardar.se"
    assert app.orgnr == "802475-6416"


def test_an_application_attached_as_a_message_is_read_when_the_note_is_short() -> None:
    attached = EmailMessage()
    attached["From"] = "Ingrid Svärd <ingrid.svard@gronagardar.se>"
    attached["Subject"] = "Ansökan samverkansstöd Holma"
    attached.set_content(APPLICATION)
    outer = EmailMessage()
    outer["From"] = "Kim Ohlsson <kim.ohlsson@malmo.se>"
    outer["To"] = "samverkan@malmo.se"
    outer["Subject"] = "Ansökan från Holma, se bilaga"
    outer.set_content("Se bifogat meddelande.\n/Kim")
    outer.add_attachment(attached)
    app = extract_message(parse_message(bytes(outer)))
    assert app.organisation == "Stiftelsen Gröna Gårdar"
    assert app.email == "ingrid.svard@gronagardar.se"


def test_a_forwarder_who_says_they_are_the_contact_person_becomes_it() -> None:
    note = (
        "Hej! Jag är kontaktperson för ansökan nedan, som vår ordförande skrev.\n\nMvh\nKim Ohlsson"
    )
    body = _outlook_forward(note, APPLICATION)
    app = extract_message(parse_message(_mail("VB: Ansökan samverkansstöd Holma", body)))
    assert app.email == "kim.ohlsson@malmo.se"
    assert app.contact_name == "Kim Ohlsson"
    assert app.organisation == "Stiftelsen Gröna Gårdar"


def test_a_forward_with_a_long_note_of_its_own_is_the_note() -> None:
    note = " ".join(["Vi har läst ansökan och vill lägga till några egna tankar om området."] * 12)
    body = _outlook_forward(note, APPLICATION)
    text = application_text(parse_message(_mail("VB: Ansökan samverkansstöd Holma", body)))
    assert "Stiftelsen Gröna Gårdar (org.nr" not in text


def test_our_own_acknowledgement_forwarded_back_is_not_read_as_an_application() -> None:
    ours = (
        "Kolla det här svaret.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Samverkan Malmö stad <samverkan@malmo.se>\n"
        "Date: Tue, 12 Jan 2027 at 10:00\n"
        "Subject: [SAM-2027-0004] Vi har tagit emot er ansökan\n"
        "To: Ingrid Svärd <ingrid.svard@gronagardar.se>\n\n"
        "Vi behöver organisationsnummer och ert sökta belopp (140 000 kr?).\n"
    )
    msg = parse_message(_mail("Fwd: [SAM-2027-0004] Vi har tagit emot er ansökan", ours))
    text = application_text(msg, own_address="samverkan@malmo.se")
    assert "organisationsnummer" not in text
    assert "Kolla det här svaret." in text


def _nested(levels: int) -> bytes:
    body = b"Content-Type: text/plain\r\n\r\nhej\r\n"
    for _ in range(levels):
        body = b"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n" + body
    head = (
        b"From: djup@example.org\r\nTo: samverkan@malmo.se\r\nSubject: djupt\r\n"
        b"Message-ID: <deep-%d@example.org>\r\nMIME-Version: 1.0\r\n" % levels
    )
    return head + body


def test_mail_nested_too_deep_is_refused_before_parsing_with_a_swedish_reason() -> None:
    with pytest.raises(ParseError) as refused:
        parse_message(_nested(400))
    assert "nästlat i för många nivåer" in str(refused.value)
    assert parse_message(_nested(3)).attached_messages  # real mail nests a few levels


def test_a_deep_mail_in_a_batch_is_quarantined_alone(
    engine: Engine, settings: Settings, now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    intake = Intake(engine, settings, clock=lambda: now)
    good = _mail("Ansökan Holma", APPLICATION, "Ingrid <ingrid.svard@gronagardar.se>")
    with caplog.at_level(logging.INFO):
        results = intake.process_batch([(good, "good"), (_nested(400), "deep")])
    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.QUARANTINED]
    assert results[1].reason is not None
    assert "nästlat" in results[1].reason
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if "one by one" in r.getMessage()]
