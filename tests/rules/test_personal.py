"""Masking personal identity numbers and private contact details (rules/personal.py)."""

from __future__ import annotations

import pytest

from samverkan.rules.personal import (
    erase_data,
    erase_personal,
    is_identity_number,
    mask_identity_numbers,
    mask_private_contact,
)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "Kontakt: Olle Ek (personnummer 19811218-9876)",
            "Kontakt: Olle Ek (personnummer 19811218-XXXX)",
        ),
        ("pnr 811218-9876.", "pnr 811218-XXXX."),
        ("811218+9876 är över hundra", "811218+XXXX är över hundra"),
        ("utan streck 8112189876", "utan streck 811218XXXX"),
        ("tolv siffror 198112189876 i följd", "tolv siffror 19811218XXXX i följd"),
        ("samordningsnummer 811278-1235", "samordningsnummer 811278-XXXX"),
        ("skottdag 850229-1233", "skottdag 850229-XXXX"),
        ("två: 811218-9876 och 850229-1233", "två: 811218-XXXX och 850229-XXXX"),
    ],
)
def test_identity_numbers_are_masked_keeping_the_date(text: str, masked: str) -> None:
    assert mask_identity_numbers(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Org.nr 802457-3167",  # an organisation: third digit 2 or more, a public fact
        "5566778899",  # organisation number without hyphen
        "811218-9875",  # wrong check digit: not a personnummer
        "811318-9876",  # month 13
        "810230-1234",  # 30 February
        "SAM-2026-0001",  # a case reference
        "beloppet 350 000 kr den 2026-02-03",
        "konto 1234-5678901",
    ],
)
def test_other_numbers_stay_visible(text: str) -> None:
    assert mask_identity_numbers(text) == text


def test_is_identity_number_checks_date_and_luhn() -> None:
    assert is_identity_number("8112189876")
    assert is_identity_number("8112781235")  # coordination number
    assert not is_identity_number("8024573167")
    assert not is_identity_number("811218987")
    assert not is_identity_number("81121898x6")


def test_notices_mask_phone_numbers_and_street_addresses() -> None:
    text = (
        "Ny ansökan från Olle Ek, 811218-9876, tel 070-123 45 67 eller +46 40 12 34 56, "
        "bor på Storgatan 12B, 214 22 Malmö. Org.nr 802457-3167, SAM-2026-0001, 2026-02-03."
    )
    masked = mask_private_contact(text)
    assert "9876" not in masked
    assert "811218-XXXX" in masked
    assert "123 45 67" not in masked
    assert "070-XXX XX XX" in masked
    assert "12 34 56" not in masked
    assert "+46 40-XXX XX XX" in masked
    assert "Storgatan" not in masked
    assert "214 22" not in masked
    assert "[adress], XXX XX Malmö" in masked
    assert "802457-3167" in masked
    assert "SAM-2026-0001" in masked
    assert "2026-02-03" in masked


def test_erasure_leaves_nothing_of_the_details_and_keeps_the_rest() -> None:
    text = (
        "Gården hos Olle Ek 19811218-9876, ring 070-765 43 21 eller olle@ek.example, "
        "Rönngatan 7, 214 46 Malmö. Olle hälsar. 12 vandringar, 350 000 kr, "
        "SAM-2026-0004, TN-2026-0001, org.nr 802457-3167, möte 2026-01-12 kl. 10:00"
    )
    erased = erase_personal(text, ["Olle Ek"])
    for gone in ("Olle", "9876", "811218", "765", "olle@", "Rönngatan", "214 46"):
        assert gone not in erased, gone
    for kept in ("Gården hos", "12 vandringar", "350 000 kr", "SAM-2026-0004", "TN-2026-0001",
                 "802457-3167", "2026-01-12 kl. 10:00", "Malmö"):  # fmt: skip
        assert kept in erased, kept
    assert erased.startswith("Gården hos [gallrad] [personnummer], ring [telefon]")


def test_erasure_of_stored_json_touches_only_strings() -> None:
    stored = {"contact_name": "Lina Ek", "amount": 350000, "notes": ["Lina ringer", None]}
    assert erase_data(stored, ["Lina Ek"]) == {
        "contact_name": "[gallrad]",
        "amount": 350000,
        "notes": ["[gallrad] ringer", None],
    }
