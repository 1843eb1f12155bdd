"""Known weak spots of reading, each held by a rule: a start without a year, residents read
into "tillsammans", housing companies by name.

The texts are written fresh for these tests, in several writers' voices.
"""

from __future__ import annotations

from datetime import date

import pytest

from samverkan.intake.extraction.actors import actors_taking_part, organisation_categories
from samverkan.intake.extraction.dates import parse_duration, parse_start
from samverkan.intake.extraction.extract import extract
from samverkan.intake.extraction.text import pieces
from samverkan.rules.model import ActorCategory

A = ActorCategory

# ---- a start without a year is the next such date after the mail ----------------------------


@pytest.mark.parametrize(
    ("text", "written", "start"),
    [
        ("Vi vill dra igång med start i mars.", date(2026, 11, 20), date(2027, 3, 1)),
        ("Planen är att köra från 1 september.", date(2026, 5, 10), date(2026, 9, 1)),
        ("Planen är att köra från 1 september.", date(2026, 9, 2), date(2027, 9, 1)),
        ("Vi borjar i oktober om allt gar vagen.", date(2026, 10, 14), date(2026, 10, 1)),
        ("We are starting in April with the first clean-up.", date(2026, 12, 1), date(2027, 4, 1)),
        ("Projektet startar den 15 januari.", date(2026, 12, 30), date(2027, 1, 15)),
        ("from September 3rd, weekly", date(2026, 2, 1), date(2026, 9, 3)),
        ("We start from 1st of March.", date(2026, 5, 10), date(2027, 3, 1)),
    ],
)
def test_a_start_without_a_year_is_the_next_such_date(
    text: str, written: date, start: date
) -> None:
    found = parse_start(text, today=written)
    assert found is not None
    assert found[0] == start


def test_a_start_with_its_year_keeps_it_and_without_the_mail_date_none_is_guessed() -> None:
    assert parse_start("Start i mars 2028.", today=date(2026, 1, 1)) == (
        date(2028, 3, 1),
        "mars 2028",
    )
    assert parse_start("Vi startar i mars.") is None
    # "sedan mars" is the past, not a start.
    assert parse_start("Vi har haft öppet sedan mars.", today=date(2026, 6, 1)) is None


def test_a_mail_with_only_a_yearless_start_meets_the_time_frame() -> None:
    text = (
        "Hej! Vi i Kvarnby byalag söker 40 000 kr till en julmarknad och vill börja "
        "planera från 1 september. Hälsningar, Jonas Berg"
    )
    app = extract(text, written=date(2026, 6, 12))
    assert app.start == date(2026, 9, 1)
    assert app.duration_months is None
    assert "1 september" in app.evidence["start"]


def test_school_terms_are_seasons_of_their_own() -> None:
    assert parse_duration("Projektet pågår ht 2026 – vt 2027.") == (11, "ht 2026 – vt 2027")
    assert parse_start("Vi kör läxhjälpen från ht 2026 till vt 2028.") == (
        date(2026, 8, 1),
        "ht 2026 till vt 2028",
    )


# ---- residents take part only where the text says so ----------------------------------------


def residents(text: str) -> bool:
    return A.BOENDE in actors_taking_part(pieces(text), None, None)


@pytest.mark.parametrize(
    "text",
    [
        "Vi vill tillsammans skapa en plats som invånarna vill besöka.",
        "Tillsammans ska vi göra gården tryggare, så att boende vågar gå ut på kvällen.",
        "Vårt mål är att få fler boende att engagera sig i gårdsrådet.",
        "Vi samarbetar med hyresgästernas egen förening och skolan.",
        "Många boende upplever att trapphusen är otrygga.",
        "Together we will make the square a place residents are proud of.",
    ],
)
def test_residents_are_not_read_from_together_or_from_goals(text: str) -> None:
    assert not residents(text)


@pytest.mark.parametrize(
    "text",
    [
        "Vi boende på Lorensborg har startat en grupp.",
        "Arbetet görs tillsammans med butikerna, biblioteket och grannarna i kvarteret.",
        "Föreningen består av boende och några företagare på gatan.",
        "Boende, handlare och fastighetsägare deltar redan i planeringen.",
        "Vi är några grannar på Holma som vill göra något åt lekplatsen.",
        "The project is run by residents of the block together with the landlord.",
        "We work together with tenants and two local shops.",
    ],
)
def test_residents_count_where_they_take_part(text: str) -> None:
    assert residents(text)


def test_a_property_company_named_in_prose_is_a_property_owner() -> None:
    found = actors_taking_part(
        pieces("Vi gör det tillsammans med Stena Fastigheter och skolan."), None, None
    )
    assert set(found) == {A.FASTIGHETSAGARE, A.OFFENTLIG}
    assert actors_taking_part(pieces("Många fastigheter är slitna och tomma."), None, None) == {}


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Rosenhem AB", A.FASTIGHETSAGARE),
        ("Hyresbostäder i Söder AB", A.FASTIGHETSAGARE),
        ("Bostads AB Kvarnen", A.FASTIGHETSAGARE),
        ("Kvarnby Fastigheter", A.FASTIGHETSAGARE),
        ("Glassfabriken AB", A.NARINGSLIV),
    ],
)
def test_a_housing_company_is_known_by_its_name(name: str, category: ActorCategory) -> None:
    assert organisation_categories(name)[0][0] is category


# ---- names as people write them --------------------------------------------------------------


def test_an_org_nr_in_brackets_after_the_name_is_not_part_of_it() -> None:
    app = extract("Sökande: Segevångs Villaägareförening (org.nr 802433-2101)\nVi söker 9 000 kr.")
    assert app.organisation == "Segevångs Villaägareförening"
    assert app.orgnr == "802433-2101"


def test_an_honorific_is_not_part_of_the_signers_name() -> None:
    text = "We apply for 20 000 SEK.\n\nKind regards\nDr. Jonas Wiik\nChairman\nHamnens nätverk"
    assert extract(text).contact_name == "Jonas Wiik"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Grannar och båtklubben är med och ordnar festen.", A.CIVILSAMHALLE),
        ("Tillsammans med nattklubben på hörnet vill vi minska bråken.", A.NARINGSLIV),
    ],
)
def test_clubs_are_associations_and_night_clubs_businesses(
    text: str, category: ActorCategory
) -> None:
    assert category in actors_taking_part(pieces(text), None, None)


@pytest.mark.parametrize(
    ("text", "to_check"),
    [
        ("Vi söker 40 000 kr och startar från hösten 2026 i Seved.", True),
        ("Vi söker 40 000 kr och startar den 1 september 2026 i Seved.", False),
        ("Start: september\nVi söker 40 000 kr.", True),
        ("Start: 2026-09-01\nVi söker 40 000 kr.", False),
    ],
)
def test_a_start_read_from_a_season_or_without_a_year_is_to_be_checked(
    text: str, to_check: bool
) -> None:
    app = extract(text, written=date(2026, 6, 1))
    assert app.start is not None
    assert app.start.month == 9
    assert ("start" in app.to_check()) is to_check
