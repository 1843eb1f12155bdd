"""Values read with low confidence: kept, not asked of the actor, marked for the official.

An application whose contact person is only the sender's display name, whose area is the
district holding the two places it names, whose amount stands far from the ask and whose start
has no year is complete in those respects: the acknowledgement asks only for what is really
missing (the organisation number), and ``visa``, ``show`` and ``show --json`` mark the weak
values ``kontrollera`` until an official corrects them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from samverkan.bot.cli import main
from tests.helpers.chat import KARIN, Chat, chat, text_of
from tests.helpers.cli import clean_env

__all__ = ["chat", "clean_env"]

WRITTEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)

# Fresh text: an association on a housing estate, prose only, unsigned.
BODY = """Hej!

Vi i Gårdsföreningen Norrgatan vill ordna gårdsfester på Holma och i Kroksbäck tillsammans
med MKB och skolan.

Många gårdar står tomma på kvällarna och grannar känner sig otrygga när det är mörkt.
Målet är att minst 300 personer kommer till varje fest och att fler vill engagera sig i
gårdsråden.
Vi ansöker om ett bidrag för att kunna hyra scen, ljud och tält till festerna, ungefär 45 000 kr.
Egen insats: vi bidrar med ideell tid, cirka 150 timmar.
Vi tänker börja i maj.
"""


def application(body: str = BODY) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Maja Holm <maja.holm@gardsforeningen.example>"
    msg["To"] = "samverkan@malmo.example"
    msg["Subject"] = "Gårdsfester på Holma och i Kroksbäck"
    msg["Date"] = format_datetime(WRITTEN)
    msg["Message-ID"] = "<gardsfest-1@gardsforeningen.example>"
    msg.set_content(body)
    return msg.as_bytes()


def test_weak_values_are_not_asked_for_and_the_card_marks_them(chat: Chat) -> None:
    ref = chat.intake.process(application(), source="gardsfest.eml").case
    assert ref is not None
    shown = chat.case(ref)
    assert shown["applicant"]["contact_name"] == "Maja Holm"
    assert shown["area"]["name"] == "Hyllie"
    assert shown["start"] == "2027-05-01"
    assert shown["to_check"] == ["contact_name", "area", "area_text", "support", "start"]
    assert shown["provenance"]["contact_name"] == {
        "found": "header",
        "confidence": 0.55,
        "check": True,
    }
    assert shown["provenance"]["own_contribution"]["found"] == "labelled"
    assert not shown["provenance"]["own_contribution"]["check"]

    results = {r["id"]: r["status"] for r in shown["criteria"]["results"]}
    assert results["sokande"] == "missing"  # no organisation number: really missing
    assert {results[c] for c in ("omrade", "tidsram", "stod")} == {"met"}

    ack = chat.outbox("ack")
    assert len(ack) == 1
    body = ack[0].body_text or ""
    assert "organisationsnummer" in body
    for not_asked in ("kontaktperson", "tidsram", "belopp", "vilket område"):
        assert not_asked not in body.lower()

    card = text_of(chat(f"visa {ref}"))
    assert "Kontakt: Maja Holm, maja.holm@gardsforeningen.example (kontrollera)" in card
    assert "Område: Hyllie (kontrollera)" in card
    assert "Tidsram: start 1 maj 2027 (kontrollera)" in card
    assert "Att kontrollera: kontaktperson (ur avsändaren eller ämnesraden, 55 %)" in card
    assert "Sökande: Gårdsföreningen Norrgatan (org.nr saknas)\n" in card + "\n"


def test_an_officials_correction_clears_the_mark(chat: Chat) -> None:
    ref = chat.intake.process(application(), source="gardsfest.eml").case
    assert ref is not None
    chat(f"ändra {ref} kontaktperson=Maja Holm område=Holma", who=KARIN)
    shown = chat.case(ref)
    assert shown["area"]["name"] == "Holma"
    assert shown["provenance"]["contact_name"]["found"] == "official"
    assert shown["to_check"] == ["support", "start"]
    assert "Område: Holma\n" in text_of(chat(f"visa {ref}")) + "\n"


def test_a_labelled_form_has_nothing_to_check(chat: Chat) -> None:
    ref = chat.apply()
    assert chat.case(ref)["to_check"] == []
    assert "kontrollera" not in text_of(chat(f"visa {ref}"))


def test_show_marks_what_to_check_in_text_and_json(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp_path = clean_env
    assert main(["init"]) == 0
    (tmp_path / "a.eml").write_bytes(application())
    assert main(["ingest", "--no-send", str(tmp_path / "a.eml")]) == 0
    capsys.readouterr()
    assert main(["show", "SAM-2026-0001"]) == 0
    out = capsys.readouterr().out
    assert "Område: Hyllie (kontrollera)" in out
    assert "Kontaktperson: Maja Holm, maja.holm@gardsforeningen.example (kontrollera)" in out
    assert "Att kontrollera: kontaktperson" in out
    assert main(["show", "SAM-2026-0001", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["to_check"] == ["contact_name", "area", "area_text", "support", "start"]
    assert shown["provenance"]["support"] == {"found": "guessed", "confidence": 0.45, "check": True}


def test_a_reply_brings_its_facts_with_how_they_were_found(chat: Chat) -> None:
    ref = chat.intake.process(application(), source="gardsfest.eml").case
    assert ref is not None
    reply = EmailMessage()
    reply["From"] = "Maja Holm <maja.holm@gardsforeningen.example>"
    reply["To"] = "samverkan@malmo.example"
    reply["Subject"] = f"SV: [{ref}] Vi har tagit emot er ansökan"
    reply["Date"] = format_datetime(WRITTEN)
    reply["Message-ID"] = "<gardsfest-2@gardsforeningen.example>"
    reply.set_content("Hej! Här kommer det som saknades.\n\nOrganisationsnummer: 802467-1235\n")
    assert chat.intake.process(reply.as_bytes(), source="svar.eml").case == ref
    shown = chat.case(ref)
    assert shown["applicant"]["orgnr"] == "802467-1235"
    assert shown["provenance"]["orgnr"]["found"] == "labelled"
    # the contact person is still the one the application's sender gave: still to check
    assert shown["provenance"]["contact_name"]["found"] == "header"
    assert "contact_name" in shown["to_check"]
    results = {r["id"]: r["status"] for r in shown["criteria"]["results"]}
    assert results["sokande"] == "met"
