"""Amounts in SEK as Swedish actors write them, and the numbers that are not amounts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samverkan.intake.extraction.amounts import parse_amounts


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("Vi söker 250 000 kr.", 250_000),
        ("250 000:-", 250_000),
        ("250.000 kronor", 250_000),
        ("250 tkr", 250_000),
        ("0,25 MSEK", 250_000),
        ("1,5 miljoner kronor", 1_500_000),
        ("SEK 250,000", 250_000),
        ("250k", 250_000),
        ("kr 250 000", 250_000),
        ("3 mkr", 3_000_000),
        ("2 miljoner", 2_000_000),
        ("1.250.000 SEK", 1_250_000),
        ("250\u00a0000\u00a0kr", 250_000),
        ("45 000 SEK", 45_000),
        ("150 tusen kronor", 150_000),
    ],
)
def test_swedish_forms_of_an_amount(text: str, amount: int) -> None:
    assert [value for value, _ in parse_amounts(text)] == [amount]


def test_each_amount_keeps_its_words_in_text_order() -> None:
    text = "Total budget 900 000 kr, varav vi söker 400 tkr och bidrar med 0,1 MSEK."
    assert parse_amounts(text) == [
        (900_000, "900 000 kr"),
        (400_000, "400 tkr"),
        (100_000, "0,1 MSEK"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Projektet pågår 2026–2028 och startar 2027-03-01.",
        "Org.nr 802457-3167, tel 070-123 45 67, +46 40 34 10 00.",
        "Vi har 40 medlemmar och 12 butiker på 3 gator.",
        "Ring 040-34 10 00 eller skriv till oss senast 1/3 2027.",
        "Minska nedskräpningen med 30 % på 24 månader.",
        "Vi är 250 k-medlemmar",  # not money: "k" must end the word
    ],
)
def test_numbers_that_are_not_money(text: str) -> None:
    assert parse_amounts(text) == []


@given(
    year=st.integers(min_value=1990, max_value=2099),
    month=st.integers(min_value=1, max_value=12),
    day=st.integers(min_value=1, max_value=28),
    digits=st.integers(min_value=100_000_000, max_value=999_999_999),
)
def test_dates_and_identifiers_never_become_amounts(
    year: int, month: int, day: int, digits: int
) -> None:
    text = (
        f"Datum {year}-{month:02d}-{day:02d}, år {year}, mobil 07{digits % 10**8:08d}, "
        f"org.nr {str(digits)[:6]}-{str(digits)[-4:]}"
    )
    assert parse_amounts(text) == []


def test_a_long_run_of_digits_and_separators_is_read_quickly() -> None:
    # Linear scanning: this would take minutes with catastrophic backtracking.
    assert parse_amounts("1 " * 50_000 + "x") == []
    assert parse_amounts("1." * 50_000 + "x") == []
