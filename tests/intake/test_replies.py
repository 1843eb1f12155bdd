"""What a reply says beyond facts: withdrawals and new contact persons (pure, no database)."""

from __future__ import annotations

import pytest

from samverkan.intake.extraction.replies import (
    declared_contact,
    reply_update,
    withdrawal_sentence,
)
from samverkan.rules.model import Application


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (
            "Hej!\n\nVi i föreningen har tyvärr bestämt oss för att återkalla vår ansökan.\n\n/Per",
            "Vi i föreningen har tyvärr bestämt oss för att återkalla vår ansökan.",
        ),
        (
            "Hej, styrelsen beslutade i går att dra tillbaka ansokan om stod. Mvh Ali",
            "Hej, styrelsen beslutade i går att dra tillbaka ansokan om stod.",
        ),
        (
            "Efter årsmötet drar vi vår ansökan\ntillbaka, eftersom lokalen är såld.",
            "Efter årsmötet drar vi vår ansökan tillbaka, eftersom lokalen är såld.",
        ),
        (
            "Dear all, we are withdrawing our application for now. Regards, Kim",
            "Dear all, we are withdrawing our application for now.",
        ),
        (
            "Tack för hjälpen. Vi kommer inte längre gå vidare med ansökan i år.",
            "Vi kommer inte längre gå vidare med ansökan i år.",
        ),
    ],
)
def test_a_withdrawal_is_found_in_any_phrasing(text: str, sentence: str) -> None:
    assert withdrawal_sentence(text) == sentence


@pytest.mark.parametrize(
    "text",
    [
        "Vi drar inte tillbaka ansökan, men budgeten ändras något.",
        "Kan vi dra tillbaka ansökan och skicka in en ny senare?",
        "Här kommer organisationsnumret: 802457-3167. Mvh Ali",
        "We do not withdraw the application; the board supports it.",
    ],
)
def test_a_negated_or_asked_withdrawal_is_not_one(text: str) -> None:
    assert withdrawal_sentence(text) is None


def test_a_new_contact_person_is_read_with_the_name_of_the_new_address() -> None:
    text = (
        "Hej,\nEfter sommaren blir det Maja Holm som är kontaktperson för ansökan,\n"
        "eftersom jag byter tjänst.\nMaja Holm, maja.holm@gardsforeningen.example, "
        "073-111 22 33\nHälsningar Tor Åberg"
    )
    contact = declared_contact(text, sender_addr="tor.aberg@gardsforeningen.example")
    assert contact is not None
    assert (contact.name, contact.email, contact.phone) == (
        "Maja Holm",
        "maja.holm@gardsforeningen.example",
        "+46731112233",
    )


def test_an_english_contact_change_is_read() -> None:
    text = "Hi,\nOur new contact person is Sam Lee (sam.lee@harbour.example).\nBest, Robin"
    contact = declared_contact(text, sender_addr="robin@harbour.example")
    assert contact is not None
    assert (contact.name, contact.email) == ("Sam Lee", "sam.lee@harbour.example")


def test_a_reply_that_names_no_contact_declares_none() -> None:
    assert declared_contact("Hej! Budgeten är bifogad.\nMvh Tor Åberg\nTel 040-12 34 56") is None


CASE = Application(
    organisation="Gårdsföreningen",
    contact_name="Tor Åberg",
    email="tor.aberg@gardsforeningen.example",
    evidence={"contact_name": "Tor Åberg"},
)


def test_a_reply_signed_by_someone_else_keeps_the_contact_and_takes_the_facts() -> None:
    reply = Application(
        contact_name="Lisa Kassör", email="lisa@gardsforeningen.example", orgnr="802457-3167"
    )
    updated = reply_update(CASE, reply, text="Orgnr 802457-3167\nLisa Kassör", sender=None)
    assert (updated.contact_name, updated.email) == (CASE.contact_name, CASE.email)
    assert updated.orgnr == "802457-3167"
    assert updated.organisation == "Gårdsföreningen"


def test_a_reply_that_names_a_new_contact_changes_it() -> None:
    text = "Från 1 maj är Maja Holm kontaktperson, maja.holm@gardsforeningen.example."
    reply = Application(contact_name="Tor Åberg", email="tor.aberg@gardsforeningen.example")
    updated = reply_update(CASE, reply, text=text, sender="tor.aberg@gardsforeningen.example")
    assert (updated.contact_name, updated.email) == (
        "Maja Holm",
        "maja.holm@gardsforeningen.example",
    )
    assert "Maja Holm" in updated.evidence["contact_name"]
