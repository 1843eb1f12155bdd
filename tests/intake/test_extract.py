"""Extraction of one application: each field, from forms and from prose, with its evidence."""

from __future__ import annotations

from datetime import date

import pytest

from samverkan.intake.extraction.dates import number_word, parse_duration, parse_start
from samverkan.intake.extraction.extract import extract, normalise_phone
from samverkan.intake.extraction.lexicon import find_actors
from samverkan.intake.extraction.orgnr import find_orgnr
from samverkan.rules.model import ActorCategory, SupportForm, SupportRequest

A = ActorCategory

FORM = """\
Organisation: Limhamns Köpmannaförening ek. för.
Organisationsnummer: 769612-3459
Kontaktperson: Erik Johansson
E-post: Erik@Limhamnskopman.se
Telefon: 040-34 10 00
Område: Limhamn
Aktörer: handlare, fastighetsägare och boende
Syfte:
Linnégatan tappar besökare och flera lokaler står tomma.
Vi vill göra gatan levande.

Mål: Färre tomma lokaler och 20 % fler besökare.
Stödform: Finansiering och processtöd
Belopp: 250 000
Tidsperiod: 18 mån
Start: april 2027
Egen insats: 150 000 kr och 300 timmar
"""

PROSE = """\
Hej!

Vi är Fastighetsägare i Sofielund, en ideell förening, och vi söker samverkansstöd för
Norra Sofielund. Området har stora utmaningar med nedskräpning och otrygghet.

Målet är att minska nedskräpningen med 30 procent.

Projektets totala budget är 900 000 kr, varav vi söker 350 000 kr i finansiering. Vi behöver
också processtöd. Vår egen insats är 200 timmar ideell tid och 100 000 kr.

Projektet pågår under 24 månader med start 1 mars 2027.

Org.nr 802457-3167

Med vänliga hälsningar
Anna Lindqvist
070-123 45 67
"""


def test_a_form_is_read_field_by_field() -> None:
    app = extract(FORM, subject="Ansökan samverkansstöd", sender_addr="annan@example.se")
    assert app.organisation == "Limhamns Köpmannaförening ek. för."
    assert (app.orgnr, app.orgnr_valid) == ("769612-3459", True)
    assert app.contact_name == "Erik Johansson"
    assert app.email == "erik@limhamnskopman.se"  # the form wins over the sender
    assert app.phone == "+4640341000"
    assert app.area is not None
    assert app.area.name == "Limhamn"
    assert set(app.actors) == {A.NARINGSLIV, A.FASTIGHETSAGARE, A.BOENDE}
    assert app.support == (
        SupportRequest(SupportForm.FINANSIERING, amount_sek=250_000),
        SupportRequest(SupportForm.PROCESSTOD),
    )
    assert (app.duration_months, app.start) == (18, date(2027, 4, 1))
    assert app.purpose == (
        "Linnégatan tappar besökare och flera lokaler står tomma. Vi vill göra gatan levande."
    )
    assert app.goals == "Färre tomma lokaler och 20 % fler besökare."
    assert app.own_contribution == "150 000 kr och 300 timmar"
    assert app.evidence["orgnr"] == "Organisationsnummer: 769612-3459"
    assert app.evidence["area"] == "Område: Limhamn"
    assert app.title == "Samverkan i Limhamn"


def test_prose_is_read_through_cue_words() -> None:
    app = extract(PROSE, sender_name="Anna Lindqvist", sender_addr="anna@example.se")
    assert app.organisation == "Fastighetsägare i Sofielund"
    assert (app.orgnr, app.orgnr_valid) == ("802457-3167", True)
    assert (app.contact_name, app.email, app.phone) == (
        "Anna Lindqvist",
        "anna@example.se",
        "+46701234567",
    )
    # The applicant's name holds "Sofielund"; the area applied for is Norra Sofielund.
    assert app.area is not None
    assert app.area.name == "Norra Sofielund"
    # The total budget and the own contribution are not the amount asked for.
    assert app.support == (
        SupportRequest(SupportForm.FINANSIERING, amount_sek=350_000),
        SupportRequest(SupportForm.PROCESSTOD),
    )
    assert (app.duration_months, app.start) == (24, date(2027, 3, 1))
    assert app.purpose is not None
    assert "nedskräpning" in app.purpose
    assert app.goals == "Målet är att minska nedskräpningen med 30 procent."
    assert app.own_contribution is not None
    assert "200 timmar ideell tid" in app.own_contribution
    assert "350 000 kr" in app.evidence["support"]


def test_nothing_is_guessed_from_a_bare_question() -> None:
    app = extract("Hej, hur söker man stöd? Tack!", subject="Fråga")
    assert app.title == "Fråga"
    assert app.evidence == {"title": "Fråga"}
    read = ("title", "evidence", "provenance")
    assert {k: v for k, v in app.to_dict().items() if k not in read} == {
        k: v for k, v in extract("").to_dict().items() if k not in read
    }
    assert set(app.provenance) == {"title"}


def test_title_is_the_subject_without_reply_and_application_noise() -> None:
    text = "Vi söker stöd för Seved."
    assert extract(text, subject="SV: [SAM-2026-0001] Ansökan: Trygga gårdar").title == (
        "Trygga gårdar"
    )
    assert extract(text, subject="Ansökan om samverkansstöd").title == "Samverkan i Seved"
    assert extract("inget område", subject="Re: Ansökan").title is None


def test_an_unknown_area_is_kept_as_written() -> None:
    app = extract("Område: Sjöbacka\n")
    assert (app.area, app.area_text) == (None, "Sjöbacka")
    app = extract("Vi bor i området Sjöbacka och vill samverka.")
    assert (app.area, app.area_text) == (None, "Sjöbacka")


def test_a_place_outside_malmo_is_kept_with_in_malmo_false() -> None:
    app = extract("Vi vill utveckla handeln i Staffanstorp.")
    assert app.area is not None
    assert (app.area.name, app.area.in_malmo) == ("Staffanstorp", False)


def test_contact_from_the_display_name_only_when_it_is_a_person() -> None:
    person = extract("Vi söker 10 000 kr.", sender_name="Lindqvist, Anna", sender_addr="anna@x.se")
    assert person.contact_name == "Anna Lindqvist"
    group = extract("Vi söker 10 000 kr.", sender_name="Möllans Nattliv", sender_addr="info@x.se")
    assert group.contact_name is None


def test_noreply_sender_is_not_the_applicants_address() -> None:
    assert extract("Hej", sender_addr="no-reply@example.se").email is None


def test_staff_and_other_support() -> None:
    app = extract(
        "Vi söker personal från staden, ungefär 200 timmar. "
        "Vi önskar också hjälp med tillstånd för torghandel."
    )
    assert app.support == (
        SupportRequest(SupportForm.PERSONAL, hours=200),
        SupportRequest(
            SupportForm.OVRIGT, text="Vi önskar också hjälp med tillstånd för torghandel."
        ),
    )


def test_declined_money_is_not_a_request_for_money() -> None:
    app = extract("Vi behöver hjälp med processledning, inga pengar.")
    assert app.support == (SupportRequest(SupportForm.PROCESSTOD),)


# ---- organisation numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "formatted", "valid"),
    [
        ("802457-3167", "802457-3167", True),
        ("8024573167", "802457-3167", True),
        ("16802457-3167", "802457-3167", True),
        ("org.nr 802457 3167", "802457-3167", True),
        ("Org nr: 802457-3168", "802457-3168", False),
        ("Organisationsnummer: 850312-1234", "850312-1234", False),  # a sole trader's
    ],
)
def test_organisation_numbers(text: str, formatted: str, valid: bool) -> None:
    found = find_orgnr(text)
    assert found is not None
    assert (found.formatted, found.valid) == (formatted, valid)


@pytest.mark.parametrize(
    "text",
    ["personnummer 850312-1234", "ring 0701234567", "+46 70 123 45 67", "2027-03-01", "1 250 000"],
)
def test_numbers_that_are_not_organisation_numbers(text: str) -> None:
    assert find_orgnr(text) is None


# ---- phone numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("070-123 45 67", "+46701234567"),
        ("040-34 10 00", "+4640341000"),
        ("+46 70 123 45 67", "+46701234567"),
        ("0046 40 98 76 54", "+4640987654"),
        ("+46 (0)70 111 22 33", "+46701112233"),
        ("08-123 456 78", "+46812345678"),
    ],
)
def test_phone_numbers_become_e164(text: str, e164: str) -> None:
    assert normalise_phone(text) == e164


@pytest.mark.parametrize("text", ["802457-3167", "2027-03-01", "070-12", "250 000 kr"])
def test_numbers_that_are_not_phone_numbers(text: str) -> None:
    assert normalise_phone(text) is None


def test_a_labelled_phone_wins_over_an_earlier_number() -> None:
    app = extract("Vi har 070-111 11 11 som jourtelefon.\nTelefon: 040-22 33 44\n")
    assert app.phone == "+4640223344"


# ---- durations and dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("under 24 månader", 24),
        ("i två år", 24),
        ("Projekttid: 3 år", 36),
        ("2026–2028", 36),  # inclusive: three calendar years
        ("i tjugofyra månader", 24),
        ("under ett och ett halvt år", 18),
        ("ett treårigt projekt", 36),
        ("under 1,5 år", 18),
        ("mars 2027 – februari 2029", 24),
        ("under arton månader", 18),
        ("ett halvår", 6),
    ],
)
def test_durations(text: str, months: int) -> None:
    found = parse_duration(text)
    assert found is not None
    assert found[0] == months


@pytest.mark.parametrize(
    "text",
    [
        "Vi har funnits i 30 år.",
        "barn 6-12 år",
        "under de senaste 10 åren",
        "Verksamheten har pågått i 5 år.",
        "18 mån",  # no time-frame cue in prose
    ],
)
def test_numbers_of_years_that_are_not_a_time_frame(text: str) -> None:
    assert parse_duration(text) is None


def test_a_form_field_needs_no_cue() -> None:
    assert parse_duration("18 mån", cued=False) == (18, "18 mån")


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("från 1 mars 2027", date(2027, 3, 1)),
        ("start januari 2027", date(2027, 1, 1)),
        ("Startdatum: 2027-03-01", date(2027, 3, 1)),
        ("Vi planerar att starta projektet den 1 mars 2027", date(2027, 3, 1)),
        ("fr.o.m. 15/8 2027", date(2027, 8, 15)),
        ("mars 2027 – februari 2029", date(2027, 3, 1)),
    ],
)
def test_start_dates(text: str, start: date) -> None:
    found = parse_start(text)
    assert found is not None
    assert found[0] == start


@pytest.mark.parametrize("text", ["möte 2027-02-01", "Start: våren 2027", "2026–2028"])
def test_dates_that_are_not_a_start(text: str) -> None:
    assert parse_start(text) is None


@pytest.mark.parametrize(
    ("word", "value"),
    [("ett", 1), ("tolv", 12), ("arton", 18), ("tjugofyra", 24), ("trettiosex", 36), ("7", 7)],
)
def test_number_words(word: str, value: int) -> None:
    assert number_word(word) == value


def test_not_a_number_word() -> None:
    assert number_word("många") is None


# ---- actors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        (
            "fastighetsägarna, butiksägare och idrottsföreningen",
            {A.FASTIGHETSAGARE, A.NARINGSLIV, A.CIVILSAMHALLE},
        ),
        ("MKB och skolan", {A.FASTIGHETSAGARE, A.OFFENTLIG}),
        ("Brf Solgläntan och hyresgästföreningen", {A.FASTIGHETSAGARE, A.CIVILSAMHALLE}),
        ("Svenska kyrkan, grannar och Limhamns IF", {A.CIVILSAMHALLE, A.BOENDE}),
        ("restauranger, caféer och handlarna", {A.NARINGSLIV}),
        ("polisen och Region Skåne", {A.OFFENTLIG}),
        ("invånarna och studieförbundet ABF", {A.BOENDE, A.CIVILSAMHALLE}),
    ],
)
def test_actor_words_and_their_inflections(text: str, categories: set[ActorCategory]) -> None:
    assert {category for category, _ in find_actors(text)} == categories


@pytest.mark.parametrize(
    "text",
    [
        "Det handlar om trygghet.",  # "handlar" is a verb
        "Vi sitter på Föreningsgatan och Skolgatan.",  # streets
        "Företag: Lindqvist & Son",  # a form label
        "Inga boende deltar.",  # negated
        "ideell tid och ekonomisk förening",  # volunteer time; a legal form
        "Föreningen upplåter en lokal.",  # the applicant speaking of itself
    ],
)
def test_words_that_name_no_actor(text: str) -> None:
    assert find_actors(text) == []


def test_the_applicant_counts_as_an_actor_by_its_legal_form() -> None:
    app = extract("Ek Fastigheter AB äger fyra hus. Vi söker 10 000 kr.")
    assert app.actors == (A.FASTIGHETSAGARE,)
    app = extract("Möllans Bageri AB vill samverka med de boende.")
    assert app.actors == (A.NARINGSLIV, A.BOENDE)


def test_pathological_input_is_read_in_linear_time() -> None:
    shapes = (
        " " * 50_000,
        "a:" * 20_000,
        "Vi är " + "X" * 50_000,
        "1" * 50_000,
        "Vi söker 10 000 kr " * 2_500,  # one sentence of thousands of amounts
        "X. " * 15_000,  # thousands of initials, each looking like an abbreviation
    )
    for text in shapes:
        assert extract(text).orgnr is None
