"""Decisions and the letters applicants get, read back from a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage

from samverkan.bot.reply import ReplyStatus
from samverkan.bot.tick import run_tick
from samverkan.config import Settings
from tests.conftest import SmtpSink
from tests.helpers.chat import ANNA, APPLICATION, REF, WITHOUT_ORGNR, Chat, text_of

LINA = "lina@seved.example"
APPEAL = (
    "laglighetsprövning enligt kommunallagen 13 kap.",
    "Förvaltningsrätten i Malmö",
    "inom tre veckor från den dag protokollet anslagits på kommunens anslagstavla",
)
# The office's refusal is delegated: the three weeks run from the minutes it is reported in.
DELEGATED_APPEAL = (
    *APPEAL[:2],
    "på delegation från tekniska nämnden, och det anmäls till nämnden",
    "inom tre veckor från den dag då protokollet från det sammanträde där beslutet anmäldes "
    "anslogs på kommunens anslagstavla",
)
AFTER_MEETING = datetime(2026, 3, 18, 9, 0, tzinfo=UTC)


def mailing(chat: Chat, sink: SmtpSink) -> Settings:
    return chat.settings.model_copy(
        update={"smtp_host": sink.host, "smtp_port": sink.port, "smtp_tls": "none"}
    )


def letters_to(chat: Chat, sink: SmtpSink, subject: str, to: str = LINA) -> list[EmailMessage]:
    """Deliver the outbox through SMTP and return what reached ``to`` with ``subject`` in it."""
    run_tick(chat.engine, mailing(chat, sink), chat.clock[0])
    return [m for m in sink.messages() if m["To"] == to and subject in m["Subject"]]


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), re.sub(r"<[^>]+>", "", html.get_content())  # the words only


def before_the_committee(chat: Chat, body: str = APPLICATION) -> None:
    assert chat(
        'handläggare lägg-till @U0KARIN kontaktperson "Karin Holm" "Stadsutvecklare"', who=ANNA
    ).ok
    assert chat("nämnd lägg-till 2026-03-17 sista-dag 2026-03-03", who=ANNA).ok
    chat.apply(body)
    assert chat(f"godkänn {REF}").ok, "the case must reach the committee"
    chat.clock[0] = AFTER_MEETING


def test_a_grant_is_recorded_with_meeting_and_paragraph_and_its_letter_says_it_all(
    chat: Chat, smtp_sink: SmtpSink
) -> None:
    before_the_committee(chat)
    answer = chat(f"beslut {REF} beviljad § 45 stödform=finansiering,processtöd belopp=300000")
    assert answer.ok, text_of(answer)
    assert "sammanträde 2026-03-17 § 45" in text_of(answer)  # the latest meeting in the calendar
    (decision,) = chat.case()["decisions"]
    assert (decision["meeting"], decision["paragraph"]) == ("2026-03-17", "45")
    assert decision["support"] == [
        {"form": "finansiering", "amount_sek": 300_000},
        {"form": "processtod"},
    ]

    shown = text_of(chat(f"visa {REF}"))
    assert "Beslut: beviljad (sammanträde 2026-03-17 § 45)" in shown
    assert "Kontaktperson FGK: Karin Holm, Stadsutvecklare" in shown  # by name, not U0KARIN

    (letter,) = letters_to(chat, smtp_sink, "Beslut")
    assert "TN-2026-0001" in letter["Subject"]
    for body in bodies(letter):
        flat = " ".join(body.replace("\u00a0", " ").split())
        for must in (
            "Tekniska nämnden beslutade 17 mars 2026, § 45, att bevilja Sevedsföreningen "
            "samverkansstöd för Seved.",
            "finansiering (300 000 kr)",
            "processtöd",
            "Ansökan uppfyller modellens kriterier:",
            "Diarienummer TN-2026-0001",
            "Karin Holm, Stadsutvecklare",
            *APPEAL,
        ):
            assert must in flat, must
        assert "Inget stöd beviljas" not in flat


def test_a_committee_refusal_needs_its_reasons_and_the_letter_gives_them(
    chat: Chat, smtp_sink: SmtpSink
) -> None:
    before_the_committee(chat)
    for text, problem in (
        (f"beslut {REF} avslag § 46", "Ange nämndens skäl till avslaget"),
        (f"beslut {REF} avslag området överlappar", "Ange paragrafen i nämndens protokoll"),
    ):
        answer = chat(text)
        assert answer.status is ReplyStatus.USAGE
        assert problem in text_of(answer)
        assert "beslut|decision REF" in text_of(answer)  # the usage comes with it
    assert chat.case()["phase"] == "namnd"

    reason = "Området överlappar BID Sofielund helt."
    answer = chat(f"beslut {REF} avslag § 46 sammanträde=2026-03-17 {reason}")
    assert answer.ok, text_of(answer)
    assert chat.case()["phase"] == "avslag"
    (decision,) = chat.case()["decisions"]
    assert (decision["outcome"], decision["reasons"], decision["paragraph"]) == (
        "avslag", reason, "46"
    )  # fmt: skip
    (letter,) = letters_to(chat, smtp_sink, "Beslut")
    for body in bodies(letter):
        flat = " ".join(body.split())
        for must in (
            "Tekniska nämnden beslutade 17 mars 2026, § 46, att avslå er ansökan",
            reason,
            "Inget stöd beviljas.",
            "TN-2026-0001",
            *APPEAL,
        ):
            assert must in flat, must


def test_the_meeting_must_be_known_and_held(chat: Chat) -> None:
    chat.apply()
    assert chat(f"godkänn {REF}").ok
    no_calendar = chat(f"beslut {REF} beviljad § 3 stödform=processtöd")
    assert no_calendar.status is ReplyStatus.USAGE
    assert "Kalendern har inget sammanträde" in text_of(no_calendar)
    future = chat(f"beslut {REF} beviljad § 3 sammanträde=2026-04-21 stödform=processtöd")
    assert future.status is ReplyStatus.USAGE
    assert "har inte hållits än" in text_of(future)
    assert chat.case()["phase"] == "namnd"
    assert chat(f"beslut {REF} beviljad § 3 sammanträde=2026-03-02 stödform=processtöd").ok


def test_an_office_refusal_letter_has_the_reason_and_how_to_appeal(
    chat: Chat, smtp_sink: SmtpSink
) -> None:
    chat.apply()
    assert chat(f"avslå {REF} Ansökan gäller ett område som redan har ett stöd.").ok
    (letter,) = letters_to(chat, smtp_sink, "Beslut")
    text, html = bodies(letter)
    flat = " ".join(text.split())
    assert "Fastighets- och gatukontoret har beslutat att avslå er ansökan" in flat
    assert "Ansökan gäller ett område som redan har ett stöd." in flat
    assert "Inget stöd beviljas." in flat
    assert "TN-2026-0001" in flat
    for must in DELEGATED_APPEAL:
        assert must in flat
        assert must in " ".join(html.split())
    assert APPEAL[2] not in flat  # the committee's own minutes hold no such decision


# -- acknowledgements -------------------------------------------------------------------------


def ack(chat: Chat, sink: SmtpSink, body: str) -> str:
    chat.apply(body)
    (letter,) = letters_to(chat, sink, "Vi har tagit emot")
    text, _ = bodies(letter)
    return " ".join(text.split())


def test_the_acknowledgement_of_a_complete_application_says_what_happens_next_and_when(
    chat: Chat, smtp_sink: SmtpSink
) -> None:
    text = ack(chat, smtp_sink, APPLICATION)
    assert "hör av sig inom 10 arbetsdagar för att boka ett möte" in text
    assert "Därefter prövar tekniska nämnden ansökan" in text
    assert "behöver vi några uppgifter" not in text


def test_the_acknowledgement_of_an_incomplete_application_lists_exactly_what_is_missing(
    chat: Chat, smtp_sink: SmtpSink
) -> None:
    text = ack(chat, smtp_sink, WITHOUT_ORGNR)
    assert "behöver vi några uppgifter till: - Skicka organisationsnummer." in text
    assert text.count(" - ") == 1  # that one thing, nothing else
    assert "inom 10 arbetsdagar" not in text


def test_outside_malmo_the_acknowledgement_says_why_and_what_to_do(
    chat: Chat, smtp_sink: SmtpSink
) -> None:
    body = APPLICATION.replace("för Seved", "för Lund centrum").replace("Seved", "Lund")
    text = ack(chat, smtp_sink, body)
    assert chat.case()["criteria"]["outcome"] == "not_eligible"
    assert "ligger inte i Malmö" in text
    assert "Samverkansstöd ges bara för områden i Malmö." in text
    assert "vänd er till den kommunen" in text
    assert "boka ett möte" not in text


def test_a_single_kind_of_actor_is_explained_with_what_to_do(
    chat: Chat, smtp_sink: SmtpSink
) -> None:
    body = (
        APPLICATION.replace(
            "Fastighetsägare och butiker i området vill samverka med föreningarna och de boende.",
            "Vi är en förening som vill göra något i området.",
        )
        .replace("Fastighetsägarna bidrar med 200 000 kr och föreningarna med ideell tid.",
                 "Föreningen bidrar med ideell tid.")
        .replace("fler besökare till lokala butiker", "fler besökare")
    )  # fmt: skip
    text = ack(chat, smtp_sink, body)
    assert chat.case()["actors"] == ["civilsamhalle"], "the test needs a single kind of actor"
    assert "modellen kräver minst 2 olika slags aktörer" in text
    assert "Bjud in fler" in text


# -- the other letters of a case's life, read back the same way -------------------------------


def test_every_letter_of_a_case_reaches_the_applicant_with_its_numbers(
    chat: Chat, smtp_sink: SmtpSink
) -> None:
    chat.apply(WITHOUT_ORGNR)  # the acknowledgement asks for the organisation number
    assert chat("ändra SAM-2026-0001 orgnr=802457-3167").ok
    assert chat("komplettera SAM-2026-0001 Skicka gärna en budget för första året.").ok
    (request,) = letters_to(chat, smtp_sink, "Vi behöver fler uppgifter")
    text, _ = bodies(request)
    assert "Skicka gärna en budget för första året." in text
    assert "diarienummer TN-2026-0001" in text

    chat.clock[0] = datetime(2026, 3, 12, 7, 0, tzinfo=UTC)  # ten days later, no answer
    (nudge,) = letters_to(chat, smtp_sink, "Påminnelse: vi väntar")
    assert "TN-2026-0001" in bodies(nudge)[0]

    assert chat("bedöm SAM-2026-0001 budgeten kom per telefon").ok
    assert chat("möte SAM-2026-0001 2026-03-17 10:00").ok
    chat.clock[0] = datetime(2026, 3, 16, 7, 0, tzinfo=UTC)  # the working day before
    (meeting,) = letters_to(chat, smtp_sink, "Påminnelse: möte")
    assert "2026-03-17" in meeting["Subject"]
    assert "TN-2026-0001" in bodies(meeting)[0]

    assert chat("godkänn SAM-2026-0001").ok
    assert chat("beslut SAM-2026-0001 beviljad § 12 sammanträde=2026-03-16 belopp=250000").ok
    (decision,) = letters_to(chat, smtp_sink, "Beslut")
    assert "finansiering (250 000 kr)" in bodies(decision)[0].replace("\u00a0", " ")

    chat.clock[0] = datetime(2026, 9, 16, 7, 0, tzinfo=UTC)  # six months on: the result
    (followup,) = letters_to(chat, smtp_sink, "Uppföljning")
    assert "resultatmätning" in followup["Subject"]
    assert "TN-2026-0001" in bodies(followup)[0]
    everything = [m for m in smtp_sink.messages() if m["To"] == LINA]
    assert all("SAM-2026-0001" in m["Subject"] for m in everything)
    assert all("TN-2026-0001" in bodies(m)[0] for m in everything)
